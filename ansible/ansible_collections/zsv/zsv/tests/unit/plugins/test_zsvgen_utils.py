# module_utils/zsvgen: paths and their defaults, the command line, and what the
# --json report (version 1) means for a task.
import pytest

from ansible_collections.zsv.zsv.plugins.module_utils import zsvgen as z


@pytest.mark.parametrize('params, env, want', [
    ({}, {}, dict(svtab='/etc/svtab', svtab_d='/etc/svtab.d', service_dir='/run/service', zsvrc='/etc/zsvrc')),
    ({'svtab': '/srv/t'}, {}, dict(svtab='/srv/t', svtab_d='/srv/t.d', service_dir='/run/service', zsvrc='/etc/zsvrc')),
    ({'svtab': '/srv/t', 'svtab_d': '/srv/d', 'service_dir': '/srv/s', 'zsvrc': '/srv/rc'}, {},
     dict(svtab='/srv/t', svtab_d='/srv/d', service_dir='/srv/s', zsvrc='/srv/rc')),
    ({'user': True}, {}, dict(svtab='/home/al/.config/zsv/svtab', svtab_d='/home/al/.config/zsv/svtab.d',
                              service_dir='/home/al/service', zsvrc='/home/al/.config/zsv/zsvrc')),
    ({'user': True}, {'XDG_CONFIG_HOME': '/x/cfg'},
     dict(svtab='/x/cfg/zsv/svtab', svtab_d='/x/cfg/zsv/svtab.d', service_dir='/home/al/service', zsvrc='/x/cfg/zsv/zsvrc')),
    # XDG: a relative XDG_CONFIG_HOME is ignored.
    ({'user': True}, {'XDG_CONFIG_HOME': 'rel'},
     dict(svtab='/home/al/.config/zsv/svtab', svtab_d='/home/al/.config/zsv/svtab.d',
          service_dir='/home/al/service', zsvrc='/home/al/.config/zsv/zsvrc')),
])
def test_resolve_paths(params, env, want):
    assert z.resolve_paths(params, env=env, home='/home/al') == want


def test_path_args_are_all_explicit():
    paths = z.resolve_paths({}, env={}, home='/root')
    assert z.path_args(paths, {}) == ['--svtab', '/etc/svtab', '--svtab-d', '/etc/svtab.d',
                                      '--service-dir', '/run/service', '--config', '/etc/zsvrc']
    args = z.path_args(paths, {'lib': '/l', 'user': True}, svtab_d='/tmp/stage')
    assert args[args.index('--svtab-d') + 1] == '/tmp/stage'
    assert args[-3:] == ['--lib', '/l', '--user']


def report(**kw):
    r = dict(version=1, dry_run=False, exit_status=0, services=2, failed=0, failed_services=[], actions=[],
             created=[], changed=[], restarted=[], removed=[], started=[], stopped=[], diagnostics=[], diffs=[])
    r.update(kw)
    return r


@pytest.mark.parametrize('rc, out, err, fragment', [
    (2, '', 'zsvgen: unrecognised option --user', 'refused the command line'),
    (1, 'not json', 'boom', 'printed no JSON report: boom'),
    (0, '{"dry_run": false}', '', 'version None'),
    (0, '{"version": 2}', '', 'version 2; this collection reads version 1'),
    (0, '[1]', '', 'version None'),
])
def test_parse_report_refuses(rc, out, err, fragment):
    with pytest.raises(z.ZsvError) as e:
        z.parse_report(rc, out, err)
    assert fragment in str(e.value)


def test_parse_report_reads_version_1():
    assert z.parse_report(3, '{"version": 1, "exit_status": 3}', '')['exit_status'] == 3


def test_changed_comes_from_the_actions_only():
    # A report with nothing to do is not a change, whatever else it holds.
    result, msg = z.outcome(report(diagnostics=[dict(severity='warning', file='f', line=1, col=1, message='slow')]))
    assert (result['changed'], msg) == (False, None)
    result, msg = z.outcome(report(actions=[dict(service='a', action='up', detail='condition true')], started=['a']))
    assert (result['changed'], msg, result['started']) == (True, None, ['a'])


