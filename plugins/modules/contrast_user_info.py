#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: contrast_user_info
short_description: Read the users of a Contrast Security organization
version_added: 0.1.0
description:
  - Reads one user (by O(username) or O(user_id)) or every user of the organization, paging through the whole list.
  - The API has no server-side filters; O(roles), O(enabled) and O(inactive_days) are applied by the module after
    reading, and narrow the result together (a user must match all of them).
  - Returns users in the collection's canonical form, the same shape every module of the collection returns.
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
extends_documentation_fragment:
  - contrast_security.identity.connection
  - contrast_security.identity.info_module
options:
  username:
    description:
      - Login (email) of one user to read, matched case-insensitively.
      - The module pages through the user list until it finds the user.
    type: str
  user_id:
    description:
      - Id of one user to read (one request).
    type: str
  roles:
    description:
      - Only users whose organization role is one of these.
    type: list
    elements: str
    choices: [ROLE_ADMIN, ROLE_EDIT, ROLE_RULES_ADMIN, ROLE_VIEW, ROLE_NO_ACCESS]
  enabled:
    description:
      - Only enabled users (V(true)) or only disabled users (V(false)). All users when not set.
    type: bool
  inactive_days:
    description:
      - Only users with no login for at least this many days, or no login ever (pending invitations included).
    type: int
  include_groups:
    description:
      - Annotate each user with the names of its access groups (RV(users[].groups)).
      - Costs the group list, and the members of each group, unless the whole organization was listed and
        every user object carries its own C(groups) (both API references give users that field); then no
        member list is read at all. Without it RV(users[].groups) is V(null) (unknown).
      - Also returns the groups themselves with their members (RV(groups)).
    type: bool
    default: false
  page_size:
    description:
      - How many users to ask for per request. The server may answer with fewer (it caps the page size
        without saying so); the module keeps paging until it has read the whole list.
    type: int
    default: 100
"""

EXAMPLES = r"""
- name: Read every user of the organization
  contrast_security.identity.contrast_user_info:
    contrast_url: https://eu.contrastsecurity.com/Contrast
    contrast_username: "{{ contrast_api_user }}"
    contrast_service_key: "{{ contrast_service_key }}"
    contrast_api_key: "{{ contrast_api_key }}"
    org_uuid: "{{ contrast_org_uuid }}"
  register: everyone

- name: Enabled admins, connection options taken from module_defaults
  module_defaults:
    group/contrast_security.identity.contrast:
      org_uuid: "{{ contrast_org_uuid }}"
  contrast_security.identity.contrast_user_info:
    roles: [ROLE_ADMIN]
    enabled: true
  register: admins

- name: Enabled users with no login for 90 days, with their access groups
  contrast_security.identity.contrast_user_info:
    enabled: true
    inactive_days: 90
    include_groups: true
  register: stale

- name: One user by login
  contrast_security.identity.contrast_user_info:
    username: jane.doe@example.com
  register: jane

- name: Show who is stale
  ansible.builtin.debug:
    msg: "{{ stale.users | map(attribute='username') | list }}"
"""

RETURN = r"""
msg:
  description: What was read, in one line.
  returned: always
  type: str
  sample: "Read 2 user(s) matching the filters."
groups:
  description:
    - Every access group with its members (all of them, whatever the filters), as
      R(contrast_group_info,ansible_collections.contrast_security.identity.contrast_group_info_module) returns them,
      sorted by name; members sorted by username.
  returned: when O(include_groups=true), and the whole organization was listed or some user was found
  type: list
  elements: dict
  contains:
    group_id:
      description: Id of the group.
      type: raw
    name:
      description: Name of the group.
      type: str
    description:
      description: Description of the group, when the API gives one.
      type: str
    members:
      description: Members of the group, C({user_id, username}).
      type: list
      elements: dict
  sample:
    - group_id: 7
      name: Payments Team
      description: null
      members:
        - user_id: 3c8a1f0e9b2d4e6f8a0b1c2d3e4f5a6b
          username: jane.doe@example.com
count:
  description: Number of users returned (after filtering).
  returned: always
  type: int
  sample: 2
