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

import csv
import io
from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.contrast_security.identity.plugins.module_utils.report import worst_severity_by_user
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import make_visible

COLUMNS = (
    "user_id", "username", "email", "name", "role", "enabled", "status", "api_only", "protect_enabled", "groups",
    "date_created_iso", "last_login_iso", "days_since_login", "last_login_bucket", "exempt", "findings", "max_severity",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value, neutralize_formulas):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        value = "; ".join("" if item is None else str(item) for item in value)
    text = make_visible(str(value))  # control and bidi characters made visible
    if neutralize_formulas and text.startswith(FORMULA_START):
        text = "'" + text
    return text


def to_csv(report, neutralize_formulas=True) -> str:
    """CSV text of the report's users (see DOCUMENTATION)."""
    if not isinstance(report, Mapping) or not isinstance(report.get("users"), list):
        raise AnsibleFilterError("access_report_csv: the input must be a report built by contrast_security.identity.access_report")
    severity_of = worst_severity_by_user(report.get("findings"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in report["users"]:
        values = dict(row)
        values["max_severity"] = severity_of.get(row.get("user_id") or row.get("username"))
        writer.writerow([_cell(values.get(column), neutralize_formulas) for column in COLUMNS])
    return buffer.getvalue()


class FilterModule:
    """The access report CSV filter."""

    def filters(self):
        return {"access_report_csv": to_csv}
