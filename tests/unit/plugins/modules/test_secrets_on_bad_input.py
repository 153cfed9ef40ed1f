# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whatever option is wrong, the module's JSON output never shows a key (ansible-core's own checks included)."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.contrast_security.identity.plugins.modules import (
    contrast_group_membership,
    contrast_org_info,
    contrast_roster,
    contrast_user,
)
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import CONNECTION

SECRETS = (CONNECTION["contrast_service_key"], CONNECTION["contrast_api_key"])


@pytest.mark.parametrize("module,args", [
    # ansible-core loses every no_log value when one nested value cannot be read as a dict
    (contrast_roster, {"users": "alice@example.com"}),
    (contrast_roster, {"users": ["alice@example.com", {"username": "bob@example.com"}]}),
    (contrast_roster, {"users": [{"username": "a@example.com", "nickname": "x"}]}),
    (contrast_user, {"username": "a@example.com", "api_only": "maybe"}),
    (contrast_user, {"first_name": "no identity"}),
    (contrast_group_membership, {"group": "G", "users": ["a@example.com"], "state": "sometimes"}),
    (contrast_org_info, {"timeout": "soon"}),
    (contrast_org_info, {"unknown_option": 1}),
])
def test_no_key_in_the_output_of_a_failure(module, args, capsys):
    with patch_module_args(dict(CONNECTION, **args)):
        with pytest.raises(SystemExit) as caught:
            module.main()
    assert caught.value.code == 1
    output = capsys.readouterr().out
    result = json.loads(output)
    assert result["failed"] is True
    for secret in SECRETS:
        assert secret not in output
