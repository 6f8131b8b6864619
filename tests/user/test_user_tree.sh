#!/bin/bash
# test_user_tree.sh: users' own trees (SPEC §13) with real users, a real system
# runsvdir and real kernel state. Two users are created for the test (useradd,
# homes under $T; removed on any exit). In a network namespace with a veth pair
# (veth0 has carrier while its peer veth1 is up) the system tree $SV runs
# runsvdir.U1, runsvdir.U2 and netplugd.veth0; U1's svtab has a service gated on
# veth0's carrier, U2's one that always runs, and both record `id -u` at
# resolve time:
#   start      each runsvdir.USER compiles the user's tree as the user and runs
#              its runsvdir as the user; U1's service is down, U2's runs as U2;
#   route (b)  veth1 up → netplugd → zsv_ifupd (root) → zsvgen → zsv_users →
#              U1's zsvgen --user, as U1 → U1's service runs as U1; down → it
#              stops; an entry U1 added meanwhile is resolved by that run, as U1;
#              a burst of flaps costs a bounded number of U1's runs, never two
#              at once, and ends right; 20 hook calls while a run holds U1's
#              lock cost exactly one more run;
#   hostile    U1's zsvgen on the system tree or on U2's (with or without
#              --user) exits 4 with a clear message and writes nothing; U1
#              cannot control U2's or the system's services; root's --user on
#              U1's tree is refused the same way;
#   route (a)  netplugd removed; zsvwatch in U1's svtab, run as U1 by U1's
#              runsvdir: veth1 up → U1's service runs, down → it stops; every
#              zsvgen run of U1's is `zsvgen --user`;
#   ansible  the zsv.zsv collection with user: true, run by U1: entry and apply
#              work on U1's tree, and a second apply changes nothing;
#   uids       every resolve-time `id -u` of the users' entries is the user's.
# The times from a carrier change to the user's service running or stopped are
# printed, by route.
export TEST_TAG=u
# shellcheck source=../integration/lib.sh
. "${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "skip - users and network namespaces need root"; exit 77; fi
for tool in useradd userdel setpriv flock ip netplugd getent; do
	command -v "$tool" >/dev/null || { echo "skip - $tool is not installed"; exit 77; }
done
ZSVWATCH=${ZSVWATCH:-$ZSV_SRC/build/watch/zsvwatch}
[ -x "$ZSVWATCH" ] || { echo "FAIL - no zsvwatch binary at $ZSVWATCH"; exit 1; }
cp "$ZSVWATCH" "$T/bin/zsvwatch"
cp -R "$ZSV_SRC/hooks" "$T/hooks"   # beside $T/lib: the library's zsv_hookdir
chmod 0755 "$T"
unset ZSV_CACHE_DIR ZSV_LOG ZSV_PATHS

U1=zt$$a U2=zt$$b
NS=zsvu-$$
USERS_MADE=
teardown() {
	local st=$? u
	# The users' trees first, the way zsv stops them (runsvdir.USER stops its whole
	# tree), so that nothing of theirs is still being stopped while cleanup sweeps.
	[ -n "$RSVD_PID" ] && timeout 30 sv -w 15 down "$SV"/runsvdir.* >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	(exit $st)
	(cleanup)
	st=$?
	for u in $USERS_MADE; do
		userdel "$u" 2>/dev/null || { sleep 1; userdel -f "$u"; }
		getent passwd "$u" >/dev/null && { echo "FAIL - user $u not removed"; st=1; }
	done
	exit $st
}
trap teardown EXIT

mkdir -m 0755 "$T/home"
for u in $U1 $U2; do
	useradd -M -U -d "$T/home/$u" -s /bin/sh "$u" || { echo "FAIL - useradd $u"; exit 1; }
	USERS_MADE="$USERS_MADE $u"
	mkdir -p "$T/home/$u/.config/zsv"
	chown -R "$u:$u" "$T/home/$u"
done
chmod 0700 "$T/home/$U1"
chmod 0755 "$T/home/$U2"   # U2's tree readable by others: still not theirs to change
UID1=$(id -u "$U1") UID2=$(id -u "$U2")
H1=$T/home/$U1 H2=$T/home/$U2
note "users $U1 (uid $UID1) and $U2 (uid $UID2)"

