# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: access_report
short_description: Build the access report (identity graph and findings) of a Contrast organization
version_added: 0.1.0
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
description:
  - Joins the users of an organization (as R(contrast_user_info,ansible_collections.contrast_security.identity.contrast_user_info_module)
    returns them) with its access groups (as R(contrast_group_info,ansible_collections.contrast_security.identity.contrast_group_info_module)
    returns them) into one row per user, and lists what an access review should look at (the findings).
  - The result is the document the C(contrast_security.identity.audit) role writes as C(access-report.json); its
    schema is documented in C(docs/access-report.md) of the collection and is stable within a major version
    (RV(_value.metadata.schema_version)).
  - Control characters and Unicode bidirectional controls (such as U+202E, which makes C(Eve<U+202E>txt.exe) render
    as C(Eveexe.txt)) in any value are replaced with a visible C(<U+XXXX>) mark, so that no name renders as
    something it is not.
  - The API says nothing about invitations. A user who is enabled and has never logged in is reported as
    C(invited-pending), which is how a pending invitation looks through the API; an account that accepted
    its invitation and never logged in looks the same.
  - Pure computation on the controller; no request is made.
  - "Findings (RV(_value.findings[].code)): C(INACTIVE_USER) (medium, high for C(ROLE_ADMIN)): enabled, logged in at
    least once, no login for O(options.inactive_days) days or more. C(STALE_INVITATION) (low): enabled, never logged in,
    created O(options.pending_days) days ago or more. C(API_ONLY_ADMIN) (high): enabled API-only account with
    C(ROLE_ADMIN). C(ADMIN_REVIEW) (info): every C(ROLE_ADMIN) account, listed for review. C(DISABLED_IN_GROUPS) (medium):
    disabled account still in access groups. C(NO_GROUP) (low): enabled account in no access group although its role is
    one of O(options.roles_requiring_group)."
  - Accounts matching O(options.exempt) get no C(INACTIVE_USER) or C(STALE_INVITATION) finding (break-glass accounts,
    service accounts that never log in); every other rule still applies to them.
  - The API user (O(options.api_user)) gets no C(INACTIVE_USER) or C(STALE_INVITATION) finding either, unless
    O(options.exempt_api_user) is V(false), since it works with its keys and often never logs in to the UI. Its row has
    C(is_api_user) set, and the HTML page labels it "API user".
