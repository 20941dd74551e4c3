# Tests for src/math.sh. Run through test.sh.
. ./src/math.sh

assert_eq 5 "$(add 2 3)" "add 2 3"
assert_eq -1 "$(add 2 -3)" "add 2 -3"
