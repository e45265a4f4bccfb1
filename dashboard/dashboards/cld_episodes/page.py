"""Child-level episodes (CLD): the viewer's LA against its sub-region and London, one collection year at a time.

Child-level counts (other LAs' protected on the server): commissioners and administrators only, as Sufficiency."""
import dash_bootstrap_components as dbc
from dash import Input, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import loader
from dashboard.components.contract import Call, Dashboard, Filter, register_callbacks, rendered_outputs, viewer_scope
from dashboard.components.first_paint import view_callback
from dashboard.components.layout import (chart_card, chart_page_outputs, chart_page_values, chart_tables, filter_bar, labelled,
                                         sharing_and_kpis)
from dashboard.components.notes import page_heading
from dashboard.dashboards.cld_episodes import data, view as cld_view

CHARTS = cld_view.CHARTS
SECTIONS = (
    ("Starting and ceasing care", "Children who started and ceased to be looked after in the year, and every new "
                                  "episode by its reason.", ("starts_legal", "starts_need", "ceased_reason", "new_episodes")),
    ("How long, and how settled", "How long episodes, placements and periods of care lasted, and placement moves.",
     ("durations", "placement_bands", "moves")),
    ("Missing and adoption", "Missing and away-from-placement episodes, and how long children waited for adoption.",
     ("missing", "adoption")),
)
DESCRIPTIONS = {
    "starts_legal": "Share of each area's children starting care, by the legal status group of their first episode.",
    "starts_need": "Share of each area's children starting care, by category of need.",
    "ceased_reason": "Share of each area's children ceasing care, by the reason their care ended (grouped).",
    "new_episodes": "Share of each area's new episodes by reason: a new period of care (S), a legal status change (L) "
                    "or a change of placement (P, T, B, U).",
    "durations": "Median days of episodes, placements and periods of care that ended in the year.",
    "placement_bands": "Share of the placements that ended in the year, by how long they had lasted (DfE bands).",
    "moves": "Share of children looked after at 31 March who had 3 or more placements in the year (DfE stability measure).",
    "missing": "Share of children looked after in the year with a missing (M) or away-from-placement (A) episode.",
    "adoption": "Median days from entering care to being placed for adoption, and from the decision to place for "
                "adoption to the match with adopters.",
}


def select(values: dict, scope: loader.AccessScope):
    years = data.options(scope)["years"]
    return cld_view.resolve_filters(values.get("year"), years) if years else None


def default_calls(scope: loader.AccessScope) -> list[Call]:
    """What the page asks for when opened with no query string (warming makes it first): the view, then the render
    callback's outputs for the year its layout sets."""
    filters = DASHBOARD.selection_from_query({}, scope)
    if filters is None:
        return []
    return [Call(cld_view.build_view, (filters, scope), {"anonymise_with": None}), Call(rendered, ((filters.year,), scope))]


DASHBOARD = Dashboard(
    name="cld_episodes", prefix="cld", path="/child-level-episodes", nav_name="Child-level episodes",
    heading="Child-level episodes (CLD)", order=11, filters=(Filter("cld-year", "year"),), select=select,
    present=cld_view.presentation, charts=CHARTS, tables=cld_view.TABLES, view=cld_view.build_view,
    allowed_roles=("commissioner",), anonymise=False,   # commissioners and admins, as Sufficiency; names no other LA
    prepare_process=data.prepare_in_this_process, default_calls=default_calls,
)
register_callbacks(DASHBOARD)


def layout(**query):
    scope = viewer_scope(DASHBOARD)
    filters = DASHBOARD.selection_from_query(query, scope)
    years = data.options(scope)["years"] if filters else []
    sections = [html.Section([
        html.H2(heading, className="h3 mt-4"), html.P(lead, className="text-body-secondary"),
        dbc.Row([dbc.Col(chart_card(f"cld-{c}-title", f"cld-{c}", DESCRIPTIONS[c], image_buttons=True), lg=6) for c in charts]),
    ]) for heading, lead, charts in SECTIONS]
    return html.Div([
        page_heading("Child-level episodes", "Who starts and leaves care in our LA, for what reasons, how long placements "
                                             "last, how often children move or go missing, and how long adoption takes: "
                                             "against our sub-region and London."),
        html.Div(id="cld-banner"),
        None if filters else dbc.Alert("No SSDA903 return has been loaded yet.", color="info"),
        filter_bar([dbc.Col(labelled("Collection year", "cld-year", dcc.Dropdown(
            id="cld-year", options=cld_view.year_options(years), clearable=False, value=filters and filters.year)), lg=4)],
            "Child-level episodes filters"),
        *sharing_and_kpis("cld", anonymise=None),
        *sections,
        html.Section(id="cld-definition", className="chart-card notes"),
        chart_tables("cld", CHARTS),
        html.Div(id="cld-url-sync", hidden=True),
    ])


@view_callback(DASHBOARD, *chart_page_outputs("cld", CHARTS), *[Input(f.id, "value") for f in DASHBOARD.filters])
def render(year):
    scope = viewer_scope(DASHBOARD)
    if scope is None:
        raise PreventUpdate
    return rendered((year,), scope)


# Every output of `render` for the year as it arrives, built once per data version and viewer's LA: a change back to a
# year already seen is one cache read, not the view read and its components and grids built again (its 57 outputs'
# digests cached with it, not encoded again on every answer to find what changed).
@rendered_outputs(data.NAME, "reference", check=data.check_scope)
def rendered(values: tuple, scope: loader.AccessScope) -> tuple:
    filters = DASHBOARD.selection_from_values(values, scope)
    if filters is None:
        raise PreventUpdate
    view = cld_view.build_view(filters, scope)
    banners = [dbc.Alert(text, color="info", className="py-2") for text in view.banners]
    if view.demo:
        banners.insert(0, dbc.Alert([html.Strong("Demo data. "), "The figures on this page are synthetic (seeded) "
                                     "SSDA903 returns, not any LA's real children."], color="warning", className="py-2"))
    return chart_page_values(banners, view, CHARTS)
