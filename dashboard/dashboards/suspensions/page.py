"""Education suspensions: disproportionality by ethnicity, the relative rate index against White British pupils."""
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import loader
from dashboard.chart_theme import lean_figure
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import (Call, Dashboard, Filter, anonymise_with, opening_render, register_callbacks,
                                           render_for_viewer, rendered_outputs, viewer_scope)
from dashboard.dashboards.suspensions import data
from dashboard.dashboards.suspensions import view as sus
from dashboard.components.layout import (chart_card, chart_outputs, column_defs, definition_list, filter_bar, grid_content,
                                         kpi_cards, labelled, sharing_and_kpis, table_outputs, table_section)
from dashboard.components.notes import demo_banner, page_heading

# Grid cells: a suppressed figure arrives as null and is written "c" (never 0, never blank); a cell that does not
# apply (the reference group's own interval, the total's RRI) is "n/a"; an LA that made no return, "no return".
NULL_TEXT = ("(params.data._not_applicable || '').split('|').includes(params.colDef.field) ? 'n/a' : "
             "(params.data.Note == 'no return' ? 'no return' : 'c')")


def _number_format(field: str) -> dict:
    if field.endswith("(published)"):  # as published: rates whole, RRIs to 1 dp
        pattern = ".1f" if field.startswith("RRI") else ",.0f"
    else:
        # Every RRI column (the area's and London's beside it) to 2 dp, as the sentences write them.
        pattern = ".2f" if "RRI" in field or field.startswith("95% CI") or field in sus.GROUPS else ",.1f" if field.startswith("Rate") else ",.0f"
    return {"valueFormatter": {"function": f"params.value == null ? ({NULL_TEXT}) : d3.format('{pattern}')(params.value)"}}

WIDE_TEXT = {"Ethnic group": 210, "Band": 270, "Band (recomputed)": 270, "Band (published)": 190, "Note": 320, "LA": 190,
             "Sub-region": 130}


def _columns(table):
    """Column definitions: "c" for suppressed numbers, room for long text, headers that wrap instead of being cut."""
    columns = []
    for c in column_defs(table):
        if c["field"].startswith("_"):
            continue  # row information for the formatter, not a column
        extra = _number_format(c["field"]) if c.get("type") == "numericColumn" else {}
        columns.append({**c, **extra, "minWidth": max(WIDE_TEXT.get(c["field"], 105), c["minWidth"]), "wrapHeaderText": True,
                        "autoHeaderHeight": True})
    for column in columns:
        if column["field"] == "LA":
            column["pinned"] = "left"  # the heat map's table is wide: keep the LA in view when scrolling
    return columns


def select(values: dict, scope: loader.AccessScope) -> sus.Selection | None:
    ctx = sus.context(scope)   # every frame this request reads, loaded once
    # None from the groups control is an emptied choice (the address bar's absent groups are the defaults: `layout`).
    filters = sus.resolve_filters(values["area"], values["year"], values["outcome"], values["groups"] or [],
                                  user_la=scope.la_code, ctx=ctx)
    return sus.Selection(filters, ctx) if filters else None


def _opened_with(query: dict) -> dict:
    """An address without groups shows the default groups over time."""
    return {"groups": ",".join(sus.KEY_OF[g] for g in sus.DEFAULT_TREND_GROUPS), **query}


def area_choices(scope: loader.AccessScope, secret: str | None, ctx: sus.Context | None = None) -> list[dict]:
    return sus.area_options(sus.anonymised(ctx or sus.context(scope), scope.la_code, secret))


def default_calls(scope: loader.AccessScope) -> list[Call]:
    selection = DASHBOARD.selection_from_query(_opened_with({}), scope)
    if not selection:
        return []
    f = selection.filters   # the render callback's outputs for the values the layout sets, after the view
    values = (f.area, f.year, f.outcome, list(f.groups))
    return opening_render(Call(sus.build_view, (f, scope, selection.ctx), {"anonymise_with": None}), rendered, values, scope)


DASHBOARD = Dashboard(
    name="suspensions", prefix="susp", path="/suspensions", nav_name="Suspensions", heading="Education suspensions",
    order=4,
    filters=(Filter("susp-area", "area"), Filter("susp-year", "year"), Filter("susp-outcome", "outcome"),
             Filter("susp-groups", "groups")),
    select=select, present=sus.presentation, charts=tuple(sus.CHARTS), tables=("table", "heat"),
    default_calls=default_calls, la_choices=("susp-area", area_choices),
)
register_callbacks(DASHBOARD)


