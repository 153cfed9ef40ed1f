# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What stands between a module and a lost organization: input that is never a name, the API user's own
account, mass changes, writes that did not take, and other writers of the same group.

Private to this collection: not a public API, may change without notice.
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.errors import NotAppliedError, verified
from ansible_collections.contrast_security.identity.plugins.module_utils.inputs import id_problem, unsafe_characters
from ansible_collections.contrast_security.identity.plugins.module_utils.users import same_username, user_changes
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import MANAGED_FIELDS

# How often a group write is re-applied on the latest member list when another writer interleaved.
GROUP_WRITE_ATTEMPTS = 3
# A share guard never trips on this many changes or fewer: in a small org or group one or two changes are
# always a large share, and never a mass change.
SHARE_GUARD_FLOOR = 2


# ------------------------------------------------------------------ input
def text_problem(field, value):
    """Why `value` cannot be a name, login or group name (control or bidi characters), or None."""
    found = unsafe_characters(value)
    if found:
        return ("%s contains control or bidirectional-override characters (%s), which make names render differently "
                "from what they are: refused." % (field, ", ".join(found)))
    return None


def input_problems(params, text_fields=(), id_fields=()):
    """Problems with the module's own options: control/bidi characters in texts, ids that are not ids."""
    problems = []
    for field in text_fields:
        values = params.get(field)
        for index, value in enumerate(values if isinstance(values, list) else [values]):
            name = "%s[%d]" % (field, index) if isinstance(values, list) else field
            problem = text_problem(name, value) if value is not None else None
            if problem:
                problems.append(problem)
    for field in id_fields:
        values = params.get(field)
        if values is None:
            continue
        for index, value in enumerate(values if isinstance(values, list) else [values]):
            problem = id_problem("%s[%d]" % (field, index) if isinstance(values, list) else field, value)
            if problem:
                problems.append(problem)
    return problems


# ------------------------------------------------------------------ the API user
def is_api_user(user, api_username) -> bool:
    return bool(user) and same_username(user.get("username"), api_username)


def api_user_problem(user, api_username, state=None, changes=None):
    """Why this change would lock the automation out (disable, delete or demote the API user), or None."""
    if not is_api_user(user, api_username):
        return None
    changes = changes or {}
    if state == "absent":
        what = "delete"
    elif state == "disabled" or changes.get("enabled") is False:
        what = "disable"
    elif changes.get("role") not in (None, "ROLE_ADMIN"):
        what = "demote (to %s)" % changes["role"]
    else:
        return None
    return ("Refusing to %s %s: it is the API user whose keys this run uses, so every later call would fail (401 or 403). "
            "Nothing was written. Change that account with another API user's keys, or in the Contrast UI."
            % (what, user.get("username")))


def admin_loss_warning(users, api_username, removed_admins):
    """A warning (or None) when, after this run, no enabled ROLE_ADMIN other than the API user remains.

    `users`: the org before the run; `removed_admins`: usernames this run disables, deletes or demotes.
    """
    removed = set(name.lower() for name in removed_admins)
    if not removed:
        return None
    before = [user for user in users if user.get("enabled") and user.get("role") == "ROLE_ADMIN"
              and not is_api_user(user, api_username)]
    after = [user for user in before if (user.get("username") or "").lower() not in removed]
    if not before or after:
        return None
    return ("After this run no enabled ROLE_ADMIN is left in the organization other than the API user %s: this run "
            "disables, deletes or demotes %s. If those API keys are lost, nobody can administer the organization."
            % (api_username, ", ".join(sorted(user["username"] for user in before))))


# ------------------------------------------------------------------ mass-change guards
def share_guard_trips(count, total, max_percent) -> bool:
    """Whether `count` changes out of `total` exceed `max_percent` percent (never for SHARE_GUARD_FLOOR or fewer)."""
    return count > SHARE_GUARD_FLOOR and total > 0 and count * 100 > max_percent * total


