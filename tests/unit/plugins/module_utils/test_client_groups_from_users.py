# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""groups_with_members: members from the ``groups`` each listed user carries (no member read), else one read per group."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.contrast_security.identity.plugins.module_utils import client as C
from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator
from ansible_collections.contrast_security.identity.tests.unit.plugins.module_utils.test_client import make_client, ok

emu = load_emulator()

GROUPS = [{"group_id": 7, "name": "Payments"}, {"group_id": 9, "name": "Platform"}]
MEMBERS = {"7": [{"user_id": "u1", "username": "ada@example.com"}], "9": []}


def guide_server(users_groups, profile_groups=None):
    """A guide-shaped server: two users carrying `users_groups` (None: the field left out), the groups,
    member lists for the fallback, and the profile (the API user, not listed)."""
    def answer(method, url, params, body):
        if "/groups/" in url:
            members = MEMBERS[url.rsplit("/", 2)[-2]]
            return ok({"users": members, "count": len(members)})
        if url.endswith("/users"):
            users = [{"user_id": "u%d" % index, "username": name, "role": "ROLE_VIEW", "enabled": True, "date_created": 1}
                     for index, name in ((1, "ada@example.com"), (2, "bo@example.com"))]
            for user, carried in zip(users, users_groups):
                if carried is not None:
                    user["groups"] = carried
            return ok({"users": users, "count": 2})
        if url.endswith("/groups"):
            return ok({"groups": GROUPS, "count": 2})
        if url.endswith("/profile"):
            profile = {"user_id": "api", "username": "api@example.com", "role": "ROLE_ADMIN"}
            if profile_groups is not None:
                profile["groups"] = profile_groups
            return ok({"user": profile})
        raise AssertionError("unexpected request %s %s" % (method, url))
    return answer


def read(users_groups, profile_groups=None):
    client, session, _sleeps = make_client(guide_server(users_groups, profile_groups), dialect="guide")
    client.list_users()
    groups = client.groups_with_members()
    paths = [call["url"].split("/api", 1)[1] for call in session.calls]
    return dict((group["name"], sorted(member["username"] for member in group["members"])) for group in groups), paths


@pytest.mark.parametrize("carried", [
    ([{"group_id": 7, "name": "Payments"}], []),  # objects
    ([7], []),                                     # ids
    (["Payments"], []),                            # names
    ([{"name": "Payments"}], []),                  # objects with a name only
    ([{"group_id": 7, "name": "Payments", "organizations": ["ORG-UUID-1"]}], []),                       # of this org
    ([{"group_id": 7, "name": "Payments", "organizations": [{"organization_uuid": "org-uuid-1"}]}], []),
])
def test_members_come_from_the_users_own_groups_without_any_member_read(carried):
    members, paths = read(carried, profile_groups=[])
    assert members == {"Payments": ["ada@example.com"], "Platform": []}
    assert not any(path.endswith("/users") and "/groups/" in path for path in paths)
    # the API user is not listed: its own groups come from its profile (it may be a member)
    assert paths == ["/ng/org-uuid-1/users", "/ng/org-uuid-1/groups", "/ng/profile"]


def test_the_api_user_is_a_member_through_its_profile():
    members, _paths = read(([], []), profile_groups=[9])
    assert members == {"Payments": [], "Platform": ["api@example.com"]}


@pytest.mark.parametrize("carried, profile_groups", [
    (([7], None), []),        # one user without the field
    (([7], [3]), []),         # an entry naming no listed group
    (([7], [True]), []),      # an entry that is no group at all
    (([7], [{"name": ["Platform"]}]), []),  # an entry whose name is not text (was a TypeError: unhashable)
    (([7], []), None),        # the API user (not listed) without the field
    # The profile is not tied to this organization: a group named like one here may be another organization's
    # (predefined names repeat), so the API user's entries count by id only.
    (([7], []), ["Platform"]),
    (([7], []), [{"name": "Platform"}]),
    # TeamServer's group objects may list their organizations: one that does not name this one is not this one's.
    (([{"group_id": 7, "name": "Payments", "organizations": ["another-org-uuid"]}], []), []),
    (([{"group_id": 7, "name": "Payments", "organizations": [{"organization_uuid": "another-org-uuid"}]}], []), []),
])
def test_falls_back_to_one_member_read_per_group(carried, profile_groups):
    members, paths = read(carried, profile_groups)
    assert members == {"Payments": ["ada@example.com"], "Platform": []}
    assert [path for path in paths if "/groups/" in path] == ["/ng/org-uuid-1/groups/7/users", "/ng/org-uuid-1/groups/9/users"]


def test_no_whole_listing_means_member_reads():
    client, session, _sleeps = make_client(guide_server(([7], [])), dialect="guide")
    assert client.find_user("bo@example.com")["username"] == "bo@example.com"
    client.groups_with_members()
    assert sum(1 for call in session.calls if "/groups/" in call["url"]) == 2


# ---- against the emulator: its guide users carry their groups with the user_groups switch ----------------------

SEED = {"users": [{"username": "ada@example.com"}, {"username": "bo@example.com"}, {"username": "cy@example.com"}],
        "groups": [{"name": "Payments", "members": ["ada@example.com", "bo@example.com"]},
                   {"name": "Platform", "members": ["bo@example.com"]}, {"name": "Empty", "members": []}]}


