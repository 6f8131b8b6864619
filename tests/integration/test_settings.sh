#!/bin/bash
# test_settings.sh: service settings (SPEC §10) under a real runsvdir, with real effects:
#  - a service that prints what it runs with (uid, gid, groups, cwd, environment, umask,
#    nice value, limits) shows exactly its settings, set in its entry or in a defaults
#    function of zsvrc; a user created for the test (and a group it belongs to);
#  - a chroot service (as that user) runs inside a small tree the test builds;
#  - `sv -w N start` waits for the readiness check `ready`, and zsv_check_service holds
#    only once it is ready (zsh and zsvgen's own evaluation agree);
#  - a service that exits at once is restarted about log2 times in 20 s with
#    backoff_max=8 (against about 20 with backoff_max=0), `sv down` during its delay
#    stops it within a second, and the bookkeeping is not a change for zsvgen;
#  - hostile values (shell code as a user name, env entries without '=', a chdir with
#    spaces and a newline, command substitutions in env values) are refused or carried
#    as bytes, never run.
. "$(dirname "$0")/lib.sh"

command -v useradd >/dev/null || { echo "skip - useradd is not installed"; exit 77; }
U=zsvs$$
G=zsvsg$$
extra_cleanup() {
	userdel "$U" 2>/dev/null
	groupdel "$G" 2>/dev/null
	groupdel "$U" 2>/dev/null
	return 0
}
groupadd "$G" && useradd -M -N -g users -G "$G" -s /usr/sbin/nologin "$U" || { bad "useradd $U"; finish; }
# The services run as $U: they need to reach their programs and their output.
chmod 755 "$T"
mkdir -m 1777 "$T/facts"

# facts FILE: what this process runs with, one fact a line, then it stays up.
cat >"$T/bin/facts" <<'EOF'
#!/bin/sh
f=$1
{
	echo "uid $(id -u)"
	echo "gid $(id -g)"
	echo "groups $(id -G | tr ' ' '\n' | sort -n | tr '\n' ' ')"
	echo "cwd $(pwd)"
	echo "umask $(umask)"
	echo "nice $(cut -d' ' -f19 /proc/self/stat)"
	for l in n p c d f s v; do echo "ulimit -$l $(ulimit -S$l) $(ulimit -H$l)"; done
	env -0 | grep -z '^ZT_' | sort -z | tr '\0' '\n'
} >"$f.tmp" && mv "$f.tmp" "$f"
exec sleep 4600
EOF
chmod 755 "$T/bin/facts"
DIR="$T/dir with space
and a newline"
mkdir -p "$DIR"

# A root for the chroot service: a shell, sleep and the libraries they need.
R=$T/root
mkdir -p "$R/bin" "$R/out"
chmod 1777 "$R/out"
cp /bin/dash "$R/bin/sh"
cp "$(command -v sleep)" "$R/bin/sleep"
for lib in $({ ldd /bin/dash; ldd "$(command -v sleep)"; } | grep -o '/[^ ]*' | sort -u); do
	mkdir -p "$R${lib%/*}" && cp "$lib" "$R$lib"
done
echo inside >"$R/marker"

printf 'zsv_logroot=%q\n' "$T/log" >"$T/zsvrc"
cat >>"$T/zsvrc" <<EOF
zsv_defaults_viadef() { user=$U umask=077 env=(ZT_FROM=defaults) }
EOF
{
	printf '%s\n' "show::run=($T/bin/facts $T/facts/show); user=$U group=$G; umask=027; nice=5"
	printf '%s\n' "  env=(ZT_A=1 'ZT_B=two words' \$'ZT_C=line1\\nline2' 'ZT_D=\$(touch $T/pwned)')"
	printf '%s\n' "  limits=(nofile 512 nproc 300 core 0 data 64M fsize 1M stack 4M as 1G)"
	printf '  chdir=%q\n' "$DIR"
	printf '%s\n' "plain::run=($T/bin/facts $T/facts/plain); user=$U"
	printf '%s\n' "viadef.x::run=($T/bin/facts $T/facts/viadef)"
	printf '%s\n' "jail::run=(/bin/sh -c 'read m </marker; echo \$(pwd) \$m >/out/facts; exec sleep 4601'); chroot=$R user=$U"
	printf '%s\n' "rdy:M:run=($SLEEP 4602); ready='zsv_check_file $T/ready'"
	printf '%s\n' "dep::checkf='zsv_check_service rdy'; run=($SLEEP 4603)"
	printf '%s\n' "depsh::check() { zsv_check_service rdy }; run=($SLEEP 4604)"
} >"$T/svtab"
zsv
expect_rc 0 "the services with settings are built"
start_runsvdir

