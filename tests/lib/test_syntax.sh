#!/bin/bash
# test_syntax.sh: every file of the zsh library (lib/) and every hook (hooks/)
# parses (`zsh -n`); the POSIX-sh hooks also pass shellcheck when it is installed.
# Also the examples: zsvrc.example and the code of each svtab.example entry parse.
set -u
src=${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
fail=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }

n=0
for f in "$src"/lib/* "$src"/hooks/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if err=$(zsh -n "$f" 2>&1); then ok "zsh -n ${f#"$src"/}"; else bad "zsh -n ${f#"$src"/}: $err"; fi
done
[ "$n" -ge 5 ] || bad "expected the library and hooks under $src, found $n files"

if [ -x "$src/hooks/zsv_ifupd" ]; then ok "hooks/zsv_ifupd is executable"; else bad "hooks/zsv_ifupd is not executable"; fi

if command -v shellcheck >/dev/null; then
	for f in "$src"/hooks/*; do
		head -n 3 "$f" | grep -Eq '^(#!/bin/sh|# shellcheck shell=sh)' || continue
		if err=$(shellcheck "$f" 2>&1); then ok "shellcheck ${f#"$src"/}"; else bad "shellcheck ${f#"$src"/}:"$'\n'"$err"; fi
	done
else
	echo "skip - shellcheck is not installed"
fi

if [ -f "$src/zsvrc.example" ]; then
	if err=$(zsh -n "$src/zsvrc.example" 2>&1); then ok "zsh -n zsvrc.example"; else bad "zsvrc.example: $err"; fi
else
	bad "zsvrc.example is missing"
fi
# svtab: name[:flags[:code]]; '#' comments; lines starting with blank space continue.
check_entry() {
	[ -n "$name" ] || return 0
	if err=$(zsh -nc "$code" 2>&1); then ok "svtab.example: $name parses"; else bad "svtab.example: $name: $err"; fi
}
entries=0 name='' code=''
while IFS= read -r line; do
	case $line in
		'#'*|'') ;;
		[[:blank:]]*) code+=$'\n'$line ;;
		*)	check_entry
			entries=$((entries + 1)) name=${line%%:*} code=
			case $line in *:*:*) code=${line#*:*:} ;; esac ;;
	esac
done <"$src/svtab.example"
check_entry
[ "$entries" -ge 10 ] || bad "svtab.example: expected at least 10 entries, found $entries"
exit $fail
