"""Ofsted inspections: each London LA's latest inspection of children's services (ILACS), its statistical neighbours',
London's and England's, and the area SEND inspections the SEND page holds."""
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import loader
from dashboard.chart_theme import lean_figure
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import (Call, Dashboard, Filter, anonymise_with, london_la_choices, opening_render,
                                           register_callbacks, render_for_viewer, rendered_outputs, viewer_scope)
from dashboard.components.layout import (chart_card, chart_outputs, column_defs, definition_list, filter_bar, grid_content,
                                         grid_outputs, kpi_cards, labelled, sharing_and_kpis, table_section)
from dashboard.components.notes import page_heading
from dashboard.dashboards.ofsted import view as ofsted_view


def select(values: dict, scope: loader.AccessScope) -> ofsted_view.Filters:
    return ofsted_view.resolve_filters(values["focus"], values["judgement"], user_la=scope.la_code,
                                       las=loader.local_authorities())


def default_calls(scope: loader.AccessScope) -> list[Call]:
    """The view, then the render callback's outputs for the filter values the layout sets (warming makes them first)."""
    filters = DASHBOARD.selection_from_query({}, scope)
    return opening_render(Call(ofsted_view.build_view, (filters, scope), {"anonymise_with": None}), rendered,
                          (filters.focus, filters.judgement), scope)


DASHBOARD = Dashboard(
    name="ofsted", prefix="ofsted", path="/ofsted", nav_name="Ofsted", heading="Ofsted inspections", order=7,
    filters=(Filter("ofsted-focus", "focus"), Filter("ofsted-judgement", "judgement")),
    select=select, present=ofsted_view.presentation, charts=ofsted_view.CHARTS, tables=ofsted_view.TABLES,
    view=ofsted_view.build_view, default_calls=lambda scope: default_calls(scope), la_choices=("ofsted-focus", london_la_choices),
)
register_callbacks(DASHBOARD)


def layout(anon=None, **query):
    anonymise = anon == "1"
    scope = viewer_scope(DASHBOARD)
    filters = DASHBOARD.selection_from_query(query, scope)
    return html.Div([
        page_heading("Ofsted inspections", "What did Ofsted's latest inspection of each LA's children's services find, "
                                           "against its statistical neighbours, London and England, and what did area "
                                           "SEND inspections find?"),
        html.Div(id="ofsted-banner"),
        filter_bar([
            dbc.Col(labelled("Focus LA", "ofsted-focus", dcc.Dropdown(
                id="ofsted-focus", options=london_la_choices(scope, anonymise_with(anonymise)) if filters else [],
                clearable=False, value=filters and filters.focus)), lg=4),
            dbc.Col(labelled("Judgement (distribution chart)", "ofsted-judgement", dcc.Dropdown(
                id="ofsted-judgement", options=ofsted_view.judgement_options(), clearable=False,
                value=filters and filters.judgement)), lg=4),
        ], "Ofsted inspection filters"),
        *sharing_and_kpis("ofsted", anonymise=anonymise),
        dbc.Row([
            dbc.Col(chart_card("ofsted-london-title", "ofsted-london",
                               "Each London LA's latest inspection: overall effectiveness and the four judgements, each "
                               "cell written with its grade (RI = requires improvement to be good). The focus LA has a "
                               "black border and ◆. \"none given\" is a judgement Ofsted did not give, never a grade; "
                               "\"pre-2023\": inspected before care leavers had a judgement of their own.",
                               image_buttons=True), lg=7),
            dbc.Col(html.Section(id="ofsted-definition", className="chart-card notes"), lg=5),
        ]),
        dbc.Row([
            dbc.Col(chart_card("ofsted-neighbours-title", "ofsted-neighbours",
                               "The focus LA (top) and its ten DfE statistical neighbours, closest first, inside and "
                               "outside London.", image_buttons=True), lg=6),
            dbc.Col([chart_card("ofsted-distribution-title", "ofsted-distribution",
                                "How many LAs have each grade for the judgement chosen, by their latest inspection: the "
                                "focus LA's statistical neighbours, its sub-region, London and England. Numbers in the "
                                "bars are LAs; grey is no judgement given.", image_buttons=True),
                     html.Div(id="ofsted-send-demo"),
                     chart_card("ofsted-send-title", "ofsted-send",
                                "Areas inspected under the area SEND framework in use since January 2023, by their latest "
                                "outcome (1 = typically positive experiences and outcomes, 2 = inconsistent, 3 = widespread "
                                "and/or systemic failings). Numbers in the bars are areas.", image_buttons=True)], lg=6),
        ]),
        html.Section([
            html.H2("The judgements", className="h4"),
            html.P("The same judgements as the charts above, to read or download. \"No inspection held\" means the "
                   "imported file has none for the LA; \"No judgement given\" is a blank Ofsted left, never a grade.",
                   className="small text-body-secondary"),
            *table_section("ofsted-dl-london", "ofsted-london-grid", title="Every London LA's latest ILACS inspection"),
            *table_section("ofsted-dl-neighbours", "ofsted-neighbours-grid", title_id="ofsted-neighbours-table-title"),
            *table_section("ofsted-dl-distribution", "ofsted-distribution-grid", title_id="ofsted-distribution-table-title"),
            *table_section("ofsted-dl-send", "ofsted-send-grid", title="Area SEND inspections, London"),
            dcc.Download(id="ofsted-download"),
        ], className="chart-card"),
        html.Div(id="ofsted-url-sync", hidden=True),
    ])


