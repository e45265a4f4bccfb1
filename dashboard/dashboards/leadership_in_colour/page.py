"""Leadership in Colour: where Black and Global Majority representation falls away, by pay band and role."""
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import loader
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import (Call, Dashboard, Filter, anonymise_with, opening_render, register_callbacks,
                                           render_for_viewer, rendered_outputs, viewer_scope)
from dashboard.dashboards.leadership_in_colour import data
from dashboard.dashboards.leadership_in_colour import view as linc
from dashboard.components.layout import (chart_card, chart_outputs, definition_list, download_buttons, filter_bar,
                                         grid_content, grid_outputs, kpi_cards, labelled, sharing_and_kpis, table_outputs,
                                         table_section)
from dashboard.components.notes import demo_banner, page_heading


def select(values: dict, scope: loader.AccessScope) -> linc.Filters:
    return linc.resolve_filters(values["source"], values["borough"], values["service"], values["group"],
                                la_codes=loader.local_authorities()["la_code"])


def borough_choices(scope: loader.AccessScope, secret: str | None) -> list[dict]:
    return linc.borough_options(loader.local_authorities(), scope.la_code, secret)


def default_calls(scope: loader.AccessScope) -> list[Call]:
    """What the page asks for when opened with no query string (warming makes it first): the view, then the render
    callback's outputs for the filter values its layout sets."""
    filters = DASHBOARD.selection_from_query({}, scope)
    values = (filters.source, filters.borough, filters.service, filters.group)
    return opening_render(Call(linc.build_view, (filters, scope), {"anonymise_with": None}), rendered, values, scope)


DASHBOARD = Dashboard(
    name="leadership_in_colour", prefix="linc", path="/leadership-in-colour", nav_name="Leadership in Colour",
    heading="Leadership in Colour", order=3,
    filters=(Filter("linc-source", "source"), Filter("linc-borough", "borough"), Filter("linc-service", "service"),
             Filter("linc-group", "group")),
    select=select, present=linc.presentation, charts=tuple(linc.CHARTS),
    tables=("band", "groups", "borough", "role", "notknown"),
    view=linc.build_view, default_calls=default_calls, la_choices=("linc-borough", borough_choices),
)
register_callbacks(DASHBOARD)


def _shading_key():
    swatches = [("#9CC6EA", "well above population (ratio over 1.25)"), ("#D4E6F5", "above"),
                ("#FCE6CF", "below"), ("#F5C18A", "well below (ratio under 0.8)")]
    return html.P([html.Span("Shading: ", className="fw-semibold")] + [
        html.Span([html.Span(className="linc-swatch", style={"backgroundColor": colour, "display": "inline-block",
                                                             "width": "1em", "height": "1em", "border": "1px solid #888",
                                                             "verticalAlign": "middle", "marginRight": "0.3em"}),
                   text], className="me-3") for colour, text in swatches] +
        [html.Span("Unshaded: within 1 point of the population, or no figure. ", className="me-1"),
         html.Span("<10% and c mark suppressed cells, not values.")], className="small mb-2")


