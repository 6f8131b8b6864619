# zsv.zsv.entry: the text it writes, the checks before zsvgen, and (with the real
# zsvgen of this build) lint before move, check mode, diff mode, backup, absent.
import os

import pytest

from ansible_collections.zsv.zsv.plugins.module_utils import zsvgen
from ansible_collections.zsv.zsv.plugins.modules import entry


@pytest.mark.parametrize('name, flags, code, text', [
    ('sshd', '', '', 'sshd\n'),
    ('sshd', 'E', '', 'sshd:E\n'),
    ('echo', '', 'run=(cat)', 'echo::run=(cat)\n'),
    ('echo', 'EN', 'run=(cat)\n', 'echo:EN:run=(cat)\n'),
    # Colons in the code stay code (the second colon ends the flags).
    ('t', '', 'run=(tcpserver 0 7 cat); x=a:b', 't::run=(tcpserver 0 7 cat); x=a:b\n'),
    # Several lines: continuation lines indented by a tab; a blank line stays in the block.
    ('t', 'E', 'checkf=zsv_check_route\n\nrun=(cat)\n', 't:E:\n\tcheckf=zsv_check_route\n\n\trun=(cat)\n'),
    ('t', '', '\n\nrun=(cat)\n\n', 't::run=(cat)\n'),
    ('t', '', '  indented\n    more', 't::\n\t  indented\n\t    more\n'),
    ('t', '', 'a\r\nb\r\n', 't::\n\ta\n\tb\n'),
    ('t', '', '   \n', 't\n'),
])
def test_entry_text(name, flags, code, text):
    assert entry.entry_text(name, flags, code) == text


@pytest.mark.parametrize('name, flags, code, problem', [
    ('sshd', 'E', 'run=(x)', None),
    ('dhcpcd.eth0', '', '', None),
    ('a@b+c_d-1', 'MN', '', None),
    ('x' * 64, '', '', None),
    ('x' * 65, '', '', 'name'),
    ('', '', '', 'name'),
    ('.hidden', '', '', 'name'),
    ('-dash', '', '', 'name'),
    ('a/b', '', '', 'name'),
    ('../etc', '', '', 'name'),
    ('a b', '', '', 'name'),
    ('a:b', '', '', 'name'),
    (u'caf\u00e9', '', '', 'name'),
    ('a', 'E:', '', 'flags'),
    ('a', 'E1', '', 'flags'),
    ('a', '', 'run=(x)\0', 'code'),
])
def test_check_entry(name, flags, code, problem):
    got = entry.check_entry(name, flags, code)
    assert (got.split(' ')[0] if got else None) == (problem + (':' if problem == 'code' else '') if problem else None)


def test_fragment_names_are_those_zsvgen_reads():
    names = ['b.svtab', 'a.svtab', '.a.svtab.x.tmp', 'a.svtab.1.2026@1~', '.svtab', 'x.svtab.dpkg-old', 'README']
    assert zsvgen.fragment_names(names) == ['a.svtab', 'b.svtab']


def test_map_paths_names_the_host_files():
    report = dict(diagnostics=[dict(file='/tmp/zsv-entry.x/web.svtab', line=1,
                                    text='/tmp/zsv-entry.x/web.svtab:1:5: error: u\n (first defined at /tmp/zsv-entry.x/a.svtab:1)')],
                  exit_status=1)
    got = entry.map_paths(report, [('/tmp/zsv-entry.x/', '/etc/svtab.d/')])
    assert got['diagnostics'][0]['file'] == '/etc/svtab.d/web.svtab'
    assert got['diagnostics'][0]['text'] == \
        '/etc/svtab.d/web.svtab:1:5: error: u\n (first defined at /etc/svtab.d/a.svtab:1)'
    assert got['exit_status'] == 1


def listing(root):
    """Every path under ROOT with its bytes: the host's state, to compare."""
    out = {}
    for d, dirs, files in os.walk(str(root)):
        for f in dirs + files:
            p = os.path.join(d, f)
            out[p] = open(p, 'rb').read() if os.path.isfile(p) else None
    return out


def test_present_writes_the_file_and_is_idempotent(run_module, zsv_tree):
    args = dict(zsv_tree['args'], name='web', flags='E', code='run=(sleep 1000)')
    r = run_module(entry.main, args)
    path = os.path.join(args['svtab_d'], 'web.svtab')
    assert (r['changed'], r['path'], r['lint']['exit_status']) == (True, path, 0)
    assert open(path).read() == 'web:E:run=(sleep 1000)\n'
    r = run_module(entry.main, args)
    assert r['changed'] is False and 'lint' not in r
    # No temporary is left in svtab.d (nor in the staging place, which is gone).
    assert os.listdir(args['svtab_d']) == ['web.svtab']


