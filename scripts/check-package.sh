#!/usr/bin/env bash
# The installed system as Debian users get it (issue 11), on a configured build tree:
#   1. `cmake --install --prefix /opt/sl-test`: the unit's ExecStart is
#      /opt/sl-test/bin/slagent, it runs as User=slagent, the tmpfiles.d and sysusers.d
#      files, man pages and completion are there, and `systemd-analyze verify` passes on
#      the installed unit; a DESTDIR install for /usr names /usr/bin/slagent;
#   2. `cpack -G DEB`: exactly the three packages, their contents and control fields
#      (dpkg-deb --contents, --field, --info);
#   3. `dpkg -i` on this machine: `slagent --version`, `man -w`, `systemd-analyze
#      verify` on /usr/lib/systemd/system/slagent.service, the system user slagent,
#      /var/lib/slagent and /etc/slagent (0700, owned by slagent); then `dpkg --purge`
#      and everything gone.
# Needs root (CI runs as root) and is skipped otherwise. Leaves the machine as it found
# it: refuses to start when something it would create is already there, and removes
# what it made, the slagent user included (a purge keeps a system user, as Debian
# policy says; this check removes it itself) and any dependency it had to apt-get install.
#
#   scripts/check-package.sh BUILD_DIR
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "check-package: skipped: it installs packages and needs root (CI runs it as root)"
  exit 0
fi
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
export LC_ALL=C
readonly prefix=/opt/sl-test
readonly packages=(slagent libsmartlicensing-dev mock-cssm)
readonly state_dirs=(/var/lib/slagent /etc/slagent)

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
die() { echo "check-package: $*" >&2; exit 1; }
known_to_dpkg() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -qv '^un'; }

# What is already there is not ours to remove: refuse rather than guess.
for p in "${packages[@]}"; do
  ! known_to_dpkg "$p" || die "package $p is installed: dpkg --purge it first"
done
for d in "$prefix" "${state_dirs[@]}"; do
  [[ ! -e "$d" ]] || die "$d exists: remove it first (this check creates and removes it)"
done
user_existed=no; getent passwd slagent >/dev/null && user_existed=yes
group_existed=no; getent group slagent >/dev/null && group_existed=yes
tmp=$(mktemp -d)
installed_deps=()

