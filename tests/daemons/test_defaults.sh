#!/bin/bash
# test_defaults.sh: every library default the README lists for a daemon runs the
# real Debian 12 daemon in the foreground under runsv, and stays up: sshd,
# syslog-ng, openntpd, cron, netplugd, dhcpcd and tcpserver are started by zsvgen
# under a real runsvdir (network namespace, private mount namespace: lib.sh), each
# must be running its daemon (the run script exec'd it) and keep the same pid for
# 3 s. The entries use the defaults as they are, except syslog-ng, which is given
# a configuration of its own: Debian's reads the kernel log (/proc/kmsg) and takes
# /dev/log, which a mount namespace does not separate from the machine's.
# Then tcpserver with no DNS (a name server that never answers): it answers within
# 1 s, as its -HRl0 default promises (with lookups it waits about 20 s).
. "$(dirname "$0")/lib.sh" sshd syslog-ng ntpd cron netplugd dhcpcd tcpserver
start_tree
cable_in

cat >"$T/syslog-ng.conf" <<EOF
@version: 3.35
source s_test { unix-dgram("$T/syslog.sock"); internal(); };
destination d_test { file("$T/syslog.out"); };
log { source(s_test); destination(d_test); };
EOF
svtab <<EOF
sshd
syslog-ng::run+=( -f $T/syslog-ng.conf )
openntpd
cron
netplugd.$IF
dhcpcd.$IF
tcpserver.7001::run=( echo hello )
EOF
zsv
[ "$rc" = 0 ] && ok "zsvgen built the tree (exit 0)" || { bad "zsvgen exited $rc"; show "$T/out" "$T/err"; }

# name and the command name its process must have
declare -A comm=([sshd]=sshd [syslog-ng]=syslog-ng [openntpd]=ntpd [cron]=cron
	["netplugd.$IF"]=netplugd ["dhcpcd.$IF"]=dhcpcd [tcpserver.7001]=tcpserver)
declare -A pid
for n in "${!comm[@]}"; do
	if wait_until 20 runs "$n" "${comm[$n]}"; then
		pid[$n]=$(pid_of "$n")
		ok "$n runs ${comm[$n]} (pid ${pid[$n]})"
	else
		bad "$n does not run ${comm[$n]}: runsv says '$(stat_of "$n")', process '$(comm_of "$n")'"
		show "$T/log/$n/current"
	fi
done
sleep 3
for n in "${!pid[@]}"; do
	if runs "$n" "${comm[$n]}" && [ "$(pid_of "$n")" = "${pid[$n]}" ]; then
		ok "$n still runs with pid ${pid[$n]} 3 s later"
	else
		bad "$n: pid ${pid[$n]} then '$(pid_of "$n")' ($(stat_of "$n"))"
		show "$T/log/$n/current"
	fi
done
check "openntpd: its privsep directory was made (in the scratch /run)" inside test -d /run/openntpd
check "sshd: /run/sshd was made" inside test -d /run/sshd
check "dhcpcd: it reads zsv's copy of /etc/dhcpcd.conf, without persistent" \
	inside sh -c "test -s /run/zsv/dhcpcd.$IF.dhcpcd.conf && ! grep -q '^persistent' /run/zsv/dhcpcd.$IF.dhcpcd.conf"
wait_until 5 test -s "$T/syslog.out"
check "syslog-ng: writes its own log" grep -q syslog-ng "$T/syslog.out"

echo "# tcpserver with no DNS: an address that is not in /etc/hosts, a name server that never answers"
ip -n "$NS" addr add 192.0.2.2/24 dev "$IF" && ip -n "$NS" route add default via 192.0.2.1
ask() { inside timeout "$1" bash -c 'exec 3<>/dev/tcp/192.0.2.2/7001 && cat <&3' 2>/dev/null; }
t0=$(now_ms); out=$(ask 1); t1=$(now_ms)
note "tcpserver.7001 answered '$out' in $((t1 - t0)) ms"
check "tcpserver.7001 answers within 1 s" [ "$out" = hello ]
if [ "${SHOW_LOOKUP_COST:-}" = 1 ]; then   # what the default saves, measured on demand
	svtab <<<"tcpserver.7001::tcpserver_opts=(); run=( echo hello )"; zsv
	wait_until 10 runs tcpserver.7001 tcpserver
	t0=$(now_ms); out=$(ask 60); t1=$(now_ms)
	note "with lookups: '$out' in $((t1 - t0)) ms"
fi
exit $fail
