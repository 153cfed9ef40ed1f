# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""write_members against the emulator: read right before, write, read back, in as few requests as the dialect allows."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.contrast_security.identity.plugins.module_utils import client as C
from ansible_collections.contrast_security.identity.plugins.module_utils.guards import write_members
from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator

emu = load_emulator()

SCOPE = {"account_scope": {"exceptions": []}, "app_scope": {"exceptions": [], "onboard_role": "VIEW", "role": "EDIT"}}
SEED = {"users": [{"username": "alice@example.com"}, {"username": "bob@example.com"}],
        "groups": [{"name": "Payments", "members": ["alice@example.com"], "group_id": 7, "scope": SCOPE}]}


def _setup(server, dialect, rules=None):
    assert requests.post(server.control_url + "/reset", json=dict(SEED, dialect=dialect), timeout=10).status_code == 200
    if rules:
        assert requests.post(server.control_url + "/faults", json={"rules": rules}, timeout=10).status_code == 200
    client = C.ContrastClient(server.contrast_url, emu.DEFAULT_API_USERNAME, emu.DEFAULT_SERVICE_KEY, emu.DEFAULT_API_KEY,
                              emu.DEFAULT_ORG_UUID, dialect=dialect, retries=0)
    bob = [user for user in client.list_users() if user["username"] == "bob@example.com"][0]  # as a roster plans
    requests.delete(server.control_url + "/requests", timeout=10)
    return client, bob


def _calls(server):
    log = requests.get(server.control_url + "/requests", timeout=10).json()["requests"]
    return [(entry["method"], entry["path"].partition("/groups")[2] or entry["path"]) for entry in log]


def _members(server):
    state = requests.get(server.control_url + "/state", timeout=10).json()
    return [group["member_usernames"] for group in state["groups"] if group["group_id"] == 7][0]


@pytest.mark.parametrize("dialect, expected", [
    ("guide", [("GET", "/7/users"), ("PUT", "/7/users"), ("GET", "/7/users")]),
    # The group PUT needs the group as read: that one read gives the members too (one snapshot, one request).
    ("teamserver", [("GET", "/7"), ("PUT", "/7"), ("GET", "/7/users")]),
])
def test_one_read_before_the_write_and_one_after(server, dialect, expected):
    client, bob = _setup(server, dialect)
    after, conflicts = write_members(client, 7, [bob["user_id"]], [])
    assert sorted(member["username"] for member in after) == ["alice@example.com", "bob@example.com"] and conflicts == []
    assert _calls(server) == expected, _calls(server)
    assert _members(server) == ["alice@example.com", "bob@example.com"]


def test_teamserver_another_writer_before_the_read_is_kept(server):
    """Another writer's change that lands before the read right before the write is in the list written."""
    client, bob = _setup(server, "teamserver")
    client.list_group_members(7)  # the plan's read
    assert requests.post(server.control_url + "/faults", json={"rules": [{
        "kind": "second_writer", "method": "GET", "path": "/groups/7/users$", "count": 1,
        "writer": {"group": "Payments", "remove": ["alice@example.com"]}}]}, timeout=10).status_code == 200
    client.list_group_members(7)  # someone reads meanwhile; the writer removes alice right after
    write_members(client, 7, [bob["user_id"]], [])
    assert _members(server) == ["bob@example.com"]
