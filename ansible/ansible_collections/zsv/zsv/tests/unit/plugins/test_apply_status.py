# zsv.zsv.apply: its command lines (check mode is a dry run and nothing else), and with
# the real zsvgen of this build (no runsvdir: the tree is built, nothing supervises it)
# changed from the report, check mode writing nothing, diff mode's plan, exit 3 and 1.
# zsv.zsv.status: its command line and how its answer becomes facts.
import os

import pytest

from ansible_collections.zsv.zsv.plugins.module_utils.zsvgen import ZsvError, resolve_paths
from ansible_collections.zsv.zsv.plugins.modules import apply as zapply
from ansible_collections.zsv.zsv.plugins.modules import status as zstatus

PARAMS = dict(only=[], lib=None, user=False, names=[])


def test_a_dry_run_is_asked_for_only_when_wanted():
    paths = resolve_paths({}, env={}, home='/root')
    real = zapply.zsvgen_argv('zsvgen', PARAMS, paths, dry_run=False)
    assert '--dry-run' not in real and '-n' not in real and '--json' in real
    dry = zapply.zsvgen_argv('zsvgen', PARAMS, paths, dry_run=True, verbose=True)
    assert dry[-2:] == ['--dry-run', '-v']
    only = zapply.zsvgen_argv('zsvgen', dict(PARAMS, only=['a', 'b']), paths, dry_run=False)
    assert only[-3:] == ['--only', 'a', 'b']


def snapshot(root):
    out = {}
    for d, dirs, files in os.walk(str(root)):
        for f in dirs + files:
            p = os.path.join(d, f)
            st = os.lstat(p)
            out[p] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def write_svtab(tree, text):
    with open(tree['args']['svtab'], 'w') as f:
        f.write(text)


def test_check_mode_then_apply_then_nothing(run_module, zsv_tree):
    write_svtab(zsv_tree, 'a::run=(sleep 1001)\nb::run=(sleep 1002); checkf=zsv_check_false\n')
    args = zsv_tree['args']
    before = snapshot(zsv_tree['root'])
    r = run_module(zapply.main, args, check=True, diff=True)
    assert (r['changed'], r['report']['dry_run'], r['created'], r['started']) == (True, True, ['a', 'b'], ['a'])
    assert r['diff']['prepared'].startswith('+ a\n+ b (down)\n')
    assert '+++ a/run' in r['diff']['prepared']
    assert snapshot(zsv_tree['root']) == before, 'check mode wrote something'
    r = run_module(zapply.main, args, diff=True)
    assert (r['changed'], r['report']['dry_run'], r['created']) == (True, False, ['a', 'b'])
    assert os.path.isfile(args['service_dir'] + '/a/run')
    # Nothing edited: the report has no action, and so nothing changed.
    r = run_module(zapply.main, args)
    assert (r['changed'], r['report']['actions']) == (False, [])
    r = run_module(zapply.main, args, check=True)
    assert r['changed'] is False


def test_exit_3_fails_naming_the_entry_and_still_applies_the_others(run_module, zsv_tree):
    write_svtab(zsv_tree, 'a::run=(sleep 1001)\nbad::false\n')
    r = run_module(zapply.main, zsv_tree['args'])
    assert r['failed'] is True
    assert r['msg'].startswith('zsvgen: 1 entries failed and were left as they were: bad\n')
    assert zsv_tree['args']['svtab'] + ':2:1: error:' in r['msg']
    assert (r['changed'], r['created'], r['failed_services']) == (True, ['a'], ['bad'])


def test_exit_1_fails_with_the_diagnostics_and_applies_nothing(run_module, zsv_tree):
    write_svtab(zsv_tree, 'a::run=(sleep 1001)\na::run=(sleep 1002)\n')
    r = run_module(zapply.main, zsv_tree['args'])
    assert r['failed'] is True and r['changed'] is False
    assert r['msg'].startswith('zsvgen: svtab or zsvrc error, nothing applied:\n' + zsv_tree['args']['svtab'] + ':2:1: error:')
    assert not os.path.exists(zsv_tree['args']['service_dir'] + '/a')


def test_a_zsvgen_without_a_report_fails_clearly(run_module, zsv_tree, tmp_path):
    old = tmp_path / 'old-zsvgen'
    old.write_text('#!/bin/sh\necho "+ a"\n')
    old.chmod(0o755)
    r = run_module(zapply.main, dict(zsv_tree['args'], zsvgen=str(old)))
    assert r['failed'] is True and 'printed no JSON report' in r['msg']


