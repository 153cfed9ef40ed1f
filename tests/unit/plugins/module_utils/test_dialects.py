# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The dialect layer: bodies, tolerant reading, detection, and the client in both dialects against the emulator."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

requests = pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.plugins.module_utils import client as C  # noqa: E402
from ansible_collections.contrast_security.identity.plugins.module_utils.dialects import (  # noqa: E402
    DIALECTS,
    GuideDialect,
    TeamServerDialect,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.teamserver_scope import ScopeError  # noqa: E402
from ansible_collections.contrast_security.identity.plugins.module_utils.users import (  # noqa: E402
    canonical_role,
    normalize_user,
)
from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator  # noqa: E402

emu = load_emulator()
SCOPE = {"account_scope": {"exceptions": []}, "app_scope": {"exceptions": [], "onboard_role": "VIEW", "role": "EDIT"}}
SEED = {
    "users": [
        {"username": "alice@example.com", "role": "ROLE_ADMIN", "last_login": 1710000000000},
        {"username": "bob@example.com", "role": "ROLE_EDIT"},
    ],
    "groups": [
        {"name": "Payments", "members": ["alice@example.com"], "group_id": 7, "scope": SCOPE},
        {"name": "Admins", "members": [], "group_id": 1, "predefined": True},
    ],
}


# ------------------------------------------------------------------ pure functions

def test_canonical_roles_and_tolerant_normalize_user():
    assert canonical_role("Rules Admin") == "ROLE_RULES_ADMIN"
    assert canonical_role("No Access") == "ROLE_NO_ACCESS"
    assert canonical_role("ROLE_EDIT") == "ROLE_EDIT"
    raw = {"user_uid": "u1", "email": "a@example.com", "role": {"group_id": 3, "name": "Edit"}, "rasp_enabled": True,
           "enabled": True, "login": {"last_login_time": 1710000000000}, "signup": {"signup_date": 1700000000000}}
    user = normalize_user(raw, org_uuid="org")
    assert (user["user_id"], user["username"], user["email"], user["role"]) == ("u1", "a@example.com", "a@example.com", "ROLE_EDIT")
    assert (user["protect_enabled"], user["last_login"], user["date_created"]) == (True, 1710000000000, 1700000000000)
    assert user["date_created_iso"] == "2023-11-14T22:13:20.000Z"
    guide = normalize_user({"user_id": "g", "username": "b@example.com", "role": "ROLE_VIEW", "date_created": 1, "last_login": None})
    assert (guide["user_id"], guide["role"], guide["date_created"], guide["last_login"]) == ("g", "ROLE_VIEW", 1, None)


EDIT = {"canonical": "ROLE_EDIT", "name": "Edit", "id": 3}
CURRENT = {"user_uid": "u1", "id": "7d0c6b8e-0000-0000-0000-000000000001", "email": "a@example.com", "first_name": "A",
           "last_name": "B", "enabled": True, "api_only": False, "rasp_enabled": True,
           "role": {"group_id": 3, "name": "Edit"}, "groups": [{"group_id": 7, "name": "Payments"}],
           "preferences": {"date_format": "yyyy/MM/dd", "time_format": "HH:mm", "time_zone": "Asia/Tokyo", "language": "ja"}}


def test_teamserver_create_states_every_field():
    body = TeamServerDialect.create_user_body(
        {"username": "a@example.com", "first_name": "A", "last_name": "B", "role": "ROLE_EDIT", "protect_enabled": True,
         "api_only": None}, EDIT)
    # NewUserRequest: enabled, api_only and protect always stated, so a server reading an omitted boolean as false decides nothing
    assert body == {"username": "a@example.com", "date_format": "MM/dd/yyyy", "time_format": "hh:mm a", "time_zone": "UTC",
                    "first_name": "A", "last_name": "B", "role_name": "Edit", "enabled": True, "api_only": False,
                    "protect": True}
    custom = TeamServerDialect.create_user_body({"username": "a@example.com", "time_zone": "Europe/Paris",
                                                 "date_format": "dd/MM/yyyy"}, None)
    assert (custom["time_zone"], custom["date_format"], custom["time_format"]) == ("Europe/Paris", "dd/MM/yyyy", "hh:mm a")
    existing = TeamServerDialect.existing_user_body({"username": "a@example.com", "role": "ROLE_EDIT"}, EDIT)
    assert existing == {"username": "a@example.com", "role": 3, "enabled": True, "api_only": False, "protect": False}
    guide = GuideDialect.create_user_body({"username": "g@example.com", "first_name": "G", "last_name": "H", "role": "ROLE_VIEW"},
                                          None)
    assert (guide["enabled"], guide["api_only"], guide["protect_enabled"]) == (True, False, False)


def test_teamserver_edit_repeats_every_current_value():
    calls = TeamServerDialect.update_calls("o", "u1", {"last_name": "C", "role": "ROLE_VIEW"}, CURRENT,
                                           {"canonical": "ROLE_VIEW", "name": "View", "id": 2})
    assert calls == [("PUT", "/ng/o/users/u1", {
        "first_name": "A", "last_name": "C", "enabled": True, "api_only": False, "protect": True, "role_name": "View",
        "date_format": "yyyy/MM/dd", "time_format": "HH:mm", "time_zone": "Asia/Tokyo", "groups": [7]})]
    # no role change: the role is not sent as a change (role_name only when it changes); every flag still is
    (_method, _path, body), = TeamServerDialect.update_calls("o", "u1", {"api_only": True}, CURRENT, None)
    assert (body["enabled"], body["api_only"], body["protect"], body["groups"]) == (True, True, True, [7])
    assert "role_name" not in body
    # only enabled: its own endpoint
    assert TeamServerDialect.update_calls("o", "u1", {"enabled": False}, None, None) == [
        ("PUT", "/ng/o/users/u1/enabled", {"enabled": False})]
    assert GuideDialect.update_calls("o", "g", {"last_name": "C", "email": "x@example.com"}, None, None) == [
        ("PUT", "/ng/o/users/g", {"last_name": "C", "email": "x@example.com"})]
    assert TeamServerDialect.preferences_of({"preferences": {"time_zone": "Asia/Tokyo", "language": "ja"}}) == {"time_zone": "Asia/Tokyo"}
    assert TeamServerDialect.preferences_of({}) is None and GuideDialect.preferences_of({"preferences": {}}) is None


def test_dialect_paths_and_queries():
    assert TeamServerDialect.roles_path("o") == "/ng/roles" and GuideDialect.roles_path("o") == "/ng/o/roles"
    assert TeamServerDialect.user_enabled_path("o", "u") == "/ng/o/users/u/enabled"
    assert TeamServerDialect.existing_user_path("o") == "/ng/o/users/existing" and GuideDialect.existing_user_path("o") is None
    assert GuideDialect.read_params("users") == {}
    assert TeamServerDialect.read_params("users") == {"expand": "email,login,signup,preferences,groups"}
    assert TeamServerDialect.read_params("profile") == {"expand": "email,login,signup"}
    assert TeamServerDialect.search_params("a@example.com") == {"q": "a@example.com"} and GuideDialect.search_params("a") is None
    assert sorted(DIALECTS) == ["guide", "teamserver"]


def test_member_matching_keys():
    member = {"id": "7d0c6b8e-0000-0000-0000-000000000001", "uid": "u1", "first_name": "A", "last_name": "B", "full_name": "A B"}
    # UserBaseResource: uid is the user's user_uid (matched first), id its UUID
    assert TeamServerDialect.member_keys(member) == ["u1", "7d0c6b8e-0000-0000-0000-000000000001"]
    assert TeamServerDialect.user_keys(CURRENT) == ["u1", "7d0c6b8e-0000-0000-0000-000000000001"]
    assert GuideDialect.member_keys({"user_id": "g", "username": "g@example.com"}) == ["g"]


APP_READ = {"group_id": 9, "name": "Apps", "app_role": "VIEW", "onboard_role": "EDIT", "readonly": False, "users": [],
            "applications": [{"role": {"name": "ADMIN"}, "noAccess": False, "applications": [{"app_id": "a1"}, {"app_id": "a2"}]},
                             {"role": {"name": "RULES_ADMIN"}, "noAccess": False, "applications": [{"app_id": "a3"}]}],
            "accounts": [{"organization": {"organization_uuid": "org-2"}, "role": "VIEW", "noAccess": False}]}


def test_group_scope_is_rebuilt_from_the_documented_read():
    scope = TeamServerDialect.group_scope(APP_READ)
    assert scope == {"account_scope": {"exceptions": [{"organization_uuid": "org-2", "role": "VIEW"}]},
                     "app_scope": {"exceptions": [{"app_id": "a1", "role": "ADMIN"}, {"app_id": "a2", "role": "ADMIN"},
                                                  {"app_id": "a3", "role": "RULES_ADMIN"}],
                                   "onboard_role": "EDIT", "role": "VIEW"}}
    method, path, body = TeamServerDialect.membership_call("o", 9, ["u1"], APP_READ)
    assert (method, path, body) == ("PUT", "/ng/o/groups/9", {"name": "Apps", "scope": scope, "users": ["u1"]})


@pytest.mark.parametrize("broken", [
    {"applications": [{"role": {"name": "ADMIN"}, "applications": [{"name": "no id"}]}]},
    {"applications": [{"applications": [{"app_id": "a1"}]}]},
    {"accounts": [{"role": "VIEW"}]},
    {"app_role": {"name": "VIEW"}},
])
def test_group_scope_that_cannot_be_rebuilt_is_refused(broken):
    with pytest.raises(ScopeError):
        TeamServerDialect.group_scope(dict({"group_id": 9, "name": "Apps"}, **broken))


def test_unknown_dialect_setting_is_refused():
    with pytest.raises(ValueError, match="contrast_api_dialect"):
        C.ContrastClient("https://x.example.com/Contrast", "u", "s", "k", "o", dialect="klingon")


# ------------------------------------------------------------------ against the emulator

@pytest.fixture(scope="module")
def server():
    with emu.EmulatorServer(port=0) as instance:
        yield instance


def _reset(server, dialect, seed=None):
    doc = dict(seed if seed is not None else SEED, dialect=dialect)
    assert requests.post(server.control_url + "/reset", json=doc, timeout=10).status_code == 200


def _log(server):
    return requests.get(server.control_url + "/requests", timeout=10).json()["requests"]


def _state(server):
    return requests.get(server.control_url + "/state", timeout=10).json()


def _client(server, dialect):
    return C.ContrastClient(server.contrast_url, emu.DEFAULT_API_USERNAME, emu.DEFAULT_SERVICE_KEY, emu.DEFAULT_API_KEY,
                            emu.DEFAULT_ORG_UUID, dialect=dialect, retries=0)


@pytest.mark.parametrize("dialect", ["guide", "teamserver"])
def test_auto_detects_from_the_first_profile_read_without_extra_requests(server, dialect):
    _reset(server, dialect)
    client = _client(server, "auto")
    profile = client.get_profile()
    assert profile["role"] == "ROLE_ADMIN" and profile["username"] == emu.DEFAULT_API_USERNAME
    assert client.dialect.name == dialect and client.dialect_detected_from == "GET /ng/profile"
    assert [entry["path"] for entry in _log(server)] == ["/Contrast/api/ng/profile"]


def _session_of_reads(server, setting):
    """The reads a module's find-then-audit makes, with their requests and results."""
    client = _client(server, setting)
    found = client.find_user("bob@example.com")
    users = client.list_users(page_size=1)
    again = client.get_user(found["user_id"])
    groups = client.list_groups(page_size=1)
    members = client.list_group_members(groups[0]["group_id"])
    return client, [(e["method"], e["path"]) for e in _log(server)], (found, users, again, groups, members)


@pytest.mark.parametrize("dialect", ["guide", "teamserver"])
def test_auto_detects_with_no_request_beyond_what_the_pinned_dialect_sends(server, dialect):
    _reset(server, dialect)
    pinned, pinned_requests, pinned_results = _session_of_reads(server, dialect)
    _reset(server, dialect)
    auto, auto_requests, auto_results = _session_of_reads(server, "auto")
    assert auto.dialect.name == dialect and auto.dialect_detected_from.startswith("GET /ng/")
    assert "profile" not in auto.dialect_detected_from
    assert auto_requests == pinned_requests  # same requests, same count: the first read settled it
    assert auto_results == pinned_results


def test_auto_on_a_teamserver_users_page_detects_and_reads_dates(server):
    _reset(server, "teamserver")
    client = _client(server, "auto")
    users = client.list_users(page_size=1)
    assert client.dialect.name == "teamserver" and client.dialect_detected_from.startswith("GET /ng/")
    assert [user["username"] for user in users] == ["alice@example.com", "bob@example.com"]
    assert users[0]["last_login"] == 1710000000000 and users[0]["date_created"] == 1700000000000
    assert users[0]["role"] == "ROLE_ADMIN"
    log = _log(server)
    assert all(entry["path"].endswith("/users") for entry in log)  # no probe of the profile
    assert len(log) == 2  # two one-user pages (count says that is all): nothing read twice
    assert all(set(e["query"]["expand"].split(",")) == {"email", "login", "signup", "preferences", "groups"} for e in log)


def test_auto_write_before_any_telling_read_probes_the_profile_once(server):
    _reset(server, "teamserver", {"users": []})
    client = _client(server, "auto")
    assert client.find_user("new@example.com") is None  # an empty page does not tell
    client.create_user({"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_EDIT"})
    paths = [(entry["method"], entry["path"]) for entry in _log(server)]
    assert paths.count(("GET", "/Contrast/api/ng/profile")) == 1
    assert client.dialect.name == "teamserver"


@pytest.mark.parametrize("dialect", ["guide", "teamserver"])
def test_auto_parallel_writes_on_an_empty_org_read_the_profile_once(server, dialect):
    # An empty org's users page does not tell; then every worker of a parallel run needs the dialect at once.
    # The profile answer is slowed so that, unsettled once per thread, every thread would have sent its own read.
    _reset(server, dialect, {"users": [], "groups": []})
    rules = [{"kind": "delay", "method": "GET", "path": "/ng/profile$", "delay": 0.3, "count": 10}]
    assert requests.post(server.control_url + "/faults", json={"rules": rules}, timeout=10).status_code == 200
    client = _client(server, "auto")
    assert client.list_users() == []
    logins = ["new%d@example.com" % index for index in range(4)]
    start = threading.Barrier(len(logins))

    def create(login):
        start.wait()
        return client.create_user({"username": login, "first_name": "N", "last_name": "U", "role": "ROLE_EDIT"})
    with ThreadPoolExecutor(max_workers=len(logins)) as pool:
        created = list(pool.map(create, logins))
    assert [user["username"] for user in created] == logins
    paths = [(entry["method"], entry["path"]) for entry in _log(server)]
    assert paths.count(("GET", "/Contrast/api/ng/profile")) == 1
    assert client.dialect.name == dialect and client.dialect_detected_from == "GET /ng/profile"


def test_teamserver_user_lifecycle_through_the_client(server):
    _reset(server, "teamserver")
    client = _client(server, "teamserver")
    user = client.create_user({"username": "dan@example.com", "first_name": "Dan", "last_name": "E", "role": "ROLE_RULES_ADMIN",
                               "protect_enabled": True, "time_zone": "Europe/Paris"})
    assert (user["role"], user["protect_enabled"], user["enabled"]) == ("ROLE_RULES_ADMIN", True, True)
    assert user["date_created"] is not None
    post = [entry for entry in _log(server) if entry["method"] == "POST"][0]
    assert post["body"]["role_name"] == "Rules Admin" and post["body"]["time_zone"] == "Europe/Paris"
    assert post["body"]["date_format"] == "MM/dd/yyyy" and post["body"]["protect"] is True
    assert client.get_user(user["user_id"])["username"] == "dan@example.com"

    requests.delete(server.control_url + "/requests", timeout=10)
    updated = client.update_user(user["user_id"], {"last_name": "F", "enabled": False})
    assert (updated["last_name"], updated["enabled"]) == ("F", False)
    writes = [(e["method"], e["path"].rsplit("/", 1)[-1], e["body"]) for e in _log(server) if e["method"] != "GET"]
    # one complete edit (enabled included) repeating every current value: names, flags, preferences, groups
    assert writes == [("PUT", user["user_id"], {"first_name": "Dan", "last_name": "F", "enabled": False, "api_only": False,
                                                "protect": True, "date_format": "MM/dd/yyyy", "time_format": "hh:mm a",
                                                "time_zone": "Europe/Paris", "groups": []})]
    requests.delete(server.control_url + "/requests", timeout=10)
    assert client.update_user(user["user_id"], {"enabled": True})["enabled"] is True
    assert [e["path"].rsplit("/", 1)[-1] for e in _log(server) if e["method"] == "PUT"] == ["enabled"]

    assert client.get_user("0" * 32) is None  # 403 Authorization failure means "no such user"
    assert client.delete_user(user["user_id"]) is True
    assert client.delete_user(user["user_id"]) is False


def test_teamserver_groups_and_membership_keep_the_scope(server):
    _reset(server, "teamserver")
    client = _client(server, "teamserver")
    groups = client.list_groups()
    assert [(group["group_id"], group["name"]) for group in groups] == [(7, "Payments"), (1, "Admins")]
    bob = client.find_user("bob@example.com")
    alice = client.find_user("alice@example.com")
    client.set_group_members(7, [alice["user_id"], bob["user_id"]])
    client.set_group_members(1, [bob["user_id"]])
    assert [m["username"] for m in client.list_group_members(7)] == ["alice@example.com", "bob@example.com"]
    state = {group["group_id"]: group for group in _state(server)["groups"]}
    assert state[7]["scope"] == SCOPE and state[1]["member_usernames"] == ["bob@example.com"]
    put = [entry for entry in _log(server) if entry["method"] == "PUT"][0]
    assert put["body"] == {"name": "Payments", "scope": SCOPE, "users": [alice["user_id"], bob["user_id"]]}
    assert client.group_names_by_user()[bob["user_id"]] == ["Payments", "Admins"]


def test_teamserver_roles_map_both_ways(server):
    _reset(server, "teamserver")
    client = _client(server, "auto")
    roles = client.list_roles()
    assert {"name": "ROLE_EDIT", "description": "Edit"} in roles and len(roles) == 5
    assert client.server_role("ROLE_NO_ACCESS") == {"canonical": "ROLE_NO_ACCESS", "name": "No Access", "id": 1,
                                                    "description": "No Access"}
    with pytest.raises(C.ContrastApiError, match="no role matching ROLE_SUPERHERO.*Its roles are: No Access .ROLE_NO_ACCESS."):
        client.server_role("ROLE_SUPERHERO")


@pytest.mark.parametrize("dialect", ["guide", "teamserver"])
def test_a_wrong_organization_is_caught_in_both_dialects(server, dialect):
    _reset(server, dialect)
    right = _client(server, dialect)
    right.check_organization()
    assert len(right.list_roles()) == 5
    wrong = C.ContrastClient(server.contrast_url, emu.DEFAULT_API_USERNAME, emu.DEFAULT_SERVICE_KEY, emu.DEFAULT_API_KEY,
                             "11111111-2222-3333-4444-555555555555", dialect=dialect, retries=0)
    with pytest.raises(C.ContrastApiError) as caught:
        wrong.check_organization()
        wrong.list_roles()  # the guide's org-scoped roles read is what fails there
    assert caught.value.status == 401
    paths = [entry["path"] for entry in _log(server)]
    organization_reads = [path for path in paths if "/profile/organizations/" in path]
    assert len(organization_reads) == (2 if dialect == "teamserver" else 0)
