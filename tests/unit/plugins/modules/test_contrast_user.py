# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""contrast_user: check mode predicts the real run exactly; lost answers; input checks before any write."""

from __future__ import annotations

import copy
import random
from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.contrast_security.identity.plugins.modules import contrast_user
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import ROLES, FakeClient, run_module

NAMES = ["Ann", "Bo", "Zoë", "Ångström", "Li"]
# Fields a check-mode create cannot know (the server assigns them).
SERVER_ASSIGNED = ("user_id", "date_created", "date_created_iso", "last_login", "last_login_iso", "groups")


def random_org(rng):
    users = []
    for index in range(rng.randint(1, 5)):
        users.append({"username": "user%d@example.com" % index, "first_name": rng.choice(NAMES), "last_name": rng.choice(NAMES),
                      "role": rng.choice(ROLES), "enabled": rng.random() < 0.7, "api_only": rng.random() < 0.2,
                      "protect_enabled": rng.random() < 0.3})
    return users


def random_args(rng, users):
    if rng.random() < 0.6:
        username = rng.choice(users)["username"]
        username = username.upper() if rng.random() < 0.2 else username
    else:
        username = "new%d@example.com" % rng.randint(0, 3)
    args = {"username": username, "state": rng.choice(["present", "present", "disabled", "absent"])}
    for field, values in (("first_name", NAMES), ("last_name", NAMES), ("role", ROLES), ("api_only", [True, False]),
                          ("protect_enabled", [True, False])):
        if rng.random() < 0.5:
            args[field] = rng.choice(values)
    return args


def comparable(user):
    return None if user is None else dict((key, value) for key, value in user.items() if key not in SERVER_ASSIGNED)


@pytest.mark.parametrize("seed", range(150))
def test_check_mode_predicts_the_real_run(seed):
    rng = random.Random(seed)
    users = random_org(rng)
    args = random_args(rng, users)
    checked_client, real_client = FakeClient(users), FakeClient(copy.deepcopy(users))

    checked = run_module(contrast_user, checked_client, args, check_mode=True)
    real = run_module(contrast_user, real_client, args)

    assert checked_client.writes == []
    assert checked.get("failed") == real.get("failed"), (checked, real)
    if real.get("failed"):
        assert checked["msg"] == real["msg"]
        assert real_client.writes == []
        return
    assert checked["changed"] == real["changed"]
    assert checked["diff"] == real["diff"]
    assert checked["invited"] == real["invited"]
    assert comparable(checked["user"]) == comparable(real["user"])
    assert len(real_client.writes) == (1 if real["changed"] else 0)

    again = run_module(contrast_user, real_client, args)
    assert again["changed"] is False
    assert again["diff"] == {"before": {}, "after": {}}
    assert len(real_client.writes) == (1 if real["changed"] else 0)


def test_unicode_names_round_trip_idempotently():
    client = FakeClient([])
    args = {"username": "zoe@example.com", "first_name": "Zoë", "last_name": "Ångström", "role": "ROLE_VIEW"}
    created = run_module(contrast_user, client, args)
    assert created["changed"] and created["user"]["first_name"] == "Zoë" and created["user"]["last_name"] == "Ångström"
    assert run_module(contrast_user, client, args)["changed"] is False
    updated = run_module(contrast_user, client, dict(args, first_name="Zoë Ångström"))
    assert updated["diff"]["after"]["first_name"] == "Zoë Ångström"
    assert run_module(contrast_user, client, dict(args, first_name="Zoë Ångström"))["changed"] is False


def test_a_lost_update_answer_is_read_back_and_counted_done_with_a_warning():
    client = FakeClient([{"username": "bob@example.com", "first_name": "Bob", "user_id": "u-bob"}])
    client.lose.add(("update", "u-bob"))
    with mock.patch.object(basic.AnsibleModule, "warn") as warn:
        result = run_module(contrast_user, client, {"username": "bob@example.com", "first_name": "Robert"})
    assert not result.get("failed") and result["changed"] is True
    assert result["user"]["first_name"] == "Robert"
    assert "HTTP 502" in warn.call_args[0][0] and "in place" in warn.call_args[0][0]


def test_a_lost_delete_answer_is_read_back_and_counted_done():
    client = FakeClient([{"username": "bob@example.com", "first_name": "Bob", "user_id": "u-bob"}])
    client.lose.add(("delete", "u-bob"))
    with mock.patch.object(basic.AnsibleModule, "warn"):
        result = run_module(contrast_user, client, {"username": "bob@example.com", "state": "absent"})
    assert not result.get("failed") and result["changed"] is True and client.users == {}


