# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator (tests/emulator/contrast_emulator.py) for the plugin unit tests that talk to it over HTTP."""

from __future__ import annotations

import importlib.util
import os
import sys

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EMULATOR_PATH = os.path.join(REPO_ROOT, "tests", "emulator", "contrast_emulator.py")


def load_emulator():
    """Import the emulator by file path (it is not a package), once per process."""
    name = "contrast_emulator_under_test"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EMULATOR_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
