#!/bin/bash
# test_svtab_d.sh: svtab.d (SPEC §14). Every DIR/*.svtab is read after svtab, in name
# order, as if appended: an entry per file comes up under a real runsvdir and its
# zsv/source names its own file; a duplicate across files cites both file:line; a
# broken fragment (or one that cannot be read) applies nothing; --only and reuse
# work on fragments; editor backups and dot-files are not read.
. "$(dirname "$0")/lib.sh"

D=$T/svtab.d
mkdir -p "$D"
svtab <<EOF2
base::run=($SLEEP 700001)
EOF2
printf '# net\nnet::run=(%q 700002)\n' "$SLEEP" >"$D/20-net.svtab"
printf 'app::run=(%q 700003)\n' "$SLEEP" >"$D/10-app.svtab"
printf 'backup::run=(%q 700004)\n' "$SLEEP" >"$D/10-app.svtab~"
printf 'hidden::run=(%q 700005)\n' "$SLEEP" >"$D/.30-tmp.svtab"
printf 'notes::run=(%q 700006)\n' "$SLEEP" >"$D/README"

start_runsvdir
zsv -v
expect_rc 0 "svtab plus two fragments (the default svtab.d: svtab's path + .d)"
for s in base app net; do
	check "$s comes up" wait_until 15 running "$SV/$s"
done
check "zsv/source of base names svtab" grep -qx "$T/svtab:1" "$SV/base/zsv/source"
check "zsv/source of app names its fragment" grep -qx "$D/10-app.svtab:1" "$SV/app/zsv/source"
check "zsv/source of net names its fragment and line" grep -qx "$D/20-net.svtab:2" "$SV/net/zsv/source"
for s in backup hidden notes; do
	check_not "$s (an editor backup, a dot-file, not *.svtab) is not read" test -e "$SV/$s"
done

note "--svtab-d and ZSV_SVTAB_D name another directory; '' reads none"
mkdir -p "$T/other.d"
cp "$D/10-app.svtab" "$D/20-net.svtab" "$T/other.d/"
zsv -n --svtab-d "$T/other.d"
expect_rc 0 "--svtab-d DIR, dry run"
check_not "the same fragments from another directory: app and net stay" grep -qE '^- (app|net)' "$T/out"
check "... only their zsv/source would change" grep -qx '~ app updated (zsv/source)' "$T/out"
cp "$T/out" "$T/out.dir"
ZSV_SVTAB_D=$T/other.d zsv -n
expect_rc 0 "ZSV_SVTAB_D=DIR, dry run"
check "ZSV_SVTAB_D: the same plan as --svtab-d" cmp -s "$T/out" "$T/out.dir"
zsv -n --svtab-d ''
expect_rc 0 "--svtab-d '', dry run"
check "with no fragments, app and net would go" grep -qx -- "- app" "$T/out"

note "a duplicate across files is an error citing both, and applies nothing"
before=$(snapshot "$SV")
printf 'other::run=(%q 700007)\n\nbase::run=(%q 700008)\n' "$SLEEP" "$SLEEP" >"$D/30-dup.svtab"
zsv
expect_rc 1 "a name of svtab defined again in a fragment"
check "the error is at the fragment's line and cites svtab's" \
	grep -qF "$D/30-dup.svtab:3:1: error: duplicate service 'base' (first defined at $T/svtab:1)" "$T/err"
check "nothing applied (other not created)" test ! -e "$SV/other"
check "the tree is exactly as it was" test "$before" = "$(snapshot "$SV")"
printf 'net::run=(%q 700009)\n' "$SLEEP" >"$D/30-dup.svtab"
zsv
expect_rc 1 "a name defined in two fragments"
check "the error cites both fragments" \
	grep -qF "$D/30-dup.svtab:1:1: error: duplicate service 'net' (first defined at $D/20-net.svtab:2)" "$T/err"

note "a broken fragment applies nothing"
printf 'fine::run=(%q 700010)\nbad/name::run=(x)\n' "$SLEEP" >"$D/30-dup.svtab"
printf 'net::run=(%q 700011)\n' "$SLEEP" >"$D/20-net.svtab"
zsv
expect_rc 1 "a fragment with a bad name"
check "the error names the fragment, line and column" grep -Eq "^$D/30-dup.svtab:2:[0-9]+: error:" "$T/err"
check "fine (the good entry of the broken fragment) is not created" test ! -e "$SV/fine"
check "net's change in a good fragment is not applied either" grep -q 700002 "$SV/net/run"
check "the tree is exactly as it was" test "$before" = "$(snapshot "$SV")"

note "a fragment that cannot be read applies nothing, and never blocks"
rm -f "$D/30-dup.svtab"
mkfifo "$D/30-fifo.svtab"
zsv
expect_rc 1 "a FIFO named *.svtab"
check "it is named as not a regular file" grep -qF "$D/30-fifo.svtab: error: cannot read: not a regular file" "$T/err"
check "the tree is exactly as it was" test "$before" = "$(snapshot "$SV")"
rm -f "$D/30-fifo.svtab"
ln -s "$T/nonexistent" "$D/30-dangling.svtab"
zsv
expect_rc 1 "a dangling symlink named *.svtab"
check "the tree is exactly as it was" test "$before" = "$(snapshot "$SV")"
rm -f "$D/30-dangling.svtab"
printf 'linked::run=(%q 700012)\n' "$SLEEP" >"$T/linked.svtab"
ln -s "$T/linked.svtab" "$D/40-linked.svtab"

zsv
expect_rc 0 "the fragments fixed (net changed; a symlink to a regular file is read)"
check "net restarted with its new run" wait_until 15 grep -q 700011 "$SV/net/run"
check "linked comes up" wait_until 15 running "$SV/linked"
check "zsv/source of linked names the path in svtab.d" grep -qx "$D/40-linked.svtab:1" "$SV/linked/zsv/source"

note "--only and reuse with fragments"
pid_app=$(svc_pid "$SV/app")
zsv --only app
expect_rc 0 "--only an entry of a fragment"
check "app is reused, not restarted" test "$(svc_pid "$SV/app")" = "$pid_app"
check "zsv/source of app still names its fragment" grep -qx "$D/10-app.svtab:1" "$SV/app/zsv/source"
# app moves from its fragment into svtab, unchanged: reused, only zsv/source changes.
cat "$D/10-app.svtab" >>"$T/svtab"
rm "$D/10-app.svtab"
zsv
expect_rc 0 "app moved from its fragment into svtab"
check "app is not restarted" test "$(svc_pid "$SV/app")" = "$pid_app"
check "zsv/source of app now names svtab:2" grep -qx "$T/svtab:2" "$SV/app/zsv/source"
rm "$D/20-net.svtab"
zsv
expect_rc 0 "a fragment removed"
check "its service goes" wait_until 15 test ! -e "$SV/net"

finish
