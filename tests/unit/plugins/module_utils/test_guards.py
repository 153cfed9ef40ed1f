# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""guards.py: a user write verified field by field, its lost answer read back (verified_user_write); a group write
read right before, written, read back, in as few requests as the dialect allows (write_members, against the emulator)."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.contrast_security.identity.plugins.module_utils import client as C
from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError, NotAppliedError
from ansible_collections.contrast_security.identity.plugins.module_utils.guards import user_holding, verified_user_write, write_members
from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import FakeClient

emu = load_emulator()


def org():
    client = FakeClient(users=[{"username": "jane@example.com", "role": "ROLE_VIEW"}])
    return client, client.find_user("jane@example.com")["user_id"]


def test_a_write_the_server_took_returns_the_user_as_written():
    client, user_id = org()
    user = verified_user_write(client, "PUT", user_id, lambda: client.update_user(user_id, {"role": "ROLE_EDIT"}),
                               {"role": "ROLE_EDIT"})
    assert user["role"] == "ROLE_EDIT" and client.writes == [("update", user_id)]


def test_a_lost_answer_read_back_in_place_counts_as_done():
    client, user_id = org()
    client.lose.add(("update", user_id))
    told = []
    user = verified_user_write(client, "PUT", user_id, lambda: client.update_user(user_id, {"role": "ROLE_EDIT"}),
                               {"role": "ROLE_EDIT"}, on_lost=told.append)
    assert user["role"] == "ROLE_EDIT" and [err.status for err in told] == [502]


def test_a_lost_answer_not_in_place_raises_the_writes_error():
    client, user_id = org()
    client.refuse.add(("update", user_id))  # a 500 after which nothing changed
    with pytest.raises(ContrastApiError) as caught:
        verified_user_write(client, "PUT", user_id, lambda: client.update_user(user_id, {"role": "ROLE_EDIT"}),
                            {"role": "ROLE_EDIT"})
    assert caught.value.status == 500 and not isinstance(caught.value, NotAppliedError)


def test_a_success_the_server_did_not_take_names_the_fields():
    client, user_id = org()
    with pytest.raises(NotAppliedError) as caught:
        verified_user_write(client, "PUT", user_id, lambda: client.get_user(user_id), {"role": "ROLE_EDIT", "first_name": None})
    assert caught.value.fields == ["role"] and "role 'ROLE_VIEW' (wanted 'ROLE_EDIT')" in str(caught.value)


def test_user_holding_reads_the_user_back():
    client, user_id = org()
    assert user_holding(client, user_id, {"role": "ROLE_VIEW"})["user_id"] == user_id
    assert user_holding(client, user_id, {"role": "ROLE_EDIT"}) is None
    assert user_holding(client, "nobody", {"role": "ROLE_VIEW"}) is None


# ---- write_members against the emulator ----------------------------------------------------------------------

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