def _emulated(server, dialect, api_user_listed=True, **config):
    seed = dict(SEED, users=SEED["users"] + ([{"username": emu.DEFAULT_API_USERNAME}] if api_user_listed else []))
    assert requests.post(server.control_url + "/reset", json=dict(seed, dialect=dialect), timeout=10).status_code == 200
    if config:
        assert requests.post(server.control_url + "/config", json=config, timeout=10).status_code == 200
    requests.delete(server.control_url + "/requests", timeout=10)
    client = C.ContrastClient(server.contrast_url, emu.DEFAULT_API_USERNAME, emu.DEFAULT_SERVICE_KEY, emu.DEFAULT_API_KEY,
                              emu.DEFAULT_ORG_UUID, dialect=dialect, retries=0)
    client.list_users()
    groups = client.groups_with_members()
    log = requests.get(server.control_url + "/requests", timeout=10).json()["requests"]
    members = dict((group["name"], sorted(member["username"] for member in group["members"])) for group in groups)
    return members, [entry["path"].split("/api", 1)[1] for entry in log]


EXPECTED = {"Payments": ["ada@example.com", "bo@example.com"], "Platform": ["bo@example.com"], "Empty": []}


@pytest.mark.parametrize("dialect, config", [("guide", {"user_groups": True}), ("teamserver", {})])
def test_emulated_users_carrying_groups_need_no_member_read(server, dialect, config):
    members, paths = _emulated(server, dialect, **config)
    assert members == EXPECTED
    assert [path for path in paths if "/groups/" in path or path.endswith("/profile")] == []


@pytest.mark.parametrize("dialect, config", [("guide", {"user_groups": True}), ("teamserver", {})])
def test_emulated_unlisted_api_user_costs_one_profile_read(server, dialect, config):
    members, paths = _emulated(server, dialect, api_user_listed=False, **config)
    assert members == EXPECTED
    assert [path.rsplit("/", 1)[-1] for path in paths] == ["users", "groups", "profile"]


def test_emulated_guide_users_without_groups_fall_back(server):
    members, paths = _emulated(server, "guide", api_user_listed=False)
    assert members == EXPECTED
    assert len([path for path in paths if "/groups/" in path]) == 3
    assert not any(path.endswith("/profile") for path in paths)  # no profile read for nothing


# ---- members_for_plan: the roster's plan, by the same rule ----------------------------------------------------------

def plan_members_read(users_groups, wanted_ids, listed=True):
    client, session, _sleeps = make_client(guide_server(users_groups, profile_groups=[]), dialect="guide")
    if listed:
        client.list_users()
    else:
        client.find_user("bo@example.com")
    session.calls.clear()
    wanted = [group for group in GROUPS if group["group_id"] in wanted_ids]
    members = client.members_for_plan(wanted, GROUPS)
    paths = [call["url"].split("/api", 1)[1] for call in session.calls]
    return dict((group_id, sorted(member["username"] for member in found)) for group_id, found in members.items()), paths


def test_plan_members_of_the_named_groups_only_come_from_the_users_groups():
    members, paths = plan_members_read(([7], []), [7])
    assert members == {7: ["ada@example.com"]}
    assert paths == ["/ng/profile"]  # the API user is not listed: it may be a member


@pytest.mark.parametrize("users_groups, listed", [(([7], None), True), (([7], []), False), (([7], [3]), True)])
def test_plan_members_fall_back_to_one_read_per_named_group(users_groups, listed):
    members, paths = plan_members_read(users_groups, [9], listed=listed)
    assert members == {9: []}
    assert [path for path in paths if "/groups/" in path] == ["/ng/org-uuid-1/groups/9/users"]


def test_plan_naming_no_group_reads_nothing():
    assert plan_members_read(([7], []), []) == ({}, [])


def test_users_naming_their_groups_by_id_only_are_listed_and_give_the_members():
    # `groups` entries as objects with a group_id and no name (a shape _members_from_users takes): the listing
    # must not fail on them, and each listed user's groups stay unknown rather than become nameless
    server = guide_server(([{"group_id": 7}, {"group_id": 9}], []), profile_groups=[])
    client, _session, _sleeps = make_client(server, dialect="guide")
    users = dict((user["username"], user) for user in client.list_users())
    assert users["ada@example.com"]["groups"] is None
    assert users["bo@example.com"]["groups"] == []
    members = dict((group["name"], [member["username"] for member in group["members"]])
                   for group in client.groups_with_members())
    assert members == {"Payments": ["ada@example.com"], "Platform": ["ada@example.com"]}


def test_the_read_back_listing_leaves_out_a_group_written_with_a_member_it_does_not_show():
    """A group shared with another organization may hold that one's users, whom this organization's listing never
    shows: that group is read back on its own (members_read_back), the others from the listing."""
    client, session, _sleeps = make_client(guide_server(([7], [9]), profile_groups=[]), dialect="guide")
    client.list_users(page_size=1)  # 2 users in pages of 1: a read-back listing is reckoned at 2 pages and the profile
    client.members_for_plan(client.list_groups(), client.list_groups())
    before = len(session.calls)
    # Payments written with ada and someone of another organization; Platform with bo (and so many ids that its
    # member pages, 3, make the listing the cheaper read-back).
    back = client.members_read_back({7: ["u1", "elsewhere-1"], 9: ["u2"] * 201})
    assert list(back) == [9] and [member["username"] for member in back[9]] == ["bo@example.com"]
    # (this server answers the whole list at once: one request, then the API user's profile)
    assert [call["url"].rsplit("/", 1)[-1] for call in session.calls[before:]] == ["users", "profile"]
