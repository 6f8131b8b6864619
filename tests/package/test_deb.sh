#!/bin/bash
# test_deb.sh: the Debian package. scripts/package builds it from a copy of the tree
# (DEB_BUILD_OPTIONS=nocheck: this suite has run the tests) and lintian finds no
# error or warning; it ships every file `meson install` installs; `apt-get install
# ./zsv_*.deb` starts nothing; the installed zsvgen lints the installed example and
# compiles a scratch tree from the installed paths; `apt-get purge zsv` leaves no
# file of the package (dpkg -L before, the filesystem after) and none zsv wrote.
# Run by .ci/run after scripts/test, not by meson: it installs on this machine
# (serialized by a lock, skipped where zsv is installed
# or /etc/svtab exists already: a purge would remove the machine's own).
set -u
export LC_ALL=C
src=${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${ZSV_BUILD:-$src/build}
fail=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
skip() { echo "skip - $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (apt-get install)"
for tool in dpkg-buildpackage dh dh_runit lintian apt-get git; do
	command -v "$tool" >/dev/null || skip "$tool is not installed"
done
mkdir -p /run/lock && exec 9>/run/lock/zsv-test-deb.lock && flock -w 900 9 || { bad "lock /run/lock/zsv-test-deb.lock"; exit 1; }
dpkg-query -W -f '${Status}' zsv 2>/dev/null | grep -q installed && skip "zsv is installed on this machine"
[ -e /etc/svtab ] || [ -e /etc/sv/zsv ] && skip "/etc/svtab or /etc/sv/zsv exists on this machine"

T=$(mktemp -d /tmp/zsvtest-deb.XXXXXX)
installed=
cleanup() {
	[ -n "$installed" ] && apt-get purge -y -q zsv >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=300 "$@"; }

DEB_BUILD_OPTIONS=nocheck "$src/scripts/package" "$T/deb" >"$T/package.log" 2>&1
rc=$?
sed 's/^/#   /' "$T/package.log" | grep -v '^#   package: /' 
check "scripts/package built the .deb and lintian found no error or warning (exit $rc)" test "$rc" = 0
deb=$(ls "$T"/deb/zsv_*_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { bad "no zsv_*.deb"; exit 1; }
check "the file is zsv_VERSION_ARCH.deb ($(basename "$deb"))" \
	test "$(basename "$deb")" = "zsv_$(dpkg-deb -f "$deb" Version)_$(dpkg --print-architecture).deb"

echo "# the package ships what meson installs (PREFIX -> /usr; man pages gzipped)"
DESTDIR=$T/meson meson install -C "$build" --no-rebuild --quiet >/dev/null 2>&1
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|\.gz$||' | sort >"$T/deb.files"
(cd "$T/meson$prefix" && find . -type f | sed 's|^\.||') | sort >"$T/meson.files"
missing=$(while read -r f; do grep -qxF "/usr$f" "$T/deb.files" || echo "$f"; done <"$T/meson.files")
check "every file meson installs is in the package: $(wc -l <"$T/meson.files") files${missing:+, missing: $missing}" test -z "$missing"
for f in /etc/sv/zsv/run /etc/sv/zsv/finish /etc/sv/zsv/log/run /etc/sv/zsv/conf /etc/svtab; do
	check "the package has $f" grep -qxF "$f" "$T/deb.files"
done
check "Breaks: runit << 2.1.2-51~ (\${runit:Breaks})" sh -c "dpkg-deb -f '$deb' Breaks | grep -q 'runit (<< 2.1.2-51~)'"

echo "# install"
apt_get install "$deb" >"$T/install.log" 2>&1
rc=$?
check "apt-get install ./$(basename "$deb") (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] && installed=1
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/install.log"
check "the zsv service is installed in /etc/sv/zsv" test -x /etc/sv/zsv/run -a -x /etc/sv/zsv/finish
check "it is not enabled (no /etc/runit/runsvdir/default/zsv)" test ! -e /etc/runit/runsvdir/default/zsv -a ! -L /etc/runit/runsvdir/default/zsv
# supervised_here DIR: a process works in DIR (a runsv for it, or its run).
supervised_here() {
	local p
	for p in /proc/[0-9]*; do [ "$(readlink "$p/cwd" 2>/dev/null)" = "$1" ] && return 0; done
	return 1
}
sleep 1
check "nothing was started (no process in /etc/sv/zsv)" test -n "$(supervised_here /etc/sv/zsv || echo none)"
check "zsvgen is /usr/bin/zsvgen" test "$(command -v zsvgen)" = /usr/bin/zsvgen
check "the man page is /usr/share/man/man8/zsvgen.8.gz" test -f /usr/share/man/man8/zsvgen.8.gz

ex=/usr/share/doc/zsv/svtab.example
[ -f "$ex" ] || { gzip -dc "$ex.gz" >"$T/svtab.example" && ex=$T/svtab.example; }
zrc=/usr/share/doc/zsv/zsvrc.example
[ -f "$zrc" ] || { gzip -dc "$zrc.gz" >"$T/zsvrc.example" && zrc=$T/zsvrc.example; }
/usr/bin/zsvgen --lint -f "$ex" -c "$zrc" >"$T/out" 2>"$T/err"
rc=$?
check "installed zsvgen --lint on the installed example (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err"

printf 'wpa_cli.wlan0:M\nplain::run=(sleep 1)\n' >"$T/svtab"
/usr/bin/zsvgen -q -f "$T/svtab" -s "$T/service" -c /dev/null 2>"$T/err"
rc=$?
check "installed zsvgen compiles a scratch tree with the installed library (exit $rc)" test "$rc" = 0
check "wpa_cli's hook is the installed one" grep -q "/usr/libexec/zsv/zsv_ifupd" "$T/service/wpa_cli.wlan0/run"
check "zsv/source names the scratch svtab" grep -qx "$T/svtab:2" "$T/service/plain/zsv/source"
/usr/bin/zsvgen -q --lint 2>"$T/err"
rc=$?
check "the installed /etc/svtab lints (exit $rc)" test "$rc" = 0

echo "# purge"
dpkg -L zsv >"$T/dpkg-L"
mkdir -p /var/log/zsv/zsv && : >/run/zsv.log   # what the service writes at run time
apt_get purge zsv >"$T/purge.log" 2>&1
rc=$?
check "apt-get purge zsv (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] && installed=
left=$(while read -r f; do
	[ "$f" = /. ] && continue
	[ -e "$f" ] || [ -L "$f" ] || continue
	dpkg -S "$f" >/dev/null 2>&1 || echo "$f"
done <"$T/dpkg-L")
check "no file or directory of the package stays (of $(wc -l <"$T/dpkg-L"))${left:+: $left}" test -z "$left"
for f in /etc/sv/zsv /etc/svtab /etc/svtab.d /var/log/zsv /run/zsv.log /run/runit/supervise/zsv /usr/share/zsv; do
	check "$f is gone" test ! -e "$f" -a ! -L "$f"
done

exit $fail
