# shellcheck shell=bash
# lib.sh: shared by the real-daemon tests (tests/daemons/test_*.sh), sourced.
#
# Each test runs the library's defaults for the real Debian 12 daemons under a
# real runsvdir, inside a network namespace of its own ($NS; a second one, $PEER,
# holds the far end of the veth "cable" and dnsmasq) and a private mount
# namespace. That mount namespace is runsvdir's: start_tree starts
#   ip netns exec $NS unshare -m --propagation private $T/enter
# which mounts scratch over every machine file a daemon would write (a fresh
# tmpfs on /run, as at boot; copies of /var/lib/dhcpcd, /var/lib/openntpd,
# /var/lib/syslog-ng, the dhcpcd hooks directory with zsv's hook linked in as
# 90-zsv, /etc/default with the site paths file `zsv`, /etc/resolv.conf, cron's
# tables) and then execs runsvdir with a clean environment: the daemons, the
# hooks and zsvgen find the site's paths in /etc/default/zsv, as on a machine.
# `inside CMD...` runs CMD in those namespaces (nsenter), with a clean
# environment too. The machine's own files are never written.
#
# Names ($NS, $PEER, veths, $T) are unique to the run; the cleanup trap stops
# every service the way zsv removes one, then runsvdir, kills whatever is left
# in the two namespaces (all of it started here), deletes them and $T.
# Assertions print "ok - WHAT" or "FAIL - WHAT"; every wait is a bounded poll.

