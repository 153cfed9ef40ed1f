# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Roster planning and reporting, without a server."""

from __future__ import annotations

import difflib

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import roster as R
from ansible_collections.contrast_security.identity.plugins.module_utils import roster_report as RR
from ansible_collections.contrast_security.identity.plugins.module_utils.client import ContrastApiError


def user(user_id, username, role="ROLE_EDIT", enabled=True, first="F", last="L"):
    return {"user_id": user_id, "username": username, "email": username, "first_name": first, "last_name": last,
            "role": role, "enabled": enabled, "api_only": False, "protect_enabled": False}


USERS = [user("u1", "alice@example.com"), user("u2", "bob@example.com", enabled=False),
         user("u3", "carol@example.com", role="ROLE_VIEW"), user("u0", "api@example.com", role="ROLE_ADMIN"),
         user("u4", "break-glass@example.com", role="ROLE_ADMIN")]
GROUPS = [{"group_id": 1, "name": "Payments Team"}, {"group_id": 2, "name": "Platform"}]
MEMBERS = {1: [{"user_id": "u1", "username": "alice@example.com"}, {"user_id": "u3", "username": "carol@example.com"}],
           2: [{"user_id": "u4", "username": "break-glass@example.com"}]}


def options(**overrides):
    base = {"unlisted": "ignore", "protected": [], "max_unlisted_changes": 10, "allow_empty": False, "group_membership": "add"}
    base.update(overrides)
    return base


def actions(the_plan):
    return dict((change["username"], change["action"]) for change in the_plan["users"])


def test_plan_creates_updates_enables_and_leaves_the_rest():
    entries = [
        {"username": "Alice@example.com", "role": "ROLE_EDIT", "groups": ["Payments Team"]},   # unchanged
        {"username": "bob@example.com", "first_name": "Robert"},                              # enable + update
        {"username": "carol@example.com", "role": "ROLE_ADMIN"},                               # update
        {"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW", "groups": ["Platform"]},
    ]
    the_plan = R.plan(entries, options(), USERS, GROUPS, MEMBERS, api_username="api@example.com")
    assert actions(the_plan) == {"bob@example.com": "enable", "carol@example.com": "update", "new@example.com": "create"}
    bob = [change for change in the_plan["users"] if change["action"] == "enable"][0]
    assert bob["fields"] == {"first_name": "Robert", "enabled": True}
    create = [change for change in the_plan["users"] if change["action"] == "create"][0]
    assert create["fields"] == {"username": "new@example.com", "email": "new@example.com", "first_name": "N",
                                "last_name": "U", "role": "ROLE_VIEW"}
    # Alice is in Payments already; new@ goes into Platform by its future id; nobody removed with `add`.
    assert [(g["name"], g["added"], g["removed"]) for g in the_plan["groups"]] == [("Platform", ["new@example.com"], [])]
    assert the_plan["groups"][0]["member_ids"] == ["u4", "new:new@example.com"]

    summary, changes = RR.report(the_plan, check_mode=True, listed=[entry["username"] for entry in entries])
    assert summary == {"created": 1, "updated": 1, "enabled": 1, "disabled": 0, "deleted": 0, "unchanged": 1,
                       "memberships_added": 1, "memberships_removed": 0}
    assert [change["status"] for change in changes] == ["planned"] * 3
    diff = dict((one["before_header"].split()[0], one) for one in RR.diff_of(changes))
    assert diff["new@example.com"]["before_header"] == "new@example.com (create)"
    assert diff["new@example.com"]["before"] == ""
    assert "  group: Platform\n" in diff["new@example.com"]["after"]
    assert diff["carol@example.com"]["before"] == "  role: ROLE_VIEW\n"
    assert diff["carol@example.com"]["after"].startswith("  role: ")


