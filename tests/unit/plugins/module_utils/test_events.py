# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The event source's diff (module_utils/events.py): canonical users in, events out; then the watcher
against the emulator, in both dialects, over real HTTP."""

from __future__ import annotations

import math

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils.events import (
    EVENT_TYPES,
    OrganizationWatcher,
    PollingClient,
    Snapshot,
    diff_snapshots,
    invitation_pending,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.users import normalize_user
from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import control, serve, state_user

requests = pytest.importorskip("requests")

ORG = "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"


def user(user_id, **fields):
    raw = {"user_id": user_id, "username": "%s@example.com" % user_id, "enabled": True, "role": "ROLE_VIEW",
           "date_created": 1700000000000, "last_login": None}
    raw.update(fields)
    groups = raw.pop("groups", None)
    return normalize_user(raw, org_uuid=ORG, groups=groups)


def snap(*users, pending=None, groups_known=True):
    return Snapshot(list(users), pending=pending, groups_known=groups_known)


def kinds(events):
    return [(event["type"], event["user"]["username"] if event["user"] else None) for event in events]


# ------------------------------------------------------------------------------- the diff

def test_no_change_no_event():
    before = snap(user("a", groups=["G"]), user("b"))
    after = snap(user("a", groups=["G"]), user("b"))
    assert diff_snapshots(before, after) == []


def test_user_created_invited_is_not_jit_and_carries_the_canonical_user():
    new = user("n", role="ROLE_EDIT", groups=[])
    events = diff_snapshots(snap(user("a")), snap(user("a"), new, pending={"n": True}))
    assert events == [{"type": "user_created", "user": new, "jit": False, "invitation_pending": True, "admin_granted": False}]


def test_user_created_logged_in_without_pending_invitation_looks_jit():
    new = user("j", last_login=1760000000000)
    for pending in (False, None):  # None: the dialect does not show invitations (the guide)
        (event,) = diff_snapshots(snap(), snap(new, pending={"j": pending}))
        assert event["type"] == "user_created" and event["jit"] is True and event["invitation_pending"] is pending
    # logged in but still pending cannot be a JIT account (the API says the invitation waits)
    (event,) = diff_snapshots(snap(), snap(new, pending={"j": True}))
    assert event["jit"] is False


def test_user_created_as_admin_grants_admin():
    (event,) = diff_snapshots(snap(), snap(user("x", role="ROLE_ADMIN")))
    assert event["type"] == "user_created" and event["admin_granted"] is True


def test_user_deleted_carries_the_last_known_user():
    gone = user("g", role="ROLE_EDIT", groups=["Payments"])
    assert diff_snapshots(snap(user("a"), gone), snap(user("a"))) == [{"type": "user_deleted", "user": gone}]


def test_user_disabled_and_enabled():
    assert kinds(diff_snapshots(snap(user("a")), snap(user("a", enabled=False)))) == [("user_disabled", "a@example.com")]
    assert kinds(diff_snapshots(snap(user("a", enabled=False)), snap(user("a")))) == [("user_enabled", "a@example.com")]


@pytest.mark.parametrize("old, new, granted, revoked", [
    ("ROLE_VIEW", "ROLE_ADMIN", True, False),
    ("ROLE_ADMIN", "ROLE_EDIT", False, True),
    ("ROLE_EDIT", "ROLE_RULES_ADMIN", False, False),
])
def test_role_changed_from_to_and_admin_flags(old, new, granted, revoked):
    (event,) = diff_snapshots(snap(user("a", role=old)), snap(user("a", role=new)))
    assert event["type"] == "role_changed" and event["from"] == old and event["to"] == new
    assert event["admin_granted"] is granted and event["admin_revoked"] is revoked
    assert event["user"]["role"] == new


def test_groups_changed_added_and_removed():
    (event,) = diff_snapshots(snap(user("a", groups=["A", "B"])), snap(user("a", groups=["B", "C", "D"])))
    assert event["type"] == "groups_changed" and event["added"] == ["C", "D"] and event["removed"] == ["A"]


def test_groups_not_compared_when_a_poll_did_not_read_them():
    with_groups = snap(user("a", groups=["A"]))
    without_groups = snap(user("a"), groups_known=False)
    assert diff_snapshots(with_groups, without_groups) == []
    assert diff_snapshots(without_groups, with_groups) == []


def test_invitation_accepted_only_when_the_dialect_shows_it():
    (event,) = diff_snapshots(snap(user("a"), pending={"a": True}), snap(user("a"), pending={"a": False}))
    assert event["type"] == "invitation_accepted"
    assert diff_snapshots(snap(user("a"), pending={"a": None}), snap(user("a"), pending={"a": None})) == []


def test_first_login():
    events = diff_snapshots(snap(user("a")), snap(user("a", last_login=1760000000000)))
    assert kinds(events) == [("first_login", "a@example.com")]
    # a later login is no event (polls would report every login otherwise)
    assert diff_snapshots(snap(user("a", last_login=1)), snap(user("a", last_login=2))) == []


def test_several_changes_of_one_user_each_once_in_order():
    before = snap(user("a", groups=["A"]), pending={"a": True})
    after = snap(user("a", enabled=False, role="ROLE_ADMIN", groups=[], last_login=5), pending={"a": False})
    assert [event["type"] for event in diff_snapshots(before, after)] == [
        "user_disabled", "role_changed", "groups_changed", "invitation_accepted", "first_login"]


def test_every_event_kind_is_covered_by_the_diff_or_the_watcher():
    assert set(EVENT_TYPES) == {"snapshot", "user_created", "user_deleted", "user_enabled", "user_disabled", "role_changed",
                                "groups_changed", "invitation_accepted", "first_login", "poll_failed"}


@pytest.mark.parametrize("raw, expected", [
    ({"user_id": "a", "username": "a@example.com"}, None),  # the guide: not shown
    ({"user_uid": "a", "status_description": "Waiting for activation"}, True),
    ({"user_uid": "a", "status_description": "Active"}, False),
    ({"user_uid": "a", "signup": {"signup_date": 1, "accept_terms": False}}, True),
    ({"user_uid": "a", "pending": False}, False),
])
def test_invitation_pending_from_each_shape(raw, expected):
    assert invitation_pending(raw) is expected


# ------------------------------------------------------------------------------- the watcher, over HTTP

SEED = {
    "users": [
        {"username": "alice@example.com", "role": "ROLE_ADMIN", "last_login": 1710000000000},
        {"username": "bob@example.com", "role": "ROLE_EDIT", "last_login": 1710000000000},
        {"username": "carol@example.com", "role": "ROLE_VIEW"},
        {"username": "dave@example.com", "role": "ROLE_VIEW", "pending": True},
    ],
    "groups": [{"name": "Payments", "members": ["alice@example.com", "bob@example.com"]}, {"name": "Platform", "members": []}],
}


emulator = serve()


def user_id_of(emulator, username):
    return state_user(emulator, username)["user_id"]


def watcher_for(emulator, dialect, retries=0, **kwargs):
    client = PollingClient(emulator.contrast_url, "api.admin@example.com", "TEST-SERVICE-KEY-5f3a9c", "TEST-API-KEY-7d2b4e",
                           ORG, retries=retries, dialect=dialect, backoff_base=0.0)
    return OrganizationWatcher(client, **kwargs)


@pytest.fixture(params=["guide", "teamserver"])
def dialect(request, emulator):
    control(emulator, "POST", "/reset", dict(SEED, dialect=request.param))
    return request.param


def test_watcher_baseline_then_each_change_once(emulator, dialect):
    watcher = watcher_for(emulator, "auto")
    (baseline,) = watcher.poll()
    assert baseline["type"] == "snapshot" and baseline["count"] == 4 and baseline["admins"] == ["alice@example.com"]
    assert baseline["org_uuid"] == ORG and baseline["detected_at"].endswith("Z")
    assert watcher.poll() == []

    bob, carol, dave = (user_id_of(emulator, name) for name in ("bob@example.com", "carol@example.com", "dave@example.com"))
    control(emulator, "POST", "/users", {"username": "jit@example.com", "last_login": 1760000000000, "groups": ["Platform"]})
    control(emulator, "PATCH", "/users/" + bob, {"role": "ROLE_ADMIN", "enabled": False})
    control(emulator, "PATCH", "/users/" + carol, {"last_login": 1760000000000})
    control(emulator, "POST", "/users/%s/accept" % dave)
    events = watcher.poll()
    summary = sorted((event["type"], event["user"]["username"]) for event in events)
    expected = [("first_login", "carol@example.com"), ("role_changed", "bob@example.com"),
                ("user_created", "jit@example.com"), ("user_disabled", "bob@example.com")]
    if dialect == "teamserver":  # the only dialect whose user reads show a pending invitation
        expected.insert(1, ("invitation_accepted", "dave@example.com"))
    assert summary == expected
    created = next(event for event in events if event["type"] == "user_created")
    assert created["jit"] is True and created["user"]["groups"] == ["Platform"] and created["user"]["role"] == "ROLE_VIEW"
    role = next(event for event in events if event["type"] == "role_changed")
    assert (role["from"], role["to"], role["admin_granted"]) == ("ROLE_EDIT", "ROLE_ADMIN", True)
    assert role["user"]["enabled"] is False and role["user"]["groups"] == ["Payments"]
    assert watcher.poll() == []  # each change once

    # groups and deletion
    payments = next(group for group in control(emulator, "GET", "/state")["groups"] if group["name"] == "Payments")
    watcher.client.set_group_members(payments["group_id"], [user_id_of(emulator, "alice@example.com")])
    watcher.client.delete_user(carol)
    events = watcher.poll()
    assert sorted((event["type"], event["user"]["username"]) for event in events) == [
        ("groups_changed", "bob@example.com"), ("user_deleted", "carol@example.com")]
    changed = next(event for event in events if event["type"] == "groups_changed")
    assert changed["added"] == [] and changed["removed"] == ["Payments"]


def test_invited_user_is_not_jit(emulator, dialect):
    watcher = watcher_for(emulator, dialect)
    watcher.poll()
    watcher.client.create_user({"username": "new@example.com", "email": "new@example.com", "first_name": "N",
                                "last_name": "U", "role": "ROLE_EDIT"})
    (event,) = watcher.poll()
    assert event["type"] == "user_created" and event["jit"] is False
    assert event["invitation_pending"] is (True if dialect == "teamserver" else None)


def test_failed_polls_never_report_deletions_and_raise_one_poll_failed(emulator, dialect):
    watcher = watcher_for(emulator, dialect, retries=1, failures_before_event=3)
    watcher.poll()
    control(emulator, "POST", "/faults", {"rules": [{"kind": "status", "status": 503, "count": -1, "path": "/users$"}]})
    results = [watcher.poll() for _attempt in range(5)]
    control(emulator, "DELETE", "/faults")
    assert results[0] == results[1] == results[3] == results[4] == []
    (failed,) = results[2]
    assert failed["type"] == "poll_failed" and failed["failures"] == 3 and "503" in failed["reason"]
    assert failed["user"] is None
    for secret in ("TEST-SERVICE-KEY-5f3a9c", "TEST-API-KEY-7d2b4e"):
        assert secret not in repr(failed)
    assert watcher.poll() == []  # recovered: the baseline is intact, nobody was "deleted"
    assert watcher.failures == 0


def test_a_listing_cut_short_reports_no_deletion(emulator, dialect, monkeypatch):
    watcher = watcher_for(emulator, dialect)
    watcher.poll()
    real = PollingClient.list_users
    monkeypatch.setattr(watcher.client, "list_users", lambda page_size=100: real(watcher.client, page_size)[:2])
    assert watcher.poll() == []  # the two missing users were read by id: still there
    carol = user_id_of(emulator, "carol@example.com")
    watcher.client.delete_user(carol)
    events = watcher.poll()
    assert [(event["type"], event["user"]["username"]) for event in events] == [("user_deleted", "carol@example.com")]


@pytest.mark.parametrize("watch_groups", [True, False])
def test_one_poll_costs_the_user_pages_plus_the_group_reads(emulator, dialect, watch_groups):
    control(emulator, "POST", "/reset", {"generate": {"users": 230, "groups": 3, "seed": 7}, "dialect": dialect})
    watcher = watcher_for(emulator, dialect, page_size=100, watch_groups=watch_groups)
    watcher.poll()
    control(emulator, "DELETE", "/requests")
    assert watcher.poll() == []
    log = control(emulator, "GET", "/requests")
    paths = [entry["path"] for entry in log["requests"]]
    assert all(entry["method"] == "GET" for entry in log["requests"])
    user_pages = sum(1 for path in paths if path.endswith("/users") and "/groups/" not in path)
    assert user_pages == math.ceil(230 / 100)
    group_reads = len(paths) - user_pages
    if not watch_groups:
        assert group_reads == 0
    elif dialect == "teamserver":
        # the group list, and the API user's own groups from its profile (it is not listed); every listed user
        # carries its groups (expand=groups): no member list is read
        assert group_reads == 1 + 1
    else:
        state = control(emulator, "GET", "/state")
        member_pages = sum(max(math.ceil(len(group["members"]) / 100), 1) for group in state["groups"])
        assert group_reads == 1 + member_pages
    assert watcher.last_poll_requests == len(paths)


def test_any_failure_keeps_the_baseline_and_its_reason_is_redacted(emulator, dialect, monkeypatch):
    watcher = watcher_for(emulator, dialect, failures_before_event=1)
    watcher.poll()

    def broken(page_size=100):
        raise RuntimeError("unexpected answer from a proxy echoing TEST-SERVICE-KEY-5f3a9c and TEST-API-KEY-7d2b4e")

    monkeypatch.setattr(watcher.client, "list_users", broken)
    (failed,) = watcher.poll()
    assert failed["type"] == "poll_failed" and "unexpected answer" in failed["reason"]
    assert "TEST-SERVICE-KEY-5f3a9c" not in failed["reason"] and "TEST-API-KEY-7d2b4e" not in failed["reason"]
    assert watcher.poll() == []  # the second failure in the same run raises no second event
    monkeypatch.undo()
    assert watcher.poll() == [] and watcher.failures == 0
