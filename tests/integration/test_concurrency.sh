#!/bin/bash
# test_concurrency.sh: a burst of simultaneous zsvgen runs (SPEC §6: runs are
# serialized by a lock in the service directory). 30 services under a real
# runsvdir, half of them conditioned on a flag file; the flag is toggled just
# before 20 runs start at once. Every run must exit 0, each edge be acted on by
# exactly one run, and the final tree be right: zsv/want and `down` match each
# condition, runit runs exactly the services that should run, and no dot-directory
# or temp file is left. A second burst also edits, removes and adds entries.
. "$(dirname "$0")/lib.sh"

N=30
BURST=20
# gen_svtab VARIANT: 0 the first svtab; 1 with edits, removals and additions.
gen_svtab() {
	local i n arg flags
	for i in $(seq -w 0 $((N - 1))); do
		n=c_$i
		arg=3000$i
		flags=
		[ $((10#$i % 10)) = 7 ] && flags=N
		if [ "$1" = 1 ]; then
			[ $((10#$i % 6)) = 5 ] && continue  # removed
			[ $((10#$i % 4)) = 0 ] && arg=3100$i  # edited
		fi
		if [ $((10#$i % 2)) = 1 ]; then
			echo "$n:$flags:run=($SLEEP $arg); checkf=\"zsv_check_file $T/flag\""
		elif [ $((10#$i % 10)) = 8 ]; then
			echo "$n:M$flags:run=($SLEEP $arg)"
		else
			echo "$n:$flags:run=($SLEEP $arg)"
		fi
	done
	if [ "$1" = 1 ]; then
		for i in 0 1 2; do echo "c_new$i::run=($SLEEP 320000$i); checkf=\"zsv_check_file $T/flag\""; done
	fi
}
# expected_want NAME: up, down or manual, from the svtab line and the flag now.
expected_want() {
	local line
	line=$(grep "^$1:" "$T/svtab")
	case $line in
	*:M*:*) echo manual ;;
	*zsv_check_file*) if [ -e "$T/flag" ]; then echo up; else echo down; fi ;;
	*) echo up ;;
	esac
}

# burst: BURST zsvgen runs at once; their statuses in $T/burst.N.rc.
burst() {
	local k pids=
	rm -f "$T"/burst.*
	for k in $(seq $BURST); do
		(
			timeout -k 5 120 "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" \
				>"$T/burst.$k.out" 2>"$T/burst.$k.err"
			echo $? >"$T/burst.$k.rc"
		) &
		pids+=" $!"
	done
	wait $pids  # not a bare wait: runsvdir is a child too
}

# verify WHAT: the final state after a burst.
verify() {
	local what=$1 k n w want wrong='' names
	local statuses
	statuses=$(cat "$T"/burst.*.rc | sort | uniq -c | tr -s ' ' | tr '\n' ';')
	check "$what: all $BURST runs exit 0 (got:$statuses)" test "$(grep -lvx 0 "$T"/burst.*.rc | wc -l)" = 0
	if grep -q . "$T"/burst.*.err; then bad "$what: runs wrote to stderr"; cat "$T"/burst.*.err | head -10
	else ok "$what: no run wrote to stderr"; fi
	names=$(cut -d: -f1 "$T/svtab" | sort)
	check "$what: exactly svtab's services in the tree" \
		test "$(find "$SV" -mindepth 1 -maxdepth 1 ! -name '.*' -printf '%f\n' | sort)" = "$names"
	check "$what: no dot-directories left" test -z "$(find "$SV" -mindepth 1 -maxdepth 1 -name '.*' -type d)"
	check "$what: no *.zsv-tmp files left" test -z "$(find "$SV" -name '*.zsv-tmp')"
	for n in $names; do
		want=$(expected_want "$n")
		w=$(cat "$SV/$n/zsv/want" 2>/dev/null)
		[ "$w" = "$want" ] || wrong+=" $n(want $w, expected $want)"
		if [ "$want" = up ]; then [ ! -e "$SV/$n/down" ] || wrong+=" $n(has down)"
		else [ -e "$SV/$n/down" ] || wrong+=" $n(no down)"; fi
	done
	if [ -z "$wrong" ]; then ok "$what: zsv/want and down match every condition"; else bad "$what:$wrong"; fi
	# Each edge is acted on once: the first run to get the lock does it, the others see it done.
	wrong=
	for n in $names; do
		k=$(grep -lE "^(\+|~|↑|↓|=|-) $n( |\$)" "$T"/burst.*.out | wc -l)
		[ "$k" -le 1 ] || wrong+=" $n($k)"
	done
	if [ -z "$wrong" ]; then ok "$what: no service acted on by more than one run"; else
		bad "$what: acted on by several runs:$wrong"; grep -H . "$T"/burst.*.out | head -12; fi
	# runit follows.
	all_right() {
		local n
		for n in $names; do
			case $(expected_want "$n") in
			up) running "$SV/$n" || return 1 ;;
			*) stopped "$SV/$n" || return 1 ;;
			esac
		done
	}
	check "$what: runit runs exactly the services that should run (20 s)" wait_until 20 all_right
	if ! all_right; then
		for n in $names; do echo "  $n: want $(expected_want "$n"), pid $(svc_pid "$SV/$n")"; done
	fi
}

note "setup: $N services, flag absent"
gen_svtab 0 >"$T/svtab"
zsv
expect_rc 0 "first run"
start_runsvdir
every_supervised() { local d; for d in "$SV"/c_*; do supervised "$d" || return 1; done; }
check "runsvdir supervises all $N services (20 s)" wait_until 20 every_supervised

note "burst 1: flag created, $BURST runs at once"
touch "$T/flag"
burst
verify "burst 1"
check "burst 1: the flipped services were reported up once in all" \
	test "$(cat "$T"/burst.*.out | grep -c '(condition true)')" = $((N / 2))

note "burst 2: flag removed, entries edited, removed and added, $BURST runs at once"
gen_svtab 1 >"$T/svtab"
rm "$T/flag"
burst
verify "burst 2"

note "burst 3: flag back, nothing else"
touch "$T/flag"
burst
verify "burst 3"

finish
