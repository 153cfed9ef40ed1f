# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The canonical user model, role names, input validation and client-side filters.

Private to this collection: not a public API, may change without notice.

Every module returns users in the one shape built by :func:`normalize_user`, whatever the API
returned, so playbooks can chain modules without reshaping data.
"""

from __future__ import annotations

import re

from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import (  # noqa: F401 (the names users are known by)
    CREATE_PREFERENCES,
    MANAGED_FIELDS,
    MS_PER_DAY,
    REQUIRED_TO_CREATE,
    ROLES,
    epoch_ms_to_iso,
    is_valid_email,
    looks_converted,
    now_ms,
)

# Fields of the canonical user, in the order they are documented.
CANONICAL_FIELDS = (
    "user_id", "username", "email", "first_name", "last_name", "enabled", "role", "groups",
    "api_only", "protect_enabled", "date_created", "last_login", "date_created_iso",
    "last_login_iso", "org_uuid",
)


def role_error(role) -> str | None:
    """A message naming the valid roles when `role` is not one of them, else None."""
    if role in ROLES:
        return None
    return "Unknown role %r. Valid roles are: %s (names are case-sensitive)." % (role, ", ".join(ROLES))


def canonical_role(name):
    """The ROLE_* name of a role as any dialect names it ("Rules Admin" -> ROLE_RULES_ADMIN)."""
    if not isinstance(name, str) or not name.strip():
        return name
    if name.startswith("ROLE_"):
        return name
    return "ROLE_" + re.sub(r"[^A-Z0-9]+", "_", name.strip().upper()).strip("_")


def _role_name(raw_role):
    # The guide gives a ROLE_* string; the TeamServer reference gives an object {group_id, name}.
    if isinstance(raw_role, dict):
        return canonical_role(raw_role.get("name"))
    return raw_role


def _nested(raw: dict, outer: str, inner: str):
    value = raw.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def _first_present(raw: dict, *keys):
    for key in keys:
        if raw.get(key) is not None:
            return raw[key]
    return None


def normalize_user(raw: dict, org_uuid: str | None = None, groups=None) -> dict:
    """Build the canonical user from one API user object.

    `groups` (a list of group names) overrides what the API object says; when neither knows the
    groups, `groups` is None (unknown), never an empty list (which would claim "in no group").
    Runs once per user of every listing: plain lookups, each date converted once.
    """
    get = raw.get
    username = get("username")
    email = get("email")
    if username is None:
        username = email
    if email is None:
        email = username
    date_created = get("date_created")
    if date_created is None:
        date_created = _nested(raw, "signup", "signup_date")  # TeamServer, with expand=signup
    last_login = get("last_login")
    if last_login is None:
        last_login = _nested(raw, "login", "last_login_time")  # TeamServer, with expand=login
    if groups is None:
        raw_groups = get("groups")
        if isinstance(raw_groups, list):
            names = [group.get("name") if isinstance(group, dict) else group for group in raw_groups]
            # An entry that names no group (an id, an object without a name): the groups are not known by name.
            groups = names if all(isinstance(name, str) for name in names) else None
    user_id = get("user_id")
    if user_id is None:
        user_id = _first_present(raw, "user_uid", "id")
    protect_enabled = get("protect_enabled")
    if protect_enabled is None:
        protect_enabled = get("rasp_enabled")
    role = get("role")
    return {
        "user_id": user_id,
        "username": username,
        "email": email,
        "first_name": get("first_name"),
        "last_name": get("last_name"),
        "enabled": get("enabled"),
        "role": _role_name(role) if isinstance(role, dict) else role,
        "groups": sorted(groups) if groups is not None else None,
        "api_only": get("api_only"),
        "protect_enabled": protect_enabled,
        "date_created": date_created,
        "last_login": last_login,
        "date_created_iso": epoch_ms_to_iso(date_created) if date_created is not None else None,
        "last_login_iso": epoch_ms_to_iso(last_login) if last_login is not None else None,
        "org_uuid": get("org_uuid") or org_uuid,
    }


def same_username(left, right) -> bool:
    """Logins are email addresses: compare them case-insensitively."""
    if left is None or right is None:
        return False
    return left.strip().lower() == right.strip().lower()


def is_inactive(user: dict, days: int, now: int | None = None) -> bool:
    """True when the user has not logged in for `days` days, or never logged in."""
    if user.get("last_login") is None:
        return True
    current = now_ms() if now is None else now
    return current - int(user["last_login"]) >= days * MS_PER_DAY


def filter_users(users, roles=None, enabled=None, inactive_days=None, now=None):
    """Client-side filters: the API has none. Each filter given narrows the result."""
    selected = []
    for user in users:
        if roles and user.get("role") not in roles:
            continue
        if enabled is not None and bool(user.get("enabled")) != enabled:
            continue
        if inactive_days is not None and not is_inactive(user, inactive_days, now):
            continue
        selected.append(user)
    return selected


def immutable_change_error(current: dict, wanted: dict) -> str | None:
    """A message when `wanted` asks to change the login or email of `current`, else None.

    The API cannot change either after creation, so the only path is a new account.
    """
    for field in ("username", "email"):
        value = wanted.get(field)
        if value is not None and not same_username(value, current.get(field)):
            return ("The %s of an existing user cannot be changed through the Contrast API (current %r, asked %r). "
                    "To move someone to a new login: disable the old account (state=disabled, which keeps its audit "
                    "history), then create the new one (state=present with the new username)."
                    % (field, current.get(field), value))
    return None


def create_email_error(username: str, email) -> str | None:
    """A message when a user cannot be created with this `email`, else None.

    The API makes the login the email: the guide's create refuses a username that differs from the
    email (case included), and TeamServer's takes no email at all. An email that differs from the
    login only in case names the same address: the user is created with the login as its email.
    """
    if email is None or same_username(email, username):
        return None
    return ("User %s cannot be created with email %r: the Contrast API makes the login the email, so the email of a new "
            "user must be its username (leave email out, or make it the username)." % (username, email))


def user_changes(current: dict, wanted: dict) -> dict:
    """The managed fields of `wanted` (None means "not given") whose value differs from `current`."""
    changes = {}
    for field in MANAGED_FIELDS:
        value = wanted.get(field)
        if value is None:
            continue
        if field == "email":
            continue  # immutable: refused earlier by immutable_change_error, equal otherwise
        if current.get(field) != value:
            changes[field] = value
    return changes


def diff_view(user: dict | None, fields=None) -> dict:
    """The part of a user a diff shows: its login and the managed fields (or just `fields`)."""
    if not user:
        return {}
    shown = {"username": user.get("username")}
    for field in fields if fields is not None else MANAGED_FIELDS:
        shown[field] = user.get(field)
    return shown


def predicted_user(current: dict | None, changes: dict, org_uuid: str | None = None) -> dict:
    """What a user will look like after `changes` (for check mode), in the canonical form."""
    if current is None:
        raw = dict(changes)
        raw.setdefault("enabled", True)
        raw.setdefault("email", raw.get("username"))
        return normalize_user(raw, org_uuid=org_uuid)
    user = dict(current)
    user.update(changes)
    return user


def missing_to_create(wanted: dict) -> list:
    """The fields a create needs that `wanted` does not give."""
    return [field for field in REQUIRED_TO_CREATE if wanted.get(field) is None]


def fields_to_create(username: str, wanted: dict) -> dict:
    """The fields of a user to create: the attributes given, the login, and the login as its email (the API
    makes the login the email, see create_email_error)."""
    fields = dict((key, value) for key, value in wanted.items() if value is not None)
    fields["username"] = username
    fields["email"] = username
    return fields


def create_preferences(source) -> dict:
    """The create-only preferences `source` gives (sent on create only, never compared or reported)."""
    return dict((key, source[key]) for key in CREATE_PREFERENCES if source.get(key))


def update_message(username, changes) -> str:
    """'Disabled x.', 'Enabled x again and updated role.', 'Updated x (first_name, role).'"""
    others = sorted(field for field in changes if field != "enabled")
    if "enabled" not in changes:
        return "Updated %s (%s)." % (username, ", ".join(others))
    verb = "Enabled %s again" % username if changes["enabled"] else "Disabled %s" % username
    return "%s%s." % (verb, " and updated %s" % ", ".join(others) if others else "")


def user_input_problem(params) -> str | None:
    """What is wrong with contrast_user's own options (before any request), else None."""
    for field in ("username", "user_id", "first_name", "last_name", "email"):
        if params[field] is not None and looks_converted(params[field]):
            return "%s must be a string, got %s (a list or a dict?)." % (field, params[field])
    if params["user_id"] is not None and not params["user_id"].strip():
        return "user_id must not be empty."
    for field in ("username", "email"):
        if params[field] is not None and not is_valid_email(params[field]):
            return "%s %r is not a valid email address." % (field, params[field])
    for field in ("first_name", "last_name") + CREATE_PREFERENCES:
        if params[field] is not None and not params[field].strip():
            return "%s must not be empty." % field
    return None
