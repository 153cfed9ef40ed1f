# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Lists read completely however a server pages them, and the TeamServer calls built from the reference's shapes."""

from __future__ import annotations

import pytest

requests = pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.plugins.module_utils import client as C  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.module_utils.test_client import (  # noqa: E402
    make_client,
    ok,
)

emu = load_emulator()


def person(index):
    return {"user_id": "u%05d" % index, "username": "user%05d@example.com" % index, "role": "ROLE_VIEW", "enabled": True,
            "date_created": 1}


def server_of(people, page_cap=None, count=lambda total, call: total, ignore_offset=False, unpaged=False, key="users",
              before=None):
    """A scripted list endpoint: `count(total, call number)` is what it reports (None: no count)."""
    calls = []

    def answer(method, url, params, body):
        calls.append(params)
        if before:
            before(len(calls), people)
        offset = 0 if ignore_offset or "offset" not in params else int(params["offset"])
        limit = int(params.get("limit", len(people)))
        if page_cap:
            limit = min(limit, page_cap)
        payload = {key: list(people) if unpaged else people[offset:offset + limit]}
        reported = count(len(people), len(calls))
        if reported is not None:
            payload["count"] = reported
        return ok(payload)
    return answer


def test_count_is_honoured_across_capped_pages():
    client, session = make_client(server_of([person(i) for i in range(130)], page_cap=50))[:2]
    assert len(client.list_users(page_size=100)) == 130
    assert [call["params"]["offset"] for call in session.calls] == [0, 50, 100]


def test_a_short_page_with_no_count_is_confirmed_by_one_more_read():
    client, session = make_client(server_of([person(i) for i in range(30)], count=lambda total, call: None))[:2]
    assert len(client.list_users(page_size=100)) == 30
    assert len(session.calls) == 2  # the empty page at offset 30 says it was all


def test_a_capped_page_with_no_count_is_not_taken_for_the_whole_list():
    client, session = make_client(server_of([person(i) for i in range(130)], page_cap=50, count=lambda total, call: None))[:2]
    assert len(client.list_users(page_size=100)) == 130
    assert len(session.calls) == 4


def test_an_unpaged_list_without_count_is_the_whole_list():
    """A server that ignores offset/limit and answers everything, with no count: the same page again means "all"."""
    client, session = make_client(server_of([person(i) for i in range(30)], unpaged=True, count=lambda t, c: None))[:2]
    assert len(client.list_users(page_size=100)) == 30
    assert len(session.calls) == 2
    longer = make_client(server_of([person(i) for i in range(150)], unpaged=True, count=lambda t, c: None))
    assert len(longer[0].list_users(page_size=100)) == 150  # longer than asked: it does not page
    assert len(longer[1].calls) == 1


def test_an_unpaged_list_whose_first_answer_differed_starts_over_instead_of_paging_forever():
    """No count, whole list every time, but the first answer was not the same as the next ones (a user joined, or a
    proxy garbled it): the later answers repeat each other, not the first. Paging on would never end; the read
    starts over and then sees the same whole list twice."""
    people = [person(i) for i in range(30)]

    def join_after_first(call, listed):
        if call == 2:
            listed.append(person(999))
    client, session = make_client(server_of(people, unpaged=True, count=lambda t, c: None, before=join_after_first))[:2]
    users = client.list_users(page_size=100)
    assert len(users) == 31 and len({user["user_id"] for user in users}) == 31
    assert len(session.calls) == 5  # 30, 31, 31 (repeat: start over), 31, 31 (the first page again: that was all)


def test_an_unpaged_list_with_its_count_is_read_once():
    client, session = make_client(server_of([person(i) for i in range(30)], unpaged=True))[:2]
    assert len(client.list_users(page_size=10)) == 30
    assert len(session.calls) == 1


