# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check mode tells the truth: a property test against the real emulator, over real HTTP.

Hypothesis generates an organization (users with ASCII and Unicode logins, roles, enabled or not,
pending invitations, groups and their members, sometimes the API user itself) and what a task asks
for: the same users with changed fields, new users, users left out, logins in another case, and now
and then input the module must refuse. For each example, in each API dialect, the module runs in check
mode, then for real, then for real again, with the real ContrastClient that the module builds from its
connection options (``contrast_api_dialect: auto``), as in a playbook. The properties:

* check mode sends no write (no POST, PUT, PATCH or DELETE in the emulator's request log) and leaves
  the organization exactly as it was;
* the real run reports exactly the ``changed`` and ``diff`` of check mode (and the module's other
  predictions: ``user``, ``invited``, ``members``, ``added``, ``removed``, ``summary``, ``changes``),
  writes if and only if it reports a change, and leaves the organization as check mode predicted;
* input that a module refuses is refused identically in both modes, with no write at all;
* a second real run changes nothing and writes nothing (and neither would check mode).

Bounded for ``make units``: a fixed seed (derandomize), no example database, 30 examples per module
and dialect.
"""

from __future__ import annotations

import hashlib
import os
from unittest import mock

import pytest

requests = pytest.importorskip("requests")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, note, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.contrast_security.identity.plugins.modules import (  # noqa: E402
    contrast_group_membership,
    contrast_roster,
    contrast_user,
)
from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import (  # noqa: E402
    ModuleExit,
    _exit_json,
    _fail_json,
)

emu = load_emulator()

API_USER = emu.DEFAULT_API_USERNAME
# Logins the examples draw from: ASCII and Unicode (their case variants stay the same login).
USERNAMES = ("ann@example.com", "ben.o'neil@example.com", "cat@example.org", "zoë@example.com", "ångström@exämple.se",
             "李雷@example.cn")
GROUPS = ("Payments", "Platform", "Zürich Ops")
GROUP_IDS = {"Payments": 3, "Platform": 7, "Zürich Ops": 8}
ROLES = ("ROLE_ADMIN", "ROLE_EDIT", "ROLE_RULES_ADMIN", "ROLE_VIEW", "ROLE_NO_ACCESS")
NAMES = ("Ann", "Zoë", "Ångström", "O'Brien", "Renée Marie", "李")
DIALECT_NAMES = ("guide", "teamserver")
# The most users the server answers with per page (it clamps a larger limit silently).
SERVER_PAGE_SIZES = st.sampled_from([100, 100, 2, 1])
# Ids no user has.
GHOST_ID = "f" * 32
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
# More for a deeper search by hand (pytest in the collection copy): CONTRAST_PROPERTY_EXAMPLES=500
EXAMPLES = int(os.environ.get("CONTRAST_PROPERTY_EXAMPLES", "30"))

PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=False,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                    HealthCheck.filter_too_much])


def user_id_of(username):
    """The id a seed gives a user: fixed per login, so that tasks can name existing users by id."""
    return hashlib.sha256(username.lower().encode("utf-8")).hexdigest()[:32]


@pytest.fixture(scope="module")
def server():
    with emu.EmulatorServer(port=0) as instance:
        yield instance


# ------------------------------------------------------------------ strategies

def case_variants(username):
    """The same login, possibly in another case (logins are matched case-insensitively)."""
    return st.sampled_from(sorted(set([username, username.upper(), username.capitalize(), username.swapcase()])))


def some_login():
    return st.sampled_from(USERNAMES).flatmap(case_variants)


def chance(draw, percent):
    """True about `percent` times in 100. Hypothesis favours small integers, and so False: the usual case."""
    return draw(st.integers(0, 99)) >= 100 - percent


def maybe(draw, strategy, percent=75):
    """A value from `strategy` about `percent` times in 100, else None (left out)."""
    return draw(strategy) if chance(draw, percent) else None


@st.composite
def organizations(draw):
    """A seed document: some of USERNAMES with random attributes, sometimes the API user listed too,
    and the three groups with random members (one of them predefined, in the TeamServer dialect)."""
    present = draw(st.lists(st.sampled_from(USERNAMES), unique=True, min_size=0 if chance(draw, 10) else 2,
                            max_size=len(USERNAMES)))
    users = [{
        "username": username,
        "user_id": user_id_of(username),
        "first_name": draw(st.sampled_from(NAMES)),
        "last_name": draw(st.sampled_from(NAMES)),
        "role": draw(st.sampled_from(ROLES)),
        "enabled": draw(st.booleans()),
        "pending": chance(draw, 25),
        "api_only": draw(st.booleans()),
        "protect_enabled": draw(st.booleans()),
    } for username in present]
    members_pool = list(present)
    if chance(draw, 30):
        # The API user in the listing: an ordinary user that contrast_roster must never disable or delete.
        users.insert(draw(st.integers(0, len(users))), {"username": API_USER, "user_id": user_id_of(API_USER),
                                                        "role": "ROLE_ADMIN", "api_only": True})
        members_pool.append(API_USER)
    groups = [{"name": name, "group_id": GROUP_IDS[name],
               "members": draw(st.lists(st.sampled_from(members_pool), unique=True)) if members_pool else [],
               "predefined": name == "Platform" and draw(st.booleans())}
              for name in GROUPS]
    return {"users": users, "groups": groups}


def _existing(organization):
    """Logins of the organization's users (the API user aside: tasks never demote nor lock it out)."""
    return [user["username"] for user in organization["users"] if user["username"] != API_USER]


def _exists(organization, username):
    return any(name.lower() == username.lower() for name in _existing(organization))


def _fields(draw, username, needed, refusals=True):
    """Attributes of a user: each given or left out; those a create needs (`needed`) seldom left out; the
    email seldom given (the login, in its case or another, or another address)."""
    fields = {}
    for key, strategy in (("first_name", st.sampled_from(NAMES)), ("last_name", st.sampled_from(NAMES)),
                          ("role", st.sampled_from(ROLES)), ("api_only", st.booleans()),
                          ("protect_enabled", st.booleans())):
        value = maybe(draw, strategy, 97 if needed and key in ("first_name", "last_name", "role") else 60)
        if value is not None:
            fields[key] = value
    if refusals and chance(draw, 3):
        fields["first_name"] = draw(st.sampled_from(["", "  "]))
    email = draw(st.sampled_from(["none", "same", "case", "other"])) if chance(draw, 25) else "none"
    if email == "other" and not chance(draw, 40):
        email = "none"  # a create with another email (refused), or a change of email (refused): now and then
    if email != "none":
        fields["email"] = {"same": username, "case": username.swapcase(), "other": "someone.else@example.com"}[email]
    return fields


@st.composite
def user_tasks(draw, organization):
    """contrast_user options: an existing or new login (by username, and now and then by id), attributes
    given or left out, any state; now and then something the module refuses."""
    username = draw(some_login())
    how = draw(st.sampled_from(["username", "user_id", "both", "ghost_id", "disagree"])) if chance(draw, 30) else "username"
    exists = _exists(organization, username)
    args = {}
    if how in ("username", "both", "ghost_id", "disagree"):
        args["username"] = username
    if how in ("user_id", "both"):
        args["user_id"] = user_id_of(username) if exists or chance(draw, 50) else GHOST_ID
    elif how == "ghost_id":
        args["user_id"] = GHOST_ID
    elif how == "disagree":
        others = [name for name in _existing(organization) if name.lower() != username.lower()]
        args["user_id"] = user_id_of(draw(st.sampled_from(others))) if others else GHOST_ID
    args.update(_fields(draw, username, needed=not exists))
    if "email" in args and chance(draw, 5):
        args["email"] = "not-an-email"
    if chance(draw, 20):
        args["time_zone"] = "Europe/Paris"
    args["state"] = draw(st.sampled_from(["present", "disabled", "absent"])) if chance(draw, 40) else "present"
    return args


@st.composite
def membership_tasks(draw, organization):
    """contrast_group_membership options: a group by name or id (now and then an unknown one), logins
    and ids (some unknown, some blank), a state and what to do with unknown users."""
    args = {}
    group = draw(st.sampled_from(GROUPS))
    how = draw(st.sampled_from(["id", "unknown"])) if chance(draw, 20) else "name"
    if how == "name":
        args["group"] = group
    elif how == "id":
        args["group_id"] = str(GROUP_IDS[group])
    else:
        args["group"] = draw(st.sampled_from([group.lower(), "Payment", "Nobody's group"]))
    logins = list(USERNAMES) + [API_USER]
    if chance(draw, 85):
        names = draw(st.lists(st.sampled_from(logins).flatmap(case_variants), min_size=0 if chance(draw, 10) else 1,
                              max_size=4, unique_by=lambda name: name.lower()))
        if names and chance(draw, 5):
            names[0] = " %s " % names[0]
        if chance(draw, 10):
            names.append("ghost@example.com")
        if chance(draw, 3):
            names.append(" ")
        args["users"] = names
    if "users" not in args or chance(draw, 20):
        ids = draw(st.lists(st.sampled_from(USERNAMES), max_size=2, unique=True))
        args["user_ids"] = [user_id_of(name) for name in ids] + ([GHOST_ID] if chance(draw, 10) else [])
    if chance(draw, 3):
        args.pop("users", None)
        args.pop("user_ids", None)  # neither: refused by the option checks
    args["state"] = draw(st.sampled_from(["present", "absent", "exact"]))
    args["missing_users"] = draw(st.sampled_from(["fail", "ignore"])) if chance(draw, 50) else "fail"
    return args


@st.composite
def roster_tasks(draw, organization):
    """contrast_roster options for `organization`: entries for some of the logins (in any case), each
    attribute given or left out, any unlisted mode, membership mode, protection, guard and paging.
    Now and then the roster is one the module must refuse whole: an entry for a new user without what
    a create needs, a duplicate login, an unknown role or group, another email, a guard that trips."""
    listed = draw(st.lists(st.sampled_from(USERNAMES), unique=True, min_size=0 if chance(draw, 10) else 1,
                           max_size=len(USERNAMES)))
    entries = []
    for username in listed:
        entry = {"username": draw(case_variants(username))}
        entry.update(_fields(draw, entry["username"], needed=not _exists(organization, username), refusals=chance(draw, 30)))
        if chance(draw, 60):
            entry["groups"] = draw(st.lists(st.sampled_from(GROUPS), unique=True))
        entries.append(entry)
    if entries and chance(draw, 8):
        bad = draw(st.sampled_from(["duplicate", "role", "group"]))
        if bad == "duplicate":
            entries.append({"username": entries[0]["username"].upper()})
        elif bad == "role":
            entries[-1]["role"] = draw(st.sampled_from(["ROLE_GOD", "role_admin"]))
        else:
            entries[-1]["groups"] = ["payments"]
    return {
        "users": entries,
        "unlisted": draw(st.sampled_from(["ignore", "disable", "delete"])),
        "allow_empty": draw(st.booleans()),
        "group_membership": draw(st.sampled_from(["add", "exact"])),
        "protected": draw(st.lists(st.sampled_from(["*@example.org", "BEN.O'NEIL@example.com", "*李*", "zoë@*"]),
                                   unique=True, max_size=2)),
        "max_unlisted_changes": draw(st.sampled_from([0, 1])) if chance(draw, 10) else 10,
        "parallelism": draw(st.integers(1, 4)),
        "page_size": draw(st.sampled_from([100, 1, 2])),
    }


# ------------------------------------------------------------------ running a module against the emulator

def _connection(server):
    return {
        "contrast_url": server.contrast_url,
        "contrast_username": API_USER,
        "contrast_service_key": emu.DEFAULT_SERVICE_KEY,
        "contrast_api_key": emu.DEFAULT_API_KEY,
        "org_uuid": emu.DEFAULT_ORG_UUID,
        "contrast_api_dialect": "auto",
        "retries": 0,
    }


def run(module, server, args, check_mode):
    """`module.main()` with `args`, as Ansible would call it; returns its result (exit_json or fail_json)."""
    module_args = dict(_connection(server), **args)
    module_args["_ansible_check_mode"] = check_mode
    module_args["_ansible_diff"] = True
    with patch_module_args(module_args), \
            mock.patch.object(basic.AnsibleModule, "exit_json", _exit_json), \
            mock.patch.object(basic.AnsibleModule, "fail_json", _fail_json), \
            mock.patch.object(basic.AnsibleModule, "warn"):
        with pytest.raises(ModuleExit) as caught:
            module.main()
    result = caught.value.result
    result.pop("invocation", None)
    return result


def control(server, method, path, **kwargs):
    answer = requests.request(method, server.control_url + path, timeout=30, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def writes_since_last_look(server):
    """The write requests the emulator received since the last call (which are then forgotten)."""
    log = control(server, "GET", "/requests")["requests"]
    control(server, "DELETE", "/requests")
    return [(entry["method"], entry["path"]) for entry in log if entry["method"].upper() in WRITE_METHODS]


def org_state(server):
    """Users and groups as the emulator holds them (no request log, no config)."""
    state = control(server, "GET", "/state")
    return {"users": state["users"], "groups": state["groups"], "outbox": state["outbox"], "api_user": state["api_user"]}


def check_then_apply_then_again(module, server, organization, dialect, args, predicted_state=None, max_page_size=100):
    """The property. Returns (check-mode result, real result) of a run that succeeded, else None."""
    note("dialect=%s max_page_size=%d organization=%r args=%r" % (dialect, max_page_size, organization, args))
    control(server, "POST", "/reset", json=dict(organization, dialect=dialect))
    if max_page_size != 100:
        # A server that answers with fewer users than asked for: the client must page on.
        control(server, "POST", "/config", json={"max_page_size": max_page_size})
    before = org_state(server)
    writes_since_last_look(server)

    checked = run(module, server, args, check_mode=True)
    note("check mode: %r" % checked)
    assert writes_since_last_look(server) == [], "check mode sent a write"
    assert org_state(server) == before, "check mode changed the organization"

    applied = run(module, server, args, check_mode=False)
    note("real run: %r" % applied)
    writes = writes_since_last_look(server)

    if checked.get("failed"):
        # Refused input: refused the same way in both modes, before any write.
        assert applied.get("failed"), "check mode failed, the real run did not"
        assert applied == checked
        assert writes == [], "a refused input was partly written"
        assert org_state(server) == before
        event("refused")
        return None
    if applied.get("failed") and "more than max_" in applied["msg"]:
        # A mass-change guard: check mode reports the plan (with a warning), the real run is refused before any write.
        assert "Nothing was changed" in applied["msg"] or "nothing was changed" in applied["msg"]
        assert checked["changed"], "a guard tripped on a run check mode saw no change in"
        assert writes == [], "a run refused by a guard was partly written"
        assert org_state(server) == before
        event("guard")
        return None
    assert not applied.get("failed"), "check mode succeeded, the real run failed: %s" % applied["msg"]
    assert applied["changed"] == checked["changed"]
    assert applied["diff"] == checked["diff"]
    assert bool(writes) == applied["changed"], writes
    event("%s: %s" % (dialect, "changed, %d write(s)" % len(writes) if applied["changed"] else "already as asked"))
    if predicted_state:
        predicted_state(server, checked, applied)

    again = run(module, server, args, check_mode=False)
    assert not again.get("failed"), again["msg"]
    assert again["changed"] is False, again.get("diff")
    assert writes_since_last_look(server) == [], "an immediate re-run wrote"
    checked_again = run(module, server, args, check_mode=True)
    assert checked_again["changed"] is False, checked_again.get("diff")
    assert writes_since_last_look(server) == []
    return checked, applied


# ------------------------------------------------------------------ what each module predicts

# Fields of a user that check mode cannot know for a user it would create (the server assigns them).
SERVER_ASSIGNED = ("user_id", "date_created", "date_created_iso", "last_login", "last_login_iso", "groups")
USER_FIELDS = ("username", "email", "first_name", "last_name", "role", "enabled", "api_only", "protect_enabled")


def _user_predicted(server, checked, applied):
    assert applied["invited"] == checked["invited"]
    assert applied["msg"] == checked["msg"]
    if checked["user"] is None:
        assert applied["user"] is None
        return
    created = checked["user"]["user_id"] is None
    ignored = SERVER_ASSIGNED if created else ("groups",)
    assert dict((k, v) for k, v in applied["user"].items() if k not in ignored) == \
        dict((k, v) for k, v in checked["user"].items() if k not in ignored)
    # And the organization now holds that user.
    held = [user for user in org_state(server)["users"] if user["username"].lower() == checked["user"]["username"].lower()]
    assert len(held) == 1
    assert dict((field, held[0][field]) for field in USER_FIELDS) == dict((field, checked["user"][field]) for field in USER_FIELDS)


def _members_predicted(server, checked, applied):
    for key in ("members", "added", "removed", "missing", "group"):
        assert applied[key] == checked[key], key
    group = [group for group in org_state(server)["groups"] if group["group_id"] == checked["group"]["group_id"]][0]
    assert sorted(group["member_usernames"]) == checked["members"]


def _roster_predicted(server, checked, applied):
    assert applied["summary"] == checked["summary"]
    strip = ("status", "user_id")
    assert [dict((k, v) for k, v in change.items() if k not in strip) for change in applied["changes"]] == \
        [dict((k, v) for k, v in change.items() if k not in strip) for change in checked["changes"]]
    assert set(change["status"] for change in checked["changes"]) <= {"planned"}
    assert set(change["status"] for change in applied["changes"]) <= {"ok"}


# ------------------------------------------------------------------ the properties, per module and dialect

# Each module: the options it is run with for a generated organization, and what its result must agree on.
CASES = {
    "contrast_user": (contrast_user, user_tasks, _user_predicted),
    "contrast_group_membership": (contrast_group_membership, membership_tasks, _members_predicted),
    "contrast_roster": (contrast_roster, roster_tasks, _roster_predicted),
}


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@pytest.mark.parametrize("case", sorted(CASES))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_check_mode_predicts_the_real_run(server, case, dialect, data):
    module, tasks, predicted = CASES[case]
    organization = data.draw(organizations(), label="organization")
    args = data.draw(tasks(organization), label="args")
    max_page_size = data.draw(SERVER_PAGE_SIZES, label="max_page_size")
    check_then_apply_then_again(module, server, organization, dialect, args, predicted, max_page_size)
