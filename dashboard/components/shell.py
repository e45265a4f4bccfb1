"""The app shell around every page: skip link, navigation, signed-in user, footer with data notes."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from dash._pages import _parse_query_string, _path_to_page
from flask import has_request_context, request
from flask_login import current_user

from dashboard.auth.csrf import csrf_token
from dashboard.auth.roles import describe_roles, role_allows
from dashboard.loader import local_authorities

APP_TITLE = "London Children's Services Dashboards"
log = logging.getLogger(__name__)

INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        {%config%}
        {%scripts%}
        {%renderer%}
    </body>
</html>"""


def _nav_links() -> list:
    """Only the pages the signed-in user's roles open."""
    held = current_user.roles if current_user and current_user.is_authenticated else None
    links = []
    for page in dash.page_registry.values():
        if page.get("nav", True) is False or held is None or not role_allows(held, page.get("allowed_roles")):
            continue
        links.append(dbc.NavItem(dbc.NavLink(page["name"], href=page["relative_path"], active="exact")))
    return links


def _user_badge():
    if not current_user or not current_user.is_authenticated:
        return html.Span()
    las = local_authorities().set_index("la_code")["la_name"]
    la_name = las.get(current_user.la_code, current_user.la_code)
    return html.Div(
        [html.Span([html.Span(current_user.email, className="fw-semibold"), f" · {la_name} · {describe_roles(current_user.roles)}"],
                   className="me-3 user-badge"),
         html.Button("Present", type="button", className="btn btn-sm btn-outline-light me-2 present-button",
                     title="Show this page's charts one at a time, large: arrow keys to move, Escape to leave"),
         # A POST with the form token (the button carries it: a submit button's name and value are sent).
         html.Form(html.Button("Sign out", type="submit", name="csrf_token", value=csrf_token(),
                               className="btn btn-sm btn-light"), method="post", action="/logout", className="m-0")],
        className="d-flex align-items-center ms-auto",
    )


def shell_layout():
    """Called per page load, so the signed-in user shows in the header."""
    return html.Div([
        html.A("Skip to main content", href="#main-content", className="skip-link"),
        dbc.Navbar(
            dbc.Container([
                html.A(APP_TITLE, href="/", className="navbar-brand site-title"),
                html.Button(html.Span(className="navbar-toggler-icon"), id="nav-toggler", className="navbar-toggler",
                            type="button", **{"aria-label": "Show or hide the navigation"}),
                dbc.Collapse(dbc.Nav(_nav_links(), navbar=True, className="me-auto"), id="nav-collapse", navbar=True),
                _user_badge(),
            ], fluid=True),
            color="dark", dark=True, className="site-header mb-3", expand="lg",
        ),
        html.Main(page_container(), id="main-content", tabIndex="-1", className="container-fluid px-4"),
        html.Footer(dbc.Container([
            html.P(["Members' data: do not share figures outside the membership. ",
                    "Demo data is synthetic and labelled wherever it is shown. Missing returns are shown as ",
                    html.Em("no return"), ", never as zero. ",
                    html.A("Accessibility statement", href="/accessibility")], className="small mb-1"),
            html.P("London Innovation and Improvement Alliance (LIIA) · open-source dashboards for London's 33 children's services.",
                   className="small text-body-secondary mb-0"),
        ], fluid=True), className="site-footer mt-5 py-3 border-top"),
    ])


def page_container():
    """Dash's page container; when the browser asks for the app's layout, holding the opened page already.

    The browser fetches the app's layout from the page it opened (`Referer`, same origin). Dash's own container is
    empty and its router is a callback the browser makes once the layout is drawn: one more round trip before the
    page's first paint. Here the layout carries the page, and the location it was built for, so the router has
    nothing to do until the member navigates. Anything unexpected leaves the container empty, for the router."""
    opened = _opened_page()
    location = dcc.Location(id="_pages_location", refresh="callback-nav",
                            **({"pathname": opened[0], "search": opened[1]} if opened else {}))
    content, store = opened[2:] if opened else (None, None)
    return html.Div([location, html.Div(content, id="_pages_content", disable_n_clicks=True),
                     dcc.Store(id="_pages_store", data=store), html.Div(id="_pages_dummy", disable_n_clicks=True)])


def _opened_page():
    """(pathname, search, layout, store data) of the page the browser opened, as Dash's router would build it; None
    outside a layout request, signed out, or when the page cannot be told."""
    app = dash.get_app()
    if not (has_request_context() and request.path == app.config.routes_pathname_prefix + "_dash-layout"
            and getattr(current_user, "is_authenticated", False) and request.referrer):
        return None
    opened = urlsplit(request.referrer)
    if opened.netloc != request.host or opened.scheme != request.scheme:
        return None
    page, variables = _path_to_page(app.strip_relative_path(opened.path))
    if not page:
        return None
    search = f"?{opened.query}" if opened.query else ""
    try:
        layout = page["layout"]
        content = layout(**{**(variables or {}), **_parse_query_string(search)}) if callable(layout) else layout
        title = page["title"](**(variables or {})) if callable(page["title"]) else page["title"]
    except Exception:  # noqa: BLE001 - the router's own call will meet it and answer as it does
        log.warning("page layout for %s left to the router", opened.path, exc_info=True)
        return None
    return opened.path, search, content, {"title": title}


def init_shell_callbacks(app: dash.Dash) -> None:
    # Pure UI toggle: open and close the navigation on small screens, in the browser.
    app.clientside_callback(
        "function(n, isOpen) { return n ? !isOpen : isOpen; }",
        dash.Output("nav-collapse", "is_open"),
        dash.Input("nav-toggler", "n_clicks"),
        dash.State("nav-collapse", "is_open"),
        prevent_initial_call=True,
    )
