"""Dynamic Sufficiency Tool: where looked-after children are placed, in what kinds of home, how far away, and what demand is coming.

Child-level data: commissioners and administrators only; the page receives aggregates, suppressed on the server.
"""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import current_app
from flask_login import current_user

from dashboard import loader
from dashboard.dashboards.sufficiency import view as suff
from dashboard.auth.roles import role_allows
from dashboard.components.layout import (chart_card, column_defs, definition_list, download_buttons, filter_bar, grid,
                                         grid_records, kpi_cards, labelled, present_bar)
from dashboard.components.notes import demo_banner, page_heading
from dashboard.exports import table_file
from dashboard.dashboards.sufficiency import data
from dashboard.dashboards.sufficiency import metrics as m
from dashboard.presenting import chart_and_kind, configured_chromium

PAGE = dict(path="/sufficiency", name="Sufficiency", title="Dynamic Sufficiency Tool - London Children's Services Dashboards", order=6,
                   allowed_roles=("commissioner",), id_prefix="suff-")  # child-level data: commissioners (and admins) only

FILTER_IDS = ["suff-area", "suff-at", "suff-age", "suff-sex", "suff-ethnicity", "suff-uasc", "suff-legal", "suff-cin",
              "suff-placement", "suff-provider"]
FORECAST_IDS = ["suff-ref-from", "suff-ref-to", "suff-horizon"]
COST_IDS = [f"suff-cost-{i}" for i in range(len(m.PLACEMENT_GROUPS))]
# Everything a chart, table, file or deck depends on, in order: filters, tile and flow modes, forecast, costs, anonymise.
VIEW_STATE = ([State(i, "value") for i in FILTER_IDS] + [State("suff-tile-mode", "value"), State("suff-flow-mode", "value")]
              + [State(i, "value") for i in FORECAST_IDS + COST_IDS] + [State("suff-anon", "value")])


def _scope():
    if current_user and current_user.is_authenticated and role_allows(current_user.role, data.READ_ROLES):
        return loader.scope_of(current_user)
    return None


def _secret(anonymise):
    return current_app.config["SECRET_KEY"] if anonymise else None


def _area_options(anonymise: bool):
    scope = _scope()
    return suff.area_options(suff.las_for(scope, _secret(anonymise)) if scope else loader.local_authorities())


def _options():
    scope = _scope()
    return data.options(scope) if scope else None


def _filters(values: dict):
    options = _options()
    if options is None or not options["has_data"]:
        return None, None
    return suff.resolve_filters(values, user_la=current_user.la_code, las=loader.local_authorities(), options=options), options


def _query_from_inputs(values) -> dict:
    keys = ["area", "at", *suff.SELECTION_FIELDS]
    return dict(zip(keys, values))


def _dropdown(component_id, label, options, value, width=2):
    return dbc.Col(labelled(label, component_id, dcc.Dropdown(id=component_id, options=options, value=value, clearable=False)),
                   xs=12, md=4, lg=width)


