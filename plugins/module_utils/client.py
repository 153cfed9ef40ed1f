# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one HTTP client for Contrast's REST API.

Private to this collection: not a public API, may change without notice.

What it takes care of, once, for every module:

* authentication (the ``Authorization`` and ``API-Key`` headers) on one kept-alive session;
* retries of transient failures (connection errors, 429, 502, 503, 504, and garbled answers to
  reads) with exponential backoff and full jitter, honouring ``Retry-After`` when a server sends
  one; a 429 pauses every thread sharing the client, not just the one that saw it;
* creates are never retried blindly: an answer that leaves the outcome unknown is followed by a
  look-up, so no second user (and no second invitation) is ever made;
* paging through every list, trusting neither the page size asked for nor the server to honour
  ``offset``;
* errors that name method, path, status and the API's own messages, and never a header or key.
"""

from __future__ import annotations

import base64
import email.utils
import json
import ipaddress
import os
import random
import re
import socket
import threading
import time
import traceback
from urllib.parse import quote, urlsplit

from ansible_collections.contrast_security.identity.plugins.module_utils.dialects import (
    DIALECTS,
    GuideDialect,
    auto_read_params,
    detect_dialect,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.users import (
    canonical_role,
    normalize_user,
    same_username,
)

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

DEFAULT_URL = "https://app.contrastsecurity.com/Contrast"
TRANSIENT_STATUSES = frozenset((429, 502, 503, 504))
# Statuses after which a write may or may not have been applied by the server.
OUTCOME_UNKNOWN_STATUSES = frozenset((500, 502, 503, 504))
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE"))
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0
DEFAULT_PAGE_SIZE = 100
REDACTED = "********"
_ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")
# OpenSSL's reason in an SSLError's text, e.g. "certificate verify failed: self-signed certificate in certificate chain".
_SSL_REASON_RE = re.compile(r"\[SSL(?:: [A-Z_]+)?\] (.+?)\.?(?: \(_ssl\.c:\d+\)|['\"]\)|$)")


class ContrastApiError(Exception):
    """A failed API call: method, path, HTTP status (None when there was no answer) and the API's messages.

    ``outcome_unknown`` is true when a write may have been applied although it failed (no answer,
    or a 5xx): callers must look before they try again.
    """

    def __init__(self, method, path, status=None, messages=None, detail=None, outcome_unknown=False, attempts=1):
        self.method = method
        self.path = path
        self.status = status
        self.messages = list(messages or [])
        self.detail = detail
        self.outcome_unknown = outcome_unknown
        self.attempts = attempts
        super(ContrastApiError, self).__init__(self._text())

    def __str__(self):
        return self._text()  # built on demand: a caller may add detail after raising

    def _text(self):
        where = "%s %s" % (self.method, self.path)
        if self.status is None:
            text = "%s failed: %s" % (where, self.detail or "no answer from the server")
        else:
            text = "%s failed: HTTP %s" % (where, self.status)
            if self.messages:
                text += ": %s" % "; ".join(str(message) for message in self.messages)
            if self.detail:
                text += ". %s" % self.detail
        if self.attempts > 1:
            text += " (gave up after %d attempts)" % self.attempts
        return text

    def to_result(self):
        """The error's facts as module result keys (never headers)."""
        return {"method": self.method, "path": self.path, "status": self.status, "api_messages": self.messages}


class UnexpectedAnswerError(ContrastApiError):
    """An answer whose shape is not what the API documents (a list that is not one, a date that is text...).

    Raised instead of letting a TypeError or ValueError escape with the odd value (which may be an echoed
    header) in a traceback.
    """

    def __init__(self, method, path, what, status=200):
        super(UnexpectedAnswerError, self).__init__(method, path, status, detail=what)

    def _text(self):
        return "unexpected answer from %s %s: %s" % (self.method, self.path, self.detail)


