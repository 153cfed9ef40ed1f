# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the Contrast API emulator (tests/emulator/contrast_emulator.py) over real HTTP."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

requests = pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import (  # noqa: E402
    EMULATOR_PATH,
    REPO_ROOT,
    api_session,
    control,
    load_emulator,
    serve,
    state_user,
)

DEMO_SEED = os.path.join(REPO_ROOT, "tests", "emulator", "seeds", "demo.json")
emu = load_emulator()
ORG = emu.DEFAULT_ORG_UUID
USERNAME = emu.DEFAULT_API_USERNAME
SERVICE_KEY = emu.DEFAULT_SERVICE_KEY
API_KEY = emu.DEFAULT_API_KEY
AUTH = base64.b64encode(("%s:%s" % (USERNAME, SERVICE_KEY)).encode()).decode()

SMALL_SEED = {
    "users": [
        {"username": "alice@example.com", "first_name": "Alice", "last_name": "A", "role": "ROLE_ADMIN"},
        {"username": "bob@example.com", "first_name": "Bob", "last_name": "B", "role": "ROLE_EDIT", "last_login": 1710000000000},
        {"username": "carol@example.com", "role": "ROLE_VIEW", "enabled": False},
    ],
    "groups": [
        {"name": "Payments Team", "description": "payments", "members": ["alice@example.com", "bob@example.com"], "group_id": 7},
        {"name": "Platform", "members": ["carol@example.com"]},
    ],
}


# ---------------------------------------------------------------------------------- fixtures

server = serve()


@pytest.fixture
def client(server):
    """A kept-alive authenticated session against a freshly reset (empty) emulator."""
    session = api_session(server)
    session.headers["Accept"] = "application/json"
    yield session
    session.close()


def seed(client, doc):
    control(client.server, "POST", "/reset", doc)


def find_user(client, username):
    return state_user(client.server, username)


def new_user(**overrides):
    body = {"first_name": "Dana", "last_name": "Doe", "email": "dana@example.com", "role": "ROLE_EDIT"}
    body.update(overrides)
    return body


# ---------------------------------------------------------------------------------- auth

@pytest.mark.parametrize("missing", ["Authorization", "API-Key"])
def test_missing_auth_header_is_401_with_empty_body(client, missing):
    headers = {"Authorization": AUTH, "API-Key": API_KEY}
    del headers[missing]
    response = requests.get(client.base + "/users", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.content == b""


@pytest.mark.parametrize("username,service_key,api_key", [
    (USERNAME, "WRONG", API_KEY),
    (USERNAME, SERVICE_KEY, "WRONG"),
    ("someone@example.com", SERVICE_KEY, API_KEY),
])
def test_wrong_credentials_are_401(client, username, service_key, api_key):
    token = base64.b64encode(("%s:%s" % (username, service_key)).encode()).decode()
    response = requests.get(client.base + "/users", headers={"Authorization": token, "API-Key": api_key}, timeout=10)
    assert (response.status_code, response.content) == (401, b"")


def test_malformed_authorization_is_401(client):
    response = requests.get(client.base + "/users", headers={"Authorization": "not base64!!", "API-Key": API_KEY}, timeout=10)
    assert (response.status_code, response.content) == (401, b"")


def test_basic_prefix_is_accepted(client):
    response = requests.get(client.base + "/users", headers={"Authorization": "Basic " + AUTH, "API-Key": API_KEY}, timeout=10)
    assert response.status_code == 200


def test_wrong_org_is_401_with_empty_body(client):
    response = client.get(client.server.contrast_url + "/api/ng/11111111-2222-3333-4444-555555555555/users")
    assert (response.status_code, response.content) == (401, b"")


def test_profile_and_roles(client):
    profile = client.get(client.server.contrast_url + "/api/ng/profile").json()
    assert profile["success"] is True
    assert profile["user"]["username"] == USERNAME
    assert profile["user"]["role"] == "ROLE_ADMIN"
    assert re.fullmatch(r"[0-9a-f]{32}", profile["user"]["user_id"])
    roles = client.get(client.base + "/roles").json()["roles"]
    assert [role["name"] for role in roles] == ["ROLE_ADMIN", "ROLE_RULES_ADMIN", "ROLE_EDIT", "ROLE_VIEW", "ROLE_NO_ACCESS"]
    assert all(role["description"] for role in roles)


def test_unknown_route_404_and_wrong_method_405(client):
    assert client.get(client.base + "/nothing-here").status_code == 404
    response = client.patch(client.base + "/users", json={})
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}
    assert client.get(client.server.url + "/elsewhere").status_code == 404


