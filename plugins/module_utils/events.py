# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Turning polls of an organization into events (the ``contrast_users`` event source).

Private to this collection: not a public API, may change without notice.

Contrast has no webhooks for user changes: a poll reads every user (and, when asked, every
group's members) through the collection's client, and :func:`diff_snapshots` compares it with the
previous poll. Everything here works on canonical users (``users.normalize_user``), so it is the
same for every API dialect.
"""

from __future__ import annotations

from ansible_collections.contrast_security.identity.plugins.module_utils.client import ContrastClient
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import ADMIN_ROLE, utc_now_iso

EVENT_TYPES = (
    "snapshot", "user_created", "user_deleted", "user_enabled", "user_disabled", "role_changed",
    "groups_changed", "invitation_accepted", "first_login", "poll_failed",
)


def invitation_pending(raw):
    """Whether a user read says its invitation is still pending: True, False, or None (the read does not tell).

    The guide dialect's user object has no such field; TeamServer's says it in ``status_description``
    ("Waiting for activation") and, with ``expand=signup``, in ``signup.accept_terms``.
    """
    if not isinstance(raw, dict):
        return None
    status = raw.get("status_description")
    if isinstance(status, str) and status.strip():
        return "waiting" in status.lower() or "pending" in status.lower()
    signup = raw.get("signup")
    if isinstance(signup, dict) and isinstance(signup.get("accept_terms"), bool):
        return not signup["accept_terms"]
    if isinstance(raw.get("pending"), bool):
        return raw["pending"]
    return None


class PollingClient(ContrastClient):
    """The collection's client, also noting each user's invitation state as its reads go by.

    The canonical user has no invitation state (the guide dialect does not show one), so it is kept
    beside it, from the same reads: no extra request.
    """

    def __init__(self, *args, **kwargs):
        super(PollingClient, self).__init__(*args, **kwargs)
        self.pending = {}

    def _user(self, raw):
        user = super(PollingClient, self)._user(raw)
        if user.get("user_id"):
            self.pending[user["user_id"]] = invitation_pending(raw)
        return user


class Snapshot:
    """One poll's view of the organization: ``users`` by id (canonical, with ``groups`` when watched)
    and ``pending`` by id (True, False or None when the dialect does not tell)."""

    def __init__(self, users, pending=None, groups_known=False):
        self.users = dict((user["user_id"], user) for user in users)
        self.pending = dict(pending or {})
        self.groups_known = groups_known

    def is_pending(self, user_id):
        return self.pending.get(user_id)


def looks_jit(user: dict, pending) -> bool:
    """A user that appeared already logged in and with no invitation pending: SAML just-in-time provisioning
    makes accounts on first login, while an invited user cannot log in before accepting."""
    return user.get("last_login") is not None and pending is not True


def _event(kind: str, user: dict, **fields) -> dict:
    event = {"type": kind, "user": user}
    event.update(fields)
    return event


def diff_snapshots(before: Snapshot, after: Snapshot) -> list:
    """The events that lead from `before` to `after`, one per change, in a stable order.

    Per user, in this order: created or deleted; enabled or disabled; role changed; groups changed
    (only when both polls read the groups); invitation accepted (only when the dialect shows it);
    first login. Users are visited in `after`'s order, deletions last.
    """
    events = []
    for user_id, user in after.users.items():
        old = before.users.get(user_id)
        pending = after.is_pending(user_id)
        if old is None:
            events.append(_event("user_created", user, jit=looks_jit(user, pending), invitation_pending=pending,
                                 admin_granted=user.get("role") == ADMIN_ROLE))
            continue
        if bool(old.get("enabled")) != bool(user.get("enabled")):
            events.append(_event("user_enabled" if user.get("enabled") else "user_disabled", user))
        if old.get("role") != user.get("role"):
            events.append(_event("role_changed", user, **{
                "from": old.get("role"), "to": user.get("role"),
                "admin_granted": user.get("role") == ADMIN_ROLE and old.get("role") != ADMIN_ROLE,
                "admin_revoked": old.get("role") == ADMIN_ROLE and user.get("role") != ADMIN_ROLE,
            }))
        if before.groups_known and after.groups_known:
            old_groups = set(old.get("groups") or [])
            new_groups = set(user.get("groups") or [])
            if old_groups != new_groups:
                events.append(_event("groups_changed", user, added=sorted(new_groups - old_groups),
                                     removed=sorted(old_groups - new_groups)))
        if before.is_pending(user_id) is True and pending is False:
            events.append(_event("invitation_accepted", user))
        if old.get("last_login") is None and user.get("last_login") is not None:
            events.append(_event("first_login", user))
    for user_id, old in before.users.items():
        if user_id not in after.users:
            events.append(_event("user_deleted", old))
    return events


def snapshot_event(snapshot: Snapshot, include_users: bool = False) -> dict:
    """The baseline event: how many users, per role, and (when asked) the users themselves."""
    roles = {}
    for user in snapshot.users.values():
        roles[user.get("role")] = roles.get(user.get("role"), 0) + 1
    event = {
        "type": "snapshot",
        "count": len(snapshot.users),
        "roles": roles,
        "admins": sorted(user.get("username") for user in snapshot.users.values()
                         if user.get("role") == ADMIN_ROLE and user.get("username")),
        "user": None,
    }
    if include_users:
        event["users"] = list(snapshot.users.values())
    return event


class OrganizationWatcher:
    """Polls one organization and returns the events of each poll; keeps the last good poll as the baseline.

    A poll that fails changes nothing (no event but, after `failures_before_event` failures in a row,
    one ``poll_failed``). A user missing from a listing is read once more by id before it is reported
    deleted, so a listing cut short never reports deletions that did not happen.
    """

    def __init__(self, client: PollingClient, watch_groups: bool = True, page_size: int = 100,
                 emit_snapshot: bool = True, snapshot_users: bool = False, failures_before_event: int = 3):
        self.client = client
        self.watch_groups = watch_groups
        self.page_size = page_size
        self.emit_snapshot = emit_snapshot
        self.snapshot_users = snapshot_users
        self.failures_before_event = max(int(failures_before_event), 1)
        self.baseline = None
        self.failures = 0
        self.failing_since = None
        self.polls = 0
        self.last_poll_requests = 0

    def read(self) -> Snapshot:
        """One complete read of the organization through the client (users, then groups when watched)."""
        self.client.pending = {}
        users = self.client.list_users(page_size=self.page_size)
        groups_by_user = self.client.group_names_by_user(page_size=self.page_size) if self.watch_groups else None
        if groups_by_user is not None:
            for user in users:
                user["groups"] = sorted(groups_by_user.get(user["user_id"], []))
        return Snapshot(users, pending=self.client.pending, groups_known=groups_by_user is not None)

    def _confirm_deletions(self, snapshot: Snapshot) -> None:
        """Re-read, by id, each baseline user the listing did not show; keep in `snapshot` those still there."""
        for user_id, old in self.baseline.users.items():
            if user_id in snapshot.users:
                continue
            found = self.client.get_user(user_id)
            if found is not None:
                if snapshot.groups_known:
                    found["groups"] = old.get("groups")  # not re-read: unknown changes are not reported
                snapshot.users[user_id] = found
                snapshot.pending[user_id] = self.client.pending.get(user_id)

    def poll(self) -> list:
        """Poll once; return the events (the baseline event first time, if asked), each with the org and the time."""
        detected_at = utc_now_iso()
        events = self._poll()
        for event in events:
            event["org_uuid"] = self.client.org_uuid
            event["detected_at"] = detected_at
        return events

    def _poll(self) -> list:
        self.polls += 1
        before = self.client.request_count
        try:
            snapshot = self.read()
            if self.baseline is not None:
                self._confirm_deletions(snapshot)
        except Exception as err:  # pylint: disable=broad-exception-caught
            # Whatever went wrong (an API error, an answer of an unexpected shape), the watcher keeps its baseline
            # and keeps polling: a source that dies stops the rulebook.
            self.last_poll_requests = self.client.request_count - before
            return self._failed(err)
        self.last_poll_requests = self.client.request_count - before
        self.failures = 0
        self.failing_since = None
        if self.baseline is None:
            self.baseline = snapshot
            return [snapshot_event(snapshot, self.snapshot_users)] if self.emit_snapshot else []
        events = diff_snapshots(self.baseline, snapshot)
        self.baseline = snapshot
        return events

    def _failed(self, err) -> list:
        self.failures += 1
        if self.failing_since is None:
            self.failing_since = utc_now_iso()
        if self.failures != self.failures_before_event:
            return []  # one event per run of failures, when it reaches the threshold
        return [{"type": "poll_failed", "user": None, "failures": self.failures, "since": self.failing_since,
                 "reason": self.client.redact(str(err)),
                 "status": getattr(err, "status", None)}]
