"""Placements and supply: who places children here, what Ofsted-registered supply there is, and demand against supply.

Child-level counts (protected on the server) and Ofsted's provider data: commissioners and administrators only."""
import dash_bootstrap_components as dbc
from dash import Input, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import loader
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import Call, Dashboard, Filter, register_callbacks, rendered_outputs, viewer_scope
from dashboard.components.layout import (chart_card, chart_page_outputs, chart_page_values, chart_tables, filter_bar, labelled,
                                         sharing_and_kpis)
from dashboard.components.notes import page_heading
from dashboard.dashboards.placements_supply import data as supply_data
from dashboard.dashboards.placements_supply import view as supply_view
from dashboard.dashboards.sufficiency import data as suff_data

CHARTS = supply_view.CHARTS
SECTIONS = (
    ("Placed here, by whom", "Children living in the area who are looked after by another LA, and where your own LA's "
                             "children live outside it.",
     ("placing", "placement", "provider", "distance", "grade", "trend", "elsewhere")),
    ("Ofsted-registered supply", "Children's homes registered with Ofsted in the area: places by sector, who owns them, "
                                 "and homes opening and closing.", ("places", "types", "owners", "openings")),
    ("Demand against supply", "The children the area's LAs are forecast to need a children's home or fostering for, "
                              "against the places registered.", ("demand",)),
)
DESCRIPTIONS = {
    "placing": "Each London LA with children living in the area outside its own borough; your LA is orange and marked ◆. "
               "For a sub-region or London, your LA's bar is your children living in the area's other boroughs. "
               "Counts protected.",
    "placement": "The same children by their placement type.",
    "provider": "The same children by who provides the placement (from the return's provider code).",
    "distance": "Straight-line distance between the child's home and placement postcodes.",
    "grade": "The same children by their provider's Ofsted grade on the date, matched by the placement's URN.",
    "trend": "Children living in the area and looked after by another LA at each quarter end, by placement type; black: all.",
    "elsewhere": "Your LA's own children living outside it: the 15 places with the most (the table has every place).",
    "places": "Places in registered children's homes by the sector running them (the table also has homes and places not given).",
    "types": "Every kind of provider Ofsted registers in the area (fostering agencies, homes, schools...); the table has their places.",
    "owners": "The ten owners with the most places in the area's children's homes, as a share of all its places.",
    "openings": "Children's homes registered (opened) and closed in the area in each year to 31 March.",
    "demand": "For children's homes and fostering: children forecast to need a place, places registered (foster places: not loaded), "
              "and the area's children in that kind of home who live outside London now.",
}


def select(values: dict, scope: loader.AccessScope):
    options = suff_data.options(scope)
    if not options["has_data"]:
        return None
    return supply_view.resolve_filters(values.get("area"), values.get("at"), user_la=scope.la_code,
                                       las=loader.local_authorities(), options=options)


def default_calls(scope: loader.AccessScope) -> list[Call]:
    """What the page asks for when opened with no query string (warming makes it first): the view, then the render
    callback's outputs for the filter values its layout sets."""
    filters = DASHBOARD.selection_from_query({}, scope)
    if filters is None:
        return []
    return [Call(supply_view.build_view, (filters, scope), {"anonymise_with": None}),
            Call(rendered, ((filters.area, filters.as_at), scope))]


DASHBOARD = Dashboard(
    name="placements_supply", prefix="supply", path="/placements-supply", nav_name="Placements and supply",
    heading="Placements and supply", order=10, filters=(Filter("supply-area", "area"), Filter("supply-at", "at")),
    select=select, present=supply_view.presentation, charts=CHARTS, tables=supply_view.TABLES, view=supply_view.build_view,
    default_calls=default_calls,
    allowed_roles=("commissioner",), anonymise=False,   # commissioners and admins; LAs are named (no anonymise switch)
    prepare_process=suff_data.prepare_in_this_process,
)
register_callbacks(DASHBOARD)


def layout(**query):
    scope = viewer_scope(DASHBOARD)
    filters = DASHBOARD.selection_from_query(query, scope)
    options = suff_data.options(scope) if filters else {}
    sections = []
    for heading, lead, charts in SECTIONS:
        sections.append(html.Section([
            html.H2(heading, className="h3 mt-4"), html.P(lead, className="text-body-secondary"),
            dbc.Row([dbc.Col(chart_card(f"supply-{c}-title", f"supply-{c}", DESCRIPTIONS[c], image_buttons=True),
                             lg=12 if c in ("placing", "trend", "demand", "places") else 6) for c in charts]),
        ]))
    return html.Div([
        page_heading("Placements and supply", "Which LAs place children in our area, what supply is registered here, "
                                              "and is there enough for what we will need?"),
        html.Div(id="supply-banner"),
        None if filters else dbc.Alert("No looked-after children data has been loaded yet.", color="info"),
        filter_bar([
            dbc.Col(labelled("Area", "supply-area", dcc.Dropdown(
                id="supply-area", options=supply_view.area_options(loader.local_authorities()), clearable=False,
                value=filters and filters.area)), lg=4),
            dbc.Col(labelled("As at", "supply-at", dcc.Dropdown(
                id="supply-at", options=supply_view.date_options(options) if filters else [], clearable=False,
                value=filters and filters.as_at)), lg=3),
        ], "Placements and supply filters"),
        *sharing_and_kpis("supply", anonymise=None),
        *sections,
        html.Section(id="supply-definition", className="chart-card notes"),
        chart_tables("supply", CHARTS),
        html.Div(id="supply-url-sync", hidden=True),
    ])


@view_callback(DASHBOARD, *chart_page_outputs("supply", CHARTS), *[Input(f.id, "value") for f in DASHBOARD.filters])
def render(area, at):
    scope = viewer_scope(DASHBOARD)
    if scope is None:
        raise PreventUpdate
    return rendered((area, at), scope)


# Every output of `render` for the filters' values as they arrive, built once per data version and viewer's LA (cached
# with each output's digest, as Sufficiency's): a filter change back to a view already seen is one cache read, not the
# view read and its components and grids built again, nor every output encoded again to find which changed.
@rendered_outputs(supply_data.NAME, suff_data.NAME, "reference", check=supply_data.check_scope)
def rendered(values: tuple, scope: loader.AccessScope) -> tuple:
    filters = DASHBOARD.selection_from_values(values, scope)
    if filters is None:
        raise PreventUpdate
    view = supply_view.build_view(filters, scope)
    banners = [dbc.Alert(text, color="info", className="py-2") for text in view.banners]
    if view.children_demo:
        banners.insert(0, dbc.Alert([html.Strong("Demo data. "), "The children's figures on this page are synthetic "
                                     "(seeded), not any LA's real children. Ofsted's provider figures are never demo data."],
                                    color="warning", className="py-2"))
    return chart_page_values(banners, view, CHARTS)