def guard_problem(what, count, total, max_count, max_percent, count_option, percent_option, whom):
    """A refusal naming the limit that trips and the option that raises it, or None."""
    if count > max_count:
        return ("%d %s, more than %s=%d. A truncated list looks like this; if it is intended, raise %s (first few: %s)."
                % (count, what, count_option, max_count, count_option, ", ".join(sorted(whom)[:5])))
    if share_guard_trips(count, total, max_percent):
        return ("%d %s, %d%% of %d, more than %s=%d. A truncated list looks like this; if it is intended, raise %s "
                "(first few: %s)." % (count, what, count * 100 // total, total, percent_option, max_percent,
                                      percent_option, ", ".join(sorted(whom)[:5])))
    return None


# ------------------------------------------------------------------ write verification
def api_path(client, kind, *ids):
    """The path of a user or group request, for a message (`kind`: user, users, group_members)."""
    dialect = getattr(client, "dialect", None)
    if dialect is None:  # a test double without dialects
        parts = ("users" if kind.startswith("user") else "groups",) + ids + (("users",) if kind == "group_members" else ())
        return "/ng/%s/%s" % (client.org_uuid, "/".join(str(part) for part in parts))
    return getattr(dialect, kind + "_path")(client.org_uuid, *ids)


def fields_not_taken(user, wanted):
    """The fields of `wanted` that the user read back after a write does not have, as ``{field: (wanted, is)}``."""
    if user is None:
        return dict((field, (value, None)) for field, value in wanted.items())
    return dict((field, (value, user.get(field))) for field, value in wanted.items()
                if value is not None and user.get(field) != value)


def user_holding(client, user_id, wanted):
    """The user read back when it holds every field of `wanted` (a lost answer's write took effect), else None."""
    user = client.get_user(user_id)
    return user if user is not None and not fields_not_taken(user, wanted) else None


def verified_user_write(client, method, user_id, write, wanted, on_lost=None):
    """`write()` (which returns the user written), through errors.verified (a lost answer is read back: the user
    holding `wanted` counts as done), then checked field by field (verify_user_write)."""
    user = verified(write, lambda: user_holding(client, user_id, wanted), on_lost)
    return verify_user_write(client, method, user_id, user, wanted)


def verify_user_write(client, method, user_id, user, wanted):
    """`user` (the read-back after a write), or NotAppliedError naming the fields the server did not take."""
    missing = fields_not_taken(user, wanted)
    if missing:
        raise NotAppliedError(
            method, api_path(client, "user", user_id) if user_id else api_path(client, "users"),
            "reading the user back shows %s" % ", ".join(
                "%s %r (wanted %r)" % (field, is_, want) for field, (want, is_) in sorted(missing.items())),
            fields=sorted(missing))
    return user


def settle_added_existing(client, user, wanted, on_lost=None):
    """The user a create added from another organization (``client.added_existing``) brought to `wanted` (canonical
    fields; None: not given): the account keeps what it had there (its names, ...), so one edit, in the same run,
    changes what differs, verified by its read-back like any edit (verified_user_write). Returns the user."""
    asked = dict((field, wanted[field]) for field in MANAGED_FIELDS if field != "email" and wanted.get(field) is not None)
    changes = user_changes(user, dict(asked, enabled=True))
    if not changes:
        return verify_user_write(client, "POST", None, user, asked)
    return verified_user_write(client, "PUT", user["user_id"], lambda: client.update_user(user["user_id"], changes),
                               dict(asked, **changes), on_lost=on_lost)


def verify_deleted(client, user_id, username):
    """NotAppliedError when the user is still there after a DELETE answered with success."""
    if client.get_user(user_id) is not None:
        raise NotAppliedError("DELETE", api_path(client, "user", user_id),
                              "%s is still there when read back" % username, fields=["deleted"])