def test_the_same_page_for_every_offset_while_count_says_more_fails_clearly():
    client, session = make_client(server_of([person(i) for i in range(300)], page_cap=100, ignore_offset=True))[:2]
    with pytest.raises(C.ContrastApiError, match="ignores offset"):
        client.list_users(page_size=100)
    assert len(session.calls) == 2


def test_a_count_that_changes_between_pages_starts_the_read_over_once():
    people = [person(i) for i in range(250)]

    def add_one(call, listed):
        if call == 2:  # someone joins between the first and the second page
            listed.insert(0, person(999))
    client, session = make_client(server_of(people, before=add_one))[:2]
    users = client.list_users(page_size=100)
    assert len(users) == 251 and len({user["user_id"] for user in users}) == 251
    assert [call["params"]["offset"] for call in session.calls] == [0, 100, 0, 100, 200]


def test_a_count_that_keeps_disagreeing_fails_rather_than_return_a_shorter_list():
    client, session = make_client(server_of([person(i) for i in range(150)], count=lambda total, call: total + 3))[:2]
    with pytest.raises(C.ContrastApiError, match="changed while it was read.*again"):
        client.list_users(page_size=100)
    assert len(session.calls) == 6  # two passes of three reads (the third page is empty)
    moving = make_client(server_of([person(i) for i in range(150)], count=lambda total, call: total + call))[0]
    with pytest.raises(C.ContrastApiError, match="count went from"):
        moving.list_users(page_size=100)


# ---------------------------------------------------------------- the pages after the first, read at once
def offsets_read(session):
    return sorted(call["params"]["offset"] for call in session.calls)


def test_the_pages_after_the_first_are_read_at_once_each_once_and_kept_in_order():
    people = [person(i) for i in range(1000)]
    client, session = make_client(server_of(people), read_parallelism=4)[:2]
    users = client.list_users(page_size=100)
    assert [user["user_id"] for user in users] == [p["user_id"] for p in people]
    assert offsets_read(session) == list(range(0, 1000, 100))
    assert client.read_pool is not None  # they were read by the pool, not one after the other


def test_pages_capped_below_the_size_asked_are_read_at_once_by_the_servers_own_step():
    people = [person(i) for i in range(250)]
    client, session = make_client(server_of(people, page_cap=30), read_parallelism=4)[:2]
    assert [user["user_id"] for user in client.list_users(page_size=100)] == [p["user_id"] for p in people]
    assert offsets_read(session) == list(range(0, 250, 30))


def test_a_count_that_moves_while_the_pages_are_read_at_once_starts_the_read_over():
    people = [person(i) for i in range(250)]

    def add_one(call, listed):
        if call == 2:  # someone joins right after the first page: the pages read at once say 251
            listed.insert(0, person(999))
    client, session = make_client(server_of(people, before=add_one), read_parallelism=4)[:2]
    users = client.list_users(page_size=100)
    assert len(users) == 251 and len({user["user_id"] for user in users}) == 251
    # Both passes read from the first page; the first pass's wave stops at the page whose count moved (a page of it
    # not yet sent is not sent), the second is whole.
    offsets = offsets_read(session)
    assert offsets.count(0) == 2 and offsets.count(100) == 2 and offsets.count(200) in (1, 2)


def test_a_server_that_ignores_offset_costs_one_wave_then_fails_clearly():
    client, session = make_client(server_of([person(i) for i in range(1000)], page_cap=100, ignore_offset=True),
                                  read_parallelism=4)[:2]
    with pytest.raises(C.ContrastApiError, match="ignores offset"):
        client.list_users(page_size=100)
    # The first page, at most one wave of 4 (the first page again: the wave stops there), then the next page one at
    # a time, which repeats the first: not 1,000 / 100 pages of the same answer.
    assert 3 <= len(session.calls) <= 6


