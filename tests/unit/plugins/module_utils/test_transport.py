# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""transport.py on its own: requests, retries, redaction and paging with no client (no dialect, no users) on top."""

from __future__ import annotations

import random

import pytest

requests = pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError  # noqa: E402
from ansible_collections.contrast_security.identity.plugins.module_utils.transport import Transport  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.module_utils.test_client import (  # noqa: E402
    API_KEY,
    SERVICE_KEY,
    FakeResponse,
    ScriptedSession,
    ok,
)


def make_transport(script, **kwargs):
    sleeps = []
    options = dict(contrast_url="https://teamserver.example.com/Contrast", username="api@example.com",
                   service_key=SERVICE_KEY, api_key=API_KEY, org_uuid="org-1", retries=2, sleep=sleeps.append,
                   rng=random.Random(3))
    options.update(kwargs)
    transport = Transport(**options)
    transport.session = ScriptedSession(script)
    return transport, transport.session, sleeps


def test_a_read_is_retried_on_a_transient_status_and_counted():
    transport, session, sleeps = make_transport([FakeResponse(503), ok({"value": 1})])
    assert transport.request("GET", "/ng/anything") == {"success": True, "value": 1}
    assert [call["url"] for call in session.calls] == ["https://teamserver.example.com/Contrast/api/ng/anything"] * 2
    assert (transport.request_count, transport.retry_count, len(sleeps)) == (2, 1, 1)


def test_a_post_that_may_have_been_applied_is_not_retried_and_says_so():
    transport, session = make_transport([FakeResponse(502)])[:2]
    with pytest.raises(ContrastApiError) as caught:
        transport.request("POST", "/ng/o/users", body={"username": "a@example.com"})
    assert caught.value.outcome_unknown and caught.value.status == 502 and len(session.calls) == 1


def test_every_form_of_a_secret_is_redacted():
    transport = make_transport([])[0]
    text = "Basic %s and %s and %s" % (transport.authorization, SERVICE_KEY, API_KEY)
    assert transport.redact(text) == "Basic ******** and ******** and ********"
    assert transport.redact(None) is None


def test_unexpected_names_this_threads_latest_request_redacted():
    transport = make_transport([ok()])[0]
    transport.request("GET", "/ng/o/users")
    err = transport.unexpected("users is %r" % API_KEY)
    assert (err.method, err.path) == ("GET", "/ng/o/users") and API_KEY not in str(err)


def test_read_pages_lets_the_caller_split_answers_and_see_every_page():
    pages = [ok({"things": [{"n": 1}, {"n": 2}], "total": 3}), ok({"things": [{"n": 3}], "total": 3})]
    transport, session = make_transport(pages)[:2]
    seen = []
    items = transport.read_pages("/ng/things", lambda data: [("things", data.get("things"), data.get("total"))],
                                 page_size=2, on_page=seen.append)
    assert items == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert [call["params"] for call in session.calls] == [{"offset": 0, "limit": 2}, {"offset": 2, "limit": 2}]
    assert [page["things"] for page in seen] == [[{"n": 1}, {"n": 2}], [{"n": 3}]]


def test_read_pages_stops_at_the_first_item_a_look_up_accepts():
    pages = [ok({"things": [{"n": 1}, {"n": 2}], "total": 4})]
    transport, session = make_transport(pages)[:2]
    found = transport.read_pages("/ng/things", lambda data: [("things", data["things"], data["total"])], page_size=2,
                                 until=lambda item: item["n"] == 2)
    assert found == [{"n": 2}] and len(session.calls) == 1


def test_a_hook_that_refuses_a_page_stops_the_read():
    transport = make_transport([ok({"things": "not a list", "total": 1})])[0]

    def refuse(data):
        raise transport.unexpected("things is %r" % data["things"])
    with pytest.raises(ContrastApiError, match="unexpected answer from GET /ng/things"):
        transport.read_pages("/ng/things", lambda data: [("things", [], 1)], on_page=refuse)
