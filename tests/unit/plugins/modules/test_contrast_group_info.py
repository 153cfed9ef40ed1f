# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""contrast_group_info against the emulator over HTTP: every group, one group, members, close matches."""

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.modules import contrast_group_info
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.emulated import (
    logged_requests,
    reset,
    run_real,
    writes,
)

SEED = {
    "users": [{"username": "ada@example.com"}, {"username": "bo@example.com"}, {"username": "cy@example.com"}],
    "groups": [
        {"name": "Payments", "group_id": 3, "members": ["cy@example.com", "ada@example.com"]},
        {"name": "Platform", "group_id": 7, "members": []},
        {"name": "Zürich Ops", "group_id": 8, "members": ["bo@example.com"]},
    ],
}


@pytest.fixture(params=["guide", "teamserver"])
def org(request, server):
    reset(server, dict(SEED, dialect=request.param), max_page_size=1)
    return server


def test_every_group_sorted_with_members_sorted(org, capsys):
    rc, result = run_real(contrast_group_info, org, {}, capsys)
    assert rc == 0, result["msg"]
    names = [group["name"] for group in result["groups"]]
    assert names == ["Payments", "Platform", "Zürich Ops"]
    assert result["count"] == 3
    members = {group["name"]: [member["username"] for member in group["members"]] for group in result["groups"]}
    assert members == {"Payments": ["ada@example.com", "cy@example.com"], "Platform": [], "Zürich Ops": ["bo@example.com"]}
    for group in result["groups"]:
        for member in group["members"]:
            assert member["user_id"], member
    assert writes(logged_requests(org)) == []


def test_one_group_by_name_and_by_id(org, capsys):
    _rc, by_name = run_real(contrast_group_info, org, {"group": "Zürich Ops"}, capsys)
    assert [group["name"] for group in by_name["groups"]] == ["Zürich Ops"]
    _rc, by_id = run_real(contrast_group_info, org, {"group_id": str(by_name["groups"][0]["group_id"])}, capsys)
    assert by_id["groups"] == by_name["groups"]


def test_without_members(org, capsys):
    _rc, result = run_real(contrast_group_info, org, {"include_members": False}, capsys)
    assert [group["members"] for group in result["groups"]] == [None, None, None]


def test_unknown_name_returns_nothing_and_names_close_matches(org, capsys):
    warnings = []
    rc, result = run_real(contrast_group_info, org, {"group": "Payment"}, capsys, warnings=warnings)
    assert rc == 0, result["msg"]
    assert result["groups"] == [] and result["count"] == 0
    assert any("Payments" in warning for warning in warnings), warnings
