#!/bin/bash
# test_agree.sh: every check of the §8 table, evaluated by the zsh functions
# (lib/zsv_checks, loaded as zsvgen's evaluator loads it) and natively by zsvgen's
# own code (eval_check), gives the same answer on the same kernel states: a network
# namespace of its own with veth pairs (admin down, peer down/up), IPv4 and IPv6
# global, link-scope and tentative addresses, default routes v4/v6 with and without
# a gateway, through a named interface and through a point-to-point tun device, a
# missing interface; and fake sysfs/procfs trees for wifi, rfkill and route tables
# the namespace cannot show. Key answers are also pinned to what they must be, so
# two evaluations that are wrong alike still fail.
set -u
lib=${ZSV_LIB:-$(cd "$(dirname "$0")/../../lib" && pwd)}
evalc=${EVAL_CHECK:?set EVAL_CHECK to the eval_check binary}
if [ "$(id -u)" != 0 ]; then echo "skip - network namespaces need root"; exit 77; fi

ns=zsvtest-$$-agree
tmp=$(mktemp -d /tmp/zsvtest-agree.XXXXXX)
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail=0 compared=0

ip netns add "$ns" || { echo "FAIL - ip netns add $ns"; exit 1; }
ipn() { ip -n "$ns" "$@" || { echo "FAIL - ip -n $ns $*"; fail=1; }; }
ipn link add veth0 type veth peer name veth1
ipn link add veth2 type veth peer name veth3
ipn link set lo up
have_tun=0
if ip -n "$ns" tuntap add dev tun0 mode tun 2>/dev/null; then have_tun=1; else echo "# no tun device here: the point-to-point route case is skipped"; fi

ifaces="veth0 veth1 veth2 tun0 lo nosuch0"
# The whole table, for the interfaces the namespace has (and one it has not).
table() {
	local i
	echo zsv_check_true; echo zsv_check_false
	echo "zsv_check_file $tmp/flag"; echo "zsv_check_file $tmp/missing"
	for i in $ifaces; do
		echo "zsv_check_up $i"; echo "zsv_check_carrier $i"; echo "zsv_check_wifi $i"
		echo "zsv_check_link $i"; echo "zsv_check_addr $i"; echo "zsv_check_route $i"
	done
	echo zsv_check_route; echo zsv_check_rfkill; echo "zsv_check_rfkill wlan"
	echo "zsv_check_service a"; echo "zsv_check_service b"; echo "zsv_check_service missing"
	for i in ready unready waiting waited; do echo "zsv_check_service $i"; done
}
# Fake trees: wifi, rfkill and route tables the namespace cannot show.
fake_table() {
	local i
	for i in wlan0 wlan1 wlan2 eth9 ppp0 nosuch0; do
		echo "zsv_check_up $i"; echo "zsv_check_carrier $i"; echo "zsv_check_wifi $i"
		echo "zsv_check_link $i"; echo "zsv_check_addr $i"; echo "zsv_check_route $i"
	done
	echo zsv_check_route
	for i in "" wlan bluetooth nfc; do echo "zsv_check_rfkill${i:+ $i}"; done
}

# zsh_answers SYSFS PROCFS CHECK...: the zsh functions' statuses, one per line.
zsh_answers() {
	ip netns exec "$ns" env ZSV_LIB="$lib" SYSFS="$1" PROCFS="$2" SVC="$tmp/service" zsh -f -c '
		zsv_lib=$ZSV_LIB zsv_service_dir=$SVC
		source $zsv_lib/zsv_config || exit 99
		zsv_sysfs=$SYSFS zsv_procfs=$PROCFS
		for c in "$@"; do ${=c} >/dev/null 2>&1; print $?; done' zsh "${@:3}"
}
native_answers() { ip netns exec "$ns" "$evalc" "$1" "$2" "$tmp/service" "${@:3}"; }

