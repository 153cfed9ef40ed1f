# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration test of the event source and the contrast_guard rulebook, through ansible-rulebook.

Usage (what ``make eda-test`` runs, inside the venv, once per dialect)::

    python tests/eda/run_guard.py --tarball dist/contrast_security-identity-X.tar.gz --work .tmp/eda --dialect guide

1. installs the built collection with ansible-galaxy into WORK/DIALECT/collections (a decision environment has the
   collection installed, not a checkout: the source must import the client from there);
2. starts the emulator (tests/eda/seed.json, the dialect asked);
3. runs the guard's two playbooks with their defaults (no opt-in): each logs a "report", no write reaches it;
4. starts ``ansible-rulebook -r contrast_security.identity.contrast_guard`` with the CONTRAST_* variables, a
   2-second poll and the guard opted in (demote unapproved administrators, put JIT accounts into Newcomers, log
   to a file); once its baseline is in, changes the organization through the emulator's control interface: an
   administrator appears (mallory), an approved one is promoted (dave), a JIT account appears, carol is disabled;
5. waits for the remediation to reach the emulator, then for two more polls, and stops ansible-rulebook;
6. with --watch, then runs contrast_watch with a local webhook: a JIT account and a failing server must reach it
   once each, and nothing may be written to the emulator;
7. asserts the emulator's state, the guard's log, that each event was printed exactly once, that no playbook
   failed, and that no key or Authorization value appears in anything the run wrote (WORK/DIALECT/output: the
   rulebook's output at -vv with its playbooks', the guard's log, the emulator's log, leftover runner folders).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from run import CREDENTIALS, scan_for_secrets, secret_forms, start_emulator, stop_emulator  # noqa: E402  pylint: disable=wrong-import-position

POLL_SECONDS = 2
STARTUP_DEADLINE = 90.0
REMEDIATION_DEADLINE = 120.0
EVENT_BLOCK = re.compile(r"\[event\] \*+\n(.*?)\n\*{20,}", re.S)
RECAP_FAILED = re.compile(r"failed=([1-9]\d*)")


class Failure(Exception):
    """What the test found wrong."""


def log(dialect, text):
    print("eda[%s]: %s" % (dialect, text), flush=True)


def install_collection(tarball, collections):
    shutil.rmtree(collections, ignore_errors=True)
    subprocess.run(["ansible-galaxy", "collection", "install", tarball, "-p", collections, "--force", "--no-deps"],
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections))
    installed = os.path.join(collections, "ansible_collections", "contrast_security", "identity")
    if not os.path.isfile(os.path.join(installed, "extensions", "eda", "plugins", "event_source", "contrast_users.py")):
        raise Failure("the built collection holds no extensions/eda/plugins/event_source/contrast_users.py")
    return installed


