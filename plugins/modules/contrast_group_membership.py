#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: contrast_group_membership
short_description: Manage who is in a Contrast Security access group
version_added: 0.1.0
description:
  - Adds users to an access group, removes them, or makes the group's members exactly a given list.
  - Access groups grant application-level access in Contrast, separately from the organization role.
  - The API's membership write replaces the whole member list. The module reads the current members,
    computes the new set, and sends one write only when the set changes. Members that were not asked
    about are never dropped, except with O(state=exact).
  - The API has no version check, so the module reads the members again immediately before its write, applies
    only this run's own change (users added, users removed) to that list, and reads the members back after the
    write. When another writer changed the group in between, or the write did not take, it applies its own change
    again to the latest list (at most 3 times), reports the interleaving in RV(conflicts) with a warning, and
    fails if the change never held.
  - A null O(users) with no O(user_ids) (an undefined variable rendered as null) is refused; an empty list must
    be written as V([]).
  - Users with a pending invitation are members like any other.
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
extends_documentation_fragment:
  - contrast_security.identity.connection
attributes:
  check_mode:
    support: full
    description: Sends no write request; reports the same C(changed), C(diff), RV(added) and RV(removed) as the real run.
  diff_mode:
    support: full
    description: The members before and after, one username a line, so that only who joins or leaves is marked.
options:
  group:
    description:
      - Name of the access group, matched exactly (case included). An unknown name fails and lists close matches.
      - Exactly one of O(group) and O(group_id) is required.
    type: str
  group_id:
    description: Id of the access group.
    type: str
  users:
    description:
      - Usernames (logins) of the users, matched case-insensitively.
      - Resolved to user ids with one pass over the user list (skipped when every name is already a member).
    type: list
    elements: str
  user_ids:
    description: Ids of the users, in addition to O(users).
    type: list
    elements: str
  state:
    description:
      - V(present) makes sure these users are members.
      - V(absent) makes sure these users are not members.
      - V(exact) makes these users the only members, removing everyone else. O(users) or O(user_ids) must then
        be given explicitly; an explicitly empty list empties the group.
    type: str
    choices: [present, absent, exact]
    default: present
  missing_users:
    description:
      - What to do with usernames or ids that are not users of the organization.
      - V(fail) fails before any write and names each of them.
      - V(ignore) leaves them out with a warning (useful when offboarding people someone already deleted).
    type: str
    choices: [fail, ignore]
    default: fail
  max_removals:
    description:
      - With O(state=exact), refuse (before any write) to remove more members than this in one run.
        A guard against a truncated or mis-rendered list; raise it for an intended mass change.
      - In check mode a tripped guard does not fail; the plan is reported with a warning that the real run would
        be refused.
    type: int
    default: 10
  max_removal_percent:
    description:
      - With O(state=exact), refuse (before any write) to remove more than this share of the group's members, in
        percent. Removing one or two members never trips it. V(100) switches it off.
      - In check mode a tripped guard warns instead of failing.
    type: int
    default: 20
seealso:
  - module: contrast_security.identity.contrast_group_info
  - module: contrast_security.identity.contrast_user
"""

EXAMPLES = r"""
- name: Give two developers access to the payments applications
  contrast_security.identity.contrast_group_membership:
    group: Payments Team
    users:
      - jane.doe@example.com
      - john.smith@example.com

- name: Revoke one person's access
  contrast_security.identity.contrast_group_membership:
    group: Payments Team
    users: [john.smith@example.com]
    state: absent

- name: The security champions are exactly these people
  contrast_security.identity.contrast_group_membership:
    group: Security Champions
    users: "{{ champions }}"
    state: exact
  vars:
    champions: [alice.nguyen@example.com, deepak.patel@example.com]

- name: Empty a group (the empty list must be explicit)
  contrast_security.identity.contrast_group_membership:
    group: Contractors
    users: []
    state: exact
