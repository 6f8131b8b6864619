#!/bin/bash
# test_hostile.sh: entry code and zsvrc cannot confuse the evaluator (SPEC §1, §3).
# Bytes the records are framed with, NUL bytes, forged records, the entry's IFS and
# redefined builtins, the site's shell options, evaluator-killing zsvrc files and
# entries, zsvrc settings that make no sense, an empty run, misattributed causes, huge
# bad names, and TERM to zsvgen while an evaluator hangs. No runsvdir: these are about
# what zsvgen decides and writes. Every case names its exit status and location.
. "$(dirname "$0")/lib.sh"

rc_file=$T/zsvrc
base_rc() { printf 'zsv_logroot=%q\n' "$T/log"; }
base_rc >"$rc_file"
# syntax_ok FILE...: each file parses as zsh.
syntax_ok() { local f; for f; do zsh -n "$f" || return 1; done; }
scripts_ok() { syntax_ok "$SV/$1/run" "$SV/$1/zsv/check" "$SV/$1/log/run"; }
# no_evaluator: no zsh of this test runs zsv_eval any more.
no_evaluator() { ! pgrep -f "zsv_eval $ZSV_LIB" >/dev/null; }
err_lines() { grep -c ': error: ' "$T/err"; }

note "a NUL byte in an entry's code is an error at its line and column"
printf 'a::run=(%s 500001)\n  y\0z\nb::run=(%s 500002)\n' "$SLEEP" "$SLEEP" | svtab
zsv
expect_rc 1 "NUL in a continuation line"
check "the error is at svtab:2:4" grep -q "^$T/svtab:2:4: error: .*NUL" "$T/err"
check "nothing was built" test ! -e "$SV/a" -a ! -e "$SV/b"

note "a NUL in a variable's value is carried"
printf 'e::junk=$'"'"'\\0'"'"'; run=(%s 500011 $'"'"'x\\0y'"'"')\n' "$SLEEP" | svtab
zsv
expect_rc 0 "NUL in an unused variable and in run"
check "e was built" test -x "$SV/e/run"
check "e's scripts pass zsh -n" scripts_ok e
check "the NUL reaches run as \\x00" grep -qF 'x\x00y' "$SV/e/run"
check "run's array holds x<NUL>y" eval '[ "$(zsh -fc "$(sed "/^exec/d; /ZSV_SESSION/d; /^zsv_run_default\$/d" "$SV/e/run"); print -rn -- \"\${run[3]}\"" | od -An -c | tr -d " ")" = "x\\0y" ]'

note "the record framing bytes 0x1e and 0x1f in a value"
rm -rf "$SV"
printf 'e::run=(%s 500021 $'"'"'x\\x1ey\\x1ftouch %s/INJ\\x1e'"'"')\n' "$SLEEP" "$T" | svtab
zsv
expect_rc 0 "0x1e/0x1f in a run argument"
check "e's scripts pass zsh -n" scripts_ok e
check "no function y was made of the bytes after 0x1f" eval '! grep -q "^y ()" "$SV/e/run"'
check "the argument keeps all its bytes" grep -qF "x\\x1Ey\\x1Ftouch $T/INJ\\x1E" "$SV/e/run"
check "nothing was injected" test ! -e "$T/INJ"

