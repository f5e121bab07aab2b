#!/usr/bin/env bash
# ctest packaging.unit_follows_prefix, and scripts/check-package.sh with /opt/sl-test:
# the systemd unit follows the install prefix (issue 11, defect 4).
#   - `cmake --install BUILD_DIR --prefix PREFIX`: the unit's ExecStart runs
#     PREFIX/bin/slagent as User=slagent (Type=notify), and the files the unit needs are
#     there: tmpfiles.d, sysusers.d, man pages, completion; `systemd-analyze verify`
#     passes on the installed unit (skipped where systemd-analyze is missing);
#   - `DESTDIR=... cmake --install --prefix /usr --component slagent`: the unit under
#     DESTDIR names /usr/bin/slagent, not the DESTDIR.
# PREFIX defaults to a temporary directory; a given PREFIX must not exist, and is
# removed afterwards. SL_MAN_PAGES=0 (a build without help2man) expects no man page.
#
#   installed_unit_test.sh BUILD_DIR [PREFIX]
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 BUILD_DIR [PREFIX]" >&2
  exit 2
fi
build=$1
tmp=$(mktemp -d)
prefix=${2:-$tmp/prefix}
if [[ -e "$prefix" ]]; then
  echo "$prefix exists: this test installs there and removes it" >&2
  exit 2
fi
trap 'rm -rf "$tmp" "$prefix"' EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
exec_start() { sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$1"; }
has_line() { grep -qx -- "$2" "$1" || fail "$1: no line '$2'"; }

if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  echo "FAIL: cmake --install failed (build the tree first)"
  exit 1
fi
unit="$prefix/lib/systemd/system/slagent.service"
[[ $(exec_start "$unit") == "$prefix/bin/slagent" ]] ||
  fail "$unit: ExecStart runs '$(exec_start "$unit")', not $prefix/bin/slagent"
[[ -x "$prefix/bin/slagent" ]] || fail "$prefix/bin/slagent is not installed"
has_line "$unit" "User=slagent"
has_line "$unit" "Group=slagent"
has_line "$unit" "Type=notify"
has_line "$unit" "Restart=on-failure"
has_line "$unit" "StateDirectory=slagent"
has_line "$unit" "ReadWritePaths=/var/lib/slagent /etc/slagent"
grep -q "systemd-sysusers $prefix/lib/sysusers.d/slagent.conf" "$unit" ||
  fail "$unit: the comment does not say to run systemd-sysusers on the installed file"
files=(lib/tmpfiles.d/slagent.conf lib/sysusers.d/slagent.conf
       share/bash-completion/completions/slagent share/doc/slagent/copyright
       share/doc/slagent/README.md)
# SL_MAN_PAGES=0: a build configured without help2man (cmake/ManPage.cmake).
[[ ${SL_MAN_PAGES:-1} == 0 ]] || files+=(share/man/man1/slagent.1.gz share/man/man1/mock-cssm.1.gz)
for f in "${files[@]}"; do
  [[ -f "$prefix/$f" ]] || fail "not installed: $prefix/$f"
done
grep -qx 'd /etc/slagent 0700 slagent slagent -' "$prefix/lib/tmpfiles.d/slagent.conf" 2>/dev/null ||
  fail "tmpfiles.d does not create /etc/slagent 0700 slagent"
if command -v systemd-analyze >/dev/null; then
  # It checks that ExecStart's program exists: the unit is checked where it is installed.
  # It also runs man for Documentation=man:slagent(1): the page installed here is found.
  man_check=(--man=no)
  [[ ${SL_MAN_PAGES:-1} == 0 ]] || man_check=(--man=yes)
  MANPATH="$prefix/share/man:" systemd-analyze verify "${man_check[@]}" "$unit" >"$tmp/verify.log" 2>&1 ||
    { cat "$tmp/verify.log"; fail "systemd-analyze verify $unit"; }
else
  echo "systemd-analyze not found: the unit is not verified"
fi

DESTDIR="$tmp/destdir" cmake --install "$build" --prefix /usr --component slagent >/dev/null
staged="$tmp/destdir/usr/lib/systemd/system/slagent.service"
[[ -f "$staged" && $(exec_start "$staged") == /usr/bin/slagent ]] ||
  fail "DESTDIR install for /usr: ExecStart is '$(exec_start "$staged" 2>&1)', not /usr/bin/slagent"

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) of the installed unit failed"
  exit 1
fi
echo "the unit installed under $prefix runs $prefix/bin/slagent as slagent, and verifies"
