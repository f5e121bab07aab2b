#!/usr/bin/env bash
# The project's test command (README, CI): installs what is missing, builds with
# warnings as errors (SL_WERROR; the default for users stays off), runs every test with
# ctest (the installed headers, the include views and the size rules included), runs
# every fuzz harness briefly (scripts/fuzz.sh 15), checks
# the installed package with the example consumers, then builds and runs the whole
# suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   scripts/test.sh            both passes
#   scripts/test.sh --quick    the normal pass only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
# Compiles are cached (ccache) across builds and clones: the three builds below share
# most of their work with the last run's. CMake reads the launcher from the environment.
export CMAKE_CXX_COMPILER_LAUNCHER=ccache CMAKE_C_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$PWD"

echo "== build and test (RelWithDebInfo) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSL_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== fuzz smoke: every libFuzzer harness for 15 s on its corpus (docs/fuzzing.md) =="
scripts/fuzz.sh 15

echo "== install, and build the example consumers against the installed package =="
scripts/check-install.sh build
scripts/check-package.sh build

if [ "${1:-}" = "--quick" ]; then
  exit 0
fi

echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer =="
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSL_SANITIZE=ON -DSL_WERROR=ON \
  -DSL_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