def test_the_lists_keep_their_names_and_changed_stays_a_bool():
    result, _ = z.outcome(report(actions=[dict(service='a', action='update', detail='run')], changed=['a'],
                                 restarted=[], created=['b']))
    assert result['changed'] is True
    assert result['changed_services'] == ['a']
    assert result['created'] == ['b']
    assert result['report']['version'] == 1


def test_exit_3_names_the_failed_entries_and_keeps_changed():
    d = dict(severity='error', file='/etc/svtab.d/bad.svtab', line=1, col=1, message='x',
             text="/etc/svtab.d/bad.svtab:1:1: error: service 'bad' was not resolved\n  bad::false\n  ^\n")
    result, msg = z.outcome(report(exit_status=3, failed=2, failed_services=['bad', 'worse'], diagnostics=[d],
                                   actions=[dict(service='a', action='create', detail='')]))
    assert msg.startswith('zsvgen: 2 entries failed and were left as they were: bad, worse\n')
    assert '/etc/svtab.d/bad.svtab:1:1: error:' in msg
    assert result['changed'] is True
    assert result['failed_services'] == ['bad', 'worse']


@pytest.mark.parametrize('rc, dry, head', [
    (1, False, 'zsvgen: svtab or zsvrc error, nothing applied:\n'),
    (1, True, 'zsvgen (dry run): svtab or zsvrc error, nothing applied:\n'),
    (4, False, 'zsvgen: system error:\n'),
])
def test_other_failures_carry_the_diagnostics(rc, dry, head):
    d = dict(severity='error', file='/etc/svtab', line=2, col=1, message="duplicate service 'a'")
    _, msg = z.outcome(report(exit_status=rc, dry_run=dry, diagnostics=[d]))
    assert msg == head + "/etc/svtab:2:1: error: duplicate service 'a'"


def test_diagnostic_text_without_a_line():
    assert z.diagnostic_text(dict(severity='error', file='/etc/svtab', line=0, col=0,
                                  message='cannot read: No such file or directory')) == \
        '/etc/svtab: error: cannot read: No such file or directory'


# The same words zsvgen prints (report.cc action_line).
@pytest.mark.parametrize('action, line', [
    (('sshd', 'create', ''), '+ sshd'),
    (('b', 'create', 'down'), '+ b (down)'),
    (('old', 'remove', ''), '- old'),
    (('a', 'update', 'zsv/check'), '~ a updated (zsv/check)'),
    (('a', 'restart', 'run'), '~ a restarted (run)'),
    (('n', 'up', 'condition true'), u'\u2191 n (condition true)'),
    (('n', 'down', 'condition false'), u'\u2193 n (condition false)'),
    (('m', 'manual', 'M: left to the administrator'), '= m (M: left to the administrator)'),
    (('.x.zsv-new', 'cleanup', 'left by an interrupted run'), '* .x.zsv-new cleanup (left by an interrupted run)'),
])
def test_action_line(action, line):
    assert z.action_line(dict(zip(('service', 'action', 'detail'), action))) == line


def test_plan_text_has_the_actions_then_the_diffs():
    dry = report(dry_run=True, actions=[dict(service='a', action='restart', detail='run')],
                 diffs=[dict(service='a', path='run', diff='--- a/run\n+++ a/run\n@@ line 3 @@\n-x\n+y\n')])
    assert z.plan_text(dry) == '~ a restarted (run)\n--- a/run\n+++ a/run\n@@ line 3 @@\n-x\n+y\n'
    # Outside check mode: the real run's actions, the dry run's diffs.
    real = report(actions=[dict(service='a', action='restart', detail='run')])
    assert z.plan_text(real, diffs_from=dry).endswith('+y\n')
    assert z.plan_text(report()) == '(nothing to do)\n'


def test_run_zsvgen_is_bounded(tmp_path):
    with pytest.raises(z.ZsvError) as e:
        z.run_zsvgen(['sleep', '5'], timeout=1)
    assert 'killed' in str(e.value)
    with pytest.raises(z.ZsvError):
        z.run_zsvgen([str(tmp_path / 'missing')], timeout=5)
