# Copyright: Contributors to the contrast_security.identity collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every example of the documentation against the emulator, as an admin would copy it.

Usage (what ``make examples`` runs, inside ``make shell``: venv active, collection on
ANSIBLE_COLLECTIONS_PATH, emulator running with CONTRAST_* and CONTRAST_EMULATOR_URL exported)::

    python tests/docs/run_examples.py [--root .] [--work .tmp/examples] [--list]

What runs, taken from the files themselves (never copied by hand):

* the ``EXAMPLES`` block of every module and filter (``plugins/modules``, ``plugins/filter``);
* every ```` ```yaml ```` block of ``README.md`` and ``roles/*/README.md`` that is a play or a task list (a block
  that is data, such as a report's shape, is listed as such and not run);
* every ```` ```bash ```` block of those files that runs one of the collection's playbooks.

The YAML examples run in **one** ``ansible-playbook`` run (those that fail on purpose each in a run of their own,
since a play whose hosts all failed ends a run): each gets its own inventory host (all local), so that nothing
one example registers is seen by another, and starts with the emulator reset to the same
organization (``tests/docs/examples.yml``: the demo seed plus the users the examples name). A task list
becomes the tasks of a play; a play keeps its text, its ``hosts`` pointed at its own host. Each bash block runs
in bash, after a reset, without its ``export CONTRAST_...`` lines (the emulator's values are exported).

The only changes made to an example: ``contrast_url`` (in ``module_defaults`` or a task) is the emulator's;
an absolute path listed under ``paths`` is moved under the scratch directory; a module of a collection that
is not this one or ``ansible.builtin`` (``community.general.mail``) becomes an ``ansible.builtin.debug`` of its
arguments, which are still templated. Variables the examples assume (a vault's, an HR list's) and files they
read are given by ``tests/docs/examples.yml``, which also names the examples that end in a failure on purpose
(and the text it must contain). Every other example must succeed. Exit code: 0 when every example did what
it should, 1 otherwise.
"""

from __future__ import annotations

import argparse
import ast
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import yaml

COLLECTION = "contrast_security.identity"
CONNECTION_GROUP = "group/%s.contrast" % COLLECTION
FENCE = re.compile(r"^```(\w*)\s*$")
PLAYBOOK_COMMAND = "ansible-playbook %s." % COLLECTION
# Keys of a task that are not its module (a task's module is its one other key).
TASK_KEYWORDS = frozenset((
    "name", "register", "vars", "when", "loop", "loop_control", "with_items", "with_dict", "tags", "check_mode",
    "diff", "changed_when", "failed_when", "ignore_errors", "no_log", "become", "delegate_to", "run_once",
    "module_defaults", "environment", "notify", "until", "retries", "delay", "args", "block", "rescue", "always",
    "listen", "any_errors_fatal", "throttle", "timeout", "connection", "collections", "debugger", "ignore_unreachable",
))
PLAY_TASK_LISTS = ("pre_tasks", "tasks", "post_tasks", "handlers")


class Example:
    """One example: where it comes from, what kind it is, its text."""

    def __init__(self, source, block, line, kind, text):
        self.source, self.block, self.line, self.kind, self.text = source, block, line, kind, text
        self.key = "%s#%d" % (source, block)
        self.host = None

    def __repr__(self):
        return "%s (line %d, %s)" % (self.key, self.line, self.kind)


# ---------------------------------------------------------------- extraction

def plugin_examples(root):
    """The EXAMPLES string of every module and filter, read with ast (the plugin is not imported)."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, "plugins", "modules", "*.py"))
                       + glob.glob(os.path.join(root, "plugins", "filter", "*.py"))):
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "EXAMPLES" for target in node.targets):
                found.append(Example(os.path.relpath(path, root), 1, node.lineno, "tasks", node.value.value))
    return found


def markdown_blocks(root):
    """(relative path, block number, line, language, text) of every fenced block of the READMEs."""
    paths = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "roles", "*", "README.md")))
    blocks = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        language, start, body, number = None, 0, [], 0
        for index, line in enumerate(lines, start=1):
            match = FENCE.match(line)
            if match and language is None:
                language, start, body = match.group(1) or "text", index, []
            elif line.startswith("```") and language is not None:
                number += 1
                blocks.append((os.path.relpath(path, root), number, start, language, "\n".join(body) + "\n"))
                language = None
            elif language is not None:
                body.append(line)
    return blocks


