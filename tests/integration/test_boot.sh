#!/bin/bash
# test_boot.sh: the boot case (SPEC §5, §6, §7): zsvgen runs before runsvdir.
#  1. the seed's example svtab compiles into an empty directory: one complete
#     service directory per entry, `down` exactly for the M entries;
#  2. a svtab with an error: exit 1, FILE:LINE:COL: error:, and the tree is
#     unchanged to the byte, timestamp and inode;
#  3. a second run with nothing edited writes nothing (mtimes, ctimes, inodes);
#  4. runsvdir started on a freshly compiled tree runs exactly the services whose
#     condition holds; the others stay down (they carry `down`, no pid);
#  5. a reboot: runsvdir gone but supervise/ left with its FIFOs, conditions changed:
#     zsvgen does not block on a FIFO nobody reads, the `down` files carry the new
#     state, and the next runsvdir follows them.
. "$(dirname "$0")/lib.sh"

note "1. the seed's svtab (seeds/004) into an empty directory"
svtab <<'EOF'
syslog-ng
sshd
openntpd
vixie-cron
netplugd
wpa_supplicant.wlan0:M
wpa_cli.wlan0:M
dhcpcd.wlan0
dhcpcd.eth0
example_echo::checkf=zsv_check_route; run=( tcpserver 0.0.0.0 1234 cat )
EOF
names="syslog-ng sshd openntpd vixie-cron netplugd wpa_supplicant.wlan0 wpa_cli.wlan0 dhcpcd.wlan0 dhcpcd.eth0 example_echo"
mkdir -p "$SV"
zsv
expect_rc 0 "zsvgen compiles the seed's svtab"
for n in $names; do
	d=$SV/$n
	missing=
	for f in run log/run zsv/check; do
		[ -f "$d/$f" ] && [ -x "$d/$f" ] && [ -s "$d/$f" ] || missing+=" $f"
	done
	[ -d "$d/zsv" ] || missing+=" zsv/"
	if [ -z "$missing" ]; then ok "$n: executable run, log/run, zsv/check"; else bad "$n: missing or not executable:$missing"; fi
	case $n in
	wpa_supplicant.wlan0 | wpa_cli.wlan0)
		check "$n (M) has down" test -e "$d/down"
		check "$n (M): zsv/want is manual" grep -qx manual "$d/zsv/want" ;;
	esac
