# Tests for src/greeting.sh. Run through test.sh.
. ./src/greeting.sh

assert_eq "Hello, Ada!" "$(greet Ada)" "greet Ada"
assert_eq "Hello, Grace Hopper!" "$(greet 'Grace Hopper')" "greet with a space"
