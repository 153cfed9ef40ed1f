# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The client's group calls: list the access groups and their members, replace a group's members.

Private to this collection: not a public API, may change without notice.

A base of client.ContrastClient (it uses the client's dialect, user reads and transport).
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.dialects import GuideDialect
from ansible_collections.contrast_security.identity.plugins.module_utils.teamserver_scope import ScopeError
from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError, shown
from ansible_collections.contrast_security.identity.plugins.module_utils.paging import DEFAULT_PAGE_SIZE


class GroupCalls:
    """Access groups and their members (a base class of ContrastClient: see the module docstring)."""

    def list_groups(self, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Every access group (custom and predefined), ``[{group_id, name, description}]``, each once."""
        groups = []
        seen = set()
        raws = self.read_list(self._read_dialect.groups_path(self.org_uuid), "groups", page_size)
        for raw in raws:
            group = (self._dialect or GuideDialect).group_of(raw)
            group_id = group["group_id"]
            if isinstance(group_id, bool) or not isinstance(group_id, (str, int)) or not isinstance(group["name"], str):
                raise self.unexpected("a group is %s where an object with a group_id and a name was expected" % shown(raw))
            if group["group_id"] in seen:
                continue
            seen.add(group["group_id"])
            groups.append(dict((key, group[key]) for key in ("group_id", "name", "description")))
        return groups

    def _member(self, raw, lookup: bool) -> dict:
        """A member entry as ``{user_id, username}``: the entry's own login when it has one (the guide), else
        the user it names by id (TeamServer's UserBaseResource: ``uid`` is the user's user_uid, ``id`` its UUID)."""
        self._check_user_shape(raw)
        keys = self.dialect.member_keys(raw)
        username = raw.get("username") or raw.get("email")
        if username is not None and not isinstance(username, str):
            raise self.unexpected("a member's login is %s where text was expected" % shown(username))
        if username and keys:
            return {"user_id": keys[0], "username": username}
        for key in keys:
            if key in self._users_by_key:
                user = self._users_by_key[key]
                return {"user_id": user["user_id"], "username": user["username"]}
        if lookup and keys:
            user = self.get_user(keys[0])
            if user is not None:
                return {"user_id": user["user_id"], "username": user["username"]}
        return {"user_id": keys[0] if keys else None, "username": None}

    def list_group_members(self, group_id, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Members of one group as ``[{user_id, username}]`` (canonical user ids), pending invitations included,
        read completely (a membership write replaces the whole list, so it is built only from a whole read)."""
        dialect = self.dialect
        raws = self.read_list(dialect.group_members_path(self.org_uuid, group_id), "members", page_size,
                              paged=dialect.members_paged)
        unknown = [raw for raw in raws if self._member(raw, lookup=False)["username"] is None]
        if unknown and not self._listed_all:
            self.list_users(page_size)  # one pass names every member, rather than one read each
            unknown = [raw for raw in raws if self._member(raw, lookup=False)["username"] is None]
        if unknown and not self._profile_read:
            self.get_profile()  # the API user: a member, yet not always listed among the users
        members = []
        seen = set()
        for raw in raws:
            member = self._member(raw, lookup=True)
            if member["user_id"] in seen:
                continue
            seen.add(member["user_id"])
            members.append(member)
        return members

    def set_group_members(self, group_id, user_ids) -> None:
        """Replace the group's whole member list (that is what the API's write does).

        TeamServer: the group is read and PUT back whole, its name and scope as read (the scope rebuilt
        from the read; when it cannot be, nothing is written), only its users replaced.
        """
        dialect = self.dialect
        group = None
        if dialect.membership_needs_group:
            group = self.request("GET", dialect.group_path(self.org_uuid, group_id)).get("group") or {}
        try:
            method, path, body = dialect.membership_call(self.org_uuid, group_id, [str(user_id) for user_id in user_ids], group)
        except ScopeError as err:
            raise ContrastApiError("PUT", dialect.group_path(self.org_uuid, group_id), detail=(
                "%s. Nothing was written: a group PUT must carry the group's whole scope, and this one cannot be "
                "rebuilt from what the server shows. Change this group's members in Contrast itself." % err)) from None
        self.request(method, path, body=body)

    def group_names_by_user(self, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        """``{user_id: [group names]}`` from one pass over the groups and their members."""
        names = {}
        for group in self.list_groups(page_size):
            for member in self.list_group_members(group["group_id"], page_size):
                names.setdefault(member["user_id"], []).append(group["name"])
        return names
