#!/bin/bash
# test_void.sh: the zsv service (sv/zsv) in a Void-style tree, in a private mount
# and network namespace: /etc/sv holds the definitions, /var/service is watched by a
# real runsvdir (the distribution's), a distribution service is linked there as a
# symlink to /etc/sv/X, and the zsv service is enabled the README's way. Shows:
# zsv's services come up under the nested runsvdir; the distribution's symlinked
# service is untouched by any zsvgen run (also one pointed at /var/service itself);
# `sv -w 10 down` of runsvdir.USER and of zsv leaves no process of their trees, a
# TERM-ignoring service included (pid lists before and after); `sv up` brings them
# back. /run, /var and /root are scratch mounts here; /etc/sv a scratch bind.
set -u
export LC_ALL=C
src=${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
zsvgen=${ZSVGEN:-$src/build/zsvgen}
lib=${ZSV_LIB:-$src/lib}

if [ "${ZSV_IN_NS:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "skip - needs root (namespaces, mounts)"; exit 77; }
	for tool in unshare runsvdir runsv sv zsh timeout ip; do
		command -v "$tool" >/dev/null || { echo "skip - $tool is not installed"; exit 77; }
	done
	[ -x "$zsvgen" ] || { echo "FAIL - no zsvgen at $zsvgen"; exit 1; }
	exec env ZSV_IN_NS=1 ZSV_SRC="$src" ZSVGEN="$zsvgen" ZSV_LIB="$lib" \
		unshare --mount --net --propagation private -- "$0" "$@"
fi

# ---------------------------------------------------------------- inside the namespaces
if command -v shellcheck >/dev/null; then
	for f in "$src"/sv/zsv/run "$src"/sv/zsv/finish "$src"/sv/zsv/settings "$src"/sv/zsv/log/run; do
		if err=$(shellcheck "$f" 2>&1); then echo "ok   - shellcheck ${f#"$src"/}"; else echo "FAIL - shellcheck $f: $err"; exit 1; fi
	done
fi
T=$(mktemp -d /tmp/zsvsv.XXXXXXXX) || exit 1
fail=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
note() { echo "# $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
check_not() { local what=$1; shift; if "$@"; then bad "$what"; else ok "$what"; fi; }
wait_until() {
	local limit=$1 i=0; shift
	until "$@"; do
		[ $i -ge $((limit * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
MNT=$(readlink /proc/self/ns/mnt)
# ns_procs: every process of this mount namespace but this shell and its subshells:
# all of them were started by this test.
ns_procs() {
	local p pid
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$MNT" ] && echo "$pid"
	done
}
cleanup() {
	local p
	set +e
	trap - EXIT
	for p in $(ns_procs); do kill -KILL "$p" 2>/dev/null; done
	wait_until 5 test -z "$(ns_procs)"
	umount -l /etc/sv /run /var /root 2>/dev/null
	rm -rf "$T"
	exit "$fail"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$T/bin" "$T/etc-sv" "$T/dest"
ln -s "$(command -v sleep)" "$T/bin/zsleep"   # zsv's trees run zsleep
ln -s "$(command -v sleep)" "$T/bin/dsleep"   # the distribution's service dsleep
cp "$zsvgen" "$T/bin/zsvgen"
cp -R "$lib" "$T/lib"
cp -R "$src/hooks" "$T/hooks"   # beside the library: its zsv_hookdir (runsvdir.root runs zsv_user_tree)
ip link set lo up
mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var && mount -t tmpfs tmpfs /root &&
	mount --bind "$T/etc-sv" /etc/sv || { bad "scratch mounts"; exit 1; }

# tree_procs: processes of zsv's trees (by their programs and directories), with
# their command lines; the distribution's runsvdir and service are not among them.
tree_procs() {
	local p cmd cwd
	for p in $(ns_procs); do
		cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
		cwd=$(readlink "/proc/$p/cwd" 2>/dev/null)
		case "$cwd/ $cmd" in
		/run/service/*|/run/zsv-site/*|/root/service/*|*"$T/bin/zsleep"*|*"runsvdir -P /run/"*|*"runsvdir -P /root/service"*)
			echo "$p $cmd(in $cwd)" ;;
		esac
	done
}
no_tree_procs() { [ -z "$(tree_procs)" ]; }
svc_pid() { cat "$1/supervise/pid" 2>/dev/null; }
running() { local p; p=$(svc_pid "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
snapshot() { (cd "$1" && find . -path ./supervise -prune -o -printf '%p %y %s %T@ %i %m %l\n' | sort); }

note "the distribution: /etc/sv/getty-ish linked into /var/service, watched by runsvdir"
mkdir -p /etc/sv/agetty-tty9 /var/service
printf '#!/bin/sh\nexec %s 800001\n' "$T/bin/dsleep" >/etc/sv/agetty-tty9/run
chmod +x /etc/sv/agetty-tty9/run
ln -s /etc/sv/agetty-tty9 /var/service/
# The site paths file the zsv service reads is $T/paths (absent until the end).
ZSV_PATHS=$T/paths runsvdir -P /var/service </dev/null >"$T/outer.log" 2>&1 &
disown
check "the distribution's service runs" wait_until 15 running /var/service/agetty-tty9
distro_pid=$(svc_pid /var/service/agetty-tty9)
distro_before=$(snapshot /etc/sv/agetty-tty9)

note "svtab: two services, one that ignores TERM, and runsvdir.root (a user tree)"
cat >"$T/svtab" <<EOF2
a::run=($T/bin/zsleep 810001)
b::run=($T/bin/zsleep 810002)
stubborn::run=(zsh -fc "trap '' TERM; while :; do $T/bin/zsleep 810003; done")
runsvdir.root
EOF2
: >"$T/zsvrc"
mkdir -p /root/service/u1 /root/service/ustubborn
printf '#!/bin/sh\nexec %s 820001\n' "$T/bin/zsleep" >/root/service/u1/run
printf '#!/bin/sh\ntrap "" TERM\nwhile :; do %s 820002; done\n' "$T/bin/zsleep" >/root/service/ustubborn/run
chmod +x /root/service/*/run

note "enable zsv the README's way: copy the template to /etc/sv, link it into /var/service"
cp -R "$src/sv/zsv" /etc/sv/zsv
cat >>/etc/sv/zsv/conf <<EOF2
# this test's programs and files
ZSVGEN=$T/bin/zsvgen
ZSV_LIB=$T/lib
ZSV_SVTAB=$T/svtab
ZSV_CONFIG=$T/zsvrc
EOF2
ln -s /etc/sv/zsv /var/service/
check "zsv runs" wait_until 20 running /var/service/zsv
check "zsv's run is now runsvdir -P /run/service" \
	wait_until 20 sh -c "tr '\0' ' ' </proc/\$(cat /var/service/zsv/supervise/pid)/cmdline | grep -q '^runsvdir -P /run/service'"
for s in a b stubborn runsvdir.root; do
	check "$s comes up under the nested runsvdir" wait_until 20 running /run/service/$s
done
for s in u1 ustubborn; do
	check "$s comes up in runsvdir.root's tree" wait_until 20 running /root/service/$s
done
check "zsvgen logged to /run/zsv.log" test -s /run/zsv.log
check "zsv's own log" wait_until 10 test -s /var/log/zsv/zsv/current -o -e /var/log/zsv/zsv/lock

note "zsvgen pointed at the distribution's own tree: the symlinked service is foreign"
printf 'agetty-tty9::run=(%s 1)\nmine::run=(%s 830001)\n' "$T/bin/zsleep" "$T/bin/zsleep" >"$T/distro.svtab"
timeout 60 "$T/bin/zsvgen" -f "$T/distro.svtab" -s /var/service -c "$T/zsvrc" -L "$T/lib" >"$T/out" 2>"$T/err"
rc=$?
check "an entry named like the symlink is an error for that entry (exit 3, got $rc)" test "$rc" = 3
check "... reported as not zsv's" grep -q "/var/service/agetty-tty9 exists and is not zsv's" "$T/err"
check "mine is added beside it" wait_until 20 running /var/service/mine
printf 'other::run=(%s 830002)\n' "$T/bin/zsleep" >"$T/distro.svtab"
timeout 60 "$T/bin/zsvgen" -f "$T/distro.svtab" -s /var/service -c "$T/zsvrc" -L "$T/lib" >"$T/out" 2>"$T/err"
check "a run without those entries (exit $?)" wait_until 20 test ! -e /var/service/mine
check "zsv's own service (a symlink to /etc/sv/zsv) stays" test -L /var/service/zsv
printf '' >"$T/distro.svtab"
timeout 60 "$T/bin/zsvgen" -f "$T/distro.svtab" -s /var/service -c "$T/zsvrc" -L "$T/lib" >"$T/out" 2>"$T/err"
wait_until 20 test ! -e /var/service/other
check "the symlink is still /etc/sv/agetty-tty9" test "$(readlink /var/service/agetty-tty9)" = /etc/sv/agetty-tty9
check "/etc/sv/agetty-tty9 is untouched" test "$distro_before" = "$(snapshot /etc/sv/agetty-tty9)"
check "the distribution's service kept running (pid $distro_pid)" test "$(svc_pid /var/service/agetty-tty9)" = "$distro_pid"

note "runsvdir.root: sv -w 10 down stops its whole tree"
user_procs() { tree_procs | grep -e 820001 -e 820002 -e '/root/service'; }
note "before:"; user_procs | sed 's/^/#   /'
check "the user tree has processes" test -n "$(user_procs)"
sv -w 10 down /run/service/runsvdir.root >/dev/null
check "sv -w 10 down runsvdir.root returned ok ($?)" test $? = 0
after=$(user_procs)
note "after:"; printf '%s\n' "$after" | sed 's/^/#   /'
check "no process of the user tree is left" test -z "$after"
check "zsv's other services still run" running /run/service/a
sv up /run/service/runsvdir.root
for s in u1 ustubborn; do
	check "sv up runsvdir.root brings $s back" wait_until 20 running /root/service/$s
done

note "zsv: sv -w 10 down stops the whole nested tree"
before=$(tree_procs)
note "before:"; printf '%s\n' "$before" | sed 's/^/#   /'
check "the tree has the nested runsvdir, runsv, services and loggers" \
	test "$(printf '%s\n' "$before" | wc -l)" -ge 10
sv -w 10 down /var/service/zsv >"$T/sv.out"
rc=$?
check "sv -w 10 down zsv returned ok (exit $rc: $(cat "$T/sv.out"))" test "$rc" = 0
after=$(tree_procs)
note "after:"; printf '%s\n' "$after" | sed 's/^/#   /'
check "no process of zsv's tree is left (the TERM-ignoring ones included)" test -z "$after"
check "the distribution's service still runs (pid $distro_pid)" test "$(svc_pid /var/service/agetty-tty9)" = "$distro_pid"
check "the outer runsvdir's zsv service is down" grep -q '^down' /var/service/zsv/supervise/stat

sv up /var/service/zsv >/dev/null
for s in a b stubborn runsvdir.root; do
	check "sv up zsv brings $s back" wait_until 20 running /run/service/$s
done
check "and the user tree" wait_until 20 running /root/service/u1

note "the site paths file names the service directory: zsv follows it"
sv -w 10 down /var/service/zsv >/dev/null
printf '# site paths\nZSV_SERVICE_DIR=/run/zsv-site\n' >"$T/paths"
sv up /var/service/zsv >/dev/null
check "a comes up in /run/zsv-site" wait_until 20 running /run/zsv-site/a
check "under runsvdir -P /run/zsv-site" \
	sh -c "tr '\0' ' ' </proc/\$(cat /var/service/zsv/supervise/pid)/cmdline | grep -q '^runsvdir -P /run/zsv-site'"
sv -w 10 down /var/service/zsv >/dev/null
after=$(tree_procs)
check "sv -w 10 down zsv stops that tree too${after:+: left $after}" test -z "$after"

echo "# $([ $fail = 0 ] && echo all passed || echo some checks FAILED)"
