# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's shared vocabulary: role names, severities, user field names, time helpers and the
small validators that modules, filters and the action plugin all use.

Private to this collection: not a public API, may change without notice. Standard library only (and
inputs.py, which is too), so that controller plugins (filters, actions) and modules import it alike.
"""

from __future__ import annotations

import datetime
import difflib
import fnmatch
import re

from ansible_collections.contrast_security.identity.plugins.module_utils.inputs import BIDI_CONTROLS

# Organization roles, in the order they are documented (most access first).
ROLES = ("ROLE_ADMIN", "ROLE_EDIT", "ROLE_RULES_ADMIN", "ROLE_VIEW", "ROLE_NO_ACCESS")
ADMIN_ROLE = ROLES[0]
# Severities of the access report's findings, the most urgent first.
SEVERITIES = ("high", "medium", "low", "info")

# Attributes a module can set on an existing user, in canonical names (username is immutable).
MANAGED_FIELDS = ("first_name", "last_name", "email", "role", "enabled", "api_only", "protect_enabled")
# Attributes a roster entry or contrast_user gives for one user (MANAGED_FIELDS but `enabled`, which `state` decides).
USER_ATTRIBUTES = ("first_name", "last_name", "email", "role", "api_only", "protect_enabled")
REQUIRED_TO_CREATE = ("first_name", "last_name", "role")
# Create-only preferences (the TeamServer dialect requires them on create): sent, never compared or reported.
CREATE_PREFERENCES = ("date_format", "time_format", "time_zone")

MS_PER_DAY = 86400 * 1000

# Deliberately simple: one @, a dot in the domain, no spaces. The server has the last word; this
# only catches typos before any request is sent.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")

# The characters inputs.unsafe_characters refuses in a name or a login (C0/C1 controls and the Unicode bidi
# controls: U+202E renders "Eve\u202etxt.exe" as "Eveexe.txt"), shown as visible <U+XXXX> marks in every report.
UNSAFE_CHARACTERS_RE = re.compile(u"[\x00-\x1f\x7f-\x9f%s]" % "".join(sorted(BIDI_CONTROLS)))


# ---------------------------------------------------------------- validators
def looks_converted(value) -> bool:
    """True for what Ansible makes of a list or dict given to a ``str`` option: ``"['a', 'b']"``, ``"{'a': 1}"``.

    Ansible converts any value to a string silently; such a string is never a name or a login.
    """
    text = value.strip() if isinstance(value, str) else ""
    return (text.startswith("[") and text.endswith("]")) or (text.startswith("{") and text.endswith("}"))


def blank_or_converted(value) -> bool:
    """True for a given string that names nothing: blank, or a list or dict Ansible turned into a string."""
    return value is not None and (not value.strip() or looks_converted(value))


def is_valid_email(value) -> bool:
    return isinstance(value, str) and bool(EMAIL_RE.match(value)) and not looks_converted(value)


def login_matches(username, patterns) -> bool:
    """Whether a login matches one of shell-style `patterns` (``*``, ``?``, ``[...]``), case-insensitively
    (logins are emails) and ignoring surrounding blanks: the roster's ``protected``, the report's ``exempt``."""
    name = (username or "").strip().lower()
    return any(fnmatch.fnmatchcase(name, pattern.strip().lower()) for pattern in patterns or [])


def closest_logins(name, logins, cutoff) -> list:
    """Up to three of `logins` (lowercase) closest to `name`. Logins share their domain, which alone makes
    unrelated ones look alike: callers pass a high `cutoff`."""
    return difflib.get_close_matches((name or "").strip().lower(), logins, n=3, cutoff=cutoff)


def make_visible(value):
    """`value` with control and bidi characters shown as ``<U+XXXX>`` (strings, recursively in lists and dicts)."""
    if isinstance(value, str):
        return UNSAFE_CHARACTERS_RE.sub(lambda match: "<U+%04X>" % ord(match.group()), value)
    if isinstance(value, list):
        return [make_visible(item) for item in value]
    if isinstance(value, dict):
        return dict((key, make_visible(item)) for key, item in value.items())
    return value


# ---------------------------------------------------------------- time
# Days since 1970-01-01 -> "YYYY-MM-DD": a listing of 50,000 users has a few thousand distinct days, and
# building the date part is what costs most of a conversion.
_ISO_DAYS = {}
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
# The time of day's parts: "THH:MM:" for each minute of the day, "SS" for each second, ".mmmZ" for each millisecond.
_ISO_MINUTES = tuple("T%02d:%02d:" % divmod(minute, 60) for minute in range(24 * 60))
_ISO_SECONDS = tuple("%02d" % second for second in range(60))
_ISO_MILLISECONDS = tuple(".%03dZ" % millisecond for millisecond in range(1000))


def epoch_ms(value):
    """Epoch milliseconds as an int, or None for nothing, a boolean or what is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def epoch_ms_to_iso(value, whole_seconds_short=False):
    """Epoch milliseconds (as the API gives them) to ISO 8601 UTC, or None.

    Always with milliseconds (``...:20.000Z``, the canonical user's form), or, with `whole_seconds_short`,
    without them when they are zero (``...:20Z``, the access report's form). Integer arithmetic (exact to the
    millisecond, unlike a float timestamp) with the date part cached.
    """
    # An exact int is what the API gives: the fast path (a bool, an int by isinstance, takes the slow one).
    if type(value) is int:  # pylint: disable=unidiomatic-typecheck
        millis = value
    else:
        if value is None or value == "":
            return None
        try:
            millis = int(value)
        except (TypeError, ValueError):
            return None
    days, rest = divmod(millis, MS_PER_DAY)
    day = _ISO_DAYS.get(days)
    if day is None:
        try:
            day = datetime.date.fromordinal(_EPOCH_ORDINAL + days).isoformat()
        except (ValueError, OverflowError):
            return None
        if len(_ISO_DAYS) > 100000:
            _ISO_DAYS.clear()
        _ISO_DAYS[days] = day
    seconds, milliseconds = divmod(rest, 1000)
    minutes, second = divmod(seconds, 60)
    # Joined from precomputed parts: formatting five numbers per date was most of what a listing's dates cost.
    if whole_seconds_short and not milliseconds:
        return day + _ISO_MINUTES[minutes] + _ISO_SECONDS[second] + "Z"
    return day + _ISO_MINUTES[minutes] + _ISO_SECONDS[second] + _ISO_MILLISECONDS[milliseconds]


def iso_utc(moment: datetime.datetime) -> str:
    """An aware datetime as ISO 8601 UTC, with milliseconds only when it has a fraction of a second."""
    moment = moment.astimezone(datetime.timezone.utc)
    timespec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=timespec).replace("+00:00", "Z")


def utc_now_iso() -> str:
    """The current time, to the second, as ISO 8601 UTC."""
    return iso_utc(datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0))


def now_ms() -> int:
    return int(datetime.datetime.now(tz=datetime.timezone.utc).timestamp() * 1000)


def days_between(now, then):
    """Whole days from `then` to `now` (epoch ms; never negative: a clock ahead of ours counts as today), or None."""
    if then is None:
        return None
    return max(0, (now - then) // MS_PER_DAY)
