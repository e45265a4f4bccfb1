"""Education suspensions: disproportionality by ethnicity, the relative rate index against White British pupils."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import current_app
from flask_login import current_user

from dashboard import loader
from dashboard.dashboards.suspensions import view as sus
from dashboard.components.layout import (chart_card, column_defs, definition_list, download_buttons, filter_bar, grid,
                                         grid_records, kpi_cards, labelled, present_bar)
from dashboard.components.notes import demo_banner, page_heading
from dashboard.exports import table_file
from dashboard.presenting import chart_and_kind, configured_chromium

PAGE = dict(path="/suspensions", name="Suspensions", order=4,
                   title="Education suspensions - London Children's Services Dashboards")

# Grid cells: a suppressed figure arrives as null and is written "c" (never 0, never blank); a cell that does not
# apply (the reference group's own interval, the total's RRI) is "n/a"; an LA that made no return, "no return".
NULL_TEXT = ("(params.data._not_applicable || '').split('|').includes(params.colDef.field) ? 'n/a' : "
             "(params.data.Note == 'no return' ? 'no return' : 'c')")


def _number_format(field: str) -> dict:
    if field.endswith("(published)"):  # as published: rates whole, RRIs to 1 dp
        pattern = ".1f" if field.startswith("RRI") else ",.0f"
    else:
        pattern = ".2f" if field.startswith(("RRI", "95% CI")) or field in sus.GROUPS else ",.1f" if field.startswith("Rate") else ",.0f"
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
        columns.append({**c, **extra, "minWidth": WIDE_TEXT.get(c["field"], 105), "wrapHeaderText": True,
                        "autoHeaderHeight": True})
    for column in columns:
        if column["field"] == "LA":
            column["pinned"] = "left"  # the heat map's table is wide: keep the LA in view when scrolling
    return columns


FILTERS = ["susp-area", "susp-year", "susp-outcome", "susp-groups"]
CHART_BUTTONS = [f"susp-{chart}-{kind}" for chart in sus.CHARTS for kind in ("png", "svg")]


def _secret(anonymise):
    """The app's secret keys the anonymous labels; None when names are shown."""
    return current_app.config["SECRET_KEY"] if anonymise else None


def _area_options(context, anonymise: bool):
    return sus.area_options(sus.anonymised(context, current_user.la_code, _secret(anonymise))) if context else []


def _signed_in() -> bool:
    return bool(current_user and current_user.is_authenticated)


def _scope():
    return loader.scope_of(current_user) if _signed_in() else None


def _filters(area, year, outcome, groups, context=None):
    """(filters, context): the context is every frame this request reads, loaded once."""
    scope = _scope()
    if scope is None:
        return None, None
    context = context or sus.context(scope)
    return sus.resolve_filters(area, year, outcome, groups, user_la=current_user.la_code, ctx=context), context


def layout(area=None, year=None, outcome=None, groups=None, anon=None, **query):
    # Called at start-up too (Dash builds its validation layout from every page), when nobody is signed in:
    # the same components then, with no options.
    scope = _scope()
    context = sus.context(scope) if scope else None
    filters = _filters(area, year, outcome, groups, context)[0] if context else None
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
                id="susp-area", options=_area_options(context, anonymise), value=value(filters and filters.area),
                clearable=False)), lg=4),
            dbc.Col(labelled("Academic year", "susp-year", dcc.Dropdown(
                id="susp-year", options=context.years_for(filters.area) if filters else [], value=value(filters and filters.year),
                clearable=False)), lg=2),
            dbc.Col(labelled("Outcome", "susp-outcome", dcc.Dropdown(
                id="susp-outcome", options=sus.outcome_options(filters.area if filters else ""),
                value=value(filters and filters.outcome), clearable=False)), lg=3),
            dbc.Col(labelled("Groups over time", "susp-groups", dcc.Dropdown(
                id="susp-groups", options=sus.group_options(), value=list(filters.groups) if filters else [], multi=True)), lg=3),
        ], "Suspensions filters"),
        present_bar("susp", anonymise=anonymise),
        html.Div(id="susp-kpis", className="mb-3"),
        dbc.Row([
            dbc.Col(chart_card("susp-interval-title", "susp-interval",
                               "Each dot is a group's RRI, the line its 95% confidence interval; the dashed line is parity "
                               "(as likely as White British pupils). Hollow dot = not significant (the interval crosses 1). "
                               "Log scale: 2 and 0.5 are equally far from 1. Shading marks the bands. For an LA or sub-region, the black "
                               "tick is London's RRI for the same group.", image_buttons=True), lg=7),
            dbc.Col(html.Section(id="susp-definition", className="chart-card notes"), lg=5),
        ]),
        html.Section([
            html.H2(id="susp-table-title"),
            html.P("Laid out as the region publishes it (major group, group, pupils, rate per 1,000, RRI, band), with the "
                   "interval and significance added. c = suppressed (see Suppression).", className="small text-body-secondary"),
            download_buttons("susp-dl-table"),
            grid("susp-table-grid"),
        ], className="chart-card"),
        chart_card("susp-trend-title", "susp-trend",
                   "The RRI of the groups chosen above, year by year, with 95% intervals; gaps are years with fewer than "
                   "10 pupils with the outcome. Log scale.", image_buttons=True),
        chart_card("susp-heat-title", "susp-heat",
                   "Each cell is a group's RRI in one LA (LAs by sub-region). Orange = more likely than White British "
                   "pupils in that LA, purple = less likely, white = parity; c = fewer than 10, not shown. The focus LA "
                   "is outlined and marked ◆.", image_buttons=True),
        html.Section([
            html.H2(id="susp-heat-table-title", className="h4"),
            html.P("The heat map's figures, to read or download.", className="small text-body-secondary"),
            download_buttons("susp-dl-heat"),
            grid("susp-heat-grid"),
            dcc.Download(id="susp-download"),
        ], className="chart-card"),
        html.Div(id="susp-url-sync", hidden=True),
    ])


