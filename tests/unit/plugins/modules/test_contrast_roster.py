# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""contrast_roster: check mode is the drift the real run applies; `changes` say exactly what happened."""

from __future__ import annotations

import copy
import random
from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.contrast_security.identity.plugins.modules import contrast_roster
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.emulated import (
    control,
    logged_requests,
    reset,
    run_real,
    writes,
)
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import ROLES, FakeClient, run_module

GROUPS = ("Payments Team", "Platform", "Contractors")


def random_case(rng):
    users = [{"username": "user%d@example.com" % index, "user_id": "u%d" % index, "first_name": rng.choice(["A", "B"]),
              "role": rng.choice(ROLES), "enabled": rng.random() < 0.8} for index in range(8)]
    groups = [{"name": name, "members": [user["username"] for user in users if rng.random() < 0.3]} for name in GROUPS]
    entries = []
    for index in range(10):
        if rng.random() < 0.3:
            continue
        entry = {"username": "user%d@example.com" % index}
        if index >= 8 or rng.random() < 0.5:
            entry.update(first_name=rng.choice(["A", "B"]), last_name="L", role=rng.choice(ROLES))
        if rng.random() < 0.3:
            entry["api_only"] = rng.random() < 0.5
        if rng.random() < 0.6:
            entry["groups"] = [name for name in GROUPS if rng.random() < 0.4]
        entries.append(entry)
    # The mass-change guards refuse the real run but only warn in check mode: off here (tested on their own below).
    args = {"users": entries, "unlisted": rng.choice(["ignore", "disable", "delete"]), "max_unlisted_changes": 20,
            "max_unlisted_percent": 100, "max_membership_removals": 100, "max_membership_removal_percent": 100,
            "group_membership": rng.choice(["add", "exact"]), "parallelism": rng.randint(1, 4)}
    return users, groups, args


@pytest.mark.parametrize("seed", range(80))
def test_check_mode_is_the_drift_the_real_run_applies(seed):
    rng = random.Random(seed)
    users, groups, args = random_case(rng)
    checked_client = FakeClient(users, groups)
    real_client = FakeClient(copy.deepcopy(users), copy.deepcopy(groups))

    checked = run_module(contrast_roster, checked_client, args, check_mode=True)
    real = run_module(contrast_roster, real_client, args)

    assert checked_client.writes == []
    assert checked.get("failed") == real.get("failed")
    if real.get("failed"):
        assert checked["msg"] == real["msg"] and real_client.writes == []
        return
    assert checked["changed"] == real["changed"]
    assert checked["summary"] == real["summary"]
    assert checked["diff"] == real["diff"]
    strip = ("status", "user_id")
    assert [dict((k, v) for k, v in change.items() if k not in strip) for change in checked["changes"]] == \
        [dict((k, v) for k, v in change.items() if k not in strip) for change in real["changes"]]
    assert set(change["status"] for change in real["changes"]) <= {"ok"}

    again = run_module(contrast_roster, real_client, args)
    assert again["changed"] is False and again["changes"] == []


def lost_answer_case():
    users = [{"username": "alice@example.com", "user_id": "u-alice", "role": "ROLE_EDIT"},
             {"username": "erin@example.com", "user_id": "u-erin"}]
    groups = [{"name": "Platform", "members": []}]
    args = {"users": [{"username": "alice@example.com", "role": "ROLE_ADMIN", "groups": ["Platform"]}], "unlisted": "delete"}
    return FakeClient(users, groups), args


@pytest.mark.parametrize("lost", [("update", "u-alice"), ("delete", "u-erin"), ("members", 1)])
def test_a_write_whose_answer_was_lost_but_that_applied_is_reported_ok(lost):
    client, args = lost_answer_case()
    client.lose.add(lost)
    result = run_module(contrast_roster, client, args)
    assert not result.get("failed"), result
    assert [change["status"] for change in result["changes"]] == ["ok", "ok"]
    assert client.snapshot()["users"]["alice@example.com"]["role"] == "ROLE_ADMIN"
    assert "erin@example.com" not in client.snapshot()["users"]
    assert client.snapshot()["groups"]["Platform"] == ["alice@example.com"]


