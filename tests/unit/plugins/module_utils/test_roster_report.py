# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of what a roster run tells (module_utils/roster_report.py); report and diff_of are also
exercised on real plans in test_roster.py."""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils import roster_report as RR


def change(username, action, user_id=None, status=None, **fields):
    result = {"username": username, "action": action, "user_id": user_id, "fields": fields,
              "before": {}, "after": dict(fields)}
    if status:
        result["status"] = status
    return result


def test_report_counts_and_folds_memberships():
    the_plan = {"users": [change("new@example.com", "create", role="ROLE_EDIT"), change("old@example.com", "delete", "7")],
                "groups": [{"name": "Ops", "added": ["new@example.com", "kim@example.com"], "removed": []}]}
    summary, changes = RR.report(the_plan, True, listed=["new@example.com", "Kim@example.com ", "same@example.com"])
    assert summary == {"created": 1, "updated": 0, "enabled": 0, "disabled": 0, "deleted": 1, "unchanged": 1,
                       "memberships_added": 2, "memberships_removed": 0}
    assert [(entry["username"], entry["action"], entry["groups_added"]) for entry in changes] == [
        ("new@example.com", "create", ["Ops"]), ("old@example.com", "delete", []), ("kim@example.com", "membership", ["Ops"])]
    assert set(entry["status"] for entry in changes) == {"planned"}


def test_summary_message():
    nothing = dict.fromkeys(RR.SUMMARY_KEYS, 0)
    assert RR.summary_message(dict(nothing, unchanged=4), True) == "The organization matches the roster (4 listed user(s) unchanged)."
    some = dict(nothing, created=1, disabled=2, memberships_removed=3, unchanged=5)
    assert RR.summary_message(some, True) == "Would change: 1 created, 2 disabled; 3 membership(s) removed; 5 unchanged."
    assert RR.summary_message(some, False).startswith("Changed: ")


def test_listed_users_after_the_run():
    users = [{"username": "Ann@example.com", "user_id": "1", "enabled": False}]
    the_plan = {"users": [change("Ann@example.com", "enable", "1", "ok", enabled=True),
                          change("new@example.com", "create", "9", "ok"), change("bad@example.com", "create", None, "failed")]}
    entries = [{"username": "ann@example.com"}, {"username": "new@example.com "}, {"username": "ANN@example.com"},
               {"username": "bad@example.com"}]
    assert RR.listed_users(entries, users, the_plan) == [
        {"username": "Ann@example.com", "user_id": "1", "enabled": True},
        {"username": "new@example.com", "user_id": "9", "enabled": True},
        {"username": "bad@example.com", "user_id": None, "enabled": None},
    ]


def test_listed_leavers():
    found = [{"username": "a@example.com", "user_id": "1", "enabled": True},
             {"username": "b@example.com", "user_id": "2", "enabled": True}]
    deleting = {"users": [change("a@example.com", "delete", "1", "ok"), change("b@example.com", "delete", "2", "failed")]}
    assert RR.listed_leavers(found, deleting, "absent") == [
        {"username": "a@example.com", "user_id": "1", "enabled": None},
        {"username": "b@example.com", "user_id": "2", "enabled": True},
    ]
    assert [user["enabled"] for user in RR.listed_leavers(found, {"users": []}, "disabled")] == [False, False]