def test_every_problem_is_listed_at_once():
    entries = [
        {"username": "alice@example.com"},
        {"username": "ALICE@example.com"},
        {"username": "not-an-email", "role": "ROLE_VIEW", "first_name": "x", "last_name": "y"},
        {"username": "x@example.com", "role": "ROLE_GOD", "first_name": "x", "last_name": "y"},
        {"username": "y@example.com", "first_name": "Y", "groups": ["payments team"]},
        {"username": "carol@example.com", "email": "other@example.com"},
    ]
    with pytest.raises(R.RosterError) as caught:
        R.plan(entries, options(), USERS, GROUPS, MEMBERS)
    text = str(caught.value)
    assert "duplicates users[0]" in text
    assert "'not-an-email' is not a valid email" in text
    assert "Unknown role 'ROLE_GOD'" in text and "ROLE_NO_ACCESS" in text
    assert "Close matches: 'Payments Team'" in text
    assert "y@example.com does not exist, and creating it needs last_name, role" in text
    assert "cannot be changed" in text
    assert len(caught.value.problems) == 6


def test_unlisted_disable_spares_the_api_user_protected_and_disabled_users():
    entries = [{"username": "alice@example.com"}]
    the_plan = R.plan(entries, options(unlisted="disable", protected=["BREAK-GLASS@*"]), USERS, GROUPS, MEMBERS,
                      api_username="api@example.com")
    assert actions(the_plan) == {"carol@example.com": "disable"}


def test_unlisted_delete():
    the_plan = R.plan([{"username": "alice@example.com"}], options(unlisted="delete"), USERS, GROUPS, MEMBERS,
                      api_username="api@example.com")
    assert actions(the_plan) == {"break-glass@example.com": "delete", "carol@example.com": "delete"}


def test_guard_against_a_truncated_roster():
    the_plan = R.plan([{"username": "alice@example.com"}], options(unlisted="disable", max_unlisted_changes=1), USERS, GROUPS,
                      MEMBERS, api_username="api@example.com")
    assert len(the_plan["guards"]) == 1
    assert "2 enabled users are not in the roster and would be disabled, more than max_unlisted_changes=1" in the_plan["guards"][0]


def org_of(count, admins=0):
    return [user("u%d" % index, "user%d@example.com" % index, role="ROLE_ADMIN" if index < admins else "ROLE_EDIT")
            for index in range(count)] + [user("api", "api@example.com", role="ROLE_ADMIN")]


def test_the_unlisted_guard_scales_with_the_org():
    """9 of 11 is under the count of 10 but most of the org: the share guard refuses it."""
    small = org_of(10)
    the_plan = R.plan([{"username": "user0@example.com"}], options(unlisted="delete"), small, GROUPS, {}, api_username="api@example.com")
    assert len(the_plan["users"]) == 9
    assert the_plan["guards"] == [
        "9 enabled users are not in the roster and would be deleted, 81% of 11, more than max_unlisted_percent=20. A truncated "
        "list looks like this; if it is intended, raise max_unlisted_percent (first few: user1@example.com, user2@example.com, "
        "user3@example.com, user4@example.com, user5@example.com)."]
    # Raised on purpose: no guard.
    assert "guards" not in R.plan([{"username": "user0@example.com"}], options(unlisted="delete", max_unlisted_percent=100),
                                  small, GROUPS, {}, api_username="api@example.com")
    # One or two changes never trip the share guard, whatever the org's size.
    tiny = org_of(2)
    assert "guards" not in R.plan([], options(unlisted="disable", allow_empty=True), tiny, GROUPS, {}, api_username="api@example.com")
    # A large org: 30 of 1000 is 3%, but more than the count.
    large = org_of(1000)
    entries = [{"username": "user%d@example.com" % index} for index in range(30, 1000)]
    the_plan = R.plan(entries, options(unlisted="disable"), large, GROUPS, {}, api_username="api@example.com")
    assert "more than max_unlisted_changes=10" in the_plan["guards"][0]
    assert "guards" not in R.plan(entries, options(unlisted="disable", max_unlisted_changes=30), large, GROUPS, {},
                                  api_username="api@example.com")


