# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A whole organization's desired users: validate, plan against the live org, apply in parallel.

Private to this collection: not a public API, may change without notice.

Planning is a pure function of (roster, options, users, groups, members) so that check mode and
the real run produce the same plan, and so that it can be unit-tested without a server. Applying
sends exactly the planned writes and records, per user, what succeeded and what did not.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.contrast_security.identity.plugins.module_utils.client import ContrastApiError
from ansible_collections.contrast_security.identity.plugins.module_utils.errors import verified
from ansible_collections.contrast_security.identity.plugins.module_utils.groups import plan_members, unknown_group_message
from ansible_collections.contrast_security.identity.plugins.module_utils.guards import (
    MembersWrite,
    admin_loss_warning,
    api_user_problem,
    guard_problem,
    is_api_user,
    settle_added_existing,
    verified_user_write,
    verify_deleted,
    verify_user_write,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.roster_input import GUARD_DEFAULTS, entry_key, validate_entries
from ansible_collections.contrast_security.identity.plugins.module_utils.users import (
    create_email_error,
    create_preferences,
    fields_to_create,
    immutable_change_error,
    missing_to_create,
    user_changes,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import USER_ATTRIBUTES
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import login_matches as is_protected

# The key a user to be created has in group plans before it has an id.
NEW_USER_PREFIX = "new:"


class RosterError(Exception):
    """The roster cannot be applied; `problems` lists every reason at once."""

    def __init__(self, problems):
        self.problems = list(problems)
        super(RosterError, self).__init__("The roster was not applied; nothing was changed:\n- " + "\n- ".join(self.problems))


def plan(entries, options, users, groups, members_by_group, api_username=None) -> dict:
    """Compute every change needed, or raise RosterError listing every problem.

    `users`: canonical users of the org; `groups`: [{group_id, name}]; `members_by_group`:
    {group_id: [{user_id, username}]} for the groups the roster names.
    Returns {"users": [user change], "groups": [group change]}.
    """
    problems = validate_entries(entries)
    by_name = dict(((user["username"] or "").lower(), user) for user in users)
    groups_by_name = dict((group["name"], group) for group in groups)

    wanted_groups = {}
    user_changes_planned = []
    for entry in entries:
        username = (entry.get("username") or "").strip()
        if not username:
            continue
        for name in entry.get("groups") or []:
            if name not in groups_by_name:
                problems.append("%s: %s" % (username, unknown_group_message(name, groups)))
            else:
                wanted_groups.setdefault(name, []).append(entry_key(username))

        current = by_name.get(entry_key(username))
        wanted = dict((field, entry.get(field)) for field in USER_ATTRIBUTES)
        if current is None:
            missing = missing_to_create(wanted)
            if missing:
                problems.append("%s does not exist, and creating it needs %s." % (username, ", ".join(missing)))
                continue
            problem = create_email_error(username, wanted.get("email"))
            if problem:
                problems.append(problem)
                continue
            fields = fields_to_create(username, wanted)
            after = dict(fields, enabled=True)
            preferences = create_preferences(entry)
            user_changes_planned.append({"username": username, "action": "create", "user_id": None,
                                         "fields": fields, "preferences": preferences, "before": {}, "after": after})
            continue
        problem = immutable_change_error(current, wanted)
        if problem:
            problems.append("%s: %s" % (username, problem))
            continue
        wanted["enabled"] = True
        changes = user_changes(current, wanted)
        problem = api_user_problem(current, api_username, "present", changes) if api_username else None
        if problem:
            problems.append(problem)
            continue
        if changes:
            action = "enable" if "enabled" in changes else "update"
            user_changes_planned.append({
                "username": current["username"], "action": action, "user_id": current["user_id"], "fields": changes,
                "before": dict((field, current.get(field)) for field in changes), "after": dict(changes)})

    # Enabled users the roster does not list.
    listed = set(entry_key(entry.get("username") or "") for entry in entries)
    unlisted = []
    if options["unlisted"] != "ignore":
        if not entries and not options.get("allow_empty"):
            problems.append("The roster is empty and unlisted=%s would %s every user. Refusing; set allow_empty=true if "
                            "that is really wanted." % (options["unlisted"], options["unlisted"]))
        for user in users:
            name = (user["username"] or "").lower()
            if name in listed or not user.get("enabled"):
                continue
            if api_username and name == api_username.lower():
                continue  # never lock out the account doing the work
            if is_protected(user["username"], options.get("protected")):
                continue
            unlisted.append(user)
    if problems:
        raise RosterError(problems)

    def limit(name):
        value = options.get(name)
        return GUARD_DEFAULTS[name] if value is None else value
    guards = []
    if unlisted:
        enabled_count = len([user for user in users if user.get("enabled")])
        problem = guard_problem(
            "enabled users are not in the roster and would be %s" % ("disabled" if options["unlisted"] == "disable" else "deleted"),
            len(unlisted), enabled_count, limit("max_unlisted_changes"), limit("max_unlisted_percent"),
            "max_unlisted_changes", "max_unlisted_percent", [user["username"] for user in unlisted])
        if problem:
            guards.append(problem)

    for user in sorted(unlisted, key=lambda user: user["username"].lower()):
        if options["unlisted"] == "disable":
            user_changes_planned.append({"username": user["username"], "action": "disable", "user_id": user["user_id"],
                                         "fields": {"enabled": False}, "before": {"enabled": True}, "after": {"enabled": False}})
        else:
            user_changes_planned.append({"username": user["username"], "action": "delete", "user_id": user["user_id"],
                                         "fields": {}, "before": {"role": user.get("role"), "enabled": user.get("enabled")},
                                         "after": {}})

    group_changes = _plan_groups(options, by_name, groups_by_name, wanted_groups, members_by_group, user_changes_planned)
    removals = [(group["name"], name) for group in group_changes for name in group["removed"]]
    if len(removals) > limit("max_membership_removals"):
        guards.append(guard_problem("group memberships would be removed", len(removals), 0, limit("max_membership_removals"),
                                    100, "max_membership_removals", "max_membership_removal_percent",
                                    ["%s from %s" % (name, group) for group, name in removals]))
    for group in group_changes:
        problem = guard_problem("members would be removed from %r" % group["name"], len(group["removed"]), group["member_count"],
                                10 ** 9, limit("max_membership_removal_percent"), "max_membership_removals",
                                "max_membership_removal_percent", group["removed"])
        if problem:
            guards.append(problem)
    the_plan = {"users": user_changes_planned, "groups": group_changes}
    if guards:
        the_plan["guards"] = guards
    return the_plan


def admin_warning(the_plan, users, api_username):
    """admin_loss_warning for the users this plan disables, deletes or demotes."""
    by_name = dict(((user["username"] or "").lower(), user) for user in users)
    lost = []
    for change in the_plan["users"]:
        current = by_name.get(change["username"].lower())
        if not current or current.get("role") != "ROLE_ADMIN" or is_api_user(current, api_username):
            continue
        if change["action"] in ("disable", "delete") or change["fields"].get("role") not in (None, "ROLE_ADMIN"):
            lost.append(change["username"])
    return admin_loss_warning(users, api_username, lost)


def _plan_groups(options, by_name, groups_by_name, wanted_groups, members_by_group, user_changes_planned):
    deleted = set(change["user_id"] for change in user_changes_planned if change["action"] == "delete")
    protected = options.get("protected")
    changes = []
    names = set(wanted_groups)
    for name in sorted(names):
        group = groups_by_name[name]
        members = members_by_group.get(group["group_id"], [])
        current_ids = [str(member["user_id"]) for member in members if member["user_id"] not in deleted]
        usernames = dict((str(member["user_id"]), member["username"]) for member in members)
        wanted_ids = []
        for key in wanted_groups.get(name, []):
            user = by_name.get(key)
            user_id = str(user["user_id"]) if user else NEW_USER_PREFIX + key
            usernames[user_id] = user["username"] if user else key
            wanted_ids.append(user_id)
        if options["group_membership"] == "exact":
            # Protected users keep their memberships: `protected` means the roster never touches them.
            wanted_ids += [user_id for user_id in current_ids if is_protected(usernames.get(user_id), protected)]
            new_ids, added, removed = plan_members(current_ids, wanted_ids, "exact")
        else:
            new_ids, added, removed = plan_members(current_ids, wanted_ids, "present")
        if added or removed:
            changes.append({"group_id": group["group_id"], "name": name, "member_ids": new_ids,
                            "added_ids": added, "removed_ids": removed, "member_count": len(current_ids),
                            "added": [usernames[user_id] for user_id in added],
                            "removed": [usernames[user_id] for user_id in removed],
                            "usernames": usernames})
    return changes


def _run_parallel(pool, jobs, client=None):
    """Run callables on `pool`; return their outcomes, (value, None) or (None, error), in order.

    Any exception becomes that job's error (an odd answer must not lose the report of the writes already
    applied): one that is not an API error is named after the job's latest request.
    """
    def guarded(job):
        try:
            return job(), None
        except ContrastApiError as err:
            return None, err
        except Exception as err:  # pylint: disable=broad-except
            what = "%s: %s" % (type(err).__name__, err)
            unexpected = getattr(client, "unexpected", None)
            return None, unexpected(what) if unexpected else ContrastApiError("?", "?", detail="unexpected error: " + what)
    return list(pool.map(guarded, jobs))


def _delta_ids(group):
    """(added ids, removed ids) of a planned group change; from its member names when the plan gave no ids."""
    if "added_ids" in group:
        return group["added_ids"], group["removed_ids"]
    ids_of = dict((name, user_id) for user_id, name in group["usernames"].items())
    return ([ids_of[name] for name in group["added"] if name in ids_of],
            [ids_of[name] for name in group["removed"] if name in ids_of])


def _find_created(client, changes, outcomes) -> list:
    """Outcomes with the created users whose create answer did not carry them (TeamServer) found by their logins, all
    in one go (client.find_users: one pass over the user list, or one search each when that is fewer requests): every
    user that exists after the run is reported with its id. A created user that cannot be found is a failed create."""
    def unknown_id(change, value, error):
        return change["action"] == "create" and error is None and value is None
    unknown = [change["username"] for change, (value, error) in zip(changes, outcomes) if unknown_id(change, value, error)]
    if not unknown:
        return outcomes
    try:
        found = client.find_users(unknown)
    except ContrastApiError as err:
        found, lookup_error = {}, err
    else:
        lookup_error = None
    completed = []
    for change, (value, error) in zip(changes, outcomes):
        if unknown_id(change, value, error):
            value = found.get(change["username"].strip().lower())
            if value is None:
                error = lookup_error or client.created_not_found(change["username"])
        completed.append((value, error))
    return completed


def apply(client, the_plan, parallelism, redact=str, pool=None) -> list:
    """Send the planned writes: user writes first (creates give ids), then one write per changed group, then deletes.

    Every write is attempted even when others fail; each user change records `ok` or its error. Every write
    is verified: the user read back must hold what was asked (a 200 is not proof), and a group write goes
    through guards.MembersWrite (read right before, this run's own delta, read back, re-applied when
    another writer interleaved; the read-backs from one listing of the users where that is fewer requests).
    A write whose answer was lost is read back: applied, it counts as `ok`. (A create looks itself up before
    any retry already.) Returns the failed writes' descriptions.
    """

    def user_job(change):
        action = change["action"]
        if action == "create":
            def create():
                # find=False: where the create's answer does not carry the user, all of them are found at once below
                # (and not verified field by field: the find reads them as the server holds them).
                user = client.create_user(dict(change["fields"], **change.get("preferences", {})), find=False)
                if change["username"].strip().lower() in client.added_existing:
                    # A login of another organization was added instead: brought to the entry, as contrast_user does.
                    change["added_existing"] = True
                    return settle_added_existing(client, user or client.find_created(change["username"]), change["fields"])
                if user is None:
                    return None
                return verify_user_write(client, "POST", None, user, dict(
                    (key, value) for key, value in change["fields"].items() if key not in ("username", "email")))
            return create
        if action == "delete":
            def delete():
                verified(lambda: client.delete_user(change["user_id"]), lambda: client.get_user(change["user_id"]) is None)
                verify_deleted(client, change["user_id"], change["username"])
            return delete

        def update():
            return verified_user_write(client, "PUT", change["user_id"],
                                       lambda: client.update_user(change["user_id"], change["fields"]), change["fields"])
        return update

    # One pool for the whole run: its threads keep their kept-alive connections from phase to phase
    # (parallelism + 1 connections in all, with the reads' own). A caller that read with it passes it.
    if pool is not None:
        return _apply_phases(pool, client, the_plan, user_job, redact)
    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as own_pool:
        return _apply_phases(own_pool, client, the_plan, user_job, redact)


def _apply_phases(pool, client, the_plan, user_job, redact):
    """User writes (creates give ids), then group writes, then deletes: a user deleted after it left its
    groups shows those removals in the report, and a group write never names a deleted user."""
    failures = []
    deletes = [change for change in the_plan["users"] if change["action"] == "delete"]
    others = [change for change in the_plan["users"] if change["action"] != "delete"]
    new_ids = {}

    def record(changes, outcomes):
        for change, (value, error) in zip(changes, outcomes):
            if error is not None:
                change["status"] = "failed"
                change["error"] = redact(str(error))
                failures.append("%s %s: %s" % (change["action"], change["username"], change["error"]))
                continue
            change["status"] = "ok"
            if change["action"] == "create" and value is not None:
                change["user_id"] = value["user_id"]
                new_ids[NEW_USER_PREFIX + change["username"].lower()] = str(value["user_id"])

    # Creates whose answer did not carry the user (TeamServer): found at once, for their group writes and the report.
    record(others, _find_created(client, others, _run_parallel(pool, [user_job(change) for change in others], client)))

    def group_write(group):
        # Users whose create failed have no id: leave them out, and say so on the group.
        added = []
        added_ids, removed_ids = _delta_ids(group)
        for user_id in added_ids:
            if user_id.startswith(NEW_USER_PREFIX):
                if user_id not in new_ids:
                    group.setdefault("skipped", []).append(group["usernames"][user_id])
                    continue
                user_id = new_ids[user_id]
            added.append(user_id)
        return MembersWrite(client, group["group_id"], added, removed_ids, write=verified)

    # Each group is read right before its write and written; then all are read back, from one listing of the users
    # where that is fewer requests (client.members_read_back); a group another writer interleaved with goes on alone.
    writes = [group_write(group) for group in the_plan["groups"]]
    sent = _run_parallel(pool, [write.send for write in writes], client)
    awaiting = [write for write, (was_sent, error) in zip(writes, sent) if error is None and was_sent]
    read_back = client.members_read_back(dict((write.group_id, write.wanted) for write in awaiting),
                                         created_ids=new_ids.values()) if awaiting else None

    def finish(write, error):
        def job():
            if error is not None:
                raise error
            if write.pending and read_back is not None and write.group_id in read_back:
                write.settle(read_back[write.group_id])
            return write.run()
        return job
    outcomes = _run_parallel(pool, [finish(write, error) for write, (_sent, error) in zip(writes, sent)], client)
    for group, (value, error) in zip(the_plan["groups"], outcomes):
        if error is not None:
            group["status"] = "failed"
            group["error"] = redact(str(error))
            failures.append("group %s: %s" % (group["name"], group["error"]))
        else:
            group["status"] = "ok"
            if value[1]:
                group["conflicts"] = value[1]
    record(deletes, _run_parallel(pool, [user_job(change) for change in deletes], client))
    return failures


def apply_keeping_report(client, the_plan, parallelism, pool=None) -> list:
    """apply, with the report of what was applied surviving whatever goes wrong: an unexpected error marks every
    change not known to be done as failed with it. Returns the failed writes' descriptions."""
    try:
        return apply(client, the_plan, parallelism, redact=client.redact, pool=pool)
    except Exception as err:  # pylint: disable=broad-except
        crash = client.redact("%s: %s" % (type(err).__name__, err))
        for change in the_plan["users"] + the_plan["groups"]:
            change.setdefault("status", "failed")
            if change["status"] == "failed":
                change.setdefault("error", "not attempted or not known: " + crash)
        return [crash]


def read_members(client, groups, page_size, listed_groups=None) -> dict:
    """{group_id: [{user_id, username}]} of `groups` for the plan: from the groups the users just listed carry
    when every one does (no member read), else one paged read each (client.members_for_plan). `listed_groups`:
    the whole group list the users' entries must name (default: `groups`)."""
    return client.members_for_plan(groups, groups if listed_groups is None else listed_groups, page_size)
