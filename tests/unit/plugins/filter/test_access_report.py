# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the access_report, access_report_csv and access_report_html filters."""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import time
from html.parser import HTMLParser

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.contrast_security.identity.plugins.filter import access_report as AR
from ansible_collections.contrast_security.identity.plugins.filter import access_report_csv as ARC
from ansible_collections.contrast_security.identity.plugins.filter import access_report_html as ARH
from ansible_collections.contrast_security.identity.plugins.module_utils import report_render as RR

DAY = 86400 * 1000
NOW = 1790812800000  # 2026-10-01T00:00:00Z
NOW_ISO = "2026-10-01T00:00:00Z"
ORG = "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"
COLLECTION_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SCHEMA = os.path.join(COLLECTION_ROOT, "roles", "audit", "files", "access-report.schema.json")


def user(name, role="ROLE_EDIT", enabled=True, login_days=1, created_days=400, api_only=False, groups=None, **extra):
    """A canonical user (as contrast_user_info returns it); ages in days before NOW (None: never)."""
    username = name if "@" in name else name + "@example.com"
    result = {
        "user_id": "id-" + username.split("@", 1)[0],
        "username": username,
        "email": username,
        "first_name": name.split("@", 1)[0].split(".")[0].capitalize(),
        "last_name": "Tester",
        "enabled": enabled,
        "role": role,
        "groups": groups,
        "api_only": api_only,
        "protect_enabled": False,
        "date_created": None if created_days is None else NOW - created_days * DAY,
        "last_login": None if login_days is None else NOW - login_days * DAY,
        "date_created_iso": None,
        "last_login_iso": None,
        "org_uuid": ORG,
    }
    result.update(extra)
    return result


def group(name, *members, group_id=None):
    return {"group_id": group_id if group_id is not None else abs(hash(name)) % 1000, "name": name, "description": None,
            "members": [{"user_id": member["user_id"], "username": member["username"]} for member in members]}


def report(users, groups=(), **options):
    options.setdefault("now", NOW)
    return AR.build_report(users, None if groups is None else list(groups), options)


def codes(result, username):
    return sorted(finding["code"] for finding in result["findings"] if finding["username"] == username)


def row(result, username):
    return next(item for item in result["users"] if item["username"] == username)


def in_group(*users):
    """Users plus one group holding all of them (so that NO_GROUP stays quiet)."""
    return list(users), [group("Everyone", *users)]


# ------------------------------------------------------------------------------------- statuses
@pytest.mark.parametrize("enabled, login_days, expected", [
    (True, 3, "active"),
    (True, None, "invited-pending"),
    (False, None, "disabled"),
    (False, 3, "disabled"),
])
def test_status_inference(enabled, login_days, expected):
    users, groups = in_group(user("jane", enabled=enabled, login_days=login_days))
    assert row(report(users, groups), "jane@example.com")["status"] == expected


# ------------------------------------------------------------------------------------- findings
@pytest.mark.parametrize("days, found", [(89, False), (90, True), (91, True), (3000, True)])
def test_inactive_user_at_the_threshold(days, found):
    users, groups = in_group(user("old", login_days=days))
    result = report(users, groups)
    assert codes(result, "old@example.com") == (["INACTIVE_USER"] if found else [])
    if found:
        finding = result["findings"][0]
        assert finding["severity"] == "medium"
        assert "%d days" % days in finding["reason"] and "90 days" in finding["reason"]
        assert finding["id"] == "INACTIVE_USER:id-old"


def test_inactive_admin_is_high_and_also_listed_for_review():
    users, groups = in_group(user("boss", role="ROLE_ADMIN", login_days=200))
    result = report(users, groups)
    severities = {finding["code"]: finding["severity"] for finding in result["findings"]}
    assert severities == {"INACTIVE_USER": "high", "ADMIN_REVIEW": "info"}


def test_inactive_days_option_and_never_logged_in_is_not_inactive():
    users, groups = in_group(user("a", login_days=31), user("b", login_days=None, created_days=1))
    result = report(users, groups, inactive_days=30)
    assert codes(result, "a@example.com") == ["INACTIVE_USER"]
    assert codes(result, "b@example.com") == []  # never logged in: that is the pending rule's business
    assert result["metadata"]["thresholds"]["inactive_days"] == 30


