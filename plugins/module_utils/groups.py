# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Access groups: finding one by name or id, and planning a change of its member set.

Private to this collection: not a public API, may change without notice.

The API's membership write replaces the whole member list, so every change is planned as
"current set -> new set" and sent as one write, only when the set changes.
"""

from __future__ import annotations

import difflib


class GroupLookupError(Exception):
    """A group name or id that the organization does not have; the text lists close matches."""


def close_matches(name, candidates, limit=5):
    """Names like `name`: difflib's ratio, then a case-insensitive substring match."""
    candidates = [candidate for candidate in candidates if candidate]
    matches = difflib.get_close_matches(name, candidates, n=limit, cutoff=0.5)
    lowered = (name or "").lower()
    for candidate in candidates:
        if len(matches) >= limit:
            break
        if candidate not in matches and (lowered in candidate.lower() or candidate.lower() in lowered):
            matches.append(candidate)
    return matches


def unknown_group_message(name, groups) -> str:
    names = sorted(group["name"] for group in groups if group.get("name"))
    matches = close_matches(name, names)
    text = "No access group is named %r (names are matched exactly, case included)." % name
    if matches:
        text += " Close matches: %s." % ", ".join(repr(match) for match in matches)
    elif names:
        text += " The organization has %d group(s), e.g. %s." % (len(names), ", ".join(repr(n) for n in names[:5]))
    else:
        text += " The organization has no access groups."
    return text


def find_group(groups, name=None, group_id=None) -> dict:
    """The group with this exact name or id, or GroupLookupError."""
    if group_id is not None:
        for group in groups:
            if str(group["group_id"]) == str(group_id):
                return group
        raise GroupLookupError("No access group has id %s." % group_id)
    for group in groups:
        if group["name"] == name:
            return group
    raise GroupLookupError(unknown_group_message(name, groups))


def plan_members(current_ids, wanted_ids, state):
    """The member ids after applying `state` (present, absent, exact), and those added and removed.

    Keeps the current order and appends new members, so an unchanged set is recognisable.
    Linear time: membership tests go through sets (20,000 x 20,000 ids plan in milliseconds).
    """
    wanted = list(dict.fromkeys(wanted_ids))
    current = list(dict.fromkeys(current_ids))
    wanted_set = set(wanted)
    current_set = set(current)
    if state == "present":
        added = [user_id for user_id in wanted if user_id not in current_set]
        removed = []
        new = current + added
    elif state == "absent":
        added = []
        removed = [user_id for user_id in current if user_id in wanted_set]
        new = [user_id for user_id in current if user_id not in wanted_set]
    elif state == "exact":
        added = [user_id for user_id in wanted if user_id not in current_set]
        removed = [user_id for user_id in current if user_id not in wanted_set]
        new = [user_id for user_id in current if user_id in wanted_set] + added
    else:
        raise ValueError("unknown state %r" % state)
    return new, added, removed
