# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Build the access report and write its JSON, CSV and HTML files, in one step on the controller.

The report of a large organization is megabytes: built by the access_report filter into a fact, then
rendered into three ``copy`` tasks, it moves through Ansible's variables and templating four times.
Here the same functions (module_utils/report.py and report_render.py) run once in plain Python and the files are written directly; only the
summary and the file paths go back to the play. Documented in plugins/modules/access_report_files.py.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.contrast_security.identity.plugins.module_utils.report import build_report, failing_findings
from ansible_collections.contrast_security.identity.plugins.module_utils.report_render import to_csv, to_html
from ansible_collections.contrast_security.identity.plugins.module_utils.vocabulary import SEVERITIES

ARGUMENT_SPEC = dict(
    users=dict(type="list", elements="dict"),
    groups=dict(type="list", elements="dict"),
    users_from=dict(type="str"),
    groups_from=dict(type="str"),
    options=dict(type="dict", default={}),
    dest_dir=dict(type="path", required=True),
    title=dict(type="str", default="Contrast Security access report"),
    mode=dict(type="raw", default="0640"),
    dir_mode=dict(type="raw", default="0750"),
    fail_severity=dict(type="str", choices=list(SEVERITIES)),
)
NAMES = {"json": "access-report.json", "csv": "access-report.csv", "html": "access-report.html"}


def _mode(value) -> int:
    return int(value, 8) if isinstance(value, str) else int(value)


def write_if_changed(path, text, mode) -> bool:
    """Write `text` to `path` (atomically, with `mode`) unless it already holds exactly that; True when written."""
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as handle:
            same = handle.read() == data
    except OSError:
        same = False
    if same:
        if (os.stat(path).st_mode & 0o7777) != mode:
            os.chmod(path, mode)
            return True
        return False
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(prefix=".access-report-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return True


def build_and_write(users, groups, options, dest_dir, title, mode=0o640, dir_mode=0o750, fail_severity=None) -> dict:
    """The whole step, without Ansible: returns the action's result (changed, summary, metadata, files)."""
    report = build_report(users, groups, options)
    changed = False
    if not os.path.isdir(dest_dir):
        os.makedirs(dest_dir, mode=dir_mode)
        changed = True
    files = dict((kind, os.path.join(dest_dir, name)) for kind, name in NAMES.items())
    # The same bytes the role's former copy tasks wrote (to_nice_json(indent=2) plus a newline).
    texts = {
        "json": json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False, separators=(",", ": ")) + "\n",
        "csv": to_csv(report),
        "html": to_html(report, title=title),
    }
    for kind, path in files.items():
        changed = write_if_changed(path, texts[kind], mode) or changed
    summary = report["summary"]
    result = {"changed": changed, "summary": summary, "metadata": report["metadata"], "files": files,
              "msg": "Access report of %d user(s) and %d access group(s), %d finding(s): %s (and .json, .csv)."
                     % (summary["total_users"], summary["total_groups"], summary["findings_total"], files["html"])}
    if fail_severity:
        result["failing"] = failing_findings(report, fail_severity)
    return result


def from_variable(task_vars, dotted):
    """The value at `dotted` ("registered.users") in the task's variables, read as is.

    Given as a template (users: "{{ registered.users }}"), a 10,000-user list is copied and checked value by
    value while Ansible finalizes the task's arguments (seconds); read here, it is used as it is.
    """
    name, _sep, rest = dotted.partition(".")
    if name not in (task_vars or {}):
        raise ValueError("no variable named %r" % name)
    value = task_vars[name]
    for key in rest.split(".") if rest else []:
        if not isinstance(value, Mapping) or key not in value:
            raise ValueError("%s has no key %r" % (dotted, key))
        value = value[key]
    if value is not None and (isinstance(value, (str, Mapping)) or not isinstance(value, Sequence)):
        raise ValueError("%s is not a list" % dotted)
    return value


class ActionModule(ActionBase):
    """contrast_security.identity.access_report_files: runs on the controller, never on a target."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True  # it writes local report files only, which the audit asks for in check mode too

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validator = ArgumentSpecValidator(ARGUMENT_SPEC, mutually_exclusive=[["users", "users_from"], ["groups", "groups_from"]],
                                          required_one_of=[["users", "users_from"]])
        validation = validator.validate(self._task.args)
        if validation.error_messages:
            result.update(failed=True, msg="access_report_files: %s" % "; ".join(validation.error_messages))
            return result
        params = validation.validated_parameters
        try:
            users = params["users"] if params["users_from"] is None else from_variable(task_vars, params["users_from"])
            groups = params["groups"] if params["groups_from"] is None else from_variable(task_vars, params["groups_from"])
            result.update(build_and_write(
                users, groups, params["options"], params["dest_dir"], params["title"],
                mode=_mode(params["mode"]), dir_mode=_mode(params["dir_mode"]), fail_severity=params["fail_severity"]))
        except (OSError, ValueError) as err:  # a ReportError is a ValueError
            result.update(failed=True, msg="access_report_files: %s" % err)
        return result
