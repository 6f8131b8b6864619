#!/bin/bash
# test_crash.sh: crash safety (SPEC §6). zsvgen is SIGKILLed at random instants
# while it builds a tree of ~200 services from scratch or updates one (entries
# edited, conditions flipped, logs added and removed, services removed and added).
# After each kill:
#  - no script in the tree is partial: in an update every managed file of a visible
#    service is byte for byte either its old or its new version; in a cold build
#    every visible service directory is complete (exactly as a clean run makes it);
#  - nothing of the killed run stays behind (its evaluators die with it, the lock
#    is free: the next run does not hang);
#  - the next normal run exits 0 and leaves exactly the tree that a clean run from
#    scratch produces (same files, contents, modes, `down` files; the lock file holds
#    the pid of whichever run took it last, and is not compared).
# Then, under a real runsvdir, zsvgen is killed while it removes services whose run
# ignores TERM (the slow, multi-step removal of SPEC §6): the next run must finish the
# job, with no process left running unsupervised and the other services untouched.
# On tmpfs when there is one: a SIGKILL does not lose written data, so the disk's
# fsyncs would only make the test slow.
[ -w /dev/shm ] && [ -z "${TMPDIR:-}" ] && export TMPDIR=/dev/shm
. "$(dirname "$0")/lib.sh"