def test_a_count_the_pages_do_not_bear_out_is_read_one_page_at_a_time_and_fails_as_before():
    client, session = make_client(server_of([person(i) for i in range(150)], count=lambda total, call: total + 3),
                                  read_parallelism=4)[:2]
    with pytest.raises(C.ContrastApiError, match="changed while it was read.*again"):
        client.list_users(page_size=100)
    # Each pass: the first page, the second read at once (50 where 53 were promised), then one at a time from the
    # second page: 100 (again), 150 (empty).
    assert len(session.calls) == 8


def test_a_read_made_by_another_thread_is_read_one_page_at_a_time():
    """A write's read right before it runs on one of the roster's pool threads: had it handed its pages to the same
    pool, the pool's threads could all wait on each other (the onboard role hung so)."""
    import threading
    client, session = make_client(server_of([person(i) for i in range(1000)]), read_parallelism=4)[:2]
    found = []
    reader = threading.Thread(target=lambda: found.append(len(client.list_users(page_size=100))))
    reader.start()
    reader.join(30)
    assert found == [1000] and client.read_pool is None  # no pool made: every page read by that thread itself
    assert [call["params"]["offset"] for call in session.calls] == list(range(0, 1000, 100))


def test_a_look_up_by_login_is_never_read_at_once():
    client, session = make_client(server_of([person(i) for i in range(1000)]), read_parallelism=4)[:2]
    assert client.find_user("user00150@example.com", page_size=100)["user_id"] == "u00150"
    assert [call["params"]["offset"] for call in session.calls] == [0, 100]


def grows_on_every_page(call, listed):
    """This run's own parallel creates: one more user (listed last) before every page."""
    listed.append(person(5000 + call))


def test_a_look_up_finds_its_user_while_parallel_creates_move_the_count():
    """An uncertain create is followed by a look-up by login; the roster's other creates keep adding users, so
    the count moves between every two pages. The user found is proof enough: no 'the list changed' failure."""
    people = [person(i) for i in range(250)]
    client, session = make_client(server_of(people, before=grows_on_every_page))[:2]
    found = client.find_user("user00240@example.com", page_size=100)
    assert found is not None and found["user_id"] == "u00240"
    assert [call["params"]["offset"] for call in session.calls] == [0, 100, 200]


def test_a_look_up_that_misses_while_the_count_moves_reads_over_with_a_pause_then_fails():
    """Absence is only believed from a read the count did not move under: otherwise read over (pausing), and
    after the last pass fail rather than answer 'no such user' (which would make a create send a second POST)."""
    people = [person(i) for i in range(250)]
    client, session, sleeps = make_client(server_of(people, before=grows_on_every_page))
    with pytest.raises(C.ContrastApiError, match="changed while it was read"):
        client.find_user("nobody@example.com", page_size=100)
    assert len(sleeps) == client.retries  # passes 3.. each after a back-off pause
    assert [call["params"]["offset"] for call in session.calls].count(0) == client.retries + 2


def test_a_look_up_that_misses_reads_over_until_the_list_holds_still():
    people = [person(i) for i in range(150)]

    def grows_twice(call, listed):
        if call in (2, 4):  # before the second page of the first two passes
            listed.append(person(5000 + call))
    client, session, sleeps = make_client(server_of(people, before=grows_twice))
    assert client.find_user("nobody@example.com", page_size=100) is None
    assert [call["params"]["offset"] for call in session.calls] == [0, 100, 0, 100, 0, 100]
    assert len(sleeps) == 1


def test_teamserver_group_sections_are_each_paged_by_their_count():
    custom = [{"group_id": i, "name": "Custom %02d" % i, "access_level": "ORGANIZATION", "readonly": False} for i in range(1, 61)]
    predefined = [{"group_id": 100 + i, "name": "Pre %d" % i, "readonly": True} for i in range(3)]

    def answer(method, url, params, body):
        offset, limit = int(params["offset"]), min(int(params["limit"]), 50)
        return ok({"custom_groups": {"count": 60, "groups": custom[offset:offset + limit]},
                   "predefined_groups": {"count": 3, "groups": predefined[offset:offset + limit]}})
    client, session = make_client(answer, dialect="teamserver")[:2]
    groups = client.list_groups(page_size=100)
    assert len(groups) == 63 and groups[54]["name"] == "Custom 55"
    assert [call["params"]["offset"] for call in session.calls] == [0, 50]


