# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's logic against a scripted session: auth, retries, backoff, paging, errors."""

from __future__ import annotations

import base64
import json
import random

import pytest
import requests

from ansible_collections.contrast_security.identity.plugins.module_utils import client as C

SERVICE_KEY = "SVC-SECRET-123"
API_KEY = "API-SECRET-456"
AUTH = base64.b64encode(b"api@example.com:" + SERVICE_KEY.encode()).decode()
ORG = "org-uuid-1"


class FakeResponse:
    def __init__(self, status=200, body=None, text=None, headers=None):
        self.status_code = status
        self.text = text if text is not None else ("" if body is None else json.dumps(body))
        self.headers = headers or {}

    def json(self):
        return json.loads(self.text)


class ScriptedSession:
    """Answers requests from a script (a list of responses or exceptions, or a callable)."""

    def __init__(self, script):
        self.script = script
        self.calls = []
        self.headers = {}

    def request(self, method, url, params=None, json=None, timeout=None, verify=None):
        self.calls.append({"method": method, "url": url, "params": dict(params or {}), "json": json,
                           "timeout": timeout, "verify": verify})
        if callable(self.script):
            answer = self.script(method, url, params or {}, json)
        else:
            answer = self.script.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def make_client(script, **kwargs):
    sleeps = []
    options = dict(contrast_url="https://teamserver.example.com/Contrast/", username="api@example.com",
                   service_key=SERVICE_KEY, api_key=API_KEY, org_uuid=ORG, retries=3,
                   sleep=sleeps.append, rng=random.Random(7))
    options.update(kwargs)
    # A scripted server answers in the order it is asked: list pages one at a time, unless a test asks otherwise
    # (the pages read at once are tested in test_client_lists.py).
    read_parallelism = options.pop("read_parallelism", 1)
    client = C.ContrastClient(**options)
    client.read_parallelism = read_parallelism
    session = ScriptedSession(script)
    session.headers = dict(client.session.headers)
    client.session = session
    return client, session, sleeps


def ok(body=None):
    payload = {"success": True}
    payload.update(body or {})
    return FakeResponse(200, payload)


