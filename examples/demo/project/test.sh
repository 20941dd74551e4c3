#!/bin/sh
# Runs the tests: `sh test.sh` runs every tests/test_*.sh, `sh test.sh math
# greeting` only those modules. Exits non-zero when any check fails.
set -u
if [ ! -f .deps/assert.sh ]; then
  echo "test.sh: .deps/assert.sh is missing; run 'sh tools/bootstrap.sh' first" >&2
  exit 2
fi
if [ $# -eq 0 ]; then
  for file in tests/test_*.sh; do
    module=${file#tests/test_}
    set -- "$@" "${module%.sh}"
  done
fi
status=0
for module in "$@"; do
  file=tests/test_$module.sh
  if [ ! -f "$file" ]; then
    echo "test.sh: no tests for '$module' ($file does not exist)" >&2
    status=1
    continue
  fi
  echo "== $module"
  # Each module's tests run in their own shell so their functions do not mix.
  sh -c '. ./.deps/assert.sh; . "$1"; echo "  $assert_count checks, $assert_failures failed"; [ "$assert_failures" -eq 0 ]' sh "$file" || status=1
done
exit $status
