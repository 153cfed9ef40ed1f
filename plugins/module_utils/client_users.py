# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's user calls: read, find, create, update and delete users, each answer made canonical.

Private to this collection: not a public API, may change without notice.

A base of client.ContrastClient (it uses the client's dialect, role look-up and transport).
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.detection import auto_read_params
from ansible_collections.contrast_security.identity.plugins.module_utils.dialects import GuideDialect
from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError, shown, verified
from ansible_collections.contrast_security.identity.plugins.module_utils.paging import DEFAULT_PAGE_SIZE
from ansible_collections.contrast_security.identity.plugins.module_utils.users import normalize_user, same_username


# A user object's documented fields and their JSON types (exact types: decoded JSON has no subclasses), with what a
# wrong one is said to have been expected.
_USER_FIELD_TYPES = {}
for _keys, _types, _meaning in (
        (("user_id", "user_uid", "id"), (str, int), "an id"),
        (("username", "email", "first_name", "last_name"), (str,), "text"),
        (("enabled", "api_only", "protect_enabled", "rasp_enabled"), (bool,), "true or false"),
        (("date_created", "last_login"), (int,), "epoch milliseconds"),
        (("role",), (str, dict), "a role")):
    for _key in _keys:
        _USER_FIELD_TYPES[_key] = (frozenset(_types), _meaning)


class UserCalls:
    """Users of the organization (a base class of ContrastClient: see the module docstring)."""

    def _user(self, raw) -> dict:
        """Canonical user from a raw one; remembers the raw object (for complete edits) and its ids (for members)."""
        self._check_user_shape(raw)
        dialect = self._dialect or GuideDialect
        shown = dict((key, value) for key, value in raw.items() if key != "groups") if dialect.groups_read_for_edits else raw
        user = normalize_user(shown, org_uuid=self.org_uuid)
        user_id = user["user_id"]
        if user_id is not None:
            user_id = str(user_id)
            self._raw_users[user_id] = raw
            by_key = self._users_by_key
            by_key[user_id] = user
            for key in dialect.user_keys(raw):
                by_key[key] = user
        return user

    def _check_user_shape(self, raw):
        """UnexpectedAnswerError when a user object's fields are not of the documented types."""
        if not isinstance(raw, dict):
            raise self.unexpected("a user is %s where an object was expected" % shown(raw))
        # Runs once per user of every listing: only the fields present are looked at, and decoded JSON has exact
        # types (a bool is never taken for an int here: bool is not int by type).
        expected_of = _USER_FIELD_TYPES.get
        for key, value in raw.items():
            expected = expected_of(key)
            if expected is None or value is None or type(value) in expected[0]:  # pylint: disable=unidiomatic-typecheck
                continue
            raise self.unexpected("a user's %s is %s where %s (or null) was expected" % (key, shown(value), expected[1]))
        for outer, inner in (("login", "last_login_time"), ("signup", "signup_date")):
            value = raw.get(outer)
            if value is None:
                continue
            inner_value = value.get(inner) if isinstance(value, dict) else None
            if not isinstance(value, dict) or (inner_value is not None and (
                    not isinstance(inner_value, int) or isinstance(inner_value, bool))):
                raise self.unexpected("a user's %s is %s where an object with epoch milliseconds was expected"
                                      % (outer, shown(value)))

    def _user_params(self, kind="users"):
        dialect = self._dialect
        return dict(dialect.read_params(kind) if dialect else auto_read_params(kind))

    def list_users(self, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Every user of the organization, canonical, each once."""
        seen = set()
        users = []
        raws = self.read_list(self._read_dialect.users_path(self.org_uuid), "users", page_size, self._user_params())
        for raw in raws:
            user = self._user(raw)
            if user["user_id"] in seen:
                continue
            seen.add(user["user_id"])
            users.append(user)
        self._listed_all = True
        self._listed_ids = [str(user["user_id"]) for user in users]  # this listing's users (groups_with_members)
        self._listed_page_size = page_size  # a read-back listing (members_read_back) pages as this one did
        return users

    def get_user(self, user_id: str):
        """One user by id, canonical, or None when there is no such user."""
        try:
            data = self._read(self._read_dialect.user_path(self.org_uuid, user_id), "user")
        except ContrastApiError as err:
            if self._unknown_id(err):
                return None
            raise
        return self._user(self._object(data, "user"))

    def find_user(self, username: str, page_size: int = DEFAULT_PAGE_SIZE):
        """One user by login (case-insensitive, exact), or None. Narrowed by the server's search where it has
        one (TeamServer's ``q``); otherwise paging only as far as needed."""
        params = self._user_params()
        search = self._read_dialect.search_params(username) if self._dialect else None
        params.update(search or {})
        found = self.read_list(self._read_dialect.users_path(self.org_uuid), "users", page_size, params,
                               until=lambda raw: same_username(normalize_user(raw)["username"], username))
        for raw in found:
            user = self._user(raw)
            if same_username(user["username"], username):
                return user
        return None

    def find_users(self, usernames, page_size=None) -> dict:
        """``{login lowercased: user or None}`` for several logins, by the cheaper of one search per login
        and one pass over the whole list (its page count known from the last full read). `page_size`: by default
        that of the last whole listing (contrast_roster's own)."""
        page_size = page_size or self._listed_page_size
        usernames = list(dict.fromkeys(name.strip().lower() for name in usernames))
        if not usernames:
            return {}
        pages = -(-((self._last_user_count or 0) + len(usernames)) // page_size)
        if self._read_dialect.search_params("x") is not None and len(usernames) <= pages:
            return dict((name, self.find_user(name, page_size)) for name in usernames)
        by_name = dict(((user["username"] or "").lower(), user) for user in self.list_users(page_size))
        return dict((name, by_name.get(name)) for name in usernames)

    def _complete(self, raw: dict, user_id=None) -> dict:
        """A write's answer may carry only part of the user (the guide's examples do): re-read then."""
        user = self._user(raw or {})
        if user["user_id"] and all(user[key] is not None for key in ("username", "role", "enabled", "date_created")):
            return user
        fresh = self.get_user(user["user_id"] or user_id)
        if fresh is None:
            raise ContrastApiError("GET", self.dialect.user_path(self.org_uuid, user["user_id"] or user_id), 404,
                                   detail="The user vanished right after it was written")
        return fresh

    def _created(self, data, username, find):
        """The user a create made: from its answer when that carries it, else found by its login."""
        raw = self.dialect.user_of(data)
        if raw is not None and normalize_user(raw)["user_id"]:
            return self._complete(raw)
        if not find:
            return None
        return self.find_created(username)

    def find_created(self, username: str) -> dict:
        """The user a create accepted, found by its login (one search where the dialect has one)."""
        user = self.find_user(username)
        if user is None:
            raise self.created_not_found(username)
        return user

    def created_not_found(self, username: str) -> ContrastApiError:
        """The error of a create the server accepted whose user cannot be found by its login."""
        return ContrastApiError("GET", self.dialect.users_path(self.org_uuid), 200, detail=(
            "The server accepted the creation of %s, but no user with that login can be found" % username))

    def create_user(self, fields: dict, find: bool = True):
        """Create (and so invite) a user; returns it canonical (None when `find` is False and the answer does not
        carry it: the caller then finds several at once, see find_users).

        Never sends a second POST for a user that may already exist: after an answer that leaves
        the outcome unknown, look the user up and only try again when it is not there. A create refused
        because the login exists in another organization adds that user instead (POST users/existing,
        where the dialect has it), recorded in `added_existing`.
        """
        dialect = self.dialect
        path = dialect.users_path(self.org_uuid)
        role = self.server_role(fields.get("role"))
        body = dialect.create_user_body(fields, role)
        outcome_was_unknown = False
        for attempt in range(self.retries + 1):
            lost = []
            try:
                # A lost answer is read back by login: our earlier POST may have gone through.
                answer = verified(lambda: self.request("POST", path, body=body), lambda: self.find_user(fields["username"]),
                                  on_lost=lost.append)
            except ContrastApiError as err:
                if err.read_back_error is not None:
                    raise err.read_back_error from None  # whether the POST went through is unknown: never re-sent
                # A 409 after an attempt that may have been applied (a lost answer, or a 429 re-sent by request())
                # is most likely our own earlier POST: look it up.
                if err.status == 409 and (outcome_was_unknown or err.attempts > 1):
                    existing = self.find_user(fields["username"])
                    if existing is not None:
                        return existing
                if (not outcome_was_unknown and err.status in (400, 409) and dialect.existing_user_path(self.org_uuid)
                        and dialect.create_refused_as_existing(err.messages)
                        and self.find_user(fields["username"]) is None):
                    return self._add_existing(fields, role, find)
                if not err.outcome_unknown:
                    raise
                outcome_was_unknown = True
                if attempt == self.retries:
                    raise ContrastApiError(err.method, err.path, err.status, err.messages, err.detail,
                                           attempts=attempt + 1)
                self._sleep(self._backoff_delay(attempt))
                continue
            return answer if lost else self._created(answer, fields["username"], find)
        raise AssertionError("unreachable")  # pragma: no cover

    def _add_existing(self, fields, role, find):
        """Add a user of another organization to this one (ExistingUserRequest); no invitation is sent."""
        dialect = self.dialect
        data = self.request("POST", dialect.existing_user_path(self.org_uuid), body=dialect.existing_user_body(fields, role))
        self.added_existing.add(fields["username"].strip().lower())
        return self._created(data, fields["username"], find)

    def update_user(self, user_id: str, changes: dict) -> dict:
        """Apply `changes` (canonical fields) to a user; returns it canonical, as the server answered or, where
        the answer carries no user (TeamServer), as read before the edit with the changes applied."""
        dialect = self.dialect
        user_id = str(user_id)
        role = self.server_role(changes.get("role"))
        current = self._raw_users.get(user_id)
        if current is None and (dialect.update_needs_current(changes) or not dialect.answers_carry_user):
            if self.get_user(user_id) is None:
                raise ContrastApiError("GET", dialect.user_path(self.org_uuid, user_id), 404,
                                       detail="No user has id %s" % user_id)
            current = self._raw_users.get(user_id)
        data = {}
        for method, path, body in dialect.update_calls(self.org_uuid, user_id, changes, current, role):
            data = self.request(method, path, body=body)
        raw = dialect.user_of(data)
        if raw is not None:
            return self._complete(raw, user_id=user_id)
        # The answer carries no user (TeamServer; or a 200 that is not the documented answer): read it back, so that
        # what is returned, and verified by the caller, is what the server holds (a 200 is not proof it took).
        self._raw_users.pop(user_id, None)
        return self._complete({}, user_id=user_id)

    def delete_user(self, user_id: str) -> bool:
        """Delete a user; False when it was already gone (a retried DELETE can meet its own success).

        TeamServer's "Authorization failure" on the DELETE may also be a caller not allowed to delete
        (who may well read): the user is read back, and when it is still there, the DELETE was refused.
        """
        try:
            self.request("DELETE", self._read_dialect.user_path(self.org_uuid, user_id))
        except ContrastApiError as err:
            if err.status == 404:
                return False
            if not self._authorization_failure(err):
                raise
            try:
                still_there = self.get_user(user_id) is not None
            except ContrastApiError as probe:
                if probe.status == 403:  # not even allowed to read it
                    err.detail = self.permission_detail()
                raise err from None
            if not still_there:
                return False
            err.detail = self.permission_detail()
            raise err from None
        return True

    @staticmethod
    def _authorization_failure(err) -> bool:
        """TeamServer's 401/403 "Authorization failure": an id it does not know, or a caller without the permission."""
        return err.status in (401, 403) and any("authorization failure" in message.lower() for message in err.messages)

    def _unknown_id(self, err) -> bool:
        """Whether a failed read of one object means "there is no such object".

        A 404 does. TeamServer's "Authorization failure" is ambiguous: it answers the same for an id it
        does not know and for a caller whose role does not allow the read. One users page of one user
        tells them apart: refused too, the caller lacks the permission (``err`` then says so and is not
        an unknown id); read, the id is unknown. Taking a permission denial for "no such user" would
        make a module create a user that exists or report a deletion that never happened.
        """
        if err.status == 404:
            return True
        if not self._authorization_failure(err):
            return False
        try:
            self.request("GET", self._read_dialect.users_path(self.org_uuid), params={"offset": 0, "limit": 1})
        except ContrastApiError as probe:
            if probe.status == 403:
                err.detail = self.permission_detail()
            return False
        return True
