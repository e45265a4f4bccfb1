"""Which roles may open which page and call which callback: stated once, on the page.

A page says `dash.register_page(..., allowed_roles=(...), id_prefix="xyz-")`; its component ids
start with that prefix. The guard checks page requests by path and callback requests by the ids
they name, so a crafted `/_dash-update-component` call cannot reach a page's callbacks either.
Pages without `allowed_roles` are open to every signed-in member.
"""
from __future__ import annotations

import dash
from dash import html
from flask import has_request_context, request
from flask_login import current_user

from dashboard.auth.roles import role_allows

NO_ACCESS_TITLE = "You don't have access to this page"
NO_ACCESS_MESSAGE = ("Your role does not include this page. If you need it, ask your LA's approver or an "
                     "administrator to add the role to your account.")


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


def no_access_layout() -> html.Div:
    return html.Div([html.H1(NO_ACCESS_TITLE, className="h3"), html.P(NO_ACCESS_MESSAGE),
                     html.P(html.A("Go to the overview: it lists the pages your role opens.", href="/"))],
                    className="py-4", id="no-access")


def is_app_page(path: str) -> bool:
    """Is `path` one of the app's pages (its shell is the same for every page and holds no data)?"""
    return any(path == page["relative_path"] for page in dash.page_registry.values())


def _layout_for_allowed_roles(layout, roles: tuple[str, ...]):
    def layout_or_no_access(**kwargs):
        # Dash's page router is a callback: in a callback request the viewer's role decides. Outside one (Dash
        # building its validation layout at start-up) the layout is what Dash needs to check callbacks against.
        if has_request_context() and request.path == "/_dash-update-component":
            role = getattr(current_user, "role", None) if getattr(current_user, "is_authenticated", False) else None
            if role is None or not role_allows(role, roles):
                return no_access_layout()
        return layout(**kwargs) if callable(layout) else layout
    return layout_or_no_access


def guard_page_layouts() -> None:
    """Make Dash's page router (`_pages_content`) send a page's layout only to roles that may open the page, as the
    guard does for the page's path and callbacks; anyone else gets the no-access content inside the app's shell."""
    for page in dash.page_registry.values():
        if page.get("allowed_roles") and not getattr(page["layout"], "guarded", False):
            page["layout"] = _layout_for_allowed_roles(page["layout"], tuple(page["allowed_roles"]))
            page["layout"].guarded = True