@callback(
    Output("susp-year", "options"), Output("susp-year", "value"),
    Output("susp-outcome", "options"), Output("susp-outcome", "value"),
    Input("susp-area", "value"), State("susp-year", "value"), State("susp-outcome", "value"),
    prevent_initial_call=True,
)
def area_changed(area, year, outcome):
    filters, context = _filters(area, year, outcome, None)
    if filters is None:
        raise PreventUpdate
    return (context.years_for(filters.area), filters.year,
            sus.outcome_options(filters.area), filters.outcome)


@callback(
    Output("susp-banner", "children"), Output("susp-kpis", "children"), Output("susp-definition", "children"),
    Output("susp-interval-title", "children"), Output("susp-interval", "figure"),
    Output("susp-table-title", "children"), Output("susp-table-grid", "rowData"), Output("susp-table-grid", "columnDefs"),
    Output("susp-trend-title", "children"), Output("susp-trend", "figure"),
    Output("susp-heat-title", "children"), Output("susp-heat", "figure"),
    Output("susp-heat-table-title", "children"), Output("susp-heat-grid", "rowData"), Output("susp-heat-grid", "columnDefs"),
    *[Output(f"susp-{chart}-takeaway", "children") for chart in sus.CHARTS],
    *[Input(f, "value") for f in FILTERS], Input("susp-anon", "value"),
)
def render(area, year, outcome, groups, anonymise):
    filters, context = _filters(area, year, outcome, groups or [])
    if filters is None:
        raise PreventUpdate
    view = sus.build_view(filters, _scope(), context, anonymise_with=_secret(anonymise))
    table_cols, heat_cols = _columns(view.table), _columns(view.heat_table)
    banner = demo_banner(view.is_demo, "LA suspensions data by ethnicity") or dbc.Alert(
        [html.Strong("Real figures. "), view.data_note + "."], color="info", className="py-2")
    return (
        banner, kpi_cards(view.kpis), definition_list(f"{view.outcome_label}: definitions", view.notes),
        view.interval_title, view.interval_figure,
        f"{view.area_name}, {view.period_label.lower()}: rates, RRIs and bands", grid_records(view.table), table_cols,
        view.trend_label, view.trend_figure,
        view.heat_label, view.heatmap_figure,
        view.heat_label, grid_records(view.heat_table), heat_cols,
        *[view.takeaways[chart] for chart in sus.CHARTS],
    )


@callback(
    Output("susp-area", "options"),
    Input("susp-anon", "value"),
    prevent_initial_call=True,
)
def anonymise_area_choices(anonymise):
    scope = _scope()
    if scope is None:
        raise PreventUpdate
    return _area_options(sus.context(scope), bool(anonymise))


@callback(
    Output("susp-download", "data"),
    Input("susp-dl-table-csv", "n_clicks"), Input("susp-dl-table-xlsx", "n_clicks"),
    Input("susp-dl-heat-csv", "n_clicks"), Input("susp-dl-heat-xlsx", "n_clicks"),
    *[State(f, "value") for f in FILTERS], State("susp-anon", "value"),
    prevent_initial_call=True,
)
def download(_a, _b, _c, _d, area, year, outcome, groups, anonymise):
    filters, context = _filters(area, year, outcome, groups or [])
    if filters is None or not ctx.triggered_id:
        raise PreventUpdate
    which, kind = ctx.triggered_id.split("-")[-2:]
    table, notes, stem = sus.download_table(filters, _scope(), "table" if which == "table" else "heatmap", context,
                                            anonymise_with=_secret(anonymise))
    return dcc.send_bytes(*table_file(table, notes, stem, kind))


@callback(
    Output("susp-image-download", "data"),
    *[Input(button, "n_clicks") for button in CHART_BUTTONS],
    *[State(f, "value") for f in FILTERS], State("susp-anon", "value"),
    prevent_initial_call=True,
)
def chart_image(*args):
    area, year, outcome, groups, anonymise = args[len(CHART_BUTTONS):]
    filters, context = _filters(area, year, outcome, groups or [])
    if filters is None or not ctx.triggered_id:
        raise PreventUpdate
    chart, kind = chart_and_kind(ctx.triggered_id)
    return dcc.send_bytes(*sus.chart_image(filters, _scope(), chart, kind, configured_chromium(), context,
                                           anonymise_with=_secret(anonymise)))


@callback(
    Output("susp-deck-download", "data"),
    Input("susp-deck", "n_clicks"),
    *[State(f, "value") for f in FILTERS], State("susp-anon", "value"),
    prevent_initial_call=True,
)
def slides(_n, area, year, outcome, groups, anonymise):
    filters, context = _filters(area, year, outcome, groups or [])
    if filters is None:
        raise PreventUpdate
    return dcc.send_bytes(*sus.slide_deck(filters, _scope(), configured_chromium(), context, anonymise_with=_secret(anonymise)))


# Keep the filters in the address bar without reloading the page, so a copied link reopens this view.
clientside_callback(
    """
    function(area, year, outcome, groups, anonymise) {
        if (!area) { return ''; }
        const params = new URLSearchParams({area: area, year: year || '', outcome: outcome || '',
                                            groups: (groups || []).join(',')});
        if (anonymise) { params.set('anon', '1'); }
        window.history.replaceState(null, '', window.location.pathname + '?' + params.toString());
        return '';
    }
    """,
    Output("susp-url-sync", "children"),
    *[Input(f, "value") for f in FILTERS], Input("susp-anon", "value"),
)
