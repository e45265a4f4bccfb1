"""SEND: EHC plans, 20-week timeliness, placements, primary need and area SEND inspections, by LA and sub-region."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import current_app, has_request_context
from flask_login import current_user

from dashboard import loader
from dashboard.dashboards.send import view as send_page
from dashboard.dashboards.benchmarking.view import focus_options
from dashboard.components.layout import (chart_card, column_defs, definition_list, download_buttons, filter_bar, grid,
                                         grid_records, kpi_cards, labelled, present_bar)
from dashboard.components.notes import demo_banner, page_heading
from dashboard.exports import table_file
from dashboard.dashboards.send import data as send_loader
from dashboard.presenting import chart_and_kind, configured_chromium

PAGE = dict(path="/send", name="SEND", title="SEND - London Children's Services Dashboards", order=5)

# Grid cells with no figure read "not published", never blank or 0.
NOT_PUBLISHED = {"valueFormatter": {"function": "params.value == null ? 'not published' : "
                                                 "(typeof params.value === 'number' ? d3.format(',')(params.value) : params.value)"}}


def _signed_in() -> bool:
    # Layouts are also called at start-up (outside any request) to build Dash's validation layout.
    return has_request_context() and current_user.is_authenticated


def _user_la():
    return current_user.la_code if _signed_in() else None


def _scope():
    return loader.scope_of(current_user)


def _secret(anonymise):
    return current_app.config["SECRET_KEY"] if anonymise else None


def _la_options(anonymise: bool):
    return focus_options(loader.local_authorities(), _user_la(), _secret(anonymise))


def _filters(focus, measure, year, by):
    if not _signed_in():
        return None
    values = send_loader.send_values(_scope())
    if values.empty:
        return None
    return send_page.resolve_filters(focus, measure, year, by, user_la=_user_la(), las=loader.local_authorities(), values=values)


def layout(focus=None, measure=None, year=None, by=None, anon=None, **query):
    anonymise = anon == "1"
    filters = _filters(focus, measure, year, by)
    years = send_page.available_years(send_loader.send_values(_scope())) if filters else []
    return html.Div([
        page_heading("SEND", "Education, health and care plans: how many, how fast, where children are educated, "
                             "and what area SEND inspections found."),
        html.Div(id="send-demo-banner"),
        None if filters else dbc.Alert("No SEND data has been loaded yet.", color="info"),
        filter_bar([
            dbc.Col(labelled("Focus LA", "send-focus", dcc.Dropdown(
                id="send-focus", options=_la_options(anonymise) if filters else [],
                clearable=False, value=filters and filters.focus)), lg=3),
            dbc.Col(labelled("Measure (trend and LA chart)", "send-measure", dcc.Dropdown(
                id="send-measure", options=send_page.indicator_options(), clearable=False,
                value=filters and filters.indicator)), lg=5),
            dbc.Col(labelled("Year", "send-year", dcc.Dropdown(
                id="send-year", options=[{"label": str(y), "value": str(y)} for y in reversed(years)], clearable=False,
                value=filters and str(filters.year))), lg=2),
            dbc.Col(labelled("Placements by", "send-by", dcc.Dropdown(
                id="send-by", options=[{"label": "LA", "value": "la"}, {"label": "Sub-region", "value": "subregion"}],
                clearable=False, value=filters and filters.grouping)), lg=2),
        ], "SEND filters"),
        present_bar("send", anonymise=anonymise),
        html.Div(id="send-kpis", className="mb-3"),
        dbc.Row([
            dbc.Col(chart_card("send-trend-title", "send-trend",
                               "The focus LA (thick line) against its sub-region, London and England. Gaps are years "
                               "with no published figure.", image_buttons=True), lg=7),
            dbc.Col(html.Section(id="send-definition", className="chart-card notes"), lg=5),
        ]),
        chart_card("send-ranking-title", "send-ranking",
                   "Every London LA for the year chosen, highest first; the focus LA is marked ◆ and in orange, grey bars "
                   "have too few cases to rank. Dashed line: London; dotted: England. " + send_page.NOT_A_LEAGUE_TABLE,
                   image_buttons=True),
        dbc.Row([
            dbc.Col([html.Div(id="send-placement-demo"), chart_card(
                "send-placement-title", "send-placement",
                "Where children and young people with an EHC plan are educated, as a share of all with a plan. "
                "INMSS = independent or non-maintained special schools, a London-wide cost pressure. "
                "London and England in italics; (c) marks an area where small counts (1 to 5) are hidden, so its bar is "
                "incomplete.", image_buttons=True)], lg=7),
            dbc.Col([html.Div(id="send-need-demo"), chart_card(
                "send-need-title", "send-need",
                "Primary need of pupils with an EHC plan: the focus LA against its sub-region, London and England.",
                image_buttons=True)], lg=5),
        ]),
        dbc.Row([
            dbc.Col(chart_card("send-tiles-title", "send-tiles",
                               "Each borough's latest area SEND inspection outcome under the framework in use since "
                               "January 2023 (1 = typically positive experiences and outcomes, 2 = inconsistent, "
                               "3 = widespread or systemic failings). The focus LA has a black border and ◆. With "
                               "other LAs anonymised, tiles are in label order, not on the map (a place on the map "
                               "would name the borough).", image_buttons=True), lg=6),
            dbc.Col(chart_card("send-share-title", "send-share", html.Span(id="send-share-text"), image_buttons=True), lg=6),
        ]),
        html.Section([
            html.H2("The figures", className="h4"),
            html.P("The same figures as the charts above, to read or download. \"not published\" means the source has no "
                   "figure (never 0); c means a small count is hidden.", className="small text-body-secondary"),
            html.H3(id="send-las-table-title", className="h6 mt-3"),
            download_buttons("send-dl-las"),
            grid("send-las-grid"),
            html.H3(id="send-trend-table-title", className="h6 mt-4"),
            download_buttons("send-dl-trend"),
            grid("send-trend-grid"),
            html.H3(id="send-placement-table-title", className="h6 mt-4"),
            download_buttons("send-dl-placements"),
            grid("send-placement-grid"),
            html.H3("Area SEND inspections, London", className="h6 mt-4"),
            download_buttons("send-dl-inspections"),
            grid("send-inspection-grid"),
            dcc.Download(id="send-download"),
        ], className="chart-card"),
        html.Div(id="send-url-sync", hidden=True),
    ])


FILTER_STATE = [State("send-focus", "value"), State("send-measure", "value"), State("send-year", "value"),
                State("send-by", "value"), State("send-anon", "value")]


def _columns(table):
    return [{**c, **NOT_PUBLISHED} for c in column_defs(table)]


def _demo_note(is_demo: bool, what: str):
    if not is_demo:
        return None
    return dbc.Alert([html.Strong("Demo data. "), f"The {what} figures are synthetic (seeded): they are not in the "
                      "published files loaded, and are not any LA's real figures."], color="warning", className="py-2 small")


@callback(
    Output("send-demo-banner", "children"), Output("send-kpis", "children"), Output("send-definition", "children"),
    Output("send-trend-title", "children"), Output("send-trend", "figure"),
    Output("send-ranking-title", "children"), Output("send-ranking", "figure"),
    Output("send-placement-demo", "children"), Output("send-placement-title", "children"), Output("send-placement", "figure"),
    Output("send-need-demo", "children"), Output("send-need-title", "children"), Output("send-need", "figure"),
    Output("send-tiles-title", "children"), Output("send-tiles", "figure"),
    Output("send-share-text", "children"), Output("send-share", "figure"),
    Output("send-las-table-title", "children"), Output("send-las-grid", "rowData"), Output("send-las-grid", "columnDefs"),
    Output("send-trend-table-title", "children"), Output("send-trend-grid", "rowData"), Output("send-trend-grid", "columnDefs"),
    Output("send-placement-table-title", "children"), Output("send-placement-grid", "rowData"), Output("send-placement-grid", "columnDefs"),
    Output("send-inspection-grid", "rowData"), Output("send-inspection-grid", "columnDefs"),
    Output("send-share-title", "children"),
    *[Output(f"send-{chart}-takeaway", "children") for chart in send_page.CHARTS],
    Input("send-focus", "value"), Input("send-measure", "value"), Input("send-year", "value"), Input("send-by", "value"),
    Input("send-anon", "value"),
)
def render(focus, measure, year, by, anonymise):
    filters = _filters(focus, measure, year, by)
    if filters is None:
        raise PreventUpdate
    view = send_page.build_view(filters, _scope(), anonymise_with=_secret(anonymise))
    titles = send_page.chart_titles(view)
    name, y = view.indicator.name, view.year
    banner = demo_banner(True, "SEND data") if view.is_demo else (
        dbc.Alert(["Published DfE, ONS and Ofsted figures, except ", html.Strong("demo data"), " (synthetic, labelled) for: "
                   + ", ".join(view.demo_parts) + "."], color="warning", className="py-2") if view.demo_parts else None)
    by_text = "by LA" if filters.grouping == "la" else "by sub-region"
    return (
        banner, kpi_cards(view.kpis), definition_list(name, view.notes),
        titles["trend"], view.trend_figure, titles["ranking"], view.ranking_figure,
        _demo_note(view.placement_is_demo, "placement"), titles["placement"], view.placement_figure,
        _demo_note(view.need_is_demo, "primary need"), titles["need"], view.need_figure,
        titles["tiles"], view.tile_figure,
        view.share_text, view.share_figure,
        f"All London LAs, {y}", grid_records(view.la_table), _columns(view.la_table),
        f"{name}: {view.focus_name} against its comparators", grid_records(view.trend_table), _columns(view.trend_table),
        f"Placements of children with a plan, {by_text}, January {y}", grid_records(view.placement_table), _columns(view.placement_table),
        grid_records(view.inspection_table), _columns(view.inspection_table),
        titles["share"], *[view.takeaways[chart] for chart in send_page.CHARTS],
    )


@callback(Output("send-focus", "options"), Input("send-anon", "value"), prevent_initial_call=True)
def anonymise_focus_choices(anonymise):
    return _la_options(bool(anonymise))


@callback(
    Output("send-download", "data"),
    Input("send-dl-las-csv", "n_clicks"), Input("send-dl-las-xlsx", "n_clicks"),
    Input("send-dl-trend-csv", "n_clicks"), Input("send-dl-trend-xlsx", "n_clicks"),
    Input("send-dl-placements-csv", "n_clicks"), Input("send-dl-placements-xlsx", "n_clicks"),
    Input("send-dl-inspections-csv", "n_clicks"), Input("send-dl-inspections-xlsx", "n_clicks"),
    *FILTER_STATE,
    prevent_initial_call=True,
)
def download(*args):
    focus, measure, year, by, anonymise = args[-5:]
    filters = _filters(focus, measure, year, by)
    if filters is None or not ctx.triggered_id:
        raise PreventUpdate
    which, kind = ctx.triggered_id.split("-")[-2:]
    table, notes, stem = send_page.download_table(filters, _scope(), which, anonymise_with=_secret(anonymise))
    return dcc.send_bytes(*table_file(table, notes, stem, kind))


@callback(
    Output("send-image-download", "data"),
    *[Input(f"send-{chart}-{kind}", "n_clicks") for chart in send_page.CHARTS for kind in ("png", "svg")],
    *FILTER_STATE,
    prevent_initial_call=True,
)
def chart_image(*args):
    focus, measure, year, by, anonymise = args[-5:]
    filters = _filters(focus, measure, year, by)
    if filters is None or not ctx.triggered_id:
        raise PreventUpdate
    chart, kind = chart_and_kind(ctx.triggered_id)
    return dcc.send_bytes(*send_page.chart_image(filters, _scope(), chart, kind, configured_chromium(),
                                                 anonymise_with=_secret(anonymise)))


@callback(Output("send-deck-download", "data"), Input("send-deck", "n_clicks"), *FILTER_STATE, prevent_initial_call=True)
def slides(_n, focus, measure, year, by, anonymise):
    filters = _filters(focus, measure, year, by)
    if filters is None:
        raise PreventUpdate
    return dcc.send_bytes(*send_page.slide_deck(filters, _scope(), configured_chromium(), anonymise_with=_secret(anonymise)))


# Keep the filters in the address bar without reloading the page, so a copied link reopens this view.
clientside_callback(
    """
    function(focus, measure, year, by, anonymise) {
        if (!focus) { return ''; }
        const params = new URLSearchParams({focus: focus, measure: measure, year: year, by: by});
        if (anonymise) { params.set('anon', '1'); }
        window.history.replaceState(null, '', window.location.pathname + '?' + params.toString());
        return '';
    }
    """,
    Output("send-url-sync", "children"),
    Input("send-focus", "value"), Input("send-measure", "value"), Input("send-year", "value"), Input("send-by", "value"),
    Input("send-anon", "value"),
)
