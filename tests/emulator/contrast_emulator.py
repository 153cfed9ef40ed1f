# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A stateful, strict emulator of Contrast Security's user REST API (test infrastructure only).

See README.md next to this file for the behaviour it promises. Standard library only, so that it
runs anywhere the collection's tests run. Layout:

* ``Organization``: the org's data and its domain rules (no locking of its own).
* ``EmulatorState``: one lock around the organization, the config, the fault plan and the request log.
* ``GuideDialect``: every route, request-body rule and response shape of one API dialect;
  ``TeamServerDialect``: the same state in the shapes of Contrast's published TeamServer reference.
* ``ControlApi``: the unauthenticated ``/_emulator`` interface for tests.
* ``EmulatorServer``: the threaded HTTP(S) server, importable and runnable in-process.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import bisect
import hmac
import json
import random
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

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

FAULT_KINDS = ("status", "reset", "delay", "bad_json", "html", "empty", "drop_write", "redirect", "echo_headers",
               "reflect_headers", "odd_shape", "second_writer")
# Kinds that let the request through and then change its answer (or the organization) instead of replacing it.
PASS_THROUGH_KINDS = ("delay", "reflect_headers", "odd_shape", "second_writer")
RULE_FIELDS = ("kind", "count", "method", "path", "query", "status", "retry_after", "delay", "after", "location", "shape",
               "writer")
ODD_SHAPES = ("scalars", "items_scalars", "field_types", "echoed_key")
WRITER_FIELDS = ("group", "add", "remove", "name", "scope")
# What a random fault can be: the transient failures a client must retry.
RANDOM_FAULT_CHOICES = (429, 502, 503, 504, "reset")
STATUS_REASONS = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 408: "Request timeout",
    409: "Conflict", 429: "Too many requests", 500: "Internal server error", 502: "Bad gateway",
    503: "Service unavailable", 504: "Gateway timeout",
}

FIRST_NAMES = (
    "Ada", "Alan", "Amara", "Ana", "Arjun", "Beatriz", "Carlos", "Chen", "Dana", "David", "Elena", "Emeka",
    "Fatima", "Grace", "Hana", "Igor", "Ingrid", "James", "Jia", "Kofi", "Lars", "Leila", "Lucas", "Maria",
    "Mateo", "Mei", "Nadia", "Noah", "Olga", "Omar", "Priya", "Rafael", "Sara", "Sven", "Tomas", "Yuki",
)
LAST_NAMES = (
    "Adeyemi", "Andersen", "Bauer", "Costa", "Dubois", "Fernandez", "Garcia", "Haddad", "Ivanova", "Jensen",
    "Kim", "Kowalski", "Larsen", "Lopez", "Martin", "Moreau", "Nakamura", "Nguyen", "Okafor", "Patel",
    "Quinn", "Rossi", "Schmidt", "Silva", "Singh", "Tanaka", "Varga", "Wang", "Weber", "Zhang",
)
TEAM_NAMES = (
    "Payments", "Platform", "Mobile", "Data", "Security Champions", "Frontend", "Backend", "QA", "SRE",
    "Identity", "Search", "Checkout", "Billing", "Analytics", "Infrastructure", "Contractors",
)
# Cumulative weights for generated roles: mostly editors and viewers, few admins.
GENERATED_ROLE_WEIGHTS = (
    ("ROLE_ADMIN", 5), ("ROLE_RULES_ADMIN", 10), ("ROLE_EDIT", 50), ("ROLE_VIEW", 90), ("ROLE_NO_ACCESS", 100),
)


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


# --------------------------------------------------------------------------------------------
# Building an organization from a seed document or the generator
# --------------------------------------------------------------------------------------------

SEED_TOP_FIELDS = ("org_uuid", "api_user", "users", "groups", "generate", "other_org_users")
SEED_API_USER_FIELDS = ("username", "service_key", "api_key")
SEED_USER_FIELDS = (
    "user_id", "username", "email", "first_name", "last_name", "role", "enabled", "pending", "api_only",
    "protect_enabled", "date_created", "last_login",
)
SEED_GROUP_FIELDS = ("group_id", "name", "description", "members", "scope", "predefined")
# A group's access scope (only the teamserver dialect shows it); the reference's template.
DEFAULT_GROUP_SCOPE = {"account_scope": {"exceptions": []}, "app_scope": {"exceptions": [], "onboard_role": "", "role": ""}}
GENERATE_FIELDS = ("users", "groups", "seed")
# What real servers vary in (README: "Switches"), off by default; set with CLI options, the constructor's
# ``switches`` or POST /_emulator/config, and restored by an empty reset.
SWITCH_DEFAULTS = {
    "unpaged_members": False,        # group member lists ignore offset/limit and carry no count (both dialects)
    "no_count": False,               # list answers carry no count
    "count_offset": 0,               # list counts are off by this many
    "shift_users": None,             # "add" or "delete": one user added or deleted before the first users page past offset 0
    "user_uid_as_login": False,      # teamserver: user_uid is the login rather than an opaque id
    "omitted_booleans_false": False,  # a create (or teamserver edit) that omits enabled/api_only/protect sets them false
    "user_groups": False,            # guide: every user object carries its access groups, [{group_id, name}]
}


def _reject_unknown(doc: dict, allowed, where: str) -> None:
    # Keys starting with "_" are comments, so seed files can document themselves.
    unknown = sorted(key for key in doc if key not in allowed and not str(key).startswith("_"))
    if unknown:
        raise SeedError("%s: unknown field(s) %s" % (where, ", ".join(unknown)))


def _seed_check(check, where: str, *args):
    """Run a field check, turning its ApiError into a SeedError that says where."""
    try:
        return check(*args)
    except ApiError as exc:
        raise SeedError("%s: %s" % (where, "; ".join(exc.messages))) from None


def _names_from_username(username: str):
    local = username.split("@", 1)[0]
    parts = [part for part in re.split(r"[._\-+]+", local) if part] or ["user"]
    return parts[0].capitalize(), (parts[-1].capitalize() if len(parts) > 1 else "User")


