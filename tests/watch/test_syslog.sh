#!/bin/bash
# test_syslog.sh: without -e, zsvwatch's lines reach syslog: datagrams on
# /dev/log as "<PRI>zsvwatch[PID]: TEXT", facility daemon, info for what
# happens and warning for a failed run; with no daemon listening they go to
# stderr. In a private mount namespace /dev/log leads to a socket of the test's
# own, and a small receiver writes what arrives to a file.
export TEST_TAG=l
# shellcheck source=lib_watch.sh
. "$(dirname "$0")/lib_watch.sh"
command -v python3 >/dev/null || { echo "skip - python3 is not installed"; exit 77; }

python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2], "w").close()
while True:
    with open(sys.argv[2], "ab") as f:
        f.write(s.recv(4096) + b"\n")
' "$T/log.sock" "$T/syslog" &
RECV=$!
wait_until 10 test -S "$T/log.sock" -a -e "$T/syslog" || bad "the receiver did not start"

# /dev/log may not exist (no syslog daemon): the private namespace gets a /dev of
# its own holding null and log (a link to the test's socket); the machine's /dev
# is never written.
mkdir "$T/dev" && : >"$T/dev/null" && ln -s "$T/log.sock" "$T/dev/log"
# shellcheck disable=SC2016
unshare -m sh -c 'mount --make-rprivate / && mount --bind /dev/null "$1/null" &&
	mount --rbind "$1" /dev && shift && exec "$@"' sh "$T/dev" \
	"$ZSVWATCH" -f "$T/svtab" -s "$SV" -c "$T/zsvrc" -L "$ZSV_LIB" -g "$T/bin/zsvgen-w" \
	>"$T/stderr" 2>&1 &
WPID=$!
got() { grep -q "$1" "$T/syslog"; }
check "the start reaches syslog as daemon.info" wait_until 20 got '^<30>zsvwatch\[[0-9]*\]: watching links'
check "the first run's end too" wait_until 20 got '^<30>zsvwatch\[[0-9]*\]: run 1: zsvgen exited 0 after'
put_wrapper 4
kill -HUP "$WPID"
check "SIGHUP is logged" wait_until 20 got '^<30>zsvwatch\[[0-9]*\]: event: SIGHUP'
check "a failed run is a warning" wait_until 20 got '^<28>zsvwatch\[[0-9]*\]: run 2: zsvgen exited 4'
check "nothing went to stderr meanwhile" test ! -s "$T/stderr"

kill -TERM "$RECV"; wait "$RECV" 2>/dev/null
rm -f "$T/log.sock"
kill -HUP "$WPID"
inerr() { grep -q 'zsvwatch\[[0-9]*\]: run 3: zsvgen exited 4' "$T/stderr"; }
check "with no syslog daemon, lines go to stderr" wait_until 20 inerr
kill -TERM "$WPID"; wait "$WPID"
check "exit 0 on SIGTERM" test $? = 0
[ "$fail" = 0 ] || show "$T/syslog" "$T/stderr"
finish