# ------------------------------------------------------------------ group writes with other writers about
def write_members(client, group_id, added, removed, attempts=GROUP_WRITE_ATTEMPTS, write=None):
    """Apply this run's own delta (ids `added`, `removed`) to a group, safe from other writers as far as the API allows.

    The API replaces the whole member list and has no version check. So: read the members immediately before
    each write, apply the delta to that list, write, read back. When the read-back differs from what was sent
    (another writer came in between, or the write did not take), start again from the fresh list, at most
    `attempts` times. `write(send, took_effect)` sends (default: send()); a module passes its lost-answer
    handling. Returns ``(members after as [{user_id, username}], conflicts)``; raises NotAppliedError when the
    delta never held.
    """
    return MembersWrite(client, group_id, added, removed, attempts, write).run()


class MembersWrite:
    """write_members in steps, for a caller writing several groups: `send()` (read right before, write) for each,
    then one read-back of them all where that is fewer requests (client.members_read_back), `settle(members)` for
    each, and `run()` for those another writer interleaved with (it goes on from the attempt `send` started)."""

    def __init__(self, client, group_id, added, removed, attempts=GROUP_WRITE_ATTEMPTS, write=None):
        self.client, self.group_id, self.attempts = client, group_id, attempts
        self.added = [str(user_id) for user_id in added]
        self.removed = set(str(user_id) for user_id in removed)
        self.write = write or (lambda send, _took_effect: send())
        self.conflicts = []
        self.attempt = 0
        self.wanted = None  # the member ids of the last write sent
        self.pending = False  # a write was sent and its read-back not yet judged
        self.result = None  # (members after, conflicts) once the delta holds

    def send(self) -> bool:
        """Read the members right before the write, apply the delta, write. True: a write was sent and awaits its
        read-back (settle). False: the group already held the change (`result` is set)."""
        client, group_id = self.client, self.group_id
        fresh_members = client.group_members_for_write(group_id)
        fresh = [str(member["user_id"]) for member in fresh_members]
        wanted = [user_id for user_id in fresh if user_id not in self.removed] + [
            user_id for user_id in self.added if user_id not in fresh]
        if sorted(wanted) == sorted(fresh):
            if self.attempt:
                self.conflicts.append("the group already held this run's change when read again")
            self.result = (fresh_members, self.conflicts)
            return False

        def members_now():
            return client.list_group_members(group_id)
        self.write(lambda: client.set_group_members(group_id, wanted) or True,
                   lambda: sorted(str(member["user_id"]) for member in members_now()) == sorted(wanted))
        self.wanted, self.pending = wanted, True
        return True

    def settle(self, after_members) -> bool:
        """Judge the members read back after the write sent: True when this run's change holds (`result` is set),
        False when the write must be applied again to the latest list (run)."""
        after = [str(member["user_id"]) for member in after_members]
        self.attempt += 1
        self.pending = False
        if sorted(after) == sorted(self.wanted):
            self.result = (after_members, self.conflicts)
            return True
        if all(user_id in after for user_id in self.added) and not self.removed.intersection(after):
            self.conflicts.append("another writer changed the group right after this run's write (members now: %d, "
                                  "written: %d); this run's change holds" % (len(after), len(self.wanted)))
            self.result = (after_members, self.conflicts)
            return True
        self.conflicts.append("the members read back after the write were not those written (another writer, or a "
                              "write the server did not take): applied this run's change again to the latest list")
        return False

    def run(self):
        """Write (again) until the change holds or the attempts are spent: ``(members after, conflicts)``, or
        NotAppliedError."""
        while self.result is None and (self.pending or self.attempt < self.attempts):
            if self.pending or self.send():
                self.settle(self.client.list_group_members(self.group_id))
        if self.result is not None:
            return self.result
        # TeamServer writes the whole group (PUT groups/{id}); the guide its member list.
        kind = "group" if getattr(getattr(self.client, "dialect", None), "membership_needs_group", False) else "group_members"
        raise NotAppliedError("PUT", api_path(self.client, kind, self.group_id),
                              "after %d attempts the group's members still do not hold this run's change (another "
                              "writer keeps changing the group, or the server does not take the write)" % self.attempts,
                              fields=["members"])
