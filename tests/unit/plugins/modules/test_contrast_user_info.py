# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""contrast_user_info against the emulator over HTTP: every page, the filters, one user, groups; reads only."""

from __future__ import annotations

import time

import pytest

from ansible_collections.contrast_security.identity.plugins.modules import contrast_user_info
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.emulated import (
    emu,
    logged_requests,
    reset,
    run_real,
    writes,
)

DAY_MS = 24 * 3600 * 1000
NOW_MS = int(time.time() * 1000)
SEED = {
    "users": [
        {"username": "ada@example.com", "role": "ROLE_ADMIN", "last_login": NOW_MS - 2 * DAY_MS},
        {"username": "bo@example.com", "role": "ROLE_VIEW", "last_login": NOW_MS - 200 * DAY_MS},
        {"username": "cy@example.com", "role": "ROLE_EDIT", "enabled": False, "last_login": None},
        {"username": "dee@example.com", "role": "ROLE_VIEW", "pending": True},
        {"username": "eve@example.com", "role": "ROLE_RULES_ADMIN", "last_login": NOW_MS - 10 * DAY_MS},
    ],
    "groups": [
        {"name": "Payments", "members": ["ada@example.com", "bo@example.com"]},
        {"name": "Platform", "members": ["bo@example.com"]},
    ],
}


@pytest.fixture(params=["guide", "teamserver"])
def org(request, server):
    """The seeded organization, served in each dialect, two users to a page at most."""
    reset(server, dict(SEED, dialect=request.param), max_page_size=2)
    return server


def usernames(result):
    return [user["username"] for user in result["users"]]


def test_lists_every_user_across_short_pages_and_writes_nothing(org, capsys):
    rc, result = run_real(contrast_user_info, org, {"page_size": 100}, capsys)
    assert rc == 0, result["msg"]
    assert usernames(result) == ["ada@example.com", "bo@example.com", "cy@example.com", "dee@example.com", "eve@example.com"]
    assert result["count"] == 5 and result["changed"] is False
    seen = logged_requests(org)
    assert writes(seen) == []
    # Pages of 2 (the server's cap), not one request for 100: all three were needed.
    assert len([entry for entry in seen if entry[1].endswith("/users")]) >= 3


def test_every_user_is_canonical(org, capsys):
    _rc, result = run_real(contrast_user_info, org, {}, capsys)
    fields = {"user_id", "username", "email", "first_name", "last_name", "enabled", "role", "api_only", "protect_enabled",
              "date_created", "last_login", "date_created_iso", "last_login_iso", "org_uuid"}
    for user in result["users"]:
        assert fields <= set(user), sorted(fields - set(user))
        assert user["role"].startswith("ROLE_")
        assert user["org_uuid"] == emu.DEFAULT_ORG_UUID
    by_name = {user["username"]: user for user in result["users"]}
    assert by_name["cy@example.com"]["enabled"] is False
    assert by_name["cy@example.com"]["last_login"] is None and by_name["cy@example.com"]["last_login_iso"] is None
    assert by_name["ada@example.com"]["last_login_iso"].endswith("Z") or "+00:00" in by_name["ada@example.com"]["last_login_iso"]


@pytest.mark.parametrize("args, expected", [
    ({"roles": ["ROLE_VIEW"]}, ["bo@example.com", "dee@example.com"]),
    ({"roles": ["ROLE_ADMIN", "ROLE_RULES_ADMIN"]}, ["ada@example.com", "eve@example.com"]),
    ({"enabled": False}, ["cy@example.com"]),
    # No login for 90 days, or never: bo (200 days), cy and dee (never).
    ({"inactive_days": 90}, ["bo@example.com", "cy@example.com", "dee@example.com"]),
    ({"inactive_days": 90, "enabled": True}, ["bo@example.com", "dee@example.com"]),
    ({"username": "EVE@example.com"}, ["eve@example.com"]),
    ({"username": "nobody@example.com"}, []),
])
def test_filters(org, capsys, args, expected):
    rc, result = run_real(contrast_user_info, org, args, capsys)
    assert rc == 0, result["msg"]
    assert usernames(result) == expected
    assert result["count"] == len(expected)


def test_one_user_by_id(org, capsys):
    _rc, listed = run_real(contrast_user_info, org, {"username": "bo@example.com"}, capsys)
    user_id = listed["users"][0]["user_id"]
    rc, result = run_real(contrast_user_info, org, {"user_id": user_id}, capsys)
    assert rc == 0, result["msg"]
    assert result["users"] == listed["users"]


def test_include_groups_names_each_users_groups(org, capsys):
    rc, result = run_real(contrast_user_info, org, {"include_groups": True}, capsys)
    assert rc == 0, result["msg"]
    groups = {user["username"]: user["groups"] for user in result["users"]}
    assert groups["ada@example.com"] == ["Payments"]
    assert groups["bo@example.com"] == ["Payments", "Platform"]
    assert groups["cy@example.com"] == []


@pytest.mark.parametrize("users_carry_groups", [True, False])
def test_include_groups_returns_the_groups_and_reads_members_only_where_users_do_not_carry_them(
        server, capsys, users_carry_groups):
    """The guide gives each user its `groups`: then no member list is read (the audit's case); else one read a group."""
    reset(server, dict(SEED, users=SEED["users"] + [{"username": emu.DEFAULT_API_USERNAME, "role": "ROLE_ADMIN"}]),
          user_groups=users_carry_groups)
    rc, result = run_real(contrast_user_info, server, {"include_groups": True, "roles": ["ROLE_VIEW"]}, capsys)
    assert rc == 0, result["msg"]
    assert usernames(result) == ["bo@example.com", "dee@example.com"]  # the filter applies to users only
    assert [(group["name"], [member["username"] for member in group["members"]]) for group in result["groups"]] == [
        ("Payments", ["ada@example.com", "bo@example.com"]), ("Platform", ["bo@example.com"])]
    assert {user["username"]: user["groups"] for user in result["users"]} == {
        "bo@example.com": ["Payments", "Platform"], "dee@example.com": []}
    member_reads = [path for _method, path in logged_requests(server) if "/groups/" in path]
    assert member_reads == ([] if users_carry_groups else [
        "/Contrast/api/ng/%s/groups/%d/users" % (emu.DEFAULT_ORG_UUID, group_id) for group_id in (1, 2)])


def test_without_include_groups_no_group_is_read_nor_returned(org, capsys):
    rc, result = run_real(contrast_user_info, org, {}, capsys)
    assert rc == 0 and "groups" not in result
    assert not any("/groups" in path for _method, path in logged_requests(org))


@pytest.mark.parametrize("args, words", [
    ({"page_size": 0}, "page_size"),
    ({"inactive_days": -1}, "inactive_days"),
    ({"username": "a@example.com", "user_id": "x"}, "mutually exclusive"),
    ({"roles": ["ROLE_ROOT"]}, "ROLE_ADMIN"),
])
def test_bad_input_fails_before_any_request(server, capsys, args, words):
    reset(server, SEED)
    rc, result = run_real(contrast_user_info, server, args, capsys)
    assert rc == 1 and result["failed"] is True
    assert words in result["msg"]
    assert logged_requests(server) == []
