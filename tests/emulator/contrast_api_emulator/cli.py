# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The command line (``python tests/emulator/contrast_emulator.py --help``)."""

from __future__ import annotations

import argparse
import signal
import ssl
import sys
import threading

from .dialects import DIALECTS, PLANNED_DIALECTS
from .model import DEFAULT_CONTEXT_PATH, DEFAULT_MAX_PAGE_SIZE, SeedError
from .server import EmulatorServer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Emulator of Contrast Security's user API (tests and demos only).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default 0)")
    parser.add_argument("--seed", metavar="FILE", help="seed document (JSON) with org, API user, users and groups")
    parser.add_argument("--generate-users", type=int, default=0, metavar="N", help="add N synthetic users")
    parser.add_argument("--generate-groups", type=int, default=0, metavar="M", help="add M synthetic access groups")
    parser.add_argument("--generate-seed", default=0, metavar="S", help="seed of the generator (default 0)")
    parser.add_argument("--max-page-size", type=int, default=DEFAULT_MAX_PAGE_SIZE, help="largest page served (default 100)")
    parser.add_argument("--context-path", default=DEFAULT_CONTEXT_PATH, help="path before /api (default /Contrast)")
    parser.add_argument("--dialect", default="guide", choices=sorted(set(DIALECTS) | set(PLANNED_DIALECTS)), help="API dialect")
    parser.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (needs --tls-key)")
    parser.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of API requests that fail at random (0-1)")
    parser.add_argument("--fault-seed", type=int, default=None, help="seed of the random faults (reproducible runs)")
    parser.add_argument("--verbose", action="store_true", help="log one line per request to stderr (never headers)")
    switches = parser.add_argument_group("what real servers vary in (README: Switches)")
    switches.add_argument("--unpaged-members", action="store_true", help="member lists ignore offset/limit, no count")
    switches.add_argument("--no-count", action="store_true", help="list answers carry no count")
    switches.add_argument("--count-offset", type=int, default=0, metavar="N", help="list counts are off by N")
    switches.add_argument("--shift-users", choices=("add", "delete"), help="add or delete a user between two users pages")
    switches.add_argument("--user-uid-as-login", action="store_true", help="teamserver: user_uid is the login")
    switches.add_argument("--omitted-booleans-false", action="store_true",
                          help="a create (teamserver: or edit) that omits a boolean sets it false")
    switches.add_argument("--strict", action="store_true",
                          help="--omitted-booleans-false and --unpaged-members together (documented shapes are always on)")
    return parser.parse_args(argv)


def switches_of(args) -> dict:
    """The switches the command line asks for (SWITCH_DEFAULTS)."""
    return {"unpaged_members": args.unpaged_members or args.strict, "no_count": args.no_count,
            "count_offset": args.count_offset, "shift_users": args.shift_users, "user_uid_as_login": args.user_uid_as_login,
            "omitted_booleans_false": args.omitted_booleans_false or args.strict}


def main(argv=None) -> int:
    args = parse_args(argv)
    generate = None
    if args.generate_users or args.generate_groups:
        seed_value = int(args.generate_seed) if str(args.generate_seed).lstrip("-").isdigit() else args.generate_seed
        generate = {"users": args.generate_users, "groups": args.generate_groups, "seed": seed_value}
    try:
        emulator = EmulatorServer(host=args.host, port=args.port, seed=args.seed, generate=generate,
                                  max_page_size=args.max_page_size, context_path=args.context_path, dialect=args.dialect,
                                  tls_cert=args.tls_cert, tls_key=args.tls_key, fault_rate=args.fault_rate,
                                  fault_seed=args.fault_seed, verbose=args.verbose, switches=switches_of(args))
    except NotImplementedError as exc:
        sys.stderr.write("contrast_emulator: %s\n" % exc)
        return 2
    except (SeedError, ValueError, OSError, ssl.SSLError) as exc:
        sys.stderr.write("contrast_emulator: %s\n" % exc)
        return 2
    stop = threading.Event()

    def request_stop(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    emulator.start()
    sys.stdout.write("listening on %s\n" % emulator.url)
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0