users:
  description: The users, in the canonical form, sorted by username.
  returned: always
  type: list
  elements: dict
  contains:
    user_id:
      description: Id of the user.
      type: str
      sample: 3c8a1f0e9b2d4e6f8a0b1c2d3e4f5a6b
    username:
      description: Login (an email address). Cannot be changed through the API.
      type: str
      sample: jane.doe@example.com
    email:
      description: Contact email, usually the same as RV(users[].username).
      type: str
    first_name:
      description: First name.
      type: str
    last_name:
      description: Last name.
      type: str
    enabled:
      description: Whether the account is enabled.
      type: bool
    role:
      description: Organization role, a C(ROLE_*) name.
      type: str
      sample: ROLE_EDIT
    groups:
      description: Names of the user's access groups, sorted; V(null) when not read (see O(include_groups)).
      type: list
      elements: str
    api_only:
      description: Whether this is an API-only (service) account.
      type: bool
    protect_enabled:
      description: Whether Contrast Protect is enabled for the user.
      type: bool
    date_created:
      description: Creation time in epoch milliseconds, as the API gives it.
      type: int
      sample: 1700000000000
    last_login:
      description: Last login in epoch milliseconds, or V(null) when the user never logged in.
      type: int
    date_created_iso:
      description: RV(users[].date_created) as ISO 8601 UTC.
      type: str
      sample: "2023-11-14T22:13:20.000Z"
    last_login_iso:
      description: RV(users[].last_login) as ISO 8601 UTC, or V(null).
      type: str
    org_uuid:
      description: UUID of the organization.
      type: str
  sample:
    - user_id: 3c8a1f0e9b2d4e6f8a0b1c2d3e4f5a6b
      username: jane.doe@example.com
      email: jane.doe@example.com
      first_name: Jane
      last_name: Doe
      enabled: true
      role: ROLE_EDIT
      groups: [Payments Team]
      api_only: false
      protect_enabled: false
      date_created: 1700000000000
      last_login: null
      date_created_iso: "2023-11-14T22:13:20.000Z"
      last_login_iso: null
      org_uuid: 0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d
"""

from ansible_collections.contrast_security.identity.plugins.module_utils.base import ContrastModule
from ansible_collections.contrast_security.identity.plugins.module_utils.users import filter_users
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import ROLES


def read_users(module):
    client = module.client
    params = module.params
    if params["user_id"]:
        user = client.get_user(params["user_id"])
        users = [user] if user else []
    elif params["username"]:
        user = client.find_user(params["username"], page_size=params["page_size"])
        users = [user] if user else []
    else:
        users = client.list_users(page_size=params["page_size"])

    users = filter_users(users, roles=params["roles"], enabled=params["enabled"], inactive_days=params["inactive_days"])
    extra = {}
    listed_all = not (params["username"] or params["user_id"])
    if params["include_groups"] and (users or listed_all):
        groups = client.groups_with_members(page_size=params["page_size"])
        names = {}
        for group in groups:
            group["members"].sort(key=lambda member: (member["username"] or "").lower())
            for member in group["members"]:
                names.setdefault(member["user_id"], []).append(group["name"])
        for user in users:
            user["groups"] = sorted(names.get(user["user_id"], []))
        extra["groups"] = sorted(groups, key=lambda group: (group["name"] or "").lower())
    users.sort(key=lambda user: (user["username"] or "").lower())
    result = dict(changed=False, users=users, count=len(users), msg="Read %d user(s)%s." % (
        len(users), " matching the filters" if any(params[name] is not None for name in ("roles", "enabled", "inactive_days"))
        else ""))
    result.update(extra)
    return result


def main():
    module = ContrastModule(
        argument_spec=dict(
            username=dict(type="str"),
            user_id=dict(type="str"),
            roles=dict(type="list", elements="str", choices=list(ROLES)),
            enabled=dict(type="bool"),
            inactive_days=dict(type="int"),
            include_groups=dict(type="bool", default=False),
            page_size=dict(type="int", default=100),
        ),
        mutually_exclusive=[("username", "user_id")],
        supports_check_mode=True,
    )
    if module.params["page_size"] < 1:
        module.fail_json(msg="page_size must be 1 or more, got %d" % module.params["page_size"])
    if module.params["inactive_days"] is not None and module.params["inactive_days"] < 0:
        module.fail_json(msg="inactive_days must be 0 or more, got %d" % module.params["inactive_days"])
    module.refuse_bad_input(text_fields=("username",), id_fields=("user_id",))
    module.run(read_users)


if __name__ == "__main__":
    main()
