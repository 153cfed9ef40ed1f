# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Nothing lost, nothing leaked: each module's main() against the emulator over HTTP, with its fault rules.

Every run goes through ansible-core's own exit path (the JSON a module prints, after its no_log filtering),
so that what these tests read is what a playbook at -vvvv would show. Each test also looks for the
service key, the API key and the Authorization value (with and without ``Basic ``) in that output.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading

import pytest

requests = pytest.importorskip("requests")

from unittest import mock  # noqa: E402

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402

from ansible_collections.contrast_security.identity.plugins.modules import (  # noqa: E402
    contrast_group_info,
    contrast_group_membership,
    contrast_org_info,
    contrast_roster,
    contrast_user,
    contrast_user_info,
)
from ansible_collections.contrast_security.identity.tests.unit.plugins.emulator_loader import load_emulator  # noqa: E402

emu = load_emulator()

API_USER = emu.DEFAULT_API_USERNAME
AUTHORIZATION = base64.b64encode(("%s:%s" % (API_USER, emu.DEFAULT_SERVICE_KEY)).encode()).decode()
SECRETS = (emu.DEFAULT_SERVICE_KEY, emu.DEFAULT_API_KEY, AUTHORIZATION)
DIALECTS = ("guide", "teamserver")
WRITES = frozenset(("POST", "PUT", "PATCH", "DELETE"))

ORG = {
    "users": [
        {"username": API_USER, "role": "ROLE_ADMIN", "api_only": True},
        {"username": "ada@example.com", "first_name": "Ada", "last_name": "L", "role": "ROLE_ADMIN"},
        {"username": "grace@example.com", "first_name": "Grace", "last_name": "H", "role": "ROLE_EDIT"},
        {"username": "kemi@example.com", "first_name": "Kemi", "last_name": "B", "role": "ROLE_VIEW"},
        {"username": "linus@example.com", "first_name": "Linus", "last_name": "T", "role": "ROLE_VIEW"},
    ],
    "groups": [{"name": "Payments", "members": ["ada@example.com"]}, {"name": "Platform", "members": ["linus@example.com"]}],
}


@pytest.fixture(scope="module")
def server():
    with emu.EmulatorServer(port=0) as instance:
        yield instance


def control(server, method, path, **kwargs):
    answer = requests.request(method, server.control_url + path, timeout=30, **kwargs)
    assert answer.status_code == 200, answer.text
    return answer.json()


def reset(server, dialect="guide", org=None, rules=()):
    control(server, "POST", "/reset", json=dict(org or ORG, dialect=dialect))
    if rules:
        control(server, "POST", "/faults", json={"rules": list(rules)})


def connection(server, **overrides):
    options = {
        "contrast_url": server.contrast_url,
        "contrast_username": API_USER,
        "contrast_service_key": emu.DEFAULT_SERVICE_KEY,
        "contrast_api_key": emu.DEFAULT_API_KEY,
        "org_uuid": emu.DEFAULT_ORG_UUID,
        "retries": 2,
    }
    options.update(overrides)
    return options


def run(module, server, args, check_mode=False, capsys=None, **conn):
    """main() as Ansible runs it; returns its result, with what it printed (and warned) as ``printed``.
    The output never holds a secret."""
    module_args = dict(connection(server, **conn), **args)
    module_args["_ansible_check_mode"] = check_mode
    module_args["_ansible_diff"] = True
    # Warnings are recorded here: where ansible-core sends them depends on what else the test process loaded.
    seen = []
    with patch_module_args(module_args), \
            mock.patch.object(basic.AnsibleModule, "warn", autospec=True, side_effect=lambda _self, text: seen.append(text)):
        with pytest.raises(SystemExit):
            module.main()
    output = capsys.readouterr().out + "\n".join(seen)
    for secret in SECRETS:
        assert secret not in output, "a secret reached the module's output"
    assert "Traceback" not in output
    result = json.loads(capsys_first_line(output))
    result["warnings"] = seen
    result["printed"] = output
    return result


def capsys_first_line(output):
    return output.strip().splitlines()[0]


