# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's main() against the emulator over HTTP, the way Ansible runs it.

`run_real` goes through ansible-core's own exit_json/fail_json (no_log values removed, JSON printed on
stdout), so that what a test reads is exactly what a playbook would see.
"""

from __future__ import annotations

import json
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator

requests = pytest.importorskip("requests")

emu = load_emulator()
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))


def connection(server, **overrides) -> dict:
    """The connection options for `server`, no retries (a test fails fast)."""
    options = {
        "contrast_url": server.contrast_url,
        "contrast_username": emu.DEFAULT_API_USERNAME,
        "contrast_service_key": emu.DEFAULT_SERVICE_KEY,
        "contrast_api_key": emu.DEFAULT_API_KEY,
        "org_uuid": emu.DEFAULT_ORG_UUID,
        "retries": 0,
    }
    options.update(overrides)
    return options


def run_real(module, server, args, capsys, check_mode=False, diff=False, warnings=None, **connection_overrides):
    """`module.main()` with `args` and the emulator's connection options; returns (rc, result dict).

    `warnings`, a list, receives the module's warnings (they are not in the printed result of a unit run).
    """
    module_args = dict(connection(server, **connection_overrides), **args)
    module_args["_ansible_check_mode"] = check_mode
    module_args["_ansible_diff"] = diff
    sink = warnings if warnings is not None else []
    with patch_module_args(module_args), \
            mock.patch.object(basic.AnsibleModule, "warn", lambda self, text: sink.append(text)):
        with pytest.raises(SystemExit) as exited:
            module.main()
    out = capsys.readouterr().out
    return exited.value.code, json.loads(out)


def control(server, method, path, **kwargs):
    """A call to the emulator's control interface; fails the test unless it answers 200."""
    answer = requests.request(method, server.control_url + path, timeout=30, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def reset(server, seed, **config):
    """A fresh organization from `seed`, with emulator `config` (max_page_size, dialect, ...), and an empty log."""
    control(server, "POST", "/reset", json=seed)
    if config:
        control(server, "POST", "/config", json=config)
    control(server, "DELETE", "/requests")


def logged_requests(server) -> list:
    """(method, path) of every API request since the last reset or look."""
    log = control(server, "GET", "/requests")["requests"]
    control(server, "DELETE", "/requests")
    return [(entry["method"].upper(), entry["path"]) for entry in log]


def writes(requests_seen) -> list:
    return [entry for entry in requests_seen if entry[0] in WRITE_METHODS]
