#!/bin/bash
# test_rescan.sh: after zsvgen adds or removes a service, it asks a runsvdir that
# catches SIGALRM (Debian's) to rescan at once instead of within 5 s; a runsvdir
# that does not catch it is never sent it (the signal would kill it).
. "$(dirname "$0")/lib.sh"

start_runsvdir
sleep 1.2  # runsvdir honours a rescan request only a second after its last look
rm -f "$SV/.forced-rescan"
svtab <<EOF2
fresh::run=($SLEEP 600001)
EOF2
zsv
expect_rc 0 "a new service under a running runsvdir"
stamped() { [ -e "$SV/.forced-rescan" ]; }
# No wait_until here: it pokes runsvdir itself. This loop only looks.
for _ in $(seq 40); do stamped && break; sleep 0.05; done
if [ "$CAN_POKE" = 1 ]; then
	check "zsvgen asked runsvdir to rescan (DIR/.forced-rescan)" stamped
	check "the new service runs" wait_until 10 running "$SV/fresh"
else
	check_not "no rescan asked of a runsvdir without SIGALRM" stamped
fi
check "runsvdir is still alive" pid_alive "$RSVD_PID"

note "nothing added or removed: no rescan asked"
sleep 1.2
rm -f "$SV/.forced-rescan"
zsv
expect_rc 0 "a run with nothing to do"
for _ in $(seq 20); do stamped && break; sleep 0.05; done
check_not "no rescan asked when nothing came or went" stamped

finish