def layout(**query):
    options = _options()
    filters = None
    if options and options["has_data"]:
        filters = suff.resolve_filters(query, user_la=current_user.la_code, las=loader.local_authorities(), options=options)
    choices = suff.filter_options(options or {})
    anonymise = query.get("anon") == "1"
    value = (lambda name: getattr(filters, name)) if filters else (lambda name: None)
    years = suff.forecast_years(options) if options and options["has_data"] else []
    params = suff.resolve_forecast(query.get("ref_from"), query.get("ref_to"), query.get("horizon"), {}, options) if years else None
    year_options = [{"label": f"Year to March {y}", "value": y} for y in years]
    return html.Div([
        page_heading("Dynamic Sufficiency Tool",
                     "Where are looked-after children placed, in what kinds of home, how far from home, and what demand is coming?"),
        html.Div(id="suff-demo-banner"),
        html.Div(id="suff-privacy-note"),
        None if (options and options["has_data"]) else dbc.Alert("No looked-after children data has been loaded yet.", color="info"),
        filter_bar([
            _dropdown("suff-area", "Looked after by", _area_options(anonymise), value("area"), 3),
            _dropdown("suff-at", "As at", choices["as_at"], filters.as_at.date().isoformat() if filters else None, 2),
            _dropdown("suff-age", "Age band", choices["age"], value("age")),
            _dropdown("suff-sex", "Sex", choices["sex"], value("sex"), 1),
            _dropdown("suff-ethnicity", "Ethnicity", choices["ethnicity"], value("ethnicity")),
            _dropdown("suff-uasc", "UASC", choices["uasc"], value("uasc"), 2),
            _dropdown("suff-legal", "Legal status", choices["legal"], value("legal"), 3),
            _dropdown("suff-cin", "Category of need", choices["cin"], value("cin"), 3),
            _dropdown("suff-placement", "Placement type", choices["placement"], value("placement"), 3),
            _dropdown("suff-provider", "Provider type", choices["provider"], value("provider"), 3),
        ], "Sufficiency filters"),
        present_bar("suff", anonymise=anonymise),
        html.Div(id="suff-kpis", className="mb-3"),
        dbc.Row([
            dbc.Col([
                dbc.RadioItems(id="suff-tile-mode", options=[{"label": lab, "value": val} for val, lab in suff.TILE_MODES],
                               value=query.get("tiles") if query.get("tiles") in ("selected", "others") else "selected",
                               inline=True, className="mb-2 no-present"),
                chart_card("suff-tiles-title", "suff-tiles",
                           "One equal square per London LA, laid out like London; darker = more children. Grey squares "
                           "with c hide 1 to 5 children. The selected LA is outlined in orange. With other LAs anonymised, "
                           "squares are in label order, not on the map (a place on the map would name the LA).",
                           image_buttons=True),
            ], lg=6),
            dbc.Col([
                chart_card("suff-mix-title", "suff-mix", "Children by placement type on the date; the table below has the percentages.",
                           image_buttons=True),
                chart_card("suff-distance-title", "suff-distance", "Straight-line distance between the home and placement postcode sectors.",
                           image_buttons=True),
            ], lg=6),
        ]),
        dbc.Row([
            dbc.Col(chart_card("suff-regions-title", "suff-regions", "Children placed outside the 33 London LAs, by region of placement.",
                               image_buttons=True), lg=6),
            dbc.Col(chart_card("suff-grades-title", "suff-grades",
                               "The provider's latest Ofsted judgement on or before the date. Foster carers and parents have no Ofsted URN.",
                               image_buttons=True), lg=6),
        ]),
        dbc.RadioItems(id="suff-flow-mode", options=[{"label": lab, "value": val} for val, lab in suff.FLOW_MODES],
                       value=query.get("flows") if query.get("flows") in ("location", "provider") else "location",
                       inline=True, className="mb-2 no-present"),
        chart_card("suff-flows-title", "suff-flows",
                   "From the looking-after LA (or sub-region, for all London) to where children live or who provides "
                   "their home. Flows of 1 to 5 children are not drawn where counts are suppressed.", image_buttons=True),
        chart_card("suff-trend-title", "suff-trend", "Children looked after at each quarter end, stacked by placement type.",
                   image_buttons=True),
        dbc.Row([
            dbc.Col(chart_card("suff-starts-title", "suff-starts", "Children starting (solid) and ceasing (dashed) to be looked after each month.",
                               image_buttons=True), lg=6),
            dbc.Col(chart_card("suff-stability-title", "suff-stability",
                               "Share of children looked after at 31 March who had 3 or more placements in the year.",
                               image_buttons=True), lg=6),
        ]),
        html.Section([
            html.H2("Demand forecast", className="h4"),
            html.P(id="suff-model-text", className="small"),
            dbc.Row([
                _year_dropdown("suff-ref-from", "Reference period from", year_options, params.ref_from if params else None),
                _year_dropdown("suff-ref-to", "Reference period to", year_options, params.ref_to if params else None),
                dbc.Col(labelled("Forecast", "suff-horizon", dcc.Dropdown(
                    id="suff-horizon", options=[{"label": f"{h} year{'s' if h > 1 else ''}", "value": h} for h in suff.HORIZONS],
                    value=params.horizon if params else 2, clearable=False)), xs=12, md=4, lg=2),
            ], className="g-3 mb-2"),
            html.Fieldset([
                html.Legend("Weekly unit cost per child (£), illustrative defaults: enter your own", className="fs-6 fw-semibold"),
                dbc.Row([dbc.Col(labelled(group, f"suff-cost-{i}", dbc.Input(
                    id=f"suff-cost-{i}", type="number", min=0, step=50, debounce=True,
                    value=data.DEFAULT_WEEKLY_COSTS[group])), xs=6, md=4, lg=2)
                    for i, group in enumerate(m.PLACEMENT_GROUPS)], className="g-2"),
            ], className="mb-0"),
        ], className="chart-card"),
        chart_card("suff-forecast-title", "suff-forecast",
                   "Observed children by placement type (solid) and the forecast (dashed), with its 80% band.", image_buttons=True),
        chart_card("suff-cost-title", "suff-cost", "The forecast weekly cost at the unit costs entered above, with its 80% band.",
                   image_buttons=True),
        html.Section([
            html.H2("How well did it forecast the last year? (back-test)", className="h5"),
            html.P(id="suff-backtest-text"),
        ], className="chart-card"),
        html.Section([
            html.H2(id="suff-published-title", className="h4"),
            html.P(id="suff-published-text", className="small"),
            grid("suff-published-grid"),
        ], className="chart-card"),
        html.Section([
            html.H2("The figures", className="h4"),
            html.P("Every aggregate on the page, as a table to read or download. Hidden counts show as c.",
                   className="small text-body-secondary"),
            dbc.Row(dbc.Col(labelled("Table", "suff-table-choice", dcc.Dropdown(
                id="suff-table-choice", options=[{"label": lab, "value": val} for val, lab in suff.TABLES.items()],
                value="placement_mix", clearable=False)), lg=5), className="mb-2"),
            html.H3(id="suff-table-title", className="h6 mt-2"),
            download_buttons("suff-dl"),
            grid("suff-grid"),
            dcc.Download(id="suff-download"),
        ], className="chart-card"),
        html.Section(id="suff-notes", className="chart-card notes"),
        html.Div(id="suff-url-sync", hidden=True),
    ])


