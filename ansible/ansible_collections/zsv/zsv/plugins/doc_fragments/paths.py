# -*- coding: utf-8 -*-
# Copyright: (c) 2026, the zsv authors
# MIT License (see https://opensource.org/licenses/MIT)
"""The options every zsv.zsv module shares: where zsv's files are, and which zsvgen."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  svtab:
    description:
      - The svtab (C(zsvgen --svtab)).
      - Default C(/etc/svtab); with I(user), C(~/.config/zsv/svtab) (C($XDG_CONFIG_HOME) honoured).
      - It must exist (it may be empty) for zsvgen to read svtab.d.
    type: path
  svtab_d:
    description:
      - The directory whose C(*.svtab) files zsvgen reads after the svtab (C(zsvgen --svtab-d)).
      - Default the svtab's path with C(.d) appended (C(/etc/svtab.d)).
    type: path
  service_dir:
    description:
      - The live service tree (C(zsvgen --service-dir)), the directory C(runsvdir) watches.
      - Default C(/run/service); with I(user), C(~/service).
    type: path
  zsvrc:
    description:
      - The site zsvrc (C(zsvgen --config)).
      - Default C(/etc/zsvrc); with I(user), C(~/.config/zsv/zsvrc).
    type: path
    aliases: [config]
  lib:
    description:
      - The zsv zsh library directory (C(zsvgen --lib)).
      - Default the installed one (or C($ZSV_LIB) on the host).
    type: path
  zsvgen:
    description:
      - The zsvgen program, a path or a name looked up on the host's C(PATH).
    type: str
    default: zsvgen
  user:
    description:
      - Work on the calling user's own tree (C(zsvgen --user), SPEC section 13); the
        path defaults become the user's. Requires a zsvgen that has C(--user).
    type: bool
    default: false
  timeout:
    description:
      - Seconds one zsvgen run may take before it is killed and the task fails.
    type: int
    default: 300
'''
