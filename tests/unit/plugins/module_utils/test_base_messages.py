# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ansible-core's argument errors, explained by ContrastModule: where the credentials come from, which option is wrong."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.contrast_security.identity.plugins.modules import contrast_org_info, contrast_roster
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import CONNECTION


def failure(module, args, monkeypatch):
    for name in ("CONTRAST_USERNAME", "CONTRAST_SERVICE_KEY", "CONTRAST_API_KEY", "CONTRAST_ORG_UUID"):
        monkeypatch.delenv(name, raising=False)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as caught:
            module.main()
    assert caught.value.code == 1
    return caught


def test_missing_credentials_name_the_environment_variables_and_module_defaults(monkeypatch, capsys):
    args = dict((key, value) for key, value in CONNECTION.items() if key not in ("contrast_api_key", "org_uuid"))
    failure(contrast_org_info, args, monkeypatch)
    msg = json.loads(capsys.readouterr().out)["msg"]
    assert msg.startswith("missing required arguments: contrast_api_key, org_uuid.")
    assert "CONTRAST_API_KEY, CONTRAST_ORG_UUID" in msg
    assert "CONTRAST_USERNAME" not in msg  # given, so not asked for
    assert "module_defaults for group/contrast_security.identity.contrast" in msg


@pytest.mark.parametrize("users", ["alice@example.com", ["alice@example.com"]])
def test_roster_users_given_strings_names_the_option(users, monkeypatch, capsys):
    failure(contrast_roster, dict(CONNECTION, users=users), monkeypatch)
    msg = json.loads(capsys.readouterr().out)["msg"]
    assert msg.startswith("users must be a list of mappings (one per entry")