has_file() { [ -s "$1" ]; }
check "the service with settings started" wait_until 20 has_file "$T/facts/show"
uid=$(id -u "$U") ugid=$(getent group users | cut -d: -f3) ggid=$(getent group "$G" | cut -d: -f3)
nl='
'
want_show() {
	echo "uid $uid"
	echo "gid $ggid"
	echo "groups $(printf '%s\n' "$ugid" "$ggid" | sort -n | tr '\n' ' ')"
	echo "cwd $DIR"
	echo "umask 0027"
	echo "nice 5"
	echo "ulimit -n 512 512"
	echo "ulimit -p 300 300"
	echo "ulimit -c 0 0"
	echo "ulimit -d 65536 65536"
	echo "ulimit -f 2048 2048"
	echo "ulimit -s 4096 4096"
	echo "ulimit -v 1048576 1048576"
	echo "ZT_A=1"
	echo "ZT_B=two words"
	echo "ZT_C=line1${nl}line2"
	echo "ZT_D=\$(touch $T/pwned)"
}
want_show >"$T/show.want"
check "it runs as the user, group, groups, cwd, umask, nice, limits and environment set" \
	cmp -s "$T/facts/show" "$T/show.want" || show "$T/facts/show" "$T/show.want" "$SV/show/run"
check_not "a command substitution in an env value is carried, not run" test -e "$T/pwned"

check "a service with only a user set started" wait_until 20 has_file "$T/facts/plain"
check "it runs with the user's own gid and supplementary groups" \
	grep -qx "groups $(printf '%s\n' "$ugid" "$ggid" | sort -n | tr '\n' ' ')" "$T/facts/plain" ||
	show "$T/facts/plain"
check "and the user's gid" grep -qx "gid $ugid" "$T/facts/plain"

check "settings made by a zsvrc defaults function apply" wait_until 20 has_file "$T/facts/viadef"
check "(its user, umask and environment)" \
	grep -qx "uid $uid" "$T/facts/viadef" && grep -qx "umask 0077" "$T/facts/viadef" &&
	grep -qx "ZT_FROM=defaults" "$T/facts/viadef" || show "$T/facts/viadef"

check "the chroot service runs in the tree the test built, as the user" wait_until 20 has_file "$R/out/facts"
check "(its / is the new root, it sees /marker)" grep -qx "/ inside" "$R/out/facts" || show "$R/out/facts"
check "(and what it wrote is the user's: uid $uid)" test "$(stat -c %u "$R/out/facts")" = "$uid"

# Readiness: rdy is down (M); sv -w waits for its ./check, which holds once $T/ready exists.
check "ready is rendered as runit's ./check" test -x "$SV/rdy/check"
check_not "sv -w 2 start gives up while the readiness check fails" timeout 10 sv -w 2 start "$SV/rdy"
check "rdy is running nonetheless" wait_until 5 running "$SV/rdy"
check_not "zsv_check_service rdy fails while it is not ready (zsh)" "$SV/depsh/zsv/check"
zsv
check "and in zsvgen's own evaluation: dep stays down" grep -qx down "$SV/dep/zsv/want"
sv down "$SV/rdy" >/dev/null
(sleep 1; touch "$T/ready") &
start=$(date +%s%N)
check "sv -w 5 start waits for the readiness check and succeeds" timeout 10 sv -w 5 start "$SV/rdy"
check "it returned only once the file existed" test -e "$T/ready"
note "sv -w 5 start took $((($(date +%s%N) - start) / 1000000)) ms (the file appeared after 1000 ms)"
check "zsv_check_service rdy holds once it is ready (zsh)" "$SV/depsh/zsv/check"
zsv
check "and in zsvgen's own evaluation: dep comes up" grep -qx up "$SV/dep/zsv/want"

