#!/bin/bash
# test_hooks.sh: the hooks on their own, with a stand-in `zsvgen` first in PATH
# that records how it was called (the real chain is test_chain.sh):
#   zsv_ifupd  records the event in $ZSV_LOG, runs `zsvgen $ZSV_LOG` with the ZSV_*
#              environment, exits with zsvgen's status; ignores other wpa_cli
#              events; usage error without arguments; `probe` brings the link up
#              (real, in a network namespace) without running zsvgen, and ignores
#              an interface that does not exist; with no ZSV_LOG, the log named
#              by the site's paths file (ZSV_PATHS);
#   zsv_dhcpcd sourced as dhcpcd-run-hooks does: zsvgen (detached, in a session
#              of its own) on lease events, not on RENEW; never exits the sourcing
#              shell, whatever zsvgen returns; the paths file's log with a clean
#              environment.
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
check_not() { local what=$1; shift; if "$@"; then bad "$what"; else ok "$what"; fi; }

mkdir "$tmp/bin"
cat >"$tmp/bin/zsvgen" <<'STUB'
#!/bin/sh
echo "args=$* svtab=${ZSV_SVTAB:-} session=$(ps -o sid= $$ | tr -d ' ') pid=$$" >>"$STUB_CALLS"
exit "${STUB_STATUS:-0}"
STUB
chmod +x "$tmp/bin/zsvgen"
export PATH="$tmp/bin:$PATH" ZSV_LOG="$tmp/zsv.log" STUB_CALLS="$tmp/calls" ZSV_SVTAB=/x/svtab
ifupd=$src/hooks/zsv_ifupd
calls() { cat "$tmp/calls" 2>/dev/null; : >"$tmp/calls"; }
# wait_calls: the stub was called (a detached zsvgen comes a moment later), 5 s at most.
wait_calls() { for _ in $(seq 50); do [ -s "$tmp/calls" ] && return; sleep 0.1; done; }

echo "# zsv_ifupd"
"$ifupd" eth0 in; rc=$?
check "in: exit 0" [ $rc = 0 ]
check "in: zsvgen called with the log file and ZSV_SVTAB" [ "$(calls | sed 's/ session=.*//')" = "args=$tmp/zsv.log svtab=/x/svtab" ]
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
printf '# site paths\nZSV_LOG=%s\nZSV_SVTAB=/from/file\nZSV_LOG=%s\n' "$tmp/not-this.log" "$tmp/site.log" >"$tmp/paths"
env -u ZSV_LOG -u ZSV_SVTAB ZSV_PATHS="$tmp/paths" "$ifupd" eth1 in; rc=$?
check "no ZSV_LOG: exit 0, zsvgen called with the paths file's last ZSV_LOG" \
	[ $rc = 0 ] && [ "$(calls | sed 's/ session=.*//')" = "args=$tmp/site.log svtab=" ]
check "no ZSV_LOG: the event went to the paths file's log" grep -q ' zsv_ifupd: eth1 in$' "$tmp/site.log"
ZSV_PATHS="$tmp/paths" "$ifupd" eth1 out >/dev/null; calls >/dev/null
check_not "ZSV_LOG in the environment wins over the file" grep -q ' eth1 out$' "$tmp/site.log"

if [ "$(id -u)" = 0 ] && ip netns add "$ns"; then
	ip -n "$ns" link add veth0 type veth peer name veth1
	ip netns exec "$ns" "$ifupd" veth0 probe; rc=$?
	check "probe: exit 0" [ $rc = 0 ]
	is_up() { ip -n "$ns" -o link show veth0 up | grep -q veth0; }
	check "probe: veth0 is up" is_up
	check "probe: zsvgen not called" [ -z "$(calls)" ]
	check "probe: event recorded" grep -q ' zsv_ifupd: veth0 probe$' "$tmp/zsv.log"
	ip netns exec "$ns" "$ifupd" eth9 probe 2>"$tmp/err"; rc=$?
	check "probe of a missing interface: exit 0, nothing on stderr" [ $rc = 0 ] && [ ! -s "$tmp/err" ]
	check_not "probe of a missing interface: not recorded" grep -q ' zsv_ifupd: eth9 probe$' "$tmp/zsv.log"
else
	echo "skip - probe needs root and a network namespace"
fi

echo "# zsv_dhcpcd"
dhc() { reason=$1 interface=eth0 sh -c '. "$1"; echo sourced-ok' sh "$src/hooks/zsv_dhcpcd"; }
for r in BOUND REBOOT EXPIRE RELEASE STOP NOCARRIER ROUTERADVERT BOUND6; do
	out=$(dhc $r); wait_calls
	check "$r: zsvgen called, hook returns to dhcpcd-run-hooks" [ "$out" = sourced-ok -a -n "$(calls)" ]
done
out=$(dhc BOUND); wait_calls
c=$(calls)
sid=${c#* session=}; sid=${sid%% *}
# The session is that of the detached shell that runs zsvgen and then zsv_users.
check "zsvgen runs in a session of its own, not dhcpcd's ($c)" [ "$sid" != "$(ps -o sid= $$ | tr -d ' ')" ]
out=$(env -i PATH="$PATH" ZSV_PATHS="$tmp/paths" reason=BOUND interface=eth2 \
	sh -c '. "$1"; echo sourced-ok' sh "$src/hooks/zsv_dhcpcd"); wait_calls
check "clean environment: zsvgen called with the paths file's log" \
	[ "$out" = sourced-ok ] && [ "$(calls | sed 's/ svtab=.*//')" = "args=$tmp/site.log" ]
check "clean environment: the event went to the paths file's log" grep -q ' zsv_dhcpcd: eth2 BOUND$' "$tmp/site.log"
check "BOUND recorded" grep -q ' zsv_dhcpcd: eth0 BOUND$' "$tmp/zsv.log"
for r in RENEW PREINIT CARRIER TEST; do
	out=$(dhc $r); sleep 0.2
	check "$r: zsvgen not called" [ "$out" = sourced-ok -a -z "$(calls)" ]
done
out=$(STUB_STATUS=4 dhc BOUND); wait_calls; calls >/dev/null
check "a failing zsvgen does not end dhcpcd-run-hooks" [ "$out" = sourced-ok ]
exit $fail
