#!/usr/bin/env bash
# Installs the Debian packages orchestrate builds with, when any is missing.
# With --test-tools, also the programs some tests drive (a browser for the
# HTML report, man, a JSON Schema validator, other shells); tests that need
# one that is missing are skipped.
set -euo pipefail
packages=(cmake g++ make pkg-config git libgit2-dev libboost-graph-dev libtomlplusplus-dev
          libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libgtest-dev)
test_tools=(chromium python3-jsonschema man-db groff-base zsh fish)
[[ ${1:-} == --test-tools ]] && packages+=("${test_tools[@]}")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "Installing missing packages: ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
