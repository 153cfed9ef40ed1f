# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The access report: its rules (the findings), its summary and its checks of the options.

Private to this collection: not a public API, may change without notice. Pure computation, no request;
the filters access_report, access_report_csv and access_report_html and the action access_report_files
are thin adapters over it (plugins/filter/access_report.py documents the report's schema).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import (
    ROLES,
    SEVERITIES,
    days_between,
    epoch_ms,
    epoch_ms_to_iso,
    iso_utc,
    login_matches,
    make_visible,
)


class ReportError(ValueError):
    """The input or the options of the report are not what it needs (the filters raise it as a filter error)."""


SCHEMA_VERSION = 1
STATUSES = ("active", "invited-pending", "disabled")
BUCKETS = ("never", "<30d", "30-90d", "90-180d", "180-365d", ">365d")

DEFAULTS = {
    "inactive_days": 90,
    "pending_days": 14,
    "exempt": [],
    "exempt_api_user": True,
    "roles_requiring_group": ["ROLE_EDIT", "ROLE_VIEW", "ROLE_RULES_ADMIN"],
    "now": None,
    "org_uuid": None,
    "api_user": None,
}

# code: (severity, title), in the order the rules are described.
RULES = {
    "INACTIVE_USER": ("medium", "Inactive account"),
    "STALE_INVITATION": ("low", "Invitation pending too long"),
    "API_ONLY_ADMIN": ("high", "API-only account with the admin role"),
    "ADMIN_REVIEW": ("info", "Administrator, for review"),
    "DISABLED_IN_GROUPS": ("medium", "Disabled account still in access groups"),
    "NO_GROUP": ("low", "Role without an access group"),
}


# ---------------------------------------------------------------- helpers
def _parse_now(value) -> datetime.datetime:
    """The report's "now" as an aware UTC datetime."""
    if value is None or value == "":
        return datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0)
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, bool):
        raise ReportError("access_report: now must be epoch milliseconds or an ISO 8601 string, got %r" % (value,))
    elif isinstance(value, (int, float)):
        moment = datetime.datetime.fromtimestamp(value / 1000.0, tz=datetime.timezone.utc)
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return _parse_now(int(text))
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ReportError("access_report: now is not an ISO 8601 time: %r" % (value,)) from None
    else:
        raise ReportError("access_report: now must be epoch milliseconds or an ISO 8601 string, got %r" % (value,))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def login_bucket(days) -> str:
    """The last-login age bucket of a user: never, <30d, 30-90d, 90-180d, 180-365d (365 included), >365d."""
    if days is None:
        return "never"
    if days < 30:
        return "<30d"
    if days < 90:
        return "30-90d"
    if days < 180:
        return "90-180d"
    if days <= 365:
        return "180-365d"
    return ">365d"


def user_status(user: Mapping) -> str:
    """active, invited-pending (enabled and never logged in: the API has no pending flag) or disabled."""
    if not user.get("enabled"):
        return "disabled"
    if epoch_ms(user.get("last_login")) is None:
        return "invited-pending"
    return "active"


def _plural(count: int, word: str) -> str:
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def _check_int(options, key):
    value = options[key]
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ReportError("access_report: %s must be an integer, got %r" % (key, value)) from None
    if value < 0:
        raise ReportError("access_report: %s must be 0 or more, got %d" % (key, value))
    options[key] = value


def _check_str_list(options, key):
    value = options[key]
    if value is None:
        value = []
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(item, str) for item in value):
        raise ReportError("access_report: %s must be a list of strings, got %r" % (key, value))
    options[key] = [str(item) for item in value]


def _options(options, kwargs) -> dict:
    merged = dict(DEFAULTS)
    given = {}
    if options is not None:
        if not isinstance(options, Mapping):
            raise ReportError("access_report: options must be a dictionary, got %r" % (options,))
        given.update(options)
    given.update(kwargs)
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise ReportError("access_report: unknown option(s) %s; valid options are %s"
                          % (", ".join(unknown), ", ".join(sorted(DEFAULTS))))
    merged.update({key: value for key, value in given.items() if value is not None or key in ("org_uuid", "api_user", "now")})
    for key in ("inactive_days", "pending_days"):
        _check_int(merged, key)
    for key in ("exempt", "roles_requiring_group"):
        _check_str_list(merged, key)
    if not isinstance(merged["exempt_api_user"], bool):
        raise ReportError("access_report: exempt_api_user must be true or false, got %r" % (merged["exempt_api_user"],))
    if isinstance(merged["api_user"], Mapping):
        merged["api_user"] = merged["api_user"].get("username")
    if merged["api_user"] is not None:
        merged["api_user"] = str(merged["api_user"])
    return merged


