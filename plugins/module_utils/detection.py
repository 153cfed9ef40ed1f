# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How an answer tells which dialect a server speaks, and what to ask before it has told.

Private to this collection: not a public API, may change without notice.

Used by the client in auto mode (``contrast_api_dialect: auto``): a third dialect adds its class to
``dialects.DIALECTS`` and, here, the shape that tells it apart.
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.dialects import (
    DIALECTS,
    GuideDialect,
    TeamServerDialect,
)


def detect_dialect(data, kind: str):
    """The dialect name a response shows, or None when it does not tell.

    `kind` says what was read: ``users`` (a users page), ``user`` (one user or the profile) or
    ``groups`` (the group list). Only shapes that differ between the dialects decide.
    """
    if not isinstance(data, dict):
        return None
    if kind == "groups":
        if "custom_groups" in data or "predefined_groups" in data:
            return TeamServerDialect.name
        if isinstance(data.get("groups"), list):
            return GuideDialect.name
        return None
    if kind == "users":
        items = data.get("users")
        candidates = items if isinstance(items, list) else []
    else:
        candidates = [data.get("user")]
    for item in candidates:
        if isinstance(item, dict):
            if "user_uid" in item:
                return TeamServerDialect.name
            if "user_id" in item:
                return GuideDialect.name
    return None


def auto_read_params(kind: str) -> dict:
    """Query parameters of a read made before the dialect is known: what every dialect needs, merged.

    Sending them all on the first read lets its answer settle the dialect without a second request;
    a server ignores query parameters it does not know (the guide's server never sees `expand` otherwise).
    """
    merged = {}
    for dialect in DIALECTS.values():
        for key, value in dialect.read_params(kind).items():
            parts = merged.get(key, "").split(",") if key in merged else []
            merged[key] = ",".join(parts + [part for part in value.split(",") if part not in parts])
    return merged
