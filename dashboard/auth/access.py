"""Which roles may open which page and call which callback: stated once, on the page.

A page says `dash.register_page(..., allowed_roles=(...), id_prefix="xyz-")`; its component ids
start with that prefix. The guard checks page requests by path and callback requests by the ids
they name, so a crafted `/_dash-update-component` call cannot reach a page's callbacks either.
Pages without `allowed_roles` are open to every signed-in member.
"""
from __future__ import annotations

import json

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


def callback_allowed(body: dict, held: frozenset[str]) -> bool:
    """May an account holding these roles make this callback request?"""
    ids = _component_ids(body)
    for _path, roles, prefix in _rules():
        if prefix and any(i.startswith(prefix) for i in ids) and not role_allows(held, roles):
            return False
    return True


def page_allowed(path: str, held: frozenset[str]) -> bool:
    return role_allows(held, roles_for_path(path))


def no_access_layout() -> html.Div:
    return html.Div([html.H1(NO_ACCESS_TITLE, className="h3"), html.P(NO_ACCESS_MESSAGE),
                     html.P(html.A("Go to the overview: it lists the pages your role opens.", href="/"))],
                    className="py-4", id="no-access")


def is_app_page(path: str) -> bool:
    """Is `path` one of the app's pages (its shell is the same for every page and holds no data)?"""
    return any(path == page["relative_path"] for page in dash.page_registry.values())


def building_for_a_viewer() -> bool:
    """Whether a page's layout is being built for the signed-in viewer: by Dash's page router (a callback) or in the
    app's layout, which carries the opened page (`shell.page_container`). Otherwise Dash is building its validation
    layout (at start-up, `web.warm_up`), which must hold every id its callbacks use, whoever may see them."""
    return has_request_context() and request.path in ("/_dash-update-component", "/_dash-layout")


def _layout_for_allowed_roles(layout, roles: tuple[str, ...]):
    def layout_or_no_access(**kwargs):
        if building_for_a_viewer():   # the viewer's role decides; the validation layout holds every page
            held = getattr(current_user, "roles", None) if getattr(current_user, "is_authenticated", False) else None
            if held is None or not role_allows(held, roles):
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


def _forbidden_prefixes(held: frozenset[str] | None) -> tuple[str, ...]:
    return tuple(prefix for _path, roles, prefix in _rules() if prefix and (held is None or not role_allows(held, roles)))


def _output_ids(output: str) -> set[str]:
    """Component ids in a callback's output string ("id.prop", or "..id.prop...id.prop.." for several; a pattern id
    is JSON, named by its type)."""
    ids = set()
    for item in output.strip(".").split("..."):
        component = item.rsplit(".", 1)[0]
        if component.startswith("{"):
            try:
                component = str(json.loads(component).get("type", ""))
            except (ValueError, AttributeError):
                pass
        ids.add(component)
    return ids


def dependencies_for_role(callbacks: list[dict], held: frozenset[str] | None) -> list[dict]:
    """Dash's callback list (`/_dash-dependencies`) without the callbacks of pages the role cannot open: their
    component ids would tell a member what those pages hold, and the guard refuses the calls anyway."""
    forbidden = _forbidden_prefixes(held)
    if not forbidden:
        return callbacks
    return [c for c in callbacks
            if not any(i.startswith(forbidden) for i in _output_ids(str(c.get("output", ""))) | _component_ids(c))]


def validation_layout_for_role(validation_layout, held: frozenset[str] | None):
    """Dash's validation layout (every page's layout, then the app's), which Dash puts in every app page it serves,
    without the layouts of pages the role cannot open."""
    pages = list(dash.page_registry.values())
    children = list(validation_layout.children)
    kept = [layout for page, layout in zip(pages, children)
            if not page.get("allowed_roles") or (held is not None and role_allows(held, page["allowed_roles"]))]
    return html.Div(kept + children[len(pages):])


def serve_only_allowed_pages(app: dash.Dash) -> None:
    """The app page's embedded config and `/_dash-dependencies` carry, for each signed-in role, only the component ids
    of the pages that role opens (Dash itself sends every page's to everyone)."""
    config_for_everyone = app._config   # Dash builds the config embedded in every app page here
    by_role: dict = {}

    def _roles():
        return getattr(current_user, "roles", None) if getattr(current_user, "is_authenticated", False) else None

    def config_for_role():
        config = config_for_everyone()
        if "validation_layout" in config:
            held = _roles()
            if held not in by_role:
                by_role[held] = validation_layout_for_role(app.validation_layout, held)
            config["validation_layout"] = by_role[held]
        return config
    app._config = config_for_role

    @app.server.after_request
    def filter_dependencies(response):
        if request.path.endswith("/_dash-dependencies") and response.status_code == 200 and response.is_json:
            callbacks = response.get_json()
            response.set_data(json.dumps(dependencies_for_role(callbacks, _roles())))
        return response
