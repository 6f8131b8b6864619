#!/bin/bash
# test_cli.sh: the command line (SPEC §7) and the bounds on evaluation (§3):
# --lint, -n and -n -v, --json, LOGFILE, --only, the ZSV_* environment defaults
# (a flag wins), usage errors, hostile service names, a hanging check and a hanging
# entry. No runsvdir: these are about what zsvgen decides and writes.
. "$(dirname "$0")/lib.sh"

have_python=0
command -v python3 >/dev/null && python3 -c 'import json' 2>/dev/null && have_python=1
# json_ok FILE: FILE parses as JSON.
json_ok() { [ $have_python = 1 ] || return 0; python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1"; }
# json_get FILE EXPR: a Python expression over the parsed report `j`, printed.
json_get() { python3 -c 'import json,sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

good_svtab() {
	cat <<EOF
a::run=($SLEEP 500001)
b::run=($SLEEP 500002); checkf="zsv_check_file $T/flag_b"
c:N:run=($SLEEP 500003)
EOF
}

note "--lint"
good_svtab | svtab
zsv --lint
expect_rc 0 "--lint on a good svtab"
check "--lint creates no service directory" test ! -e "$SV"
printf 'a::run=(x)\nbad/name::run=(x)\n' | svtab
zsv --lint
expect_rc 1 "--lint on a svtab with a bad name"
check "--lint reports FILE:LINE:COL: error:" grep -Eq "^$T/svtab:2:[0-9]+: error:" "$T/err"
{ good_svtab; echo "d::run=($SLEEP 1); false"; } | svtab
zsv --lint
expect_rc 3 "--lint on a svtab whose entry d fails"
check "--lint names d's line" grep -Eq "^$T/svtab:4:[0-9]+: error:.*'d'" "$T/err"
check "still no service directory" test ! -e "$SV"

note "-n and -n -v"
good_svtab | svtab
zsv -n
expect_rc 0 "-n on a missing service directory"
check "-n prints the plan (+ a)" grep -qx "+ a" "$T/out"
check "-n prints the plan (+ b (down))" grep -qx "+ b (down)" "$T/out"
check "-n creates nothing" test ! -e "$SV"
zsv
expect_rc 0 "a real run"
check "and it built the tree" test -x "$SV/a/run" -a -e "$SV/b/down"
snapshot "$SV" >"$T/snap"
sed -i "s/500001/500011/" "$T/svtab"
touch "$T/flag_b"
# -n reads the live tree, wherever zsvgen is run from (an absolute -s once resolved
# relative to the working directory, and a dry run planned against an empty tree).
zsv -n
expect_rc 0 "-n with an absolute -s after editing a and making b's condition true"
check "-n with an absolute -s does not take the existing a for new" eval '! grep -qx "+ a" "$T/out"'
check "-n with an absolute -s shows a restarted" grep -q "^~ a restarted" "$T/out"
check "-n with an absolute -s changed nothing" eval 'snapshot "$SV" | cmp -s - "$T/snap"'
# zsv_rel ARGS: zsv run from the working directory /.
zsv_rel() { cd / && zsv "$@"; cd "$OLDPWD" || exit 1; }
zsv_rel -n
expect_rc 0 "-n"
check "-n shows a restarted" grep -q "^~ a restarted" "$T/out"
check "-n shows b up" grep -q "^↑ b (condition true)" "$T/out"
check "-n shows nothing for the unchanged c" eval '! grep -Eq "^([-+~=]|↑|↓) c( |\$)" "$T/out"'
check "-n says dry run" grep -q "(dry run)" "$T/out"
check_not "-n without -v shows no diff" grep -q '^+++ ' "$T/out"
check "-n changed nothing" eval 'snapshot "$SV" | cmp -s - "$T/snap"'
zsv_rel -n -v
expect_rc 0 "-n -v"
check "-n -v shows a diff header for a/run" grep -qx -- "+++ a/run" "$T/out"
check "-n -v shows the old line" grep -q "^-.*500001" "$T/out"
check "-n -v shows the new line" grep -q "^+.*500011" "$T/out"
check "-n -v changed nothing" eval 'snapshot "$SV" | cmp -s - "$T/snap"'
zsv_rel -n -v -v
expect_rc 0 "-v repeated (-n -v -v)"
check "-n -v -v shows the diff too" grep -qx -- "+++ a/run" "$T/out"


note "--json"
if [ $have_python = 0 ]; then known_bug "python3 missing: JSON checks only run zsvgen"; fi
zsv_rel --json -n
expect_rc 0 "--json -n"
check "--json -n output parses" json_ok "$T/out"
if [ $have_python = 1 ]; then
	check "--json -n: dry_run is true" test "$(json_get "$T/out" 'j["dry_run"]')" = True
	check "--json -n lists a's restart" test "$(json_get "$T/out" '[a["action"] for a in j["actions"] if a["service"] == "a"]')" = "['restart']"
	check "--json: the report's format is version 1" test "$(json_get "$T/out" 'j["version"]')" = 1
	check "--json -n: a restarted, b started, by name" \
		test "$(json_get "$T/out" '(j["restarted"], j["changed"], j["started"], j["stopped"], j["created"])')" = "(['a'], ['a'], ['b'], [], [])"
	check "--json -n without -v has no diffs" test "$(json_get "$T/out" 'j["diffs"]')" = "[]"
	zsv_rel --json -n -v
	check "--json -n -v carries a/run's diff" \
		test "$(json_get "$T/out" '[d["path"] for d in j["diffs"] if d["service"] == "a" and "+" in d["diff"] and "500011" in d["diff"]]')" = "['run']"
	check "--json -n -v changed nothing" eval 'snapshot "$SV" | cmp -s - "$T/snap"'
fi
zsv --json
expect_rc 0 "--json (applies)"
check "--json output parses" json_ok "$T/out"
if [ $have_python = 1 ]; then
	check "--json: dry_run false, exit_status 0" test "$(json_get "$T/out" '(j["dry_run"], j["exit_status"])')" = "(False, 0)"
	check "--json lists the actions (a restart, b up)" \
		test "$(json_get "$T/out" 'sorted((a["service"], a["action"]) for a in j["actions"])')" = "[('a', 'restart'), ('b', 'up')]"
fi
check "--json prints nothing else on stdout (one document)" test "$(head -c1 "$T/out")" = "{"
check "it applied: a's run has the new command" grep -q 500011 "$SV/a/run"
check "it applied: b has no down" test ! -e "$SV/b/down"
printf 'a::run=(x)\na::run=(y)\n' | svtab
zsv --json
expect_rc 1 "--json with a duplicate name"
check "--json error report parses" json_ok "$T/out"
[ $have_python = 1 ] && check "--json: the error is in diagnostics with its line" \
	test "$(json_get "$T/out" '[(d["severity"], d["line"]) for d in j["diagnostics"] if d["severity"] == "error"][:1]')" = "[('error', 2)]"
[ $have_python = 1 ] && check "--json: a diagnostic's text is what zsvgen prints without --json" \
	test "$(json_get "$T/out" '[d["text"] for d in j["diagnostics"]][0].splitlines()[0]')" = "$T/svtab:2:1: error: duplicate service 'a' (first defined at $T/svtab:1)"
{ good_svtab; echo "d::run=($SLEEP 1); false"; } | svtab
zsv --json
expect_rc 3 "--json with an entry that fails"
[ $have_python = 1 ] && check "--json names the failed entry" \
	test "$(json_get "$T/out" '(j["failed"], j["failed_services"])')" = "(1, ['d'])"

note "LOGFILE"
good_svtab | svtab
rm -rf "$SV"
zsv "$T/zsv.log"
expect_rc 0 "a run with LOGFILE"
check "LOGFILE has the run's lines" grep -q "+ a" "$T/zsv.log"
cp "$T/zsv.log" "$T/zsv.log.1"
rm "$T/flag_b"
zsv "$T/zsv.log"
expect_rc 0 "a second run with LOGFILE"
check "LOGFILE was appended to (the first run's lines kept)" \
	eval 'head -c "$(stat -c %s "$T/zsv.log.1")" "$T/zsv.log" | cmp -s - "$T/zsv.log.1"'
check "LOGFILE got the second run's lines" grep -q "↓ b" "$T/zsv.log"
check "LOGFILE grew" test "$(wc -l <"$T/zsv.log")" -gt "$(wc -l <"$T/zsv.log.1")"

note "--only"
rm -rf "$SV"
cat <<EOF | svtab
oa::run=($SLEEP 500021); checkf="zsv_check_file $T/flag_oa"
ob::run=($SLEEP 500022); checkf="zsv_check_file $T/flag_ob"
oc::run=($SLEEP 500023)
EOF
zsv
expect_rc 0 "build oa, ob, oc (oa and ob down)"
snapshot "$SV/ob" >"$T/ob.snap"
snapshot "$SV/oc" >"$T/oc.snap"
touch "$T/flag_oa" "$T/flag_ob"
sed -i "s/500022/500032/; s/500023/500033/" "$T/svtab"
zsv --only oa
expect_rc 0 "--only oa, after both conditions turned true and ob, oc were edited"
check "oa went up" grep -qx up "$SV/oa/zsv/want"
check "oa lost its down" test ! -e "$SV/oa/down"
check "ob untouched (condition and edit not applied)" eval 'snapshot "$SV/ob" | cmp -s - "$T/ob.snap"'
check "oc untouched (not removed, not rewritten)" eval 'snapshot "$SV/oc" | cmp -s - "$T/oc.snap"'
check_not "only oa reported" grep -Eq "^[-+~↑↓=] o[bc]" "$T/out"
zsv --only ob oc
expect_rc 0 "--only ob oc"
check "ob went up" grep -qx up "$SV/ob/zsv/want"
check "ob's edit applied" grep -q 500032 "$SV/ob/run"
check "oc's edit applied" grep -q 500033 "$SV/oc/run"

note "environment defaults; a flag beats the environment"
good_svtab >"$T/env.svtab"
printf 'zsv_logroot=%q\nsite_cmd() { exec %q 500041 }\n' "$T/log" "$SLEEP" >"$T/env.zsvrc"
echo "e::runf=site_cmd" >>"$T/env.svtab"
env ZSV_SVTAB="$T/env.svtab" ZSV_SERVICE_DIR="$T/envsv" ZSV_CONFIG="$T/env.zsvrc" ZSV_LIB="$ZSV_LIB" \
	timeout 60 "$ZSVGEN" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "zsvgen with no options, everything from ZSV_*"
check "ZSV_SERVICE_DIR and ZSV_SVTAB: the tree is there" test -x "$T/envsv/a/run" -a -x "$T/envsv/e/run"
check "ZSV_CONFIG: e runs the zsvrc's site_cmd" grep -q 500041 "$T/envsv/e/run"
check "ZSV_LIB: the library's default logger" grep -q svlogd "$T/envsv/a/log/run"
printf 'f::run=(%q 500051)\n' "$SLEEP" >"$T/flag.svtab"
env ZSV_SVTAB="$T/nonexistent.svtab" ZSV_SERVICE_DIR="$T/envsv" ZSV_CONFIG="$T/nonexistent.zsvrc" \
	ZSV_LIB="$T/nonexistent-lib" \
	timeout 60 "$ZSVGEN" -f "$T/flag.svtab" -s "$T/flagsv" -c "$T/zsvrc" -L "$ZSV_LIB" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "flags given, the environment pointing elsewhere"
check "-f beats ZSV_SVTAB, -s beats ZSV_SERVICE_DIR" test -x "$T/flagsv/f/run"
check "ZSV_SERVICE_DIR's tree untouched (f not there, a still there)" test ! -e "$T/envsv/f" -a -e "$T/envsv/a"
check "-L beats ZSV_LIB and -c beats ZSV_CONFIG (logs into this zsvrc's root)" grep -q "$T/log" "$T/flagsv/f/log/run"

note "usage errors"
zsv --no-such-option
expect_rc 2 "an unknown option"
zsv -n --lint
expect_rc 2 "-n with --lint"
zsv --only
expect_rc 2 "--only without a name"

note "hostile names"
good_svtab | svtab
rm -rf "$SV"
zsv
expect_rc 0 "a tree to protect"
snapshot "$SV" >"$T/snap"
mkdir -p "$T/sub"
for name in '../x' 'a/b' '.hidden' '..' '-x' 'a b' "$(printf 'a\tb')" '/etc' "$(printf 'a\001b')"; do
	{ good_svtab; printf '%s::run=(%q 1)\n' "$name" "$SLEEP"; } | svtab
	zsv
	shown=$(printf %q "$name")
	expect_rc 1 "name $shown rejected"
	check "name $shown: FILE:4:COL: error:" grep -Eq "^$T/svtab:4:[0-9]+: error:" "$T/err"
	check "name $shown: the tree is unchanged" eval 'snapshot "$SV" | cmp -s - "$T/snap"'
done
check "nothing escaped the service directory" test ! -e "$T/x" -a ! -e "$SV/a/b" -a ! -e "$SV/.hidden" -a ! -e /etc/run

note "a check that hangs, an entry that hangs"
printf 'zsv_logroot=%q\nzsv_check_timeout=1\nzsv_resolve_timeout=1\n' "$T/log" >"$T/zsvrc"
rm -rf "$SV"
cat <<EOF | svtab
h_ok::run=($SLEEP 500061)
h_check::run=($SLEEP 500062); checkf="$SLEEP 500063"
h_code::$SLEEP 500064; run=($SLEEP 500065)
h_after::run=($SLEEP 500066)
EOF
zsv
expect_rc 3 "a hanging check and a hanging entry"
check "the hanging check is reported as a warning" grep -Eq "^$T/svtab:2:[0-9]+: warning:.*h_check" "$T/err"
check "h_check was created" test -x "$SV/h_check/run"
check "h_check counts as false: down" test -e "$SV/h_check/down"
check "h_check: zsv/want is down" grep -qx down "$SV/h_check/zsv/want"
check "the hanging entry is an error at its line" grep -Eq "^$T/svtab:3:[0-9]+: error:.*h_code" "$T/err"
check "h_code was not created" test ! -e "$SV/h_code"
check "h_ok was applied" test -x "$SV/h_ok/run" -a ! -e "$SV/h_ok/down"
check "h_after was applied" test -x "$SV/h_after/run" -a ! -e "$SV/h_after/down"
no_hung() { ! pgrep -f "$SLEEP 50006[34]" >/dev/null; }
check "the hung check and entry were killed (5 s)" wait_until 5 no_hung


note "paths spelled relatively"
printf 'zsv_logroot=%q\n' "$T/log" >"$T/zsvrc"
rm -rf "$SV"
cat <<EOF | svtab
p_one::run=($SLEEP 500071)
p_two::run=($SLEEP 500072); checkf="zsv_check_file $T/no-such-flag"
EOF
zsv
expect_rc 0 "build with absolute -f and -s"
snapshot "$SV" >"$T/snap2"
(cd "$T" && timeout -k 5 120 "$ZSVGEN" -f ./svtab -s service -c zsvrc -L "$ZSV_LIB" >"$T/out" 2>"$T/err")
check "relative -f and -s: the run has nothing to say" eval '[ ! -s "$T/out" ] && [ ! -s "$T/err" ]'
check "relative -f and -s: the tree is untouched" eval 'snapshot "$SV" | cmp -s - "$T/snap2"'


note "a symlink planted where zsv keeps its own file"
rm -f "$SV/p_one/run"
ln -s "$T/target" "$SV/p_one/run"
echo "not zsv's" >"$T/target"
sed -i "s/500071/500073/; s/500072/500074/" "$T/svtab"
zsv
expect_rc 4 "a planted symlink is a system error for its service"
check "the error names the service and the symlink" grep -q "p_one.*refusing symlink" "$T/err"
check "the symlink's target is untouched" grep -qx "not zsv's" "$T/target"
check "the symlink is still there" test -L "$SV/p_one/run"
check "the other service was still brought in line" grep -q 500074 "$SV/p_two/run"
check "no action is claimed for the failed service" eval '! grep -q "p_one" "$T/out"'


note "--only NAME... then LOGFILE, as a hook writes it"
rm -f "$T/only.log"
zsv -v --only p_two "$T/only.log"
expect_rc 0 "-v --only p_two LOGFILE (p_one, with its planted symlink, is left alone)"
check "the LOGFILE after the names is the log, not a name" test -s "$T/only.log"
check "no warning about an entry named like the LOGFILE" eval '! grep -q "no such entry" "$T/err"'

finish