# Every zsvgen run goes through $T/bin/zsvgen, which records who ran it and how.
mv "$T/bin/zsvgen" "$T/bin/zsvgen.real"
ZSVGEN=$T/bin/zsvgen.real
cat >"$T/bin/zsvgen" <<W
#!/bin/sh
echo "start \$(id -u) \$\$ \$*" >>$T/runs
$ZSVGEN "\$@"
rc=\$?
echo "end \$(id -u) \$\$ \$rc" >>$T/runs
exit \$rc
W
chmod 0755 "$T/bin/zsvgen"
: >"$T/runs"
chmod 0666 "$T/runs"
IPATH=$T/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

ip netns add "$NS" || { echo "FAIL - ip netns add $NS"; exit 1; }
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add veth0 type veth peer name veth1 && ip -n "$NS" link set lo up ||
	{ echo "FAIL - veth pair in $NS"; exit 1; }

# asu USER CMD...: CMD as USER (uid, gid, groups) in the namespace, clean environment.
asu() {
	local u=$1; shift
	ip netns exec "$NS" setpriv --reuid="$u" --regid="$u" --init-groups \
		env -i HOME="$T/home/$u" USER="$u" LOGNAME="$u" PATH="$IPATH" "$@"
}
# uzsv USER ARGS...: the user's zsvgen (the real one); $rc, $T/out, $T/err as zsv().
uzsv() {
	local u=$1; shift
	timeout -k 5 120 ip netns exec "$NS" setpriv --reuid="$u" --regid="$u" --init-groups \
		env -i HOME="$T/home/$u" USER="$u" LOGNAME="$u" PATH="$IPATH" "$ZSVGEN" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# proc_uid PID: the real uid of PID.
proc_uid() { awk '$1 == "Uid:" { print $2 }' "/proc/$1/status" 2>/dev/null; }
svc_uid() { proc_uid "$(svc_pid "$1")"; }
# user_runs UID: how many zsvgen runs UID started so far.
user_runs() { grep -c "^start $1 " "$T/runs"; }
# serial UID: UID's runs never overlapped.
serial() {
	awk -v u="$1" '$2 == u { if ($1 == "start") { if (open) exit 1; open = 1 } else open = 0 }' "$T/runs"
}
# flip STATE SVC: veth1 STATE (up/down); prints the ms until SVC runs (up) or is
# stopped (down), polled every 20 ms, 30 s at most; fails on timeout.
flip() {
	local t0 t1 i
	t0=$(date +%s%N)
	ip -n "$NS" link set veth1 "$1"
	for ((i = 0; i < 1500; i++)); do
		if { [ "$1" = up ] && running "$2"; } || { [ "$1" = down ] && stopped "$2"; }; then
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000000))
			return 0
		fi
		sleep 0.02
	done
	return 1
}
# flips ROUTE SVC N: N carrier up/down pairs, each timed and checked.
flips() {
	local route=$1 svc=$2 n=$3 k ms ups='' downs=''
	for ((k = 0; k < n; k++)); do
		# runsv waits out 1 s after a start before it acts on the next (RUNIT.md): not zsv's time.
		sleep 1.2
		if ms=$(flip up "$svc"); then ups="$ups $ms"; else bad "$route: carrier up → ${svc##*/} runs"; return; fi
		check "$route: ${svc##*/} runs as $U1 (uid $(svc_uid "$svc"))" test "$(svc_uid "$svc")" = "$UID1"
		sleep 1.2
		if ms=$(flip down "$svc"); then downs="$downs $ms"; else bad "$route: carrier down → ${svc##*/} stops"; return; fi
	done
	ok "$route: $n carrier flips followed"
	note "$route: carrier up → running, ms:$ups"
	note "$route: carrier down → stopped, ms:$downs"
}
# no_foreign_files DIR USER: everything under DIR belongs to USER.
no_foreign_files() { [ -z "$(find "$1" ! -user "$2" -print -quit)" ]; }

echo "# the users' svtabs, written by the users"
printf '%s\n' "carrier::run=( $SLEEP 100001 ); checkf='zsv_check_carrier veth0'; id -u >>\$HOME/resolve.uid" |
	asu "$U1" sh -c 'cat >"$HOME/.config/zsv/svtab"'
