# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every module says what happened in one line (`msg`); contrast_org_info's is tested with its preflight."""

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.modules import (
    contrast_group_info,
    contrast_group_membership,
    contrast_roster,
    contrast_user,
    contrast_user_info,
)
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import FakeClient, run_module

USERS = [{"username": "ann@example.com", "role": "ROLE_EDIT"}, {"username": "ben@example.com", "enabled": False}]
GROUPS = [{"name": "Platform", "members": ["ann@example.com"]}]


@pytest.mark.parametrize("module,args,expected", [
    (contrast_user_info, {}, "Read 2 user(s)."),
    (contrast_user_info, {"enabled": True}, "Read 1 user(s) matching the filters."),
    (contrast_group_info, {}, "Read 1 access group(s) with their members."),
    (contrast_group_info, {"include_members": False}, "Read 1 access group(s)."),
    (contrast_group_membership, {"group": "Platform", "users": ["ben@example.com"]},
     "Changed Platform: added ben@example.com; 2 member(s) now."),
    (contrast_roster, {"users": [{"username": "ann@example.com", "role": "ROLE_ADMIN"}, {"username": "ben@example.com"}]},
     "Changed: 1 updated, 1 enabled; 0 unchanged."),
    (contrast_roster, {"users": [{"username": "ann@example.com"}]}, "The organization matches the roster"),
    (contrast_user, {"username": "ann@example.com"}, "User ann@example.com is as wanted."),
])
def test_msg_is_one_line_and_says_what_happened(module, args, expected):
    result = run_module(module, FakeClient(USERS, GROUPS), args)
    assert not result.get("failed"), result
    assert result["msg"].startswith(expected), result["msg"]
    assert "\n" not in result["msg"]


def test_check_mode_says_would():
    result = run_module(contrast_roster, FakeClient(USERS, GROUPS), {"users": [{"username": "ben@example.com"}]},
                        check_mode=True)
    assert result["msg"] == "Would change: 1 enabled; 0 unchanged."
