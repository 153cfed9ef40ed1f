# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Endpoint paths and request-body shapes, one class per API dialect.

Private to this collection: not a public API, may change without notice.

Every URL the collection calls and every body it sends is built here and nowhere else, so that a
second dialect (Contrast's published TeamServer reference, which differs in paths, field names and
bodies) is one more class rather than edits scattered across modules.
"""

from __future__ import annotations

# Attributes of a user that the collection can write, in the canonical (module-facing) names.
WRITABLE_USER_FIELDS = ("first_name", "last_name", "email", "role", "enabled", "api_only", "protect_enabled")


class GuideDialect:
    """The API as `contrast-user-api-guide.md` describes it (the default dialect)."""

    name = "guide"

    # Keys of the list payloads.
    users_key = "users"
    groups_key = "groups"
    roles_key = "roles"
    members_key = "users"

    # ---- paths (relative to <contrast_url>/api) ----
    @staticmethod
    def profile_path() -> str:
        return "/ng/profile"

    @staticmethod
    def users_path(org_uuid: str) -> str:
        return "/ng/%s/users" % org_uuid

    @staticmethod
    def user_path(org_uuid: str, user_id: str) -> str:
        return "/ng/%s/users/%s" % (org_uuid, user_id)

    @staticmethod
    def roles_path(org_uuid: str) -> str:
        return "/ng/%s/roles" % org_uuid

    @staticmethod
    def groups_path(org_uuid: str) -> str:
        return "/ng/%s/groups" % org_uuid

    @staticmethod
    def group_path(org_uuid: str, group_id) -> str:
        return "/ng/%s/groups/%s" % (org_uuid, group_id)

    @staticmethod
    def group_members_path(org_uuid: str, group_id) -> str:
        return "/ng/%s/groups/%s/users" % (org_uuid, group_id)

    @staticmethod
    def organization_path(org_uuid: str):
        """None: the guide has no organization endpoint; its org-scoped roles read proves the org."""
        return None

    @staticmethod
    def read_params(kind: str) -> dict:
        """Extra query parameters of a read (none in this dialect)."""
        return {}

    @staticmethod
    def preferences_of(raw: dict):
        """None: this dialect's edits do not repeat any preference."""
        return None

    # ---- request bodies (from canonical field names) ----
    @staticmethod
    def create_user_body(fields: dict) -> dict:
        """Body of POST users. `fields` holds canonical names; `username` is the login email."""
        body = {
            "username": fields["username"],
            "email": fields.get("email") or fields["username"],
            "first_name": fields["first_name"],
            "last_name": fields["last_name"],
            "role": fields["role"],
        }
        for key in ("enabled", "api_only", "protect_enabled"):
            if fields.get(key) is not None:
                body[key] = fields[key]
        return body

    @staticmethod
    def update_user_body(changes: dict) -> dict:
        """Body of PUT users/{id}: only the canonical fields that change."""
        return dict((key, value) for key, value in changes.items() if key in WRITABLE_USER_FIELDS)

    @staticmethod
    def membership_body(user_ids) -> dict:
        """Body of PUT groups/{id}/users: the complete new member list (the API replaces it)."""
        return {"users": [{"user_id": user_id} for user_id in user_ids]}


# Defaults of the preference fields the TeamServer reference requires on create (overridable per user
# by giving ``date_format``, ``time_format`` or ``time_zone`` in the create fields).
TEAMSERVER_CREATE_DEFAULTS = (("date_format", "MM/dd/yyyy"), ("time_format", "hh:mm a"), ("time_zone", "UTC"))


