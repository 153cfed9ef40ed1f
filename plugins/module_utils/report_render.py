# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The access report rendered: its users as CSV, the whole report as one self-contained HTML page.

Private to this collection: not a public API, may change without notice. The filters access_report_csv and
access_report_html (which document the output) and the action access_report_files adapt these functions.
Every value is passed through vocabulary.make_visible first, so that no name renders as something it is not.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping

from ansible_collections.contrast_security.identity.plugins.module_utils.report import ReportError, worst_severity_by_user
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import ROLES, SEVERITIES, make_visible

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
        raise ReportError("access_report_csv: the input must be a report built by contrast_security.identity.access_report")
    severity_of = worst_severity_by_user(report.get("findings"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in report["users"]:
        values = dict(row)
        values["max_severity"] = severity_of.get(row.get("user_id") or row.get("username"))
        writer.writerow([_cell(values.get(column), neutralize_formulas) for column in COLUMNS])
    return buffer.getvalue()


# ---------------------------------------------------------------- HTML
STATUS_LABELS = {"active": "Active", "invited-pending": "Invited (pending)", "disabled": "Disabled"}
BUCKET_LABELS = {
    "never": "Never logged in", "<30d": "Less than 30 days", "30-90d": "30 to 90 days", "90-180d": "90 to 180 days",
    "180-365d": "180 to 365 days", ">365d": "More than 365 days",
}
BUCKET_COLORS = {
    "never": "#8a8f98", "<30d": "#2e7d32", "30-90d": "#689f38", "90-180d": "#f9a825", "180-365d": "#ef6c00",
    ">365d": "#c62828",
}

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1d2330; background: #fff; margin: 0 auto; padding: 24px 32px; max-width: 1400px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #1d2330; }
h3 { font-size: 14px; margin: 0 0 6px; }
.subtitle { color: #5a6270; margin: 0 0 16px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 16px; }
.card { border: 1px solid #d5d9e0; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.card .n { font-size: 22px; font-weight: 700; display: block; }
.card .l { color: #5a6270; font-size: 12px; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
figure { margin: 0; flex: 0 1 480px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #1d2330; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { border: 1px solid #d5d9e0; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef0f4; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #f8f9fb; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; word-break: break-all; }
.codes { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11px; }
.sev { display: inline-block; border-radius: 3px; padding: 0 6px; font-weight: 700; font-size: 11px;
       text-transform: uppercase; color: #fff; }
.sev-high { background: #b71c1c; } .sev-medium { background: #e65100; } .sev-low { background: #f9a825; color: #1d2330; }
.sev-info { background: #1565c0; }
.status-disabled { color: #5a6270; } .status-invited-pending { color: #8d6e00; }
.muted { color: #5a6270; }
.none { color: #5a6270; font-style: italic; }
footer { margin-top: 28px; color: #5a6270; font-size: 12px; border-top: 1px solid #d5d9e0; padding-top: 8px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { padding: 0; max-width: none; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  tr, figure, .card { break-inside: avoid; }
  table { font-size: 8.5pt; }
}
"""


def _e(value) -> str:
    """Escape one value for HTML text or a quoted attribute."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return html.escape(make_visible(str(value)), quote=True)


def _when(iso) -> str:
    """ISO 8601 UTC to "YYYY-MM-DD HH:MM" (escaped), or a dash."""
    if not iso:
        return '<span class="none">never</span>'
    text = str(iso)
    return _e(text[:16].replace("T", " ") if len(text) >= 16 and text[10:11] == "T" else text)


def _bar_chart(items, caption, label_width=140) -> str:
    """A horizontal SVG bar chart of (label, count, color) with the counts written out."""
    bar_height, gap, width, value_width = 20, 8, 480, 56
    top = max([count for _label, count, _color in items] + [1])
    height = len(items) * (bar_height + gap) + gap
    plot = width - label_width - value_width
    desc = "; ".join("%s: %d" % (label, count) for label, count, _color in items)
    parts = ['<figure><figcaption>%s</figcaption>' % _e(caption),
             '<svg role="img" width="%d" height="%d" viewBox="0 0 %d %d" '
             'aria-label="%s"><title>%s</title>' % (width, height, width, height, _e(caption + ": " + desc), _e(desc))]
    for index, (label, count, color) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = int(round(plot * count / float(top))) if count else 0
        parts.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (label_width - 8, y + 14, _e(label)))
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="#eef0f4"/>' % (label_width, y, plot, bar_height))
        if length:
            parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' % (label_width, y, length, bar_height, _e(color)))
        parts.append('<text x="%d" y="%d">%d</text>' % (label_width + plot + 8, y + 14, count))
    parts.append("</svg></figure>")
    return "".join(parts)


def _header(report, title) -> str:
    meta = report.get("metadata") or {}
    thresholds = meta.get("thresholds") or {}
    exempt = [_e(name) for name in thresholds.get("exempt") or []]
    if thresholds.get("exempt_api_user") and meta.get("api_user"):
        exempt.insert(0, "the API user (%s)" % _e(meta.get("api_user")))
    items = [
        ("Organization (UUID)", _e(meta.get("org_uuid")) or '<span class="none">unknown</span>'),
        ("Generated (UTC)", _e(meta.get("generated_at"))),
        ("API user", _e(meta.get("api_user")) or '<span class="none">unknown</span>'),
        ("Inactive after", "%s days without a login" % _e(thresholds.get("inactive_days"))),
        ("Invitation stale after", "%s days" % _e(thresholds.get("pending_days"))),
        ("Exempt from inactivity rules", ", ".join(exempt) if exempt else '<span class="none">none</span>'),
        ("Roles that need a group", _e(", ".join(thresholds.get("roles_requiring_group") or [])) or '<span class="none">none</span>'),
    ]
    return ('<header><h1>%s</h1><p class="subtitle">Who has access to the Contrast organization, and what to review.</p>'
            '<dl class="meta">%s</dl></header>'
            % (_e(title), "".join("<dt>%s</dt><dd>%s</dd>" % (_e(term), value) for term, value in items)))


def _summary(report) -> str:
    summary = report.get("summary") or {}
    by_status = summary.get("by_status") or {}
    by_severity = summary.get("findings_by_severity") or {}
    by_role = summary.get("by_role") or {}
    cards = [("Users", summary.get("total_users", 0), "")]
    cards += [(STATUS_LABELS.get(status, status), by_status.get(status, 0), "") for status in STATUS_LABELS]
    cards += [("Access groups", summary.get("total_groups", 0), "")]
    cards += [("Findings: " + severity, by_severity.get(severity, 0), severity) for severity in SEVERITIES]
    card_html = "".join(
        '<div class="card"><span class="n">%d</span><span class="l">%s</span></div>' % (count, _e(label))
        for label, count, _severity in cards)
    roles = [role for role in ROLES if role in by_role] + sorted(role for role in by_role if role not in ROLES)
    role_items = [(role, by_role[role], "#3f51b5") for role in roles]
    status_colors = {"active": "#2e7d32", "invited-pending": "#f9a825", "disabled": "#8a8f98"}
    status_items = [(STATUS_LABELS.get(status, status), by_status.get(status, 0), status_colors.get(status, "#3f51b5"))
                    for status in STATUS_LABELS]
    age_items = [(BUCKET_LABELS.get(item.get("bucket"), item.get("bucket")), item.get("count", 0),
                  BUCKET_COLORS.get(item.get("bucket"), "#3f51b5")) for item in summary.get("last_login_age") or []]
    charts = "".join([
        _bar_chart(status_items, "Users by status"),
        _bar_chart(role_items, "Users by role"),
        _bar_chart(age_items, "Time since last login"),
    ])
    return ('<section id="summary"><h2>Summary</h2><div class="cards">%s</div><div class="charts">%s</div></section>'
            % (card_html, charts))


def _findings(report) -> str:
    findings = report.get("findings") or []
    if not findings:
        body = '<tr><td colspan="4" class="none">No findings.</td></tr>'
    else:
        body = "".join(
            '<tr><td><span class="sev sev-%s">%s</span></td><td>%s<br><span class="mono muted">%s</span></td>'
            '<td>%s</td><td>%s</td></tr>'
            % (_e(item.get("severity")), _e(item.get("severity")), _e(item.get("title")), _e(item.get("code")),
               _e(item.get("username")), _e(item.get("reason")))
            for item in findings)
    return ('<section id="findings"><h2>Findings (%d)</h2><table><thead><tr><th>Severity</th><th>Finding</th>'
            '<th>User</th><th>Reason</th></tr></thead><tbody>%s</tbody></table></section>' % (len(findings), body))


def _users(report) -> str:
    users = report.get("users") or []
    rows = []
    for user in users:
        groups = user.get("groups")
        if groups is None:
            groups_html = '<span class="none">unknown</span>'
        elif not groups:
            groups_html = '<span class="none">none</span>'
        else:
            groups_html = ", ".join(_e(name) for name in groups)
        username = _e(user.get("username"))
        if user.get("email") and user.get("email") != user.get("username"):
            username += '<br><span class="muted">%s</span>' % _e(user.get("email"))
        flags = [label for label, key in (("exempt", "exempt"), ("API user", "is_api_user")) if user.get(key)]
        if flags:
            username += '<br><span class="muted">(%s)</span>' % _e(", ".join(flags))
        days = user.get("days_since_login")
        rows.append(
            '<tr><td>%s</td><td>%s</td><td>%s</td><td class="status-%s">%s</td><td>%s</td><td>%s</td><td>%s</td>'
            '<td>%s</td><td>%s</td><td class="num">%s</td><td class="codes">%s</td></tr>'
            % (username, _e(user.get("name")), _e(user.get("role")), _e(user.get("status")),
               _e(STATUS_LABELS.get(user.get("status"), user.get("status"))), _e(user.get("api_only")),
               _e(user.get("protect_enabled")), groups_html, _when(user.get("date_created_iso")),
               _when(user.get("last_login_iso")), "" if days is None else _e(days),
               _e(", ".join(user.get("findings") or []))))
    body = "".join(rows) or '<tr><td colspan="11" class="none">No users.</td></tr>'
    return ('<section id="users"><h2>Users (%d)</h2><table><thead><tr><th>Username</th><th>Name</th><th>Role</th>'
            '<th>Status</th><th>API-only</th><th>Protect</th><th>Access groups</th><th>Created (UTC)</th>'
            '<th>Last login (UTC)</th><th class="num">Days since login</th><th>Findings</th></tr></thead><tbody>%s'
            '</tbody></table></section>' % (len(users), body))


def _groups(report) -> str:
    groups = report.get("groups") or []
    if not groups:
        return ""
    body = "".join(
        '<tr><td>%s</td><td class="mono">%s</td><td class="num">%d</td><td>%s</td></tr>'
        % (_e(group.get("name")), _e(group.get("group_id")), int(group.get("member_count") or 0),
           _e(", ".join(group.get("disabled_members") or [])) or '<span class="none">none</span>')
        for group in groups)
    return ('<section id="groups"><h2>Access groups (%d)</h2><table><thead><tr><th>Group</th><th>Id</th>'
            '<th class="num">Members</th><th>Disabled members</th></tr></thead><tbody>%s</tbody></table></section>'
            % (len(groups), body))


def to_html(report, title="Contrast Security access report") -> str:
    """The access report as one self-contained HTML page (see DOCUMENTATION)."""
    if not isinstance(report, Mapping) or not isinstance(report.get("users"), list):
        raise ReportError("access_report_html: the input must be a report built by contrast_security.identity.access_report")
    # Plain copies first: the report Ansible passes in is a lazy container, where each read costs a template check.
    report = {
        "metadata": dict(report.get("metadata") or {}),
        "summary": dict(report.get("summary") or {}),
        "users": [dict(user) for user in report.get("users") or []],
        "findings": [dict(finding) for finding in report.get("findings") or []],
        "groups": [dict(group) for group in report.get("groups") or []],
    }
    meta = report["metadata"]
    page_title = "%s - %s - %s" % (title, meta.get("org_uuid") or "unknown organization", meta.get("generated_at") or "")
    footer = ('<footer>Generated by %s at %s (UTC) for organization %s, with the API user %s. '
              'Status <em>Invited (pending)</em> means enabled and never logged in: the API has no invitation status, '
              'and an account that accepted its invitation but never logged in looks the same. '
              'All times are UTC. Schema version %s.</footer>'
              % (_e(meta.get("generator") or "contrast_security.identity"), _e(meta.get("generated_at")),
                 _e(meta.get("org_uuid")), _e(meta.get("api_user")), _e(meta.get("schema_version"))))
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        "<meta name=\"generator\" content=\"contrast_security.identity\">",
        "<title>%s</title><style>%s</style></head>\n<body>" % (_e(page_title), CSS),
        _header(report, title),
        _summary(report),
        _findings(report),
        _users(report),
        _groups(report),
        footer,
        "</body></html>\n",
    ])
