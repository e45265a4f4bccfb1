"""Dynamic Sufficiency Tool: where looked-after children are placed, in what kinds of home, how far away, and what demand is coming.

Child-level data: commissioners and administrators only; the page receives aggregates, protected on the server.
"""
import dash_bootstrap_components as dbc
import json
from urllib.parse import urlencode

import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from flask_login import current_user
from dash.exceptions import PreventUpdate

from dashboard import loader
from dashboard.store import get_engine
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import (Call, Dashboard, Filter, anonymise_with, register_callbacks, render_for_viewer,
                                           rendered_outputs, viewer_scope)
from dashboard.components.layout import (chart_card, chart_outputs, definition_list, filter_bar, grid, grid_content,
                                         grid_outputs, kpi_cards, labelled, sharing_and_kpis, table_outputs, table_section)
from dashboard.components.notes import demo_banner, page_heading
from dashboard.dashboards.sufficiency import data
from dashboard.dashboards.sufficiency import returns as suff_returns
from dashboard.dashboards.sufficiency import view as suff

FILTERS = (Filter("suff-area", "area"), Filter("suff-at", "at"), *[Filter(f"suff-{name}", name) for name in suff.SELECTION_FIELDS])
MODES = (Filter("suff-tile-mode", "tiles"), Filter("suff-flow-mode", "flows"))
COST_IDS = [f"suff-cost-{i}" for i in range(len(suff.PLACEMENT_GROUPS))]
SCENARIO_IDS = {name: f"suff-scenario-{name}" for name in (*suff.SCENARIO_FIELDS, "shift_from", "shift_to")}
# The reference years, horizon, unit costs and scenario are all in the address bar: a link opens the same forecast.
FORECAST = (Filter("suff-ref-from", "ref_from"), Filter("suff-ref-to", "ref_to"), Filter("suff-horizon", "horizon"),
            *[Filter(cost_id, suff.COST_QUERY[group]) for cost_id, group in zip(COST_IDS, suff.PLACEMENT_GROUPS)],
            *[Filter(component_id, name) for name, component_id in SCENARIO_IDS.items()])


def select(values: dict, scope: loader.AccessScope) -> suff.Selection | None:
    options = data.options(scope)
    if not options["has_data"]:
        return None
    costs = {group: values.get(suff.COST_QUERY[group]) for group in suff.PLACEMENT_GROUPS}
    return suff.resolve_selection(values, costs, user_la=scope.la_code, las=loader.local_authorities(), options=options)


def area_choices(scope: loader.AccessScope, secret: str | None) -> list[dict]:
    return suff.area_options(suff.las_for(scope, secret))


def default_calls(scope: loader.AccessScope) -> list[Call]:
    """The view first; then what the page's other callbacks ask for on opening (forecast, the first table, DfE's
    figures, the LA's saved scenarios, the comparison of the model as fitted with the settings above)."""
    selection = select({}, scope)
    if selection is None:
        return []
    filters, params, none = selection.filters, selection.forecast, {"anonymise_with": None}
    opened = (filters.area, filters.as_at.date().isoformat(), *filters.selection_fields().values(), selection.tile_mode,
              selection.flow_mode)   # the filters' values as the page's layout sets them (`rendered` is keyed by them)
    # The forecast's controls as the layout sets them: years and horizon, the default weekly costs, no scenario.
    forecast_opened = (*opened[:-2], params.ref_from, params.ref_to, params.horizon,
                       *(data.DEFAULT_WEEKLY_COSTS[group] for group in suff.PLACEMENT_GROUPS), 0, 0, 0, 0, None, None)
    return [Call(suff.build_view, (filters, scope, selection.tile_mode, selection.flow_mode), none),
            Call(rendered, (opened, scope), none),
            Call(suff.build_forecast, (filters, params, scope), none),
            Call(rendered_forecast, (forecast_opened, scope), none),
            Call(suff.table_for, (filters, params, scope, suff.FIRST_TABLE), none),
            Call(suff.build_published, (filters, scope), none),
            Call(data.saved_scenarios, (scope,)),
            Call(suff.cached_comparison, suff.comparison_arguments(filters, scope, suff.opening_comparison(params)))]


