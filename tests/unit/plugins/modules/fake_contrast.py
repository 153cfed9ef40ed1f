# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An in-memory stand-in for ContrastClient, and a runner that calls a module's main() with it.

The fake keeps canonical users and groups, records every write, and can be told to lose the
answer of a write (apply it, then raise an error whose outcome is unknown) or to refuse it.
"""

from __future__ import annotations

import copy
import itertools
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.contrast_security.identity.plugins.module_utils import base
from ansible_collections.contrast_security.identity.plugins.module_utils.client import ContrastApiError
from ansible_collections.contrast_security.identity.plugins.module_utils.users import normalize_user, same_username

ORG = "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"
API_USER = "api.admin@example.com"
CONNECTION = {
    "contrast_url": "https://contrast.example.com/Contrast",
    "contrast_username": API_USER,
    "contrast_service_key": "UNIT-SERVICE-KEY",
    "contrast_api_key": "UNIT-API-KEY",
    "org_uuid": ORG,
}
ROLES = ("ROLE_ADMIN", "ROLE_EDIT", "ROLE_RULES_ADMIN", "ROLE_VIEW", "ROLE_NO_ACCESS")


class FakeClient:
    """Users and groups in memory, with the public surface of ContrastClient the modules use.

    `lose` and `refuse`: sets of (operation, key) whose write is applied-then-lost or refused, where
    operation is create/update/delete/members and key the username, user id or group id (or None
    for every write of that operation).
    """

    def __init__(self, users=(), groups=()):
        self.username = API_USER
        self.org_uuid = ORG
        self._ids = itertools.count(1)
        self.users = {}
        for raw in users:
            user = self._canonical(raw)
            self.users[user["user_id"]] = user
        self.groups = {}
        for index, group in enumerate(groups, start=1):
            members = [self._by_name(name)["user_id"] for name in group.get("members", [])]
            self.groups[index] = {"group_id": index, "name": group["name"], "description": None, "members": members}
        self.writes = []
        self.lose = set()
        self.refuse = set()

    # ---- helpers ----
    def _canonical(self, raw):
        raw = dict(raw)
        raw.setdefault("user_id", "id%04d" % next(self._ids))
        raw.setdefault("email", raw["username"])
        raw.setdefault("first_name", "First")
        raw.setdefault("last_name", "Last")
        raw.setdefault("role", "ROLE_VIEW")
        raw.setdefault("enabled", True)
        raw.setdefault("api_only", False)
        raw.setdefault("protect_enabled", False)
        raw.setdefault("date_created", 1700000000000)
        raw.setdefault("last_login", None)
        return normalize_user(raw, org_uuid=ORG)

    def _by_name(self, username):
        for user in self.users.values():
            if same_username(user["username"], username):
                return user
        raise KeyError(username)

    def _write(self, operation, key, path, apply):
        self.writes.append((operation, key))
        if (operation, key) in self.refuse or (operation, None) in self.refuse:
            raise ContrastApiError("PUT" if operation != "create" else "POST", path, 500, ["Internal server error"], outcome_unknown=True)
        value = apply()
        if (operation, key) in self.lose or (operation, None) in self.lose:
            raise ContrastApiError("PUT" if operation != "create" else "POST", path, 502, ["Bad gateway"], outcome_unknown=True)
        return value

    @staticmethod
    def redact(text):
        return text

    def snapshot(self):
        """Users (by lowercased username, without ids) and groups (name: sorted member usernames)."""
        users = dict((user["username"].lower(), dict((key, value) for key, value in user.items() if key != "user_id"))
                     for user in self.users.values())
        groups = dict((group["name"], sorted(self.users[user_id]["username"].lower() for user_id in group["members"]))
                      for group in self.groups.values())
        return {"users": users, "groups": groups}

    # ---- users ----
    def list_users(self, page_size=100):
        return [copy.deepcopy(user) for user in self.users.values()]

    def find_user(self, username, page_size=100):
        for user in self.users.values():
            if same_username(user["username"], username):
                return copy.deepcopy(user)
        return None

    def find_users(self, usernames, page_size=100):
        return dict((name.lower(), self.find_user(name)) for name in usernames)

    added_existing = frozenset()

    def require_roles(self, roles):
        for role in roles:
            if role is not None and role not in ROLES:
                raise ContrastApiError("GET", "/ng/%s/roles" % ORG, 200, detail="The server lists no role matching %s" % role)

    def get_user(self, user_id):
        user = self.users.get(user_id)
        return copy.deepcopy(user) if user else None

    def create_user(self, fields, find=True):
        def apply():
            if self.find_user(fields["username"]) is not None:
                raise ContrastApiError("POST", "/ng/%s/users" % ORG, 409, ["User already exists"])
            user = self._canonical(dict(fields, date_created=1800000000000))
            self.users[user["user_id"]] = user
            return copy.deepcopy(user)
        return self._write("create", fields["username"], "/ng/%s/users" % ORG, apply)

    def update_user(self, user_id, changes):
        def apply():
            self.users[user_id].update(changes)
            return copy.deepcopy(self.users[user_id])
        return self._write("update", user_id, "/ng/%s/users/%s" % (ORG, user_id), apply)

    def delete_user(self, user_id):
        def apply():
            if user_id not in self.users:
                return False
            del self.users[user_id]
            for group in self.groups.values():
                group["members"] = [member for member in group["members"] if member != user_id]
            return True
        return self._write("delete", user_id, "/ng/%s/users/%s" % (ORG, user_id), apply)

    # ---- groups ----
    def list_groups(self, page_size=100):
        return [{"group_id": group["group_id"], "name": group["name"], "description": None} for group in self.groups.values()]

    def list_group_members(self, group_id, page_size=100):
        return [{"user_id": user_id, "username": self.users[user_id]["username"]} for user_id in self.groups[int(group_id)]["members"]]

    def members_for_plan(self, groups, listed_groups, page_size=100):
        return dict((group["group_id"], self.list_group_members(group["group_id"], page_size)) for group in groups)

    def group_members_for_write(self, group_id, page_size=100):
        return self.list_group_members(group_id, page_size)

    def members_read_back(self, written, created_ids=(), page_size=100):
        return None  # each group read back on its own (the real client's choice is tested against the emulator)

    def set_group_members(self, group_id, user_ids):
        def apply():
            self.groups[int(group_id)]["members"] = list(dict.fromkeys(str(user_id) for user_id in user_ids))
        return self._write("members", int(group_id), "/ng/%s/groups/%s/users" % (ORG, group_id), apply)

    def group_names_by_user(self, page_size=100):
        names = {}
        for group in self.groups.values():
            for user_id in group["members"]:
                names.setdefault(user_id, []).append(group["name"])
        return names

    # ---- org ----
    def get_profile(self):
        return normalize_user({"username": API_USER, "role": "ROLE_ADMIN", "first_name": "API", "last_name": "Admin"})

    def list_roles(self):
        return [{"name": role, "description": role.title()} for role in ROLES]


class ModuleExit(Exception):
    """exit_json or fail_json was called; `result` holds what the module returned."""

    def __init__(self, result):
        super(ModuleExit, self).__init__(result)
        self.result = result


def _exit_json(self, **result):
    result.setdefault("changed", False)
    raise ModuleExit(result)


def _fail_json(self, msg, **result):
    result["failed"] = True
    result["msg"] = msg
    result.setdefault("changed", False)
    raise ModuleExit(result)


def run_module(module, client, args, check_mode=False, diff=True):
    """Run `module.main()` with `args` (plus connection options) against `client`; return its result."""
    module_args = dict(CONNECTION, **args)
    module_args["_ansible_check_mode"] = check_mode
    module_args["_ansible_diff"] = diff
    with patch_module_args(module_args), \
            mock.patch.object(base.ContrastModule, "client", new=property(lambda self: client)), \
            mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), \
            mock.patch.object(basic.AnsibleModule, "fail_json", _fail_json):
        with pytest.raises(ModuleExit) as caught:
            module.main()
    return caught.value.result