def test_a_bad_entry_fails_with_its_location_and_changes_nothing(run_module, zsv_tree):
    args = dict(zsv_tree['args'], name='web', code='run=(sleep 1000)')
    run_module(entry.main, args)
    before = listing(zsv_tree['root'])
    for bad, where in [(dict(flags='Q'), ':1:5: error: unknown flag'),
                       (dict(code='run=(sleep 1000'), ':1: parse error'),
                       (dict(code='false'), ':1:1: error:')]:
        r = run_module(entry.main, dict(args, **bad))
        assert r.get('failed') is True, bad
        assert (args['svtab_d'] + '/web.svtab' + where) in r['msg'], r['msg']
        assert 'zsv-entry.' not in r['msg']
        assert listing(zsv_tree['root']) == before


def test_the_lint_sees_the_zsvrc(run_module, zsv_tree):
    # A function of the site's zsvrc is defined for the entry's code, as in a real run.
    with open(zsv_tree['args']['zsvrc'], 'a') as f:
        f.write('zsv_run_site() { exec sleep 1000 }\n')
    r = run_module(entry.main, dict(zsv_tree['args'], name='site.one'))
    assert r['changed'] is True, r.get('msg')
    r = run_module(entry.main, dict(zsv_tree['args'], name='other.one'))
    assert r.get('failed') is True and "'other.one'" in r['msg']


def test_a_duplicate_of_the_svtab_fails(run_module, zsv_tree):
    with open(zsv_tree['args']['svtab'], 'w') as f:
        f.write('web::run=(sleep 1)\n')
    r = run_module(entry.main, dict(zsv_tree['args'], name='web', code='run=(sleep 2)'))
    assert r.get('failed') is True
    assert "web.svtab:1:1: error: duplicate service 'web'" in r['msg']
    assert os.listdir(zsv_tree['args']['svtab_d']) == []


def test_check_mode_lints_and_writes_nothing(run_module, zsv_tree):
    args = dict(zsv_tree['args'], name='web', code='run=(sleep 1000)')
    before = listing(zsv_tree['root'])
    r = run_module(entry.main, args, check=True, diff=True)
    assert r['changed'] is True
    assert r['diff'] == dict(before='', after='web::run=(sleep 1000)\n', before_header=r['path'], after_header=r['path'])
    assert listing(zsv_tree['root']) == before
    r = run_module(entry.main, dict(args, flags='Q'), check=True)
    assert r.get('failed') is True and 'unknown flag' in r['msg']


def test_backup_and_absent(run_module, zsv_tree):
    args = dict(zsv_tree['args'], name='web', code='run=(sleep 1)')
    run_module(entry.main, args)
    r = run_module(entry.main, dict(args, code='run=(sleep 2)', backup=True), diff=True)
    assert open(r['backup_file']).read() == 'web::run=(sleep 1)\n'
    assert (r['diff']['before'], r['diff']['after']) == ('web::run=(sleep 1)\n', 'web::run=(sleep 2)\n')
    # The backup's name does not end in .svtab: zsvgen does not read it.
    assert zsvgen.fragment_names(os.listdir(args['svtab_d'])) == ['web.svtab']
    r = run_module(entry.main, dict(args, state='absent'), check=True)
    assert r['changed'] is True and os.path.exists(r['path'])
    r = run_module(entry.main, dict(args, state='absent', backup=True), diff=True)
    assert r['changed'] is True and not os.path.exists(r['path'])
    assert open(r['backup_file']).read() == 'web::run=(sleep 2)\n'
    assert r['diff']['after'] == ''
    assert run_module(entry.main, dict(args, state='absent'))['changed'] is False


def test_a_missing_svtab_is_linted_as_empty(run_module, zsv_tree):
    os.unlink(zsv_tree['args']['svtab'])
    r = run_module(entry.main, dict(zsv_tree['args'], name='web', code='run=(sleep 1)'), check=True)
    assert r['changed'] is True, r.get('msg')
    r = run_module(entry.main, dict(zsv_tree['args'], name='web', flags='Q'), check=True)
    assert r.get('failed') is True and zsv_tree['args']['svtab_d'] + '/web.svtab:1:5: error:' in r['msg']
    assert not os.path.exists(zsv_tree['args']['svtab'])


def test_a_bad_name_fails_before_any_path_is_made(run_module, zsv_tree):
    r = run_module(entry.main, dict(zsv_tree['args'], name='../../etc/passwd'))
    assert r.get('failed') is True and r['msg'].startswith('zsv entry: name')
    assert os.listdir(zsv_tree['args']['svtab_d']) == []
