# The test helpers, "installed" into .deps/ by tools/bootstrap.sh the way a
# real project installs its test framework (npm ci, pip install, ...).

assert_failures=0
assert_count=0

# assert_eq EXPECTED ACTUAL DESCRIPTION
assert_eq() {
  assert_count=$((assert_count + 1))
  if [ "$1" = "$2" ]; then
    printf '  ok   %s\n' "$3"
  else
    printf '  FAIL %s: expected [%s], got [%s]\n' "$3" "$1" "$2"
    assert_failures=$((assert_failures + 1))
  fi
}

# assert_fails DESCRIPTION COMMAND...: COMMAND must exit non-zero.
assert_fails() {
  assert_count=$((assert_count + 1))
  description=$1
  shift
  if ("$@") >/dev/null 2>&1; then
    printf '  FAIL %s: expected a non-zero exit status\n' "$description"
    assert_failures=$((assert_failures + 1))
  else
    printf '  ok   %s\n' "$description"
  fi
}
