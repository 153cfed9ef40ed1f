# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roster's group writes read back from one listing of the users where that is fewer requests
(client.members_read_back, guards.MembersWrite), against the emulator over HTTP: each group is still read right
before its own write; the read-back still catches a writer that came in after the write."""

from __future__ import annotations

import pytest

pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.plugins.modules import contrast_roster  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.test_reliability import (  # noqa: E402
    API_USER, control, members_of, reset, run, server)

__all__ = ["server"]  # the module-scoped emulator fixture, shared

GROUPS = ("Alpha", "Beta", "Gamma")
OLD = ["ada@example.com", "grace@example.com", "kemi@example.com"]
ORG = {
    "users": [{"username": API_USER, "role": "ROLE_ADMIN", "api_only": True}]
    + [{"username": name, "first_name": "F", "last_name": "L", "role": "ROLE_VIEW"} for name in OLD],
    "groups": [{"name": name, "members": list(OLD)} for name in GROUPS],
}
NEW = {"username": "new@example.com", "first_name": "New", "last_name": "User", "role": "ROLE_VIEW", "groups": list(GROUPS)}


def requests_sent(server):
    return [(entry["method"], entry["path"].split("/api/ng/", 1)[-1]) for entry in control(server, "GET", "/requests")["requests"]]


def prepare(server, user_groups=True, unpaged_members=False, rules=()):
    reset(server, "guide", org=ORG, rules=rules)
    control(server, "POST", "/config", json={"user_groups": user_groups, "unpaged_members": unpaged_members})
    control(server, "DELETE", "/requests")


def after_last_write(sent):
    last = max(index for index, (method, _path) in enumerate(sent) if method != "GET")
    return sent[last + 1:]


def member_reads(sent):
    return [path for method, path in sent if method == "GET" and path.endswith("/users") and "/groups/" in path]


def test_three_groups_written_are_read_back_from_one_listing(server, capsys):
    # Pages of 5: each group's 4-5 members are one page, the 5 users one page: 1 listing page < 3 member reads.
    prepare(server)
    result = run(contrast_roster, server, {"users": [NEW], "page_size": 5}, capsys=capsys)
    assert result["changed"] and result["summary"]["memberships_added"] == 3 and not result.get("failed")
    sent = requests_sent(server)
    assert len(member_reads(sent)) == 3  # the read right before each write, one per group
    tail = after_last_write(sent)
    assert member_reads(tail) == [] and [method for method, _path in tail] == ["GET"]  # one listing page, no member read
    assert tail[0][1].endswith("/users")
    for name in GROUPS:
        assert members_of(server, name) == sorted(OLD + ["new@example.com"])
    assert "conflicts" not in str(result["changes"])


def test_a_writer_after_the_write_is_seen_in_the_listing_and_the_change_applied_again(server, capsys):
    # Right after this run's write to Alpha, a stale writer puts Alpha back without the new user.
    rule = {"kind": "second_writer", "method": "PUT", "path": "/groups/1/users$", "count": 1,
            "writer": {"group": "Alpha", "remove": ["new@example.com"]}}
    prepare(server, rules=[rule])
    result = run(contrast_roster, server, {"users": [NEW], "page_size": 5}, capsys=capsys)
    assert result["changed"] and not result.get("failed")
    assert "Another writer changed group 'Alpha'" in str(result["warnings"])
    for name in GROUPS:
        assert members_of(server, name) == sorted(OLD + ["new@example.com"])
    # Alpha alone went on: read again, written again, read back on its own.
    sent = requests_sent(server)
    assert [path.split("/", 1)[1] for method, path in sent if method == "PUT"] == ["groups/%d/users" % n for n in (1, 2, 3, 1)] \
        or sorted(path.split("/", 1)[1] for method, path in sent if method == "PUT") == sorted(["groups/1/users"] * 2 + [
            "groups/2/users", "groups/3/users"])
    assert [path.split("/", 1)[1] for path in member_reads(after_last_write(sent))] == ["groups/1/users"]


@pytest.mark.parametrize("setting", ["users without groups", "members unpaged", "pages larger than the members"])
def test_each_group_is_read_back_on_its_own_where_a_listing_does_not_help(server, capsys, setting):
    prepare(server, user_groups=setting != "users without groups", unpaged_members=setting == "members unpaged")
    # Users in pages of 2: a listing of 3 pages, against one member read per group (3; members in pages of 100).
    page_size = 100 if setting == "pages larger than the members" else 2
    if setting == "pages larger than the members":
        entry = dict(NEW, groups=["Alpha"])  # one group of 4: one member read, as cheap as the one listing page
    else:
        entry = NEW
    result = run(contrast_roster, server, {"users": [entry], "page_size": page_size}, capsys=capsys)
    assert result["changed"] and not result.get("failed")
    sent = requests_sent(server)
    since_first_write = sent[[method for method, _path in sent].index("PUT"):]
    # No listing after the writes: each group's own read back (after its own write, so after the first write).
    assert [path for method, path in since_first_write if method == "GET" and "/groups/" not in path] == []
    assert len(set(member_reads(since_first_write))) == len(entry["groups"])
    assert all(members_of(server, name) == sorted(OLD + ["new@example.com"]) for name in entry["groups"])