# ------------------------------------------------------------------ against the emulator (teamserver, strict)
SCOPE = {"account_scope": {"exceptions": [{"organization_uuid": "11111111-2222-3333-4444-555555555555", "role": "VIEW"}]},
         "app_scope": {"exceptions": [{"app_id": "a1", "role": "ADMIN"}, {"app_id": "a2", "role": "RULES_ADMIN"},
                                      {"app_id": "a3", "role": "ADMIN"}], "onboard_role": "VIEW", "role": "EDIT"}}
SEED = {
    "users": [{"username": "alice@example.com", "role": "ROLE_ADMIN"}, {"username": "bob@example.com", "role": "ROLE_EDIT"},
              {"username": "carol@example.com", "role": "ROLE_VIEW", "protect_enabled": True, "api_only": True}],
    "groups": [{"name": "Apps", "members": ["alice@example.com"], "group_id": 7, "scope": SCOPE},
               {"name": "Admins", "members": ["alice@example.com"], "group_id": 1, "predefined": True, "scope": SCOPE}],
    "other_org_users": ["olga@example.com"],
}


@pytest.fixture(scope="module")
def server():
    with emu.EmulatorServer(port=0, dialect="teamserver") as instance:
        yield instance


def _setup(server, **switches):
    requests.post(server.control_url + "/reset", json=SEED, timeout=10).raise_for_status()
    config = dict({"omitted_booleans_false": True}, **switches)
    requests.post(server.control_url + "/config", json=config, timeout=10).raise_for_status()
    return C.ContrastClient(server.contrast_url, emu.DEFAULT_API_USERNAME, emu.DEFAULT_SERVICE_KEY, emu.DEFAULT_API_KEY,
                            emu.DEFAULT_ORG_UUID, dialect="teamserver", retries=0)


def _log(server):
    return requests.get(server.control_url + "/requests", timeout=10).json()["requests"]


def _state_user(server, username):
    return [user for user in requests.get(server.control_url + "/state", timeout=10).json()["users"]
            if user["username"] == username][0]


def test_create_then_find_by_login_with_q(server):
    client = _setup(server)
    user = client.create_user({"username": "dan@example.com", "first_name": "Dan", "last_name": "E", "role": "ROLE_EDIT"})
    assert (user["username"], user["role"], user["enabled"], user["api_only"]) == ("dan@example.com", "ROLE_EDIT", True, False)
    log = _log(server)
    post = [entry for entry in log if entry["method"] == "POST"][0]
    # NewUserRequest states every flag: a server reading an omitted boolean as false cannot disable the new user
    assert (post["body"]["enabled"], post["body"]["api_only"], post["body"]["protect"]) == (True, False, False)
    find = log[-1]
    assert find["method"] == "GET" and find["query"]["q"] == "dan@example.com" and find["path"].endswith("/users")
    assert _state_user(server, "dan@example.com")["enabled"] is True


def test_existing_user_of_another_org_is_added_not_created(server):
    client = _setup(server)
    user = client.create_user({"username": "olga@example.com", "first_name": "O", "last_name": "G", "role": "ROLE_VIEW"})
    assert user["username"] == "olga@example.com" and client.added_existing == {"olga@example.com"}
    existing = [entry for entry in _log(server) if entry["path"].endswith("/users/existing")]
    assert [entry["body"] for entry in existing] == [{"username": "olga@example.com", "role": 2, "enabled": True,
                                                      "api_only": False, "protect": False}]
    assert _state_user(server, "olga@example.com")["pending"] is False  # no invitation


