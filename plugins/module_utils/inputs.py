# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What may go into a URL or a header: the base URL, ids in a path, keys, and the characters never allowed.

Private to this collection: not a public API, may change without notice.

Pure functions, no I/O: the modules check their options with them before any request, and the transport
builds every URL and header with them.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, urlsplit

DEFAULT_URL = "https://app.contrastsecurity.com/Contrast"

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
