"""My LA at a glance: the home page after sign-in. Every indicator the app holds for one LA, exceptions first with
their reasons, each linked to the page and filters that show it; and what each LA has returned (data status).
Administrators choose any LA; a member sees their own (the view refuses any other, on the server)."""
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate
from flask_login import current_user

from dashboard import loader
from dashboard.chart_theme import lean_figure
from dashboard.auth.roles import ADMIN
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import Call, Dashboard, Filter, register_callbacks, viewer_scope
from dashboard.components.layout import (chart_card, column_defs, definition_list, download_buttons, filter_bar, grid,
                                         grid_content, grid_outputs, labelled, present_bar)
from dashboard.components.notes import demo_banner, page_heading
from dashboard.dashboards.my_la import digest, view as my_la_view
from dashboard.dashboards.my_la.data import THEMES
from dashboard.presenting import la_options
from dashboard.store import get_engine

PREFIX = "myla"


def theme_id(theme: str) -> str:
    """A theme's section id: "myla-theme-help-and-protection"."""
    return "myla-theme-" + "-".join(theme.lower().split())


def la_choices(scope: loader.AccessScope, secret: str | None = None) -> list[dict]:
    """Every LA for an administrator; a member's own LA only."""
    las = loader.local_authorities()
    if scope.role != ADMIN:
        las = las[las["la_code"] == scope.la_code]
    return la_options(las, scope.la_code, None)


def default_calls(scope: loader.AccessScope) -> list[Call]:
    """The LA's view, then the render callback's outputs, as the page opened today asks for them."""
    selection = my_la_view.resolve({}, scope)
    if selection is None:
        return []
    return [Call(my_la_view.build_view, (selection, scope), {"anonymise_with": None}),
            Call(rendered, (selection.la, scope), _render_key(scope))]


def _render_key(scope: loader.AccessScope) -> dict:
    """What besides the LA keys the cached outputs: the audience (an administrator sees uploaders by name), every
    dataset's version (data status reads them all) and the day (what is overdue)."""
    return {"audience": "admin" if scope.role == ADMIN else "member", "versions": my_la_view.status_versions(),
            "today": f"{pd.Timestamp.now():%Y-%m-%d}"}


# order -1: before the Overview (0); a tie would fall to module names, which differ by how the app starts.
DASHBOARD = Dashboard(
    name="my_la", prefix=PREFIX, path="/my-la", nav_name="My LA", heading="My LA at a glance", order=-1,
    filters=(Filter("myla-la", "la"),), select=my_la_view.resolve, present=my_la_view.presentation,
    charts=my_la_view.CHARTS, tables=my_la_view.TABLES, view=my_la_view.build_view, anonymise=False,
    table_choice="myla-table", default_calls=lambda scope: default_calls(scope),
)
register_callbacks(DASHBOARD)