def events_in(output_path):
    """Every event print_event wrote (pretty-printed Python literals between the banner and the rule line)."""
    with open(output_path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    events = []
    for block in EVENT_BLOCK.findall(text):
        try:
            events.append(ast.literal_eval(block))
        except (ValueError, SyntaxError):
            continue
    return events


def summary(event):
    user = event.get("user") or {}
    return event["type"], user.get("username")


class Org:
    """The emulator's control interface."""

    def __init__(self, base_url):
        self.control = base_url + "/_emulator"

    def call(self, method, path, body=None):
        response = requests.request(method, self.control + path, json=body, timeout=10)
        if response.status_code != 200:
            raise Failure("%s %s answered %s: %s" % (method, path, response.status_code, response.text))
        return response.json()

    def state(self):
        return self.call("GET", "/state")

    def user(self, username):
        return next((user for user in self.state()["users"] if user["username"] == username), None)

    def members(self, group_name):
        group = next(group for group in self.state()["groups"] if group["name"] == group_name)
        return group["member_usernames"]


def wait_for(what, check, deadline, rulebook, dialect):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if rulebook.poll() is not None:
            raise Failure("ansible-rulebook ended (exit %s) while waiting for %s" % (rulebook.returncode, what))
        if check():
            log(dialect, "%s (%.0f s)" % (what, deadline - (end - time.monotonic())))
            return
        time.sleep(0.5)
    raise Failure("timed out after %.0f s waiting for %s" % (deadline, what))


def guard_log(path):
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def stop(rulebook):
    if rulebook.poll() is None:
        os.killpg(rulebook.pid, signal.SIGINT)
        try:
            rulebook.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(rulebook.pid, signal.SIGKILL)
            rulebook.wait()


def run(options):
    dialect = options.dialect
    work = os.path.abspath(os.path.join(options.work, dialect))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    started = time.time()
    collections = os.path.join(work, "collections")
    output_dir = os.path.join(work, "output")  # everything the run writes: the secrets scan reads it all
    temp_dir = os.path.join(output_dir, "tmp")  # ansible-rulebook's private data dirs for its playbook runs
    os.makedirs(temp_dir)
    install_collection(os.path.abspath(options.tarball), collections)
    emulator_checkout = os.path.abspath(os.path.join(HERE, "..", ".."))
    output_path = os.path.join(output_dir, "ansible-rulebook.log")
    guard_log_path = os.path.join(output_dir, "guard.log")
    inventory = os.path.join(work, "inventory.yml")
    with open(inventory, "w", encoding="utf-8") as handle:
        handle.write("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
                     "      ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n")
    variables = os.path.join(work, "vars.yml")
    with open(variables, "w", encoding="utf-8") as handle:
        json.dump({"contrast_poll_interval": POLL_SECONDS, "contrast_guard_admin_action": "demote",
                   "contrast_guard_approved_admins": ["Dave@example.com"], "contrast_guard_jit_groups": ["Newcomers"],
                   "contrast_guard_log_file": guard_log_path}, handle)

    emulator, base_url = start_emulator(emulator_checkout, os.path.join(output_dir, "emulator.log"), dialect)
    rulebook = None
    try:
        org = Org(base_url)
        org.call("POST", "/reset", dict(json.load(open(os.path.join(HERE, "seed.json"), encoding="utf-8")),
                                        dialect=dialect))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1",
                   CONTRAST_URL=base_url + "/Contrast", CONTRAST_USERNAME=CREDENTIALS["contrast_username"],
                   CONTRAST_SERVICE_KEY=CREDENTIALS["contrast_service_key"],
                   CONTRAST_API_KEY=CREDENTIALS["contrast_api_key"], CONTRAST_ORG_UUID=CREDENTIALS["contrast_org_uuid"],
                   CONTRAST_RETRIES="2", TMPDIR=temp_dir)
        env.pop("CONTRAST_API_DIALECT", None)  # auto: the source finds the dialect itself
        check_defaults_change_nothing(org, env, work, output_dir, dialect)
        rulebook = start_rulebook("contrast_security.identity.contrast_guard", inventory, variables, work, env,
                                  output_path)
        wait_for("the baseline snapshot", lambda: any(e["type"] == "snapshot" for e in events_in(output_path)),
                 STARTUP_DEADLINE, rulebook, dialect)

        # The changes, all between two polls.
        dave = org.user("dave@example.com")["user_id"]
        carol = org.user("carol@example.com")["user_id"]
        org.call("POST", "/users", {"username": "mallory@example.com", "role": "ROLE_ADMIN"})
        org.call("POST", "/users", {"username": "jit.user@example.com", "role": "ROLE_VIEW", "last_login": int(time.time() * 1000)})
        org.call("PATCH", "/users/" + dave, {"role": "ROLE_ADMIN"})
        org.call("PATCH", "/users/" + carol, {"enabled": False})
        log(dialect, "changed the organization: mallory (admin), jit.user (JIT), dave promoted (approved), carol disabled")

        def remediated():
            mallory = org.user("mallory@example.com")
            seen = set(summary(event) for event in events_in(output_path))
            return (mallory["role"] == "ROLE_VIEW" and "jit.user@example.com" in org.members("Newcomers")
                    and len(guard_log(guard_log_path)) >= 3
                    and ("role_changed", "mallory@example.com") in seen and ("groups_changed", "jit.user@example.com") in seen)

        wait_for("the remediation and the events it causes", remediated, REMEDIATION_DEADLINE, rulebook, dialect)
        time.sleep(POLL_SECONDS * 2 + 1)  # two more polls: nothing may be reported twice
        stop(rulebook)
        check(org, events_in(output_path), guard_log(guard_log_path), output_path)
        if options.watch:
            run_watch(org, env, work, output_dir, inventory, dialect)
    finally:
        if rulebook is not None:
            stop(rulebook)
        stop_emulator(emulator)

    canary = os.path.join(work, "canary.txt")  # the scan must see each form it looks for, or it proves nothing
    with open(canary, "w", encoding="utf-8") as handle:
        handle.write("\n".join(secret_forms().values()) + "\n")
    if len(scan_for_secrets([canary])[0]) != len(secret_forms()):
        raise Failure("the secrets scan does not find the keys it looks for")
    found, scanned = scan_for_secrets([output_dir], since=started)
    if found:
        raise Failure("secrets in the output: %s" % ", ".join("%s:%d (%s)" % item for item in found))
    log(dialect, "no key or Authorization value in the %d files the run wrote (ansible-rulebook -vv and its playbooks)"
        % scanned)
    log(dialect, "passed in %.0f s" % (time.time() - started))