def test_disabled_users_are_never_inactive():
    users, groups = in_group(user("gone", enabled=False, login_days=900))
    result = report(users, [])
    assert "INACTIVE_USER" not in codes(result, "gone@example.com")


@pytest.mark.parametrize("created, found", [(13, False), (14, True), (400, True)])
def test_stale_invitation_at_the_threshold(created, found):
    users, groups = in_group(user("new", login_days=None, created_days=created))
    result = report(users, groups)
    assert codes(result, "new@example.com") == (["STALE_INVITATION"] if found else [])
    if found:
        assert result["findings"][0]["severity"] == "low"
        assert "never logged in" in result["findings"][0]["reason"]


def test_pending_days_option():
    users, groups = in_group(user("new", login_days=None, created_days=3))
    assert codes(report(users, groups, pending_days=2), "new@example.com") == ["STALE_INVITATION"]
    assert codes(report(users, groups, pending_days=7), "new@example.com") == []


def test_exempt_users_get_no_inactivity_findings_but_the_other_rules():
    users = [
        user("breakglass-1", role="ROLE_ADMIN", login_days=800),
        user("svc.robot", login_days=None, created_days=900),
        user("api.admin", role="ROLE_ADMIN", api_only=True, login_days=None, created_days=900),
        user("carol", login_days=800),
    ]
    result = report(users, [group("All", *users)], exempt=["BREAKGLASS-*@example.com", "svc.*", "api.admin@example.com"])
    assert codes(result, "breakglass-1@example.com") == ["ADMIN_REVIEW"]
    assert codes(result, "svc.robot@example.com") == []
    assert codes(result, "api.admin@example.com") == ["ADMIN_REVIEW", "API_ONLY_ADMIN"]
    assert codes(result, "carol@example.com") == ["INACTIVE_USER"]
    assert [item["exempt"] for item in result["users"]] == [True, True, False, True]  # sorted: api, breakglass, carol, svc
    assert result["metadata"]["thresholds"]["exempt"] == ["BREAKGLASS-*@example.com", "svc.*", "api.admin@example.com"]


def test_api_only_admin_is_high_only_when_enabled():
    users = [user("robot", role="ROLE_ADMIN", api_only=True), user("old-robot", role="ROLE_ADMIN", api_only=True, enabled=False),
             user("editor-robot", role="ROLE_EDIT", api_only=True)]
    result = report(users, [group("All", *users)])
    assert codes(result, "robot@example.com") == ["ADMIN_REVIEW", "API_ONLY_ADMIN"]
    assert [f["severity"] for f in result["findings"] if f["code"] == "API_ONLY_ADMIN"] == ["high"]
    assert "API_ONLY_ADMIN" not in codes(result, "old-robot@example.com")
    assert codes(result, "editor-robot@example.com") == []


def test_every_admin_is_listed_for_review():
    users = [user("a1", role="ROLE_ADMIN"), user("a2", role="ROLE_ADMIN", enabled=False), user("a3", role="ROLE_ADMIN", login_days=None, created_days=1)]
    result = report(users, [])
    review = [f for f in result["findings"] if f["code"] == "ADMIN_REVIEW"]
    assert sorted(f["username"] for f in review) == ["a1@example.com", "a2@example.com", "a3@example.com"]
    assert {f["severity"] for f in review} == {"info"}
    assert "restores" in next(f["reason"] for f in review if f["username"] == "a2@example.com")


def test_disabled_users_still_in_groups():
    gone, clean = user("gone", enabled=False), user("clean", enabled=False)
    bob = user("bob")
    result = report([gone, clean, bob], [group("Payments", gone, bob), group("Platform", gone)])
    assert codes(result, "gone@example.com") == ["DISABLED_IN_GROUPS"]
    finding = next(f for f in result["findings"] if f["code"] == "DISABLED_IN_GROUPS")
    assert finding["severity"] == "medium"
    assert "2 access groups (Payments, Platform)" in finding["reason"]
    assert codes(result, "clean@example.com") == []
    assert row(result, "gone@example.com")["groups"] == ["Payments", "Platform"]
    payments = next(g for g in result["groups"] if g["name"] == "Payments")
    assert payments["disabled_members"] == ["gone@example.com"] and payments["member_count"] == 2


