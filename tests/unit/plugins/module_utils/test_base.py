# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""base.ContrastModule: connection options, the client it builds, and the one boundary where errors become failures.

Each module is run through ansible-core's real exit_json/fail_json (JSON on stdout), so no_log
handling is the one a playbook gets.
"""

from __future__ import annotations

import base64
import json
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.contrast_security.identity.plugins.module_utils import base
from ansible_collections.contrast_security.identity.plugins.module_utils.client import ContrastApiError
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.emulated import (
    connection,
    emu,
    logged_requests,
    reset,
)

SERVICE_KEY = emu.DEFAULT_SERVICE_KEY
API_KEY = emu.DEFAULT_API_KEY
AUTHORIZATION = base64.b64encode(("%s:%s" % (emu.DEFAULT_API_USERNAME, SERVICE_KEY)).encode()).decode()


def run_story(story, args, capsys, warnings=None, env=None):
    """A module with no options of its own running `story`, through the real exit paths; (rc, result)."""
    sink = warnings if warnings is not None else []
    with patch_module_args(dict(args, _ansible_check_mode=False)), \
            mock.patch.dict("os.environ", env or {}, clear=False), \
            mock.patch.object(basic.AnsibleModule, "warn", lambda self, text: sink.append(text)):
        with pytest.raises(SystemExit) as exited:
            module = base.ContrastModule(argument_spec={}, supports_check_mode=True)
            module.run(story)
    return exited.value.code, json.loads(capsys.readouterr().out)


def profile_story(module):
    return dict(changed=False, who=module.client.get_profile()["username"])


def assert_no_secret(result):
    text = json.dumps(result)
    for secret in (SERVICE_KEY, API_KEY, AUTHORIZATION):
        assert secret not in text


def test_connection_options_are_the_contract():
    spec = base.connection_argument_spec()
    assert set(spec) >= {"contrast_url", "contrast_username", "contrast_service_key", "contrast_api_key", "org_uuid",
                         "validate_certs", "ca_path", "timeout", "retries"}
    assert spec["contrast_service_key"]["no_log"] and spec["contrast_api_key"]["no_log"]
    assert spec["timeout"]["default"] == 30 and spec["retries"]["default"] == 5
    assert spec["contrast_url"]["default"] == "https://app.contrastsecurity.com/Contrast"


def test_options_come_from_the_environment(server, capsys):
    reset(server, {})
    env = {"CONTRAST_URL": server.contrast_url, "CONTRAST_USERNAME": emu.DEFAULT_API_USERNAME,
           "CONTRAST_SERVICE_KEY": SERVICE_KEY, "CONTRAST_API_KEY": API_KEY, "CONTRAST_ORG_UUID": emu.DEFAULT_ORG_UUID,
           "CONTRAST_RETRIES": "0"}
    rc, result = run_story(profile_story, {}, capsys, env=env)
    assert rc == 0, result
    assert result["who"] == emu.DEFAULT_API_USERNAME
    assert_no_secret(result)


@pytest.mark.parametrize("empty", ["contrast_username", "contrast_service_key", "contrast_api_key", "org_uuid"])
def test_an_empty_connection_option_is_named_before_any_request(server, capsys, empty):
    reset(server, {})
    rc, result = run_story(profile_story, dict(connection(server), **{empty: "  "}), capsys)
    assert rc == 1
    assert empty in result["msg"]
    assert logged_requests(server) == []


@pytest.mark.parametrize("option, value, words", [
    ("timeout", 0, "timeout"),
    ("retries", -1, "retries"),
    ("ca_path", "/nonexistent/ca.pem", "ca_path"),
])
def test_bad_connection_values_fail_before_any_request(server, capsys, option, value, words):
    reset(server, {})
    rc, result = run_story(profile_story, dict(connection(server), **{option: value}), capsys)
    assert rc == 1 and words in result["msg"]
    assert logged_requests(server) == []


def test_an_api_error_becomes_a_clean_failure_without_secrets(server, capsys):
    reset(server, {})
    rc, result = run_story(profile_story, dict(connection(server), contrast_service_key="WRONG-SERVICE-KEY"), capsys)
    assert rc == 1
    assert result["status"] == 401 and result["method"] == "GET" and "/ng/profile" in result["path"]
    assert "WRONG-SERVICE-KEY" not in json.dumps(result)
    assert_no_secret(result)


def test_api_messages_are_redacted(server, capsys):
    """A server that echoes a key in its error message: the failure shows the message without the key."""
    def story(module):
        raise ContrastApiError("PUT", "/ng/x/users/1", status=400, messages=["bad key %s here" % API_KEY])

    rc, result = run_story(story, connection(server), capsys)
    assert rc == 1
    assert "bad key" in json.dumps(result["api_messages"])
    assert_no_secret(result)


def test_write_verified_counts_a_lost_answer_when_the_read_back_shows_it(server, capsys):
    lost = ContrastApiError("PUT", "/ng/x/users/1", status=502, outcome_unknown=True)

    def story(module):
        def write():
            raise lost
        return dict(changed=True, value=module.write_verified(write, lambda: {"role": "ROLE_EDIT"}))

    warnings = []
    rc, result = run_story(story, connection(server), capsys, warnings=warnings)
    assert rc == 0, result
    assert result["value"] == {"role": "ROLE_EDIT"}
    assert any("502" in warning and "counted as done" in warning for warning in warnings)


@pytest.mark.parametrize("read_back", [lambda: None, lambda: {}])
def test_write_verified_fails_when_the_read_back_does_not_show_it(server, capsys, read_back):
    def story(module):
        def write():
            raise ContrastApiError("DELETE", "/ng/x/users/1", status=503, outcome_unknown=True)
        return dict(changed=True, value=module.write_verified(write, read_back))

    rc, result = run_story(story, connection(server), capsys)
    assert rc == 1
    assert result["status"] == 503 and result["method"] == "DELETE"


def test_write_verified_never_reads_back_a_refused_write(server, capsys):
    read_back = mock.Mock(return_value={"x": 1})

    def story(module):
        def write():
            raise ContrastApiError("PUT", "/ng/x/users/1", status=400, messages=["Invalid role"])
        return dict(changed=True, value=module.write_verified(write, read_back))

    rc, result = run_story(story, connection(server), capsys)
    assert rc == 1 and "Invalid role" in result["msg"]
    read_back.assert_not_called()
