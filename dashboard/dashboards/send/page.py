"""SEND: EHC plans, 20-week timeliness, placements, primary need and area SEND inspections, by LA and sub-region."""
import copy

import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import loader
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import (Call, Dashboard, Filter, anonymise_with, london_la_choices, opening_render,
                                           register_callbacks, render_for_viewer, rendered_outputs, viewer_scope)
from dashboard.components.layout import (chart_card, chart_outputs, column_defs, content_width, definition_list, filter_bar, grid_content,
                                         grid_outputs, kpi_cards, labelled, sharing_and_kpis, table_outputs, table_section)
from dashboard.components.notes import demo_banner, page_heading
from dashboard.dashboards.send import data as send_loader
from dashboard.dashboards.send import view as send_page

# Grid cells with no figure read "not published", never blank or 0.
NOT_PUBLISHED = {"valueFormatter": {"function": "params.value == null ? 'not published' : "
                                                 "(typeof params.value === 'number' ? d3.format(',')(params.value) : params.value)"}}


def select(values: dict, scope: loader.AccessScope) -> send_page.Filters | None:
    data = send_loader.send_held(scope)
    if data.empty:
        return None
    return send_page.resolve_filters(values["focus"], values["measure"], values["year"], values["by"],
                                     user_la=scope.la_code, las=loader.local_authorities(), values=data)


def default_calls(scope: loader.AccessScope) -> list[Call]:
    filters = DASHBOARD.selection_from_query({}, scope)
    if filters is None:
        return []
    values = (filters.focus, filters.indicator, str(filters.year), filters.grouping)   # as the layout sets them
    return opening_render(Call(send_page.build_view, (filters, scope), {"anonymise_with": None}), rendered, values, scope)


DASHBOARD = Dashboard(
    name="send", prefix="send", path="/send", nav_name="SEND", heading="SEND", order=5,
    filters=(Filter("send-focus", "focus"), Filter("send-measure", "measure"), Filter("send-year", "year"),
             Filter("send-by", "by")),
    select=select, present=send_page.presentation, charts=tuple(send_page.CHARTS), tables=send_page.TABLES,
    view=send_page.build_view, default_calls=default_calls, la_choices=("send-focus", london_la_choices),
)
register_callbacks(DASHBOARD)