positional: _input, groups, options
options:
  _input:
    description:
      - The users, in the collection's canonical form (RV(contrast_security.identity.contrast_user_info#module:users)).
    type: list
    elements: dict
    required: true
  groups:
    description:
      - The access groups with their members (RV(contrast_security.identity.contrast_group_info#module:groups)).
      - They give each user its groups (joined on C(user_id)). When V(null), each user's own C(groups) is used, and
        when that is V(null) too the user's groups are unknown and the rules that need them are skipped for it.
    type: list
    elements: dict
  options:
    description:
      - Settings of the report. Unknown keys are an error.
      - Keyword arguments are accepted too (for example C(inactive_days=60) after the groups), and override the
        same keys of O(options).
    type: dict
    suboptions:
      inactive_days:
        description: Enabled users with no login for this many days or more are inactive.
        type: int
        default: 90
      pending_days:
        description: Invitations (enabled, never logged in) created this many days ago or more are stale.
        type: int
        default: 14
      exempt:
        description:
          - Usernames or shell-style patterns (C(*), C(?), C([...])), matched case-insensitively, of accounts that
            get no inactivity finding (C(INACTIVE_USER), C(STALE_INVITATION)).
        type: list
        elements: str
        default: []
      exempt_api_user:
        description:
          - Leave the API user (O(options.api_user)) out of the inactivity findings (C(INACTIVE_USER),
            C(STALE_INVITATION)). Every other rule still applies to it.
        type: bool
        default: true
      roles_requiring_group:
        description: Roles that are expected to come with at least one access group (rule C(NO_GROUP)).
        type: list
        elements: str
        default: [ROLE_EDIT, ROLE_VIEW, ROLE_RULES_ADMIN]
      now:
        description:
          - The time the ages are measured from, for reproducible reports and tests. Epoch milliseconds (an integer)
            or an ISO 8601 string (a time without an offset is UTC). Default is the current time.
        type: raw
      org_uuid:
        description: The organization's UUID, for the metadata. Default is the C(org_uuid) of the first user.
        type: str
      api_user:
        description:
          - The API user that read the data, for the metadata; its username, or its profile as
            R(contrast_org_info,ansible_collections.contrast_security.identity.contrast_org_info_module) returns it.
        type: raw
"""

EXAMPLES = r"""
# Register names of your own: `groups` (like `group_names` and `hostvars`) is reserved by Ansible.
- name: Read the users
  contrast_security.identity.contrast_user_info:
  register: everyone

- name: Read the groups
  contrast_security.identity.contrast_group_info:
  register: access_groups

- name: Read the API user
  contrast_security.identity.contrast_org_info:
  register: org

- name: Build the report
  ansible.builtin.set_fact:
    report: >-
      {{ everyone.users | contrast_security.identity.access_report(access_groups.groups, {
           'inactive_days': 60, 'pending_days': 7, 'exempt': ['breakglass@example.com', 'svc-*'],
           'org_uuid': org.org_uuid, 'api_user': org.profile}) }}

- name: Who has not logged in for 60 days
  ansible.builtin.debug:
    msg: "{{ report.findings | selectattr('code', '==', 'INACTIVE_USER') | map(attribute='username') | list }}"

- name: Same, with keyword arguments and a fixed "now"
  ansible.builtin.debug:
    msg: >-
      {{ (everyone.users | contrast_security.identity.access_report(access_groups.groups, inactive_days=30,
          now='2026-01-31T00:00:00Z')).summary }}
"""

RETURN = r"""
_value:
  description:
    - The access report. Every key below is always present.
  type: dict
  contains:
    metadata:
      description: What the report is about and how it was made.
      type: dict
      contains:
        schema_version:
          description: Version of this document's layout. Grows only when a key is renamed or removed.
          type: int
          sample: 1
        generated_at:
          description: When the report was built (the O(options.now) it was measured from), ISO 8601 UTC.
          type: str
          sample: "2026-03-01T09:30:00Z"
        org_uuid:
          description: The organization.
          type: str
        api_user:
          description: Username of the API user that read the data, or V(null) when not given.
          type: str
        thresholds:
          description:
            - The settings the findings were computed with (C(inactive_days), C(pending_days), C(exempt),
              C(roles_requiring_group)).
          type: dict
        groups_known:
          description: Whether every user's groups were known (else the group rules were skipped for some users).
          type: bool
    summary:
      description: Counts.
      type: dict
      contains:
        total_users:
          description: Rows in RV(_value.users).
          type: int
        total_groups:
          description: Rows in RV(_value.groups).
          type: int
        by_role:
          description: Users per role; every C(ROLE_*) name is present, zeros included.
          type: dict
          sample: {ROLE_ADMIN: 2, ROLE_EDIT: 40, ROLE_RULES_ADMIN: 1, ROLE_VIEW: 30, ROLE_NO_ACCESS: 3}
        by_status:
          description: Users per status (C(active), C(invited-pending), C(disabled)).
          type: dict
          sample: {active: 70, invited-pending: 4, disabled: 2}
        last_login_age:
          description:
            - Users per time since the last login, in this order of C(bucket)s, C(never), C(<30d), C(30-90d),
              C(90-180d), C(180-365d) (365 included) and C(>365d); each entry is C({bucket, count}).
          type: list
          elements: dict
        findings_total:
          description: Entries in RV(_value.findings).
          type: int
        findings_by_severity:
          description: Findings per severity (C(high), C(medium), C(low), C(info)), zeros included.
          type: dict
        findings_by_code:
          description: Findings per code, zeros included.
          type: dict
        users_with_findings:
          description: Users with at least one finding.
          type: int
    users:
      description: One row per user (the identity graph), sorted by username.
      type: list
      elements: dict
      contains:
        user_id:
          description: Id of the user.
          type: str
        username:
          description: Login (an email address).
          type: str
        email:
          description: Contact email.
          type: str
        name:
          description: First and last name, space-separated.
          type: str
        first_name:
          description: First name.
          type: str
        last_name:
          description: Last name.
          type: str
        role:
          description: Organization role, a C(ROLE_*) name.
          type: str
        enabled:
          description: Whether the account is enabled.
          type: bool
        status:
          description:
            - C(disabled) when not enabled, C(invited-pending) when enabled and never logged in (inferred, see the
              description), C(active) otherwise.
          type: str
          choices: [active, invited-pending, disabled]
        api_only:
          description: Whether this is an API-only (service) account.
          type: bool
        protect_enabled:
          description: Whether Contrast Protect is enabled for the user.
          type: bool
        groups:
          description: Names of the user's access groups, sorted; V(null) when unknown.
          type: list
          elements: str
        date_created_iso:
          description: Creation time, ISO 8601 UTC.
          type: str
        last_login_iso:
          description: Last login, ISO 8601 UTC, V(null) when never.
          type: str
        days_since_created:
          description: Whole days since the creation.
          type: int
        days_since_login:
          description: Whole days since the last login, V(null) when never.
          type: int
        last_login_bucket:
          description: The RV(_value.summary.last_login_age) bucket of the user.
          type: str
        exempt:
          description: Whether the user matched O(options.exempt).
          type: bool
        is_api_user:
          description: Whether this is the API user of O(options.api_user).
          type: bool
        findings:
          description: Codes of the user's findings.
          type: list
          elements: str
    findings:
      description: What the review should look at, sorted by severity (C(high) first), code and username.
      type: list
      elements: dict
      contains:
        id:
          description: C(CODE:user_id), the same for the same finding of the same user in every run.
          type: str
          sample: INACTIVE_USER:3c8a1f0e9b2d4e6f8a0b1c2d3e4f5a6b
        code:
          description: The rule (see the description).
          type: str
          choices: [INACTIVE_USER, STALE_INVITATION, API_ONLY_ADMIN, ADMIN_REVIEW, DISABLED_IN_GROUPS, NO_GROUP]
        severity:
          description: How urgent.
          type: str
          choices: [high, medium, low, info]
        title:
          description: The rule in a few words.
          type: str
          sample: Inactive account
        user_id:
          description: Id of the user.
          type: str
        username:
          description: Login of the user.
          type: str
        reason:
          description: A plain-language sentence or two with the numbers, and what to do.
          type: str
          sample: >-
            Enabled, but no login for 120 days (last login 2026-06-03T00:00:00Z); the limit is 90 days. Disable the
            account if it is no longer needed, or add it to the exempt list if it is a break-glass account.
    groups:
      description: The access groups, sorted by name; empty when O(groups) was not given.
      type: list
      elements: dict
      contains:
        group_id:
          description: Id of the group.
          type: raw
        name:
          description: Name of the group.
          type: str
        member_count:
          description: Number of members, pending invitations included.
          type: int
        members:
          description: Usernames of the members, sorted.
          type: list
          elements: str
        disabled_members:
          description: Usernames of the members that are disabled.
          type: list
          elements: str
"""

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.contrast_security.identity.plugins.module_utils import report
from ansible_collections.contrast_security.identity.plugins.module_utils.report import ReportError


def as_filter(function):
    """`function` of module_utils (report, report_render) as a filter: its ReportError becomes a filter error."""
    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ReportError as err:
            raise AnsibleFilterError(str(err)) from None
    return wrapped


build_report = as_filter(report.build_report)


class FilterModule:
    """The access report filter."""

    def filters(self):
        return {"access_report": build_report}
