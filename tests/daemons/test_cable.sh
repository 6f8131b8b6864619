#!/bin/bash
# test_cable.sh: the whole chain with the real daemons, end to end. netplugd
# (library default: `-s zsv_ifupd`, nothing linked) and dhcpcd run under runsvdir
# in a namespace pair (lib.sh); dnsmasq serves DHCP from the peer namespace.
#   cable in  -> netplugd -> zsv_ifupd in -> zsvgen -> dhcpcd running -> lease
#             -> zsv's dhcpcd hook (BOUND) -> zsvgen -> the address-gated and the
#                route-gated services running
#   cable out -> zsv_ifupd out -> dhcpcd stopped, no dhcpcd process left, and its
#                address and default route gone with it -> the gated services down
# Then 5 more pulls, each leaving no dhcpcd process, no address, no default route;
# and dhcpcd removed from svtab with the cable in: no address, no route left.
# Each step's time since the cable moved is printed ("# timing: ...").
. "$(dirname "$0")/lib.sh" netplugd dhcpcd dnsmasq tcpserver
start_tree
start_dnsmasq

svtab <<EOF
netplugd.$IF
dhcpcd.$IF
tcpserver.7002::checkf='zsv_check_addr $IF'; run=( echo addr )
route_echo::checkf=zsv_check_route; run=( tcpserver -HRl0 0.0.0.0 7003 echo route )
EOF
zsv
[ "$rc" = 0 ] && ok "zsvgen built the tree (exit 0)" || { bad "zsvgen exited $rc"; show "$T/out" "$T/err"; }
check "netplugd runs (its default: -s zsv_ifupd)" wait_until 20 runs "netplugd.$IF" netplugd
check "netplugd probed $IF up through zsv_ifupd" wait_until 10 grep -qs " zsv_ifupd: $IF probe$" "$T/zsv.log"
check "dhcpcd is down: no carrier" is_down "dhcpcd.$IF"

# step WHAT SECONDS CMD...: wait for CMD (bounded); print its time since $t0.
step() {
	local what=$1 limit=$2; shift 2
	if wait_until "$limit" "$@"; then
		note "timing: $what +$(($(now_ms) - t0)) ms"
		ok "$what"
	else
		bad "$what (not within $limit s)"
		return 1
	fi
}
dhcpcd_runs() { runs "dhcpcd.$IF" dhcpcd; }
dhcpcd_gone() { is_down "dhcpcd.$IF" && no_proc dhcpcd; }
gated_up()    { runs tcpserver.7002 tcpserver && runs route_echo tcpserver; }
gated_down()  { is_down tcpserver.7002 && is_down route_echo; }
logged()      { grep -qs "$1" "$T/zsv.log"; }
# stopped WHAT: dhcpcd stopped, no process of it left (dhcpcd runs with -K, so it
# is not handling the carrier loss itself when zsv's TERM arrives: RUNIT.md).
stopped() { step "$1" 15 dhcpcd_gone; }

echo "# cable in"
: >"$T/zsv.log"
t0=$(now_ms); cable_in
step "netplugd ran zsv_ifupd $IF in" 10 logged " zsv_ifupd: $IF in$"
step "dhcpcd.$IF running" 10 dhcpcd_runs
step "lease from dnsmasq: $IF has an address" 30 has_addr
note "address $(addr_of_if), $(ip -n "$NS" route show default)"
step "zsv's dhcpcd hook ran on BOUND (clean environment: paths from /etc/default/zsv)" 10 \
	logged " zsv_dhcpcd: $IF BOUND$"
step "the address- and route-gated services running" 15 gated_up
check "dhcpcd's log shows the lease from 192.0.2.1" grep -q 'from 192.0.2.1' "$T/log/dhcpcd.$IF/current"

echo "# cable out"
t0=$(now_ms); cable_out
step "netplugd ran zsv_ifupd $IF out" 10 logged " zsv_ifupd: $IF out$"
stopped "dhcpcd.$IF down, no dhcpcd process left"
step "no address on $IF" 10 no_addr
step "no default route" 10 no_default
step "the gated services down" 15 gated_down
[ "$fail" = 0 ] || { show "$T/zsv.log" "$T/log/dhcpcd.$IF/current"; }

for i in $(seq "${PULLS:-5}"); do
	echo "# pull $i"
	t0=$(now_ms); cable_in
	step "pull $i: lease" 30 has_addr && step "pull $i: gated services up" 15 gated_up
	t0=$(now_ms); cable_out
	stopped "pull $i: no dhcpcd process"
	step "pull $i: no address" 10 no_addr
	step "pull $i: no default route" 10 no_default
	step "pull $i: gated services down" 15 gated_down
done

echo "# dhcpcd removed from svtab with the cable in: it takes its address and route along"
t0=$(now_ms); cable_in
step "lease" 30 has_addr && step "gated services up" 15 gated_up
grep -v "^dhcpcd\." "$T/svtab" >"$T/svtab.new" && mv "$T/svtab.new" "$T/svtab"
t0=$(now_ms); zsv
[ "$rc" = 0 ] && ok "zsvgen removed dhcpcd.$IF (exit 0)" || { bad "zsvgen exited $rc"; show "$T/out" "$T/err"; }
step "no dhcpcd process" 15 no_proc dhcpcd
check "carrier is still there" carrier
step "no address (Debian's persistent is not in zsv's dhcpcd.conf)" 10 no_addr
step "no default route" 10 no_default
step "the gated services down (zsv's hook ran on dhcpcd's STOP)" 15 gated_down
[ "$fail" = 0 ] || show "$T/zsv.log" "$T/log/dhcpcd.$IF/current" "$T/dnsmasq.log"
exit $fail