def layout(anon=None, **query):
    anonymise = anon == "1"
    scope = viewer_scope(DASHBOARD)
    filters = DASHBOARD.selection_from_query(query, scope)
    years = send_page.available_years(send_loader.send_held(scope)) if filters else []
    return html.Div([
        page_heading("SEND", "Education, health and care plans: how many, how fast, where children are educated, "
                             "and what area SEND inspections found."),
        html.Div(id="send-demo-banner"),
        None if filters else dbc.Alert("No SEND data has been loaded yet.", color="info"),
        filter_bar([
            dbc.Col(labelled("Focus LA", "send-focus", dcc.Dropdown(
                id="send-focus", options=london_la_choices(scope, anonymise_with(anonymise)) if filters else [],
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
        *sharing_and_kpis("send", anonymise=anonymise),
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
            *table_section("send-dl-las", "send-las-grid", title_id="send-las-table-title", heading_class="h6 mt-3"),
            *table_section("send-dl-trend", "send-trend-grid", title_id="send-trend-table-title"),
            *table_section("send-dl-placements", "send-placement-grid", title_id="send-placement-table-title"),
            *table_section("send-dl-inspections", "send-inspection-grid", title="Area SEND inspections, London"),
            dcc.Download(id="send-download"),
        ], className="chart-card"),
        html.Div(id="send-url-sync", hidden=True),
    ])


def _columns(table):
    """A number column keeps its one number of decimals (never 67 beside 44.1); a missing figure reads "not published"."""
    columns = []
    for c in column_defs(table):
        formatter = c.get("valueFormatter", {}).get("function", "")
        if formatter.startswith("params.value == null ? ''"):
            c = {**c, "valueFormatter": {"function": "params.value == null ? 'not published'" + formatter[len("params.value == null ? ''"):]}}
            if table[c["field"]].isna().any():   # room for the words
                c["minWidth"] = max(c["minWidth"], content_width(["not published"])[0])
        else:
            c = {**c, **NOT_PUBLISHED}
        columns.append(c)
    return columns


# The grids of the tables that do not depend on the focus LA, the 64 latest used; each answer gets copies of the rows
# and columns, so no answer can change what is kept.
_laid_out_grids = loader.ProcessCache(send_loader.NAME, "reference", most=64,
                                      copy=lambda grid: ([dict(row) for row in grid[0]], copy.deepcopy(grid[1])))


def _grid(view: send_page.SendView, which: str, table):
    """`grid_content` of one of the view's tables that do not depend on the focus LA, laid out once per shared part
    (`SendView.kept_tables`: one per data version, secret, naming and filters) in this process."""
    token = view.kept_tables.get(which)
    if token is None:
        return grid_content(table, _columns)
    return _laid_out_grids.get_or_build(lambda: grid_content(table, _columns), part=(which, token))


def _demo_note(is_demo: bool, what: str):
    if not is_demo:
        return None
    return dbc.Alert([html.Strong("Demo data. "), f"The {what} figures are synthetic (seeded): they are not in the "
                      "published files loaded, and are not any LA's real figures."], color="warning", className="py-2 small")


@view_callback(DASHBOARD,
    Output("send-demo-banner", "children"), Output("send-kpis", "children"), Output("send-definition", "children"),
    *chart_outputs("send-trend", "send-ranking"),
    Output("send-placement-demo", "children"), *chart_outputs("send-placement"),
    Output("send-need-demo", "children"), *chart_outputs("send-need"),
    *chart_outputs("send-tiles"), Output("send-share-text", "children"), Output("send-share", "figure"),
    *table_outputs("send-las-table-title", "send-las-grid"), *table_outputs("send-trend-table-title", "send-trend-grid"),
    *table_outputs("send-placement-table-title", "send-placement-grid"), *grid_outputs("send-inspection-grid"),
    Output("send-share-title", "children"),
    *[Output(f"send-{chart}-takeaway", "children") for chart in send_page.CHARTS],
    *[Input(f.id, "value") for f in DASHBOARD.filters], Input("send-anon", "value"),
)
def render(focus, measure, year, by, anonymise):
    return render_for_viewer(DASHBOARD, rendered, (focus, measure, year, by), anonymise)


@rendered_outputs(send_loader.NAME, "reference", check=send_loader.check_scope)
def rendered(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
    filters = DASHBOARD.selection_from_values(values, scope)
    if filters is None:
        raise PreventUpdate
    view = send_page.build_view(filters, scope, anonymise_with=anonymise_with)
    titles = send_page.chart_titles(view)
    name, y = view.indicator.name, view.year
    banner = demo_banner(True, "SEND data") if view.is_demo else (
        dbc.Alert(["Published DfE, ONS and Ofsted figures, except ", html.Strong("demo data"), " (synthetic, labelled) for: "
                   + ", ".join(view.demo_parts) + "."], color="warning", className="py-2") if view.demo_parts else None)
    by_text = "by LA" if filters.grouping == "la" else "by sub-region"
    if view.year_note:   # the last year loaded is not the latest published: say so beside the banner
        banner = html.Div([banner, dbc.Alert(view.year_note, color="info", className="py-2 small", id="send-year-note")])
    return (
        banner, kpi_cards(view.kpis), definition_list(name, view.notes),
        titles["trend"], view.trend_figure, titles["ranking"], view.ranking_figure,
        _demo_note(view.placement_is_demo, "placement"), titles["placement"], view.placement_figure,
        _demo_note(view.need_is_demo, "primary need"), titles["need"], view.need_figure,
        titles["tiles"], view.tile_figure,
        view.share_text, view.share_figure,
        f"All London LAs, {y}", *_grid(view, "las", view.la_table),
        f"{name}: {view.focus_name} against its comparators", *grid_content(view.trend_table, _columns),
        f"Placements of children with a plan, {by_text}, January {y}", *_grid(view, "placements", view.placement_table),
        *_grid(view, "inspections", view.inspection_table),
        titles["share"], *[view.takeaways[chart] for chart in send_page.CHARTS],
    )
