# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the access report's renderers (module_utils/report_render.py); the filters' own tests are in
tests/unit/plugins/filter/test_access_report.py."""

from __future__ import annotations

import csv
import io

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import report_render as RR
from ansible_collections.contrast_security.identity.plugins.module_utils.report import ReportError, build_report
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import MS_PER_DAY

NOW = 1790812800000  # 2026-10-01T00:00:00Z


def report():
    users = [
        {"user_id": "1", "username": "=cmd@example.com", "email": "=cmd@example.com", "first_name": "Eve\u202etxt",
         "last_name": "<script>", "enabled": True, "role": "ROLE_ADMIN", "groups": ["Ops, Prod"], "api_only": True,
         "protect_enabled": False, "date_created": NOW - 10 * MS_PER_DAY, "last_login": NOW - MS_PER_DAY},
        {"user_id": "2", "username": "ann@example.com", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee",
         "enabled": True, "role": "ROLE_VIEW", "groups": ["Ops, Prod"], "api_only": False, "protect_enabled": False,
         "date_created": NOW - 10 * MS_PER_DAY, "last_login": NOW - MS_PER_DAY},
    ]
    return build_report(users, None, {"now": NOW, "org_uuid": "org-1"})


def test_csv_quotes_neutralizes_and_gives_the_worst_severity():
    rows = list(csv.DictReader(io.StringIO(RR.to_csv(report()))))
    assert [row["username"] for row in rows] == ["'=cmd@example.com", "ann@example.com"]
    assert rows[0]["groups"] == "Ops, Prod" and rows[0]["name"] == "Eve<U+202E>txt <script>"
    assert rows[0]["max_severity"] == "high" and rows[1]["max_severity"] == ""
    assert rows[0]["api_only"] == "true" and list(rows[0]) == list(RR.COLUMNS)
    raw = list(csv.DictReader(io.StringIO(RR.to_csv(report(), neutralize_formulas=False))))
    assert raw[0]["username"] == "=cmd@example.com"


def test_html_escapes_every_value_and_loads_nothing():
    page = RR.to_html(report(), title="Review <Q1>")
    assert page.startswith("<!DOCTYPE html>")
    assert "&lt;script&gt;" in page and "<script" not in page
    assert "Eve<U+202E>txt" not in page and "Eve&lt;U+202E&gt;txt" in page
    assert "Review &lt;Q1&gt;" in page and "default-src 'none'" in page
    assert "Findings (2)" in page  # API_ONLY_ADMIN and ADMIN_REVIEW for the admin, nothing for ann


@pytest.mark.parametrize("render", [RR.to_csv, RR.to_html])
@pytest.mark.parametrize("value", [None, [], {"users": "x"}])
def test_renderers_refuse_what_is_not_a_report(render, value):
    with pytest.raises(ReportError, match="the input must be a report"):
        render(value)
