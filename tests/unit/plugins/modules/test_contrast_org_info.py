# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""contrast_org_info against the emulator over HTTP: the verdicts it can give, and no secret in any of them."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.contrast_security.identity.plugins.modules import contrast_org_info
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.emulated import (
    control,
    emu,
    logged_requests,
    reset,
    run_real,
    writes,
)

OTHER_ORG = "11111111-2222-4333-8444-555555555555"
SECRETS = (emu.DEFAULT_API_KEY, emu.DEFAULT_SERVICE_KEY,
           base64.b64encode(("%s:%s" % (emu.DEFAULT_API_USERNAME, emu.DEFAULT_SERVICE_KEY)).encode()).decode())


@pytest.fixture(params=["guide", "teamserver"])
def org(request, server):
    reset(server, {"users": [{"username": "ada@example.com"}], "dialect": request.param})
    return server


def assert_no_secret(result):
    text = json.dumps(result)
    for secret in SECRETS:
        assert secret not in text


def test_credentials_and_org_work(org, capsys):
    rc, result = run_real(contrast_org_info, org, {}, capsys)
    assert rc == 0, result["msg"]
    assert result["changed"] is False
    assert result["profile"]["username"] == emu.DEFAULT_API_USERNAME
    assert result["profile"]["role"] == "ROLE_ADMIN"
    assert result["org_uuid"] == emu.DEFAULT_ORG_UUID
    assert {"ROLE_ADMIN", "ROLE_EDIT", "ROLE_RULES_ADMIN", "ROLE_VIEW", "ROLE_NO_ACCESS"} <= {role["name"] for role in result["roles"]}
    assert emu.DEFAULT_API_USERNAME in result["msg"]
    assert writes(logged_requests(org)) == []
    assert_no_secret(result)


def test_wrong_api_key_is_a_credentials_failure(org, capsys):
    rc, result = run_real(contrast_org_info, org, {}, capsys, contrast_api_key="WRONG-KEY-0000")
    assert rc == 1
    assert result["verdict"] == "credentials rejected"
    assert "401" in result["msg"]
    assert "WRONG-KEY-0000" not in json.dumps(result)
    assert_no_secret(result)


def test_unknown_org_is_named(org, capsys):
    rc, result = run_real(contrast_org_info, org, {}, capsys, org_uuid=OTHER_ORG)
    assert rc == 1
    assert result["verdict"] == "organization unreachable"
    assert OTHER_ORG in result["msg"]
    assert_no_secret(result)


def test_non_admin_api_user_is_warned_about(org, capsys):
    control(org, "POST", "/config", json={"api_user_role": "ROLE_VIEW"})
    warnings = []
    rc, result = run_real(contrast_org_info, org, {}, capsys, warnings=warnings)
    assert rc == 0, result["msg"]
    assert result["profile"]["role"] == "ROLE_VIEW"
    assert any("ROLE_ADMIN" in warning for warning in warnings), warnings