set -u
export LC_ALL=C
ZSV_SRC=${ZSV_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ZSVGEN=${ZSVGEN:-$ZSV_SRC/build/zsvgen}
ZSV_LIB=${ZSV_LIB:-$ZSV_SRC/lib}
unset ZSV_SVTAB ZSV_SERVICE_DIR ZSV_CONFIG ZSV_LOG ZSV_PATHS

if [ "$(id -u)" != 0 ]; then echo "skip - network and mount namespaces need root"; exit 77; fi
for tool in runsvdir runsv zsh ip unshare nsenter setsid "$@"; do
	command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null ||
		{ echo "skip - $tool is not installed"; exit 77; }
done
[ -x "$ZSVGEN" ] || { echo "FAIL - no zsvgen binary at $ZSVGEN"; exit 1; }

T=$(mktemp -d /tmp/zsvdt.XXXXXXXX) || { echo "FAIL - mktemp -d"; exit 1; }
T=$(cd "$T" && pwd -P)
NS=zsvdt-$$ PEER=zsvdt-$$-peer
# Interface names: 15 bytes at most, unique to the run.
IF=dt$$a PEERIF=dt$$b
SV=$T/service
RSVD_PID=
fail=0
# The PATH every daemon, hook and zsvgen sees: zsvgen's copy first.
IPATH=$T/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p "$T/bin" "$T/log" "$T/m"
# One version of the program, library and hooks from start to end; the library
# finds the hooks beside itself ($T/hooks).
cp "$ZSVGEN" "$T/bin/zsvgen"
cp -R "$ZSV_LIB" "$T/lib"
cp -R "$ZSV_SRC/hooks" "$T/hooks"
printf 'zsv_logroot=%s\n' "$T/log" >"$T/zsvrc"
: >"$T/svtab"

ok()   { echo "ok   - $*"; }
bad()  { echo "FAIL - $*"; fail=1; }
note() { echo "# $*"; }
check()     { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
check_not() { local what=$1; shift; if "$@"; then bad "$what"; else ok "$what"; fi; }
show() { local f; for f; do echo "  --- $f"; sed 's/^/  | /' "$f" 2>/dev/null | tail -40; done; }

# wait_until SECONDS CMD...: polls CMD every 0.1 s until it succeeds (0) or SECONDS pass (1).
wait_until() {
	local limit=$1 i=0; shift
	until "$@"; do
		[ $i -ge $((limit * 10)) ] && return 1
		sleep 0.1; i=$((i + 1))
	done
}
# now_ms: milliseconds since the epoch, for the timings the tests print.
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- namespaces

# make_cable: the veth pair $IF (in $NS) and $PEERIF (in $PEER, 192.0.2.1/24, up);
# $IF stays down, the "cable" is out (the peer end is down) until cable_in.
make_cable() {
	ip link add "$IF" netns "$NS" type veth peer name "$PEERIF" netns "$PEER" &&
		ip -n "$PEER" addr add 192.0.2.1/24 dev "$PEERIF" &&
		ip -n "$PEER" link set lo up && ip -n "$NS" link set lo up
}
cable_in()  { ip -n "$PEER" link set "$PEERIF" up; }
cable_out() { ip -n "$PEER" link set "$PEERIF" down; }
carrier()   { [ "$(ip netns exec "$NS" cat "/sys/class/net/$IF/carrier" 2>/dev/null)" = 1 ]; }

# start_dnsmasq: DHCP for 192.0.2.50-99 with 192.0.2.1 as router, in $PEER.
start_dnsmasq() {
	ip netns exec "$PEER" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
		--interface="$PEERIF" --bind-interfaces --pid-file= \
		--dhcp-range=192.0.2.50,192.0.2.99,255.255.255.0,1h --dhcp-option=3,192.0.2.1 \
		--dhcp-leasefile="$T/dnsmasq.leases" >"$T/dnsmasq.log" 2>&1 &
}

# scratch_over PATH: a copy of PATH (file or directory) in $T/m, to be mounted over it.
scratch_over() {
	local dst=$T/m/$(echo "$1" | tr / _)
	# A file is copied through its symlinks (resolv.conf often is one): the
	# scratch copy must never be a link back to the machine's file.
	if [ -d "$1" ]; then mkdir -p "$dst" && cp -a "$1/." "$dst/"; else cp -L --preserve=mode "$1" "$dst"; fi
	printf '%s %s\n' "$dst" "$1" >>"$T/m/list"
}

# site_paths: /etc/default/zsv as the tree under test needs it.
site_paths() {
	printf '%s\n' "# zsv's site paths (tests/daemons)" "ZSV_SVTAB=$T/svtab" "ZSV_SERVICE_DIR=$SV" \
		"ZSV_CONFIG=$T/zsvrc" "ZSV_LIB=$T/lib" "ZSV_LOG=$T/zsv.log"
}

# start_tree: the namespaces, the scratch mounts and runsvdir on $SV (see the top).
start_tree() {
	local p
	ip netns add "$NS" && ip netns add "$PEER" || { bad "ip netns add"; exit 1; }
	make_cable || { bad "veth pair $IF/$PEERIF"; exit 1; }
	: >"$T/m/list"
	for p in /var/lib/dhcpcd /var/lib/openntpd /var/lib/syslog-ng /usr/lib/dhcpcd/dhcpcd-hooks \
		/etc/default /etc/cron.d /var/spool/cron/crontabs /etc/crontab /etc/resolv.conf; do
		[ -e "$p" ] && scratch_over "$p"
	done
	# No DNS: a name server behind the peer, which forwards nothing.
	[ -e /etc/resolv.conf ] && echo "nameserver 198.51.100.53" >"$T/m/_etc_resolv.conf"
	[ -e /etc/crontab ] && : >"$T/m/_etc_crontab"
	rm -rf "$T/m/_etc_cron.d/"* "$T/m/_var_spool_cron_crontabs/"*
	[ -d /usr/lib/dhcpcd/dhcpcd-hooks ] && ln -s "$T/hooks/zsv_dhcpcd" "$T/m/_usr_lib_dhcpcd_dhcpcd-hooks/90-zsv"
	site_paths >"$T/m/_etc_default/zsv"
	mkdir -p "$SV"
	{
		echo '#!/bin/sh'
		echo 'set -e'
		echo 'mount -t tmpfs -o mode=0755 zsvdt /run'
		while read -r src dst; do printf 'mount --bind %s %s\n' "$src" "$dst"; done <"$T/m/list"
		printf 'exec env -i PATH=%s runsvdir -P %s\n' "$IPATH" "$SV"
	} >"$T/enter"
	chmod +x "$T/enter"
	ip netns exec "$NS" unshare -m --propagation private "$T/enter" </dev/null >>"$T/runsvdir.log" 2>&1 &
	RSVD_PID=$!
	wait_until 10 is_runsvdir || { bad "runsvdir did not start"; show "$T/runsvdir.log"; exit 1; }
	note "runsvdir -P $SV (pid $RSVD_PID) in netns $NS and a private mount namespace"
}
is_runsvdir() { [ "$(cat "/proc/$RSVD_PID/comm" 2>/dev/null)" = runsvdir ]; }

# inside CMD...: CMD in runsvdir's network and mount namespaces, clean environment.
inside() { nsenter -t "$RSVD_PID" -m -n -- env -i PATH="$IPATH" "$@"; }
# zsv [ARGS]: zsvgen inside, paths from the site paths file only; $rc, $T/out, $T/err.
zsv() {
	inside timeout -k 5 120 zsvgen "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# svtab: $T/svtab becomes stdin.
svtab() { cat >"$T/svtab"; }

# ---------------------------------------------------------------- services

stat_of() { cat "$SV/$1/supervise/stat" 2>/dev/null; }
pid_of()  { cat "$SV/$1/supervise/pid" 2>/dev/null; }
# comm_of NAME: the command name of NAME's process ("" when down).
comm_of() { local p; p=$(pid_of "$1"); [ -n "$p" ] && cat "/proc/$p/comm" 2>/dev/null; }
# runs NAME COMM: runsv runs NAME and its run script has exec'd COMM.
runs() { [ "$(stat_of "$1")" = run ] && [ "$(comm_of "$1")" = "$2" ]; }
is_down() { [ "$(stat_of "$1")" = down ]; }
# procs_named COMM: pids of processes called COMM in $NS.
procs_named() { local p; for p in $(ip netns pids "$NS" 2>/dev/null); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && echo "$p"; done; }
no_proc() { [ -z "$(procs_named "$1")" ]; }
# v4 / default route of $IF, read inside.
addr_of_if()  { ip -n "$NS" -4 -o addr show dev "$IF" scope global 2>/dev/null | awk '{print $4}'; }
has_addr()    { [ -n "$(addr_of_if)" ]; }
no_addr()     { ! has_addr; }
has_default() { [ -n "$(ip -n "$NS" route show default 2>/dev/null)" ]; }
no_default()  { ! has_default; }

# ---------------------------------------------------------------- cleanup

cleanup() {
	local d pids
	set +e
	if [ -n "$RSVD_PID" ]; then
		# As zsv removes a service: a dot-name hides it from runsvdir, then `x`.
		for d in "$SV"/*/; do
			d=${d%/}
			[ -d "$d" ] || continue
			mv "$d" "$SV/.${d##*/}" &&
				timeout 2 sh -c 'printf x >"$1"; [ -p "$2" ] && printf x >"$2"' sh \
					"$SV/.${d##*/}/supervise/control" "$SV/.${d##*/}/log/supervise/control" 2>/dev/null
		done
		wait_until 5 no_runsv
		kill -TERM "$RSVD_PID" 2>/dev/null
		wait "$RSVD_PID" 2>/dev/null
	fi
	for d in "$NS" "$PEER"; do
		pids=$(ip netns pids "$d" 2>/dev/null)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$PEER" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
no_runsv() { [ -z "$(procs_named runsv)" ]; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
