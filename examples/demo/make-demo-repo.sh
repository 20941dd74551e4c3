#!/bin/bash
# make-demo-repo.sh DIR: creates the orchestrate demo repository in DIR.
#
# DIR becomes a fresh git repository (branch main, one commit) holding
# "greetkit", a tiny shell library, with the demo's orchestrate.toml, its
# prompts, and the offline stand-in agent as tools/agent.sh. Then:
#
#   cd DIR && orchestrate plan && orchestrate
#
# Needs only bash, coreutils, git, sed, awk and grep. Refuses to touch a DIR
# that exists and is not empty.
set -euo pipefail

die() {
  printf 'make-demo-repo.sh: %s\n' "$*" >&2
  exit 2
}

[[ $# -eq 1 && -n $1 ]] || die "usage: make-demo-repo.sh DIR (DIR must not exist, or be empty)"
dir=$1
if [[ -e $dir && ! -d $dir ]]; then
  die "'$dir' exists and is not a directory; choose another path"
fi
if [[ -d $dir && -n $(ls -A "$dir") ]]; then
  die "'$dir' is not empty; choose a new directory (or remove it: rm -rf '$dir')"
fi
command -v git >/dev/null || die "git is not installed"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for needed in project orchestrate.toml prompts stand-in-agent.sh; do
  [[ -e $here/$needed ]] || die "$here/$needed is missing; run the script from an orchestrate source tree"
done

mkdir -p "$dir"
cp -R "$here/project/." "$dir/"
cp "$here/orchestrate.toml" "$dir/orchestrate.toml"
cp -R "$here/prompts" "$dir/prompts"
cp "$here/stand-in-agent.sh" "$dir/tools/agent.sh"
chmod +x "$dir"/tools/*.sh "$dir/test.sh"

cd "$dir"
git init -q -b main
git config user.name "orchestrate demo"
git config user.email "demo@orchestrate.invalid"
git config commit.gpgsign false
git add -A
git commit -q -m "greetkit: a tiny shell library, and an orchestrate.toml to extend it"

cat <<MSG
Created the demo repository in $(pwd):
$(git log --oneline -1)

Next:
  cd $(printf '%q' "$(pwd)")
  orchestrate plan       # the graph, and why each phase would run
  orchestrate            # run it: 7 phases, a retry and a rate limit included
  orchestrate            # again: every phase is fresh, nothing runs
  git log --graph --oneline orchestrate/integration

The agent phases use tools/agent.sh, an offline stand-in for a coding agent
(DEMO_AGENT_DELAY=0 makes it instant; see its header for what it understands).
MSG
