# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the access report's rules and summary (module_utils/report.py); the filters' own tests are in
tests/unit/plugins/filter/test_access_report.py."""

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import report as R
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import MS_PER_DAY, ROLES, SEVERITIES

NOW = 1790812800000  # 2026-10-01T00:00:00Z


def user(name, role="ROLE_EDIT", enabled=True, login_days=1, created_days=400, api_only=False, groups=("Team",)):
    return {"user_id": "id-" + name, "username": name + "@example.com", "email": name + "@example.com",
            "first_name": name.capitalize(), "last_name": "Tester", "enabled": enabled, "role": role,
            "groups": None if groups is None else list(groups), "api_only": api_only, "protect_enabled": False,
            "date_created": NOW - created_days * MS_PER_DAY,
            "last_login": None if login_days is None else NOW - login_days * MS_PER_DAY, "org_uuid": "org-1"}


def codes(report):
    return sorted((finding["code"], finding["username"].split("@")[0], finding["severity"]) for finding in report["findings"])


def test_each_rule_fires_for_its_case_only():
    users = [
        user("active"),
        user("idle", login_days=120),
        user("idleadmin", role="ROLE_ADMIN", login_days=120),
        user("pending", login_days=None, created_days=30),
        user("robot", role="ROLE_ADMIN", api_only=True),
        user("gone", enabled=False),
        user("lonely", groups=()),
    ]
    report = R.build_report(users, None, {"now": NOW})
    assert codes(report) == [
        ("ADMIN_REVIEW", "idleadmin", "info"),
        ("ADMIN_REVIEW", "robot", "info"),
        ("API_ONLY_ADMIN", "robot", "high"),
        ("DISABLED_IN_GROUPS", "gone", "medium"),
        ("INACTIVE_USER", "idle", "medium"),
        ("INACTIVE_USER", "idleadmin", "high"),  # an inactive admin is more urgent
        ("NO_GROUP", "lonely", "low"),
        ("STALE_INVITATION", "pending", "low"),
    ]
    assert [finding["severity"] for finding in report["findings"]] == sorted(
        (finding["severity"] for finding in report["findings"]), key=SEVERITIES.index)


def test_exempt_patterns_and_the_api_user_skip_only_the_inactivity_rules():
    users = [user("breakglass", role="ROLE_ADMIN", login_days=400), user("api", login_days=None, created_days=90)]
    report = R.build_report(users, None, {"now": NOW, "exempt": [" BREAK*@example.com"], "api_user": {"username": "api@example.com"}})
    assert codes(report) == [("ADMIN_REVIEW", "breakglass", "info")]
    rows = dict((row["username"], row) for row in report["users"])
    assert rows["breakglass@example.com"]["exempt"] and rows["api@example.com"]["is_api_user"]
    strict = R.build_report(users, None, {"now": NOW, "api_user": "api@example.com", "exempt_api_user": False})
    assert ("STALE_INVITATION", "api", "low") in codes(strict)


def test_summary_counts_every_role_status_bucket_and_severity():
    report = R.build_report([user("a"), user("b", enabled=False, login_days=500), user("c", login_days=None)], None, {"now": NOW})
    summary = report["summary"]
    assert list(summary["by_role"]) == list(ROLES) and summary["by_role"]["ROLE_EDIT"] == 3
    assert summary["by_status"] == {"active": 1, "invited-pending": 1, "disabled": 1}
    assert dict((item["bucket"], item["count"]) for item in summary["last_login_age"]) == {
        "never": 1, "<30d": 1, "30-90d": 0, "90-180d": 0, "180-365d": 0, ">365d": 1}
    assert list(summary["findings_by_severity"]) == list(SEVERITIES)
    assert summary["findings_total"] == len(report["findings"]) and summary["total_users"] == 3
    assert report["users"][0]["last_login_iso"] == "2026-09-30T00:00:00Z"  # the report's short ISO form


@pytest.mark.parametrize("users, groups, options, message", [
    ("everyone", None, None, "the input must be a list of users"),
    ([], None, {"colour": 1}, "unknown option"),
    ([], None, {"inactive_days": -1}, "inactive_days must be 0 or more"),
    ([], None, {"exempt": "svc-*"}, "exempt must be a list of strings"),
    ([], None, {"now": "yesterday"}, "now is not an ISO 8601 time"),
    ([], [{"name": "Team"}], None, "has no member list"),
])
def test_bad_input_raises_report_error(users, groups, options, message):
    with pytest.raises(R.ReportError, match=message):
        R.build_report(users, groups, options)


def test_report_error_is_a_value_error():
    assert issubclass(R.ReportError, ValueError)


def test_failing_findings_and_worst_severity_per_user():
    report = R.build_report([user("robot", role="ROLE_ADMIN", api_only=True), user("lonely", groups=())], None, {"now": NOW})
    assert R.failing_findings(report, "high") == {"severity": "high", "count": 1, "codes": ["API_ONLY_ADMIN"], "users": 1}
    assert R.failing_findings(report, "low")["count"] == 2
    assert R.failing_findings(report, "info")["codes"] == ["ADMIN_REVIEW", "API_ONLY_ADMIN", "NO_GROUP"]
    assert R.worst_severity_by_user(report["findings"]) == {"id-robot": "high", "id-lonely": "low"}
    assert R.worst_severity_by_user(None) == {}