@pytest.mark.parametrize("refused,username", [(("update", "u-alice"), "alice@example.com"), (("delete", "u-erin"), "erin@example.com"),
                                              (("members", 1), "alice@example.com")])
def test_a_write_that_did_not_apply_is_reported_failed(refused, username):
    client, args = lost_answer_case()
    client.refuse.add(refused)
    before = client.snapshot()
    result = run_module(contrast_roster, client, args)
    assert result["failed"] and "planned write(s) failed" in result["msg"] and "HTTP 500" in result["msg"]
    status = dict((change["username"], change["status"]) for change in result["changes"])
    assert status[username] == "failed"
    after = client.snapshot()
    if refused[0] == "update":
        assert after["users"]["alice@example.com"] == before["users"]["alice@example.com"]
        assert after["groups"]["Platform"] == ["alice@example.com"]  # the membership write still went through
    if refused[0] == "delete":
        assert "erin@example.com" in after["users"]
    if refused[0] == "members":
        assert after["groups"]["Platform"] == [] and "groups_added" in result["changes"][0]
        assert result["changes"][0]["groups_added"] == []


def test_duplicates_and_bad_entries_are_all_listed_before_any_write():
    client = FakeClient([{"username": "alice@example.com"}], [{"name": "Platform"}])
    entries = [{"username": "alice@example.com"}, {"username": "ALICE@example.com"}, {"username": "not-an-email"},
               {"username": "bob@example.com", "first_name": "B", "last_name": "B", "role": "ROLE_GOD"},
               {"username": "carol@example.com", "first_name": "C", "last_name": "C", "role": "ROLE_VIEW", "groups": ["Platfrom"]}]
    result = run_module(contrast_roster, client, {"users": entries})
    assert result["failed"] and client.writes == []
    text = " ".join(result["problems"])
    for expected in ("duplicates users[0]", "not a valid email", "Unknown role 'ROLE_GOD'", "'Platform'"):
        assert expected in text, text


def test_failure_message_says_what_was_applied_and_groups_identical_reasons():
    changes = [{"action": "create", "username": "a@example.com", "status": "failed"},
               {"action": "create", "username": "b@example.com", "status": "failed"},
               {"action": "membership", "username": "c@example.com", "status": "failed"}]
    message = contrast_roster.failure_message(
        ["create a@example.com: POST /x failed: HTTP 403", "create b@example.com: POST /x failed: HTTP 403",
         "group Ops: PUT /g failed: HTTP 500"], changes)
    assert message.startswith("3 planned write(s) failed and nothing was applied (not applied: create a@example.com, "
                              "create b@example.com, membership c@example.com): ")
    assert "create a@example.com, create b@example.com: POST /x failed: HTTP 403" in message
    assert message.count("HTTP 403") == 1 and "group Ops: PUT /g failed: HTTP 500" in message
    changes[0]["status"] = "ok"
    partial = contrast_roster.failure_message(["group Ops: PUT /g failed: HTTP 500"], changes)
    assert partial.startswith("1 planned write(s) failed. Applied: create a@example.com. Not applied: create b@example.com, "
                              "membership c@example.com (see changes): ")


def test_failure_message_never_says_nothing_was_applied_when_a_create_went_through_before_its_group_write_failed():
    changes = [{"action": "create", "username": "a@example.com", "status": "failed"}]  # created, its group write failed
    failures = ["group Ops: PUT /g failed: HTTP 500"]
    message = contrast_roster.failure_message(failures, changes, some_applied=True)
    assert "nothing was applied" not in message
    assert message.startswith("1 planned write(s) failed and no change was applied in full, though some of their writes "
                              "were (not applied in full: create a@example.com; see changes): ")
    assert contrast_roster.failure_message(failures, changes, some_applied=False).startswith(
        "1 planned write(s) failed and nothing was applied")