ITER=${ZSV_CRASH_ITERATIONS:-30}
N=200
# gen_svtab A|B: B edits every 3rd entry, flips every 7th condition, toggles the log
# (N) of every 11th, drops every 13th, makes every 17th M, and adds 10.
gen_svtab() {
	local i v arg check flags
	for i in $(seq -w 0 $((N - 1))); do
		v=$((10#$i))
		arg=40$i check=zsv_check_true flags=
		[ $((v % 5)) = 4 ] && check="zsv_check_file $T/nonexistent"
		[ $((v % 9)) = 1 ] && flags=N
		if [ "$1" = B ]; then
			[ $((v % 13)) = 12 ] && continue
			[ $((v % 3)) = 0 ] && arg=41$i
			if [ $((v % 7)) = 2 ]; then
				[ "$check" = zsv_check_true ] && check=zsv_check_false || check=zsv_check_true
			fi
			[ $((v % 11)) = 5 ] && { [ -n "$flags" ] && flags= || flags=N; }
			[ $((v % 17)) = 3 ] && flags+=M
		fi
		echo "k_$i:$flags:run=($SLEEP $arg); checkf=\"$check\""
	done
	if [ "$1" = B ]; then
		for i in $(seq 0 9); do echo "k_new$i::run=($SLEEP 4200$i)"; done
	fi
}
gen_svtab A >"$T/svtab.A"
gen_svtab B >"$T/svtab.B"

# zsv_into DIR VARIANT [ARGS]: a run on DIR with svtab VARIANT (always at $T/svtab,
# since zsv/source names the svtab's path).
zsv_into() {
	local dir=$1 v=$2; shift 2
	cp "$T/svtab.$v" "$T/svtab"
	timeout -k 5 120 "$ZSVGEN" -q -f "$T/svtab" -s "$dir" -c "$T/zsvrc" -L "$ZSV_LIB" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# sums DIR: "md5  ./SERVICE/PATH" for every file of every visible service (no dot-dirs,
# no temp files, no lock; not zsv/last, the record of when zsvgen last acted).
sums() {
	(cd "$1" && find . \( -path './.*' -prune \) -o -type f ! -name '*.zsv-tmp' ! -path '*/zsv/last' -print0 |
		sort -z | xargs -0r md5sum)
}
# layout DIR: every path of the visible services with its type and mode.
layout() {
	(cd "$1" && find . \( -path './.*' -prune \) -o ! -path '*/zsv/last' -printf '%p %y %m\n' | sort)
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# Every tree is built at the one path $T/tree (what zsv records may depend on it), the
# references too, then moved aside.
note "reference trees: svtab A and svtab B, each built from scratch"
for v in A B; do
	rm -rf "$T/tree"
	t0=$(now_ms)
	zsv_into "$T/tree" $v
	took=$(($(now_ms) - t0))
	expect_rc 0 "clean build of svtab $v ($took ms)"
	mv "$T/tree" "$T/ref.$v"
	sums "$T/ref.$v" >"$T/ref.$v.sums"
	layout "$T/ref.$v" >"$T/ref.$v.layout"
	eval "took_cold_$v=$took"
done
check "the two references differ" test -n "$(diff "$T/ref.A.sums" "$T/ref.B.sums")"
cp -a "$T/ref.A" "$T/tree"
t0=$(now_ms)
zsv_into "$T/tree" B
took_update=$(($(now_ms) - t0))
expect_rc 0 "clean update A -> B ($took_update ms)"
check "a clean update A -> B gives reference B" diff -r -x last -x .zsv.lock "$T/ref.B" "$T/tree"

# verify_partial MODE OLD NEW: the tree $T/tree after a kill, against the references.
# update: every file is OLD's or NEW's version; cold: every visible service is NEW's.
verify_partial() {
	sums "$T/tree" >"$T/tree.sums"
	awk -v mode="$1" -v olds="$T/ref.$2.sums" -v news="$T/ref.$3.sums" '
		function svc(p) { split(p, a, "/"); return a[2] }
		BEGIN {
			while ((getline l < olds) > 0) { split(l, f, "  "); old[f[2]] = f[1] }
			close(olds)  # news may be the same file
			while ((getline l < news) > 0) { split(l, f, "  "); new[f[2]] = f[1]; newfiles[svc(f[2])]++ }
		}
		{
			split($0, f, "  "); p = f[2]; s = svc(p); seen[s]++
			if (mode == "update") {
				if (!(p in old) && !(p in new)) { print "  unexpected file: " p; bad++ }
				else if (f[1] != old[p] && f[1] != new[p]) { print "  neither old nor new: " p; bad++ }
			} else {
				if (!(p in new) || f[1] != new[p]) { print "  not as a clean run makes it: " p; bad++ }
			}
			if (p ~ /\/run$/ && p !~ /\/log\/run$/) hasrun[s] = 1
			if (p ~ /\/zsv\/check$/) hascheck[s] = 1
		}
		END {
			for (s in seen) {
				if (!hasrun[s] || !hascheck[s]) { print "  incomplete service: " s; bad++ }
				if (mode == "cold" && seen[s] != newfiles[s]) { print "  files missing in " s; bad++ }
			}
			exit bad > 0
		}' "$T/tree.sums"
}

note "$ITER kills at random instants"
mid=0
for it in $(seq "$ITER"); do
	case $((it % 4)) in
	1) mode=cold old=A new=A ;;
	2) mode=update old=A new=B ;;
	3) mode=cold old=B new=B ;;
	0) mode=update old=B new=A ;;
	esac
	rm -rf "$T/tree"
	[ $mode = update ] && cp -a "$T/ref.$old" "$T/tree"
	if [ $mode = cold ]; then eval "span=\$took_cold_$new"; else span=$took_update; fi
	# Half the kills early (the evaluation), half anywhere in a clean run's duration.
	if [ $((it % 2)) = 0 ]; then ms=$((RANDOM % 61)); else ms=$((RANDOM % (span + 1))); fi
	cp "$T/svtab.$new" "$T/svtab"
	"$ZSVGEN" -q -f "$T/svtab" -s "$T/tree" -c "$T/zsvrc" -L "$ZSV_LIB" >/dev/null 2>&1 &
	zpid=$!
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	kill -KILL "$zpid" 2>/dev/null
	wait "$zpid" 2>/dev/null
	what="#$it $mode $old->$new, killed after $ms ms"
	sums "$T/tree" >"$T/tree.sums" 2>/dev/null
	if cmp -s "$T/tree.sums" "$T/ref.$old.sums" || cmp -s "$T/tree.sums" "$T/ref.$new.sums"; then
		state="before or after"
	else
		state="mid-way"; mid=$((mid + 1))
	fi
	if [ $mode = cold ] && [ ! -d "$T/tree" ]; then
		ok "$what: killed before the tree was made"
	elif out=$(verify_partial $mode $old $new); then
		ok "$what: no partial file ($state)"
	else
		bad "$what: the tree is not as before or as after"; echo "$out" | head -10
	fi
	check "$what: nothing of the killed run is left running (5 s)" wait_until 5 no_test_procs
	zsv_into "$T/tree" "$new"
	if [ "$rc" = 0 ]; then ok "$what: the next run exits 0"; else bad "$what: the next run exits $rc"; show "$T/err"; fi
	layout "$T/tree" >"$T/tree.layout"
	if diff -r -x last -x .zsv.lock "$T/ref.$new" "$T/tree" >"$T/diff" 2>&1 && cmp -s "$T/tree.layout" "$T/ref.$new.layout" &&
		[ -z "$(find "$T/tree" -name '*.zsv-tmp' -o -mindepth 1 -maxdepth 1 -name '.*' -type d)" ]; then
		ok "$what: it repairs the tree to exactly the clean one"
	else
		bad "$what: the repaired tree differs from the clean one"
		head -10 "$T/diff"
		diff "$T/tree.layout" "$T/ref.$new.layout" | head -10
	fi
