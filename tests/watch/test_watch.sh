#!/bin/bash
# test_watch.sh: zsvwatch alone keeps a live tree in line with the machine, with
# no hook installed (SPEC §9). In a network namespace with a veth pair, a real
# runsvdir supervises three services gated on veth0's carrier, on its address
# and on a default route, and a fourth appears when svtab is replaced by rename;
# zsvwatch, started by hand, is the only thing that runs zsvgen:
#   peer up → carrier-gated running; address added → addr-gated running;
#   default route added → route-gated running; an IPv6 address (after DAD) →
#   addr6-gated running; peer down → carrier-gated down;
#   svtab renamed over → the new service runs; svtab.d made, and a fragment
#   written in it → their services run; SIGHUP → a run;
#   200 link flaps in one burst → a bounded number of runs, never two at once,
#   and the right final state; zsvgen failing or missing → zsvwatch stays and
#   recovers once zsvgen is back; VmPeak ≤ 1024 kB; SIGTERM → exit 0.
export TEST_TAG=w
# shellcheck source=lib_watch.sh
. "$(dirname "$0")/lib_watch.sh"

svc() {
	printf '%s:N:run=( %q 100000 ); checkf=%q\n' "$1" "$SLEEP" "$2"
}
{
	svc carrier 'zsv_check_carrier veth0'
	svc addr 'zsv_check_addr veth0'
	svc route 'zsv_check_route'
	svc addr6 'zsv_check_addr veth2'
} >"$T/svtab"

start_runsvdir_ns
ip netns exec "$NS" "$ZSVWATCH" -e -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" -g "$T/bin/zsvgen-w" \
	>>"$T/watch.log" 2>&1 &
WPID=$!   # ip netns exec execs: this is zsvwatch
note "zsvwatch in $NS (pid $WPID)"

all_down() { local s; for s in carrier addr route addr6; do stopped "$SV/$s" || return 1; done; }
check "the start-up run built the tree, every service down" wait_until 30 all_down
check "zsvwatch ran zsvgen at start" runs_above 0

echo "# peer up → carrier-gated running"
ip -n "$NS" link set veth1 up
check "carrier runs" wait_until 20 running "$SV/carrier"
check "addr is still down" stopped "$SV/addr"

echo "# address added → addr-gated running"
ip -n "$NS" addr add 192.0.2.1/24 dev veth0
check "addr runs" wait_until 20 running "$SV/addr"
check "route is still down" stopped "$SV/route"

echo "# default route added → route-gated running"
ip -n "$NS" route add default via 192.0.2.254 dev veth0
check "route runs" wait_until 20 running "$SV/route"

echo "# IPv6 address added (on a second pair, IPv6 on) → addr6-gated running once DAD is done"
ip -n "$NS" link add veth2 type veth peer name veth3
ip netns exec "$NS" sysctl -qw net.ipv6.conf.veth2.disable_ipv6=0 net.ipv6.conf.veth3.disable_ipv6=0
ip -n "$NS" link set veth3 up
ip -n "$NS" link set veth2 up
ip -n "$NS" addr add 2001:db8::1/64 dev veth2
check "addr6 runs" wait_until 20 running "$SV/addr6"

echo "# peer down → carrier-gated down"
ip -n "$NS" link set veth1 down
check "carrier stopped" wait_until 20 stopped "$SV/carrier"
check "addr still runs" running "$SV/addr"

echo "# svtab replaced by rename, as editors do"
cp "$T/svtab" "$T/.svtab.new"
svc fresh 'zsv_check_true' >>"$T/.svtab.new"
mv -f "$T/.svtab.new" "$T/svtab"
check "the new service runs" wait_until 20 running "$SV/fresh"
check "zsvwatch saw svtab change" grep -q 'event: .*svtab' "$T/watch.log"

echo "# svtab.d: made (renamed into place) with a fragment, then a fragment written in it"
mkdir "$T/.svtab.d.new"
svc frag1 'zsv_check_true' >"$T/.svtab.d.new/frag1.svtab"
mv "$T/.svtab.d.new" "$T/svtab.d"
check "the first fragment's service runs" wait_until 20 running "$SV/frag1"
svc frag2 'zsv_check_true' >"$T/svtab.d/frag2.svtab"
check "a fragment written in the new svtab.d runs" wait_until 20 running "$SV/frag2"

echo "# SIGHUP → a run"
wait_until 20 idle
n=$(runs)
kill -HUP "$WPID"
check "a run after SIGHUP" wait_until 20 runs_above "$n"
check "zsvwatch logged SIGHUP" grep -q 'event: SIGHUP' "$T/watch.log"

echo "# 200 link flaps in one burst, ending with the peer up"
wait_until 20 idle
n=$(runs)
for _ in $(seq 200); do echo "link set veth1 up"; echo "link set veth1 down"; done >"$T/flaps"
echo "link set veth1 up" >>"$T/flaps"
ip -n "$NS" -batch "$T/flaps"
check "carrier runs after the burst" wait_until 30 running "$SV/carrier"
check "zsvwatch settles after the burst" wait_until 30 idle
sleep 1    # whatever the burst still had queued is read and run by now, or counted next
wait_until 20 idle
burst=$(( $(runs) - n ))
note "401 link changes cost $burst zsvgen runs"
check "the burst cost at least one run and at most 20 ($burst)" test "$burst" -ge 1 -a "$burst" -le 20
check "runs never overlapped" runs_serial
check "carrier still runs" running "$SV/carrier"

echo "# zsvgen fails: zsvwatch stays; zsvgen back: it recovers"
put_wrapper 4
n=$(runs)
ip -n "$NS" link set veth1 down
check "the failing zsvgen ran" wait_until 20 grep -q 'zsvgen exited 4' "$T/watch.log"
check "zsvwatch still runs after zsvgen failed" pid_alive "$WPID"
check "carrier still runs (nothing applied)" running "$SV/carrier"
rm -f "$T/bin/zsvgen-w"
kill -HUP "$WPID"
check "a missing zsvgen is logged" wait_until 20 grep -q 'cannot run .*zsvgen-w' "$T/watch.log"
check "zsvwatch still runs with no zsvgen" pid_alive "$WPID"
put_wrapper
kill -HUP "$WPID"
check "recovered: carrier stopped" wait_until 20 stopped "$SV/carrier"
check "runs never overlapped" runs_serial

echo "# memory"
peak=$(awk '$1 == "VmPeak:" { print $2 }' "/proc/$WPID/status")
note "zsvwatch VmPeak: $peak kB"
check "VmPeak at most 1024 kB ($peak kB)" test "${peak:-99999}" -le 1024

echo "# SIGTERM → exit 0"
wait_until 20 idle
kill -TERM "$WPID"
wait "$WPID"
check "zsvwatch exited 0 on SIGTERM" test $? = 0
check "zsvwatch logged its exit" grep -q 'SIGTERM: exiting' "$T/watch.log"
WPID=

[ "$fail" = 0 ] || show "$T/watch.log" "$T/runs"
finish
