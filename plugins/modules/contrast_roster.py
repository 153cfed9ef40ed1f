#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: contrast_roster
short_description: Make a whole Contrast Security organization match a roster of users, in one task
version_added: 0.1.0
description:
  - Reads the organization once (every page of users and groups, and the members of the groups the roster names),
    compares it with the roster, and sends only the writes needed, with bounded parallelism.
  - Listed users are created (and so invited) when missing, updated where a given attribute differs, re-enabled when
    disabled, and added to their groups. Attributes an entry leaves out are never changed.
  - O(unlisted) decides what happens to enabled users the roster does not list. The API user running the module and
    users matching O(protected) are never touched.
  - The whole roster is validated before any write, and every problem is listed at once, namely duplicate usernames
    (case-insensitive), malformed emails, unknown roles, unknown groups (with close matches), users to create without
    the fields a create needs, attempts to change a login or email, another email than the login for a user to create.
  - In check mode the module is a drift report, with the same RV(summary) and RV(changes) the real run would produce,
    with no write request sent.
  - If some writes fail after retries, the others still complete; the module then fails, its message lists what was
    applied and what was not, and RV(changes) says which succeeded (C(status=ok)) and which did not
    (C(status=failed), with the error). An answer of an unexpected shape fails only the write it answered.
  - Every write is verified. A user is read back and must hold what was asked; a group's members are read again
    immediately before its write, only this run's own additions and removals are applied to that list, and the
    members are read back after it; when another writer changed the group in between, the change is applied again
    to the latest list (at most 3 times) with a warning.
  - The API user's own account is never disabled, deleted or demoted (an entry that would demote it is refused).
    A run that leaves no enabled C(ROLE_ADMIN) other than the API user warns, naming them.
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
extends_documentation_fragment:
  - contrast_security.identity.connection
attributes:
  check_mode:
    support: full
    description: Sends no write request; returns the drift as RV(summary) and RV(changes).
  diff_mode:
    support: full
    description: Per user, the fields and group memberships that change.
