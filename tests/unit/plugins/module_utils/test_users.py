# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import users as U


def test_epoch_ms_to_iso_is_utc_with_milliseconds():
    assert U.epoch_ms_to_iso(0) == "1970-01-01T00:00:00.000Z"
    assert U.epoch_ms_to_iso(1700000000123) == "2023-11-14T22:13:20.123Z"
    assert U.epoch_ms_to_iso("1700000000000") == "2023-11-14T22:13:20.000Z"


@pytest.mark.parametrize("value", [None, "", "never", [1]])
def test_epoch_ms_to_iso_of_nothing_is_none(value):
    assert U.epoch_ms_to_iso(value) is None


def test_normalize_guide_user_has_every_canonical_field():
    raw = {"user_id": "abc", "username": "Jane@Example.com", "first_name": "Jane", "last_name": "Doe", "enabled": True,
           "role": "ROLE_EDIT", "date_created": 1700000000000, "last_login": None, "api_only": False,
           "protect_enabled": True}
    user = U.normalize_user(raw, org_uuid="org-1")
    assert tuple(user) == U.CANONICAL_FIELDS
    assert user["email"] == "Jane@Example.com"  # defaults to the login when the API omits it
    assert user["groups"] is None  # unknown, not "in no group"
    assert user["date_created_iso"] == "2023-11-14T22:13:20.000Z"
    assert user["last_login_iso"] is None
    assert user["org_uuid"] == "org-1"


def test_normalize_tolerates_the_teamserver_shape():
    raw = {"user_uid": "u1", "email": "a@b.io", "role": {"group_id": 3, "name": "ROLE_VIEW"}, "rasp_enabled": False,
           "groups": [{"group_id": 1, "name": "Zeta"}, {"group_id": 2, "name": "Alpha"}]}
    user = U.normalize_user(raw)
    assert user["user_id"] == "u1"
    assert user["username"] == "a@b.io"
    assert user["role"] == "ROLE_VIEW"
    assert user["protect_enabled"] is False
    assert user["groups"] == ["Alpha", "Zeta"]


@pytest.mark.parametrize("value,valid", [
    ("jane@example.com", True), ("j.o+tag@sub.example.co", True), ("jane", False), ("jane@", False),
    ("@example.com", False), ("jane@example", False), ("ja ne@example.com", False), ("a@b@c.com", False), (None, False),
])
def test_email_syntax(value, valid):
    assert U.is_valid_email(value) is valid


def test_role_error_lists_every_valid_role():
    assert U.role_error("ROLE_EDIT") is None
    message = U.role_error("role_edit")
    for role in U.ROLES:
        assert role in message


def test_filters_combine():
    now = 1000 * U.MS_PER_DAY
    people = [
        {"username": "a", "role": "ROLE_ADMIN", "enabled": True, "last_login": now - 100 * U.MS_PER_DAY},
        {"username": "b", "role": "ROLE_ADMIN", "enabled": True, "last_login": now - 1 * U.MS_PER_DAY},
        {"username": "c", "role": "ROLE_VIEW", "enabled": False, "last_login": None},
        {"username": "d", "role": "ROLE_ADMIN", "enabled": True, "last_login": None},
    ]

    def names(found):
        return [user["username"] for user in found]

    assert names(U.filter_users(people, roles=["ROLE_ADMIN"])) == ["a", "b", "d"]
    assert names(U.filter_users(people, enabled=False)) == ["c"]
    assert names(U.filter_users(people, inactive_days=90, now=now)) == ["a", "c", "d"]
    assert names(U.filter_users(people, roles=["ROLE_ADMIN"], enabled=True, inactive_days=90, now=now)) == ["a", "d"]
    assert names(U.filter_users(people)) == ["a", "b", "c", "d"]


def test_same_username_is_case_insensitive():
    assert U.same_username("Jane@Example.COM", "jane@example.com")
    assert not U.same_username(None, "x")


