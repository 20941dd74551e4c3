#!/bin/sh
# Checks that docs/API.md documents every function that has a `## name ...`
# comment in src/*.sh and bin/*. Exits 1 naming the missing ones.
set -eu
if [ ! -f docs/API.md ]; then
  echo "check-docs: docs/API.md does not exist; run 'sh tools/gen-docs.sh > docs/API.md'" >&2
  exit 1
fi
names=$(for file in src/*.sh bin/*; do
  [ -f "$file" ] && sed -n 's/^## \([A-Za-z_][A-Za-z0-9_]*\) .*/\1/p' "$file"
done)
missing=0
for name in $names; do
  if ! grep -qx "### $name" docs/API.md; then
    echo "check-docs: docs/API.md does not document '$name'" >&2
    missing=1
  fi
done
if [ "$missing" -ne 0 ]; then
  echo "check-docs: regenerate it with 'sh tools/gen-docs.sh > docs/API.md'" >&2
  exit 1
fi
echo "check-docs: every function is documented"
