#!/bin/bash
# test_checks.sh: the library's checks (lib/zsv_checks) against real kernel
# state: a network namespace of its own with a veth pair, whose links, carrier,
# addresses and default routes the test changes. rfkill and wifi, which this
# machine kind lacks, use a fake tree through $zsv_sysfs; zsv_check_service a
# fake service directory. Every check must also be silent on stderr.
set -u
lib=${ZSV_LIB:-$(cd "$(dirname "$0")/../../lib" && pwd)}
if [ "$(id -u)" != 0 ]; then echo "skip - network namespaces need root"; exit 77; fi

ns=zsvtest-$$-checks
tmp=$(mktemp -d /tmp/zsvtest-checks.XXXXXX)
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
fail=0

ip netns add "$ns" || { echo "FAIL - ip netns add $ns"; exit 1; }
ipn() { ip -n "$ns" "$@" || { echo "FAIL - ip -n $ns $*"; fail=1; }; }
ipn link add veth0 type veth peer name veth1

# expect true|false CODE: CODE (zsh, after loading the library as zsvgen does)
# run inside the namespace must exit 0 (true) or 1 (false) and print nothing on
# stderr. Retried for up to 3 s, as the kernel may take a moment to settle.
expect() {
	local want=$1 code=$2 status err
	[ "$want" = true ] && want=0 || want=1
	for _ in $(seq 30); do
		err=$(ip netns exec "$ns" env ZSV_LIB="$lib" T="$tmp" zsh -fc \
			'zsv_lib=$ZSV_LIB zsv_service_dir=$T/service; source $zsv_lib/zsv_config || exit 99; '"$code" 2>&1 >/dev/null)
		status=$?
		[ "$status" = "$want" ] && [ -z "$err" ] && break
		sleep 0.1
	done
	if [ "$status" = "$want" ] && [ -z "$err" ]; then
		echo "ok   - $1: $code"
	else
		echo "FAIL - $1: $code (status $status${err:+, stderr: $err})"
		fail=1
	fi
}

echo "# true, false, file"
expect true  'zsv_check_true'
expect false 'zsv_check_false'
touch "$tmp/flag"
expect true  'zsv_check_file $T/flag'
expect false 'zsv_check_file $T/missing'
expect false 'zsv_check_file ""'

echo "# up and carrier (veth0 down, peer veth1 down)"
expect false 'zsv_check_up veth0'
expect false 'zsv_check_carrier veth0'
expect false 'zsv_check_up nosuch0'
expect false 'zsv_check_carrier nosuch0'
ipn link set veth0 up
expect true  'zsv_check_up veth0'
expect false 'zsv_check_carrier veth0'
ipn link set veth1 up
expect true  'zsv_check_carrier veth0'
expect true  'zsv_check_carrier veth1'
ipn link set veth1 down
expect false 'zsv_check_carrier veth0'
expect true  'zsv_check_up veth0'
ipn link set veth1 up

echo "# wifi: a veth is not wireless; a fake wireless wlan0"
expect false 'zsv_check_wifi veth0'
mkdir -p "$tmp/sys/class/net/wlan0/wireless" "$tmp/sys/class/net/wlan1/phy80211"
echo dormant >"$tmp/sys/class/net/wlan0/operstate"
echo up >"$tmp/sys/class/net/wlan1/operstate"
expect false 'zsv_sysfs=$T/sys; zsv_check_wifi wlan0'
expect true  'zsv_sysfs=$T/sys; zsv_check_wifi wlan1'
echo up >"$tmp/sys/class/net/wlan0/operstate"
expect true  'zsv_sysfs=$T/sys; zsv_check_wifi wlan0'
expect false 'zsv_sysfs=$T/sys; zsv_check_wifi wlan9'

echo "# addr: link-local only, then global IPv4 / IPv6"
expect false 'zsv_check_addr veth0'
expect false 'zsv_check_addr veth1'
expect false 'zsv_check_addr nosuch0'
ipn addr add 192.0.2.1/24 dev veth0
expect true  'zsv_check_addr veth0'
expect false 'zsv_check_addr veth1'
ipn -6 addr add 2001:db8::2/64 dev veth1 nodad
expect true  'zsv_check_addr veth1'
mkdir -p "$tmp/proc/net"
printf '%s\n' '20010db8000000000000000000000005 09 40 00 c0 fake0' \
	'fe800000000000000000000000000005 09 40 20 80 fake0' >"$tmp/proc/net/if_inet6"