def test_membership_removal_guards():
    """exact on a one-entry roster must not empty a 257-member group in one write."""
    org = org_of(257)
    members = {1: [{"user_id": u["user_id"], "username": u["username"]} for u in org[:257]]}
    entries = [{"username": "user0@example.com", "groups": ["Payments Team"]}]
    the_plan = R.plan(entries, options(group_membership="exact"), org, GROUPS, members, api_username="api@example.com")
    assert the_plan["groups"][0]["removed"][:2] == ["user1@example.com", "user2@example.com"]
    assert "256 group memberships would be removed, more than max_membership_removals=10" in the_plan["guards"][0]
    assert "256 members would be removed from 'Payments Team', 99% of 257, more than max_membership_removal_percent=20" \
        in the_plan["guards"][1]
    # A share alone: 5 of 12 members.
    members = {1: members[1][:12]}
    the_plan = R.plan([{"username": "user%d@example.com" % index, "groups": ["Payments Team"]} for index in range(7)],
                      options(group_membership="exact"), org, GROUPS, members, api_username="api@example.com")
    assert [guard.split(",")[0] for guard in the_plan["guards"]] == ["5 members would be removed from 'Payments Team'"]
    assert "guards" not in R.plan([{"username": "user%d@example.com" % index, "groups": ["Payments Team"]} for index in range(7)],
                                  options(group_membership="exact", max_membership_removal_percent=50), org, GROUPS, members,
                                  api_username="api@example.com")


def test_the_api_user_is_never_demoted_and_losing_the_last_admin_warns():
    with pytest.raises(R.RosterError, match="Refusing to demote \\(to ROLE_VIEW\\) api@example.com"):
        R.plan([{"username": "api@example.com", "role": "ROLE_VIEW"}], options(), USERS, GROUPS, MEMBERS, api_username="api@example.com")
    # break-glass is the only enabled admin besides the API user: disabling it warns, by name.
    the_plan = R.plan([{"username": "alice@example.com"}, {"username": "carol@example.com"}], options(unlisted="disable"),
                      USERS, GROUPS, MEMBERS, api_username="api@example.com")
    assert actions(the_plan) == {"break-glass@example.com": "disable"}
    warning = R.admin_warning(the_plan, USERS, "api@example.com")
    assert "other than the API user api@example.com" in warning and "break-glass@example.com" in warning
    assert R.admin_warning(R.plan([{"username": "alice@example.com"}], options(), USERS, GROUPS, MEMBERS), USERS, "api@example.com") is None


@pytest.mark.parametrize("field,value", [("first_name", "Eve\u202e"), ("last_name", "a\nb"), ("username", "x\u2066@example.com"),
                                         ("email", "e\x00@example.com")])
def test_control_and_bidi_characters_are_refused(field, value):
    entry = {"username": "alice@example.com", field: value}
    with pytest.raises(R.RosterError, match="control or bidirectional-override characters"):
        R.plan([entry], options(), USERS, GROUPS, MEMBERS)


def test_empty_roster_with_unlisted_needs_allow_empty():
    with pytest.raises(R.RosterError, match="roster is empty"):
        R.plan([], options(unlisted="disable", max_unlisted_changes=100), USERS, GROUPS, MEMBERS)
    the_plan = R.plan([], options(unlisted="disable", max_unlisted_changes=100, allow_empty=True), USERS, GROUPS, MEMBERS,
                      api_username="api@example.com")
    assert set(actions(the_plan).values()) == {"disable"}


def test_empty_roster_with_ignore_changes_nothing():
    assert R.plan([], options(), USERS, GROUPS, MEMBERS) == {"users": [], "groups": []}