def is_task(item):
    return isinstance(item, dict) and any(key not in TASK_KEYWORDS for key in item) or (
        isinstance(item, dict) and any(key in item for key in ("block", "include_role", "import_role")))


def classify(text):
    """'plays', 'tasks' or 'data' for a YAML block."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "data"
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        if all("hosts" in item or "import_playbook" in item for item in data):
            return "plays"
        if all(is_task(item) for item in data) and any("name" in item for item in data):
            return "tasks"
    return "data"


def collect(root):
    examples = plugin_examples(root)
    skipped = []
    for source, number, line, language, text in markdown_blocks(root):
        if language in ("yaml", "yml"):
            kind = classify(text)
            if kind == "data":
                skipped.append("%s#%d (line %d): data, not a play or task list" % (source, number, line))
                continue
            examples.append(Example(source, number, line, kind, text))
        elif language in ("bash", "sh", "shell") and PLAYBOOK_COMMAND in text:
            examples.append(Example(source, number, line, "bash", text))
    return examples, skipped


# ---------------------------------------------------------------- rewriting

def point_at_emulator(module_defaults, url):
    if isinstance(module_defaults, dict) and isinstance(module_defaults.get(CONNECTION_GROUP), dict):
        if "contrast_url" in module_defaults[CONNECTION_GROUP]:
            module_defaults[CONNECTION_GROUP]["contrast_url"] = url


def rewrite_tasks(tasks, url, stubbed):
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        point_at_emulator(task.get("module_defaults"), url)
        for section in ("block", "rescue", "always"):
            rewrite_tasks(task.get(section), url, stubbed)
        modules = [key for key in task if key not in TASK_KEYWORDS]
        if len(modules) != 1:
            continue
        module = modules[0]
        args = task[module]
        if module.startswith(COLLECTION + ".") and isinstance(args, dict) and "contrast_url" in args:
            args["contrast_url"] = url
        if module.count(".") >= 2 and not module.startswith((COLLECTION + ".", "ansible.builtin.")):
            # Not installed where the collection is tested: show the arguments instead (still templated).
            del task[module]
            task["ansible.builtin.debug"] = {"msg": {"stubbed module": module, "arguments": args}}
            stubbed.add(module)


def rewrite_play(play, host, url, stubbed):
    play["hosts"] = host
    point_at_emulator(play.get("module_defaults"), url)
    for section in PLAY_TASK_LISTS:
        rewrite_tasks(play.get(section), url, stubbed)
    return play


def moved_paths(text, paths, scratch):
    for path in paths:
        text = text.replace(path, scratch.rstrip("/") + path)
    return text


# ---------------------------------------------------------------- running

def emulator_env():
    names = ("CONTRAST_URL", "CONTRAST_USERNAME", "CONTRAST_SERVICE_KEY", "CONTRAST_API_KEY", "CONTRAST_ORG_UUID",
             "CONTRAST_EMULATOR_URL")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        sys.exit("run_examples.py: %s not set: run it inside `make shell` (SHELL_COMMAND=...)" % ", ".join(missing))
    return dict((name, os.environ[name]) for name in names)


def organization(root, config):
    with open(os.path.join(root, "tests", "emulator", "seeds", "demo.json"), encoding="utf-8") as handle:
        seed = json.load(handle)
    seed.pop("_comment", None)
    seed["users"] = seed["users"] + list(config.get("extra_users") or [])
    return seed


def reset(control_url, seed):
    request = urllib.request.Request(control_url + "/reset", data=json.dumps(seed).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def filled(value, env):
    """The config's values with {emulator_*} filled in."""
    if isinstance(value, str):
        return value.format(emulator_username=env["CONTRAST_USERNAME"], emulator_service_key=env["CONTRAST_SERVICE_KEY"],
                            emulator_api_key=env["CONTRAST_API_KEY"], emulator_org_uuid=env["CONTRAST_ORG_UUID"])
    if isinstance(value, list):
        return [filled(item, env) for item in value]
    if isinstance(value, dict):
        return dict((key, filled(item, env)) for key, item in value.items())
    return value