done
note "$mid of $ITER kills left a tree mid-way between before and after"

note "killed while removing services that ignore TERM, under runsvdir"
stubborn() { echo "$1::run=(sh -c \"trap '' TERM; while :; do $SLEEP 1; done\")"; }
keep_line="keep::run=($SLEEP 430001)"
{ echo "$keep_line"; for n in st1 st2; do stubborn $n; done; } >"$T/svtab"
zsv
expect_rc 0 "build keep, st1, st2"
start_runsvdir
check "keep runs (15 s)" wait_until 15 running "$SV/keep"
keep_pid=$(svc_pid "$SV/keep")
declare -A spid
for round in 1 2 3; do
	if [ $round != 1 ]; then
		{ echo "$keep_line"; for n in st1 st2; do stubborn $n; done; } >"$T/svtab"
		zsv
		expect_rc 0 "round $round: st1, st2 back"
	fi
	for n in st1 st2; do
		check "round $round: $n runs (15 s)" wait_until 15 running "$SV/$n"
		spid[$n]=$(svc_pid "$SV/$n")
	done
	echo "$keep_line" >"$T/svtab"
	ms=$((RANDOM % 7000))  # the removals wait 5 s (the grace) for TERM before KILL
	"$ZSVGEN" -q -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" >/dev/null 2>&1 &
	zpid=$!
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	kill -KILL "$zpid" 2>/dev/null
	wait "$zpid" 2>/dev/null
	note "round $round: killed after $ms ms: $(cd "$SV" && echo .st* st*)"
	zsv
	expect_rc 0 "round $round: the next run"
	for n in st1 st2; do
		check "round $round: $n's directory is gone" test ! -e "$SV/$n"
		check "round $round: $n's process ${spid[$n]} is gone (10 s)" wait_until 10 pid_gone "${spid[$n]}"
	done
	check "round $round: no dot-directory left" test -z "$(find "$SV" -mindepth 1 -maxdepth 1 -name '.*' -type d)"
	check "round $round: keep still runs as $keep_pid" test "$(svc_pid "$SV/keep")" = "$keep_pid"
done
only_keep() { [ "$(pgrep -fc "$SLEEP")" = "$(pgrep -fc "$SLEEP 430001")" ]; }
check "nothing runs unsupervised: every sleep left is keep's (5 s)" wait_until 5 only_keep

finish