DASHBOARD = Dashboard(
    name="sufficiency", prefix="suff", path="/sufficiency", nav_name="Sufficiency", heading="Dynamic Sufficiency Tool", order=6,
    filters=FILTERS + MODES + FORECAST, select=select, present=suff.presentation, charts=suff.CHARTS,
    tables=tuple(suff.TABLES), default_calls=default_calls,
    allowed_roles=("commissioner",),   # child-level data: commissioners (and admins) only
    la_choices=("suff-area", area_choices), table_choice="suff-table-choice",
    prepare_process=data.prepare_in_this_process,
)
register_callbacks(DASHBOARD)
VIEW_CHARTS = [c for c in suff.CHARTS if c not in suff.FORECAST_CHARTS]   # the forecast's charts: `render_forecast`
# The filters the forecast does not use (it takes the area and the model's own, `suff.FORECAST_FIELDS`): changing one
# of them leaves the forecast and the scenario comparison as they are, so their callbacks send nothing.
NOT_IN_FORECAST = {f.id for f in FILTERS} - {"suff-area", *(f"suff-{name}" for name in suff.FORECAST_FIELDS)}


def _changed_only(ids) -> bool:
    """Whether the change that fired this callback was to these components alone (False on a first call)."""
    changed = {prop.rsplit(".", 1)[0] for prop in ctx.triggered_prop_ids}
    return bool(changed) and changed <= set(ids)


def _selection(filters, values) -> tuple[loader.AccessScope, suff.Selection]:
    """The viewer's scope and the selection from these filters' values: a callback takes the filters its outputs depend
    on, the others stay at their defaults."""
    scope = viewer_scope(DASHBOARD)
    selection = scope and DASHBOARD.selection_from_controls({f.id: value for f, value in zip(filters, values)}, scope)
    if selection is None:
        raise PreventUpdate
    return scope, selection


def _dropdown(component_id, label, options, value, width=2):
    return dbc.Col(labelled(label, component_id, dcc.Dropdown(id=component_id, options=options, value=value, clearable=False)),
                   xs=12, md=4, lg=width)