printf '%s\n' "other:N:run=( $SLEEP 100002 ); id -u >>\$HOME/resolve.uid" |
	asu "$U2" sh -c 'cat >"$HOME/.config/zsv/svtab"'

echo "# the system tree: runsvdir.$U1, runsvdir.$U2, netplugd.veth0, under a real runsvdir in $NS"
svtab <<EOF
runsvdir.$U1
runsvdir.$U2
netplugd.veth0
EOF
zsv
expect_rc 0 "the system tree compiles"
mkdir -p "$SV"
ip netns exec "$NS" env -i PATH="$IPATH" ZSV_SVTAB="$T/svtab" ZSV_SERVICE_DIR="$SV" ZSV_CONFIG="$T/zsvrc" \
	ZSV_LIB="$ZSV_LIB" ZSV_LOG="$T/zsv.log" ZSV_CACHE_DIR="$T/cache" runsvdir -P "$SV" \
	</dev/null >>"$T/runsvdir.log" 2>&1 &
RSVD_PID=$!
note "runsvdir -P $SV in $NS (pid $RSVD_PID)"

echo "# start: each runsvdir.USER compiles and runs the user's tree as the user"
check "runsvdir.$U1 runs" wait_until 20 running "$SV/runsvdir.$U1"
check "$U1's tree was compiled: carrier is there, down" wait_until 30 stopped "$H1/service/carrier"
check "$U2's service runs" wait_until 30 running "$H2/service/other"
check "$U2's service runs as $U2" test "$(svc_uid "$H2/service/other")" = "$UID2"
rsvd1=$(runsv_pid "$H1/service/carrier") && rsvd1=$(awk '{ print $4 }' "/proc/$rsvd1/stat")
check "$U1's runsvdir runs as $U1 (pid $rsvd1)" test "$(proc_uid "$rsvd1")" = "$UID1"
check "$U1's tree and home hold only $U1's files" no_foreign_files "$H1" "$U1"
check "$U2's tree and home hold only $U2's files" no_foreign_files "$H2" "$U2"
check "netplugd runs" wait_until 20 running "$SV/netplugd.veth0"
check "netplugd probed veth0 up" wait_until 10 grep -qs ' zsv_ifupd: veth0 probe$' "$T/zsv.log"
check "the user's zsvgen log is the user's own" test -f "$H1/.local/state/zsv/zsvgen.log"

echo "# route (b): netplugd → zsv_ifupd → zsv_users → $U1's zsvgen --user as $U1"
flips "route (b)" "$H1/service/carrier" 3
check "the hook recorded the carrier events" grep -q ' zsv_ifupd: veth0 in$' "$T/zsv.log"
check "$U1's runs were $U1's: no zsvgen --user by another uid" \
	sh -c "! grep '^start ' '$T/runs' | grep -- '--user' | grep -qv '^start \\($UID1\\|$UID2\\) '"
check "the carrier service logs into $U1's own log root" test -d "$H1/.local/state/zsv/log/carrier"
printf '%s\n' "extra:N:run=( $SLEEP 100003 ); id -u >>\$HOME/resolve.uid" |
	asu "$U1" sh -c 'cat >>"$HOME/.config/zsv/svtab"'
n=$(wc -l <"$H1/resolve.uid")
flips "route (b)" "$H1/service/carrier" 1
check "the entry $U1 added was resolved by the hook's run" wait_until 10 running "$H1/service/extra"
check "... and it ran as $U1: one more id -u recorded" test "$(wc -l <"$H1/resolve.uid")" -gt "$n"
check "$U1's home still holds only $U1's files" no_foreign_files "$H1" "$U1"

echo "# route (b): a burst of 41 link changes"
events0=$(grep -c ' zsv_ifupd: veth0 \(in\|out\)$' "$T/zsv.log")
runs0=$(user_runs "$UID1")
for _ in $(seq 20); do echo "link set veth1 up"; echo "link set veth1 down"; done >"$T/flaps"
echo "link set veth1 up" >>"$T/flaps"
ip -n "$NS" -batch "$T/flaps"
check "carrier runs after the burst" wait_until 30 running "$H1/service/carrier"
sleep 3   # let whatever netplugd still had queued go through
check "carrier still runs once it settled" wait_until 30 running "$H1/service/carrier"
events=$(($(grep -c ' zsv_ifupd: veth0 \(in\|out\)$' "$T/zsv.log") - events0))
burst=$(($(user_runs "$UID1") - runs0))
note "41 link changes: $events hook events, $burst runs of $U1's zsvgen"
check "at most one user run per hook event ($burst ≤ $events)" test "$burst" -le "$events"
check "$U1's runs never overlapped" serial "$UID1"
check "$U2's runs never overlapped" serial "$UID2"

