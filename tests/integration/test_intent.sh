#!/bin/bash
# test_intent.sh: crash safety covers intent, not only files (SPEC §6). 60 services run
# under a real runsvdir; svtab changes every one's command; zsvgen is SIGKILLed at
# random instants, again and again (a storm of 40 kills in 4 rounds, the target
# alternating between two svtabs; half the kills anywhere in a run, half in its apply,
# just after some service got its new `run`), then one normal run: every service must end up
# running the round's command, none the old one. A restart decided by a killed run
# (its new `run` already in place) must be sent by the next run.
# Not on tmpfs: the fsyncs of a disk give the apply a span the kills can hit.
. "$(dirname "$0")/lib.sh"

N=60
ROUNDS=${ZSV_INTENT_ROUNDS:-4}
KILLS=${ZSV_INTENT_KILLS:-10}
# gen V: every service runs "$SLEEP 5V<i>" (V is 0 or 1), so the command names its svtab.
gen() {
	local i
	for i in $(seq -w 0 $((N - 1))); do echo "s$i::run=($SLEEP 5$1$i)"; done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# runs_version V: every service's recorded pid runs the command of version V.
runs_version() {
	local i p
	for i in $(seq -w 0 $((N - 1))); do
		p=$(svc_pid "$SV/s$i")
		[ "$p" != 0 ] && [ "$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null)" = "$SLEEP 5$1$i " ] || return 1
	done
}
# old_ones V: the services not (yet) running version V's command.
old_ones() {
	local i p out=
	for i in $(seq -w 0 $((N - 1))); do
		p=$(svc_pid "$SV/s$i")
		[ "$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null)" = "$SLEEP 5$1$i " ] || out+=" s$i"
	done
	echo "${out:- none}"
}

gen 0 >"$T/svtab"
zsv
expect_rc 0 "build $N services"
start_runsvdir
check "all $N run version 0 (30 s)" wait_until 30 runs_version 0
gen 1 >"$T/svtab"
t0=$(now_ms)
zsv
span=$(($(now_ms) - t0))
expect_rc 0 "a clean update to version 1 ($span ms)"
check "all $N run version 1 (30 s)" wait_until 30 runs_version 1
# old_files V: the services whose run is not yet version V's.
old_files() {
	local i
	for i in $(seq -w 0 $((N - 1))); do grep -q "5$1$i" "$SV/s$i/run" 2>/dev/null || echo "$i"; done
}
# has FILE TEXT: a line of FILE holds TEXT (bash builtins only: polled in a tight loop).
has() {
	local l
	while IFS= read -r l; do [[ $l == *"$2"* ]] && return 0; done <"$1"
	return 1
} 2>/dev/null
# storm_kill V K: a run toward V, killed at a random instant of its whole span (K even)
# or, for the apply, just after a random service not yet rewritten gets its new run.
storm_kill() {
	local v=$1 k=$2 ms todo target zpid
	"$ZSVGEN" -q -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" >/dev/null 2>&1 &
	zpid=$!
	todo=($(old_files "$v"))
	if [ $((k % 2)) = 0 ] || [ ${#todo[@]} = 0 ]; then
		ms=$((RANDOM % (span * 3 / 4 + 1)))
		sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	else
		target=${todo[RANDOM % ${#todo[@]}]}
		until has "$SV/s$target/run" "5$v$target" || ! kill -0 "$zpid" 2>/dev/null; do :; done
	fi
	kill -KILL "$zpid" 2>/dev/null
	wait "$zpid" 2>/dev/null
}

v=1 total=0
for round in $(seq "$ROUNDS"); do
	v=$((1 - v))
	gen $v >"$T/svtab"
	for k in $(seq "$KILLS"); do
		storm_kill $v "$k"
		total=$((total + 1))
	done
	note "round $round: $KILLS kills toward version $v; not yet on it:$(old_ones $v)"
	zsv
	expect_rc 0 "round $round: the one run after the storm"
	if wait_until 30 runs_version $v; then
		ok "round $round: all $N run version $v's command (30 s)"
	else
		bad "round $round: still on the old command:$(old_ones $v)"
	fi
	check "round $round: no zsv/pending is left" test -z "$(find "$SV" -path '*/zsv/pending')"
done
note "$total kills in all"
check "at least 30 kills" test "$total" -ge 30

finish
