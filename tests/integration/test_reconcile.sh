#!/bin/bash
# test_reconcile.sh: zsvgen on a live tree under a real runsvdir (SPEC §6).
#  - unchanged services keep their pids across runs;
#  - an edited entry restarts only its own service; an edit of its logger only
#    restarts the logger; an edited service that is down stays down;
#  - a new service that must not run (condition false, or M) never starts, not
#    even for a moment, under a running runsvdir;
#  - a service removed from svtab is stopped and its directory removed, even one
#    whose run ignores TERM (it gets KILL);
#  - condition edges start and stop a service; an administrator's `sv down`
#    survives re-runs while the condition stays true;
#  - M services are never started (nor stopped);
#  - a log added or removed (flag N) restarts the service's runsv;
#  - a foreign directory and a symlink in the service directory are left alone, and a
#    svtab entry naming the foreign directory fails (exit 3);
#  - an entry whose code fails leaves its live service as it was (exit 3).
. "$(dirname "$0")/lib.sh"

# The svtab, from parts that the steps below edit.
edit_arg=200004
cond_arg=200005
c_code=
log_flags=
extra=
extra2=
bad_b=
write_svtab() {
	{
		echo "r_a::run=($SLEEP 200001)"
		if [ -n "$bad_b" ]; then echo "r_b::run=($SLEEP 200002); $bad_b"; else echo "r_b::run=($SLEEP 200002)"; fi
		echo "r_c::run=($SLEEP 200003); checkf=zsv_check_true$c_code"
		echo "r_edit::run=($SLEEP $edit_arg)"
		echo "r_cond::run=($SLEEP $cond_arg); checkf=\"zsv_check_file $T/flag\""
		echo "r_admin::run=($SLEEP 200006); checkf=\"zsv_check_file $T/flag2\""
		echo "r_manual:M:run=($SLEEP 200007)"
		echo "r_log:$log_flags:run=($SLEEP 200008)"
		printf '%s\n' "$extra" "$extra2"
	} >"$T/svtab"
}
steady="r_a r_b r_c"
declare -A pid
remember() { local n; for n; do pid[$n]=$(svc_pid "$SV/$n"); done; }
# same_pids WHAT NAME...: each NAME still runs under the pid remembered for it.
same_pids() {
	local what=$1 n now bad_ones=; shift
	for n; do
		now=$(svc_pid "$SV/$n")
		[ "$now" = "${pid[$n]}" ] && [ "$now" != 0 ] && pid_alive "$now" || bad_ones+=" $n(${pid[$n]}->$now)"
	done
	if [ -z "$bad_ones" ]; then ok "$what: $* keep their pids"; else bad "$what: pids changed:$bad_ones"; fi
}
pid_is_not() { local now; now=$(svc_pid "$1"); [ "$now" != 0 ] && [ "$now" != "$2" ] && pid_alive "$now"; }

