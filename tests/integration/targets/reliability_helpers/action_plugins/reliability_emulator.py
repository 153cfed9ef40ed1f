# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test helper: drive the emulator's control interface from the controller, in one task.

An action plugin rather than a chain of `uri` tasks: it runs no module, so a fault-matrix case
costs one module run (the module under test) instead of four. Options, applied in this order:

* ``settle`` (bool): first wait until every request a fault rule hit has been answered (a
  delayed request still sleeping would otherwise land in the next case's state);
* ``reset`` (dict, or true for the startup data): ``POST /_emulator/reset``;
* ``config`` (dict): ``POST /_emulator/config``;
* ``faults`` (dict ``{rules, random_rate, random_seed}`` or a list of rules): ``POST /_emulator/faults``;
* ``clear_requests`` (bool): ``DELETE /_emulator/requests``;
* ``state`` (bool): return ``state`` (raw) and ``snapshot`` (normalized, see below);
* ``requests`` (bool): return ``requests``, ``writes`` (the non-GET ones) and ``counters``;
* ``check`` (dict): judge a fault-matrix case against the state just read (implies ``state``), and
  fail listing every problem (see :func:`check_case`).

``control_url`` defaults to the ``contrast_control_url`` variable (integration_config.yml).

The snapshot is what "the organization" means to a test, without what legitimately varies
between two equal runs (ids and timestamps of created users, invitation times)::

    users:   {lowercased username: {username, email, first_name, last_name, role, enabled, pending,
                                    api_only, protect_enabled, last_login}}
    groups:  {name: [lowercased member usernames, sorted]}
    outbox:  [lowercased invited usernames, sorted]
    duplicate_users, duplicate_invitations: usernames listed (invited) more than once
"""

from __future__ import annotations

import copy
import json
import re
import time
import urllib.error
import urllib.request

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

USER_FIELDS = ("username", "email", "first_name", "last_name", "role", "enabled", "pending", "api_only",
               "protect_enabled", "last_login")
SETTLE_TIMEOUT = 15.0
USER_WRITE_ERROR = re.compile(r"^(GET|POST|PUT|DELETE) /ng/[^/]+/users(/|\b)")


def snapshot(state):
    """The normalized organization of a ``GET /_emulator/state`` answer."""
    users = {}
    seen = {}
    for user in state.get("users", []):
        key = user["username"].lower()
        seen[key] = seen.get(key, 0) + 1
        users[key] = dict((field, user.get(field)) for field in USER_FIELDS)
    invited = {}
    for invitation in state.get("outbox", []):
        key = invitation["username"].lower()
        invited[key] = invited.get(key, 0) + 1
    groups = dict((group["name"], sorted(name.lower() for name in group.get("member_usernames", [])))
                  for group in state.get("groups", []))
    return {
        "users": users,
        "groups": groups,
        "outbox": sorted(name for name, count in invited.items() for _index in range(count)),
        "duplicate_users": sorted(name for name, count in seen.items() if count > 1),
        "duplicate_invitations": sorted(name for name, count in invited.items() if count > 1),
    }


def user_write_failed(entry):
    """True when a roster change entry failed in its user write (not only in a group write)."""
    return entry.get("status") == "failed" and bool(USER_WRITE_ERROR.match(entry.get("error") or ""))


def roster_claim(before, after, changes):
    """The snapshot contrast_roster's `changes` claim: what succeeded applied, what failed not.

    `before`: the snapshot before the run; `after`: the snapshot after a fault-free run of the
    same roster (it gives the values of the users that changed); `changes`: the module's return.
    """
    users = copy.deepcopy(before["users"])
    groups = copy.deepcopy(before["groups"])
    outbox = list(before["outbox"])
    for entry in changes:
        key = entry["username"].lower()
        action = entry["action"]
        if action != "membership" and not user_write_failed(entry):
            if action == "delete":
                users.pop(key, None)
                for name in groups:
                    groups[name] = [member for member in groups[name] if member != key]
            else:
                users[key] = copy.deepcopy(after["users"][key])
                if action == "create":
                    outbox.append(key)
        for name in entry.get("groups_added") or []:
            if key not in groups[name]:
                groups[name].append(key)
        for name in entry.get("groups_removed") or []:
            groups[name] = [member for member in groups[name] if member != key]
    return {"users": users, "groups": dict((name, sorted(members)) for name, members in groups.items()),
            "outbox": sorted(outbox), "duplicate_users": [], "duplicate_invitations": []}


def snapshot_diff(actual, expected):
    """What differs between two snapshots, as short readable lines."""
    lines = []
    for section in ("users", "groups"):
        left, right = actual.get(section, {}), expected.get(section, {})
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                lines.append("%s[%s]: actual %s, expected %s" % (section, key, left.get(key), right.get(key)))
    for section in ("outbox", "duplicate_users", "duplicate_invitations"):
        if actual.get(section) != expected.get(section):
            lines.append("%s: actual %s, expected %s" % (section, actual.get(section), expected.get(section)))
    return lines


def check_case(state, snap, check):
    """Problems with one fault-matrix case (an empty list when it behaved).

    `check`: ``kind`` (single, reader or roster), ``result`` (the module's registered result),
    ``before``/``after``/``baseline_result`` (the fault-free run), ``method``, ``expect_failure``,
    ``reason`` (what a failure message must say), ``result_keys`` (reader: the keys to compare).
    """
    problems = []
    result = check["result"]
    failed = bool(result.get("failed"))
    msg = str(result.get("msg") or "")
    before, after = check["before"], check["after"]
    hits = sum(rule.get("hits", 0) for rule in state.get("faults", {}).get("rules", []))
    if hits < 1:
        problems.append("the fault was never met (no request matched the rule)")
    if snap["duplicate_users"] or snap["duplicate_invitations"]:
        problems.append("duplicates: users %s, invitations %s" % (snap["duplicate_users"], snap["duplicate_invitations"]))
    if failed != bool(check.get("expect_failure")):
        problems.append("expected %s, got %s" % ("a failure" if check.get("expect_failure") else "success",
                                                 ("failure: " + msg) if failed else "success"))
    if failed:
        if "%s /ng/" % check["method"] not in msg:
            problems.append("the failure message does not name the method and path: %s" % msg)
        if check.get("reason") and check["reason"] not in msg:
            problems.append("the failure message does not say %r: %s" % (check["reason"], msg))
    kind = check["kind"]
    if kind == "single":
        if failed:
            if snap not in (before, after):
                problems.append("half-applied: %s" % snapshot_diff(snap, before))
        else:
            if snap != after:
                problems.append("not the state after the operation: %s" % snapshot_diff(snap, after))
            if not result.get("changed"):
                problems.append("the operation reported no change")
    elif kind == "roster":
        claimed = roster_claim(before, after, result.get("changes") or [])
        if snap != claimed:
            problems.append("not what `changes` report: %s; changes: %s" % (snapshot_diff(snap, claimed), json.dumps(result.get("changes"))))
        if not failed and snap != after:
            problems.append("not the state after the roster: %s" % snapshot_diff(snap, after))
        if not failed and result.get("summary") != check["baseline_result"].get("summary"):
            problems.append("summary %s, fault-free %s" % (result.get("summary"), check["baseline_result"].get("summary")))
    elif kind == "reader":
        if snap != before:
            problems.append("a read changed the organization: %s" % snapshot_diff(snap, before))
        for key in [] if failed else check.get("result_keys", []):
            if result.get(key) != check["baseline_result"].get(key):
                problems.append("%s differs from the fault-free read: %s vs %s" % (key, result.get(key), check["baseline_result"].get(key)))
    else:
        problems.append("unknown check kind %r" % kind)
    return problems


class ActionModule(ActionBase):
    """Control the emulator (see the module docstring)."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("control_url", "settle", "reset", "config", "faults", "clear_requests", "state", "requests", "check"))

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self._url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"} if data is not None else {})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # nosec - a test emulator on loopback
                text = answer.read().decode("utf-8")
        except urllib.error.HTTPError as err:
            raise AnsibleActionFail("%s %s%s: HTTP %s %s" % (method, self._url, path, err.code, err.read()[:500]))
        except (urllib.error.URLError, OSError) as err:
            raise AnsibleActionFail("%s %s%s: %s" % (method, self._url, path, err))
        return json.loads(text) if text.strip() else {}

    def _settle(self):
        """Wait until every request a fault rule hit has been logged, i.e. answered (or dropped)."""
        started = time.monotonic()
        while True:
            faults = self._call("GET", "/faults")
            hits = sum(rule.get("hits", 0) for rule in faults.get("rules", []))
            log = self._call("GET", "/requests")
            logged = sum(1 for entry in log["requests"] if entry.get("fault") and not entry["fault"].get("random"))
            if logged >= hits:
                return time.monotonic() - started
            if time.monotonic() - started > SETTLE_TIMEOUT:
                raise AnsibleActionFail("%d faulted request(s) still unanswered after %.0f s" % (hits - logged, SETTLE_TIMEOUT))
            time.sleep(0.1)

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        self._url = (args.get("control_url") or (task_vars or {}).get("contrast_control_url") or "").rstrip("/")
        if not self._url:
            raise AnsibleActionFail("control_url is required (or the contrast_control_url variable)")
        result["changed"] = False
        if args.get("settle"):
            result["settled_after"] = round(self._settle(), 2)
        if args.get("reset") is not None and args.get("reset") is not False:
            self._call("POST", "/reset", args["reset"] if isinstance(args["reset"], dict) else {})
            result["changed"] = True
        if args.get("config"):
            self._call("POST", "/config", dict(args["config"]))
            result["changed"] = True
        faults = args.get("faults")
        if faults is not None:
            self._call("POST", "/faults", {"rules": list(faults)} if isinstance(faults, list) else dict(faults))
            result["changed"] = True
        if args.get("clear_requests"):
            self._call("DELETE", "/requests")
        if args.get("state") or args.get("check"):
            state = self._call("GET", "/state")
            result["state"] = state
            result["snapshot"] = snapshot(state)
            if args.get("check"):
                problems = check_case(state, result["snapshot"], args["check"])
                result["problems"] = problems
                if problems:
                    result["failed"] = True
                    result["msg"] = "%s: %s" % (args["check"].get("label", "case"), "; ".join(problems))
        if args.get("requests"):
            log = self._call("GET", "/requests")
            result["requests"] = log["requests"]
            result["writes"] = [entry for entry in log["requests"] if entry["method"] != "GET"]
            result["counters"] = log["counters"]
        return result