expect false 'zsv_procfs=$T/proc; zsv_check_addr fake0'   # tentative and link-local
echo '20010db8000000000000000000000006 09 40 00 80 fake0' >>"$tmp/proc/net/if_inet6"
expect true  'zsv_procfs=$T/proc; zsv_check_addr fake0'

echo "# route: none (the namespace's IPv6 reject default does not count), then IPv4, then IPv6"
expect false 'zsv_check_route'
ipn route add default via 192.0.2.254 dev veth0
expect true  'zsv_check_route'
expect true  'zsv_check_route veth0'
expect false 'zsv_check_route veth1'
ipn route del default
expect false 'zsv_check_route'
ipn -6 route add default via 2001:db8::fe dev veth1
expect true  'zsv_check_route'
expect true  'zsv_check_route veth1'
expect false 'zsv_check_route veth0'

echo "# rfkill (fake tree)"
expect true  'zsv_sysfs=$T/sys; zsv_check_rfkill'
mk_rfkill() { mkdir -p "$tmp/sys/class/rfkill/$1"; echo "$2" >"$tmp/sys/class/rfkill/$1/type"
	echo "$3" >"$tmp/sys/class/rfkill/$1/soft"; echo "$4" >"$tmp/sys/class/rfkill/$1/hard"; }
mk_rfkill rfkill0 wlan 0 0
expect true  'zsv_sysfs=$T/sys; zsv_check_rfkill'
expect true  'zsv_sysfs=$T/sys; zsv_check_rfkill wlan'
mk_rfkill rfkill1 bluetooth 1 0
expect false 'zsv_sysfs=$T/sys; zsv_check_rfkill'
expect true  'zsv_sysfs=$T/sys; zsv_check_rfkill wlan'
expect false 'zsv_sysfs=$T/sys; zsv_check_rfkill bluetooth'
mk_rfkill rfkill0 wlan 0 1
expect false 'zsv_sysfs=$T/sys; zsv_check_rfkill wlan'

echo "# service (fake supervise/stat)"
mkdir -p "$tmp/service/a/supervise" "$tmp/service/b/supervise" "$tmp/service/c/supervise"
echo run >"$tmp/service/a/supervise/stat"
echo down >"$tmp/service/b/supervise/stat"
echo 'run, want down' >"$tmp/service/c/supervise/stat"
expect true  'zsv_check_service a'
expect false 'zsv_check_service b'
expect true  'zsv_check_service c'
expect false 'zsv_check_service missing'
expect false 'zsv_check_service ../service/a'

echo "# link: carrier for a veth, association for a (fake) wireless interface"
expect true  'zsv_check_link veth0'
ipn link set veth1 down
expect false 'zsv_check_link veth0'
ipn link set veth1 up
expect false 'zsv_check_link nosuch0'
expect true  'zsv_sysfs=$T/sys; zsv_check_link wlan0'
echo dormant >"$tmp/sys/class/net/wlan0/operstate"
expect false 'zsv_sysfs=$T/sys; zsv_check_link wlan0'

echo "# route: a default without a gateway counts only through a point-to-point device"
ip -n "$ns" -6 route del default dev veth1 2>/dev/null  # gone already if veth1 went down
ipn route add default dev veth0
expect false 'zsv_check_route'
ipn route del default dev veth0
ipn tuntap add dev tun0 mode tun
ipn link set tun0 up
ipn route add default dev tun0
expect true  'zsv_check_route'
expect true  'zsv_check_route tun0'
expect false 'zsv_check_route veth0'
ipn route del default dev tun0

echo "# dhcpcd's default condition is decided by its check, not at resolve time"
expect true  'zsv_name=dhcpcd.veth0; zsv_defaults_dhcpcd veth0; [[ $checkf == "zsv_check_link veth0" && ${run[1,2]} == "dhcpcd -B" && ${run[-1]} == veth0 ]]'
expect true  'zsv_sysfs=$T/sys zsv_name=dhcpcd.wlan0; zsv_defaults_dhcpcd wlan0; [[ $checkf == "zsv_check_link wlan0" ]]'

exit $fail
