# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What AWX does with a credential type and a survey, in a few lines, for the tests in this folder.

- `inject_credential`: AWX's injection of a custom credential type (awx-plugins'
  `inject_credential`): a namespace from the credential's inputs (empty strings left out, booleans
  that were never set are False), file templates written to temporary files under the private data
  dir's env/ (their paths in `tower.filename`), then every `env` and `extra_vars` template rendered
  with Jinja's ImmutableSandboxedEnvironment. Also returns the "safe" environment AWX records with
  the job (secret inputs as ********).
- `survey_extra_vars`: the extra vars AWX sends for a survey: each answer, or the question's default
  when not answered; integers as int, floats as float, multiselect as a list, everything else
  (multiplechoice included) as a string.
- `validate_survey`: the checks AWX's survey_spec endpoint makes (JobTemplateSurveySpec).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from types import SimpleNamespace

from jinja2.sandbox import ImmutableSandboxedEnvironment

HIDDEN_PASSWORD = "*" * 10
# Environment variable names AWX masks in the job's recorded environment (build_safe_env).
SENSITIVE_ENV_VAR_NAMES = re.compile("API|TOKEN|KEY|SECRET|PASS", re.I)
SURVEY_TYPES = {
    "text": str,
    "textarea": str,
    "password": str,
    "multiplechoice": str,
    "multiselect": str,
    "integer": int,
    "float": (float, int),
}


def secret_fields(cred_type):
    """Return the ids of the inputs marked secret."""
    return [str(field["id"]) for field in cred_type["inputs"].get("fields", []) if field.get("secret") is True]


