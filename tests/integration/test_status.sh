#!/bin/bash
# test_status.sh: zsvgen --status against a real runsvdir (SPEC §7): each mark where
# reality and zsv disagree (stopped by hand with `sv down`, a run that exits at once,
# running though unwanted, a condition that changed since the last run, no runsv, a
# directory that is not zsv's), the condition column, --json, NAME selection and its
# errors, and that --status takes no lock and writes nothing.
. "$(dirname "$0")/lib.sh"

json_get() { python3 -c 'import json,sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# line NAME: the table line of NAME in $T/out.
line() { grep -E "^$1 " "$T/out"; }
# col NAME N: the Nth column (single-word columns before the note) of NAME's line.
col() { line "$1" | awk -v n="$2" '{ print $n }'; }
has_note() { line "$1" | grep -q -- "$2"; }

cat >"$T/svtab" <<EOF
good::run=( $SLEEP 600001 )
byhand::run=( $SLEEP 600002 )
crash::run=( $SLEEP 0 ); backoff_max=0
cond::run=( $SLEEP 600004 ); check() { [[ -e $T/flag_cond ]] }
handup::run=( $SLEEP 600005 ); checkf="zsv_check_file $T/flag_handup"
slow:M:run=( $SLEEP 600006 ); check() { $SLEEP 30 }
EOF
printf 'zsv_check_timeout=1\n' >>"$T/zsvrc"
zsv
expect_rc 0 "the first run builds the tree"

note "before runsvdir: no runsv"
zsv --status good
expect_rc 0 "--status good"
check "good: no runsv" has_note good "no runsv"
check "only the service asked for" test "$(grep -vc '^SERVICE' "$T/out")" = 1

mkdir -p "$SV/foreign"
start_runsvdir
for s in good byhand; do
	wait_until 20 running "$SV/$s" || bad "$s starts"
done
wait_until 20 supervised "$SV/crash" || bad "crash is supervised"
sv down "$SV/byhand" >/dev/null
wait_until 20 supervised "$SV/handup" || bad "handup is supervised"
sv up "$SV/handup" >/dev/null
wait_until 10 stopped "$SV/byhand" || bad "sv down byhand"
wait_until 10 running "$SV/handup" || bad "sv up handup"
before=$(snapshot "$SV")
# Nobody else may hold the lock for --status to work: hold it for the whole call.
exec 9>"$SV/.zsv.lock"
flock 9

zsv --status
expect_rc 0 "--status while another run holds the lock"
show "$T/out"
check "a header line" grep -q '^SERVICE  *CONDITION  *WANT  *STATE  *PID  *FOR  *FLAGS  *NOTE$' "$T/out"
check "good: holds, up, run, its pid" test "$(col good 2) $(col good 3) $(col good 4) $(col good 5)" = "holds up run $(svc_pid "$SV/good")"
check "good: flags from zsv/inputs" test "$(col good 7)" = Emn
check "good: no note" test "$(line good | awk '{ print NF }')" = 7
check "byhand: stopped by hand" has_note byhand "stopped by hand"
check "byhand: state down" test "$(col byhand 4)" = down
check "crash: restarting repeatedly" has_note crash "restarting repeatedly"
check "cond: the condition fails, want down, no note" \
	test "$(col cond 2) $(col cond 3) $(col cond 4) $(line cond | awk '{ print NF }')" = "fails down down 7"
check "handup: running though unwanted" has_note handup "running though unwanted"
check "slow: a check past the timeout is 'timed out'" test "$(line slow | awk '{ print $2, $3 }')" = "timed out"
check "slow: manual, no note" test "$(line slow | awk '{ print $4, NF }')" = "manual 8"
check "foreign: not zsv's" has_note foreign "not zsv's"
check "no colour off a terminal" test -z "$(grep -l $'\x1b' "$T/out")"
check "--status wrote nothing in the tree" test "$(snapshot "$SV")" = "$before"

note "a condition that changed since the last run"
touch "$T/flag_cond"
zsv --status cond
expect_rc 0 "--status cond"
check "cond: holds now, the next run starts it" has_note cond "condition holds: the next run starts it"
exec 9>&-

note "--json"
zsv --status --json
expect_rc 0 "--status --json"
check "JSON: good's fields" test "$(json_get "$T/out" '[(s["condition"], s["want"], s["state"], s["pid"] > 0, s["runsv"], s["flags"], s["marks"]) for s in j["services"] if s["name"] == "good"][0]')" = "('holds', 'up', 'run', True, True, 'Emn', [])"
check "JSON: the marks by id" test "$(json_get "$T/out" '{s["name"]: s["marks"] for s in j["services"]}')" = \
	"{'byhand': ['stopped-by-hand'], 'cond': ['pending'], 'crash': ['restarting'], 'foreign': ['not-zsv'], 'good': [], 'handup': ['unwanted'], 'slow': []}"
check "JSON: a foreign directory has no condition" test "$(json_get "$T/out" '[s["condition"] for s in j["services"] if s["name"] == "foreign"][0]')" = None
check "JSON: source is the svtab line" test "$(json_get "$T/out" '[s["source"] for s in j["services"] if s["name"] == "crash"][0]')" = "$T/svtab:3"

note "names"
zsv --status --json good crash
check "two names, two rows" test "$(json_get "$T/out" '[s["name"] for s in j["services"]]')" = "['good', 'crash']"
zsv --status nosuch
expect_rc 2 "an unknown NAME"
check "the error names it" grep -q "no such service" "$T/err"
echo "gone::run=( $SLEEP 1 )" >>"$T/svtab"
zsv --status gone
expect_rc 0 "a name only in svtab"
check "gone: not in the tree yet" has_note gone "not in the tree yet"
zsv --status --dry-run
expect_rc 2 "--status with --dry-run is a usage error"

finish