def test_writes_need_admin_and_no_access_cannot_read(client):
    seed(client, SMALL_SEED)
    control(client.server, "POST", "/config", {"api_user_role": "ROLE_VIEW"})
    assert client.get(client.base + "/users").status_code == 200
    response = client.post(client.base + "/users", json=new_user())
    assert response.status_code == 403
    assert response.json()["success"] is False
    alice = find_user(client, "alice@example.com")
    assert client.delete(client.base + "/users/" + alice["user_id"]).status_code == 403
    control(client.server, "POST", "/config", {"api_user_role": "ROLE_NO_ACCESS"})
    assert client.get(client.base + "/users").status_code == 403
    assert client.get(client.server.contrast_url + "/api/ng/profile").status_code == 200


def test_disabling_a_listed_api_user_locks_it_out(client):
    seed(client, {"users": [{"username": USERNAME, "role": "ROLE_ADMIN", "api_only": True}, {"username": "x@example.com"}]})
    users = client.get(client.base + "/users").json()
    assert users["count"] == 2
    me = client.get(client.server.contrast_url + "/api/ng/profile").json()["user"]
    assert client.put(client.base + "/users/" + me["user_id"], json={"enabled": False}).status_code == 200
    assert client.get(client.base + "/users").status_code == 401


# ---------------------------------------------------------------------------------- pagination

def test_pagination_defaults_count_offset_and_order(client):
    seed(client, {"generate": {"users": 60, "groups": 0, "seed": 3}})
    first = client.get(client.base + "/users").json()
    assert first["count"] == 60
    assert len(first["users"]) == 25
    collected = []
    for offset in (0, 25, 50):
        page = client.get(client.base + "/users", params={"offset": offset, "limit": 25}).json()
        collected.extend(page["users"])
    assert len(collected) == 60
    assert len({user["user_id"] for user in collected}) == 60
    assert collected == sorted(collected, key=lambda user: (user["date_created"], user["user_id"]))
    assert client.get(client.base + "/users", params={"offset": 60}).json()["users"] == []
    assert client.get(client.base + "/users", params={"limit": 0}).json() == {"success": True, "users": [], "count": 60}


def test_limit_is_clamped_to_max_page_size(client):
    seed(client, {"generate": {"users": 150, "seed": 1}})
    assert len(client.get(client.base + "/users", params={"limit": 1000}).json()["users"]) == 100
    control(client.server, "POST", "/config", {"max_page_size": 10})
    page = client.get(client.base + "/users", params={"limit": 50}).json()
    assert (len(page["users"]), page["count"]) == (10, 150)


@pytest.mark.parametrize("params", [{"limit": -1}, {"limit": "ten"}, {"offset": -5}, {"offset": "1.5"}, {"limit": ""}])
def test_bad_paging_values_are_400(client, params):
    response = client.get(client.base + "/users", params=params)
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_ignore_offset_quirk_always_answers_the_first_page(client):
    seed(client, {"generate": {"users": 40, "seed": 2}})
    control(client.server, "POST", "/config", {"ignore_offset": True})
    first = client.get(client.base + "/users", params={"offset": 0, "limit": 10}).json()["users"]
    second = client.get(client.base + "/users", params={"offset": 10, "limit": 10}).json()["users"]
    assert first == second


# ---------------------------------------------------------------------------------- users

def test_create_invites_pending_user_then_accept_and_login(client):
    response = client.post(client.base + "/users", json=new_user())
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["username"] == user["email"] == "dana@example.com"
    assert user["enabled"] is True and user["role"] == "ROLE_EDIT"
    assert user["last_login"] is None and user["org_uuid"] == ORG
    assert re.fullmatch(r"[0-9a-f]{32}", user["user_id"])
    assert "pending" not in user
    outbox = control(client.server, "GET", "/outbox")["invitations"]
    assert [(item["user_id"], item["username"]) for item in outbox] == [(user["user_id"], "dana@example.com")]
    assert find_user(client, "dana@example.com")["pending"] is True
    # a pending user cannot log in
    response = requests.post(client.server.control_url + "/users/%s/login" % user["user_id"], json={}, timeout=10)
    assert response.status_code == 409
    control(client.server, "POST", "/users/%s/accept" % user["user_id"])
    assert find_user(client, "dana@example.com")["pending"] is False
    control(client.server, "POST", "/users/%s/login" % user["user_id"], {"at": 1760000000000})
    fetched = client.get(client.base + "/users/" + user["user_id"]).json()["user"]
    assert fetched["last_login"] == 1760000000000