@pytest.mark.parametrize("role, found", [
    ("ROLE_EDIT", True), ("ROLE_VIEW", True), ("ROLE_RULES_ADMIN", True), ("ROLE_NO_ACCESS", False), ("ROLE_ADMIN", False),
])
def test_no_group_for_roles_that_need_one(role, found):
    result = report([user("lonely", role=role)], [group("Empty")])
    assert ("NO_GROUP" in codes(result, "lonely@example.com")) is found
    if found:
        finding = next(f for f in result["findings"] if f["code"] == "NO_GROUP")
        assert finding["severity"] == "low" and role in finding["reason"]


def test_no_group_skips_disabled_users_and_takes_its_roles_from_the_option():
    users = [user("off", enabled=False), user("viewer", role="ROLE_VIEW"), user("pending", login_days=None, created_days=1)]
    result = report(users, [], roles_requiring_group=["ROLE_EDIT"])
    assert codes(result, "off@example.com") == []
    assert codes(result, "viewer@example.com") == []
    assert codes(result, "pending@example.com") == ["NO_GROUP"]  # pending users need a group too


def test_unknown_groups_skip_the_group_rules():
    users = [user("gone", enabled=False), user("lonely")]
    result = report(users, None)
    assert result["metadata"]["groups_known"] is False
    assert result["findings"] == []
    assert row(result, "lonely@example.com")["groups"] is None
    assert result["groups"] == []


def test_users_own_groups_are_used_without_the_group_list():
    users = [user("gone", enabled=False, groups=["Ops"]), user("lonely", groups=[])]
    result = report(users, None)
    assert result["metadata"]["groups_known"] is True
    assert codes(result, "gone@example.com") == ["DISABLED_IN_GROUPS"]
    assert codes(result, "lonely@example.com") == ["NO_GROUP"]


def test_group_list_wins_and_joins_on_user_id_then_username():
    jane = user("jane", groups=["Stale"])
    joe = user("joe")
    groups = [group("Real", jane), {"group_id": 9, "name": "ByName", "members": [{"user_id": None, "username": "JOE@example.com"}]}]
    result = report([jane, joe], groups)
    assert row(result, "jane@example.com")["groups"] == ["Real"]
    assert row(result, "joe@example.com")["groups"] == ["ByName"]


def test_every_finding_at_once_and_the_order():
    users = [
        user("api", role="ROLE_ADMIN", api_only=True),
        user("carol", login_days=120),
        user("erin", login_days=None, created_days=30),
        user("grace", enabled=False),
        user("ivan", role="ROLE_RULES_ADMIN"),
    ]
    result = report(users, [group("Payments", users[1], users[2], users[3])])
    assert [(f["severity"], f["code"], f["username"]) for f in result["findings"]] == [
        ("high", "API_ONLY_ADMIN", "api@example.com"),
        ("medium", "INACTIVE_USER", "carol@example.com"),
        ("medium", "DISABLED_IN_GROUPS", "grace@example.com"),
        ("low", "STALE_INVITATION", "erin@example.com"),
        ("low", "NO_GROUP", "ivan@example.com"),
        ("info", "ADMIN_REVIEW", "api@example.com"),
    ]
    summary = result["summary"]
    assert summary["findings_total"] == 6
    assert summary["findings_by_severity"] == {"high": 1, "medium": 2, "low": 2, "info": 1}
    assert summary["findings_by_code"] == {"INACTIVE_USER": 1, "STALE_INVITATION": 1, "API_ONLY_ADMIN": 1, "ADMIN_REVIEW": 1,
                                           "DISABLED_IN_GROUPS": 1, "NO_GROUP": 1}
    assert summary["users_with_findings"] == 5
    for finding in result["findings"]:
        assert set(finding) == {"id", "code", "severity", "title", "user_id", "username", "reason"}
        assert finding["id"] == "%s:%s" % (finding["code"], finding["user_id"])
        assert len(finding["reason"]) > 40 and finding["title"]
    assert row(result, "api@example.com")["findings"] == ["API_ONLY_ADMIN", "ADMIN_REVIEW"]


