# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""guards.py: a user write verified field by field, its lost answer read back (verified_user_write)."""

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError, NotAppliedError
from ansible_collections.contrast_security.identity.plugins.module_utils.guards import user_holding, verified_user_write
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.fake_contrast import FakeClient


def org():
    client = FakeClient(users=[{"username": "jane@example.com", "role": "ROLE_VIEW"}])
    return client, client.find_user("jane@example.com")["user_id"]


def test_a_write_the_server_took_returns_the_user_as_written():
    client, user_id = org()
    user = verified_user_write(client, "PUT", user_id, lambda: client.update_user(user_id, {"role": "ROLE_EDIT"}),
                               {"role": "ROLE_EDIT"})
    assert user["role"] == "ROLE_EDIT" and client.writes == [("update", user_id)]


def test_a_lost_answer_read_back_in_place_counts_as_done():
    client, user_id = org()
    client.lose.add(("update", user_id))
    told = []
    user = verified_user_write(client, "PUT", user_id, lambda: client.update_user(user_id, {"role": "ROLE_EDIT"}),
                               {"role": "ROLE_EDIT"}, on_lost=told.append)
    assert user["role"] == "ROLE_EDIT" and [err.status for err in told] == [502]


def test_a_lost_answer_not_in_place_raises_the_writes_error():
    client, user_id = org()
    client.refuse.add(("update", user_id))  # a 500 after which nothing changed
    with pytest.raises(ContrastApiError) as caught:
        verified_user_write(client, "PUT", user_id, lambda: client.update_user(user_id, {"role": "ROLE_EDIT"}),
                            {"role": "ROLE_EDIT"})
    assert caught.value.status == 500 and not isinstance(caught.value, NotAppliedError)


def test_a_success_the_server_did_not_take_names_the_fields():
    client, user_id = org()
    with pytest.raises(NotAppliedError) as caught:
        verified_user_write(client, "PUT", user_id, lambda: client.get_user(user_id), {"role": "ROLE_EDIT", "first_name": None})
    assert caught.value.fields == ["role"] and "role 'ROLE_VIEW' (wanted 'ROLE_EDIT')" in str(caught.value)


def test_user_holding_reads_the_user_back():
    client, user_id = org()
    assert user_holding(client, user_id, {"role": "ROLE_VIEW"})["user_id"] == user_id
    assert user_holding(client, user_id, {"role": "ROLE_EDIT"}) is None
    assert user_holding(client, "nobody", {"role": "ROLE_VIEW"}) is None
