# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Event-Driven Ansible source: poll a Contrast organization and emit one event per user change."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

DOCUMENTATION = r"""
---
name: contrast_users
short_description: Watch a Contrast organization's users and emit one event per change
description:
  - Polls the organization's users (and the members of its access groups) every O(interval) seconds
    through the collection's API client (authentication, retries with backoff, paging, both API dialects).
  - The first poll is the baseline (one C(snapshot) event unless O(snapshot=false)); each later poll is
    compared with the previous one and emits C(user_created), C(user_deleted), C(user_enabled),
    C(user_disabled), C(role_changed), C(groups_changed), C(invitation_accepted), C(first_login).
  - After O(failures_before_event) failed polls in a row it emits one C(poll_failed) with the reason
    (keys redacted); a failed poll never changes the baseline, so it never reports users as deleted.
  - Connection options are those of the modules, with the same C(CONTRAST_*) environment variables.
options:
  contrast_url:
    description: Base URL with the context path. Env C(CONTRAST_URL).
    type: str
    default: https://app.contrastsecurity.com/Contrast
  contrast_username:
    description: Login of the API user. Env C(CONTRAST_USERNAME).
    type: str
    required: true
  contrast_service_key:
    description: Service key of the API user; never logged. Env C(CONTRAST_SERVICE_KEY).
    type: str
    required: true
  contrast_api_key:
    description: API key; never logged. Env C(CONTRAST_API_KEY).
    type: str
    required: true
  org_uuid:
    description: Organization UUID. Env C(CONTRAST_ORG_UUID).
    type: str
    required: true
  validate_certs:
    description: Verify the server's TLS certificate. Env C(CONTRAST_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: PEM bundle of a private CA. Env C(CONTRAST_CA_PATH).
    type: str
  timeout:
    description: Seconds per request. Env C(CONTRAST_TIMEOUT).
    type: int
    default: 30
  retries:
    description: Retries of a transient failure within one poll. Env C(CONTRAST_RETRIES).
    type: int
    default: 5
  contrast_api_dialect:
    description: C(auto), C(guide) or C(teamserver). Env C(CONTRAST_API_DIALECT).
    type: str
    default: auto
  interval:
    description: Seconds between the start of two polls.
    type: int
    default: 300
  page_size:
    description: Users (and group members) per request.
    type: int
    default: 100
  watch_groups:
    description: Read group members too (C(groups_changed) events, the C(groups) of each user); costs the group reads.
    type: bool
    default: true
  snapshot:
    description: Emit the baseline C(snapshot) event after the first poll.
    type: bool
    default: true
  snapshot_users:
    description: Put every user in the C(snapshot) event (large for big organizations).
    type: bool
    default: false
  failures_before_event:
    description: Failed polls in a row before one C(poll_failed) event.
    type: int
    default: 3
  max_polls:
    description: Stop after this many polls (tests); 0 polls until stopped.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Watch the organization
  hosts: all
  sources:
    - contrast_security.identity.contrast_users:
        interval: 300
  rules:
    - name: Print every change
      condition: event.type is defined
      action:
        print_event:
          pretty: true
"""


def _add_collections_root():
    """ansible-rulebook runs this file with runpy.run_path: put the folder holding ansible_collections/ on sys.path
    so that the collection's client can be imported (an installed collection, or a checkout in such a tree)."""
    folder = os.path.dirname(os.path.realpath(__file__))
    # event_source -> plugins -> eda -> extensions -> <name> -> <namespace> -> ansible_collections
    for _level in range(6):
        folder = os.path.dirname(folder)
    root = os.path.dirname(folder)
    if os.path.basename(folder) == "ansible_collections" and root not in sys.path:
        sys.path.insert(0, root)


_add_collections_root()

# pylint: disable=wrong-import-position
from ansible_collections.contrast_security.identity.plugins.module_utils.client import DEFAULT_URL  # noqa: E402
from ansible_collections.contrast_security.identity.plugins.module_utils.events import (  # noqa: E402
    OrganizationWatcher,
    PollingClient,
)

LOGGER = logging.getLogger("contrast_security.identity.contrast_users")