def _year_dropdown(component_id, label, options, value):
    return dbc.Col(labelled(label, component_id, dcc.Dropdown(id=component_id, options=options, value=value, clearable=False)),
                   xs=12, md=4, lg=3)


@callback(
    Output("suff-demo-banner", "children"), Output("suff-privacy-note", "children"), Output("suff-kpis", "children"),
    Output("suff-tiles-title", "children"), Output("suff-tiles", "figure"),
    Output("suff-mix-title", "children"), Output("suff-mix", "figure"),
    Output("suff-distance-title", "children"), Output("suff-distance", "figure"),
    Output("suff-regions-title", "children"), Output("suff-regions", "figure"),
    Output("suff-grades-title", "children"), Output("suff-grades", "figure"),
    Output("suff-flows-title", "children"), Output("suff-flows", "figure"),
    Output("suff-trend-title", "children"), Output("suff-trend", "figure"),
    Output("suff-starts-title", "children"), Output("suff-starts", "figure"),
    Output("suff-stability-title", "children"), Output("suff-stability", "figure"),
    Output("suff-notes", "children"),
    *[Output(f"suff-{chart}-takeaway", "children") for chart in suff.CHARTS[:-2]],
    *[Input(i, "value") for i in FILTER_IDS], Input("suff-tile-mode", "value"), Input("suff-flow-mode", "value"),
    Input("suff-anon", "value"),
)
def render(*values):
    filters, _ = _filters(_query_from_inputs(values[:len(FILTER_IDS)]))
    if filters is None:
        raise PreventUpdate
    tile_mode, flow_mode, anonymise = values[len(FILTER_IDS):]
    view = suff.build_view(filters, _scope(), tile_mode, flow_mode, anonymise_with=_secret(anonymise))
    privacy = dbc.Alert([html.Strong("Suppressed view. "), suff.SUPPRESSION_TEXT], color="info", className="py-2") \
        if view.restricted else None
    t, f = view.titles, view.figures
    return (demo_banner(view.is_demo, "looked-after children data"), privacy, kpi_cards(view.kpis),
            t["tiles"], f["tiles"], t["mix"], f["mix"], t["distance"], f["distance"], t["regions"], f["regions"],
            t["grades"], f["grades"], t["flows"], f["flows"], t["trend"], f["trend"], t["starts"], f["starts"],
            t["stability"], f["stability"],
            definition_list(f"About these figures: {view.area_name}, {view.as_at_label}", view.notes),
            *[view.takeaways[chart] for chart in suff.CHARTS[:-2]])


