#!/usr/bin/env bash
# The README's demo: installs what is missing, builds, starts the bundled mock CSSM
# with demo/seed.json, and walks one appliance through
# enable -> register -> usage -> renew auth -> renew id -> status -> deregister
# with slagent, printing status along the way. Stops the mock at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" --target mock-cssm slagent test_pki >/dev/null

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

if [ -t 1 ]; then bold=$(printf "\033[1m"); plain=$(printf "\033[0m"); else bold=""; plain=""; fi
step() { printf "\n%s== %s%s\n" "$bold" "$*" "$plain"; }
run() { printf '$ %s\n' "$*"; "$@"; }
admin() { # METHOD PATH [BODY]
  curl -sS --cacert build/pki/tls-ca.crt -H "Authorization: Bearer $admin_token" \
    -H "Content-Type: application/json" -X "$1" "$url$2" ${3:+-d "$3"}
  echo
}
slagent() { build/cli/slagent --state-dir "$work/appliance" "$@"; }
va="/admin/v1/accounts/Acme%20Video/virtual-accounts/Expressway"

step "The mock CSSM is up at $url (accounts, pools and tokens from demo/seed.json)"
admin GET "$va/licenses"

step "A test engineer creates a product instance registration token"
token=$(admin POST "$va/tokens" '{"export_controlled":true,"expires_in_days":30,"max_uses":1}' |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
printf '%s\n' "$token" > "$work/token"
echo "token saved to a file (tokens are secrets: slagent reads them from files)"

step "Configure the appliance: identity, CSSM trust anchor, transport"
run slagent identity --product-id EXPWY-VE-L --serial 0A1B2C3D --hostname exp1.example.com
run slagent trust-anchor build/pki/cssm-signing.crt
run slagent transport direct --url "$url/licservice/license" --ca-bundle build/pki/tls-ca.crt

step "Enable Smart Licensing: the 90-day evaluation starts"
run slagent enable

step "Register with the token"
run slagent register --token-file "$work/token"

step "The firmware reports usage: 12 Rich Media Sessions, 3 room systems"
run slagent usage set expressway_rms 12
run slagent usage set expressway_room 3
run slagent usage update

step "Renew authorization now, then renew registration now"
run slagent renew auth
run slagent renew id

step "Status"
run slagent status

step "CSSM's view of the product instance"
admin GET /admin/v1/product-instances
admin GET "$va/licenses"

step "Deregister: the licenses go back to the pool at once"
run slagent deregister
run slagent status --json
admin GET "$va/licenses"

step "Events recorded by the agent"
run slagent events --limit 8

step "Stopping the mock CSSM"
