#!/bin/bash
# test_inputs.sh: the caller's environment is not an input (SPEC §5), and hostile inputs
# are refused without a hang (SPEC §6, §7). Under a real runsvdir:
#  - PATH in either order, no PATH at all (env -i), or a relative PATH entry with a zsh
#    in it, and every spelling of the same paths (DIR/, ../x/DIR, DIR//, a symlink to
#    DIR, -f ../x/svtab) leave the tree byte for byte and inode for inode as it was, with
#    no service restarted;
#  - a svtab that is a directory, a FIFO or /dev/zero, a zsvrc that is a directory or a
#    FIFO, and a svtab over --max-input: exit 1 naming the file, the tree untouched;
#  - a LOGFILE that is a FIFO, a directory, /dev/full or under a missing directory: a
#    warning on stderr, the run done;
#  - a lock held by another zsvgen: exit 4 after --lock-timeout, naming its pid;
#  - foreign directories with zsv's temporary names keep their data.
. "$(dirname "$0")/lib.sh"

svtab <<EOF
a::run=($SLEEP 4101)
b:E:run=($SLEEP 4102)
c::checkf=zsv_check_false; run=($SLEEP 4103)
EOF
env PATH=/usr/bin:/bin "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "first run with PATH=/usr/bin:/bin"
start_runsvdir
for n in a b; do check "$n runs (15 s)" wait_until 15 running "$SV/$n"; done
pids() { echo "$(svc_pid "$SV/a") $(svc_pid "$SV/b")"; }
before_pids=$(pids)
snapshot "$SV" >"$T/snap.before"
head -1 "$SV/a/run" >"$T/shebang"
check "the #! names an absolute zsh: $(cat "$T/shebang")" grep -q '^#!/[^ ]*zsh -f$' "$T/shebang"

# same WHAT CMD...: CMD (a zsvgen run) exits 0, prints no action, and changes nothing.
same() {
	local what=$1; shift
	(cd "$T/x" && "$@") >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "$what"
	snapshot "$SV" >"$T/snap.after"
	if cmp -s "$T/snap.before" "$T/snap.after" && [ ! -s "$T/out" ]; then
		ok "$what: the tree is unchanged"
	else
		bad "$what: the tree changed"; diff "$T/snap.before" "$T/snap.after" | head -10; show "$T/out"
	fi
	check "$what: no service restarted" test "$(pids)" = "$before_pids"
}
mkdir -p "$T/x/dot"
ln -s "$(command -v zsh)" "$T/x/dot/zsh"
base=$(basename "$T")
gen() { "$ZSVGEN" "$@"; }
same "PATH=/bin:/usr/bin" env PATH=/bin:/usr/bin "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB"
same "no PATH at all (env -i)" env -i "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB"
same "PATH=dot:/usr/bin with a zsh in dot" env PATH=dot:/usr/bin:/bin "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB"
same "-s DIR/" gen -f "$T/svtab" -s "$SV/" -c "$T/zsvrc" -L "$ZSV_LIB"
same "-s ../x/DIR" gen -f "$T/svtab" -s "../../$base/x/../service" -c "$T/zsvrc" -L "$ZSV_LIB"
same "-s DIR//" gen -f "$T/svtab" -s "$T//service//" -c "$T/zsvrc" -L "$ZSV_LIB"
same "-f ../x/svtab -c ./../zsvrc" gen -f "../../$base/svtab" -s "$SV" -c "./../zsvrc" -L "$ZSV_LIB/"
ln -s "$SV" "$T/link"
same "-s through a symlink to DIR" gen -f "$T/svtab" -s "$T/link" -c "$T/zsvrc" -L "$ZSV_LIB"
same "-n -s through a symlink to DIR" gen -n -f "$T/svtab" -s "$T/link/" -c "$T/zsvrc" -L "$ZSV_LIB"