# ------------------------------------------------------------------------------------- summary
@pytest.mark.parametrize("days, bucket", [
    (None, "never"), (0, "<30d"), (29, "<30d"), (30, "30-90d"), (89, "30-90d"), (90, "90-180d"), (179, "90-180d"),
    (180, "180-365d"), (365, "180-365d"), (366, ">365d"), (5000, ">365d"),
])
def test_last_login_buckets(days, bucket):
    result = report([user("u", login_days=days)], [])
    assert row(result, "u@example.com")["last_login_bucket"] == bucket
    assert row(result, "u@example.com")["days_since_login"] == days
    ages = {item["bucket"]: item["count"] for item in result["summary"]["last_login_age"]}
    assert ages[bucket] == 1 and sum(ages.values()) == 1


def test_summary_counts_and_bucket_order():
    users = [user("a", role="ROLE_ADMIN"), user("b", login_days=None), user("c", enabled=False, role="ROLE_VIEW"),
             user("d", role="ROLE_VIEW", login_days=400)]
    summary = report(users, [group("G", *users)])["summary"]
    assert summary["total_users"] == 4 and summary["total_groups"] == 1
    assert summary["by_role"] == {"ROLE_ADMIN": 1, "ROLE_EDIT": 1, "ROLE_RULES_ADMIN": 0, "ROLE_VIEW": 2, "ROLE_NO_ACCESS": 0}
    assert summary["by_status"] == {"active": 2, "invited-pending": 1, "disabled": 1}
    assert [item["bucket"] for item in summary["last_login_age"]] == ["never", "<30d", "30-90d", "90-180d", "180-365d", ">365d"]
    assert [item["count"] for item in summary["last_login_age"]] == [1, 2, 0, 0, 0, 1]


def test_rows_fields_and_order():
    result = report([user("zed"), user("Adam", login_days=None)], [])
    assert [item["username"] for item in result["users"]] == ["Adam@example.com", "zed@example.com"]
    first = result["users"][1]
    assert first["name"] == "Zed Tester"
    assert first["date_created_iso"] == "2025-08-27T00:00:00Z"
    assert first["last_login_iso"] == "2026-09-30T00:00:00Z"
    assert first["days_since_created"] == 400
    assert result["users"][0]["last_login_iso"] is None and result["users"][0]["days_since_login"] is None


def test_a_login_in_the_future_counts_as_today():
    result = report([user("skew", login_days=-2)], [])
    assert row(result, "skew@example.com")["days_since_login"] == 0


def test_metadata():
    result = report([user("jane")], [], api_user={"username": "api.admin@example.com", "role": "ROLE_ADMIN"})
    meta = result["metadata"]
    assert meta["schema_version"] == 1
    assert meta["generated_at"] == NOW_ISO
    assert meta["org_uuid"] == ORG  # from the users when not given
    assert meta["api_user"] == "api.admin@example.com"
    assert meta["thresholds"] == {"inactive_days": 90, "pending_days": 14, "exempt": [], "exempt_api_user": True,
                                  "roles_requiring_group": ["ROLE_EDIT", "ROLE_VIEW", "ROLE_RULES_ADMIN"]}
    assert report([], [], org_uuid="other", api_user="me@example.com")["metadata"]["org_uuid"] == "other"


def test_api_user_row_is_marked():
    result = report([user("api.admin", role="ROLE_ADMIN"), user("jane")], [], api_user="API.Admin@example.com")
    assert [item["is_api_user"] for item in result["users"]] == [True, False]


@pytest.mark.parametrize("login_days,code", [(None, "STALE_INVITATION"), (200, "INACTIVE_USER")])
def test_the_api_user_gets_no_inactivity_finding_by_default(login_days, code):
    users, groups = in_group(user("api.admin", role="ROLE_ADMIN", api_only=True, login_days=login_days),
                             user("jane", login_days=login_days))
    result = report(users, groups, api_user="API.Admin@example.com")
    assert code in codes(result, "jane@example.com")  # the same situation is a finding for anyone else
    # Listed as the API user, with the rules that still apply to it (an API-only admin, an admin to review).
    assert codes(result, "api.admin@example.com") == ["ADMIN_REVIEW", "API_ONLY_ADMIN"]
    assert row(result, "api.admin@example.com")["is_api_user"] is True
    back = report(users, groups, api_user="api.admin@example.com", exempt_api_user=False)
    assert code in codes(back, "api.admin@example.com")
    assert back["metadata"]["thresholds"]["exempt_api_user"] is False


