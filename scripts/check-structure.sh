#!/usr/bin/env bash
# The size rules of the source tree (issue 9), run by ctest as `structure`:
#   - no source file (.cc, .h) longer than 450 lines;
#   - no function longer than 80 lines, except the tables allowed below.
# Files: those git tracks plus new ones it does not ignore (so a file is checked before
# it is committed), without tests/data/ and build directories; outside a git checkout,
# every .cc/.h under SOURCE_DIR except build*/. Functions come from Universal Ctags
# (Debian package universal-ctags): its definition tags (kind f, which includes the
# bodies of TEST/TEST_F and of lambdas) with their first and last line.
#
#   scripts/check-structure.sh [SOURCE_DIR]     exit 0: clean, 1: a rule is broken
set -euo pipefail

readonly max_file_lines=450
readonly max_function_lines=80

# Functions allowed to be longer than max_function_lines, as "path:function". Only
# tables belong here: data written as code, one entry per line, with no logic of its
# own. Each entry says why it is a table. There are none today.
allowed_long_functions=(
)

src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
cd "$src"

if ! command -v ctags >/dev/null || ! ctags --version 2>/dev/null | grep -q 'Universal Ctags'; then
  echo "check-structure: Universal Ctags is needed (apt-get install universal-ctags)" >&2
  exit 2
fi

list_files() {
  if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$src" ls-files --cached --others --exclude-standard -- '*.cc' '*.h'
  else
    find . -path './build*' -prune -o -type f \( -name '*.cc' -o -name '*.h' \) -print | sed 's|^\./||'
  fi
}

files=()
while IFS= read -r f; do
  case "$f" in
    tests/data/* | build*/*) continue ;;
  esac
  [[ -f "$f" ]] && files+=("$f")  # a tracked file deleted in the working tree is gone
done < <(list_files | sort)

if [[ ${#files[@]} -eq 0 ]]; then
  echo "check-structure: no source files found under $src" >&2
  exit 2
fi

failures=0

for f in "${files[@]}"; do
  lines=$(wc -l < "$f")
  if (( lines > max_file_lines )); then
    echo "$f: $lines lines (at most $max_file_lines)"
    failures=$((failures + 1))
  fi
done

is_allowed() {
  local entry
  for entry in "${allowed_long_functions[@]}"; do
    [[ "$entry" == "$1" ]] && return 0
  done
  return 1
}

tags=$(printf '%s\n' "${files[@]}" |
  ctags -L - --languages=C++ --langmap=C++:+.h --kinds-C++=f --fields=+ne -x \
        --_xformat='%{input}:%{line}:%{end}:%{name}')
while IFS=: read -r file first last name; do
  [[ -n "$file" && -n "$last" ]] || continue
  length=$((last - first + 1))
  (( length > max_function_lines )) || continue
  [[ "$name" == __anon* ]] && name="<lambda>"
  is_allowed "$file:$name" && continue
  echo "$file:$first: function $name is $length lines (at most $max_function_lines)"
  failures=$((failures + 1))
done < <(printf '%s\n' "$tags" | sort -t: -k1,1 -k2,2n)

if (( failures > 0 )); then
  echo "check-structure: $failures rule(s) broken: split the file or the function" \
       "(a table may go on the allow-list in scripts/check-structure.sh, saying why)"
  exit 1
fi
echo "check-structure: ${#files[@]} files, none over $max_file_lines lines, no function over $max_function_lines lines"
