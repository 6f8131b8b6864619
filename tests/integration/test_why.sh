#!/bin/bash
# test_why.sh: zsvgen --why NAME (SPEC §7): the svtab file:line of the entry, each
# flag's origin, runf/logf/checkf and where they were set, the file:line that defined
# each function the scripts carry, for a library-defaulted instance (dhcpcd.eth0), a
# check defined in zsvrc and an entry's own check(); the condition now and what it
# printed; the last action (zsv/last); an unknown NAME. No runsvdir needed.
. "$(dirname "$0")/lib.sh"

# fn_line FILE NAME: the line of FILE where function NAME is defined.
fn_line() { grep -nE "^(function )?$2 ?\(\)" "$1" | head -1 | cut -d: -f1; }
# row LABEL: the --why line starting with LABEL (after the indent).
row() { grep -E "^ +$1 " "$T/out"; }

cat >>"$T/zsvrc" <<'EOF'
# a site check
site_check() {
  print "site_check looked"
  [[ -e $site_flag ]]
}
EOF
printf 'site_flag=%q\nzsv_flags=EN\n' "$T/flag" >>"$T/zsvrc"
cat >"$T/svtab" <<EOF
# the instances
dhcpcd.eth0
withrc:n:run=( $SLEEP 600001 ); checkf=site_check
own:M:run=( $SLEEP 600002 )
  x=1
  check() {
    print "own check said hello"
  }
EOF
zsv
expect_rc 0 "the run builds the tree"

note "a library-defaulted instance"
zsv --why dhcpcd.eth0
expect_rc 0 "--why dhcpcd.eth0"
show "$T/out"
check "its svtab file:line" row entry | grep -qF "$T/svtab:2: dhcpcd.eth0"
check "runf: zsv_run_dhcpcd, the default of its prefix" sh -c "grep -E '^ +runf +zsv_run_dhcpcd +zsv_run_dhcpcd exists' '$T/out' >/dev/null"
check "checkf: set by zsv_defaults_dhcpcd" sh -c "grep -E '^ +checkf +zsv_check_link eth0 +set by zsv_defaults_dhcpcd' '$T/out' >/dev/null"
check "run carries zsv_run_dhcpcd, from zsv_services:$(fn_line "$ZSV_LIB/zsv_services" zsv_run_dhcpcd)" \
	row run | grep -qE "zsv_run_dhcpcd +$ZSV_LIB/zsv_services:$(fn_line "$ZSV_LIB/zsv_services" zsv_run_dhcpcd)\$"
check "zsv/check carries zsv_check_carrier, from zsv_checks:$(fn_line "$ZSV_LIB/zsv_checks" zsv_check_carrier)" \
	grep -qE "zsv_check_carrier +$ZSV_LIB/zsv_checks:$(fn_line "$ZSV_LIB/zsv_checks" zsv_check_carrier)\$" "$T/out"
check "the variables zsv/check carries" grep -qE "^ +typeset -g zsv_sysfs='/sys'\$" "$T/out"
check "flag N: from zsvrc" sh -c "grep -E '^ +N on +zsvrc \($T/zsvrc\): zsv_flags=EN' '$T/out' >/dev/null"
check "last: created" row last | grep -q "create"

note "a check defined in zsvrc"
zsv --why withrc
expect_rc 0 "--why withrc"
show "$T/out"
check "checkf: set by the entry's code at svtab:3" row checkf | grep -qF "set by the entry's code ($T/svtab:3)"
check "site_check from $T/zsvrc:$(fn_line "$T/zsvrc" site_check)" \
	grep -qE "site_check +$T/zsvrc:$(fn_line "$T/zsvrc" site_check)\$" "$T/out"
check "flag N: off by the entry's letters" sh -c "grep -E \"^ +N off +the entry's flags 'n'\" '$T/out' >/dev/null"
check "the condition fails, and what the check printed" \
	sh -c "grep -q 'fails (zsv/check, exit 1)' '$T/out' && grep -q '| site_check looked' '$T/out'"
touch "$T/flag"
zsv --why withrc
check "the condition now holds" grep -q "holds (zsv/check, exit 0)" "$T/out"

note "an entry with its own check()"
zsv --why own
expect_rc 0 "--why own"
show "$T/out"
check "checkf: the entry defines check()" row checkf | grep -q "the entry defines check()"
check "check() from svtab:6 (the line of 'check() {')" \
	grep -qF "check                    $T/svtab:6 (the entry's code)" "$T/out"
check "flag M: the entry's letters" sh -c "grep -E \"^ +M on +the entry's flags 'M'\" '$T/out' >/dev/null"
check "what the check printed" grep -q "| own check said hello" "$T/out"
check "want manual" row want | grep -q manual

note "the last action"
cat >"$T/svtab2" <<EOF
own:M:run=( $SLEEP 600003 )
  check() { true }
EOF
zsv -f "$T/svtab2"
zsv --why own -f "$T/svtab2"
check "last: updated, with its time" row last | grep -qE "(update|restart) \(.*run.*\) at [0-9-]+ [0-9:]+ \([0-9]+s ago\)"

note "errors"
zsv --why nosuch
expect_rc 2 "an unknown NAME"
check "a clear error" grep -q "has no entry of that name" "$T/err"
zsv --why own --status
expect_rc 2 "--why with --status"

finish
