# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""contrast_group_membership: check mode predicts the real run; unknown users fail before any write."""

from __future__ import annotations

import copy
import difflib
import random
import time
from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.contrast_security.identity.plugins.modules import contrast_group_membership
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import FakeClient, run_module

USERS = [{"username": "user%d@example.com" % index, "user_id": "u%d" % index} for index in range(6)]


def random_case(rng):
    groups = [{"name": name, "members": [user["username"] for user in USERS if rng.random() < 0.4]}
              for name in ("Payments Team", "Platform")]
    # The removal guards refuse the real run but only warn in check mode: off here (tested on their own).
    args = {"group": rng.choice(["Payments Team", "Platform"]), "state": rng.choice(["present", "absent", "exact"]),
            "max_removals": 100, "max_removal_percent": 100}
    chosen = [user for user in USERS if rng.random() < 0.4]
    if rng.random() < 0.7:
        args["users"] = [user["username"].upper() if rng.random() < 0.2 else user["username"] for user in chosen]
    else:
        args["user_ids"] = [user["user_id"] for user in chosen]
    if rng.random() < 0.15:
        args.setdefault("users", []).append("ghost@example.com")
        args["missing_users"] = rng.choice(["fail", "ignore"])
    return groups, args


@pytest.mark.parametrize("seed", range(120))
def test_check_mode_predicts_the_real_run(seed):
    rng = random.Random(seed)
    groups, args = random_case(rng)
    checked_client, real_client = FakeClient(USERS, groups), FakeClient(copy.deepcopy(USERS), copy.deepcopy(groups))

    checked = run_module(contrast_group_membership, checked_client, args, check_mode=True)
    real = run_module(contrast_group_membership, real_client, args)

    assert checked_client.writes == []
    assert checked.get("failed") == real.get("failed")
    if real.get("failed"):
        assert checked["msg"] == real["msg"] and real_client.writes == []
        return
    for key in ("changed", "diff", "members", "added", "removed", "missing", "group"):
        assert checked[key] == real[key], key
    assert len(real_client.writes) == (1 if real["changed"] else 0)
    group = [group for group in real_client.groups.values() if group["name"] == args["group"]][0]
    assert sorted(real_client.users[user_id]["username"] for user_id in group["members"]) == real["members"]

    again = run_module(contrast_group_membership, real_client, args)
    assert again["changed"] is False and again["added"] == [] and again["removed"] == []


def test_thousands_of_unknown_users_fail_fast_listing_them_without_writes():
    client = FakeClient(USERS, [{"name": "Platform", "members": []}])
    ghosts = ["ghost%05d@example.com" % index for index in range(5000)]
    started = time.monotonic()
    result = run_module(contrast_group_membership, client, {"group": "Platform", "users": ghosts + ["user1@example.com"]})
    assert time.monotonic() - started < 5
    assert result["failed"] and "Nothing was changed" in result["msg"]
    assert result["missing"] == ghosts
    assert client.writes == []


def test_a_lost_membership_answer_is_read_back_and_counted_done():
    client = FakeClient(USERS, [{"name": "Platform", "members": []}])
    client.lose.add(("members", 1))
    with mock.patch.object(basic.AnsibleModule, "warn") as warn:
        result = run_module(contrast_group_membership, client, {"group": "Platform", "users": ["user1@example.com"]})
    assert not result.get("failed") and result["changed"] is True and result["added"] == ["user1@example.com"]
    assert "/groups/1/users" in warn.call_args[0][0] and "in place" in warn.call_args[0][0]


def test_a_refused_membership_write_fails_with_the_request_named():
    client = FakeClient(USERS, [{"name": "Platform", "members": []}])
    client.refuse.add(("members", 1))
    result = run_module(contrast_group_membership, client, {"group": "Platform", "users": ["user1@example.com"]})
    assert result["failed"] and "PUT /ng/" in result["msg"] and "/groups/1/users" in result["msg"]
    assert client.groups[1]["members"] == []


def rendered_diff(diff):
    """The diff as a unified diff of `before` and `after`, which is how `ansible-playbook --diff` shows text.

    (The callback itself is controller code, which ansible-test does not let a module's tests import.)
    """
    return "".join(difflib.unified_diff(diff["before"].splitlines(True), diff["after"].splitlines(True),
                                        diff.get("before_header", "before"), diff.get("after_header", "after")))


def test_the_diff_marks_only_who_joins_and_the_message_says_it_in_one_line():
    client = FakeClient(USERS, [{"name": "Platform", "members": ["user0@example.com", "user1@example.com"]}])
    result = run_module(contrast_group_membership, client, {"group": "Platform", "users": ["user5@example.com"]})
    changed_lines = [line for line in rendered_diff(result["diff"]).splitlines()
                     if line[:1] in ("+", "-") and not line.startswith(("---", "+++"))]
    # As JSON, the old last member would show as removed and added again (it gains a trailing comma).
    assert changed_lines == ["+user5@example.com"]
    assert result["msg"] == "Changed Platform: added user5@example.com; 3 member(s) now."
    assert "\n" not in result["msg"]
    again = run_module(contrast_group_membership, client, {"group": "Platform", "users": ["user5@example.com"]})
    assert again["msg"] == "Platform already has the wanted members (3)."
    assert rendered_diff(again["diff"]) == ""
