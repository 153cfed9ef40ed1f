#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: contrast_org_info
short_description: Check the credentials and organization, and read who the API user is and which roles exist
version_added: 0.1.0
description:
  - Reads the API user's profile (which proves the credentials) and the organization's roles (which proves
    that O(org_uuid) is an organization the API user can reach).
  - In the V(teamserver) API dialect the roles are global, so the organization is proven by reading the
    caller's view of it (C(GET /ng/profile/organizations/{orgUuid})) first, which costs one more read.
  - A preflight for playbooks and a credential test for AWX job templates. When a check fails, the message says
    which one (the credentials, the organization, or the API user's role) and what to look at.
  - When the profile shows a role other than C(ROLE_ADMIN) (Organization Admin), which the modules that write need,
    the module still succeeds but warns.
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
extends_documentation_fragment:
  - contrast_security.identity.connection
  - contrast_security.identity.info_module
options: {}
"""

EXAMPLES = r"""
- name: Preflight, before changing anything
  contrast_security.identity.contrast_org_info:
  register: org

- name: Stop unless the API user is an organization admin
  ansible.builtin.assert:
    that: org.profile.role == 'ROLE_ADMIN' or org.profile.role is none
    fail_msg: "{{ org.profile.username }} cannot manage users"
"""

RETURN = r"""
profile:
  description: The API user, in the canonical form (fields the profile endpoint does not give are V(null)).
  returned: always
  type: dict
  sample:
    username: api.admin@example.com
    first_name: API
    last_name: Admin
    role: ROLE_ADMIN
roles:
  description: The roles the organization offers.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The role's name, as used in O(contrast_security.identity.contrast_user#module:role).
      type: str
      sample: ROLE_EDIT
    description:
      description: What the role is for.
      type: str
      sample: Editor
org_uuid:
  description: The organization checked.
  returned: always
  type: str
msg:
  description: The verdict, in a sentence.
  returned: always
  type: str
"""

from ansible_collections.contrast_security.identity.plugins.module_utils.base import ContrastModule
from ansible_collections.contrast_security.identity.plugins.module_utils.client import ContrastApiError


def check_org(module):
    client = module.client
    try:
        profile = client.get_profile()
    except ContrastApiError as err:
        if err.status in (401, 403):
            module.fail_api(err, verdict="credentials rejected")
        raise
    role = profile.get("role")
    try:
        client.check_organization()  # TeamServer: its roles are global, so they prove nothing about the org
        roles = client.list_roles()
    except ContrastApiError as err:
        if err.status == 403 and role not in (None, "ROLE_ADMIN"):
            err.detail = "%s (The profile of %s shows the role %s.)" % (client.permission_detail(), profile["username"], role)
            module.fail_api(err, verdict="role not allowed", profile=profile)
        if err.status in (401, 403, 404):
            err.detail = ("The credentials work (the profile of %s was read), but the organization %s is unknown or out of "
                          "reach for this user: check org_uuid (Organization Settings > General; the UUID, not the name)."
                          % (profile["username"], client.org_uuid))
            module.fail_api(err, verdict="organization unreachable", profile=profile)
        raise
    profile["org_uuid"] = client.org_uuid
    if role not in (None, "ROLE_ADMIN"):
        module.warn("The API user %s has the role %s, not the Organization Admin role (ROLE_ADMIN) that managing users "
                    "needs in organization %s: contrast_user, contrast_group_membership and contrast_roster will be refused "
                    "(HTTP 403)%s." % (profile["username"], role, client.org_uuid,
                                       ", and so will every read of users and groups" if role == "ROLE_NO_ACCESS" else ""))
    return dict(changed=False, profile=profile, roles=roles, org_uuid=client.org_uuid,
                msg="Credentials of %s work for organization %s (%d roles)." % (profile["username"], client.org_uuid, len(roles)))


def main():
    module = ContrastModule(argument_spec={}, supports_check_mode=True)
    module.run(check_org)


if __name__ == "__main__":
    main()
