# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures shared by the plugin unit tests."""

from __future__ import annotations

from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import serve

# The emulator over HTTP on loopback, one per test module (each test resets the organization it needs).
server = serve()
