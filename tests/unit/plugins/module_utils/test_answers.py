# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""answers.py: what a failure says and how an answer is decoded, on the transport's own answers."""

from __future__ import annotations

import socket

import pytest

requests = pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.plugins.module_utils.answers import is_name_resolution_failure  # noqa: E402
from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError, UnexpectedAnswerError  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.module_utils.test_client import FakeResponse  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.module_utils.test_transport import make_transport  # noqa: E402


def test_the_apis_messages_and_field_errors_are_collected():
    response = FakeResponse(400, {"success": False, "messages": "one", "errors": [{"field": "role", "message": "bad"}, "x"]})
    transport = make_transport([])[0]
    assert transport._api_messages(response) == ["one", "role: bad"]  # pylint: disable=protected-access
    assert transport._api_messages(FakeResponse(502, text="<html>")) == []  # pylint: disable=protected-access


@pytest.mark.parametrize("response, what", [
    (FakeResponse(200, text=""), "empty body"),
    (FakeResponse(200, text="<html>", headers={"Content-Type": "text/html; charset=utf-8"}), r"not JSON \(text/html\)"),
    (FakeResponse(200, text="[1]"), "not an object"),
])
def test_a_garbled_answer_may_have_been_applied(response, what):
    transport = make_transport([])[0]
    with pytest.raises(ContrastApiError, match=what) as caught:
        transport._decode("PUT", "/ng/o/users/u1", response)  # pylint: disable=protected-access
    assert caught.value.outcome_unknown


def test_an_empty_204_is_a_deletes_success_and_success_false_is_a_refusal():
    transport = make_transport([])[0]
    assert transport._decode("DELETE", "/p", FakeResponse(204, text="")) == {}  # pylint: disable=protected-access
    with pytest.raises(ContrastApiError, match="nope") as caught:
        transport._decode("GET", "/p", FakeResponse(200, {"success": False, "messages": ["nope"]}))  # pylint: disable=protected-access
    assert not caught.value.outcome_unknown


def test_shape_checks_refuse_what_the_dialects_would_read_as_empty():
    transport = make_transport([])[0]
    assert transport._items({"users": None}, "users", "user") == []  # pylint: disable=protected-access
    with pytest.raises(UnexpectedAnswerError, match="a list of user objects"):
        transport._check_list_shape({"users": ["a@example.com"]})  # pylint: disable=protected-access
    with pytest.raises(UnexpectedAnswerError, match="where an object was expected"):
        transport._check_list_shape({"group": ["x"]})  # pylint: disable=protected-access


def test_name_resolution_failures_are_found_in_the_cause_chain():
    try:
        try:
            raise socket.gaierror(-2, "Name or service not known")
        except socket.gaierror as cause:
            raise requests.exceptions.ConnectionError("pool gave up") from cause
    except requests.exceptions.ConnectionError as err:
        assert is_name_resolution_failure(err)
    assert not is_name_resolution_failure(requests.exceptions.ConnectionError("Connection refused"))
