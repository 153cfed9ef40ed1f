# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The unauthenticated ``/_emulator`` control interface for tests."""

from __future__ import annotations

import json
import re

from .answers import Answer, error_body, json_answer
from .model import (
    ApiError,
    CONTROL_PREFIX,
    Organization,
    SeedError,
    check_bool,
    check_epoch_ms,
    check_name,
    check_role,
    now_ms,
)
from .seeds import reject_unknown, seed_check, seed_user
from .state import EmulatorState


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
            record = seed_user(org, entry, org.user_count(), "user")
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
        reject_unknown(doc, self.EDITABLE_FIELDS, "edit")
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
                changes[field] = seed_check(check, "edit", value)
            record.update(changes)
            return self._user_answer(org, record)

    def _user_action(self, user_id: str, action: str, doc) -> Answer:
        state = self.state
        if doc is not None and not isinstance(doc, dict):
            raise SeedError("body must be a JSON object")
        with state.lock:
            org = state.org
            if action == "accept":
                reject_unknown(doc or {}, (), "accept")
                record = org.accept_invitation(user_id)
            else:
                reject_unknown(doc or {}, ("at",), "login")
                at = (doc or {}).get("at")
                at = now_ms() if at is None else check_epoch_ms(at, "at")
                record = org.record_login(user_id, at)
            view = dict(record, org_uuid=org.org_uuid, groups=org.groups_of(user_id))
            return json_answer(200, {"success": True, "user": view})