def layout(anon=None, **query):
    # Called at start-up too (Dash builds its validation layout from every page), when nobody is signed in:
    # the same components then, with no options.
    scope = viewer_scope(DASHBOARD)
    selection = DASHBOARD.selection_from_query(_opened_with(query), scope)
    filters, context = (selection.filters, selection.ctx) if selection else (None, None)
    value = (lambda v: v) if filters else (lambda v: None)
    anonymise = anon == "1"
    return html.Div([
        page_heading("Education suspensions",
                     "Which ethnic groups are suspended from school more or less than their White British peers "
                     "(relative rate index), and is the gap real or noise?"),
        html.Div(id="susp-banner"),
        None if filters or scope is None else dbc.Alert("No suspensions data has been loaded yet.", color="info"),
        filter_bar([
            dbc.Col(labelled("Area", "susp-area", dcc.Dropdown(
                id="susp-area", options=area_choices(scope, anonymise_with(anonymise), context) if context else [],
                value=value(filters and filters.area), clearable=False)), lg=4),
            dbc.Col(labelled("Academic year", "susp-year", dcc.Dropdown(
                id="susp-year", options=context.years_for(filters.area) if filters else [], value=value(filters and filters.year),
                clearable=False)), lg=2),
            dbc.Col(labelled("Outcome", "susp-outcome", dcc.Dropdown(
                id="susp-outcome", options=sus.outcome_options(filters.area if filters else ""),
                value=value(filters and filters.outcome), clearable=False)), lg=3),
            dbc.Col(labelled("Groups over time", "susp-groups", dcc.Dropdown(
                id="susp-groups", options=sus.group_options(), value=list(filters.groups) if filters else [], multi=True)), lg=3),
        ], "Suspensions filters"),
        *sharing_and_kpis("susp", anonymise=anonymise),
        dbc.Row([
            dbc.Col(chart_card("susp-interval-title", "susp-interval",
                               "Each dot is a group's RRI, the line its 95% confidence interval; the dashed line is parity "
                               "(as likely as White British pupils). Hollow dot = not significant (the interval crosses 1). "
                               "Log scale: 2 and 0.5 are equally far from 1. Shading marks the bands. For an LA or sub-region, the black "
                               "tick is London's RRI for the same group.", image_buttons=True), lg=7),
            dbc.Col(html.Section(id="susp-definition", className="chart-card notes"), lg=5),
        ]),
        html.Section([
            *table_section("susp-dl-table", "susp-table-grid", title_id="susp-table-title", heading=html.H2, heading_class=None,
                           between=(html.P("Laid out as the region publishes it (major group, group, pupils, rate per 1,000, "
                                           "RRI, band), with the interval and significance added. c = not shown: a rate or RRI "
                                           "on fewer than 10 pupils, or a count DfE suppressed. Other LAs' counts carry a "
                                           "small fixed change (see Disclosure control).", className="small text-body-secondary"),)),
        ], className="chart-card"),
        html.Div(chart_card("susp-trend-title", "susp-trend",
                   "The RRI of the groups chosen above, year by year, with 95% intervals; gaps are years with fewer than "
                   "10 pupils with the outcome. Log scale.", image_buttons=True), id="susp-trend-part"),
        # The heat map and its table: hidden (by `render`) where the view has no LA figures.
        html.Div([chart_card("susp-heat-title", "susp-heat",
                   "Each cell is a group's RRI in one LA (LAs by sub-region). Orange = more likely than White British "
                   "pupils in that LA, purple = less likely, white = parity; c = fewer than 10, not shown. The focus LA "
                   "is outlined and marked ◆.", image_buttons=True),
        html.Section([
            *table_section("susp-dl-heat", "susp-heat-grid", title_id="susp-heat-table-title", heading=html.H2, heading_class="h4",
                           between=(html.P("The heat map's figures, to read or download.", className="small text-body-secondary"),)),
        ], className="chart-card")], id="susp-heat-part"),
        dcc.Download(id="susp-download"),
        html.Div(id="susp-url-sync", hidden=True),
    ])


@callback(
    Output("susp-year", "options"), Output("susp-year", "value"),
    Output("susp-outcome", "options"), Output("susp-outcome", "value"),
    Input("susp-area", "value"), State("susp-year", "value"), State("susp-outcome", "value"),
    prevent_initial_call=True,
)
def area_changed(area, year, outcome):
    scope = viewer_scope(DASHBOARD)
    selection = scope and DASHBOARD.selection_from_values((area, year, outcome, None), scope)
    if not selection:
        raise PreventUpdate
    filters = selection.filters
    return (selection.ctx.years_for(filters.area), filters.year,
            sus.outcome_options(filters.area), filters.outcome)


@view_callback(DASHBOARD,
    Output("susp-banner", "children"), Output("susp-kpis", "children"), Output("susp-definition", "children"),
    *chart_outputs("susp-interval"), *table_outputs("susp-table-title", "susp-table-grid"),
    *chart_outputs("susp-trend", "susp-heat"), *table_outputs("susp-heat-table-title", "susp-heat-grid"),
    *[Output(f"susp-{chart}-takeaway", "children") for chart in sus.CHARTS],
    Output("susp-trend-part", "hidden"), Output("susp-heat-part", "hidden"),
    *[Input(f.id, "value") for f in DASHBOARD.filters], Input("susp-anon", "value"),
)
def render(area, year, outcome, groups, anonymise):
    return render_for_viewer(DASHBOARD, rendered, (area, year, outcome, groups), anonymise)


@rendered_outputs(data.NAME, data.ENGLAND, data.PUBLISHED, "reference", check=data.check_scope)
def rendered(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
    selection = DASHBOARD.selection_from_values(values, scope)
    if not selection:
        raise PreventUpdate
    view = sus.build_view(selection.filters, scope, selection.ctx, anonymise_with=anonymise_with)
    banner = demo_banner(view.is_demo, "LA suspensions data by ethnicity") or dbc.Alert(
        [html.Strong("Real figures. "), view.data_note + "."], color="info", className="py-2")
    return (
        banner, kpi_cards(view.kpis), definition_list(f"{view.outcome_label}: definitions", view.notes),
        view.interval_title, lean_figure(view.interval_figure),
        f"{view.area_name}, {view.period_label.lower()}: rates, RRIs and bands", *grid_content(view.table, _columns),
        view.trend_label, lean_figure(view.trend_figure),
        view.heat_label, lean_figure(view.heatmap_figure),
        view.heat_label, *grid_content(view.heat_table, _columns),
        *[view.takeaways[chart] for chart in sus.CHARTS],
        "trend" not in view.shown_charts, "heat" not in view.shown_charts,
    )
