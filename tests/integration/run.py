# Copyright: Contributors to the contrast_security.identity collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ``ansible-test integration`` against a freshly started Contrast API emulator.

Usage (what ``make integration`` runs, inside the venv)::

    python tests/integration/run.py --collection .tmp/ansible_collections/contrast_security/identity \
        [--python 3.11] [--dialect guide|teamserver] [ANSIBLE-TEST ARGUMENTS AND TARGETS ...]

1. starts ``tests/emulator/contrast_emulator.py --port 0 --dialect DIALECT`` (run.py's ``--dialect``,
   default guide, plus that dialect's DIALECT_SWITCHES) from the collection copy and reads its first stdout line, ``listening on http://127.0.0.1:PORT``;
2. writes ``tests/integration/integration_config.yml`` in the copy, with the emulator's URLs
   and its default credentials (``contrast_url``, ``contrast_control_url``, ...);
3. runs ``ansible-test integration --local --python 3.11 ARGS...`` in the copy, with
   ``ANSIBLE_COLLECTIONS_PATH`` set to the folder that holds ``ansible_collections/``;
4. always stops the emulator (also on failure, Ctrl-C or SIGTERM), and exits with
   ansible-test's exit code.

The emulator's later output goes to ``tests/output/emulator.log`` in the copy.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import signal
import subprocess
import sys
import threading
import time

STARTUP_TIMEOUT = 30.0
LISTENING = re.compile(r"^listening on (https?://127\.0\.0\.1:(\d+))\s*$")

# The emulator's default identity (tests/emulator/README.md).
CREDENTIALS = {
    "contrast_username": "api.admin@example.com",
    "contrast_service_key": "TEST-SERVICE-KEY-5f3a9c",
    "contrast_api_key": "TEST-API-KEY-7d2b4e",
    "contrast_org_uuid": "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d",
}


# What each pass's emulator varies, beyond its dialect (tests/emulator/README.md, "Switches"): the
# teamserver pass answers strictly (documented shapes only, which is always so, omitted booleans read
# as false, unpaged member lists), the guide pass with unpaged member lists.
DIALECT_SWITCHES = {"teamserver": ["--strict"], "guide": ["--unpaged-members"]}


class EmulatorError(Exception):
    """The emulator did not start as its CLI contract says."""


def _terminate(signum, frame):  # pylint: disable=unused-argument
    """Turn SIGTERM into SystemExit so that the finally clauses stop the emulator."""
    raise SystemExit(128 + signum)


def start_emulator(collection: str, log_path: str, dialect: str = "guide") -> tuple[subprocess.Popen, str]:
    """Start the emulator on a free port, speaking `dialect`; return the process and its base URL."""
    script = os.path.join(collection, "tests", "emulator", "contrast_emulator.py")
    if not os.path.isfile(script):
        raise EmulatorError("emulator not found: %s" % script)

    proc = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, "-u", script, "--port", "0", "--dialect", dialect] + DIALECT_SWITCHES.get(dialect, []),
        cwd=collection, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace",
    )
    found: list[re.Match] = []
    ready = threading.Event()

    def drain() -> None:
        """Copy the output to the log file; signal the address line (stderr is merged in)."""
        with open(log_path, "w", encoding="utf-8") as log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                match = LISTENING.match(line)
                if match and not found:
                    found.append(match)
                    ready.set()
        ready.set()

    threading.Thread(target=drain, name="emulator-output", daemon=True).start()

    if not ready.wait(STARTUP_TIMEOUT) or not found:
        stop_emulator(proc)
        raise EmulatorError("emulator did not print 'listening on http://127.0.0.1:PORT' within %.0f s "
                            "(exit code %s); see %s" % (STARTUP_TIMEOUT, proc.returncode, log_path))

    match = found[0]
    return proc, match.group(1)


def stop_emulator(proc: subprocess.Popen) -> None:
    """Stop the emulator: SIGTERM, then SIGKILL after 10 seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def write_config(collection: str, base_url: str, dialect: str = "guide") -> str:
    """Write tests/integration/integration_config.yml for ansible-test; return its path."""
    values = {
        "contrast_url": base_url + "/Contrast",
        "contrast_control_url": base_url + "/_emulator",
        # The dialect the emulator speaks after every reset; targets may branch on it.
        "contrast_emulator_dialect": dialect,
    }
    values.update(CREDENTIALS)
    path = os.path.join(collection, "tests", "integration", "integration_config.yml")
    with open(path, "w", encoding="utf-8") as config:
        config.write("---\n")
        config.write("# Written by tests/integration/run.py for one run; git-ignored.\n")
        for key, value in values.items():
            config.write('%s: "%s"\n' % (key, value))
    return path


def secret_forms() -> dict:
    """Every form in which the emulator's credentials could leak: the keys, and the Authorization value."""
    pair = "%s:%s" % (CREDENTIALS["contrast_username"], CREDENTIALS["contrast_service_key"])
    return {
        "API key": CREDENTIALS["contrast_api_key"],
        "service key": CREDENTIALS["contrast_service_key"],
        "Authorization header value": base64.b64encode(pair.encode("utf-8")).decode("ascii"),
    }


