# shellcheck shell=bash
# lib.sh: shared helpers of the integration tests, sourced by each test_*.sh.
#
# Every test gets a temporary directory $T (mktemp -d) holding its svtab
# ($T/svtab), zsvrc ($T/zsvrc, logging into $T/log) and service tree ($SV), and
# may start a real `runsvdir -P $SV`. Every process a test starts has $T in its
# command line or its working directory under $T (services run
# "$T/bin/sleep", a link to sleep), so the cleanup trap can find and stop all of
# them: it renames every service to a dot-name, tells each runsv to stop its
# service and exit, waits for the runsv processes to be reaped, stops runsvdir,
# kills whatever is left and removes $T. It runs on any exit, failed or not.
#
# Assertions print "ok - WHAT" or "FAIL - WHAT" and a failure makes the test exit 1.
# Waits are bounded polls (wait_until); nothing asserts on elapsed time.

set -u
export LC_ALL=C

ZSV_SRC=${ZSV_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ZSVGEN=${ZSVGEN:-$ZSV_SRC/build/zsvgen}
ZSV_LIB=${ZSV_LIB:-$ZSV_SRC/lib}
# The tests pass every path explicitly; the environment must not leak in.
unset ZSV_SVTAB ZSV_SERVICE_DIR ZSV_CONFIG

for tool in runsvdir runsv sv zsh od dd timeout; do
	command -v "$tool" >/dev/null || { echo "skip - $tool is not installed"; exit 77; }
done
[ -x "$ZSVGEN" ] || { echo "FAIL - no zsvgen binary at $ZSVGEN"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/zsvit.XXXXXXXX") || { echo "FAIL - mktemp -d"; exit 1; }
T=$(cd "$T" && pwd -P)
SV=$T/service
RSVD_PID=
fail=0
mkdir -p "$T/bin" "$T/log"
ln -s "$(command -v sleep)" "$T/bin/sleep"
SLEEP=$T/bin/sleep
# A test sees one version of the program and the library from start to end, whatever
# is rebuilt or edited meanwhile.
cp "$ZSVGEN" "$T/bin/zsvgen" && ZSVGEN=$T/bin/zsvgen
cp -R "$ZSV_LIB" "$T/lib" && ZSV_LIB=$T/lib
printf 'zsv_logroot=%q\n' "$T/log" >"$T/zsvrc"
: >"$T/svtab"

# ---------------------------------------------------------------- reporting

ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
note() { echo "# $*"; }
# check WHAT CMD...: CMD must succeed.
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# check_not WHAT CMD...: CMD must fail.
check_not() { local what=$1; shift; if "$@"; then bad "$what"; else ok "$what"; fi; }
# known_bug WHAT: an assertion skipped because of a documented zsvgen bug.
known_bug() { echo "SKIP - KNOWN_BUG: $*"; }
# Shows a file's contents indented (after a failure).
show() { local f; for f; do echo "  --- $f"; sed 's/^/  | /' "$f" 2>/dev/null | head -40; done; }

# ---------------------------------------------------------------- zsvgen

# zsv [ARGS...]: zsvgen on $T/svtab, $SV, $T/zsvrc and the library, plus ARGS.
# Sets $rc; stdout in $T/out, stderr in $T/err. Bounded: a hang shows as rc 124.
zsv() {
	timeout -k 5 120 "$ZSVGEN" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" "$@" \
		>"$T/out" 2>"$T/err"
	rc=$?
}
# expect_rc N WHAT: the last zsv call exited N.
expect_rc() {
	if [ "$rc" = "$1" ]; then ok "$2 (exit $rc)"; else bad "$2: exit $rc, expected $1"; show "$T/out" "$T/err"; fi
}
# svtab: $T/svtab becomes stdin.
svtab() { cat >"$T/svtab"; }

# ---------------------------------------------------------------- trees

# snapshot DIR: every path with size, mtime, ctime, inode and mode, and a checksum of
# every regular file; runit's supervise/ and .forced-rescan, zsv's lock file, and the
# backoff bookkeeping run scripts keep (zsv/backoff) excluded.
snapshot() {
	(cd "$1" 2>/dev/null && {
		local skip=(\( -name supervise -o -name .zsv.lock -o -name .forced-rescan -o -path '*/zsv/backoff' \) -prune -o)
		find . "${skip[@]}" -printf '%p %y %s %T@ %C@ %i %m\n' | sort
		find . "${skip[@]}" -type f -print0 | sort -z | xargs -0r md5sum
	})
}

# ---------------------------------------------------------------- runit

# Debian's runsvdir rescans on SIGALRM (RUNIT.md); upstream would die of it, so poke
# it only where the binary knows the signal. Only ever a way to go faster.
if grep -q forced-rescan "$(command -v runsvdir)" 2>/dev/null; then CAN_POKE=1; else CAN_POKE=0; fi
poke() { [ -n "$RSVD_PID" ] && [ "$CAN_POKE" = 1 ] && kill -ALRM "$RSVD_PID" 2>/dev/null; return 0; }

start_runsvdir() {
	mkdir -p "$SV"
	# No readproctitle argument: the runsv warnings go to $T/runsvdir.log.
	runsvdir -P "$SV" </dev/null >>"$T/runsvdir.log" 2>&1 &
	RSVD_PID=$!
	note "runsvdir -P $SV (pid $RSVD_PID)"
}

# stop_runsvdir: runsvdir and every runsv go (HUP: runsvdir TERMs each runsv, which stops
# its service and exits); supervise/ stays, with no reader on its FIFOs.
stop_runsvdir() {
	[ -n "$RSVD_PID" ] || return 0
	kill -HUP "$RSVD_PID" 2>/dev/null
	wait "$RSVD_PID" 2>/dev/null
	RSVD_PID=
	wait_until 15 no_runsv_procs
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds (0) or SECONDS pass (1).
wait_until() {
	local limit=$1 i=0; shift
	while :; do
		"$@" && return 0
		[ $i -ge $((limit * 10)) ] && return 1
		[ $((i % 10)) = 5 ] && poke
		sleep 0.1
		i=$((i + 1))
	done
}

# status_bytes DIR: the 20 bytes of DIR/supervise/status as numbers; fails when absent or malformed.
status_bytes() {
	local f=$1/supervise/status
	[ -f "$f" ] || return 1
	local -a b
	b=($(od -An -v -t u1 -N 21 "$f" 2>/dev/null))
	[ ${#b[@]} = 20 ] || return 1
	echo "${b[@]}"
}
# svc_pid DIR: the pid runsv records for DIR (supervise/status, little-endian at 12); 0 if none.
svc_pid() {
	local -a b
	b=($(status_bytes "$1")) || { echo 0; return; }
	[ ${#b[@]} = 20 ] || { echo 0; return; }
	echo $((b[12] | b[13] << 8 | b[14] << 16 | b[15] << 24))
}
# svc_want DIR: u or d (supervise/status byte 17); empty when unknown.
svc_want() {
	local -a b
	b=($(status_bytes "$1")) || return 0
	case ${b[17]} in 117) echo u ;; 100) echo d ;; esac
}
# supervised DIR: a runsv serves DIR now (it holds supervise/ok open for reading).
supervised() {
	[ -p "$1/supervise/ok" ] &&
		dd if=/dev/null of="$1/supervise/ok" oflag=nonblock conv=notrunc status=none 2>/dev/null
}
# running DIR: supervised, and its recorded pid is a live process.
running() {
	local p
	p=$(svc_pid "$1")
	[ "$p" != 0 ] && kill -0 "$p" 2>/dev/null
}
# stopped DIR: supervised and runsv records no process.
stopped() { supervised "$1" && [ -f "$1/supervise/status" ] && [ "$(svc_pid "$1")" = 0 ]; }
# ctl DIR CHARS: writes CHARS to DIR/supervise/control without blocking (no runsv: nothing).
ctl() {
	[ -p "$1/supervise/control" ] || return 0
	printf %s "$2" | dd of="$1/supervise/control" oflag=nonblock conv=notrunc status=none 2>/dev/null
	return 0
}
# runsv_pid DIR: the pid of the runsv whose working directory is DIR; empty if none.
runsv_pid() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = runsv ] || continue
		[ "$(readlink "$p/cwd" 2>/dev/null)" = "$1" ] && { echo "${p#/proc/}"; return 0; }
	done
	return 1
}
# pid_alive PID
pid_alive() { [ -n "$1" ] && [ "$1" != 0 ] && kill -0 "$1" 2>/dev/null; }
pid_gone() { ! pid_alive "$1"; }

# ---------------------------------------------------------------- cleanup

# The pids of processes started for this test: $T in their command line or their
# working directory under $T. Never this shell or its subshells.
test_procs() {
	local p pid cmd cwd
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
		cwd=$(readlink "$p/cwd" 2>/dev/null) || cwd=
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || cmd=
		case "$cwd/ $cmd" in *"$T"/*) echo "$pid" ;; esac
	done
}
runsv_procs() {
	local p
	for p in $(test_procs); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = runsv ] && echo "$p"; done
}
no_runsv_procs() { [ -z "$(runsv_procs)" ]; }
no_test_procs() { [ -z "$(test_procs)" ]; }

# A test that creates something outside $T (a user, a group) defines extra_cleanup,
# which runs last.
cleanup() {
	local status=$? d n p left
	set +e
	trap - EXIT INT TERM HUP
	if [ -d "$SV" ]; then
		# Dot-names first, so that runsvdir does not bring any runsv back.
		for d in "$SV"/* "$SV"/.[!.]*; do
			[ -e "$d" ] || [ -L "$d" ] || continue
			n=${d##*/}
			case $n in .*) continue ;; esac
			mv -f "$d" "$SV/.$n.cleanup" 2>/dev/null
		done
	fi
	# Every supervise/control under $T: stop the service (KILL if it ignores TERM), exit.
	while IFS= read -r -d '' d; do
		d=${d%/supervise/control}
		ctl "$d/log" dkx
		ctl "$d" dkx
	done < <(find "$T" -path '*/supervise/control' -type p -print0 2>/dev/null)
	wait_until 15 no_runsv_procs || echo "# cleanup: runsv still there after 15 s: $(runsv_procs)"
	if [ -n "$RSVD_PID" ]; then
		kill -HUP "$RSVD_PID" 2>/dev/null
		wait "$RSVD_PID" 2>/dev/null
		RSVD_PID=
	fi
	left=$(test_procs)
	if [ -n "$left" ]; then
		for p in $left; do kill -KILL "$p" 2>/dev/null; done
		wait_until 5 no_test_procs
	fi
	left=$(test_procs)
	if [ -n "$left" ]; then
		echo "FAIL - cleanup: processes left: $left"
		status=1
	fi
	rm -rf "$T"
	[ -e "$T" ] && { echo "FAIL - cleanup: $T not removed"; status=1; }
	declare -F extra_cleanup >/dev/null && extra_cleanup
	[ "$status" = 0 ] && [ "$fail" != 0 ] && status=1
	exit "$status"
}
trap cleanup EXIT
trap 'echo "# interrupted"; exit 1' INT TERM HUP

# finish: the end of a test; the status is the assertions' verdict.
finish() {
	if [ "$fail" = 0 ]; then echo "# all passed"; else echo "# some checks FAILED"; fi
	exit "$fail"
}
