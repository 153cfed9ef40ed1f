# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""inputs.py: what may go into a URL or a header, checked before any request."""

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils.inputs import (
    encode_path,
    is_loopback_host,
    key_problem,
    origin_of,
    unsafe_characters,
    without_userinfo,
)


def test_every_path_segment_is_encoded_and_dot_segments_are_refused():
    assert encode_path("/ng/o/users/a b?c#d") == "/ng/o/users/a%20b%3Fc%23d"
    assert encode_path("/ng/o/users/jane@example.com") == "/ng/o/users/jane@example.com"
    for path in ("/ng/o/users/..", "/ng/o/users/.", "/ng/o/users/a\r\nb"):
        with pytest.raises(ValueError):
            encode_path(path)


def test_origins_fill_in_the_port_and_userinfo_never_shows():
    assert origin_of("https://Example.com/Contrast") == ("https", "example.com", 443)
    assert origin_of("http://example.com:8080/x") == ("http", "example.com", 8080)
    assert without_userinfo("https://user:secret@example.com/Contrast") == "https://example.com/Contrast"


def test_loopback_hosts():
    assert is_loopback_host("localhost") and is_loopback_host("127.0.0.1") and is_loopback_host("[::1]")
    assert not is_loopback_host("example.com") and not is_loopback_host(None)


def test_keys_with_line_breaks_or_non_latin1_are_refused_without_echo():
    problem = key_problem("contrast_api_key", "KEY-123\n")
    assert "U+000A" in problem and "KEY-123" not in problem
    assert "non-Latin-1" in key_problem("contrast_service_key", "clé\u20ac")
    assert key_problem("contrast_username", "jos\u00e9\u20ac@example.com") is None  # sent base64-encoded as UTF-8
    assert unsafe_characters("ab\u202ec") == ["U+202E"] and unsafe_characters(None) == []