done
count=$(find "$SV" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
check "exactly one directory per entry (found $count)" test "$count" = 10
check "no dot-directories left (staging)" test -z "$(find "$SV" -mindepth 1 -maxdepth 1 -name '.*' ! -name .zsv.lock ! -name .zsv-settings)"
check "no supervise/ written by zsvgen" test -z "$(find "$SV" -name supervise)"
check "no runit ./check written" test -z "$(find "$SV" -mindepth 2 -maxdepth 2 -name check)"
check "dhcpcd.eth0/run runs dhcpcd on eth0" grep -Eq "dhcpcd.*eth0" "$SV/dhcpcd.eth0/run"
check_not "dhcpcd.eth0/run does not mention wlan0" grep -q wlan0 "$SV/dhcpcd.eth0/run"
check "dhcpcd.wlan0/run runs dhcpcd on wlan0" grep -Eq "dhcpcd.*wlan0" "$SV/dhcpcd.wlan0/run"
check "example_echo/run runs tcpserver 0.0.0.0 1234 cat" \
	grep -Eq "tcpserver'? '?0\.0\.0\.0'? '?1234'? '?cat" "$SV/example_echo/run"
check "example_echo/zsv/check uses zsv_check_route" grep -q zsv_check_route "$SV/example_echo/zsv/check"
check "every run script execs (runs in the foreground)" \
	test -z "$(for n in $names; do grep -q exec "$SV/$n/run" || echo "$n"; done)"
check "syntax of every rendered script (zsh -n)" \
	test -z "$(for f in "$SV"/*/run "$SV"/*/log/run "$SV"/*/zsv/check; do zsh -n "$f" 2>/dev/null || echo "$f"; done)"

note "2. a svtab with an error changes nothing"
snapshot "$SV" >"$T/snap.before"
cp "$T/svtab" "$T/svtab.good"
svtab <<'EOF'
syslog-ng
sshd:Q
openntpd
EOF
sleep 1.1 # so that any rewrite would show in the timestamps
zsv
expect_rc 1 "a svtab with an unknown flag"
check "stderr has FILE:LINE:COL: error:" grep -Eq "^$T/svtab:2:[0-9]+: error:" "$T/err"
snapshot "$SV" >"$T/snap.after"
if cmp -s "$T/snap.before" "$T/snap.after"; then ok "tree unchanged (bytes, mtimes, ctimes, inodes)"
else bad "tree changed by a failing svtab"; diff "$T/snap.before" "$T/snap.after" | head -20; fi

printf 'ok\n\tcontinuation\nbad name:\n' >"$T/svtab"
zsv
expect_rc 1 "a svtab with a bad name"
check "stderr has FILE:LINE:COL: error: for line 3" grep -Eq "^$T/svtab:3:[0-9]+: error:" "$T/err"
snapshot "$SV" >"$T/snap.after"
check "tree unchanged again" cmp -s "$T/snap.before" "$T/snap.after"

note "3. a second run with nothing edited writes nothing"
cp "$T/svtab.good" "$T/svtab"
zsv
expect_rc 0 "re-run with nothing edited"
check "nothing printed" test ! -s "$T/out"
snapshot "$SV" >"$T/snap.after"
if cmp -s "$T/snap.before" "$T/snap.after"; then ok "no file written: same inodes, mtimes, ctimes, contents"
else bad "a re-run with nothing edited changed the tree"; diff "$T/snap.before" "$T/snap.after" | head -20; fi
zsv -v
expect_rc 0 "and a third, verbose"
check "verbose re-run reports no action" eval '! grep -Eq "^([-+~=]|↑|↓) " "$T/out"'
snapshot "$SV" >"$T/snap.after"
check "still unchanged" cmp -s "$T/snap.before" "$T/snap.after"

note "4. runsvdir starts on a freshly compiled tree of test services"
rm -rf "$SV"
touch "$T/bootflag"
svtab <<EOF
# up: the condition holds
t_up1::run=($SLEEP 100001)
t_up2::run=($SLEEP 100002); checkf=zsv_check_true
t_up3:N:run=($SLEEP 100003); checkf=zsv_check_true
t_file::run=($SLEEP 100004); checkf="zsv_check_file $T/bootflag"
# down: it does not
t_down1::run=($SLEEP 100005); checkf=zsv_check_false
t_down2:N:run=($SLEEP 100006); checkf=zsv_check_false
t_down3::run=($SLEEP 100007); checkf="zsv_check_file $T/bootflag2"
t_manual:M:run=($SLEEP 100008)
EOF
zsv
expect_rc 0 "compile the test services into a fresh directory"
for n in t_up1 t_up2 t_up3 t_file; do check "$n has no down" test ! -e "$SV/$n/down"; done
for n in t_down1 t_down2 t_down3 t_manual; do check "$n has down" test -e "$SV/$n/down"; done
start_runsvdir
all_supervised() { local d; for d in "$SV"/t_*; do supervised "$d" && [ -f "$d/supervise/status" ] || return 1; done; }
check "runsvdir supervises every service (15 s)" wait_until 15 all_supervised
for n in t_up1 t_up2 t_up3 t_file; do
	check "$n runs" wait_until 15 running "$SV/$n"
	p=$(svc_pid "$SV/$n")
	# runsv reports the pid once it has forked; the run script then execs sleep.
	check "$n: its pid $p is our sleep" wait_until 5 grep -qs "$T/bin/sleep" "/proc/$p/cmdline"
done
check "t_up1's logger runs" wait_until 15 running "$SV/t_up1/log"
check "t_up3 (N) has no log/" test ! -e "$SV/t_up3/log"
for n in t_down1 t_down2 t_down3 t_manual; do
	check "$n is supervised but has no pid" stopped "$SV/$n"
	check "$n: runsv wants it down" test "$(svc_want "$SV/$n")" = d
done
zsv
expect_rc 0 "a re-run under runsvdir"
check "nothing to do" test ! -s "$T/out"
sleep 1
for n in t_down1 t_down2 t_down3 t_manual; do check "$n still has no pid" stopped "$SV/$n"; done
for n in t_up1 t_up2 t_up3 t_file; do check "$n still runs" running "$SV/$n"; done

note "5. a reboot with supervise/ left behind, and conditions changed meanwhile"
stop_runsvdir
check "runsvdir and every runsv are gone" no_runsv_procs
check "supervise/control FIFOs are left" test -p "$SV/t_up1/supervise/control"
rm "$T/bootflag"
touch "$T/bootflag2"
zsv
expect_rc 0 "zsvgen with nobody reading the FIFOs (not blocked: bounded by timeout)"
check "t_file (condition now false) got down" test -e "$SV/t_file/down"
check "t_down3 (condition now true) lost down" test ! -e "$SV/t_down3/down"
check "t_down3: zsv/want is up" grep -qx up "$SV/t_down3/zsv/want"
start_runsvdir
check "runsvdir supervises every service again (15 s)" wait_until 15 all_supervised
for n in t_up1 t_up2 t_up3 t_down3; do check "$n runs" wait_until 15 running "$SV/$n"; done
for n in t_down1 t_down2 t_file t_manual; do check "$n stays down" stopped "$SV/$n"; done

finish
