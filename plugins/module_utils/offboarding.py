# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning the departure of listed users (contrast_roster with state=disabled or state=absent).

Private to this collection: not a public API, may change without notice.

Produces the same plan shape as roster.plan (``{"users": [...], "groups": [...]}``), so that
roster.apply sends it and roster_report.report describes it: one write per user that changes, one write
per group that loses members, deletes last.
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.groups import plan_members
from ansible_collections.contrast_security.identity.plugins.module_utils.roster import RosterError
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import closest_logins

# Close matches are looked up for this many unknown logins at most (each costs a pass over every login).
MAX_SUGGESTED = 20


def unknown_login_message(name, logins) -> str:
    """A warning for a login that is not a user of the organization, naming the closest existing ones."""
    matches = closest_logins(name, logins, cutoff=0.8)
    text = "%s is not a user of the organization (nothing to do for it)." % name
    if matches:
        text += " Closest existing logins: %s." % ", ".join(matches)
    return text


def plan_leavers(names, state, leave_groups, strict, users, groups, members_by_group, api_username=None) -> dict:
    """Plan disabling (state=disabled) or deleting (state=absent) the users named, and, with
    `leave_groups`, removing them from every group (`members_by_group` holds every group's members).

    Returns ``{"plan": {"users": [...], "groups": [...]}, "found": [canonical user per name found, in order],
    "not_found": [names], "warnings": [...]}``; raises RosterError (before any write) for the API user, and,
    with `strict`, for names that are not users of the organization.
    """
    by_name = dict(((user.get("username") or "").lower(), user) for user in users)
    problems = []
    found, not_found, seen = [], [], set()
    for name in names:
        key = (name or "").strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        if api_username and key == api_username.strip().lower():
            problems.append("%s is the API user whose keys this run uses. Disabling or deleting it would lock the "
                            "automation out of the organization; nothing was changed. Remove it from the list (and "
                            "offboard it from another account if that is really meant)." % api_username.strip())
            continue
        user = by_name.get(key)
        if user is None:
            not_found.append(name.strip())
        else:
            found.append(user)
    if strict and not_found:
        problems.append("Not users of the organization: %s. Nothing was changed (strict: with it off they are reported "
                        "and the others are offboarded)." % ", ".join(not_found))
    if problems:
        raise RosterError(problems)

    changes = []
    for user in found:
        if state == "absent":
            changes.append({"username": user["username"], "action": "delete", "user_id": user["user_id"], "fields": {},
                            "before": {"role": user.get("role"), "enabled": user.get("enabled")}, "after": {}})
        elif user.get("enabled") is not False:
            changes.append({"username": user["username"], "action": "disable", "user_id": user["user_id"],
                            "fields": {"enabled": False}, "before": {"enabled": True}, "after": {"enabled": False}})

    group_changes = []
    if leave_groups and found:
        leaving = set(str(user["user_id"]) for user in found)
        for group in sorted(groups, key=lambda item: (item.get("name") or "")):
            members = members_by_group.get(group["group_id"], [])
            current_ids = [str(member["user_id"]) for member in members]
            if leaving.isdisjoint(current_ids):
                continue
            usernames = dict((str(member["user_id"]), member["username"]) for member in members)
            for user in found:  # a member listed by id only still gets its login in the report
                if not usernames.get(str(user["user_id"]), True):
                    usernames[str(user["user_id"])] = user["username"]
            new_ids, added, removed = plan_members(current_ids, leaving, "absent")
            group_changes.append({"group_id": group["group_id"], "name": group["name"], "member_ids": new_ids,
                                  "added": [], "removed": [usernames[user_id] for user_id in removed],
                                  "usernames": usernames})

    logins = sorted(by_name) if not_found else []
    warnings = [unknown_login_message(name, logins) for name in not_found[:MAX_SUGGESTED]]
    if len(not_found) > MAX_SUGGESTED:
        warnings.append("%d more logins are not users of the organization: %s."
                        % (len(not_found) - MAX_SUGGESTED, ", ".join(not_found[MAX_SUGGESTED:])))
    return {"plan": {"users": changes, "groups": group_changes}, "found": found, "not_found": not_found,
            "warnings": warnings}