# compare LABEL SYSFS PROCFS TABLE-FUNCTION: both evaluations of every check agree
# (retried for up to 3 s while the kernel settles), printing the answers to $tmp/last.
compare() {
	local label=$1 sysfs=$2 procfs=$3 lister=$4 z n
	local -a checks
	mapfile -t checks < <($lister)
	for _ in $(seq 30); do
		z=$(zsh_answers "$sysfs" "$procfs" "${checks[@]}")
		n=$(native_answers "$sysfs" "$procfs" "${checks[@]}")
		[ "$z" = "$n" ] && break
		sleep 0.1
	done
	paste -d' ' <(printf '%s\n' "$z") <(printf '%s\n' "${checks[@]}") >"$tmp/last"
	compared=$((compared + ${#checks[@]}))
	if [ "$z" = "$n" ] && [ "${#checks[@]}" = "$(printf '%s\n' "$z" | grep -c .)" ]; then
		echo "ok   - $label: ${#checks[@]} checks agree"
	else
		echo "FAIL - $label: zsh and native differ (check: zsh native):"
		paste -d' ' <(printf '%s\n' "${checks[@]}") <(printf '%s\n' "$z") <(printf '%s\n' "$n") | awk '$(NF-1) != $NF'
		fail=1
	fi
}
# pin STATUS CHECK: in the last compared state, CHECK's answer was STATUS (0 holds).
pin() {
	if grep -qxF "$1 $2" "$tmp/last"; then echo "ok   - pinned: $2 -> $1"
	else echo "FAIL - pinned: $2 should give $1, gave: $(awk -v c="$2" 'substr($0, 3) == c { print $1 }' "$tmp/last")"; fail=1; fi
}

mkdir -p "$tmp/service/a/supervise" "$tmp/service/b/supervise"
echo run >"$tmp/service/a/supervise/stat"; echo down >"$tmp/service/b/supervise/stat"
touch "$tmp/flag"
# Running services with a readiness check that holds or fails, and one waiting out a
# backoff (zsv/backoff's third field still to come) or done with it.
for i in ready unready waiting waited; do
	mkdir -p "$tmp/service/$i/supervise" "$tmp/service/$i/zsv"
	echo run >"$tmp/service/$i/supervise/stat"
done
printf '#!/bin/sh\nexit 0\n' >"$tmp/service/ready/check"
printf '#!/bin/sh\nexit 1\n' >"$tmp/service/unready/check"
chmod 755 "$tmp/service/ready/check" "$tmp/service/unready/check"
echo "3 $(date +%s) $(($(date +%s) + 3600))" >"$tmp/service/waiting/zsv/backoff"
echo "3 1000 1008" >"$tmp/service/waited/zsv/backoff"

compare "all links admin down" /sys /proc table
pin 1 "zsv_check_up veth0"; pin 1 "zsv_check_link veth0"; pin 0 "zsv_check_file $tmp/flag"
pin 0 "zsv_check_service a"; pin 1 "zsv_check_service b"; pin 1 zsv_check_route
pin 0 "zsv_check_service ready"; pin 1 "zsv_check_service unready"
pin 1 "zsv_check_service waiting"; pin 0 "zsv_check_service waited"
ipn link set veth0 up
compare "veth0 up, its peer down" /sys /proc table
pin 0 "zsv_check_up veth0"; pin 1 "zsv_check_carrier veth0"
ipn link set veth1 up
compare "veth pair up: carrier" /sys /proc table
pin 0 "zsv_check_carrier veth0"; pin 0 "zsv_check_link veth1"
ipn link set veth1 down
compare "peer down again" /sys /proc table
pin 1 "zsv_check_carrier veth0"
ipn link set veth1 up

ipn addr add 192.0.2.1/24 dev veth0
ipn addr add 198.51.100.1/24 dev veth1 scope link
compare "IPv4: global on veth0, link scope on veth1" /sys /proc table
pin 0 "zsv_check_addr veth0"; pin 1 "zsv_check_addr veth1"; pin 1 "zsv_check_addr nosuch0"
ipn -6 addr add 2001:db8::2/64 dev veth1 nodad
ipn -6 addr add 2001:db8:2::2/64 dev veth2    # veth2 is down: the address stays tentative
compare "IPv6: global on veth1, tentative on veth2" /sys /proc table
pin 0 "zsv_check_addr veth1"; pin 1 "zsv_check_addr veth2"

ipn route add default via 192.0.2.254 dev veth0
compare "IPv4 default route via a gateway" /sys /proc table
pin 0 zsv_check_route; pin 0 "zsv_check_route veth0"; pin 1 "zsv_check_route veth1"
ipn route del default
ipn -6 route add default via 2001:db8::fe dev veth1
compare "IPv6 default route via a gateway" /sys /proc table
pin 0 zsv_check_route; pin 0 "zsv_check_route veth1"; pin 1 "zsv_check_route veth0"
ipn -6 route del default via 2001:db8::fe dev veth1
ipn route add default dev veth0
compare "IPv4 default without a gateway on an ethernet (IPv4LL fallback)" /sys /proc table
pin 1 zsv_check_route; pin 1 "zsv_check_route veth0"
ipn route del default dev veth0
ipn -6 route add default dev veth1
compare "IPv6 default without a gateway on an ethernet" /sys /proc table
pin 1 zsv_check_route
ipn -6 route del default dev veth1
if [ $have_tun = 1 ]; then
	ipn link set tun0 up
	ipn route add default dev tun0
	compare "IPv4 default without a gateway through a tun (point-to-point)" /sys /proc table
	pin 0 zsv_check_route; pin 0 "zsv_check_route tun0"; pin 1 "zsv_check_route veth0"
	ipn route del default dev tun0
fi

# Fake trees: wireless interfaces, rfkill switches, route tables with edge cases.
S=$tmp/sys P=$tmp/proc
mkdir -p "$S/class/net" "$S/class/rfkill" "$P/net"
mkif() {  # mkif NAME FLAGS CARRIER OPERSTATE [wireless|phy80211]
	mkdir -p "$S/class/net/$1"; echo "$2" >"$S/class/net/$1/flags"
	[ -n "$3" ] && echo "$3" >"$S/class/net/$1/carrier"; echo "$4" >"$S/class/net/$1/operstate"
	if [ -n "${5-}" ]; then mkdir -p "$S/class/net/$1/$5"; fi
}
mkif wlan0 0x1003 1 dormant wireless
mkif wlan1 0x1003 1 up phy80211
mkif wlan2 0x1002 "" down wireless
mkif eth9 0x1003 1 up
mkif ppp0 0x1091 1 unknown
printf '%s\n' 'Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT' \
	'eth9	00000000	00000000	0001	0	0	0	00000000	0	0	0' >"$P/net/route"
printf '%s\n' '00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo' >"$P/net/ipv6_route"
printf '%s\n' '20010db8000000000000000000000005 09 40 00 c0 eth9' \
	'fe800000000000000000000000000005 09 40 20 80 eth9' \
	'20010db8000000000000000000000007 0a 40 00 88 wlan1' >"$P/net/if_inet6"
compare "fake sysfs: wifi, no rfkill; fake procfs: gatewayless ethernet route, tentative IPv6" "$S" "$P" fake_table
pin 1 "zsv_check_wifi wlan0"; pin 0 "zsv_check_wifi wlan1"; pin 1 "zsv_check_link wlan0"
pin 0 "zsv_check_link eth9"; pin 1 zsv_check_route; pin 1 "zsv_check_addr eth9"; pin 0 "zsv_check_rfkill"
printf '%s\n' 'eth9	00000000	00000000	0001	0	0	0	00000000	0	0	0' \
	'ppp0	00000000	00000000	0001	0	0	0	00000000	0	0	0' >>"$P/net/route"
echo '20010db8000000000000000000000006 09 40 00 80 eth9' >>"$P/net/if_inet6"
mkrf() { mkdir -p "$S/class/rfkill/$1"; [ -n "$2" ] && echo "$2" >"$S/class/rfkill/$1/type"
	[ -n "$3" ] && echo "$3" >"$S/class/rfkill/$1/soft"; [ -n "$4" ] && echo "$4" >"$S/class/rfkill/$1/hard"; }
mkrf rfkill0 wlan 0 0
mkrf rfkill1 bluetooth 1 0
mkrf rfkill2 "" 1 1          # no type: skipped
mkrf rfkill3 nfc "" 1        # no soft file: hard blocks
compare "fake: point-to-point gatewayless route, global IPv6, rfkill switches" "$S" "$P" fake_table
pin 0 zsv_check_route; pin 0 "zsv_check_route ppp0"; pin 1 "zsv_check_route eth9"
pin 0 "zsv_check_addr eth9"; pin 1 "zsv_check_addr wlan1"
pin 0 "zsv_check_rfkill wlan"; pin 1 "zsv_check_rfkill bluetooth"; pin 1 "zsv_check_rfkill nfc"; pin 1 "zsv_check_rfkill"
printf 'eth9\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0' >"$P/net/route"   # no final newline: not read
compare "fake: a route line without its newline" "$S" "$P" fake_table
pin 1 zsv_check_route

echo "# $compared answers compared"
exit $fail
