#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs, only those that are missing.
set -euo pipefail
packages=(
  build-essential cmake pkg-config git openssl curl ccache
  libssl-dev libcurl4-openssl-dev rapidjson-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libsystemd-dev tinyproxy faketime universal-ctags
  help2man dpkg-dev file man-db systemd   # man pages, cpack -G DEB, scripts/check-package.sh
  swtpm swtpm-tools tpm2-openssl tpm2-tools   # device keys in a TPM: the test TPM and the provider
  clang libclang-rt-14-dev                # libFuzzer: scripts/fuzz.sh
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