def parse_generate(spec) -> dict:
    """Validate ``{"users": N, "groups": M, "seed": S}``."""
    if not isinstance(spec, dict):
        raise SeedError("generate must be an object")
    _reject_unknown(spec, GENERATE_FIELDS, "generate")
    result = {"users": spec.get("users", 0), "groups": spec.get("groups", 0), "seed": spec.get("seed", 0)}
    for key, limit in (("users", 1000000), ("groups", 10000)):
        value = result[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise SeedError("generate.%s must be an integer from 0 to %d" % (key, limit))
    if isinstance(result["seed"], bool) or not isinstance(result["seed"], (int, str)):
        raise SeedError("generate.seed must be an integer or a string")
    return result


def generate_users(org: Organization, users: int, seed, reference_ms: int) -> list:
    """Add deterministic synthetic users and return their ids: same arguments, same users (ids included).

    Timestamps are offsets from ``reference_ms`` (now), so "inactive for N days" keeps meaning
    the same share of users whenever the emulator runs.
    """
    rng = random.Random("contrast-emulator/%s" % (seed,))
    width = max(5, len(str(users)))
    created_ids = []
    for number in range(1, users + 1):
        username = "user%0*d@example.com" % (width, number)
        if username in org._by_username:
            raise SeedError("generate: %s already exists" % username)
        pick = rng.randrange(100)
        role = next(name for name, bound in GENERATED_ROLE_WEIGHTS if pick < bound)
        age_days = rng.randint(7, 1500)
        created = reference_ms - age_days * DAY_MS + rng.randrange(DAY_MS)
        pending = rng.random() < 0.03
        if pending or rng.random() < 0.15:
            last_login = None
        else:
            last_login = reference_ms - rng.randint(0, min(age_days - 1, 720)) * DAY_MS - rng.randrange(DAY_MS // 2)
            last_login = max(last_login, created + 1)
        record = {
            "user_id": "%032x" % rng.getrandbits(128), "username": username, "email": username,
            "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES),
            "enabled": rng.random() >= 0.08, "role": role, "api_only": rng.random() < 0.02,
            "protect_enabled": rng.random() < 0.25, "date_created": created, "last_login": last_login, "pending": pending,
        }
        # Direct index writes and one sort at the end: 10,000 bisect insertions would be slower.
        org.users[record["user_id"]] = record
        org._by_username[username] = record["user_id"]
        org._user_groups[record["user_id"]] = set()
        created_ids.append(record["user_id"])
    org._order.extend((org.users[user_id]["date_created"], user_id) for user_id in created_ids)
    org._order.sort()
    return created_ids


def generate_groups(org: Organization, user_ids, groups: int, seed) -> None:
    """Add synthetic groups; each given user joins 0-3 of them, deterministically."""
    rng = random.Random("contrast-emulator-groups/%s" % (seed,))
    members = [[] for _index in range(groups)]
    for user_id in user_ids:
        for group_index in rng.sample(range(groups), min(groups, rng.choice((0, 1, 1, 1, 2, 2, 3)))):
            members[group_index].append(user_id)
    first_id = max(org.groups, default=0) + 1
    for index in range(groups):
        team = TEAM_NAMES[index % len(TEAM_NAMES)]
        name = team if index < len(TEAM_NAMES) else "%s %d" % (team, index // len(TEAM_NAMES) + 1)
        org.insert_group(first_id + index, name, "Access group for the %s team" % name, members[index])


def _seed_user(org: Organization, entry, index: int, where: str) -> dict:
    if not isinstance(entry, dict):
        raise SeedError("%s must be an object" % where)
    _reject_unknown(entry, SEED_USER_FIELDS, where)
    if "username" not in entry:
        raise SeedError("%s: username is required" % where)
    username = _seed_check(check_email, where, entry["username"], "username")
    first, last = _names_from_username(username)
    record = {
        "username": username,
        "email": _seed_check(check_email, where, entry.get("email", username)),
        "first_name": _seed_check(check_name, where, entry.get("first_name", first), "first_name"),
        "last_name": _seed_check(check_name, where, entry.get("last_name", last), "last_name"),
        "role": _seed_check(check_role, where, entry.get("role", "ROLE_VIEW")),
        "date_created": _seed_check(check_epoch_ms, where, entry.get("date_created", SEED_EPOCH_MS + index * DAY_MS), "date_created"),
        "last_login": _seed_check(check_epoch_ms, where, entry.get("last_login"), "last_login", True),
    }
    for field, default in (("enabled", True), ("pending", False), ("api_only", False), ("protect_enabled", False)):
        record[field] = _seed_check(check_bool, where, entry.get(field, default), field)
    user_id = entry.get("user_id")
    if user_id is None:
        user_id = org.new_user_id(username)
    elif not isinstance(user_id, str) or not USER_ID_RE.match(user_id):
        raise SeedError("%s: user_id must be 32 lowercase hex characters" % where)
    record["user_id"] = user_id
    return record


def build_organization(doc, reference_ms=None) -> Organization:
    """An Organization from a seed document (see README.md); raises SeedError with the reason."""
    doc = {} if doc is None else doc
    if not isinstance(doc, dict):
        raise SeedError("a seed document must be a JSON object")
    _reject_unknown(doc, SEED_TOP_FIELDS, "seed")
    org_uuid = doc.get("org_uuid", DEFAULT_ORG_UUID)
    if not isinstance(org_uuid, str) or not UUID_RE.match(org_uuid):
        raise SeedError("seed: org_uuid must be a UUID")
    api_user = doc.get("api_user", {})
    if not isinstance(api_user, dict):
        raise SeedError("seed: api_user must be an object")
    _reject_unknown(api_user, SEED_API_USER_FIELDS, "api_user")
    credentials = {
        "username": api_user.get("username", DEFAULT_API_USERNAME),
        "service_key": api_user.get("service_key", DEFAULT_SERVICE_KEY),
        "api_key": api_user.get("api_key", DEFAULT_API_KEY),
    }
    for field, value in credentials.items():
        if not isinstance(value, str) or not value or (field == "username" and ":" in value):
            raise SeedError("api_user.%s must be a non-empty string" % field)
    org = Organization(org_uuid.lower(), credentials["username"], credentials["service_key"], credentials["api_key"])
    spec = parse_generate(doc["generate"]) if doc.get("generate") is not None else None
    generated_ids = []
    if spec:
        generated_ids = generate_users(org, spec["users"], spec["seed"], now_ms() if reference_ms is None else reference_ms)
    users = doc.get("users", [])
    if not isinstance(users, list):
        raise SeedError("seed: users must be a list")
    for index, entry in enumerate(users):
        record = _seed_user(org, entry, index, "users[%d]" % index)
        try:
            org.insert_user(record)
        except ApiError as exc:
            raise SeedError("users[%d]: %s (%s)" % (index, exc.messages[0], record["username"])) from None
    if spec and spec["groups"]:
        # Members are drawn from the generated users only; the seed's own groups say who else is where.
        generate_groups(org, generated_ids, spec["groups"], spec["seed"])
    groups = doc.get("groups", [])
    if not isinstance(groups, list):
        raise SeedError("seed: groups must be a list")
    # Groups without an id get ids after the highest one given or generated.
    given = [entry.get("group_id") for entry in groups if isinstance(entry, dict) and isinstance(entry.get("group_id"), int)]
    next_id = max(list(org.groups) + given, default=0) + 1
    taken = set(org.groups) | set(given)
    for index, entry in enumerate(groups):
        where = "groups[%d]" % index
        if not isinstance(entry, dict):
            raise SeedError("%s must be an object" % where)
        _reject_unknown(entry, SEED_GROUP_FIELDS, where)
        name, description = entry.get("name"), entry.get("description", "")
        if not isinstance(name, str) or not name.strip():
            raise SeedError("%s: name is required" % where)
        if not isinstance(description, str):
            raise SeedError("%s: description must be a string" % where)
        group_id = entry.get("group_id")
        if group_id is None:
            while next_id in taken:
                next_id += 1
            group_id = next_id
            taken.add(group_id)
        elif isinstance(group_id, bool) or not isinstance(group_id, int) or group_id < 1:
            raise SeedError("%s: group_id must be a positive integer" % where)
        members = entry.get("members", [])
        if not isinstance(members, list):
            raise SeedError("%s: members must be a list of usernames" % where)
        member_ids = []
        for member in members:
            record = org.find_username(member) if isinstance(member, str) else None
            if record is None:
                raise SeedError("%s: member %r is not a user of the seed" % (where, member))
            member_ids.append(record["user_id"])
        scope = entry.get("scope")
        if scope is not None and TeamServerDialect.scope_error(scope):
            raise SeedError("%s: scope: %s" % (where, TeamServerDialect.scope_error(scope)))
        predefined = _seed_check(check_bool, where, entry.get("predefined", False), "predefined")
        org.insert_group(group_id, name, description, member_ids, scope=scope, predefined=predefined)
    others = doc.get("other_org_users", [])
    if not isinstance(others, list) or not all(isinstance(name, str) and EMAIL_RE.match(name) for name in others):
        raise SeedError("seed: other_org_users must be a list of logins (users of other organizations)")
    org.other_org_users = set(name.lower() for name in others)
    org.ensure_api_user()
    return org


# --------------------------------------------------------------------------------------------
# Shared state: one lock around everything that changes
# --------------------------------------------------------------------------------------------

class EmulatorState:
    """Organization, config, fault plan and request log behind one re-entrant lock.

    ``startup`` keeps what the command line (or constructor) asked for, so a reset with an
    empty body returns to exactly that.
    """

    def __init__(self, seed=None, max_page_size: int = DEFAULT_MAX_PAGE_SIZE, fault_rate: float = 0.0, fault_seed=None,
                 dialect: str = "guide", switches=None):
        self.lock = threading.RLock()
        startup_config = {"max_page_size": max_page_size, "ignore_offset": False, "api_user_role": None, "dialect": dialect}
        startup_config.update(SWITCH_DEFAULTS)
        self.config = dict(startup_config)
        startup_config.update(_checked_switches(switches or {}, self.config))
        self.startup = {
            "seed": seed,
            "config": startup_config,
            "random_rate": fault_rate, "random_seed": fault_seed,
        }
        self.org = build_organization(seed)
        self.config = {}
        self.rules = []
        self.random_rate = 0.0
        self.random_seed = None
        self.fault_rng = random.Random()
        self.requests = []
        self.counters = {}
        self._connections = set()
        self._seq = 0
        self.log_epoch = 0
        self._restore_startup_settings()
        self.clear_requests()

    # ---- reset and config ----
    def _restore_startup_settings(self) -> None:
        self.config = dict(self.startup["config"], api_user_role=None)
        self.shifted = False
        self.rules = []
        self.set_random_faults(self.startup["random_rate"], self.startup["random_seed"])

    def reset(self, doc=None) -> None:
        """Replace the org (from ``doc``, or the startup seed when empty); clear log, outbox and faults.

        ``doc`` may carry ``"dialect"`` (the dialect to speak from now on; else the startup one).
        """
        dialect = None
        if isinstance(doc, dict) and "dialect" in doc:
            doc = dict(doc)
            dialect = doc.pop("dialect")
            if dialect not in DIALECTS:
                raise SeedError("dialect must be one of %s" % ", ".join(sorted(DIALECTS)))
        org = build_organization(doc if doc else self.startup["seed"])
        with self.lock:
            self.org = org
            self._restore_startup_settings()
            if dialect is not None:
                self.config["dialect"] = dialect
            self.clear_requests()

    def update_config(self, changes) -> dict:
        if not isinstance(changes, dict):
            raise SeedError("config must be a JSON object")
        _reject_unknown(changes, ("max_page_size", "ignore_offset", "api_user_role", "dialect") + tuple(SWITCH_DEFAULTS), "config")
        with self.lock:
            return self._apply_config(changes)

    def _apply_config(self, changes: dict) -> dict:
        size = changes.get("max_page_size", self.config["max_page_size"])
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise SeedError("max_page_size must be a positive integer")
        ignore = changes.get("ignore_offset", self.config["ignore_offset"])
        if not isinstance(ignore, bool):
            raise SeedError("ignore_offset must be a boolean")
        role = changes.get("api_user_role", self.config["api_user_role"])
        if role is not None and role not in ROLE_NAMES:
            raise SeedError("api_user_role must be one of %s" % ", ".join(name for name, _desc in ROLES))
        dialect = changes.get("dialect", self.config["dialect"])
        if dialect not in DIALECTS:
            raise SeedError("dialect must be one of %s" % ", ".join(sorted(DIALECTS)))
        switches = _checked_switches(changes, self.config)
        self.config.update(max_page_size=size, ignore_offset=ignore, api_user_role=role, dialect=dialect, **switches)
        if "shift_users" in changes:
            self.shifted = False
        record = self.org.api_user_record()
        if role is not None and record is not None:
            record["role"] = role
        return dict(self.config)

    # ---- faults ----
    def set_random_faults(self, rate, seed) -> None:
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
            raise SeedError("random_rate must be a number from 0 to 1")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, str))):
            raise SeedError("random_seed must be an integer, a string or null")
        with self.lock:
            self.random_rate = float(rate)
            self.random_seed = seed
            self.fault_rng = random.Random(seed)

    def set_faults(self, doc) -> dict:
        """Replace the rules; random_rate/random_seed change only when the body gives them."""
        if not isinstance(doc, dict):
            raise SeedError("faults must be a JSON object")
        _reject_unknown(doc, ("rules", "random_rate", "random_seed"), "faults")
        rules = doc.get("rules", [])
        if not isinstance(rules, list):
            raise SeedError("rules must be a list")
        parsed = [parse_rule(rule, index) for index, rule in enumerate(rules)]
        with self.lock:
            if "random_rate" in doc or "random_seed" in doc:
                self.set_random_faults(doc.get("random_rate", self.random_rate), doc.get("random_seed", self.random_seed))
            self.rules = parsed
            return self.faults_view()

    def clear_faults(self) -> None:
        with self.lock:
            self.rules = []
            self.set_random_faults(0.0, None)

    def faults_view(self) -> dict:
        with self.lock:
            rules = [dict((key, value) for key, value in rule.items() if key not in ("_path_re", "_query_re")) for rule in self.rules]
            return {"rules": rules, "random_rate": self.random_rate, "random_seed": self.random_seed}

    def draw_fault(self, method: str, path: str, query: str):
        """The fault this request gets, if any: first live matching rule, else the random draw."""
        with self.lock:
            for rule in self.rules:
                if rule["remaining"] == 0:
                    continue
                if rule["method"] and rule["method"] != method:
                    continue
                if rule["_path_re"] is not None and not rule["_path_re"].search(path):
                    continue
                if rule["_query_re"] is not None and not rule["_query_re"].search(query):
                    continue
                if rule["remaining"] > 0:
                    rule["remaining"] -= 1
                rule["hits"] += 1
                return {key: rule[key] for key in ("kind", "status", "retry_after", "delay", "after", "location", "shape",
                                                   "writer")}
            if self.random_rate and self.fault_rng.random() < self.random_rate:
                choice = self.fault_rng.choice(RANDOM_FAULT_CHOICES)
                kind = "reset" if choice == "reset" else "status"
                return {"kind": kind, "status": None if kind == "reset" else choice, "retry_after": None, "delay": 0.0,
                        "after": False, "random": True}
        return None

    # ---- request log ----
    def clear_requests(self) -> None:
        with self.lock:
            self.log_epoch += 1
            self.requests = []
            self.counters = {"total": 0, "by_method": {}, "by_status": {}, "connections": 0, "faults": 0}
            self._connections = set()

    def record_request(self, entry: dict, epoch: int) -> None:
        """Append one API request (never headers) and update the counters.

        A request that arrived before the last clear or reset (a delayed one still sleeping) is
        not logged: the log holds what arrived since it was cleared.
        """
        with self.lock:
            if epoch != self.log_epoch:
                return
            self._seq += 1
            entry["seq"] = self._seq
            if len(self.requests) >= REQUEST_LOG_LIMIT:
                del self.requests[:REQUEST_LOG_LIMIT // 10]
            self.requests.append(entry)
            counters = self.counters
            counters["total"] += 1
            counters["by_method"][entry["method"]] = counters["by_method"].get(entry["method"], 0) + 1
            status_key = str(entry["status"])
            counters["by_status"][status_key] = counters["by_status"].get(status_key, 0) + 1
            if entry["fault"]:
                counters["faults"] += 1
            self._connections.add(entry["connection_id"])
            counters["connections"] = len(self._connections)

    def requests_view(self) -> dict:
        with self.lock:
            counters = dict(self.counters, by_method=dict(self.counters["by_method"]), by_status=dict(self.counters["by_status"]))
            return {"requests": [dict(entry) for entry in self.requests], "counters": counters}

    def outbox_view(self) -> list:
        with self.lock:
            return [dict(item) for item in self.org.outbox]

    # ---- whole state ----
    def state_view(self) -> dict:
        with self.lock:
            org = self.org
            api_record = org.api_user_record()
            users = []
            for _created, user_id in org._order:
                view = dict(org.users[user_id])
                view["org_uuid"] = org.org_uuid
                view["groups"] = org.groups_of(user_id)
                users.append(view)
            groups = []
            for group in org.sorted_groups():
                members = org.group_members(group)
                groups.append({
                    "group_id": group["group_id"], "name": group["name"], "description": group["description"],
                    "members": [record["user_id"] for record in members],
                    "member_usernames": [record["username"] for record in members],
                    "scope": group["scope"], "predefined": group["predefined"],
                })
            return {
                "org_uuid": org.org_uuid,
                "api_user": {
                    "username": org.api_username, "listed": org.api_user_listed(),
                    "user_id": api_record["user_id"] if api_record else None,
                    "role": api_record["role"] if api_record else None,
                    "enabled": api_record["enabled"] if api_record else None,
                },
                "users": users, "count": len(users), "groups": groups, "outbox": [dict(item) for item in org.outbox],
                "config": dict(self.config), "faults": self.faults_view(),
            }


def _checked_switches(changes: dict, config: dict) -> dict:
    """The switches (SWITCH_DEFAULTS) among `changes`, validated; SeedError names a bad one."""
    switches = {}
    for key, default in SWITCH_DEFAULTS.items():
        if key not in changes:
            continue
        value = changes[key]
        if key == "count_offset":
            if isinstance(value, bool) or not isinstance(value, int):
                raise SeedError("count_offset must be an integer")
        elif key == "shift_users":
            if value not in (None, "add", "delete"):
                raise SeedError("shift_users must be add, delete or null")
        elif not isinstance(value, bool):
            raise SeedError("%s must be a boolean" % key)
        switches[key] = value
    return switches


def parse_rule(rule, index: int) -> dict:
    """Validate one fault rule and fill its defaults (see README.md, "Faults")."""
    where = "rules[%d]" % index
    if not isinstance(rule, dict):
        raise SeedError("%s must be an object" % where)
    _reject_unknown(rule, RULE_FIELDS, where)
    kind = rule.get("kind")
    if kind not in FAULT_KINDS:
        raise SeedError("%s: kind must be one of %s" % (where, ", ".join(FAULT_KINDS)))
    count = rule.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < -1 or count == 0:
        raise SeedError("%s: count must be a positive integer, or -1 for every matching request" % where)
    method = rule.get("method")
    if method is not None and (not isinstance(method, str) or not method):
        raise SeedError("%s: method must be a string" % where)
    compiled = {}
    for field in ("path", "query"):
        pattern = rule.get(field)
        if pattern is None:
            compiled[field] = None
            continue
        if not isinstance(pattern, str):
            raise SeedError("%s: %s must be a regular expression" % (where, field))
        try:
            compiled[field] = re.compile(pattern)
        except re.error as exc:
            raise SeedError("%s: %s is not a valid regular expression (%s)" % (where, field, exc)) from None
    default_status = {"html": 502, "status": 503, "redirect": 307, "echo_headers": 400}.get(kind, 200)
    status = rule.get("status", default_status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise SeedError("%s: status must be an HTTP status code" % where)
    retry_after = rule.get("retry_after")
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, (int, float, str))):
        raise SeedError("%s: retry_after must be a number of seconds or an HTTP date" % where)
    delay = rule.get("delay", 1.0 if kind == "delay" else 0.0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay <= 600:
        raise SeedError("%s: delay must be a number of seconds from 0 to 600" % where)
    after = rule.get("after", False)
    if not isinstance(after, bool):
        raise SeedError("%s: after must be a boolean" % where)
    location = rule.get("location")
    if kind == "redirect" and (not isinstance(location, str) or not location):
        raise SeedError("%s: a redirect needs a location (a URL)" % where)
    shape = rule.get("shape", "field_types")
    if shape not in ODD_SHAPES:
        raise SeedError("%s: shape must be one of %s" % (where, ", ".join(ODD_SHAPES)))
    writer = rule.get("writer")
    if kind == "second_writer":
        if not isinstance(writer, dict) or "group" not in writer:
            raise SeedError("%s: a second_writer needs writer: {group, add, remove, name, scope}" % where)
        _reject_unknown(writer, WRITER_FIELDS, where + ".writer")
    return {
        "location": location, "shape": shape, "writer": writer,
        "kind": kind, "count": count, "remaining": count, "hits": 0, "method": method.upper() if method else None,
        "path": rule.get("path"), "query": rule.get("query"), "_path_re": compiled["path"], "_query_re": compiled["query"],
        "status": status, "retry_after": retry_after, "delay": float(delay), "after": after,
    }


# --------------------------------------------------------------------------------------------
# HTTP answers
# --------------------------------------------------------------------------------------------

class Answer:
    """An HTTP answer before it is written: status, body bytes, content type, extra headers."""

    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(self, status: int, body: bytes = b"", content_type: str = "application/json;charset=UTF-8", headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}


def json_answer(status: int, payload, headers=None) -> Answer:
    return Answer(status, json.dumps(payload, separators=(",", ":")).encode("utf-8"), headers=headers)


def fault_answer(fault: dict, request_headers=None):
    """The answer a fault gives, or None for ``reset`` (the connection is dropped instead)."""
    kind, status = fault["kind"], fault["status"]
    headers = {}
    if kind == "redirect":
        return Answer(status, b"", headers={"Location": fault["location"]})
    if kind == "echo_headers":
        # A server (or proxy) that quotes the request's headers back in its error.
        echoed = ["%s: %s" % (name, value) for name, value in (request_headers or {}).items()]
        return json_answer(status, {"success": False, "messages": ["Bad request headers"] + echoed,
                                    "errors": [{"field": name, "message": value} for name, value in (request_headers or {}).items()]})
    if fault.get("retry_after") is not None:
        retry_after = fault["retry_after"]
        headers["Retry-After"] = str(int(retry_after)) if isinstance(retry_after, float) and retry_after.is_integer() else str(retry_after)
    if kind == "reset":
        return None
    if kind == "html":
        reason = STATUS_REASONS.get(status, "Error")
        page = ("<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n<body><center><h1>%d %s</h1></center>\n"
                "<hr><center>nginx</center></body></html>\n") % (status, reason, status, reason)
        return Answer(status, page.encode("ascii"), "text/html", headers)
    if kind == "bad_json":
        return Answer(status, b'{"success":true,"users":[{"user_id":"', headers=headers)
    if kind == "empty":
        return Answer(status, b"", headers=headers)
    if kind == "drop_write":
        # A success that did not stick: what a client sees when another writer overwrote its change.
        return json_answer(status, {"success": True, "messages": ["Request accepted."]}, headers)
    if status == 401:
        return Answer(401, b"", headers=headers)
    return json_answer(status, {"success": False, "messages": [STATUS_REASONS.get(status, "Error")]}, headers)


def _header(headers, name):
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return ""


def _user_like(value) -> bool:
    return isinstance(value, dict) and any(key in value for key in ("user_id", "user_uid", "uid", "username", "email"))


def _walk_objects(value, visit):
    """Call visit(obj) on every object in a JSON value, depth first."""
    if isinstance(value, dict):
        visit(value)
        for item in list(value.values()):
            _walk_objects(item, visit)
    elif isinstance(value, list):
        for item in value:
            _walk_objects(item, visit)


# Wrong types for the fields of users and groups (odd_shape "field_types").
ODD_FIELD_VALUES = {"enabled": "yes", "date_created": "soon", "last_login": "yesterday", "role": ["ROLE_ADMIN"],
                    "username": 12, "email": {"address": "x"}, "user_id": {"id": 1}, "user_uid": ["x"], "name": ["Ops"],
                    "group_id": {"id": 1}, "api_only": "no", "first_name": 7, "login": "never", "signup": 3}


def reshape_answer(fault: dict, answer, request_headers=None):
    """A pass-through fault's change to a normal JSON answer (reflect_headers, odd_shape)."""
    try:
        payload = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return answer
    if not isinstance(payload, dict) or payload.get("success") is False:
        return answer
    if fault["kind"] == "reflect_headers":
        # A 200 that carries request headers in its data: the Authorization value (bare and with "Basic ") as the
        # names, the API key in the description of a role or group.
        def reflect(obj):
            if _user_like(obj):
                obj["first_name"] = _header(request_headers, "Authorization")
                obj["last_name"] = "Basic " + _header(request_headers, "Authorization")
            elif "description" in obj:
                obj["description"] = "key " + _header(request_headers, "API-Key")
        _walk_objects(payload, reflect)
    elif fault["shape"] == "scalars":
        # Every list and object the answer carries becomes a string.
        for key, value in list(payload.items()):
            if isinstance(value, (list, dict)):
                payload[key] = "unexpected"
    elif fault["shape"] == "items_scalars":
        # Lists hold strings where objects belong; objects hold lists.
        def flatten(obj):
            for key, value in list(obj.items()):
                if isinstance(value, list):
                    obj[key] = ["unexpected" for _item in value] or ["unexpected"]
        _walk_objects(payload, flatten)
        for key, value in list(payload.items()):
            if isinstance(value, dict):
                payload[key] = [value]
    elif fault["shape"] == "echoed_key":
        # A header echoed into a date: what made int() print the API key in a traceback.
        def echo(obj):
            if _user_like(obj):
                obj["last_login"] = "k=" + _header(request_headers, "API-Key")
        _walk_objects(payload, echo)
    else:
        def mistype(obj):
            for key in list(obj):
                if key in ODD_FIELD_VALUES:
                    obj[key] = ODD_FIELD_VALUES[key]
        _walk_objects(payload, mistype)
    return json_answer(answer.status, payload, answer.headers)


def apply_second_writer(org, writer: dict) -> None:
    """Another client's write to a group, right after the faulted request: members added or removed
    (usernames), a new name, a new scope."""
    group = None
    for candidate in org.groups.values():
        if str(candidate["group_id"]) == str(writer["group"]) or candidate["name"] == writer["group"]:
            group = candidate
    if group is None:
        return
    members = set(group["members"])
    for username in writer.get("add") or []:
        record = org.find_username(username)
        if record is not None:
            members.add(record["user_id"])
    for username in writer.get("remove") or []:
        record = org.find_username(username)
        if record is not None:
            members.discard(record["user_id"])
    org.set_group_members(group, sorted(members))
    if writer.get("name"):
        group["name"] = writer["name"]
    if writer.get("scope") is not None:
        group["scope"] = json.loads(json.dumps(writer["scope"]))


def error_body(messages) -> dict:
    return {"success": False, "messages": list(messages)}


# --------------------------------------------------------------------------------------------
# The guide dialect: every route and shape of the API as the guide describes it
# --------------------------------------------------------------------------------------------

class Route:
    """One API endpoint: method, path pattern (relative to <context>/api), handler, needs."""

    __slots__ = ("method", "pattern", "handler", "write", "body")

    def __init__(self, method: str, pattern: str, handler: str, write: bool = False, body: bool = False):
        self.method = method
        self.pattern = re.compile(pattern)
        self.handler = handler
        self.write = write
        self.body = body


class Call:
    """What a dialect handler gets: the state (lock held), path params, query dict, parsed body."""

    __slots__ = ("state", "params", "query", "body")

    def __init__(self, state, params: dict, query: dict, body):
        self.state = state
        self.params = params
        self.query = query
        self.body = body


class GuideDialect:
    """Routes, body rules and response shapes of the guide dialect (the default).

    A handler gets a Call with the state lock held and returns an Answer; domain errors travel as
    ApiError. Another dialect is another class with the same ``resolve``/``error_answer`` surface.
    """

    name = "guide"
    # The 403 messages for a caller whose role does not allow the call (ApiProcessor checks the role).
    DENIED_WRITE = "Access denied: this action needs the ROLE_ADMIN role"
    DENIED_READ = "Access denied"
    ORG = r"/ng/(?P<org>[^/]+)"
    ROUTES = (
        Route("GET", r"/ng/profile", "profile"),
        Route("GET", ORG + r"/roles", "roles"),
        Route("GET", ORG + r"/users", "list_users"),
        Route("POST", ORG + r"/users", "create_user", write=True, body=True),
        Route("GET", ORG + r"/users/(?P<user_id>[^/]+)", "get_user"),
        Route("PUT", ORG + r"/users/(?P<user_id>[^/]+)", "update_user", write=True, body=True),
        Route("DELETE", ORG + r"/users/(?P<user_id>[^/]+)", "delete_user", write=True),
        Route("GET", ORG + r"/groups", "list_groups"),
        Route("GET", ORG + r"/groups/(?P<group_id>[^/]+)", "get_group"),
        Route("GET", ORG + r"/groups/(?P<group_id>[^/]+)/users", "group_members"),
        Route("PUT", ORG + r"/groups/(?P<group_id>[^/]+)/users", "set_group_members", write=True, body=True),
    )
    CREATE_FIELDS = ("first_name", "last_name", "email", "role", "username", "enabled", "api_only", "protect_enabled")
    CREATE_REQUIRED = ("first_name", "last_name", "email", "role")
    UPDATE_FIELDS = ("first_name", "last_name", "email", "role", "enabled", "api_only", "protect_enabled", "username")

    # ---- routing ----
    def resolve(self, method: str, subpath: str):
        """(route, params) for a match; (None, allowed methods) when only the method is wrong."""
        allowed = []
        for route in self.ROUTES:
            match = route.pattern.fullmatch(subpath)
            if match:
                if route.method == method:
                    return route, match.groupdict()
                allowed.append(route.method)
        return None, allowed

    @staticmethod
    def error_answer(status: int, messages) -> Answer:
        if status == 401:
            return Answer(401, b"")  # the API says nothing more about failed authentication
        return json_answer(status, error_body(messages))

    # ---- shapes ----
    def user_view(self, state, record: dict, expand=()) -> dict:  # expand: the teamserver dialect's
        """The guide's user object (`expand` is not part of this dialect)."""
        org = state.org
        return {
            "user_id": record["user_id"], "username": record["username"], "email": record["email"],
            "first_name": record["first_name"], "last_name": record["last_name"], "enabled": record["enabled"],
            "role": record["role"], "api_only": record["api_only"], "protect_enabled": record["protect_enabled"],
            "date_created": record["date_created"], "last_login": record["last_login"], "org_uuid": org.org_uuid,
            **({"groups": [{"group_id": group_id, "name": org.groups[group_id]["name"]} for group_id in org.groups_of(
                record["user_id"])]} if state.config["user_groups"] else {}),
        }

    def member_view(self, state, record: dict) -> dict:
        return {"user_id": record["user_id"], "username": record["username"]}

    @staticmethod
    def count_of(state: EmulatorState, total: int):
        """The count a list answer shows: none (``no_count``), or off by ``count_offset``."""
        if state.config["no_count"]:
            return None
        return total + state.config["count_offset"]

    @staticmethod
    def with_count(payload: dict, key: str, count):
        if count is not None:
            payload[key] = count
        return payload

    @staticmethod
    def shift_users(state: EmulatorState, offset: int) -> None:
        """``shift_users``: once, before the first users page past offset 0, add or delete a user."""
        how = state.config["shift_users"]
        if not how or offset == 0 or state.shifted:
            return
        state.shifted = True
        org = state.org
        if how == "add":
            username = "late.joiner.%d@example.com" % (len(org.users) + 1)
            first, last = _names_from_username(username)
            record = org.create_user({"username": username, "email": username, "first_name": first, "last_name": last,
                                      "role": "ROLE_VIEW"})
            # Listed first: every later page shifts by one.
            org._order.remove((record["date_created"], record["user_id"]))
            record["date_created"] = org._order[0][0] - 1 if org._order else record["date_created"]
            bisect.insort(org._order, (record["date_created"], record["user_id"]))
        else:
            victims = [user_id for _created, user_id in org._order
                       if org.users[user_id]["username"].lower() != org.api_username.lower()]
            if victims:
                org.delete_user(victims[0])

    @staticmethod
    def omitted_booleans(state: EmulatorState, fields: dict, names) -> None:
        """``omitted_booleans_false``: a boolean the body leaves out is false, not its documented default."""
        if state.config["omitted_booleans_false"]:
            for name in names:
                fields.setdefault(name, False)

    @staticmethod
    def refuse_other_org(org: Organization, username: str) -> None:
        if username.lower() in org.other_org_users:
            raise ApiError(409, "User already exists")

    @staticmethod
    def page(state: EmulatorState, query: dict):
        """(offset, limit) from the query: defaults, 400 on bad values, silent clamp, the ignore_offset quirk."""
        values = {}
        for name, default in (("offset", 0), ("limit", DEFAULT_PAGE_SIZE)):
            raw = query.get(name)
            if raw is None:
                values[name] = default
            elif re.fullmatch(r"[0-9]{1,9}", raw.strip()):
                values[name] = int(raw)
            else:
                raise ApiError(400, "Invalid value for %s" % name)
        limit = min(values["limit"], state.config["max_page_size"])
        offset = 0 if state.config["ignore_offset"] else values["offset"]
        return offset, limit

    @staticmethod
    def _fields(body, allowed, required=()) -> dict:
        if not isinstance(body, dict):
            raise ApiError(400, "Request body must be a JSON object")
        unknown = sorted(key for key in body if key not in allowed)
        if unknown:
            raise ApiError(400, "Unrecognized field(s): %s" % ", ".join(unknown))
        missing = [key for key in required if body.get(key) in (None, "")]
        if missing:
            raise ApiError(400, "Missing required field(s): %s" % ", ".join(missing))
        fields = {}
        for key, value in body.items():
            if key in ("first_name", "last_name"):
                fields[key] = check_name(value, key)
            elif key == "email":
                fields[key] = check_email(value)
            elif key == "username":
                fields[key] = check_email(value, "username")
            elif key == "role":
                fields[key] = check_role(value)
            else:
                fields[key] = check_bool(value, key)
        return fields

    # ---- handlers ----
    def profile(self, call):
        record = call.state.org.api_user_record()
        return json_answer(200, {"success": True, "user": self.user_view(call.state, record)})

    def roles(self, _call):
        return json_answer(200, {"success": True, "roles": [{"name": name, "description": desc} for name, desc in ROLES]})

    def list_users(self, call):
        offset, limit = self.page(call.state, call.query)
        self.shift_users(call.state, offset)
        org = call.state.org
        users = [self.user_view(call.state, record) for record in org.page_users(offset, limit)]
        return json_answer(200, self.with_count({"success": True, "users": users}, "count",
                                                self.count_of(call.state, org.user_count())))

    def get_user(self, call):
        org = call.state.org
        return json_answer(200, {"success": True, "user": self.user_view(call.state, org.get_user(call.params["user_id"]))})

    def create_user(self, call):
        fields = self._fields(call.body, self.CREATE_FIELDS, self.CREATE_REQUIRED)
        if "username" in fields and fields["username"] != fields["email"]:
            raise ApiError(400, "Username must match email")
        fields["username"] = fields["email"]
        org = call.state.org
        self.refuse_other_org(org, fields["username"])
        self.omitted_booleans(call.state, fields, ("enabled", "api_only", "protect_enabled"))
        return json_answer(200, {"success": True, "user": self.user_view(call.state, org.create_user(fields))})

    def update_user(self, call):
        org = call.state.org
        record = org.get_user(call.params["user_id"])
        fields = self._fields(call.body, self.UPDATE_FIELDS)
        return json_answer(200, {"success": True, "user": self.user_view(call.state, org.update_user(record["user_id"], fields))})

    def delete_user(self, call):
        call.state.org.delete_user(call.params["user_id"])
        return json_answer(200, {"success": True, "messages": ["User deleted successfully."]})

    def list_groups(self, call):
        offset, limit = self.page(call.state, call.query)
        groups = call.state.org.sorted_groups()
        views = [{"group_id": group["group_id"], "name": group["name"], "description": group["description"],
                  "user_count": len(group["members"])} for group in groups[offset:offset + limit]]
        return json_answer(200, self.with_count({"success": True, "groups": views}, "count",
                                                self.count_of(call.state, len(groups))))

    def get_group(self, call):
        org = call.state.org
        group = org.get_group(call.params["group_id"])
        view = {"group_id": group["group_id"], "name": group["name"], "description": group["description"],
                "users": [self.member_view(call.state, record) for record in org.group_members(group)]}
        return json_answer(200, {"success": True, "group": view})

    def group_members(self, call):
        org = call.state.org
        group = org.get_group(call.params["group_id"])
        offset, limit = self.page(call.state, call.query)
        members = org.group_members(group)
        if call.state.config["unpaged_members"]:
            # A server that does not page member lists: the whole list, whatever offset and limit say, no count.
            return json_answer(200, {"success": True, "users": [self.member_view(call.state, record) for record in members]})
        users = [self.member_view(call.state, record) for record in members[offset:offset + limit]]
        return json_answer(200, self.with_count({"success": True, "users": users}, "count",
                                                self.count_of(call.state, len(members))))

    def set_group_members(self, call):
        org = call.state.org
        group = org.get_group(call.params["group_id"])
        if not isinstance(call.body, dict):
            raise ApiError(400, "Request body must be a JSON object")
        unknown = sorted(key for key in call.body if key != "users")
        if unknown:
            raise ApiError(400, "Unrecognized field(s): %s" % ", ".join(unknown))
        items = call.body.get("users")
        if not isinstance(items, list):
            raise ApiError(400, "Missing required field(s): users")
        user_ids = []
        for item in items:
            if not isinstance(item, dict) or set(item) != {"user_id"} or not isinstance(item["user_id"], str):
                raise ApiError(400, "Each entry of users must be an object with only user_id")
            if item["user_id"] not in user_ids:
                user_ids.append(item["user_id"])
        org.set_group_members(group, user_ids)
        return json_answer(200, {"success": True, "messages": ["Group membership updated."]})


# --------------------------------------------------------------------------------------------
# The teamserver dialect: the same state in the shapes of Contrast's published TeamServer reference
# --------------------------------------------------------------------------------------------

# Organization roles as the reference's global GET /ng/roles lists them: (canonical, id, name).
TEAMSERVER_ROLES = (
    ("ROLE_NO_ACCESS", 1, "No Access"),
    ("ROLE_VIEW", 2, "View"),
    ("ROLE_EDIT", 3, "Edit"),
    ("ROLE_RULES_ADMIN", 4, "Rules Admin"),
    ("ROLE_ADMIN", 5, "Admin"),
)
AUTHORIZATION_FAILURE = "Authorization failure"


class FieldErrors(ApiError):
    """A 400 whose body lists the offending fields: ``errors: [{field, message}]``."""

    def __init__(self, message: str, errors):
        super().__init__(400, message)
        self.errors = [{"field": field, "message": text} for field, text in errors]


def _fielded(handler):
    """Turn a handler's FieldErrors into the reference's 400 body."""
    def wrapper(self, call):
        try:
            return handler(self, call)
        except FieldErrors as exc:
            return json_answer(400, {"success": False, "messages": list(exc.messages), "errors": exc.errors})
    wrapper.__name__ = handler.__name__
    return wrapper


class TeamServerDialect(GuideDialect):
    """Routes and shapes of the TeamServer reference (``--dialect teamserver``), over the same state.

    Users carry ``user_uid`` (the same 32-hex id), ``email``, ``role: {group_id, name}``,
    ``rasp_enabled``; ``login``/``signup`` only with ``expand=login,signup``. Unknown user or group
    ids answer 403 "Authorization failure"; failures carry ``{success: false, messages, errors}``.
    A caller whose role does not allow the call gets the very same 403 "Authorization failure"
    (TeamServer does not say which of the two it is).
    """

    name = "teamserver"
    DENIED_WRITE = DENIED_READ = AUTHORIZATION_FAILURE
    ORG = GuideDialect.ORG
    ROUTES = (
        Route("GET", r"/ng/profile", "profile"),
        Route("GET", r"/ng/roles", "roles"),
        Route("GET", r"/ng/profile/organizations/(?P<org>[^/]+)", "profile_organization"),
        Route("GET", ORG + r"/users", "list_users"),
        Route("POST", ORG + r"/users", "create_user", write=True, body=True),
        Route("GET", ORG + r"/users/(?P<user_id>[^/]+)", "get_user"),
        Route("PUT", ORG + r"/users/(?P<user_id>[^/]+)", "update_user", write=True, body=True),
        Route("DELETE", ORG + r"/users/(?P<user_id>[^/]+)", "delete_user", write=True),
        Route("PUT", ORG + r"/users/(?P<user_id>[^/]+)/enabled", "set_enabled", write=True, body=True),
        Route("POST", ORG + r"/users/existing", "add_existing_user", write=True, body=True),
        Route("GET", ORG + r"/groups", "list_groups"),
        Route("GET", ORG + r"/groups/(?P<group_id>[^/]+)", "get_group"),
        Route("PUT", ORG + r"/groups/(?P<group_id>[^/]+)", "update_group", write=True, body=True),
        Route("GET", ORG + r"/groups/(?P<group_id>[^/]+)/users", "group_members"),
    )
    CREATE_FIELDS = ("username", "date_format", "time_format", "time_zone", "first_name", "last_name", "role",
                     "role_name", "groups", "group_names", "api_only", "protect", "enabled")
    CREATE_REQUIRED = ("username", "date_format", "time_format", "time_zone")
    # EditUserRequest: the reference marks the three preferences required in every edit too.
    UPDATE_REQUIRED = ("date_format", "time_format", "time_zone")
    PREFERENCE_DEFAULTS = {"date_format": "MM/dd/yyyy", "time_format": "hh:mm a", "time_zone": "UTC"}
    UPDATE_FIELDS = ("date_format", "time_format", "time_zone", "first_name", "last_name", "role", "role_name",
                     "groups", "group_names", "api_only", "protect", "enabled")
    GROUP_FIELDS = ("name", "users", "scope")

    @staticmethod
    def error_answer(status: int, messages) -> Answer:
        if status == 401:
            return Answer(401, b"")
        return json_answer(status, {"success": False, "messages": list(messages), "errors": []})

    # ---- lookups: unknown ids are an authorization failure in this dialect ----
    @staticmethod
    def _uid(state: EmulatorState, record: dict) -> str:
        """A user's user_uid: its 32-hex id, or its login (``user_uid_as_login``)."""
        return record["username"] if state.config["user_uid_as_login"] else record["user_id"]

    @staticmethod
    def _record_of(state: EmulatorState, uid):
        """The user a user_uid names, or None."""
        org = state.org
        if not isinstance(uid, str):
            return None
        if state.config["user_uid_as_login"]:
            return org.find_username(uid)
        return org.users.get(uid)

    def _user(self, state: EmulatorState, user_id: str) -> dict:
        record = self._record_of(state, user_id)
        if record is None:
            raise ApiError(403, AUTHORIZATION_FAILURE)
        return record

    @staticmethod
    def _group(org: Organization, group_id: str) -> dict:
        try:
            group = org.groups.get(int(group_id))
        except ValueError:
            group = None
        if group is None:
            raise ApiError(403, AUTHORIZATION_FAILURE)
        return group

    @staticmethod
    def _role_of(canonical: str) -> dict:
        for name, role_id, label in TEAMSERVER_ROLES:
            if name == canonical:
                return {"group_id": role_id, "name": label}
        raise AssertionError(canonical)  # pragma: no cover

    @staticmethod
    def _expand(query: dict) -> set:
        return set(part.strip().lower() for part in (query.get("expand") or "").split(",") if part.strip())

    # ---- shapes: the reference's objects, field for field (tests/unit/emulator/fixtures/teamserver_objects.json) ----
    def user_view(self, state, record: dict, expand=()) -> dict:
        """UserResource: ``email``, ``login``, ``signup``, ``preferences`` and ``groups`` only when expanded."""
        org = state.org
        view = {
            "user_uid": self._uid(state, record), "id": str(uuid.UUID(record["user_id"])),
            "first_name": record["first_name"], "last_name": record["last_name"], "enabled": record["enabled"],
            "role": self._role_of(record["role"]), "api_only": record["api_only"],
            "rasp_enabled": record["protect_enabled"],
            "status_description": "Waiting for activation" if record["pending"] else "Active",
        }
        if "email" in expand:
            view["email"] = record["email"]
        if "login" in expand:
            view["login"] = {"last_login_time": record["last_login"], "failed_attempts": 0}
        if "signup" in expand:
            view["signup"] = {"signup_date": record["date_created"], "accept_terms": not record["pending"]}
        if "preferences" in expand:
            view["preferences"] = dict(self.PREFERENCE_DEFAULTS, language="en",
                                       **org.preferences.get(record["user_id"], {}))
        if "groups" in expand:
            view["groups"] = [self.group_base_view(org.groups[group_id]) for group_id in org.groups_of(record["user_id"])]
        return view

    def _keep_preferences(self, org: Organization, user_id: str, body: dict) -> None:
        given = dict((key, body[key]) for key in self.UPDATE_REQUIRED if body.get(key))
        if given:
            org.preferences[user_id] = dict(org.preferences.get(user_id, {}), **given)

    def member_view(self, state, record: dict) -> dict:
        """UserBaseResource: no login; ``uid`` is the user's user_uid, ``id`` its UUID."""
        return {"id": str(uuid.UUID(record["user_id"])), "uid": self._uid(state, record), "first_name": record["first_name"],
                "last_name": record["last_name"], "full_name": "%s %s" % (record["first_name"], record["last_name"])}

    @staticmethod
    def group_base_view(group: dict) -> dict:
        """AccessGroupBaseResource (the group list, a user's groups)."""
        return {"group_id": group["group_id"], "name": group["name"], "access_level": "ORGANIZATION",
                "readonly": group["predefined"]}

    def group_view(self, state, group: dict) -> dict:
        """AccessGroupOrganizationResource: the scope shown flat (``app_role``, ``onboard_role``, ``applications``
        grouped by role, ``accounts``), never as ``scope``; members as UserBaseResource."""
        scope = group["scope"]
        app_scope = scope.get("app_scope") or {}
        by_role = {}
        for exception in app_scope.get("exceptions") or []:
            by_role.setdefault(exception["role"], []).append({"app_id": exception["app_id"]})
        applications = [{"role": {"name": role}, "noAccess": role == "NO_ACCESS", "applications": apps}
                        for role, apps in by_role.items()]
        accounts = [{"organization": {"organization_uuid": exception["organization_uuid"]}, "role": exception["role"],
                     "noAccess": exception["role"] == "NO_ACCESS"}
                    for exception in (scope.get("account_scope") or {}).get("exceptions") or []]
        return {"group_id": group["group_id"], "name": group["name"], "access_level": "ORGANIZATION",
                "readonly": group["predefined"], "app_role": app_scope.get("role") or "",
                "onboard_role": app_scope.get("onboard_role") or "", "applications": applications, "accounts": accounts,
                "users": [self.member_view(state, record) for record in state.org.group_members(group)]}

    # ---- body checks ----
    @staticmethod
    def _check_fields(body, allowed, required=()) -> None:
        if not isinstance(body, dict):
            raise FieldErrors("Request body must be a JSON object", [])
        unknown = sorted(key for key in body if key not in allowed)
        if unknown:
            raise FieldErrors("Unrecognized field(s): %s" % ", ".join(unknown),
                              [(key, "Unrecognized field") for key in unknown])
        missing = [key for key in required if body.get(key) in (None, "")]
        if missing:
            raise FieldErrors("Missing required field(s): %s" % ", ".join(missing),
                              [(key, "may not be empty") for key in missing])

    @staticmethod
    def _checked(check, field, *args):
        try:
            return check(*args)
        except ApiError as exc:
            raise FieldErrors(exc.messages[0], [(field, exc.messages[0])]) from None

    def _user_fields(self, org: Organization, body: dict) -> dict:
        """Canonical fields (and ``_groups``: group ids or None) from a create or edit body."""
        fields = {}
        for key in ("date_format", "time_format", "time_zone"):
            if key in body and (not isinstance(body[key], str) or not body[key].strip()):
                raise FieldErrors("Invalid %s" % key, [(key, "must be a non-empty string")])
        for key in ("first_name", "last_name"):
            if key in body:
                fields[key] = self._checked(check_name, key, body[key], key)
        for key, canonical in (("api_only", "api_only"), ("protect", "protect_enabled"), ("enabled", "enabled")):
            if key in body:
                fields[canonical] = self._checked(check_bool, key, body[key], key)
        role = None
        if body.get("role") is not None:
            value = body["role"]
            matches = [name for name, role_id, _label in TEAMSERVER_ROLES
                       if isinstance(value, int) and not isinstance(value, bool) and role_id == value]
            if not matches:
                raise FieldErrors("Invalid role", [("role", "Invalid role")])
            role = matches[0]
        if body.get("role_name") is not None:
            value = body["role_name"]
            matches = [name for name, _role_id, label in TEAMSERVER_ROLES
                       if isinstance(value, str) and label.lower() == value.strip().lower()]
            if not matches or (role is not None and role != matches[0]):
                raise FieldErrors("Invalid role", [("role_name", "Invalid role")])
            role = matches[0]
        if role is not None:
            fields["role"] = role
        group_ids = None
        if body.get("groups") is not None or body.get("group_names") is not None:
            group_ids = []
            for group_id in body.get("groups") or []:
                if isinstance(group_id, bool) or not isinstance(group_id, int) or group_id not in org.groups:
                    raise FieldErrors("Invalid group", [("groups", "Unknown group %r" % (group_id,))])
                group_ids.append(group_id)
            for name in body.get("group_names") or []:
                found = [group["group_id"] for group in org.groups.values()
                         if isinstance(name, str) and group["name"].lower() == name.lower()]
                if not found:
                    raise FieldErrors("Invalid group", [("group_names", "Unknown group %r" % (name,))])
                group_ids.append(found[0])
        fields["_groups"] = group_ids
        return fields

    @staticmethod
    def _set_user_groups(org: Organization, user_id: str, group_ids) -> None:
        for group in org.groups.values():
            members = set(group["members"])
            if group["group_id"] in group_ids:
                members.add(user_id)
            else:
                members.discard(user_id)
            if members != group["members"]:
                org.set_group_members(group, members)

    # ---- handlers ----
    def profile(self, call):
        """UserResponse; ``expand`` as GET /ng/profile lists it (without it: no email, no dates)."""
        record = call.state.org.api_user_record()
        user = self.user_view(call.state, record, self._expand(call.query))
        return json_answer(200, {"success": True, "messages": [], "user": user})

    def profile_organization(self, call):
        """OrganizationWithRolesResponse: the caller's organization (an unknown one fails like any org path)."""
        org = call.state.org
        caller = org.api_user_record()
        roles = [label for name, _role_id, label in TEAMSERVER_ROLES if name == caller["role"]]
        organization = {"organization_uuid": org.org_uuid, "name": "Emulated organization", "api_only": False,
                        "date_format": "MM/dd/yyyy", "time_format": "hh:mm a", "timezone": "UTC"}
        return json_answer(200, {"success": True, "messages": [], "enterprise": False, "organization": organization,
                                 "roles": roles})

    def roles(self, _call):
        groups = [{"group_id": role_id, "name": label} for _name, role_id, label in TEAMSERVER_ROLES]
        return json_answer(200, {"success": True, "messages": [], "groups": groups})

    def list_users(self, call):
        """UsersResponse; ``q`` keeps users whose email, first or last name contain it (case-insensitive)."""
        offset, limit = self.page(call.state, call.query)
        self.shift_users(call.state, offset)
        org = call.state.org
        expand = self._expand(call.query)
        keyword = (call.query.get("q") or "").strip().lower()
        if keyword:
            matching = [org.users[user_id] for _created, user_id in org._order
                        if any(keyword in (org.users[user_id][key] or "").lower() for key in ("email", "first_name", "last_name"))]
            total, page = len(matching), matching[offset:offset + limit]
        else:
            total, page = org.user_count(), org.page_users(offset, limit)
        users = [self.user_view(call.state, record, expand) for record in page]
        return json_answer(200, self.with_count({"success": True, "messages": [], "users": users}, "count",
                                                self.count_of(call.state, total)))

    def get_user(self, call):
        record = self._user(call.state, call.params["user_id"])
        user = self.user_view(call.state, record, self._expand(call.query))
        return json_answer(200, {"success": True, "messages": [], "user": user})

    def _flags(self, state, body: dict, fields: dict) -> None:
        """``omitted_booleans_false``: flags the body leaves out become false (a create's ``enabled`` included)."""
        self.omitted_booleans(state, fields, ("enabled", "api_only", "protect_enabled"))

    @_fielded
    def create_user(self, call):
        """NewUserResponse: no user in the answer (find it with GET users?q=...)."""
        org = call.state.org
        self._check_fields(call.body, self.CREATE_FIELDS, self.CREATE_REQUIRED)
        username = self._checked(check_email, "username", call.body["username"], "username")
        if username.lower() in org.other_org_users:
            raise FieldErrors("User already exists", [("username", "A user with this username already exists")])
        fields = self._user_fields(org, call.body)
        group_ids = fields.pop("_groups")
        self._flags(call.state, call.body, fields)
        first, last = _names_from_username(username)
        fields.setdefault("first_name", first)
        fields.setdefault("last_name", last)
        fields.setdefault("role", "ROLE_VIEW")
        fields.update(username=username, email=username)
        record = org.create_user(fields)
        self._keep_preferences(org, record["user_id"], call.body)
        if group_ids:
            self._set_user_groups(org, record["user_id"], group_ids)
        return json_answer(200, {"success": True, "messages": ["User created successfully."], "errors": []})

    @_fielded
    def add_existing_user(self, call):
        """ExistingUserRequest: a user of another organization joins this one (no invitation); NewUserResponse."""
        org = call.state.org
        self._check_fields(call.body, ("username", "role", "enabled", "api_only", "protect", "groups"), ("username", "role"))
        username = self._checked(check_email, "username", call.body["username"], "username")
        if username.lower() not in org.other_org_users:
            raise FieldErrors("User not found", [("username", "No user of another organization has this username")])
        fields = self._user_fields(org, call.body)
        group_ids = fields.pop("_groups")
        self._flags(call.state, call.body, fields)
        first, last = _names_from_username(username)
        fields.update(username=username, email=username, first_name=first, last_name=last)
        record = org.create_user(fields)
        org.outbox.pop()  # an existing account: no invitation
        record["pending"] = False
        org.other_org_users.discard(username.lower())
        if group_ids:
            self._set_user_groups(org, record["user_id"], group_ids)
        return json_answer(200, {"success": True, "messages": ["User added successfully."], "errors": []})

    @_fielded
    def update_user(self, call):
        org = call.state.org
        record = self._user(call.state, call.params["user_id"])
        self._check_fields(call.body, self.UPDATE_FIELDS, self.UPDATE_REQUIRED)
        fields = self._user_fields(org, call.body)
        group_ids = fields.pop("_groups")
        self._flags(call.state, call.body, fields)
        org.update_user(record["user_id"], fields)
        self._keep_preferences(org, record["user_id"], call.body)
        if group_ids is not None:
            self._set_user_groups(org, record["user_id"], group_ids)
        return json_answer(200, {"success": True, "messages": ["User updated successfully."], "errors": []})

    @_fielded
    def set_enabled(self, call):
        org = call.state.org
        record = self._user(call.state, call.params["user_id"])
        self._check_fields(call.body, ("enabled",), ("enabled",))
        org.update_user(record["user_id"], {"enabled": self._checked(check_bool, "enabled", call.body["enabled"], "enabled")})
        return json_answer(200, {"success": True, "messages": ["User updated successfully."], "errors": []})

    def delete_user(self, call):
        org = call.state.org
        record = self._user(call.state, call.params["user_id"])
        org.delete_user(record["user_id"])
        return json_answer(200, {"success": True, "messages": ["User deleted successfully."], "errors": []})

    def list_groups(self, call):
        """OrganizationalAccessGroupsResponse: custom and predefined groups apart, each list paged by
        offset/limit with its own count."""
        offset, limit = self.page(call.state, call.query)
        org = call.state.org
        custom, predefined = [], []
        for group in org.sorted_groups():
            (predefined if group["predefined"] else custom).append(self.group_base_view(group))
        payload = {"success": True, "messages": []}
        for key, groups in (("custom_groups", custom), ("predefined_groups", predefined)):
            payload[key] = self.with_count({"groups": groups[offset:offset + limit]}, "count",
                                           self.count_of(call.state, len(groups)))
        return json_answer(200, payload)

    def get_group(self, call):
        group = self._group(call.state.org, call.params["group_id"])
        return json_answer(200, {"success": True, "messages": [], "group": self.group_view(call.state, group)})

    def group_members(self, call):
        """OrganizationAccessGroupUsersResponse: the whole member list, unpaged (as the reference documents)."""
        org = call.state.org
        group = self._group(org, call.params["group_id"])
        users = [self.member_view(call.state, record) for record in org.group_members(group)]
        return json_answer(200, {"success": True, "messages": [], "group": {"users": users}})

    @staticmethod
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

    @staticmethod
    def _same_scope(left: dict, right: dict) -> bool:
        """Scopes compared as the server would: exceptions are sets, absent and empty are alike."""
        def canonical(scope):
            app_scope = scope.get("app_scope") or {}
            account_scope = scope.get("account_scope") or {}
            return (app_scope.get("role") or "", app_scope.get("onboard_role") or "",
                    sorted(json.dumps(item, sort_keys=True) for item in app_scope.get("exceptions") or []),
                    sorted(json.dumps(item, sort_keys=True) for item in account_scope.get("exceptions") or []))
        return canonical(left) == canonical(right)

    @_fielded
    def update_group(self, call):
        """PUT the whole group (AccessControlGroupRequest): name, users (user_uids) and scope are all required."""
        org = call.state.org
        group = self._group(org, call.params["group_id"])
        body = call.body
        self._check_fields(body, self.GROUP_FIELDS, ())
        missing = [key for key in self.GROUP_FIELDS if body.get(key) is None]
        if missing:
            raise FieldErrors("Missing required field(s): %s" % ", ".join(missing),
                              [(key, "may not be null") for key in missing])
        name, scope, items = body["name"], body["scope"], body["users"]
        if not isinstance(name, str) or not name.strip():
            raise FieldErrors("Invalid name", [("name", "may not be empty")])
        problem = self.scope_error(scope)
        if problem:
            raise FieldErrors("Invalid scope", [("scope", problem)])
        if not isinstance(items, list):
            raise FieldErrors("Invalid users", [("users", "must be a list")])
        user_ids = []
        for item in items:
            record = self._record_of(call.state, item)
            if record is None:
                raise FieldErrors("Invalid users", [("users", "Unknown user %r" % (item,))])
            if record["user_id"] not in user_ids:
                user_ids.append(record["user_id"])
        if group["predefined"]:
            if name != group["name"] or not self._same_scope(scope, group["scope"]):
                raise FieldErrors("Predefined groups are read-only: only their users can change",
                                  [("name" if name != group["name"] else "scope", "read-only")])
        else:
            if any(other is not group and other["name"].lower() == name.lower() for other in org.groups.values()):
                raise FieldErrors("Group name already in use", [("name", "already in use")])
            group["name"] = name
            group["scope"] = json.loads(json.dumps(scope))
        org.set_group_members(group, user_ids)
        return json_answer(200, {"success": True, "messages": ["Group updated successfully."], "errors": []})


DIALECTS = {GuideDialect.name: GuideDialect, TeamServerDialect.name: TeamServerDialect}
PLANNED_DIALECTS = ()


def make_dialect(name: str):
    if name in DIALECTS:
        return DIALECTS[name]()
    if name in PLANNED_DIALECTS:
        raise NotImplementedError("dialect %r is not implemented yet (available: %s)" % (name, ", ".join(sorted(DIALECTS))))
    raise ValueError("unknown dialect %r (available: %s)" % (name, ", ".join(sorted(DIALECTS))))


# --------------------------------------------------------------------------------------------
# Request processing: the authenticated API and the control interface
# --------------------------------------------------------------------------------------------

def read_credentials(headers):
    """(username, service_key, api_key) from the two headers, or None when unusable."""
    authorization = headers.get("Authorization")
    api_key = headers.get("API-Key")
    if not authorization or not api_key:
        return None
    token = authorization.strip()
    if token[:6].lower() == "basic ":
        token = token[6:].strip()
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    username, separator, service_key = decoded.partition(":")
    if not separator or not username or not service_key:
        return None
    return username, service_key, api_key.strip()


def is_json_content(content_type) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class ApiProcessor:
    """Authenticates, routes and runs one API request under the state lock."""

    def __init__(self, state: EmulatorState, dialect, context_path: str):
        self.state = state
        self.dialect = dialect
        self.dialects = dict((name, cls()) for name, cls in DIALECTS.items())
        self.prefix = context_path + "/api"

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> Answer:
        # The dialect can change at runtime (/_emulator/config or reset); the startup one is the default.
        dialect = self.dialects.get(self.state.config.get("dialect")) or self.dialect
        if not path.startswith(self.prefix + "/"):
            return dialect.error_answer(404, ["Not found"])
        subpath = path[len(self.prefix):]
        credentials = read_credentials(headers)
        try:
            with self.state.lock:
                state = self.state
                caller = state.org.authenticate(*credentials) if credentials else None
                if caller is None:
                    raise ApiError(401)
                route, params = dialect.resolve(method, subpath)
                if route is None:
                    if params:
                        return json_answer(405, error_body(["Method not allowed"]), {"Allow": ", ".join(params)})
                    raise ApiError(404, "Not found")
                if "org" in params and params["org"].lower() != state.org.org_uuid:
                    raise ApiError(401)
                if route.write and caller["role"] != "ROLE_ADMIN":
                    raise ApiError(403, dialect.DENIED_WRITE)
                if "org" in params and caller["role"] == "ROLE_NO_ACCESS":
                    raise ApiError(403, dialect.DENIED_READ)
                parsed = self._parse_body(headers, body) if route.body else None
                return getattr(dialect, route.handler)(Call(state, params, query, parsed))
        except ApiError as exc:
            return dialect.error_answer(exc.status, exc.messages)

    @staticmethod
    def _parse_body(headers, body: bytes):
        if not body.strip():
            raise ApiError(400, "Malformed JSON request body")
        if not is_json_content(headers.get("Content-Type")):
            raise ApiError(415, "Content-Type must be application/json")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "Malformed JSON request body") from None


