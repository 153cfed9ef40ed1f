#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: contrast_group_info
short_description: Read the access groups of a Contrast Security organization and their members
version_added: 0.1.0
description:
  - Reads every access group of the organization (all pages), or one by O(group) name or O(group_id),
    each with its members (pending invitations included).
  - A name that matches no group returns no group and a warning that lists close matches.
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
extends_documentation_fragment:
  - contrast_security.identity.connection
  - contrast_security.identity.info_module
options:
  group:
    description: Name of one group, matched exactly (case included).
    type: str
  group_id:
    description: Id of one group.
    type: str
  include_members:
    description: Read each group's members (one paged request per group). Without it RV(groups[].members) is V(null).
    type: bool
    default: true
seealso:
  - module: contrast_security.identity.contrast_group_membership
"""

EXAMPLES = r"""
- name: Every access group with its members
  contrast_security.identity.contrast_group_info:
  register: access_groups  # not `groups`: Ansible reserves that name

- name: Who is in the payments group
  contrast_security.identity.contrast_group_info:
    group: Payments Team
  register: payments

- name: Show them
  ansible.builtin.debug:
    msg: "{{ payments.groups[0].members | map(attribute='username') | list }}"
"""

RETURN = r"""
groups:
  description: The groups, sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    group_id:
      description: Id of the group.
      type: raw
      sample: 7
    name:
      description: Name of the group.
      type: str
      sample: Payments Team
    description:
      description: Description of the group, when the API gives one.
      type: str
    members:
      description: Members of the group, sorted by username; V(null) without O(include_members).
      type: list
      elements: dict
      contains:
        user_id:
          description: Id of the user.
          type: str
        username:
          description: Login of the user.
          type: str
msg:
  description: What was read, in one line.
  returned: always
  type: str
  sample: "Read 4 access group(s) with their members."
count:
  description: Number of groups returned.
  returned: always
  type: int
  sample: 4
"""

from ansible_collections.contrast_security.identity.plugins.module_utils.base import ContrastModule
from ansible_collections.contrast_security.identity.plugins.module_utils.groups import GroupLookupError, find_group


def read_groups(module):
    client = module.client
    params = module.params
    groups = client.list_groups()
    if params["group"] is not None or params["group_id"] is not None:
        try:
            groups = [find_group(groups, name=params["group"], group_id=params["group_id"])]
        except GroupLookupError as err:
            module.warn(str(err))
            groups = []
    result = []
    for group in sorted(groups, key=lambda group: (group["name"] or "").lower()):
        members = None
        if params["include_members"]:
            members = sorted(client.list_group_members(group["group_id"]), key=lambda member: (member["username"] or "").lower())
        result.append(dict(group, members=members))
    return dict(changed=False, groups=result, count=len(result), msg="Read %d access group(s)%s." % (
        len(result), " with their members" if params["include_members"] else ""))


def main():
    module = ContrastModule(
        argument_spec=dict(
            group=dict(type="str"),
            group_id=dict(type="str"),
            include_members=dict(type="bool", default=True),
        ),
        mutually_exclusive=[("group", "group_id")],
        supports_check_mode=True,
    )
    module.refuse_bad_input(text_fields=("group",), id_fields=("group_id",))
    module.run(read_groups)


if __name__ == "__main__":
    main()
