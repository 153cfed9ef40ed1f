# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's entry point: ``python tests/emulator/contrast_emulator.py --port 0 [...]`` (see README.md).

The emulator itself is the package ``contrast_api_emulator`` beside this file; this file runs its command
line, and, imported by path (``importlib.util.spec_from_file_location``), gives the package's public names.
"""

from __future__ import annotations

import os
import sys

# Run as a script, Python puts this folder on sys.path; imported by path, it does not.
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from contrast_api_emulator import *  # noqa: E402,F401,F403  pylint: disable=wildcard-import,unused-wildcard-import,wrong-import-position
from contrast_api_emulator.cli import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == "__main__":
    sys.exit(main())
