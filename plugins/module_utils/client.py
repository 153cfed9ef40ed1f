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
import ipaddress
import json
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
    ScopeError,
    auto_read_params,
    detect_dialect,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.users import (
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
# OpenSSL's ways of saying that the answer was not a TLS record (a plain-HTTP port behind https://).
_PLAIN_HTTP_RE = re.compile(r"WRONG_VERSION_NUMBER|wrong version number|HTTP_REQUEST|PACKET_LENGTH_TOO_LONG|"
                            r"record layer failure")
_NAME_MISMATCH_RE = re.compile(r"(?:Hostname|IP address) mismatch")


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
        self._roles = None  # [{canonical, name, id, description}] as the server lists them, read once
        # Users as last read: raw objects by canonical id (a TeamServer edit repeats their current values),
        # canonical users by every id a member entry may name them by (member matching).
        self._raw_users = {}
        self._users_by_key = {}
        self._listed_all = False
        self._listed_ids = []  # canonical ids of the last whole listing
        self._profile_read = False
        self._groups_read_for_write = {}  # str(group id): the group as read right before its membership write
        self._last_user_count = None
        self.added_existing = set()  # logins added from another organization (POST users/existing)
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

    def server_role(self, role):
        """The server's entry ``{canonical, name, id}`` for a canonical role, or None for None.

        A dialect whose server names roles its own way (TeamServer) reads them once; a role the
        server does not list raises before any write, naming the roles it does list.
        """
        if role is None:
            return None
        if not self.dialect.server_names_roles:
            return {"canonical": role, "name": role, "id": None}
        if self._roles is None:
            self.list_roles()
        for entry in self._roles:
            if entry["canonical"] == role:
                return entry
        raise ContrastApiError("GET", self.dialect.roles_path(self.org_uuid), 200, detail=(
            "The server lists no role matching %s, so nothing was written. Its roles are: %s" % (
                role, ", ".join("%s (%s)" % (entry["name"], entry["canonical"]) for entry in self._roles) or "none")))

    def require_roles(self, roles) -> None:
        """Raise (before any write) when the server lists no role for one of these canonical roles."""
        for role in sorted(set(role for role in roles if role)):
            self.server_role(role)

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
        text = str(exc)
        if isinstance(exc, requests.exceptions.SSLError) and _PLAIN_HTTP_RE.search(text):
            # OpenSSL read an HTTP answer where a TLS record was due: ca_path would not help.
            reason = ("%s does not speak TLS: the server answered in plain HTTP. If it really serves plain HTTP, "
                      "use an http:// contrast_url; otherwise check the port" % self.base_url)
        elif isinstance(exc, requests.exceptions.SSLError) and _NAME_MISMATCH_RE.search(text):
            reason = ("TLS verification of %s failed: the server's certificate is not issued for the host name in "
                      "contrast_url (hostname mismatch); use the name the certificate names" % self.base_url)
        elif isinstance(exc, requests.exceptions.SSLError):
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
        cause = _ERRNO_RE.search(text) or _SSL_REASON_RE.search(text)
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
            # The API's own message (when any) already says "not found": say what to check.
            return "Check contrast_url, including its context path such as /Contrast, and the ids used."
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

    # ------------------------------------------------------------------ lists
    def read_list(self, path: str, kind: str, page_size: int = DEFAULT_PAGE_SIZE, params=None, paged=True, until=None):
        """Every item of a list (`kind`: users, groups or members; a dialect may split one answer into
        sections, each with its own count), however the server pages it.

        - ``count`` is honoured: pages are read until each section holds its count, advancing by what
          the server actually returned (it may cap ``limit`` silently);
        - no ``count``: pages are read until an empty page; a page longer than asked, or the same page
          answered again for the next offset, means the server does not page: its answer is the whole list;
        - the same page for every offset while ``count`` says there is more: the list cannot be read
          completely, which raises;
        - a ``count`` that changes between pages, or that disagrees with what was read (users added or
          deleted meanwhile): the read starts over once, then raises; never a silently shorter list.

        `paged` False: one request without offset/limit (a documented unpaged list). `until` (a test of
        one raw item): stop at the first item it accepts and return ``[that item]``.
        """
        reason = None
        # A look-up (`until`) runs while this run's own parallel creates grow the list: it may start over
        # more often, with a pause, since an item it finds is proof enough whatever moved meanwhile.
        passes = 2 if until is None else self.retries + 2
        for attempt in range(passes):
            if attempt >= 2:
                self._sleep(self._backoff_delay(attempt - 2))
            try:
                return self._read_list_once(path, kind, page_size, params, paged, until)
            except _ListShifted as shifted:
                reason = str(shifted)
        raise ContrastApiError("GET", path, 200, detail=(
            "The list changed while it was read (%s), and again each time it was read over: nothing was "
            "decided from a partial list. Run again when the organization is not being changed by someone else; "
            "if it persists, the server's count is wrong." % reason))

    def _read_list_once(self, path, kind, page_size, params, paged, until):
        progress = {}
        offset = 0
        shifted = None  # a look-up reads on past a moving count: a found item settles it, absence does not
        while True:
            query = dict(params or {})
            if paged:
                query.update({"offset": offset, "limit": page_size})
            data = self.request("GET", path, params=query or None)
            if self._dialect is None and kind in ("users", "groups"):
                self._observe(data, kind, "GET %s" % path)
            step = 0
            self._check_list_shape(data)
            for name, items, count in (self._dialect or GuideDialect).list_sections(kind, data):
                state = progress.setdefault(name, {"items": [], "count": count, "first": None, "seen": set(), "done": False})
                if kind == "members":
                    # Members are not read again as users: a page of odd ones fails here, not after paging on.
                    for item in items:
                        self._check_user_shape(item)
                if state["done"]:
                    continue
                if offset and count != state["count"]:
                    moved = "its count went from %s to %s between two pages" % (state["count"], count)
                    if until is None:
                        raise _ListShifted(moved)
                    shifted, state["count"] = shifted or moved, count
                if not paged or not items:
                    state["items"].extend(items)
                    state["done"] = True
                    continue
                # The length and the first and last items tell a repeated page (serialising every item costs a
                # tenth of a large listing).
                fingerprint = (len(items), json.dumps(items[0], sort_keys=True, default=str),
                               json.dumps(items[-1], sort_keys=True, default=str))
                if offset == 0:
                    state["first"] = fingerprint
                elif fingerprint == state["first"]:
                    whole = len(items) == len(state["items"]) and (
                        count == len(items) if count is not None else len(items) < page_size
                        or self._honours_no_larger_limit(path, kind, name, params, len(items)))
                    if not whole:
                        says = " while its count says %s" % count if count is not None else ""
                        raise ContrastApiError("GET", path, 200, detail=(
                            "The server returned the same page for offset %d as for offset 0%s: it ignores offset, so "
                            "the list cannot be read completely" % (offset, says)))
                    state["done"] = True  # it does not page: its first answer was the whole list
                    continue
                elif fingerprint in state["seen"]:
                    # An earlier page again, but not the first: the answers changed under us (or paging is broken);
                    # paging on would never end.
                    raise _ListShifted("the page for offset %d repeats an earlier one" % offset)
                state["seen"].add(fingerprint)
                state["items"].extend(items)
                step = max(step, len(items))
                if until is not None:
                    for item in items:
                        if until(item):
                            return [item]
                if (count is not None and len(state["items"]) >= count) or (count is None and len(items) > page_size):
                    state["done"] = True
            if not paged or step == 0 or all(state["done"] for state in progress.values()):
                break
            offset += step
        if shifted:
            raise _ListShifted(shifted)  # the item looked for was not met, but the list moved: it may have been missed
        found = []
        for state in progress.values():
            if state["count"] is not None and len(state["items"]) != state["count"]:
                raise _ListShifted("%d item(s) read where its count says %d" % (len(state["items"]), state["count"]))
            found.extend(state["items"])
        if kind == "users" and until is None and not (params or {}).get("q"):
            self._last_user_count = len(found)
        return found

    def _check_list_shape(self, data):
        """UnexpectedAnswerError when a list answer's lists are not lists of objects (the dialects would read them
        as empty: a member list read as empty would make a membership write drop everyone)."""
        for key in ("users", "groups"):
            if data.get(key) is not None:
                self._items(data, key, key[:-1])
        for key in ("custom_groups", "predefined_groups", "group"):
            if data.get(key) is not None:
                section = self._object(data, key)
                self._items(section, "users" if key == "group" else "groups", "user" if key == "group" else "group")

    def _honours_no_larger_limit(self, path, kind, name, params, size) -> bool:
        """Whether a server that answered the same full page of `size` items for two offsets (and no count) gives
        no more when asked for one more: then it does not page at all and that page was the whole list; else it
        caps pages but ignores offset, and the list cannot be read completely."""
        query = dict(params or {})
        query.update({"offset": 0, "limit": size + 1})
        data = self.request("GET", path, params=query)
        sections = dict((section, items) for section, items, _count in (self._dialect or GuideDialect).list_sections(kind, data))
        return len(sections.get(name) or []) <= size

    # ------------------------------------------------------------------ users
    def _user(self, raw) -> dict:
        """Canonical user from a raw one; remembers the raw object (for complete edits) and its ids (for members)."""
        self._check_user_shape(raw)
        dialect = self._dialect or GuideDialect
        shown = dict((key, value) for key, value in raw.items() if key != "groups") if dialect.groups_read_for_edits else raw
        user = normalize_user(shown, org_uuid=self.org_uuid)
        if user["user_id"] is not None:
            self._raw_users[str(user["user_id"])] = raw
            for key in dialect.user_keys(raw) + [str(user["user_id"])]:
                self._users_by_key[key] = user
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

    def _user_params(self, kind="users"):
        dialect = self._dialect
        return dict(dialect.read_params(kind) if dialect else auto_read_params(kind))

    def list_users(self, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Every user of the organization, canonical, each once."""
        seen = set()
        users = []
        raws = self.read_list(self._read_dialect.users_path(self.org_uuid), "users", page_size, self._user_params())
        for raw in raws:
            user = self._user(raw)
            if user["user_id"] in seen:
                continue
            seen.add(user["user_id"])
            users.append(user)
        self._listed_all = True
        self._listed_ids = [str(user["user_id"]) for user in users]  # this listing's users (groups_with_members)
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

    def find_user(self, username: str, page_size: int = DEFAULT_PAGE_SIZE):
        """One user by login (case-insensitive, exact), or None. Narrowed by the server's search where it has
        one (TeamServer's ``q``); otherwise paging only as far as needed."""
        params = self._user_params()
        search = self._read_dialect.search_params(username) if self._dialect else None
        params.update(search or {})
        found = self.read_list(self._read_dialect.users_path(self.org_uuid), "users", page_size, params,
                               until=lambda raw: same_username(normalize_user(raw)["username"], username))
        for raw in found:
            user = self._user(raw)
            if same_username(user["username"], username):
                return user
        return None

    def find_users(self, usernames, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        """``{login lowercased: user or None}`` for several logins, by the cheaper of one search per login
        and one pass over the whole list (its page count known from the last full read)."""
        usernames = list(dict.fromkeys(name.strip().lower() for name in usernames))
        if not usernames:
            return {}
        pages = -(-((self._last_user_count or 0) + len(usernames)) // page_size)
        if self._read_dialect.search_params("x") is not None and len(usernames) <= pages:
            return dict((name, self.find_user(name, page_size)) for name in usernames)
        by_name = dict(((user["username"] or "").lower(), user) for user in self.list_users(page_size))
        return dict((name, by_name.get(name)) for name in usernames)

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

    def _created(self, data, username, find):
        """The user a create made: from its answer when that carries it, else found by its login."""
        raw = self.dialect.user_of(data)
        if raw is not None and normalize_user(raw)["user_id"]:
            return self._complete(raw)
        if not find:
            return None
        user = self.find_user(username)
        if user is None:
            raise ContrastApiError("GET", self.dialect.users_path(self.org_uuid), 200, detail=(
                "The server accepted the creation of %s, but no user with that login can be found" % username))
        return user

    def create_user(self, fields: dict, find: bool = True):
        """Create (and so invite) a user; returns it canonical (None when `find` is False and the answer does not
        carry it: the caller then finds several at once, see find_users).

        Never sends a second POST for a user that may already exist: after an answer that leaves
        the outcome unknown, look the user up and only try again when it is not there. A create refused
        because the login exists in another organization adds that user instead (POST users/existing,
        where the dialect has it), recorded in `added_existing`.
        """
        dialect = self.dialect
        path = dialect.users_path(self.org_uuid)
        role = self.server_role(fields.get("role"))
        body = dialect.create_user_body(fields, role)
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
                if (not outcome_was_unknown and err.status in (400, 409) and dialect.existing_user_path(self.org_uuid)
                        and dialect.create_refused_as_existing(err.messages)
                        and self.find_user(fields["username"]) is None):
                    return self._add_existing(fields, role, find)
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
            return self._created(data, fields["username"], find)
        raise AssertionError("unreachable")  # pragma: no cover

    def _add_existing(self, fields, role, find):
        """Add a user of another organization to this one (ExistingUserRequest); no invitation is sent."""
        dialect = self.dialect
        data = self.request("POST", dialect.existing_user_path(self.org_uuid), body=dialect.existing_user_body(fields, role))
        self.added_existing.add(fields["username"].strip().lower())
        return self._created(data, fields["username"], find)

    def update_user(self, user_id: str, changes: dict) -> dict:
        """Apply `changes` (canonical fields) to a user; returns it canonical, as the server answered or, where
        the answer carries no user (TeamServer), as read before the edit with the changes applied."""
        dialect = self.dialect
        user_id = str(user_id)
        role = self.server_role(changes.get("role"))
        current = self._raw_users.get(user_id)
        if current is None and (dialect.update_needs_current(changes) or not dialect.answers_carry_user):
            if self.get_user(user_id) is None:
                raise ContrastApiError("GET", dialect.user_path(self.org_uuid, user_id), 404,
                                       detail="No user has id %s" % user_id)
            current = self._raw_users.get(user_id)
        data = {}
        for method, path, body in dialect.update_calls(self.org_uuid, user_id, changes, current, role):
            data = self.request(method, path, body=body)
        raw = dialect.user_of(data)
        if raw is not None:
            return self._complete(raw, user_id=user_id)
        # The answer carries no user (TeamServer; or a 200 that is not the documented answer): read it back, so that
        # what is returned, and verified by the caller, is what the server holds (a 200 is not proof it took).
        self._raw_users.pop(user_id, None)
        return self._complete({}, user_id=user_id)

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
        """The API user, canonical (``GET /ng/profile``, with the ``expand`` values that endpoint lists)."""
        path = self._read_dialect.profile_path()
        params = self._dialect.read_params("profile") if self._dialect else auto_read_params("profile")
        data = self.request("GET", path, params=params or None)
        self._observe(data, "user", "GET %s" % path)
        raw = self._object(data, "user")
        self._check_user_shape(raw)
        self._profile_read = True
        # The API user may be a group member without being listed among the org's users: name it by its ids too.
        profile = normalize_user(raw)
        if profile["user_id"] is not None:
            for key in (self._dialect or GuideDialect).user_keys(raw) + [str(profile["user_id"])]:
                self._users_by_key.setdefault(key, profile)
        return profile

    def check_organization(self) -> None:
        """Raise ContrastApiError when org_uuid is not an organization the caller can reach.

        Where the dialect has no organization endpoint (the guide) this reads nothing: its
        org-scoped reads (roles, users) fail on a wrong org by themselves.
        """
        path = self.dialect.organization_path(self.org_uuid)
        if path:
            self.request("GET", path)

    def list_roles(self) -> list:
        """``[{name: ROLE_*, description}]``; the server's own names are kept for writes (server_role)."""
        dialect = self.dialect
        data = self.request("GET", dialect.roles_path(self.org_uuid))
        for key in ("roles", "groups"):
            for role in self._items(data, key, "role") if data.get(key) is not None else []:
                self._role_named(role)
        self._roles = dialect.roles_of(data)
        return [{"name": role["canonical"], "description": role["description"]} for role in self._roles]

    # ------------------------------------------------------------------ groups
    def list_groups(self, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Every access group (custom and predefined), ``[{group_id, name, description}]``, each once."""
        groups = []
        seen = set()
        raws = self.read_list(self._read_dialect.groups_path(self.org_uuid), "groups", page_size)
        for raw in raws:
            group = (self._dialect or GuideDialect).group_of(raw)
            group_id = group["group_id"]
            if isinstance(group_id, bool) or not isinstance(group_id, (str, int)) or not isinstance(group["name"], str):
                raise self.unexpected("a group is %s where an object with a group_id and a name was expected" % shown(raw))
            if group["group_id"] in seen:
                continue
            seen.add(group["group_id"])
            groups.append(dict((key, group[key]) for key in ("group_id", "name", "description")))
        return groups

    def _member(self, raw, lookup: bool) -> dict:
        """A member entry as ``{user_id, username}``: the entry's own login when it has one (the guide), else
        the user it names by id (TeamServer's UserBaseResource: ``uid`` is the user's user_uid, ``id`` its UUID)."""
        self._check_user_shape(raw)
        keys = self.dialect.member_keys(raw)
        username = raw.get("username") or raw.get("email")
        if username is not None and not isinstance(username, str):
            raise self.unexpected("a member's login is %s where text was expected" % shown(username))
        if username and keys:
            return {"user_id": keys[0], "username": username}
        for key in keys:
            if key in self._users_by_key:
                user = self._users_by_key[key]
                return {"user_id": user["user_id"], "username": user["username"]}
        if lookup and keys:
            user = self.get_user(keys[0])
            if user is not None:
                return {"user_id": user["user_id"], "username": user["username"]}
        return {"user_id": keys[0] if keys else None, "username": None}

    def list_group_members(self, group_id, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Members of one group as ``[{user_id, username}]`` (canonical user ids), pending invitations included,
        read completely (a membership write replaces the whole list, so it is built only from a whole read)."""
        dialect = self.dialect
        raws = self.read_list(dialect.group_members_path(self.org_uuid, group_id), "members", page_size,
                              paged=dialect.members_paged)
        return self._named_members(raws, page_size)

    def group_members_for_write(self, group_id, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """The members read right before a membership write (list_group_members' shape). Where that write PUTs the
        whole group (TeamServer), its one ``GET /groups/{id}`` carries the whole member list too: that read is
        kept for the next set_group_members of the group, so that members and scope come from one snapshot, in
        one request instead of two."""
        dialect = self.dialect
        if not dialect.membership_needs_group:
            return self.list_group_members(group_id, page_size)
        data = self.request("GET", dialect.group_path(self.org_uuid, group_id))
        self._check_list_shape(data)
        group = self._object(data, "group")
        self._groups_read_for_write[str(group_id)] = group
        if not isinstance(group.get("users"), list):
            return self.list_group_members(group_id, page_size)
        return self._named_members(group["users"], page_size)

    def _named_members(self, raws, page_size):
        """Raw member entries as ``[{user_id, username}]``, each once, every one named (see _member)."""
        unknown = [raw for raw in raws if self._member(raw, lookup=False)["username"] is None]
        if unknown and not self._listed_all:
            self.list_users(page_size)  # one pass names every member, rather than one read each
            unknown = [raw for raw in raws if self._member(raw, lookup=False)["username"] is None]
        if unknown and not self._profile_read:
            self.get_profile()  # the API user: a member, yet not always listed among the users
        members = []
        seen = set()
        for raw in raws:
            member = self._member(raw, lookup=True)
            if member["user_id"] in seen:
                continue
            seen.add(member["user_id"])
            members.append(member)
        return members

    def set_group_members(self, group_id, user_ids) -> None:
        """Replace the group's whole member list (that is what the API's write does).

        TeamServer: the group is read and PUT back whole, its name and scope as read (the scope rebuilt
        from the read; when it cannot be, nothing is written), only its users replaced.
        """
        dialect = self.dialect
        group = None
        if dialect.membership_needs_group:
            group = self._groups_read_for_write.pop(str(group_id), None)  # read by group_members_for_write just before
            if group is None:
                group = self.request("GET", dialect.group_path(self.org_uuid, group_id)).get("group") or {}
        try:
            method, path, body = dialect.membership_call(self.org_uuid, group_id, [str(user_id) for user_id in user_ids], group)
        except ScopeError as err:
            raise ContrastApiError("PUT", dialect.group_path(self.org_uuid, group_id), detail=(
                "%s. Nothing was written: a group PUT must carry the group's whole scope, and this one cannot be "
                "rebuilt from what the server shows. Change this group's members in Contrast itself." % err)) from None
        self.request(method, path, body=body)

    def group_names_by_user(self, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        """``{user_id: [group names]}`` from one pass over the groups and their members (see groups_with_members)."""
        names = {}
        for group in self.groups_with_members(page_size):
            for member in group["members"]:
                names.setdefault(member["user_id"], []).append(group["name"])
        return names

    def groups_with_members(self, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Every access group with its members, ``[{group_id, name, description, members: [{user_id, username}]}]``,
        for reports (never for a membership write, which reads the group's own list).

        Both references give a user object its ``groups``: right after a listing of the whole organization in
        which every user carries them, the members come from there and no member list is read. Otherwise
        (one user read, a user without ``groups``, an entry naming no single listed group) one member read per group.
        """
        groups = self.list_groups(page_size)
        carried = self._members_from_users(groups) if self._listed_all else None
        for group in groups:
            group["members"] = (carried[group["group_id"]] if carried is not None
                                else self.list_group_members(group["group_id"], page_size))
        return groups

    def _members_from_users(self, groups):
        """``{group_id: [{user_id, username}]}`` from the ``groups`` the last listing's users (and the API user,
        when it is not listed) carry, or None when one does not carry a list or an entry does not name exactly
        one of `groups` (by id, by name, or as an object with either)."""
        if not groups:
            return {}
        by_id = dict((str(group["group_id"]), group["group_id"]) for group in groups)
        by_name = {}
        for group in groups:
            by_name.setdefault(group["name"], set()).add(group["group_id"])
        listed = [(self._users_by_key.get(user_id), self._raw_users.get(user_id)) for user_id in self._listed_ids]
        if not all(user and isinstance(raw, dict) and isinstance(raw.get("groups"), list) for user, raw in listed):
            return None
        if not any(same_username(user["username"], self.username) for user, _raw in listed):
            raw = self._profile_raw()  # the API user may be a member without being listed
            listed.append((normalize_user(raw), raw))
        members = dict((group["group_id"], {}) for group in groups)
        for user, raw in listed:
            carried = raw.get("groups") if isinstance(raw, dict) and user else None
            if not isinstance(carried, list):
                return None
            for entry in carried:
                if isinstance(entry, dict):
                    key = entry.get("group_id")
                    found = ({by_id[str(key)]} if str(key) in by_id else set()) if key is not None \
                        else set(by_name.get(entry.get("name"), ()))
                elif isinstance(entry, (str, int)) and not isinstance(entry, bool):
                    found = ({by_id[str(entry)]} if str(entry) in by_id else set()) | by_name.get(entry, set())
                else:
                    found = set()
                if len(found) != 1:
                    return None
                members[found.pop()].setdefault(user["user_id"], {"user_id": user["user_id"], "username": user["username"]})
        return dict((group_id, list(found.values())) for group_id, found in members.items())

    def _profile_raw(self):
        """The API user's own object with its groups, read now (a poller's groups change between polls): ``GET
        /ng/profile`` asked for what a user read asks (TeamServer's profile takes the same ``expand`` values)."""
        dialect = self.dialect
        data = self.request("GET", dialect.profile_path(), params=dialect.read_params("user") or None)
        raw = self._object(data, "user")
        self._check_user_shape(raw)
        return raw


class _ListShifted(Exception):
    """A list read whose count changed or disagreed with what was read (read_list starts over once)."""