def test_exact_membership_removes_unlisted_members_but_not_protected_ones():
    entries = [{"username": "alice@example.com", "groups": ["Payments Team", "Platform"]}]
    the_plan = R.plan(entries, options(group_membership="exact", protected=["break-glass@example.com"]), USERS, GROUPS, MEMBERS)
    groups = dict((g["name"], (g["added"], g["removed"])) for g in the_plan["groups"])
    assert groups == {"Payments Team": ([], ["carol@example.com"]), "Platform": (["alice@example.com"], [])}
    summary, changes = RR.report(the_plan, check_mode=True, listed=["alice@example.com"])
    assert summary["memberships_added"] == 1 and summary["memberships_removed"] == 1
    assert dict((c["username"], c["action"]) for c in changes) == {"carol@example.com": "membership", "alice@example.com": "membership"}


class FakeClient:
    """Holds users and group members; records writes; fails those named in `fail`."""

    org_uuid = "org"
    added_existing = frozenset()  # no login of another organization here

    def __init__(self, fail=()):
        self.fail = set(fail)
        self.calls = []
        self.users = dict((u["user_id"], dict(u)) for u in USERS)
        self.members = dict((group_id, [m["user_id"] for m in members]) for group_id, members in MEMBERS.items())

    def _maybe_fail(self, what):
        self.calls.append(what)
        if what in self.fail:
            raise ContrastApiError("PUT", "/x", 503, detail="down")

    def create_user(self, fields, find=True):
        self._maybe_fail(("create", fields["username"]))
        user = dict(fields, user_id="id-" + fields["username"], enabled=True)
        self.users[user["user_id"]] = user
        return dict(user)

    def update_user(self, user_id, changes):
        self._maybe_fail(("update", user_id))
        self.users[user_id].update(changes)
        return dict(self.users[user_id])

    def get_user(self, user_id):
        return dict(self.users[user_id]) if user_id in self.users else None

    def delete_user(self, user_id):
        self._maybe_fail(("delete", user_id))
        return self.users.pop(user_id, None) is not None

    def list_group_members(self, group_id):
        return [{"user_id": user_id, "username": self.users[user_id]["username"]} for user_id in self.members.get(group_id, [])]

    def group_members_for_write(self, group_id):
        return self.list_group_members(group_id)

    def members_read_back(self, written, created_ids=()):
        return None  # each group read back on its own

    def set_group_members(self, group_id, user_ids):
        self._maybe_fail(("group", group_id))
        self.calls.append(("members", group_id, tuple(user_ids)))
        self.members[group_id] = list(user_ids)


def test_apply_completes_what_it_can_and_reports_what_failed():
    entries = [
        {"username": "carol@example.com", "role": "ROLE_ADMIN", "groups": ["Platform"]},
        {"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW", "groups": ["Platform"]},
        {"username": "bad@example.com", "first_name": "B", "last_name": "U", "role": "ROLE_VIEW", "groups": ["Platform"]},
    ]
    the_plan = R.plan(entries, options(), USERS, GROUPS, MEMBERS)
    client = FakeClient(fail={("create", "bad@example.com")})
    failures = R.apply(client, the_plan, parallelism=3)
    assert len(failures) == 1 and "create bad@example.com" in failures[0]
    # The group write went out without the user that could not be created, with the new user's real id.
    assert ("members", 2, ("u4", "u3", "id-new@example.com")) in client.calls
    summary, changes = RR.report(the_plan, check_mode=False, listed=[entry["username"] for entry in entries])
    status = dict((change["username"], change["status"]) for change in changes)
    assert status == {"carol@example.com": "ok", "new@example.com": "ok", "bad@example.com": "failed"}
    assert summary["created"] == 1 and summary["updated"] == 1 and summary["memberships_added"] == 2
    bad = [change for change in changes if change["username"] == "bad@example.com"][0]
    assert "HTTP 503" in bad["error"]