class NotAppliedError(ContrastApiError):
    """A write the server answered with success, but whose read-back shows it did not take (all or part)."""

    def __init__(self, method, path, what, fields=None):
        self.fields = list(fields or [])
        super(NotAppliedError, self).__init__(method, path, 200, detail=what)

    def _text(self):
        return "%s %s answered success, but the server did not take it: %s" % (self.method, self.path, self.detail)


def shown(value, limit=80):
    """A value from an answer, for a message: repr, shortened (the caller redacts the whole message)."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


# Characters that are never part of an id, a name or a login: C0/C1 controls (CR, LF, NUL, ...) and the
# Unicode bidi controls that make a name render reversed (U+202E) in a report or a terminal.
BIDI_CONTROLS = frozenset(u"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_characters(text):
    """The control and bidi characters in `text`, as U+XXXX names (empty when there are none)."""
    if not isinstance(text, str):
        return []
    found = []
    for char in text:
        if (ord(char) < 32 or 127 <= ord(char) < 160 or char in BIDI_CONTROLS) and "U+%04X" % ord(char) not in found:
            found.append("U+%04X" % ord(char))
    return found


def id_problem(name, value):
    """Why `value` cannot be a user or group id in a URL path (None when it can)."""
    text = "" if value is None else str(value)
    if not text.strip():
        return "%s must not be empty." % name
    if text.strip() in (".", ".."):
        return "%s %r is not an id." % (name, text)
    bad = [char for char in "/?#\\" if char in text] + unsafe_characters(text)
    if bad:
        return "%s %r is not an id: it contains %s." % (name, text, ", ".join(bad))
    return None


def org_uuid_problem(value):
    """Why `value` is not an organization UUID (None when it is)."""
    if not _UUID_RE.match(str(value or "").strip()):
        return ("org_uuid must be the organization's UUID (like 0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d; not its name, "
                "not a path), got %r." % value)
    return None


_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def key_problem(name, value):
    """Why a key or login cannot go into an HTTP header (None when it can). Never echoes the value."""
    if not isinstance(value, str):
        return None
    controls = unsafe_characters(value)
    if controls:
        return ("%s contains a control character (%s): a line break copied with the key? Remove it."
                % (name, ", ".join(controls)))
    if name != "contrast_username":  # the login goes into the header base64-encoded, as UTF-8
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            return "%s contains characters that cannot be sent in an HTTP header (non-Latin-1): is it the right key?" % name
    return None


def is_loopback_host(host) -> bool:
    host = (host or "").strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin_of(url):
    """(scheme, host, port) of a URL, the port filled in from the scheme."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def without_userinfo(url):
    """`url` with any ``user:password@`` taken out (for messages)."""
    text = str(url or "")
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@", r"\1", text.strip())


def encode_path(path):
    """Every segment of an API path percent-encoded (an id can hold no path, query or fragment)."""
    segments = path.split("/")
    for segment in segments:
        if segment in (".", "..") or unsafe_characters(segment):
            raise ValueError("refusing the path %r: a segment is a dot segment or holds control characters" % path)
    return "/".join(quote(segment, safe="-._~@:") for segment in segments)


def _is_name_resolution_failure(exc) -> bool:
    """Whether a connection error is a DNS failure (not retried: it does not go away in seconds)."""
    seen = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue  # a `reason` may be a plain string
        seen.add(id(current))
        if isinstance(current, socket.gaierror) or type(current).__name__ == "NameResolutionError":
            return True
        pending.extend([getattr(current, "reason", None), current.__cause__, current.__context__])
        pending.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
    text = str(exc)
    return any(marker in text for marker in ("Failed to resolve", "Name or service not known", "nodename nor servname",
                                             "getaddrinfo failed", "No address associated with hostname"))


def write_or_read_back(write, took_effect):
    """``(write(), None)``; but when the write fails with an unknown outcome (a 5xx or a lost answer: the
    server may have applied it), read back with `took_effect()`: when that returns the change in place (a
    truthy value), return ``(that value, the write's error)``. Otherwise the write's own error is raised."""
    try:
        return write(), None
    except ContrastApiError as err:
        if not err.outcome_unknown:
            raise
        try:
            confirmed = took_effect()
        except ContrastApiError:
            confirmed = None
        if not confirmed:
            raise err from None
        return confirmed, err