def _columns(table):
    """Each table's columns; a report link opens Ofsted's report (the view lets only https links through)."""
    return [{**c, "cellRenderer": "markdown", "linkTarget": "_blank"} if c["field"] == "Report" else c
            for c in column_defs(table)]


def _grid(table):
    rows, columns = grid_content(table, _columns)
    for row in rows:
        if row.get("Report"):
            row["Report"] = f"[Ofsted report]({row['Report']})"
    return rows, columns


def _banner(view: ofsted_view.OfstedView):
    if not view.has_ilacs:
        return dbc.Alert(ofsted_view.NOT_IMPORTED, color="info", className="py-2")
    return None


@view_callback(DASHBOARD,
    Output("ofsted-banner", "children"), Output("ofsted-kpis", "children"), Output("ofsted-definition", "children"),
    *chart_outputs(*[f"ofsted-{chart}" for chart in ofsted_view.CHARTS]), Output("ofsted-send-demo", "children"),
    *grid_outputs("ofsted-london-grid"), Output("ofsted-neighbours-table-title", "children"),
    *grid_outputs("ofsted-neighbours-grid"), Output("ofsted-distribution-table-title", "children"),
    *grid_outputs("ofsted-distribution-grid", "ofsted-send-grid"),
    *[Output(f"ofsted-{chart}-takeaway", "children") for chart in ofsted_view.CHARTS],
    *[Input(f.id, "value") for f in DASHBOARD.filters], Input("ofsted-anon", "value"),
)
def render(focus, judgement, anonymise):
    return render_for_viewer(DASHBOARD, rendered, (focus, judgement), anonymise)


@rendered_outputs(ofsted_view.NAME, *ofsted_view.OTHER_DATASETS, check=ofsted_view.check_scope)
def rendered(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
    filters = DASHBOARD.selection_from_values(values, scope)
    view = ofsted_view.build_view(filters, scope, anonymise_with=anonymise_with)
    charts = [item for chart in ofsted_view.CHARTS for item in (view.titles[chart], lean_figure(getattr(view, f"{chart}_figure")))]
    send_demo = dbc.Alert(ofsted_view.SEND_DEMO_TEXT, color="warning", className="py-2 small") if view.send_is_demo else None
    return (
        _banner(view), kpi_cards(view.kpis), definition_list("Definitions and sources", view.notes),
        *charts, send_demo,
        *_grid(view.london_table), view.titles["neighbours"], *_grid(view.neighbours_table),
        f"{view.titles['distribution']}", *_grid(view.distribution_table), *_grid(view.send_table),
        *[view.takeaways[chart] for chart in ofsted_view.CHARTS],
    )