class ControlApi:
    """The unauthenticated ``/_emulator`` interface; errors are 400/404 with messages."""

    USER_ACTION = re.compile(r"/users/(?P<user_id>[^/]+)/(?P<action>accept|login)")
    USER_EDIT = re.compile(r"/users/(?P<user_id>[^/]+)")
    # What an edit behind the API's back may change (an admin in the UI, an IdP's SAML login).
    EDITABLE_FIELDS = ("first_name", "last_name", "role", "enabled", "pending", "api_only", "protect_enabled", "last_login")

    def __init__(self, state: EmulatorState):
        self.state = state

    def handle(self, method: str, path: str, body: bytes) -> Answer:
        sub = path[len(CONTROL_PREFIX):].rstrip("/") or "/"
        try:
            doc = json.loads(body.decode("utf-8")) if body.strip() else None
        except (UnicodeDecodeError, ValueError):
            return json_answer(400, error_body(["Malformed JSON request body"]))
        try:
            return self._dispatch(method, sub, doc)
        except SeedError as exc:
            return json_answer(400, error_body([str(exc)]))
        except ApiError as exc:
            return json_answer(exc.status, error_body(exc.messages))

    def _dispatch(self, method: str, sub: str, doc) -> Answer:
        state = self.state
        action = self.USER_ACTION.fullmatch(sub)
        routes = {
            ("POST", "/reset"): lambda: self._reset(doc),
            ("GET", "/state"): lambda: json_answer(200, state.state_view()),
            ("GET", "/outbox"): lambda: json_answer(200, {"invitations": state.outbox_view()}),
            ("GET", "/requests"): lambda: json_answer(200, state.requests_view()),
            ("DELETE", "/requests"): lambda: self._done(state.clear_requests()),
            ("GET", "/config"): lambda: json_answer(200, {"success": True, "config": dict(state.config)}),
            ("POST", "/config"): lambda: json_answer(200, {"success": True, "config": state.update_config(doc or {})}),
            ("GET", "/faults"): lambda: json_answer(200, dict(state.faults_view(), success=True)),
            ("POST", "/faults"): lambda: json_answer(200, dict(state.set_faults(doc or {}), success=True)),
            ("DELETE", "/faults"): lambda: self._done(state.clear_faults()),
            ("GET", "/health"): lambda: json_answer(200, {"success": True, "status": "ok"}),
        }
        edit = self.USER_EDIT.fullmatch(sub)
        if sub == "/users":
            if method != "POST":
                return json_answer(405, error_body(["Method not allowed"]), {"Allow": "POST"})
            return self._add_user(doc)
        if edit and not action:
            if method != "PATCH":
                return json_answer(405, error_body(["Method not allowed"]), {"Allow": "PATCH"})
            return self._edit_user(edit.group("user_id"), doc)
        if action:
            if method != "POST":
                return json_answer(405, error_body(["Method not allowed"]), {"Allow": "POST"})
            return self._user_action(action.group("user_id"), action.group("action"), doc)
        handler = routes.get((method, sub))
        if handler is not None:
            return handler()
        allowed = sorted(route_method for route_method, route_path in routes if route_path == sub)
        if allowed:
            return json_answer(405, error_body(["Method not allowed"]), {"Allow": ", ".join(allowed)})
        return json_answer(404, error_body(["No such control endpoint: %s%s" % (CONTROL_PREFIX, sub)]))

    @staticmethod
    def _done(_result=None) -> Answer:
        return json_answer(200, {"success": True})

    def _reset(self, doc) -> Answer:
        self.state.reset(doc)
        with self.state.lock:
            org = self.state.org
            return json_answer(200, {"success": True, "users": org.user_count(), "groups": len(org.groups)})

    def _user_answer(self, org: Organization, record: dict) -> Answer:
        view = dict(record, org_uuid=org.org_uuid, groups=org.groups_of(record["user_id"]))
        return json_answer(200, {"success": True, "user": view})

    def _add_user(self, doc) -> Answer:
        """A user that appears without the API (SAML just-in-time provisioning): no invitation is sent.

        The body is one seed user; ``groups`` (names) may add it to existing groups."""
        if not isinstance(doc, dict):
            raise SeedError("body must be a JSON object (a seed user)")
        entry = {key: value for key, value in doc.items() if key != "groups"}
        group_names = doc.get("groups") or []
        if not isinstance(group_names, list):
            raise SeedError("groups must be a list of group names")
        state = self.state
        with state.lock:
            org = state.org
            record = _seed_user(org, entry, org.user_count(), "user")
            if "date_created" not in entry:
                record["date_created"] = max(now_ms(), org._last_created + 1)  # pylint: disable=protected-access
                org._last_created = record["date_created"]  # pylint: disable=protected-access
            groups = []
            for name in group_names:
                found = [group for group in org.sorted_groups() if str(name).lower() == group["name"].lower()]
                if not found:
                    raise ApiError(404, "Group not found: %s" % name)
                groups.append(found[0])
            org.insert_user(record)
            for group in groups:
                org.set_group_members(group, list(group["members"]) + [record["user_id"]])
            return self._user_answer(org, record)

    def _edit_user(self, user_id: str, doc) -> Answer:
        """Change a user behind the API's back (fields of EDITABLE_FIELDS, validated as in a seed)."""
        if not isinstance(doc, dict) or not doc:
            raise SeedError("body must be a JSON object with any of %s" % ", ".join(self.EDITABLE_FIELDS))
        _reject_unknown(doc, self.EDITABLE_FIELDS, "edit")
        checks = {"first_name": lambda v: check_name(v, "first_name"), "last_name": lambda v: check_name(v, "last_name"),
                  "role": check_role, "last_login": lambda v: check_epoch_ms(v, "last_login", True)}
        state = self.state
        with state.lock:
            org = state.org
            record = org.get_user(user_id)
            changes = {}
            for field, value in doc.items():
                if str(field).startswith("_"):
                    continue
                check = checks.get(field, lambda v, name=field: check_bool(v, name))
                changes[field] = _seed_check(check, "edit", value)
            record.update(changes)
            return self._user_answer(org, record)

    def _user_action(self, user_id: str, action: str, doc) -> Answer:
        state = self.state
        if doc is not None and not isinstance(doc, dict):
            raise SeedError("body must be a JSON object")
        with state.lock:
            org = state.org
            if action == "accept":
                _reject_unknown(doc or {}, (), "accept")
                record = org.accept_invitation(user_id)
            else:
                _reject_unknown(doc or {}, ("at",), "login")
                at = (doc or {}).get("at")
                at = now_ms() if at is None else check_epoch_ms(at, "at")
                record = org.record_login(user_id, at)
            view = dict(record, org_uuid=org.org_uuid, groups=org.groups_of(user_id))
            return json_answer(200, {"success": True, "user": view})