def writes(server):
    return [(entry["method"], entry["path"]) for entry in control(server, "GET", "/requests")["requests"]
            if entry["method"] in WRITES]


def state(server):
    return control(server, "GET", "/state")


def user_in(server, username):
    return [user for user in state(server)["users"] if user["username"] == username][0]


def members_of(server, name):
    return sorted([group for group in state(server)["groups"] if group["name"] == name][0]["member_usernames"])


def warnings_of(result):
    return json.dumps(result.get("warnings") or [])


# ------------------------------------------------------------------ 1. guards
def test_null_users_never_empty_a_group(server, capsys):
    reset(server)
    result = run(contrast_group_membership, server, {"group": "Payments", "users": None, "state": "exact"}, capsys=capsys)
    assert result["failed"] and "users: []" in result["msg"]
    assert members_of(server, "Payments") == ["ada@example.com"] and writes(server) == []


def test_exact_membership_guard_warns_in_check_mode_and_refuses_the_real_run(server, capsys):
    org = {"users": [{"username": "u%02d@example.com" % index} for index in range(12)],
           "groups": [{"name": "Big", "members": ["u%02d@example.com" % index for index in range(12)]}]}
    reset(server, org=org)
    args = {"group": "Big", "users": ["u00@example.com"], "state": "exact"}
    checked = run(contrast_group_membership, server, args, check_mode=True, capsys=capsys)
    assert not checked.get("failed") and len(checked["removed"]) == 11
    assert "The real run would be refused: 11 members would be removed from 'Big', more than max_removals=10" \
        in warnings_of(checked)
    real = run(contrast_group_membership, server, args, capsys=capsys)
    assert real["failed"] and "more than max_removals=10" in real["msg"] and writes(server) == []
    done = run(contrast_group_membership, server, dict(args, max_removals=11, max_removal_percent=100), capsys=capsys)
    assert done["changed"] and members_of(server, "Big") == ["u00@example.com"]


# ------------------------------------------------------------------ 2. the API user
@pytest.mark.parametrize("args", [{"state": "disabled"}, {"state": "absent"}, {"role": "ROLE_VIEW"}])
def test_the_api_user_is_never_disabled_deleted_or_demoted(server, capsys, args):
    reset(server)
    for check_mode in (True, False):
        result = run(contrast_user, server, dict(args, username=API_USER), check_mode=check_mode, capsys=capsys)
        assert result["failed"] and "it is the API user" in result["msg"]
    assert writes(server) == []
    assert run(contrast_org_info, server, {}, capsys=capsys)["profile"]["role"] == "ROLE_ADMIN"


def test_a_roster_never_demotes_the_api_user(server, capsys):
    reset(server)
    entries = [{"username": API_USER, "role": "ROLE_VIEW"}, {"username": "kemi@example.com", "role": "ROLE_EDIT"}]
    result = run(contrast_roster, server, {"users": entries}, capsys=capsys)
    assert result["failed"] and "Refusing to demote (to ROLE_VIEW) %s" % API_USER in result["msg"] and writes(server) == []


def test_losing_the_last_other_admin_warns_by_name(server, capsys):
    reset(server)
    result = run(contrast_user, server, {"username": "ada@example.com", "state": "disabled"}, capsys=capsys)
    assert result["changed"]
    assert "no enabled ROLE_ADMIN is left in the organization other than the API user %s" % API_USER in warnings_of(result)
    assert "ada@example.com" in warnings_of(result)
    reset(server)
    quiet = run(contrast_user, server, {"username": "kemi@example.com", "state": "disabled"}, capsys=capsys)
    assert quiet["changed"] and "ROLE_ADMIN" not in warnings_of(quiet)


