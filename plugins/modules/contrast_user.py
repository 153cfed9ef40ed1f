#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: contrast_user
short_description: Create (invite), update, disable, re-enable or delete one Contrast Security user
version_added: 0.1.0
description:
  - Manages the lifecycle of one user of a Contrast Security organization through the REST API.
  - V(present) creates the user when missing (the API then sends an invitation email; the account stays
    pending until it is accepted), updates the given attributes that differ, and re-enables a disabled user.
  - V(disabled) makes sure an existing user is disabled. It never creates anyone. This is the safe way to
    offboard someone; the account and its audit history are kept.
  - V(absent) deletes the user. B(Deleting is permanent and destroys the user's audit history); prefer V(disabled).
  - Only the attributes given are compared and changed; an attribute left out is never touched.
  - The login (O(username)) and O(email) cannot be changed through the API. Asking for it fails before any
    write, and the message explains the way out (disable the old account, create a new one).
  - A create is never retried blindly. When the answer to a create is lost (connection error, 5xx), the module
    looks the user up before trying again, so no second account and no second invitation is made. A 409 (user
    exists) after an attempt that may have been applied (such as a 429 answered after the server created the user)
    is resolved the same way.
  - Every write is verified. The user read back after a create or an update must hold what was asked, and a
    deleted user must be gone; otherwise the module fails, naming the fields the server did not take.
  - The API user (the account whose keys the module uses) is never disabled, deleted or demoted from C(ROLE_ADMIN);
    asking for it fails before any write, since every later call would fail. Disabling, deleting or demoting the last
    enabled C(ROLE_ADMIN) other than the API user warns, naming them.
  - Names, logins and ids with control or bidirectional-override characters (such as U+202E) are refused, and so
    are ids containing C(/), C(?), C(#) or a backslash.
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
extends_documentation_fragment:
  - contrast_security.identity.connection
attributes:
  check_mode:
    support: full
    description: Sends no write request; reports the same C(changed) and C(diff) the real run produces.
  diff_mode:
    support: full
    description: Shows the user's login and the fields that change, before and after.
options:
  username:
    description:
      - Login of the user, an email address. Matched case-insensitively.
      - At least one of O(username) and O(user_id) is required; to create a user, O(username) is.
    type: str
  user_id:
    description:
      - Id of the user. Finds the user with one request instead of paging through the user list.
      - When both O(user_id) and O(username) are given they must name the same user. The API assigns the id of a
        new user, so a user to create cannot be given one; with an unknown O(user_id), V(present) fails before any write.
    type: str
  first_name:
    description: First name. Required to create a user.
    type: str
  last_name:
    description: Last name. Required to create a user.
    type: str
  email:
    description:
      - Contact email. Cannot be changed afterwards.
      - The API makes the login the email, so a user is created with O(username) as its email. Giving another
        email for a user that does not exist yet fails before any write (one that differs only in case is the same
        address, and accepted).
    type: str
  role:
    description: Organization role. Required to create a user.
    type: str
    choices: [ROLE_ADMIN, ROLE_EDIT, ROLE_RULES_ADMIN, ROLE_VIEW, ROLE_NO_ACCESS]
  api_only:
    description: Whether the account is an API-only (service) account without UI access.
    type: bool
  protect_enabled:
    description: Whether Contrast Protect is enabled for the user.
    type: bool
  date_format:
    description:
      - The user's date format preference, sent only when this run creates the user and only in the
        V(teamserver) API dialect, whose create call requires it (the guide's API has no such field).
      - Never compared with, nor changed on, an existing user.
      - Defaults to V(MM/dd/yyyy) when the TeamServer dialect needs it.
    type: str
  time_format:
    description:
      - The user's time format preference, sent only on create in the V(teamserver) dialect (required there).
      - Never compared with, nor changed on, an existing user. Defaults to V(hh:mm a) when needed.
    type: str
  time_zone:
    description:
      - The user's time zone (an IANA name such as V(Europe/Paris)), sent only on create in the
        V(teamserver) dialect (required there).
      - Never compared with, nor changed on, an existing user. Defaults to V(UTC) when needed.
    type: str
  state:
    description:
      - V(present) creates or updates the user and makes sure it is enabled.
      - V(disabled) disables an existing user (and applies the other attributes given); a missing user is left missing.
      - V(absent) deletes the user permanently, with its audit history.
    type: str
    choices: [present, disabled, absent]
    default: present
seealso:
  - module: contrast_security.identity.contrast_user_info
  - module: contrast_security.identity.contrast_group_membership
"""

EXAMPLES = r"""
- name: Invite a new developer (or make sure her account matches)
  contrast_security.identity.contrast_user:
    username: jane.doe@example.com
    first_name: Jane
    last_name: Doe
    role: ROLE_EDIT
  register: jane

- name: Tell whether an invitation went out
  ansible.builtin.debug:
    msg: "Invitation sent to {{ jane.user.username }}"
  when: jane.invited

- name: Invite someone in Paris on a TeamServer (the preferences are only sent on create)
  contrast_security.identity.contrast_user:
    username: marie.curie@example.com
    first_name: Marie
    last_name: Curie
    role: ROLE_VIEW
    time_zone: Europe/Paris
    date_format: dd/MM/yyyy
    time_format: HH:mm

- name: Promote Jane, leaving every other attribute alone
  contrast_security.identity.contrast_user:
    username: jane.doe@example.com
    role: ROLE_ADMIN

- name: Offboard someone who left (keeps the account and its audit history)
  contrast_security.identity.contrast_user:
    username: john.smith@example.com
    state: disabled

- name: Delete an account for good (destroys its audit history)
  contrast_security.identity.contrast_user:
    user_id: 3c8a1f0e9b2d4e6f8a0b1c2d3e4f5a6b
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user after the run, in the canonical form (see M(contrast_security.identity.contrast_user_info)).
    - V(null) when the user does not exist after the run.
    - In check mode, the user as it would be; a user that would be created has no C(user_id) yet.
  returned: always
  type: dict
  sample:
    user_id: 3c8a1f0e9b2d4e6f8a0b1c2d3e4f5a6b
    username: jane.doe@example.com
    email: jane.doe@example.com
    first_name: Jane
    last_name: Doe
    enabled: true
    role: ROLE_EDIT
    groups: null
    api_only: false
    protect_enabled: false
    date_created: 1700000000000
    last_login: null
    date_created_iso: "2023-11-14T22:13:20.000Z"
    last_login_iso: null
    org_uuid: 0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d
invited:
  description: Whether this run created the user (which makes the API send an invitation email).
  returned: always
  type: bool
  sample: true
added_existing:
  description:
    - Whether the user already had a Contrast account in another organization and was added to this one instead
      of being created (TeamServer dialect, C(POST /ng/{orgUuid}/users/existing)); no invitation is sent then.
  returned: when the user was added
  type: bool
  sample: true
diff:
  description: The user's login and the fields that change, before and after; empty dicts when nothing changes.
  returned: always
  type: dict
  sample:
    before: {username: jane.doe@example.com, role: ROLE_EDIT}
    after: {username: jane.doe@example.com, role: ROLE_ADMIN}
msg:
  description:
    - What happened, in one line, for example C(Disabled john.smith@example.com.),
      C(Enabled john.smith@example.com again and updated role.), C(Updated jane.doe@example.com (role).),
      or why nothing changed.
  returned: always
  type: str
  sample: Updated jane.doe@example.com (role).
"""

from ansible_collections.contrast_security.identity.plugins.module_utils.base import ContrastModule
from ansible_collections.contrast_security.identity.plugins.module_utils.guards import (
    admin_loss_warning,
    api_user_problem,
    settle_added_existing,
    verify_deleted,
    verified_user_write,
    verify_user_write,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.users import (
    create_email_error,
    create_preferences,
    diff_view,
    fields_to_create,
    immutable_change_error,
    missing_to_create,
    predicted_user,
    same_username,
    update_message,
    user_changes,
    user_input_problem,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import MANAGED_FIELDS, ROLES, USER_ATTRIBUTES, closest_logins


def find_user(module):
    client = module.client
    user_id, username = module.params["user_id"], module.params["username"]
    if user_id:
        user = client.get_user(user_id)
        if user and username and not same_username(user["username"], username):
            module.fail_json(msg=immutable_change_error(user, {"username": username}), user=user)
        if user is None and username:
            other = client.find_user(username)
            if other is not None:
                module.fail_json(msg="user_id %s and username %s disagree: there is no user with that id, and %s has id %s."
                                     % (user_id, username, other["username"], other["user_id"]), user=other)
        return user
    return client.find_user(username)


def wanted_fields(params) -> dict:
    return dict((field, params[field]) for field in USER_ATTRIBUTES)


def result(changed, user, before, after, msg, invited=False):
    return dict(changed=changed, user=user, invited=invited, diff=dict(before=before, after=after), msg=msg)


def ensure_user(module):
    params = module.params
    state = params["state"]
    who = params["username"] or params["user_id"]
    current = find_user(module)

    if state == "absent":
        if current is None:
            return result(False, None, {}, {}, "User %s does not exist; nothing to delete." % who)
        refuse_locking_out(module, current, state, {})
        if not module.check_mode:
            module.write_verified(lambda: module.client.delete_user(current["user_id"]),
                                  lambda: module.client.get_user(current["user_id"]) is None)
            verify_deleted(module.client, current["user_id"], current["username"])
        return result(True, None, diff_view(current), {}, "Deleted %s permanently." % current["username"])

    wanted = wanted_fields(params)
    if current is None:
        if state == "disabled":
            warn_if_mistyped(module)
            return result(False, None, {}, {}, "User %s does not exist; nothing to disable." % who)
        return create_user(module, wanted)

    problem = immutable_change_error(current, wanted)
    if problem:
        module.fail_json(msg=problem, user=current)
    wanted["enabled"] = state == "present"
    changes = user_changes(current, wanted)
    if not changes:
        return result(False, current, {}, {}, "User %s is as wanted." % current["username"])
    refuse_locking_out(module, current, state, changes)
    if module.check_mode:
        user = predicted_user(current, changes)
    else:
        # A lost answer is read back; and a 200 is not proof: what the server holds now must be what was asked.
        user = verified_user_write(module.client, "PUT", current["user_id"],
                                   lambda: module.client.update_user(current["user_id"], changes), changes,
                                   on_lost=module.warn_lost_answer)
    fields = sorted(changes)
    return result(True, user, diff_view(current, fields), diff_view(predicted_user(current, changes), fields),
                  update_message(current["username"], changes))


def warn_if_mistyped(module):
    """A login to disable that is not a user may be a typo (offboarding the wrong spelling leaves the person
    enabled): warn, naming the closest logins. Costs one more pass over the users, only in this case."""
    username = module.params["username"]
    if not username:
        return
    logins = [user["username"] for user in module.client.list_users() if user.get("username")]
    matches = closest_logins(username, [login.lower() for login in logins], cutoff=0.75)
    by_lower = dict((login.lower(), login) for login in logins)
    text = "%s is not a user of the organization, so nobody was disabled." % username
    if matches:
        text += " Did you mean %s?" % " or ".join(by_lower[match] for match in matches)
    module.warn(text)


def refuse_locking_out(module, current, state, changes):
    """Fail (before any write, check mode included) when the change would disable, delete or demote the API user;
    warn when it leaves no enabled admin other than the API user."""
    client = module.client
    problem = api_user_problem(current, client.username, state, changes)
    if problem:
        module.fail_json(msg=problem, user=current)
    demotes = changes.get("role") not in (None, "ROLE_ADMIN")
    if current.get("role") == "ROLE_ADMIN" and current.get("enabled") and (state != "present" or demotes):
        warning = admin_loss_warning(client.list_users(), client.username, [current["username"]])
        if warning:
            module.warn(warning)


def create_user(module, wanted):
    params = module.params
    if not params["username"]:
        module.fail_json(msg="No user has id %s, and a user can only be created from a username (its login email)."
                             % params["user_id"])
    if params["user_id"]:
        # The server assigns the id of a new user: the user created would not be the one asked for, and every
        # later run would fail because user_id and username disagree.
        module.fail_json(msg="No user has id %s, and a user cannot be created with a given id (the API assigns it). To "
                             "create %s, leave user_id out." % (params["user_id"], params["username"]))
    missing = missing_to_create(wanted)
    if missing:
        module.fail_json(msg="User %s does not exist, and creating it needs %s." % (params["username"], ", ".join(missing)))
    problem = create_email_error(params["username"], wanted.get("email"))
    if problem:
        module.fail_json(msg=problem)
    fields = fields_to_create(params["username"], wanted)
    planned = predicted_user(None, fields, org_uuid=params["org_uuid"])
    # Create-time preferences (the TeamServer dialect requires them; the client fills in defaults).
    fields.update(create_preferences(params))
    if module.check_mode:
        # The user as the API would create it: flags left out are created false.
        user = dict(planned, **dict((flag, False) for flag in ("api_only", "protect_enabled") if planned.get(flag) is None))
    else:
        user = module.client.create_user(fields)
    asked = dict((key, value) for key, value in fields.items()
                 if key in ("first_name", "last_name", "role", "api_only", "protect_enabled"))
    after = diff_view(planned, [field for field in MANAGED_FIELDS if planned.get(field) is not None])
    if not module.check_mode and params["username"].strip().lower() in module.client.added_existing:
        # An existing account keeps what it had (its names, ...): brought to what was asked in this same run.
        user = settle_added_existing(module.client, user, wanted, on_lost=module.warn_lost_answer)
        added = result(True, user, {}, after, "%s already has a Contrast account (in another organization): added it to "
                                              "this organization; no invitation is sent." % params["username"])
        added["added_existing"] = True
        return added
    if not module.check_mode:
        verify_user_write(module.client, "POST", None, user, asked)
    return result(True, user, {}, after, "Created %s; the API sent an invitation email." % params["username"], invited=True)


def main():
    module = ContrastModule(
        argument_spec=dict(
            username=dict(type="str"),
            user_id=dict(type="str"),
            first_name=dict(type="str"),
            last_name=dict(type="str"),
            email=dict(type="str"),
            role=dict(type="str", choices=list(ROLES)),
            api_only=dict(type="bool"),
            protect_enabled=dict(type="bool"),
            date_format=dict(type="str"),
            time_format=dict(type="str"),
            time_zone=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "disabled", "absent"]),
        ),
        required_one_of=[("username", "user_id")],
        supports_check_mode=True,
    )
    problem = user_input_problem(module.params)
    if problem:
        module.fail_json(msg=problem)
    module.refuse_bad_input(text_fields=("username", "first_name", "last_name", "email"), id_fields=("user_id",))
    module.run(ensure_user)


if __name__ == "__main__":
    main()