def test_a_tripped_guard_warns_in_check_mode_and_refuses_the_real_run():
    users = [{"username": "user%d@example.com" % index} for index in range(11)]
    client = FakeClient(users)
    args = {"users": [{"username": "user0@example.com"}], "unlisted": "delete"}
    with mock.patch.object(basic.AnsibleModule, "warn") as warn:
        checked = run_module(contrast_roster, client, args, check_mode=True)
    assert not checked.get("failed") and checked["summary"]["deleted"] == 10 and client.writes == []
    assert any("The real run would be refused: 10 enabled users are not in the roster and would be deleted" in call.args[0]
               for call in warn.call_args_list)
    real = run_module(contrast_roster, client, args)
    assert real["failed"] and "90% of 11, more than max_unlisted_percent=20" in real["msg"] and client.writes == []


def test_a_user_to_create_with_another_email_than_its_login_is_refused_before_any_write():
    client = FakeClient([{"username": "alice@example.com"}])
    entries = [{"username": "bob@example.com", "first_name": "B", "last_name": "B", "role": "ROLE_VIEW",
                "email": "robert@example.com"},
               {"username": "Carol@example.com", "first_name": "C", "last_name": "C", "role": "ROLE_VIEW",
                "email": "carol@example.com"}]
    result = run_module(contrast_roster, client, {"users": entries})
    assert result["failed"] and client.writes == []
    assert len(result["problems"]) == 1 and "makes the login the email" in result["problems"][0]

    created = run_module(contrast_roster, client, {"users": entries[1:]})
    assert created["changes"][0]["fields"]["email"] == {"before": None, "after": "Carol@example.com"}
    assert client.snapshot()["users"]["carol@example.com"]["email"] == "Carol@example.com"
    assert run_module(contrast_roster, client, {"users": entries[1:]})["changed"] is False


class CountingClient(FakeClient):
    """Counts the group list reads."""

    def __init__(self, *args, **kwargs):
        super(CountingClient, self).__init__(*args, **kwargs)
        self.group_list_reads = 0

    def list_groups(self, page_size=100):
        self.group_list_reads += 1
        return super(CountingClient, self).list_groups(page_size)


def test_a_roster_that_names_no_group_reads_no_group_list():
    client = CountingClient([{"username": "alice@example.com"}], [{"name": "Platform", "members": []}])
    result = run_module(contrast_roster, client, {"users": [{"username": "alice@example.com"}]})
    assert result["changed"] is False and client.group_list_reads == 0
    run_module(contrast_roster, client, {"users": [{"username": "alice@example.com", "groups": ["Platform"]}]})
    assert client.group_list_reads == 1


def test_report_listed_gives_every_listed_user_its_id_created_ones_included():
    client = FakeClient([{"username": "alice@example.com", "user_id": "u-alice"}], [])
    args = {"users": [{"username": "ALICE@example.com"}, {"username": "new@example.com", "first_name": "N", "last_name": "U",
                                                          "role": "ROLE_VIEW"}], "report_listed": True}
    checked = run_module(contrast_roster, client, args, check_mode=True)
    assert checked["listed"] == [{"username": "alice@example.com", "user_id": "u-alice", "enabled": True},
                                 {"username": "new@example.com", "user_id": None, "enabled": None}]
    real = run_module(contrast_roster, client, args)
    created = client._by_name("new@example.com")["user_id"]
    assert real["listed"][1] == {"username": "new@example.com", "user_id": created, "enabled": True}


def leavers_case():
    users = [{"username": "alice@example.com", "user_id": "u-alice"}, {"username": "bob@example.com", "user_id": "u-bob"},
             {"username": "carol@example.com", "user_id": "u-carol", "enabled": False}]
    groups = [{"name": "Payments", "members": ["alice@example.com", "bob@example.com"]},
              {"name": "Platform", "members": ["alice@example.com", "carol@example.com"]},
              {"name": "Security", "members": ["bob@example.com"]}]
    return users, groups


