# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a roster run tells: the summary and changes it returns, its diff, its one-line messages and the listed users.

Private to this collection: not a public API, may change without notice. Pure functions of a plan
(roster.plan, offboarding.plan_leavers) after roster.apply has marked each change ok or failed.
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.roster_input import entry_key

SUMMARY_KEYS = ("created", "updated", "enabled", "disabled", "deleted", "unchanged", "memberships_added", "memberships_removed")


def report(the_plan, check_mode, listed=()) -> tuple:
    """(summary, changes) as the module returns them: one change per user, memberships folded in.

    `listed`: the roster's usernames, to count those that need no change.
    """
    summary = dict((key, 0) for key in SUMMARY_KEYS)
    entries = {}
    order = []
    counted = {"create": "created", "update": "updated", "enable": "enabled", "disable": "disabled", "delete": "deleted"}
    for change in the_plan["users"]:
        entry = {"username": change["username"], "action": change["action"], "user_id": change["user_id"],
                 "fields": dict((field, {"before": change["before"].get(field), "after": change["after"].get(field)})
                                for field in sorted(set(change["before"]) | set(change["after"]))),
                 "groups_added": [], "groups_removed": [],
                 "status": "planned" if check_mode else change.get("status", "ok")}
        if change.get("error"):
            entry["error"] = change["error"]
        if change.get("added_existing"):
            entry["added_existing"] = True  # known only after the create was refused: never in check mode
        if entry["status"] != "failed":
            summary[counted[change["action"]]] += 1
        entries[change["username"].lower()] = entry
        order.append(change["username"].lower())
    for group in the_plan["groups"]:
        failed = group.get("status") == "failed"
        for key, names in (("groups_added", group["added"]), ("groups_removed", group["removed"])):
            for username in names:
                if username.lower() not in entries:
                    entries[username.lower()] = {"username": username, "action": "membership", "user_id": None, "fields": {},
                                                 "groups_added": [], "groups_removed": [],
                                                 "status": "planned" if check_mode else "ok"}
                    order.append(username.lower())
                entry = entries[username.lower()]
                skipped = username in group.get("skipped", [])
                if failed or skipped:
                    entry["status"] = "failed"
                    # Keep the first error: a failed create explains why its memberships failed too.
                    entry.setdefault("error", group.get("error") or "not added to %s: the user could not be created" % group["name"])
                    continue
                entry[key].append(group["name"])
                summary["memberships_added" if key == "groups_added" else "memberships_removed"] += 1
    changes = [entries[key] for key in order]
    summary["unchanged"] = len(set(entry_key(name) for name in listed) - set(entries))
    for entry in changes:
        entry["groups_added"].sort()
        entry["groups_removed"].sort()
    return summary, changes


def _diff_lines(fields) -> str:
    return "".join("  %s: %s\n" % (field, _diff_value(value)) for field, value in fields)


def _diff_value(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def diff_of(changes) -> list:
    """One diff per changed user (Ansible prints each on its own, so one user's old values never show under
    another's): its fields, and the group memberships that change, before and after, as text."""
    diffs = []
    for entry in changes:
        header = "%s (%s)" % (entry["username"], entry["action"])
        old = [(field, values["before"]) for field, values in entry["fields"].items()]
        new = [(field, values["after"]) for field, values in entry["fields"].items()]
        if entry["action"] == "create":
            old = []
        if entry["action"] == "delete":
            new = []
        # Only the memberships that change are known (not the user's every group): show them as such.
        old += [("group", name) for name in entry["groups_removed"]]
        new += [("group", name) for name in entry["groups_added"]]
        diffs.append({"before_header": header, "after_header": header,
                      "before": _diff_lines(old), "after": _diff_lines(new)})
    return diffs


def summary_message(summary, check_mode) -> str:
    """'Would change 3 user(s): 1 created, 2 updated; 1 membership(s) added; 120 unchanged.' in one line."""
    users = ["%d %s" % (summary[key], key) for key in ("created", "updated", "enabled", "disabled", "deleted") if summary[key]]
    memberships = ["%d membership(s) %s" % (summary[key], key.split("_")[1])
                   for key in ("memberships_added", "memberships_removed") if summary[key]]
    if not (users or memberships):
        return "The organization matches the roster (%d listed user(s) unchanged)." % summary["unchanged"]
    parts = [", ".join(users)] if users else []
    parts += memberships
    return "%s: %s; %d unchanged." % ("Would change" if check_mode else "Changed", "; ".join(parts), summary["unchanged"])


def failure_message(failures, changes, some_applied=None) -> str:
    """What was applied, what was not, and one line per distinct reason (a refused role would otherwise repeat
    for every write). `some_applied`: whether any write went through (a create whose group write then failed is
    reported failed, yet the user exists); by default, whether any change is reported ``ok``."""
    done = ["%s %s" % (change["action"], change["username"]) for change in changes if change["status"] == "ok"]
    not_done = ["%s %s" % (change["action"], change["username"]) for change in changes if change["status"] == "failed"]

    def some(items):
        return ", ".join(items[:10]) + (" and %d more" % (len(items) - 10) if len(items) > 10 else "")
    if done:
        head = "%d planned write(s) failed. Applied: %s. Not applied: %s (see changes)" % (len(failures), some(done), some(not_done))
    elif some_applied:
        head = ("%d planned write(s) failed and no change was applied in full, though some of their writes were (not "
                "applied in full: %s; see changes)" % (len(failures), some(not_done)))
    else:
        head = "%d planned write(s) failed and nothing was applied (not applied: %s)" % (len(failures), some(not_done))
    by_reason = {}
    for failure in failures:
        subject, _sep, reason = failure.partition(": ")
        by_reason.setdefault(reason, []).append(subject)
    lines = []
    for reason, subjects in by_reason.items():
        shown = ", ".join(subjects[:10]) + (" and %d more" % (len(subjects) - 10) if len(subjects) > 10 else "")
        lines.append("%s: %s" % (shown, reason))
    return "%s: %s" % (head, "; ".join(lines))


def listed_users(entries, users, the_plan) -> list:
    """{username, user_id, enabled} per listed user, after the run (created users with their new ids)."""
    by_name = dict(((user["username"] or "").lower(), user) for user in users)
    changed = dict((change["username"].lower(), change) for change in the_plan["users"])
    listed, seen = [], set()
    for entry in entries:
        key = (entry.get("username") or "").strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        user = by_name.get(key)
        change = changed.get(key)
        enabled = user.get("enabled") if user else None
        if change is not None and change.get("status") != "failed":
            enabled = change["after"].get("enabled", enabled)
        if user is None and change is not None:
            enabled = True if change.get("user_id") else None
        listed.append({"username": user["username"] if user else entry["username"].strip(),
                       "user_id": user["user_id"] if user else (change or {}).get("user_id"),
                       "enabled": enabled})
    return listed


def listed_leavers(found, the_plan, state) -> list:
    """{username, user_id, enabled} per listed user that exists, after a state=disabled/absent run (deleted: null)."""
    deleted = set(change["user_id"] for change in the_plan["users"]
                  if change["action"] == "delete" and change.get("status") != "failed")
    listed = []
    for user in found:
        enabled = False if state == "disabled" else user.get("enabled")
        listed.append({"username": user["username"], "user_id": user["user_id"],
                       "enabled": None if user["user_id"] in deleted else enabled})
    return listed
