# Unit tests of the zsv.zsv modules' own logic (pytest). The directory holding
# ansible_collections/ goes on sys.path, so the modules import as Ansible imports them.
import json
import os
import sys

import pytest

COLLECTIONS_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..'))
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.common.text.converters import to_bytes  # noqa: E402


@pytest.fixture
def run_module(tmp_path, capsys, monkeypatch):
    """run_module(main, args, check=False, diff=False) -> the module's result dict."""
    def run(main, args, check=False, diff=False):
        full = dict(args, _ansible_check_mode=check, _ansible_diff=diff,
                    _ansible_remote_tmp=str(tmp_path / 'remote_tmp'), _ansible_keep_remote_files=False)
        monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': full})))
        with pytest.raises(SystemExit):
            main()
        out = capsys.readouterr().out
        return json.loads(out)
    return run


@pytest.fixture
def zsv_tree(tmp_path):
    """Scratch paths of one host, with the real zsvgen and library of this build
    ($ZSVGEN, $ZSV_LIB); skips when they are not given."""
    zsvgen, lib = os.environ.get('ZSVGEN'), os.environ.get('ZSV_LIB')
    if not zsvgen or not lib or not os.access(zsvgen, os.X_OK):
        pytest.skip('ZSVGEN and ZSV_LIB (a built zsvgen and its library) are not given')
    root = tmp_path / 'host'
    (root / 'svtab.d').mkdir(parents=True)
    (root / 'svtab').write_text('')
    (root / 'zsvrc').write_text('zsv_logroot=%s\n' % (root / 'log'))
    return dict(root=root, args=dict(svtab=str(root / 'svtab'), svtab_d=str(root / 'svtab.d'),
                                     service_dir=str(root / 'service'), zsvrc=str(root / 'zsvrc'),
                                     lib=lib, zsvgen=zsvgen))