def layout(anon=None, **query):
    anonymise = anon == "1"
    scope = viewer_scope(DASHBOARD)
    options = data.options(scope) if scope else None
    selection = DASHBOARD.selection_from_query(query, scope)
    filters, params = (selection.filters, selection.forecast) if selection else (None, None)
    choices = suff.filter_options(options or {})
    value = (lambda name: getattr(filters, name)) if filters else (lambda name: None)
    years = suff.forecast_years(options) if selection else []
    year_options = [{"label": f"Year to March {y}", "value": y} for y in years]
    areas = area_choices(scope, anonymise_with(anonymise)) if scope else suff.area_options(loader.local_authorities())
    return html.Div([
        page_heading("Dynamic Sufficiency Tool",
                     "Where are looked-after children placed, in what kinds of home, how far from home, and what demand is coming?"),
        html.Div(id="suff-demo-banner"),
        html.Div(id="suff-privacy-note"),
        None if (options and options["has_data"]) else dbc.Alert("No looked-after children data has been loaded yet.", color="info"),
        filter_bar([
            _dropdown("suff-area", "Looked after by", areas, value("area"), 3),
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
        *sharing_and_kpis("suff", anonymise=anonymise),
        dbc.Row([
            dbc.Col([
                dbc.RadioItems(id="suff-tile-mode", options=[{"label": lab, "value": val} for val, lab in suff.TILE_MODES],
                               value=selection.tile_mode if selection else "selected",
                               inline=True, className="mb-2 no-present"),
                chart_card("suff-tiles-title", "suff-tiles",
                           "One equal square per London LA, laid out like London; darker = more children (other LAs' "
                           "children protected: no count of 1 to 4 is shown). The selected LA is outlined in orange. With other LAs anonymised, "
                           "squares are in label order, not on the map (a place on the map would name the LA).",
                           image_buttons=True),
            ], lg=6),
            dbc.Col([
                chart_card("suff-mix-title", "suff-mix", "Children by placement type on the date; the table below has the percentages.",
                           image_buttons=True),
                chart_card("suff-distance-title", "suff-distance", "Straight-line distance between the home and placement postcodes.",
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
                       value=selection.flow_mode if selection else "location",
                       inline=True, className="mb-2 no-present"),
        chart_card("suff-flows-title", "suff-flows",
                   "From the looking-after LA (or sub-region, for all London) to where children live or who provides "
                   "their home. Flows of other LAs' children are protected counts (0 or 5 and more).", image_buttons=True),
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
                dbc.Row([dbc.Col(labelled(group, cost_id, dbc.Input(
                    id=cost_id, type="text", inputMode="decimal", debounce=True,
                    value=_typed(query, suff.COST_QUERY[group], data.DEFAULT_WEEKLY_COSTS[group]))), xs=6, md=4, lg=2)
                    for cost_id, group in zip(COST_IDS, suff.PLACEMENT_GROUPS)], className="g-2"),
            ], className="mb-2"),
            html.Fieldset([
                html.Legend("Scenario: what if? (0 = as the reference period)", className="fs-6 fw-semibold"),
                dbc.Row([
                    *[dbc.Col(labelled(f"{suff.SCENARIO_FIELDS[name][0]} ({suff.SCENARIO_FIELDS[name][3]})",
                                       SCENARIO_IDS[name], dbc.Input(id=SCENARIO_IDS[name], type="text",
                                                                     inputMode="decimal", debounce=True,
                                                                     value=_typed(query, name, 0))), xs=6, md=3, lg=2)
                      for name in ("entries", "exits", "inflation")],
                    dbc.Col(labelled("Move new placements from", SCENARIO_IDS["shift_from"], dcc.Dropdown(
                        id=SCENARIO_IDS["shift_from"], options=[{"label": g, "value": g} for g in suff.PLACEMENT_GROUPS],
                        value=query.get("shift_from"), placeholder="no change")), xs=6, md=3, lg=2),
                    dbc.Col(labelled("to", SCENARIO_IDS["shift_to"], dcc.Dropdown(
                        id=SCENARIO_IDS["shift_to"], options=[{"label": g, "value": g} for g in suff.PLACEMENT_GROUPS],
                        value=query.get("shift_to"), placeholder="no change")), xs=6, md=3, lg=2),
                    dbc.Col(labelled(f"{suff.SCENARIO_FIELDS['shift'][0]} (%)", SCENARIO_IDS["shift"], dbc.Input(
                        id=SCENARIO_IDS["shift"], type="text", inputMode="decimal", debounce=True,
                        value=_typed(query, "shift", 0))), xs=6, md=3, lg=2),
                ], className="g-2"),
            ], className="mb-0"),
            html.Div(id="suff-forecast-problems", role="alert", className="mt-2"),
            html.P(id="suff-scenario-text", className="small mt-2 mb-0"),
        ], className="chart-card"),
        html.Section([
            html.H2("Save and compare scenarios", className="h5"),
            html.P("Save the settings above under a name for your LA (every commissioner of your LA sees it; the save "
                   "is recorded in the audit log), then set any two side by side. A saved scenario's link opens it.",
                   className="small"),
            dbc.Row([
                dbc.Col(labelled("Scenario name", "suff-scenario-name", dbc.Input(id="suff-scenario-name", maxLength=80)),
                        xs=12, md=5, lg=4),
                dbc.Col(dbc.Button("Save scenario", id="suff-scenario-save", color="primary", className="mt-4"),
                        xs=12, md=3, lg=2),
            ], className="g-2"),
            html.Div(id="suff-scenario-saved", role="status", className="mt-2"),
            dcc.Store(id="suff-scenarios-changed", data=0),
            html.Ul(id="suff-scenario-list", className="small mt-2"),
            dbc.Row([
                dbc.Col(labelled("Compare", "suff-compare-a", dcc.Dropdown(id="suff-compare-a", value=suff.AS_FITTED,
                                                                           clearable=False)), xs=12, md=6),
                dbc.Col(labelled("with", "suff-compare-b", dcc.Dropdown(id="suff-compare-b", value=suff.CURRENT,
                                                                        clearable=False)), xs=12, md=6),
            ], className="g-2 mt-1"),
            html.P(id="suff-compare-text", className="mt-2"),
            grid("suff-compare-grid"),
        ], className="chart-card"),
        chart_card("suff-forecast-title", "suff-forecast",
                   "Observed children by placement type (solid) and the forecast (dashed), with its 80% band.", image_buttons=True),
        chart_card("suff-forecast_age-title", "suff-forecast_age",
                   "The same forecast by age band: children move up a band as they age and leave care at 18.",
                   image_buttons=True),
        chart_card("suff-cost-title", "suff-cost", "The forecast weekly cost at the unit costs entered above, with its 80% band.",
                   image_buttons=True),
        html.Section([
            html.H2("How well has it forecast before? (back-test)", className="h5"),
            html.P(id="suff-backtest-text"),
            grid("suff-backtest-grid"),
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
                value=suff.FIRST_TABLE, clearable=False)), lg=5), className="mb-2"),
            *table_section("suff-dl", "suff-grid", title_id="suff-table-title", heading_class="h6 mt-2"),
            dcc.Download(id="suff-download"),
        ], className="chart-card"),
        html.Section(id="suff-notes", className="chart-card notes"),
        html.Div(id="suff-url-sync", hidden=True),
    ])


