# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's teamserver dialect (``--dialect teamserver``, or ``dialect`` in config/reset) over real HTTP."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import uuid

import pytest

requests = pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import (  # noqa: E402
    EMULATOR_PATH,
    api_session,
    authorization,
    load_emulator,
    serve,
)

emu = load_emulator()
ORG = emu.DEFAULT_ORG_UUID
AUTH = authorization()
SCOPE = {"account_scope": {"exceptions": []}, "app_scope": {"exceptions": [], "onboard_role": "VIEW", "role": "EDIT"}}
SEED = {
    "users": [
        {"username": "alice@example.com", "first_name": "Alice", "last_name": "A", "role": "ROLE_ADMIN"},
        {"username": "bob@example.com", "role": "ROLE_EDIT", "last_login": 1710000000000, "protect_enabled": True},
        {"username": "carol@example.com", "role": "ROLE_RULES_ADMIN", "enabled": False},
    ],
    "groups": [
        {"name": "Payments", "members": ["alice@example.com", "bob@example.com"], "group_id": 7, "scope": SCOPE},
        {"name": "Admins", "members": ["alice@example.com"], "group_id": 1, "predefined": True},
    ],
}
CREATE = {"username": "dan@example.com", "date_format": "MM/dd/yyyy", "time_format": "hh:mm a", "time_zone": "UTC"}


server = serve("teamserver")


@pytest.fixture
def api(server):
    return api_session(server, SEED)


def _state(api):
    return requests.get(api.server.control_url + "/state", timeout=10).json()


def _uid(api, username):
    return [user for user in _state(api)["users"] if user["username"] == username][0]["user_id"]


def test_users_have_the_reference_shape_and_expand_adds_login_and_signup(api):
    plain = api.get(api.base + "/users").json()
    assert plain["count"] == 3 and plain["success"] is True
    bob = plain["users"][1]
    assert bob["user_uid"] == _uid(api, "bob@example.com") and "user_id" not in bob and "username" not in bob
    assert "email" not in bob  # the login only comes with expand=email
    assert bob["rasp_enabled"] is True and "protect_enabled" not in bob
    assert bob["role"] == {"group_id": 3, "name": "Edit"}
    assert "login" not in bob and "signup" not in bob
    expanded = api.get(api.base + "/users", params={"expand": "email,login,signup"}).json()["users"][1]
    assert expanded["email"] == "bob@example.com"
    assert expanded["login"]["last_login_time"] == 1710000000000
    assert expanded["signup"]["signup_date"] == 1700000000000 + 86400000
    one = api.get(api.base + "/users/" + bob["user_uid"], params={"expand": "login"}).json()["user"]
    assert one["login"]["last_login_time"] == 1710000000000 and "signup" not in one


def test_profile_and_global_roles(api):
    assert "email" not in api.get(api.root + "/profile").json()["user"]
    profile = api.get(api.root + "/profile", params={"expand": "email,login,signup"}).json()["user"]
    assert profile["email"] == emu.DEFAULT_API_USERNAME and profile["role"]["name"] == "Admin" and "user_uid" in profile
    roles = api.get(api.root + "/roles").json()["groups"]
    assert {"group_id": 3, "name": "Edit"} in roles and len(roles) == 5
    assert api.get(api.base + "/roles").status_code == 404  # the org-scoped roles path is the guide's


def test_create_requires_the_preference_fields_with_field_errors(api):
    answer = api.post(api.base + "/users", json={"username": "dan@example.com"})
    assert answer.status_code == 400
    body = answer.json()
    assert body["success"] is False and body["messages"]
    assert sorted(error["field"] for error in body["errors"]) == ["date_format", "time_format", "time_zone"]
    guide_body = api.post(api.base + "/users", json={"email": "dan@example.com", "first_name": "D", "last_name": "E",
                                                     "role": "ROLE_EDIT"})
    assert guide_body.status_code == 400 and guide_body.json()["errors"]


def test_create_with_role_name_groups_and_protect(api):
    answer = api.post(api.base + "/users", json=dict(CREATE, first_name="Dan", last_name="E", role_name="Rules Admin",
                                                     groups=[7], protect=True, api_only=False))
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"success", "messages", "errors"}  # NewUserResponse: no user
    state = _state(api)
    dan = [user for user in state["users"] if user["username"] == "dan@example.com"][0]
    assert dan["pending"] is True and dan["role"] == "ROLE_RULES_ADMIN" and dan["groups"] == [7]
    assert dan["protect_enabled"] is True
    assert state["outbox"][-1]["username"] == "dan@example.com"
    api.post(api.base + "/users", json=dict(CREATE, username="erin@example.com", role=2))
    found = api.get(api.base + "/users", params={"q": "erin@example", "expand": "email"}).json()
    assert found["count"] == 1 and found["users"][0]["role"] == {"group_id": 2, "name": "View"}
    bad = api.post(api.base + "/users", json=dict(CREATE, username="fred@example.com", role_name="ROLE_EDIT"))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "role_name"


