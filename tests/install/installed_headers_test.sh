#!/usr/bin/env bash
# ctest install.headers_stand_alone: every installed header stands alone.
#
# Installs the build tree into a temporary prefix, then for EVERY installed header
# compiles a translation unit that includes only that header, with only the prefix's
# include directory added, as C++17 and as C++20 (-fsyntax-only -Wall -Wextra -Werror),
# and checks every file the compiler read for it (-MD): each must be inside the prefix,
# or a file of the Debian packages an embedder is allowed to need:
#   the C and C++ standard libraries and the compiler's headers (libc6-dev,
#   linux-libc-dev, libstdc++-N-dev, libgcc-N-dev, the compiler's own include
#   directory), OpenSSL (libssl-dev) and libcurl (libcurl4-openssl-dev).
# RapidJSON, cpp-httplib, GoogleTest or any file of the source tree make it fail.
#
#   installed_headers_test.sh BUILD_DIR CXX_COMPILER SANITIZE
# Exits 77 (ctest SKIP_RETURN_CODE) when SANITIZE is true: the headers are the same.
# SL_CHECK_PREFIX=<dir> checks an already installed prefix instead of installing
# (to try the check itself on a doctored copy).
set -euo pipefail
if [[ $# -ne 3 ]]; then
  echo "usage: $0 BUILD_DIR CXX_COMPILER SANITIZE" >&2
  exit 2
fi
build=$1
cxx=$2
case "${3^^}" in
  1 | ON | TRUE | YES) echo "skipped under SL_SANITIZE: the installed headers do not depend on it"; exit 77 ;;
esac
export LC_ALL=C

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ -n "${SL_CHECK_PREFIX:-}" ]]; then
  prefix=$(realpath -e "$SL_CHECK_PREFIX")
else
  prefix="$tmp/prefix"
  if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    echo "FAIL: cmake --install failed (build the tree first: this test runs after the build)"
    exit 1
  fi
  prefix=$(realpath -e "$prefix")
fi
includedir="$prefix/include"

mapfile -t headers < <(cd "$includedir" && find . -type f -name '*.h' | sed 's|^\./||' | sort)
if [[ ${#headers[@]} -eq 0 ]]; then
  echo "FAIL: no header installed under $includedir"
  exit 1
fi
outside=$(cd "$includedir" && find . -mindepth 1 -maxdepth 1 ! -name smartlicensing)
if [[ -n "$outside" ]]; then
  echo "FAIL: installed outside include/smartlicensing/: $outside"
  exit 1
fi

# The allow-list: every file of the allowed packages, by real path, built once.
major=$("$cxx" -dumpversion | cut -d. -f1)
packages=(libc6-dev linux-libc-dev "libstdc++-$major-dev" "libgcc-$major-dev" libssl-dev libcurl4-openssl-dev)
for p in "${packages[@]}"; do
  if ! dpkg -L "$p" >>"$tmp/package-files" 2>/dev/null; then
    echo "FAIL: package $p is not installed; the allow-list is built from it"
    exit 1
  fi
done
declare -A allowed=()
while IFS= read -r f; do
  allowed["$f"]=1
done < <(grep '^/' "$tmp/package-files" | xargs -d '\n' realpath -q -e -- 2>/dev/null | sort -u)
compiler_include=$(realpath -q -e "$("$cxx" -print-file-name=include)" || true)
echo "allow-list: ${#allowed[@]} files of ${packages[*]}; ${compiler_include:-no compiler include dir}"

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

check_dependencies() {  # HEADER STD DEPFILE
  local deps=() reals=() i dep real owner
  # The dependency file is "tu.o: tu.cc a.h b.h \" on continued lines.
  while IFS= read -r dep; do
    [[ -z "$dep" || "$dep" == *: || "$dep" == "$tmp/tu.cc" ]] && continue
    deps+=("$dep")
  done < <(sed 's/\\$//' "$3" | tr ' ' '\n' | sort -u)
  mapfile -t reals < <(realpath -m -- "${deps[@]}")
  for i in "${!deps[@]}"; do
    dep=${deps[$i]}
    real=${reals[$i]}
    [[ "$real" == "$prefix"/* ]] && continue
    [[ -n "${allowed[$real]:-}" ]] && continue
    [[ -n "$compiler_include" && "$real" == "$compiler_include"/* ]] && continue
    owner=$(dpkg -S "$real" 2>/dev/null | head -n1 | cut -d: -f1 || true)
    fail "$1 (C++$2) reads $dep (${owner:-of no package}): outside the install prefix" \
         "and the allowed packages"
  done
}

for header in "${headers[@]}"; do
  printf '#include "%s"\n' "$header" >"$tmp/tu.cc"
  for std in 17 20; do
    if ! "$cxx" -std=c++$std -fsyntax-only -Wall -Wextra -Werror -I "$includedir" \
         -MD -MF "$tmp/tu.d" "$tmp/tu.cc" >"$tmp/compile.log" 2>&1; then
      cat "$tmp/compile.log"
      fail "$header does not compile alone as C++$std"
      continue
    fi
    check_dependencies "$header" "$std" "$tmp/tu.d"
  done
done

if (( failures > 0 )); then
  echo "$failures failure(s) in ${#headers[@]} installed headers"
  exit 1
fi
echo "${#headers[@]} installed headers compile alone as C++17 and C++20 with only OpenSSL, libcurl and the standard library"
