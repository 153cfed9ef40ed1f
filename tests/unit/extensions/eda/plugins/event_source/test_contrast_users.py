# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The EDA source plugin extensions/eda/plugins/event_source/contrast_users.py: its settings, its loop (against
the emulator), and loading it the way ansible-rulebook does (runpy.run_path, no PYTHONPATH)."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import subprocess
import sys

import pytest

from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import REPO_ROOT, load_emulator

requests = pytest.importorskip("requests")

PLUGIN = os.path.join(REPO_ROOT, "extensions", "eda", "plugins", "event_source", "contrast_users.py")


def _load_plugin():
    """The plugin as a namespace (ansible-test's collection loader claims paths under ansible_collections/ from
    runpy here, so in-process it is loaded by file location; runpy itself runs in a subprocess below)."""
    spec = importlib.util.spec_from_file_location("contrast_users_under_test", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


SOURCE = _load_plugin()
ORG = "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"
SERVICE_KEY = "TEST-SERVICE-KEY-5f3a9c"
API_KEY = "TEST-API-KEY-7d2b4e"
ENV = {"CONTRAST_USERNAME": "api.admin@example.com", "CONTRAST_SERVICE_KEY": SERVICE_KEY, "CONTRAST_API_KEY": API_KEY,
       "CONTRAST_ORG_UUID": ORG}


def test_settings_come_from_the_contrast_variables_and_arguments_win():
    settings = SOURCE["settings_from"]({"interval": "7", "org_uuid": "11111111-2222-3333-4444-555555555555"},
                                       dict(ENV, CONTRAST_VALIDATE_CERTS="no", CONTRAST_TIMEOUT="9"))
    assert settings["contrast_service_key"] == SERVICE_KEY and settings["contrast_api_key"] == API_KEY
    assert settings["org_uuid"] == "11111111-2222-3333-4444-555555555555"
    assert settings["interval"] == 7 and settings["timeout"] == 9 and settings["validate_certs"] is False
    assert settings["contrast_url"] == "https://app.contrastsecurity.com/Contrast" and settings["watch_groups"] is True


def test_missing_or_bad_settings_name_the_options_never_the_values():
    with pytest.raises(ValueError) as missing:
        SOURCE["settings_from"]({}, {"CONTRAST_SERVICE_KEY": SERVICE_KEY})
    text = str(missing.value)
    assert "contrast_username" in text and "CONTRAST_API_KEY" in text and SERVICE_KEY not in text
    for args, word in (({"interval": 0}, "interval"), ({"watch_groups": "perhaps"}, "watch_groups"),
                       ({"page_size": "x"}, "page_size"), ({"contrast_apikey": API_KEY}, "unknown")):
        with pytest.raises(ValueError) as bad:
            SOURCE["settings_from"](args, ENV)
        assert word in str(bad.value) and API_KEY not in str(bad.value)


@pytest.fixture(scope="module")
def emulator():
    server = load_emulator().EmulatorServer(port=0, seed={"users": [{"username": "alice@example.com", "role": "ROLE_ADMIN"}]})
    server.start()
    yield server
    server.stop()


def test_main_puts_each_poll_s_events_on_the_queue_and_logs_no_key(emulator, caplog):
    requests.post(emulator.control_url + "/reset", timeout=10)
    args = {"contrast_url": emulator.contrast_url, "contrast_username": "api.admin@example.com",
            "contrast_service_key": SERVICE_KEY, "contrast_api_key": API_KEY, "org_uuid": ORG,
            "interval": 1, "max_polls": 4}

    async def scenario():
        queue = asyncio.Queue()
        task = asyncio.create_task(SOURCE["main"](queue, args))
        baseline = await asyncio.wait_for(queue.get(), 30)
        requests.post(emulator.control_url + "/users", json={"username": "bob@example.com", "role": "ROLE_ADMIN"}, timeout=10)
        await asyncio.wait_for(task, 60)  # max_polls: the source ends by itself, three polls after the change
        later = []
        while not queue.empty():
            later.append(queue.get_nowait())
        return baseline, later

    with caplog.at_level(logging.DEBUG):
        baseline, later = asyncio.run(scenario())
    assert baseline["type"] == "snapshot" and baseline["count"] == 1
    (created,) = later  # the change once, whichever of the later polls saw it
    assert created["type"] == "user_created" and created["user"]["username"] == "bob@example.com"
    assert created["admin_granted"] is True
    assert "poll 4:" in caplog.text and ": 1 event(s)" in caplog.text
    assert SERVICE_KEY not in caplog.text and API_KEY not in caplog.text


def test_ansible_rulebook_s_way_of_loading_finds_the_client_without_pythonpath(tmp_path):
    """runpy.run_path in a fresh interpreter, no PYTHONPATH, another working directory: the plugin puts the folder
    that holds ansible_collections/ on sys.path itself (as in a decision environment's installed collection)."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    code = ("import runpy, sys; module = runpy.run_path(sys.argv[1]); "
            "print(module['PollingClient'].__module__, module['main'].__name__)")
    result = subprocess.run([sys.executable, "-c", code, os.path.realpath(PLUGIN)], cwd=str(tmp_path), env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ansible_collections.contrast_security.identity.plugins.module_utils.events", "main"]
