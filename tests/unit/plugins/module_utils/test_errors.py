# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""errors.py: the error texts and the one rule for a write whose answer was lost (verified)."""

from __future__ import annotations

from unittest import mock

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils.errors import (
    ContrastApiError,
    NotAppliedError,
    UnexpectedAnswerError,
    shown,
    verified,
)


def lost(method="PUT"):
    return ContrastApiError(method, "/ng/o/users/u1", 502, outcome_unknown=True)


def test_a_write_that_succeeds_is_not_read_back():
    read_back = mock.Mock()
    assert verified(lambda: "written", read_back) == "written"
    read_back.assert_not_called()


def test_a_lost_answer_whose_change_is_in_place_counts_as_done_and_is_told():
    told = []

    def write():
        raise lost()
    assert verified(write, lambda: {"role": "ROLE_EDIT"}, on_lost=told.append) == {"role": "ROLE_EDIT"}
    assert [err.status for err in told] == [502]


@pytest.mark.parametrize("read_back", [lambda: None, lambda: False, lambda: {}])
def test_a_lost_answer_whose_change_is_not_in_place_raises_the_writes_error(read_back):
    error = lost("DELETE")

    def write():
        raise error
    with pytest.raises(ContrastApiError) as caught:
        verified(write, read_back, on_lost=pytest.fail)
    assert caught.value is error and caught.value.read_back_error is None


def test_a_refused_write_is_never_read_back():
    read_back = mock.Mock(return_value=True)

    def write():
        raise ContrastApiError("PUT", "/ng/o/users/u1", 400, messages=["Invalid role"])
    with pytest.raises(ContrastApiError, match="Invalid role"):
        verified(write, read_back)
    read_back.assert_not_called()


def test_a_read_back_that_fails_proves_nothing_and_is_kept_on_the_writes_error():
    read_error = ContrastApiError("GET", "/ng/o/users", 503, outcome_unknown=True)

    def write():
        raise lost("POST")

    def read_back():
        raise read_error
    with pytest.raises(ContrastApiError) as caught:
        verified(write, read_back)
    assert caught.value.method == "POST" and caught.value.read_back_error is read_error


def test_error_texts_name_the_call_and_never_more():
    assert str(ContrastApiError("GET", "/ng/p")) == "GET /ng/p failed: no answer from the server"
    err = ContrastApiError("PUT", "/ng/o/users/u1", 400, messages=["bad"], detail="Check it", attempts=3)
    assert str(err) == "PUT /ng/o/users/u1 failed: HTTP 400: bad. Check it (gave up after 3 attempts)"
    err.detail = "added later"
    assert str(err).endswith("bad. added later (gave up after 3 attempts)")
    assert err.to_result() == {"method": "PUT", "path": "/ng/o/users/u1", "status": 400, "api_messages": ["bad"]}
    assert str(UnexpectedAnswerError("GET", "/ng/o/users", "users is 'x'")) == "unexpected answer from GET /ng/o/users: users is 'x'"
    not_applied = NotAppliedError("PUT", "/ng/o/users/u1", "role stays", fields=["role"])
    assert "answered success, but the server did not take it: role stays" in str(not_applied)
    assert not_applied.fields == ["role"] and not_applied.status == 200


def test_shown_shortens_long_values():
    assert shown("abc") == "'abc'"
    assert len(shown("x" * 500)) == 80 and shown("x" * 500).endswith("...")
