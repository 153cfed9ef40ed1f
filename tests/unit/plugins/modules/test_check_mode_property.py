# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check mode tells the truth: a property test against the real emulator, over real HTTP.

Hypothesis generates an organization (users, groups, memberships) and what a task asks for. For each
example, in either API dialect: the module runs in check mode, then for real, then again. Check mode
must send no write and report exactly the ``changed`` and ``diff`` of the real run; the second real run
must change nothing. Inputs that a module refuses must be refused identically in both modes, with no
write. The modules build their own ContrastClient from the connection options, as in a playbook.

Bounded for ``make test``: a fixed seed (derandomize) and a few dozen examples per module.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from unittest import mock

import pytest

requests = pytest.importorskip("requests")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.contrast_security.identity.plugins.modules import (  # noqa: E402
    contrast_group_membership,
    contrast_roster,
    contrast_user,
)
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import (  # noqa: E402
    ModuleExit,
    _exit_json,
    _fail_json,
)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
EMULATOR_PATH = os.path.join(REPO_ROOT, "tests", "emulator", "contrast_emulator.py")


def _load_emulator():
    name = "contrast_emulator_under_test"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EMULATOR_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


emu = _load_emulator()

USERNAMES = ("ann@example.com", "ben@example.com", "cat@example.com", "dan@example.com", "eve@example.com")
GROUPS = ("Payments", "Platform")
ROLES = ("ROLE_ADMIN", "ROLE_EDIT", "ROLE_RULES_ADMIN", "ROLE_VIEW", "ROLE_NO_ACCESS")
NAMES = ("Ann", "Zoë", "Ångström", "O'Brien", "Renée Marie", "李")
EXAMPLES = 60

PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def server():
    with emu.EmulatorServer(port=0) as instance:
        yield instance


# ------------------------------------------------------------------ strategies

def _case_variant(username):
    """The same login, possibly in another case (logins are case-insensitive)."""
    return st.sampled_from([username, username.upper(), username.capitalize()])


@st.composite
def organizations(draw):
    """A seed document: some of USERNAMES with random attributes, and both groups with random members."""
    present = draw(st.lists(st.sampled_from(USERNAMES), unique=True, max_size=len(USERNAMES)))
    users = [{
        "username": username,
        "first_name": draw(st.sampled_from(NAMES)),
        "last_name": draw(st.sampled_from(NAMES)),
        "role": draw(st.sampled_from(ROLES)),
        "enabled": draw(st.booleans()),
        "api_only": draw(st.booleans()),
        "protect_enabled": draw(st.booleans()),
    } for username in present]
    groups = [{"name": name, "members": draw(st.lists(st.sampled_from(present), unique=True)) if present else []}
              for name in GROUPS]
    return {"users": users, "groups": groups}


def _optional(strategy):
    """Left out a quarter of the time (a user missing a field it needs to be created is refused)."""
    return st.one_of(st.none(), strategy, strategy, strategy)


@st.composite
def user_tasks(draw):
    """contrast_user options: any login of the pool, attributes given or left out, any state."""
    args = {"username": draw(st.sampled_from(USERNAMES).flatmap(_case_variant))}
    for key, strategy in (("first_name", st.sampled_from(NAMES)), ("last_name", st.sampled_from(NAMES)),
                          ("role", st.sampled_from(ROLES)), ("api_only", st.booleans()),
                          ("protect_enabled", st.booleans())):
        value = draw(_optional(strategy))
        if value is not None:
            args[key] = value
    args["state"] = draw(st.sampled_from(["present", "present", "disabled", "absent"]))
    return args


@st.composite
def membership_tasks(draw):
    """contrast_group_membership options: a group, logins of the pool (some may not exist), a state."""
    return {
        "group": draw(st.sampled_from(GROUPS)),
        "users": draw(st.lists(st.sampled_from(USERNAMES).flatmap(_case_variant), max_size=4,
                               unique_by=lambda name: name.lower())),
        "state": draw(st.sampled_from(["present", "absent", "exact"])),
        "missing_users": draw(st.sampled_from(["fail", "ignore"])),
    }


