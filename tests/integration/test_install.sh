#!/bin/bash
# test_install.sh: `meson install` with DESTDIR puts the binary, the library, the
# hooks, the man page and the examples in place, and the installed library finds
# the installed hooks (wpa_cli's action script is zsv_ifupd in PREFIX/libexec/zsv).
set -u
fail=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
[ -n "${ZSV_BUILD:-}" ] || { echo "skip - ZSV_BUILD is not set"; exit 77; }
T=$(mktemp -d /tmp/zsvtest-install.XXXXXX)
trap 'rm -rf "$T"' EXIT

DESTDIR=$T/dest meson install -C "$ZSV_BUILD" --no-rebuild >"$T/install.log" 2>&1
check "meson install with DESTDIR" test $? = 0
prefix=$(meson introspect "$ZSV_BUILD" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root=$T/dest$prefix
for f in bin/zsvgen bin/zsvwatch libexec/zsv/zsv_ifupd libexec/zsv/zsv_dhcpcd libexec/zsv/zsv_users \
	libexec/zsv/zsv_user_tree share/zsv/sv/zsv/run \
	share/zsv/sv/zsv/finish share/zsv/sv/zsv/log/run; do
	check "$f is installed and executable" test -x "$root/$f"
done
for f in share/zsv/lib/zsv_config share/zsv/lib/zsv_eval share/man/man8/zsvgen.8 share/man/man8/zsvwatch.8 share/man/man5/svtab.5 \
	share/zsh/vendor-completions/_zsvgen share/bash-completion/completions/zsvgen \
	share/doc/zsv/svtab.example share/doc/zsv/zsvrc.example; do
	check "$f is installed" test -f "$root/$f"
done

printf 'wpa_cli.wlan0:M\nzsvwatch:M\nplain::run=(sleep 1)\n' >"$T/svtab"
"$root/bin/zsvgen" -q -f "$T/svtab" -s "$T/service" -c /dev/null -L "$root/share/zsv/lib" 2>"$T/err"
check "the installed zsvgen compiles with the installed library" test $? = 0
hook=$(grep -o "'[^']*/zsv_ifupd'" "$T/service/wpa_cli.wlan0/run" | sort -u | tr -d "'")
check "wpa_cli's action script is the installed hook ($hook)" test "$hook" = "$root/libexec/zsv/zsv_ifupd"
watch=$(grep -o "run=( '[^']*'" "$T/service/zsvwatch/run" | sed "s/.*'\\(.*\\)'/\\1/")
check "the zsvwatch entry runs the installed zsvwatch ($watch)" test "$watch" = "$root/bin/zsvwatch"
"$root/bin/zsvgen" --lint -f "$root/share/doc/zsv/svtab.example" -c "$root/share/doc/zsv/zsvrc.example" \
	-L "$root/share/zsv/lib" >/dev/null 2>"$T/err"
check "the installed examples pass --lint" test $? = 0

exit $fail
