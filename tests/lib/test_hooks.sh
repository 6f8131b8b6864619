#!/bin/bash
# test_hooks.sh: the hooks on their own, with a stand-in `zsvgen` first in PATH
# that records how it was called (the real chain is test_chain.sh):
#   zsv_ifupd  records the event in $ZSV_LOG, runs `zsvgen $ZSV_LOG` with the ZSV_*
#              environment, exits with zsvgen's status; ignores other wpa_cli
#              events; usage error without arguments; `probe` brings the link up
#              (real, in a network namespace) without running zsvgen;
#   zsv_dhcpcd sourced as dhcpcd-run-hooks does: zsvgen on lease events, not on
#              RENEW; never exits the sourcing shell, whatever zsvgen returns.
set -u
src=${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d /tmp/zsvtest-hooks.XXXXXX)
ns=zsvtest-$$-hooks
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

mkdir "$tmp/bin"
cat >"$tmp/bin/zsvgen" <<'STUB'
#!/bin/sh
echo "args=$* svtab=$ZSV_SVTAB" >>"$STUB_CALLS"
exit "${STUB_STATUS:-0}"
STUB
chmod +x "$tmp/bin/zsvgen"
export PATH="$tmp/bin:$PATH" ZSV_LOG="$tmp/zsv.log" STUB_CALLS="$tmp/calls" ZSV_SVTAB=/x/svtab
ifupd=$src/hooks/zsv_ifupd
calls() { cat "$tmp/calls" 2>/dev/null; : >"$tmp/calls"; }

echo "# zsv_ifupd"
"$ifupd" eth0 in; rc=$?
check "in: exit 0" [ $rc = 0 ]
check "in: zsvgen called with the log file and ZSV_SVTAB" [ "$(calls)" = "args=$tmp/zsv.log svtab=/x/svtab" ]
check "in: event recorded" grep -q ' zsv_ifupd: eth0 in$' "$tmp/zsv.log"
STUB_STATUS=3 "$ifupd" wlan0 DISCONNECTED; rc=$?
check "DISCONNECTED: zsvgen's status 3 is the hook's" [ $rc = 3 ]
check "DISCONNECTED: zsvgen called" [ -n "$(calls)" ]
check "DISCONNECTED: event recorded" grep -q ' zsv_ifupd: wlan0 DISCONNECTED$' "$tmp/zsv.log"
"$ifupd" wlan0 CONNECTED && check "CONNECTED: zsvgen called" [ -n "$(calls)" ] || bad "CONNECTED failed"
"$ifupd" wlan0 WPS-SUCCESS; rc=$?
check "other wpa_cli events: exit 0, zsvgen not called" [ $rc = 0 -a -z "$(calls)" ]
"$ifupd" 2>/dev/null; rc=$?
check "no arguments: usage error 2" [ $rc = 2 ]

if [ "$(id -u)" = 0 ] && ip netns add "$ns"; then
	ip -n "$ns" link add veth0 type veth peer name veth1
	ip netns exec "$ns" "$ifupd" veth0 probe; rc=$?
	check "probe: exit 0" [ $rc = 0 ]
	is_up() { ip -n "$ns" -o link show veth0 up | grep -q veth0; }
	check "probe: veth0 is up" is_up
	check "probe: zsvgen not called" [ -z "$(calls)" ]
	check "probe: event recorded" grep -q ' zsv_ifupd: veth0 probe$' "$tmp/zsv.log"
else
	echo "skip - probe needs root and a network namespace"
fi

echo "# zsv_dhcpcd"
dhc() { reason=$1 interface=eth0 sh -c '. "$1"; echo sourced-ok' sh "$src/hooks/zsv_dhcpcd"; }
for r in BOUND REBOOT EXPIRE RELEASE STOP NOCARRIER ROUTERADVERT BOUND6; do
	out=$(dhc $r)
	check "$r: zsvgen called, hook returns to dhcpcd-run-hooks" [ "$out" = sourced-ok -a -n "$(calls)" ]
done
check "BOUND recorded" grep -q ' zsv_dhcpcd: eth0 BOUND$' "$tmp/zsv.log"
for r in RENEW PREINIT CARRIER TEST; do
	out=$(dhc $r)
	check "$r: zsvgen not called" [ "$out" = sourced-ok -a -z "$(calls)" ]
done
out=$(STUB_STATUS=4 dhc BOUND)
check "a failing zsvgen does not end dhcpcd-run-hooks" [ "$out" = sourced-ok ]
exit $fail
