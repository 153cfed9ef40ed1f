# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the shared vocabulary (module_utils/vocabulary.py)."""

from __future__ import annotations

import datetime
import random

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import vocabulary as V


def test_field_tuples_agree():
    # What a module may set is what an entry gives plus `enabled` (which `state` decides).
    assert set(V.MANAGED_FIELDS) == set(V.USER_ATTRIBUTES) | {"enabled"}
    assert set(V.REQUIRED_TO_CREATE) <= set(V.USER_ATTRIBUTES)
    assert V.ADMIN_ROLE == "ROLE_ADMIN" and V.ADMIN_ROLE in V.ROLES
    assert V.SEVERITIES[0] == "high" and V.SEVERITIES[-1] == "info"


@pytest.mark.parametrize("value, expected", [
    ("jane.doe@example.com", True),
    ("jane@example", False),
    ("jane doe@example.com", False),
    ("@example.com", False),
    ("['jane@example.com']", False),
    (None, False),
])
def test_is_valid_email(value, expected):
    assert V.is_valid_email(value) is expected


@pytest.mark.parametrize("value, expected", [
    (None, False), ("Jane", False), ("", True), ("   ", True), ("['a', 'b']", True), ("{'a': 1}", True),
])
def test_blank_or_converted(value, expected):
    assert V.blank_or_converted(value) is expected


@pytest.mark.parametrize("name, patterns, expected", [
    ("Break-Glass@Example.com", ["break-glass@example.com"], True),
    (" svc-1@example.com", ["svc-*@example.com "], True),  # surrounding blanks on either side do not count
    ("svc-12@example.com", ["svc-?@example.com"], False),
    ("jane@example.com", [], False),
    ("jane@example.com", None, False),
    (None, ["*"], True),
])
def test_login_matches(name, patterns, expected):
    assert V.login_matches(name, patterns) is expected


def test_closest_logins_ignores_case_and_blanks_and_keeps_three():
    logins = ["jane.doe@example.com", "jane.do@example.com", "jane.dow@example.com", "jane.dox@example.com", "bob@example.com"]
    found = V.closest_logins("  Jane.Doe@Example.com", logins, cutoff=0.8)
    assert found[0] == "jane.doe@example.com" and len(found) == 3 and "bob@example.com" not in found


def test_make_visible_marks_controls_and_bidi_recursively():
    assert V.make_visible("Eve\u202etxt.exe") == "Eve<U+202E>txt.exe"
    assert V.make_visible({"a": ["x\x00", 1, None]}) == {"a": ["x<U+0000>", 1, None]}
    assert V.make_visible("plain é") == "plain é"


@pytest.mark.parametrize("value, expected", [
    (None, None), ("", None), (True, None), ("x", None), ("1700000000000", 1700000000000), (12.0, 12),
])
def test_epoch_ms(value, expected):
    assert V.epoch_ms(value) == expected


def test_epoch_ms_to_iso_forms():
    assert V.epoch_ms_to_iso(1700000000000) == "2023-11-14T22:13:20.000Z"
    assert V.epoch_ms_to_iso(1700000000000, whole_seconds_short=True) == "2023-11-14T22:13:20Z"
    assert V.epoch_ms_to_iso(1700000000123, whole_seconds_short=True) == "2023-11-14T22:13:20.123Z"
    assert V.epoch_ms_to_iso(None) is None and V.epoch_ms_to_iso("soon") is None


def test_iso_utc_and_now():
    moment = datetime.datetime(2026, 3, 1, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert V.iso_utc(moment) == "2026-03-01T09:30:00Z"
    assert V.iso_utc(moment.replace(microsecond=250000)) == "2026-03-01T09:30:00.250Z"
    now = V.utc_now_iso()
    assert now.endswith("Z") and "." not in now
    assert abs(V.now_ms() - datetime.datetime.now(tz=datetime.timezone.utc).timestamp() * 1000) < 5000


def test_days_between_whole_days_never_negative():
    assert V.days_between(10 * V.MS_PER_DAY, None) is None
    assert V.days_between(10 * V.MS_PER_DAY, 3 * V.MS_PER_DAY + 1) == 6
    assert V.days_between(V.MS_PER_DAY, 5 * V.MS_PER_DAY) == 0


def test_make_visible_marks_exactly_what_inputs_refuses():
    from ansible_collections.contrast_security.identity.plugins.module_utils.inputs import unsafe_characters
    for code in range(0x3000):
        char = chr(code)
        assert (V.make_visible(char) != char) == bool(unsafe_characters(char)), "U+%04X" % code


def test_epoch_ms_to_iso_agrees_with_datetime_at_every_kind_of_moment():
    """The joined parts (minute of the day, second, millisecond) against datetime's own formatting: day and minute
    boundaries, before 1970, the last millisecond of 9999, numbers given as text, and random moments."""

    def expected(millis, short=False):
        moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(milliseconds=millis)
        text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        return text + "Z" if short and not millis % 1000 else text + ".%03dZ" % (millis % 1000)
    chooser = random.Random(16)
    moments = [0, -1, 59999, 60000, 86399999, 86400000, -86400001, 253402300799999, 1700000000000, 1700000000999]
    moments += [chooser.randint(-10 ** 12, 253402300799999) for _moment in range(2000)]
    for millis in moments:
        assert V.epoch_ms_to_iso(millis) == expected(millis)
        assert V.epoch_ms_to_iso(millis, whole_seconds_short=True) == expected(millis, short=True)
        assert V.epoch_ms_to_iso(str(millis)) == expected(millis)