def start_rulebook(rulebook_name, inventory, variables, work, env, output_path):
    with open(output_path, "w", encoding="utf-8") as output:
        # cwd: the work folder, so nothing resolves from the checkout; its own session, so it can be stopped whole.
        return subprocess.Popen(  # pylint: disable=consider-using-with
            ["ansible-rulebook", "-r", rulebook_name, "-i", inventory, "--vars", variables, "-vv"],
            cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True)


def run_watch(org, env, work, output_dir, inventory, dialect):
    """contrast_watch: the notable events reach a webhook, each once; a failing server gives one poll_failed;
    nothing is written to Contrast."""
    received = []

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self):  # pylint: disable=invalid-name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(json.loads(body.decode("utf-8")))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):  # pylint: disable=arguments-differ
            return

    webhook = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    variables = os.path.join(work, "watch-vars.yml")
    with open(variables, "w", encoding="utf-8") as handle:
        json.dump({"contrast_poll_interval": POLL_SECONDS,
                   "contrast_watch_webhook_url": "http://127.0.0.1:%d/hook" % webhook.server_address[1]}, handle)
    output_path = os.path.join(output_dir, "ansible-rulebook-watch.log")
    rulebook = start_rulebook("contrast_security.identity.contrast_watch", inventory, variables, work,
                              dict(env, CONTRAST_RETRIES="0"), output_path)
    try:
        wait_for("contrast_watch's baseline", lambda: any(e["type"] == "snapshot" for e in events_in(output_path)),
                 STARTUP_DEADLINE, rulebook, dialect)
        org.call("DELETE", "/requests")
        org.call("POST", "/users", {"username": "jit.two@example.com", "last_login": int(time.time() * 1000)})
        wait_for("the JIT account at the webhook", lambda: any(e.get("jit") for e in received), REMEDIATION_DEADLINE,
                 rulebook, dialect)
        org.call("POST", "/faults", {"rules": [{"kind": "status", "status": 503, "count": -1, "path": "/users$"}]})
        wait_for("poll_failed at the webhook", lambda: any(e["type"] == "poll_failed" for e in received),
                 REMEDIATION_DEADLINE, rulebook, dialect)
        org.call("DELETE", "/faults")
        time.sleep(POLL_SECONDS * 2 + 1)
    finally:
        stop(rulebook)
        webhook.shutdown()
    got = sorted(summary(event) for event in received)
    if got != [("poll_failed", None), ("user_created", "jit.two@example.com")]:
        raise Failure("contrast_watch posted %s; expected the JIT account and one poll_failed" % got)
    writes = [entry for entry in org.call("GET", "/requests")["requests"] if entry["method"] != "GET"]
    if writes:
        raise Failure("contrast_watch wrote to Contrast: %s" % writes)
    log(dialect, "contrast_watch posted the JIT account and one poll_failed to the webhook, wrote nothing")