@st.composite
def roster_scenarios(draw):
    """An organization, and contrast_roster options for it: entries for some of the pool, each attribute
    given or left out (what a new user needs to be created is rarely left out: one such entry refuses
    the whole roster, which the property also covers)."""
    organization = draw(organizations())
    existing = set(user["username"] for user in organization["users"])
    listed = draw(st.lists(st.sampled_from(USERNAMES), unique=True, max_size=len(USERNAMES)))
    entries = []
    for username in listed:
        entry = {"username": draw(_case_variant(username))}
        for key, strategy in (("first_name", st.sampled_from(NAMES)), ("last_name", st.sampled_from(NAMES)),
                              ("role", st.sampled_from(ROLES)), ("api_only", st.booleans()),
                              ("protect_enabled", st.booleans()),
                              ("groups", st.lists(st.sampled_from(GROUPS), unique=True))):
            needed = username not in existing and key in ("first_name", "last_name", "role")
            value = draw(st.one_of(st.none(), *[strategy] * 19) if needed else _optional(strategy))
            if value is not None:
                entry[key] = value
        entries.append(entry)
    return organization, {
        "users": entries,
        "unlisted": draw(st.sampled_from(["ignore", "disable", "delete"])),
        "group_membership": draw(st.sampled_from(["add", "exact"])),
        "max_unlisted_changes": 100,
        # The API user is not in the pool: never disable or delete it.
        "protected": [emu.DEFAULT_API_USERNAME],
        "allow_empty": draw(st.booleans()),
    }


# ------------------------------------------------------------------ running a module against the emulator

def _connection(server):
    return {
        "contrast_url": server.contrast_url,
        "contrast_username": emu.DEFAULT_API_USERNAME,
        "contrast_service_key": emu.DEFAULT_SERVICE_KEY,
        "contrast_api_key": emu.DEFAULT_API_KEY,
        "org_uuid": emu.DEFAULT_ORG_UUID,
        "retries": 0,
    }


def _run(module, server, args, check_mode):
    module_args = dict(_connection(server), **args)
    module_args["_ansible_check_mode"] = check_mode
    module_args["_ansible_diff"] = True
    with patch_module_args(module_args), \
            mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), \
            mock.patch.object(basic.AnsibleModule, "fail_json", _fail_json), \
            mock.patch.object(basic.AnsibleModule, "warn"):
        with pytest.raises(ModuleExit) as caught:
            module.main()
    return caught.value.result


def _control(server, method, path, **kwargs):
    answer = requests.request(method, server.control_url + path, timeout=30, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _writes(server):
    """The write requests the emulator received since the last call (and forget them)."""
    log = _control(server, "GET", "/requests")["requests"]
    _control(server, "DELETE", "/requests")
    return [(entry["method"], entry["path"]) for entry in log if entry["method"] != "GET"]


def _check_then_apply_then_again(module, server, organization, dialect, args):
    _control(server, "POST", "/reset", json=dict(organization, dialect=dialect))
    _writes(server)

    checked = _run(module, server, args, check_mode=True)
    assert _writes(server) == [], "check mode sent a write"
    applied = _run(module, server, args, check_mode=False)
    writes = _writes(server)

    if checked.get("failed"):
        # Refused input is refused the same way in both modes, before any write.
        assert applied.get("failed") and applied["msg"] == checked["msg"]
        assert writes == []
        event("refused")
        return
    assert not applied.get("failed"), applied["msg"]
    assert applied["changed"] == checked["changed"]
    assert applied["diff"] == checked["diff"]
    assert bool(writes) == applied["changed"]
    event("changed, %d writes" % len(writes) if applied["changed"] else "already as asked")
    for key in ("summary", "added", "removed", "members", "invited"):
        if key in checked:
            assert applied[key] == checked[key], key

    again = _run(module, server, args, check_mode=False)
    assert not again.get("failed"), again["msg"]
    assert again["changed"] is False, again.get("diff")
    assert _writes(server) == []


DIALECTS = st.sampled_from(["guide", "teamserver"])


@PROPERTY_SETTINGS
@given(organization=organizations(), dialect=DIALECTS, args=user_tasks())
def test_contrast_user_check_mode_predicts_the_real_run(server, organization, dialect, args):
    _check_then_apply_then_again(contrast_user, server, organization, dialect, args)


@PROPERTY_SETTINGS
@given(organization=organizations(), dialect=DIALECTS, args=membership_tasks())
def test_contrast_group_membership_check_mode_predicts_the_real_run(server, organization, dialect, args):
    _check_then_apply_then_again(contrast_group_membership, server, organization, dialect, args)


@PROPERTY_SETTINGS
@given(scenario=roster_scenarios(), dialect=DIALECTS)
def test_contrast_roster_check_mode_predicts_the_real_run(server, scenario, dialect):
    organization, args = scenario
    _check_then_apply_then_again(contrast_roster, server, organization, dialect, args)
