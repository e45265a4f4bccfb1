"""Agency pay (London Pledge): hourly pay of agency children's social workers by LA and job type, against the caps."""
import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate
from flask_login import current_user

from dashboard import loader
from dashboard.auth.registration import AccessDenied
from dashboard.auth.roles import ADMIN
from dashboard.components.first_paint import view_callback
from dashboard.components.contract import (Call, Dashboard, Filter, anonymise_with, opening_render, register_callbacks,
                                           render_for_viewer, rendered_outputs, viewer_scope)
from dashboard.components.layout import (chart_card, chart_outputs, definition_list, filter_bar, grid_content, grid_outputs,
                                         kpi_cards, labelled, sharing_and_kpis, table_outputs, table_section)
from dashboard.components.notes import demo_banner, page_heading
from dashboard.dashboards.agency_pay import data
from dashboard.dashboards.agency_pay import returns as pay_returns
from dashboard.dashboards.agency_pay import view as pay

# Numbers right-aligned with their unit; "c", "no return" and "none" shown as they are (never 0).
# (dash-ag-grid's expression evaluator has no `typeof`: `v === +v` is true only for numbers.)
MONEY = {"function": "params.value === +params.value ? '£' + d3.format(',.2f')(params.value) : params.value"}
PERCENT = {"function": "params.value === +params.value ? d3.format('.1f')(params.value) + '%' : params.value"}


def select(values: dict, scope: loader.AccessScope) -> pay.Filters | None:
    return pay.resolve_filters(values["from"], values["to"], values["area"], values["job"], values["by"],
                               las=loader.local_authorities(), periods=data.periods())


def area_choices(scope: loader.AccessScope, secret: str | None) -> list[dict]:
    return pay.area_options(loader.local_authorities(), scope.la_code, secret)


def default_calls(scope: loader.AccessScope) -> list[Call]:
    """What the page asks for when opened with no query string (warming makes it first): the view, then the render
    callback's outputs for the filter values its layout sets."""
    filters = DASHBOARD.selection_from_query({}, scope)
    if filters is None:
        return []
    values = (filters.start.date().isoformat(), filters.end.date().isoformat(), filters.area, filters.job, filters.by)
    return opening_render(Call(pay.build_view, (filters, scope), {"anonymise_with": None}), rendered, values, scope)


DASHBOARD = Dashboard(
    name="agency_pay", prefix="pay", path="/agency-pay", nav_name="Agency pay", heading="Agency pay (London Pledge)", order=2,
    filters=(Filter("pay-start", "from"), Filter("pay-end", "to"), Filter("pay-area", "area"), Filter("pay-job", "job"),
             Filter("pay-by", "by")),
    select=select, present=pay.presentation, charts=tuple(pay.CHARTS), tables=("summary", "trend", "caps"),
    view=pay.build_view, default_calls=default_calls, la_choices=("pay-area", area_choices),
)
register_callbacks(DASHBOARD)


