# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every module shares: the connection options and a module class that builds the client.

Private to this collection: not a public API, may change without notice.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.contrast_security.identity.plugins.module_utils.client import ContrastClient
from ansible_collections.contrast_security.identity.plugins.module_utils.errors import ContrastApiError, verified
from ansible_collections.contrast_security.identity.plugins.module_utils.inputs import (
    DEFAULT_URL,
    is_loopback_host,
    org_uuid_problem,
)
from ansible_collections.contrast_security.identity.plugins.module_utils.transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.contrast_security.identity.plugins.module_utils.guards import input_problems


# The environment variable each required connection option falls back to.
CONNECTION_ENV = {
    "contrast_username": "CONTRAST_USERNAME",
    "contrast_service_key": "CONTRAST_SERVICE_KEY",
    "contrast_api_key": "CONTRAST_API_KEY",
    "org_uuid": "CONTRAST_ORG_UUID",
}


def connection_argument_spec() -> dict:
    """The connection options of every module (documented in the `connection` doc fragment)."""
    return dict(
        contrast_url=dict(type="str", default=DEFAULT_URL, fallback=(env_fallback, ["CONTRAST_URL"])),
        contrast_username=dict(type="str", required=True, fallback=(env_fallback, ["CONTRAST_USERNAME"])),
        contrast_service_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["CONTRAST_SERVICE_KEY"])),
        contrast_api_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["CONTRAST_API_KEY"])),
        org_uuid=dict(type="str", required=True, fallback=(env_fallback, ["CONTRAST_ORG_UUID"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["CONTRAST_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["CONTRAST_CA_PATH"])),
        timeout=dict(type="int", default=30, fallback=(env_fallback, ["CONTRAST_TIMEOUT"])),
        retries=dict(type="int", default=5, fallback=(env_fallback, ["CONTRAST_RETRIES"])),
        contrast_api_dialect=dict(type="str", default="auto", choices=["auto", "guide", "teamserver"],
                                  fallback=(env_fallback, ["CONTRAST_API_DIALECT"])),
    )


class ContrastModule(AnsibleModule):
    """An AnsibleModule with the connection options added and a lazily built API client."""

    def __init__(self, argument_spec, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        super(ContrastModule, self).__init__(argument_spec=spec, **kwargs)
        self._client = None
        # A contrast_url with user:password@ is refused (client.normalize_base_url); its password must not show
        # in the failure's `invocation` either.
        url = str(self.params.get("contrast_url") or "")
        userinfo = url.partition("://")[2].split("/")[0].rpartition("@")[0]
        if userinfo:
            self.no_log_values.update(part for part in (userinfo, userinfo.partition(":")[2]) if part)

    def fail_json(self, msg, **kwargs):
        """Fail, hiding the secret options' values whatever failed.

        ansible-core collects the values to hide while it validates the options, and loses all of
        them when one nested value cannot be read (contrast_roster ``users: a-string``): its failure
        would then show the keys in ``invocation``. Add them again first.
        """
        self._exiting = True
        for name, spec in self.argument_spec.items():
            value = (getattr(self, "params", None) or {}).get(name)
            if spec.get("no_log") and isinstance(value, str) and value:
                self.no_log_values.add(value)
        super(ContrastModule, self).fail_json(self._explain(msg), **kwargs)

    def _explain(self, msg):
        """ansible-core's argument errors, with what to do: where credentials come from, which option is wrong."""
        text = str(msg)
        if text.startswith("missing required arguments:"):
            missing = [name.strip() for name in text.split(":", 1)[1].split(",")]
            variables = [CONNECTION_ENV[name] for name in missing if name in CONNECTION_ENV]
            if variables:
                text += (". Give them as module options (for every module of a play at once, with module_defaults for "
                         "group/contrast_security.identity.contrast), or set the environment variable(s) %s on the "
                         "controller (what an AWX credential injects)." % ", ".join(variables))
        elif "dictionary requested" in text:
            # ansible-core names no option here (and has already emptied the value): name the list-of-mappings ones.
            names = [name for name, spec in self.argument_spec.items() if spec.get("elements") == "dict"]
            if names:
                text = ("%s must be a list of mappings (one per entry, e.g. [{username: jane@example.com, role: ROLE_VIEW}]), "
                        "not a string nor a list of strings (%s)." % (" or ".join(names), text))
        return text

    def exit_json(self, **kwargs):
        self._exiting = True
        super(ContrastModule, self).exit_json(**kwargs)

    @property
    def client(self) -> ContrastClient:
        if self._client is None:
            if not HAS_REQUESTS:
                self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
            params = self.params
            empty = [name for name in ("contrast_username", "contrast_service_key", "contrast_api_key", "org_uuid")
                     if not (params[name] or "").strip()]
            if empty:
                self.fail_json(msg="Empty connection option(s): %s. The Authorization header needs contrast_username and "
                                   "contrast_service_key, the API-Key header needs contrast_api_key." % ", ".join(empty))
            if params["timeout"] <= 0:
                self.fail_json(msg="timeout must be a positive number of seconds, got %s" % params["timeout"])
            if params["retries"] < 0:
                self.fail_json(msg="retries must be 0 or more, got %s" % params["retries"])
            if org_uuid_problem(params["org_uuid"]):
                self.fail_json(msg=org_uuid_problem(params["org_uuid"]))
            if params["ca_path"] and not os.path.exists(params["ca_path"]):
                self.fail_json(msg="ca_path %s does not exist: give the PEM bundle of the certificate authority that signed "
                                   "the server's certificate." % params["ca_path"])
            try:
                self._client = ContrastClient(
                    contrast_url=params["contrast_url"],
                    username=params["contrast_username"].strip(),
                    service_key=params["contrast_service_key"],
                    api_key=params["contrast_api_key"],
                    org_uuid=params["org_uuid"].strip(),
                    validate_certs=params["validate_certs"],
                    ca_path=params["ca_path"],
                    timeout=params["timeout"],
                    retries=params["retries"],
                    dialect=params["contrast_api_dialect"],
                )
            except ValueError as err:
                self.fail_json(msg=str(err))
            # The Authorization header's value, bare and as sent by some proxies, is as secret as the keys.
            self.no_log_values.update((self._client.authorization, "Basic " + self._client.authorization))
            host = urlsplit(self._client.base_url).hostname
            if self._client.base_url.lower().startswith("http://") and not is_loopback_host(host):
                self.warn("contrast_url %s uses http://: the API key and the service key travel in clear text to %s. "
                          "Use https://." % (self._client.base_url, host))
            if self._client.verify is False and self._client.base_url.lower().startswith("https://"):
                # Once per module run: the client is built once.
                self.warn("validate_certs is false: the TLS certificate of %s is not verified, so anyone on the network "
                          "path can impersonate the server and read the API keys. Set ca_path to the PEM bundle of the "
                          "certificate authority instead (validate_certs=false is for tests only)." % self._client.base_url)
        return self._client

    def refuse_bad_input(self, text_fields=(), id_fields=()):
        """Fail before any request when a name holds control or bidi characters, or an id could leave its path segment."""
        problems = input_problems(self.params, text_fields, id_fields)
        if problems:
            self.fail_json(msg=" ".join(problems))

    def write_verified(self, write, took_effect):
        """Return `write()`, or, when its answer was lost but `took_effect()` shows the change in place
        (errors.verified), that read-back value, with a warning."""
        return verified(write, took_effect, on_lost=self.warn_lost_answer)

    def warn_lost_answer(self, lost: ContrastApiError):
        """Warn that a write whose answer was lost is counted as done (its read-back showed it in place)."""
        self.warn("%s %s answered %s, but reading it back shows the change in place: counted as done."
                  % (lost.method, lost.path, "HTTP %s" % lost.status if lost.status else "nothing usable"))

    def fail_api(self, err: ContrastApiError, **result):
        """Fail with the API error's text; its facts go into the result, never a header or key."""
        redact = self.redact
        facts = err.to_result()
        facts["api_messages"] = [redact(message) for message in facts["api_messages"]]
        result.update(facts)
        self.fail_json(msg=redact(str(err)), **result)

    def redact(self, text):
        """`text` with every secret replaced (the client's, and the no_log values)."""
        text = self._client.redact(text) if self._client else str(text)
        for secret in self.no_log_values:
            if isinstance(secret, str) and len(secret) > 3:
                text = text.replace(secret, "********")
        return text

    def run(self, story):
        """Run `story(module)` (which returns the result dict) and turn every error into a clean, redacted failure.

        An exception other than an API error is an answer the code did not expect (or a bug): the module
        fails naming the latest request, with no traceback (whose values could be echoed headers).
        """
        try:
            result = story(self)
        except ContrastApiError as err:
            self.fail_api(err)
        except Exception as err:  # pylint: disable=broad-except
            if getattr(self, "_exiting", False):
                raise  # already failing or exiting (a test double of fail_json raises)
            last = self._client.last_request if self._client else None
            where = "unexpected answer from %s %s" % (last[0], last[1]) if last else "unexpected error"
            self.fail_json(msg=self.redact("%s: %s: %s" % (where, type(err).__name__, err)))
        if self.check_mode and result.get("changed"):
            self.warn_if_role_cannot_write()
        self.exit_json(**result)

    def warn_if_role_cannot_write(self):
        """Check mode sends no write, so the server never says whether the API user may write: ask its profile.

        When its role is not ROLE_ADMIN, warn that the real run would be refused. Only a hint: a profile
        that cannot be read, or that shows no role, changes nothing.
        """
        try:
            role = self.client.get_profile().get("role")
        except ContrastApiError:
            return
        if role and role != "ROLE_ADMIN":
            self.warn("Check mode wrote nothing, but the real run would be refused (HTTP 403): the API user %s has the role "
                      "%s, and writes need the Organization Admin role (ROLE_ADMIN) in organization %s."
                      % (self.params["contrast_username"].strip(), role, self.params["org_uuid"].strip()))
