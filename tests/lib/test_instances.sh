#!/bin/bash
# test_instances.sh: the library's generators (lib/zsv_instances) on a fake sysfs
# ($zsv_sysfs), and zsvgen's own zsv_instances_dhcpcd (src/instances_native.cc)
# held to the zsh function's answer on the same trees: interfaces of type 1 but lo
# and enslaved ports; a link added, one enslaved, one of another type. Consoles:
# tty0 as tty1 (never the VT active now), others as they are, once each.
set -u
zsvgen=${ZSVGEN:-$(cd "$(dirname "$0")/../.." && pwd)/build/zsvgen}
lib=${ZSV_LIB:-$(cd "$(dirname "$0")/../../lib" && pwd)}
tmp=$(mktemp -d /tmp/zsvtest-instances.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }

sys=$tmp/sys
# iface NAME TYPE: a fake $sys/class/net/NAME of that ARPHRD type.
iface() { mkdir -p "$sys/class/net/$1" && echo "$2" >"$sys/class/net/$1/type"; }
iface lo 772
iface eth0 1
iface wlan0 1
mkdir -p "$sys/class/net/wlan0/wireless"
iface br0 1
iface eth1 1
ln -s ../br0 "$sys/class/net/eth1/master"   # a bridge port: dhcpcd belongs on br0
iface sit0 776
iface tun0 65534
mkdir -p "$sys/class/net/empty"              # no type: not listed
echo 1 >"$sys/class/net/bonding_masters"     # a file, not an interface

# instances FUNCTION: what the library's FUNCTION prints with $zsv_sysfs=$sys.
instances() {
	env ZSV_LIB="$lib" S="$sys" zsh -fc 'zsv_lib=$ZSV_LIB; source $zsv_lib/zsv_config || exit 99; zsv_sysfs=$S; '"$1"
}
expect() {  # WHAT WANT FUNCTION
	local got
	got=$(instances "$3" 2>"$tmp/err" | tr '\n' ' ')
	if [ "$got" = "$2" ] && [ ! -s "$tmp/err" ]; then ok "$1"; else bad "$1: got '$got', want '$2'"; cat "$tmp/err"; fi
}
expect "dhcpcd: type 1 but lo and a bridge port" "br0 eth0 wlan0 " zsv_instances_dhcpcd

mkdir -p "$sys/class/tty/console" "$sys/class/tty/tty0"
echo "tty0 ttyS0" >"$sys/class/tty/console/active"
echo tty3 >"$sys/class/tty/tty0/active"
expect "getty: tty0 is tty1 whatever VT is active now, ttyS0 stays" "tty1 ttyS0 " zsv_instances_getty
echo "tty0 ttyS0 tty1 hvc0" >"$sys/class/tty/console/active"
expect "getty: tty1 once, hvc0 as it is" "tty1 ttyS0 hvc0 " zsv_instances_getty
rm "$sys/class/tty/console/active"
expect "getty: no consoles, no instances" "" zsv_instances_getty

# zsvgen on the same tree: the first run asks zsh (and learns the function is the
# library's), the next ones list natively; each change is then also checked with
# the listing left to zsh again (.zsv-generators removed): both plan the same.
sv=$tmp/service
export ZSV_CACHE_DIR=$tmp/cache
printf 'zsv_sysfs=%q\nzsv_logroot=%q\n' "$sys" "$tmp/log" >"$tmp/zsvrc"
printf 'dhcpcd.*::run=( true )\n' >"$tmp/svtab"
zsv() { timeout 60 "$zsvgen" -f "$tmp/svtab" -s "$sv" -c "$tmp/zsvrc" -L "$lib" "$@" >"$tmp/out" 2>&1; }
tree() { (cd "$sv" && echo dhcpcd.*); }
zsv
[ "$(tree)" = "dhcpcd.br0 dhcpcd.eth0 dhcpcd.wlan0" ] && ok "zsh: three instances" || bad "zsh: $(tree)"
grep -qx "native dhcpcd $sys" "$sv/.zsv-generators" && ok "the library's own function: native from now on" ||
	bad "no native line in .zsv-generators"
agree() {  # WHAT WANT: a native run gives WANT; then zsh, planning the same, changes nothing
	zsv
	if [ "$(tree)" = "$2" ]; then ok "native: $1"; else bad "native: $1: $(tree)"; cat "$tmp/out"; fi
	rm -f "$sv/.zsv-generators"
	zsv -n
	if [ ! -s "$tmp/out" ]; then ok "zsh agrees: $1"; else bad "zsh disagrees: $1:"; cat "$tmp/out"; fi
	zsv  # zsh again, storing the native line back
}
agree "nothing changed" "dhcpcd.br0 dhcpcd.eth0 dhcpcd.wlan0"
iface usb0 1
agree "usb0 added" "dhcpcd.br0 dhcpcd.eth0 dhcpcd.usb0 dhcpcd.wlan0"
ln -s ../br0 "$sys/class/net/usb0/master"
agree "usb0 enslaved" "dhcpcd.br0 dhcpcd.eth0 dhcpcd.wlan0"
echo 776 >"$sys/class/net/eth0/type"
agree "eth0 of another type" "dhcpcd.br0 dhcpcd.wlan0"

# A boot: the tree is gone (/run is tmpfs), the boot cache stays: the listing is
# still zsvgen's own, no zsh lists the interfaces.
rm -rf "$sv"
if command -v strace >/dev/null; then
	timeout 60 strace -f -qq -e trace=execve -o "$tmp/trace" \
		"$zsvgen" -f "$tmp/svtab" -s "$sv" -c "$tmp/zsvrc" -L "$lib" >"$tmp/out" 2>&1
	[ "$(tree)" = "dhcpcd.br0 dhcpcd.wlan0" ] && ok "boot: the instances are back" || bad "boot: $(tree)"
	if grep -q zsv_generate "$tmp/trace"; then bad "boot: a zsh listed the interfaces"; else ok "boot: listed natively (boot cache)"; fi
	grep -qx "native dhcpcd $sys" "$sv/.zsv-generators" && ok "boot: .zsv-generators back in the tree" ||
		bad "boot: no .zsv-generators in the new tree"
else
	echo "skip - strace is not installed: the boot case"
fi

rm -rf "$sys/class/net"
agree "no interfaces at all" "dhcpcd.*"
exit $fail
