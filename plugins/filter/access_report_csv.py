# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: access_report_csv
short_description: Render an access report's users as CSV, one row per user
version_added: 0.1.0
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
description:
  - Turns the report built by R(contrast_security.identity.access_report,ansible_collections.contrast_security.identity.access_report_filter)
    into CSV text (RFC 4180, written with Python's C(csv) module, so commas, quotes and line breaks in values are quoted
    correctly), with a header row, then one row per user in the report's order.
  - "Columns: C(user_id), C(username), C(email), C(name), C(role), C(enabled), C(status), C(api_only), C(protect_enabled),
    C(groups), C(date_created_iso), C(last_login_iso), C(days_since_login), C(last_login_bucket), C(exempt),
    C(findings), C(max_severity)."
  - Lists (C(groups), C(findings)) are joined with C(; ). Booleans are C(true)/C(false); unknown values (groups not read,
    never logged in) are empty cells.
  - The text has no byte order mark; write it as UTF-8 (M(ansible.builtin.copy) does).
positional: _input
options:
  _input:
    description: The access report (a dictionary with a C(users) list).
    type: dict
    required: true
  neutralize_formulas:
    description:
      - Prefix cells that a spreadsheet would run as a formula (starting with C(=), C(+), C(-), C(@), a tab or a carriage
        return) with a single quote, as OWASP advises for CSV files opened in spreadsheets. Names and usernames come
        from users, so they are untrusted input.
      - Switch it off when the file is only read by programs.
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: Write the users of the report as CSV
  ansible.builtin.copy:
    content: "{{ report | contrast_security.identity.access_report_csv }}"
    dest: /srv/reports/access-report.csv
    mode: "0640"

- name: Raw values, for a program that reads the file
  ansible.builtin.copy:
    content: "{{ report | contrast_security.identity.access_report_csv(neutralize_formulas=false) }}"
    dest: /srv/reports/access-report-raw.csv
    mode: "0640"
"""

RETURN = r"""
_value:
  description: The CSV text, lines ending in CR LF, with a header row and one row per user.
  type: str
  sample: |
    user_id,username,email,name,role,enabled,status,api_only,protect_enabled,groups,...
    3c8a1f0e...,jane.doe@example.com,jane.doe@example.com,"Doe, Jane",ROLE_EDIT,true,active,false,false,Payments; Platform,...
"""

from ansible_collections.contrast_security.identity.plugins.filter.access_report import as_filter
from ansible_collections.contrast_security.identity.plugins.module_utils import report_render

to_csv = as_filter(report_render.to_csv)


class FilterModule:
    """The access report CSV filter."""

    def filters(self):
        return {"access_report_csv": to_csv}
