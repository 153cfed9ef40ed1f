# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator (the package tests/emulator/contrast_api_emulator) for the unit tests that talk to it over HTTP,
and what those tests share: a module-scoped server fixture, an authenticated API session, the control interface."""

from __future__ import annotations

import base64
import importlib
import os

import pytest

try:
    import requests
except ImportError:  # the tests that need it skip (pytest.importorskip)
    requests = None

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
# The command line's entry point, for the tests that start the emulator as a process.
EMULATOR_PATH = os.path.join(REPO_ROOT, "tests", "emulator", "contrast_emulator.py")
# The package, imported through the collection's own name: its modules import each other relatively.
EMULATOR_PACKAGE = "ansible_collections.contrast_security.identity.tests.emulator.contrast_api_emulator"


def load_emulator():
    """The emulator package (its public names: EmulatorServer, DEFAULT_*, build_organization, ...)."""
    return importlib.import_module(EMULATOR_PACKAGE)


def serve(dialect: str = "guide"):
    """A module-scoped fixture: the emulator speaking `dialect` over HTTP on loopback (tests reset what they need)."""
    @pytest.fixture(scope="module")
    def server():
        with load_emulator().EmulatorServer(port=0, dialect=dialect) as instance:
            yield instance
    return server


def authorization() -> str:
    """The Authorization value of the emulator's default API user."""
    emu = load_emulator()
    return base64.b64encode(("%s:%s" % (emu.DEFAULT_API_USERNAME, emu.DEFAULT_SERVICE_KEY)).encode()).decode()


def control(server, method: str, path: str, body=None):
    """One request to the control interface (``/_emulator`` + path); it must answer 200; its JSON."""
    response = requests.request(method, server.control_url + path, json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def state_user(server, username: str) -> dict:
    """The emulator's record of `username` (GET /_emulator/state)."""
    return next(user for user in control(server, "GET", "/state")["users"] if user["username"] == username)


def api_session(server, seed=None):
    """A kept-alive session authenticated as the default API user, against `server` reset to `seed` (None: the
    startup data): ``root`` is the API's ``.../api/ng``, ``base`` that plus the organization, ``server`` the emulator."""
    control(server, "POST", "/reset", seed)
    session = requests.Session()
    session.headers.update({"Authorization": authorization(), "API-Key": load_emulator().DEFAULT_API_KEY})
    session.root = server.contrast_url + "/api/ng"
    session.base = session.root + "/" + load_emulator().DEFAULT_ORG_UUID
    session.server = server
    return session
