# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: access_report_html
short_description: Render an access report as one self-contained, printable HTML page
version_added: 0.1.0
author:
  - Contrast Security identity collection contributors (@contrast-security-oss)
description:
  - Turns the report built by R(contrast_security.identity.access_report,ansible_collections.contrast_security.identity.access_report_filter)
    into one HTML5 page an auditor can read in a browser, print or attach to a review.
  - "The page holds: the organization UUID, the generation time (UTC), the API user and the thresholds; a summary (counts
    by status, by role and by severity, and the last-login age distribution, drawn as inline SVG bar charts); the
    findings table; the full user table; the access groups."
  - Self-contained. The CSS is inline, the charts are inline SVG, there is no script, image, font or link to anything
    outside the page, and a C(Content-Security-Policy) meta tag forbids loading anything, so the page works offline and
    from a mail attachment.
  - Every value from the report is escaped with Python's C(html.escape), so a name such as C(<script>) is shown as text.
positional: _input
options:
  _input:
    description: The access report.
    type: dict
    required: true
  title:
    description: The page's heading (and the start of its C(<title>)).
    type: str
    default: Contrast Security access report
"""

EXAMPLES = r"""
- name: Write the report as an HTML page
  ansible.builtin.copy:
    content: "{{ report | contrast_security.identity.access_report_html }}"
    dest: /srv/reports/access-report.html
    mode: "0640"

- name: With a title of your own
  ansible.builtin.copy:
    content: "{{ report | contrast_security.identity.access_report_html(title='Quarterly access review, Q1') }}"
    dest: /srv/reports/q1-access-review.html
    mode: "0640"
"""

RETURN = r"""
_value:
  description: The HTML page (UTF-8 text, starting with C(<!DOCTYPE html>)).
  type: str
"""

from ansible_collections.contrast_security.identity.plugins.filter.access_report import as_filter
from ansible_collections.contrast_security.identity.plugins.module_utils import report_render

to_html = as_filter(report_render.to_html)


class FilterModule:
    """The access report HTML filter."""

    def filters(self):
        return {"access_report_html": to_html}
