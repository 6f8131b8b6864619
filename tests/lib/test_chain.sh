#!/bin/bash
# test_chain.sh: the whole chain, for real. In a network namespace of its own
# with a veth pair, zsvgen builds a service tree from a svtab holding
# `dhcpcd.veth0` (the site zsvrc replaces the daemon with `sleep`; the condition
# stays the library's default, carrier on veth0) and a real runsvdir supervises
# it. Peer down: the service is created down. Peer up + `zsv_ifupd veth0 in`:
# it runs. Peer down + `zsv_ifupd veth0 out`: it is stopped again.
set -u
src=${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=${ZSV_LIB:-$src/lib}
zsvgen=${ZSVGEN:-$src/build/zsvgen}
[ -x "$zsvgen" ] || { echo "FAIL - no zsvgen at $zsvgen (set ZSVGEN)"; exit 1; }
if [ "$(id -u)" != 0 ]; then echo "skip - network namespaces need root"; exit 77; fi
zsvgen=$(cd "$(dirname "$zsvgen")" && pwd)/$(basename "$zsvgen")

ns=zsvtest-$$-chain
tmp=$(mktemp -d /tmp/zsvtest-chain.XXXXXX)
svc=$tmp/service
sv=$svc/dhcpcd.veth0
rsvpid=
cleanup() {
	# Stop each runsv the way zsv removes a service: hide its directory from
	# runsvdir (dot-name), then `x`: runsv stops the service and exits, and
	# runsvdir reaps it. Then runsvdir itself (TERM: it exits at once), reaped
	# here. Anything still in the namespace was started by this test: KILL.
	local d kids k
	if [ -n "$rsvpid" ]; then
		kids=$(pgrep -P "$rsvpid")
		for d in "$svc"/*/; do
			d=${d%/}
			mv "$d" "$svc/.${d##*/}" 2>/dev/null &&
				timeout 2 sh -c 'printf x >"$1"' sh "$svc/.${d##*/}/supervise/control" 2>/dev/null
		done
		for _ in $(seq 50); do   # until runsvdir has reaped them (zombies keep /proc/PID)
			for k in $kids; do [ -e "/proc/$k" ] && break; done
			[ -e "/proc/${k:-0}" ] || break
			sleep 0.1
		done
		kill -TERM "$rsvpid" 2>/dev/null
		wait "$rsvpid" 2>/dev/null
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }

# wait_stat WANT: supervise/stat of the service becomes WANT within 10 s.
wait_stat() {
	local s=
	for _ in $(seq 100); do
		s=$(cat "$sv/supervise/stat" 2>/dev/null)
		[ "$s" = "$1" ] && break
		sleep 0.1
	done
	[ "$s" = "$1" ] && ok "runsv says: $1" || bad "runsv says '${s:-nothing}', not '$1', after 10 s"
}
hook() {
	env PATH="$(dirname "$zsvgen"):$PATH" ZSV_SVTAB="$tmp/svtab" ZSV_SERVICE_DIR="$svc" \
		ZSV_CONFIG="$tmp/zsvrc" ZSV_LIB="$lib" ZSV_LOG="$tmp/zsv.log" \
		ip netns exec "$ns" "$src/hooks/zsv_ifupd" veth0 "$1"
}

ip netns add "$ns" || { echo "FAIL - ip netns add $ns"; exit 1; }
ip -n "$ns" link add veth0 type veth peer name veth1 && ip -n "$ns" link set veth0 up ||
	{ echo "FAIL - veth pair"; exit 1; }
echo dhcpcd.veth0 >"$tmp/svtab"
cat >"$tmp/zsvrc" <<EOF2
zsv_logroot=$tmp/log
zsv_run_dhcpcd() { exec sleep 100000 }
EOF2

echo "# peer down: created down"
out=$(ip netns exec "$ns" "$zsvgen" -f "$tmp/svtab" -s "$svc" -c "$tmp/zsvrc" -L "$lib" 2>&1); rc=$?
[ $rc = 0 ] && ok "zsvgen built the tree" || bad "zsvgen exited $rc: $out"
[ -e "$sv/down" ] && ok "dhcpcd.veth0/down exists" || bad "dhcpcd.veth0/down is missing"
ip netns exec "$ns" runsvdir -P "$svc" 2>"$tmp/runsvdir.err" &
rsvpid=$!
wait_stat down

echo "# peer up, zsv_ifupd veth0 in: running"
ip -n "$ns" link set veth1 up
hook in; rc=$?
[ $rc = 0 ] && ok "zsv_ifupd veth0 in exited 0" || bad "zsv_ifupd veth0 in exited $rc"
wait_stat run
[ ! -e "$sv/down" ] && ok "dhcpcd.veth0/down removed" || bad "dhcpcd.veth0/down still there"
# runsv reports "run" once it has forked; the run script then execs: wait for that.
for _ in $(seq 50); do
  pid=$(cat "$sv/supervise/pid" 2>/dev/null)
  cmd=$(tr '\0' ' ' <"/proc/${pid:-0}/cmdline" 2>/dev/null)
  [ "$cmd" = "sleep 100000 " ] && break
  sleep 0.1
done
[ "$cmd" = "sleep 100000 " ] && ok "the zsvrc's run function runs" || bad "pid '$pid' runs '$cmd'"
ip netns exec "$ns" zsh -f "$sv/zsv/check" && ok "the rendered zsv/check holds on its own" ||
	bad "rendered zsv/check is false with carrier"
for _ in $(seq 50); do [ -d "$tmp/log/dhcpcd.veth0" ] && break; sleep 0.1; done
[ -d "$tmp/log/dhcpcd.veth0" ] && ok "the default log function made its directory" ||
	bad "no log directory $tmp/log/dhcpcd.veth0"

echo "# peer down, zsv_ifupd veth0 out: stopped"
ip -n "$ns" link set veth1 down
hook out; rc=$?
[ $rc = 0 ] && ok "zsv_ifupd veth0 out exited 0" || bad "zsv_ifupd veth0 out exited $rc"
wait_stat down
[ -e "$sv/down" ] && ok "dhcpcd.veth0/down is back" || bad "dhcpcd.veth0/down is missing"

grep -q ' zsv_ifupd: veth0 in$' "$tmp/zsv.log" && grep -q ' zsv_ifupd: veth0 out$' "$tmp/zsv.log" &&
	ok "the hook recorded both events in ZSV_LOG" || bad "ZSV_LOG lacks the events: $(cat "$tmp/zsv.log")"
exit $fail