def test_update_answers_without_user_and_enabled_endpoint(api):
    uid = _uid(api, "bob@example.com")
    prefs = {"date_format": "dd/MM/yyyy", "time_format": "HH:mm", "time_zone": "Europe/Paris"}
    # EditUserRequest requires the three preferences
    missing = api.put(api.base + "/users/" + uid, json={"first_name": "Robert"})
    assert missing.status_code == 400
    assert sorted(error["field"] for error in missing.json()["errors"]) == ["date_format", "time_format", "time_zone"]
    answer = api.put(api.base + "/users/" + uid, json=dict(prefs, first_name="Robert", role_name="View", protect=False))
    assert answer.status_code == 200 and "user" not in answer.json() and answer.json()["errors"] == []
    user = api.get(api.base + "/users/" + uid, params={"expand": "preferences"}).json()["user"]
    assert (user["first_name"], user["role"]["name"], user["rasp_enabled"]) == ("Robert", "View", False)
    assert user["preferences"] == dict(prefs, language="en")
    assert "preferences" not in api.get(api.base + "/users/" + uid).json()["user"]
    # enabled may ride along in an edit
    assert api.put(api.base + "/users/" + uid, json=dict(prefs, enabled=False)).status_code == 200
    assert api.get(api.base + "/users/" + uid).json()["user"]["enabled"] is False
    assert api.put(api.base + "/users/" + uid + "/enabled", json={"enabled": True}).status_code == 200
    assert api.put(api.base + "/users/" + uid, json={"email": "x@example.com"}).status_code == 400
    assert api.put(api.base + "/users/" + uid + "/enabled", json={"enabled": False}).status_code == 200
    assert api.get(api.base + "/users/" + uid).json()["user"]["enabled"] is False
    assert api.put(api.base + "/users/" + uid + "/enabled", json={"enabled": "no"}).status_code == 400


def test_unknown_ids_are_an_authorization_failure(api):
    for answer in (api.get(api.base + "/users/" + "0" * 32), api.delete(api.base + "/users/nobody"),
                   api.put(api.base + "/users/nobody/enabled", json={"enabled": True}), api.get(api.base + "/groups/999")):
        assert answer.status_code == 403
        assert answer.json() == {"success": False, "messages": ["Authorization failure"], "errors": []}


def test_a_role_that_does_not_allow_the_call_is_the_same_authorization_failure(api):
    """TeamServer does not tell a permission denial from an unknown id: both are 403 "Authorization failure"."""
    failure = {"success": False, "messages": ["Authorization failure"], "errors": []}
    uid = _uid(api, "bob@example.com")
    before = _state(api)["users"]
    requests.post(api.server.control_url + "/config", json={"api_user_role": "ROLE_EDIT"}, timeout=10)
    assert api.get(api.base + "/users").status_code == 200
    for answer in (api.post(api.base + "/users", json=CREATE), api.put(api.base + "/users/" + uid, json={"first_name": "R"}),
                   api.put(api.base + "/users/" + uid + "/enabled", json={"enabled": False}),
                   api.delete(api.base + "/users/" + uid),
                   api.put(api.base + "/groups/7", json={"name": "Payments", "users": [], "scope": SCOPE})):
        assert (answer.status_code, answer.json()) == (403, failure)
    requests.post(api.server.control_url + "/config", json={"api_user_role": "ROLE_NO_ACCESS"}, timeout=10)
    for answer in (api.get(api.base + "/users"), api.get(api.base + "/users/" + uid), api.get(api.base + "/groups")):
        assert (answer.status_code, answer.json()) == (403, failure)
    assert api.get(api.root + "/profile").json()["user"]["role"]["name"] == "No Access"
    assert api.get(api.root + "/roles").status_code == 200  # global, not org-scoped
    after = _state(api)
    assert [user for user in after["users"] if user["username"] != emu.DEFAULT_API_USERNAME] == before
    assert after["outbox"] == []


