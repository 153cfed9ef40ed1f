# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared state: the organization, config, fault plan and request log behind one lock (``EmulatorState``)."""

from __future__ import annotations

import random
import threading

from .dialects import DIALECTS
from .faults import RANDOM_FAULT_CHOICES, parse_rule
from .model import DEFAULT_MAX_PAGE_SIZE, REQUEST_LOG_LIMIT, ROLES, ROLE_NAMES, SeedError
from .seeds import build_organization, reject_unknown


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
        reject_unknown(changes, ("max_page_size", "ignore_offset", "api_user_role", "dialect") + tuple(SWITCH_DEFAULTS), "config")
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
        reject_unknown(doc, ("rules", "random_rate", "random_seed"), "faults")
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