def test_control_adds_a_user_without_invitation_like_saml_jit(client):
    seed(client, SMALL_SEED)
    answer = control(client.server, "POST", "/users",
                     {"username": "jit@example.com", "role": "ROLE_EDIT", "last_login": 1760000000000, "groups": ["platform"]})
    user = answer["user"]
    assert user["pending"] is False and user["last_login"] == 1760000000000 and user["role"] == "ROLE_EDIT"
    assert control(client.server, "GET", "/outbox")["invitations"] == []
    listed = client.get(client.base + "/users", params={"limit": 10}).json()
    assert listed["count"] == 4 and listed["users"][-1]["username"] == "jit@example.com"
    platform = next(group for group in control(client.server, "GET", "/state")["groups"] if group["name"] == "Platform")
    assert "jit@example.com" in platform["member_usernames"]
    # the same login twice, an unknown group, an unknown field: 4xx with the reason
    for body, status in (({"username": "JIT@example.com"}, 409), ({"username": "x@example.com", "groups": ["Nope"]}, 404),
                         ({"username": "y@example.com", "color": "red"}, 400)):
        response = requests.post(client.server.control_url + "/users", json=body, timeout=10)
        assert response.status_code == status, response.text
    assert requests.get(client.server.control_url + "/users", timeout=10).status_code == 405


def test_control_edits_a_user_behind_the_api(client):
    seed(client, SMALL_SEED)
    bob = find_user(client, "bob@example.com")
    answer = control(client.server, "PATCH", "/users/" + bob["user_id"], {"role": "ROLE_ADMIN", "enabled": False})
    assert answer["user"]["role"] == "ROLE_ADMIN" and answer["user"]["enabled"] is False
    fetched = client.get(client.base + "/users/" + bob["user_id"]).json()["user"]
    assert fetched["role"] == "ROLE_ADMIN" and fetched["enabled"] is False
    for body in ({"role": "admin"}, {"enabled": "false"}, {"username": "new@example.com"}, {}):
        response = requests.patch(client.server.control_url + "/users/" + bob["user_id"], json=body, timeout=10)
        assert response.status_code == 400, (body, response.text)
    response = requests.patch(client.server.control_url + "/users/" + "0" * 32, json={"enabled": True}, timeout=10)
    assert response.status_code == 404


def test_create_validation(client):
    seed(client, SMALL_SEED)
    cases = [
        (new_user(email="ALICE@example.com"), 409, "User already exists"),
        (new_user(role="ROLE_SUPERUSER"), 400, "Invalid role"),
        (new_user(role="role_edit"), 400, "Invalid role"),
        (new_user(email="not-an-email"), 400, None),
        (new_user(username="other@example.com"), 400, None),
        (new_user(favourite_colour="blue"), 400, None),
        (new_user(enabled="true"), 400, None),
        ({"first_name": "x", "last_name": "y", "email": "z@example.com"}, 400, None),
    ]
    for body, status, message in cases:
        response = client.post(client.base + "/users", json=body)
        assert response.status_code == status, body
        payload = response.json()
        assert payload["success"] is False
        if message:
            assert payload["messages"] == [message]
        # the API never lists the valid roles
        assert "ROLE_VIEW" not in response.text
    assert client.get(client.base + "/users").json()["count"] == 3