def _group_index(users, groups):
    """({user_id: [group names]} or None, [group rows]) from the groups' member lists."""
    if groups is None:
        return None, []
    if isinstance(groups, (str, Mapping)) or not isinstance(groups, Sequence):
        raise ReportError("access_report: groups must be a list of groups (contrast_group_info's groups), got %r" % (groups,))
    by_id = {user.get("user_id"): user for user in users if user.get("user_id") is not None}
    by_name = {(user.get("username") or "").lower(): user for user in users}
    names = {}
    rows = []
    for group in groups:
        if not isinstance(group, Mapping):
            raise ReportError("access_report: each group must be a dictionary, got %r" % (group,))
        group = dict(group)
        members = group.get("members")
        if members is None:
            raise ReportError("access_report: group %r has no member list (read the groups with include_members: true)"
                              % (group.get("name"),))
        member_names = []
        disabled = []
        for member in members:
            member = dict(member)
            user = by_id.get(member.get("user_id")) or by_name.get((member.get("username") or "").lower())
            member_names.append(member.get("username") or (user or {}).get("username") or str(member.get("user_id")))
            if user is None:
                continue
            names.setdefault(user.get("user_id"), []).append(group.get("name"))
            if not user.get("enabled"):
                disabled.append(user.get("username"))
        rows.append({
            "group_id": group.get("group_id"),
            "name": group.get("name"),
            "member_count": len(member_names),
            "members": sorted(member_names, key=str.lower),
            "disabled_members": sorted(disabled, key=lambda name: (name or "").lower()),
        })
    rows.sort(key=lambda row: (row["name"] or "").lower())
    return names, rows


# ---------------------------------------------------------------- the rules
def _findings_for(row: dict, opts: dict) -> list:
    """The findings of one user row: (code, reason) pairs."""
    found = []
    role = row["role"]
    status = row["status"]
    groups = row["groups"]
    if not (row["exempt"] or (row["is_api_user"] and opts["exempt_api_user"])):
        days = row["days_since_login"]
        if status == "active" and days >= opts["inactive_days"]:
            found.append(("INACTIVE_USER",
                          "Enabled, but no login for %s (last login %s); the limit is %s. Disable the account if it "
                          "is no longer needed, or add it to the exempt list if it is a break-glass account."
                          % (_plural(days, "day"), row["last_login_iso"], _plural(opts["inactive_days"], "day"))))
        created = row["days_since_created"]
        if status == "invited-pending" and created is not None and created >= opts["pending_days"]:
            found.append(("STALE_INVITATION",
                          "Created %s ago (%s) and never logged in: the invitation looks unaccepted (the API has no "
                          "invitation status; an account that never logged in looks the same). Re-send the invitation "
                          "or disable the account; the limit is %s."
                          % (_plural(created, "day"), row["date_created_iso"], _plural(opts["pending_days"], "day"))))
    if role == "ROLE_ADMIN" and row["api_only"] and row["enabled"]:
        found.append(("API_ONLY_ADMIN",
                      "API-only (service) account with the organization admin role (ROLE_ADMIN); Contrast advises "
                      "against it. Give it the narrowest role its automation needs, and keep ROLE_ADMIN only for an "
                      "account that manages users."))
    if role == "ROLE_ADMIN":
        if row["enabled"]:
            reason = ("Organization administrator (ROLE_ADMIN): can manage every user, group and setting of the "
                      "organization. Confirm this access is still needed.")
        else:
            reason = ("Disabled organization administrator (ROLE_ADMIN): enabling the account again restores full "
                      "administrator rights. Delete it or lower its role if it will not come back.")
        found.append(("ADMIN_REVIEW", reason))
    if groups is not None:
        if not row["enabled"] and groups:
            found.append(("DISABLED_IN_GROUPS",
                          "Disabled, but still a member of %s (%s). Remove it from them, so that enabling the account "
                          "again does not silently restore that access." % (_plural(len(groups), "access group"), ", ".join(groups))))
        if row["enabled"] and not groups and role in opts["roles_requiring_group"]:
            found.append(("NO_GROUP",
                          "Enabled with role %s but in no access group: the role is meant to be used with one. Add the "
                          "account to the group it needs, or lower its role to ROLE_NO_ACCESS if it needs none." % role))
    return found


