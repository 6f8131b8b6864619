#!/bin/bash
# test_golden.sh: every service the library knows renders the expected scripts.
# zsvgen renders a svtab naming each library service (with instances) into an
# empty directory; each NAME/run, NAME/log/run and NAME/zsv/check must equal
# golden/NAME.run, NAME.log.run, NAME.check. The rendered checks must also run
# on their own (`zsh -f`, no library): status 0 or 1, nothing on stderr.
# Then the examples: svtab.example with zsvrc.example passes `zsvgen --lint`.
# UPDATE_GOLDEN=1 rewrites the golden files from this run instead of comparing.
set -u
src=${ZSV_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
lib=${ZSV_LIB:-$src/lib}
zsvgen=${ZSVGEN:-$src/build/zsvgen}
golden=$src/tests/lib/golden
[ -x "$zsvgen" ] || { echo "FAIL - no zsvgen at $zsvgen (set ZSVGEN)"; exit 1; }
tmp=$(mktemp -d /tmp/zsvtest-golden.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; fail=1; }

cat >"$tmp/svtab" <<'SVTAB'
# Every service of lib/zsv_services, as a site would write it.
syslog-ng
sshd
sshd.alt::run+=( -p 2222 )
openntpd
vixie-cron
cron
cronie
netplugd
netplugd.eth0
wpa_supplicant.wlan0
wpa_cli.wlan0
dhcpcd
dhcpcd.eth0
tcpserver.1234::run=( cat )
getty.tty2
runsvdir.root
example_echo::checkf=zsv_check_route; run=( tcpserver -HRl0 0.0.0.0 1234 cat )
SVTAB
names=$(grep -v '^#' "$tmp/svtab" | cut -d: -f1)

# The hooks' directory depends on where the library sits; pin it so the goldens do not.
echo 'zsv_hookdir=/usr/libexec/zsv' > "$tmp/zsvrc"
out=$("$zsvgen" -f "$tmp/svtab" -s "$tmp/service" -c "$tmp/zsvrc" -L "$lib" 2>&1); rc=$?
[ $rc = 0 ] && ok "zsvgen rendered the svtab" || bad "zsvgen exited $rc:"$'\n'"$out"

# golden name of a rendered file
declare -A files=([run]=run [log/run]=log.run [zsv/check]=check)
if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
	rm -rf "$golden"; mkdir -p "$golden"
	for n in $names; do
		for f in "${!files[@]}"; do
			[ -f "$tmp/service/$n/$f" ] && cp "$tmp/service/$n/$f" "$golden/$n.${files[$f]}"
		done
	done
	echo "updated $golden"
	exit $fail
fi

for n in $names; do
	for f in "${!files[@]}"; do
		g=$golden/$n.${files[$f]} r=$tmp/service/$n/$f
		if [ ! -e "$g" ] && [ ! -e "$r" ]; then continue; fi
		if d=$(diff -u "$g" "$r" 2>&1); then ok "$n/$f matches"; else bad "$n/$f differs from golden:"$'\n'"$d"; fi
	done
	c=$tmp/service/$n/zsv/check
	[ -x "$c" ] || { bad "$n/zsv/check missing or not executable"; continue; }
	err=$(zsh -f "$c" 2>&1 >/dev/null); rc=$?
	if [ $rc -le 1 ] && [ -z "$err" ]; then ok "$n/zsv/check runs on its own (status $rc)"
	else bad "$n/zsv/check: status $rc, stderr: $err"; fi
done
for g in "$golden"/*; do
	n=${g##*/}; n=${n%.*}; n=${n%.log}
	grep -qx -- "$n" <<<"$names" || bad "stale golden file $g"
done

out=$("$zsvgen" --lint -f "$src/svtab.example" -c "$src/zsvrc.example" -L "$lib" 2>&1); rc=$?
[ $rc = 0 ] && ok "svtab.example with zsvrc.example passes --lint" || bad "--lint svtab.example exited $rc:"$'\n'"$out"
exit $fail
