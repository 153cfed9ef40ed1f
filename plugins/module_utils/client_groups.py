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
from ansible_collections.contrast_security.identity.plugins.module_utils.users import normalize_user, same_username


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
        self._groups_listed = [dict(group) for group in groups]
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
        return self._named_members(raws, page_size)

    def group_members_for_write(self, group_id, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """The members read right before a membership write (list_group_members' shape). Where that write PUTs the
        whole group (TeamServer), its one ``GET /groups/{id}`` carries the whole member list too: that read is
        kept for the next set_group_members of the group, so that members and scope come from one snapshot, in
        one request instead of two."""
        dialect = self.dialect
        if not dialect.membership_needs_group:
            return self.list_group_members(group_id, page_size)
        data = self.request("GET", dialect.group_path(self.org_uuid, group_id))
        self._check_list_shape(data)
        group = self._object(data, "group")
        self._groups_read_for_write[str(group_id)] = group
        if not isinstance(group.get("users"), list):
            return self.list_group_members(group_id, page_size)
        return self._named_members(group["users"], page_size)

    def _named_members(self, raws, page_size):
        """Raw member entries as ``[{user_id, username}]``, each once, every one named (see _member)."""
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
            group = self._groups_read_for_write.pop(str(group_id), None)  # read by group_members_for_write just before
            if group is None:
                group = self.request("GET", dialect.group_path(self.org_uuid, group_id)).get("group") or {}
        try:
            method, path, body = dialect.membership_call(self.org_uuid, group_id, [str(user_id) for user_id in user_ids], group)
        except ScopeError as err:
            raise ContrastApiError("PUT", dialect.group_path(self.org_uuid, group_id), detail=(
                "%s. Nothing was written: a group PUT must carry the group's whole scope, and this one cannot be "
                "rebuilt from what the server shows. Change this group's members in Contrast itself." % err)) from None
        self.request(method, path, body=body)

    def members_read_back(self, written, created_ids=()):
        """``{group_id: [{user_id, username}]}`` of the groups just written (`written`: ``{group_id: the member ids
        written}``), from one whole listing of the users, or None: then each group's members are read back on their own.
        A group is left out (read back on its own) when it was written with a member the listing does not show (a
        user of another organization, in a group shared with it): the listing cannot tell whether that one stayed.
        `created_ids`: the ids of the users this run created; those the last listing already holds (TeamServer finds
        its creates by one, client.find_users) are not counted twice.

        The listing is taken only where it costs fewer requests than one member read per group (the users' pages, and
        the profile when the API user is not listed, against each group's member pages) and where the plan found
        every user carrying its ``groups`` (members_for_plan); a listing that fails or whose users no longer carry
        them gives None. The read right before each write stays one per group: it bounds the time in which another
        writer's change can be overwritten unseen, which a read after the write does not.
        """
        if not written or not self._users_carry_groups or not self._groups_listed:
            return None
        page_size = self._listed_page_size  # the users are listed again as the plan listed them
        users_added = len(set(str(user_id) for user_id in created_ids) - set(self._listed_ids))
        listing = -(-max((self._last_user_count or 0) + users_added, 1) // page_size)
        listing += 0 if self._api_user_listed() else 1  # _members_from_users reads the profile then
        if not self.dialect.members_paged or self._members_unpaged:
            reads = len(written)
        else:
            # The writes' own member reads (MembersWrite) ask for pages of the default size.
            reads = sum(max(1, -(-len(ids) // DEFAULT_PAGE_SIZE)) for ids in written.values())
        if listing >= reads:
            return None
        try:
            self.list_users(page_size)
            carried = self._members_from_users(self._groups_listed)
        except Exception:  # pylint: disable=broad-except
            # Only a saving: whatever went wrong, each group is read back on its own (which reports its errors).
            return None
        if carried is None or any(group_id not in carried for group_id in written):
            return None
        shown = set(self._listed_ids)
        for members in carried.values():
            shown.update(str(member["user_id"]) for member in members)  # the API user, from its profile
        return dict((group_id, carried[group_id]) for group_id, ids in written.items()
                    if all(str(user_id) in shown for user_id in ids))

    def group_names_by_user(self, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        """``{user_id: [group names]}`` from one pass over the groups and their members (see groups_with_members)."""
        names = {}
        for group in self.groups_with_members(page_size):
            for member in group["members"]:
                names.setdefault(member["user_id"], []).append(group["name"])
        return names

    def groups_with_members(self, page_size: int = DEFAULT_PAGE_SIZE) -> list:
        """Every access group with its members, ``[{group_id, name, description, members: [{user_id, username}]}]``,
        for reports (never for a membership write, which reads the group's own list).

        Both references give a user object its ``groups``: right after a listing of the whole organization in
        which every user carries them, the members come from there and no member list is read. Otherwise
        (one user read, a user without ``groups``, an entry naming no single listed group) one member read per group.
        """
        groups = self.list_groups(page_size)
        members = self.members_for_plan(groups, groups, page_size)
        for group in groups:
            group["members"] = members[group["group_id"]]
        return groups

    def members_for_plan(self, groups, listed_groups, page_size: int = DEFAULT_PAGE_SIZE) -> dict:
        """``{group_id: [{user_id, username}]}`` of `groups`, for planning a membership change (the write itself
        reads the group again right before it, and back after it). The same rule as groups_with_members: right
        after a whole listing in which every user carries its ``groups``, each naming exactly one of
        `listed_groups` (the whole group list), no member list is read; otherwise one member read per group."""
        if not groups:
            return {}
        carried = self._members_from_users(listed_groups) if self._listed_all else None
        self._users_carry_groups = carried is not None
        if carried is not None:
            return dict((group["group_id"], carried[group["group_id"]]) for group in groups)
        return dict((group["group_id"], self.list_group_members(group["group_id"], page_size)) for group in groups)

    def _members_from_users(self, groups):
        """``{group_id: [{user_id, username}]}`` from the ``groups`` the last listing's users (and the API user,
        when it is not listed) carry, or None when one does not carry a list or an entry does not name exactly
        one of `groups` (by id, by name, or as an object with either)."""
        if not groups:
            return {}
        by_id = dict((str(group["group_id"]), group["group_id"]) for group in groups)
        by_name = {}
        for group in groups:
            by_name.setdefault(group["name"], set()).add(group["group_id"])
        # (user, raw, whether its entries count by id only)
        listed = [(self._users_by_key.get(user_id), self._raw_users.get(user_id), False) for user_id in self._listed_ids]
        if not all(user and isinstance(raw, dict) and isinstance(raw.get("groups"), list) for user, raw, _ids in listed):
            return None
        if not self._api_user_listed():
            raw = self._profile_raw()  # the API user may be a member without being listed
            # The profile is not tied to this organization: its groups may be another one's, whose names can
            # repeat here (predefined groups), so only an entry naming a group of this list by id counts.
            listed.append((normalize_user(raw), raw, True))
        members = dict((group["group_id"], {}) for group in groups)
        for user, raw, ids_only in listed:
            carried = raw.get("groups") if isinstance(raw, dict) and user else None
            if not isinstance(carried, list):
                return None
            for entry in carried:
                found = self._groups_named(entry, by_id, {} if ids_only else by_name)
                if len(found) != 1:
                    return None
                members[found.pop()].setdefault(user["user_id"], {"user_id": user["user_id"], "username": user["username"]})
        return dict((group_id, list(found.values())) for group_id, found in members.items())

    def _api_user_listed(self) -> bool:
        """Whether the API user is among the last whole listing's users (else its groups come from its profile)."""
        return any(same_username(self._users_by_key[user_id]["username"], self.username)
                   for user_id in self._listed_ids if user_id in self._users_by_key)

    def _groups_named(self, entry, by_id, by_name) -> set:
        """The ids of the listed groups a user's group entry names: by id, by name, or as an object with either
        (its id first); none for an entry of another organization or one that names no group at all."""
        if isinstance(entry, dict):
            if not self._of_this_organization(entry):
                return set()
            key, name = entry.get("group_id"), entry.get("name")
            if key is None:
                # A name that is not text names no group (and must not fail the lookup: the read-back after the
                # writes falls back to one member read per group instead).
                return set(by_name.get(name, ())) if isinstance(name, str) else set()
            return {by_id[str(key)]} if str(key) in by_id else set()
        if isinstance(entry, (str, int)) and not isinstance(entry, bool):
            return ({by_id[str(entry)]} if str(entry) in by_id else set()) | set(by_name.get(entry, ()))
        return set()

    def _of_this_organization(self, entry) -> bool:
        """False when a group entry lists its ``organizations`` (TeamServer's AccessGroupBaseResource) and this
        organization is not among them, as a UUID string or an object holding it."""
        organizations = entry.get("organizations")
        if not organizations:
            return True
        if not isinstance(organizations, list):
            return False
        wanted = self.org_uuid.lower()
        for organization in organizations:
            values = organization.values() if isinstance(organization, dict) else (organization,)
            if any(isinstance(value, str) and value.lower() == wanted for value in values):
                return True
        return False

    def _profile_raw(self):
        """The API user's own object with its groups, read now (a poller's groups change between polls): ``GET
        /ng/profile`` asked for what a user read asks (TeamServer's profile takes the same ``expand`` values)."""
        dialect = self.dialect
        data = self.request("GET", dialect.profile_path(), params=dialect.read_params("user") or None)
        raw = self._object(data, "user")
        self._check_user_shape(raw)
        return raw
