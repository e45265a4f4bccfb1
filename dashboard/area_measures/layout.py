"""The page of a dashboard of published measures: its layout and the callback that draws its view (a thin adapter
over the dashboard's own cached view builder)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import loader
from dashboard.area_measures.spec import check_scope
from dashboard.area_measures.view import CHARTS, TABLES, PageSpec
from dashboard.components.first_paint import DigestedOutputs, view_callback
from dashboard.components.contract import (Call, Dashboard, Filter, anonymise_with, london_la_choices, register_callbacks,
                                           viewer_scope)
from dashboard.components.layout import (chart_card, chart_outputs, column_defs, definition_list, filter_bar, grid_content,
                                         grid_outputs, kpi_cards, labelled, sharing_and_kpis, table_section)
from dashboard.components.notes import page_heading

CHART_NOTES = {
    "trend": "The focus LA (thick line, circles) against its sub-region's mean, its statistical neighbours' mean, Inner or "
             "Outer London, London and England. A gap is a year with no published figure (the table below says why).",
    "las": "Every London LA for the year, best first (highest first where neither direction is better). The focus LA is "
           "orange and marked ◆; an LA with no figure has no bar and says why. Dashed line: London; dotted: England.",
    "profile": "The focus LA (orange), London (black, hatched) and England (grey, dotted) on every percentage measure "
               "for the year.",
}
TABLE_TITLES = {"trend": "The measure over the years, with its comparators",
                "las": "Every London LA, for the year chosen", "profile": "Every measure, for the year chosen"}


def layout(dashboard: Dashboard, spec: PageSpec, lead: str, years: list[str], la_options: list[dict], selection,
           anonymise: bool, missing_text: str):
    p = dashboard.prefix
    return html.Div([
        page_heading(dashboard.heading, lead),
        None if selection else dbc.Alert(missing_text, color="info"),
        filter_bar([
            dbc.Col(labelled("Focus LA", f"{p}-focus", dcc.Dropdown(
                id=f"{p}-focus", options=la_options, clearable=False, value=selection and selection.focus)), lg=3),
            dbc.Col(labelled("Measure", f"{p}-measure", dcc.Dropdown(
                id=f"{p}-measure", options=[{"label": m.name, "value": m.code} for m in spec.charted], clearable=False,
                value=selection and selection.measure)), lg=6),
            dbc.Col(labelled(spec.year_filter, f"{p}-year", dcc.Dropdown(
                id=f"{p}-year", options=[{"label": y, "value": y} for y in reversed(years)], clearable=False,
                value=selection and selection.period)), lg=3),
        ], f"{dashboard.heading} filters"),
        *sharing_and_kpis(p, anonymise=anonymise),
        # Nothing imported: the charts and tables stay out of sight (empty axes would read as a chart of nothing).
        html.Div([
            dbc.Row([
                dbc.Col(chart_card(f"{p}-trend-title", f"{p}-trend", CHART_NOTES["trend"], image_buttons=True), lg=8),
                dbc.Col(html.Section(id=f"{p}-definition", className="chart-card notes"), lg=4),
            ]),
            dbc.Row([
                dbc.Col(chart_card(f"{p}-las-title", f"{p}-las", CHART_NOTES["las"], image_buttons=True), lg=6),
                dbc.Col(chart_card(f"{p}-profile-title", f"{p}-profile", CHART_NOTES["profile"], image_buttons=True), lg=6),
            ]),
            html.Section([
                html.H2("The figures", className="h4"),
                html.P("The same figures as the charts, to read or download. A cell with no number says why (for example "
                       f"\"not available (-)\": {spec.publisher} gives no figure); it is never 0.", className="small text-body-secondary"),
                *[part for table in ("trend", "las", "profile")
                  for part in table_section(f"{p}-dl-{table}", f"{p}-{table}-grid", title=TABLE_TITLES[table])],
                dcc.Download(id=f"{p}-download"),
            ], className="chart-card"),
        ], id=f"{p}-charts-and-tables", hidden=selection is None),
        html.Div(id=f"{p}-url-sync", hidden=True),
    ])


def register_render(dashboard: Dashboard, dataset: str):
    """The callback that draws the page from its filters, through the dashboard's own cached `view`; returns the
    cached builder of its outputs (warming makes the default view's)."""
    p = dashboard.prefix

    @view_callback(dashboard,
        Output(f"{p}-kpis", "children"), Output(f"{p}-definition", "children"),
        *chart_outputs(*[f"{p}-{c}" for c in CHARTS]),
        *[Output(f"{p}-{c}-takeaway", "children") for c in CHARTS],
        *grid_outputs(*[f"{p}-{t}-grid" for t in ("trend", "las", "profile")]),
        *[Input(f.id, "value") for f in dashboard.filters], Input(f"{p}-anon", "value"),
    )
    def render(*values):
        scope = viewer_scope(dashboard)
        if scope is None:
            raise PreventUpdate
        return rendered(tuple(values[:-1]), scope, anonymise_with=anonymise_with(values[-1]))

    # Every output for the filters' values as they arrive, built once per data version for every member alike (the
    # view is shared): a filter change back to a view already seen is one cache read, not the view read and the
    # cards, notes and grids built again.
    def rendered(values: tuple, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> tuple:
        selection = dashboard.selection_from_values(values, scope)
        if selection is None:
            raise PreventUpdate
        view = dashboard.view(selection, scope, anonymise_with=anonymise_with)
        # Each output's digest cached with it, so a cached answer finds what changed without encoding them again.
        return DigestedOutputs((kpi_cards(view.kpis), definition_list("Definitions and sources", view.notes),
                                *[part for c in CHARTS for part in (view.titles[c], view.figures[c])],
                                *[view.takeaways[c] for c in CHARTS],
                                *[part for t in ("trend", "las", "profile") for part in grid_content(view.tables[t], _columns)]))
    rendered.__qualname__ = f"{dashboard.name}.rendered"   # the cache key's name: one per page
    rendered = loader.view_cache(dataset, "reference", "published", check=check_scope)(rendered)
    return rendered


def _columns(table) -> list[dict]:
    """Column definitions that keep a cell's text ("not available (-)") in a column of numbers: the grid would
    otherwise take the column's type from its first row and show such a cell as "Invalid Number"."""
    return [{**c, "cellDataType": False} for c in column_defs(table)]


def measures_page(*, name: str, prefix: str, path: str, nav_name: str, heading: str, order: int, lead: str,
                  view) -> tuple[Dashboard, object]:
    """A dashboard of published measures' declaration (its callbacks registered) and its layout function, from its
    names and its own `view` module (SPEC, resolve, years, build_view, presentation, VIEW)."""
    def default_calls(scope: loader.AccessScope) -> list[Call]:
        """The view the page opens on, then the render callback's outputs for the values its layout sets."""
        selection = view.resolve({}, scope)
        if selection is None:
            return []
        values = (selection.focus, selection.measure, selection.period)
        return [Call(view.build_view, (selection, scope), {"anonymise_with": None}),
                Call(rendered, (values, scope), {"anonymise_with": None})]

    dashboard = Dashboard(
        name=name, prefix=prefix, path=path, nav_name=nav_name, heading=heading, order=order,
        filters=(Filter(f"{prefix}-focus", "la"), Filter(f"{prefix}-measure", "measure"), Filter(f"{prefix}-year", "year")),
        select=view.resolve, present=view.presentation, charts=CHARTS, tables=TABLES, view=view.build_view,
        la_choices=(f"{prefix}-focus", london_la_choices), default_calls=default_calls)
    register_callbacks(dashboard)
    rendered = register_render(dashboard, view.VIEW.dataset)
    no_data = (f"No figures have been imported yet. An administrator imports DfE's {view.SPEC.importing} with "
               "python -m dashboard import-published FOLDER; this page has no demo data.")

    def page_layout(anon=None, **query):
        anonymise = anon == "1"
        scope = viewer_scope(dashboard)
        selection = dashboard.selection_from_query(query, scope)
        return layout(dashboard, view.SPEC, lead, view.years(scope) if selection else [],
                      london_la_choices(scope, anonymise_with(anonymise)) if selection else [], selection, anonymise, no_data)
    return dashboard, page_layout
