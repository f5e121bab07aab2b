#!/usr/bin/env bash
# Installs a configured and built tree into a temporary prefix, then builds and runs
# the example consumer against it twice: with find_package (CMake) and with pkg-config.
#   scripts/check-install.sh BUILD_DIR
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --build "$build" -j"$(nproc)"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
for f in include/smartlicensing/agent/agent.h include/smartlicensing/protocol/status.h; do
  [[ -f "$tmp/prefix/$f" ]] || { echo "missing $f" >&2; exit 1; }
done
libdir=$(dirname "$(find "$tmp/prefix" -name libsl_agent.a | head -n1)")

echo "== CMake package"
cmake -S "$src/examples/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
mkdir -p "$tmp/state-cmake"
"$tmp/consumer/consumer" "$tmp/state-cmake" "$build/pki/cssm-signing.crt"

echo "== pkg-config"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
g++ -o "$tmp/consumer-pc" "$src/examples/consumer/main.cc" $(pkg-config --cflags --libs smartlicensing)
mkdir -p "$tmp/state-pc"
"$tmp/consumer-pc" "$tmp/state-pc" "$build/pki/cssm-signing.crt"
echo "install check passed"
