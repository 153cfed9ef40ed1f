# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    """Connection options shared by every module of the collection."""

    DOCUMENTATION = r"""
options:
  contrast_url:
    description:
      - Base URL of the Contrast TeamServer, including its context path (usually C(/Contrast)).
      - The modules append C(/api/ng/...) to it. A trailing slash or a trailing C(/api) is tolerated.
      - If not set, the value of the E(CONTRAST_URL) environment variable is used.
    type: str
    default: https://app.contrastsecurity.com/Contrast
  contrast_username:
    description:
      - Login of the API user. Together with O(contrast_service_key) it forms the C(Authorization) header.
      - If not set, the value of the E(CONTRAST_USERNAME) environment variable is used.
    type: str
    required: true
  contrast_service_key:
    description:
      - Service key of the API user (User Settings > Your Account > Your Keys).
      - If not set, the value of the E(CONTRAST_SERVICE_KEY) environment variable is used.
      - Never shown in output, diffs or error messages.
    type: str
    required: true
  contrast_api_key:
    description:
      - API key of the organization (User Settings > Your Account > Your Keys), sent as the C(API-Key) header.
      - If not set, the value of the E(CONTRAST_API_KEY) environment variable is used.
      - Never shown in output, diffs or error messages.
    type: str
    required: true
  org_uuid:
    description:
      - UUID of the organization (Organization Settings > General). Not the organization's name.
      - If not set, the value of the E(CONTRAST_ORG_UUID) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only switch this off for tests.
      - When V(false) (and O(ca_path) is not set), every module run against an C(https://) O(contrast_url) emits a
        warning that certificate verification is off, since the API keys then go to whoever answers.
      - A failed verification fails the module at once (it is not retried), with the reason and a hint to set O(ca_path).
      - If not set, the value of the E(CONTRAST_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM bundle of a private certificate authority, for self-hosted (EOP) servers. The server's certificate is
        verified against this bundle instead of the system's trusted authorities.
      - When set, the certificate is verified even with O(validate_certs=false).
      - If not set, the value of the E(CONTRAST_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
      - If not set, the value of the E(CONTRAST_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retries:
    description:
      - How many times a transient failure (connection error, HTTP 429, 502, 503, 504, a garbled answer to a read)
        is retried, with exponential backoff and full jitter, honouring C(Retry-After) when the server sends it.
      - A create is never retried blindly; after an unknown outcome the user is looked up first.
      - If not set, the value of the E(CONTRAST_RETRIES) environment variable is used.
    type: int
    default: 5
  contrast_api_dialect:
    description:
      - Which shape of Contrast's user API the server speaks.
      - V(guide) is the API as the integration guide describes it (C(user_id), C(ROLE_*) role strings,
        C(PUT .../groups/{id}/users) for membership).
      - V(teamserver) is Contrast's published TeamServer REST reference (C(user_uid), roles as objects read from
        the global C(GET /ng/roles), the required C(date_format), C(time_format) and C(time_zone) on create,
        which default to C(MM/dd/yyyy), C(hh:mm a) and C(UTC), C(PUT .../users/{uid}/enabled) to enable or
        disable, and membership written by C(PUT .../groups/{id}) with the whole group, its scope unchanged).
      - V(auto) detects the dialect from the first answer whose shape tells (a users page, a user, the profile
        or the group list) and keeps it for the rest of the module run; when a write comes before any such read,
        one C(GET /ng/profile) decides. Pin V(guide) or V(teamserver) to skip detection.
      - If not set, the value of the E(CONTRAST_API_DIALECT) environment variable is used.
    type: str
    choices: [auto, guide, teamserver]
    default: auto
notes:
  - All modules of this collection are in the action group C(contrast_security.identity.contrast), so
    C(module_defaults) can set the connection options once per play.
  - Changing users and access groups needs an API user with the Organization Admin role (C(ROLE_ADMIN)) in the
    organization; with C(ROLE_NO_ACCESS) even the reads are refused. A refused call (HTTP 403) fails the module with
    a message that names the method, the path, the status and the role to give; nothing is written.
  - Check mode sends no write, so a role that cannot write does not fail it. The module reports what it would change,
    as always, and warns that the real run would be refused (the role is read from the API user's profile). When the
    reads are refused too, check mode fails like the real run.
requirements:
  - requests
"""
