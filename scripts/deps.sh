#!/usr/bin/env bash
# Installs the Debian packages orchestrate builds with, when any is missing.
# With --test-tools, also the programs some tests drive, each only when
# missing: a browser for the HTML report, man, a JSON Schema validator,
# other shells, and the CI-engine tools (tests/engines/: small npm packages
# installed under build/test-tools/). Tests whose tool is missing skip.
# ORCHESTRATE_TEST_TOOLS=0 leaves the test tools out even with --test-tools.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(cmake g++ make pkg-config git libgit2-dev libssl-dev libboost-graph-dev
          libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
          libgtest-dev dpkg-dev)  # dpkg-dev: dpkg-shlibdeps, for the .deb's dependencies
# gitlab-ci-local needs rsync; Node.js 18 or later for both npm tools.
test_packages=(chromium python3-jsonschema man-db groff-base zsh fish rsync clang-format)
# A Node.js from elsewhere (NodeSource's package bundles npm and conflicts
# with Debian's npm) is used as it is.
command -v npm >/dev/null || test_packages+=(nodejs npm)
npm_tools=(@action-validator/cli@0.6.0 gitlab-ci-local@4.65.1)
if [[ ${1:-} != --test-tools || ${ORCHESTRATE_TEST_TOOLS:-1} == 0 ]]; then
  test_packages=()
  npm_tools=()
fi
tools_dir=build/test-tools

# One dpkg-query for all of them: when everything is there, this script
# costs a few milliseconds and touches neither apt nor the network. (It
# fails when some package is unknown to dpkg: still listing the others.)
wanted=("${packages[@]}" "${test_packages[@]}")
status=$(dpkg-query -W -f='${Package}:${Status}\n' "${wanted[@]}" 2>/dev/null || true)
installed=" $(sed -n 's/:install ok installed$//p' <<<"$status" | tr '\n' ' ') "
missing=()
for p in "${wanted[@]}"; do
  [[ $installed == *" $p "* ]] || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "Installing missing packages: ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ ${#npm_tools[@]} -gt 0 ]] &&
   [[ ! -x $tools_dir/node_modules/.bin/gitlab-ci-local || ! -x $tools_dir/node_modules/.bin/action-validator ]]; then
  echo "Installing test tools into $tools_dir: ${npm_tools[*]}"
  mkdir -p "$tools_dir"
  npm install --prefix "$tools_dir" --no-audit --no-fund --loglevel=error "${npm_tools[@]}" ||
    echo "warning: npm could not install ${npm_tools[*]}: the CI-engine tests will skip" >&2
fi