# Crash-loop backoff: two services that exit at once, with and without backoff.
starts() { [ -f "$T/starts.$1" ] && wc -l <"$T/starts.$1" || echo 0; }
cat >>"$T/svtab" <<EOF
crash::run=(sh -c 'date +%s.%N >>$T/starts.crash; exit 1'); backoff_max=8
storm::run=(sh -c 'date +%s.%N >>$T/starts.storm; exit 1'); backoff_max=0
EOF
zsv
expect_rc 0 "the crashing services are added"
poke
wait_until 10 test -s "$T/starts.crash"
sleep 20
c=$(starts crash) s=$(starts storm)
note "in 20 s: crash (backoff_max=8) started $c times, storm (backoff_max=0) $s times"
check "with backoff_max=8 it started at most 7 times in 20 s" test "$c" -le 7
check "and was restarted all the same (at least 3 times)" test "$c" -ge 3
check "with backoff_max=0 it started at least 12 times" test "$s" -ge 12
note "zsv/backoff: $(cat "$SV/crash/zsv/backoff" 2>/dev/null)"
waiting() {
	local -a b
	b=($(cat "$SV/crash/zsv/backoff" 2>/dev/null))
	[ ${#b[@]} = 3 ] && [ "${b[2]}" -gt $(($(date +%s) + 1)) ]
}
check "crash is waiting out a delay" wait_until 20 waiting
zsv --status --json crash
check "--status --json shows the wait and the count" \
	grep -q '"backoff": {' "$T/out" && grep -q '"backoff"' "$T/out" && grep -q '"fails": [1-9]' "$T/out" ||
	show "$T/out"
zsv --status crash
check "--status says it is in backoff" grep -q "in backoff: starts in" "$T/out" || show "$T/out"
sv down "$SV/crash" >/dev/null
check "sv down during the delay stops it within a second" wait_until 1 stopped "$SV/crash"
snapshot "$SV" >"$T/before"
zsv
check "the bookkeeping is no change for zsvgen (nothing printed)" test ! -s "$T/out"
expect_rc 0 "the re-run"

# A start zsvgen asks for is no crash: a condition flipped off and on at once, three
# times, starts the service each time with no wait.
echo "flap::checkf='zsv_check_file $T/flap'; run=(sh -c 'date +%s.%N >>$T/starts.flap; exec $SLEEP 4620')" >>"$T/svtab"
touch "$T/flap"
zsv
poke
check "flap started" wait_until 10 test -s "$T/starts.flap"
for i in 1 2 3; do
	rm -f "$T/flap"; zsv
	wait_until 5 stopped "$SV/flap"
	touch "$T/flap"; zsv
	wait_until 5 test "$(starts flap)" -gt "$i"
done
check "flap started once per flip (4 starts)" test "$(starts flap)" = 4
check "and zsv/backoff counts no quick restart" grep -q '^0 ' "$SV/flap/zsv/backoff" ||
	show "$SV/flap/zsv/backoff"

# Hostile values: refused with the entry's line, never run.
cp "$T/svtab" "$T/svtab.good"
cat >>"$T/svtab" <<EOF
h1::run=($SLEEP 4605); user='x;touch $T/pwned1'
h2::run=($SLEEP 4606); user='\$(touch $T/pwned2)'
h3::run=($SLEEP 4607); env=(ZT_OK=1 NOEQUALS)
h4::run=($SLEEP 4608); limits=(nofile many)
h5::run=($SLEEP 4609); limits=(open_files 10)
h6::run=($SLEEP 4610); chdir=relative/dir
h7::run=($SLEEP 4611); chdir=$T/missing
h8::run=($SLEEP 4612); user=nosuch$$
h9::run=($SLEEP 4613); group=nosuch$$
h10::run=($SLEEP 4614); nice=99
h11::run=($SLEEP 4615); umask=999
EOF
zsv --lint
check "--lint reports the bad settings (exit 3)" test "$rc" = 3
for n in 1 2 3 4 5 6 7 8 9 10 11; do
	grep -q "svtab:$(grep -n "^h$n::" "$T/svtab" | cut -d: -f1):1: error: service 'h$n'" "$T/err" ||
		bad "h$n is reported at its line"
done
grep -q "which is not a user name" "$T/err" && grep -q "has no '='" "$T/err" &&
	grep -q "not a limit (known: as, core, data, fsize, nofile, nproc, stack)" "$T/err" &&
	grep -q "user 'nosuch$$' does not exist" "$T/err" || { bad "the messages say what is wrong"; show "$T/err"; }
zsv
expect_rc 3 "a run with them applies the rest"
for n in 1 2 3 4 5 6 7 8 9 10 11; do [ -e "$SV/h$n" ] && bad "h$n was created"; done
check_not "no value was run as code" test -e "$T/pwned1" -o -e "$T/pwned2"
ok "the hostile values made no service"

finish