def _render_extra_vars(sandbox, namespace, node):
    if isinstance(node, dict):
        return {str(_render_extra_vars(sandbox, namespace, k)): _render_extra_vars(sandbox, namespace, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_render_extra_vars(sandbox, namespace, item) for item in node]
    return sandbox.from_string(node).render(**namespace)


def inject_credential(cred_type, inputs, private_data_dir):
    """Return (env, safe_env, extra_vars) as AWX builds them for a job using this credential."""
    tower = SimpleNamespace(filename=None)
    namespace = {"tower": tower}
    safe_namespace = {"tower": tower}
    secrets = secret_fields(cred_type)
    for name, value in inputs.items():
        if isinstance(value, bool):
            namespace[name] = safe_namespace[name] = value
            continue
        if name in secrets:
            safe_namespace[name] = HIDDEN_PASSWORD
        elif value:
            safe_namespace[name] = value
        if value:
            namespace[name] = value
    for field in cred_type["inputs"].get("fields", []):
        if field.get("type") == "boolean" and field["id"] not in inputs:
            namespace[field["id"]] = safe_namespace[field["id"]] = False

    sandbox = ImmutableSandboxedEnvironment()
    injectors = cred_type.get("injectors") or {}
    env_dir = os.path.join(private_data_dir, "env")
    os.makedirs(env_dir, exist_ok=True)
    single, several = None, {}
    for label, template in (injectors.get("file") or {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if "." not in label:
            single = path
        else:
            several[label.split(".", 1)[1]] = path
    tower.filename = single or SimpleNamespace(**several)

    env, safe_env = {}, {}
    for name, template in (injectors.get("env") or {}).items():
        env[name] = sandbox.from_string(template).render(**namespace)
        safe_env[name] = sandbox.from_string(template).render(**safe_namespace)
        if SENSITIVE_ENV_VAR_NAMES.search(name):
            safe_env[name] = HIDDEN_PASSWORD
    extra_vars = _render_extra_vars(sandbox, namespace, injectors.get("extra_vars") or {})
    return env, safe_env, extra_vars


def choices_of(question):
    """Return a question's choices as a list (AWX takes a list or a newline-separated string)."""
    choices = question.get("choices", [])
    if isinstance(choices, str):
        return [line for line in choices.splitlines() if line.strip()]
    return list(choices)


def defaults_of(question):
    """Return a multiselect question's default as a list."""
    default = question.get("default", "")
    if isinstance(default, str):
        return [line for line in default.splitlines() if line.strip()]
    return list(default)


def validate_survey(spec):
    """Return the problems AWX's survey_spec endpoint would refuse the spec for (empty: valid)."""
    problems = []
    for field, expected in (("name", str), ("description", str), ("spec", list)):
        if not isinstance(spec.get(field), expected):
            problems.append("field %r missing or not a %s" % (field, expected.__name__))
    if problems:
        return problems
    if not spec["spec"]:
        return ["'spec' has no questions"]
    seen = set()
    for idx, question in enumerate(spec["spec"]):
        where = "question %d (%s)" % (idx, question.get("variable") if isinstance(question, dict) else "?")
        if not isinstance(question, dict):
            problems.append("%s is not an object" % where)
            continue
        for field in ("type", "question_name", "variable", "required"):
            expected = bool if field == "required" else str
            if not isinstance(question.get(field), expected):
                problems.append("%s: %r missing or not a %s" % (where, field, expected.__name__))
        variable, qtype = question.get("variable"), question.get("type")
        if variable in seen:
            problems.append("%s: variable duplicated" % where)
        seen.add(variable)
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(variable)):
            problems.append("%s: variable is not a valid Ansible variable name" % where)
        if qtype not in SURVEY_TYPES:
            problems.append("%s: type %r is not one of %s" % (where, qtype, ", ".join(SURVEY_TYPES)))
            continue
        default = question.get("default", "")
        if default != "" and not isinstance(default, SURVEY_TYPES[qtype]):
            problems.append("%s: default %r is not a %s" % (where, default, qtype))
        for key in ("min", "max"):
            if question.get(key) is not None and not isinstance(question[key], int):
                problems.append("%s: %s must be an integer" % (where, key))
        if qtype in ("multiplechoice", "multiselect"):
            if "choices" not in question:
                problems.append("%s: a %s question needs choices" % (where, qtype))
                continue
            choices = choices_of(question)
            defaults = defaults_of(question) if qtype == "multiselect" else ([default] if default != "" else [])
            if qtype == "multiplechoice" and len(defaults) > 1:
                problems.append("%s: a multiplechoice question has one default at most" % where)
            if any(item not in choices for item in defaults):
                problems.append("%s: default %r is not among the choices %s" % (where, default, choices))
        if qtype in ("integer", "float") and default != "":
            low, high = question.get("min"), question.get("max")
            if (low is not None and default < low) or (high is not None and default > high):
                problems.append("%s: default %r outside min/max" % (where, default))
        if qtype in ("text", "textarea", "password") and isinstance(default, str) and default:
            low, high = question.get("min"), question.get("max")
            if (low is not None and len(default) < low) or (high is not None and len(default) > high):
                problems.append("%s: default's length outside min/max" % where)
    return problems


def survey_extra_vars(spec, answers=None):
    """Return the extra vars AWX sends for a survey with these answers (the defaults for the rest)."""
    answers = dict(answers or {})
    extra_vars = {}
    for question in spec["spec"]:
        variable, qtype = question["variable"], question["type"]
        if variable in answers:
            value = answers.pop(variable)
        elif question.get("default", "") != "":
            value = defaults_of(question) if qtype == "multiselect" else question["default"]
        elif question["required"]:
            raise ValueError("survey %r: required question %r not answered" % (spec["name"], variable))
        else:
            continue
        if qtype == "integer":
            value = int(value)
        elif qtype == "float":
            value = float(value)
        elif qtype == "multiselect":
            value = [str(item) for item in value]
        else:
            value = str(value)
        extra_vars[variable] = value
    if answers:
        raise ValueError("survey %r has no question for %s" % (spec["name"], ", ".join(sorted(answers))))
    return extra_vars