def test_groups_split_custom_and_predefined_and_one_group_shows_its_scope_flat(api):
    plain = api.get(api.base + "/groups").json()
    assert plain["custom_groups"]["count"] == 1 and plain["predefined_groups"]["count"] == 1
    assert plain["predefined_groups"]["groups"][0]["readonly"] is True
    assert "users" not in plain["custom_groups"]["groups"][0]
    group = api.get(api.base + "/groups/7").json()["group"]
    assert "scope" not in group and (group["app_role"], group["onboard_role"]) == ("EDIT", "VIEW")
    alice = [user for user in _state(api)["users"] if user["username"] == "alice@example.com"][0]
    # UserBaseResource: uid is the user's user_uid, id its UUID, no login
    assert group["users"][0] == {"id": str(uuid.UUID(alice["user_id"])), "uid": alice["user_id"], "first_name": "Alice",
                                 "last_name": "A", "full_name": "Alice A"}
    members = api.get(api.base + "/groups/7/users").json()
    assert [user["uid"] for user in members["group"]["users"]] == [alice["user_id"], _uid(api, "bob@example.com")]


def test_group_put_needs_the_whole_group_and_keeps_scope(api):
    carol = _uid(api, "carol@example.com")
    missing = api.put(api.base + "/groups/7", json={"users": [carol]})
    assert missing.status_code == 400
    assert sorted(error["field"] for error in missing.json()["errors"]) == ["name", "scope"]
    ok = api.put(api.base + "/groups/7", json={"name": "Payments", "scope": SCOPE, "users": [carol]})
    assert ok.status_code == 200
    group = [group for group in _state(api)["groups"] if group["group_id"] == 7][0]
    assert group["member_usernames"] == ["carol@example.com"] and group["scope"] == SCOPE
    unknown = api.put(api.base + "/groups/7", json={"name": "Payments", "scope": SCOPE, "users": ["nobody"]})
    assert unknown.status_code == 400


def test_predefined_groups_are_read_only_except_membership(api):
    bob = _uid(api, "bob@example.com")
    renamed = api.put(api.base + "/groups/1", json={"name": "Admins2", "scope": emu.DEFAULT_GROUP_SCOPE, "users": []})
    assert renamed.status_code == 400
    ok = api.put(api.base + "/groups/1", json={"name": "Admins", "scope": emu.DEFAULT_GROUP_SCOPE, "users": [bob]})
    assert ok.status_code == 200
    assert [g for g in _state(api)["groups"] if g["group_id"] == 1][0]["member_usernames"] == ["bob@example.com"]


def test_dialect_switches_at_runtime_through_config_and_reset(api):
    server = api.server
    assert requests.post(server.control_url + "/config", json={"dialect": "guide"}, timeout=10).json()["config"]["dialect"] == "guide"
    assert "user_id" in api.get(api.base + "/users").json()["users"][0]
    assert requests.post(server.control_url + "/config", json={"dialect": "nope"}, timeout=10).status_code == 400
    assert requests.post(server.control_url + "/reset", json={"dialect": "teamserver"}, timeout=10).status_code == 200
    assert requests.get(server.control_url + "/config", timeout=10).json()["config"]["dialect"] == "teamserver"
    # An empty reset returns to the startup dialect (teamserver for this server).
    requests.post(server.control_url + "/config", json={"dialect": "guide"}, timeout=10)
    requests.post(server.control_url + "/reset", timeout=10)
    assert requests.get(server.control_url + "/config", timeout=10).json()["config"]["dialect"] == "teamserver"


def test_guide_server_switches_to_teamserver_with_a_seed_in_reset():
    with emu.EmulatorServer(port=0) as server:
        answer = requests.post(server.control_url + "/reset", json=dict(SEED, dialect="teamserver"), timeout=10)
        assert answer.json()["users"] == 3
        session = requests.Session()
        session.headers.update({"Authorization": AUTH, "API-Key": emu.DEFAULT_API_KEY})
        users = session.get(server.contrast_url + "/api/ng/%s/users" % ORG).json()["users"]
        assert "user_uid" in users[0]
        requests.post(server.control_url + "/reset", json={"users": [{"username": "zed@example.com"}]}, timeout=10)
        assert "user_id" in session.get(server.contrast_url + "/api/ng/%s/users" % ORG).json()["users"][0]


def test_cli_serves_the_teamserver_dialect():
    process = subprocess.Popen([sys.executable, EMULATOR_PATH, "--port", "0", "--dialect", "teamserver"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)", line)
        assert match, line
        url = "http://127.0.0.1:%s/Contrast/api/ng/roles" % match.group(1)
        answer = requests.get(url, headers={"Authorization": AUTH, "API-Key": emu.DEFAULT_API_KEY}, timeout=10)
        assert answer.status_code == 200 and answer.json()["groups"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()