options:
  users:
    description: The users the organization should have.
    type: list
    elements: dict
    required: true
    suboptions:
      username:
        description: Login (an email address), matched case-insensitively.
        type: str
        required: true
      first_name:
        description: First name. Needed to create the user.
        type: str
      last_name:
        description: Last name. Needed to create the user.
        type: str
      email:
        description:
          - Contact email; cannot be changed afterwards.
          - A user is created with O(users[].username) as its email (the API makes the login the email), so another
            email for a user to create is refused before any write (one that differs only in case is accepted).
        type: str
      role:
        description: Organization role (C(ROLE_ADMIN), C(ROLE_EDIT), C(ROLE_RULES_ADMIN), C(ROLE_VIEW), C(ROLE_NO_ACCESS)).
          Needed to create the user.
        type: str
      api_only:
        description: Whether the account is API-only.
        type: bool
      protect_enabled:
        description: Whether Contrast Protect is enabled for the user.
        type: bool
      groups:
        description: Names of the access groups the user belongs to (matched exactly).
        type: list
        elements: str
      date_format:
        description:
          - Date format preference, sent only when the user is created and only in the V(teamserver) API dialect,
            whose create call requires it (default V(MM/dd/yyyy)). Never compared with an existing user.
        type: str
      time_format:
        description: Time format preference, sent only on create in the V(teamserver) dialect (default V(hh:mm a)).
        type: str
      time_zone:
        description: Time zone (IANA name), sent only on create in the V(teamserver) dialect (default V(UTC)).
        type: str
  unlisted:
    description:
      - What happens to enabled users that are not in O(users).
      - V(ignore) leaves them alone. V(disable) disables them (their accounts and audit history are kept).
        V(delete) deletes them permanently, destroying their audit history.
    type: str
    choices: [ignore, disable, delete]
    default: ignore
  protected:
    description:
      - Usernames that O(unlisted) never disables or deletes, and whose group memberships
        O(group_membership=exact) never removes. Shell-style patterns (V(*@partner.example.com)), case-insensitive.
    type: list
    elements: str
    default: []
  max_unlisted_changes:
    description:
      - Refuse to run (before any write) when O(unlisted) would disable or delete more users than this.
        A guard against a truncated or empty roster; raise it for an intended mass change.
      - In check mode a tripped guard (this one or the three below) does not fail the task, so that a drift audit
        of a real-sized organization works with the defaults. The plan is reported, with a warning that the
        real run would be refused.
    type: int
    default: 10
  max_unlisted_percent:
    description:
      - Refuse to run (before any write) when O(unlisted) would disable or delete more than this share of the
        organization's enabled users, in percent. One or two users never trip it. V(100) switches it off.
    type: int
    default: 20
  max_membership_removals:
    description:
      - With O(group_membership=exact), refuse to run (before any write) when more group memberships than this
        would be removed in all, across the groups the roster names.
    type: int
    default: 10
  max_membership_removal_percent:
    description:
      - With O(group_membership=exact), refuse to run (before any write) when more than this share of one group's
        members would be removed from it, in percent. Removing one or two members never trips it. V(100) switches it off.
    type: int
    default: 20
  allow_empty:
    description:
      - Allow an empty O(users) list together with O(unlisted=disable) or O(unlisted=delete). Without it that
        combination fails, since it would disable or delete everyone.
    type: bool
    default: false
  group_membership:
    description:
      - V(add) adds listed users to their groups and removes nobody.
      - V(exact) also removes users from the groups the roster names when the roster does not put them there.
        Groups the roster names nowhere are left alone.
    type: str
    choices: [add, exact]
    default: add
  parallelism:
    description:
      - How many write requests run at the same time. A 429 answer pauses all of them.
    type: int
    default: 4
  page_size:
    description: Users and groups asked for per list request (the server may answer with fewer).
    type: int
    default: 100
  state:
    description:
      - What the listed users should be.
      - V(present) is the roster described above.
      - V(disabled) disables each listed user that exists (its account and audit history are kept), and
        V(absent) deletes it (B(permanent); deleting destroys its audit history). Only O(users[].username) counts
        then, O(unlisted) must be V(ignore), a login that is not a user of the organization is reported in
        RV(not_found) with a warning naming the closest existing logins (or refused with O(missing=fail)), and the
        API user running the module is refused before any write.
    type: str
    choices: [present, disabled, absent]
    default: present
    version_added: 0.1.0
  leave_groups:
    description:
      - With O(state=disabled) or O(state=absent), also remove the listed users from every access group they are in
        (one read per group, one write per group that loses members; deletes are sent after the group writes).
    type: bool
    default: false
    version_added: 0.1.0
  missing:
    description:
      - With O(state=disabled) or O(state=absent), what a listed login that is not a user of the organization does.
        V(warn) reports it (RV(not_found) and a warning), V(fail) refuses the whole run before any write.
    type: str
    choices: [warn, fail]
    default: warn
    version_added: 0.1.0
  report_listed:
    description:
      - Also return RV(listed), the id of every listed user (for per-user reports such as the onboard role's).
    type: bool
    default: false
    version_added: 0.1.0
seealso:
  - module: contrast_security.identity.contrast_user
  - module: contrast_security.identity.contrast_group_membership
"""

EXAMPLES = r"""
- name: The organization as HR says it should be
  contrast_security.identity.contrast_roster:
    users: "{{ lookup('ansible.builtin.file', 'roster.json') | from_json }}"
    unlisted: disable
    protected: ["break-glass@example.com", "*@contrast-support.example.com"]
    group_membership: exact
  register: roster

- name: Drift audit, changing nothing
  contrast_security.identity.contrast_roster:
    users:
      - {username: jane.doe@example.com, first_name: Jane, last_name: Doe, role: ROLE_EDIT, groups: [Payments Team]}
      - {username: ops-bot@example.com, first_name: Ops, last_name: Bot, role: ROLE_VIEW, api_only: true}
    unlisted: disable
    # Check mode writes nothing: report every unlisted user rather than stop at the default guard of 10.
    max_unlisted_changes: 100000
  check_mode: true
  register: drift

- name: Fail the audit when there is drift
  ansible.builtin.assert:
    that: not drift.changed
    fail_msg: "{{ drift.changes | map(attribute='username') | list }} drifted"
"""

RETURN = r"""
msg:
  description: The summary in one line (in check mode, what would change).
  returned: always
  type: str
  sample: "Changed: 1 created, 2 updated, 1 disabled; 3 membership(s) added; 120 unchanged."
diff:
  description:
    - One diff per user that changes (its login and action as the header), with the fields and the group
      memberships that change, one a line, before and after. Printed with C(--diff).
  returned: in diff mode (C(--diff))
  type: list
  elements: dict
  sample:
    - before_header: ann@example.com (update)
      after_header: ann@example.com (update)
      before: "  role: ROLE_VIEW\n"
      after: "  role: ROLE_EDIT\n  group: Payments Team\n"
summary:
  description: How many users and memberships change (in check mode, would change).
  returned: always
  type: dict
  contains:
    created: {description: Users created (and invited)., type: int}
    updated: {description: Users whose attributes change., type: int}
    enabled: {description: Disabled users enabled again (possibly with attribute changes)., type: int}
    disabled: {description: Unlisted users disabled., type: int}
    deleted: {description: Unlisted users deleted., type: int}
    unchanged: {description: Listed users that need no change at all., type: int}
    memberships_added: {description: User-group memberships added., type: int}
    memberships_removed: {description: User-group memberships removed., type: int}
  sample: {created: 1, updated: 2, enabled: 0, disabled: 1, deleted: 0, unchanged: 120, memberships_added: 3, memberships_removed: 0}
changes:
  description: One entry per user that changes.
  returned: always
  type: list
  elements: dict
  contains:
    username: {description: Login of the user., type: str}
    user_id: {description: Id of the user (null for a user that would be created in check mode)., type: str}
    action:
      description: C(create), C(update), C(enable), C(disable), C(delete), or C(membership) (only group memberships change).
      type: str
    fields:
      description: Per field, C(before) and C(after).
      type: dict
    groups_added: {description: Groups the user is added to., type: list, elements: str}
    groups_removed: {description: Groups the user is removed from., type: list, elements: str}
    status:
      description: C(planned) in check mode; C(ok) or C(failed) after the real run.
      type: str
    error: {description: Why the change failed (only when it did)., type: str, returned: when status is failed}
  sample:
    - username: jane.doe@example.com
      user_id: null
      action: create
      fields:
        role: {before: null, after: ROLE_EDIT}
      groups_added: [Payments Team]
      groups_removed: []
      status: planned
not_found:
  description: With O(state=disabled) or O(state=absent), the listed logins that are not users of the organization.
  returned: when O(state) is V(disabled) or V(absent)
  type: list
  elements: str
  sample: [ghost@example.com]
listed:
  description:
    - One entry per listed user (duplicates once), in the order of O(users), with its login as the organization
      has it (or as listed, for a user to create or not found) and its id (null for a user that is not found, or that
      check mode would create).
  returned: when O(report_listed=true)
  type: list
  elements: dict
  contains:
    username: {description: Login of the user., type: str}
    user_id: {description: Id of the user., type: str}
    enabled: {description: Whether the user is enabled after the run (null when not found)., type: bool}
  sample: [{username: jane.doe@example.com, user_id: "42", enabled: true}]
"""

from ansible_collections.contrast_security.identity.plugins.module_utils.base import ContrastModule
from ansible_collections.contrast_security.identity.plugins.module_utils.offboarding import plan_leavers
from ansible_collections.contrast_security.identity.plugins.module_utils.roster import (
    GUARD_DEFAULTS,
    RosterError,
    admin_warning,
    apply,
    diff_of,
    plan,
    report,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.users import looks_converted


def converge(module):
    params = module.params
    client = module.client
    entries = params["users"]
    page_size = params["page_size"]
    if params["state"] != "present":
        return converge_leavers(module, client, entries, page_size)
    options = dict((key, params[key]) for key in ("unlisted", "protected", "allow_empty", "group_membership") + tuple(GUARD_DEFAULTS))

    users = client.list_users(page_size=page_size)
    named = set(name for entry in entries for name in entry.get("groups") or [])
    # No entry names a group: the group list is not needed (a no-op roster reads the users only).
    groups = client.list_groups(page_size=page_size) if named else []
    members = dict((group["group_id"], client.list_group_members(group["group_id"], page_size=page_size))
                   for group in groups if group["name"] in named)
    try:
        the_plan = plan(entries, options, users, groups, members, api_username=client.username)
    except RosterError as err:
        module.fail_json(msg=str(err), problems=err.problems)
    guards = the_plan.pop("guards", [])
    if guards and not module.check_mode:
        module.fail_json(msg="The roster was not applied; nothing was changed:\n- " + "\n- ".join(guards), problems=guards)
    for guard in guards:
        module.warn("The real run would be refused: %s" % guard)
    warning = admin_warning(the_plan, users, client.username)
    if warning:
        module.warn(warning)

    # A role the server does not list fails here, before any write (and in check mode too).
    client.require_roles(change["fields"].get("role") for change in the_plan["users"])
    failures = []
    crash = None
    if not module.check_mode:
        try:
            failures = apply(client, the_plan, params["parallelism"], redact=client.redact)
        except Exception as err:  # pylint: disable=broad-except
            # Whatever went wrong, the report of what was applied must survive it.
            crash = client.redact("%s: %s" % (type(err).__name__, err))
            for change in the_plan["users"] + the_plan["groups"]:
                change.setdefault("status", "failed")
                if change["status"] == "failed":
                    change.setdefault("error", "not attempted or not known: " + crash)
    summary, changes = report(the_plan, module.check_mode, listed=[entry["username"] for entry in entries])
    result = dict(changed=bool(changes), summary=summary, changes=changes,
                  msg=summary_message(summary, module.check_mode))
    if module._diff:  # only asked for with --diff; for 1,000 changes it doubles the result
        result["diff"] = diff_of(changes)
    if params["report_listed"]:
        result["listed"] = listed_users(entries, users, the_plan)
    warn_conflicts(module, the_plan)
    if failures or crash:
        result["msg"] = failure_message(failures or [crash], changes)
        module.fail_json(**result)
    return result


def warn_conflicts(module, the_plan):
    for group in the_plan["groups"]:
        for conflict in group.get("conflicts", []):
            module.warn("Another writer changed group %r during this run: %s." % (group["name"], conflict))


def listed_users(entries, users, the_plan) -> list:
    """{username, user_id, enabled} per listed user, after the run (created users with their new ids)."""
    by_name = dict(((user["username"] or "").lower(), user) for user in users)
    changed = dict((change["username"].lower(), change) for change in the_plan["users"])
    listed, seen = [], set()
    for entry in entries:
        key = (entry.get("username") or "").strip().lower()
        if not key or key in seen:
            continue
        seen.add(key)
        user = by_name.get(key)
        change = changed.get(key)
        enabled = user.get("enabled") if user else None
        if change is not None and change.get("status") != "failed":
            enabled = change["after"].get("enabled", enabled)
        if user is None and change is not None:
            enabled = True if change.get("user_id") else None
        listed.append({"username": user["username"] if user else entry["username"].strip(),
                       "user_id": user["user_id"] if user else (change or {}).get("user_id"),
                       "enabled": enabled})
    return listed


def converge_leavers(module, client, entries, page_size):
    """state=disabled/absent: disable or delete the listed users, and with leave_groups take them out of
    every group. Reads: the users, and (only when a listed user exists and leaves its groups) the groups
    and their members."""
    params = module.params
    if params["unlisted"] != "ignore":
        module.fail_json(msg="unlisted=%s cannot be combined with state=%s (which acts on the listed users only)."
                         % (params["unlisted"], params["state"]))
    names = [entry["username"] for entry in entries]
    users = client.list_users(page_size=page_size)
    logins = set((user["username"] or "").lower() for user in users)
    groups, members = [], {}
    if params["leave_groups"] and any((name or "").strip().lower() in logins for name in names):
        groups = client.list_groups(page_size=page_size)
        members = dict((group["group_id"], client.list_group_members(group["group_id"], page_size=page_size))
                       for group in groups)
    try:
        planned = plan_leavers(names, params["state"], params["leave_groups"], params["missing"] == "fail",
                               users, groups, members, api_username=client.username)
    except RosterError as err:
        module.fail_json(msg=str(err), problems=err.problems)
    for warning in planned["warnings"]:
        module.warn(warning)
    the_plan = planned["plan"]
    failures = [] if module.check_mode else apply(client, the_plan, params["parallelism"], redact=client.redact)
    summary, changes = report(the_plan, module.check_mode)
    warn_conflicts(module, the_plan)
    result = dict(changed=bool(changes), summary=summary, changes=changes, not_found=planned["not_found"],
                  msg=summary_message(summary, module.check_mode))
    if module._diff:
        result["diff"] = diff_of(changes)
    if params["report_listed"]:
        deleted = set(change["user_id"] for change in the_plan["users"]
                      if change["action"] == "delete" and change.get("status") != "failed")
        listed = []
        for user in planned["found"]:
            enabled = False if params["state"] == "disabled" else user.get("enabled")
            listed.append({"username": user["username"], "user_id": user["user_id"],
                           "enabled": None if user["user_id"] in deleted else enabled})
        result["listed"] = listed
    if failures:
        result["msg"] = failure_message(failures, changes)
        module.fail_json(**result)
    return result


def summary_message(summary, check_mode) -> str:
    """'Would change 3 user(s): 1 created, 2 updated; 1 membership(s) added; 120 unchanged.' in one line."""
    users = ["%d %s" % (summary[key], key) for key in ("created", "updated", "enabled", "disabled", "deleted") if summary[key]]
    memberships = ["%d membership(s) %s" % (summary[key], key.split("_")[1])
                   for key in ("memberships_added", "memberships_removed") if summary[key]]
    if not (users or memberships):
        return "The organization matches the roster (%d listed user(s) unchanged)." % summary["unchanged"]
    parts = [", ".join(users)] if users else []
    parts += memberships
    return "%s: %s; %d unchanged." % ("Would change" if check_mode else "Changed", "; ".join(parts), summary["unchanged"])


def failure_message(failures, changes) -> str:
    """What was applied, what was not, and one line per distinct reason (a refused role would otherwise repeat
    for every write)."""
    done = ["%s %s" % (change["action"], change["username"]) for change in changes if change["status"] == "ok"]
    not_done = ["%s %s" % (change["action"], change["username"]) for change in changes if change["status"] == "failed"]

    def some(items):
        return ", ".join(items[:10]) + (" and %d more" % (len(items) - 10) if len(items) > 10 else "")
    head = ("%d planned write(s) failed and nothing was applied (not applied: %s)" % (len(failures), some(not_done)) if not done else
            "%d planned write(s) failed. Applied: %s. Not applied: %s (see changes)" % (len(failures), some(done), some(not_done)))
    by_reason = {}
    for failure in failures:
        subject, _sep, reason = failure.partition(": ")
        by_reason.setdefault(reason, []).append(subject)
    lines = []
    for reason, subjects in by_reason.items():
        shown = ", ".join(subjects[:10]) + (" and %d more" % (len(subjects) - 10) if len(subjects) > 10 else "")
        lines.append("%s: %s" % (shown, reason))
    return "%s: %s" % (head, "; ".join(lines))


def main():
    entry_spec = dict(
        username=dict(type="str", required=True),
        first_name=dict(type="str"),
        last_name=dict(type="str"),
        email=dict(type="str"),
        role=dict(type="str"),
        api_only=dict(type="bool"),
        protect_enabled=dict(type="bool"),
        groups=dict(type="list", elements="str"),
        date_format=dict(type="str"),
        time_format=dict(type="str"),
        time_zone=dict(type="str"),
    )
    module = ContrastModule(
        argument_spec=dict(
            users=dict(type="list", elements="dict", required=True, options=entry_spec),
            unlisted=dict(type="str", default="ignore", choices=["ignore", "disable", "delete"]),
            protected=dict(type="list", elements="str", default=[]),
            max_unlisted_changes=dict(type="int", default=GUARD_DEFAULTS["max_unlisted_changes"]),
            max_unlisted_percent=dict(type="int", default=GUARD_DEFAULTS["max_unlisted_percent"]),
            max_membership_removals=dict(type="int", default=GUARD_DEFAULTS["max_membership_removals"]),
            max_membership_removal_percent=dict(type="int", default=GUARD_DEFAULTS["max_membership_removal_percent"]),
            allow_empty=dict(type="bool", default=False),
            group_membership=dict(type="str", default="add", choices=["add", "exact"]),
            parallelism=dict(type="int", default=4),
            page_size=dict(type="int", default=100),
            state=dict(type="str", default="present", choices=["present", "disabled", "absent"]),
            leave_groups=dict(type="bool", default=False),
            missing=dict(type="str", default="warn", choices=["warn", "fail"]),
            report_listed=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    for name in ("parallelism", "page_size"):
        if module.params[name] < 1:
            module.fail_json(msg="%s must be 1 or more, got %d" % (name, module.params[name]))
    for name in GUARD_DEFAULTS:
        if module.params[name] < 0 or (name.endswith("_percent") and module.params[name] > 100):
            module.fail_json(msg="%s must be 0 or more" % name if not name.endswith("_percent")
                             else "%s must be from 0 to 100" % name)
    # A pattern that protects nobody (blank, or a dict Ansible turned into a string) must not pass silently.
    bad = ["protected[%d] %r" % (index, pattern) for index, pattern in enumerate(module.params["protected"])
           if not pattern.strip() or looks_converted(pattern)]
    if bad:
        module.fail_json(msg="Not a username pattern: %s." % ", ".join(bad))
    module.refuse_bad_input(text_fields=("protected",))
    module.run(converge)


if __name__ == "__main__":
    main()
