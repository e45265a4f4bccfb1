"""Benchmarking: one indicator, the focus LA against its comparators: members' quarterly returns or published annual statistics."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import current_app

from dashboard import loader
from dashboard.chart_theme import empty_figure, lean_figure
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import (Call, Dashboard, Filter, anonymise_with, london_la_choices, opening_render,
                                           register_callbacks, render_for_viewer, rendered_outputs, viewer_scope)
from dashboard.components.layout import (chart_card, chart_outputs, column_defs, definition_list, filter_bar, grid_records,
                                         kpi_cards, labelled, sharing_and_kpis, table_outputs, table_section)
from dashboard.components.notes import demo_banner, page_heading
from dashboard.dashboards.benchmarking import view as bench


def select(values: dict, scope: loader.AccessScope) -> bench.Choices | None:
    return bench.resolve_choices(values["source"], values["indicator"], values["focus"], values["from"], values["to"],
                                 user_la=scope.la_code, scope=scope)


def default_calls(scope: loader.AccessScope) -> list[Call]:
    """What the page asks for when opened with no query string (warming makes it first): the view, then the render
    callback's outputs for the filter values its layout sets."""
    choices = DASHBOARD.selection_from_query({}, scope)
    if choices is None:
        return []
    values = (choices.source, choices.indicator, choices.focus, choices.start, choices.end)
    return opening_render(Call(bench.view_for, (choices, scope), {"anonymise_with": None}), rendered, values, scope)


DASHBOARD = Dashboard(
    name="benchmarking", prefix="bench", path="/benchmarking", nav_name="Benchmarking", heading="Benchmarking", order=1,
    filters=(Filter("bench-source", "source"), Filter("bench-indicator", "indicator"), Filter("bench-focus", "focus"),
             Filter("bench-start", "from"), Filter("bench-end", "to")),
    select=select, present=bench.presentation, charts=tuple(bench.CHARTS), tables=bench.TABLES,
    view=bench.view_for, default_calls=default_calls, la_choices=("bench-focus", london_la_choices),
    address_waits_for="bench-indicator",   # the source always has a value; an indicator only once there is data
)
register_callbacks(DASHBOARD)


def _empty_alert(source):
    if source == "published":
        return dbc.Alert("No published statistics have been imported yet. An administrator imports the DfE and ONS files "
                         "(downloaded from the publishers) with: python -m dashboard import-published FOLDER", color="info")
    return dbc.Alert("No quarterly returns have been loaded yet: uploaders add them on the Upload page.", color="info")


def _settings():
    return current_app.config["LCSD_SETTINGS"]


def layout(anon=None, **query):
    anonymise = anon == "1"
    source = query.get("source")
    scope = viewer_scope(DASHBOARD)
    choices = DASHBOARD.selection_from_query(query, scope)
    chosen = (lambda name: getattr(choices, name)) if choices else (lambda name: None)
    la_options = london_la_choices(scope, anonymise_with(anonymise)) if scope else []
    source_options = [{"label": label, "value": value} for value, label in bench.SOURCES.items()]
    return html.Div([
        page_heading("Benchmarking", "How does an LA compare with its sub-region, statistical neighbours, London and England? "
                     "Members' quarterly returns, or the published annual statistics."),
        html.Div(id="bench-demo-banner"),
        html.Div(None if choices else _empty_alert(source), id="bench-empty"),
        filter_bar([
            dbc.Col(labelled("Source", "bench-source", dcc.Dropdown(
                id="bench-source", options=source_options, clearable=False, value=choices.source if choices else (source if source in bench.SOURCES else "regional"))), lg=3),
            dbc.Col(labelled("Indicator", "bench-indicator", dcc.Dropdown(
                id="bench-indicator", options=chosen("indicator_options") or [], clearable=False, searchable=True,
                value=chosen("indicator"))), lg=4),
            dbc.Col(labelled("Focus LA", "bench-focus", dcc.Dropdown(
                id="bench-focus", options=la_options, clearable=False, value=chosen("focus"))), lg=2),
            dbc.Col(labelled("From", "bench-start", dcc.Dropdown(
                id="bench-start", options=chosen("period_options") or [], clearable=False, value=chosen("start"))), lg=1),
            dbc.Col(labelled("To", "bench-end", dcc.Dropdown(
                id="bench-end", options=chosen("period_options") or [], clearable=False, value=chosen("end"))), lg=2),
        ], "Benchmarking filters"),
        *sharing_and_kpis("bench", anonymise=anonymise),
        dbc.Row([
            dbc.Col(chart_card("bench-series-title", "bench-series", image_buttons=True, description=
                                "The focus LA (thick line) against its sub-region, London and, where published, England. "
                                "Gaps are periods with no figure (no return, or not published)."), lg=7),
            dbc.Col(html.Section(id="bench-definition", className="chart-card notes"), lg=5),
        ]),
        chart_card("bench-ranking-title", "bench-ranking", image_buttons=True, description=
                    "Every London LA for the last period chosen, best first (or highest first where neither is better). "
                    "Bars are shaded by quartile; the focus LA is marked ◆; the dashed line is the London average."),
        html.Div(id="bench-map-section"),   # published source with a BOUNDARY_FILE only: a choropleth of the year
        chart_card("bench-subregion-title", "bench-subregion", image_buttons=True, description=
                    "The spread of LAs within each sub-region for the last period chosen: box = middle half, line = median, "
                    "dots = LAs."),
        html.Section([
            html.H2("The figures", className="h4"),
            html.P("The same figures as the charts above, to read or download.", className="small text-body-secondary"),
            *table_section("bench-dl-ranking", "bench-ranking-grid", title_id="bench-ranking-table-title",
                           heading_class="h6 mt-3"),
            *table_section("bench-dl-series", "bench-series-grid", title_id="bench-series-table-title"),
            dcc.Download(id="bench-download"),
        ], className="chart-card"),
        html.Div(id="bench-url-sync", hidden=True),
    ])


