# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fault rules (``POST /_emulator/faults``): parsing them, and the answers or changes they put in place of the normal ones."""

from __future__ import annotations

import json
import re

from .answers import Answer, STATUS_REASONS, json_answer
from .model import SeedError
from .seeds import reject_unknown


FAULT_KINDS = ("status", "reset", "delay", "bad_json", "html", "empty", "drop_write", "redirect", "echo_headers",
               "reflect_headers", "odd_shape", "second_writer")
# Kinds that let the request through and then change its answer (or the organization) instead of replacing it.
PASS_THROUGH_KINDS = ("delay", "reflect_headers", "odd_shape", "second_writer")
RULE_FIELDS = ("kind", "count", "method", "path", "query", "status", "retry_after", "delay", "after", "location", "shape",
               "writer")
ODD_SHAPES = ("scalars", "items_scalars", "field_types", "echoed_key")
WRITER_FIELDS = ("group", "add", "remove", "name", "scope")
# What a random fault can be: the transient failures a client must retry.
RANDOM_FAULT_CHOICES = (429, 502, 503, 504, "reset")


def parse_rule(rule, index: int) -> dict:
    """Validate one fault rule and fill its defaults (see README.md, "Faults")."""
    where = "rules[%d]" % index
    if not isinstance(rule, dict):
        raise SeedError("%s must be an object" % where)
    reject_unknown(rule, RULE_FIELDS, where)
    kind = rule.get("kind")
    if kind not in FAULT_KINDS:
        raise SeedError("%s: kind must be one of %s" % (where, ", ".join(FAULT_KINDS)))
    count = rule.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < -1 or count == 0:
        raise SeedError("%s: count must be a positive integer, or -1 for every matching request" % where)
    method = rule.get("method")
    if method is not None and (not isinstance(method, str) or not method):
        raise SeedError("%s: method must be a string" % where)
    compiled = {}
    for field in ("path", "query"):
        pattern = rule.get(field)
        if pattern is None:
            compiled[field] = None
            continue
        if not isinstance(pattern, str):
            raise SeedError("%s: %s must be a regular expression" % (where, field))
        try:
            compiled[field] = re.compile(pattern)
        except re.error as exc:
            raise SeedError("%s: %s is not a valid regular expression (%s)" % (where, field, exc)) from None
    default_status = {"html": 502, "status": 503, "redirect": 307, "echo_headers": 400}.get(kind, 200)
    status = rule.get("status", default_status)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise SeedError("%s: status must be an HTTP status code" % where)
    retry_after = rule.get("retry_after")
    if retry_after is not None and (isinstance(retry_after, bool) or not isinstance(retry_after, (int, float, str))):
        raise SeedError("%s: retry_after must be a number of seconds or an HTTP date" % where)
    delay = rule.get("delay", 1.0 if kind == "delay" else 0.0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay <= 600:
        raise SeedError("%s: delay must be a number of seconds from 0 to 600" % where)
    after = rule.get("after", False)
    if not isinstance(after, bool):
        raise SeedError("%s: after must be a boolean" % where)
    location = rule.get("location")
    if kind == "redirect" and (not isinstance(location, str) or not location):
        raise SeedError("%s: a redirect needs a location (a URL)" % where)
    shape = rule.get("shape", "field_types")
    if shape not in ODD_SHAPES:
        raise SeedError("%s: shape must be one of %s" % (where, ", ".join(ODD_SHAPES)))
    writer = rule.get("writer")
    if kind == "second_writer":
        if not isinstance(writer, dict) or "group" not in writer:
            raise SeedError("%s: a second_writer needs writer: {group, add, remove, name, scope}" % where)
        reject_unknown(writer, WRITER_FIELDS, where + ".writer")
    return {
        "location": location, "shape": shape, "writer": writer,
        "kind": kind, "count": count, "remaining": count, "hits": 0, "method": method.upper() if method else None,
        "path": rule.get("path"), "query": rule.get("query"), "_path_re": compiled["path"], "_query_re": compiled["query"],
        "status": status, "retry_after": retry_after, "delay": float(delay), "after": after,
    }


def fault_answer(fault: dict, request_headers=None):
    """The answer a fault gives, or None for ``reset`` (the connection is dropped instead)."""
    kind, status = fault["kind"], fault["status"]
    headers = {}
    if kind == "redirect":
        return Answer(status, b"", headers={"Location": fault["location"]})
    if kind == "echo_headers":
        # A server (or proxy) that quotes the request's headers back in its error.
        echoed = ["%s: %s" % (name, value) for name, value in (request_headers or {}).items()]
        return json_answer(status, {"success": False, "messages": ["Bad request headers"] + echoed,
                                    "errors": [{"field": name, "message": value} for name, value in (request_headers or {}).items()]})
    if fault.get("retry_after") is not None:
        retry_after = fault["retry_after"]
        headers["Retry-After"] = str(int(retry_after)) if isinstance(retry_after, float) and retry_after.is_integer() else str(retry_after)
    if kind == "reset":
        return None
    if kind == "html":
        reason = STATUS_REASONS.get(status, "Error")
        page = ("<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n<body><center><h1>%d %s</h1></center>\n"
                "<hr><center>nginx</center></body></html>\n") % (status, reason, status, reason)
        return Answer(status, page.encode("ascii"), "text/html", headers)
    if kind == "bad_json":
        return Answer(status, b'{"success":true,"users":[{"user_id":"', headers=headers)
    if kind == "empty":
        return Answer(status, b"", headers=headers)
    if kind == "drop_write":
        # A success that did not stick: what a client sees when another writer overwrote its change.
        return json_answer(status, {"success": True, "messages": ["Request accepted."]}, headers)
    if status == 401:
        return Answer(401, b"", headers=headers)
    return json_answer(status, {"success": False, "messages": [STATUS_REASONS.get(status, "Error")]}, headers)


def _header(headers, name):
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value
    return ""


def _user_like(value) -> bool:
    return isinstance(value, dict) and any(key in value for key in ("user_id", "user_uid", "uid", "username", "email"))


def _walk_objects(value, visit):
    """Call visit(obj) on every object in a JSON value, depth first."""
    if isinstance(value, dict):
        visit(value)
        for item in list(value.values()):
            _walk_objects(item, visit)
    elif isinstance(value, list):
        for item in value:
            _walk_objects(item, visit)


# Wrong types for the fields of users and groups (odd_shape "field_types").
ODD_FIELD_VALUES = {"enabled": "yes", "date_created": "soon", "last_login": "yesterday", "role": ["ROLE_ADMIN"],
                    "username": 12, "email": {"address": "x"}, "user_id": {"id": 1}, "user_uid": ["x"], "name": ["Ops"],
                    "group_id": {"id": 1}, "api_only": "no", "first_name": 7, "login": "never", "signup": 3}


def reshape_answer(fault: dict, answer, request_headers=None):
    """A pass-through fault's change to a normal JSON answer (reflect_headers, odd_shape)."""
    try:
        payload = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return answer
    if not isinstance(payload, dict) or payload.get("success") is False:
        return answer
    if fault["kind"] == "reflect_headers":
        # A 200 that carries request headers in its data: the Authorization value (bare and with "Basic ") as the
        # names, the API key in the description of a role or group.
        def reflect(obj):
            if _user_like(obj):
                obj["first_name"] = _header(request_headers, "Authorization")
                obj["last_name"] = "Basic " + _header(request_headers, "Authorization")
            elif "description" in obj:
                obj["description"] = "key " + _header(request_headers, "API-Key")
        _walk_objects(payload, reflect)
    elif fault["shape"] == "scalars":
        # Every list and object the answer carries becomes a string.
        for key, value in list(payload.items()):
            if isinstance(value, (list, dict)):
                payload[key] = "unexpected"
    elif fault["shape"] == "items_scalars":
        # Lists hold strings where objects belong; objects hold lists.
        def flatten(obj):
            for key, value in list(obj.items()):
                if isinstance(value, list):
                    obj[key] = ["unexpected" for _item in value] or ["unexpected"]
        _walk_objects(payload, flatten)
        for key, value in list(payload.items()):
            if isinstance(value, dict):
                payload[key] = [value]
    elif fault["shape"] == "echoed_key":
        # A header echoed into a date: what made int() print the API key in a traceback.
        def echo(obj):
            if _user_like(obj):
                obj["last_login"] = "k=" + _header(request_headers, "API-Key")
        _walk_objects(payload, echo)
    else:
        def mistype(obj):
            for key in list(obj):
                if key in ODD_FIELD_VALUES:
                    obj[key] = ODD_FIELD_VALUES[key]
        _walk_objects(payload, mistype)
    return json_answer(answer.status, payload, answer.headers)


def apply_second_writer(org, writer: dict) -> None:
    """Another client's write to a group, right after the faulted request: members added or removed
    (usernames), a new name, a new scope."""
    group = None
    for candidate in org.groups.values():
        if str(candidate["group_id"]) == str(writer["group"]) or candidate["name"] == writer["group"]:
            group = candidate
    if group is None:
        return
    members = set(group["members"])
    for username in writer.get("add") or []:
        record = org.find_username(username)
        if record is not None:
            members.add(record["user_id"])
    for username in writer.get("remove") or []:
        record = org.find_username(username)
        if record is not None:
            members.discard(record["user_id"])
    org.set_group_members(group, sorted(members))
    if writer.get("name"):
        group["name"] = writer["name"]
    if writer.get("scope") is not None:
        group["scope"] = json.loads(json.dumps(writer["scope"]))
