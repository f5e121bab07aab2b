#!/usr/bin/env bash
# Installs a configured build tree into a temporary prefix and proves the installed
# package usable, as C++17 and as C++20, both ways a consumer may find it:
#   - examples/consumer (the agent, the libcurl transport, the Expressway rules) with
#     find_package(SmartLicensing) and with `pkg-config smartlicensing`, and run;
#   - examples/mock_fixture (the mock CSSM in process) with
#     find_package(SmartLicensing COMPONENTS mock_cssm) and with
#     `pkg-config smartlicensing-mock-cssm`, and run on the build tree's test PKI.
#
#   scripts/check-install.sh BUILD_DIR
#
# Builds what the install needs first (the libraries, slagent, mock-cssm, the test PKI).
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --build "$build" -j"$jobs" --target \
  sl_base sl_protocol sl_seam sl_agent sl_transport sl_expressway sl_mock_cssm \
  slagent mock-cssm test_pki >/dev/null
prefix="$tmp/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

# Only the public API is installed: include/smartlicensing/ and nothing else.
for f in agent.h status.h curl_transport.h device_directory.h mock_cssm.h expressway/usage.h; do
  [[ -f "$prefix/include/smartlicensing/$f" ]] || { echo "not installed: include/smartlicensing/$f" >&2; exit 1; }
done
extra=$(cd "$prefix/include" && find . -mindepth 1 -maxdepth 1 ! -name smartlicensing)
[[ -z "$extra" ]] || { echo "installed outside include/smartlicensing/: $extra" >&2; exit 1; }
pcdir=$(dirname "$(find "$prefix" -name smartlicensing.pc | head -n1)")
[[ -f "$pcdir/smartlicensing-mock-cssm.pc" ]] || { echo "smartlicensing-mock-cssm.pc not installed" >&2; exit 1; }
if grep -rq 'sl_warnings\|-std=' "$prefix"/lib*/cmake "$pcdir"; then
  echo "the package exports sl_warnings or forces -std on consumers" >&2
  exit 1
fi

pki="$build/pki"
run_consumer() {  # BINARY
  local state
  state=$(mktemp -d "$tmp/state.XXXX")
  "$1" "$state" "$pki/cssm-signing.crt" >"$state.out"
  grep -q "License authorization status: Evaluation Mode" "$state.out"
}

for std in 17 20; do
  echo "== C++$std, CMake package"
  for example in consumer mock_fixture; do
    cmake -S "$src/examples/$example" -B "$tmp/$example-$std" \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_STANDARD="$std" >/dev/null
    cmake --build "$tmp/$example-$std" >/dev/null
    grep -q -- "-std=c++$std" "$tmp/$example-$std/CMakeFiles/$example.dir/flags.make" ||
      { echo "$example was not built as C++$std" >&2; exit 1; }
  done
  run_consumer "$tmp/consumer-$std/consumer"
  "$tmp/mock_fixture-$std/mock_fixture" "$pki"

  echo "== C++$std, pkg-config"
  # shellcheck disable=SC2046  # pkg-config's output is a list of words
  g++ -std=c++$std -Wall -Wextra -Werror -o "$tmp/consumer-pc-$std" "$src/examples/consumer/main.cc" \
    $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs smartlicensing)
  run_consumer "$tmp/consumer-pc-$std"
  # shellcheck disable=SC2046
  g++ -std=c++$std -Wall -Wextra -Werror -o "$tmp/mock-fixture-pc-$std" "$src/examples/mock_fixture/main.cc" \
    $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs smartlicensing-mock-cssm)
  "$tmp/mock-fixture-pc-$std" "$pki"
done
echo "install check passed"
