# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What an HTTP answer is (``Answer``) and the JSON and error bodies every part of the emulator gives."""

from __future__ import annotations

import json


STATUS_REASONS = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 408: "Request timeout",
    409: "Conflict", 429: "Too many requests", 500: "Internal server error", 502: "Bad gateway",
    503: "Service unavailable", 504: "Gateway timeout",
}


class Answer:
    """An HTTP answer before it is written: status, body bytes, content type, extra headers."""

    __slots__ = ("status", "body", "content_type", "headers")

    def __init__(self, status: int, body: bytes = b"", content_type: str = "application/json;charset=UTF-8", headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers or {}


def json_answer(status: int, payload, headers=None) -> Answer:
    return Answer(status, json.dumps(payload, separators=(",", ":")).encode("utf-8"), headers=headers)


def error_body(messages) -> dict:
    return {"success": False, "messages": list(messages)}
