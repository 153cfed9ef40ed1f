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

import datetime
import fnmatch
import re
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

SCHEMA_VERSION = 1
ROLES = ("ROLE_ADMIN", "ROLE_EDIT", "ROLE_RULES_ADMIN", "ROLE_VIEW", "ROLE_NO_ACCESS")
STATUSES = ("active", "invited-pending", "disabled")
SEVERITIES = ("high", "medium", "low", "info")
BUCKETS = ("never", "<30d", "30-90d", "90-180d", "180-365d", ">365d")
MS_PER_DAY = 86400 * 1000

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
# Control characters and the Unicode bidi controls (U+202E renders "Eve\u202etxt.exe" as "Eveexe.txt"): shown as
# visible <U+XXXX> marks in every report, never passed through.
_UNSAFE_CHARACTERS = re.compile(u"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralize(value):
    """`value` with control and bidi characters made visible (strings, recursively in lists and dicts)."""
    if isinstance(value, str):
        return _UNSAFE_CHARACTERS.sub(lambda match: "<U+%04X>" % ord(match.group()), value)
    if isinstance(value, list):
        return [neutralize(item) for item in value]
    if isinstance(value, dict):
        return dict((key, neutralize(item)) for key, item in value.items())
    return value


def _parse_now(value) -> datetime.datetime:
    """The report's "now" as an aware UTC datetime."""
    if value is None or value == "":
        return datetime.datetime.now(tz=datetime.timezone.utc).replace(microsecond=0)
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, bool):
        raise AnsibleFilterError("access_report: now must be epoch milliseconds or an ISO 8601 string, got %r" % (value,))
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
            raise AnsibleFilterError("access_report: now is not an ISO 8601 time: %r" % (value,)) from None
    else:
        raise AnsibleFilterError("access_report: now must be epoch milliseconds or an ISO 8601 string, got %r" % (value,))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def _iso(moment: datetime.datetime) -> str:
    timespec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=timespec).replace("+00:00", "Z")


def _epoch_ms(value):
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ms_to_iso(millis):
    if millis is None:
        return None
    return _iso(datetime.datetime.fromtimestamp(millis / 1000.0, tz=datetime.timezone.utc))


def _days_between(now_ms: int, then_ms):
    """Whole days from then to now (never negative: a clock ahead of ours counts as today), or None."""
    if then_ms is None:
        return None
    return max(0, (now_ms - then_ms) // MS_PER_DAY)


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
    if _epoch_ms(user.get("last_login")) is None:
        return "invited-pending"
    return "active"


def _is_exempt(username, patterns) -> bool:
    name = (username or "").strip().lower()
    return any(fnmatch.fnmatchcase(name, pattern.strip().lower()) for pattern in patterns)


def _plural(count: int, word: str) -> str:
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def _check_int(options, key):
    value = options[key]
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise AnsibleFilterError("access_report: %s must be an integer, got %r" % (key, value)) from None
    if value < 0:
        raise AnsibleFilterError("access_report: %s must be 0 or more, got %d" % (key, value))
    options[key] = value


def _check_str_list(options, key):
    value = options[key]
    if value is None:
        value = []
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(item, str) for item in value):
        raise AnsibleFilterError("access_report: %s must be a list of strings, got %r" % (key, value))
    options[key] = [str(item) for item in value]


def _options(options, kwargs) -> dict:
    merged = dict(DEFAULTS)
    given = {}
    if options is not None:
        if not isinstance(options, Mapping):
            raise AnsibleFilterError("access_report: options must be a dictionary, got %r" % (options,))
        given.update(options)
    given.update(kwargs)
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise AnsibleFilterError("access_report: unknown option(s) %s; valid options are %s"
                                 % (", ".join(unknown), ", ".join(sorted(DEFAULTS))))
    merged.update({key: value for key, value in given.items() if value is not None or key in ("org_uuid", "api_user", "now")})
    for key in ("inactive_days", "pending_days"):
        _check_int(merged, key)
    for key in ("exempt", "roles_requiring_group"):
        _check_str_list(merged, key)
    if not isinstance(merged["exempt_api_user"], bool):
        raise AnsibleFilterError("access_report: exempt_api_user must be true or false, got %r" % (merged["exempt_api_user"],))
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
        raise AnsibleFilterError("access_report: groups must be a list of groups (contrast_group_info's groups), got %r" % (groups,))
    by_id = {user.get("user_id"): user for user in users if user.get("user_id") is not None}
    by_name = {(user.get("username") or "").lower(): user for user in users}
    names = {}
    rows = []
    for group in groups:
        if not isinstance(group, Mapping):
            raise AnsibleFilterError("access_report: each group must be a dictionary, got %r" % (group,))
        group = dict(group)
        members = group.get("members")
        if members is None:
            raise AnsibleFilterError("access_report: group %r has no member list (read the groups with include_members: true)"
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
        raise AnsibleFilterError("access_report: the input must be a list of users (contrast_user_info's users), got %r" % (users,))
    # One plain copy of each user up front: every later read is then a plain dict lookup (the values
    # Ansible passes in are lazy containers, where each read costs a template check).
    plain_users = []
    for user in users:
        if not isinstance(user, Mapping):
            raise AnsibleFilterError("access_report: each user must be a dictionary, got %r" % (user,))
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
        created_ms = _epoch_ms(user.get("date_created"))
        login_ms = _epoch_ms(user.get("last_login"))
        first = user.get("first_name") or ""
        last = user.get("last_name") or ""
        days_login = _days_between(now_ms, login_ms)
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
            "date_created_iso": _ms_to_iso(created_ms),
            "last_login_iso": _ms_to_iso(login_ms),
            "days_since_created": _days_between(now_ms, created_ms),
            "days_since_login": days_login,
            "last_login_bucket": login_bucket(days_login),
            "exempt": _is_exempt(user.get("username"), opts["exempt"]),
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

    return neutralize({
        "metadata": {
            "schema_version": SCHEMA_VERSION,
            "generated_at": _iso(now),
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


class FilterModule:
    """The access report filter."""

    def filters(self):
        return {"access_report": build_report}
