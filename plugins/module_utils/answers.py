# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading an answer, or its absence: the OS-level cause of a connection error, the API's own messages, what to
check for a status, decoding, and answers of an odd shape.

Private to this collection: not a public API, may change without notice.

A base of transport.Transport (it reads the transport's base_url, timeout, username, org_uuid, redact and
unexpected): every text names what to check and never a header or key.
"""

from __future__ import annotations

import json
import re
import socket

from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError, shown

try:
    import requests
except ImportError:
    requests = None  # the transport refuses to start without it

_ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")
# OpenSSL's reason in an SSLError's text, e.g. "certificate verify failed: self-signed certificate in certificate chain".
_SSL_REASON_RE = re.compile(r"\[SSL(?:: [A-Z_]+)?\] (.+?)\.?(?: \(_ssl\.c:\d+\)|['\"]\)|$)")
# OpenSSL's ways of saying that the answer was not a TLS record (a plain-HTTP port behind https://).
_PLAIN_HTTP_RE = re.compile(r"WRONG_VERSION_NUMBER|wrong version number|HTTP_REQUEST|PACKET_LENGTH_TOO_LONG|"
                            r"record layer failure")
_NAME_MISMATCH_RE = re.compile(r"(?:Hostname|IP address) mismatch")


def is_name_resolution_failure(exc) -> bool:
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


class AnswerReading:
    """The error texts, the decoding and the shape checks of the transport (a base class: see the module docstring)."""

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

    # ------------------------------------------------------------------ answers of an odd shape
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