def build_report(users, groups=None, options=None, **kwargs) -> dict:
    """The access report: metadata, summary, users, findings, groups (see DOCUMENTATION)."""
    if users is None or isinstance(users, (str, Mapping)) or not isinstance(users, Sequence):
        raise ReportError("access_report: the input must be a list of users (contrast_user_info's users), got %r" % (users,))
    # One plain copy of each user up front: every later read is then a plain dict lookup (the values
    # Ansible passes in are lazy containers, where each read costs a template check).
    plain_users = []
    for user in users:
        if not isinstance(user, Mapping):
            raise ReportError("access_report: each user must be a dictionary, got %r" % (user,))
        plain_users.append(dict(user))
    users = plain_users
    opts = _options(options, kwargs)
    now = _parse_now(opts["now"])
    now_ms = int(now.timestamp() * 1000)
    group_names, group_rows = _group_index(users, groups)
    org_uuid = opts["org_uuid"]
    if org_uuid is None:
        org_uuid = next((user.get("org_uuid") for user in users if user.get("org_uuid")), None)
    api_user = (opts["api_user"] or "").lower()

    rows = []
    findings = []
    groups_known = True
    for user in sorted(users, key=lambda item: ((item.get("username") or "").lower(), str(item.get("user_id")))):
        if group_names is not None:
            user_groups = sorted(group_names.get(user.get("user_id"), []), key=lambda name: (name or "").lower())
        elif user.get("groups") is not None:
            user_groups = sorted((str(name) for name in user["groups"]), key=str.lower)
        else:
            user_groups = None
            groups_known = False
        created_ms = epoch_ms(user.get("date_created"))
        login_ms = epoch_ms(user.get("last_login"))
        first = user.get("first_name") or ""
        last = user.get("last_name") or ""
        days_login = days_between(now_ms, login_ms)
        row = {
            "user_id": user.get("user_id"),
            "username": user.get("username"),
            "email": user.get("email"),
            "name": " ".join(part for part in (first.strip(), last.strip()) if part),
            "first_name": user.get("first_name"),
            "last_name": user.get("last_name"),
            "role": user.get("role"),
            "enabled": bool(user.get("enabled")),
            "status": user_status(user),
            "api_only": bool(user.get("api_only")),
            "protect_enabled": bool(user.get("protect_enabled")),
            "groups": user_groups,
            "date_created_iso": epoch_ms_to_iso(created_ms, whole_seconds_short=True),
            "last_login_iso": epoch_ms_to_iso(login_ms, whole_seconds_short=True),
            "days_since_created": days_between(now_ms, created_ms),
            "days_since_login": days_login,
            "last_login_bucket": login_bucket(days_login),
            "exempt": login_matches(user.get("username"), opts["exempt"]),
            "is_api_user": bool(api_user) and (user.get("username") or "").lower() == api_user,
            "findings": [],
        }
        for code, reason in _findings_for(row, opts):
            severity, title = RULES[code]
            if code == "INACTIVE_USER" and row["role"] == "ROLE_ADMIN":
                severity = "high"
            row["findings"].append(code)
            findings.append({
                "id": "%s:%s" % (code, row["user_id"] if row["user_id"] is not None else row["username"]),
                "code": code,
                "severity": severity,
                "title": title,
                "user_id": row["user_id"],
                "username": row["username"],
                "reason": reason,
            })
        rows.append(row)

    order = {code: index for index, code in enumerate(RULES)}
    findings.sort(key=lambda item: (SEVERITIES.index(item["severity"]), order[item["code"]], (item["username"] or "").lower()))

    by_role = dict.fromkeys(ROLES, 0)
    by_status = dict.fromkeys(STATUSES, 0)
    buckets = dict.fromkeys(BUCKETS, 0)
    for row in rows:
        by_role[row["role"] or "unknown"] = by_role.get(row["role"] or "unknown", 0) + 1
        by_status[row["status"]] += 1
        buckets[row["last_login_bucket"]] += 1
    by_severity = dict.fromkeys(SEVERITIES, 0)
    by_code = dict.fromkeys(RULES, 0)
    for finding in findings:
        by_severity[finding["severity"]] += 1
        by_code[finding["code"]] += 1

    return make_visible({
        "metadata": {
            "schema_version": SCHEMA_VERSION,
            "generated_at": iso_utc(now),
            "generator": "contrast_security.identity.access_report",
            "org_uuid": org_uuid,
            "api_user": opts["api_user"],
            "thresholds": {
                "inactive_days": opts["inactive_days"],
                "pending_days": opts["pending_days"],
                "exempt": list(opts["exempt"]),
                "exempt_api_user": opts["exempt_api_user"],
                "roles_requiring_group": list(opts["roles_requiring_group"]),
            },
            "groups_known": groups_known,
        },
        "summary": {
            "total_users": len(rows),
            "total_groups": len(group_rows),
            "by_role": by_role,
            "by_status": by_status,
            "last_login_age": [{"bucket": bucket, "count": buckets[bucket]} for bucket in BUCKETS],
            "findings_total": len(findings),
            "findings_by_severity": by_severity,
            "findings_by_code": by_code,
            "users_with_findings": sum(1 for row in rows if row["findings"]),
        },
        "users": rows,
        "findings": findings,
        "groups": group_rows,
    })


def failing_findings(report, severity) -> dict:
    """The findings of `severity` or worse: how many, their codes, how many users."""
    worst = SEVERITIES[:SEVERITIES.index(severity) + 1]
    found = [finding for finding in report["findings"] if finding["severity"] in worst]
    return {"severity": severity, "count": len(found), "codes": sorted(set(finding["code"] for finding in found)),
            "users": len(set(finding["username"] for finding in found))}


def worst_severity_by_user(findings) -> dict:
    """{user_id (or username when it has none): the most urgent severity of its findings}."""
    worst = {}
    for finding in findings or []:
        finding = dict(finding)
        key = finding.get("user_id") or finding.get("username")
        current = worst.get(key)
        if finding.get("severity") in SEVERITIES and (current is None or SEVERITIES.index(finding["severity"]) < SEVERITIES.index(current)):
            worst[key] = finding["severity"]
    return worst