def test_headers_and_url(monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    client, session = make_client([ok({"user": {"username": "api@example.com"}})])[:2]
    client.get_profile()
    assert session.headers["Authorization"] == AUTH
    assert session.headers["API-Key"] == API_KEY
    assert session.headers["Accept"] == "application/json"
    assert session.headers["Content-Type"] == "application/json"
    assert session.calls[0]["url"] == "https://teamserver.example.com/Contrast/api/ng/profile"
    assert session.calls[0]["timeout"] == 30
    assert session.calls[0]["verify"] is True


@pytest.mark.parametrize("given,expected", [
    ("https://h.example.com/Contrast", "https://h.example.com/Contrast"),
    ("https://h.example.com/Contrast/", "https://h.example.com/Contrast"),
    ("https://h.example.com/Contrast/api/", "https://h.example.com/Contrast"),
    (" http://127.0.0.1:8080/Contrast ", "http://127.0.0.1:8080/Contrast"),
])
def test_base_url_normalisation(given, expected):
    assert C.normalize_base_url(given) == expected


@pytest.mark.parametrize("given", ["h.example.com/Contrast", "ftp://h/Contrast", "", None])
def test_base_url_without_scheme_is_refused(given):
    with pytest.raises(ValueError, match="must start with https://"):
        C.normalize_base_url(given)


def test_tls_options_reach_every_request():
    client, session = make_client([ok({"roles": []})], ca_path="/etc/ca.pem", timeout=7)[:2]
    client.list_roles()
    assert session.calls[0]["verify"] == "/etc/ca.pem"
    assert session.calls[0]["timeout"] == 7
    client, session = make_client([ok({"roles": []})], validate_certs=False)[:2]
    client.list_roles()
    assert session.calls[0]["verify"] is False


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_transient_statuses_are_retried_with_backoff(status):
    client, session, sleeps = make_client([FakeResponse(status), FakeResponse(status), ok({"roles": [{"name": "ROLE_VIEW"}]})])
    assert client.list_roles() == [{"name": "ROLE_VIEW", "description": None}]
    assert len(session.calls) == 3
    assert len(sleeps) == 2
    # full jitter: each delay lies in [0, base * 2**attempt]
    assert 0 <= sleeps[0] <= C.BACKOFF_BASE
    assert 0 <= sleeps[1] <= C.BACKOFF_BASE * 2
    assert client.retry_count == 2


def test_backoff_grows_exponentially_and_is_capped():
    client = make_client([], backoff_base=1.0, backoff_cap=5.0, rng=random.Random(1))[0]
    upper = [max(client._backoff_delay(attempt) for dummy in range(200)) for attempt in range(6)]
    assert upper[0] <= 1.0 and upper[1] <= 2.0 and upper[2] <= 4.0
    assert upper[2] > 2.0  # it does use the larger window
    assert all(value <= 5.0 for value in upper[3:])


def test_retry_after_is_honoured():
    client, sleeps = make_client([FakeResponse(429, headers={"Retry-After": "3"}), ok({"roles": []})])[::2]
    client.list_roles()
    assert len(sleeps) == 1 and 2.9 < sleeps[0] <= 3.0


def test_retry_after_http_date_and_garbage():
    assert C.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert C.parse_retry_after("soon") is None
    assert C.parse_retry_after("100000") == C.RETRY_AFTER_CAP


def test_gives_up_after_retries_naming_method_path_and_status():
    client, session = make_client([FakeResponse(503)] * 4)[:2]
    with pytest.raises(C.ContrastApiError) as caught:
        client.list_roles()
    assert len(session.calls) == 4  # 1 + retries
    text = str(caught.value)
    assert "GET /ng/org-uuid-1/roles" in text
    assert "HTTP 503" in text
    assert "after 4 attempts" in text


def test_500_is_not_retried():
    client, session = make_client([FakeResponse(500, {"success": False, "messages": ["boom"]})])[:2]
    with pytest.raises(C.ContrastApiError, match="HTTP 500: boom"):
        client.list_roles()
    assert len(session.calls) == 1


def test_connection_errors_are_retried_for_reads():
    client, session = make_client([requests.exceptions.ConnectionError("reset"), ok({"roles": []})])[:2]
    assert client.list_roles() == []
    assert len(session.calls) == 2


def test_unreachable_server_gives_a_clear_message():
    client, session = make_client([requests.exceptions.ConnectTimeout("x")] * 4, timeout=2)[:2]
    with pytest.raises(C.ContrastApiError) as caught:
        client.get_profile()
    assert "could not connect within 2 seconds" in str(caught.value)
    assert caught.value.status is None
    assert len(session.calls) == 4


def test_tls_failure_is_not_retried_and_explains_ca_path():
    client, session = make_client([requests.exceptions.SSLError("certificate verify failed")])[:2]
    with pytest.raises(C.ContrastApiError, match="ca_path"):
        client.get_profile()
    assert len(session.calls) == 1


@pytest.mark.parametrize("text,reason", [
    ("HTTPSConnectionPool(host='h', port=443): Max retries exceeded with url: /Contrast/api/ng/profile (Caused by "
     "SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get "
     "local issuer certificate (_ssl.c:1006)')))", "(certificate verify failed: unable to get local issuer certificate)"),
    ('(Caused by SSLError(SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: '
     "Hostname mismatch, certificate is not valid for 'h'. (_ssl.c:1006)\")))",
     "(certificate verify failed: Hostname mismatch, certificate is not valid for 'h')"),
    ("something else entirely", "(SSLError)"),
])
def test_tls_failure_names_the_url_and_openssl_reason(text, reason):
    client = make_client([requests.exceptions.SSLError(text)])[0]
    with pytest.raises(C.ContrastApiError) as caught:
        client.get_profile()
    message = str(caught.value)
    assert message.startswith("GET /ng/profile failed: TLS verification of https://teamserver.example.com/Contrast failed")
    assert message.endswith(reason)
    assert caught.value.status is None and not caught.value.outcome_unknown


@pytest.mark.parametrize("bad", [
    FakeResponse(200, text=""),
    FakeResponse(200, text="{not json"),
    FakeResponse(200, text="<html><body>Bad gateway</body></html>", headers={"Content-Type": "text/html"}),
])
def test_garbled_answers_to_reads_are_retried(bad):
    client, session = make_client([bad, ok({"roles": []})])[:2]
    assert client.list_roles() == []
    assert len(session.calls) == 2


def test_garbled_answer_that_persists_fails_clearly():
    client = make_client([FakeResponse(200, text="<html/>", headers={"Content-Type": "text/html; charset=utf-8"})] * 4)[0]
    with pytest.raises(C.ContrastApiError, match="not JSON \\(text/html\\)"):
        client.list_roles()


def test_401_names_the_credentials_used_but_no_secret():
    client = make_client([FakeResponse(401, text="")])[0]
    with pytest.raises(C.ContrastApiError) as caught:
        client.get_profile()
    text = str(caught.value)
    assert "HTTP 401" in text
    assert "api@example.com" in text and ORG in text and "https://teamserver.example.com/Contrast" in text
    assert "Authorization header" in text and "API-Key header" in text
    for secret in (SERVICE_KEY, API_KEY, AUTH):
        assert secret not in text


def test_redact_hides_every_form_of_the_secrets():
    client = make_client([])[0]
    text = "key %s svc %s header %s" % (API_KEY, SERVICE_KEY, AUTH)
    cleaned = client.redact(text)
    for secret in (SERVICE_KEY, API_KEY, AUTH):
        assert secret not in cleaned


def test_error_from_an_exception_that_mentions_a_secret_is_redacted():
    client = make_client([requests.exceptions.ConnectionError("proxy said %s" % AUTH)] * 4)[0]
    with pytest.raises(C.ContrastApiError) as caught:
        client.get_profile()
    assert AUTH not in str(caught.value)


def test_api_error_messages_and_field_errors_are_reported():
    body = {"success": False, "messages": ["Invalid role"], "errors": [{"field": "role", "message": "bad"}]}
    client = make_client([FakeResponse(400, body)])[0]
    with pytest.raises(C.ContrastApiError) as caught:
        client.update_user("u1", {"role": "ROLE_X"})
    assert caught.value.messages == ["Invalid role", "role: bad"]
    assert caught.value.status == 400


def test_success_false_in_a_200_is_an_error():
    client = make_client([FakeResponse(200, {"success": False, "messages": ["nope"]})])[0]
    with pytest.raises(C.ContrastApiError, match="nope"):
        client.list_roles()


# ---------------------------------------------------------------- paging
def paged_server(total, max_page=None, ignore_offset=False, report_count=True):
    people = [{"user_id": "u%05d" % i, "username": "user%05d@example.com" % i, "role": "ROLE_VIEW", "enabled": True,
               "date_created": 1} for i in range(total)]

    def answer(method, url, params, body):
        offset = 0 if ignore_offset else int(params["offset"])
        limit = int(params["limit"])
        if max_page:
            limit = min(limit, max_page)
        payload = {"users": people[offset:offset + limit]}
        if report_count:
            payload["count"] = total
        return ok(payload)
    return answer


def test_paging_reads_everything_in_exact_page_count():
    client, session = make_client(paged_server(1000))[:2]
    assert len(client.list_users(page_size=100)) == 1000
    assert len(session.calls) == 10  # stops on count, no empty trailing page


def test_paging_advances_by_what_the_server_returned():
    client, session = make_client(paged_server(1000, max_page=25))[:2]
    users = client.list_users(page_size=100)
    assert len(users) == 1000
    assert len({user["user_id"] for user in users}) == 1000
    assert [call["params"]["offset"] for call in session.calls[:3]] == [0, 25, 50]
    assert len(session.calls) == 40


def test_paging_without_count_stops_on_an_empty_page():
    client, session = make_client(paged_server(250, report_count=False))[:2]
    assert len(client.list_users(page_size=100)) == 250
    assert len(session.calls) == 4


def test_paging_refuses_to_loop_when_offset_is_ignored():
    client, session = make_client(paged_server(300, ignore_offset=True))[:2]
    with pytest.raises(C.ContrastApiError, match="ignores offset"):
        client.list_users(page_size=100)
    assert len(session.calls) == 2


def test_find_user_stops_paging_once_found():
    client, session = make_client(paged_server(1000))[:2]
    user = client.find_user("USER00150@example.com", page_size=100)
    assert user["user_id"] == "u00150"
    assert len(session.calls) == 2


# ---------------------------------------------------------------- writes
FULL_USER = {"user_id": "u1", "username": "new@example.com", "email": "new@example.com", "first_name": "N",
             "last_name": "U", "enabled": True, "role": "ROLE_VIEW", "date_created": 5, "last_login": None}
CREATE = {"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW"}


def test_create_sends_the_guide_body():
    client, session = make_client([ok({"user": FULL_USER})])[:2]
    user = client.create_user(CREATE)
    assert user["user_id"] == "u1"
    assert session.calls[0]["method"] == "POST"
    assert session.calls[0]["json"] == {"username": "new@example.com", "email": "new@example.com", "first_name": "N",
                                        "last_name": "U", "role": "ROLE_VIEW", "enabled": True, "api_only": False,
                                        "protect_enabled": False}


def test_create_with_a_partial_answer_rereads_the_user():
    client, session = make_client([ok({"user": {"user_id": "u1", "username": "new@example.com", "enabled": True}}),
                                   ok({"user": FULL_USER})])[:2]
    assert client.create_user(CREATE)["role"] == "ROLE_VIEW"
    assert [call["method"] for call in session.calls] == ["POST", "GET"]


def test_create_is_not_retried_blindly_when_the_answer_was_lost():
    """The POST went through but its answer was a 502: look, find it, do not POST again."""
    listing = ok({"users": [FULL_USER], "count": 1})
    client, session = make_client([FakeResponse(502), listing])[:2]
    user = client.create_user(CREATE)
    assert user["user_id"] == "u1"
    assert [call["method"] for call in session.calls] == ["POST", "GET"]


def test_create_is_retried_when_the_lookup_shows_it_did_not_happen():
    client, session = make_client([requests.exceptions.ConnectionError("reset"), ok({"users": [], "count": 0}),
                                   ok({"user": FULL_USER})])[:2]
    assert client.create_user(CREATE)["user_id"] == "u1"
    assert [call["method"] for call in session.calls] == ["POST", "GET", "POST"]


def test_create_after_429_is_retried_directly():
    client, session = make_client([FakeResponse(429), ok({"user": FULL_USER})])[:2]
    client.create_user(CREATE)
    assert [call["method"] for call in session.calls] == ["POST", "POST"]


def test_create_refused_with_400_is_not_retried():
    client, session = make_client([FakeResponse(400, {"success": False, "messages": ["Invalid role"]})])[:2]
    with pytest.raises(C.ContrastApiError, match="Invalid role"):
        client.create_user(CREATE)
    assert len(session.calls) == 1


def test_delete_of_a_user_already_gone_is_not_an_error():
    client = make_client([FakeResponse(404, {"success": False, "messages": ["User not found"]})])[0]
    assert client.delete_user("u1") is False


def test_get_user_unknown_is_none():
    client = make_client([FakeResponse(404, {"success": False, "messages": ["User not found"]})])[0]
    assert client.get_user("nope") is None


# ---------------------------------------------------------------- permissions (403)
AUTHORIZATION_FAILURE = {"success": False, "messages": ["Authorization failure"], "errors": []}
UID = "ab" * 16
TS_USER = {"user_uid": UID, "email": "sam@example.com", "first_name": "Sam", "last_name": "S", "enabled": True,
           "role": {"group_id": 3, "name": "Edit"}, "signup": {"signup_date": 1}}


def assert_permission_message(text, method, path):
    assert text.startswith("%s %s failed: HTTP 403" % (method, path))
    assert "needs the Organization Admin role (ROLE_ADMIN) in organization %s" % ORG in text
    assert "The API user api@example.com is not allowed" in text
    for secret in (SERVICE_KEY, API_KEY, AUTH):
        assert secret not in text


@pytest.mark.parametrize("call,method,path", [
    (lambda client: client.update_user("u1", {"first_name": "X"}), "PUT", "/ng/%s/users/u1" % ORG),
    (lambda client: client.set_group_members(7, ["u1"]), "PUT", "/ng/%s/groups/7/users" % ORG),
    (lambda client: client.list_users(), "GET", "/ng/%s/users" % ORG),
])
def test_403_says_the_api_user_needs_the_organization_admin_role(call, method, path):
    body = {"success": False, "messages": ["Access denied: this action needs the ROLE_ADMIN role"]}
    client, session = make_client([FakeResponse(403, body)] * 4)[:2]
    with pytest.raises(C.ContrastApiError) as caught:
        call(client)
    assert_permission_message(str(caught.value), method, path)
    assert "Access denied: this action needs the ROLE_ADMIN role" in str(caught.value)
    assert caught.value.status == 403 and not caught.value.outcome_unknown
    assert len(session.calls) == 1  # not retried


def test_403_on_a_create_is_not_followed_by_a_lookup_or_a_retry():
    client, session = make_client([FakeResponse(403, {"success": False, "messages": ["Access denied"]})] * 4)[:2]
    with pytest.raises(C.ContrastApiError) as caught:
        client.create_user(CREATE)
    assert_permission_message(str(caught.value), "POST", "/ng/%s/users" % ORG)
    assert [call["method"] for call in session.calls] == ["POST"]


def test_guide_403_on_a_user_read_is_not_an_unknown_user():
    client, session = make_client([FakeResponse(403, {"success": False, "messages": ["Access denied"]})])[:2]
    with pytest.raises(C.ContrastApiError) as caught:
        client.get_user("u1")
    assert_permission_message(str(caught.value), "GET", "/ng/%s/users/u1" % ORG)
    assert len(session.calls) == 1


def test_teamserver_authorization_failure_for_an_unknown_id_is_none_after_one_probe():
    client, session = make_client([FakeResponse(403, AUTHORIZATION_FAILURE), ok({"users": [TS_USER], "count": 1})],
                                  dialect="teamserver")[:2]
    assert client.get_user("0" * 32) is None
    assert [(call["method"], call["url"].split("/api")[1], call["params"].get("limit")) for call in session.calls] == [
        ("GET", "/ng/%s/users/%s" % (ORG, "0" * 32), None), ("GET", "/ng/%s/users" % ORG, 1)]


def test_teamserver_authorization_failure_without_read_permission_is_not_an_unknown_user():
    client = make_client([FakeResponse(403, AUTHORIZATION_FAILURE), FakeResponse(403, AUTHORIZATION_FAILURE)],
                         dialect="teamserver")[0]
    with pytest.raises(C.ContrastApiError) as caught:
        client.get_user(UID)
    assert_permission_message(str(caught.value), "GET", "/ng/%s/users/%s" % (ORG, UID))


def test_teamserver_refused_delete_of_a_user_that_exists_is_not_already_gone():
    """The DELETE's 403 "Authorization failure" with the user still readable: the caller may not delete."""
    client, session = make_client([FakeResponse(403, AUTHORIZATION_FAILURE), ok({"user": TS_USER})], dialect="teamserver")[:2]
    with pytest.raises(C.ContrastApiError) as caught:
        client.delete_user(UID)
    assert_permission_message(str(caught.value), "DELETE", "/ng/%s/users/%s" % (ORG, UID))
    assert "Authorization failure" in str(caught.value)
    assert [call["method"] for call in session.calls] == ["DELETE", "GET"]


def test_teamserver_refused_delete_without_read_permission_names_the_delete():
    client = make_client([FakeResponse(403, AUTHORIZATION_FAILURE)] * 3, dialect="teamserver")[0]
    with pytest.raises(C.ContrastApiError) as caught:
        client.delete_user(UID)
    assert_permission_message(str(caught.value), "DELETE", "/ng/%s/users/%s" % (ORG, UID))


def test_teamserver_delete_of_a_user_already_gone_is_still_false():
    client, session = make_client([FakeResponse(403, AUTHORIZATION_FAILURE), FakeResponse(403, AUTHORIZATION_FAILURE),
                                   ok({"users": [], "count": 0})], dialect="teamserver")[:2]
    assert client.delete_user(UID) is False
    assert [call["method"] for call in session.calls] == ["DELETE", "GET", "GET"]


def test_membership_write_replaces_the_list():
    client, session = make_client([ok({"messages": ["Group membership updated."]})])[:2]
    client.set_group_members(7, ["a", "b"])
    assert session.calls[0]["method"] == "PUT"
    assert session.calls[0]["url"].endswith("/api/ng/org-uuid-1/groups/7/users")
    assert session.calls[0]["json"] == {"users": [{"user_id": "a"}, {"user_id": "b"}]}


def test_429_pauses_other_threads_too():
    client, sleeps = make_client([FakeResponse(429, headers={"Retry-After": "2"}), ok({"roles": []})])[::2]
    client.list_roles()
    # the shared pause was set; a request issued now waits for what remains of it
    client.session.script = [ok({"roles": []})]
    client._pause_everyone(5)
    client.list_roles()
    assert any(4 < value <= 5 for value in sleeps)


def test_connection_error_message_gives_the_os_cause_not_the_pool_noise():
    noise = ("HTTPConnectionPool(host='h', port=9): Max retries exceeded with url: /Contrast/api/ng/x?offset=0 "
             "(Caused by NewConnectionError(\"HTTPConnection(host='h', port=9): Failed to establish a new connection: "
             "[Errno 111] Connection refused\"))")
    client = make_client([requests.exceptions.ConnectionError(noise)] * 4)[0]
    with pytest.raises(C.ContrastApiError) as caught:
        client.get_profile()
    text = str(caught.value)
    assert "could not connect to https://teamserver.example.com/Contrast (Connection refused)" in text
    assert "HTTPConnectionPool" not in text


# ------------------------------------------------------------------ the request layer refuses what is never right
def _name_resolution_error():
    import socket
    from urllib3.exceptions import MaxRetryError, NameResolutionError
    cause = NameResolutionError("teamserver.example.com", None, socket.gaierror(-2, "Name or service not known"))
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/Contrast/api/ng/profile", cause))


def test_a_name_that_does_not_resolve_is_not_retried():
    client, session, sleeps = make_client([_name_resolution_error()] * 4)
    with pytest.raises(C.ContrastApiError, match="could not resolve the host name of https://teamserver.example.com/Contrast"):
        client.get_profile()
    assert len(session.calls) == 1 and sleeps == []


def test_a_tls_failure_whose_reason_is_text_is_not_taken_for_a_dns_failure():
    from urllib3.exceptions import MaxRetryError, SSLError
    cause = MaxRetryError(None, "/Contrast/api/ng/profile", SSLError("certificate verify failed"))
    cause.reason.reason = "CERTIFICATE_VERIFY_FAILED"  # urllib3 and ssl give a string `reason` here and there
    client, session, _sleeps = make_client([requests.exceptions.SSLError(cause)])
    with pytest.raises(C.ContrastApiError, match="TLS verification"):
        client.get_profile()
    assert len(session.calls) == 1


def test_other_connection_errors_are_still_retried():
    refused = requests.exceptions.ConnectionError("[Errno 111] Connection refused")
    client, session, _sleeps = make_client([refused, ok({"user": {"username": "api@example.com"}})])
    client.get_profile()
    assert len(session.calls) == 2


@pytest.mark.parametrize("name,value", [
    ("api_key", "KEY\n"), ("api_key", "KEY\r\nX-Evil: 1"), ("api_key", "KÉY€"), ("service_key", "SVC\n"), ("service_key", "S€"),
    ("username", "api@example.com\r\n"),
])
def test_malformed_keys_are_refused_before_any_request_without_echoing_them(name, value):
    with pytest.raises(ValueError) as caught:
        make_client([], **{name: value})
    assert value.strip() not in str(caught.value) and "contrast_" in str(caught.value)


@pytest.mark.parametrize("url,message", [
    ("https://admin:s3cret-pass@h.example.com/Contrast", "must not contain user:password@"),
    ("https://token@h.example.com/Contrast", "must not contain user:password@"),
    ("https://h.example.com/Contrast?x=1", "must not contain a query"),
    ("https://h.example.com/Contrast#frag", "or a fragment"),
    ("ftp://admin:s3cret-pass@h.example.com/Contrast", "must start with https://"),
])
def test_contrast_url_with_userinfo_query_or_fragment_is_refused(url, message):
    with pytest.raises(ValueError, match=message.replace("(", "\\(").replace("?", "\\?")) as caught:
        C.normalize_base_url(url)
    assert "s3cret-pass" not in str(caught.value)


def test_every_path_segment_is_percent_encoded_and_dot_segments_refused():
    user = {"user_id": "a b", "username": "x@example.com", "role": "ROLE_VIEW", "enabled": True, "date_created": 1}
    client, session = make_client([ok({"user": user})])[:2]
    client.get_user("a?b#c d%")
    assert session.calls[0]["url"] == "https://teamserver.example.com/Contrast/api/ng/org-uuid-1/users/a%3Fb%23c%20d%25"
    for bad in ("..", ".", "a\nb"):
        with pytest.raises(C.ContrastApiError, match="dot segment or holds control characters"):
            client.get_user(bad)
    assert len(session.calls) == 1


@pytest.mark.parametrize("value,problem", [
    ("0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d", None), ("ORG/groups/11/users?", "org_uuid must be"), ("My Org", "org_uuid must be")])
def test_org_uuid_must_be_a_uuid(value, problem):
    if problem is None:
        assert C.org_uuid_problem(value) is None
    else:
        assert problem in C.org_uuid_problem(value)


@pytest.mark.parametrize("value", ["../../profile", "..", "a/b", "a?x=1", "a#f", "a\nb", "a\u202eb", " "])
def test_ids_free_of_path_characters(value):
    assert C.id_problem("user_id", value)
    assert C.id_problem("user_id", "3c8a1f0e9b2d4e6f8a0b1c2d3e4f5a6b") is None


def test_a_409_after_a_re_sent_create_is_resolved_by_a_look_up():
    """A 429 answered after the server applied the POST: request() sends it again, which meets 409."""
    created = {"user_id": "u1", "username": "new@example.com", "email": "new@example.com", "role": "ROLE_VIEW",
               "enabled": True, "date_created": 1}
    client, session, _sleeps = make_client([
        FakeResponse(429), FakeResponse(409, {"success": False, "messages": ["User already exists"]}),
        ok({"users": [created], "count": 1})], dialect="guide")
    user = client.create_user({"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW"})
    assert user["user_id"] == "u1"
    assert [call["method"] for call in session.calls] == ["POST", "POST", "GET"]


def test_a_plain_409_is_still_a_conflict():
    client = make_client([FakeResponse(409, {"success": False, "messages": ["User already exists"]})], dialect="guide")[0]
    with pytest.raises(C.ContrastApiError, match="HTTP 409"):
        client.create_user({"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW"})


@pytest.mark.parametrize("body,what", [
    ({"users": "oops"}, "users is 'oops' where a list of user objects was expected"),
    ({"users": ["x"]}, "users is ['x']"),
    ({"users": [{"user_id": "u", "last_login": "k=API-SECRET-456"}], "count": 1}, "a user's last_login is 'k=********'"),
    ({"users": [{"user_id": "u", "enabled": "yes"}], "count": 1}, "a user's enabled is 'yes'"),
])
def test_answers_of_an_odd_shape_fail_naming_method_and_path(body, what):
    client = make_client([ok(body)], dialect="guide")[0]
    with pytest.raises(C.UnexpectedAnswerError) as caught:
        client.list_users()
    assert str(caught.value).startswith("unexpected answer from GET /ng/org-uuid-1/users: ")
    assert what in str(caught.value) and API_KEY not in str(caught.value)


# --- the environment (proxies, CA bundle) is read once per client, and still honoured ----------------------------
def _count_environment_reads(monkeypatch):
    calls = []
    real = requests.utils.get_environ_proxies

    def counting(url, no_proxy=None):
        calls.append(url)
        return real(url, no_proxy=no_proxy)
    monkeypatch.setattr(requests.utils, "get_environ_proxies", counting)
    return calls


def test_proxy_settings_read_once_and_honoured(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    calls = _count_environment_reads(monkeypatch)
    client = C.ContrastClient(contrast_url="https://teamserver.example.com/Contrast", username="api@example.com",
                              service_key=SERVICE_KEY, api_key=API_KEY, org_uuid=ORG)
    sessions = [client.session]
    worker = __import__("threading").Thread(target=lambda: sessions.append(client.session))
    worker.start()
    worker.join()
    assert sessions[0] is not sessions[1]  # one session per thread
    for session in sessions:
        assert session.trust_env is False  # requests does not read the environment on every call
        assert session.proxies["https"] == "http://proxy.example.com:3128"
    client._environment_settings()
    assert len(calls) == 1


def test_no_proxy_is_honoured(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.com:3128")
    monkeypatch.setenv("NO_PROXY", "example.com")
    client = C.ContrastClient(contrast_url="https://teamserver.example.com/Contrast", username="api@example.com",
                              service_key=SERVICE_KEY, api_key=API_KEY, org_uuid=ORG)
    assert "https" not in client.session.proxies


@pytest.mark.parametrize("options, expected", [
    ({}, "/etc/corp/ca.pem"),
    ({"validate_certs": False}, False),
    ({"ca_path": "/etc/private/ca.pem"}, "/etc/private/ca.pem"),
])
def test_ca_bundle_from_the_environment(monkeypatch, options, expected):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corp/ca.pem")
    client, session = make_client([ok({"user": {"username": "api@example.com"}})], **options)[:2]
    client.get_profile()
    assert session.calls[0]["verify"] == expected
