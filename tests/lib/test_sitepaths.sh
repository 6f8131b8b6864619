#!/bin/bash
# test_sitepaths.sh: zsvgen takes its path defaults from the site paths file
# (ZSV_PATHS names it here; /etc/default/zsv on a machine), the ZSV_* environment
# wins over the file and a flag over both. A malformed line is a warning with its
# file:line and the rest of the file still counts; a FIFO in its place is a
# warning and never waited on. (The hooks' side is test_hooks.sh; with the real
# daemons and a clean environment, tests/daemons/test_cable.sh.)
set -u
src=${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=${ZSV_LIB:-$src/lib}
zsvgen=${ZSVGEN:-$src/build/zsvgen}
[ -x "$zsvgen" ] || { echo "FAIL - no zsvgen at $zsvgen (set ZSVGEN)"; exit 1; }
unset ZSV_SVTAB ZSV_SERVICE_DIR ZSV_CONFIG ZSV_LIB ZSV_SVTAB_D
tmp=$(mktemp -d /tmp/zsvtest-sitepaths.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }

for w in file env flag; do echo "from_$w::run=( sleep 1 )" >"$tmp/svtab.$w"; done
echo "zsv_logroot=$tmp/log" >"$tmp/zsvrc"
cat >"$tmp/paths" <<EOF
# site paths
ZSV_SVTAB=$tmp/svtab.file
ZSV_SERVICE_DIR=$tmp/service
ZSV_CONFIG=$tmp/zsvrc
ZSV_LIB=$lib
EOF
# gen ARGS...: zsvgen --dry-run with the paths file; stdout+stderr in $out.
gen() { out=$(ZSV_PATHS=$tmp/paths timeout 20 "$zsvgen" -n "$@" 2>&1); rc=$?; }
# plans NAME: the dry run would create service NAME.
plans() { grep -q "^+ $1\b" <<<"$out"; }

gen
[ $rc = 0 ] && plans from_file && ok "no environment, no flags: the file's svtab, zsvrc and library" ||
	bad "file only: exit $rc: $out"
out=$(ZSV_PATHS=$tmp/paths ZSV_SVTAB=$tmp/svtab.env timeout 20 "$zsvgen" -n 2>&1); rc=$?
[ $rc = 0 ] && plans from_env && ! plans from_file && ok "ZSV_SVTAB wins over the file" ||
	bad "env over file: exit $rc: $out"
out=$(ZSV_PATHS=$tmp/paths ZSV_SVTAB=$tmp/svtab.env timeout 20 "$zsvgen" -n -f "$tmp/svtab.flag" 2>&1); rc=$?
[ $rc = 0 ] && plans from_flag && ! plans from_env && ok "-f wins over the environment and the file" ||
	bad "flag over both: exit $rc: $out"
ZSV_PATHS=$tmp/paths timeout 20 "$zsvgen" -q >/dev/null 2>&1
[ -d "$tmp/service/from_file" ] && ok "a real run builds the file's service directory" ||
	bad "no $tmp/service/from_file"

printf 'ZSV_SVTAB=%s\nexport ZSV_CONFIG=/nowhere\n' "$tmp/svtab.env" >>"$tmp/paths"
gen
[ $rc = 0 ] && plans from_env && grep -qF "$tmp/paths:7:1: warning: expected ZSV_NAME=VALUE; line ignored" <<<"$out" &&
	ok "a later line wins; a malformed line is a warning naming file:line, and is skipped" ||
	bad "later line / malformed line: exit $rc: $out"

mkfifo "$tmp/fifo"
out=$(ZSV_PATHS=$tmp/fifo timeout 20 "$zsvgen" -n -f "$tmp/svtab.flag" -s "$tmp/service" -c "$tmp/zsvrc" -L "$lib" 2>&1); rc=$?
[ $rc = 0 ] && grep -qF "$tmp/fifo: warning: not a regular file; ignored" <<<"$out" &&
	ok "a FIFO as the paths file: a warning, not a hang" || bad "FIFO: exit $rc: $out"
exit $fail
