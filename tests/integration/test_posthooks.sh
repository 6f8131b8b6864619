#!/bin/bash
# test_posthooks.sh: the post-apply hooks (SPEC §6): after a run that changed
# something, every executable of zsv_post_apply_dir runs in name order with the run's
# JSON report on stdin and ZSV_CREATED ... ZSV_STOPPED in its environment; not after a
# run that changed nothing; a failing hook is a warning and the exit status stays; a
# hanging hook is killed at zsv_post_apply_timeout and zsvgen returns.
. "$(dirname "$0")/lib.sh"

json_get() { python3 -c 'import json,sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
H=$T/hooks
mkdir -p "$H" "$T/got"
printf 'zsv_post_apply_dir=%q\nzsv_post_apply_timeout=2\n' "$H" >>"$T/zsvrc"
# 10-record: what it was given, one file per call; 20-order: that it ran after 10.
cat >"$H/10-record" <<EOF
#!/bin/sh
n=\$(ls "$T/got" | grep -c '\.env\$')
env | grep '^ZSV_' | sort >"$T/got/\$n.env"
cat >"$T/got/\$n.json"
EOF
cat >"$H/20-order" <<EOF
#!/bin/sh
ls "$T/got" >"$T/order"
EOF
printf '#!/bin/sh\necho not me >%q\n' "$T/notexec" >"$H/15-not-executable"
chmod +x "$H/10-record" "$H/20-order"
# env_of N VAR: VAR's value in call N's environment.
env_of() { sed -n "s/^$2=//p" "$T/got/$1.env"; }

cat >"$T/svtab" <<EOF
a::run=( $SLEEP 600001 )
b::run=( $SLEEP 600002 )
c::run=( $SLEEP 600003 ); checkf="zsv_check_file $T/flag_c"
EOF
zsv
expect_rc 0 "run 0 creates a, b, c"
check "the hook ran once" test -f "$T/got/0.env" -a ! -f "$T/got/1.env"
check "ZSV_CREATED=a b c" test "$(env_of 0 ZSV_CREATED)" = "a b c"
check "ZSV_STARTED=a b (created up)" test "$(env_of 0 ZSV_STARTED)" = "a b"
check "the other lists are set and empty" test "$(grep -c '^ZSV_\(CHANGED\|RESTARTED\|REMOVED\|STOPPED\)=$' "$T/got/0.env")" = 4
check "ZSV_SERVICE_DIR for a hook that runs zsvgen" test "$(env_of 0 ZSV_SERVICE_DIR)" = "$SV"
check "stdin: the JSON report" test "$(json_get "$T/got/0.json" 'sorted(a["service"] for a in j["actions"] if a["action"] == "create")')" = "['a', 'b', 'c']"
check "hooks run in name order" grep -q '0.json' "$T/order"
check "a file that is not executable is not run" test ! -e "$T/notexec"

zsv
expect_rc 0 "run 1 changes nothing"
check "no hook after a run that changed nothing" test ! -f "$T/got/1.env"

note "restart, remove, start"
cat >"$T/svtab" <<EOF
a::run=( $SLEEP 600011 )
c::run=( $SLEEP 600003 ); checkf="zsv_check_file $T/flag_c"
EOF
touch "$T/flag_c"
zsv
expect_rc 0 "run 2"
# c moved up a line: its zsv/source changed.
check "ZSV_CHANGED=a c" test "$(env_of 1 ZSV_CHANGED)" = "a c"
check "ZSV_RESTARTED=a" test "$(env_of 1 ZSV_RESTARTED)" = a
check "ZSV_REMOVED=b" test "$(env_of 1 ZSV_REMOVED)" = b
check "ZSV_STARTED=c" test "$(env_of 1 ZSV_STARTED)" = c
check "ZSV_CREATED empty" test -z "$(env_of 1 ZSV_CREATED)"
check "stdin: exit_status 0" test "$(json_get "$T/got/1.json" 'j["exit_status"]')" = 0
rm "$T/flag_c"
zsv
check "ZSV_STOPPED=c" test "$(env_of 2 ZSV_STOPPED)" = c

note "a failing hook, a hanging hook"
printf '#!/bin/sh\necho broken >&2\nexit 3\n' >"$H/30-fails"
printf '#!/bin/sh\n%q 600099\necho never\n' "$SLEEP" >"$H/40-hangs"
chmod +x "$H/30-fails" "$H/40-hangs"
touch "$T/flag_c"
zsv
expect_rc 0 "a failing and a hanging hook leave the exit status"
check "the failing hook is a warning with its status" grep -q "30-fails.*warning: post-apply hook exited 3" "$T/err"
check "and what it printed" grep -q "broken" "$T/err"
check "the hanging hook is a warning" grep -q "40-hangs.*warning: post-apply hook took longer than 2 s" "$T/err"
check "the hanging hook was killed" test -z "$(pgrep -f "$SLEEP 600099")"
check "the run's actions still printed" grep -q "c (condition true)" "$T/out"

note "-n and --lint run no hook"
rm "$T/flag_c"
n=$(ls "$T/got" | grep -c env)
zsv -n
zsv --lint
check "no hook for a dry run or a lint" test "$(ls "$T/got" | grep -c env)" = "$n"

finish
