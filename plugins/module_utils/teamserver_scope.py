# -*- coding: utf-8 -*-
# Copyright (c) 2026 Contrast Security identity collection contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TeamServer's group scope, rebuilt from a group as read: a group PUT must carry the whole scope, and the
group read (AccessGroupOrganizationResource) shows no ``scope``.

Private to this collection: not a public API, may change without notice.
"""

from __future__ import annotations


class ScopeError(Exception):
    """A group whose read cannot be turned back into the scope its PUT needs: nothing is written."""


def rebuild_scope(group: dict) -> dict:
    """The AccessControlScopeItem of a group PUT, rebuilt from the group as read
    (AccessGroupOrganizationResource: ``app_role``, ``onboard_role``, ``applications`` grouped by
    role, ``accounts``); ScopeError when the read does not say enough to rebuild it exactly.

    Application exceptions are ``{app_id, role}``, account exceptions ``{organization_uuid, role}``.
    """
    if isinstance(group.get("scope"), dict):
        return group["scope"]  # a server that shows the scope itself: echoed unchanged
    where = "access group %r (id %s)" % (group.get("name"), group.get("group_id"))
    app_exceptions = []
    for entry in group.get("applications") or []:
        role = entry.get("role") if isinstance(entry, dict) else None
        role_name = role.get("name") if isinstance(role, dict) else role
        apps = entry.get("applications") if isinstance(entry, dict) else None
        if not isinstance(role_name, str) or not role_name or not isinstance(apps, list):
            raise ScopeError("%s: an application entry has no role or no application list (%r)" % (where, entry))
        for app in apps:
            app_id = app.get("app_id") if isinstance(app, dict) else None
            if not isinstance(app_id, str) or not app_id:
                raise ScopeError("%s: an application of role %s has no app_id" % (where, role_name))
            app_exceptions.append({"app_id": app_id, "role": role_name})
    account_exceptions = []
    for entry in group.get("accounts") or []:
        organization = entry.get("organization") if isinstance(entry, dict) else None
        org_uuid = organization.get("organization_uuid") if isinstance(organization, dict) else None
        role = entry.get("role") if isinstance(entry, dict) else None
        if not isinstance(org_uuid, str) or not isinstance(role, str) or not role:
            raise ScopeError("%s: an account entry has no organization or no role (%r)" % (where, entry))
        account_exceptions.append({"organization_uuid": org_uuid, "role": role})
    for key in ("app_role", "onboard_role"):
        if group.get(key) is not None and not isinstance(group.get(key), str):
            raise ScopeError("%s: %s is not a role name (%r)" % (where, key, group.get(key)))
    return {"account_scope": {"exceptions": account_exceptions},
            "app_scope": {"exceptions": app_exceptions, "onboard_role": group.get("onboard_role") or "",
                          "role": group.get("app_role") or ""}}