# --------------------------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------------------------

class _BodyError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _RequestHandler(BaseHTTPRequestHandler):
    """One TCP connection (keep-alive: many requests). Never logs or echoes header values."""

    protocol_version = "HTTP/1.1"
    server_version = "ContrastEmulator/1.0"
    sys_version = ""
    # Buffer the answer so headers and body leave in one segment: written separately, delayed ACK
    # on the client side stalls every keep-alive request by ~40 ms.
    wbufsize = 65536

    def setup(self):
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if isinstance(self.request, ssl.SSLSocket):
            # Handshake here, in the connection's own thread, so one slow client cannot block accept().
            self.request.settimeout(15)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()
        self.connection_id = self.server.open_connection(self.request)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass  # the client (or a reset fault) already closed the socket
        finally:
            self.server.close_connection_record(self.request)

    def handle_expect_100(self):
        # The buffered wfile would otherwise hold "100 Continue" back until the final answer.
        result = super().handle_expect_100()
        self.wfile.flush()
        return result

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_HEAD(self):
        self._handle()

    def do_OPTIONS(self):
        self._handle()

    # ---- plumbing ----
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise _BodyError(411, "Send a Content-Length; chunked bodies are not supported")
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        if not length.strip().isdigit():
            raise _BodyError(400, "Invalid Content-Length")
        size = int(length)
        if size > MAX_BODY_BYTES:
            raise _BodyError(413, "Request body too large")
        return self.rfile.read(size) if size else b""

    def _write(self, answer: Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and answer.body:
            self.wfile.write(answer.body)
        self.wfile.flush()

    def _drop_connection(self) -> None:
        """Close without answering; linger 0 makes it a TCP reset, like a proxy dying mid-request."""
        self.close_connection = True
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _handle(self) -> None:
        server = self.server
        target = urlsplit(self.path)
        path = unquote(target.path) or "/"
        try:
            body = self._read_body()
        except _BodyError as exc:
            self.close_connection = True
            self._write(json_answer(exc.status, error_body([exc.message])))
            return
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            self._write(self._guarded(lambda: server.control.handle(self.command, path, body)))
            return
        state = server.state
        epoch = state.log_epoch
        fault = state.draw_fault(self.command, path, target.query)
        query = {key: values[-1] for key, values in parse_qs(target.query, keep_blank_values=True).items()}
        fault_note = None
        if fault:
            fault_note = {"kind": fault["kind"], "after": fault["after"]}
            if fault.get("random"):
                fault_note["random"] = True
        entry = {
            "method": self.command, "path": path, "query": query, "status": None,
            "connection_id": self.connection_id, "body": loggable_body(body), "fault": fault_note,
        }
        if fault and fault["delay"] and not fault["after"]:
            time.sleep(fault["delay"])
        request_headers = dict(self.headers.items())
        if fault and fault["kind"] not in PASS_THROUGH_KINDS and not fault["after"]:
            answer = fault_answer(fault, request_headers)
        else:
            answer = self._guarded(lambda: server.api.handle(self.command, path, query, self.headers, body))
            if fault and fault["kind"] in ("reflect_headers", "odd_shape"):
                answer = reshape_answer(fault, answer, request_headers)
            if fault and fault["kind"] == "second_writer":
                with state.lock:
                    apply_second_writer(state.org, fault["writer"])
            if fault and fault["after"]:
                if fault["delay"]:
                    time.sleep(fault["delay"])
                if fault["kind"] not in PASS_THROUGH_KINDS:
                    answer = fault_answer(fault, request_headers)
        entry["status"] = answer.status if answer is not None else None
        state.record_request(entry, epoch)  # before answering, so a test that got the answer sees the entry
        if answer is None:
            self._drop_connection()
        else:
            self._write(answer)

    def _guarded(self, produce) -> Answer:
        """Run a request processor; an emulator bug becomes a 500 with a traceback on stderr."""
        try:
            return produce()
        except Exception:  # pylint: disable=broad-except
            sys.stderr.write("contrast_emulator: internal error on %s %s\n%s" % (self.command, urlsplit(self.path).path, traceback.format_exc()))
            sys.stderr.flush()
            return json_answer(500, error_body(["Internal server error"]))


def loggable_body(body: bytes):
    """The request body for the log: parsed JSON when it is JSON, else (truncated) text."""
    if not body:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return body[:2000].decode("utf-8", "replace")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, emulator_state, api, control, verbose):
        self.state = emulator_state
        self.api = api
        self.control = control
        self.verbose = verbose
        self._connection_lock = threading.Lock()
        self._connection_counter = 0
        self._open = {}
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _RequestHandler)

    def open_connection(self, sock) -> int:
        with self._connection_lock:
            self._connection_counter += 1
            self._open[id(sock)] = sock
            return self._connection_counter

    def close_connection_record(self, sock) -> None:
        with self._connection_lock:
            self._open.pop(id(sock), None)

    def close_open_connections(self) -> None:
        with self._connection_lock:
            sockets = list(self._open.values())
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        # Clients that vanish, TLS handshakes that fail, reset faults: normal here, so quiet.
        if self.verbose:
            super().handle_error(request, client_address)