def layout(**query):
    scope = viewer_scope(DASHBOARD)
    selection = DASHBOARD.selection_from_query(query, scope)
    is_admin = bool(scope) and scope.role == ADMIN
    return html.Div([
        page_heading("My LA at a glance", "Where does the LA stand, and what needs attention? Every indicator the app "
                                          "holds, exceptions first, against its sub-region, London, England and its "
                                          "statistical neighbours."),
        html.Div(id="myla-banner"),
        filter_bar([
            dbc.Col(labelled("Local authority" + ("" if is_admin else " (yours)"), "myla-la", dcc.Dropdown(
                id="myla-la", options=la_choices(scope) if scope else [], clearable=False,
                value=selection and selection.la, disabled=not is_admin)), lg=4),
            dbc.Col(labelled("Table to download", "myla-table", dcc.Dropdown(
                id="myla-table", options=[{"label": "Indicators", "value": "indicators"},
                                          {"label": "Data status (this LA)", "value": "status"}],
                value="indicators", clearable=False)), lg=3),
        ], "My LA filters"),
        present_bar(PREFIX, anonymise=None),
        html.P(id="myla-summary", className="lead fw-semibold", role="status", **{"aria-live": "polite"}),
        html.Section([
            html.H2("Exceptions", className="h4"),
            html.P("Indicators flagged by the region's rules, worse first. Flag and why: the rule that flagged it, in "
                   "words. Open: the page and filters that show the indicator. Trend: the last 8 periods, lowest to "
                   "highest within the row (the figures are in the next column). A missing figure says why (\"no "
                   "return\", \"suppressed (c)\"); it is never 0.", className="small text-body-secondary"),
            grid("myla-grid"),
        ], className="chart-card"),
        html.Section([
            html.H2("Every indicator, by theme", className="h4"),
            html.P("Each theme opens with a click (its heading counts its indicators and exceptions); within a theme, "
                   "exceptions come first.", className="small text-body-secondary"),
            download_buttons("myla-dl"),   # every indicator, as the themes below show them
            # Each theme's rows wait in its store until the theme is first opened (`_fill_theme_on_open`).
            *[html.Details([html.Summary(id=f"{theme_id(t)}-summary", className="h6"), grid(f"{theme_id(t)}-grid"),
                            dcc.Store(id=f"{theme_id(t)}-rows")],
                           id=theme_id(t), className="myla-theme mb-2") for t in THEMES],
            dcc.Download(id="myla-download"),
        ], className="chart-card"),
        dbc.Row([
            dbc.Col(chart_card("myla-flagged-title", "myla-flagged",
                               "Indicators flagged in each theme: better, worse, mixed (better on one rule, worse on "
                               "another) or higher or lower where neither is better. The table above names them.",
                               image_buttons=True), lg=6),
            dbc.Col(html.Section(id="myla-notes", className="chart-card notes"), lg=6),
        ]),
        html.Section([
            html.H2("Data status", className="h4"),
            html.P(id="myla-status-rules", className="small text-body-secondary"),
            html.H3("This LA", className="h6 mt-3"),
            grid("myla-status-grid"),
            html.H3("London" + (": every LA" if is_admin else " in summary"), className="h6 mt-3"),
            grid("myla-london-grid"),
            html.H3("Published releases imported", className="h6 mt-3"),
            grid("myla-published-grid"),
        ], className="chart-card", id="myla-status"),
        html.Section([
            html.H2("Digest by email", className="h4"),
            html.P("A digest of your LA's new exceptions and the data that arrived, with links here: only aggregate "
                   "figures, never names or children's records. Sent once a month or once a quarter.",
                   className="small text-body-secondary"),
            dbc.RadioItems(id="myla-digest", options=[{"label": label, "value": value}
                                                      for value, label in digest.FREQUENCIES.items()],
                           value=_digest_choice(), inline=True),
            html.P(id="myla-digest-saved", className="small mb-0", role="status"),
        ], className="chart-card", id="myla-digest-section", **{"aria-label": "Digest by email"}),
        html.Div(id="myla-url-sync", hidden=True),
    ])


def _digest_choice() -> str | None:
    if not getattr(current_user, "is_authenticated", False):
        return None
    return digest.frequency_of(get_engine(), current_user.id)


@callback(Output("myla-digest-saved", "children"), Input("myla-digest", "value"), prevent_initial_call=True)
def choose_digest(frequency):
    """Store the signed-in member's own choice (never anyone else's: the user comes from the session)."""
    if viewer_scope(DASHBOARD) is None or frequency not in digest.FREQUENCIES:
        raise PreventUpdate
    digest.set_frequency(get_engine(), current_user.id, frequency, actor=current_user.email)
    return {"none": "Saved: no digest.", "monthly": "Saved: a digest each month.",
            "quarterly": "Saved: a digest each quarter."}[frequency]


def _indicator_columns(table):
    columns = []
    for c in column_defs(table):
        if c["field"] == "Open":
            c = {**c, "cellRenderer": "markdown", "minWidth": 110}
        elif c["field"] == "Why flagged":
            c = {**c, "wrapText": True, "minWidth": 320}
        elif c["field"] == "Indicator":
            c = {**c, "wrapText": True, "minWidth": 260}
        elif c["field"] == "Trend":
            c = {**c, "cellClass": "sparkline", "minWidth": 120}
        columns.append(c)
    return columns