@pytest.mark.parametrize("state", ["disabled", "absent"])
def test_state_disabled_or_absent_check_mode_is_what_the_real_run_does(state):
    users, groups = leavers_case()
    args = {"users": [{"username": "alice@example.com"}, {"username": "CAROL@example.com"}, {"username": "ghost@example.com"}],
            "state": state, "leave_groups": True, "report_listed": True}
    checked_client, real_client = FakeClient(users, groups), FakeClient(copy.deepcopy(users), copy.deepcopy(groups))
    checked = run_module(contrast_roster, checked_client, args, check_mode=True)
    real = run_module(contrast_roster, real_client, args)
    assert checked_client.writes == []
    assert checked["summary"] == real["summary"] and checked["not_found"] == real["not_found"] == ["ghost@example.com"]
    assert [(c["username"], c["action"], c["groups_removed"]) for c in real["changes"]] == \
        [(c["username"], c["action"], c["groups_removed"]) for c in checked["changes"]]
    assert [user["username"] for user in real["listed"]] == ["alice@example.com", "carol@example.com"]
    snapshot = real_client.snapshot()
    assert snapshot["groups"] == {"Payments": ["bob@example.com"], "Platform": [], "Security": ["bob@example.com"]}
    if state == "disabled":
        assert [op for op, _key in real_client.writes] == ["update", "members", "members"]
        assert snapshot["users"]["alice@example.com"]["enabled"] is False
    else:
        # Out of the groups first, then deleted (the deletes go last).
        assert [op for op, _key in real_client.writes] == ["members", "members", "delete", "delete"]
        assert sorted(snapshot["users"]) == ["bob@example.com"]
    writes = len(real_client.writes)
    again = run_module(contrast_roster, real_client, args)
    assert again["changed"] is False and len(real_client.writes) == writes


def test_state_disabled_refuses_the_api_user_and_unlisted_before_any_write():
    users, groups = leavers_case()
    client = FakeClient(users, groups)
    refused = run_module(contrast_roster, client, {"users": [{"username": "alice@example.com"}, {"username": "API.Admin@example.com"}],
                                                   "state": "disabled"})
    assert refused["failed"] and "is the API user whose keys this run uses" in refused["msg"]
    mixed = run_module(contrast_roster, client, {"users": [{"username": "alice@example.com"}], "state": "disabled",
                                                 "unlisted": "disable"})
    assert mixed["failed"] and "unlisted=disable cannot be combined with state=disabled" in mixed["msg"]
    strict = run_module(contrast_roster, client, {"users": [{"username": "ghost@example.com"}], "state": "absent", "missing": "fail"})
    assert strict["failed"] and "Not users of the organization: ghost@example.com" in strict["msg"]
    assert client.writes == []


@pytest.mark.parametrize("state", ["present", "absent"])
def test_an_unexpected_error_while_sending_keeps_the_report_of_what_was_applied(state, monkeypatch):
    from ansible_collections.contrast_security.identity.plugins.module_utils import roster

    def crashing_apply(client, the_plan, parallelism, redact=str, pool=None):
        the_plan["users"][0]["status"] = "ok"  # the first write went through, then something broke
        raise RuntimeError("worker pool died")
    monkeypatch.setattr(roster, "apply", crashing_apply)
    client = FakeClient([{"username": "a@example.com"}, {"username": "b@example.com"}, {"username": "keep@example.com"}])
    args = {"users": [{"username": "keep@example.com"}], "unlisted": "delete", "max_unlisted_percent": 100}
    if state == "absent":
        args = {"users": [{"username": "a@example.com"}, {"username": "b@example.com"}], "state": "absent"}
    result = run_module(contrast_roster, client, args)
    assert result["failed"] and result["summary"]["deleted"] == 1, result
    assert [(change["username"], change["status"]) for change in result["changes"]] == [
        ("a@example.com", "ok"), ("b@example.com", "failed")]
    assert result["changes"][1]["error"] == "not attempted or not known: RuntimeError: worker pool died"
    assert "Applied: delete a@example.com. Not applied: delete b@example.com" in result["msg"]


