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


DIALECTS = {GuideDialect.name: GuideDialect}