echo "# route (b): 20 hook calls while a run of $U1's holds the lock cost one run after it"
runs0=$(user_runs "$UID1")
exec 7<"$SV/runsvdir.$U1"
flock 7   # as a run of U1's would
pids=()
for _ in $(seq 20); do
	ip netns exec "$NS" env -i PATH="$IPATH" ZSV_SERVICE_DIR="$SV" ZSV_LIB="$ZSV_LIB" "$T/hooks/zsv_users" "$U1" 7<&- &
	pids+=($!)
done
one_left() { local p n=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done; [ $n = 1 ]; }
check "19 of them left at once, one waits" wait_until 20 one_left
exec 7<&-
wait "${pids[@]}"
check "one run of $U1's followed ($(($(user_runs "$UID1") - runs0)))" test "$(($(user_runs "$UID1") - runs0))" = 1
check "$U1's runs never overlapped" serial "$UID1"

echo "# hostile: a user cannot touch the system tree or another user's"
before_sv=$(snapshot "$SV") before_h2=$(snapshot "$H2/service")
uzsv "$U1" --user -s "$SV"
expect_rc 4 "$U1's zsvgen --user -s $SV"
check "... says why" grep -q "belongs to uid 0 (root).*a user changes only a tree of their own" "$T/err"
uzsv "$U1" -f "$H1/.config/zsv/svtab" -c /dev/null -s "$SV"
expect_rc 4 "$U1's plain zsvgen -s $SV"
check "... says why" grep -q "cannot be written by uid $UID1" "$T/err"
uzsv "$U1" --user -s "$H2/service"
expect_rc 4 "$U1's zsvgen --user -s ~$U2/service"
check "... says why" grep -q "belongs to uid $UID2 ($U2)" "$T/err"
uzsv "$U1" -f "$H1/.config/zsv/svtab" -c /dev/null -s "$H2/service"
expect_rc 4 "$U1's plain zsvgen -s ~$U2/service"
uzsv "$U1" --user -s "$H2/service/sub"
expect_rc 4 "$U1's zsvgen --user -s a new tree inside ~$U2/service"
check "the system tree is as it was" test "$before_sv" = "$(snapshot "$SV")"
check "$U2's tree is as it was" test "$before_h2" = "$(snapshot "$H2/service")"
check_not "$U1 cannot stop $U2's service" asu "$U1" sv down "$H2/service/other"
check_not "$U1 cannot stop runsvdir.$U1 of the system tree" asu "$U1" sv down "$SV/runsvdir.$U1"
check "$U2's service still runs" running "$H2/service/other"
before_h1=$(snapshot "$H1/service")
timeout 60 env HOME="$H1" "$ZSVGEN" --user >"$T/out" 2>"$T/err"
rc=$?
expect_rc 4 "root's zsvgen --user on $U1's tree"
check "... says why" grep -q "belongs to uid $UID1 ($U1), and zsvgen --user runs as uid 0" "$T/err"
check "$U1's tree is as it was" test "$before_h1" = "$(snapshot "$H1/service")"
check "no file of $U1's belongs to anyone else" no_foreign_files "$H1" "$U1"

echo "# route (a): zsvwatch in $U1's own svtab, netplugd gone"
sed -i '/^netplugd/d' "$T/svtab"
zsv
expect_rc 0 "netplugd removed from the system tree"
echo zsvwatch | asu "$U1" sh -c 'cat >>"$HOME/.config/zsv/svtab"'
uzsv "$U1" --user
expect_rc 0 "$U1 adds zsvwatch (zsvgen --user by hand)"
check "$U1's zsvwatch runs" wait_until 20 running "$H1/service/zsvwatch"
check "$U1's zsvwatch runs as $U1" test "$(svc_uid "$H1/service/zsvwatch")" = "$UID1"
check "zsvwatch's start-up run is done" wait_until 20 grep -qs 'zsvgen exited' "$H1/.local/state/zsv/log/zsvwatch/current"
from=$(wc -l <"$T/runs")
flips "route (a)" "$H1/service/carrier" 3
check "zsvwatch ran $U1's zsvgen: every run of $U1's is zsvgen --user" \
	sh -c "tail -n +$((from + 1)) '$T/runs' | grep '^start $UID1 ' | grep -q -- '--user' &&
	       ! tail -n +$((from + 1)) '$T/runs' | grep '^start $UID1 ' | grep -qv -- '--user'"
