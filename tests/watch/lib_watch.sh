# shellcheck shell=bash
# lib_watch.sh: what the zsvwatch tests share, on top of tests/integration/lib.sh
# ($T, $SV, runsvdir helpers, cleanup of every process under $T).
#
# A network namespace of the run's own ($NS) holds a veth pair, veth0 (up) and
# its peer veth1 (down: no carrier on veth0), with IPv6 off; runsvdir and zsvwatch run inside
# it (`ip netns exec`, which also mounts the namespace's own /sys), so the
# library's checks read the namespace's links. No hook is installed anywhere.
# $T/bin/zsvgen-w is the zsvgen zsvwatch runs: a wrapper that appends "start"
# and "end STATUS" to $T/runs around the real one, so runs can be counted and
# seen never to overlap; put_wrapper replaces it the way editors do (rename).

# shellcheck source=../integration/lib.sh
. "${ZSV_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/integration/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "skip - network namespaces need root"; exit 77; fi
ZSVWATCH=${ZSVWATCH:-$ZSV_SRC/build/watch/zsvwatch}
[ -x "$ZSVWATCH" ] || { echo "FAIL - no zsvwatch binary at $ZSVWATCH"; exit 1; }
cp "$ZSVWATCH" "$T/bin/zsvwatch" && ZSVWATCH=$T/bin/zsvwatch

NS=zsvw-$$-${TEST_TAG:-t}
trap 'ip netns del "$NS" 2>/dev/null; cleanup' EXIT
ip netns add "$NS" || { echo "FAIL - ip netns add $NS"; exit 1; }
# IPv6 off on this pair: a carrier change is then a link event and nothing else
# (no link-local address or route follows it), so the link events are what is tested.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
if ! { ip -n "$NS" link add veth0 type veth peer name veth1 && ip -n "$NS" link set veth0 up &&
	ip -n "$NS" link set lo up; }; then
	echo "FAIL - veth pair in $NS"; exit 1
fi

# put_wrapper [STATUS]: $T/bin/zsvgen-w records the run and runs the real zsvgen;
# with STATUS it records and fails with it instead (zsvgen broken).
# shellcheck disable=SC2120,SC2016
put_wrapper() {
	{
		echo '#!/bin/sh'
		printf 'echo start >>%q\n' "$T/runs"
		if [ -n "${1:-}" ]; then
			printf 'echo "end %s" >>%q\nexit %s\n' "$1" "$T/runs" "$1"
		else
			printf '%q "$@"\nrc=$?\n' "$ZSVGEN"
			printf 'echo "end $rc" >>%q\nexit $rc\n' "$T/runs"
		fi
	} >"$T/bin/.zsvgen-w.new"
	chmod +x "$T/bin/.zsvgen-w.new"
	mv -f "$T/bin/.zsvgen-w.new" "$T/bin/zsvgen-w"
}
: >"$T/runs"
# shellcheck disable=SC2119
put_wrapper

runs() { grep -c '^start' "$T/runs"; }
ends() { grep -c '^end' "$T/runs"; }
# runs_serial: the runs never overlapped (start, end, start, end...).
runs_serial() { awk 'NR % 2 == 1 && $1 != "start" || NR % 2 == 0 && $1 != "end" { exit 1 }' "$T/runs"; }
# idle: every run started has ended, and zsvwatch's last word was a run's end.
idle() {
	[ "$(runs)" = "$(ends)" ] || return 1
	tail -n 1 "$T/watch.log" | grep -Eq ': run [0-9]+: (zsvgen exited|zsvgen killed|cannot run)'
}
runs_above() { [ "$(runs)" -gt "$1" ]; }

start_runsvdir_ns() {
	mkdir -p "$SV"
	# Not through a function: $! must be runsvdir itself (ip netns exec execs it).
	ip netns exec "$NS" runsvdir -P "$SV" </dev/null >>"$T/runsvdir.log" 2>&1 &
	RSVD_PID=$!
	note "runsvdir -P $SV in $NS (pid $RSVD_PID)"
}