# ------------------------------------------------------------------ 3. other writers of the same group
@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_writer_between_the_plan_and_the_write_is_not_lost(server, capsys, dialect):
    """B adds kemi after A read the members for its plan: A's write must keep kemi."""
    rule = {"kind": "second_writer", "method": "GET", "path": "/groups/1(/users)?$", "count": 1,
            "writer": {"group": "Payments", "add": ["kemi@example.com"]}}
    if dialect == "teamserver":
        scope = {"account_scope": {"exceptions": []}, "app_scope": {"exceptions": [], "onboard_role": "", "role": "VIEW"}}
        rule["writer"].update(name="Payments EU", scope=scope)
    reset(server, dialect, rules=[rule])
    result = run(contrast_group_membership, server, {"group": "Payments", "users": ["grace@example.com"]}, capsys=capsys)
    assert result["changed"] and result["added"] == ["grace@example.com"]
    group = [g for g in state(server)["groups"] if g["group_id"] == 1][0]
    assert sorted(group["member_usernames"]) == ["ada@example.com", "grace@example.com", "kemi@example.com"]
    if dialect == "teamserver":
        # Never a name or a scope older than the latest read.
        assert group["name"] == "Payments EU" and group["scope"]["app_scope"]["role"] == "VIEW"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_writer_right_after_the_write_gets_its_delta_re_applied(server, capsys, dialect):
    """A stale writer overwrites the group right after A's write (grace gone again): A applies its delta again."""
    reset(server, dialect, rules=[{"kind": "second_writer", "method": "PUT", "path": "/groups/1(/users)?$", "count": 1,
                                   "writer": {"group": "Payments", "remove": ["grace@example.com"], "add": ["kemi@example.com"]}}])
    result = run(contrast_group_membership, server, {"group": "Payments", "users": ["grace@example.com"]}, capsys=capsys)
    assert result["changed"] and result["conflicts"]
    assert "Another writer changed 'Payments'" in warnings_of(result)
    assert members_of(server, "Payments") == ["ada@example.com", "grace@example.com", "kemi@example.com"]
    assert result["members"] == members_of(server, "Payments")


