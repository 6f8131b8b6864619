#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, the zsv authors
# MIT License (see https://opensource.org/licenses/MIT)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: entry
short_description: One svtab entry, kept as its own file in svtab.d
description:
  - Keeps one zsv service entry (C(name[:flags[:shell code]]), see svtab(5)) as the file
    C(NAME.svtab) in the svtab.d directory, which zsvgen reads after the svtab.
  - The new text is checked before anything moves. The svtab, the other svtab.d files
    and the new one are copied to a temporary directory and C(zsvgen --lint) reads
    them with the host's zsvrc and library, so the entry's code is resolved as a real
    run would resolve it. When zsvgen refuses it, the task fails with zsvgen's
    C(FILE:LINE:COL) diagnostics (naming the svtab.d file the entry would have been),
    and nothing on the host changes.
  - The file is written to a dot-name in svtab.d (which zsvgen never reads) and
    renamed into place.
  - This module only edits svtab.d; M(zsv.zsv.apply) brings the live tree in line.
version_added: 0.1.0
author:
  - the zsv authors
options:
  name:
    description:
      - The service name, 1 to 64 bytes of C([A-Za-z0-9_.@+-]), not starting with C(.) or C(-).
      - The file is C(svtab_d/NAME.svtab).
    type: str
    required: true
  flags:
    description:
      - The entry's flags, ASCII letters (C(E), C(M), C(N); lowercase turns one off).
    type: str
    default: ''
  code:
    description:
      - The entry's shell code (zsh), for example C(run=(/usr/sbin/sshd -D -e)).
      - Code of several lines is written as svtab continuation lines, each indented by
        one tab; a here-document inside it needs C(<<-) so the tab is stripped.
    type: str
    default: ''
  state:
    description:
      - C(present) writes the entry; C(absent) removes its file.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - ansible.builtin.backup
  - zsv.zsv.paths
attributes:
  check_mode:
    support: full
    description: The new text is linted; nothing is written.
  diff_mode:
    support: full
    description: The file's text before and after.
notes:
  - The svtab itself (C(/etc/svtab)) must exist, empty or not, for zsvgen to run; the
    lint takes a missing one as empty.
  - An entry of the same name in the svtab or another svtab.d file is a duplicate
    and makes the task fail.
  - New files get mode 0666 minus the umask; an existing file keeps its mode and owner.
seealso:
  - module: zsv.zsv.apply
  - module: zsv.zsv.status
'''

EXAMPLES = r'''
- name: sshd, its output logged
  zsv.zsv.entry:
    name: sshd
    flags: E
    code: run=(/usr/sbin/sshd -D -e)

- name: a TCP echo service while there is a default route
  zsv.zsv.entry:
    name: echo
    code: |
      checkf=zsv_check_route
      run=(tcpserver 0.0.0.0 7 cat)
    backup: true

- name: gone
  zsv.zsv.entry:
    name: telnetd
    state: absent

- name: an entry of a user's tree
  become: true
  become_user: alice
  zsv.zsv.entry:
    name: mpd
    code: run=(mpd --no-daemon)
    user: true
'''

RETURN = r'''
path:
  description: The entry's file.
  returned: always
  type: str
  sample: /etc/svtab.d/sshd.svtab
text:
  description:
    - The entry's text as written (with I(state=present)); M(zsv.zsv.apply)'s I(pending)
      reads it, and a changed result without it as a removal.
  returned: when state is present
  type: str
  sample: "sshd:E:run=(/usr/sbin/sshd -D -e)\n"
backup_file:
  description: The backup of the previous file, when I(backup) made one.
  returned: changed and backup is true
  type: str
  sample: /etc/svtab.d/sshd.svtab.2541.2026-12-01@23:10:02~
lint:
  description: zsvgen's --json report of the lint of the new configuration.
  returned: when the text was linted
  type: dict