def _typed(query: dict, name: str, default):
    """What the address bar holds for a typed cost or rate (as typed, so a refused value is shown to correct), or
    the default."""
    value = query.get(name)
    return default if value is None or value == "" else value


def _year_dropdown(component_id, label, options, value):
    return dbc.Col(labelled(label, component_id, dcc.Dropdown(id=component_id, options=options, value=value, clearable=False)),
                   xs=12, md=4, lg=3)


@view_callback(DASHBOARD,
    Output("suff-demo-banner", "children"), Output("suff-privacy-note", "children"), Output("suff-kpis", "children"),
    *chart_outputs(*[f"suff-{chart}" for chart in VIEW_CHARTS]),
    Output("suff-notes", "children"),
    *[Output(f"suff-{chart}-takeaway", "children") for chart in VIEW_CHARTS],
    *[Input(f.id, "value") for f in FILTERS + MODES], Input("suff-anon", "value"),
)
def render(*values):
    return render_for_viewer(DASHBOARD, rendered, values[:-1], values[-1])


# Every output of `render` for the filters' values as they arrive, built once per data version and viewer's LA (cached
# with each output's digest): a filter change back to a view already seen is one cache read, not the view read and its
# cards and notes built again. A switch above one chart (tiles: by whom; flows: to where) changes that chart's outputs
# alone, so only they are sent (`first_paint`).
@rendered_outputs(data.NAME, data.PUBLISHED_NAME, "reference", check=data.check_scope)
def rendered(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
    selection = DASHBOARD.selection_from_controls({f.id: value for f, value in zip(FILTERS + MODES, values)}, scope)
    if selection is None:
        raise PreventUpdate
    view = suff.build_view(selection.filters, scope, selection.tile_mode, selection.flow_mode,
                           anonymise_with=anonymise_with)
    privacy = dbc.Alert([html.Strong("Protected view. "), suff.SUPPRESSION_TEXT], color="info", className="py-2") \
        if view.restricted else None
    banners = [demo_banner(view.is_demo, "looked-after children data"),
               *[dbc.Alert(text, color="warning", className="py-2") for text in view.banners]]
    return (banners, privacy, kpi_cards(view.kpis),
            *[item for chart in VIEW_CHARTS for item in (view.titles[chart], view.figures[chart])],
            definition_list(f"About these figures: {view.area_name}, {view.as_at_label}", view.notes),
            *[view.takeaways[chart] for chart in VIEW_CHARTS])


@view_callback(DASHBOARD,
    *chart_outputs("suff-forecast", "suff-forecast_age", "suff-cost"),
    Output("suff-backtest-text", "children"), *grid_outputs("suff-backtest-grid"), Output("suff-model-text", "children"),
    Output("suff-forecast-takeaway", "children"), Output("suff-forecast_age-takeaway", "children"),
    Output("suff-cost-takeaway", "children"), Output("suff-forecast-problems", "children"),
    Output("suff-scenario-text", "children"),
    *[Input(f.id, "value") for f in FILTERS + FORECAST], Input("suff-anon", "value"),
)
def render_forecast(*values):
    if _changed_only(NOT_IN_FORECAST):
        raise PreventUpdate
    return render_for_viewer(DASHBOARD, rendered_forecast, values[:-1], values[-1])


# As `rendered`: every output of `render_forecast` for the filters' values as they arrive, cached with their digests.
@rendered_outputs(data.NAME, "reference", check=data.check_scope)
def rendered_forecast(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
    selection = DASHBOARD.selection_from_controls({f.id: value for f, value in zip(FILTERS + FORECAST, values)}, scope)
    if selection is None:
        raise PreventUpdate
    result = suff.build_forecast(selection.filters, selection.forecast, scope, anonymise_with=anonymise_with)
    return (result["title"], result["figure"], result["age_title"], result["age_figure"], result["cost_title"],
            result["cost_figure"], result["backtest_text"], *grid_content(result["backtest"]), result["model_text"],
            result["takeaway"], result["age_takeaway"], result["cost_takeaway"], _problems(result["problems"]),
            result["scenario_text"])


def _problems(problems: list[str]):
    if not problems:
        return None
    return dbc.Alert([html.Strong("Not used as typed: "), html.Ul([html.Li(p) for p in problems], className="mb-0")],
                     color="warning", className="py-2 mb-0")


@view_callback(DASHBOARD,
    *table_outputs("suff-table-title", "suff-grid"),
    Input("suff-table-choice", "value"), *[Input(f.id, "value") for f in FILTERS + FORECAST], Input("suff-anon", "value"),
)
def render_table(which, *values):
    scope, selection = _selection(FILTERS + FORECAST, values[:-1])
    table, title = suff.table_for(selection.filters, selection.forecast, scope, which,
                                  anonymise_with=anonymise_with(values[-1]))
    return title, *grid_content(table)


@view_callback(DASHBOARD,
    Output("suff-published-title", "children"), Output("suff-published-text", "children"),
    *grid_outputs("suff-published-grid"), Output("suff-published-grid", "style"),
    Input("suff-area", "value"), Input("suff-anon", "value"),
)
def render_published(area, anonymise=False):
    scope, selection = _selection(FILTERS[:1], [area])   # DfE's figures are by area alone
    result = suff.build_published(selection.filters, scope, anonymise_with=anonymise_with(anonymise))
    table = result["table"]
    # An empty grid is hidden: a header row without columns is an accessibility error, and says nothing.
    style = {"height": None} if len(table) else {"display": "none"}
    return result["title"], result["text"], *grid_content(table), style


@callback(
    Output("suff-scenario-saved", "children"), Output("suff-scenarios-changed", "data"),
    Input("suff-scenario-save", "n_clicks"),
    State("suff-scenario-name", "value"), *[State(f.id, "value") for f in FILTERS + FORECAST],
    State("suff-scenarios-changed", "data"),
    prevent_initial_call=True,
)
def save_scenario(_clicks, name, *values):
    scope, selection = _selection(FILTERS + FORECAST, values[:-1])
    params = selection.forecast
    if not scope.la_code:
        return dbc.Alert("Scenarios are saved for an LA; your account has none.", color="danger", className="py-2"), no_update
    if params.problems:
        return dbc.Alert("Correct the values refused above before saving: a scenario is saved only as it is drawn.",
                         color="danger", className="py-2"), no_update
    try:
        suff_returns.save_scenario(get_engine(), scope.la_code, name, suff.forecast_query(params),
                                   params.scenario.describe(), actor=current_user.email)
    except ValueError as exc:
        return dbc.Alert(str(exc), color="danger", className="py-2"), no_update
    return (dbc.Alert(f"Saved \u201c{suff_returns.validate_scenario_name(name)}\u201d for your LA.", color="success",
                      className="py-2"), (values[-1] or 0) + 1)


@view_callback(DASHBOARD,
    Output("suff-compare-a", "options"), Output("suff-compare-b", "options"), Output("suff-scenario-list", "children"),
    Input("suff-scenarios-changed", "data"), Input("suff-area", "value"),
)
def list_scenarios(_changed, area):
    scope = viewer_scope(DASHBOARD)
    if scope is None:
        raise PreventUpdate
    saved = data.saved_scenarios(scope)
    choices = suff.comparison_choices(saved)
    links = [html.Li([html.A(name, href="/sufficiency?" + urlencode({"area": area, **json.loads(settings)})),
                      f" saved by {by} on {pd.Timestamp(at):%-d %B %Y}"])
             for name, settings, by, at in saved[["name", "settings", "saved_by", "saved_at"]].itertuples(index=False)]
    return choices, choices, links or [html.Li("No scenarios saved for your LA yet.")]


@view_callback(DASHBOARD,
    Output("suff-compare-text", "children"), *grid_outputs("suff-compare-grid"),
    Input("suff-compare-a", "value"), Input("suff-compare-b", "value"), Input("suff-scenarios-changed", "data"),
    *[Input(f.id, "value") for f in FILTERS + FORECAST],
)
def render_comparison(a, b, _changed, *values):
    if _changed_only(NOT_IN_FORECAST):
        raise PreventUpdate
    scope, selection = _selection(FILTERS + FORECAST, values)
    saved = data.saved_scenarios(scope)
    by_name = dict(zip(saved["name"], saved["settings"]))
    options = data.options(scope)

    def chosen(value):
        if isinstance(value, str) and value.startswith("saved:") and value[6:] in by_name:
            return value[6:], suff.params_from_saved(json.loads(by_name[value[6:]]), options)
        fitted, above = suff.opening_comparison(selection.forecast)
        return fitted if value == suff.AS_FITTED else above

    first, second = chosen(a), chosen(b)
    if first[0] == second[0]:
        second = (second[0] + " (again)", second[1])
    table, text = suff.compare_scenarios(selection.filters, scope, [first, second])
    return text, *grid_content(table)