def test_malformed_json_and_wrong_content_type(client):
    response = client.post(client.base + "/users", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    response = client.post(client.base + "/users", data=json.dumps(new_user()), headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_update_rules(client):
    seed(client, SMALL_SEED)
    bob = find_user(client, "bob@example.com")
    url = client.base + "/users/" + bob["user_id"]
    response = client.put(url, json={"last_name": "Builder", "role": "ROLE_ADMIN", "enabled": False})
    assert response.status_code == 200
    user = response.json()["user"]
    assert (user["last_name"], user["role"], user["enabled"], user["first_name"]) == ("Builder", "ROLE_ADMIN", False, "Bob")
    assert user["last_login"] == 1710000000000 and user["date_created"] == bob["date_created"]
    assert client.put(url, json={"email": "bob@example.com", "username": "bob@example.com"}).status_code == 200
    for body in ({"email": "robert@example.com"}, {"username": "robert@example.com"}, {"email": "BOB@example.com"}):
        response = client.put(url, json=body)
        assert response.status_code == 400
        assert response.json()["messages"] == ["Username and email cannot be changed"]
    assert client.put(url, json={"role": "ADMIN"}).json()["messages"] == ["Invalid role"]
    assert client.put(url, json={"user_id": "0" * 32}).status_code == 400
    assert client.put(url, json={"api_only": 1}).status_code == 400
    assert client.put(client.base + "/users/" + "f" * 32, json={"enabled": True}).status_code == 404
    assert client.get(client.base + "/users/" + "f" * 32).json() == {"success": False, "messages": ["User not found"]}


def test_delete_removes_user_and_memberships(client):
    seed(client, SMALL_SEED)
    alice = find_user(client, "alice@example.com")
    response = client.delete(client.base + "/users/" + alice["user_id"])
    assert response.json() == {"success": True, "messages": ["User deleted successfully."]}
    assert client.get(client.base + "/users/" + alice["user_id"]).status_code == 404
    assert client.delete(client.base + "/users/" + alice["user_id"]).status_code == 404
    group = client.get(client.base + "/groups/7").json()["group"]
    assert [member["username"] for member in group["users"]] == ["bob@example.com"]
    assert client.get(client.base + "/users").json()["count"] == 2


def test_concurrent_duplicate_creates_yield_one_user(client):
    statuses = []

    def create():
        with requests.Session() as session:
            session.headers.update(client.headers)
            statuses.append(session.post(client.base + "/users", json=new_user(email="race@example.com"), timeout=10).status_code)

    threads = [threading.Thread(target=create) for _index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 7


# ---------------------------------------------------------------------------------- groups

def test_groups_list_get_members_and_replace(client):
    seed(client, SMALL_SEED)
    groups = client.get(client.base + "/groups").json()
    assert groups["count"] == 2
    assert groups["groups"][0] == {"group_id": 7, "name": "Payments Team", "description": "payments", "user_count": 2}
    assert groups["groups"][1]["group_id"] == 8
    group = client.get(client.base + "/groups/7").json()["group"]
    assert [member["username"] for member in group["users"]] == ["alice@example.com", "bob@example.com"]
    assert set(group["users"][0]) == {"user_id", "username"}
    members = client.get(client.base + "/groups/7/users", params={"limit": 1, "offset": 1}).json()
    assert (members["count"], [member["username"] for member in members["users"]]) == (2, ["bob@example.com"])
    carol = find_user(client, "carol@example.com")
    alice = find_user(client, "alice@example.com")
    body = {"users": [{"user_id": carol["user_id"]}, {"user_id": alice["user_id"]}, {"user_id": carol["user_id"]}]}
    response = client.put(client.base + "/groups/7/users", json=body)
    assert response.json() == {"success": True, "messages": ["Group membership updated."]}
    group = client.get(client.base + "/groups/7").json()["group"]
    assert [member["username"] for member in group["users"]] == ["alice@example.com", "carol@example.com"]
    assert client.put(client.base + "/groups/7/users", json={"users": []}).status_code == 200
    assert client.get(client.base + "/groups/7/users").json()["count"] == 0


def test_group_errors(client):
    seed(client, SMALL_SEED)
    assert client.get(client.base + "/groups/99").json() == {"success": False, "messages": ["Group not found"]}
    assert client.get(client.base + "/groups/abc").status_code == 404
    assert client.put(client.base + "/groups/7/users", json={"users": [{"user_id": "e" * 32}]}).status_code == 400
    assert client.put(client.base + "/groups/7/users", json={"users": [{"user_id": "e" * 32, "x": 1}]}).status_code == 400
    assert client.put(client.base + "/groups/7/users", json={"members": []}).status_code == 400
    assert client.put(client.base + "/groups/99/users", json={"users": []}).status_code == 404
    # nothing changed
    assert client.get(client.base + "/groups/7/users").json()["count"] == 2


# ---------------------------------------------------------------------------------- faults

def test_status_fault_with_count_and_retry_after(client):
    control(client.server, "POST", "/faults", {"rules": [{"kind": "status", "status": 503, "count": 2, "retry_after": 2, "method": "get",
                                                          "path": "/users$"}]})
    assert client.get(client.base + "/roles").status_code == 200  # path does not match
    for _attempt in range(2):
        response = client.get(client.base + "/users")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "2"
    assert client.get(client.base + "/users").status_code == 200
    rule = control(client.server, "GET", "/faults")["rules"][0]
    assert (rule["remaining"], rule["hits"]) == (0, 2)


def test_unlimited_fault_and_query_match(client):
    seed(client, {"generate": {"users": 30, "seed": 1}})
    control(client.server, "POST", "/faults", {"rules": [{"kind": "status", "status": 429, "count": -1, "query": "offset=25"}]})
    for _attempt in range(3):
        assert client.get(client.base + "/users", params={"offset": 25}).status_code == 429
    assert client.get(client.base + "/users", params={"offset": 0}).status_code == 200
    control(client.server, "DELETE", "/faults")
    assert client.get(client.base + "/users", params={"offset": 25}).status_code == 200


def test_reset_fault_drops_the_connection(client):
    control(client.server, "POST", "/faults", {"rules": [{"kind": "reset"}]})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.get(client.base + "/users")
    assert client.get(client.base + "/users").status_code == 200
    log = control(client.server, "GET", "/requests")["requests"]
    assert log[0]["status"] is None and log[0]["fault"]["kind"] == "reset"


def test_delay_fault(client):
    control(client.server, "POST", "/faults", {"rules": [{"kind": "delay", "delay": 0.4}]})
    started = time.monotonic()
    assert client.get(client.base + "/users").status_code == 200
    assert time.monotonic() - started >= 0.4
    with pytest.raises(requests.exceptions.Timeout):
        control(client.server, "POST", "/faults", {"rules": [{"kind": "delay", "delay": 1.0}]})
        client.get(client.base + "/users", timeout=0.2)


def test_after_fault_applies_the_write_then_fails(client):
    control(client.server, "POST", "/faults", {"rules": [{"kind": "status", "status": 502, "method": "POST", "after": True}]})
    response = client.post(client.base + "/users", json=new_user())
    assert response.status_code == 502
    assert find_user(client, "dana@example.com")["pending"] is True
    # the retry of the lost write now meets the user it created
    assert client.post(client.base + "/users", json=new_user()).status_code == 409


def test_html_bad_json_and_empty_faults(client):
    control(client.server, "POST", "/faults", {"rules": [{"kind": "html"}, {"kind": "bad_json"}, {"kind": "empty"}]})
    html = client.get(client.base + "/users")
    assert html.status_code == 502 and html.headers["Content-Type"].startswith("text/html") and "<html>" in html.text
    bad = client.get(client.base + "/users")
    assert bad.status_code == 200
    with pytest.raises(ValueError):
        json.loads(bad.text)
    empty = client.get(client.base + "/users")
    assert (empty.status_code, empty.content) == (200, b"")
    assert client.get(client.base + "/users").json()["success"] is True


def test_random_faults_are_reproducible_with_a_seed(client):
    def run():
        control(client.server, "POST", "/faults", {"rules": [], "random_rate": 0.5, "random_seed": 42})
        outcomes = []
        for _attempt in range(40):
            try:
                outcomes.append(client.get(client.base + "/roles").status_code)
            except requests.exceptions.ConnectionError:
                outcomes.append("reset")
        return outcomes

    first, second = run(), run()
    assert first == second
    assert set(first) - {200} and 200 in first
    assert set(first) <= {200, 429, 502, 503, 504, "reset"}


def test_faults_never_touch_control_paths_and_reset_clears_them(client):
    control(client.server, "POST", "/faults", {"rules": [{"kind": "status", "count": -1}]})
    assert control(client.server, "GET", "/state")["faults"]["rules"][0]["kind"] == "status"
    assert client.get(client.base + "/users").status_code == 503
    control(client.server, "POST", "/reset")
    assert client.get(client.base + "/users").status_code == 200


def test_invalid_fault_rules_are_400(client):
    for rule in ({"kind": "explode"}, {"kind": "status", "path": "("}, {"kind": "status", "count": 0}, {"kind": "status", "colour": 1}):
        response = requests.post(client.server.control_url + "/faults", json={"rules": [rule]}, timeout=10)
        assert response.status_code == 400, rule


# ---------------------------------------------------------------------------------- request log

def test_request_log_has_no_secrets_and_tracks_connections(client):
    control(client.server, "DELETE", "/requests")
    client.get(client.base + "/users", params={"limit": 5})
    client.post(client.base + "/users", json=new_user())
    with requests.Session() as other:
        other.headers.update(client.headers)
        other.get(client.base + "/users")
    raw = requests.get(client.server.control_url + "/requests", timeout=10)
    for secret in (SERVICE_KEY, API_KEY, AUTH, "Authorization", "API-Key"):
        assert secret not in raw.text
    log = raw.json()
    entries = log["requests"]
    assert [entry["method"] for entry in entries] == ["GET", "POST", "GET"]
    assert entries[0]["query"] == {"limit": "5"} and entries[0]["path"].endswith("/users")
    assert entries[1]["body"]["email"] == "dana@example.com" and entries[1]["status"] == 200
    assert entries[0]["connection_id"] == entries[1]["connection_id"] != entries[2]["connection_id"]
    assert [entry["seq"] for entry in entries] == sorted(entry["seq"] for entry in entries)
    assert log["counters"]["total"] == 3 and log["counters"]["by_method"] == {"GET": 2, "POST": 1}
    assert log["counters"]["connections"] == 2
    control(client.server, "DELETE", "/requests")
    assert control(client.server, "GET", "/requests")["counters"]["total"] == 0


def test_failed_auth_is_logged_without_headers(client):
    control(client.server, "DELETE", "/requests")
    requests.get(client.base + "/users", headers={"Authorization": AUTH, "API-Key": "leaked-key-value"}, timeout=10)
    raw = requests.get(client.server.control_url + "/requests", timeout=10).text
    assert "leaked-key-value" not in raw and AUTH not in raw
    assert json.loads(raw)["requests"][0]["status"] == 401


# ---------------------------------------------------------------------------------- seeds, generation, reset

def test_demo_seed_loads(client):
    with open(DEMO_SEED, encoding="utf-8") as handle:
        seed(client, json.load(handle))
    state = control(client.server, "GET", "/state")
    assert 10 <= state["count"] <= 15
    assert state["api_user"]["listed"] is True
    assert sum(user["pending"] for user in state["users"]) == 1
    assert sum(not user["enabled"] for user in state["users"]) >= 2
    assert any(user["last_login"] is None for user in state["users"])
    assert {"Payments Team", "Platform", "Security Champions", "Contractors"} <= {group["name"] for group in state["groups"]}
    assert client.get(client.base + "/users").json()["count"] == state["count"]


@pytest.mark.parametrize("doc", [
    {"users": [{"username": "a@example.com", "nickname": "x"}]},
    {"users": [{"username": "a@example.com"}, {"username": "A@example.com"}]},
    {"users": [{"username": "a@example.com", "role": "ROLE_GOD"}]},
    {"groups": [{"name": "G", "members": ["nobody@example.com"]}]},
    {"org_uuid": "not-a-uuid"},
    {"generate": {"users": -1}},
])
def test_bad_seed_documents_are_400(client, doc):
    response = requests.post(client.server.control_url + "/reset", json=doc, timeout=10)
    assert response.status_code == 400
    assert response.json()["messages"]


def test_custom_identity_from_seed(client):
    org = "12345678-1234-1234-1234-123456789abc"
    seed(client, {"org_uuid": org, "api_user": {"username": "bot@corp.example", "service_key": "s", "api_key": "k"}})
    token = base64.b64encode(b"bot@corp.example:s").decode()
    url = client.server.contrast_url + "/api/ng/%s/users" % org
    assert requests.get(url, headers={"Authorization": token, "API-Key": "k"}, timeout=10).status_code == 200
    assert client.get(url).status_code == 401


def test_generation_is_deterministic_and_varied():
    first = emu.build_organization({"generate": {"users": 500, "groups": 5, "seed": 9}}, reference_ms=1790000000000)
    second = emu.build_organization({"generate": {"users": 500, "groups": 5, "seed": 9}}, reference_ms=1790000000000)
    other = emu.build_organization({"generate": {"users": 500, "groups": 5, "seed": 10}}, reference_ms=1790000000000)
    assert first.page_users(0, 500) == second.page_users(0, 500)
    assert [group["members"] for group in first.sorted_groups()] == [group["members"] for group in second.sorted_groups()]
    assert first.page_users(0, 500) != other.page_users(0, 500)
    users = first.page_users(0, 500)
    assert "user00042@example.com" in {user["username"] for user in users}
    assert {user["role"] for user in users} == emu.ROLE_NAMES
    assert any(not user["enabled"] for user in users) and any(user["pending"] for user in users)
    assert any(user["api_only"] for user in users)
    assert any(user["last_login"] is None for user in users)
    assert any(user["last_login"] and user["last_login"] < 1790000000000 - 180 * emu.DAY_MS for user in users)
    assert all(group["members"] for group in first.sorted_groups())


def test_10k_users_generate_and_page_on_one_connection(client):
    # Speed is measured in benchmarks/, not asserted here: a loaded CI machine must not fail this test.
    organization = emu.build_organization({"generate": {"users": 10000, "groups": 20, "seed": 1}})
    assert organization is not None
    seed(client, {"generate": {"users": 10000, "groups": 20, "seed": 1}})
    control(client.server, "DELETE", "/requests")
    seen = set()
    for page in range(100):
        response = client.get(client.base + "/users", params={"offset": page * 100, "limit": 100})
        seen.update(user["user_id"] for user in response.json()["users"])
    assert len(seen) == 10000
    log = control(client.server, "GET", "/requests")
    assert log["counters"]["connections"] == 1  # one session, one kept-alive connection


def test_empty_reset_restores_startup_data_and_settings():
    with emu.EmulatorServer(port=0, generate={"users": 30, "groups": 2, "seed": 5}, max_page_size=7) as server:
        session = requests.Session()
        session.headers.update({"Authorization": AUTH, "API-Key": API_KEY})
        url = server.contrast_url + "/api/ng/%s/users" % ORG
        assert len(session.get(url, params={"limit": 50}).json()["users"]) == 7
        control(server, "POST", "/reset", {"users": [{"username": "solo@example.com"}]})
        control(server, "POST", "/config", {"max_page_size": 50})
        assert session.get(url).json()["count"] == 1
        control(server, "POST", "/reset")
        page = session.get(url, params={"limit": 50}).json()
        assert (page["count"], len(page["users"])) == (30, 7)
        session.close()


# ---------------------------------------------------------------------------------- TLS and CLI

def _run_cli(*args):
    return subprocess.Popen([sys.executable, EMULATOR_PATH, "--port", "0"] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()


def test_cli_prints_listening_line_and_stops_on_sigterm():
    process = _run_cli("--generate-users", "12", "--max-page-size", "5")
    try:
        line = process.stdout.readline().strip()
        match = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)", line)
        assert match, line
        url = "http://127.0.0.1:%s/Contrast/api/ng/%s/users" % (match.group(1), ORG)
        page = requests.get(url, headers={"Authorization": AUTH, "API-Key": API_KEY}, timeout=10).json()
        assert (page["count"], len(page["users"])) == (12, 5)
    finally:
        assert _stop(process) == 0
    assert process.stderr.read() == ""  # quiet: no per-request lines


def test_cli_refuses_unknown_dialect_and_bad_seed(tmp_path):
    result = subprocess.run([sys.executable, EMULATOR_PATH, "--port", "0", "--dialect", "klingon"],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and "invalid choice" in result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"users": [{"username": "x@example.com", "oops": 1}]}')
    result = subprocess.run([sys.executable, EMULATOR_PATH, "--port", "0", "--seed", str(bad)], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and "oops" in result.stderr


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    openssl = shutil.which("openssl")
    if not openssl:
        pytest.skip("openssl CLI not available")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return cert, key


def test_tls_in_process(tls_files):
    cert, key = tls_files
    with emu.EmulatorServer(port=0, tls_cert=cert, tls_key=key) as server:
        assert server.url.startswith("https://127.0.0.1:")
        response = requests.get(server.contrast_url + "/api/ng/profile", headers={"Authorization": AUTH, "API-Key": API_KEY},
                                verify=cert, timeout=10)
        assert response.json()["user"]["username"] == USERNAME
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(server.contrast_url + "/api/ng/profile", timeout=10)  # untrusted certificate
        # the failed handshake did not break the server
        assert requests.get(server.control_url + "/health", verify=cert, timeout=10).status_code == 200


def test_tls_cli_says_https(tls_files):
    cert, key = tls_files
    process = _run_cli("--tls-cert", cert, "--tls-key", key)
    try:
        line = process.stdout.readline().strip()
        assert re.fullmatch(r"listening on https://127\.0\.0\.1:\d+", line), line
        response = requests.get(line.split(" ")[-1] + "/_emulator/health", verify=cert, timeout=10)
        assert response.status_code == 200
    finally:
        assert _stop(process) == 0
