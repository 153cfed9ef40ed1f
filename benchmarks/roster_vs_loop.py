# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Measure contrast_roster against a loop of contrast_user tasks, side by side, against the emulator.

    make venv collection && .venv/bin/python benchmarks/roster_vs_loop.py [--users 200] [--org-size 2000]

For each approach: the same organization (``--org-size`` generated users), the same roster (``--users``
entries: a tenth of them new, a tenth with a changed role, the rest as they are), wall time and the
emulator's request counts (reads, writes, connections). Then both again, as the second (no-op) run.
Also: contrast_user_info over the whole org at page sizes 25 and 100.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR = os.path.join(ROOT, "tests", "emulator", "contrast_emulator.py")
CREDENTIALS = {
    "CONTRAST_USERNAME": "api.admin@example.com",
    "CONTRAST_SERVICE_KEY": "TEST-SERVICE-KEY-5f3a9c",
    "CONTRAST_API_KEY": "TEST-API-KEY-7d2b4e",
    "CONTRAST_ORG_UUID": "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d",
}


def control(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + "/_emulator" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        text = answer.read().decode()
    return json.loads(text) if text else {}


def playbook(tasks):
    return [{"name": "benchmark", "hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": tasks}]


def run_playbook(base, plays, env):
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump(plays, handle)
        path = handle.name
    control(base, "DELETE", "/requests")
    started = time.monotonic()
    proc = subprocess.run(["ansible-playbook", path], env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    os.unlink(path)
    if proc.returncode != 0:
        sys.exit("playbook failed:\n%s\n%s" % (proc.stdout[-3000:], proc.stderr[-3000:]))
    log = control(base, "GET", "/requests")
    requests = log["requests"]
    return {
        "seconds": round(elapsed, 1),
        "requests": len(requests),
        "reads": sum(1 for entry in requests if entry["method"] == "GET"),
        "writes": sum(1 for entry in requests if entry["method"] != "GET"),
        "connections": len(set(entry["connection_id"] for entry in requests)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="roster size (the loop runs one task per entry)")
    parser.add_argument("--org-size", type=int, default=2000, help="users in the organization")
    args = parser.parse_args()

    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".tmp"), ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, **CREDENTIALS)
    emulator = subprocess.Popen([sys.executable, EMULATOR, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        base = emulator.stdout.readline().split()[-1]
        env["CONTRAST_URL"] = base + "/Contrast"
        seed = {"generate": {"users": args.org_size, "groups": 10, "seed": 7}}
        control(base, "POST", "/reset", seed)
        existing = [user for user in control(base, "GET", "/state")["users"] if user["enabled"]][: args.users]
        roster = []
        for index, user in enumerate(existing):
            entry = {"username": user["username"], "first_name": user["first_name"], "last_name": user["last_name"],
                     "role": user["role"]}
            if index % 10 == 1:
                entry["role"] = "ROLE_VIEW" if user["role"] != "ROLE_VIEW" else "ROLE_EDIT"
            if index % 10 == 2:
                entry = {"username": "new%05d@bench.example.com" % index, "first_name": "New", "last_name": str(index),
                         "role": "ROLE_VIEW"}
            roster.append(entry)

        results = {}
        loop = playbook([{"name": "one user", "contrast_security.identity.contrast_user": "{{ item }}",
                          "loop": roster, "loop_control": {"label": "{{ item.username }}"}}])
        loop[0]["tasks"][0]["contrast_security.identity.contrast_user"] = {
            "username": "{{ item.username }}", "first_name": "{{ item.first_name }}",
            "last_name": "{{ item.last_name }}", "role": "{{ item.role }}"}
        one_task = playbook([{"name": "roster", "contrast_security.identity.contrast_roster": {"users": roster}}])

        control(base, "POST", "/reset", seed)
        results["loop of contrast_user, first run"] = run_playbook(base, loop, env)
        results["loop of contrast_user, second run"] = run_playbook(base, loop, env)
        control(base, "POST", "/reset", seed)
        results["contrast_roster, first run"] = run_playbook(base, one_task, env)
        results["contrast_roster, second run"] = run_playbook(base, one_task, env)
        for page_size, limit in ((25, 25), (100, 100), (100, 25)):
            control(base, "POST", "/config", {"max_page_size": limit})
            info = playbook([{"name": "all users", "contrast_security.identity.contrast_user_info": {"page_size": page_size}}])
            results["contrast_user_info, page_size %d, server max %d" % (page_size, limit)] = run_playbook(base, info, env)
    finally:
        emulator.terminate()
        emulator.wait()

    print("organization: %d users; roster: %d entries (10%% new, 10%% role changes)\n" % (args.org_size, args.users))
    print("%-48s %8s %9s %7s %7s %6s" % ("approach", "seconds", "requests", "reads", "writes", "conns"))
    for name, row in results.items():
        print("%-48s %8s %9d %7d %7d %6d" % (name, row["seconds"], row["requests"], row["reads"], row["writes"], row["connections"]))


if __name__ == "__main__":
    main()