class TeamServerDialect(GuideDialect):
    """The API as Contrast's published TeamServer reference (``saas-restapi-v3``) describes it.

    Differences from the guide that this class owns: the global roles endpoint, the create body
    (``username``, ``role_name``, ``protect`` and the required preference fields), edits that must
    repeat the user's preferences, the ``enabled`` endpoint, the whole-group PUT for membership, and
    the ``expand`` query that brings login and signup dates and preferences into user reads.
    """

    name = "teamserver"
    roles_key = "groups"

    @staticmethod
    def roles_path(org_uuid: str) -> str:
        return "/ng/roles"

    @staticmethod
    def organization_path(org_uuid: str):
        """The caller's view of one organization (roles are global here, so this is what proves the org)."""
        return "/ng/profile/organizations/%s" % org_uuid

    @staticmethod
    def user_enabled_path(org_uuid: str, user_id: str) -> str:
        return "/ng/%s/users/%s/enabled" % (org_uuid, user_id)

    @staticmethod
    def read_params(kind: str) -> dict:
        """Query parameters of user reads: the login, signup dates and preferences only come with expand."""
        if kind in ("users", "user"):
            return {"expand": "email,login,signup,preferences"}
        return {}

    @staticmethod
    def preferences_of(raw: dict):
        """The create-time preferences a user read carries (``expand=preferences``), or None."""
        found = raw.get("preferences") if isinstance(raw, dict) else None
        if not isinstance(found, dict):
            return None
        return dict((key, found.get(key)) for key, _default in TEAMSERVER_CREATE_DEFAULTS if found.get(key))

    @staticmethod
    def create_user_body(fields: dict, role_name=None) -> dict:  # pylint: disable=arguments-differ
        """Body of POST users; `role_name` is the server's name of ``fields["role"]``."""
        body = {"username": fields["username"]}
        for key, default in TEAMSERVER_CREATE_DEFAULTS:
            body[key] = fields.get(key) or default
        for key in ("first_name", "last_name"):
            if fields.get(key) is not None:
                body[key] = fields[key]
        if role_name is not None:
            body["role_name"] = role_name
        for key, wire in (("enabled", "enabled"), ("api_only", "api_only"), ("protect_enabled", "protect")):
            if fields.get(key) is not None:
                body[wire] = fields[key]
        return body

    @staticmethod
    def update_user_body(changes: dict, role_name=None, preferences=None) -> dict:  # pylint: disable=arguments-differ
        """Body of PUT users/{uid} (EditUserRequest): the changes, ``enabled`` included so that an edit that
        also enables is one write, and the user's own ``date_format``/``time_format``/``time_zone``, which the
        reference requires in every edit (`preferences`, else the defaults). The email cannot change."""
        body = {}
        for key, wire in (("first_name", "first_name"), ("last_name", "last_name"), ("api_only", "api_only"),
                          ("protect_enabled", "protect"), ("enabled", "enabled")):
            if key in changes:
                body[wire] = changes[key]
        if "role" in changes:
            body["role_name"] = role_name if role_name is not None else changes["role"]
        for key, default in TEAMSERVER_CREATE_DEFAULTS:
            body[key] = (preferences or {}).get(key) or default
        return body

    @staticmethod
    def enabled_body(enabled: bool) -> dict:
        return {"enabled": bool(enabled)}

    @staticmethod
    def group_scope(group: dict) -> dict:
        """The scope to echo back in a group PUT: the group's own, or rebuilt from the GET's flat fields."""
        if isinstance(group.get("scope"), dict):
            return group["scope"]
        return {
            "account_scope": {"exceptions": group.get("accounts") or []},
            "app_scope": {"exceptions": group.get("applications") or [], "onboard_role": group.get("onboard_role") or "",
                          "role": group.get("app_role") or ""},
        }

    @classmethod
    def group_update_body(cls, group: dict, user_ids) -> dict:
        """Body of PUT groups/{id}: the group as read, with only its users replaced."""
        return {"name": group.get("name"), "scope": cls.group_scope(group), "users": list(user_ids)}


DIALECTS = {GuideDialect.name: GuideDialect, TeamServerDialect.name: TeamServerDialect}
DIALECT_CHOICES = ("auto",) + tuple(sorted(DIALECTS))


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
