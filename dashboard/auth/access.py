"""Which roles may open which page and call which callback: stated once, on the page.

A page says `dash.register_page(..., allowed_roles=(...), id_prefix="xyz-")`; its component ids
start with that prefix. The guard checks page requests by path and callback requests by the ids
they name, so a crafted `/_dash-update-component` call cannot reach a page's callbacks either.
Pages without `allowed_roles` are open to every signed-in member.
"""
from __future__ import annotations

import dash

from dashboard.auth.roles import role_allows


def _rules():
    return [(page["relative_path"], tuple(page["allowed_roles"]), page.get("id_prefix"))
            for page in dash.page_registry.values() if page.get("allowed_roles")]


def roles_for_path(path: str) -> tuple[str, ...] | None:
    for page_path, roles, _prefix in _rules():
        if path == page_path or path.startswith(page_path.rstrip("/") + "/"):
            return roles
    return None


def _component_ids(body: dict) -> set[str]:
    ids = set()
    outputs = body.get("outputs") or []
    for item in [*(outputs if isinstance(outputs, list) else [outputs]), *(body.get("inputs") or []), *(body.get("state") or [])]:
        if isinstance(item, list):  # pattern-matching ALL/ALLSMALLER inputs arrive as lists
            ids.update(_component_ids({"inputs": item}))
            continue
        if isinstance(item, dict):
            component = item.get("id")
            ids.add(str(component.get("type", "")) if isinstance(component, dict) else str(component))
    return ids


def callback_allowed(body: dict, role: str) -> bool:
    ids = _component_ids(body)
    for _path, roles, prefix in _rules():
        if prefix and any(i.startswith(prefix) for i in ids) and not role_allows(role, roles):
            return False
    return True


def page_allowed(path: str, role: str) -> bool:
    return role_allows(role, roles_for_path(path))
