# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Building an organization from a seed document or the generator (``build_organization``)."""

from __future__ import annotations

import json
import random

from .model import (
    ApiError,
    DAY_MS,
    DEFAULT_API_KEY,
    DEFAULT_API_USERNAME,
    DEFAULT_ORG_UUID,
    DEFAULT_SERVICE_KEY,
    EMAIL_RE,
    Organization,
    SEED_EPOCH_MS,
    SeedError,
    USER_ID_RE,
    UUID_RE,
    check_bool,
    check_email,
    check_epoch_ms,
    check_name,
    check_role,
    names_from_username,
    now_ms,
    scope_error,
)


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

SEED_TOP_FIELDS = ("org_uuid", "api_user", "users", "groups", "generate", "other_org_users")
SEED_API_USER_FIELDS = ("username", "service_key", "api_key")
SEED_USER_FIELDS = (
    "user_id", "username", "email", "first_name", "last_name", "role", "enabled", "pending", "api_only",
    "protect_enabled", "date_created", "last_login",
)
SEED_GROUP_FIELDS = ("group_id", "name", "description", "members", "scope", "predefined")
GENERATE_FIELDS = ("users", "groups", "seed")


def reject_unknown(doc: dict, allowed, where: str) -> None:
    # Keys starting with "_" are comments, so seed files can document themselves.
    unknown = sorted(key for key in doc if key not in allowed and not str(key).startswith("_"))
    if unknown:
        raise SeedError("%s: unknown field(s) %s" % (where, ", ".join(unknown)))


def seed_check(check, where: str, *args):
    """Run a field check, turning its ApiError into a SeedError that says where."""
    try:
        return check(*args)
    except ApiError as exc:
        raise SeedError("%s: %s" % (where, "; ".join(exc.messages))) from None


def parse_generate(spec) -> dict:
    """Validate ``{"users": N, "groups": M, "seed": S}``."""
    if not isinstance(spec, dict):
        raise SeedError("generate must be an object")
    reject_unknown(spec, GENERATE_FIELDS, "generate")
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


def seed_user(org: Organization, entry, index: int, where: str) -> dict:
    if not isinstance(entry, dict):
        raise SeedError("%s must be an object" % where)
    reject_unknown(entry, SEED_USER_FIELDS, where)
    if "username" not in entry:
        raise SeedError("%s: username is required" % where)
    username = seed_check(check_email, where, entry["username"], "username")
    first, last = names_from_username(username)
    record = {
        "username": username,
        "email": seed_check(check_email, where, entry.get("email", username)),
        "first_name": seed_check(check_name, where, entry.get("first_name", first), "first_name"),
        "last_name": seed_check(check_name, where, entry.get("last_name", last), "last_name"),
        "role": seed_check(check_role, where, entry.get("role", "ROLE_VIEW")),
        "date_created": seed_check(check_epoch_ms, where, entry.get("date_created", SEED_EPOCH_MS + index * DAY_MS), "date_created"),
        "last_login": seed_check(check_epoch_ms, where, entry.get("last_login"), "last_login", True),
    }
    for field, default in (("enabled", True), ("pending", False), ("api_only", False), ("protect_enabled", False)):
        record[field] = seed_check(check_bool, where, entry.get(field, default), field)
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
    reject_unknown(doc, SEED_TOP_FIELDS, "seed")
    org_uuid = doc.get("org_uuid", DEFAULT_ORG_UUID)
    if not isinstance(org_uuid, str) or not UUID_RE.match(org_uuid):
        raise SeedError("seed: org_uuid must be a UUID")
    api_user = doc.get("api_user", {})
    if not isinstance(api_user, dict):
        raise SeedError("seed: api_user must be an object")
    reject_unknown(api_user, SEED_API_USER_FIELDS, "api_user")
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
        record = seed_user(org, entry, index, "users[%d]" % index)
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
        reject_unknown(entry, SEED_GROUP_FIELDS, where)
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
        if scope is not None and scope_error(scope):
            raise SeedError("%s: scope: %s" % (where, scope_error(scope)))
        predefined = seed_check(check_bool, where, entry.get("predefined", False), "predefined")
        org.insert_group(group_id, name, description, member_ids, scope=scope, predefined=predefined)
    others = doc.get("other_org_users", [])
    if not isinstance(others, list) or not all(isinstance(name, str) and EMAIL_RE.match(name) for name in others):
        raise SeedError("seed: other_org_users must be a list of logins (users of other organizations)")
    org.other_org_users = set(name.lower() for name in others)
    org.ensure_api_user()
    return org


def load_seed_file(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise SeedError("cannot read seed file %s: %s" % (path, exc)) from None
