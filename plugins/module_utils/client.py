# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one API client for Contrast's REST API: a transport underneath, the resource calls on top.

Private to this collection: not a public API, may change without notice.

``ContrastClient`` is assembled from one base per responsibility:

* ``transport.Transport``: session, auth headers, retries and backoff, decoding, error texts, paging,
  redaction (with ``answers.AnswerReading`` and ``paging.Paging``);
* ``client_users.UserCalls`` and ``client_groups.GroupCalls``: users, groups and members;
* this class: dialect detection, roles, the profile and the organization.

Every path, query and body comes from the dialect (``dialects.py``); no call here asks which dialect it speaks.
The names other files import from here (errors, input checks, constants) are re-exported from their homes.
"""

from __future__ import annotations

import threading
import time

from ansible_collections.contrast_security.identity.plugins.module_utils.client_groups import GroupCalls
from ansible_collections.contrast_security.identity.plugins.module_utils.client_users import UserCalls
from ansible_collections.contrast_security.identity.plugins.module_utils.detection import auto_read_params, detect_dialect
from ansible_collections.contrast_security.identity.plugins.module_utils.dialects import DIALECTS, GuideDialect
from ansible_collections.contrast_security.identity.plugins.module_utils.errors import (  # noqa: F401 (re-exported)
    ContrastApiError,
    NotAppliedError,
    UnexpectedAnswerError,
    shown,
    verified,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.inputs import (  # noqa: F401 (re-exported)
    DEFAULT_URL,
    id_problem,
    is_loopback_host,
    key_problem,
    normalize_base_url,
    org_uuid_problem,
    unsafe_characters,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.paging import DEFAULT_PAGE_SIZE
from ansible_collections.contrast_security.identity.plugins.module_utils.transport import (  # noqa: F401 (re-exported)
    BACKOFF_BASE,
    BACKOFF_CAP,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    RETRY_AFTER_CAP,
    Transport,
    parse_retry_after,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.users import normalize_user

__all__ = [
    "BACKOFF_BASE", "BACKOFF_CAP", "DEFAULT_PAGE_SIZE", "DEFAULT_URL", "HAS_REQUESTS", "REQUESTS_IMPORT_ERROR",
    "RETRY_AFTER_CAP", "ContrastApiError", "ContrastClient", "NotAppliedError", "UnexpectedAnswerError", "id_problem",
    "is_loopback_host", "key_problem", "normalize_base_url", "org_uuid_problem", "parse_retry_after", "shown",
    "unsafe_characters", "verified",
]


class ContrastClient(UserCalls, GroupCalls, Transport):
    """Talks to one Contrast organization as one API user.

    Thread-safe enough for bounded parallel writes: the backoff pause after a 429 is shared.
    """

    def __init__(self, contrast_url, username, service_key, api_key, org_uuid, validate_certs=True, ca_path=None,
                 timeout=30, retries=5, dialect="guide", sleep=time.sleep, rng=None,
                 backoff_base=BACKOFF_BASE, backoff_cap=BACKOFF_CAP):
        if dialect != "auto" and dialect not in DIALECTS:
            raise ValueError("contrast_api_dialect must be auto or one of %s, got %r" % (", ".join(sorted(DIALECTS)), dialect))
        super(ContrastClient, self).__init__(contrast_url, username, service_key, api_key, org_uuid,
                                             validate_certs=validate_certs, ca_path=ca_path, timeout=timeout,
                                             retries=retries, sleep=sleep, rng=rng, backoff_base=backoff_base,
                                             backoff_cap=backoff_cap)
        # "auto": unknown until the first response whose shape tells (then cached for this client).
        self.dialect_setting = dialect
        self._dialect = None if dialect == "auto" else DIALECTS[dialect]
        self.dialect_detected_from = None
        # Worker threads that all find the dialect unknown (an empty org's listing does not tell) settle it once.
        self._dialect_lock = threading.RLock()  # re-entered by _observe under dialect
        self._roles = None  # [{canonical, name, id, description}] as the server lists them, read once
        # Users as last read: raw objects by canonical id (a TeamServer edit repeats their current values),
        # canonical users by every id a member entry may name them by (member matching).
        self._raw_users = {}
        self._users_by_key = {}
        self._listed_all = False
        self._listed_ids = []  # canonical ids of the last whole listing (groups_with_members)
        self._listed_page_size = DEFAULT_PAGE_SIZE
        self._profile_read = False
        self._groups_read_for_write = {}  # str(group id): the group as read right before its membership write
        self._groups_listed = None  # the whole group list as last read (a user's group entry names one of them)
        self._users_carry_groups = False  # the last plan took the members from the users' groups (members_for_plan)
        self._members_unpaged = False  # a member list was answered whole, beyond the page asked for
        self._last_user_count = None
        self.added_existing = set()  # logins added from another organization (POST users/existing)

    # ------------------------------------------------------------------ dialect
    @property
    def dialect(self):
        """The dialect in use. In auto mode, before any response told, one ``GET /ng/profile`` decides: one for
        the whole client, however many threads ask at once (the others wait for its answer)."""
        if self._dialect is None:
            with self._dialect_lock:
                if self._dialect is None:
                    data = self.request("GET", GuideDialect.profile_path())
                    self._observe(data, "user", "GET /ng/profile")
                if self._dialect is None:
                    self._dialect = DIALECTS["guide"]
                    self.dialect_detected_from = "default (GET /ng/profile did not tell)"
        return self._dialect

    @property
    def _read_dialect(self):
        """The dialect for a read whose path both dialects share: the known one, else the guide's paths."""
        return self._dialect or GuideDialect

    def _observe(self, data, kind, source):
        """Settle the dialect from a response's shape (auto mode, first time only)."""
        if self._dialect is not None:
            return
        name = detect_dialect(data, kind)
        if name is not None:
            with self._dialect_lock:
                if self._dialect is None:  # the first answer that told, and where it came from, stay
                    self._dialect = DIALECTS[name]
                    self.dialect_detected_from = source

    def _read(self, path, kind):
        """GET one object, letting its shape settle the dialect (auto mode asks for what any dialect needs)."""
        known = self._dialect
        params = known.read_params(kind) if known else auto_read_params(kind)
        data = self.request("GET", path, params=params or None)
        if known is None:
            self._observe(data, kind, "GET %s" % path)
        return data

    def server_role(self, role):
        """The server's entry ``{canonical, name, id}`` for a canonical role, or None for None.

        A dialect whose server names roles its own way (TeamServer) reads them once; a role the
        server does not list raises before any write, naming the roles it does list.
        """
        if role is None:
            return None
        if not self.dialect.server_names_roles:
            return {"canonical": role, "name": role, "id": None}
        if self._roles is None:
            self.list_roles()
        for entry in self._roles:
            if entry["canonical"] == role:
                return entry
        raise ContrastApiError("GET", self.dialect.roles_path(self.org_uuid), 200, detail=(
            "The server lists no role matching %s, so nothing was written. Its roles are: %s" % (
                role, ", ".join("%s (%s)" % (entry["name"], entry["canonical"]) for entry in self._roles) or "none")))

    def require_roles(self, roles) -> None:
        """Raise (before any write) when the server lists no role for one of these canonical roles."""
        for role in sorted(set(role for role in roles if role)):
            self.server_role(role)

    # ------------------------------------------------------------------ lists
    def read_list(self, path: str, kind: str, page_size: int = DEFAULT_PAGE_SIZE, params=None, paged=True, until=None):
        """Every item of a list (`kind`: users, groups or members), however the server pages it (paging.read_pages,
        with the dialect's sections of an answer); each page's shape is checked, and in auto mode the first
        users or groups page that tells settles the dialect."""
        def on_page(data):
            if self._dialect is None and kind in ("users", "groups"):
                self._observe(data, kind, "GET %s" % path)
            self._check_list_shape(data)
            if kind == "members":
                # Members are not read again as users: a page of odd ones fails here, not after paging on.
                for _name, items, _count in self._read_dialect.list_sections(kind, data):
                    for item in items:
                        self._check_user_shape(item)
                    if len(items) > page_size:
                        self._members_unpaged = True  # this server answers a member read in one request
        found = self.read_pages(path, lambda data: self._read_dialect.list_sections(kind, data), page_size, params,
                                paged, until, on_page)
        if kind == "users" and until is None and not (params or {}).get("q"):
            self._last_user_count = len(found)
        return found

    # ------------------------------------------------------------------ org
    def get_profile(self) -> dict:
        """The API user, canonical (``GET /ng/profile``, with the ``expand`` values that endpoint lists)."""
        path = self._read_dialect.profile_path()
        params = self._dialect.read_params("profile") if self._dialect else auto_read_params("profile")
        data = self.request("GET", path, params=params or None)
        self._observe(data, "user", "GET %s" % path)
        raw = self._object(data, "user")
        self._check_user_shape(raw)
        self._profile_read = True
        # The API user may be a group member without being listed among the org's users: name it by its ids too.
        profile = normalize_user(raw)
        if profile["user_id"] is not None:
            for key in (self._dialect or GuideDialect).user_keys(raw) + [str(profile["user_id"])]:
                self._users_by_key.setdefault(key, profile)
        return profile

    def check_organization(self) -> None:
        """Raise ContrastApiError when org_uuid is not an organization the caller can reach.

        Where the dialect has no organization endpoint (the guide) this reads nothing: its
        org-scoped reads (roles, users) fail on a wrong org by themselves.
        """
        path = self.dialect.organization_path(self.org_uuid)
        if path:
            self.request("GET", path)

    def list_roles(self) -> list:
        """``[{name: ROLE_*, description}]``; the server's own names are kept for writes (server_role)."""
        dialect = self.dialect
        data = self.request("GET", dialect.roles_path(self.org_uuid))
        for key in ("roles", "groups"):
            for role in self._items(data, key, "role") if data.get(key) is not None else []:
                self._role_named(role)
        self._roles = dialect.roles_of(data)
        return [{"name": role["canonical"], "description": role["description"]} for role in self._roles]
