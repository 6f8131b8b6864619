#!/bin/bash
# test_stop.sh: stops that always finish (SPEC §6), under a real runsvdir, with
# --stop-grace 2:
#  - every service runs in a process group of its own (its run re-execs through chpst -P);
#  - a service that ignores TERM and has a helper child (which ignores it too) is gone,
#    helper and all, after its removal and after its condition drops;
#  - a service that drops the first TERM (as dhcpcd does during carrier loss) stops on
#    the repeated one, with no KILL;
#  - several TERM-ignoring services removed in one run are stopped together: the first
#    TERM each receives is within one grace of the others' (one after another, they
#    would be a grace apart), and each gets TERM more than once;
#  - a service whose TERM handler runs zsvgen (a hook) while zsvgen stops it: the run
#    ends, and no zsvgen is left.
. "$(dirname "$0")/lib.sh"

GRACE=2
# stubborn TAG: ignores TERM (so does every child: an ignored signal stays ignored) and
# keeps a helper "$SLEEP TAG" beside its loop.
stubborn() { echo "run=(sh -c \"trap '' TERM; $SLEEP $1 & while :; do $SLEEP 1; done\")"; }
# counting NAME: logs the time of every TERM to $T/terms.NAME and carries on.
counting() { echo "run=(sh -c \"trap 'date +%s%N >>$T/terms.$1' TERM; while :; do $SLEEP 1; done\")"; }
# twice NAME: drops the first TERM, exits on the second.
twice() { echo "run=(sh -c \"n=0; trap 'n=\\\$((n+1)); echo \\\$n >>$T/terms.$1; [ \\\$n -ge 2 ] && exit 0' TERM; while :; do $SLEEP 0.2; done\")"; }

write_svtab() {
	{
		echo "keep::run=($SLEEP 4300)"
		[ "${1:-}" = all ] && {
			echo "rm1::$(stubborn 4301)"
			echo "drop::checkf=\"zsv_check_file $T/flag\"; $(stubborn 4302)"
			echo "tw::checkf=\"zsv_check_file $T/flag\"; $(twice tw)"
			for i in 1 2 3 4; do echo "par$i::$(counting par$i)"; done
		}
	} >"$T/svtab"
}
touch "$T/flag"
write_svtab all
zsv --stop-grace $GRACE
expect_rc 0 "build the services"
start_runsvdir
all="keep rm1 drop tw par1 par2 par3 par4"
for n in $all; do check "$n runs (15 s)" wait_until 15 running "$SV/$n"; done
# Once the run script has exec'd its command (the chpst re-exec is done).
execd() { { tr '\0' ' ' </proc/"$(svc_pid "$SV/$1")"/cmdline; } 2>/dev/null | grep -q "$2"; }
# gone PID: no such process, or a zombie (an orphan waits for init to reap it).
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
for n in rm1 drop tw par1 par2 par3 par4; do check "$n has exec'd its command (15 s)" wait_until 15 execd $n "sh -c"; done
check "keep has exec'd its command (15 s)" wait_until 15 execd keep "$SLEEP 4300"
helper_of() { pgrep -f "^$SLEEP $1\$"; }
for n in $all; do
	p=$(svc_pid "$SV/$n")
	check "$n leads its own process group ($p)" test "$(ps -o pgid= -p "$p" | tr -d ' ')" = "$p"
done
declare -A pid
for n in $all; do pid[$n]=$(svc_pid "$SV/$n"); done
h1=$(helper_of 4301) h2=$(helper_of 4302)
check "rm1's and drop's helpers run ($h1, $h2)" test -n "$h1" -a -n "$h2"

note "condition drop: drop (ignores TERM) and tw (drops the first TERM)"
rm "$T/flag"
zsv --stop-grace $GRACE
expect_rc 0 "the run after the condition dropped"
check "drop is down" stopped "$SV/drop"
check "drop's process ${pid[drop]} is gone" gone "${pid[drop]}"
check "drop's helper $h2 is gone" gone "$h2"
check "tw is down" stopped "$SV/tw"
check "tw got two TERMs and stopped on the second" test "$(cat "$T/terms.tw" 2>/dev/null | tr '\n' ' ')" = "1 2 "
check "keep still runs as ${pid[keep]}" test "$(svc_pid "$SV/keep")" = "${pid[keep]}"

note "removal of rm1 and par1..par4 (all ignore TERM) in one run"
write_svtab
zsv --stop-grace $GRACE
expect_rc 0 "the removing run"
check "rm1's process ${pid[rm1]} is gone" gone "${pid[rm1]}"
check "rm1's helper $h1 is gone" gone "$h1"
for n in rm1 par1 par2 par3 par4 drop tw; do check "$n's directory is gone" test ! -e "$SV/$n"; done
firsts=()
for i in 1 2 3 4; do
	check "par$i's process ${pid[par$i]} is gone" gone "${pid[par$i]}"
	n=$(wc -l <"$T/terms.par$i" 2>/dev/null || echo 0)
	check "par$i got TERM more than once ($n)" test "$n" -ge 2
	firsts+=("$(head -1 "$T/terms.par$i" 2>/dev/null || echo 0)")
done
spread=$(printf '%s\n' "${firsts[@]}" | sort -n | awk 'NR==1{a=$1} {b=$1} END{print int((b-a)/1000000)}')
check "the four got their first TERM within one grace of each other (${spread} ms)" test "$spread" -lt $((GRACE * 1000))
check "no helper of the test's services is left" test -z "$(pgrep -f "^$SLEEP 430[12]\$")"

note "a service whose TERM handler runs zsvgen, as dhcpcd's hooks do"
hookcmd="$ZSVGEN -q -f $T/svtab -s $SV -c $T/zsvrc -L $ZSV_LIB --lock-timeout 60"
{ echo "keep::run=($SLEEP 4300)"; echo "hooked::run=(sh -c \"trap '$hookcmd' TERM; while :; do $SLEEP 1; done\")"; } >"$T/svtab"
zsv --stop-grace $GRACE
check "hooked runs (15 s)" wait_until 15 execd hooked "sh -c"
hp=$(svc_pid "$SV/hooked")
write_svtab
zsv --stop-grace $GRACE
expect_rc 0 "removing hooked ends (its hook's zsvgen waits for our lock)"
check "hooked's process $hp is gone" gone "$hp"
no_hook_zsvgen() { [ -z "$(pgrep -f "^$ZSVGEN -q -f $T/svtab")" ]; }
check "its hook's zsvgen is gone with it (5 s)" wait_until 5 no_hook_zsvgen
check "keep still runs as ${pid[keep]}" test "$(svc_pid "$SV/keep")" = "${pid[keep]}"

finish
