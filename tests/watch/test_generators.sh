#!/bin/bash
# test_generators.sh: generators (SPEC §4) under a real runsvdir, in a network
# namespace of the test's own whose veth interfaces are the machine's state
# (their peers live in a second namespace, so each veth added is one interface):
#   dhcpcd.* with zv0, zv1 → two services running, each an instance (zsv/generator);
#   zv2 added → a third on the next run, which starts no zsh (zsvgen lists the
#   library's interfaces itself), and the zsh listing agrees; zv1 deleted → its
#   service removed; an explicit dhcpcd.zv0:M wins over the instance;
#   zsvwatch alone: zv3 added → dhcpcd.zv3 runs, deleted → it goes;
#   the library's own dhcpcd run function rendered for an instance (dry run);
#   --dry-run and --lint handle generators; --why and --status know instances;
#   hostile: a zsvrc generator printing ../x, a/b, an empty line, a name over 64
#   bytes and duplicates (errors at its line, the rest proceed); one that hangs
#   (bounded by zsv_check_timeout, killed whole) and one that fails keep their
#   instances; a missing zsv_instances_PREFIX is an error at the generator's line.
export TEST_TAG=g
# shellcheck source=lib_watch.sh
. "$(dirname "$0")/lib_watch.sh"

NS2=$NS-peer
trap 'ip netns del "$NS" 2>/dev/null; ip netns del "$NS2" 2>/dev/null; cleanup' EXIT
ip netns add "$NS2" || { echo "FAIL - ip netns add $NS2"; exit 1; }
ip -n "$NS" link del veth0  # the harness's pair: this test's interfaces are its own

# addv NAME: a veth NAME in $NS, up with carrier (its peer, up, in $NS2).
addv() {
	ip -n "$NS" link add "$1" type veth peer name "p-$1" netns "$NS2" &&
		ip -n "$NS2" link set "p-$1" up && ip -n "$NS" link set "$1" up
}
delv() { ip -n "$NS" link del "$1"; }
# nszsv ARGS...: zsv (lib.sh) inside the namespace, where sysfs shows its links.
nszsv() {
	timeout -k 5 "${BOUND:-120}" ip netns exec "$NS" "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" "$@" \
		>"$T/out" 2>"$T/err"
	rc=$?
}
instances() { (cd "$SV" && ls -d dhcpcd.* 2>/dev/null | tr '\n' ' '); }
is_instance() { [ "$(cat "$SV/$1/zsv/generator" 2>/dev/null)" = "$2" ]; }
gone() { [ ! -e "$SV/$1" ]; }

mkdir -p "$T/conf"
# The library's run function (it writes dhcpcd's configuration, here under $T) with
# a sleep for dhcpcd, and the library's condition (zsv_check_link IF).
printf 'dhcpcd.*::run=( %q 100000 ); dhcpcd_conf=%q/conf/$zsv_name.conf\n' "$SLEEP" "$T" >"$T/svtab"

addv zv0 && addv zv1 || { echo "FAIL - veth in $NS"; exit 1; }
start_runsvdir_ns

echo "# two veth interfaces → two services"
nszsv
expect_rc 0 "first run"
check "exactly dhcpcd.zv0 and dhcpcd.zv1" [ "$(instances)" = "dhcpcd.zv0 dhcpcd.zv1 " ]
check "zv0 runs" wait_until 20 running "$SV/dhcpcd.zv0"
check "zv1 runs" wait_until 20 running "$SV/dhcpcd.zv1"
check "zv0 is an instance of dhcpcd.* (zsv/generator)" is_instance dhcpcd.zv0 'dhcpcd.*'
check "its zsv/source is the generator's line" grep -qx "$T/svtab:1" "$SV/dhcpcd.zv0/zsv/source"
check "its run is the library's dhcpcd run function, for its interface" grep -q '^zsv_run_dhcpcd' "$SV/dhcpcd.zv0/run"
check "its condition is the library's, for its interface" grep -qx 'zsv_check_link zv0' "$SV/dhcpcd.zv0/zsv/check"