'''

import os
import re
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.zsv.zsv.plugins.module_utils.zsvgen import (
    PATH_ARGS, SUFFIX, ZsvError, diagnostics_text, find_zsvgen, fragment_names, parse_report,
    path_args, resolve_paths, run_zsvgen, warnings_of)

# SPEC §1: the name is a service directory's name and this file's name, so it is checked
# here before any path is made from it (zsvgen checks it again).
NAME_RE = re.compile(r'^[A-Za-z0-9_@+][A-Za-z0-9_.@+-]{0,63}$')
FLAGS_RE = re.compile(r'^[A-Za-z]*$')


def check_entry(name, flags, code):
    """What is wrong with the entry before zsvgen sees it (None when nothing)."""
    if not NAME_RE.match(name) or len(name.encode('utf-8')) > 64:
        return ('name %r: a service name is 1 to 64 bytes of [A-Za-z0-9_.@+-], '
                'not starting with "." or "-"' % name)
    if not FLAGS_RE.match(flags):
        return 'flags %r: flags are ASCII letters' % flags
    if '\0' in code:
        return 'code: shell code cannot hold a NUL byte'
    return None


def entry_text(name, flags, code):
    """The svtab text of one entry: one line when the code is one line, else the code
    as continuation lines indented by a tab. Blank lines around the code are dropped."""
    lines = code.replace('\r\n', '\n').strip('\n').split('\n') if code.strip() else []
    head = name
    if flags or lines:
        head += ':' + flags
    if len(lines) == 1:
        return '%s:%s\n' % (head, lines[0])
    if not lines:
        return head + '\n'
    body = ''.join(('\t' + line if line.strip() else '') + '\n' for line in lines)
    return head + ':\n' + body


def read_text(path):
    """PATH's text, or None when there is no such file."""
    try:
        with open(path, 'rb') as f:
            return f.read().decode('utf-8', 'surrogateescape')
    except (IOError, OSError) as e:
        if not os.path.exists(path):
            return None
        raise e


def stage_lint_tree(svtab_d, own_name, text, staging):
    """Copies svtab_d's fragments into STAGING, OWN_NAME's replaced by TEXT."""
    names = fragment_names(os.listdir(svtab_d)) if os.path.isdir(svtab_d) else []
    for n in names:
        if n != own_name:
            shutil.copyfile(os.path.join(svtab_d, n), os.path.join(staging, n))
    with open(os.path.join(staging, own_name), 'wb') as f:
        f.write(text.encode('utf-8', 'surrogateescape'))


def map_paths(value, renames):
    """VALUE (a report, a list, a string) with each temporary path of RENAMES (a list of
    (temporary, real) pairs) replaced by the real one, so diagnostics name the host's files."""
    if isinstance(value, dict):
        return dict((k, map_paths(v, renames)) for k, v in value.items())
    if isinstance(value, list):
        return [map_paths(v, renames) for v in value]
    if isinstance(value, str):
        for temporary, real in renames:
            value = value.replace(temporary, real)
    return value


def lint(module, zsvgen, paths, own_name, text):
    """zsvgen --lint of the configuration as it would be with TEXT as OWN_NAME: the
    report, its paths mapped back to svtab.d. A missing svtab counts as empty (in check
    mode, the task that makes it has not run)."""
    staging = tempfile.mkdtemp(prefix='zsv-entry.')
    try:
        fragments = os.path.join(staging, 'svtab.d')
        os.mkdir(fragments)
        stage_lint_tree(paths['svtab_d'], own_name, text, fragments)
        renames = [(fragments + '/', paths['svtab_d'].rstrip('/') + '/')]
        lint_paths = dict(paths)
        if not os.path.exists(paths['svtab']):
            lint_paths['svtab'] = os.path.join(staging, 'svtab')
            open(lint_paths['svtab'], 'w').close()
            renames.append((lint_paths['svtab'], paths['svtab']))
        argv = [zsvgen, '--lint', '--json'] + path_args(lint_paths, module.params, svtab_d=fragments)
        rc, out, err = run_zsvgen(argv, module.params['timeout'])
        return map_paths(parse_report(rc, out, err), renames)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_entry(module, path, text):
    """TEXT into PATH: a dot-name temporary in the same directory, then a rename."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.' + os.path.basename(path) + '.', suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(text.encode('utf-8', 'surrogateescape'))
            f.flush()
            os.fsync(f.fileno())
        module.atomic_move(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def present(module, paths, path, old, result):
    p = module.params
    text = entry_text(p['name'], p['flags'], p['code'])
    result['text'] = text
    if old == text:
        return
    zsvgen = find_zsvgen(module)
    try:
        report = lint(module, zsvgen, paths, os.path.basename(path), text)
    except (ZsvError, IOError, OSError) as e:
        module.fail_json(msg='zsv entry %s: cannot lint the new text: %s' % (p['name'], to_native(e)), **result)
    result['lint'] = report
    for w in warnings_of(report):
        module.warn(w)
    if report.get('exit_status') != 0:
        module.fail_json(msg='zsv entry %s: zsvgen --lint refused %s (exit %s); nothing was changed:\n%s'
                         % (p['name'], path, report.get('exit_status'), diagnostics_text(report)), **result)
    result['changed'] = True
    if module.check_mode:
        return
    if old is not None and p['backup']:
        result['backup_file'] = module.backup_local(path)
    write_entry(module, path, text)


def absent(module, path, old, result):
    if old is None:
        return
    result['changed'] = True
    if module.check_mode:
        return
    if module.params['backup']:
        result['backup_file'] = module.backup_local(path)
    os.unlink(path)


def main():
    args = dict(
        name=dict(type='str', required=True),
        flags=dict(type='str', default=''),
        code=dict(type='str', default=''),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        backup=dict(type='bool', default=False),
    )
    args.update(PATH_ARGS)
    module = AnsibleModule(argument_spec=args, supports_check_mode=True)
    p = module.params
    problem = check_entry(p['name'], p['flags'], p['code'])
    if problem:
        module.fail_json(msg='zsv entry: ' + problem)
    paths = resolve_paths(p)
    path = os.path.join(paths['svtab_d'], p['name'] + SUFFIX)
    result = dict(changed=False, path=path)
    if os.path.isdir(path) or (os.path.lexists(path) and not os.path.isfile(path)):
        module.fail_json(msg='zsv entry %s: %s is not a regular file' % (p['name'], path), **result)
    try:
        old = read_text(path)
    except (IOError, OSError) as e:
        module.fail_json(msg='zsv entry %s: cannot read %s: %s' % (p['name'], path, to_native(e)), **result)
    if p['state'] == 'present':
        present(module, paths, path, old, result)
        new = result['text']
    else:
        absent(module, path, old, result)
        new = ''
    if module._diff:
        result['diff'] = dict(before=old or '', after=new, before_header=path, after_header=path)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