@pytest.mark.parametrize("count", [1, -1])
def test_a_group_write_that_does_not_take(server, capsys, count):
    reset(server, rules=[{"kind": "drop_write", "method": "PUT", "path": "/groups/1/users$", "count": count}])
    result = run(contrast_group_membership, server, {"group": "Payments", "users": ["grace@example.com"]}, capsys=capsys)
    if count == 1:
        assert result["changed"] and result["conflicts"] and "grace@example.com" in members_of(server, "Payments")
    else:
        assert result["failed"] and "answered success, but the server did not take it" in result["msg"]
        assert members_of(server, "Payments") == ["ada@example.com"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_roster_re_reads_and_verifies_its_group_writes(server, capsys, dialect):
    # Another writer right after the plan learnt Platform's members: from its member read in the guide (users without
    # groups), from the users' own groups in TeamServer (expand=groups), so there right after the next read, the group list.
    after_plan_read = "/groups/2(/users)?$" if dialect == "guide" else "/groups$"
    reset(server, dialect, rules=[{"kind": "second_writer", "method": "GET", "path": after_plan_read, "count": 1,
                                   "writer": {"group": "Platform", "add": ["kemi@example.com"]}}])
    result = run(contrast_roster, server, {"users": [{"username": "grace@example.com", "groups": ["Platform"]}]}, capsys=capsys)
    assert result["changed"] and result["summary"]["memberships_added"] == 1
    assert members_of(server, "Platform") == ["grace@example.com", "kemi@example.com", "linus@example.com"]


# ------------------------------------------------------------------ 4. crash paths and secrets
SHAPED_READS = [
    (contrast_user_info, {}, "/users$"),
    (contrast_user_info, {"user_id": "__ID__"}, "/users/[0-9a-f]+$"),
    # One user: its groups come from the member lists (after a whole listing, where every user carries its own
    # groups, as TeamServer's do, no member list is read at all).
    (contrast_user_info, {"include_groups": True, "username": "kemi@example.com"}, "/groups(/1)?(/users)?$"),
    (contrast_user_info, {"include_groups": True}, "/groups$"),
    (contrast_group_info, {}, "/groups$"),
    (contrast_group_info, {"group": "Payments"}, "/groups/1(/users)?$"),
    (contrast_org_info, {}, "/profile$"),
    (contrast_org_info, {}, "/roles$"),
    (contrast_user, {"username": "kemi@example.com", "role": "ROLE_EDIT"}, "/users$"),
    (contrast_group_membership, {"group": "Payments", "users": ["grace@example.com"]}, "/groups/1(/users)?$"),
    (contrast_roster, {"users": [{"username": "grace@example.com", "groups": ["Payments"]}]}, "/groups$"),
]


# Every shape on every read; the API key echoed into a date only where the answer holds users.
SHAPED_CASES = [pytest.param(shape, module, args, path, id="%s-%s-%s" % (module.__name__.rpartition(".")[2], path, shape))
                for module, args, path in SHAPED_READS for shape in ("scalars", "items_scalars", "field_types", "echoed_key")
                if not (shape == "echoed_key" and path in ("/roles$", "/groups$"))]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("shape,module,args,path", SHAPED_CASES)
def test_an_answer_of_an_odd_shape_fails_cleanly(server, capsys, dialect, shape, module, args, path):
    reset(server, dialect, rules=[{"kind": "odd_shape", "shape": shape, "method": "GET", "path": path, "count": -1}])
    if "user_id" in args:
        args = dict(args, user_id=user_in(server, "kemi@example.com")["user_id"])
    result = run(module, server, args, capsys=capsys, contrast_api_dialect=dialect)
    assert result.get("failed"), result
    assert result["msg"].startswith("unexpected answer from GET "), result["msg"]
    assert "exception" not in result and writes(server) == []


def test_the_api_key_echoed_into_a_date_never_shows(server, capsys):
    """The issue's case: last_login 'k=<API key>' made int() print the key in a traceback."""
    reset(server, rules=[{"kind": "odd_shape", "shape": "echoed_key", "method": "GET", "path": "/users$", "count": -1}])
    result = run(contrast_user_info, server, {"inactive_days": 30}, capsys=capsys)
    assert result["failed"] and result["msg"].startswith("unexpected answer from GET /ng/%s/users: a user's last_login is 'k="
                                                         % emu.DEFAULT_ORG_UUID)


@pytest.mark.parametrize("module,args", [(contrast_user_info, {}), (contrast_org_info, {}),
                                         (contrast_group_info, {"group": "Payments"})])
def test_headers_reflected_into_data_are_masked(server, capsys, module, args):
    reset(server, rules=[{"kind": "reflect_headers", "count": -1}])
    result = run(module, server, args, capsys=capsys)
    assert not result.get("failed"), result
    assert "********" in result["printed"] or "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in result["printed"]


def test_headers_echoed_into_an_error_are_masked(server, capsys):
    reset(server, rules=[{"kind": "echo_headers", "method": "PUT", "count": -1}])
    result = run(contrast_user, server, {"username": "kemi@example.com", "role": "ROLE_EDIT"}, capsys=capsys)
    assert result["failed"] and "HTTP 400" in result["msg"] and "Authorization" in result["msg"]


# ------------------------------------------------------------------ 5. redirects and clear text
class _Catcher(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.seen.append(dict(self.headers.items()))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_to_another_origin_is_never_followed_with_the_keys(server, capsys):
    catcher = http.server.HTTPServer(("127.0.0.1", 0), _Catcher)
    threading.Thread(target=catcher.serve_forever, daemon=True).start()
    try:
        target = "http://localhost:%d/steal" % catcher.server_address[1]
        reset(server, rules=[{"kind": "redirect", "status": 307, "location": target, "method": "GET", "count": -1}])
        result = run(contrast_org_info, server, {}, capsys=capsys)
    finally:
        catcher.shutdown()
        catcher.server_close()
    assert result["failed"] and "redirected to %s" % target in result["msg"]
    assert _Catcher.seen == []


def test_a_same_origin_redirect_is_followed(server, capsys):
    reset(server, rules=[{"kind": "redirect", "status": 307, "location": server.contrast_url + "/api/ng/profile",
                          "method": "GET", "path": "/profile$", "count": 1}])
    result = run(contrast_org_info, server, {}, capsys=capsys)
    assert not result.get("failed") and result["profile"]["username"] == API_USER


def test_clear_text_to_a_remote_host_warns(server, capsys):
    result = run(contrast_org_info, server, {}, capsys=capsys, contrast_url="http://contrast.invalid/Contrast", retries=0, timeout=2)
    assert result["failed"]
    assert "uses http://: the API key and the service key travel in clear text to contrast.invalid" in warnings_of(result)
    reset(server)
    local = run(contrast_org_info, server, {}, capsys=capsys)
    assert "clear text" not in warnings_of(local)


# ------------------------------------------------------------------ 6. writes that did not happen
@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_user_update_that_did_not_take_fails_naming_the_field(server, capsys, dialect):
    reset(server, dialect, rules=[{"kind": "drop_write", "method": "PUT", "path": "/users/[0-9a-f]+(/enabled)?$", "count": -1}])
    result = run(contrast_user, server, {"username": "kemi@example.com", "role": "ROLE_EDIT", "first_name": "K"}, capsys=capsys)
    assert result["failed"] and "did not take it" in result["msg"]
    assert "role 'ROLE_VIEW' (wanted 'ROLE_EDIT')" in result["msg"] and "first_name 'Kemi' (wanted 'K')" in result["msg"]


def test_a_delete_that_did_not_take_fails(server, capsys):
    reset(server, rules=[{"kind": "drop_write", "method": "DELETE", "count": -1}])
    result = run(contrast_user, server, {"username": "kemi@example.com", "state": "absent"}, capsys=capsys)
    assert result["failed"] and "kemi@example.com is still there when read back" in result["msg"]


def test_a_roster_reports_the_writes_that_did_not_take(server, capsys):
    reset(server, rules=[{"kind": "drop_write", "method": "PUT", "path": "/users/[0-9a-f]+$", "count": -1}])
    entries = [{"username": "kemi@example.com", "role": "ROLE_EDIT"},
               {"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW"}]
    result = run(contrast_roster, server, {"users": entries}, capsys=capsys)
    assert result["failed"] and result["summary"]["created"] == 1 and result["summary"]["updated"] == 0
    status = dict((change["username"], change["status"]) for change in result["changes"])
    assert status == {"kemi@example.com": "failed", "new@example.com": "ok"}
    assert "Applied: create new@example.com. Not applied: update kemi@example.com" in result["msg"]


# ------------------------------------------------------------------ 7. a create answered 429 after it was applied
@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_create_answered_429_after_it_was_applied(server, capsys, dialect):
    reset(server, dialect, rules=[{"kind": "status", "status": 429, "after": True, "method": "POST", "path": "/users$"}])
    args = {"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW"}
    result = run(contrast_user, server, args, capsys=capsys)
    assert not result.get("failed"), result["msg"]
    assert result["changed"] and result["user"]["username"] == "new@example.com"
    assert [entry["username"] for entry in state(server)["outbox"]] == ["new@example.com"]


def test_a_roster_create_answered_429_after_it_was_applied(server, capsys):
    reset(server, rules=[{"kind": "status", "status": 429, "after": True, "method": "POST", "path": "/users$"}])
    entries = [{"username": "new@example.com", "first_name": "N", "last_name": "U", "role": "ROLE_VIEW"}]
    result = run(contrast_roster, server, {"users": entries}, capsys=capsys)
    assert not result.get("failed") and result["summary"]["created"] == 1
    assert len(state(server)["outbox"]) == 1


# ------------------------------------------------------------------ 8. a failing roster keeps its report
def test_an_odd_answer_after_two_writes_keeps_the_report(server, capsys):
    reset(server, rules=[{"kind": "odd_shape", "shape": "field_types", "method": "PUT", "path": "/users/[0-9a-f]+$", "count": -1}])
    entries = [{"username": "kemi@example.com", "role": "ROLE_EDIT"},
               {"username": "a@example.com", "first_name": "A", "last_name": "U", "role": "ROLE_VIEW"},
               {"username": "b@example.com", "first_name": "B", "last_name": "U", "role": "ROLE_VIEW"}]
    result = run(contrast_roster, server, {"users": entries, "parallelism": 1}, capsys=capsys)
    assert result["failed"] and result["summary"]["created"] == 2
    status = dict((change["username"], change["status"]) for change in result["changes"])
    assert status == {"kemi@example.com": "failed", "a@example.com": "ok", "b@example.com": "ok"}
    assert "unexpected answer from PUT" in result["changes"][0]["error"]


# ------------------------------------------------------------------ 9. paths, ids and URLs
@pytest.mark.parametrize("module,args", [
    (contrast_user_info, {"user_id": "../../profile"}),
    (contrast_user_info, {"user_id": ".."}),
    (contrast_user_info, {"user_id": "abc?x=1"}),
    (contrast_user_info, {"user_id": "abc#frag"}),
    (contrast_user_info, {"user_id": "abc\ndef"}),
    (contrast_user, {"user_id": "../../profile", "first_name": "X"}),
    (contrast_group_info, {"group_id": "1/users"}),
    (contrast_group_membership, {"group_id": "1", "user_ids": ["a/b"]}),
])
def test_ids_that_could_leave_their_path_segment_are_refused(server, capsys, module, args):
    reset(server)
    control(server, "DELETE", "/requests")
    result = run(module, server, args, capsys=capsys)
    assert result["failed"] and "is not an id" in result["msg"]
    assert control(server, "GET", "/requests")["requests"] == []


@pytest.mark.parametrize("org_uuid", ["%s/groups/1/users?" % emu.DEFAULT_ORG_UUID, "My Org", ""])
def test_org_uuid_must_be_a_uuid(server, capsys, org_uuid):
    reset(server)
    control(server, "DELETE", "/requests")
    result = run(contrast_user_info, server, {}, capsys=capsys, org_uuid=org_uuid)
    assert result["failed"] and "org_uuid" in result["msg"]
    assert control(server, "GET", "/requests")["requests"] == []


@pytest.mark.parametrize("url,expected", [
    ("http://admin:hunter2-secret@127.0.0.1:1/Contrast", "must not contain user:password@"),
    ("http://127.0.0.1:1/Contrast?tenant=1", "must not contain a query"),
    ("http://127.0.0.1:1/Contrast#top", "must not contain a query (?...) or a fragment"),
])
def test_a_contrast_url_with_userinfo_query_or_fragment_is_refused(server, capsys, url, expected):
    result = run(contrast_org_info, server, {}, capsys=capsys, contrast_url=url)
    assert result["failed"] and expected in result["msg"]
    assert "hunter2-secret" not in result["printed"]


# ------------------------------------------------------------------ 10. bad input
@pytest.mark.parametrize("key", ["contrast_api_key", "contrast_service_key"])
@pytest.mark.parametrize("value", ["KEY-WITH-NEWLINE\n", "KEY\r\nX-Injected: 1", "KÉY-€-NOT-LATIN-1"])
def test_malformed_keys_fail_at_once(server, capsys, key, value):
    reset(server)
    control(server, "DELETE", "/requests")
    result = run(contrast_org_info, server, {}, capsys=capsys, **{key: value})
    assert result["failed"] and key in result["msg"] and value.strip() not in result["printed"]
    assert control(server, "GET", "/requests")["requests"] == []


@pytest.mark.parametrize("module,args", [
    (contrast_user, {"username": "eve@example.com", "first_name": "Eve\u202etxt.exe", "last_name": "E", "role": "ROLE_VIEW"}),
    (contrast_user, {"username": "eve@example.com", "last_name": "E\u2066vil"}),
    (contrast_roster, {"users": [{"username": "eve@example.com", "first_name": "E\u200fve", "last_name": "E", "role": "ROLE_VIEW"}]}),
    (contrast_group_membership, {"group": "Pay\u202ements", "users": ["ada@example.com"]}),
    (contrast_user_info, {"username": "ada\u202e@example.com"}),
])
def test_bidi_and_control_characters_are_refused(server, capsys, module, args):
    reset(server)
    control(server, "DELETE", "/requests")
    result = run(module, server, args, capsys=capsys)
    assert result["failed"] and "control or bidirectional-override characters" in result["msg"]
    assert writes(server) == []
