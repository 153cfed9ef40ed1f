# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What contrast_roster accepts: its options, and the checks of a roster that need no request.

Private to this collection: not a public API, may change without notice.
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.guards import text_problem
from ansible_collections.contrast_security.identity.plugins.module_utils.users import role_error
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import (
    CREATE_PREFERENCES,
    blank_or_converted,
    is_valid_email,
)

# Mass-change guards (module options of the same names).
GUARD_DEFAULTS = {"max_unlisted_changes": 10, "max_unlisted_percent": 20, "max_membership_removals": 10,
                  "max_membership_removal_percent": 20}


def argument_spec() -> dict:
    """contrast_roster's options (documented in the module), the connection options aside."""
    entry = dict(
        username=dict(type="str", required=True),
        first_name=dict(type="str"),
        last_name=dict(type="str"),
        email=dict(type="str"),
        role=dict(type="str"),
        api_only=dict(type="bool"),
        protect_enabled=dict(type="bool"),
        groups=dict(type="list", elements="str"),
        date_format=dict(type="str"),
        time_format=dict(type="str"),
        time_zone=dict(type="str"),
    )
    spec = dict(
        users=dict(type="list", elements="dict", required=True, options=entry),
        unlisted=dict(type="str", default="ignore", choices=["ignore", "disable", "delete"]),
        protected=dict(type="list", elements="str", default=[]),
        allow_empty=dict(type="bool", default=False),
        group_membership=dict(type="str", default="add", choices=["add", "exact"]),
        parallelism=dict(type="int", default=4),
        page_size=dict(type="int", default=100),
        state=dict(type="str", default="present", choices=["present", "disabled", "absent"]),
        leave_groups=dict(type="bool", default=False),
        missing=dict(type="str", default="warn", choices=["warn", "fail"]),
        report_listed=dict(type="bool", default=False),
    )
    spec.update((name, dict(type="int", default=default)) for name, default in GUARD_DEFAULTS.items())
    return spec


def option_problem(params) -> str | None:
    """What is wrong with the options (not the entries) before anything is read, else None."""
    for name in ("parallelism", "page_size"):
        if params[name] < 1:
            return "%s must be 1 or more, got %d" % (name, params[name])
    for name in GUARD_DEFAULTS:
        if params[name] < 0 or (name.endswith("_percent") and params[name] > 100):
            return "%s must be 0 or more" % name if not name.endswith("_percent") else "%s must be from 0 to 100" % name
    if params["state"] != "present" and params["unlisted"] != "ignore":
        return ("unlisted=%s cannot be combined with state=%s (which acts on the listed users only)."
                % (params["unlisted"], params["state"]))
    # A pattern that protects nobody (blank, or a dict Ansible turned into a string) must not pass silently.
    bad = ["protected[%d] %r" % (index, pattern) for index, pattern in enumerate(params["protected"])
           if blank_or_converted(pattern)]
    if bad:
        return "Not a username pattern: %s." % ", ".join(bad)
    return None


def entry_key(username):
    """How a roster entry's login is compared: logins are emails, case-insensitive."""
    return username.strip().lower()


def validate_entries(entries) -> list:
    """Problems found in the roster itself (no request needed): duplicates, emails, roles."""
    problems = []
    seen = {}
    for index, entry in enumerate(entries):
        username = (entry.get("username") or "").strip()
        where = "users[%d]" % index
        if not username:
            problems.append("%s has no username." % where)
            continue
        key = username.lower()
        if key in seen:
            problems.append("%s (%s) duplicates users[%d] (usernames are case-insensitive)." % (where, username, seen[key]))
        else:
            seen[key] = index
        if not is_valid_email(username):
            problems.append("%s: username %r is not a valid email address." % (where, username))
        if entry.get("email") is not None and not is_valid_email(entry["email"]):
            problems.append("%s (%s): email %r is not a valid email address." % (where, username, entry["email"]))
        for field in ("first_name", "last_name"):
            value = entry.get(field)
            if blank_or_converted(value):
                problems.append("%s (%s): %s %r is not a name." % (where, username, field, value))
        for field in CREATE_PREFERENCES:
            value = entry.get(field)
            if blank_or_converted(value):
                problems.append("%s (%s): %s %r must be a non-empty string." % (where, username, field, value))
        if entry.get("role") is not None and role_error(entry["role"]):
            problems.append("%s (%s): %s" % (where, username, role_error(entry["role"])))
        for field in ("username", "first_name", "last_name", "email"):
            problem = text_problem("%s.%s" % (where, field), entry.get(field))
            if problem:
                problems.append(problem)
        for name in entry.get("groups") or []:
            problem = text_problem("%s.groups" % where, name)
            if problem:
                problems.append(problem)
    return problems