def test_complete_edit_keeps_what_it_does_not_change(server):
    client = _setup(server)
    carol = client.find_user("carol@example.com")
    updated = client.update_user(carol["user_id"], {"role": "ROLE_EDIT"})
    assert updated["role"] == "ROLE_EDIT" and updated["protect_enabled"] is True
    state = _state_user(server, "carol@example.com")
    # the server reads omitted booleans as false (strict switch): nothing else moved
    assert (state["role"], state["enabled"], state["api_only"], state["protect_enabled"]) == ("ROLE_EDIT", True, True, True)
    put = [entry for entry in _log(server) if entry["method"] == "PUT"][0]
    assert put["body"]["role_name"] == "Edit" and put["body"]["groups"] == []


def test_members_are_matched_by_uid_and_named_from_one_user_pass(server):
    for switches in ({}, {"user_uid_as_login": True}):
        client = _setup(server, **switches)
        alice = client.find_user("alice@example.com")
        members = client.list_group_members(7)
        assert members == [{"user_id": alice["user_id"], "username": "alice@example.com"}]
        bob = client.find_user("bob@example.com")
        client.set_group_members(7, [alice["user_id"], bob["user_id"]])
        assert [m["username"] for m in client.list_group_members(7)] == ["alice@example.com", "bob@example.com"]
        put = [entry for entry in _log(server) if entry["method"] == "PUT"][-1]
        assert put["body"]["users"] == [alice["user_id"], bob["user_id"]]  # uids only, never the UUID ids


def test_group_scope_round_trips_through_the_documented_read(server):
    client = _setup(server)
    alice = client.find_user("alice@example.com")
    # a predefined group: its name and scope are sent exactly as read (the server refuses any change)
    client.set_group_members(1, [alice["user_id"]])
    client.set_group_members(7, [])
    groups = dict((group["group_id"], group) for group in requests.get(server.control_url + "/state", timeout=10).json()["groups"])
    for group_id in (1, 7):
        stored = groups[group_id]["scope"]
        assert stored["app_scope"]["role"] == "EDIT" and sorted(e["app_id"] for e in stored["app_scope"]["exceptions"]) == [
            "a1", "a2", "a3"]
        assert stored["account_scope"] == SCOPE["account_scope"]


def test_a_scope_that_cannot_be_rebuilt_writes_nothing():
    group = {"group_id": 9, "name": "Odd", "applications": [{"role": {"name": "ADMIN"}, "applications": [{"name": "x"}]}]}
    client, session = make_client([ok({"group": group})], dialect="teamserver")[:2]
    with pytest.raises(C.ContrastApiError, match="cannot be rebuilt.*Nothing was written|Nothing was written"):
        client.set_group_members(9, ["u1"])
    assert [call["method"] for call in session.calls] == ["GET"]


def test_an_unknown_role_fails_before_any_write_naming_the_servers_roles(server):
    client = _setup(server)
    with pytest.raises(C.ContrastApiError, match="Its roles are: No Access .ROLE_NO_ACCESS., View"):
        client.create_user({"username": "zed@example.com", "first_name": "Z", "last_name": "E", "role": "ROLE_SUPERVISOR"})
    assert [entry["method"] for entry in _log(server)] == ["GET"]


def test_profile_is_read_with_the_expand_it_lists(server):
    client = _setup(server)
    profile = client.get_profile()
    assert profile["username"] == emu.DEFAULT_API_USERNAME and profile["date_created"] is not None
    assert _log(server)[-1]["query"] == {"expand": "email,login,signup"}


def test_find_users_after_creates_reads_the_list_once_when_that_is_cheaper(server):
    client = _setup(server)
    client.list_users()
    for index in range(4):
        client.create_user({"username": "new%d@example.com" % index, "first_name": "N", "last_name": "U",
                            "role": "ROLE_VIEW"}, find=False)
    requests.delete(server.control_url + "/requests", timeout=10)
    found = client.find_users(["new%d@example.com" % index for index in range(4)])
    assert all(found[name]["username"] == name for name in found) and len(found) == 4
    assert len(_log(server)) == 1  # one listing page rather than four searches