note "setup: a running tree"
extra="r_gone::run=($SLEEP 200009)
r_stubborn:N:run=(sh -c \"trap '' TERM; while :; do $SLEEP 1; done\")"
touch "$T/flag2"
write_svtab
zsv
expect_rc 0 "first run"
start_runsvdir
for n in $steady r_edit r_admin r_log r_gone r_stubborn; do
	check "$n runs" wait_until 15 running "$SV/$n"
done
for n in r_cond r_manual; do check "$n is supervised and down" wait_until 15 stopped "$SV/$n"; done
remember $steady r_edit r_admin r_log r_gone r_stubborn

note "a re-run with nothing edited"
zsv
expect_rc 0 "re-run"
check "it reports nothing" test ! -s "$T/out"
sleep 1
same_pids "re-run" $steady r_edit r_admin r_log r_gone r_stubborn

note "one entry edited"
edit_ino=$(stat -c %i "$SV/r_edit")
edit_arg=200014
write_svtab
zsv
expect_rc 0 "run after editing r_edit"
check "r_edit reported as restarted" grep -q "r_edit restarted" "$T/out"
check "no other service reported" eval '! grep -v r_edit "$T/out" | grep -Eq "^([-+~=]|↑|↓) "'
check "r_edit's directory is the same (inode), not re-created" test "$(stat -c %i "$SV/r_edit")" = "$edit_ino"
check "r_edit runs under a new pid (15 s)" wait_until 15 pid_is_not "$SV/r_edit" "${pid[r_edit]}"
check "r_edit now runs the new command" grep -qs 200014 "/proc/$(svc_pid "$SV/r_edit")/cmdline"
check "r_edit's old process is gone" wait_until 10 pid_gone "${pid[r_edit]}"
same_pids "after the edit" $steady r_admin r_log r_gone r_stubborn
remember r_edit

note "an edit of a logger only"
check "r_c's logger runs" running "$SV/r_c/log"
c_logger=$(svc_pid "$SV/r_c/log")
c_code="; zsv_logroot=$T/log2"
write_svtab
zsv
expect_rc 0 "run after changing only r_c's log root"
check "r_c/log/run changed" grep -q "$T/log2" "$SV/r_c/log/run"
check_not "r_c/run did not" grep -q "$T/log2" "$SV/r_c/run"
check "r_c's logger was restarted (15 s)" wait_until 15 pid_is_not "$SV/r_c/log" "$c_logger"
check "the new logger writes into the new root" wait_until 10 test -d "$T/log2/r_c"
sleep 1
same_pids "logger edit" r_c r_a r_b r_edit

note "new services that must not run never start"
for n in n_down n_manual n_up; do rm -f "$T/ran.$n"; done
extra2="n_down::run=(sh -c \"touch $T/ran.n_down; exec $SLEEP 200020\"); checkf=zsv_check_false
n_manual:M:run=(sh -c \"touch $T/ran.n_manual; exec $SLEEP 200021\")
n_up::run=(sh -c \"touch $T/ran.n_up; exec $SLEEP 200022\")"
write_svtab
zsv
expect_rc 0 "run adding n_down, n_manual and n_up"
check "n_up runs (15 s)" wait_until 15 running "$SV/n_up"
check "n_up's run left its mark (the marks work)" wait_until 5 test -e "$T/ran.n_up"
check "n_down is supervised (15 s)" wait_until 15 stopped "$SV/n_down"
check "n_manual is supervised (15 s)" wait_until 15 stopped "$SV/n_manual"
check "n_down never ran" test ! -e "$T/ran.n_down"
check "n_manual never ran" test ! -e "$T/ran.n_manual"
extra2=
write_svtab
zsv
expect_rc 0 "run removing them again"
check "n_down, n_manual, n_up removed" test ! -e "$SV/n_down" -a ! -e "$SV/n_manual" -a ! -e "$SV/n_up"
same_pids "new services" $steady r_edit r_admin r_log r_gone r_stubborn

note "services removed from svtab (r_stubborn ignores TERM)"
stubborn_runsv=$(runsv_pid "$SV/r_stubborn")
gone_runsv=$(runsv_pid "$SV/r_gone")
ignores_term() { local m; m=$(awk '/^SigIgn/ { print $2 }' "/proc/$1/status" 2>/dev/null); [ -n "$m" ] && (( 0x$m & 0x4000 )); }
check "r_stubborn really ignores TERM" ignores_term "${pid[r_stubborn]}"
extra=
write_svtab
zsv
expect_rc 0 "run without r_gone and r_stubborn"
check "reported: - r_gone" grep -qx -- "- r_gone" "$T/out"
check "reported: - r_stubborn" grep -qx -- "- r_stubborn" "$T/out"
for n in r_gone r_stubborn; do
	check "$n: directory removed" test ! -e "$SV/$n"
	check "$n: no dot-directory left" test -z "$(find "$SV" -maxdepth 1 -name ".$n*")"
	check "$n: its process ${pid[$n]} is gone" wait_until 10 pid_gone "${pid[$n]}"
done
check "r_gone's runsv is gone" wait_until 10 pid_gone "$gone_runsv"
in_removed() { local p; for p in $(test_procs); do case $(readlink "/proc/$p/cwd") in "$SV"/*r_gone* | "$SV"/*r_stubborn*) return 0 ;; esac; done; return 1; }
check "no process left in a removed service's directory (logger included)" wait_until 10 eval '! in_removed'

check "r_stubborn's runsv is gone" wait_until 10 pid_gone "$stubborn_runsv"
same_pids "after removals" $steady r_edit r_admin r_log

note "condition flip: zsv_check_file $T/flag"
check "r_cond is down while the flag is missing" stopped "$SV/r_cond"
check "r_cond has down" test -e "$SV/r_cond/down"
touch "$T/flag"
zsv
expect_rc 0 "run after creating the flag"
check "reported: r_cond up" grep -q "r_cond (condition true)" "$T/out"
check "r_cond runs (15 s)" wait_until 15 running "$SV/r_cond"
check "r_cond has no down" test ! -e "$SV/r_cond/down"
check "r_cond: zsv/want is up" grep -qx up "$SV/r_cond/zsv/want"
remember r_cond
zsv
expect_rc 0 "re-run, flag still there"
sleep 1
same_pids "condition still true" r_cond
rm "$T/flag"
zsv
expect_rc 0 "run after removing the flag"
check "reported: r_cond down" grep -q "r_cond (condition false)" "$T/out"
check "r_cond is down (15 s)" wait_until 15 stopped "$SV/r_cond"
check "r_cond's process is gone" wait_until 10 pid_gone "${pid[r_cond]}"
check "r_cond has down" test -e "$SV/r_cond/down"
check "r_cond: zsv/want is down" grep -qx down "$SV/r_cond/zsv/want"
cond_arg=200015
write_svtab
zsv
expect_rc 0 "run after editing r_cond while it is down"
check "r_cond/run was rewritten" grep -q 200015 "$SV/r_cond/run"
sleep 1
check "r_cond stays down after the edit" stopped "$SV/r_cond"
same_pids "after the flips" $steady r_edit r_admin r_log

note "an administrator's sv down survives re-runs"
sv down "$SV/r_admin" >/dev/null
check "sv down stopped r_admin" wait_until 10 stopped "$SV/r_admin"
zsv
expect_rc 0 "re-run, r_admin's condition still true"
zsv
expect_rc 0 "and again"
sleep 1
check "r_admin is still down" stopped "$SV/r_admin"
check "runsv still wants r_admin down" test "$(svc_want "$SV/r_admin")" = d
rm "$T/flag2"
zsv
expect_rc 0 "r_admin's condition false"
touch "$T/flag2"
zsv
expect_rc 0 "r_admin's condition true again"
check "a change of its condition starts r_admin again (15 s)" wait_until 15 running "$SV/r_admin"
remember r_admin

note "M services are never started nor stopped"
check "r_manual has down" test -e "$SV/r_manual/down"
check "r_manual has never run" stopped "$SV/r_manual"
sv up "$SV/r_manual" >/dev/null
check "the administrator starts r_manual" wait_until 10 running "$SV/r_manual"
remember r_manual
zsv
expect_rc 0 "re-run with r_manual up by hand"
sleep 1
same_pids "M left alone" r_manual
sv down "$SV/r_manual" >/dev/null
check "the administrator stops r_manual" wait_until 10 stopped "$SV/r_manual"
zsv
expect_rc 0 "re-run with r_manual down by hand"
sleep 1
check "r_manual stays down" stopped "$SV/r_manual"

note "a log removed (N) and added back"
check "r_log's logger runs" running "$SV/r_log/log"
log_runsv=$(runsv_pid "$SV/r_log")
log_lines=$(wc -l <"$T/runsvdir.log")
log_ino=$(stat -c %i "$SV/r_log")
log_flags=N
write_svtab
zsv
expect_rc 0 "run with r_log:N"
check "r_log/log is gone" test ! -e "$SV/r_log/log"
check "r_log's directory is the same (inode)" test "$(stat -c %i "$SV/r_log")" = "$log_ino"
in_log() { local p; for p in $(test_procs); do [ "$(readlink "/proc/$p/cwd")" = "$SV/r_log/log" ] && return 0; done; return 1; }
check "r_log's runsv was replaced (15 s)" wait_until 15 eval '[ -n "$(runsv_pid "$SV/r_log")" ] && [ "$(runsv_pid "$SV/r_log")" != "$log_runsv" ]'
check "r_log runs under the new runsv (15 s)" wait_until 15 running "$SV/r_log"
check "r_log's run now sends output to /dev/null" grep -q '/dev/null' "$SV/r_log/run"
check "no logger of r_log is left (10 s)" wait_until 10 eval '! in_log'
check "runsv does not complain about r_log's log" eval '! tail -n +$((log_lines + 1)) "$T/runsvdir.log" | grep "^runsv r_log:"'
log_runsv=$(runsv_pid "$SV/r_log")
log_flags=
write_svtab
zsv
expect_rc 0 "run with r_log's log back"
check "r_log/log/run is back" test -x "$SV/r_log/log/run"
check "r_log's logger runs (15 s)" wait_until 15 running "$SV/r_log/log"
check "r_log's runsv was replaced again" test "$(runsv_pid "$SV/r_log")" != "$log_runsv"
check "r_log runs (15 s)" wait_until 15 running "$SV/r_log"
check "r_log's logger gets a log directory" wait_until 10 test -d "$T/log/r_log"
same_pids "after the log changes" $steady r_edit r_admin

note "a foreign directory and a symlink are left alone"
mkdir -p "$SV/.foreign.tmp" "$T/elsewhere/zsv"
printf '#!/bin/sh\nexec %s 200010\n' "$SLEEP" >"$SV/.foreign.tmp/run"
printf '#!/bin/sh\nexec %s 200011\n' "$SLEEP" >"$T/elsewhere/run"
chmod +x "$SV/.foreign.tmp/run" "$T/elsewhere/run"
echo "$T/elsewhere:1" >"$T/elsewhere/zsv/source"
mv "$SV/.foreign.tmp" "$SV/foreign"
ln -s "$T/elsewhere" "$SV/linked"
check "runsvdir runs the foreign service (15 s)" wait_until 15 running "$SV/foreign"
check "runsvdir runs the linked service (15 s)" wait_until 15 running "$SV/linked"
remember foreign linked
snapshot "$SV/foreign" >"$T/foreign.before"
snapshot "$T/elsewhere" >"$T/elsewhere.before"
zsv
expect_rc 0 "run with a foreign directory and a symlink not in svtab"
check "the foreign directory is still there" test -d "$SV/foreign" -a ! -L "$SV/foreign"
check "the symlink is still there" test -L "$SV/linked"
check "foreign/ is unchanged" eval 'snapshot "$SV/foreign" | cmp -s - "$T/foreign.before"'
check "the symlink's target is unchanged" eval 'snapshot "$T/elsewhere" | cmp -s - "$T/elsewhere.before"'
extra="foreign::run=($SLEEP 200012)
linked::run=($SLEEP 200013)"
write_svtab
zsv
expect_rc 3 "svtab entries named like the foreign directory and the symlink"
check "an error names foreign" grep -Eq "^$T/svtab:[0-9]+:[0-9]+: error:.*foreign" "$T/err"
check "an error names linked" grep -Eq "^$T/svtab:[0-9]+:[0-9]+: error:.*linked" "$T/err"
check "foreign/ is still unchanged" eval 'snapshot "$SV/foreign" | cmp -s - "$T/foreign.before"'
check "the symlink's target is still unchanged" eval 'snapshot "$T/elsewhere" | cmp -s - "$T/elsewhere.before"'
check "the symlink is still a symlink" test -L "$SV/linked"
sleep 1
same_pids "foreign services" foreign linked
same_pids "zsv's own services" $steady r_edit r_admin

note "an entry whose code fails is left as it was"
snapshot "$SV/r_b" >"$T/r_b.before"
extra=
bad_b='run=(/nonexistent 1); false'
write_svtab
zsv
expect_rc 3 "run with r_b's code failing"
check "the error cites r_b's svtab line" grep -Eq "^$T/svtab:2:[0-9]+: error:.*r_b" "$T/err"
check "r_b's files are unchanged" eval 'snapshot "$SV/r_b" | cmp -s - "$T/r_b.before"'
bad_b='run=( $SLEEP'
write_svtab
zsv
expect_rc 3 "run with a syntax error in r_b's code"
check "r_b's files are still unchanged" eval 'snapshot "$SV/r_b" | cmp -s - "$T/r_b.before"'
sleep 1
same_pids "failed entry" r_b
same_pids "the others" r_a r_c r_edit r_admin
check "foreign entries no longer in svtab: foreign/ still there" test -d "$SV/foreign"

if [ -s "$T/runsvdir.log" ]; then bad "runsv complained during the test:"; sed 's/^/  | /' "$T/runsvdir.log" | head -20
else ok "runsv never complained (runsvdir's output is empty)"; fi
finish