echo "# a third veth → a third service on the next run"
addv zv2
nszsv
expect_rc 0 "run after zv2 came"
check "+ dhcpcd.zv2 said" grep -q '^+ dhcpcd.zv2' "$T/out"
check "zv2 runs" wait_until 20 running "$SV/dhcpcd.zv2"
echo "# a re-run with the same interfaces starts no zsh: zsvgen lists them itself"
ip netns exec "$NS" strace -f -qq -e trace=execve -o "$T/trace" \
	"$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "no-op re-run"
if grep -q 'execve("[^"]*zsh"' "$T/trace"; then bad "the run started zsh:"; grep execve "$T/trace"; else ok "no zsh in strace -f -e trace=execve"; fi
echo "# the zsh listing agrees with zsvgen's own"
rm -f "$SV/.zsv-generators"
nszsv -v
expect_rc 0 "run with the listing left to zsh"
check "nothing changed" grep -q ' 0 new, 0 changed, 0 restarted, 0 removed' "$T/out"
check "the zsh run found the library's own function again (.zsv-generators)" grep -qx 'native dhcpcd /sys' "$SV/.zsv-generators"
check "still three" [ "$(instances)" = "dhcpcd.zv0 dhcpcd.zv1 dhcpcd.zv2 " ]

echo "# a veth deleted → its service removed"
delv zv1
nszsv
expect_rc 0 "run after zv1 went"
check "- dhcpcd.zv1 said" grep -qx -- '- dhcpcd.zv1' "$T/out"
check "dhcpcd.zv1 is gone" gone dhcpcd.zv1
check "zv0 still runs" running "$SV/dhcpcd.zv0"

echo "# --status and --why know instances"
nszsv --status dhcpcd.zv2
check_not "--status: dhcpcd.zv2 is in svtab (its generator is)" grep -q 'not in svtab' "$T/out"
nszsv --why dhcpcd.zv2
check "--why: instance of dhcpcd.* (svtab:1)" grep -q "instance of dhcpcd.\* ($T/svtab:1)" "$T/out"

echo "# an explicit dhcpcd.zv0:M wins over the instance"
printf 'dhcpcd.zv0:M:run=( %q 200000 ); dhcpcd_conf=%q/conf/x.conf\n' "$SLEEP" "$T" >>"$T/svtab"
nszsv
expect_rc 0 "run with the explicit entry"
check "two services: the entry and dhcpcd.zv2" grep -q '^zsvgen: 2 services:' "$T/out"
check "dhcpcd.zv0 is no instance any more" [ ! -e "$SV/dhcpcd.zv0/zsv/generator" ]
check "its run is the explicit entry's" grep -q 200000 "$SV/dhcpcd.zv0/run"
check "its zsv/source is the explicit line" grep -qx "$T/svtab:2" "$SV/dhcpcd.zv0/zsv/source"
check "M: zsv/want manual" grep -qx manual "$SV/dhcpcd.zv0/zsv/want"
check "dhcpcd.zv2 is still an instance" is_instance dhcpcd.zv2 'dhcpcd.*'
sed -i 2d "$T/svtab"
nszsv
check "the entry removed: zv0 is an instance again" is_instance dhcpcd.zv0 'dhcpcd.*'

echo "# --dry-run and --lint"
addv zv4
nszsv --dry-run
expect_rc 0 "--dry-run"
check "--dry-run plans + dhcpcd.zv4" grep -q '^+ dhcpcd.zv4' "$T/out"
check "--dry-run created nothing" gone dhcpcd.zv4
nszsv --lint
expect_rc 0 "--lint with a generator"
delv zv4
# The library's own run function for an instance, no override: dhcpcd on its interface.
printf 'dhcpcd.*\n' >"$T/svtab.lib"
timeout 60 ip netns exec "$NS" "$ZSVGEN" -n -v -f "$T/svtab.lib" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" >"$T/out" 2>"$T/err"
check "rendered: dhcpcd -B -K ... zv2 in dhcpcd.zv2's run" grep -q "^+typeset -ga run; run=( 'dhcpcd' '-B' '-K' .* 'zv2' )" "$T/out"

echo "# zsvwatch alone: a veth added → its service runs; deleted → it goes"
ip netns exec "$NS" "$ZSVWATCH" -e -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" -g "$T/bin/zsvgen-w" \
	>>"$T/watch.log" 2>&1 &