cleanup() {
  set +e
  for p in "${packages[@]}"; do
    known_to_dpkg "$p" && dpkg --purge "$p" >/dev/null 2>&1
  done
  rm -rf "$prefix" "${state_dirs[@]}" "$tmp"
  [[ $user_existed == no ]] && getent passwd slagent >/dev/null && userdel slagent
  [[ $group_existed == no ]] && getent group slagent >/dev/null && groupdel slagent
  if [[ ${#installed_deps[@]} -gt 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${installed_deps[@]}" >/dev/null
  fi
}
trap cleanup EXIT

# unit_exec UNIT: the program ExecStart runs.
unit_exec() { sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$1"; }
unit_has() { grep -qx -- "$2" "$1" || fail "$1: no line '$2'"; }

# What the packages hold (what check-install.sh builds, and the man pages).
cmake --build "$build" -j"$jobs" --target \
  sl_base sl_protocol sl_seam sl_agent sl_transport sl_expressway sl_mock_cssm \
  slagent mock-cssm slagent_man mock_cssm_man >/dev/null

echo "== cmake --install --prefix $prefix"
bash "$src/packaging/installed_unit_test.sh" "$build" "$prefix" ||
  fail "the unit installed under $prefix (above)"

echo "== cpack -G DEB"
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/cpack" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; die "cpack failed"; }
mapfile -t debs < <(find "$tmp/cpack" -maxdepth 1 -name '*.deb' | sort)
[[ ${#debs[@]} -eq 3 ]] || die "expected 3 packages, got: ${debs[*]##*/}"
declare -A deb
for p in "${packages[@]}"; do
  deb[$p]=$(find "$tmp/cpack" -maxdepth 1 -name "${p}_*.deb")
  [[ -n "${deb[$p]}" ]] || die "no package $p among ${debs[*]##*/}"
  dpkg-deb --contents "${deb[$p]}" | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/$p.files"
done
version=$(dpkg-deb --field "${deb[slagent]}" Version)
echo "packages: ${debs[*]##*/} (version $version)"

# contains PACKAGE REGEX...: every regex matches a path of the package.
contains() {
  local p=$1 re; shift
  for re in "$@"; do grep -Eq -- "$re" "$tmp/$p.files" || fail "$p has no file matching $re"; done
}
# lacks PACKAGE REGEX: no path of the package matches.
lacks() { ! grep -E -- "$2" "$tmp/$1.files" || fail "$1 holds files matching $2 (above)"; }
contains slagent '^/usr/bin/slagent$' '^/usr/lib/systemd/system/slagent.service$' \
  '^/usr/lib/tmpfiles.d/slagent.conf$' '^/usr/lib/sysusers.d/slagent.conf$' \
  '^/usr/share/man/man1/slagent.1.gz$' '^/usr/share/bash-completion/completions/slagent$' \
  '^/usr/share/doc/slagent/copyright$' '^/usr/share/doc/slagent/README.md$'
contains libsmartlicensing-dev '^/usr/include/smartlicensing/agent.h$' \
  '^/usr/include/smartlicensing/mock_cssm.h$' '^/usr/lib/(.*/)?libsl_agent.a$' \
  '^/usr/lib/(.*/)?cmake/SmartLicensing/SmartLicensingConfig.cmake$' \
  '^/usr/lib/(.*/)?pkgconfig/smartlicensing.pc$' '^/usr/share/doc/libsmartlicensing-dev/copyright$'
contains mock-cssm '^/usr/bin/mock-cssm$' '^/usr/share/man/man1/mock-cssm.1.gz$' \
  '^/usr/share/doc/mock-cssm/copyright$'
for p in slagent mock-cssm; do
  lacks "$p" '\.(h|a|pc|cmake)$|^/usr/include'
done
for p in "${packages[@]}"; do
  lacks "$p" '_test$|_bench$|/tests?/|/bench/|/testing/|/pki/|^/usr/local|^/opt'
done
lacks libsmartlicensing-dev '^/usr/bin/|^/usr/lib/systemd'

dpkg-deb --fsys-tarfile "${deb[slagent]}" | tar -xO ./usr/lib/systemd/system/slagent.service >"$tmp/unit"
[[ $(unit_exec "$tmp/unit") == /usr/bin/slagent ]] || fail "the packaged unit runs '$(unit_exec "$tmp/unit")'"
unit_has "$tmp/unit" "User=slagent"
unit_has "$tmp/unit" "Group=slagent"
for p in "${packages[@]}"; do
  [[ $(dpkg-deb --field "${deb[$p]}" Version) == "$version" ]] || fail "$p: another version"
  [[ -n $(dpkg-deb --field "${deb[$p]}" Maintainer) ]] || fail "$p: no Maintainer"
done
project_version=$(sed -n 's/^project([^ ]* VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[[ $version == "$project_version"-* ]] || fail "package version $version is not the project's ($project_version)"
for want in libc6 libcurl4 systemd; do
  dpkg-deb --field "${deb[slagent]}" Depends | grep -Eq "(^|, )$want( |,|$)" ||
    fail "slagent does not depend on $want: $(dpkg-deb --field "${deb[slagent]}" Depends)"
done
dpkg-deb --field "${deb[mock-cssm]}" Depends | grep -q libcpp-httplib ||
  fail "mock-cssm does not depend on cpp-httplib's library"
for script in postinst prerm postrm; do
  dpkg-deb --info "${deb[slagent]}" "$script" >/dev/null 2>&1 || fail "slagent has no $script"
done

echo "== dpkg -i"
# The packages' dependencies this machine lacks, from apt (then purged again).
for p in "${packages[@]}"; do
  dpkg-deb --field "${deb[$p]}" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:.*//; s/ //g'
done | sort -u | grep -vxF -e '' -e slagent -e libsmartlicensing-dev -e mock-cssm >"$tmp/deps"
while read -r d; do
  dpkg-query -W -f='${Status}' "$d" 2>/dev/null | grep -q "ok installed" || installed_deps+=("$d")
done <"$tmp/deps"
if [[ ${#installed_deps[@]} -gt 0 ]]; then
  echo "apt-get install ${installed_deps[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${installed_deps[@]}" >/dev/null
fi
dpkg -i "${deb[@]}" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "dpkg -i failed"; }

/usr/bin/slagent --version >"$tmp/version" 2>&1 || fail "slagent --version: $(cat "$tmp/version")"
grep -qF "${version%-*}" "$tmp/version" || fail "slagent --version does not say ${version%-*}: $(cat "$tmp/version")"
for page in slagent mock-cssm; do
  [[ $(man -w "$page" 2>/dev/null) == /usr/share/man/man1/$page.1* ]] ||
    fail "man -w $page: '$(man -w "$page" 2>&1)'"
  man --warnings -l "/usr/share/man/man1/$page.1.gz" 2>"$tmp/man.err" >/dev/null
  [[ ! -s "$tmp/man.err" ]] || fail "man $page: $(cat "$tmp/man.err")"
done
systemd-analyze verify /usr/lib/systemd/system/slagent.service ||
  fail "systemd-analyze verify /usr/lib/systemd/system/slagent.service"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd slagent) || fail "no user slagent"
[[ ${uid:-0} -gt 0 && ${uid:-0} -lt 1000 ]] || fail "slagent is not a system user (uid ${uid:-none})"
[[ ${shell:-} == */nologin ]] || fail "the slagent user has a login shell: ${shell:-none}"
[[ ${home:-} == /var/lib/slagent ]] || fail "the slagent user's home is ${home:-none}"
for d in "${state_dirs[@]}"; do
  [[ $(stat -c '%a %U %G' "$d" 2>&1) == "700 slagent slagent" ]] ||
    fail "$d: $(stat -c '%a %U %G' "$d" 2>&1), not 700 slagent slagent"
done
bash -c 'source /usr/share/bash-completion/completions/slagent && complete -p slagent' >/dev/null ||
  fail "the bash completion does not load"

echo "== dpkg --purge"
dpkg --purge "${packages[@]}" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; die "dpkg --purge failed"; }
for p in "${packages[@]}"; do
  ! known_to_dpkg "$p" || fail "$p is still known to dpkg after --purge"
done
for f in /usr/bin/slagent /usr/bin/mock-cssm /usr/lib/systemd/system/slagent.service \
         /usr/include/smartlicensing "${state_dirs[@]}"; do
  [[ ! -e "$f" ]] || fail "$f is still there after dpkg --purge"
done

if [[ $failures -gt 0 ]]; then
  echo "check-package: $failures check(s) failed" >&2
  exit 1
fi
echo "package check passed"
