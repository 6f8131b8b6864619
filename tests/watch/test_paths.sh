#!/bin/bash
# test_paths.sh: zsvwatch takes its paths as zsvgen does (flags, then ZSV_*, then
# the site paths file $ZSV_PATHS, /etc/default/zsv), watches those and passes
# the same ones to zsvgen through ZSV_*: with no flags, a site file naming the
# test's svtab, tree and library, and ZSV_CONFIG in the environment, zsvgen gets
# exactly those, and an edit of that svtab is seen. A FIFO as the site file is
# a warning, never waited on.
export TEST_TAG=p
# shellcheck source=lib_watch.sh
. "$(dirname "$0")/lib_watch.sh"

printf '%s\n' "ZSV_SVTAB=$T/svtab" "# a comment" "" "ZSV_SERVICE_DIR=$SV" \
	"ZSV_CONFIG=$T/not-this-zsvrc" "ZSV_LIB=$ZSV_LIB" >"$T/paths"
{
	echo '#!/bin/sh'
	printf 'env | grep -E "^ZSV_(SVTAB|SVTAB_D|SERVICE_DIR|CONFIG|LIB|PATHS)=" | sort >%q\n' "$T/env"
	printf 'exec %q "$@"\n' "$ZSVGEN"
} >"$T/bin/envrec"
chmod +x "$T/bin/envrec"
printf 'one:N:run=( %q 100000 )\n' "$SLEEP" >"$T/svtab"

start_runsvdir_ns
# env and ip netns exec both exec: $! is zsvwatch.
env -u ZSV_LIB ZSV_PATHS="$T/paths" ZSV_CONFIG="$T/zsvrc" ip netns exec "$NS" "$ZSVWATCH" -e -g "$T/bin/envrec" \
	>>"$T/watch.log" 2>&1 &
WPID=$!
check "the site file's svtab and tree are used" wait_until 20 running "$SV/one"
printf '%s\n' "ZSV_CONFIG=$T/zsvrc" "ZSV_LIB=$ZSV_LIB" "ZSV_PATHS=$T/paths" \
	"ZSV_SERVICE_DIR=$SV" "ZSV_SVTAB=$T/svtab" >"$T/env.want"
check "zsvgen got the same paths (the environment's zsvrc over the file's)" cmp -s "$T/env" "$T/env.want"
cp "$T/svtab" "$T/svtab.tmp"
printf 'two:N:run=( %q 100000 )\n' "$SLEEP" >>"$T/svtab.tmp"
mv -f "$T/svtab.tmp" "$T/svtab"
check "the site file's svtab is watched" wait_until 20 running "$SV/two"
kill -TERM "$WPID"; wait "$WPID"
check "exit 0" test $? = 0

mkfifo "$T/fifo"
ZSV_PATHS=$T/fifo timeout 10 "$ZSVWATCH" -e -n -g /bin/true -f "$T/svtab" -s "$SV" -c "$T/zsvrc" \
	-L "$ZSV_LIB" >"$T/fifo.log" 2>&1 &
FPID=$!
fifo_said() { grep -q "$T/fifo: not a regular file, ignored" "$T/fifo.log"; }
check "a FIFO as the site file is a warning, not a wait" wait_until 5 fifo_said
kill -TERM "$FPID" 2>/dev/null; wait "$FPID"
check "and zsvwatch went on (exit 0 on SIGTERM)" test $? = 0
[ "$fail" = 0 ] || show "$T/watch.log" "$T/env" "$T/env.want" "$T/fifo.log"
finish