WPID=$!
check "zsvwatch's start-up run" wait_until 20 runs_above 0
addv zv3
check "dhcpcd.zv3 runs, with no run by hand" wait_until 30 running "$SV/dhcpcd.zv3"
check "it is an instance" is_instance dhcpcd.zv3 'dhcpcd.*'
delv zv3
check "dhcpcd.zv3 is removed" wait_until 30 gone dhcpcd.zv3
kill -TERM "$WPID"
wait "$WPID"
check "zsvwatch ended" pid_gone "$WPID"

echo "# hostile instances: each bad name an error at the generator's line, the rest proceed"
cat >>"$T/zsvrc" <<RC
zsv_check_timeout=2
zsv_instances_h() {
  [[ -e $T/h.fail ]] && { print -u2 "h: cannot list"; return 3 }
  [[ -e $T/h.hang ]] && $SLEEP 4242
  print -rn -- "\$(<$T/h.out)"
}
RC
printf 'h.*::run=( %q 100000 ); checkf=zsv_check_true\n' "$SLEEP" >>"$T/svtab"
long=$(printf 'y%.0s' $(seq 70))
printf 'a\n../x\na/b\n\nb\nb\n%s\na\n' "$long" >"$T/h.out"
nszsv
expect_rc 3 "some instances refused"
check "h.a and h.b, once each" [ "$(cd "$SV" && ls -d h.* | tr '\n' ' ')" = "h.a h.b " ]
check "../x refused at svtab:2:3" grep -q "^$T/svtab:2:3: error: zsv_instances_h printed '../x': instance 'h.../x': '/' is not allowed" "$T/err"
check "a/b refused" grep -q "printed 'a/b': instance 'h.a/b': '/' is not allowed" "$T/err"
check "the long one refused" grep -q "service name is 72 bytes long; at most 64 are allowed" "$T/err"
check "the source line and a caret follow" grep -qx '    \^' "$T/err"
check "nothing outside the tree" [ ! -e "$T/x" ] && [ ! -e "$SV/../x" ] && [ ! -e "$SV/h.a/b" ]
check "h.a runs" wait_until 20 running "$SV/h.a"
check "h.b runs" wait_until 20 running "$SV/h.b"

echo "# a generator that hangs: bounded, its instances kept, its processes killed"
touch "$T/h.hang"
BOUND=20 nszsv  # its own bound, 2 s, not zsvgen's backstop (30 s more)
expect_rc 3 "the hanging generator, within 20 s"
check "it took longer than 2 s, said at its line" grep -q "^$T/svtab:2:3: error: generator 'h.\*': zsv_instances_h took longer than 2 s" "$T/err"
check "its instances kept" grep -q 'its instances are left as they are (h.a, h.b)' "$T/err"
check "h.a still runs" running "$SV/h.a"
check "h.b still there" [ -d "$SV/h.b" ]
not_hung() { ! pgrep -f "$SLEEP 4242" >/dev/null; }
check "the hanging function's sleep was killed with it" wait_until 5 not_hung
rm -f "$T/h.hang"

echo "# a generator that fails: its instances kept, what it said shown"
touch "$T/h.fail"
nszsv
expect_rc 3 "the failing generator"
check "failed with status 3, at its line" grep -q "^$T/svtab:2:3: error: generator 'h.\*': zsv_instances_h failed with status 3" "$T/err"
check "what it said" grep -q 'h: cannot list' "$T/err"
check "h.a and h.b kept" [ -d "$SV/h.a" ] && [ -d "$SV/h.b" ]
check "dhcpcd's instances unaffected" running "$SV/dhcpcd.zv0"
rm -f "$T/h.fail"
printf 'a\n' >"$T/h.out"
nszsv
expect_rc 0 "the generator back, b no more"
check "h.b removed" gone h.b
check "h.a kept running" running "$SV/h.a"

echo "# a generator with no zsv_instances_PREFIX: an error at its line"
printf 'nope.*\n' >>"$T/svtab"
nszsv
expect_rc 3 "nope.*"
check "no function zsv_instances_nope, at svtab:3" grep -q "^$T/svtab:3:6: error: generator 'nope.\*': there is no function zsv_instances_nope" "$T/err"
nszsv --lint
expect_rc 3 "--lint reports it too"

finish