def test_user_changes_compares_only_given_fields():
    current = {"first_name": "Jane", "last_name": "Doe", "role": "ROLE_EDIT", "enabled": True, "api_only": False,
               "protect_enabled": False, "email": "j@example.com"}
    assert U.user_changes(current, {"first_name": None, "role": "ROLE_EDIT"}) == {}
    assert U.user_changes(current, {"role": "ROLE_ADMIN", "enabled": True, "api_only": True}) == {"role": "ROLE_ADMIN", "api_only": True}
    assert U.user_changes(current, {"enabled": False, "protect_enabled": False}) == {"enabled": False}


def test_immutable_change_error_explains_the_way_out():
    current = {"username": "jane@example.com", "email": "jane@example.com"}
    assert U.immutable_change_error(current, {"username": "JANE@example.com", "email": None}) is None
    message = U.immutable_change_error(current, {"email": "other@example.com"})
    assert "cannot be changed" in message and "disable the old account" in message
    assert "username" in U.immutable_change_error(current, {"username": "new@example.com"})


def test_diff_view_and_prediction():
    current = U.normalize_user({"user_id": "u", "username": "a@b.co", "role": "ROLE_VIEW", "enabled": True})
    assert U.diff_view(None) == {}
    assert U.diff_view(current, ["role"]) == {"username": "a@b.co", "role": "ROLE_VIEW"}
    assert U.predicted_user(current, {"role": "ROLE_EDIT"})["role"] == "ROLE_EDIT"
    assert current["role"] == "ROLE_VIEW"  # prediction does not touch the original
    created = U.predicted_user(None, {"username": "n@b.co", "role": "ROLE_VIEW"}, org_uuid="o")
    assert created["enabled"] is True and created["email"] == "n@b.co" and created["user_id"] is None
    assert created["org_uuid"] == "o"


def test_epoch_ms_to_iso_is_exact_and_matches_datetime():
    import datetime
    import random
    rng = random.Random(3)
    for millis in [0, 1, 999, -1500, 86399999, 86400000, 951782400000] + [rng.randint(-10 ** 12, 4 * 10 ** 12) for _draw in range(2000)]:
        seconds, rest = divmod(millis, 1000)
        moment = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=seconds, milliseconds=rest)
        assert U.epoch_ms_to_iso(millis) == moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % rest


def test_epoch_ms_to_iso_out_of_range_is_none():
    assert U.epoch_ms_to_iso(10 ** 20) is None


def test_what_a_create_sends():
    wanted = {"first_name": "Ann", "last_name": None, "email": "ANN@example.com", "role": "ROLE_VIEW"}
    assert U.missing_to_create(wanted) == ["last_name"]
    assert U.fields_to_create("ann@example.com", wanted) == {
        "first_name": "Ann", "role": "ROLE_VIEW", "username": "ann@example.com", "email": "ann@example.com"}
    assert U.create_preferences({"time_zone": "UTC", "date_format": "", "role": "x"}) == {"time_zone": "UTC"}


def test_update_message():
    assert U.update_message("a@x.io", {"role": "ROLE_VIEW", "first_name": "A"}) == "Updated a@x.io (first_name, role)."
    assert U.update_message("a@x.io", {"enabled": False}) == "Disabled a@x.io."
    assert U.update_message("a@x.io", {"enabled": True, "role": "ROLE_VIEW"}) == "Enabled a@x.io again and updated role."


@pytest.mark.parametrize("changes, message", [
    ({}, None),
    ({"username": "['a@x.io']"}, "username must be a string, got ['a@x.io'] (a list or a dict?)."),
    ({"user_id": " "}, "user_id must not be empty."),
    ({"email": "nope"}, "email 'nope' is not a valid email address."),
    ({"time_zone": ""}, "time_zone must not be empty."),
])
def test_user_input_problem(changes, message):
    params = dict.fromkeys(("username", "user_id", "first_name", "last_name", "email", "date_format", "time_format", "time_zone"))
    params["username"] = "a@x.io"
    params.update(changes)
    assert U.user_input_problem(params) == message