def layout(anon=None, **query):
    anonymise = anon == "1"
    scope = viewer_scope(DASHBOARD)
    # Signed out (Dash's validation layout at start-up): the default filters and no borough to choose.
    filters = DASHBOARD.selection_from_query(query, scope) or linc.resolve_filters(la_codes=[])
    return html.Div([
        page_heading("Leadership in Colour", "Where does Black and Global Majority representation fall away, by pay band "
                                             "and by role, against the population served?"),
        html.Div(id="linc-demo-banner"),
        html.Div(id="linc-messages"),
        filter_bar([
            dbc.Col(labelled("Pay-band figures", "linc-source", dcc.Dropdown(
                id="linc-source", options=[{"label": v, "value": k} for k, v in linc.SOURCES.items()],
                value=filters.source, clearable=False, searchable=False)), lg=3),
            dbc.Col(labelled("Borough", "linc-borough", dcc.Dropdown(
                id="linc-borough", options=borough_choices(scope, anonymise_with(anonymise)) if scope else [],
                value=filters.borough, clearable=False)), lg=3),
            dbc.Col(labelled("Ethnic group", "linc-group", dcc.Dropdown(
                id="linc-group", options=linc.group_options(filters.source), value=filters.group, clearable=False,
                searchable=False)), lg=3),
            dbc.Col(labelled("Service group (demo counts only)", "linc-service", dcc.Dropdown(
                id="linc-service", options=linc.service_options(), value=filters.service, clearable=False,
                searchable=False, disabled=filters.source != "demo")), lg=3),
        ], "Leadership in Colour filters"),
        *sharing_and_kpis("linc", anonymise=anonymise),
        dbc.Row([
            dbc.Col(chart_card("linc-band-title", "linc-band",
                               "Bars: the group's share of staff with known ethnicity in each pay band. Dashed line: its "
                               "share of the population. The hatched orange bar marks the glass ceiling.",
                               image_buttons=True), lg=6),
            dbc.Col(chart_card("linc-group-title", "linc-groups",
                               "Each group's staff share divided by its population share, band by band: 1 is parity, "
                               "under 1 under-represented. Gaps are suppressed or unpublished cells.",
                               image_buttons=True), lg=6),
        ]),
        html.Section([
            *table_section("linc-dl-band", "linc-band-grid", title_id="linc-band-table-title", heading=html.H2,
                           heading_class="h5", between=(html.P(id="linc-ceiling-text", className="small"),)),
            *table_section("linc-dl-groups", "linc-groups-grid",
                           title="Representation ratio by ethnic group (staff share ÷ population share)"),
        ], className="chart-card"),
        html.Section([
            html.H2(id="linc-borough-title", className="h5"),
            _shading_key(),
            download_buttons("linc-dl-borough"),
            dag.AgGrid(id="linc-borough-grid", rowData=[], columnDefs=[], columnSize="responsiveSizeToFit",
                       defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
                       getRowStyle={"styleConditions": [{"condition": "params.data._focus",
                                                         "style": {"fontWeight": "bold", "borderLeft": "4px solid #D55E00"}}]},
                       dashGridOptions={"domLayout": "autoHeight", "tooltipShowDelay": 300}, style={"height": None}),
        ], className="chart-card"),
        html.H2("Children's social workers by role", className="h4 mt-4"),
        html.P("Real figures from the DfE census of children's social workers at 30 September, whichever pay-band "
               "figures are chosen above.", className="small text-body-secondary"),
        dbc.Row([
            dbc.Col(chart_card("linc-role-title", "linc-roles",
                               "One line per year from case holder to senior manager; the latest year is the thick "
                               "orange line, earlier years lighter blue. A falling line is the drop-off; a flatter line "
                               "over the years is the gap narrowing.", image_buttons=True), lg=7),
            dbc.Col(chart_card("linc-notknown-title", "linc-notknown",
                               "Share of children's social workers whose ethnicity is not recorded: representation "
                               "figures are only as good as that. The chosen borough (or, for all boroughs, "
                               "your own) is marked ◆.", image_buttons=True), lg=5),
        ]),
        html.Section([
            html.H2("The figures", className="h4"),
            *table_section("linc-dl-role", "linc-role-grid", title_id="linc-role-table-title", heading_class="h6 mt-3"),
            *table_section("linc-dl-notknown", "linc-notknown-grid", title="Ethnicity not known, by local authority"),
            dcc.Download(id="linc-download"),
        ], className="chart-card"),
        html.Section(id="linc-notes", className="chart-card notes"),
        html.Div(id="linc-url-sync", hidden=True),
    ])


@callback(
    Output("linc-group", "options"), Output("linc-group", "value"), Output("linc-service", "disabled"),
    Input("linc-source", "value"), State("linc-group", "value"),
)
def source_changed(source, group):
    filters = linc.resolve_filters(source, None, None, group, la_codes=[])
    return linc.group_options(filters.source), filters.group, filters.source != "demo"


@view_callback(DASHBOARD,
    Output("linc-demo-banner", "children"), Output("linc-messages", "children"), Output("linc-kpis", "children"),
    *chart_outputs("linc-band", "linc-groups", title_ids={"linc-groups": "linc-group-title"}),
    Output("linc-band-table-title", "children"), Output("linc-ceiling-text", "children"),
    *grid_outputs("linc-band-grid", "linc-groups-grid"), *table_outputs("linc-borough-title", "linc-borough-grid"),
    *chart_outputs("linc-roles", "linc-notknown", title_ids={"linc-roles": "linc-role-title"}),
    *table_outputs("linc-role-table-title", "linc-role-grid"), *grid_outputs("linc-notknown-grid"),
    Output("linc-notes", "children"),
    *[Output(f"linc-{chart}-takeaway", "children") for chart in linc.CHARTS],
    *[Input(f.id, "value") for f in DASHBOARD.filters], Input("linc-anon", "value"),
)
def render(source, borough, service, group, anonymise):
    return render_for_viewer(DASHBOARD, rendered, (source, borough, service, group), anonymise)


# (The view under it is shared by every member; only the marking of the viewer's own LA differs.)
@rendered_outputs("reference", data.NAME, data.PUBLISHED, data.CSWW, check=data.check_scope)
def rendered(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
    view = linc.build_view(DASHBOARD.selection_from_values(values, scope), scope, anonymise_with=anonymise_with)
    messages = [dbc.Alert(m, color="info", className="py-2") for m in view.messages]
    return (
        demo_banner(view.is_demo, "pay-band headcount data"), messages, kpi_cards(view.kpis),
        view.band_title, view.band_figure, view.group_title, view.group_figure,
        f"The pay-band figures: {view.area_label}", view.ceiling_text,
        *grid_content(view.band_table), *grid_content(view.group_table),
        view.borough_title, view.borough_table.to_dict("records"), view.borough_columns,
        view.role_title, view.role_figure, view.not_known_title, view.not_known_figure,
        "Black and Global Majority share by role and year", *grid_content(view.role_table),
        *grid_content(view.not_known_table),
        definition_list("Definitions, sources and suppression", view.notes),
        *[view.takeaways[chart] for chart in linc.CHARTS],
    )
