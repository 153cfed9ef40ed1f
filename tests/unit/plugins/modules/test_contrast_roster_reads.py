# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""contrast_roster reads a list's pages after the first `parallelism` at a time, on the threads (and so the
connections) of its writes: against the emulator over HTTP, the run stays within parallelism + 1 connections and
reads every page once; another module reads one page after the other on one connection."""

from __future__ import annotations

import pytest

pytest.importorskip("requests")

from ansible_collections.contrast_security.identity.plugins.modules import contrast_roster, contrast_user_info  # noqa: E402
from ansible_collections.contrast_security.identity.tests.unit.plugins.modules.test_reliability import (  # noqa: E402
    API_USER, control, reset, run, server)

__all__ = ["server"]  # the module-scoped emulator fixture, shared

ORG = {"users": [{"username": API_USER, "role": "ROLE_ADMIN", "api_only": True}]
       + [{"username": "user%03d@example.com" % index, "role": "ROLE_VIEW"} for index in range(449)],
       "groups": [{"name": "Payments", "members": ["user%03d@example.com" % index for index in range(250)]}]}


def list_reads(server):
    entries = control(server, "GET", "/requests")["requests"]
    return [entry for entry in entries if entry["method"] == "GET" and entry["path"].endswith("/users")
            and "/groups/" not in entry["path"]]


@pytest.mark.parametrize("parallelism", [1, 2, 4])
def test_the_roster_reads_its_pages_on_its_own_threads_within_parallelism_plus_one_connections(server, capsys, parallelism):
    reset(server, org=ORG)
    control(server, "DELETE", "/requests")
    entries = [{"username": "user%03d@example.com" % index, "groups": ["Payments"]} for index in range(240, 260)]
    entries.append({"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW",
                    "groups": ["Payments"]})
    result = run(contrast_roster, server, {"users": entries, "parallelism": parallelism, "page_size": 100}, capsys=capsys)
    assert result["changed"] and not result.get("failed") and result["summary"]["memberships_added"] == 11
    reads = list_reads(server)
    offsets = sorted(int(entry["query"]["offset"]) for entry in reads[:5])
    assert offsets == [0, 100, 200, 300, 400]  # the plan's listing: every page once
    connections = set(entry["connection_id"] for entry in control(server, "GET", "/requests")["requests"])
    assert len(connections) <= parallelism + 1
    if parallelism > 1:  # pages after the first read by the pool's threads, not the main thread's connection
        assert len(set(entry["connection_id"] for entry in reads[:5])) > 1


def test_another_module_reads_one_page_after_the_other_on_one_connection(server, capsys):
    reset(server, org=ORG)
    control(server, "DELETE", "/requests")
    result = run(contrast_user_info, server, {"page_size": 100}, capsys=capsys)
    assert result["count"] == 450
    reads = list_reads(server)
    assert len(reads) == 5 and len(set(entry["connection_id"] for entry in reads)) == 1


def test_teamserver_creates_are_found_at_the_rosters_own_page_size(server, capsys):
    # TeamServer's create answers without the user: the roster finds its creates in one pass over the list, which
    # pages as the roster asked (page_size), not at the client's default.
    reset(server, "teamserver", org=ORG)
    control(server, "DELETE", "/requests")
    entries = [{"username": "new%d@example.com" % index, "first_name": "N", "last_name": "U", "role": "ROLE_VIEW"}
               for index in range(12)]
    result = run(contrast_roster, server, {"users": entries, "page_size": 50, "parallelism": 2}, capsys=capsys)
    assert result["changed"] and all(change["user_id"] for change in result["changes"])
    limits = set(entry["query"].get("limit") for entry in list_reads(server) if "q" not in entry["query"])
    assert limits == {"50"}