"""

RETURN = r"""
group:
  description: The access group.
  returned: always
  type: dict
  contains:
    group_id:
      description: Id of the group.
      type: raw
      sample: 7
    name:
      description: Name of the group.
      type: str
      sample: Payments Team
members:
  description: Usernames of the members after the run (in check mode, as they would be), sorted.
  returned: always
  type: list
  elements: str
  sample: [jane.doe@example.com, john.smith@example.com]
added:
  description: Usernames this run adds, sorted.
  returned: always
  type: list
  elements: str
  sample: [jane.doe@example.com]
removed:
  description: Usernames this run removes, sorted.
  returned: always
  type: list
  elements: str
  sample: []
conflicts:
  description: Interleavings with another writer of the group that this run met and resolved (empty when none).
  returned: always
  type: list
  elements: str
  sample: []
missing:
  description: Usernames or ids that are not users of the organization (only with O(missing_users=ignore)).
  returned: always
  type: list
  elements: str
  sample: []
diff:
  description:
    - The members before and after, as sorted usernames, one a line (so that C(--diff) marks only who joins and
      who leaves); empty strings when nothing changes.
  returned: always
  type: dict
  sample:
    before_header: members of Payments
    after_header: members of Payments
    before: "john.smith@example.com\n"
    after: "jane.doe@example.com\njohn.smith@example.com\n"
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: "Changed Payments: added jane.doe@example.com; 2 member(s) now."
"""

from ansible_collections.contrast_security.identity.plugins.module_utils.base import ContrastModule
from ansible_collections.contrast_security.identity.plugins.module_utils.groups import GroupLookupError, find_group, plan_members
from ansible_collections.contrast_security.identity.plugins.module_utils.guards import guard_problem, write_members


def resolve_users(module, members):
    """Usernames and ids asked for -> ({user_id: username}, [missing]); one user-list pass at most."""
    params = module.params
    names = [name.strip() for name in params["users"] or []]
    ids = [str(user_id) for user_id in params["user_ids"] or []]
    by_name = dict((member["username"].lower(), member) for member in members if member["username"])
    by_id = dict((str(member["user_id"]), member) for member in members)

    unresolved_names = [name for name in names if name.lower() not in by_name]
    unresolved_ids = [user_id for user_id in ids if user_id not in by_id]
    if unresolved_names or unresolved_ids:
        for user in module.client.list_users():
            if user["username"]:
                by_name.setdefault(user["username"].lower(), user)
            by_id.setdefault(str(user["user_id"]), user)

    wanted = {}
    missing = []
    for name in names:
        user = by_name.get(name.lower())
        if user is None:
            missing.append(name)
        else:
            wanted[str(user["user_id"])] = user["username"]
    for user_id in ids:
        user = by_id.get(user_id)
        if user is None:
            missing.append(user_id)
        else:
            wanted[user_id] = user["username"]
    return wanted, missing


def ensure_membership(module):
    params = module.params
    client = module.client
    try:
        group = find_group(client.list_groups(), name=params["group"], group_id=params["group_id"])
    except GroupLookupError as err:
        module.fail_json(msg=str(err))
    group_ref = {"group_id": group["group_id"], "name": group["name"]}

    members = client.list_group_members(group["group_id"])
    wanted, missing = resolve_users(module, members)
    if missing and params["missing_users"] == "fail":
        module.fail_json(msg="Not users of the organization: %s. Nothing was changed. (Use missing_users=ignore to leave "
                             "unknown users out.)" % ", ".join(missing), group=group_ref, missing=missing)
    if missing:
        module.warn("Not users of the organization, left out: %s" % ", ".join(missing))

    names = dict((str(member["user_id"]), member["username"]) for member in members)
    names.update(wanted)
    current_ids = [str(member["user_id"]) for member in members]
    new_ids, added, removed = plan_members(current_ids, list(wanted), params["state"])

    def usernames(user_ids):
        return sorted((names[user_id] or user_id) for user_id in user_ids)  # a member no listing names: its id

    changed = bool(added or removed)
    if params["state"] == "exact":
        problem = guard_problem("members would be removed from %r" % group["name"], len(removed), len(current_ids),
                                params["max_removals"], params["max_removal_percent"], "max_removals", "max_removal_percent",
                                usernames(removed))
        if problem and module.check_mode:
            module.warn("The real run would be refused: %s" % problem)
        elif problem:
            module.fail_json(msg="Nothing was changed: %s" % problem, group=group_ref, removed=usernames(removed))
    members = usernames(new_ids)
    conflicts = []
    if changed and not module.check_mode:
        # Read again right before the write and apply this run's own change to that list; read back after, and
        # apply it again when another writer came in between (the API has no version check).
        after_members, conflicts = write_members(client, group["group_id"], added, removed, write=module.write_verified)
        if conflicts:
            names.update((str(member["user_id"]), member["username"]) for member in after_members)
            members = usernames(str(member["user_id"]) for member in after_members)
            module.warn("Another writer changed %r while this run did: %s. This run's change holds; members now: %s."
                        % (group["name"], "; ".join(conflicts), ", ".join(members)))

    return dict(
        changed=changed,
        group=group_ref,
        conflicts=conflicts,
        members=members,
        added=usernames(added),
        removed=usernames(removed),
        missing=missing,
        diff=member_diff(group["name"], usernames(current_ids), usernames(new_ids)) if changed
        else dict(before="", after=""),
        msg=membership_message(group["name"], usernames(added), usernames(removed), len(new_ids), module.check_mode),
    )


def member_diff(group_name, before, after):
    """One username a line: a unified diff then marks only who joins and who leaves (a list rendered as JSON
    would show an unchanged last member as removed and added, for its trailing comma)."""
    header = "members of %s" % group_name
    return dict(before_header=header, after_header=header,
                before="".join(name + "\n" for name in before), after="".join(name + "\n" for name in after))


def membership_message(group_name, added, removed, count, check_mode):
    if not (added or removed):
        return "%s already has the wanted members (%d)." % (group_name, count)
    parts = []
    if added:
        parts.append("added %s" % ", ".join(added))
    if removed:
        parts.append("removed %s" % ", ".join(removed))
    return "%s%s: %s; %d member(s) now." % ("Would change " if check_mode else "Changed ", group_name, "; ".join(parts), count)


def main():
    module = ContrastModule(
        argument_spec=dict(
            group=dict(type="str"),
            group_id=dict(type="str"),
            users=dict(type="list", elements="str"),
            user_ids=dict(type="list", elements="str"),
            state=dict(type="str", default="present", choices=["present", "absent", "exact"]),
            missing_users=dict(type="str", default="fail", choices=["fail", "ignore"]),
            max_removals=dict(type="int", default=10),
            max_removal_percent=dict(type="int", default=20),
        ),
        required_one_of=[("group", "group_id"), ("users", "user_ids")],
        mutually_exclusive=[("group", "group_id")],
        supports_check_mode=True,
    )
    for option in ("users", "user_ids"):
        blank = [str(index) for index, value in enumerate(module.params[option] or []) if not value.strip()]
        if blank:
            module.fail_json(msg="%s[%s]: empty; every entry must name a user." % (option, ", ".join(blank)))
    params = module.params
    if params["users"] is None and params["user_ids"] is None:
        # An undefined variable rendered as null must never read as "nobody": with state=exact it would empty the group.
        module.fail_json(msg="users (or user_ids) is null. To name no user, write an empty list explicitly: users: [].")
    if params["max_removals"] < 0 or not 0 <= params["max_removal_percent"] <= 100:
        module.fail_json(msg="max_removals must be 0 or more and max_removal_percent from 0 to 100.")
    module.refuse_bad_input(text_fields=("group", "users"), id_fields=("group_id", "user_ids"))
    module.run(ensure_membership)


if __name__ == "__main__":
    main()