def layout(anon=None, **query):
    anonymise = anon == "1"
    periods = data.periods()
    scope = viewer_scope(DASHBOARD)
    filters = DASHBOARD.selection_from_query(query, scope)
    value = (lambda attribute: getattr(filters, attribute) if filters else None)
    quarters = pay.quarter_options(periods)
    return html.Div([
        page_heading("Agency pay (London Pledge)",
                     "What range of hourly pay do agency children's social workers get, by LA and job type, against the "
                     "Pledge caps? How much is over cap, and are rates converging?"),
        html.Div(id="pay-demo-banner"),
        None if periods else dbc.Alert("No agency pay returns have been loaded yet.", color="info"),
        filter_bar([
            dbc.Col(labelled("From quarter", "pay-start", dcc.Dropdown(
                id="pay-start", options=quarters, clearable=False,
                value=filters.start.date().isoformat() if filters else None)), lg=2),
            dbc.Col(labelled("To quarter", "pay-end", dcc.Dropdown(
                id="pay-end", options=quarters, clearable=False,
                value=filters.end.date().isoformat() if filters else None)), lg=2),
            dbc.Col(labelled("Area", "pay-area", dcc.Dropdown(
                id="pay-area", options=area_choices(scope, anonymise_with(anonymise)) if scope else [], clearable=False, value=value("area"))), lg=3),
            dbc.Col(labelled("Job type", "pay-job", dcc.Dropdown(
                id="pay-job", options=pay.job_options(), clearable=False, value=value("job"))), lg=3),
            dbc.Col(labelled("Split pay range", "pay-by", dcc.Dropdown(
                id="pay-by", options=[{"label": v, "value": k} for k, v in pay.BY_OPTIONS.items()], clearable=False,
                value=value("by"))), lg=2),
        ], "Agency pay filters"),
        *sharing_and_kpis("pay", anonymise=anonymise),
        dbc.Row([
            dbc.Col(chart_card("pay-range-title", "pay-range",
                               "Each box runs from the lower to the upper quartile with the median inside; the whiskers reach "
                               "the lowest and highest rate. The dashed line (or shaded band) is the cap. Your LA is in orange.",
                               image_buttons=True),
                    lg=8),
            # Long notes scroll inside the card, beside the chart; focusable so keyboard users can scroll it too.
            dbc.Col(html.Section(id="pay-definitions", className="chart-card notes", tabIndex="0", role="region",
                                 style={"maxHeight": "1000px", "overflowY": "auto"},
                                 **{"aria-label": "Definitions and sources"}), lg=4),
        ]),
        chart_card("pay-overcap-title", "pay-overcap",
                   "Share of assignments paid above the cap, and share of spend on those assignments, each quarter; "
                   "with (solid) and without (dashed) legacy contracts. Gaps are quarters with no return or too few to show.",
                   image_buttons=True),
        chart_card("pay-overcap-la-title", "pay-overcap-la",
                   "Share of spend on over-cap assignments for each LA, all assignments (circle) and excluding legacy "
                   "contracts (diamond). Your LA is ringed in orange.", image_buttons=True),
        chart_card("pay-workforce-title", "pay-workforce",
                   "Left: agency assignments in the Pledge returns each quarter. Right: agency workers as a share of all "
                   "children's social workers, from the benchmarking dataset.", image_buttons=True),
        chart_card("pay-trend-title", "pay-trend",
                   "Median adjusted hourly pay per job type with the middle half shaded (left), and the spread between "
                   "the quartiles (right): a falling spread means rates are converging.", image_buttons=True),
        html.Section([
            html.H2("The figures", className="h4"),
            html.P("The same figures as the charts, to read or download. Counts of other LAs' assignments are protected "
                   "(changed by a few; see Disclosure control). 'c' = too few assignments to show pay figures; "
                   "'no return' = the LA made no return; 'none' = returned, no assignments in that group.",
                   className="small text-body-secondary"),
            *table_section("pay-dl-summary", "pay-summary-grid", title_id="pay-summary-table-title", heading_class="h6 mt-3"),
            *table_section("pay-dl-trend", "pay-trend-grid", title_id="pay-trend-table-title"),
            *table_section("pay-dl-caps", "pay-caps-grid", title="The caps, with the date each took effect"),
            _cap_editor(),
            dcc.Download(id="pay-download"),
        ], className="chart-card"),
        dcc.Store(id="pay-caps-changed", data=0),
        html.Div(id="pay-url-sync", hidden=True),
    ])


def _is_admin() -> bool:
    return bool(getattr(current_user, "is_authenticated", False) and current_user.role == ADMIN)


def _cap_editor():
    """Administrators add or correct a cap here. Others get the same (hidden) components, and the server refuses
    them anyway (`dashboard.dashboards.agency_pay.returns.change_cap` checks the role)."""
    form = html.Div([
        html.H3("Change a cap (administrators)", className="h6 mt-4"),
        html.P("A cap applies from its date until a later one for the same job type. Entering the same job type and "
               "date again corrects that cap. Every change is recorded in the audit log.", className="small"),
        dbc.Row([
            dbc.Col(labelled("Job type", "pay-cap-job", dcc.Dropdown(id="pay-cap-job", options=pay.job_options()[1:])), md=3),
            dbc.Col(labelled("Cap (£ per hour)", "pay-cap-value", dbc.Input(id="pay-cap-value", inputMode="decimal")), md=2),
            dbc.Col(labelled("In force from", "pay-cap-from", dbc.Input(id="pay-cap-from", type="date")), md=2),
            dbc.Col(labelled("Note (optional)", "pay-cap-note", dbc.Input(id="pay-cap-note", maxLength=500)), md=3),
            dbc.Col(dbc.Button("Save cap", id="pay-cap-save", color="primary", className="mt-4"), md=2),
        ], className="g-2"),
        html.Div(id="pay-cap-message", className="mt-2", role="status"),
    ])
    return form if _is_admin() else html.Div(form, hidden=True)


