#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, the zsv authors
# MIT License (see https://opensource.org/licenses/MIT)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: status
short_description: zsv's services as facts, from zsvgen --status --json
description:
  - Runs C(zsvgen --status --json) (every service of the tree, or the names given)
    and returns it as facts. Nothing is locked or written; conditions are evaluated now.
  - C(zsv_services) maps each service's name to its record (condition now, what zsv
    wants, runit's state and pid, marks wherever reality differs from zsv's wish);
    C(zsv_status) is zsvgen's whole answer.
version_added: 0.1.0
author:
  - the zsv authors
options:
  names:
    description:
      - The services to report; empty for every service.
    type: list
    elements: str
    default: []
    aliases: [name]
extends_documentation_fragment:
  - zsv.zsv.paths
attributes:
  check_mode:
    support: full
    description: It reads only; check mode runs it as usual.
  diff_mode:
    support: none
  facts:
    support: full
seealso:
  - module: zsv.zsv.apply
'''

EXAMPLES = r'''
- name: what zsv runs
  zsv.zsv.status:

- name: sshd must be running
  ansible.builtin.assert:
    that: ansible_facts.zsv_services.sshd.state == 'run'

- name: two services only
  zsv.zsv.status:
    names: [sshd, dhcpcd.eth0]
'''

RETURN = r'''
ansible_facts:
  description: The facts.
  returned: always
  type: complex
  contains:
    zsv_services:
      description:
        - Each service's record by name, as C(zsvgen --status --json) gives it, e.g.
          C(state) (run, down, finish), C(pid), C(want), C(condition), C(flags), C(marks).
      type: dict
      sample: {"sshd": {"name": "sshd", "state": "run", "pid": 812, "want": "up", "condition": "holds"}}
    zsv_status:
      description: zsvgen's whole --status --json answer.
      type: dict
'''

import json

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.zsv.zsv.plugins.module_utils.zsvgen import (
    PATH_ARGS, ZsvError, find_zsvgen, path_args, resolve_paths, run_zsvgen)


def status_argv(zsvgen, params, paths):
    """zsvgen --status [NAME...] --json with the paths."""
    return [zsvgen] + path_args(paths, params) + ['--json', '--status'] + list(params['names'])


def services_by_name(status):
    """The status answer's services as a dict by name."""
    return dict((s['name'], s) for s in status.get('services', []) if isinstance(s, dict) and 'name' in s)


def parse_status(rc, out, err):
    """zsvgen --status --json's answer; a failure is a ZsvError with what zsvgen said."""
    try:
        status = json.loads(out)
    except ValueError:
        raise ZsvError('zsvgen --status (exit %d) printed no JSON: %s' % (rc, (err or out).strip()[:2000]))
    if not isinstance(status, dict) or not isinstance(status.get('services'), list):
        raise ZsvError('zsvgen --status printed JSON without a list of services')
    if rc != 0:
        raise ZsvError('zsvgen --status failed (exit %d): %s' % (rc, err.strip()))
    return status


def main():
    args = dict(names=dict(type='list', elements='str', default=[], aliases=['name']))
    args.update(PATH_ARGS)
    module = AnsibleModule(argument_spec=args, supports_check_mode=True)
    p = module.params
    for name in p['names']:
        if not name or '/' in name or name.startswith('-'):
            module.fail_json(msg='names: %r is not a service name' % name)
    argv = status_argv(find_zsvgen(module), p, resolve_paths(p))
    try:
        status = parse_status(*run_zsvgen(argv, p['timeout']))
    except ZsvError as e:
        module.fail_json(msg=str(e), cmd=argv)
    module.exit_json(changed=False, ansible_facts=dict(zsv_status=status, zsv_services=services_by_name(status)))


if __name__ == '__main__':
    main()