@callback(
    Output("bench-indicator", "options"), Output("bench-indicator", "value"),
    Output("bench-start", "options"), Output("bench-start", "value"), Output("bench-end", "options"), Output("bench-end", "value"),
    Output("bench-empty", "children"),
    Input("bench-source", "value"), Input("bench-indicator", "value"),
    State("bench-focus", "value"), State("bench-start", "value"), State("bench-end", "value"),
    prevent_initial_call=True,
)
def source_or_indicator_changed(source, indicator, focus, start, end):
    """A new source lists its own indicators and periods; a published indicator lists the years it has."""
    new_source = ctx.triggered_id == "bench-source"
    if not new_source and (ctx.triggered_id != "bench-indicator" or source != "published"):
        raise PreventUpdate  # quarterly indicators share one list of quarters
    scope = viewer_scope(DASHBOARD)
    if scope is None:
        raise PreventUpdate
    if new_source:   # the same measure in the new source where it has one; its own periods
        indicator, start, end = bench.matching_indicator(indicator, source), None, None
    choices = DASHBOARD.selection_from_values((source, indicator, focus, start, end), scope)
    if choices is None:
        return [], None, [], None, [], None, _empty_alert(source)
    # Only a new source sets the indicator: a user's own choice is never written back (and so never undone).
    keep = (lambda value: value) if new_source else (lambda value: dash.no_update)
    return (keep(choices.indicator_options), keep(choices.indicator), choices.period_options, choices.start,
            choices.period_options, choices.end, None)


@view_callback(DASHBOARD,
    Output("bench-demo-banner", "children"), Output("bench-kpis", "children"), Output("bench-definition", "children"),
    *chart_outputs("bench-series", "bench-ranking", "bench-subregion"),
    *table_outputs("bench-ranking-table-title", "bench-ranking-grid"), *table_outputs("bench-series-table-title", "bench-series-grid"),
    Output("bench-series-takeaway", "children"), Output("bench-ranking-takeaway", "children"),
    Output("bench-subregion-takeaway", "children"),
    *[Input(f.id, "value") for f in DASHBOARD.filters], Input("bench-anon", "value"),
)
def render(source, indicator, focus, start, end, anonymise):
    return render_for_viewer(DASHBOARD, rendered, (source, indicator, focus, start, end), anonymise)


@rendered_outputs("reference", "benchmarking", "published")
def rendered(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
    choices = DASHBOARD.selection_from_values(values, scope)
    source, indicator = values[0], values[1]
    if choices is None:   # nothing loaded for this source: say so in each chart, not with empty axes
        empty = empty_figure("No data for this source yet.")
        return (None, None, None, "", empty, "", empty, "", empty, "", [], [], "", [], [], "", "", "")
    if indicator is None:
        raise PreventUpdate
    view = bench.view_for(choices, scope, anonymise_with=anonymise_with)
    dp = int(view.indicator["decimal_places"])
    # A published figure that is a marker says which ("suppressed (c)"), as its row's rank, quartile and flag do.
    missing = "'no return'" if choices.source == "regional" else "((params.data && params.data['Published marker']) || 'not published')"
    no_return = {"valueFormatter": {"function": f"params.value == null ? {missing} : d3.format(',.{dp}f')(params.value)"}}
    ranking_cols = [{**c, **no_return} if c["field"] == "Value" else c for c in column_defs(view.ranking_table)]
    if choices.source == "published":   # a rank is a number, or why there is none ("suppressed (c)"): no type inferred
        ranking_cols = [{**c, "cellDataType": False} if c["field"] == "Rank" else c for c in ranking_cols]
    series_cols = [{**c, **no_return} if c["field"] not in ("Quarter", "Year") else c for c in column_defs(view.series_table)]
    titles = bench.chart_titles(view, choices.source)
    return (
        demo_banner(view.is_demo, "benchmarking dataset"), kpi_cards(view.kpis), definition_list(view.indicator["name"], view.notes),
        titles["series"], lean_figure(view.series_figure), titles["ranking"], lean_figure(view.ranking_figure),
        titles["subregion"], lean_figure(view.subregion_figure),
        f"All London LAs, {view.period_label}", grid_records(view.ranking_table), ranking_cols,
        f"{view.focus_name} against its comparators, {view.range_label}", grid_records(view.series_table), series_cols,
        view.takeaways["series"], view.takeaways["ranking"], view.takeaways["subregion"],
    )


@view_callback(DASHBOARD,
    Output("bench-map-section", "children"),
    *[Input(f.id, "value") for f in DASHBOARD.filters], Input("bench-anon", "value"),
)
def render_map(source, indicator, focus, start, end, anonymise):
    scope = viewer_scope(DASHBOARD)
    if scope is None or source != "published" or not _settings().boundary_file:
        return None
    choices = DASHBOARD.selection_from_values((source, indicator, focus, start, end), scope)
    if choices is None:
        return None
    view = bench.map_for(choices, scope, _settings().boundary_file, anonymise_with=anonymise_with(anonymise))
    return html.Section([
        html.H2(view["title"]),
        html.P(view["message"], className="small text-body-secondary", id="bench-map-message"),
        dcc.Graph(id="bench-map", figure=view["figure"], config={"displaylogo": False, "responsive": True}),
    ], className="chart-card slide", **{"aria-describedby": "bench-map-message"})