@callback(
    Output("pay-cap-message", "children"), Output("pay-caps-changed", "data"),
    Input("pay-cap-save", "n_clicks"),
    State("pay-cap-job", "value"), State("pay-cap-value", "value"), State("pay-cap-from", "value"),
    State("pay-cap-note", "value"), State("pay-caps-changed", "data"),
    prevent_initial_call=True,
)
def save_cap(_clicks, job_type, cap_value, effective_from, note, changes):
    try:
        message = pay_returns.change_cap(current_user, job_type, cap_value, effective_from, note or "")
    except (AccessDenied, ValueError) as exc:
        return dbc.Alert(str(exc), color="danger", className="py-2"), dash.no_update
    return dbc.Alert(message, color="success", className="py-2"), (changes or 0) + 1


def _columns(table):
    defs = []
    for column in table.columns:
        # cellDataType off: a column mixes numbers with "c" / "no return", which ag-grid would call invalid numbers.
        spec = {"field": column, "headerName": column, "wrapHeaderText": True, "autoHeaderHeight": True, "cellDataType": False}
        if column in ("LA", "Job type", "Quarter"):
            spec.update(minWidth=110 if column == "Quarter" else 170, pinned="left")
        elif column == "Note":
            spec.update(minWidth=300)
        elif "£" in column:
            spec.update(valueFormatter=MONEY, type="rightAligned")
        elif "%" in column:
            spec.update(valueFormatter=PERCENT, type="rightAligned")
        elif column == "Assignments":
            spec.update(type="rightAligned")
        defs.append(spec)
    return defs


@view_callback(DASHBOARD,
    Output("pay-demo-banner", "children"), Output("pay-kpis", "children"), Output("pay-definitions", "children"),
    *chart_outputs("pay-range", "pay-overcap", "pay-overcap-la", "pay-workforce", "pay-trend"),
    *table_outputs("pay-summary-table-title", "pay-summary-grid"), *table_outputs("pay-trend-table-title", "pay-trend-grid"),
    *grid_outputs("pay-caps-grid"),
    *[Output(f"pay-{chart}-takeaway", "children") for chart in pay.CHARTS],
    *[Input(f.id, "value") for f in DASHBOARD.filters], Input("pay-caps-changed", "data"), Input("pay-anon", "value"),
)
def render(start, end, area, job, by, _caps_changed, anonymise):   # a cap saved bumps the data version
    return render_for_viewer(DASHBOARD, rendered, (start, end, area, job, by), anonymise)


@rendered_outputs(*data.VIEW_DATASETS, check=data.check_scope)
def rendered(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
    filters = DASHBOARD.selection_from_values(values, scope)
    if filters is None:
        raise PreventUpdate
    view = pay.build_view(filters, scope, anonymise_with=anonymise_with)
    banner = [demo_banner(view.is_demo, "agency pay data"),
              dbc.Alert("The caps shown are illustrative demo values, not the Pledge's agreed rates.", color="info",
                        className="py-2") if view.caps_illustrative else None]
    return (
        banner, kpi_cards(view.kpis), definition_list("Definitions and sources", view.notes),
        view.range_title, view.range_figure,
        view.overcap_title, view.overcap_trend_figure,
        view.overcap_la_title, view.overcap_la_figure,
        view.workforce_title, view.workforce_figure,
        view.trend_title, view.trend_figure,
        view.summary_title, *grid_content(view.summary_table, _columns),
        view.trend_table_title, *grid_content(view.trend_table, _columns),
        *grid_content(view.caps_table, _columns),
        *[view.takeaways[chart] for chart in pay.CHARTS],
    )