def test_apply_group_failure_marks_its_members():
    entries = [{"username": "alice@example.com", "groups": ["Platform"]}]
    the_plan = R.plan(entries, options(), USERS, GROUPS, MEMBERS)
    failures = R.apply(FakeClient(fail={("group", 2)}), the_plan, parallelism=1)
    assert failures and "group Platform" in failures[0]
    summary, changes = RR.report(the_plan, check_mode=False, listed=["alice@example.com"])
    assert changes[0]["status"] == "failed" and summary["memberships_added"] == 0


@pytest.mark.parametrize("name,patterns,expected", [
    ("a@partner.example.com", ["*@partner.example.com"], True),
    ("A@Partner.Example.com", ["*@partner.example.com"], True),
    ("a@example.com", ["*@partner.example.com"], False),
    ("svc-1@example.com", ["svc-?@example.com"], True),
])
def test_protected_patterns(name, patterns, expected):
    assert R.is_protected(name, patterns) is expected


def rendered_diff(diffs):
    """A list of diffs as `ansible-playbook --diff` prints text diffs: a unified diff each, headed by its headers.

    (The callback itself is controller code, which ansible-test does not let these tests import.)
    """
    return "".join("".join(difflib.unified_diff(diff["before"].splitlines(True), diff["after"].splitlines(True),
                                                "before: %s" % diff["before_header"], "after: %s" % diff["after_header"]))
                   for diff in diffs)


def test_the_diff_keeps_each_users_values_under_that_user():
    """Rendered as Ansible prints it, every changed line sits in its own user's block (one diff per user)."""
    changes = [
        {"username": "ann@example.com", "action": "update", "fields": {"role": {"before": "ROLE_VIEW", "after": "ROLE_EDIT"}},
         "groups_added": ["Payments"], "groups_removed": []},
        {"username": "cy@example.com", "action": "create", "fields": {"role": {"before": None, "after": "ROLE_VIEW"}},
         "groups_added": [], "groups_removed": []},
        {"username": "ben@example.com", "action": "disable", "fields": {"enabled": {"before": True, "after": False}},
         "groups_added": [], "groups_removed": ["Platform"]},
    ]
    text = rendered_diff(RR.diff_of(changes))
    blocks = dict((block.splitlines()[0].split(": ", 1)[1], block) for block in text.split("--- before")[1:])
    assert set(blocks) == {"ann@example.com (update)", "cy@example.com (create)", "ben@example.com (disable)"}
    assert "-  role: ROLE_VIEW\n+  role: ROLE_EDIT\n+  group: Payments\n" in blocks["ann@example.com (update)"]
    assert "+  role: ROLE_VIEW\n" in blocks["cy@example.com (create)"]
    assert "-  enabled: true\n-  group: Platform\n+  enabled: false\n" in blocks["ben@example.com (disable)"]


def test_apply_uses_one_thread_pool_for_the_whole_run_and_deletes_after_the_group_writes(monkeypatch):
    pools = []
    real_pool = R.ThreadPoolExecutor

    def counting_pool(*args, **kwargs):
        pools.append(kwargs.get("max_workers"))
        return real_pool(*args, **kwargs)
    monkeypatch.setattr(R, "ThreadPoolExecutor", counting_pool)
    entries = [{"username": "carol@example.com", "role": "ROLE_ADMIN", "groups": ["Platform"]},
               {"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW", "groups": ["Platform"]}]
    the_plan = R.plan(entries, options(unlisted="delete", protected=["api@example.com", "break-glass@example.com"]),
                      USERS, GROUPS, MEMBERS)
    assert set(actions(the_plan).values()) == {"update", "create", "delete"}
    client = FakeClient()
    assert R.apply(client, the_plan, parallelism=3) == []
    assert pools == [3]  # one pool, so each worker keeps its connection from phase to phase
    kinds = [call[0] for call in client.calls]
    assert kinds.index("members") > max(i for i, kind in enumerate(kinds) if kind in ("create", "update"))
    assert kinds.index("delete") > kinds.index("members")
