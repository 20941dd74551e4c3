#!/usr/bin/env bash
# Formats the C++ sources with clang-format and the style in .clang-format.
#   scripts/format.sh            format every file in place
#   scripts/format.sh --check    list the files that differ; exit 1 if any do
#   scripts/format.sh [--check] FILE...   only these files
# CLANG_FORMAT names the program (default: clang-format, Debian's is 14).
set -euo pipefail
cd "$(dirname "$0")/.."

check=0
if [[ ${1:-} == --check ]]; then
  check=1
  shift
fi
clang_format=${CLANG_FORMAT:-clang-format}
if ! command -v "$clang_format" >/dev/null; then
  echo "format.sh: $clang_format not found; install clang-format (apt-get install clang-format)" >&2
  exit 2
fi

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  # Tracked and new files; build directories are ignored by .gitignore.
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
                         'src/*.cc' 'src/*.h' 'include/*.h' 'tests/*.cc' 'tests/*.h')
fi

if [[ $check -eq 0 ]]; then
  [[ ${#files[@]} -eq 0 ]] || "$clang_format" -i --style=file "${files[@]}"
  exit 0
fi

differ=0
for file in "${files[@]}"; do
  if ! "$clang_format" --style=file --assume-filename="$file" < "$file" | cmp -s - "$file"; then
    echo "$file"
    differ=1
  fi
done
exit $differ