def write_files(work, files):
    for name, content in (files or {}).items():
        with open(os.path.join(work, name), "w", encoding="utf-8") as handle:
            if name.endswith(".json"):
                json.dump(content, handle, indent=2)
            else:
                yaml.safe_dump(content, handle, sort_keys=False)


def build_playbook(examples, by_key, config, env, work, seed_path, stubbed):
    """One playbook: for each example, a play that resets the emulator, then the example's play(s), on its host."""
    plays = []
    url = env["CONTRAST_URL"]
    for number, example in enumerate(examples, start=1):
        example.host = "example%02d" % number
        plays.append({
            "name": "Example %s: reset the emulator" % example.key,
            "hosts": example.host,
            "gather_facts": False,
            "tasks": [{"name": "Reset the emulator to the examples' organization",
                       "ansible.builtin.uri": {"url": env["CONTRAST_EMULATOR_URL"] + "/reset", "method": "POST",
                                               "body_format": "json", "body": "{{ lookup('ansible.builtin.file', '%s') "
                                               "| ansible.builtin.from_json }}" % seed_path}}],
        })
        text = moved_paths(example.text, config.get("paths") or [], work)
        if example.kind == "plays":
            for play in yaml.safe_load(text):
                plays.append(rewrite_play(play, example.host, url, stubbed))
            continue
        tasks = yaml.safe_load(text)
        before = config.get("continues", {}).get(example.key)
        if before:
            tasks = yaml.safe_load(moved_paths(by_key[before].text, config.get("paths") or [], work)) + tasks
        plays.append(rewrite_play({"name": "Example %s (line %d)" % (example.key, example.line), "hosts": "localhost",
                                   "gather_facts": False, "tasks": tasks}, example.host, url, stubbed))
    return plays