check_not "no system run during route (a)" sh -c "tail -n +$((from + 1)) '$T/runs' | grep -q '^start 0 '"
check "$U1's home still holds only $U1's files" no_foreign_files "$H1" "$U1"

echo "# the zsv.zsv collection's command line (user: true)"
uzsv "$U1" --svtab "$H1/.config/zsv/svtab" --svtab-d "$H1/.config/zsv/svtab.d" --service-dir "$H1/service" \
	--config "$H1/.config/zsv/zsvrc" --user --json
expect_rc 0 "the collection's apply as $U1"
check "... a JSON report" grep -q '"services"' "$T/out"
uzsv "$U1" --user --status --json
expect_rc 0 "--status --user as $U1"
check "... shows $U1's services" grep -q '"carrier"' "$T/out"
uzsv "$U1" --user --why carrier
expect_rc 0 "--why --user as $U1"
check "... from $U1's svtab" grep -q "$H1/.config/zsv/svtab:1" "$T/out"

if command -v ansible >/dev/null; then
	echo "# the zsv.zsv collection itself, run by $U1 (user: true)"
	cp -R "$ZSV_SRC/ansible" "$T/ansible"
	chmod -R a+rX "$T/ansible"
	# ans MODULE ARGS: ansible's MODULE on localhost as U1; $rc, $T/out, $T/err.
	ans() {
		timeout -k 5 120 ip netns exec "$NS" setpriv --reuid="$U1" --regid="$U1" --init-groups \
			env -i HOME="$H1" USER="$U1" LOGNAME="$U1" PATH="$IPATH" ANSIBLE_COLLECTIONS_PATH="$T/ansible" \
			ANSIBLE_HOME="$H1/.ansible" ANSIBLE_LOCAL_TEMP="$H1/.ansible/tmp" ANSIBLE_NOCOLOR=1 \
			PYTHONDONTWRITEBYTECODE=1 ansible localhost -c local -m "$1" -a "$2" >"$T/out" 2>"$T/err"
		rc=$?
	}
	ans zsv.zsv.entry "name=fromansible flags=N code='run=( $SLEEP 100004 )' user=true"
	expect_rc 0 "zsv.zsv.entry with user: true writes $U1's svtab.d"
	check "... changed" grep -q '"changed": true' "$T/out"
	check "... into $U1's own svtab.d" test -f "$H1/.config/zsv/svtab.d/fromansible.svtab"
	# (U1's zsvwatch may apply the new fragment first: then apply has nothing left to do.)
	ans zsv.zsv.apply "user=true"
	expect_rc 0 "zsv.zsv.apply with user: true"
	check "... and the service runs in $U1's tree" wait_until 20 running "$H1/service/fromansible"
	ans zsv.zsv.apply "user=true"
	expect_rc 0 "zsv.zsv.apply again"
	check "... changed nothing" grep -q '"changed": false' "$T/out"
	check "$U1's home still holds only $U1's files" no_foreign_files "$H1" "$U1"
else
	note "ansible is not installed: the collection's own run is not tested"
fi

echo "# every resolve-time id -u is the user's"
check "$U1's entries were resolved (resolve.uid: $(sort -u "$H1/resolve.uid" | tr '\n' ' '))" \
	test "$(grep -c . "$H1/resolve.uid")" -ge 2
check "... always as $U1, never 0" test "$(sort -u "$H1/resolve.uid")" = "$UID1"
check "$U2's always as $U2" test "$(sort -u "$H2/resolve.uid")" = "$UID2"

[ "$fail" = 0 ] || show "$T/zsv.log" "$T/runs" "$H1/.local/state/zsv/zsvgen.log" "$T/log/runsvdir.$U1/current" \
	"$H1/.local/state/zsv/log/zsvwatch/current"
finish
