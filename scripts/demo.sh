#!/usr/bin/env bash
# The README's demo: installs what is missing, builds, starts the bundled mock CSSM
# with demo/seed.json and shows what a test engineer does with it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target mock-cssm test_pki >/dev/null

work=$(mktemp -d)
admin_token="demo-admin-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$admin_token" > "$work/admin-token"
chmod 600 "$work/admin-token"
build/mock_cssm/mock-cssm --listen 127.0.0.1:0 \
  --cert build/pki/server.crt --key build/pki/server.key \
  --signing-key build/pki/cssm-signing.key --signing-cert build/pki/cssm-signing.crt \
  --admin-token-file "$work/admin-token" --seed demo/seed.json > "$work/mock.out" 2> "$work/mock.err" &
mock_pid=$!
cleanup() { kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q "listening on" "$work/mock.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/mock.out")
[ -n "$url" ] || { echo "mock CSSM did not start:"; cat "$work/mock.err"; exit 1; }
echo "== mock CSSM $url"

admin() { # METHOD PATH [BODY]
  curl -sS --cacert build/pki/tls-ca.crt -H "Authorization: Bearer $admin_token" \
    -H "Content-Type: application/json" -X "$1" "$url$2" ${3:+-d "$3"}
  echo
}
va="/admin/v1/accounts/Acme%20Video/virtual-accounts/Expressway"
echo "== smart accounts and virtual accounts (from demo/seed.json)"
admin GET /admin/v1/accounts
echo "== license pool of Acme Video / Expressway"
admin GET "$va/licenses"
echo "== a new product instance registration token (export-controlled, 30 days, 5 uses)"
admin POST "$va/tokens" '{"export_controlled":true,"expires_in_days":30,"max_uses":5}'
echo "== a licensing request without a valid signature is refused, signed"
curl -sS --cacert build/pki/tls-ca.crt -X POST "$url/licservice/license" -d '{"not":"an envelope"}'; echo
echo "== inject a fault: the next licensing request gets 503 with Retry-After"
admin POST /admin/v1/faults '{"kind":"status","status":503,"retry_after":120}'
curl -sS -i --cacert build/pki/tls-ca.crt -X POST "$url/licservice/license" -d '{}' | sed -n '1p;/Retry-After/p'
echo "== product instances"
admin GET /admin/v1/product-instances
echo "== stopping the mock CSSM"
