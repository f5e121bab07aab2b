#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ (clang, -DSL_FUZZ=ON, in build-fuzz/) and runs
# each for SECONDS (default 60) on its seed corpus (fuzz/corpus/<name>/) with its
# dictionary; fails when any harness finds a crash, a leak, undefined behaviour or a
# broken round trip. New inputs go to build-fuzz/corpus/<name>/ (the tree's corpus stays
# as committed); a failing input is written to build-fuzz/artifacts/. docs/fuzzing.md.
#
#   scripts/fuzz.sh [SECONDS] [NAME...]     e.g. scripts/fuzz.sh 15; scripts/fuzz.sh 300 request
#   SL_FUZZ_RUNS=N                          stop each harness after N executions instead
#                                           (SECONDS 0: no time limit), e.g. the long run:
#                                           SL_FUZZ_RUNS=10000000 nice -n 19 scripts/fuzz.sh 0
#   SL_FUZZ_JOBS=N                          build jobs (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
jobs=${SL_FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}

cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DSL_FUZZ=ON -DSL_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSL_BUILD_TESTS=OFF -DSL_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzzers

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for bin in build-fuzz/fuzz/*_fuzzer; do names+=("$(basename "$bin" _fuzzer)"); done
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for name in "${names[@]}"; do
  corpus=build-fuzz/corpus/$name
  mkdir -p "$corpus" build-fuzz/artifacts
  seeds=()
  [ ! -d fuzz/corpus/"$name" ] || seeds=(fuzz/corpus/"$name")
  dict=fuzz/dictionaries/$name.dict
  [ -f "$dict" ] || dict=fuzz/dictionaries/protocol.dict
  limits=(-max_total_time="$seconds")
  [ -z "${SL_FUZZ_RUNS:-}" ] || limits+=(-runs="$SL_FUZZ_RUNS")
  echo "== $name: ${limits[*]} =="
  if ! build-fuzz/fuzz/${name}_fuzzer "${limits[@]}" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -dict="$dict" -artifact_prefix=build-fuzz/artifacts/"$name"- \
      "$corpus" "${seeds[@]}" >build-fuzz/"$name".log 2>&1; then
    failed+=("$name")
    tail -n 40 build-fuzz/"$name".log
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' build-fuzz/"$name".log || true
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in build-fuzz/artifacts/, logs in build-fuzz/<name>.log)" >&2
  exit 1
fi
echo "fuzz: ${#names[@]} harnesses, no crash, leak or undefined behaviour"
