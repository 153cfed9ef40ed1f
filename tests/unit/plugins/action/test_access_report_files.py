# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""access_report_files: the report built by the filters' own functions, its three files written once, only the
summary and the paths returned."""

from __future__ import annotations

import json
import os
import stat

from ansible_collections.contrast_security.identity.plugins.action import access_report_files as A
from ansible_collections.contrast_security.identity.plugins.filter.access_report import build_report
from ansible_collections.contrast_security.identity.plugins.filter.access_report_csv import to_csv
from ansible_collections.contrast_security.identity.plugins.filter.access_report_html import to_html

NOW = "2026-10-01T00:00:00Z"
DAY = 86400000
NOW_MS = 1790812800000


def user(user_id, name, role="ROLE_EDIT", enabled=True, login_days=1, api_only=False):
    return {"user_id": user_id, "username": name, "email": name, "first_name": "F", "last_name": "L", "role": role,
            "enabled": enabled, "api_only": api_only, "protect_enabled": False, "date_created": NOW_MS - 400 * DAY,
            "last_login": NOW_MS - login_days * DAY, "groups": None}


USERS = [user("1", "alice@example.com"), user("2", "root@example.com", role="ROLE_ADMIN", login_days=200),
         user("3", "bot@example.com", role="ROLE_ADMIN", api_only=True)]
GROUPS = [{"group_id": 9, "name": "Payments", "members": [{"user_id": "1", "username": "alice@example.com"}]}]
OPTIONS = {"now": NOW, "org_uuid": "org-1", "api_user": "api@example.com"}


def test_writes_the_filters_output_and_returns_only_the_summary_and_paths(tmp_path):
    dest = str(tmp_path / "reports")
    result = A.build_and_write(USERS, GROUPS, OPTIONS, dest, "Review", fail_severity="high")
    expected = build_report(USERS, GROUPS, OPTIONS)
    assert result["changed"] is True
    assert set(result) == {"changed", "summary", "metadata", "files", "failing", "msg"}
    assert result["msg"].startswith("Access report of %d user(s)" % expected["summary"]["total_users"])
    assert result["files"]["html"] in result["msg"] and "\n" not in result["msg"]
    assert result["summary"] == expected["summary"] and result["metadata"] == expected["metadata"]
    with open(result["files"]["json"], encoding="utf-8") as handle:
        assert json.load(handle) == expected
    with open(result["files"]["csv"], encoding="utf-8", newline="") as handle:
        assert handle.read() == to_csv(expected)
    with open(result["files"]["html"], encoding="utf-8") as handle:
        assert handle.read() == to_html(expected, title="Review")
    for path in result["files"].values():
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o750
    high = [finding for finding in expected["findings"] if finding["severity"] == "high"]
    assert result["failing"] == {"severity": "high", "count": len(high), "codes": sorted(set(f["code"] for f in high)),
                                 "users": len(set(f["username"] for f in high))}
    assert result["failing"]["count"] == 2


def test_a_second_run_with_the_same_report_changes_nothing(tmp_path):
    dest = str(tmp_path)
    A.build_and_write(USERS, GROUPS, OPTIONS, dest, "Review")
    before = dict((name, os.stat(os.path.join(dest, name)).st_mtime_ns) for name in os.listdir(dest))
    again = A.build_and_write(USERS, GROUPS, OPTIONS, dest, "Review")
    assert again["changed"] is False
    assert dict((name, os.stat(os.path.join(dest, name)).st_mtime_ns) for name in os.listdir(dest)) == before
    changed = A.build_and_write(USERS[:2], GROUPS, OPTIONS, dest, "Review")
    assert changed["changed"] is True and changed["summary"]["total_users"] == 2
    assert sorted(os.listdir(dest)) == ["access-report.csv", "access-report.html", "access-report.json"]  # no temporary left


def test_from_variable_follows_the_dotted_path_and_refuses_what_is_not_a_list():
    task_vars = {"registered": {"users": USERS, "msg": "text"}}
    assert A.from_variable(task_vars, "registered.users") is USERS
    for dotted, message in (("missing.users", "no variable named"), ("registered.nope", "has no key"),
                            ("registered.msg", "is not a list")):
        try:
            A.from_variable(task_vars, dotted)
        except ValueError as err:
            assert message in str(err)
        else:
            raise AssertionError("%s was accepted" % dotted)