RECAP = re.compile(r"^(example\d+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


def failures_of(host, output):
    """The failure reports of `host`: each 'fatal: [host]: ...' line with the result printed after it."""
    found, current = [], None
    for line in output.splitlines():
        if line.startswith(("fatal: [%s]" % host, "failed: [%s]" % host)):
            current = [line]
            found.append(current)
        elif current is not None and (line.startswith(" ") or line == "}"):
            current.append(line)
        else:
            current = None
    return [" ".join(part.strip() for part in lines) for lines in found]


def judge(examples, output, expect_failure):
    """[(example, problem)] from the run's output: a failure where none was expected, or the wrong one."""
    recap = dict((match.group(1), int(match.group(5)) + int(match.group(4)))
                 for match in (RECAP.match(line) for line in output.splitlines()) if match)
    problems = []
    for example in examples:
        if example.host not in recap:
            problems.append((example, "did not run: an example before it in the same run failed"))
            continue
        fatal = failures_of(example.host, output)
        expected = expect_failure.get(example.key)
        if expected is None and recap[example.host]:
            problems.append((example, "failed: %s" % ("\n    ".join(fatal) or "see the output")))
        elif expected is not None and not any(expected in line for line in fatal):
            problems.append((example, "should fail with %r, but %s" % (
                expected, "failed otherwise: %s" % "\n    ".join(fatal) if fatal else "succeeded")))
    return problems


def run_playbook(examples, number, by_key, config, env, work, seed_path):
    """One ansible-playbook run of `examples` (each on its own host); [(example, problem)]."""
    started = time.monotonic()
    stubbed = set()
    playbook = build_playbook(examples, by_key, config, env, work, seed_path, stubbed)
    name = "examples-%d" % number
    with open(os.path.join(work, name + ".yml"), "w", encoding="utf-8") as handle:
        handle.write("---\n# Written by tests/docs/run_examples.py from the documentation's examples.\n")
        yaml.safe_dump(playbook, handle, sort_keys=False, width=120)
    with open(os.path.join(work, name + ".ini"), "w", encoding="utf-8") as handle:
        for example in examples:
            handle.write("%s ansible_connection=local ansible_python_interpreter=%s\n" % (example.host, sys.executable))
    print("run_examples.py: %s, one ansible-playbook run: %s%s" % (
        name, ", ".join(example.key for example in examples),
        "; stubbed: %s" % ", ".join(sorted(stubbed)) if stubbed else ""), flush=True)
    proc = subprocess.run(["ansible-playbook", "-i", name + ".ini", "-e", "@vars.yml", name + ".yml"], cwd=work,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace", check=False,
                          env=dict(os.environ, PWD=work, ANSIBLE_FORCE_COLOR="false", ANSIBLE_NOCOLOR="true",
                                   ANSIBLE_PIPELINING="true"))
    with open(os.path.join(work, name + ".log"), "w", encoding="utf-8") as handle:
        handle.write(proc.stdout)
    print("run_examples.py: %s took %.0f s" % (name, time.monotonic() - started), flush=True)
    return judge(examples, proc.stdout, config.get("expect_failure") or {})


def run_bash(example, config, env, work, seed, files):
    """Run a bash block without its `export CONTRAST_...` lines; returns (ok, output)."""
    lines, skipping = [], False
    for line in moved_paths(example.text, config.get("paths") or [], work).splitlines():
        if line.startswith("export CONTRAST_") or skipping:
            skipping = line.rstrip().endswith("\\")
            continue
        lines.append(line)
    reset(env["CONTRAST_EMULATOR_URL"], seed)
    write_files(work, files)
    script = "set -euo pipefail\nset -x\n" + "\n".join(lines) + "\n"
    # PWD too: the playbooks take relative paths from it (the current directory of a shell).
    proc = subprocess.run(["bash", "-c", script], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", check=False, env=dict(os.environ, PWD=work))
    return proc.returncode == 0, proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--root", default=os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
    parser.add_argument("--work", help="scratch directory (default ROOT/.tmp/examples); emptied first")
    parser.add_argument("--list", action="store_true", help="list the examples found and exit")
    options = parser.parse_args()
    root = os.path.abspath(options.root)
    examples, skipped = collect(root)
    if options.list:
        for example in examples:
            print(example)
        for line in skipped:
            print("not run: " + line)
        return 0

    env = emulator_env()
    with open(os.path.join(root, "tests", "docs", "examples.yml"), encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    work = os.path.abspath(options.work or os.path.join(root, ".tmp", "examples"))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for path in config.get("paths") or []:
        os.makedirs(work + path, exist_ok=True)
    seed = organization(root, config)
    seed_path = os.path.join(work, "organization.json")
    with open(seed_path, "w", encoding="utf-8") as handle:
        json.dump(seed, handle)
    files = filled(config.get("files"), env)
    write_files(work, files)
    by_key = dict((example.key, example) for example in examples)
    unknown = sorted((set(config.get("expect_failure") or {}) | set(config.get("continues") or {})) - set(by_key))
    if unknown:
        print("run_examples.py: tests/docs/examples.yml names examples that do not exist: %s" % ", ".join(unknown))
        return 1

    started = time.monotonic()
    yaml_examples = [example for example in examples if example.kind != "bash"]
    expect_failure = config.get("expect_failure") or {}
    # A play whose every host failed ends the whole run: the examples that fail on purpose run on their own.
    runs = [[example for example in yaml_examples if example.key not in expect_failure]]
    runs += [[example] for example in yaml_examples if example.key in expect_failure]
    with open(os.path.join(work, "vars.yml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(filled(config.get("vars") or {}, env), handle)
    problems = []
    for number, run in enumerate(runs, start=1):
        problems += run_playbook(run, number, by_key, config, env, work, seed_path)

    for example in [example for example in examples if example.kind == "bash"]:
        bash_started = time.monotonic()
        ok, output = run_bash(example, config, env, work, seed, files)
        print("run_examples.py: %s (bash) took %.0f s" % (example.key, time.monotonic() - bash_started), flush=True)
        with open(os.path.join(work, "bash-%s-%d.log" % (example.source.replace("/", "_"), example.block)), "w",
                  encoding="utf-8") as handle:
            handle.write(output)
        if not ok:
            problems.append((example, "failed:\n" + output[-3000:]))

    for line in skipped:
        print("run_examples.py: not run: %s" % line)
    for example in examples:
        status = "FAILED" if any(example is failed for failed, _problem in problems) else "ok"
        print("run_examples.py: %-6s %s" % (status, example))
    for example, problem in problems:
        print("\nrun_examples.py: %s, line %d: %s" % (example.key, example.line, problem))
    if problems:
        print("\nrun_examples.py: %d of %d examples did not run as documented (output: %s/examples-*.log)"
              % (len(problems), len(examples), work))
        return 1
    print("run_examples.py: all %d examples ran as documented in %.0f s" % (len(examples), time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
