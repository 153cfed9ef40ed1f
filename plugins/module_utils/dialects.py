# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Endpoint paths, queries, request bodies and answer shapes, one class per API dialect.

Private to this collection: not a public API, may change without notice.

Every URL the collection calls, every query and body it sends, and every place it looks in an
answer is defined here and nowhere else. Both classes have the same methods with the same
signatures, so that the client never asks which dialect it speaks and a third dialect would be
one more class. `docs/dialects.md` lists each call and the reference it follows.
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.teamserver_scope import rebuild_scope
from ansible_collections.contrast_security.identity.plugins.module_utils.users import canonical_role
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import MANAGED_FIELDS

# Attributes of a user that the collection can write, in the canonical (module-facing) names: the managed fields.
WRITABLE_USER_FIELDS = MANAGED_FIELDS

# Defaults of the preference fields the TeamServer reference requires on create and on every edit
# (overridable per user by giving ``date_format``, ``time_format`` or ``time_zone`` in the create fields).
TEAMSERVER_CREATE_DEFAULTS = (("date_format", "MM/dd/yyyy"), ("time_format", "hh:mm a"), ("time_zone", "UTC"))


def _section(items, count):
    """One paged section of a list answer: (items, count or None), with anything malformed read as absent."""
    items = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    return items, count if isinstance(count, int) and not isinstance(count, bool) else None


class GuideDialect:
    """The API as `contrast-user-api-guide.md` describes it (the default dialect)."""

    name = "guide"
    # Whether GET of a group's members pages (offset/limit); False: one answer is the whole list.
    members_paged = True
    # Whether a membership write needs the group as read (TeamServer PUTs the whole group).
    membership_needs_group = False
    # Whether a write's answer carries the user (else the client finds or predicts it).
    answers_carry_user = True
    # Whether roles have server-specific names and ids that writes must use (read from the roles endpoint).
    server_names_roles = False
    # Whether a user's ``groups`` in a read are there only because the client asked for them to repeat in an
    # edit (not part of the canonical user, whose groups come from include_groups).
    groups_read_for_edits = False

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
    def existing_user_path(org_uuid: str):
        """None: the guide cannot add a user of another organization."""
        return None

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

    # ---- queries ----
    @staticmethod
    def read_params(kind: str) -> dict:
        """Extra query parameters of a read (none in this dialect)."""
        return {}

    @staticmethod
    def search_params(username: str):
        """None: the guide has no search; a login is found by paging."""
        return None

    # ---- answers ----
    @staticmethod
    def list_sections(kind: str, data: dict) -> list:
        """The paged sections of a list answer: ``[(name, items, count)]``. `kind`: users, groups, members."""
        items, count = _section(data.get("users" if kind in ("users", "members") else "groups"), data.get("count"))
        return [(kind, items, count)]

    @staticmethod
    def group_of(raw: dict) -> dict:
        """A group of the list, in the collection's shape."""
        return {"group_id": raw.get("group_id"), "name": raw.get("name"), "description": raw.get("description"),
                "predefined": bool(raw.get("readonly") or raw.get("predefined"))}

    @staticmethod
    def user_of(data: dict):
        """The user a read or write answer carries, or None."""
        user = data.get("user") if isinstance(data, dict) else None
        return user if isinstance(user, dict) else None

    @staticmethod
    def member_keys(raw: dict) -> list:
        """The ids a member entry names its user by (matched against the users' ids)."""
        return [str(raw[key]) for key in ("user_id",) if raw.get(key) is not None]

    @staticmethod
    def user_keys(raw: dict) -> list:
        """Every id a user object carries that a member entry may name it by."""
        return [str(raw[key]) for key in ("user_id",) if raw.get(key) is not None]

    @staticmethod
    def roles_of(data: dict) -> list:
        """The roles a roles answer lists: ``[{canonical, name, id, description}]``."""
        roles = []
        for role in data.get("roles") or []:
            if isinstance(role, dict) and role.get("name"):
                roles.append({"canonical": canonical_role(role["name"]), "name": role["name"], "id": None,
                              "description": role.get("description")})
        return roles

    @staticmethod
    def preferences_of(raw: dict):
        """None: this dialect's edits do not repeat any preference."""
        return None

    @staticmethod
    def create_refused_as_existing(err_messages) -> bool:
        """False: the guide has no other-organization path (its 409 means "in this organization")."""
        return False

    # ---- request bodies (from canonical field names) ----
    @classmethod
    def create_user_body(cls, fields: dict, role) -> dict:
        """Body of POST users: every field stated (no server default decides anything). `role` is
        the server's role entry for ``fields["role"]`` (the guide names roles canonically)."""
        body = {
            "username": fields["username"],
            "email": fields.get("email") or fields["username"],
            "first_name": fields["first_name"],
            "last_name": fields["last_name"],
            "role": fields["role"],
            "enabled": True if fields.get("enabled") is None else bool(fields["enabled"]),
            "api_only": bool(fields.get("api_only")),
            "protect_enabled": bool(fields.get("protect_enabled")),
        }
        return body

    @classmethod
    def existing_user_body(cls, fields: dict, role) -> dict:
        raise NotImplementedError("the guide dialect has no existing-user endpoint")

    @classmethod
    def update_calls(cls, org_uuid: str, user_id: str, changes: dict, current, role) -> list:
        """The writes of an edit: ``[(method, path, body)]``. The guide's PUT takes the changed fields only
        (its documented partial update); `current` (the user as read) and `role` are not needed."""
        body = dict((key, value) for key, value in changes.items() if key in WRITABLE_USER_FIELDS)
        return [("PUT", cls.user_path(org_uuid, user_id), body)]

    @staticmethod
    def update_needs_current(changes: dict) -> bool:
        """Whether an edit must know the user's current values (to repeat them)."""
        return False

    @classmethod
    def membership_call(cls, org_uuid: str, group_id, user_ids, group) -> tuple:
        """(method, path, body) that replaces a group's whole member list; `group` is unused here."""
        return "PUT", cls.group_members_path(org_uuid, group_id), {"users": [{"user_id": user_id} for user_id in user_ids]}