class EmulatorServer:
    """The emulator, runnable in-process: ``with EmulatorServer() as emu: requests.get(emu.contrast_url + ...)``.

    ``seed`` is a seed document (dict) or a path to a JSON file; ``generate`` is
    ``{"users": N, "groups": M, "seed": S}`` and is merged into the seed.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, seed=None, generate=None,
                 max_page_size: int = DEFAULT_MAX_PAGE_SIZE, context_path: str = DEFAULT_CONTEXT_PATH,
                 dialect: str = "guide", tls_cert=None, tls_key=None, fault_rate: float = 0.0, fault_seed=None,
                 verbose: bool = False, switches=None):
        if isinstance(seed, str):
            seed = load_seed_file(seed)
        if generate:
            seed = dict(seed or {}, generate=generate)
        if isinstance(max_page_size, bool) or not isinstance(max_page_size, int) or max_page_size < 1:
            raise ValueError("max_page_size must be a positive integer")
        if bool(tls_cert) != bool(tls_key):
            raise ValueError("TLS needs both a certificate and a key")
        self.context_path = normalize_context_path(context_path)
        self.dialect = make_dialect(dialect)
        self.state = EmulatorState(seed, max_page_size, fault_rate, fault_seed, dialect=dialect, switches=switches)
        self.scheme = "https" if tls_cert else "http"
        self._httpd = _HTTPServer((host, port), self.state, ApiProcessor(self.state, self.dialect, self.context_path),
                                  ControlApi(self.state), verbose)
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.host = host
        self.port = self._httpd.server_address[1]
        self._thread = None

    @property
    def url(self) -> str:
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % (self.scheme, host, self.port)

    @property
    def contrast_url(self) -> str:
        """What the collection's ``contrast_url`` option should be."""
        return self.url + self.context_path

    @property
    def api_url(self) -> str:
        return self.contrast_url + "/api"

    @property
    def control_url(self) -> str:
        return self.url + CONTROL_PREFIX

    def start(self) -> "EmulatorServer":
        """Serve in a background daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="contrast-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self._httpd.close_open_connections()
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *_exc_info):
        self.stop()


Emulator = EmulatorServer


def normalize_context_path(value) -> str:
    value = (value or "").strip()
    if not value or value == "/":
        return ""
    return "/" + value.strip("/")


def load_seed_file(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise SeedError("cannot read seed file %s: %s" % (path, exc)) from None


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Emulator of Contrast Security's user API (tests and demos only).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)")
    parser.add_argument("--seed", metavar="FILE", help="seed document (JSON) with org, API user, users and groups")
    parser.add_argument("--generate-users", type=int, default=0, metavar="N", help="add N synthetic users")
    parser.add_argument("--generate-groups", type=int, default=0, metavar="M", help="add M synthetic access groups")
    parser.add_argument("--generate-seed", default=0, metavar="S", help="seed of the generator (default 0)")
    parser.add_argument("--max-page-size", type=int, default=DEFAULT_MAX_PAGE_SIZE, help="largest page served (default 100)")
    parser.add_argument("--context-path", default=DEFAULT_CONTEXT_PATH, help="path before /api (default /Contrast)")
    parser.add_argument("--dialect", default="guide", choices=sorted(set(DIALECTS) | set(PLANNED_DIALECTS)), help="API dialect")
    parser.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (needs --tls-key)")
    parser.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of API requests that fail at random (0-1)")
    parser.add_argument("--fault-seed", type=int, default=None, help="seed of the random faults (reproducible runs)")
    parser.add_argument("--verbose", action="store_true", help="log one line per request to stderr (never headers)")
    switches = parser.add_argument_group("what real servers vary in (README: Switches)")
    switches.add_argument("--unpaged-members", action="store_true", help="member lists ignore offset/limit, no count")
    switches.add_argument("--no-count", action="store_true", help="list answers carry no count")
    switches.add_argument("--count-offset", type=int, default=0, metavar="N", help="list counts are off by N")
    switches.add_argument("--shift-users", choices=("add", "delete"), help="add or delete a user between two users pages")
    switches.add_argument("--user-uid-as-login", action="store_true", help="teamserver: user_uid is the login")
    switches.add_argument("--omitted-booleans-false", action="store_true",
                          help="a create (teamserver: or edit) that omits a boolean sets it false")
    switches.add_argument("--strict", action="store_true",
                          help="--omitted-booleans-false and --unpaged-members together (documented shapes are always on)")
    return parser.parse_args(argv)


def switches_of(args) -> dict:
    """The switches the command line asks for (SWITCH_DEFAULTS)."""
    return {"unpaged_members": args.unpaged_members or args.strict, "no_count": args.no_count,
            "count_offset": args.count_offset, "shift_users": args.shift_users, "user_uid_as_login": args.user_uid_as_login,
            "omitted_booleans_false": args.omitted_booleans_false or args.strict}


def main(argv=None) -> int:
    args = parse_args(argv)
    generate = None
    if args.generate_users or args.generate_groups:
        seed_value = int(args.generate_seed) if str(args.generate_seed).lstrip("-").isdigit() else args.generate_seed
        generate = {"users": args.generate_users, "groups": args.generate_groups, "seed": seed_value}
    try:
        emulator = EmulatorServer(host=args.host, port=args.port, seed=args.seed, generate=generate,
                                  max_page_size=args.max_page_size, context_path=args.context_path, dialect=args.dialect,
                                  tls_cert=args.tls_cert, tls_key=args.tls_key, fault_rate=args.fault_rate,
                                  fault_seed=args.fault_seed, verbose=args.verbose, switches=switches_of(args))
    except NotImplementedError as exc:
        sys.stderr.write("contrast_emulator: %s\n" % exc)
        return 2
    except (SeedError, ValueError, OSError, ssl.SSLError) as exc:
        sys.stderr.write("contrast_emulator: %s\n" % exc)
        return 2
    stop = threading.Event()

    def request_stop(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    emulator.start()
    sys.stdout.write("listening on %s\n" % emulator.url)
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
