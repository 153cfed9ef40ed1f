# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How an answer tells the dialect, and what is asked before it has told (detection.py)."""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.detection import auto_read_params, detect_dialect


def test_detect_dialect_from_shapes():
    assert detect_dialect({"users": [{"user_uid": "x"}]}, "users") == "teamserver"
    assert detect_dialect({"users": [{"user_id": "x"}]}, "users") == "guide"
    assert detect_dialect({"users": [], "count": 0}, "users") is None
    assert detect_dialect({"user": {"user_uid": "x"}}, "user") == "teamserver"
    assert detect_dialect({"user": {"user_id": "x"}}, "user") == "guide"
    assert detect_dialect({"custom_groups": {"groups": []}}, "groups") == "teamserver"
    assert detect_dialect({"groups": [], "count": 0}, "groups") == "guide"
    assert detect_dialect("garbage", "users") is None


def test_auto_read_params_merge_what_every_dialect_needs():
    assert auto_read_params("users") == {"expand": "email,login,signup,preferences,groups"}
    assert auto_read_params("profile") == {"expand": "email,login,signup"}
    assert auto_read_params("groups") == {}
