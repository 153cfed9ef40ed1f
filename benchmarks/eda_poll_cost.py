# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What one poll of the contrast_users event source costs: requests and seconds, per organization size and dialect.

    make venv collection && .venv/bin/python benchmarks/eda_poll_cost.py [--sizes 1000 10000] [--groups 20]

For each size and dialect: the emulator generates the organization (``--groups`` access groups), the source's
watcher (the collection's client, page size 100) takes its baseline, then one steady-state poll is measured from
the emulator's request log, with and without group watching. The expected count is printed beside it:
ceil(users / 100) user pages, plus, when groups are watched, the guide's paged group list and each group's member
pages, or in TeamServer (whose users carry their groups with expand=groups) the group list and the API user's
profile (its own groups: it is not listed in the generated organization).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".tmp"))  # the collection copy (`make collection`)
EMULATOR = os.path.join(ROOT, "tests", "emulator", "contrast_emulator.py")
CREDENTIALS = ("api.admin@example.com", "TEST-SERVICE-KEY-5f3a9c", "TEST-API-KEY-7d2b4e", "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d")
PAGE_SIZE = 100


def control(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + "/_emulator" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:  # nosec: loopback emulator
        text = answer.read().decode()
    return json.loads(text) if text else {}


def expected_requests(state, dialect, watch_groups):
    users = state["count"]
    count = math.ceil(users / PAGE_SIZE)
    if watch_groups:
        groups = state["groups"]
        if dialect == "teamserver":
            count += 1 + 1
        else:
            count += max(math.ceil(len(groups) / PAGE_SIZE), 1)
            count += sum(max(math.ceil(len(group["members"]) / PAGE_SIZE), 1) for group in groups)
    return count


def measure(base, dialect, size, groups, watch_groups):
    # pylint: disable=import-outside-toplevel
    from ansible_collections.contrast_security.identity.plugins.module_utils.events import OrganizationWatcher, PollingClient

    control(base, "POST", "/reset", {"generate": {"users": size, "groups": groups, "seed": 1}, "dialect": dialect})
    client = PollingClient(base + "/Contrast", *CREDENTIALS, dialect="auto")
    watcher = OrganizationWatcher(client, watch_groups=watch_groups, page_size=PAGE_SIZE)
    watcher.poll()  # the baseline (and the dialect settled)
    control(base, "DELETE", "/requests")
    started = time.monotonic()
    events = watcher.poll()
    seconds = time.monotonic() - started
    log = control(base, "GET", "/requests")
    state = control(base, "GET", "/state")
    if events:
        sys.exit("an unchanged organization gave events: %r" % events[:3])
    return {"dialect": dialect, "users": size, "groups": len(state["groups"]) if watch_groups else 0,
            "requests": log["counters"]["total"], "expected": expected_requests(state, dialect, watch_groups),
            "seconds": round(seconds, 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--groups", type=int, default=20)
    args = parser.parse_args()
    emulator = subprocess.Popen([sys.executable, EMULATOR, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        base = emulator.stdout.readline().strip().split()[-1]
        rows = []
        for size in args.sizes:
            for dialect in ("guide", "teamserver"):
                for watch_groups in (True, False):
                    rows.append(measure(base, dialect, size, args.groups, watch_groups))
        print("%-10s %7s %7s %9s %9s %8s" % ("dialect", "users", "groups", "requests", "expected", "seconds"))
        for row in rows:
            values = (row["dialect"], row["users"], row["groups"], row["requests"], row["expected"], row["seconds"])
            print("%-10s %7d %7d %9d %9d %8.2f" % values)
        for row in rows:
            if row["requests"] != row["expected"]:
                sys.exit("a poll cost more requests than the minimum: %r" % row)
        largest = max(args.sizes)
        guide = next(row for row in rows if row["users"] == largest and row["dialect"] == "guide" and row["groups"])
        print("requests per poll at %d users: %d (guide, %d groups watched); %.1f users per request"
              % (largest, guide["requests"], guide["groups"], largest / guide["requests"]))
    finally:
        emulator.terminate()
        emulator.wait(10)


if __name__ == "__main__":
    main()