def test_exempt_api_user_must_be_a_bool():
    with pytest.raises(AnsibleFilterError, match="exempt_api_user must be true or false"):
        report([], [], exempt_api_user="no")


# ------------------------------------------------------------------------------------- now and options
@pytest.mark.parametrize("value", [NOW, str(NOW), NOW_ISO, "2026-10-01T00:00:00+00:00", "2026-10-01T02:00:00+02:00",
                                   "2026-10-01T00:00:00", datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc)])
def test_now_forms(value):
    assert AR.build_report([], [], {"now": value})["metadata"]["generated_at"] == NOW_ISO


def test_now_defaults_to_the_current_time():
    generated = AR.build_report([], [])["metadata"]["generated_at"]
    moment = datetime.datetime.fromisoformat(generated.replace("Z", "+00:00"))
    assert abs((datetime.datetime.now(tz=datetime.timezone.utc) - moment).total_seconds()) < 60
    assert AR.build_report([], [], {"now": ""})["metadata"]["generated_at"].endswith("Z")


@pytest.mark.parametrize("options, message", [
    ({"now": "yesterday"}, "ISO 8601"),
    ({"now": True}, "epoch milliseconds"),
    ({"inactive_days": -1}, "0 or more"),
    ({"inactive_days": "ninety"}, "integer"),
    ({"exempt": "admin@example.com"}, "list of strings"),
    ({"inactivedays": 3}, "unknown option(s) inactivedays"),
])
def test_bad_options(options, message):
    with pytest.raises(AnsibleFilterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AR.build_report([], [], options)


def test_keyword_arguments_override_options_and_strings_are_converted():
    result = AR.build_report([], [], {"inactive_days": 10, "now": NOW}, inactive_days="30", pending_days=None)
    assert result["metadata"]["thresholds"]["inactive_days"] == 30
    assert result["metadata"]["thresholds"]["pending_days"] == 14


@pytest.mark.parametrize("users, groups, message", [
    ("nope", [], "list of users"),
    ({"users": []}, [], "list of users"),
    (["nope"], [], "each user"),
    ([], "nope", "list of groups"),
    ([], [{"name": "G", "members": None}], "include_members"),
    ([], ["nope"], "each group"),
])
def test_bad_input(users, groups, message):
    with pytest.raises(AnsibleFilterError, match=message):
        AR.build_report(users, groups, {"now": NOW})


def test_filter_modules_expose_the_filters():
    assert AR.FilterModule().filters() == {"access_report": AR.build_report}
    assert ARC.FilterModule().filters() == {"access_report_csv": ARC.to_csv}
    assert ARH.FilterModule().filters() == {"access_report_html": ARH.to_html}


# ------------------------------------------------------------------------------------- schema
def test_report_matches_its_documented_schema():
    jsonschema = pytest.importorskip("jsonschema")
    with open(SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    users = [user("api", role="ROLE_ADMIN", api_only=True), user("carol", login_days=120), user("erin", login_days=None, created_days=30),
             user("grace", enabled=False), user("ivan", role="ROLE_RULES_ADMIN"), user("odd", role="ROLE_VIEW", date_created=None)]
    for result in (report(users, [group("G", users[1], users[3])], api_user="api@example.com"), report(users, None), report([], [])):
        # Through JSON, as the role writes it.
        jsonschema.validate(json.loads(json.dumps(result)), schema, cls=jsonschema.Draft202012Validator)


# ------------------------------------------------------------------------------------- CSV
def tricky_report():
    users = [
        user("comma", first_name="Doe, Jane", last_name='The "Boss"'),
        user("unicode", first_name="Zoë", last_name="Ørsted-Łukasz 山田"),
        user("newline", first_name="Line\nBreak", last_name="Tester"),
        user("formula", first_name="=HYPERLINK(\"http://evil\")", last_name="+1", role="ROLE_VIEW"),
        user("gone", enabled=False, login_days=None),
    ]
    return report(users, [group("Payments, EU", users[0], users[4]), group("Ops", users[0])])


def parse_csv(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_a_header_and_one_row_per_user():
    result = tricky_report()
    text = ARC.to_csv(result)
    rows = parse_csv(text)
    assert len(rows) == len(result["users"]) == 5
    assert list(rows[0]) == list(RR.COLUMNS)
    assert [item["username"] for item in rows] == [item["username"] for item in result["users"]]
    assert text.endswith("\r\n") and text.count("\r\n") == 6  # header and 5 rows (the "\\n" inside a quoted cell stays)


def test_csv_quotes_commas_quotes_line_breaks_and_keeps_unicode():
    rows = {item["username"]: item for item in parse_csv(ARC.to_csv(tricky_report()))}
    assert rows["comma@example.com"]["name"] == 'Doe, Jane The "Boss"'
    assert rows["comma@example.com"]["groups"] == "Ops; Payments, EU"
    assert rows["unicode@example.com"]["name"] == "Zoë Ørsted-Łukasz 山田"
    # A line break is a control character: made visible, like every other, rather than kept.
    assert rows["newline@example.com"]["name"] == "Line<U+000A>Break Tester"
    raw = ARC.to_csv(tricky_report())
    assert '"Doe, Jane The ""Boss"""' in raw


def test_csv_values_booleans_and_unknowns():
    rows = {item["username"]: item for item in parse_csv(ARC.to_csv(tricky_report()))}
    gone = rows["gone@example.com"]
    assert gone["enabled"] == "false" and gone["status"] == "disabled"
    assert gone["last_login_iso"] == "" and gone["days_since_login"] == "" and gone["last_login_bucket"] == "never"
    assert gone["findings"] == "DISABLED_IN_GROUPS" and gone["max_severity"] == "medium"
    assert rows["unicode@example.com"]["findings"] == "NO_GROUP" and rows["unicode@example.com"]["max_severity"] == "low"
    assert rows["comma@example.com"]["max_severity"] == ""
    unknown = parse_csv(ARC.to_csv(report([user("x")], None)))[0]
    assert unknown["groups"] == ""


def test_csv_neutralizes_formulas_unless_told_not_to():
    rows = {item["username"]: item for item in parse_csv(ARC.to_csv(tricky_report()))}
    assert rows["formula@example.com"]["name"] == "'=HYPERLINK(\"http://evil\") +1"
    raw = {item["username"]: item for item in parse_csv(ARC.to_csv(tricky_report(), neutralize_formulas=False))}
    assert raw["formula@example.com"]["name"] == "=HYPERLINK(\"http://evil\") +1"


def test_csv_of_something_else_fails():
    with pytest.raises(AnsibleFilterError, match="access_report_csv"):
        ARC.to_csv([{"username": "x"}])


# ------------------------------------------------------------------------------------- HTML
class Page(HTMLParser):
    """Collects tags, attributes and unbalanced elements."""

    VOID = {"meta", "br", "hr", "img", "link", "input"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.stack, self.errors, self.data = [], [], [], [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(tag)

    def handle_data(self, data):
        self.data.append(data)


def evil_report():
    users = [
        user("mallory", first_name="<script>alert(1)</script>", last_name="<img src=x onerror=alert(2)>", role="ROLE_ADMIN",
             api_only=True),
        user("quote", first_name='"><b>bold</b>', last_name="O'Brien & Sons", login_days=200),
        user("plain", login_days=None, created_days=30),
    ]
    return report(users, [group("<Admins & co>", users[0])], api_user="<api>@example.com", org_uuid='org"<x>')


def test_html_escapes_every_value():
    page = ARH.to_html(evil_report(), title="Review <Q1> & more")
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "O&#x27;Brien &amp; Sons" in page
    assert "&lt;Admins &amp; co&gt;" in page
    assert "&lt;api&gt;@example.com" in page
    assert "org&quot;&lt;x&gt;" in page
    assert "<h1>Review &lt;Q1&gt; &amp; more</h1>" in page
    parsed = Page(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags and "b" not in parsed.tags
    assert not any(name.startswith("on") for _tag, name, _value in parsed.attributes)


def test_html_is_self_contained():
    page = ARH.to_html(evil_report())
    parsed = Page(page)
    references = [(tag, name, value) for tag, name, value in parsed.attributes
                  if name in ("src", "href", "xlink:href", "action", "srcset", "data", "poster", "background")]
    assert references == []
    assert "http://" not in page and "https://" not in page
    assert "url(" not in page and "@import" not in page
    assert not {"script", "link", "img", "iframe", "object", "embed", "use", "image"} & set(parsed.tags)
    assert ("meta", "http-equiv", "Content-Security-Policy") in parsed.attributes
    assert "style" in parsed.tags and "svg" in parsed.tags


def test_html_is_well_formed_and_complete():
    result = evil_report()
    page = ARH.to_html(result)
    parsed = Page(page)
    assert page.startswith("<!DOCTYPE html>")
    assert parsed.stack == [] and parsed.errors == []
    text = "".join(parsed.data)
    for expected in ("Summary", "Users by status", "Users by role", "Time since last login", "Findings (%d)" % len(result["findings"]),
                     "Users (3)", "Access groups (1)", NOW_ISO, 'org"<x>', "<api>@example.com", "Generated (UTC)"):
        assert expected in text, expected
    for finding in result["findings"]:
        assert finding["reason"] in text
        assert finding["username"] in text
    for item in result["users"]:
        assert item["username"] in text
    # The age chart: one bar label per bucket, in order.
    labels = list(RR.BUCKET_LABELS.values())
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)


def test_html_of_an_empty_report():
    page = ARH.to_html(report([], []))
    assert "No findings." in page and "No users." in page
    assert Page(page).errors == []


def test_html_of_something_else_fails():
    with pytest.raises(AnsibleFilterError, match="access_report_html"):
        ARH.to_html("report")


# ------------------------------------------------------------------------------------- scale
def test_ten_thousand_users_in_seconds():
    users = [user("user%05d" % index, role=("ROLE_VIEW", "ROLE_EDIT", "ROLE_ADMIN", "ROLE_NO_ACCESS")[index % 4],
                  enabled=index % 13 != 0, login_days=None if index % 7 == 0 else index % 500, created_days=index % 900)
             for index in range(10000)]
    groups = [group("Team %d" % number, *users[number::25], group_id=number) for number in range(25)]
    started = time.monotonic()
    result = report(users, groups)
    text = ARC.to_csv(result)
    page = ARH.to_html(result)
    elapsed = time.monotonic() - started
    assert result["summary"]["total_users"] == 10000
    assert len(parse_csv(text)) == 10000
    assert page.count("<tr>") > 10000
    assert elapsed < 20, elapsed


def test_bidi_and_control_characters_are_made_visible_in_every_report():
    from ansible_collections.contrast_security.identity.plugins.filter.access_report import build_report
    from ansible_collections.contrast_security.identity.plugins.filter.access_report_csv import to_csv
    from ansible_collections.contrast_security.identity.plugins.filter.access_report_html import to_html
    users = [{"user_id": "u1", "username": "eve@example.com", "first_name": "Eve\u202etxt.exe", "last_name": "A\nB",
              "role": "ROLE_VIEW", "enabled": True, "date_created": 1700000000000, "last_login": None}]
    groups = [{"group_id": 1, "name": "Ops\u2066", "members": [{"user_id": "u1", "username": "eve@example.com"}]}]
    report = build_report(users, groups, now="2026-11-30T00:00:00Z")
    assert report["users"][0]["first_name"] == "Eve<U+202E>txt.exe"
    assert report["users"][0]["name"] == "Eve<U+202E>txt.exe A<U+000A>B"
    assert report["groups"][0]["name"] == "Ops<U+2066>"
    for text in (to_csv(report), to_html(report), to_csv({"users": [dict(report["users"][0], name="Eve\u202etxt.exe")], "findings": []}),
                 to_html(dict(report, users=[dict(report["users"][0], first_name="Eve\u202etxt.exe")]))):
        assert "\u202e" not in text and "\u2066" not in text and "U+202E" in text