def check_defaults_change_nothing(org, env, work, output_dir, dialect):
    """The guard's playbooks with their defaults (no opt-in): a decision is logged, nothing is sent to Contrast."""
    bob = org.user("bob@example.com")
    log_path = os.path.join(output_dir, "defaults.log")
    events = {
        "eda_guard_admin": {"type": "role_changed", "admin_granted": True, "from": "ROLE_EDIT", "to": "ROLE_ADMIN"},
        "eda_guard_jit": {"type": "user_created", "jit": True, "admin_granted": False},
    }
    org.call("DELETE", "/requests")
    for name, event in events.items():
        event["user"] = {"user_id": bob["user_id"], "username": bob["username"], "role": "ROLE_ADMIN"}
        extra = {"ansible_eda": {"event": event}, "contrast_guard_log_file": log_path}
        with open(os.path.join(output_dir, name + ".defaults.log"), "w", encoding="utf-8") as output:
            result = subprocess.run(["ansible-playbook", "-i", os.path.join(work, "inventory.yml"), "-v",
                                     "contrast_security.identity." + name, "-e", json.dumps(extra)],
                                    cwd=work, env=env, stdout=output, stderr=subprocess.STDOUT, check=False)
        if result.returncode != 0:
            raise Failure("%s with its defaults failed (see %s)" % (name, output.name))
    requests_sent = org.call("GET", "/requests")["requests"]
    writes = [entry for entry in requests_sent if entry["method"] != "GET"]
    if writes:
        raise Failure("the guard's defaults sent writes to Contrast: %s" % writes)
    decisions = sorted((entry["guard"], entry["decision"], entry["changed"]) for entry in guard_log(log_path))
    if decisions != [("admin", "report", False), ("jit", "report", False)]:
        raise Failure("the guard's defaults logged %s; expected one report each, nothing changed" % decisions)
    log(dialect, "with their defaults the guard's playbooks only report: %d request(s), no write" % len(requests_sent))


def check(org, events, decisions, output_path):
    expected = sorted([
        ("snapshot", None),
        ("user_created", "mallory@example.com"), ("user_created", "jit.user@example.com"),
        ("role_changed", "dave@example.com"), ("user_disabled", "carol@example.com"),
        # what the remediation itself changed, seen by the next poll
        ("role_changed", "mallory@example.com"), ("groups_changed", "jit.user@example.com"),
    ], key=str)
    got = sorted((summary(event) for event in events), key=str)
    if got != expected:
        raise Failure("events printed: %s; expected each of %s exactly once" % (got, expected))
    by_kind = dict((summary(event), event) for event in events)
    mallory = by_kind[("user_created", "mallory@example.com")]
    if not (mallory["admin_granted"] is True and mallory["jit"] is False and mallory["user"]["role"] == "ROLE_ADMIN"):
        raise Failure("mallory's user_created event: %r" % mallory)
    if by_kind[("user_created", "jit.user@example.com")]["jit"] is not True:
        raise Failure("the JIT account was not recognised: %r" % by_kind[("user_created", "jit.user@example.com")])
    demoted = by_kind[("role_changed", "mallory@example.com")]
    if (demoted["from"], demoted["to"], demoted["admin_revoked"]) != ("ROLE_ADMIN", "ROLE_VIEW", True):
        raise Failure("mallory's demotion event: %r" % demoted)
    if by_kind[("groups_changed", "jit.user@example.com")]["added"] != ["Newcomers"]:
        raise Failure("the JIT account's groups_changed event: %r" % by_kind[("groups_changed", "jit.user@example.com")])

    if org.user("dave@example.com")["role"] != "ROLE_ADMIN":
        raise Failure("dave is an approved administrator and was changed")
    if org.user("carol@example.com")["enabled"] is not False or org.user("alice@example.com")["role"] != "ROLE_ADMIN":
        raise Failure("users the guard must not touch were changed")
    got_decisions = sorted((entry["guard"], entry["username"], entry["decision"], entry["changed"]) for entry in decisions)
    wanted = sorted([("admin", "dave@example.com", "approved", False), ("admin", "mallory@example.com", "demote", True),
                     ("jit", "jit.user@example.com", "add_to_groups", True)])
    if got_decisions != wanted:
        raise Failure("guard log: %s; expected %s" % (got_decisions, wanted))
    with open(output_path, encoding="utf-8", errors="replace") as handle:
        failed = RECAP_FAILED.findall(handle.read())
    if failed:
        raise Failure("a playbook run by the rulebook failed (see %s)" % output_path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tarball", required=True, help="the collection built by ansible-galaxy collection build")
    parser.add_argument("--work", required=True, help="a scratch folder (one sub-folder per dialect)")
    parser.add_argument("--dialect", default="guide", choices=["guide", "teamserver"])
    parser.add_argument("--watch", action="store_true",
                        help="then also run contrast_watch (events posted to a local webhook, nothing written)")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        run(options)
    except Failure as err:
        print("eda[%s]: FAILED: %s" % (options.dialect, err), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
