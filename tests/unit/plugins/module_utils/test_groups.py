# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.contrast_security.identity.plugins.module_utils import groups as G

GROUPS = [{"group_id": 1, "name": "Payments Team"}, {"group_id": 2, "name": "Platform"},
          {"group_id": 3, "name": "Security Champions"}]


def test_find_group_by_exact_name_or_id():
    assert G.find_group(GROUPS, name="Platform")["group_id"] == 2
    assert G.find_group(GROUPS, group_id="3")["name"] == "Security Champions"


def test_unknown_name_lists_close_matches():
    with pytest.raises(G.GroupLookupError) as caught:
        G.find_group(GROUPS, name="payments team")
    text = str(caught.value)
    assert "'Payments Team'" in text
    assert "matched exactly" in text


def test_unknown_name_without_a_close_match_lists_some_groups():
    with pytest.raises(G.GroupLookupError, match="has 3 group"):
        G.find_group(GROUPS, name="zzzz")


def test_unknown_id():
    with pytest.raises(G.GroupLookupError, match="id 9"):
        G.find_group(GROUPS, group_id=9)


@pytest.mark.parametrize("state,wanted,new,added,removed", [
    ("present", ["b", "c"], ["a", "b", "c"], ["c"], []),
    ("present", ["a"], ["a", "b"], [], []),
    ("absent", ["b", "z"], ["a"], [], ["b"]),
    ("absent", ["z"], ["a", "b"], [], []),
    ("exact", ["b", "c"], ["b", "c"], ["c"], ["a"]),
    ("exact", [], [], [], ["a", "b"]),
    ("exact", ["b", "a"], ["a", "b"], [], []),
    ("present", ["c", "c"], ["a", "b", "c"], ["c"], []),
])
def test_plan_members(state, wanted, new, added, removed):
    assert G.plan_members(["a", "b"], wanted, state) == (new, added, removed)


def test_plan_members_rejects_unknown_state():
    with pytest.raises(ValueError):
        G.plan_members([], [], "sometimes")


def test_plan_members_keeps_order_and_ignores_duplicates_at_scale():
    current = ["u%d" % index for index in range(0, 3000, 2)]
    wanted = ["u%d" % index for index in range(0, 3000, 3)] * 2
    new, added, removed = G.plan_members(current, wanted, "exact")
    assert new == [u for u in current if int(u[1:]) % 3 == 0] + [u for u in dict.fromkeys(wanted) if int(u[1:]) % 2]
    assert set(added) == set(wanted) - set(current) and set(removed) == set(current) - set(wanted)
    new, added, removed = G.plan_members(current, wanted, "absent")
    assert new == [u for u in current if int(u[1:]) % 3] and added == []