def test_a_refused_update_fails_with_the_request_named_after_reading_back():
    client = FakeClient([{"username": "bob@example.com", "first_name": "Bob", "user_id": "u-bob"}])
    client.refuse.add(("update", "u-bob"))
    result = run_module(contrast_user, client, {"username": "bob@example.com", "first_name": "Robert"})
    assert result["failed"]
    assert "PUT /ng/" in result["msg"] and "HTTP 500" in result["msg"]
    assert result["method"] == "PUT" and result["status"] == 500
    assert client.users["u-bob"]["first_name"] == "Bob"


@pytest.mark.parametrize("args,expected", [
    ({"username": "not-an-email", "first_name": "X", "last_name": "Y", "role": "ROLE_VIEW"}, "not a valid email"),
    ({"username": "bob@example.com", "first_name": ""}, "must not be empty"),
    ({"username": "bob@example.com", "last_name": "   "}, "must not be empty"),
    ({"username": "bob@example.com", "email": "bob@"}, "not a valid email"),
    ({"username": "bob@example.com", "email": "robert@example.com"}, "cannot be changed"),
    ({"username": "new@example.com", "first_name": "N"}, "needs last_name, role"),
    ({"user_id": "nope", "first_name": "N"}, "No user has id nope"),
    # The API makes the login the email, and assigns the id: neither can be chosen for a new user.
    ({"username": "new@example.com", "first_name": "N", "last_name": "N", "role": "ROLE_VIEW", "email": "other@example.com"},
     "makes the login the email"),
    ({"username": "new@example.com", "user_id": "nope", "first_name": "N", "last_name": "N", "role": "ROLE_VIEW"},
     "cannot be created with a given id"),
])
def test_bad_input_fails_before_any_write(args, expected):
    client = FakeClient([{"username": "bob@example.com", "first_name": "Bob", "user_id": "u-bob"}])
    for check_mode in (True, False):
        result = run_module(contrast_user, client, args, check_mode=check_mode)
        assert result["failed"] and expected in result["msg"], result
    assert client.writes == []


def test_an_email_differing_from_the_login_only_in_case_creates_with_the_login():
    client = FakeClient([])
    args = {"username": "Jane.Doe@example.com", "email": "jane.doe@example.com", "first_name": "Jane", "last_name": "Doe",
            "role": "ROLE_VIEW"}
    checked = run_module(contrast_user, client, args, check_mode=True)
    created = run_module(contrast_user, client, args)
    assert created["diff"] == checked["diff"] and created["diff"]["after"]["email"] == "Jane.Doe@example.com"
    assert client.users[created["user"]["user_id"]]["email"] == "Jane.Doe@example.com"
    assert run_module(contrast_user, client, args)["changed"] is False


@pytest.mark.parametrize("enabled,args,expected", [
    (True, {"state": "disabled"}, "Disabled bob@example.com."),
    (False, {}, "Enabled bob@example.com again."),
    (False, {"role": "ROLE_ADMIN"}, "Enabled bob@example.com again and updated role."),
    (True, {"role": "ROLE_ADMIN", "first_name": "Robert"}, "Updated bob@example.com (first_name, role)."),
])
def test_the_message_says_disabled_or_enabled(enabled, args, expected):
    client = FakeClient([{"username": "bob@example.com", "first_name": "Bob", "user_id": "u-bob", "enabled": enabled}])
    assert run_module(contrast_user, client, dict(args, username="bob@example.com"))["msg"] == expected


def test_disabling_a_missing_user_warns_with_the_closest_logins():
    logins = ("carla.rossi@example.com", "carl.ross@example.com", "zed@example.com")
    client = FakeClient([{"username": name} for name in logins])
    with mock.patch.object(basic.AnsibleModule, "warn") as warn:
        result = run_module(contrast_user, client, {"username": "carla.rosi@example.com", "state": "disabled"})
    assert result["changed"] is False and client.writes == []
    text = warn.call_args[0][0]
    assert text.startswith("carla.rosi@example.com is not a user of the organization, so nobody was disabled.")
    assert "Did you mean carla.rossi@example.com or carl.ross@example.com?" in text
    assert "zed@" not in text
