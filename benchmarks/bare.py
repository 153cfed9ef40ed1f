# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baselines the benchmarks compare with: the same API calls with bare `requests`, nothing else.

No retries, no validation, no canonical form, no Ansible: the floor a collection module can approach.
Written from the API guide (guide dialect): GET /api/ng/{org}/users?offset&limit pages with `users` and
`count`; POST /api/ng/{org}/users creates one user.

    python benchmarks/bare.py list URL            # every user, one page after the other
    python benchmarks/bare.py create URL FILE     # the user pages, then one POST per entry of FILE (JSON list)

URL is the base URL with its context path (http://127.0.0.1:PORT/Contrast); the credentials come from the
CONTRAST_* environment variables. Prints the number of requests sent.
"""

from __future__ import annotations

import base64
import json
import os
import sys

import requests


def session_for(env=None):
    env = os.environ if env is None else env
    session = requests.Session()
    token = base64.b64encode(("%s:%s" % (env["CONTRAST_USERNAME"], env["CONTRAST_SERVICE_KEY"])).encode()).decode()
    session.headers.update({"Authorization": token, "API-Key": env["CONTRAST_API_KEY"], "Accept": "application/json",
                            "Content-Type": "application/json"})
    return session


def list_users(session, url, org, page_size=100):
    """Every user (raw JSON objects); returns (users, requests sent)."""
    users, offset, sent = [], 0, 0
    while True:
        answer = session.get("%s/api/ng/%s/users" % (url, org), params={"offset": offset, "limit": page_size})
        sent += 1
        answer.raise_for_status()
        data = answer.json()
        page = data.get("users") or []
        users.extend(page)
        offset += len(page)
        if not page or offset >= data.get("count", 0):
            return users, sent


def create_users(session, url, org, entries):
    """The user pages (as a tool that checks before it creates would read them), then one POST per entry."""
    _users, sent = list_users(session, url, org)
    for entry in entries:
        body = {"username": entry["username"], "email": entry["username"], "first_name": entry["first_name"],
                "last_name": entry["last_name"], "role": entry["role"]}
        session.post("%s/api/ng/%s/users" % (url, org), data=json.dumps(body)).raise_for_status()
        sent += 1
    return sent


def main(argv):
    org = os.environ["CONTRAST_ORG_UUID"]
    session = session_for()
    if argv[1] == "list":
        print(list_users(session, argv[2], org)[1])
    elif argv[1] == "create":
        with open(argv[3], encoding="utf-8") as handle:
            print(create_users(session, argv[2], org, json.load(handle)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
