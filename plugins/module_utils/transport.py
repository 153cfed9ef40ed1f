# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The transport under the client: one kept-alive session, the auth headers, requests with retries, backoff,
decoding and error texts, and redaction.

Private to this collection: not a public API, may change without notice.

What it takes care of, once, for every call the client makes:

* authentication (the ``Authorization`` and ``API-Key`` headers) on one kept-alive session per thread;
* retries of transient failures (connection errors, 429, 502, 503, 504, and garbled answers to
  reads) with exponential backoff and full jitter, honouring ``Retry-After`` when a server sends
  one; a 429 pauses every thread sharing the transport, not just the one that saw it;
* a POST is never retried blindly: a failure that leaves its outcome unknown is raised with
  ``outcome_unknown`` so that the caller looks before it tries again (errors.verified);
* errors that name method, path, status and the API's own messages, and never a header or key.

It knows nothing of users, groups or dialects: paths come from the client, which asks the dialect.
"""

from __future__ import annotations

import base64
import email.utils
import os
import random
import threading
import time
import traceback

from ansible_collections.contrast_security.identity.plugins.module_utils.answers import (
    AnswerReading,
    is_name_resolution_failure,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.errors import (
    ContrastApiError,
    UnexpectedAnswerError,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.inputs import (
    encode_path,
    key_problem,
    normalize_base_url,
    origin_of,
    without_userinfo,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.paging import Paging

try:
    import requests
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None


class CrossOriginRedirect(Exception):
    """The server redirected to another origin (scheme, host or port): never followed with the keys."""

    def __init__(self, status, target):
        self.status = status
        self.target = target
        super(CrossOriginRedirect, self).__init__("HTTP %s redirect to %s" % (status, target))


if HAS_REQUESTS:
    class OriginBoundSession(requests.Session):
        """A session that follows a redirect only within the origin of contrast_url.

        requests drops ``Authorization`` on a redirect to another host, but not ``API-Key``: any redirect
        that leaves the origin is refused before it is sent.
        """

        origin = None

        def rebuild_auth(self, prepared_request, response):
            if self.origin is not None and origin_of(prepared_request.url) != self.origin:
                raise CrossOriginRedirect(response.status_code, prepared_request.url)
            super(OriginBoundSession, self).rebuild_auth(prepared_request, response)


TRANSIENT_STATUSES = frozenset((429, 502, 503, 504))
# Statuses after which a write may or may not have been applied by the server.
OUTCOME_UNKNOWN_STATUSES = frozenset((500, 502, 503, 504))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE"))
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0
REDACTED = "********"


def parse_retry_after(value):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


class Transport(AnswerReading, Paging):
    """Requests to one Contrast server as one API user (the client's base; see the module docstring).

    Thread-safe enough for bounded parallel writes: the backoff pause after a 429 is shared.
    """

    def __init__(self, contrast_url, username, service_key, api_key, org_uuid, validate_certs=True, ca_path=None,
                 timeout=30, retries=5, sleep=time.sleep, rng=None, backoff_base=BACKOFF_BASE, backoff_cap=BACKOFF_CAP):
        if not HAS_REQUESTS:
            raise RuntimeError("The Python library 'requests' is required")
        self.base_url = normalize_base_url(contrast_url)
        self.api_root = self.base_url + "/api"
        self.username = username
        self.org_uuid = org_uuid
        self.timeout = timeout
        self.retries = max(int(retries), 0)
        self.verify = ca_path if ca_path else bool(validate_certs)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._pause_lock = threading.Lock()
        self._pause_until = 0.0
        self._stats_lock = threading.Lock()
        self.request_count = 0
        self.retry_count = 0

        for name, value in (("contrast_username", username), ("contrast_service_key", service_key),
                            ("contrast_api_key", api_key)):
            problem = key_problem(name, value)
            if problem:
                raise ValueError(problem)
        authorization = base64.b64encode(("%s:%s" % (username, service_key)).encode("utf-8")).decode("ascii")
        # Everything secret, in every form it could take in a message.
        self._secrets = [secret for secret in (service_key, api_key, authorization) if secret]
        self.authorization = authorization
        self._headers = {
            "Authorization": authorization,
            "API-Key": api_key,
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": "contrast_security.identity-ansible",
        }
        # One kept-alive session per thread: requests.Session is not documented as thread-safe, and
        # bounded parallel writes (contrast_roster) each reuse their own connection.
        self._local = threading.local()
        self._shared_session = None
        self._environment = None  # (proxies, verify) from the environment, resolved once (see _environment_settings)

    @property
    def session(self):
        if self._shared_session is not None:
            return self._shared_session
        session = getattr(self._local, "session", None)
        if session is None:
            session = OriginBoundSession()
            session.origin = origin_of(self.base_url)
            session.headers.update(self._headers)
            proxies, _verify = self._environment_settings()
            # requests would read the environment again on every call (a fifth of a small request's time);
            # the settings were read once above, and every request goes to the same host.
            session.trust_env = False
            session.proxies.update(proxies)
            self._local.session = session
        return session

    def _environment_settings(self):
        """(proxies, verify) as requests takes them from the environment for this server, read once per client.

        HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY decide the proxies for the base URL;
        REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace the default CA store when certificates are verified
        and no ca_path is given (what requests does with its environment lookup on).
        """
        if self._environment is None:
            proxies = requests.utils.get_environ_proxies(self.base_url)
            verify = self.verify
            if verify is True:
                verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            self._environment = (dict(proxies), verify)
        return self._environment

    @session.setter
    def session(self, value):
        """Use one given session in every thread (tests use this to script the answers)."""
        self._shared_session = value

    # ------------------------------------------------------------------ answers
    @property
    def last_request(self):
        """(method, path) of this thread's latest request, or None."""
        return getattr(self._local, "last_request", None)

    def unexpected(self, what):
        """An UnexpectedAnswerError about this thread's latest answer (to raise)."""
        method, path = self.last_request or ("?", "?")
        return UnexpectedAnswerError(method, path, self.redact(what))

    # ------------------------------------------------------------------ secrets
    def redact(self, text):
        """`text` with every secret this client knows replaced, for anything that may be shown."""
        if text is None:
            return None
        text = str(text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    # ------------------------------------------------------------------ transport
    def _backoff_delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
        return self._rng.uniform(0, min(self._backoff_cap, self._backoff_base * (2 ** attempt)))

    def _pause_everyone(self, seconds: float):
        with self._pause_lock:
            self._pause_until = max(self._pause_until, time.monotonic() + seconds)

    def _wait_for_shared_pause(self):
        with self._pause_lock:
            remaining = self._pause_until - time.monotonic()
        if remaining > 0:
            self._sleep(remaining)

    def _count(self, retried=False):
        with self._stats_lock:
            self.request_count += 1
            if retried:
                self.retry_count += 1

    def request(self, method: str, path: str, params=None, body=None) -> dict:
        """One API call, with retries as described in the module docstring; returns the JSON object.

        Reads, PUTs and DELETEs are retried on every transient failure. A POST is retried only on
        429 (the server refused it unprocessed); any other failure raises with
        ``outcome_unknown`` so that the caller can look before it tries again.
        """
        idempotent = method in IDEMPOTENT_METHODS
        self._local.last_request = (method, path)
        try:
            url = self.api_root + encode_path(path)
        except ValueError as err:
            raise ContrastApiError(method, path, detail=str(err)) from None
        last_error = None
        delay = 0.0
        for attempt in range(self.retries + 1):
            if attempt and delay > 0:
                self._sleep(delay)
            self._wait_for_shared_pause()
            self._count(retried=attempt > 0)
            try:
                response = self.session.request(method, url, params=params, json=body, timeout=self.timeout,
                                                verify=self._environment_settings()[1])
            except CrossOriginRedirect as exc:
                raise ContrastApiError(
                    method, path, exc.status,
                    detail="the server redirected to %s, another origin than contrast_url %s; the keys are never sent "
                           "there. If that address is the right server, set contrast_url to it."
                           % (self.redact(without_userinfo(exc.target)), self.base_url)) from None
            except requests.exceptions.RequestException as exc:
                if is_name_resolution_failure(exc):
                    # A name that does not resolve does not start resolving within the backoff: fail at once.
                    raise ContrastApiError(method, path, detail="could not resolve the host name of %s (%s): check "
                                                                "contrast_url and DNS" % (self.base_url, type(exc).__name__)) from None
                if isinstance(exc, (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL,
                                    requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
                    raise ContrastApiError(method, path, detail="the request cannot be sent (%s)" % type(exc).__name__) from None
                refused_before_sending = isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.SSLError))
                last_error = ContrastApiError(method, path, detail=self._describe_exception(exc),
                                              outcome_unknown=not refused_before_sending, attempts=attempt + 1)
                if isinstance(exc, requests.exceptions.SSLError):
                    raise last_error  # a certificate problem does not go away by retrying
                if not (idempotent or refused_before_sending):
                    raise last_error
                delay = self._backoff_delay(attempt)
                continue

            status = response.status_code
            if status in TRANSIENT_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                delay = retry_after if retry_after is not None else self._backoff_delay(attempt)
                if status == 429:
                    # Everyone sharing this client waits, this thread included (via the shared pause).
                    self._pause_everyone(delay)
                    delay = 0.0
                last_error = ContrastApiError(method, path, status, messages=self._api_messages(response),
                                              detail=self._status_detail(status),
                                              outcome_unknown=status in OUTCOME_UNKNOWN_STATUSES, attempts=attempt + 1)
                if idempotent or status == 429:
                    continue
                raise last_error
            if status >= 400:
                raise ContrastApiError(method, path, status, messages=self._api_messages(response),
                                       detail=self._status_detail(status),
                                       outcome_unknown=status in OUTCOME_UNKNOWN_STATUSES, attempts=attempt + 1)
            try:
                return self._decode(method, path, response)
            except ContrastApiError as err:
                err.attempts = attempt + 1
                if not (err.outcome_unknown and idempotent):
                    raise
                last_error = err
                delay = self._backoff_delay(attempt)
        raise ContrastApiError(last_error.method, last_error.path, last_error.status, last_error.messages,
                               last_error.detail, last_error.outcome_unknown, attempts=self.retries + 1)
