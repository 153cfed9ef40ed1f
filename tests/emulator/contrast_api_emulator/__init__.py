# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A stateful, strict emulator of Contrast Security's user REST API (test infrastructure only).

See README.md beside this package for the behaviour it promises. Standard library only, so that it
runs anywhere the collection's tests run. One module per responsibility, each importing only those
before it in this list:

* ``model``: identity defaults, roles, field validators and ``Organization`` (the org's data and its
  domain rules, no locking of its own).
* ``seeds``: an ``Organization`` from a seed document or the generator (``build_organization``).
* ``answers``: ``Answer`` and the JSON and error bodies.
* ``faults``: fault rules and the answers (or changes) they put in place of the normal ones.
* ``dialects``: ``guide`` (every route, body rule and answer shape of the user-API guide) and
  ``teamserver`` (the same state in the shapes of Contrast's TeamServer reference).
* ``state``: ``EmulatorState``, one lock around the organization, config, fault plan and request log.
* ``api`` (the authenticated API), ``control`` (the unauthenticated ``/_emulator`` interface).
* ``server``: ``EmulatorServer``, the threaded HTTP(S) server, importable and runnable in-process.
* ``cli`` and ``__main__``: the command line (``python tests/emulator/contrast_emulator.py``).
"""

from __future__ import annotations

from .cli import main, parse_args, switches_of
from .dialects import DIALECTS, PLANNED_DIALECTS, make_dialect
from .dialects.guide import GuideDialect
from .dialects.teamserver import TeamServerDialect
from .model import (
    CONTROL_PREFIX,
    DAY_MS,
    DEFAULT_API_KEY,
    DEFAULT_API_USERNAME,
    DEFAULT_CONTEXT_PATH,
    DEFAULT_GROUP_SCOPE,
    DEFAULT_MAX_PAGE_SIZE,
    DEFAULT_ORG_UUID,
    DEFAULT_PAGE_SIZE,
    DEFAULT_SERVICE_KEY,
    ROLE_NAMES,
    ROLES,
    ApiError,
    Organization,
    SeedError,
    now_ms,
)
from .seeds import build_organization, load_seed_file, parse_generate
from .server import Emulator, EmulatorServer
from .state import SWITCH_DEFAULTS, EmulatorState

__all__ = (
    "CONTROL_PREFIX", "DAY_MS", "DEFAULT_API_KEY", "DEFAULT_API_USERNAME", "DEFAULT_CONTEXT_PATH", "DEFAULT_GROUP_SCOPE",
    "DEFAULT_MAX_PAGE_SIZE", "DEFAULT_ORG_UUID", "DEFAULT_PAGE_SIZE", "DEFAULT_SERVICE_KEY", "DIALECTS", "PLANNED_DIALECTS",
    "ROLES", "ROLE_NAMES", "SWITCH_DEFAULTS", "ApiError", "Emulator", "EmulatorServer", "EmulatorState", "GuideDialect",
    "Organization", "SeedError", "TeamServerDialect", "build_organization", "load_seed_file", "main", "make_dialect",
    "now_ms", "parse_args", "parse_generate", "switches_of",
)
