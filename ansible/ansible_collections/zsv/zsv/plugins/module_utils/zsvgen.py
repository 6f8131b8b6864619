# -*- coding: utf-8 -*-
# Copyright: (c) 2026, the zsv authors
# MIT License (see https://opensource.org/licenses/MIT)
"""zsvgen for the zsv.zsv modules: the path options, the command line, the run, and
what zsvgen's --json report (version 1, README "The --json report") says."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess

# The --json report versions this collection reads.
REPORT_VERSIONS = (1,)

# The options every module takes (doc fragment zsv.zsv.paths). None: zsv's own default.
PATH_ARGS = dict(
    svtab=dict(type='path'),
    svtab_d=dict(type='path'),
    service_dir=dict(type='path'),
    zsvrc=dict(type='path', aliases=['config']),
    lib=dict(type='path'),
    zsvgen=dict(type='str', default='zsvgen'),
    user=dict(type='bool', default=False),
    timeout=dict(type='int', default=300),
)

# svtab.d's files end so (SPEC §14).
SUFFIX = '.svtab'

# zsvgen's exit statuses (SPEC §7).
EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_PARTIAL, EXIT_SYSTEM = 0, 1, 2, 3, 4


class ZsvError(Exception):
    """zsvgen could not be run, or did not answer with a report this module reads."""


def config_home(env, home):
    """$XDG_CONFIG_HOME when it is an absolute path, else ~/.config (XDG spec)."""
    xdg = env.get('XDG_CONFIG_HOME', '')
    return xdg if xdg.startswith('/') else os.path.join(home, '.config')


def resolve_paths(params, env=None, home=None):
    """The four paths zsvgen reads, each the option or zsv's default: /etc/svtab,
    svtab + '.d', /run/service, /etc/zsvrc; with user, the user tree's (SPEC §13):
    ~/.config/zsv/svtab (XDG_CONFIG_HOME honoured), ~/.config/zsv/zsvrc, ~/service."""
    env = os.environ if env is None else env
    home = os.path.expanduser('~') if home is None else home
    if params.get('user'):
        base = os.path.join(config_home(env, home), 'zsv')
        defaults = dict(svtab=os.path.join(base, 'svtab'), service_dir=os.path.join(home, 'service'),
                        zsvrc=os.path.join(base, 'zsvrc'))
    else:
        defaults = dict(svtab='/etc/svtab', service_dir='/run/service', zsvrc='/etc/zsvrc')
    paths = dict((k, params.get(k) or v) for k, v in defaults.items())
    paths['svtab_d'] = params.get('svtab_d') or paths['svtab'] + '.d'
    return paths


def path_args(paths, params, svtab_d=None):
    """zsvgen's options for PATHS (every path explicit, so the module and zsvgen agree);
    SVTAB_D replaces the svtab.d (the entry module lints a copy)."""
    args = ['--svtab', paths['svtab'], '--svtab-d', svtab_d or paths['svtab_d'],
            '--service-dir', paths['service_dir'], '--config', paths['zsvrc']]
    if params.get('lib'):
        args += ['--lib', params['lib']]
    if params.get('user'):
        args.append('--user')
    return args


def fragment_names(names):
    """The svtab.d files zsvgen reads: NAME.svtab, not starting with '.', in byte order."""
    return sorted((n for n in names if n.endswith(SUFFIX) and len(n) > len(SUFFIX) and not n.startswith('.')),
                  key=lambda n: n.encode('utf-8', 'surrogateescape'))


def find_zsvgen(module):
    """The zsvgen program: the option as a path, or looked up on PATH."""
    name = module.params['zsvgen']
    if '/' in name:
        if not os.access(name, os.X_OK):
            module.fail_json(msg='zsvgen: %s is not an executable file' % name)
        return name
    return module.get_bin_path(name, required=True)


def run_zsvgen(argv, timeout):
    """Runs ARGV; returns (rc, stdout, stderr) as text. A run longer than TIMEOUT
    seconds is killed (zsvgen bounds itself; this bounds the module too)."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ZsvError('%s: still running after %d s: killed' % (' '.join(argv), timeout))
    except OSError as e:
        raise ZsvError('%s: cannot run: %s' % (argv[0], e))
    return (p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace'))


def parse_report(rc, out, err):
    """The --json report zsvgen printed, checked for a version this module reads."""
    if rc == EXIT_USAGE:
        raise ZsvError('zsvgen refused the command line (exit 2): %s' % err.strip())
    try:
        report = json.loads(out)
    except ValueError:
        raise ZsvError('zsvgen (exit %d) printed no JSON report: %s' % (rc, (err or out).strip()[:2000]))
    if not isinstance(report, dict) or report.get('version') not in REPORT_VERSIONS:
        raise ZsvError('zsvgen printed a report of version %r; this collection reads version %s'
                       % (report.get('version') if isinstance(report, dict) else None,
                          ', '.join(str(v) for v in REPORT_VERSIONS)))
    return report


def diagnostic_text(d):
    """A diagnostic as zsvgen prints it (FILE:LINE:COL: error: MESSAGE, source, caret)."""
    if d.get('text'):
        return d['text'].rstrip('\n')
    if d.get('line'):
        return '%s:%s:%s: %s: %s' % (d['file'], d['line'], max(d.get('col') or 1, 1), d['severity'], d['message'])
    return '%s: %s: %s' % (d['file'], d['severity'], d['message'])


def diagnostics_text(report, severities=('error',)):
    """The report's diagnostics of SEVERITIES, one after the other, as zsvgen prints them."""
    return '\n'.join(diagnostic_text(d) for d in report.get('diagnostics', []) if d.get('severity') in severities)


def warnings_of(report):
    """The report's warnings, one string each, for Ansible's warnings."""
    return [diagnostic_text(d) for d in report.get('diagnostics', []) if d.get('severity') == 'warning']


ACTION_MARKS = {'create': '+', 'remove': '-', 'update': '~', 'restart': '~', 'up': u'\u2191',
                'down': u'\u2193', 'manual': '='}


def action_line(a):
    """One action as zsvgen's human output has it: '+ sshd', '~ a restarted (run)'."""
    detail = ' (%s)' % a['detail'] if a.get('detail') else ''
    kind, name = a['action'], a['service']
    if kind == 'remove':
        return '- ' + name
    if kind == 'update':
        return '~ %s updated%s' % (name, detail)
    if kind == 'restart':
        return '~ %s restarted%s' % (name, detail)
    if kind in ACTION_MARKS:
        return '%s %s%s' % (ACTION_MARKS[kind], name, detail)
    return '* %s %s%s' % (name, kind, detail)


def plan_text(report, diffs_from=None):
    """The plan as text for diff mode: the action lines, then the file diffs of
    DIFFS_FROM (a dry run's report made with -v), or of REPORT itself."""
    lines = [action_line(a) for a in report.get('actions', [])]
    text = ''.join(line + '\n' for line in lines) if lines else '(nothing to do)\n'
    for d in (diffs_from or report).get('diffs', []):
        text += d['diff'] if d['diff'].endswith('\n') else d['diff'] + '\n'
    return text


ACTION_LISTS = ('created', 'changed', 'restarted', 'removed', 'started', 'stopped')


def outcome(report):
    """What an apply module returns for REPORT, and whether it failed: (result, msg)
    with msg None when zsvgen succeeded. changed comes from the report's actions."""
    result = dict(changed=bool(report.get('actions')), report=report,
                  failed_services=list(report.get('failed_services', [])))
    for key in ACTION_LISTS:
        # Ansible's "changed" is the task's; the report's list of that name is renamed.
        result['changed_services' if key == 'changed' else key] = list(report.get(key, []))
    rc = report.get('exit_status')
    dry = ' (dry run)' if report.get('dry_run') else ''
    if rc == EXIT_OK:
        return result, None
    if rc == EXIT_PARTIAL:
        names = ', '.join(result['failed_services']) or '(unnamed)'
        msg = ('zsvgen%s: %d entries failed and were left as they were: %s\n%s'
               % (dry, report.get('failed', 0), names, diagnostics_text(report)))
    elif rc == EXIT_INPUT:
        msg = 'zsvgen%s: svtab or zsvrc error, nothing applied:\n%s' % (dry, diagnostics_text(report))
    elif rc == EXIT_SYSTEM:
        msg = 'zsvgen%s: system error:\n%s' % (dry, diagnostics_text(report))
    else:
        msg = 'zsvgen%s: exit %s:\n%s' % (dry, rc, diagnostics_text(report))
    return result, msg.rstrip('\n')
