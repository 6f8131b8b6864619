#!/bin/bash
# test_demo.sh: demo/run shows real dhcpcd leasing from real dnsmasq, and leaves
# nothing behind: run to the end, and interrupted (SIGINT to its process group,
# as Ctrl-C sends it) while dhcpcd waits for its lease. After each: its two
# network namespaces are gone and no process is left in them (compared by the
# namespaces' inodes, noted while it ran), no process names its scratch
# directory, and the directory is gone.
set -u
src=${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export ZSVGEN=${ZSVGEN:-$src/build/zsvgen}
if [ "$(id -u)" != 0 ]; then echo "skip - the demo needs root"; exit 77; fi
for tool in dhcpcd dnsmasq netplugd tcpserver runsvdir nsenter; do
	PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null || { echo "skip - $tool is not installed"; exit 77; }
done
out=$(mktemp /tmp/zsvtest-demo.XXXXXX)
demo_pid=
cleanup() { [ -n "$demo_pid" ] && kill -KILL -- -"$demo_pid" 2>/dev/null; rm -f "$out"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
wait_until() { local l=$1 i=0; shift; until "$@"; do [ $i -ge $((l * 10)) ] && return 1; sleep 0.1; i=$((i + 1)); done; }

# Job control: the demo gets a process group of its own, and SIGINT is not
# ignored in it (as it would be for a background job without job control).
set -m
# start_demo: demo/run in the background; $tmp, $ns, $peer from its first line,
# the namespaces' inodes once they exist.
start_demo() {
	: >"$out"
	"$src/demo/run" >"$out" 2>&1 &
	demo_pid=$!
	wait_until 20 grep -q '^demo: scratch ' "$out" || { bad "the demo did not start"; cat "$out"; return 1; }
	read -r _ _ tmp _ ns peer < <(grep '^demo: scratch ' "$out" | tr -d ,)
	wait_until 20 test -e "/run/netns/$peer" || { bad "no namespace $peer"; return 1; }
	inodes=$(stat -L -c %i "/run/netns/$ns" "/run/netns/$peer")
	echo "# demo pid $demo_pid: $tmp, $ns $peer (netns inodes $(echo $inodes))"
}
# finish_demo RC: the demo exits (60 s at most) with RC.
finish_demo() {
	local i rc
	for i in $(seq 600); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$demo_pid" 2>/dev/null; then
		bad "the demo did not exit within 60 s"
		kill -KILL -- -"$demo_pid" 2>/dev/null
	fi
	wait "$demo_pid"; rc=$?
	demo_pid=
	[ "$rc" = "$1" ] && ok "the demo exited $rc" || { bad "the demo exited $rc, not $1"; tail -20 "$out"; }
}
# nothing_left WHEN: no namespace, process or file of the demo remains.
nothing_left() {
	local p left=
	for p in /proc/[0-9]*; do
		grep -qxF "$(stat -L -c %i "$p/ns/net" 2>/dev/null)" <<<"$inodes" && left+=" ${p#/proc/}"
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF "$tmp" && left+=" ${p#/proc/}"
	done
	[ -z "$left" ] && ok "$1: no process left in its namespaces or naming $tmp" ||
		{ bad "$1: processes left:$left"; ps -o pid,args -p "${left# }" 2>/dev/null; }
	[ ! -e "/run/netns/$ns" ] && [ ! -e "/run/netns/$peer" ] && ok "$1: its namespaces are gone" ||
		bad "$1: namespace $ns or $peer is still there"
	[ ! -e "$tmp" ] && ok "$1: $tmp is gone" || bad "$1: $tmp is still there"
	reap
}
# reap: what a failed demo left (all started by it) goes, so the machine stays clean.
reap() {
	local n p
	for n in "$ns" "$peer"; do
		p=$(ip netns pids "$n" 2>/dev/null)
		[ -n "$p" ] && kill -KILL $p 2>/dev/null
		[ -e "/run/netns/$n" ] && ip netns del "$n"
	done
	case $tmp in /tmp/zsvdemo.?*) rm -rf "$tmp" ;; esac
}

echo "# the demo, run to the end"
if start_demo; then
	finish_demo 0
	grep -q '^== Demo done' <(sed 's/\x1b\[[0-9;]*m//g' "$out") && ok "it ran to the end" || bad "no 'Demo done'"
	grep -qE '^  demo0 has 192\.0\.2\.[0-9]+/24' "$out" && ok "dhcpcd got a lease from dnsmasq" ||
		bad "no lease in the demo's output"
	grep -q 'zsv_dhcpcd: demo0 BOUND' "$out" && ok "zsv's dhcpcd hook ran" || bad "no BOUND in the hooks' log"
	grep -q '^  hello says: hello' "$out" && ok "the address-gated service answered" || bad "no hello"
	nothing_left "after the end"
fi

echo "# the demo, interrupted while dhcpcd waits for its lease"
if start_demo; then
	wait_until 60 grep -q 'dhcpcd asks dnsmasq for a lease' "$out" || bad "the demo never reached the lease"
	kill -INT -- -"$demo_pid"
	finish_demo 130
	grep -q 'interrupted, cleaning up' "$out" && ok "it said it was interrupted" || bad "no word of the interrupt"
	nothing_left "after Ctrl-C"
fi
exit $fail
