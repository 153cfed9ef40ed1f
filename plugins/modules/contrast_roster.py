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
    compares it with the roster, and sends only the writes needed, with bounded parallelism. Where every listed user
    carries its access groups (both API references give a user its C(groups)), the plan takes the members from
    there and reads no member list.
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
      - How many requests run at the same time, writes and the pages of a list after its first one (where the
        first page says how many users or groups there are). A 429 answer pauses all of them.
      - The run uses at most this many connections plus one.
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
        (the members from the groups each listed user carries where every user carries them, else one read per group;
        one write per group that loses members; deletes are sent after the group writes).
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
    added_existing:
      description:
        - V(true) when the login already had a Contrast account in another organization (TeamServer), so that the
          create added that account to this organization (no invitation is sent) and one edit brought its names,
          role and flags to the entry, verified by reading it back.
        - Check mode cannot know this in advance; it reports such a user as a C(create), as does the real run, which
          adds this key.
      type: bool
      returned: when such an account was added
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

import functools
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.contrast_security.identity.plugins.module_utils.base import ContrastModule
from ansible_collections.contrast_security.identity.plugins.module_utils.offboarding import plan_leavers
from ansible_collections.contrast_security.identity.plugins.module_utils.roster import RosterError, admin_warning, apply_keeping_report, plan, read_members
from ansible_collections.contrast_security.identity.plugins.module_utils.roster_input import GUARD_DEFAULTS, argument_spec, option_problem
from ansible_collections.contrast_security.identity.plugins.module_utils.roster_report import (
    diff_of, failure_message, listed_leavers, listed_users, report, summary_message)


def converge(module):
    """Read the organization and plan (check mode stops there), send the writes, report what was done.

    One pool of `parallelism` threads reads the list pages at once and sends the writes: its threads keep their
    connections from the reads to the last write (parallelism + 1 connections in all)."""
    with ThreadPoolExecutor(max_workers=module.params["parallelism"]) as pool:
        module.client.read_pool, module.client.read_parallelism = pool, module.params["parallelism"]
        return converge_with(module, pool)


def converge_with(module, pool):
    params = module.params
    entries = params["users"]
    if params["state"] == "present":
        the_plan, users = plan_roster(module)
        extra, listed = {}, functools.partial(listed_users, entries, users, the_plan)
        counted = [entry["username"] for entry in entries]
    else:
        the_plan, leaving = plan_departures(module)
        extra, listed = {"not_found": leaving["not_found"]}, functools.partial(listed_leavers, leaving["found"], the_plan, params["state"])
        counted = ()
    failures = [] if module.check_mode else apply_keeping_report(module.client, the_plan, params["parallelism"], pool)
    summary, changes = report(the_plan, module.check_mode, listed=counted)
    result = dict(changed=bool(changes), summary=summary, changes=changes, msg=summary_message(summary, module.check_mode), **extra)
    if module._diff:  # only asked for with --diff; for 1,000 changes it doubles the result
        result["diff"] = diff_of(changes)
    if params["report_listed"]:
        result["listed"] = listed()
    for group in the_plan["groups"]:
        for conflict in group.get("conflicts", []):
            module.warn("Another writer changed group %r during this run: %s." % (group["name"], conflict))
    if failures:
        some_applied = any(item.get("status") == "ok" for item in the_plan["users"] + the_plan["groups"])
        result["msg"] = failure_message(failures, changes, some_applied)
        module.fail_json(**result)
    return result


def plan_roster(module):
    """state=present: read the users (and the groups the roster names, with their members) and plan; refuse a
    roster with problems, and a mass change unless in check mode (which warns). Returns (plan, users read)."""
    params, client = module.params, module.client
    entries, page_size = params["users"], params["page_size"]
    options = dict((key, params[key]) for key in ("unlisted", "protected", "allow_empty", "group_membership") + tuple(GUARD_DEFAULTS))
    users = client.list_users(page_size=page_size)
    named = set(name for entry in entries for name in entry.get("groups") or [])
    # No entry names a group: the group list is not needed (a no-op roster reads the users only).
    groups = client.list_groups(page_size=page_size) if named else []
    members = read_members(client, [group for group in groups if group["name"] in named], page_size, listed_groups=groups)
    try:
        the_plan = plan(entries, options, users, groups, members, api_username=client.username)
    except RosterError as err:
        module.fail_json(msg=str(err), problems=err.problems)
    guards = the_plan.pop("guards", [])
    if guards and not module.check_mode:
        module.fail_json(msg=str(RosterError(guards)), problems=guards)
    for guard in guards:
        module.warn("The real run would be refused: %s" % guard)
    warning = admin_warning(the_plan, users, client.username)
    if warning:
        module.warn(warning)
    # A role the server does not list fails here, before any write (and in check mode too).
    client.require_roles(change["fields"].get("role") for change in the_plan["users"])
    return the_plan, users


def plan_departures(module):
    """state=disabled/absent: plan disabling or deleting the listed users, and with leave_groups taking them out of
    every group. Reads: the users, and (only when a listed user exists and leaves its groups) the groups and their
    members. Returns (plan, plan_leavers' answer)."""
    params, client = module.params, module.client
    page_size = params["page_size"]
    names = [entry["username"] for entry in params["users"]]
    users = client.list_users(page_size=page_size)
    logins = set((user["username"] or "").lower() for user in users)
    groups, members = [], {}
    if params["leave_groups"] and any((name or "").strip().lower() in logins for name in names):
        groups = client.list_groups(page_size=page_size)
        members = read_members(client, groups, page_size)
    try:
        leaving = plan_leavers(names, params["state"], params["leave_groups"], params["missing"] == "fail",
                               users, groups, members, api_username=client.username)
    except RosterError as err:
        module.fail_json(msg=str(err), problems=err.problems)
    for warning in leaving["warnings"]:
        module.warn(warning)
    return leaving["plan"], leaving


def main():
    module = ContrastModule(argument_spec=argument_spec(), supports_check_mode=True)
    problem = option_problem(module.params)
    if problem:
        module.fail_json(msg=problem)
    module.refuse_bad_input(text_fields=("protected",))
    module.run(converge)


if __name__ == "__main__":
    main()
