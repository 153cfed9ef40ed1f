# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The teamserver dialect: the same state in the shapes of Contrast's published TeamServer reference."""

from __future__ import annotations

import json
import uuid

from ..answers import Answer, json_answer
from ..model import ApiError, Organization, check_bool, check_email, check_name, names_from_username, scope_error
from .guide import GuideDialect, Route


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
    def _uid(state, record: dict) -> str:
        """A user's user_uid: its 32-hex id, or its login (``user_uid_as_login``)."""
        return record["username"] if state.config["user_uid_as_login"] else record["user_id"]

    @staticmethod
    def _record_of(state, uid):
        """The user a user_uid names, or None."""
        org = state.org
        if not isinstance(uid, str):
            return None
        if state.config["user_uid_as_login"]:
            return org.find_username(uid)
        return org.users.get(uid)

    def _user(self, state, user_id: str) -> dict:
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

    def _written(self, org: Organization, user_id: str, group_ids, message: str):
        """A user write's end: the user in exactly the groups the body names (None: groups untouched); the answer."""
        if group_ids is not None:
            self._set_user_groups(org, user_id, group_ids)
        return json_answer(200, {"success": True, "messages": [message], "errors": []})

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

    def _new_login_fields(self, call, allowed, required, other_org: bool):
        """The checked login and fields (group ids under ``_groups``) of a create or an add of an existing user:
        ``other_org`` says whether the login must be (add) or must not be (create) another organization's user."""
        org = call.state.org
        self._check_fields(call.body, allowed, required)
        username = self._checked(check_email, "username", call.body["username"], "username")
        if other_org and username.lower() not in org.other_org_users:
            raise FieldErrors("User not found", [("username", "No user of another organization has this username")])
        if not other_org and username.lower() in org.other_org_users:
            raise FieldErrors("User already exists", [("username", "A user with this username already exists")])
        fields = self._user_fields(org, call.body)
        self._flags(call.state, call.body, fields)
        return username, fields

    @_fielded
    def create_user(self, call):
        """NewUserResponse: no user in the answer (find it with GET users?q=...)."""
        org = call.state.org
        username, fields = self._new_login_fields(call, self.CREATE_FIELDS, self.CREATE_REQUIRED, other_org=False)
        group_ids = fields.pop("_groups")
        first, last = names_from_username(username)
        fields.setdefault("first_name", first)
        fields.setdefault("last_name", last)
        fields.setdefault("role", "ROLE_VIEW")
        fields.update(username=username, email=username)
        record = org.create_user(fields)
        self._keep_preferences(org, record["user_id"], call.body)
        return self._written(org, record["user_id"], group_ids or None, "User created successfully.")

    @_fielded
    def add_existing_user(self, call):
        """ExistingUserRequest: a user of another organization joins this one (no invitation); NewUserResponse."""
        org = call.state.org
        username, fields = self._new_login_fields(call, ("username", "role", "enabled", "api_only", "protect", "groups"),
                                                  ("username", "role"), other_org=True)
        group_ids = fields.pop("_groups")
        first, last = names_from_username(username)
        fields.update(username=username, email=username, first_name=first, last_name=last)
        record = org.create_user(fields)
        org.outbox.pop()  # an existing account: no invitation
        record["pending"] = False
        org.other_org_users.discard(username.lower())
        return self._written(org, record["user_id"], group_ids or None, "User added successfully.")

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
        return self._written(org, record["user_id"], group_ids, "User updated successfully.")

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
        problem = scope_error(scope)
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
