# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""teamserver_scope.py: the scope of a TeamServer group PUT, rebuilt from the group as read."""

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils.teamserver_scope import ScopeError, rebuild_scope


def test_a_scope_the_server_shows_is_echoed_unchanged():
    scope = {"app_scope": {"exceptions": [], "role": "EDIT", "onboard_role": ""}, "account_scope": {"exceptions": []}}
    assert rebuild_scope({"name": "G", "scope": scope, "app_role": "VIEW"}) is scope


def test_a_group_with_no_exceptions_gets_empty_roles_and_lists():
    assert rebuild_scope({"name": "G", "group_id": 3}) == {
        "account_scope": {"exceptions": []}, "app_scope": {"exceptions": [], "onboard_role": "", "role": ""}}


def test_a_refusal_names_the_group():
    with pytest.raises(ScopeError, match=r"access group 'Payments' \(id 7\): an account entry"):
        rebuild_scope({"name": "Payments", "group_id": 7, "accounts": [{"organization": {}, "role": "VIEW"}]})
