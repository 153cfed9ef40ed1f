# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The API dialects the emulator speaks, by name (``--dialect``)."""

from __future__ import annotations

from .guide import GuideDialect
from .teamserver import TeamServerDialect


DIALECTS = {GuideDialect.name: GuideDialect, TeamServerDialect.name: TeamServerDialect}
PLANNED_DIALECTS = ()


def make_dialect(name: str):
    if name in DIALECTS:
        return DIALECTS[name]()
    if name in PLANNED_DIALECTS:
        raise NotImplementedError("dialect %r is not implemented yet (available: %s)" % (name, ", ".join(sorted(DIALECTS))))
    raise ValueError("unknown dialect %r (available: %s)" % (name, ", ".join(sorted(DIALECTS))))