# ---- against the emulator: the plan takes members from the groups the listed users carry -----------------------

EMULATED_SEED = {
    "users": [{"username": "ada@example.com"}, {"username": "bo@example.com"}, {"username": "cy@example.com"}],
    "groups": [{"name": "Payments", "members": ["ada@example.com", "bo@example.com"]},
               {"name": "Platform", "members": ["bo@example.com"]}, {"name": "Empty", "members": []}],
}
# ada joins Platform, dee is created into Payments, bo leaves Payments (exact): the plan needs Payments' members.
EMULATED_ARGS = {
    "users": [{"username": "ada@example.com", "groups": ["Payments", "Platform"]},
              {"username": "bo@example.com", "groups": ["Platform"]},
              {"username": "dee@example.com", "first_name": "Dee", "last_name": "D", "role": "ROLE_VIEW", "groups": ["Payments"]}],
    "group_membership": "exact",
}


def _group_reads(requests_seen):
    """(method, the part of the path after the org) of every read of one group or of its members."""
    return [(method, path.split("/groups/", 1)[1]) for method, path in requests_seen if method == "GET" and "/groups/" in path]


@pytest.mark.parametrize("dialect, users_carry_groups", [("guide", True), ("guide", False), ("teamserver", True)])
def test_emulated_plan_reads_no_member_list_where_users_carry_groups(server, capsys, dialect, users_carry_groups):
    """Both references give a user its `groups` (TeamServer with expand=groups, which the listing asks for anyway; the
    emulator's guide with its user_groups switch): then the plan reads no member list, the write still reads the group
    right before it and back after it (issue 15), check mode reports the same changes without a write, and a second
    run is ok. Where users do not carry them, the plan reads each named group's members."""
    # The API user is not listed (the emulator's default): its own groups come from one profile read.
    reset(server, dict(EMULATED_SEED, dialect=dialect), **({"user_groups": True} if dialect == "guide" and users_carry_groups else {}))
    state_groups = control(server, "GET", "/state")["groups"]
    ids = dict((group["name"], str(group["group_id"])) for group in state_groups)
    named = sorted([ids["Payments"], ids["Platform"]])

    rc, checked = run_real(contrast_roster, server, EMULATED_ARGS, capsys, check_mode=True)
    assert rc == 0, checked["msg"]
    seen = logged_requests(server)
    assert writes(seen) == []
    plan_reads = _group_reads(seen)
    if users_carry_groups:
        assert plan_reads == []
        assert any(path.endswith("/ng/profile") for _method, path in seen)
    else:
        assert sorted(path for _method, path in plan_reads) == ["%s/users" % group_id for group_id in named]

    rc, real = run_real(contrast_roster, server, EMULATED_ARGS, capsys)
    assert rc == 0, real["msg"]
    seen = logged_requests(server)
    strip = ("status", "user_id")
    assert [dict((k, v) for k, v in change.items() if k not in strip) for change in checked["changes"]] == \
        [dict((k, v) for k, v in change.items() if k not in strip) for change in real["changes"]]
    assert checked["summary"] == real["summary"] and real["summary"]["memberships_removed"] == 1
    assert set(change["status"] for change in real["changes"]) == {"ok"}
    # Per written group: the read right before the write and the read-back after it (TeamServer's read before its
    # PUT is the group itself, which carries the members); plus, without users' groups, the plan's own read.
    before_write = "%s" if dialect == "teamserver" else "%s/users"
    expected = sorted([before_write % group_id for group_id in named] + ["%s/users" % group_id for group_id in named]
                      + ([] if users_carry_groups else ["%s/users" % group_id for group_id in named]))
    assert sorted(path for _method, path in _group_reads(seen)) == expected
    members = dict((group["name"], sorted(group["member_usernames"])) for group in control(server, "GET", "/state")["groups"])
    assert members == {"Payments": ["ada@example.com", "dee@example.com"], "Platform": ["ada@example.com", "bo@example.com"],
                       "Empty": []}

    rc, again = run_real(contrast_roster, server, EMULATED_ARGS, capsys)
    assert rc == 0 and again["changed"] is False and again["changes"] == []
    seen = logged_requests(server)
    assert writes(seen) == []
    assert len(_group_reads(seen)) == (0 if users_carry_groups else 2)


