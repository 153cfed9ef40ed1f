# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Static checks of extensions/awx (run first by `make awx-runner-test`).

Credential type (extensions/awx/credential_type.yml)
- Valid for AWX: unique ids and labels, string/boolean types, `required` names existing fields,
  every injector template renders with only the defined inputs (AWX's StrictUndefined check), no
  ANSIBLE_* or reserved variable names.
- The injectors set exactly environment variables the modules fall back to (read from
  plugins/module_utils/base.py), and every connection option without a default is among them,
  plus URL and TLS verification. The two keys are secret inputs, and every variable carrying a
  secret has a name AWX masks in the job's recorded environment.
- Rendered the AWX way: the values arrive unchanged; TLS verification is on unless asked off
  (also when the boolean was never set); the CA file injector writes the PEM and CONTRAST_CA_PATH
  points at it, or is empty without a CA.

Surveys (extensions/awx/surveys/<name>.json)
- Valid AWX survey_spec documents (what the survey_spec endpoint accepts).
- Each variable is an option of roles/<name>/meta/argument_specs.yml (when that file exists) of a type
  AWX can deliver (integer -> int, multiselect -> list, multiplechoice true/false -> bool, other
  multiplechoice/text -> str or path, choices within the option's choices), or a variable the
  collection playbook playbooks/<name>.yml or the AWX project playbook extensions/awx/project/<name>.yml
  reads (drift has no role; the project playbooks turn survey strings into role lists).
- Each survey has its project playbook, which imports contrast_security.identity.<name>.

Registration playbook (extensions/awx/register_credential_type.yml)
- Run against a stub awx.awx.credential_type module (awx.awx is not installed here): the module must
  receive name, kind, inputs and injectors exactly as in credential_type.yml (templates not rendered
  by Ansible).

Usage: python tests/awx/check_awx_extensions.py [--work .tmp/awx-check]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awx_sim  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AWX = os.path.join(ROOT, "extensions", "awx")
CREDENTIAL_TYPE = os.path.join(AWX, "credential_type.yml")
SURVEYS = ("onboard", "offboard", "audit", "drift")
# Connection options a credential must provide (no default) or that decide where and how it connects.
MUST_INJECT = ("contrast_url", "contrast_username", "contrast_service_key", "contrast_api_key", "org_uuid", "validate_certs")
AWX_ENV_BLOCKLIST = {
    "VIRTUAL_ENV", "PATH", "PYTHONPATH", "JOB_ID", "INVENTORY_ID", "INVENTORY_SOURCE_ID", "INVENTORY_UPDATE_ID",
    "AD_HOC_COMMAND_ID", "REST_API_URL", "REST_API_TOKEN", "MAX_EVENT_RES", "CALLBACK_QUEUE", "CALLBACK_CONNECTION",
    "CACHE", "JOB_CALLBACK_DEBUG", "INVENTORY_HOSTVARS", "AWX_HOST", "PROJECT_REVISION", "SUPERVISOR_CONFIG_PATH",
}
STUB_MODULE = '''#!/usr/bin/python
# Stub of awx.awx.credential_type for tests/awx/check_awx_extensions.py: records its parameters.
import json
import os

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        name=dict(type="str", required=True), description=dict(type="str"),
        kind=dict(type="str", choices=["ssh", "vault", "net", "scm", "cloud", "insights"]),
        inputs=dict(type="dict"), injectors=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    ))
    with open(os.environ["AWX_STUB_RECORD"], "w") as handle:
        json.dump(module.params, handle)
    module.exit_json(changed=True)


if __name__ == "__main__":
    main()
'''


def tool(name):
    """Return the path of a console script next to this Python (the venv's), else the bare name."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.access(candidate, os.X_OK) else name


class Problems:
    """Collects failed checks, prints passed ones."""

    def __init__(self):
        self.failed = []

    def check(self, condition, message, ok=None):
        """Record message as a failure unless condition holds; print ok (when given) otherwise."""
        if not condition:
            self.failed.append(message)
            print("FAIL: " + message)
        elif ok:
            print("ok: " + ok)
        return bool(condition)


def module_env_fallbacks():
    """Return {option: ENV_VAR} of the connection options (plugins/module_utils/base.py)."""
    with open(os.path.join(ROOT, "plugins", "module_utils", "base.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    fallbacks = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and isinstance(node.value, ast.Call):
            for kw in node.value.keywords:
                if kw.arg == "fallback" and isinstance(kw.value, ast.Tuple) and len(kw.value.elts) == 2:
                    names = kw.value.elts[1]
                    if isinstance(names, ast.List) and names.elts and isinstance(names.elts[0], ast.Constant):
                        fallbacks[node.arg] = names.elts[0].value
    return fallbacks


def check_credential_type(problems, work):
    """The credential type definition, its injectors and how AWX renders them."""
    with open(CREDENTIAL_TYPE, encoding="utf-8") as handle:
        cred = yaml.safe_load(handle)
    for key in ("name", "description", "kind", "inputs", "injectors"):
        problems.check(key in cred, "credential_type.yml: %r missing" % key)
    problems.check(cred.get("kind") in ("cloud", "net"), "credential_type.yml: custom credential types are kind cloud or net")
    fields = cred["inputs"].get("fields", [])
    ids = [f.get("id") for f in fields]
    labels = [f.get("label") for f in fields]
    problems.check(len(ids) == len(set(ids)) and all(ids), "credential type: field ids must be unique and set: %s" % ids)
    problems.check(len(labels) == len(set(labels)) and all(labels), "credential type: labels must be unique and set")
    for field in fields:
        problems.check(field.get("type", "string") in ("string", "boolean"), "credential type: %s has type %r" % (field["id"], field.get("type")))
        if field.get("type") == "boolean":
            problems.check(not field.get("secret"), "credential type: boolean %s cannot be secret" % field["id"])
    required = cred["inputs"].get("required", [])
    problems.check(set(required) <= set(ids), "credential type: required names unknown fields: %s" % sorted(set(required) - set(ids)))

    # AWX validates injector templates against the defined inputs with StrictUndefined.
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    dummy = {f["id"]: (True if f.get("type") == "boolean" else "EXAMPLE") for f in fields}
    dummy["tower"] = {"filename": "/runner/env/tmpEXAMPLE"}
    injectors = cred["injectors"]
    problems.check(set(injectors) <= {"env", "extra_vars", "file"}, "credential type: unknown injector kinds %s" % sorted(injectors))
    templates = dict(("env " + k, v) for k, v in (injectors.get("env") or {}).items())
    templates.update(("file " + k, v) for k, v in (injectors.get("file") or {}).items())
    for where, template in templates.items():
        try:
            strict.from_string(template).render(**dummy)
        except Exception as err:  # pylint: disable=broad-except
            problems.check(False, "credential type: injector %s does not render with the defined inputs: %s" % (where, err))
    env = injectors.get("env") or {}
    for name in env:
        problems.check(not name.startswith("ANSIBLE_") and name not in AWX_ENV_BLOCKLIST,
                       "credential type: AWX refuses to inject %s" % name)

    fallbacks = module_env_fallbacks()
    module_vars = set(fallbacks.values())
    problems.check(set(env) <= module_vars, "credential type: injects variables no module reads: %s" % sorted(set(env) - module_vars),
                   ok="the injectors set only variables the modules read: %s" % ", ".join(sorted(env)))
    missing = [fallbacks[o] for o in MUST_INJECT if fallbacks.get(o) not in env]
    problems.check(not missing, "credential type: does not inject %s" % missing)

    secrets = awx_sim.secret_fields(cred)
    problems.check({"contrast_service_key", "contrast_api_key"} <= set(secrets),
                   "credential type: the service key and the API key must be secret inputs (secret: %s)" % secrets)
    for name, template in env.items():
        if any(re.search(r"\b%s\b" % re.escape(s), template) for s in secrets):
            problems.check(awx_sim.SENSITIVE_ENV_VAR_NAMES.search(name),
                           "credential type: %s carries a secret but AWX would not mask it in the job's environment" % name)

    # Render as AWX does, three credentials: TLS untouched (never set), TLS off, and a private CA.
    values = {"contrast_url": "https://eop.example.com/Contrast", "contrast_username": "api@example.com",
              "contrast_service_key": "SVC-KEY-123", "contrast_api_key": "API-KEY-456",
              "org_uuid": "0e5a1c2d-7b3f-4c11-9a8e-5d6f7a8b9c0d"}
    expect = {"CONTRAST_URL": values["contrast_url"], "CONTRAST_USERNAME": values["contrast_username"],
              "CONTRAST_SERVICE_KEY": values["contrast_service_key"], "CONTRAST_API_KEY": values["contrast_api_key"],
              "CONTRAST_ORG_UUID": values["org_uuid"]}
    pdd = tempfile.mkdtemp(dir=work)
    rendered, safe, _extra = awx_sim.inject_credential(cred, values, pdd)
    for name, value in expect.items():
        problems.check(rendered.get(name) == value, "credential type: %s renders as %r, expected %r" % (name, rendered.get(name), value))
    problems.check(rendered.get("CONTRAST_VALIDATE_CERTS") == "true",
                   "credential type: TLS verification must stay on when the boolean was never set, got %r" % rendered.get("CONTRAST_VALIDATE_CERTS"),
                   ok="an unset TLS boolean renders CONTRAST_VALIDATE_CERTS=true")
    problems.check(not any(values[s] in str(safe.values()) for s in secrets), "credential type: a secret shows in AWX's recorded environment")
    if "CONTRAST_CA_PATH" in env:
        problems.check(rendered["CONTRAST_CA_PATH"] == "",
                       "credential type: CONTRAST_CA_PATH must be empty without a CA, got %r" % rendered["CONTRAST_CA_PATH"])
    tls_field = [f["id"] for f in fields if f.get("type") == "boolean"]
    if tls_field:
        off, _safe, _extra = awx_sim.inject_credential(cred, dict(values, **{tls_field[0]: True}), tempfile.mkdtemp(dir=work))
        problems.check(off.get("CONTRAST_VALIDATE_CERTS") == "false", "credential type: ticking %s must render CONTRAST_VALIDATE_CERTS=false" % tls_field[0])
    if "CONTRAST_CA_PATH" in env:
        pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        ca_field = [f["id"] for f in fields if f.get("multiline")][0]
        with_ca, _safe, _extra = awx_sim.inject_credential(cred, dict(values, **{ca_field: pem}), tempfile.mkdtemp(dir=work))
        path = with_ca.get("CONTRAST_CA_PATH", "")
        problems.check(path and read(path) == pem, "credential type: with a CA, CONTRAST_CA_PATH must name a file holding the PEM",
                       ok="a CA certificate is written to a file and CONTRAST_CA_PATH points at it")
    return cred


def load_options(role):
    """Return the options of roles/<role>/meta/argument_specs.yml (entry point main), or None without the file."""
    path = os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        specs = yaml.safe_load(handle) or {}
    return ((specs.get("argument_specs") or {}).get("main") or {}).get("options") or {}


def compatible(question, option):
    """Return None if AWX's answer to question fits the role option, else why not."""
    qtype, otype = question["type"], option.get("type", "str")
    choices = awx_sim.choices_of(question)
    if qtype == "integer":
        ok = otype in ("int", "float", "raw")
    elif qtype == "float":
        ok = otype in ("float", "raw")
    elif qtype == "multiselect":
        ok = otype in ("list", "raw")
        if ok and option.get("choices"):
            ok = set(choices) <= set(option["choices"])
    elif qtype == "multiplechoice" and set(choices) == {"true", "false"}:
        ok = otype in ("bool", "raw")
    elif qtype == "multiplechoice":
        ok = otype in ("str", "raw")
        if ok and option.get("choices"):
            ok = set(choices) <= {str(c) for c in option["choices"]}
    else:  # text, textarea, password: a string
        ok = otype in ("str", "path", "raw")
    if ok:
        return None
    return "AWX sends a %s question as %s, the option is %s%s" % (
        qtype, {"integer": "an int", "float": "a float", "multiselect": "a list"}.get(qtype, "a string"), otype,
        " with choices %s" % option.get("choices") if option.get("choices") else "")


def read(path):
    """Return a file's text, or '' when it does not exist."""
    if not os.path.isfile(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def check_surveys(problems):
    """Every survey is valid for AWX and asks only for variables its role or playbooks read."""
    for name in SURVEYS:
        path = os.path.join(AWX, "surveys", name + ".json")
        if not problems.check(os.path.isfile(path), "surveys/%s.json missing" % name):
            continue
        with open(path, encoding="utf-8") as handle:
            spec = json.load(handle)
        invalid = awx_sim.validate_survey(spec)
        problems.check(not invalid, "surveys/%s.json is not a valid AWX survey: %s" % (name, "; ".join(invalid)))
        if invalid:
            continue
        options = load_options(name)
        collection_playbook = read(os.path.join(ROOT, "playbooks", name + ".yml"))
        project_playbook = read(os.path.join(AWX, "project", name + ".yml"))
        problems.check(re.search(r"import_playbook:\s*contrast_security\.identity\.%s\s*$" % name, project_playbook, re.M),
                       "extensions/awx/project/%s.yml must import contrast_security.identity.%s" % (name, name))
        failed_before = len(problems.failed)
        if options is not None and project_playbook:
            for play in yaml.safe_load(project_playbook) or []:
                for var in (play.get("vars") or {}):
                    problems.check(var in options, "extensions/awx/project/%s.yml sets %s, which is not an option of roles/%s" % (name, var, name))
        for question in spec["spec"]:
            var = question["variable"]
            word = re.compile(r"\b%s\b" % re.escape(var))
            if options is not None and var in options:
                why = compatible(question, options[var])
                problems.check(why is None, "surveys/%s.json: %s: %s" % (name, var, why))
            elif word.search(project_playbook):
                pass  # read by the AWX project playbook, which turns it into role variables
            elif options is None and word.search(collection_playbook):
                pass  # a playbook variable (drift), or a role without an argument spec yet
            else:
                problems.check(False, "surveys/%s.json: %s is not an option of roles/%s/meta/argument_specs.yml%s, "
                                      "nor read by playbooks/%s.yml or extensions/awx/project/%s.yml" % (
                                          name, var, name, "" if options is not None else " (no such file)", name, name))
        if len(problems.failed) > failed_before:
            continue
        source = "role argument spec" if options is not None else "no role argument spec"
        print("ok: surveys/%s.json: %s (%s)" % (name, ", ".join(q["variable"] for q in spec["spec"]), source))


def check_registration(problems, cred, work):
    """Run register_credential_type.yml against a stub awx.awx.credential_type module."""
    stub_root = os.path.join(work, "stub-collections")
    modules = os.path.join(stub_root, "ansible_collections", "awx", "awx", "plugins", "modules")
    os.makedirs(modules, exist_ok=True)
    with open(os.path.join(modules, "credential_type.py"), "w", encoding="utf-8") as handle:
        handle.write(STUB_MODULE)
    record = os.path.join(work, "credential_type.params.json")
    if os.path.exists(record):
        os.unlink(record)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=stub_root, AWX_STUB_RECORD=record,
               ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    cmd = [tool("ansible-playbook"), os.path.join(AWX, "register_credential_type.yml"), "-e", "ansible_python_interpreter=" + sys.executable]
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if not problems.check(proc.returncode == 0, "register_credential_type.yml failed against the stub module:\n" + proc.stdout):
        return
    with open(record, encoding="utf-8") as handle:
        params = json.load(handle)
    for key in ("name", "description", "kind", "inputs", "injectors"):
        problems.check(params.get(key) == cred[key], "register_credential_type.yml passes %s = %r, credential_type.yml has %r" % (
            key, params.get(key), cred[key]))
    problems.check(params.get("state") == "present", "register_credential_type.yml must ask for state present")
    print("ok: register_credential_type.yml hands awx.awx.credential_type the definition unchanged (stub module)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--work", default=os.path.join(ROOT, ".tmp", "awx-check"), help="scratch folder (recreated)")
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    started = time.monotonic()
    problems = Problems()
    cred = check_credential_type(problems, work)
    check_surveys(problems)
    check_registration(problems, cred, work)
    if problems.failed:
        print("check_awx_extensions: %d problem(s)" % len(problems.failed), file=sys.stderr)
        return 1
    print("check_awx_extensions: all checks passed in %.1f s" % (time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
