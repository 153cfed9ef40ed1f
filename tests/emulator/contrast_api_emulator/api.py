# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Request processing for the authenticated API: credentials, routing to the dialect, faults, the request log."""

from __future__ import annotations

import base64
import binascii
import json

from .answers import Answer, error_body, json_answer
from .dialects import DIALECTS
from .dialects.guide import Call
from .model import ApiError
from .state import EmulatorState


def read_credentials(headers):
    """(username, service_key, api_key) from the two headers, or None when unusable."""
    authorization = headers.get("Authorization")
    api_key = headers.get("API-Key")
    if not authorization or not api_key:
        return None
    token = authorization.strip()
    if token[:6].lower() == "basic ":
        token = token[6:].strip()
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    username, separator, service_key = decoded.partition(":")
    if not separator or not username or not service_key:
        return None
    return username, service_key, api_key.strip()


def is_json_content(content_type) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class ApiProcessor:
    """Authenticates, routes and runs one API request under the state lock."""

    def __init__(self, state: EmulatorState, dialect, context_path: str):
        self.state = state
        self.dialect = dialect
        self.dialects = dict((name, cls()) for name, cls in DIALECTS.items())
        self.prefix = context_path + "/api"

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> Answer:
        # The dialect can change at runtime (/_emulator/config or reset); the startup one is the default.
        dialect = self.dialects.get(self.state.config.get("dialect")) or self.dialect
        if not path.startswith(self.prefix + "/"):
            return dialect.error_answer(404, ["Not found"])
        subpath = path[len(self.prefix):]
        credentials = read_credentials(headers)
        try:
            with self.state.lock:
                state = self.state
                caller = state.org.authenticate(*credentials) if credentials else None
                if caller is None:
                    raise ApiError(401)
                route, params = dialect.resolve(method, subpath)
                if route is None:
                    if params:
                        return json_answer(405, error_body(["Method not allowed"]), {"Allow": ", ".join(params)})
                    raise ApiError(404, "Not found")
                if "org" in params and params["org"].lower() != state.org.org_uuid:
                    raise ApiError(401)
                if route.write and caller["role"] != "ROLE_ADMIN":
                    raise ApiError(403, dialect.DENIED_WRITE)
                if "org" in params and caller["role"] == "ROLE_NO_ACCESS":
                    raise ApiError(403, dialect.DENIED_READ)
                parsed = self._parse_body(headers, body) if route.body else None
                return getattr(dialect, route.handler)(Call(state, params, query, parsed))
        except ApiError as exc:
            return dialect.error_answer(exc.status, exc.messages)

    @staticmethod
    def _parse_body(headers, body: bytes):
        if not body.strip():
            raise ApiError(400, "Malformed JSON request body")
        if not is_json_content(headers.get("Content-Type")):
            raise ApiError(415, "Content-Type must be application/json")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "Malformed JSON request body") from None