@callback(Output("suff-area", "options"), Input("suff-anon", "value"), prevent_initial_call=True)
def anonymise_area_choices(anonymise):
    return _area_options(bool(anonymise))


def _forecast_params(ref_from, ref_to, horizon, costs, options):
    return suff.resolve_forecast(ref_from, ref_to, horizon, dict(zip(m.PLACEMENT_GROUPS, costs or [])), options)


@callback(
    Output("suff-forecast-title", "children"), Output("suff-forecast", "figure"),
    Output("suff-cost-title", "children"), Output("suff-cost", "figure"),
    Output("suff-backtest-text", "children"), Output("suff-model-text", "children"),
    Output("suff-forecast-takeaway", "children"), Output("suff-cost-takeaway", "children"),
    *[Input(i, "value") for i in FILTER_IDS], *[Input(i, "value") for i in FORECAST_IDS],
    *[Input(i, "value") for i in COST_IDS], Input("suff-anon", "value"),
)
def render_forecast(*values):
    filters, options = _filters(_query_from_inputs(values[:len(FILTER_IDS)]))
    if filters is None:
        raise PreventUpdate
    ref_from, ref_to, horizon, *costs, anonymise = values[len(FILTER_IDS):]
    result = suff.build_forecast(filters, _forecast_params(ref_from, ref_to, horizon, costs, options), _scope(),
                                 anonymise_with=_secret(anonymise))
    return (result["title"], result["figure"], result["cost_title"], result["cost_figure"], result["backtest_text"],
            result["model_text"], result["takeaway"], result["cost_takeaway"])


@callback(
    Output("suff-table-title", "children"), Output("suff-grid", "rowData"), Output("suff-grid", "columnDefs"),
    Input("suff-table-choice", "value"), *[Input(i, "value") for i in FILTER_IDS], *[Input(i, "value") for i in FORECAST_IDS],
    *[Input(i, "value") for i in COST_IDS], Input("suff-anon", "value"),
)
def render_table(which, *values):
    filters, options = _filters(_query_from_inputs(values[:len(FILTER_IDS)]))
    if filters is None:
        raise PreventUpdate
    ref_from, ref_to, horizon, *costs, anonymise = values[len(FILTER_IDS):]
    table, title = suff.table_for(filters, _forecast_params(ref_from, ref_to, horizon, costs, options), _scope(), which,
                                  anonymise_with=_secret(anonymise))
    return title, grid_records(table), column_defs(table)


@callback(
    Output("suff-published-title", "children"), Output("suff-published-text", "children"),
    Output("suff-published-grid", "rowData"), Output("suff-published-grid", "columnDefs"), Output("suff-published-grid", "style"),
    Input("suff-area", "value"), Input("suff-anon", "value"),
)
def render_published(area, anonymise=False):
    filters, _ = _filters({"area": area})
    if filters is None:
        raise PreventUpdate
    result = suff.build_published(filters, _scope(), anonymise_with=_secret(anonymise))
    table = result["table"]
    # An empty grid is hidden: a header row without columns is an accessibility error, and says nothing.
    style = {"height": None} if len(table) else {"display": "none"}
    return result["title"], result["text"], grid_records(table), column_defs(table), style


