#!/bin/bash
# test_collection.sh: the zsv.zsv collection's own checks, on a copy of it (ansible-test
# writes into the collection it tests): the pytest unit tests of the modules' logic
# (with this build's zsvgen), ansible-doc of every module, and the ansible-test sanity
# tests that run offline, without containers or a venv (the others need pip).
. "$(dirname "$0")/../integration/lib.sh"

for tool in ansible-doc ansible-test /usr/bin/python3; do
	command -v "$tool" >/dev/null || { echo "skip - $tool is not installed"; exit 77; }
done
/usr/bin/python3 -c 'import pytest' 2>/dev/null || { echo "skip - python3-pytest is not installed"; exit 77; }
export LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 ANSIBLE_HOME=$T/ansible-home ANSIBLE_NOCOLOR=1
export ANSIBLE_LOCAL_TEMP=$T/ansible-tmp
mkdir -p "$T/c/ansible_collections/zsv"
cp -R "$ZSV_SRC/ansible/ansible_collections/zsv/zsv" "$T/c/ansible_collections/zsv/zsv"
COLL=$T/c/ansible_collections/zsv/zsv
export ANSIBLE_COLLECTIONS_PATH=$T/c
MODULES=(entry apply status)

note "pytest"
(cd "$COLL" && ZSVGEN=$ZSVGEN ZSV_LIB=$ZSV_LIB timeout 300 /usr/bin/python3 -m pytest -q -p no:cacheprovider \
	--basetemp="$T/pytest" tests/unit) >"$T/pytest.out" 2>&1
if [ $? = 0 ]; then ok "pytest: $(tail -1 "$T/pytest.out")"; else bad "pytest"; show "$T/pytest.out"; fi
check "pytest ran the tests that use the real zsvgen (none skipped)" eval '! grep -q skipped "$T/pytest.out"'

note "ansible-doc"
for m in "${MODULES[@]}"; do
	timeout 120 ansible-doc "zsv.zsv.$m" >"$T/doc.$m" 2>&1
	if [ $? = 0 ] && grep -q "^> ZSV.ZSV.${m^^} " "$T/doc.$m"; then ok "ansible-doc zsv.zsv.$m renders"
	else bad "ansible-doc zsv.zsv.$m"; show "$T/doc.$m"; fi
	check "zsv.zsv.$m: the doc has EXAMPLES and RETURN" grep -q "^EXAMPLES:" "$T/doc.$m"
	check "zsv.zsv.$m: the doc has the path options of the fragment" grep -q "^- service_dir" "$T/doc.$m"
	check_not "zsv.zsv.$m: no warning" grep -qi "warning" "$T/doc.$m"
done
timeout 120 ansible-doc -l zsv.zsv >"$T/doc.list" 2>&1
check "ansible-doc -l lists the three modules" test "$(awk '{print $1}' "$T/doc.list" | sort | tr '\n' ' ')" = "zsv.zsv.apply zsv.zsv.entry zsv.zsv.status "

note "ansible-test sanity (the tests that run offline)"
SANITY=(action-plugin-docs changelog compile empty-init future-import-boilerplate ignores line-endings
	metaclass-boilerplate no-assert no-basestring no-dict-iteritems no-dict-iterkeys no-dict-itervalues
	no-get-exception no-illegal-filenames no-main-display no-smart-quotes no-unicode-literals pslint
	replace-urlopen shebang shellcheck symlinks use-argspec-type-path use-compat-six)
args=()
for t in "${SANITY[@]}"; do args+=(--test "$t"); done
(cd "$COLL" && timeout 600 ansible-test sanity --python "$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
	"${args[@]}") >"$T/sanity.out" 2>&1
if [ $? = 0 ]; then ok "ansible-test sanity: ${SANITY[*]}"; else bad "ansible-test sanity"; show "$T/sanity.out"; fi
check "each of them ran" test "$(grep -c '^Running sanity test' "$T/sanity.out")" = ${#SANITY[@]}

# pep8 and yamllint as ansible-test runs them (its settings, its yamllinter, which also
# reads the modules' DOCUMENTATION, EXAMPLES and RETURN), with Debian's pycodestyle and
# yamllint instead of the venv it cannot build offline; pyflakes beside them.
note "pep8, yamllint (ansible-test's settings), pyflakes"
AT=$(/usr/bin/python3 -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_util/controller/sanity
if /usr/bin/python3 -c 'import pycodestyle, pyflakes, yamllint' 2>/dev/null; then
	(cd "$COLL" && /usr/bin/python3 -m pycodestyle --max-line-length 160 \
		--ignore "$(paste -sd, "$AT/pep8/current-ignore.txt")" plugins tests) >"$T/pep8.out" 2>&1
	if [ $? = 0 ]; then ok "pep8"; else bad "pep8"; show "$T/pep8.out"; fi
	(cd "$COLL" && /usr/bin/python3 -m pyflakes plugins tests) >"$T/pyflakes.out" 2>&1
	if [ $? = 0 ]; then ok "pyflakes"; else bad "pyflakes"; show "$T/pyflakes.out"; fi
	(cd "$COLL" && /usr/bin/python3 "$AT/yamllint/yamllinter.py" plugins/modules/*.py plugins/doc_fragments/*.py \
		examples/*.yml meta/runtime.yml galaxy.yml) >"$T/yamllint.out" 2>&1
	if [ $? = 0 ] && grep -q '"messages": \[\]' "$T/yamllint.out"; then ok "yamllint"; else bad "yamllint"; show "$T/yamllint.out"; fi
else
	bad "python3-pycodestyle, python3-pyflakes or yamllint is not installed (scripts/install-deps)"
fi

finish