def scan_for_secrets(paths, since=0.0) -> tuple:
    """([(path, line number, what) for every secret found], number of files read) over files or folders
    `paths`, reading only the files written at or after `since` (the run's own output, not earlier runs')."""
    secrets = secret_forms()
    found = []
    files = []
    for path in paths:
        if os.path.isdir(path):
            for folder, _dirs, names in os.walk(path):
                files.extend(os.path.join(folder, name) for name in names)
        elif os.path.isfile(path):
            files.append(path)
    files = [name for name in files if os.path.isfile(name) and os.path.getmtime(name) >= since]
    for name in files:
        try:
            with open(name, "r", encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, start=1):
                    for what, secret in secrets.items():
                        if secret in line:
                            found.append((name, number, what))
        except OSError:
            continue
    return found, len(files)


# What a --scan-secrets run shows on the terminal: progress and failures (every line goes to the log file).
SHOWN = re.compile(r"^(Running |PLAY RECAP|NOTICE|FATAL|ERROR|WARNING: |testhost +:|fatal: |failed: |\[ERROR\])")


def run_logged(command, cwd, env, log_file) -> int:
    """Run `command`, writing all of its output to `log_file` and showing the SHOWN lines (shortened)."""
    with open(log_file, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        for line in proc.stdout:
            log.write(line)
            if SHOWN.match(line):
                sys.stdout.write(line if len(line) <= 400 else line[:400] + " [...]\n")
                sys.stdout.flush()
        return proc.wait()


def find_ansible_test() -> str:
    """Return the ansible-test beside this interpreter (the venv's), else the one on PATH."""
    candidate = os.path.join(os.path.dirname(sys.executable), "ansible-test")
    return candidate if os.path.isfile(candidate) else "ansible-test"


def main() -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--collection", required=True,
                        help="the collection copy: .../ansible_collections/contrast_security/identity")
    parser.add_argument("--python", default="%d.%d" % sys.version_info[:2],
                        help="Python version for ansible-test (default: this interpreter's)")
    parser.add_argument("--dialect", default="guide", choices=("guide", "teamserver"),
                        help="the API dialect the emulator speaks (default: guide)")
    parser.add_argument("--scan-secrets", action="store_true",
                        help="run ansible-playbook at -vvvv (ANSIBLE_DEBUG off), keep every line of output in "
                             "tests/output/integration-DIALECT.log (the terminal shows progress and failures), then "
                             "fail if the API key, the service key or the Authorization value appears in that log, "
                             "the emulator's log or anything under tests/output")
    options, passthrough = parser.parse_known_args()

    collection = os.path.abspath(options.collection)
    if os.path.basename(os.path.dirname(os.path.dirname(collection))) != "ansible_collections":
        parser.error("--collection must end in ansible_collections/<namespace>/<name>")
    collections_path = os.path.dirname(os.path.dirname(os.path.dirname(collection)))

    signal.signal(signal.SIGTERM, _terminate)
    output_dir = os.path.join(collection, "tests", "output")
    os.makedirs(output_dir, exist_ok=True)
    log_path = os.path.join(output_dir, "emulator.log")

    try:
        proc, base_url = start_emulator(collection, log_path, options.dialect)
    except EmulatorError as exc:
        print("run.py: %s" % exc, file=sys.stderr)
        return 2

    try:
        print("run.py: %s emulator listening on %s (pid %d, log %s)" % (options.dialect, base_url, proc.pid, log_path),
              flush=True)
        write_config(collection, base_url, options.dialect)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path)
        command = [find_ansible_test(), "integration", "--local", "--python", options.python] + passthrough
        if not options.scan_secrets:
            print("run.py: %s" % " ".join(command), flush=True)
            return subprocess.call(command, cwd=collection, env=env)
        env["ANSIBLE_DEBUG"] = "0"
        started = time.time() - 1
        command.append("-vvvv")
        output_log = os.path.join(output_dir, "integration-%s.log" % options.dialect)
        print("run.py: %s (all output in %s)" % (" ".join(command), output_log), flush=True)
        code = run_logged(command, collection, env, output_log)
    finally:
        stop_emulator(proc)
    if code != 0:
        print("run.py: ansible-test failed; the last lines of %s:" % output_log, flush=True)
        with open(output_log, encoding="utf-8", errors="replace") as log:
            sys.stdout.write("".join(log.readlines()[-150:]))
    found, scanned = scan_for_secrets([output_dir], since=started)
    size = os.path.getsize(output_log)
    if found:
        for name, number, what in found[:50]:
            print("run.py: LEAK: the %s appears in %s line %d" % (what, os.path.relpath(name, collection), number))
        print("run.py: %d secret occurrence(s) in the output of the suite" % len(found), flush=True)
        return code or 3
    print("run.py: no secret (API key, service key, Authorization value) in the %d files this run wrote under "
          "tests/output, including %.1f MB of -vvvv output" % (scanned, size / 1e6), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
