#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, the zsv authors
# MIT License (see https://opensource.org/licenses/MIT)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: apply
short_description: Run zsvgen, bringing the live runit tree in line with svtab
description:
  - Runs C(zsvgen --json), which compiles the svtab and svtab.d into the live service
    tree and starts, stops and restarts services as their entries and conditions say.
  - C(changed) comes from zsvgen's report (its list of actions), never from text;
    a run that rewrote no file and sent no command reports C(changed=false).
  - In check mode only C(zsvgen --dry-run --json) runs; nothing on the host changes,
    and the result says which services would be created, changed, restarted, removed,
    started and stopped.
  - In diff mode the diff is the plan (one line per action, as zsvgen prints them) and
    the file diffs of C(zsvgen --dry-run -v); outside check mode that dry run is made
    just before the real run.
  - zsvgen's exit 3 (some entries failed to evaluate and were left as they were, the
    others applied) fails the task naming the failed entries; exit 1 (svtab or zsvrc
    error, nothing applied) and 4 (system error) fail it with zsvgen's diagnostics.
version_added: 0.1.0
author:
  - the zsv authors
options:
  only:
    description:
      - Re-evaluate only these services (C(zsvgen --only)); the others are left as they are.
    type: list
    elements: str
    default: []
  pending:
    description:
      - In check mode, the registered results of the M(zsv.zsv.entry) tasks before this
        one (a loop's result or a list of results). Their svtab.d files were not
        written, so the dry run reads a temporary copy of svtab.d with them applied,
        bind-mounted over svtab.d in a private mount namespace that only zsvgen sees
        (C(unshare -m), as root). The plan then shows what the whole play would do.
      - Where the mount cannot be made, the copy is read under its own name when
        svtab.d holds no other file, else the dry run reads the host's files and warns.
      - Ignored outside check mode, where the files are already in place.
    type: raw
extends_documentation_fragment:
  - zsv.zsv.paths
attributes:
  check_mode:
    support: full
    description: C(zsvgen --dry-run --json), nothing else.
  diff_mode:
    support: full
    description: The plan and the file diffs.
seealso:
  - module: zsv.zsv.entry
  - module: zsv.zsv.status
'''

EXAMPLES = r'''
- name: bring the live tree in line with svtab and svtab.d
  zsv.zsv.apply:
  register: zsv

- name: say what started
  ansible.builtin.debug:
    msg: "{{ zsv.started }}"

- name: entries, then one run; in check mode the plan includes the entries' edits
  zsv.zsv.entry:
    name: "{{ item.name }}"
    code: "{{ item.code }}"
  loop: "{{ entries }}"
  register: zsv_entries

- name: apply
  zsv.zsv.apply:
    pending: "{{ zsv_entries }}"

- name: a tree of one's own
  zsv.zsv.apply:
    svtab: /srv/zsv/svtab
    service_dir: /srv/zsv/service
    zsvrc: /srv/zsv/zsvrc
'''

RETURN = r'''
report:
  description:
    - zsvgen's --json report (version 1; README "The --json report"); in check mode the
      dry run's.
  returned: always
  type: dict
  contains:
    version:
      description: The report format's version.
      type: int
      sample: 1
    dry_run:
      description: True in check mode.
      type: bool
    exit_status:
      description: zsvgen's exit status.
      type: int
    actions:
      description: One per action, C({service, action, detail}).
      type: list
      elements: dict
    diagnostics:
      description: zsvgen's diagnostics, C({severity, file, line, col, message, text}).
      type: list
      elements: dict
created:
  description: Services created (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [sshd]
changed_services:
  description: Services whose files were rewritten (the report's C(changed)).
  returned: always
  type: list
  elements: str
restarted:
  description: Services restarted.
  returned: always
  type: list
  elements: str
removed:
  description: Services removed.
  returned: always
  type: list
  elements: str
started:
  description: Services started (condition became true, or created up).
  returned: always
  type: list
  elements: str
stopped:
  description: Services stopped (condition became false).
  returned: always
  type: list
  elements: str
failed_services:
  description: Entries that failed to evaluate and were left as they were.
  returned: always
  type: list
  elements: str
'''

import os
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zsv.zsv.plugins.module_utils.zsvgen import (
    PATH_ARGS, SUFFIX, ZsvError, find_zsvgen, fragment_names, outcome, parse_report, path_args,
    plan_text, resolve_paths, run_zsvgen, warnings_of)


def pending_changes(pending, svtab_d):
    """The svtab.d edits that PENDING (entry results, a loop's result, or a list of
    either) would have made: {file name: text, or None to remove}. Only changed
    results count, and only files of SVTAB_D."""
    if isinstance(pending, dict):
        pending = pending['results'] if isinstance(pending.get('results'), list) else [pending]
    changes = {}
    for r in pending or []:
        if isinstance(r, list) or (isinstance(r, dict) and isinstance(r.get('results'), list)):
            changes.update(pending_changes(r, svtab_d))
            continue
        if not isinstance(r, dict) or not r.get('changed') or r.get('failed') or 'path' not in r:
            continue
        path = r['path']
        name = os.path.basename(path)
        if os.path.dirname(path).rstrip('/') != svtab_d.rstrip('/') or not name.endswith(SUFFIX):
            continue
        changes[name] = r.get('text')  # state=absent returns no text
    return changes


def stage_svtab_d(svtab_d, changes, staging):
    """STAGING: svtab_d's fragments with CHANGES applied."""
    names = fragment_names(os.listdir(svtab_d)) if os.path.isdir(svtab_d) else []
    for n in names:
        if n not in changes:
            shutil.copyfile(os.path.join(svtab_d, n), os.path.join(staging, n))
    for n, text in changes.items():
        if text is not None:
            with open(os.path.join(staging, n), 'wb') as f:
                f.write(text.encode('utf-8', 'surrogateescape'))
    return names


def bind_mounted(argv, staging, target):
    """ARGV run in a private mount namespace where STAGING is bind-mounted over TARGET."""
    script = 'mount --bind "$1" "$2" || exit 125; shift 2; exec "$@"'
    return ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', staging, target] + argv


def zsvgen_argv(zsvgen, params, paths, dry_run, verbose=False, svtab_d=None):
    """The command line of one run: --json, the paths, -n (and -v) for a dry run, --only."""
    argv = [zsvgen, '--json'] + path_args(paths, params, svtab_d=svtab_d)
    if dry_run:
        argv.append('--dry-run')
        if verbose:
            argv.append('-v')
    if params['only']:
        argv += ['--only'] + list(params['only'])
    return argv


def run_report(module, argv):
    try:
        return parse_report(*run_zsvgen(argv, module.params['timeout']))
    except ZsvError as e:
        module.fail_json(msg=str(e), cmd=argv)


def dry_run_with_pending(module, zsvgen, paths, changes):
    """The dry run's report, reading svtab.d as the pending entries would leave it (and
    a missing svtab as empty: the task that makes it has not run either)."""
    p, svtab_d = module.params, paths['svtab_d']
    staging = tempfile.mkdtemp(prefix='zsv-apply.')
    try:
        fragments = os.path.join(staging, 'svtab.d')
        os.mkdir(fragments)
        existing = stage_svtab_d(svtab_d, changes, fragments)
        run_paths = dict(paths)
        if not os.path.exists(paths['svtab']):
            run_paths['svtab'] = os.path.join(staging, 'svtab')
            open(run_paths['svtab'], 'w').close()
        argv = zsvgen_argv(zsvgen, p, run_paths, True, verbose=module._diff)
        if os.path.isdir(svtab_d) and shutil.which('unshare'):
            rc, out, err = run_zsvgen(bind_mounted(argv, fragments, svtab_d), p['timeout'])
            if rc != 125 and out.strip():  # else unshare or mount failed: no zsvgen ran
                return parse_report(rc, out, err)
        if not existing:
            # No service comes from svtab.d yet: the copy's own name changes nothing
            # but the new services' zsv/source.
            return run_report(module, zsvgen_argv(zsvgen, p, run_paths, True, verbose=module._diff, svtab_d=fragments))
        module.warn('pending: cannot bind-mount a copy of %s (not root?); the plan does not include '
                    'the pending entries' % svtab_d)
        return run_report(module, zsvgen_argv(zsvgen, p, paths, True, verbose=module._diff))
    except ZsvError as e:
        module.fail_json(msg=str(e))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main():
    args = dict(only=dict(type='list', elements='str', default=[]), pending=dict(type='raw'))
    args.update(PATH_ARGS)
    module = AnsibleModule(argument_spec=args, supports_check_mode=True)
    p = module.params
    for name in p['only']:
        if '/' in name or not name:
            module.fail_json(msg='only: %r is not a service name' % name)
    zsvgen = find_zsvgen(module)
    paths = resolve_paths(p)
    plan = None
    changes = pending_changes(p['pending'], paths['svtab_d']) if module.check_mode else {}
    if changes:
        report = dry_run_with_pending(module, zsvgen, paths, changes)
    elif module.check_mode:
        report = run_report(module, zsvgen_argv(zsvgen, p, paths, True, verbose=module._diff))
    else:
        if module._diff:
            plan = run_report(module, zsvgen_argv(zsvgen, p, paths, True, verbose=True))
        report = run_report(module, zsvgen_argv(zsvgen, p, paths, False))
    result, failure = outcome(report)
    for w in warnings_of(report):
        module.warn(w)
    if module._diff:
        result['diff'] = dict(prepared=plan_text(report, diffs_from=plan))
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
