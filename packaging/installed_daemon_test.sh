#!/usr/bin/env bash
# ctest packaging.installed_daemon: slagent installed and run the way its unit runs it
# renews a registration against the (installed) mock CSSM, and says so on stderr
# (issue 11). Installed with `cmake --install` into a temporary prefix; the daemon is
# started with the installed unit's ExecStart= line as it is, except for its two
# directories, which move into this test's folder (the machine's /var/lib/slagent and
# /etc/slagent are not touched):
#   - working directory /, an environment as small as systemd's, stderr a file that
#     $JOURNAL_STREAM names (so the daemon writes journald's priority prefixes);
#   - as an unprivileged user when the test runs as root (nobody, owning the two
#     directories as tmpfiles.d makes slagent own them), after the operator configured
#     the device as root: the files root wrote must be the daemon's to read;
#   - 31 days after registration (libfaketime on the daemon, the mock's admin clock
#     moved as much), so the 30-day authorization renewal is due when it starts.
#
#   installed_daemon_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
  exit 2
fi
build=$1
src=$2
faketime_lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
tmp=$(mktemp -d)
chmod 755 "$tmp"  # the unprivileged daemon runs the installed binary from here
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$tmp"/*.log; do echo "--- $f"; cat "$f"; done
  exit 1
}

prefix=$tmp/prefix
for component in slagent mock-cssm; do
  cmake --install "$build" --prefix "$prefix" --component "$component" >"$tmp/install.log" 2>&1 ||
    fail "cmake --install --component $component"
done
unit=$prefix/lib/systemd/system/slagent.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $exec_start == "$prefix/bin/slagent "* ]] || fail "ExecStart=$exec_start does not run $prefix/bin/slagent"
state=$tmp/var/lib/slagent
keys=$tmp/etc/slagent
command=${exec_start//\/var\/lib\/slagent/$state}
command=${command//\/etc\/slagent/$keys}
[[ $command != "$exec_start" ]] || fail "ExecStart=$exec_start names neither /var/lib/slagent nor /etc/slagent"
read -r -a daemon <<<"$command"

mkdir -p "$state" "$keys"
chmod 700 "$state" "$keys"
as_daemon=()
if [[ $(id -u) -eq 0 ]]; then
  chown nobody:nogroup "$state" "$keys"
  as_daemon=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi

# The mock CSSM, as docs/mock-cssm.md starts it.
pki=$build/pki
token=admin-token-$$
"$prefix/bin/mock-cssm" --listen 127.0.0.1:0 --cert "$pki/server.crt" --key "$pki/server.key" \
  --signing-key "$pki/cssm-signing.key" --signing-cert "$pki/cssm-signing.crt" \
  --admin-token "$token" --seed "$src/tests/data/seed.json" >"$tmp/mock.log" 2>&1 &
pids+=($!)
url=
for _ in $(seq 100); do
  url=$(sed -n 's/^listening on \(https:[^ ]*\).*/\1/p' "$tmp/mock.log")
  [[ -n $url ]] && break
  sleep 0.1
done
[[ -n $url ]] || fail "the mock did not start"

# The operator configures the device (as root when the test is root).
sl=("$prefix/bin/slagent" --state-dir "$state" --key-dir "$keys")
"${sl[@]}" identity --product-id EXPWY-VE-L --serial INSTALL01 >"$tmp/config.log" 2>&1 || fail identity
"${sl[@]}" trust-anchor "$pki/cssm-signing.crt" >>"$tmp/config.log" 2>&1 || fail trust-anchor
"${sl[@]}" transport direct --url "$url/licservice/license" --ca-bundle "$pki/tls-ca.crt" \
  >>"$tmp/config.log" 2>&1 || fail transport
"${sl[@]}" enable >>"$tmp/config.log" 2>&1 || fail enable
"${sl[@]}" register --token TEST-TOKEN-EXPRESSWAY >>"$tmp/config.log" 2>&1 || fail register
expires() { "${sl[@]}" --json status | jq -r .authorization_expires; }
before=$(expires)

# 31 days later, on both sides.
days31=$((31 * 86400))
curl -fsS --cacert "$pki/tls-ca.crt" -H "Authorization: Bearer $token" -X POST \
  -d "{\"offset_seconds\":$days31}" "$url/admin/v1/clock" >/dev/null || fail "moving the mock's clock"

journal=$tmp/journal.log
: >"$journal"
stream=$(stat -c '%d:%i' "$journal")
# libfaketime only after the change of user: its shared memory must be the daemon's.
(cd / && exec env -i PATH=/usr/bin:/bin LANG=C.UTF-8 JOURNAL_STREAM="$stream" "${as_daemon[@]}" \
  env LD_PRELOAD="$faketime_lib" FAKETIME="+$days31" ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 \
  "${daemon[@]}" 2>>"$journal" >/dev/null) &
daemon_pid=$!
pids+=("$daemon_pid")
for _ in $(seq 300); do
  grep -q '^<6>communication succeeded' "$journal" && break
  sleep 0.1  # polls for the daemon's line; no licensing timer is waited out
done
kill -TERM "$daemon_pid" 2>/dev/null || true
status=0
wait "$daemon_pid" || status=$?
[[ $status -eq 0 ]] || fail "the daemon exited $status on SIGTERM"

grep -q '^<6>started' "$journal" || fail "no '<6>started' line on stderr"
grep -q '^<6>communication succeeded' "$journal" || fail "no renewal on stderr"
grep -q '^<6>stopped' "$journal" || fail "no '<6>stopped' line on stderr"
after=$(FAKETIME="+$days31" LD_PRELOAD="$faketime_lib" ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0 expires)
[[ $after != "$before" ]] || fail "the authorization still expires $before: the daemon did not renew it"
if [[ $(id -u) -eq 0 ]]; then
  others=$(find "$state" "$keys" ! -user nobody)
  [[ -z $others ]] || fail "files the daemon's user does not own: $others"
fi
cat "$journal"
echo "installed daemon renewed: authorization expires $before -> $after"
