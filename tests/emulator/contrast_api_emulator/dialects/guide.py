# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The guide dialect: every route, request-body rule and answer shape of the API as the user-API guide describes it."""

from __future__ import annotations

import bisect
import re

from ..answers import Answer, error_body, json_answer
from ..model import (
    ApiError,
    DEFAULT_PAGE_SIZE,
    Organization,
    ROLES,
    check_bool,
    check_email,
    check_name,
    check_role,
    names_from_username,
)


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
    def count_of(state, total: int):
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
    def shift_users(state, offset: int) -> None:
        """``shift_users``: once, before the first users page past offset 0, add or delete a user."""
        how = state.config["shift_users"]
        if not how or offset == 0 or state.shifted:
            return
        state.shifted = True
        org = state.org
        if how == "add":
            username = "late.joiner.%d@example.com" % (len(org.users) + 1)
            first, last = names_from_username(username)
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
    def omitted_booleans(state, fields: dict, names) -> None:
        """``omitted_booleans_false``: a boolean the body leaves out is false, not its documented default."""
        if state.config["omitted_booleans_false"]:
            for name in names:
                fields.setdefault(name, False)

    @staticmethod
    def refuse_other_org(org: Organization, username: str) -> None:
        if username.lower() in org.other_org_users:
            raise ApiError(409, "User already exists")

    @staticmethod
    def page(state, query: dict):
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
