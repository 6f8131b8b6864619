#!/bin/bash
# test_completion.sh: the shell completions of zsvgen (completions/) and the man pages
# (man/). bash: the completion is sourced and _zsvgen called with COMP_WORDS as bash
# would: service names from the svtab (and svtab.d) after --only, --status, --why and
# -f, options from zsvgen --help. zsh: _zsvgen parses, and its name helper, run with
# the completion system's functions stubbed, gives the names. Man pages: no warning
# from man --warnings (groff -ww) for any of them.
. "$(dirname "$0")/lib.sh"

C=$ZSV_SRC/completions
cat >"$T/svtab" <<EOF
# a comment: not a name
sshd
dhcpcd.eth0:E:checkf=zsv_check_true
  continued:not a name
wpa_cli.wlan0:M
EOF
mkdir -p "$T/svtab.d"
echo "extra@1" >"$T/svtab.d/x.svtab"

# complete WORD...: the completions bash would offer for the last WORD.
complete_bash() {
	# shellcheck disable=SC1091
	(source "$C/zsvgen"
	 COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	 _zsvgen; printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
}
check "bash: the completion loads and registers" bash -c "source '$C/zsvgen' && complete -p zsvgen | grep -q _zsvgen"
got=$(complete_bash "$ZSVGEN" -f "$T/svtab" --why "")
check "bash: --why offers svtab's and svtab.d's names (got: $got)" test "$got" = "dhcpcd.eth0 extra@1 sshd wpa_cli.wlan0 "
got=$(complete_bash "$ZSVGEN" -f "$T/svtab" --status sshd d)
check "bash: --status NAME d offers dhcpcd.eth0 (got: $got)" test "$got" = "dhcpcd.eth0 "
got=$(ZSV_SVTAB=$T/svtab complete_bash "$ZSVGEN" --only w)
check "bash: --only with \$ZSV_SVTAB (got: $got)" test "$got" = "wpa_cli.wlan0 "
got=$(complete_bash "$ZSVGEN" --sta)
check "bash: options from --help (got: $got)" test "$got" = "--status "
got=$(complete_bash "$ZSVGEN" --w)
check "bash: --why (got: $got)" test "$got" = "--why "

check "zsh: _zsvgen parses" zsh -n "$C/_zsvgen"
got=$(cd "$T" && zsh -f -c '
	_arguments() { :; }; _wanted() { :; }
	source '"$C"'/_zsvgen
	words=(zsvgen -f '"$T"'/svtab --why "")
	_zsvgen_service_names
	print -r -- ${(o)reply}')
check "zsh: the names for --only/--status/--why (got: $got)" test "$got" = "dhcpcd.eth0 extra@1 sshd wpa_cli.wlan0"

for m in "$ZSV_SRC"/man/*.[1-8]; do
	out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$m" 2>&1 >/dev/null; groff -ww -man -z "$m" 2>&1)
	check "man page ${m##*/}: no warnings${out:+ ($out)}" test -z "$out"
done
check "svtab(5) and zsvgen(8) are there" test -f "$ZSV_SRC/man/svtab.5" -a -f "$ZSV_SRC/man/zsvgen.8"

finish
