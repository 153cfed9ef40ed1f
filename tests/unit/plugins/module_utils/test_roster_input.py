# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of what contrast_roster accepts (module_utils/roster_input.py)."""

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import roster_input as RI
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import CREATE_PREFERENCES, USER_ATTRIBUTES


def params(**changes):
    defaults = dict((name, option.get("default")) for name, option in RI.argument_spec().items())
    defaults.update(users=[], **changes)
    return defaults


def test_argument_spec_has_every_entry_field_and_the_guard_defaults():
    spec = RI.argument_spec()
    entry = spec["users"]["options"]
    assert set(USER_ATTRIBUTES) | set(CREATE_PREFERENCES) | {"username", "groups"} == set(entry)
    for name, default in RI.GUARD_DEFAULTS.items():
        assert spec[name] == {"type": "int", "default": default}


@pytest.mark.parametrize("changes, message", [
    ({}, None),
    ({"parallelism": 0}, "parallelism must be 1 or more, got 0"),
    ({"page_size": 0}, "page_size must be 1 or more, got 0"),
    ({"max_unlisted_changes": -1}, "max_unlisted_changes must be 0 or more"),
    ({"max_unlisted_percent": 101}, "max_unlisted_percent must be from 0 to 100"),
    ({"state": "absent", "unlisted": "delete"}, "unlisted=delete cannot be combined with state=absent (which acts on the listed users only)."),
    ({"state": "absent", "unlisted": "ignore"}, None),
    ({"protected": ["ok@example.com", " ", "['a']"]}, "Not a username pattern: protected[1] ' ', protected[2] \"['a']\"."),
])
def test_option_problem(changes, message):
    assert RI.option_problem(params(**changes)) == message


def test_every_entry_problem_is_listed():
    problems = RI.validate_entries([
        {"username": "Ann@example.com"},
        {"username": "ann@example.com"},
        {"username": "bob"},
        {"username": ""},
        {"username": "cy@example.com", "first_name": " ", "time_zone": "", "role": "ROLE_GOD", "email": "x"},
        {"username": "dee@example.com", "last_name": "Eve\u202e", "groups": ["Ops\n"]},
    ])
    text = "\n".join(problems)
    assert "users[1] (ann@example.com) duplicates users[0]" in text
    assert "users[2]: username 'bob' is not a valid email address." in text
    assert "users[3] has no username." in text
    assert "first_name ' ' is not a name" in text and "time_zone '' must be a non-empty string" in text
    assert "Unknown role 'ROLE_GOD'" in text and "email 'x' is not a valid email address" in text
    assert "users[5].last_name" in text and "users[5].groups" in text
    assert len(problems) == 9


def test_entry_key():
    assert RI.entry_key("  Ann@Example.com ") == "ann@example.com"
