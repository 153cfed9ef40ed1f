# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The organization's data and its domain rules: identity defaults, roles, field validators, ``Organization``."""

from __future__ import annotations

import bisect
import hmac
import json
import re
import time
import uuid


DEFAULT_ORG_UUID = "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"
DEFAULT_API_USERNAME = "api.admin@example.com"
DEFAULT_SERVICE_KEY = "TEST-SERVICE-KEY-5f3a9c"
DEFAULT_API_KEY = "TEST-API-KEY-7d2b4e"
DEFAULT_CONTEXT_PATH = "/Contrast"
DEFAULT_PAGE_SIZE = 25
DEFAULT_MAX_PAGE_SIZE = 100
CONTROL_PREFIX = "/_emulator"

ROLES = (
    ("ROLE_ADMIN", "Organization Administrator"),
    ("ROLE_RULES_ADMIN", "Rules Administrator"),
    ("ROLE_EDIT", "Editor"),
    ("ROLE_VIEW", "Viewer"),
    ("ROLE_NO_ACCESS", "No Access"),
)
ROLE_NAMES = frozenset(name for name, _description in ROLES)

DAY_MS = 86400000
# Seed users without a date_created get one day apart from this instant, in seed order.
SEED_EPOCH_MS = 1700000000000
# The org's record of the API user when the seed does not list it among the users.
API_USER_CREATED_MS = 1600000000000

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
USER_ID_RE = re.compile(r"^[0-9a-f]{32}$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_NAME_LENGTH = 255
MAX_BODY_BYTES = 10 * 1024 * 1024
REQUEST_LOG_LIMIT = 200000
# A group's access scope (only the teamserver dialect shows it); the reference's template.
DEFAULT_GROUP_SCOPE = {"account_scope": {"exceptions": []}, "app_scope": {"exceptions": [], "onboard_role": "", "role": ""}}


def now_ms() -> int:
    """Current time in epoch milliseconds, the API's timestamp unit."""
    return int(time.time() * 1000)


class ApiError(Exception):
    """A failed API call: the HTTP status and the messages of the error body."""

    def __init__(self, status: int, *messages: str):
        super().__init__(status, messages)
        self.status = status
        self.messages = list(messages)


class SeedError(ValueError):
    """A seed document, generation request or control request body that cannot be used."""


# --------------------------------------------------------------------------------------------
# Field validation shared by the seed loader and the API (domain rules, not dialect shapes)
# --------------------------------------------------------------------------------------------

def check_role(value) -> str:
    """A role must be one of the five exact names; the API does not list them in the error."""
    if not isinstance(value, str) or value not in ROLE_NAMES:
        raise ApiError(400, "Invalid role")
    return value


def check_email(value, field: str = "email") -> str:
    if not isinstance(value, str) or len(value) > MAX_NAME_LENGTH or not EMAIL_RE.match(value):
        raise ApiError(400, "Invalid %s" % ("email address" if field == "email" else field))
    return value


def check_name(value, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_LENGTH:
        raise ApiError(400, "Invalid value for %s" % field)
    return value


def check_bool(value, field: str) -> bool:
    # JSON booleans only: "true" or 1 are client bugs the emulator should surface.
    if not isinstance(value, bool):
        raise ApiError(400, "Invalid value for %s" % field)
    return value


def check_epoch_ms(value, field: str, allow_null: bool = False):
    if value is None and allow_null:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, "Invalid value for %s" % field)
    return value


def names_from_username(username: str):
    local = username.split("@", 1)[0]
    parts = [part for part in re.split(r"[._\-+]+", local) if part] or ["user"]
    return parts[0].capitalize(), (parts[-1].capitalize() if len(parts) > 1 else "User")


def scope_error(scope):
    """Why `scope` is not an AccessControlScopeItem this emulator can store, or None."""
    if not isinstance(scope, dict) or not isinstance(scope.get("app_scope"), dict):
        return "app_scope is required"
    unknown = sorted(set(scope) - {"app_scope", "account_scope"})
    if unknown:
        return "unknown field(s) %s" % ", ".join(unknown)
    app_scope = scope["app_scope"]
    if set(app_scope) - {"exceptions", "onboard_role", "role"}:
        return "unknown field(s) in app_scope"
    for exception in app_scope.get("exceptions") or []:
        if not isinstance(exception, dict) or set(exception) != {"app_id", "role"}:
            return "an application exception must be {app_id, role}"
    account_scope = scope.get("account_scope") or {}
    if not isinstance(account_scope, dict) or set(account_scope) - {"exceptions"}:
        return "account_scope must be {exceptions}"
    for exception in account_scope.get("exceptions") or []:
        if not isinstance(exception, dict) or set(exception) != {"organization_uuid", "role"}:
            return "an account exception must be {organization_uuid, role}"
    return None


# --------------------------------------------------------------------------------------------
# The organization
# --------------------------------------------------------------------------------------------

class Organization:
    """One org's users, groups and invitation outbox. Callers hold EmulatorState.lock.

    User records are dicts in canonical field names plus ``pending``. ``_order`` keeps
    ``(date_created, user_id)`` of every listed user sorted, so a page is a slice, not a sort.
    """

    def __init__(self, org_uuid: str, api_username: str, service_key: str, api_key: str):
        self.org_uuid = org_uuid
        self.api_username = api_username
        self.service_key = service_key
        self.api_key = api_key
        self.users = {}
        self.groups = {}
        self.outbox = []
        self._by_username = {}
        self._order = []
        self._user_groups = {}
        self._id_counter = 0
        self._last_created = 0
        # The API user's own record when the seed does not list it (see README: "The API user").
        self._unlisted_api_user = None
        # user_id -> {date_format, time_format, time_zone}: preferences set through the teamserver dialect
        # (a user without an entry has the defaults).
        self.preferences = {}
        # Logins that have an account in another organization (seed ``other_org_users``): a create of one is
        # refused; the teamserver dialect adds them with POST users/existing.
        self.other_org_users = set()

    # ---- identity ----
    def new_user_id(self, username: str) -> str:
        """A deterministic 32-hex id, so the same seed or generation gives the same ids."""
        self._id_counter += 1
        name = "%s/%s/%d" % (self.org_uuid, username.lower(), self._id_counter)
        return uuid.uuid5(uuid.NAMESPACE_URL, name).hex

    def api_user_listed(self) -> bool:
        return self._unlisted_api_user is None

    def api_user_record(self):
        """The API user's record, or None once a listed API user has been deleted."""
        if self._unlisted_api_user is not None:
            return self._unlisted_api_user
        user_id = self._by_username.get(self.api_username.lower())
        return self.users.get(user_id) if user_id else None

    def ensure_api_user(self) -> None:
        """Give the API user a record outside the listing unless the seed listed it."""
        if self.api_username.lower() in self._by_username:
            self._unlisted_api_user = None
            return
        self._unlisted_api_user = {
            "user_id": uuid.uuid5(uuid.NAMESPACE_URL, "%s/api-user/%s" % (self.org_uuid, self.api_username.lower())).hex,
            "username": self.api_username, "email": self.api_username, "first_name": "API", "last_name": "Admin",
            "enabled": True, "role": "ROLE_ADMIN", "api_only": True, "protect_enabled": False,
            "date_created": API_USER_CREATED_MS, "last_login": None, "pending": False,
        }

    def authenticate(self, username: str, service_key: str, api_key: str):
        """The API user's record when all three credentials match and the account can log in."""
        record = self.api_user_record()
        if record is None or record["pending"] or not record["enabled"]:
            return None
        ok = hmac.compare_digest(username.lower().encode(), self.api_username.lower().encode())
        ok = hmac.compare_digest(service_key.encode(), self.service_key.encode()) and ok
        ok = hmac.compare_digest(api_key.encode(), self.api_key.encode()) and ok
        return record if ok else None

    # ---- users ----
    def insert_user(self, record: dict) -> None:
        """Add a complete record, keeping the indexes; raises ApiError on a duplicate."""
        key = record["username"].lower()
        if key in self._by_username or (self._unlisted_api_user and key == self.api_username.lower()):
            raise ApiError(409, "User already exists")
        if record["user_id"] in self.users:
            raise ApiError(409, "Duplicate user_id %s" % record["user_id"])
        self.users[record["user_id"]] = record
        self._by_username[key] = record["user_id"]
        self._user_groups[record["user_id"]] = set()
        bisect.insort(self._order, (record["date_created"], record["user_id"]))

    def get_user(self, user_id: str) -> dict:
        record = self.users.get(user_id)
        if record is None:
            raise ApiError(404, "User not found")
        return record

    def find_username(self, username: str):
        user_id = self._by_username.get(username.lower())
        return self.users.get(user_id) if user_id else None

    def user_count(self) -> int:
        return len(self._order)

    def page_users(self, offset: int, limit: int) -> list:
        return [self.users[user_id] for _created, user_id in self._order[offset:offset + limit]]

    def create_user(self, fields: dict) -> dict:
        """Create (invite) a user from validated canonical fields; it stays pending until accepted."""
        created = max(now_ms(), self._last_created + 1)  # keeps creation order within one millisecond
        self._last_created = created
        record = {
            "user_id": self.new_user_id(fields["username"]), "username": fields["username"], "email": fields["email"],
            "first_name": fields["first_name"], "last_name": fields["last_name"], "enabled": fields.get("enabled", True),
            "role": fields["role"], "api_only": fields.get("api_only", False),
            "protect_enabled": fields.get("protect_enabled", False), "date_created": created, "last_login": None,
            "pending": True,
        }
        self.insert_user(record)
        self.outbox.append({"user_id": record["user_id"], "username": record["username"], "at": created})
        return record

    def update_user(self, user_id: str, changes: dict) -> dict:
        record = self.get_user(user_id)
        for field in ("username", "email"):
            if field in changes and changes[field] != record[field]:
                raise ApiError(400, "Username and email cannot be changed")
        record.update((key, value) for key, value in changes.items() if key not in ("username", "email"))
        return record

    def delete_user(self, user_id: str) -> None:
        record = self.get_user(user_id)
        for group_id in self._user_groups.pop(user_id, ()):
            group = self.groups[group_id]
            group["members"].discard(user_id)
            group["_sorted"] = None
        del self.users[user_id]
        self.preferences.pop(user_id, None)
        del self._by_username[record["username"].lower()]
        position = bisect.bisect_left(self._order, (record["date_created"], user_id))
        del self._order[position]

    def accept_invitation(self, user_id: str) -> dict:
        record = self.get_user(user_id)
        record["pending"] = False
        return record

    def record_login(self, user_id: str, at: int) -> dict:
        record = self.get_user(user_id)
        if record["pending"]:
            raise ApiError(409, "User has not accepted the invitation")
        if not record["enabled"]:
            raise ApiError(409, "User is disabled")
        record["last_login"] = at
        return record

    def groups_of(self, user_id: str) -> list:
        return sorted(self._user_groups.get(user_id, ()))

    # ---- groups ----
    def insert_group(self, group_id: int, name: str, description: str, member_ids, scope=None, predefined=False) -> dict:
        if group_id in self.groups:
            raise SeedError("duplicate group_id %s" % group_id)
        if any(group["name"].lower() == name.lower() for group in self.groups.values()):
            raise SeedError("duplicate group name %r" % name)
        group = {"group_id": group_id, "name": name, "description": description, "members": set(), "_sorted": None,
                 "scope": json.loads(json.dumps(scope if scope is not None else DEFAULT_GROUP_SCOPE)),
                 "predefined": bool(predefined)}
        self.groups[group_id] = group
        self._replace_members(group, member_ids)
        return group

    def get_group(self, group_id: str) -> dict:
        try:
            group = self.groups.get(int(group_id))
        except ValueError:
            group = None
        if group is None:
            raise ApiError(404, "Group not found")
        return group

    def sorted_groups(self) -> list:
        return [self.groups[group_id] for group_id in sorted(self.groups)]

    def group_members(self, group: dict) -> list:
        """Members in the users' list order; cached until the membership changes."""
        if group["_sorted"] is None:
            users = self.users
            group["_sorted"] = sorted(group["members"], key=lambda user_id: (users[user_id]["date_created"], user_id))
        return [self.users[user_id] for user_id in group["_sorted"]]

    def set_group_members(self, group: dict, user_ids) -> None:
        unknown = [user_id for user_id in user_ids if user_id not in self.users]
        if unknown:
            raise ApiError(400, "User not found: %s" % ", ".join(unknown))
        self._replace_members(group, user_ids)

    def _replace_members(self, group: dict, user_ids) -> None:
        for user_id in group["members"]:
            self._user_groups[user_id].discard(group["group_id"])
        group["members"] = set(user_ids)
        for user_id in group["members"]:
            self._user_groups[user_id].add(group["group_id"])
        group["_sorted"] = None
