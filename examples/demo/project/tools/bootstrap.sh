#!/bin/sh
# Installs the test helpers into .deps/ (ignored by git). orchestrate runs this
# as `setup` in each fresh worktree; ignored files survive when a worktree is
# reused, so the second time it has nothing to do.
set -eu
if [ -f .deps/assert.sh ] && cmp -s tools/assert.sh .deps/assert.sh; then
  echo "bootstrap: test helpers already installed"
  exit 0
fi
mkdir -p .deps
cp tools/assert.sh .deps/assert.sh
echo "bootstrap: installed test helpers into .deps/"
