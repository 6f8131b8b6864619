#!/bin/bash
# test_wpa.sh: wpa_supplicant restarted by zsv is followed by a CONNECTED report.
# wpa_supplicant (-D wired, on a veth: it "associates" at once, wpa_state
# COMPLETED) and the library's wpa_cli.IF run under runsvdir (lib.sh). wpa_cli
# -a reports only the events it sees, and a restarted wpa_supplicant reconnects
# before the new wpa_cli attaches; the library's wpa_cli run reports the state it
# finds once it is attached. So: after zsv restarts wpa_supplicant (its entry
# changed), `zsv_ifupd IF CONNECTED` must follow, with zsvgen run from it.
. "$(dirname "$0")/lib.sh" wpa_supplicant wpa_cli
start_tree
cable_in
ip -n "$NS" link set "$IF" up
printf '%s\n' "ctrl_interface=/run/wpa_supplicant" "ap_scan=0" "network={" "	key_mgmt=NONE" "}" >"$T/wpa.conf"

entries() {
	svtab <<EOF
wpa_supplicant.$IF::run=( wpa_supplicant -D wired -i $IF -c $T/wpa.conf $1 )
wpa_cli.$IF
EOF
}
entries ""
zsv
[ "$rc" = 0 ] && ok "zsvgen built the tree (exit 0)" || { bad "zsvgen exited $rc"; show "$T/out" "$T/err"; }
check "wpa_supplicant runs" wait_until 20 runs "wpa_supplicant.$IF" wpa_supplicant
check "wpa_cli runs" wait_until 20 runs "wpa_cli.$IF" wpa_cli
connected() { grep -qs " zsv_ifupd: $IF CONNECTED$" "$T/zsv.log"; }
check "wpa_cli.$IF reported CONNECTED at start" wait_until 20 connected
check "wpa_supplicant says COMPLETED" inside sh -c "wpa_cli -i $IF status | grep -qx wpa_state=COMPLETED"

echo "# zsv restarts wpa_supplicant: its entry changed"
sleep 1.5   # past wpa_cli's first second, so its report is done
old_cli=$(pid_of "wpa_cli.$IF") old_sup=$(pid_of "wpa_supplicant.$IF")
: >"$T/zsv.log"
entries "-t"
t0=$(now_ms)
zsv
grep -q "wpa_supplicant.$IF restarted" "$T/out" && ok "zsvgen restarted wpa_supplicant.$IF" ||
	{ bad "zsvgen did not restart it (exit $rc)"; show "$T/out" "$T/err"; }
wait_until 10 sh -c "[ \"\$(cat $SV/wpa_supplicant.$IF/supervise/pid)\" != $old_sup ]"
if wait_until 20 connected; then
	note "timing: CONNECTED reported +$(($(now_ms) - t0)) ms after the restart"
	ok "a CONNECTED report followed the restart"
else
	bad "no CONNECTED report within 20 s of the restart"; show "$T/zsv.log" "$T/log/wpa_cli.$IF/current"
fi
note "wpa_cli pid $old_cli -> $(pid_of "wpa_cli.$IF")"
exit $fail
