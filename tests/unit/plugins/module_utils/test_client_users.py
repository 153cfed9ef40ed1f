# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""client_users.py: a create whose answer was lost goes through errors.verified (its look-up is the read-back)."""

from __future__ import annotations

import pytest

requests = pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.module_utils.test_client import (  # noqa: E402
    CREATE,
    FULL_USER,
    FakeResponse,
    make_client,
    ok,
)


def test_a_lost_create_whose_look_up_fails_is_never_sent_again():
    """Whether the first POST went through is unknown: the look-up's own error is the failure, with no second POST."""
    refused = FakeResponse(400, {"success": False, "messages": ["q is not allowed"]})
    client, session = make_client([FakeResponse(502), refused])[:2]
    with pytest.raises(ContrastApiError, match="q is not allowed") as caught:
        client.create_user(CREATE)
    assert caught.value.method == "GET" and [call["method"] for call in session.calls] == ["POST", "GET"]


def test_a_lost_create_found_by_its_look_up_is_returned_as_found():
    client, session = make_client([requests.exceptions.ReadTimeout("lost"), ok({"users": [FULL_USER], "count": 1})])[:2]
    assert client.create_user(CREATE)["user_id"] == "u1"
    assert [call["method"] for call in session.calls] == ["POST", "GET"]


def test_a_full_listing_remembers_its_size_for_find_users():
    listing = ok({"users": [FULL_USER], "count": 1})
    client = make_client([listing])[0]
    client.list_users()
    assert client._last_user_count == 1  # pylint: disable=protected-access
