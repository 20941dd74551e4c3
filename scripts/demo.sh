#!/usr/bin/env bash
# Installs missing Debian packages, builds orchestrate, creates the bundled
# demo repository and runs orchestrate's main job on it: several phases in
# parallel worktrees, verified, committed and merged, with an offline
# stand-in agent. Usage: scripts/demo.sh [DEMO_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DORCHESTRATE_TESTS=OFF >/dev/null
cmake --build build/release -j "$(nproc)" --target orchestrate
bin=$PWD/build/release/orchestrate

demo=${1:-$(mktemp -d /tmp/orchestrate-demo.XXXXXX)/greetkit}
examples/demo/make-demo-repo.sh "$demo"
cd "$demo"
# The demo's agent simulates one rate limit: wait 2 s before retrying, not 10.
export ORCHESTRATE_REQUEUE_BACKOFF=${ORCHESTRATE_REQUEUE_BACKOFF:-2}

echo; echo "\$ orchestrate plan"; "$bin" plan
echo; echo "\$ orchestrate run"; "$bin" run || true
echo; echo "\$ orchestrate status"; "$bin" status
# cli waits for a person's approval; the demo gives it without asking.
echo; echo "\$ orchestrate approve cli    # after reviewing the git diff it names"
"$bin" approve cli
echo; echo "\$ orchestrate run    # goes on from the approved result"; "$bin" run
# The budget, with a copy of the manifest whose budget_usd is $0.01: once
# math has spent more, greeting does not start (skipped-budget), exit 1.
sed 's/^budget_usd = .*/budget_usd = 0.01/' orchestrate.toml > budget.toml
echo; echo "\$ orchestrate -f budget.toml run -j1 --force math --force greeting    # budget_usd = 0.01"
"$bin" -f budget.toml run -j1 --force math --force greeting || true
rm budget.toml
echo; echo "\$ orchestrate run    # again: everything is fresh"; "$bin" run
echo; echo "\$ git log --oneline --graph orchestrate/integration | head -20"
git log --oneline --graph orchestrate/integration | head -20
echo
echo "The demo repository is $demo; try: cd $demo && $bin graph, $bin explain math, $bin log math"
