# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make awx-runner-test`: the AWX job templates' playbooks run the way AWX runs them, against the emulator.

AWX runs each job with ansible-runner from a fresh private data dir: project/ (the project's
playbooks), inventory/, env/envvars (the environment, credential injections included) and
env/extravars (the job template's extra vars and the survey answers). This test builds exactly that
for each job:

- project/: the AWX project playbooks of extensions/awx/project/ (each imports the collection's
  playbook by its FQCN), plus a roster file for the drift job;
- env/envvars: rendered from the injectors of extensions/awx/credential_type.yml (AWX's rendering,
  tests/awx/awx_sim.py) with the emulator's URL and credentials as the credential's inputs, plus
  ANSIBLE_COLLECTIONS_PATH pointing at the built tarball installed under WORK (as the execution
  environment holds it); no CONTRAST_* variable is inherited from the calling shell;
- env/extravars: job template extra vars (the bulk onboarding list) or the extra vars AWX builds from
  the answers to extensions/awx/surveys/<name>.json (strings, ints and lists, as AWX sends them).

Jobs, in order, against one emulator (seeded with two access groups and one existing user):
onboard (extra vars), onboard (survey), offboard (survey), audit (survey), drift (survey, no drift
asked to fail: successful), drift (survey, fail on drift: failed). After each, the emulator's
/_emulator/state must show what the job was for (users created with their attributes and groups;
offboarded users disabled and out of their groups; drift sent no write request). Every job's
artifacts (stdout, job_events/) must hold neither key nor the Authorization header's value.

Usage: python tests/awx/run_awx_style.py --tarball DIST/contrast_security-identity-X.Y.Z.tar.gz [--work .tmp/awx-runner]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awx_sim  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AWX = os.path.join(ROOT, "extensions", "awx")
EMULATOR = os.path.join(ROOT, "tests", "emulator", "contrast_emulator.py")

# The emulator's default identity (tests/emulator/README.md): the credential's inputs in this test.
API_USERNAME = "api.admin@example.com"
SERVICE_KEY = "TEST-SERVICE-KEY-5f3a9c"
API_KEY = "TEST-API-KEY-7d2b4e"
ORG_UUID = "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"
SECRETS = {
    "service key": SERVICE_KEY,
    "API key": API_KEY,
    "Authorization header": base64.b64encode(("%s:%s" % (API_USERNAME, SERVICE_KEY)).encode()).decode(),
}

SEED = {
    "users": [{"username": "existing.user@example.com", "first_name": "Existing", "last_name": "User", "role": "ROLE_VIEW"}],
    "groups": [{"name": "Payments", "members": ["existing.user@example.com"]}, {"name": "Platform"}],
}
BULK = [
    {"username": "alice@example.com", "first_name": "Alice", "last_name": "Archer", "role": "ROLE_EDIT",
     "groups": ["Payments"], "api_only": False, "protect_enabled": False},
    {"username": "bob@example.com", "first_name": "Bob", "last_name": "Baker", "role": "ROLE_VIEW",
     "groups": ["Payments", "Platform"], "api_only": False, "protect_enabled": True},
    {"username": "carol@example.com", "first_name": "Carol", "last_name": "Cooper", "role": "ROLE_RULES_ADMIN",
     "groups": [], "api_only": False, "protect_enabled": False},
]
# Answers to the onboarding survey (one person) and the user they describe.
SURVEY_ONBOARD_ANSWERS = {
    "contrast_awx_onboard_username": "dave@example.com", "contrast_awx_onboard_first_name": "Dave",
    "contrast_awx_onboard_last_name": "Dunn", "contrast_awx_onboard_role": "ROLE_VIEW",
    "contrast_awx_onboard_groups": "Platform, Payments",
}
SURVEY_USER = {"username": "dave@example.com", "first_name": "Dave", "last_name": "Dunn", "role": "ROLE_VIEW",
               "groups": ["Platform", "Payments"], "protect_enabled": False}
# Answers to the offboarding survey (a textarea: one login per line, or comma-separated).
SURVEY_OFFBOARD_ANSWERS = {"contrast_awx_offboard_usernames": "bob@example.com\n carol@example.com,\n"}
SURVEY_OFFBOARDED = ["bob@example.com", "carol@example.com"]
# The drift roster lists Alice as she is and Dave with another role; the seed's user is unlisted and
# enabled (drift: disable); Bob and Carol are unlisted but already disabled (no drift).
EXPECTED_DRIFT = ["dave@example.com", "existing.user@example.com"]


class TestFailed(Exception):
    """An assertion of this test did not hold."""


def expect(condition, message):
    """Raise TestFailed(message) unless condition holds."""
    if not condition:
        raise TestFailed(message)


def tool(name):
    """Return the path of a console script next to this Python (the venv's), else the bare name."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.access(candidate, os.X_OK) else name


class Emulator:
    """The emulator as a subprocess on a free port."""

    def __init__(self, work):
        self.seed = os.path.join(work, "seed.json")
        with open(self.seed, "w", encoding="utf-8") as handle:
            json.dump(SEED, handle)
        self.log = os.path.join(work, "emulator.log")
        self.proc = None
        self.base = None

    def __enter__(self):
        with open(self.log, "w", encoding="utf-8") as log:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, "-u", EMULATOR, "--port", "0", "--seed", self.seed],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(self.log, encoding="utf-8") as log:
                first = log.readline().strip()
            if first.startswith("listening on "):
                self.base = first[len("listening on "):]
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.__exit__(None, None, None)
        raise TestFailed("the emulator did not start; see %s" % self.log)

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def control(self, path, method="GET"):
        """Call the emulator's control interface; return the parsed answer."""
        request = urllib.request.Request(self.base + "/_emulator" + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:  # nosec: loopback test server
            return json.loads(answer.read().decode("utf-8") or "null")

    def users(self):
        """Return {username: user} of the emulator's state, each with its group names."""
        state = self.control("/state")
        names = {}
        for group in state["groups"]:
            for username in group["member_usernames"]:
                names.setdefault(username, set()).add(group["name"])
        return {u["username"]: dict(u, group_names=names.get(u["username"], set())) for u in state["users"]}


def load_yaml(path):
    """Return the parsed YAML (or JSON) file."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def survey(name, answers):
    """Return the extra vars AWX sends for these answers to extensions/awx/surveys/<name>.json."""
    with open(os.path.join(AWX, "surveys", name + ".json"), encoding="utf-8") as handle:
        spec = json.load(handle)
    return awx_sim.survey_extra_vars(spec, answers)


def run_job(work, collections, emulator, cred_type, job):
    """Build the job's private data dir, run it with ansible-runner, check its artifacts; return the runner."""
    import ansible_runner  # pylint: disable=import-outside-toplevel

    pdd = os.path.join(work, "jobs", job["id"])
    project = os.path.join(pdd, "project")
    shutil.copytree(os.path.join(AWX, "project"), project)
    for name, content in job.get("project_files", {}).items():
        with open(os.path.join(project, name), "w", encoding="utf-8") as handle:
            yaml.safe_dump(content, handle)
    os.makedirs(os.path.join(pdd, "inventory"))
    with open(os.path.join(pdd, "inventory", "hosts"), "w", encoding="utf-8") as handle:
        handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)

    inputs = {  # the credential, as an AWX admin fills it in (TLS verification never touched)
        "contrast_url": emulator.base + "/Contrast",
        "contrast_username": API_USERNAME,
        "contrast_service_key": SERVICE_KEY,
        "contrast_api_key": API_KEY,
        "org_uuid": ORG_UUID,
    }
    env, _safe_env, cred_extra_vars = awx_sim.inject_credential(cred_type, inputs, pdd)
    env.update(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_LOCALHOST_WARNING="false")
    extravars = dict(job["extravars"], **cred_extra_vars)
    with open(os.path.join(pdd, "env", "envvars"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(env, handle)
    with open(os.path.join(pdd, "env", "extravars"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(extravars, handle)

    started = time.monotonic()
    runner = ansible_runner.run(private_data_dir=pdd, playbook=job["playbook"], ident=job["id"], quiet=True)
    elapsed = time.monotonic() - started
    artifacts = os.path.join(pdd, "artifacts", job["id"])
    stdout = os.path.join(artifacts, "stdout")
    expect(runner.status == job.get("status", "successful"),
           "job %s: status %s (rc %s), expected %s; its output:\n%s" % (
               job["id"], runner.status, runner.rc, job.get("status", "successful"), read_text(stdout)[-6000:]))
    check_no_secrets(job["id"], artifacts)
    print("ok: job %-22s %-12s %-10s %5.1f s  (%s)" % (job["id"], job["playbook"], runner.status, elapsed, job["what"]), flush=True)
    return runner


def read_text(path):
    """Return a file's text ('' when missing)."""
    if not os.path.isfile(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def check_no_secrets(job_id, artifacts):
    """No key and no Authorization value in the job's stdout and events (what AWX keeps and shows).

    ansible-runner also writes artifacts/<ident>/command, the command line with the job's whole
    environment (the injected keys included): AWX deletes the private data dir after the job, and
    this file is the one place the keys are expected. Everything else is scanned.
    """
    expect(os.path.isfile(os.path.join(artifacts, "stdout")), "job %s: no stdout artifact" % job_id)
    expect(os.listdir(os.path.join(artifacts, "job_events")), "job %s: no job events" % job_id)
    scanned = 0
    for folder, _dirs, files in os.walk(artifacts):
        for name in files:
            path = os.path.join(folder, name)
            if os.path.relpath(path, artifacts) == "command":
                continue
            text = read_text(path)
            scanned += 1
            for what, secret in SECRETS.items():
                expect(secret not in text, "job %s: the %s appears in %s" % (job_id, what, os.path.relpath(path, artifacts)))
    expect(scanned > 2, "job %s: too few artifacts scanned (%d)" % (job_id, scanned))


def roster_changes(runner):
    """Return the usernames in the `changes` of the job's contrast_roster task (its drift report)."""
    for event in runner.events:
        data = event.get("event_data") or {}
        action = data.get("resolved_action") or data.get("task_action") or ""
        if event.get("event") == "runner_on_ok" and action.endswith("contrast_roster"):
            return sorted(change["username"] for change in data["res"]["changes"])
    raise TestFailed("no contrast_roster result among the job's events")


def check_onboarded(emulator, users):
    """Each user exists, enabled, with the given attributes and (at least) the given groups."""
    state = emulator.users()
    for wanted in users:
        got = state.get(wanted["username"])
        expect(got is not None, "%s was not created" % wanted["username"])
        for key in ("first_name", "last_name", "role", "api_only", "protect_enabled"):
            if key in wanted:
                expect(got[key] == wanted[key], "%s: %s is %r, expected %r" % (wanted["username"], key, got[key], wanted[key]))
        expect(got["enabled"] is True, "%s is not enabled" % wanted["username"])
        expect(set(wanted.get("groups", [])) <= got["group_names"],
               "%s: groups %s, expected %s" % (wanted["username"], sorted(got["group_names"]), wanted.get("groups")))


def check_offboarded(emulator, usernames, untouched):
    """The offboarded users are disabled and in no group; the others still enabled."""
    state = emulator.users()
    for username in usernames:
        expect(username in state, "%s disappeared (offboarding must disable, not delete)" % username)
        expect(state[username]["enabled"] is False, "%s is still enabled" % username)
        expect(not state[username]["group_names"], "%s is still in %s" % (username, sorted(state[username]["group_names"])))
    for username in untouched:
        expect(state[username]["enabled"] is True, "%s was disabled too" % username)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tarball", required=True, help="the built collection tarball")
    parser.add_argument("--work", default=os.path.join(ROOT, ".tmp", "awx-runner"), help="scratch folder (recreated)")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    started = time.monotonic()

    # Nothing from the calling shell may stand in for the credential's injection.
    for name in [n for n in os.environ if n.startswith("CONTRAST_")] + ["ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"]:
        os.environ.pop(name, None)
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

    try:
        for playbook in ("onboard", "offboard", "audit", "drift"):
            expect(os.path.isfile(os.path.join(ROOT, "playbooks", playbook + ".yml")), "playbooks/%s.yml does not exist yet" % playbook)
        if os.path.isdir(work):
            shutil.rmtree(work)
        os.makedirs(work)
        collections = os.path.join(work, "collections")
        install = subprocess.run([tool("ansible-galaxy"), "collection", "install", "--force", args.tarball, "-p", collections],
                                 check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        expect(install.returncode == 0, "ansible-galaxy collection install %s failed:\n%s" % (args.tarball, install.stdout))
        cred_type = load_yaml(os.path.join(AWX, "credential_type.yml"))
        reports = os.path.join(work, "reports")
        roster_users = [dict(BULK[0]), dict(SURVEY_USER, role="ROLE_EDIT")]  # Dave's role differs: drift
        jobs = [
            {"id": "onboard-extravars", "playbook": "onboard.yml", "what": "job template extra vars, 3 users",
             "extravars": {"contrast_onboard_users": BULK}},
            {"id": "onboard-survey", "playbook": "onboard.yml", "what": "survey, 1 user",
             "extravars": survey("onboard", SURVEY_ONBOARD_ANSWERS)},
            {"id": "offboard-survey", "playbook": "offboard.yml", "what": "survey, 2 users",
             "extravars": survey("offboard", SURVEY_OFFBOARD_ANSWERS)},
            {"id": "audit-survey", "playbook": "audit.yml", "what": "survey defaults",
             "extravars": survey("audit", {"contrast_audit_report_dir": reports})},
            {"id": "drift-survey", "playbook": "drift.yml", "what": "survey defaults, drift reported",
             "project_files": {"roster.yml": {"users": roster_users}}, "extravars": None},
            {"id": "drift-survey-fail", "playbook": "drift.yml", "what": "survey, fail on drift: red job",
             "project_files": {"roster.yml": {"users": roster_users}}, "extravars": None, "status": "failed"},
        ]
        with Emulator(work) as emulator:
            print("emulator: %s (log %s)" % (emulator.base, os.path.relpath(emulator.log, ROOT)), flush=True)
            untouched = ["existing.user@example.com", "alice@example.com"]

            run_job(work, collections, emulator, cred_type, jobs[0])
            check_onboarded(emulator, BULK)
            run_job(work, collections, emulator, cred_type, jobs[1])
            check_onboarded(emulator, [SURVEY_USER])
            run_job(work, collections, emulator, cred_type, jobs[2])
            check_offboarded(emulator, SURVEY_OFFBOARDED, untouched + [SURVEY_USER["username"]])
            print("ok: the emulator shows %d users onboarded and %d offboarded" % (len(BULK) + 1, len(SURVEY_OFFBOARDED)))

            run_job(work, collections, emulator, cred_type, jobs[3])
            for suffix in ("json", "csv", "html"):
                expect(os.path.isfile(os.path.join(reports, "access-report." + suffix)), "audit: no access-report.%s in %s" % (suffix, reports))

            emulator.control("/requests", method="DELETE")
            for job, fail in ((jobs[4], "false"), (jobs[5], "true")):
                roster = os.path.join(work, "jobs", job["id"], "project", "roster.yml")
                job["extravars"] = survey("drift", {"contrast_roster_file": roster, "contrast_drift_fail_on_drift": fail})
                drift = roster_changes(run_job(work, collections, emulator, cred_type, job))
                expect(drift == EXPECTED_DRIFT, "job %s: drift %s, expected %s" % (job["id"], drift, EXPECTED_DRIFT))
            counters = emulator.control("/requests")["counters"]
            writes = {m: n for m, n in counters["by_method"].items() if m != "GET"}
            expect(counters["total"] > 0 and not writes, "drift: expected reads only, got %s" % counters["by_method"])
            print("ok: drift read the organization %d times and wrote nothing" % counters["total"])
    except TestFailed as err:
        print("awx-runner-test FAILED: %s" % err, file=sys.stderr)
        return 1
    print("awx-runner-test: all jobs passed in %.1f s" % (time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
