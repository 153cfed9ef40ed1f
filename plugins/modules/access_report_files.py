#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# Documentation only: the work is done by the action plugin of the same name, on the controller.

from __future__ import annotations

DOCUMENTATION = r"""
module: access_report_files
short_description: Build the access report of a Contrast organization and write it as JSON, CSV and HTML
version_added: 0.1.0
description:
  - Runs on the controller, in one step, what the C(contrast_security.identity.audit) role needs to turn the users and
    groups it read into its three report files. It builds the report with the
    R(access_report,ansible_collections.contrast_security.identity.access_report_filter) filter's rules, and writes
    C(access-report.json), C(access-report.csv)
    (R(access_report_csv,ansible_collections.contrast_security.identity.access_report_csv_filter)) and
    C(access-report.html) (R(access_report_html,ansible_collections.contrast_security.identity.access_report_html_filter))
    into O(dest_dir).
  - Only the summary, the metadata and the file paths are returned; the report itself, megabytes for a large
    organization, never goes through Ansible's variables.
  - A file is rewritten only when its content changes (atomically); the task is changed only then.
  - Sends no request to the Contrast API.
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
attributes:
  check_mode:
    support: full
    description: The files are local output of a read-only audit; they are written in check mode too (with O(dest_dir)).
  diff_mode:
    support: none
    description: The files are reports, not configuration; no diff is shown.
  action:
    support: full
    description: Implemented as an action plugin; it runs on the controller.
options:
  users:
    description:
      - The users, as RV(contrast_security.identity.contrast_user_info#module:users) returns them.
      - One of O(users) and O(users_from) is required.
    type: list
    elements: dict
  users_from:
    description:
      - The name of the variable that holds the users, with the keys to follow after dots, for example
        V(registered_users.users) for a registered C(contrast_user_info) result.
      - Read as it is, which for a large organization saves seconds over O(users) (a template's value is copied and
        checked value by value before the action runs).
    type: str
  groups:
    description:
      - The access groups with their members, as RV(contrast_security.identity.contrast_group_info#module:groups) returns
        them. When neither this nor O(groups_from) is given, each user's own C(groups) is used.
    type: list
    elements: dict
  groups_from:
    description: Like O(users_from), for the groups (for example V(registered_groups.groups)).
    type: str
  options:
    description: The report's settings, as the O(contrast_security.identity.access_report#filter:options) of the filter.
    type: dict
    default: {}
  dest_dir:
    description: The directory the three files are written to; created (with O(dir_mode)) when missing.
    type: path
    required: true
  title:
    description: Heading of the HTML page.
    type: str
    default: Contrast Security access report
  mode:
    description: Permissions of the three files.
    type: raw
    default: "0640"
  dir_mode:
    description: Permissions of O(dest_dir) when it is created.
    type: raw
    default: "0750"
  fail_severity:
    description: When given, also return RV(failing), the findings of this severity or worse.
    type: str
    choices: [high, medium, low, info]
seealso:
  - module: contrast_security.identity.contrast_user_info
  - module: contrast_security.identity.contrast_group_info
"""

EXAMPLES = r"""
- name: Read the users
  contrast_security.identity.contrast_user_info:
  register: users

- name: Read the groups with their members
  contrast_security.identity.contrast_group_info:
  register: access_groups

- name: Write the access report
  contrast_security.identity.access_report_files:
    users: "{{ users.users }}"
    groups: "{{ access_groups.groups }}"
    options: {inactive_days: 60}
    dest_dir: /var/lib/contrast/access-report
  register: report

- name: The same for a large organization, reading the registered results as they are
  contrast_security.identity.access_report_files:
    users_from: users.users
    groups_from: access_groups.groups
    dest_dir: /var/lib/contrast/access-report

- name: Say how many findings
  ansible.builtin.debug:
    msg: "{{ report.summary.findings_total }} findings, see {{ report.files.html }}"
"""

RETURN = r"""
msg:
  description: What was written, in one line.
  returned: success
  type: str
  sample: "Access report of 3 user(s) and 1 access group(s), 2 finding(s): /tmp/r/access-report.html (and .json, .csv)."
summary:
  description: The report's summary (as in C(access-report.json)).
  returned: success
  type: dict
  sample: {total_users: 3, total_groups: 1, findings_total: 2}
metadata:
  description: The report's metadata (schema version, generation time, organization, thresholds).
  returned: success
  type: dict
  sample: {schema_version: 1, org_uuid: 0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d, groups_known: true}
files:
  description: Paths of the three files.
  returned: success
  type: dict
  contains:
    json: {description: The report as JSON., type: str}
    csv: {description: One row per user., type: str}
    html: {description: The self-contained HTML page., type: str}
  sample: {json: /tmp/r/access-report.json, csv: /tmp/r/access-report.csv, html: /tmp/r/access-report.html}
failing:
  description: The findings of O(fail_severity) or worse.
  returned: when O(fail_severity) is given
  type: dict
  contains:
    severity: {description: O(fail_severity)., type: str}
    count: {description: How many findings., type: int}
    codes: {description: Their codes., type: list, elements: str}
    users: {description: How many users they concern., type: int}
  sample: {severity: high, count: 2, codes: [API_ONLY_ADMIN, INACTIVE_USER], users: 2}
"""