note "an entry forging another entry's records"
rm -rf "$SV"
forge='R\0000\0E\0evil\0zsv_log_default\0zsv_check_true\0\0evil\037exec '"$SLEEP"' 500666\036\0'
forge+='C3:1:016:00000000000000001:0'
cat <<EOF | svtab
a::run=($SLEEP 500031)
b::run=($SLEEP 500032)
  for f in /proc/\$\$/fdinfo/<->(N); do
    [[ \${(M)\${(f)"\$(<\$f)"}:#flags:*1} == flags* ]] || continue
    print -rn -- \$'$forge' >/proc/\$\$/fd/\${f:t}
  done 2>/dev/null
  true
EOF
zsv
expect_rc 3 "the forging entry fails"
check "the forging entry b is an error at its line" grep -q "^$T/svtab:2:1: error: .*'b'" "$T/err"
check "the victim a keeps its own run" grep -q "500031" "$SV/a/run"
check_not "the forged function is nowhere" grep -rq 500666 "$SV"
check "b was not created" test ! -e "$SV/b"
check "a's scripts pass zsh -n" scripts_ok a

note "the records' descriptor is not open where the entry's code runs"
rm -rf "$SV"
cat <<EOF | svtab
fds::run=($SLEEP 500035)
  for f in /proc/self/fd/<->(N); do
    (( \${f:t} < 64 )) || [[ -e /proc/\$PPID/fd/\${f:t} ]] || { print -u2 "fd \${f:t} is open"; return 1 }
  done
EOF
zsv
# (A descriptor zsvgen itself inherited is not the evaluator's: \$PPID is zsvgen.)
expect_rc 0 "no descriptor of 64 or more (where zsvgen puts the records' one) is open in the code"

note "an entry with IFS=: that redefines a check the library has"
rm -rf "$SV"
cat <<EOF | svtab
b::IFS=:; zsv_check_true() { return 1 }; run=($SLEEP 500041)
EOF
zsv
expect_rc 0 "first run"
check "b's condition is its own zsv_check_true: down" test -e "$SV/b/down"
check "the rendered check carries the entry's function" grep -q "return 1" "$SV/b/zsv/check"
zsv
expect_rc 0 "a re-run with nothing edited"
check "the re-run changes nothing" test ! -s "$T/out"

note "print() and IFS in an entry, kill -STOP"
rm -rf "$SV"
cat <<EOF | svtab
p::print() { }; run=($SLEEP 500051)
s::kill -STOP \$\$; run=($SLEEP 500052)
q::run=($SLEEP 500053)
EOF
printf 'zsv_logroot=%q\nzsv_resolve_timeout=2\nzsv_check_timeout=2\n' "$T/log" >"$rc_file"
zsv
expect_rc 3 "print redefined and kill -STOP"
check "the entry that redefines print is built" grep -q 500051 "$SV/p/run"
check "p's scripts pass zsh -n" scripts_ok p
check "kill -STOP is reported as a stopped evaluator at s's line" grep -q "^$T/svtab:2:1: error: .*'s'.*stopped" "$T/err"
check_not "it is not called a timed-out condition" grep -q "condition of 's' took longer" "$T/err"
check "the entry after it is built" grep -q 500053 "$SV/q/run"
base_rc >"$rc_file"

note "the site's shell options and redefinitions do not reach the evaluator"
for site in 'setopt ksh_arrays' 'setopt sh_word_split' 'sysread() { return 1 }' 'print() { }' \
	'setopt no_multios no_unset' 'IFS=:' 'alias for=false'; do
	rm -rf "$SV"
	{ base_rc; echo "$site"; } >"$rc_file"
	printf 'a::run=(%s 500061 "x y")\nb::run=(%s 500062)\n' "$SLEEP" "$SLEEP" | svtab
	zsv
	expect_rc 0 "zsvrc with $site"
	check "$site: a's run has its command" grep -q 500061 "$SV/a/run"
	check "$site: a's run defines zsv_run_default" grep -q '^zsv_run_default () {' "$SV/a/run"
	check "$site: the scripts pass zsh -n" scripts_ok a
	check "$site: run's words" eval '[ "$(zsh -fc "$(sed "/^exec/d; /ZSV_SESSION/d; /^zsv_run_default\$/d" "$SV/a/run"); builtin print -r -- \${#run}")" = 3 ]'
done
base_rc >"$rc_file"

note "a zsvrc with a NUL byte ends in bounded time, named"
rm -rf "$SV"
{ base_rc; printf 'zsv_x() {\n  : \0\n}\n'; } >"$rc_file"
printf 'a::run=(%s 500071)\n' "$SLEEP" | svtab
zsv
expect_rc 1 "zsvrc with a NUL"
check "the error is at the zsvrc's line" grep -q "^$rc_file:3:5: error: .*NUL" "$T/err"
check "one error" test "$(err_lines)" = 1
check "nothing was built" test ! -e "$SV/a"
check "no evaluator is left" wait_until 5 no_evaluator
base_rc >"$rc_file"

note "an entry of 1,000,000 lines (50 MB) ends in bounded time, named"
rm -rf "$SV"
printf 'zsv_logroot=%q\nzsv_resolve_timeout=3\n' "$T/log" >"$rc_file"
# big_svtab LINES: an entry of LINES lines of code (50 bytes each), then a small one.
big_svtab() {
	printf 'big::run=(%s 500081)\n' "$SLEEP"
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "  : %045d\n", i }'
	printf 'after::run=(%s 500082)\n' "$SLEEP"
}
big_svtab 1000000 | svtab
zsv
check "zsvgen ended (no timeout)" test "$rc" != 124
expect_rc 1 "a 50 MB svtab is refused"
check "the error names the svtab" grep -q "^$T/svtab: error: " "$T/err"
check "no evaluator is left" wait_until 5 no_evaluator
# Within the size bound: the entry itself runs out of time, named, and the next one is built.
big_svtab 300000 | svtab
zsv
check "zsvgen ended (no timeout)" test "$rc" != 124
expect_rc 3 "the big entry fails"
check "the big entry is named at its line" grep -q "^$T/svtab:1:1: error: .*'big'.*took longer" "$T/err"
check "the entry after it is built" grep -q 500082 "$SV/after/run"
check "the error line is bounded" test "$(wc -c <"$T/err")" -lt 4000
check "no evaluator is left" wait_until 5 no_evaluator
base_rc >"$rc_file"

note "zsvrc settings are checked once, as zsvrc errors"
rm -rf "$SV"
printf 'a::run=(%s 500091)\nb::run=(%s 500092)\n' "$SLEEP" "$SLEEP" | svtab
for site in 'zsv_flags=Z' 'zsv_resolve_timeout=1e300' 'zsv_check_timeout=-1' \
	'zsv_resolve_timeout=abc' 'unset zsv_logroot' 'zsv_logroot=relative/dir'; do
	{ base_rc; echo "$site"; } >"$rc_file"
	zsv
	expect_rc 1 "zsvrc with $site"
	check "$site: one error, naming the zsvrc" eval '[ "$(err_lines)" = 1 ] && grep -q "^$rc_file: error: " "$T/err"'
	check "$site: nothing was built" test ! -e "$SV/a" -a ! -e "$SV/b"
done
base_rc >"$rc_file"

note "an empty run is an entry error"
printf 'a::run=()\nb::run=(%s 500101)\n' "$SLEEP" | svtab
zsv
expect_rc 3 "run=()"
check "the error is at a's line" grep -q "^$T/svtab:1:1: error: .*'a'.*empty" "$T/err"
check "a was not created" test ! -e "$SV/a"
check "b was built" grep -q 500101 "$SV/b/run"

note "causes named right: exit in zsvrc, a broken library"
rm -rf "$SV"
{ base_rc; echo 'exit 0'; } >"$rc_file"
zsv
expect_rc 1 "exit in zsvrc"
check "the error names the zsvrc and exit" grep -q "^$rc_file: error: .*exit" "$T/err"
base_rc >"$rc_file"
cp -R "$ZSV_LIB" "$T/badlib"
echo 'if then' >>"$T/badlib/zsv_services"
timeout -k 5 60 "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$rc_file" -L "$T/badlib" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 1 "a library with a syntax error"
check "the error names the library's file, not the zsvrc" grep -q "^$T/badlib/zsv_config: error: " "$T/err"
check_not "the zsvrc is not blamed" grep -q "^$rc_file" "$T/err"
check "nothing was built" test ! -e "$SV/a"

note "a 1 MiB bad name prints a bounded diagnostic"
{ head -c 1048576 /dev/zero | tr '\0' 'n'; printf '/x::run=(%s 1)\n' "$SLEEP"; } | svtab
zsv
expect_rc 1 "a 1 MiB name with a /"
check "the diagnostic is bounded" test "$(wc -c <"$T/err")" -lt 2000
check "it still names line 1 and the column" grep -q "^$T/svtab:1:1048577: error: " "$T/err"

note "TERM, INT, HUP to zsvgen end its evaluators"
printf 'a::run=(%s 500111)\n' "$SLEEP" | svtab
for sig in TERM INT HUP; do
	{ base_rc; printf '%s 500121\n' "$SLEEP"; } >"$rc_file"
	# A background job of a script starts with INT ignored: give zsvgen the default.
	env --default-signal=INT,TERM,HUP "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$rc_file" -L "$ZSV_LIB" \
		>"$T/out" 2>"$T/err" &
	pid=$!
	hung() { pgrep -f "$SLEEP 500121" >/dev/null; }
	check "$sig: the zsvrc hangs" wait_until 10 hung
	kill -"$sig" "$pid"
	gone() { ! kill -0 "$pid" 2>/dev/null; }
	check "$sig: zsvgen ends" wait_until 5 gone
	wait "$pid" 2>/dev/null
	check "$sig: the evaluator and what it started are gone" wait_until 5 eval '! hung && no_evaluator'
	base_rc >"$rc_file"
	zsv
	expect_rc 0 "$sig: the next run gets the lock"
	check "$sig: and builds a" grep -q 500111 "$SV/a/run"
	rm -rf "$SV"
done

finish