# ------------------------------------------------------------------ against the emulator, TeamServer dialect

TEAMSERVER_SEED = {
    "dialect": "teamserver",
    "users": [{"username": "ann@example.com", "role": "ROLE_VIEW"}],
    "groups": [{"name": "Apps", "members": []}],
    "other_org_users": ["olga.other@example.com"],  # has an account in another organization
}
TEAMSERVER_ROSTER = {"users": [
    {"username": "ann@example.com"},
    {"username": "olga.other@example.com", "first_name": "Olga", "last_name": "Grant", "role": "ROLE_EDIT",
     "api_only": False, "groups": ["Apps"]},
    {"username": "nina@example.com", "first_name": "Nina", "last_name": "New", "role": "ROLE_VIEW"},
], "parallelism": 3, "report_listed": True}


def test_a_login_of_another_org_is_added_and_brought_to_its_entry_with_every_id_reported(server, capsys):
    """TeamServer: the create of a login that has an account elsewhere is refused, the account is added
    (POST users/existing) and then edited to the entry's names and role, as contrast_user does. Check mode cannot
    know, and reports the same create. Every created user has its id in `changes`, group or not."""
    reset(server, TEAMSERVER_SEED, omitted_booleans_false=True)
    rc, checked = run_real(contrast_roster, server, TEAMSERVER_ROSTER, capsys, check_mode=True)
    assert rc == 0 and writes(logged_requests(server)) == []
    rc, real = run_real(contrast_roster, server, TEAMSERVER_ROSTER, capsys)
    assert rc == 0, real["msg"]
    seen = logged_requests(server)
    by_name = dict((change["username"], change) for change in real["changes"])
    olga, nina = by_name["olga.other@example.com"], by_name["nina@example.com"]
    # the same changes as check mode planned (parity), with ids, a status, and the added account said as such
    for planned, done in zip(checked["changes"], real["changes"]):
        assert dict(planned, user_id=done["user_id"], status="ok") == dict(
            (key, value) for key, value in done.items() if key != "added_existing")
    assert olga["added_existing"] is True and "added_existing" not in nina
    assert all("added_existing" not in change for change in checked["changes"])
    assert real["summary"] == checked["summary"] and real["summary"]["created"] == 2
    state = control(server, "GET", "/state")
    held = dict((user["username"], user) for user in state["users"])
    assert (held["olga.other@example.com"]["first_name"], held["olga.other@example.com"]["last_name"],
            held["olga.other@example.com"]["role"], held["olga.other@example.com"]["pending"]) == ("Olga", "Grant", "ROLE_EDIT", False)
    assert sorted(state["groups"][0]["member_usernames"]) == ["olga.other@example.com"]
    # every user that exists after the run has its id, in changes and in listed
    assert olga["user_id"] == held["olga.other@example.com"]["user_id"] and nina["user_id"] == held["nina@example.com"]["user_id"]
    assert all(entry["user_id"] for entry in real["listed"])
    user_writes = [(method, path.rsplit("/ng/", 1)[1].split("/", 1)[1]) for method, path in writes(seen) if "/groups" not in path]
    assert sorted(user_writes) == sorted([("POST", "users"), ("POST", "users"), ("POST", "users/existing"),
                                          ("PUT", "users/%s" % olga["user_id"])])
    rc, again = run_real(contrast_roster, server, TEAMSERVER_ROSTER, capsys)
    assert rc == 0 and again["changed"] is False and writes(logged_requests(server)) == []
