#!/bin/bash
# test_service.sh: the library's entry `zsvwatch` in svtab runs zsvwatch under
# runsv with the tree's own paths, and that alone keeps a carrier-gated service
# in line with the veth peer (no hook, no zsvgen run by hand after boot). Its
# messages reach the service's svlogd; `sv hup` (runit's h) is a run. The entry's
# code adds options, and arguments for zsvgen after "--".
export TEST_TAG=s
# shellcheck source=lib_watch.sh
. "$(dirname "$0")/lib_watch.sh"

printf 'zsv_zsvwatch=%q\n' "$ZSVWATCH" >>"$T/zsvrc"
{
	printf 'zsvwatch::run+=( -g %q -- -q )\n' "$T/bin/zsvgen-w"
	printf 'carrier:N:run=( %q 100000 ); checkf="zsv_check_carrier veth0"\n' "$SLEEP"
} >"$T/svtab"

echo "# boot: zsvgen once, then runsvdir"
ip netns exec "$NS" "$ZSVGEN" -q -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" >"$T/out" 2>&1
check "zsvgen built the tree" test $? = 0
start_runsvdir_ns
check "runsv runs zsvwatch" wait_until 20 running "$SV/zsvwatch"
wpid=$(svc_pid "$SV/zsvwatch")
want="$ZSVWATCH -f $T/svtab -e -s $SV -c $T/zsvrc -L $ZSV_LIB -g $T/bin/zsvgen-w -- -q "
# runsv's pid runs ./run first, which then execs zsvwatch.
execd() { cmd=$(tr '\0' ' ' <"/proc/$wpid/cmdline" 2>/dev/null); [ "$cmd" = "$want" ]; }
check "it runs with the tree's paths" wait_until 20 execd || note "its command line: $cmd"
check "zsvwatch ran zsvgen at start" wait_until 20 runs_above 0
check "carrier is down" wait_until 20 stopped "$SV/carrier"

echo "# peer up → carrier runs, through the supervised zsvwatch"
ip -n "$NS" link set veth1 up
check "carrier runs" wait_until 20 running "$SV/carrier"

echo "# runit's h (SIGHUP) → a run"
wait_until 20 test "$(runs)" = "$(ends)"
n=$(runs)
ctl "$SV/zsvwatch" h
check "a run after sv hup" wait_until 20 runs_above "$n"

echo "# peer down → carrier down"
ip -n "$NS" link set veth1 down
check "carrier stopped" wait_until 20 stopped "$SV/carrier"
check "zsvwatch kept its pid (never restarted)" test "$(svc_pid "$SV/zsvwatch")" = "$wpid"

logged() { grep -q "$1" "$T/log/zsvwatch/current" 2>/dev/null; }
check "svlogd keeps zsvwatch's runs" wait_until 10 logged 'run 1: zsvgen exited 0'
check "svlogd keeps zsvwatch's events" logged 'event: SIGHUP'
[ "$fail" = 0 ] || show "$T/log/zsvwatch/current" "$T/runs"
finish