@callback(
    Output("suff-download", "data"),
    Input("suff-dl-csv", "n_clicks"), Input("suff-dl-xlsx", "n_clicks"),
    State("suff-table-choice", "value"), *[State(i, "value") for i in FILTER_IDS], *[State(i, "value") for i in FORECAST_IDS],
    *[State(i, "value") for i in COST_IDS], State("suff-anon", "value"),
    prevent_initial_call=True,
)
def download(_csv, _xlsx, which, *values):
    filters, options = _filters(_query_from_inputs(values[:len(FILTER_IDS)]))
    if filters is None or not ctx.triggered_id:
        raise PreventUpdate
    ref_from, ref_to, horizon, *costs, anonymise = values[len(FILTER_IDS):]
    table, notes, stem = suff.download_table(filters, _forecast_params(ref_from, ref_to, horizon, costs, options), _scope(), which,
                                             anonymise_with=_secret(anonymise))
    return dcc.send_bytes(*table_file(table, notes, stem, ctx.triggered_id.removeprefix("suff-dl-")))


def _view_args(values):
    """(filters, forecast params, tile mode, flow mode, secret or None) from VIEW_STATE's values."""
    filters, options = _filters(_query_from_inputs(values[:len(FILTER_IDS)]))
    if filters is None:
        raise PreventUpdate
    tile_mode, flow_mode, ref_from, ref_to, horizon, *costs, anonymise = values[len(FILTER_IDS):]
    return filters, _forecast_params(ref_from, ref_to, horizon, costs, options), tile_mode, flow_mode, _secret(anonymise)


@callback(
    Output("suff-image-download", "data"),
    *[Input(f"suff-{chart}-{kind}", "n_clicks") for chart in suff.CHARTS for kind in ("png", "svg")],
    *VIEW_STATE,
    prevent_initial_call=True,
)
def chart_image(*args):
    if not ctx.triggered_id:
        raise PreventUpdate
    filters, params, tile_mode, flow_mode, secret = _view_args(args[2 * len(suff.CHARTS):])
    chart, kind = chart_and_kind(ctx.triggered_id)
    return dcc.send_bytes(*suff.chart_image(filters, params, _scope(), chart, kind, configured_chromium(), tile_mode, flow_mode,
                                            anonymise_with=secret))


@callback(Output("suff-deck-download", "data"), Input("suff-deck", "n_clicks"), *VIEW_STATE, prevent_initial_call=True)
def slides(_n, *values):
    filters, params, tile_mode, flow_mode, secret = _view_args(values)
    return dcc.send_bytes(*suff.slide_deck(filters, params, _scope(), configured_chromium(), tile_mode, flow_mode,
                                           anonymise_with=secret))


# Keep the filters in the address bar without reloading the page, so a copied link reopens this view.
clientside_callback(
    """
    function(area, at, age, sex, ethnicity, uasc, legal, cin, placement, provider, tiles, flows, refFrom, refTo, horizon, anonymise) {
        if (!area) { return ''; }
        const params = new URLSearchParams({area: area, at: at, age: age, sex: sex, ethnicity: ethnicity, uasc: uasc,
            legal: legal, cin: cin, placement: placement, provider: provider, tiles: tiles, flows: flows,
            ref_from: refFrom, ref_to: refTo, horizon: horizon});
        if (anonymise) { params.set('anon', '1'); }
        window.history.replaceState(null, '', window.location.pathname + '?' + params.toString());
        return '';
    }
    """,
    Output("suff-url-sync", "children"),
    *[Input(i, "value") for i in FILTER_IDS], Input("suff-tile-mode", "value"), Input("suff-flow-mode", "value"),
    *[Input(i, "value") for i in FORECAST_IDS], Input("suff-anon", "value"),
)
