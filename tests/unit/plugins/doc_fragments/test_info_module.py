# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every module that only reads (the *_info modules) takes its attributes from the info_module fragment."""

from __future__ import annotations

import glob
import importlib
import os

import pytest
import yaml

from ansible_collections.contrast_security.identity.plugins.doc_fragments import info_module

MODULES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")
INFO_MODULES = sorted(glob.glob(os.path.join(MODULES, "*_info.py")))


def documentation(path):
    name = os.path.splitext(os.path.basename(path))[0]
    module = importlib.import_module("ansible_collections.contrast_security.identity.plugins.modules." + name)
    return yaml.safe_load(module.DOCUMENTATION)


def test_there_are_three_info_modules():
    assert [os.path.basename(path) for path in INFO_MODULES] == [
        "contrast_group_info.py", "contrast_org_info.py", "contrast_user_info.py"]


@pytest.mark.parametrize("path", INFO_MODULES, ids=os.path.basename)
def test_info_modules_use_the_fragment_and_repeat_no_attributes(path):
    doc = documentation(path)
    assert "contrast_security.identity.info_module" in doc["extends_documentation_fragment"]
    assert "attributes" not in doc


def test_the_fragment_says_read_only():
    attributes = yaml.safe_load(info_module.ModuleDocFragment.DOCUMENTATION)["attributes"]
    assert attributes["check_mode"]["support"] == "full" and attributes["diff_mode"]["support"] == "none"