class TeamServerDialect(GuideDialect):
    """The API as Contrast's published TeamServer reference (``saas-restapi-v3``) describes it.

    Its answers are the reference's objects (``objects/*.md``): users are ``UserResource``
    (``user_uid``, ``id``, ``email`` with ``expand=email``, ``role: RoleResource``, ...), a create
    answers ``NewUserResponse`` and an edit ``BaseApiResponse`` (neither carries the user), group
    members are ``UserBaseResource {id, uid, ...}``, and one group is ``AccessGroupOrganizationResource``
    (no ``scope``: a PUT's scope is rebuilt from it).
    """

    name = "teamserver"
    members_paged = False  # GET /groups/{id}/users: the whole member list, unpaged
    membership_needs_group = True
    answers_carry_user = False
    server_names_roles = True
    groups_read_for_edits = True

    @staticmethod
    def roles_path(org_uuid: str) -> str:
        return "/ng/roles"

    @staticmethod
    def existing_user_path(org_uuid: str):
        return "/ng/%s/users/existing" % org_uuid

    @staticmethod
    def organization_path(org_uuid: str):
        """The caller's view of one organization (roles are global here, so this is what proves the org)."""
        return "/ng/profile/organizations/%s" % org_uuid

    @staticmethod
    def user_enabled_path(org_uuid: str, user_id: str) -> str:
        return "/ng/%s/users/%s/enabled" % (org_uuid, user_id)

    @staticmethod
    def read_params(kind: str) -> dict:
        """``expand`` with only values the endpoint lists: the login (``email``), dates, preferences and
        group ids (the edit repeats them) only come with it."""
        if kind in ("users", "user"):
            return {"expand": "email,login,signup,preferences,groups"}
        if kind == "profile":
            return {"expand": "email,login,signup"}
        return {}

    @staticmethod
    def search_params(username: str):
        """``q`` narrows GET /users to users whose email or names contain it (the caller matches exactly)."""
        return {"q": username}

    @staticmethod
    def list_sections(kind: str, data: dict) -> list:
        if kind == "groups":
            # OrganizationalAccessGroupsResponse: two lists, each with its own count.
            sections = []
            for part in ("custom_groups", "predefined_groups"):
                section = data.get(part) if isinstance(data.get(part), dict) else {}
                items, count = _section(section.get("groups"), section.get("count"))
                sections.append((part, [dict(item, readonly=item.get("readonly", part == "predefined_groups"))
                                        for item in items], count))
            return sections
        if kind == "members":
            # OrganizationAccessGroupUsersResponse: {group: {users: [UserBaseResource]}}, unpaged.
            group = data.get("group") if isinstance(data.get("group"), dict) else {}
            items, _count = _section(group.get("users"), None)
            return [(kind, items, None)]
        items, count = _section(data.get("users"), data.get("count"))
        return [(kind, items, count)]

    @staticmethod
    def member_keys(raw: dict) -> list:
        # UserBaseResource: `uid` is the user's user_uid, `id` its UUID.
        return [str(raw[key]) for key in ("uid", "id") if raw.get(key) is not None]

    @staticmethod
    def user_keys(raw: dict) -> list:
        return [str(raw[key]) for key in ("user_uid", "id") if raw.get(key) is not None]

    @staticmethod
    def roles_of(data: dict) -> list:
        """RolesResponse ``{groups: [RoleResource {group_id, name}]}``: canonical name, the server's name and id."""
        roles = []
        for role in data.get("groups") or []:
            if isinstance(role, dict) and role.get("name"):
                roles.append({"canonical": canonical_role(role["name"]), "name": role["name"], "id": role.get("group_id"),
                              "description": role["name"]})
        return roles

    @staticmethod
    def preferences_of(raw: dict):
        """The preferences a user read carries (``expand=preferences``), or None."""
        found = raw.get("preferences") if isinstance(raw, dict) else None
        if not isinstance(found, dict):
            return None
        return dict((key, found.get(key)) for key, _default in TEAMSERVER_CREATE_DEFAULTS if found.get(key))

    @staticmethod
    def create_refused_as_existing(err_messages) -> bool:
        """Whether a refused create says the login exists (in another organization: ours was looked up first)."""
        return any("exist" in str(message).lower() for message in err_messages)

    @staticmethod
    def _flags(fields: dict) -> dict:
        return {"enabled": True if fields.get("enabled") is None else bool(fields["enabled"]),
                "api_only": bool(fields.get("api_only")), "protect": bool(fields.get("protect_enabled"))}

    @classmethod
    def create_user_body(cls, fields: dict, role) -> dict:
        """NewUserRequest: every optional field stated (``enabled``, ``api_only``, ``protect``, the role by
        the server's name), so that no server default (an omitted boolean read as false) decides."""
        body = {"username": fields["username"]}
        for key, default in TEAMSERVER_CREATE_DEFAULTS:
            body[key] = fields.get(key) or default
        for key in ("first_name", "last_name"):
            if fields.get(key) is not None:
                body[key] = fields[key]
        if role is not None:
            body["role_name"] = role["name"]
        body.update(cls._flags(fields))
        return body

    @classmethod
    def existing_user_body(cls, fields: dict, role) -> dict:
        """ExistingUserRequest: ``username`` and ``role`` (the server's role id) required, flags stated."""
        body = {"username": fields["username"], "role": role["id"] if role else None}
        body.update(cls._flags(fields))
        return body

    @staticmethod
    def update_needs_current(changes: dict) -> bool:
        return set(changes) != {"enabled"}

    @classmethod
    def update_calls(cls, org_uuid: str, user_id: str, changes: dict, current, role) -> list:
        """Only enabling or disabling: its own ``PUT /users/{uid}/enabled``. Anything else: one
        EditUserRequest that states every field, the changed ones from `changes` and the rest from
        `current` (the user as read with ``expand=preferences,groups``), ``enabled`` included, so that
        nothing is half applied and no omitted field can be reset. The email cannot change."""
        if set(changes) == {"enabled"}:
            return [("PUT", cls.user_enabled_path(org_uuid, user_id), {"enabled": bool(changes["enabled"])})]
        current = current or {}
        body = {}
        for key, wire in (("first_name", "first_name"), ("last_name", "last_name")):
            value = changes[key] if key in changes else current.get(wire)
            if value is not None:
                body[wire] = value
        for key, wire in (("enabled", "enabled"), ("api_only", "api_only"), ("protect_enabled", "rasp_enabled")):
            value = changes[key] if key in changes else current.get(wire)
            body["protect" if wire == "rasp_enabled" else wire] = bool(value)
        if role is not None:
            body["role_name"] = role["name"]
        preferences = cls.preferences_of(current) or {}
        for key, default in TEAMSERVER_CREATE_DEFAULTS:
            body[key] = preferences.get(key) or default
        group_ids = [group.get("group_id") for group in current.get("groups") or [] if isinstance(group, dict)]
        if isinstance(current.get("groups"), list) and all(isinstance(group_id, int) for group_id in group_ids):
            body["groups"] = group_ids
        return [("PUT", cls.user_path(org_uuid, user_id), body)]

    # The AccessControlScopeItem of a group PUT, rebuilt from the group as read (teamserver_scope).
    group_scope = staticmethod(rebuild_scope)

    @classmethod
    def membership_call(cls, org_uuid: str, group_id, user_ids, group) -> tuple:
        """PUT /groups/{id} with AccessControlGroupRequest: the group's own name and scope (rebuilt from
        `group`, the read), only ``users`` replaced. A predefined group gets exactly what was read."""
        body = {"name": group.get("name"), "scope": cls.group_scope(group), "users": list(user_ids)}
        return "PUT", cls.group_path(org_uuid, group_id), body


DIALECTS = {GuideDialect.name: GuideDialect, TeamServerDialect.name: TeamServerDialect}
DIALECT_CHOICES = ("auto",) + tuple(sorted(DIALECTS))
