#!/bin/sh
# Builds the manifest fuzzer with clang (libFuzzer, AddressSanitizer,
# UndefinedBehaviorSanitizer, toml++ compiled in so it is instrumented too)
# and runs it on fuzz/corpus. Run by hand, not in CI:
#   fuzz/run.sh                 # until stopped (Ctrl-C)
#   fuzz/run.sh -max_total_time=300
# New inputs it finds are added to fuzz/corpus; a crash is written to
# fuzz/crash-* : turn each into a regression test (tests/unit/manifest_values_test.cc).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=${FUZZ_BUILD_DIR:-$root/build/fuzz}
mkdir -p "$out"
sources="manifest.cc manifest_parse.cc manifest_validate.cc manifest_values.cc template.cc
         duration.cc graph_algorithms.cc file_io.cc"
objects=""
for s in $sources; do
  o="$out/${s%.cc}.o"
  if [ ! -f "$o" ] || [ "$root/src/$s" -nt "$o" ]; then
    clang++ -std=c++20 -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
      -fno-sanitize-recover=undefined -DTOML_HEADER_ONLY=1 \
      -I"$root/include" -I"$root/src" -c "$root/src/$s" -o "$o"
  fi
  objects="$objects $o"
done
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -DTOML_HEADER_ONLY=1 -I"$root/include" -I"$root/src" \
  "$here/manifest_fuzzer.cc" $objects -o "$out/manifest_fuzzer"
cd "$here"
exec "$out/manifest_fuzzer" -dict="$here/toml.dict" -max_len=4096 -artifact_prefix="$here/" \
  "$@" "$here/corpus"
