# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test helper filters of the reliability_* targets: build a soak roster, measure drift from it.

Both work on what the ``reliability_emulator`` action returns: ``state`` (the emulator's raw state)
and ``snapshot`` (users keyed by lowercased username, groups as sorted lowercased member lists).
"""

from __future__ import annotations

import random

ROLES = ("ROLE_ADMIN", "ROLE_EDIT", "ROLE_RULES_ADMIN", "ROLE_VIEW", "ROLE_NO_ACCESS")
FIELDS = ("first_name", "last_name", "email", "role", "api_only", "protect_enabled")


def soak_roster(state, new_users=50, unlisted=10, seed=0):
    """A roster for the organization in `state` that needs every kind of write.

    Lists every user but the last `unlisted` enabled ones; changes the role of about a third and
    the first name of about a fifth (unicode included); re-enables the disabled ones it lists;
    creates `new_users`; gives everyone zero to two groups, so that group_membership=exact both
    adds and removes members. Deterministic for the same state and seed.
    """
    rng = random.Random(seed)
    groups = sorted(group["name"] for group in state["groups"])
    users = [user for user in state["users"] if user["username"].lower() != state["api_user"]["username"].lower()]
    enabled = [user for user in users if user["enabled"]]
    left_out = set(user["username"] for user in enabled[-unlisted:]) if unlisted else set()
    roster = []
    for index, user in enumerate(users):
        if user["username"] in left_out:
            continue
        entry = {"username": user["username"]}
        if index % 3 == 0:
            entry["role"] = ROLES[(ROLES.index(user["role"]) + 1) % len(ROLES)]
        if index % 5 == 0:
            entry["first_name"] = rng.choice(["Zoë", "Ångström", "Renée", "Øyvind", "Siobhán"])
        entry["groups"] = rng.sample(groups, rng.randint(0, min(2, len(groups))))
        roster.append(entry)
    for index in range(new_users):
        roster.append({"username": "soak.new%03d@example.com" % index, "first_name": "New", "last_name": "Hire %d" % index,
                       "role": ROLES[index % len(ROLES)], "groups": rng.sample(groups, rng.randint(0, min(2, len(groups))))})
    return roster


def roster_drift(snapshot, roster, unlisted="ignore", group_membership="add", api_username=None, protected=()):
    """Every way the organization (a snapshot) differs from what `roster` asks; [] when it matches."""
    problems = []
    users = snapshot["users"]
    listed = set(entry["username"].lower() for entry in roster)
    for entry in roster:
        key = entry["username"].lower()
        user = users.get(key)
        if user is None:
            problems.append("%s is missing" % key)
            continue
        if not user["enabled"]:
            problems.append("%s is disabled" % key)
        for field in FIELDS:
            if entry.get(field) is not None and user.get(field) != entry[field]:
                problems.append("%s: %s is %r, wanted %r" % (key, field, user.get(field), entry[field]))
    wanted = {}
    for entry in roster:
        for name in entry.get("groups") or []:
            wanted.setdefault(name, set()).add(entry["username"].lower())
    for name, members in sorted(wanted.items()):
        actual = set(snapshot["groups"].get(name, []))
        if not members <= actual:
            problems.append("group %s lacks %s" % (name, sorted(members - actual)))
        extra = set(member for member in actual - members if member not in protected)
        if group_membership == "exact" and extra:
            problems.append("group %s has extra members %s" % (name, sorted(extra)))
    for key, user in sorted(users.items()):
        if key in listed or key == (api_username or "").lower() or key in protected:
            continue
        if unlisted == "disable" and user["enabled"]:
            problems.append("%s is not listed but still enabled" % key)
    if unlisted == "delete":
        problems.extend("%s is not listed but still exists" % key for key in sorted(set(users) - listed - {(api_username or "").lower()}))
    if snapshot["duplicate_users"] or snapshot["duplicate_invitations"]:
        problems.append("duplicates: users %s, invitations %s" % (snapshot["duplicate_users"], snapshot["duplicate_invitations"]))
    return problems


class FilterModule:
    """Filters of the reliability_* integration targets."""

    def filters(self):
        return {
            "reliability_soak_roster": soak_roster,
            "reliability_roster_drift": roster_drift,
        }