def normalize_base_url(url: str) -> str:
    """`contrast_url` as given by a user, reduced to scheme://host[:port]/context-path.

    Tolerates a trailing slash and a URL that already ends in ``/api``; refuses a URL without
    an http(s) scheme rather than guessing one.
    """
    value = (url or "").strip()
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError(
            "contrast_url %r must start with https:// (or http://), e.g. %s" % (without_userinfo(url), DEFAULT_URL))
    parts = urlsplit(value)
    if "@" in parts.netloc:
        # Never echo it: what precedes the @ is often user:password.
        raise ValueError("contrast_url must not contain user:password@ (the API authenticates with contrast_username, "
                         "contrast_service_key and contrast_api_key): give only scheme://host[:port]/context-path.")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ValueError("contrast_url %r must not contain a query (?...) or a fragment (#...): give only "
                         "scheme://host[:port]/context-path, e.g. %s" % (value, DEFAULT_URL))
    if unsafe_characters(value):
        raise ValueError("contrast_url contains control characters (%s)." % ", ".join(unsafe_characters(value)))
    value = value.rstrip("/")
    if value.lower().endswith("/api"):
        value = value[:-len("/api")]
    return value


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


class ContrastClient:
    """Talks to one Contrast organization as one API user.

    Thread-safe enough for bounded parallel writes: the backoff pause after a 429 is shared.
    """

    def __init__(self, contrast_url, username, service_key, api_key, org_uuid, validate_certs=True, ca_path=None,
                 timeout=30, retries=5, dialect="guide", sleep=time.sleep, rng=None,
                 backoff_base=BACKOFF_BASE, backoff_cap=BACKOFF_CAP):
        if not HAS_REQUESTS:
            raise RuntimeError("The Python library 'requests' is required")
        self.base_url = normalize_base_url(contrast_url)
        self.api_root = self.base_url + "/api"
        self.username = username
        self.org_uuid = org_uuid
        self.timeout = timeout
        self.retries = max(int(retries), 0)
        if dialect != "auto" and dialect not in DIALECTS:
            raise ValueError("contrast_api_dialect must be auto or one of %s, got %r" % (", ".join(sorted(DIALECTS)), dialect))
        # "auto": unknown until the first response whose shape tells (then cached for this client).
        self.dialect_setting = dialect
        self._dialect = None if dialect == "auto" else DIALECTS[dialect]
        self.dialect_detected_from = None
        self._role_names = None
        self._preferences = {}  # user_id -> {date_format, time_format, time_zone} (TeamServer edits repeat them)
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

    # ------------------------------------------------------------------ dialect
    @property
    def dialect(self):
        """The dialect in use. In auto mode, before any response told, one ``GET /ng/profile`` decides."""
        if self._dialect is None:
            data = self.request("GET", GuideDialect.profile_path())
            self._observe(data, "user", "GET /ng/profile")
            if self._dialect is None:
                self._dialect = DIALECTS["guide"]
                self.dialect_detected_from = "default (GET /ng/profile did not tell)"
        return self._dialect

    @property
    def _read_dialect(self):
        """The dialect for a read whose path both dialects share: the known one, else the guide's paths."""
        return self._dialect or GuideDialect

    def _observe(self, data, kind, source):
        """Settle the dialect from a response's shape (auto mode, first time only)."""
        if self._dialect is not None:
            return
        name = detect_dialect(data, kind)
        if name is not None:
            self._dialect = DIALECTS[name]
            self.dialect_detected_from = source

    def _read(self, path, kind):
        """GET one object, letting its shape settle the dialect (auto mode asks for what any dialect needs)."""
        known = self._dialect
        params = known.read_params(kind) if known else auto_read_params(kind)
        data = self.request("GET", path, params=params or None)
        if known is None:
            self._observe(data, kind, "GET %s" % path)
        return data

    def _role_name_for(self, role):
        """The server's name of a canonical role (TeamServer): read once from its roles endpoint."""
        if role is None:
            return None
        if self._role_names is None:
            self.list_roles()
        name = self._role_names.get(role) if self._role_names else None
        if name is None:
            raise ContrastApiError("GET", self.dialect.roles_path(self.org_uuid), 200,
                                   detail="The server lists no role matching %s" % role)
        return name

    @staticmethod
    def _authorization_failure(err) -> bool:
        """TeamServer's 401/403 "Authorization failure": an id it does not know, or a caller without the permission."""
        return err.status in (401, 403) and any("authorization failure" in message.lower() for message in err.messages)

    def _unknown_id(self, err) -> bool:
        """Whether a failed read of one object means "there is no such object".

        A 404 does. TeamServer's "Authorization failure" is ambiguous: it answers the same for an id it
        does not know and for a caller whose role does not allow the read. One users page of one user
        tells them apart: refused too, the caller lacks the permission (``err`` then says so and is not
        an unknown id); read, the id is unknown. Taking a permission denial for "no such user" would
        make a module create a user that exists or report a deletion that never happened.
        """
        if err.status == 404:
            return True
        if not self._authorization_failure(err):
            return False
        try:
            self.request("GET", self._read_dialect.users_path(self.org_uuid), params={"offset": 0, "limit": 1})
        except ContrastApiError as probe:
            if probe.status == 403:
                err.detail = self.permission_detail()
            return False
        return True

    # ------------------------------------------------------------------ answers of an odd shape
    @property
    def last_request(self):
        """(method, path) of this thread's latest request, or None."""
        return getattr(self._local, "last_request", None)

    def unexpected(self, what):
        """An UnexpectedAnswerError about this thread's latest answer (to raise)."""
        method, path = self.last_request or ("?", "?")
        return UnexpectedAnswerError(method, path, self.redact(what))

    def _items(self, data, key, what):
        """``data[key]`` as a list of objects (absent or null: empty), or UnexpectedAnswerError."""
        items = data.get(key)
        if items is None:
            return []
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise self.unexpected("%s is %s where a list of %s objects was expected" % (key, shown(items), what))
        return items

    def _object(self, data, key):
        """``data[key]`` as an object (absent or null: empty), or UnexpectedAnswerError."""
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.unexpected("%s is %s where an object was expected" % (key, shown(value)))
        return value

    def _role_named(self, role):
        if not isinstance(role.get("name"), str):
            raise self.unexpected("a role is %s where an object with a name was expected" % shown(role))
        return True

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

    def _describe_exception(self, exc) -> str:
        if isinstance(exc, requests.exceptions.SSLError):
            reason = ("TLS verification of %s failed; for a private CA set ca_path to its PEM bundle "
                      "(validate_certs=false only for tests)" % self.base_url)
        elif isinstance(exc, requests.exceptions.ConnectTimeout):
            reason = "could not connect within %s seconds" % self.timeout
        elif isinstance(exc, requests.exceptions.ReadTimeout):
            reason = "no answer within %s seconds (timeout)" % self.timeout
        elif isinstance(exc, requests.exceptions.ConnectionError):
            reason = "could not connect to %s" % self.base_url
        else:
            reason = "request error"
        # requests' text repeats the pool, URL and query; the OS-level cause is what helps.
        cause = _ERRNO_RE.search(str(exc)) or _SSL_REASON_RE.search(str(exc))
        detail = cause.group(1).strip() if cause else type(exc).__name__
        return "%s (%s)" % (reason, self.redact(detail))

    @staticmethod
    def _api_messages(response):
        try:
            data = response.json()
        except ValueError:
            return []
        if not isinstance(data, dict):
            return []

        def as_list(value):
            return value if isinstance(value, list) else ([] if value is None else [value])
        messages = [str(message) for message in as_list(data.get("messages"))]
        for error in as_list(data.get("errors")):
            if isinstance(error, dict):
                field = error.get("field")
                text = error.get("message")
                messages.append("%s: %s" % (field, text) if field else str(text))
        return messages

    def permission_detail(self):
        return ("The API user %s is not allowed to do this: managing users and access groups through the API needs the "
                "Organization Admin role (ROLE_ADMIN) in organization %s. Give %s that role, or use the keys of an API "
                "user who has it." % (self.username, self.org_uuid, self.username))

    def _status_detail(self, status):
        if status == 401:
            return ("The API rejected the credentials and gives no detail. Used: URL %s, username %s, org_uuid %s. "
                    "Check contrast_username and contrast_service_key (the Authorization header), contrast_api_key "
                    "(the API-Key header), and that org_uuid is an organization this user belongs to."
                    % (self.base_url, self.username, self.org_uuid))
        if status == 403:
            return self.permission_detail()
        if status == 404:
            return "Not found (check contrast_url, including its context path such as /Contrast, and the ids used)."
        return None

    def _decode(self, method, path, response):
        """The JSON object of a 2xx answer; a garbled one raises (and is retried for reads)."""
        text = response.text
        if not text.strip():
            if method == "DELETE" and response.status_code == 204:
                return {}  # No Content: a DELETE's documented success. An empty 200 is a garbled answer.
            raise ContrastApiError(method, path, response.status_code,
                                   detail="The server answered with an empty body where JSON was expected",
                                   outcome_unknown=True)
        try:
            data = json.loads(text)
        except ValueError:
            kind = response.headers.get("Content-Type", "unknown content type")
            raise ContrastApiError(method, path, response.status_code,
                                   detail="The server answered with a body that is not JSON (%s); a proxy may be in the way"
                                   % self.redact(kind.split(";")[0]),
                                   outcome_unknown=True)
        if not isinstance(data, dict):
            raise ContrastApiError(method, path, response.status_code, detail="The server answered with JSON that is not an object",
                                   outcome_unknown=True)
        if data.get("success") is False:
            raise ContrastApiError(method, path, response.status_code, messages=self._api_messages(response))
        return data

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
                if _is_name_resolution_failure(exc):
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

    def paginate(self, path: str, key: str, page_size: int = DEFAULT_PAGE_SIZE, params=None, observe=None, first_page=None):
        """Yield every item of a paged list, one page at a time.

        Advances by the number of items the server actually returned (it may clamp `limit`
        silently), stops at `count` or at an empty page, and raises rather than loop when the
        server answers the same page twice (it ignores `offset`).
        """
        offset = 0
        previous_page = None
        while True:
            query = dict(params or {})
            query.update({"offset": offset, "limit": page_size})
            if first_page is not None:
                data, first_page = first_page, None  # already read (the answer that settled the dialect)
            else:
                data = self.request("GET", path, params=query)
            if observe and self._dialect is None:
                self._observe(data, observe, "GET %s" % path)
            items = self._items(data, key, "item")
            if not items:
                return
            # The first and last items and the length tell a repeated page; serialising every item cost a
            # tenth of a large listing.
            fingerprint = (len(items), json.dumps(items[0], sort_keys=True, default=str),
                           json.dumps(items[-1], sort_keys=True, default=str))
            if fingerprint == previous_page:
                raise ContrastApiError(
                    "GET", path, 200,
                    detail="The server returned the same page for offset %d as for the previous offset: it ignores "
                           "offset, so the list cannot be read completely" % offset)
            previous_page = fingerprint
            yield from items
            offset += len(items)
            count = data.get("count")
            if isinstance(count, int) and offset >= count:
                return

    # ------------------------------------------------------------------ users
    def _user(self, raw) -> dict:
        self._check_user_shape(raw)
        user = normalize_user(raw, org_uuid=self.org_uuid)
        preferences = self._dialect.preferences_of(raw) if self._dialect else None
        if preferences and user["user_id"]:
            self._preferences[user["user_id"]] = preferences  # an edit must repeat them (TeamServer)
        return user

    def _check_user_shape(self, raw):
        """UnexpectedAnswerError when a user object's fields are not of the documented types."""
        if not isinstance(raw, dict):
            raise self.unexpected("a user is %s where an object was expected" % shown(raw))
        checks = (
            (("user_id", "user_uid", "id"), (str, int), "an id"),
            (("username", "email", "first_name", "last_name"), (str,), "text"),
            (("enabled", "api_only", "protect_enabled", "rasp_enabled"), (bool,), "true or false"),
            (("date_created", "last_login"), (int,), "epoch milliseconds"),
            (("role",), (str, dict), "a role"),
        )
        for keys, types, meaning in checks:
            for key in keys:
                value = raw.get(key)
                if value is None:
                    continue
                if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                    raise self.unexpected("a user's %s is %s where %s (or null) was expected" % (key, shown(value), meaning))
        for outer, inner in (("login", "last_login_time"), ("signup", "signup_date")):
            value = raw.get(outer)
            if value is None:
                continue
            if not isinstance(value, dict) or (value.get(inner) is not None and (
                    not isinstance(value.get(inner), int) or isinstance(value.get(inner), bool))):
                raise self.unexpected("a user's %s is %s where an object with epoch milliseconds was expected"
                                      % (outer, shown(value)))

    def _preferences_of(self, user_id):
        """A user's date/time preferences as last read; one read of the user when none was seen."""
        if user_id not in self._preferences:
            self.get_user(user_id)
        return self._preferences.get(user_id)

    def list_users(self, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Every user of the organization, canonical, each once (a list shifting under paging can repeat one)."""
        seen = set()
        users = []
        for raw in self._user_pages(page_size):
            user = self._user(raw)
            if user["user_id"] in seen:
                continue
            seen.add(user["user_id"])
            users.append(user)
        return users

    def get_user(self, user_id: str):
        """One user by id, canonical, or None when there is no such user."""
        try:
            data = self._read(self._read_dialect.user_path(self.org_uuid, user_id), "user")
        except ContrastApiError as err:
            if self._unknown_id(err):
                return None
            raise
        return self._user(self._object(data, "user"))

    def _user_pages(self, page_size):
        dialect = self._dialect
        params = (dialect.read_params("users") if dialect else auto_read_params("users")) or None
        return self.paginate(self._read_dialect.users_path(self.org_uuid), self._read_dialect.users_key, page_size,
                             params=params, observe="users")

    def find_user(self, username: str, page_size: int = DEFAULT_PAGE_SIZE):
        """One user by login (case-insensitive), paging only as far as needed; None when absent."""
        for raw in self._user_pages(page_size):
            user = self._user(raw)
            if same_username(user["username"], username):
                return user
        return None

    def _complete(self, raw: dict, user_id=None) -> dict:
        """A write's answer may carry only part of the user (the guide's examples do): re-read then."""
        user = self._user(raw or {})
        if user["user_id"] and all(user[key] is not None for key in ("username", "role", "enabled", "date_created")):
            return user
        fresh = self.get_user(user["user_id"] or user_id)
        if fresh is None:
            raise ContrastApiError("GET", self.dialect.user_path(self.org_uuid, user["user_id"] or user_id), 404,
                                   detail="The user vanished right after it was written")
        return fresh

    def create_user(self, fields: dict) -> dict:
        """Create (and so invite) a user; returns it canonical.

        Never sends a second POST for a user that may already exist: after an answer that leaves
        the outcome unknown, look the user up and only try again when it is not there.
        """
        dialect = self.dialect
        path = dialect.users_path(self.org_uuid)
        if dialect.name == "teamserver":
            body = dialect.create_user_body(fields, role_name=self._role_name_for(fields.get("role")))
        else:
            body = dialect.create_user_body(fields)
        outcome_was_unknown = False
        for attempt in range(self.retries + 1):
            try:
                data = self.request("POST", path, body=body)
            except ContrastApiError as err:
                # A 409 after an attempt that may have been applied (a lost answer, or a 429 re-sent by request())
                # is most likely our own earlier POST: look it up.
                if err.status == 409 and (outcome_was_unknown or err.attempts > 1):
                    existing = self.find_user(fields["username"])
                    if existing is not None:
                        return existing
                if not err.outcome_unknown:
                    raise
                outcome_was_unknown = True
                existing = self.find_user(fields["username"])
                if existing is not None:
                    return existing  # our earlier POST went through; its answer was lost
                if attempt == self.retries:
                    raise ContrastApiError(err.method, err.path, err.status, err.messages, err.detail,
                                           attempts=attempt + 1)
                self._sleep(self._backoff_delay(attempt))
                continue
            return self._complete(self._object(data, "user"))
        raise AssertionError("unreachable")  # pragma: no cover

    def update_user(self, user_id: str, changes: dict) -> dict:
        dialect = self.dialect
        if dialect.name == "teamserver":
            # The answer holds no user (read back by _complete). Only enabling or disabling: its own small
            # endpoint. Anything else: one edit carrying `enabled` too, so nothing is ever half applied.
            if set(changes) == {"enabled"}:
                self.request("PUT", dialect.user_enabled_path(self.org_uuid, user_id), body=dialect.enabled_body(changes["enabled"]))
            else:
                body = dialect.update_user_body(changes, role_name=self._role_name_for(changes.get("role")),
                                                preferences=self._preferences_of(user_id))
                self.request("PUT", dialect.user_path(self.org_uuid, user_id), body=body)
            return self._complete({}, user_id=user_id)
        data = self.request("PUT", self.dialect.user_path(self.org_uuid, user_id), body=self.dialect.update_user_body(changes))
        return self._complete(self._object(data, "user"), user_id=user_id)

    def delete_user(self, user_id: str) -> bool:
        """Delete a user; False when it was already gone (a retried DELETE can meet its own success).

        TeamServer's "Authorization failure" on the DELETE may also be a caller not allowed to delete
        (who may well read): the user is read back, and when it is still there, the DELETE was refused.
        """
        try:
            self.request("DELETE", self._read_dialect.user_path(self.org_uuid, user_id))
        except ContrastApiError as err:
            if err.status == 404:
                return False
            if not self._authorization_failure(err):
                raise
            try:
                still_there = self.get_user(user_id) is not None
            except ContrastApiError as probe:
                if probe.status == 403:  # not even allowed to read it
                    err.detail = self.permission_detail()
                raise err from None
            if not still_there:
                return False
            err.detail = self.permission_detail()
            raise err from None
        return True

    # ------------------------------------------------------------------ org
    def get_profile(self) -> dict:
        data = self.request("GET", self._read_dialect.profile_path())
        self._observe(data, "user", "GET %s" % self._read_dialect.profile_path())
        profile = self._object(data, "user")
        self._check_user_shape(profile)
        return normalize_user(profile)

    def check_organization(self) -> None:
        """Raise ContrastApiError when org_uuid is not an organization the caller can reach.

        Where the dialect has no organization endpoint (the guide) this reads nothing: its
        org-scoped reads (roles, users) fail on a wrong org by themselves.
        """
        path = self.dialect.organization_path(self.org_uuid)
        if path:
            self.request("GET", path)

    def list_roles(self) -> list:
        dialect = self.dialect
        data = self.request("GET", dialect.roles_path(self.org_uuid))
        if dialect.name == "teamserver":
            # Role groups {group_id, name}: canonical ROLE_* names, the server's own name as description.
            roles = []
            names = {}
            for role in self._items(data, dialect.roles_key, "role"):
                self._role_named(role)
                canonical = canonical_role(role.get("name"))
                names[canonical] = role.get("name")
                roles.append({"name": canonical, "description": role.get("name")})
            self._role_names = names
            return roles
        return [{"name": role.get("name"), "description": role.get("description")}
                for role in self._items(data, dialect.roles_key, "role") if self._role_named(role)]

    # ------------------------------------------------------------------ groups
    def list_groups(self, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        groups = []
        seen = set()
        if self._dialect is None or self._dialect.name == "teamserver":
            raws = self._teamserver_groups(page_size)
        else:
            raws = self.paginate(self.dialect.groups_path(self.org_uuid), self.dialect.groups_key, page_size)
        for raw in raws:
            group_id = raw.get("group_id")
            if isinstance(group_id, bool) or not isinstance(group_id, (str, int)) or not isinstance(raw.get("name"), str):
                raise self.unexpected("a group is %s where an object with a group_id and a name was expected" % shown(raw))
            if group_id in seen:
                continue
            seen.add(group_id)
            groups.append({"group_id": group_id, "name": raw.get("name"), "description": raw.get("description")})
        return groups

    def _teamserver_groups(self, page_size):
        """Groups when the dialect may be TeamServer's (one unpaged answer, custom then predefined).

        In auto mode the first page settles the dialect; a guide answer continues as a paged list.
        """
        path = self._read_dialect.groups_path(self.org_uuid)
        if self._dialect is None:
            data = self.request("GET", path, params={"offset": 0, "limit": page_size})
            self._observe(data, "groups", "GET %s" % path)
            if self._dialect is None or self._dialect.name != "teamserver":
                # The guide's paged list: this page was its first; read the rest the usual way.
                return self.paginate(path, GuideDialect.groups_key, page_size, first_page=data)
        else:
            data = self.request("GET", path)
        raws = []
        for part in ("custom_groups", "predefined_groups"):
            section = data.get(part)
            if section is None:
                continue
            if not isinstance(section, dict):
                raise self.unexpected("%s is %s where an object was expected" % (part, shown(section)))
            raws.extend(self._items(section, "groups", "group"))
        return raws

    def _teamserver_group(self, group_id) -> dict:
        data = self.request("GET", self.dialect.group_path(self.org_uuid, group_id))
        return self._object(data, "group")

    def list_group_members(self, group_id, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Members of one group as ``[{user_id, username}]``, pending invitations included."""
        members = []
        seen = set()
        if self.dialect.name == "teamserver":
            raws = self._teamserver_group(group_id).get("users") or []
            if not isinstance(raws, list):
                raise self.unexpected("the group's users is %s where a list was expected" % shown(raws))
            for raw in raws:
                user = self._user(raw if isinstance(raw, dict) else {"user_uid": raw})
                if user["user_id"] in seen:
                    continue
                seen.add(user["user_id"])
                members.append({"user_id": user["user_id"], "username": user["username"]})
            return members
        for raw in self.paginate(self.dialect.group_members_path(self.org_uuid, group_id), self.dialect.members_key, page_size):
            user = self._user(raw)
            if user["user_id"] in seen:
                continue
            seen.add(user["user_id"])
            members.append({"user_id": user["user_id"], "username": user["username"]})
        return members

    def set_group_members(self, group_id, user_ids) -> None:
        """Replace the group's whole member list (that is what the API's write does).

        TeamServer: read the whole group, replace only its users, PUT it back (name and scope
        echoed unchanged, so an application scope is never dropped).
        """
        dialect = self.dialect
        if dialect.name == "teamserver":
            group = self._teamserver_group(group_id)
            self.request("PUT", dialect.group_path(self.org_uuid, group_id), body=dialect.group_update_body(group, user_ids))
            return
        self.request("PUT", self.dialect.group_members_path(self.org_uuid, group_id), body=self.dialect.membership_body(user_ids))

    def group_names_by_user(self, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        """``{user_id: [group names]}`` from one pass over the groups and their members."""
        names = {}
        for group in self.list_groups(page_size):
            for member in self.list_group_members(group["group_id"], page_size):
                names.setdefault(member["user_id"], []).append(group["name"])
        return names