def test_roster_finds_the_created_users_in_one_go(server):
    """TeamServer's create answers carry no user: the roster finds them all at once, those a group write needs and
    the others (every user that exists after the run is reported with its id)."""
    from ansible_collections.contrast_security.identity.plugins.module_utils import roster as R

    client = _setup(server)
    users, groups = client.list_users(), client.list_groups()
    entries = [{"username": "new%d@example.com" % index, "first_name": "N", "last_name": str(index), "role": "ROLE_VIEW",
                "groups": ["Apps"] if index < 3 else []} for index in range(5)]
    options = {"unlisted": "ignore", "protected": [], "max_unlisted_changes": 10, "allow_empty": False,
               "group_membership": "add"}
    members = {7: client.list_group_members(7)}
    the_plan = R.plan(entries, options, users, groups, members, api_username=client.username)
    requests.delete(server.control_url + "/requests", timeout=10)
    assert R.apply(client, the_plan, 2) == []
    log = _log(server)
    # (The group write's own member reads, right before and after it, are not user finds.)
    finds = [entry for entry in log if entry["method"] == "GET" and entry["path"].endswith("/users") and "/groups/" not in entry["path"]]
    assert len(finds) == 1 and "q" not in finds[0]["query"]  # one page of the list rather than three searches
    state = requests.get(server.control_url + "/state", timeout=10).json()
    apps = [group for group in state["groups"] if group["group_id"] == 7][0]
    assert sorted(apps["member_usernames"]) == ["alice@example.com", "new0@example.com", "new1@example.com",
                                                "new2@example.com"]
    created = dict((change["username"], change["user_id"]) for change in the_plan["users"])
    held = dict((user["username"], user["user_id"]) for user in state["users"])
    assert created == dict((name, held[name]) for name in created)  # in no group (new3, new4) or not: never null


def test_the_api_user_as_a_member_is_named_from_the_profile_not_one_read_each():
    """A member that the user listing does not show (the API user, on some servers) is named by the profile."""
    member = {"id": "00000000-0000-0000-0000-0000000000a1", "uid": "api-uid", "first_name": "API", "last_name": "User"}
    listed = {"id": "00000000-0000-0000-0000-000000000001", "uid": "u1", "first_name": "Ann", "last_name": "B"}
    answers = [
        ok({"group": {"users": [listed, member]}}),
        ok({"users": [{"user_uid": "u1", "id": listed["id"], "email": "ann@example.com"}], "count": 1}),
        ok({"user": {"user_uid": "api-uid", "id": member["id"], "email": "api@example.com"}}),
    ]
    client, session = make_client(answers, dialect="teamserver")[:2]
    members = client.list_group_members(7)
    assert members == [{"user_id": "u1", "username": "ann@example.com"}, {"user_id": "api-uid", "username": "api@example.com"}]
    assert [call["url"].rsplit("/api", 1)[1] for call in session.calls] == [
        "/ng/%s/groups/7/users" % "org-uuid-1", "/ng/org-uuid-1/users", "/ng/profile"]


def test_the_same_full_page_for_two_offsets_without_count_is_told_apart_by_one_larger_read():
    # a server that does not page at all, whose list happens to be exactly one page long: the whole list
    exact = make_client(server_of([person(i) for i in range(2)], unpaged=True, count=lambda t, c: None))
    assert len(exact[0].list_users(page_size=2)) == 2
    assert [call["params"]["limit"] for call in exact[1].calls] == [2, 2, 3]
    # a server that honours limit but ignores offset: more is there, it cannot be read completely
    capped = make_client(server_of([person(i) for i in range(5)], ignore_offset=True, count=lambda t, c: None))
    with pytest.raises(C.ContrastApiError, match="ignores offset"):
        capped[0].list_users(page_size=2)