note "inputs that are not regular files"
cp "$T/svtab" "$T/svtab.good"
# refused WHAT FILE ARGS...: a bounded run with ARGS exits 1, names FILE, changes nothing.
refused() {
	local what=$1 file=$2; shift 2
	timeout -k 2 20 "$ZSVGEN" -s "$SV" -L "$ZSV_LIB" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 1 "$what is refused"
	check "$what: the message names $file" grep -qF "$file" "$T/err"
	snapshot "$SV" >"$T/snap.after"
	check "$what: the tree is untouched" cmp -s "$T/snap.before" "$T/snap.after"
}
mkdir "$T/tabdir"
mkfifo "$T/fifo"
refused "a svtab that is a directory" "$T/tabdir" -f "$T/tabdir" -c "$T/zsvrc"
refused "a svtab that is a FIFO" "$T/fifo" -f "$T/fifo" -c "$T/zsvrc"
refused "a svtab that is /dev/zero" /dev/zero -f /dev/zero -c "$T/zsvrc"
refused "a zsvrc that is a directory" "$T/tabdir" -f "$T/svtab" -c "$T/tabdir"
refused "a zsvrc that is a FIFO" "$T/fifo" -f "$T/svtab" -c "$T/fifo"
refused "a svtab over --max-input" "$T/svtab" -f "$T/svtab" -c /dev/null --max-input 20
check "... and says it is too large" grep -q "larger than 20 bytes" "$T/err"
ZSV_MAX_INPUT=20 refused "a svtab over ZSV_MAX_INPUT" "$T/svtab" -f "$T/svtab" -c /dev/null
refused "a zsvrc over --max-input" "$T/zsvrc" -f "$T/svtab" -c "$T/zsvrc" --max-input 20

note "LOGFILE problems are warnings"
# logwarn WHAT LOGFILE: the run exits 0, bounded, with a warning naming LOGFILE.
logwarn() {
	timeout -k 2 20 "$ZSVGEN" -v -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" "$2" >"$T/out" 2>"$T/err"
	rc=$?
	expect_rc 0 "LOGFILE $1"
	check "LOGFILE $1: a warning on stderr" grep -qiE "warning.*(LOGFILE|$2)|$2.*warning" "$T/err"
}
logwarn "a FIFO" "$T/fifo"
logwarn "a directory" "$T/tabdir"
logwarn "under a missing directory" "$T/nodir/log"
logwarn "/dev/full" /dev/full
( exec 3<>"$T/fifo"; sleep 30 ) &
reader=$!
logwarn "a FIFO with a reader" "$T/fifo"
kill "$reader" 2>/dev/null; wait "$reader" 2>/dev/null

note "a lock held by another run"
# An entry whose code sleeps holds the holder in its evaluation, under the lock.
echo "zsv_resolve_timeout=60" >>"$T/zsvrc"
{ cat "$T/svtab.good"; echo "slow::sleep 20; run=($SLEEP 4104)"; } >"$T/svtab.slow"
"$ZSVGEN" -q -f "$T/svtab.slow" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" >/dev/null 2>&1 &
holder=$!
lock_is_held() { [ "$(cat "$SV/.zsv.lock" 2>/dev/null)" = "$holder" ]; }
check "the holder wrote its pid into the lock (10 s)" wait_until 10 lock_is_held
timeout -k 2 20 "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" --lock-timeout 1 >"$T/out" 2>"$T/err"
rc=$?
expect_rc 4 "--lock-timeout 1 with the lock held"
check "the message names the holder's pid $holder" grep -q "pid $holder" "$T/err"
ZSV_LOCK_TIMEOUT=0.5 timeout -k 2 20 "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 4 "ZSV_LOCK_TIMEOUT=0.5 with the lock held"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
sed -i '/zsv_resolve_timeout/d' "$T/zsvrc"

note "foreign directories with zsv's temporary names"
for d in .important.zsv-new .backup.zsv-old .d.zsv-new; do
	mkdir "$SV/$d" && echo precious >"$SV/$d/data"
done
{ cat "$T/svtab.good"; echo "d::run=($SLEEP 4105)"; } >"$T/svtab"
zsv
for d in .important.zsv-new .backup.zsv-old .d.zsv-new; do
	check "$d keeps its data" grep -q precious "$SV/$d/data"
done
check "d, whose staging name is taken by foreign data, is not created" test ! -e "$SV/d"
check "a still runs as before" test "$(svc_pid "$SV/a")" = "${before_pids% *}"

finish