# option: (environment variable, default, type); the modules' connection options first.
OPTIONS = {
    "contrast_url": ("CONTRAST_URL", DEFAULT_URL, str),
    "contrast_username": ("CONTRAST_USERNAME", None, str),
    "contrast_service_key": ("CONTRAST_SERVICE_KEY", None, str),
    "contrast_api_key": ("CONTRAST_API_KEY", None, str),
    "org_uuid": ("CONTRAST_ORG_UUID", None, str),
    "validate_certs": ("CONTRAST_VALIDATE_CERTS", True, bool),
    "ca_path": ("CONTRAST_CA_PATH", None, str),
    "timeout": ("CONTRAST_TIMEOUT", 30, int),
    "retries": ("CONTRAST_RETRIES", 5, int),
    "contrast_api_dialect": ("CONTRAST_API_DIALECT", "auto", str),
    "interval": (None, 300, int),
    "page_size": (None, 100, int),
    "watch_groups": (None, True, bool),
    "snapshot": (None, True, bool),
    "snapshot_users": (None, False, bool),
    "failures_before_event": (None, 3, int),
    "max_polls": (None, 0, int),
}
REQUIRED = ("contrast_username", "contrast_service_key", "contrast_api_key", "org_uuid")
TRUE_WORDS = ("1", "true", "yes", "on", "y", "t")
FALSE_WORDS = ("0", "false", "no", "off", "n", "f")


def _convert(name: str, value, kind):
    if kind is bool and not isinstance(value, bool):
        word = str(value).strip().lower()
        if word not in TRUE_WORDS + FALSE_WORDS:
            raise ValueError("contrast_users: %s must be a boolean, got %r" % (name, value))
        return word in TRUE_WORDS
    if kind is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError("contrast_users: %s must be an integer" % name) from None
    return value if kind is not str or value is None else str(value)


def settings_from(args: dict[str, Any], environ=None) -> dict:
    """The source's settings: each argument, else its CONTRAST_* variable, else the default; checked.

    Error messages name options, never values (two of them are keys)."""
    environ = os.environ if environ is None else environ
    unknown = sorted(set(args or {}) - set(OPTIONS))
    if unknown:
        raise ValueError("contrast_users: unknown argument(s) %s; known: %s" % (", ".join(unknown), ", ".join(OPTIONS)))
    settings = {}
    for name, (variable, default, kind) in OPTIONS.items():
        value = (args or {}).get(name)
        if value is None and variable:
            value = environ.get(variable) or None
        settings[name] = default if value is None else _convert(name, value, kind)
    missing = [name for name in REQUIRED if not (settings[name] or "").strip()]
    if missing:
        raise ValueError("contrast_users: missing %s (arguments or the %s environment variables)"
                         % (", ".join(missing), ", ".join(OPTIONS[name][0] for name in missing)))
    if settings["interval"] < 1:
        raise ValueError("contrast_users: interval must be at least 1 second")
    if settings["page_size"] < 1:
        raise ValueError("contrast_users: page_size must be at least 1")
    return settings


def build_watcher(settings: dict) -> OrganizationWatcher:
    client = PollingClient(
        settings["contrast_url"], settings["contrast_username"], settings["contrast_service_key"],
        settings["contrast_api_key"], settings["org_uuid"], validate_certs=settings["validate_certs"],
        ca_path=settings["ca_path"], timeout=settings["timeout"], retries=settings["retries"],
        dialect=settings["contrast_api_dialect"])
    return OrganizationWatcher(client, watch_groups=settings["watch_groups"], page_size=settings["page_size"],
                               emit_snapshot=settings["snapshot"], snapshot_users=settings["snapshot_users"],
                               failures_before_event=settings["failures_before_event"])


async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """ansible-rulebook's entry point: poll, put each event on the queue, sleep until the next poll."""
    settings = settings_from(args)
    watcher = build_watcher(settings)
    loop = asyncio.get_running_loop()
    LOGGER.info("contrast_users: watching organization %s at %s every %d s",
                settings["org_uuid"], settings["contrast_url"], settings["interval"])
    while True:
        started = loop.time()
        # The client blocks (requests, backoff sleeps): poll in a worker thread, not on the event loop.
        events = await asyncio.to_thread(watcher.poll)
        LOGGER.info("contrast_users: poll %d: %d event(s), %d request(s)%s", watcher.polls, len(events),
                    watcher.last_poll_requests, " (failed %d in a row)" % watcher.failures if watcher.failures else "")
        for event in events:
            await queue.put(event)
        if settings["max_polls"] and watcher.polls >= settings["max_polls"]:
            return
        await asyncio.sleep(max(settings["interval"] - (loop.time() - started), 0))


if __name__ == "__main__":
    # Run outside ansible-rulebook (with the CONTRAST_* variables set): print the events of each poll.
    class _PrintQueue:
        async def put(self, event):
            print(event, flush=True)

    asyncio.run(main(_PrintQueue(), {"interval": int(os.environ.get("CONTRAST_EDA_INTERVAL", "60"))}))
