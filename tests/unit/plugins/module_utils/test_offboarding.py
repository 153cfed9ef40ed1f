# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning the departure of listed users (contrast_roster state=disabled/absent), without a server."""

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import offboarding as O
from ansible_collections.contrast_security.identity.plugins.module_utils import roster as R
from ansible_collections.contrast_security.identity.plugins.module_utils import roster_report as RR


def user(user_id, username, enabled=True):
    return {"user_id": user_id, "username": username, "email": username, "role": "ROLE_EDIT", "enabled": enabled}


USERS = [user("u1", "alice.leaving@example.com"), user("u2", "bob.staying@example.com"),
         user("u3", "carol.disabled@example.com", enabled=False)]
GROUPS = [{"group_id": 1, "name": "Payments"}, {"group_id": 2, "name": "Platform"}, {"group_id": 3, "name": "Security"}]
MEMBERS = {1: [{"user_id": "u1", "username": "alice.leaving@example.com"}, {"user_id": "u2", "username": "bob.staying@example.com"}],
           2: [{"user_id": "u1", "username": "alice.leaving@example.com"}, {"user_id": "u3", "username": "carol.disabled@example.com"}],
           3: [{"user_id": "u2", "username": "bob.staying@example.com"}]}
NAMES = ["alice.leaving@example.com", "CAROL.disabled@example.com", "ghost@example.com", "Alice.Leaving@example.com"]


def test_disable_and_leave_groups():
    planned = O.plan_leavers(NAMES, "disabled", True, False, USERS, GROUPS, MEMBERS, api_username="api@example.com")
    the_plan = planned["plan"]
    assert [(c["username"], c["action"]) for c in the_plan["users"]] == [("alice.leaving@example.com", "disable")]
    assert [(g["name"], g["member_ids"], g["removed"]) for g in the_plan["groups"]] == [
        ("Payments", ["u2"], ["alice.leaving@example.com"]),
        ("Platform", [], ["alice.leaving@example.com", "carol.disabled@example.com"])]
    assert [u["username"] for u in planned["found"]] == ["alice.leaving@example.com", "carol.disabled@example.com"]
    assert planned["not_found"] == ["ghost@example.com"]
    summary, changes = RR.report(the_plan, check_mode=True)
    assert summary["disabled"] == 1 and summary["memberships_removed"] == 3
    assert dict((c["username"], c["action"]) for c in changes) == {
        "alice.leaving@example.com": "disable", "carol.disabled@example.com": "membership"}


def test_without_leave_groups_no_group_is_touched():
    planned = O.plan_leavers(NAMES, "disabled", False, False, USERS, GROUPS, MEMBERS)
    assert planned["plan"]["groups"] == []


def test_delete_plans_every_found_user_even_a_disabled_one():
    planned = O.plan_leavers(NAMES, "absent", True, False, USERS, GROUPS, MEMBERS)
    assert [(c["username"], c["action"]) for c in planned["plan"]["users"]] == [
        ("alice.leaving@example.com", "delete"), ("carol.disabled@example.com", "delete")]
    assert len(planned["plan"]["groups"]) == 2


def test_unknown_login_warns_with_the_closest_existing_logins():
    planned = O.plan_leavers(["Alice.Leavng@example.com"], "disabled", True, False, USERS, GROUPS, MEMBERS)
    assert planned["plan"] == {"users": [], "groups": []}
    assert planned["warnings"] == ["Alice.Leavng@example.com is not a user of the organization (nothing to do for it). "
                                   "Closest existing logins: alice.leaving@example.com."]


@pytest.mark.parametrize("names, strict, expected", [
    (["bob.staying@example.com", "ghost@example.com"], True, "Not users of the organization: ghost@example.com."),
    (["bob.staying@example.com", "API@example.com"], False, "api@example.com is the API user whose keys this run uses"),
])
def test_refusals_before_any_write(names, strict, expected):
    with pytest.raises(R.RosterError) as caught:
        O.plan_leavers(names, "disabled", True, strict, USERS, GROUPS, MEMBERS, api_username="api@example.com")
    assert any(expected in problem for problem in caught.value.problems)
