# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's switches for what real servers vary in (README, "Switches"), over real HTTP."""

from __future__ import annotations

import base64

import pytest

requests = pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator  # noqa: E402

emu = load_emulator()
ORG = emu.DEFAULT_ORG_UUID
AUTH = base64.b64encode(("%s:%s" % (emu.DEFAULT_API_USERNAME, emu.DEFAULT_SERVICE_KEY)).encode()).decode()
SEED = {"users": [{"username": "user%d@example.com" % i} for i in range(5)],
        "groups": [{"name": "G", "members": ["user%d@example.com" % i for i in range(5)], "group_id": 3}],
        "other_org_users": ["olga@example.com"]}


@pytest.fixture(scope="module")
def server():
    with emu.EmulatorServer(port=0) as instance:
        yield instance


def _api(server, dialect="guide", **switches):
    assert requests.post(server.control_url + "/reset", json=dict(SEED, dialect=dialect), timeout=10).status_code == 200
    if switches:
        answer = requests.post(server.control_url + "/config", json=switches, timeout=10)
        assert answer.status_code == 200, answer.text
    session = requests.Session()
    session.headers.update({"Authorization": AUTH, "API-Key": emu.DEFAULT_API_KEY})
    session.base = server.contrast_url + "/api/ng/" + ORG
    return session


def test_unpaged_members_ignore_offset_and_carry_no_count(server):
    api = _api(server, unpaged_members=True)
    answer = api.get(api.base + "/groups/3/users", params={"offset": 2, "limit": 2}).json()
    assert len(answer["users"]) == 5 and "count" not in answer


def test_no_count_and_count_offset(server):
    assert "count" not in _api(server, no_count=True).get(server.contrast_url + "/api/ng/" + ORG + "/users").json()
    api = _api(server, "teamserver", count_offset=-2)
    assert api.get(api.base + "/users").json()["count"] == 3
    groups = api.get(api.base + "/groups").json()
    assert groups["custom_groups"]["count"] == -1


@pytest.mark.parametrize("how, total", [("add", 6), ("delete", 4)])
def test_shift_users_between_two_pages(server, how, total):
    api = _api(server, shift_users=how)
    first = api.get(api.base + "/users", params={"offset": 0, "limit": 2}).json()
    second = api.get(api.base + "/users", params={"offset": 2, "limit": 2}).json()
    assert (first["count"], second["count"]) == (5, total)
    third = api.get(api.base + "/users", params={"offset": 4, "limit": 2}).json()
    assert third["count"] == total  # once only


def test_user_uid_as_login(server):
    api = _api(server, "teamserver", user_uid_as_login=True)
    user = api.get(api.base + "/users", params={"expand": "email"}).json()["users"][0]
    assert user["user_uid"] == user["email"]
    assert api.get(api.base + "/users/" + user["user_uid"]).json()["user"]["id"] == user["id"]
    members = api.get(api.base + "/groups/3/users").json()["group"]["users"]
    assert members[0]["uid"] == user["email"]


def test_omitted_booleans_read_as_false(server):
    body = {"username": "dan@example.com", "date_format": "MM/dd/yyyy", "time_format": "hh:mm a", "time_zone": "UTC"}
    api = _api(server, "teamserver", omitted_booleans_false=True)
    assert api.post(api.base + "/users", json=body).status_code == 200
    state = requests.get(server.control_url + "/state", timeout=10).json()
    dan = [user for user in state["users"] if user["username"] == "dan@example.com"][0]
    assert dan["enabled"] is False  # a create that does not say enabled makes a disabled user
    uid = state["users"][0]["user_id"]
    edit = dict(body, first_name="Renamed")
    edit.pop("username")
    assert api.put(api.base + "/users/" + uid, json=edit).status_code == 200
    assert requests.get(server.control_url + "/state", timeout=10).json()["users"][0]["enabled"] is False
    guide = _api(server, omitted_booleans_false=True)
    guide.post(guide.base + "/users", json={"email": "erin@example.com", "first_name": "E", "last_name": "R", "role": "ROLE_VIEW"})
    erin = [user for user in requests.get(server.control_url + "/state", timeout=10).json()["users"]
            if user["username"] == "erin@example.com"][0]
    assert erin["enabled"] is False


def test_other_org_users_are_refused_on_create_in_both_dialects(server):
    guide = _api(server)
    refused = guide.post(guide.base + "/users", json={"email": "olga@example.com", "first_name": "O", "last_name": "G",
                                                      "role": "ROLE_VIEW"})
    assert refused.status_code == 409
    api = _api(server, "teamserver")
    assert api.post(api.base + "/users/existing", json={"username": "nobody@example.com", "role": 2}).status_code == 400
    assert api.post(api.base + "/users/existing", json={"username": "olga@example.com", "role": 3}).status_code == 200
    assert api.post(api.base + "/users/existing", json={"username": "olga@example.com", "role": 3}).status_code == 400


def test_switches_are_validated_and_restored_by_an_empty_reset(server):
    for bad in ({"no_count": "yes"}, {"count_offset": 1.5}, {"shift_users": "both"}, {"unknown_switch": True}):
        assert requests.post(server.control_url + "/config", json=bad, timeout=10).status_code == 400
    requests.post(server.control_url + "/config", json={"no_count": True}, timeout=10)
    requests.post(server.control_url + "/reset", timeout=10)
    assert requests.get(server.control_url + "/config", timeout=10).json()["config"]["no_count"] is False


def test_cli_strict_turns_on_the_strict_switches():
    args = emu.parse_args(["--strict", "--count-offset", "3", "--shift-users", "add"])
    assert emu.switches_of(args) == {"unpaged_members": True, "no_count": False, "count_offset": 3, "shift_users": "add",
                                     "user_uid_as_login": False, "omitted_booleans_false": True}
    with emu.EmulatorServer(port=0, switches=emu.switches_of(args)) as instance:
        config = requests.get(instance.control_url + "/config", timeout=10).json()["config"]
        assert (config["unpaged_members"], config["omitted_booleans_false"], config["count_offset"]) == (True, True, 3)