def _indicator_grid(table) -> tuple[list[dict], list[dict]]:
    rows, columns = grid_content(table, _indicator_columns)
    for row in rows:
        row["Open"] = f"[Open]({row['Open']})"
    return rows, columns


def _theme_rows(table) -> dict:
    """A theme's grid content as its store holds it until the theme opens: {"rowData": ..., "columnDefs": ...}."""
    rows, columns = _indicator_grid(table)
    return {"rowData": rows, "columnDefs": columns}


# A closed theme's grid stays empty: ten grids laid out at once were most of the page's script before its chart drew.
# The first click on a theme (its <details> counts clicks; it opens by itself) puts its rows in; a theme filled once
# takes another LA's rows as they come (it may still be open).
for _theme in THEMES:
    clientside_callback(
        r"""function (clicks, content, shown) {
            var none = window.dash_clientside.no_update;
            var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || '';
            var filled = !!(shown && shown.length);
            var refill = /\.data$/.test(trigger) ? filled : (clicks && !filled);
            if (!refill || !content) { return [none, none]; }
            return [content.rowData, content.columnDefs];
        }""",
        *grid_outputs(f"{theme_id(_theme)}-grid"),
        Input(theme_id(_theme), "n_clicks"), Input(f"{theme_id(_theme)}-rows", "data"),
        State(f"{theme_id(_theme)}-grid", "rowData"))


@view_callback(DASHBOARD,
    Output("myla-banner", "children"), Output("myla-summary", "children"), *grid_outputs("myla-grid"),
    *[output for t in THEMES for output in (Output(theme_id(t), "open"), Output(theme_id(t), "hidden"),
                                            Output(f"{theme_id(t)}-summary", "children"),
                                            Output(f"{theme_id(t)}-rows", "data"))],
    Output("myla-flagged-title", "children"), Output("myla-flagged", "figure"), Output("myla-flagged-takeaway", "children"),
    Output("myla-notes", "children"), Output("myla-status-rules", "children"),
    *grid_outputs("myla-status-grid", "myla-london-grid", "myla-published-grid"),
    Input("myla-la", "value"),
)
def render(la):
    scope = viewer_scope(DASHBOARD)
    selection = scope and DASHBOARD.selection_from_values((la,), scope)
    if selection is None:
        raise PreventUpdate
    return rendered(selection.la, scope, **_render_key(scope))


# Every output of `render`, built once per LA, audience, data version and day: choosing an LA again is one cache read,
# not the view read, data status worked out for 33 LAs and the grids' columns sized again.
@loader.view_cache(*my_la_view.SOURCES, check=my_la_view.check_scope, depends_on_caller=lambda *_: True)
def rendered(la: str, scope: loader.AccessScope, *, audience: str, versions: tuple, today: str) -> tuple:
    selection = DASHBOARD.selection_from_values((la,), scope)
    if selection is None:
        raise PreventUpdate
    view = my_la_view.build_view(selection, scope)
    status = my_la_view.data_status(selection, scope, pd.Timestamp(today))
    themes = []
    for theme, table, n_flagged in view.themes:
        n = len(table)
        heading = f"{theme}: {n} indicator{'s' if n != 1 else ''}" + (f", {n_flagged} flagged" if n_flagged else "")
        themes += [False, n == 0, heading, _theme_rows(table)]   # closed: the exceptions above come first
    return (
        demo_banner(view.is_demo, "members' quarterly return"), f"{view.la_name}: {view.summary}",
        *_indicator_grid(view.exceptions), *themes,
        f"{view.la_name}: indicators flagged, by theme", lean_figure(view.flagged_figure), view.summary,
        definition_list("How this page decides", view.notes), status["rules"],
        *grid_content(status["own"]), *grid_content(status["london"]), *grid_content(status["published"]),
    )