def test_status_argv_and_facts():
    paths = resolve_paths({}, env={}, home='/root')
    argv = zstatus.status_argv('zsvgen', dict(PARAMS, names=['a', 'b']), paths)
    assert argv[-4:] == ['--json', '--status', 'a', 'b']
    answer = dict(time=5, services=[dict(name='a', state='run', pid=12), dict(name='b', state='down', pid=None)])
    assert zstatus.services_by_name(answer) == {'a': answer['services'][0], 'b': answer['services'][1]}


@pytest.mark.parametrize('rc, out, fragment', [
    (0, 'nope', 'printed no JSON'),
    (0, '{"time": 1}', 'without a list of services'),
    (1, '{"services": []}', 'failed (exit 1)'),
])
def test_status_refuses(rc, out, fragment):
    with pytest.raises(ZsvError) as e:
        zstatus.parse_status(rc, out, 'err')
    assert fragment in str(e.value)


def test_pending_changes_reads_entry_results():
    d = '/etc/svtab.d'
    loop = dict(results=[
        dict(changed=True, path=d + '/a.svtab', state='file', text='a::run=(x)\n'),
        dict(changed=False, path=d + '/b.svtab', state='file', text='b\n'),
        dict(changed=True, path=d + '/c.svtab', state='absent'),  # as Ansible reports it
        dict(changed=True, failed=True, path=d + '/e.svtab', state='file', text='e\n'),
        dict(changed=True, path='/other/f.svtab', state='file', text='f\n'),
        dict(skipped=True),
    ])
    want = {'a.svtab': 'a::run=(x)\n', 'c.svtab': None}
    assert zapply.pending_changes(loop, d + '/') == want
    assert zapply.pending_changes([loop, dict(changed=True, path=d + '/g.svtab', text='g\n')], d) == \
        dict(want, **{'g.svtab': 'g\n'})
    assert zapply.pending_changes(None, d) == {}


def test_check_mode_plans_the_pending_entries_at_their_own_paths(run_module, zsv_tree):
    from ansible_collections.zsv.zsv.plugins.modules import entry
    args = zsv_tree['args']
    first = run_module(entry.main, dict(args, name='a', code='run=(sleep 1001)'))
    run_module(entry.main, dict(args, name='b', code='run=(sleep 1002)'))
    run_module(entry.main, dict(args, name='e', code='run=(sleep 1005)'))
    run_module(zapply.main, args)
    before = snapshot(zsv_tree['root'])
    edited = run_module(entry.main, dict(args, name='a', code='run=(sleep 1003)'), check=True)
    new = run_module(entry.main, dict(args, name='c', code='run=(sleep 1004)'), check=True)
    gone = run_module(entry.main, dict(args, name='b', state='absent'), check=True)
    r = run_module(zapply.main, dict(args, pending=dict(results=[first, edited, new, gone])), check=True)
    # b.s unchanged neighbours would show a zsv/source change if the copy were read under its own name.
    assert [(a['service'], a['action']) for a in r['report']['actions']] == \
        [('a', 'restart'), ('b', 'remove'), ('c', 'create')]
    assert (r['restarted'], r['removed'], r['created']) == (['a'], ['b'], ['c'])
    assert snapshot(zsv_tree['root']) == before
    # Without them, the dry run sees the host's files: nothing to do.
    assert run_module(zapply.main, args, check=True)['changed'] is False


def test_check_mode_of_a_fresh_host_plans_the_pending_entries(run_module, zsv_tree):
    # No svtab, no svtab.d, no tree yet: what a first check run of the fleet play meets.
    from ansible_collections.zsv.zsv.plugins.modules import entry
    args = zsv_tree['args']
    os.unlink(args['svtab'])
    os.rmdir(args['svtab_d'])
    new = run_module(entry.main, dict(args, name='a', code='run=(sleep 1001)'), check=True)
    r = run_module(zapply.main, dict(args, pending=[new]), check=True)
    assert (r['changed'], r['created'], r['started']) == (True, ['a'], ['a']), r.get('msg')
    assert sorted(os.listdir(str(zsv_tree['root']))) == ['zsvrc']
