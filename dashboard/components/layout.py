"""Layout pieces every page uses: labelled filters, chart cards, KPI cards, grids, download buttons, notes."""
from __future__ import annotations

import numbers

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Output, dcc, html


def labelled(label: str, component_id: str, component):
    """A filter with a visible label tied to it (screen readers and keyboard users need both)."""
    return html.Div([html.Label(label, htmlFor=component_id, className="form-label fw-semibold"), component])


def filter_bar(columns: list, aria_label: str):
    """The row of filters at the top of a page; `columns` are dbc.Col items."""
    return html.Div(dbc.Row(columns, className="g-3"), className="filter-bar", role="search", **{"aria-label": aria_label})


def chart_card(title_id: str, graph_id: str, description: str, *, image_buttons: bool = False):
    """A chart with a heading filled by a callback, a one-line description of how to read it, and a
    "what this shows" sentence (id `{graph_id}-takeaway`) that also serves as the chart's text alternative.
    It is a slide in presentation mode. With `image_buttons`, "PNG" and "SVG" buttons (ids `{graph_id}-png`,
    `{graph_id}-svg`) for a callback that renders the image on the server."""
    buttons = html.Div([dbc.Button(kind.upper(), id=f"{graph_id}-{kind}", color="secondary", outline=True, size="sm",
                                   className="me-1", title=f"Download this chart as {kind.upper()}") for kind in ("png", "svg")],
                       className="float-end no-present") if image_buttons else None
    return html.Section([
        buttons,
        html.H2(id=title_id),
        html.P(description, className="small text-body-secondary"),
        html.P(id=f"{graph_id}-takeaway", className="takeaway", **{"aria-live": "polite"}),
        chart_loading(dcc.Graph(id=graph_id, config={"displaylogo": False, "responsive": True})),
    ], className="chart-card slide", **{"aria-describedby": f"{graph_id}-takeaway"})


def chart_loading(graph):
    """A chart's place while its figure is on the way: a grey skeleton the chart's size, not a blank. Shown only after
    200 ms of waiting, so a chart drawn in the first paint (see `first_paint`) is never hidden for the quick call that
    follows it, nor does a fast filter change flash."""
    return dcc.Loading(graph, delay_show=200, show_initially=False,
                       custom_spinner=html.Div(className="chart-skeleton", **{"aria-hidden": "true"}))


def present_bar(prefix: str, *, anonymise: bool | None = False, anonymise_label: str =
                "Anonymise other LAs (LA 1 to LA 33; yours keeps its name)"):
    """The sharing bar above a page's charts: an "Anonymise" switch (id `{prefix}-anon`; left out when `anonymise` is
    None, for pages that name no LA), a "Slides (PowerPoint)" button (`{prefix}-deck`) and the two downloads a page's
    callbacks fill (`{prefix}-deck-download`, `{prefix}-image-download`). Hidden in presentation mode."""
    switch = [] if anonymise is None else [dbc.Switch(id=f"{prefix}-anon", label=anonymise_label, value=anonymise,
                                                      className="me-3 mb-0")]
    return html.Div(switch + [
        dbc.Button("Slides (PowerPoint)", id=f"{prefix}-deck", color="secondary", outline=True, size="sm"),
        dcc.Download(id=f"{prefix}-deck-download"), dcc.Download(id=f"{prefix}-image-download"),
    ], className="present-bar no-present")


def kpi_cards(kpis: list[tuple[str, str, str]]):
    """Headline figures: (label, value, note) each."""
    return dbc.Row([dbc.Col(html.Div([html.Div(label, className="kpi-label"), html.Div(value, className="kpi-value"),
                                      html.Div(note, className="small text-body-secondary")], className="kpi-card"),
                            xs=6, md=4, xl=2, className="mb-2") for label, value, note in kpis], className="g-2")


def grid(grid_id: str):
    """An empty dash-ag-grid filled by a callback (rowData, columnDefs)."""
    # Headers wrap between words (assets/app.css keeps a word whole); a long value shows whole in its tooltip.
    return dag.AgGrid(id=grid_id, rowData=[], columnDefs=[], columnSize="responsiveSizeToFit",
                      defaultColDef={"sortable": True, "filter": True, "resizable": True, "wrapHeaderText": True,
                                     "autoHeaderHeight": True, "tooltipValueGetter": {"function": "params.value"}},
                      # Every column in the page (not only those scrolled into view): find-in-page, screen readers
                      # and the browser tests see a wide table's last columns (Ofsted's report links).
                      # A row's height from its wrapped text (assets/grid_rows.js), not measured cell by cell.
                      dashGridOptions={"domLayout": "autoHeight", "suppressCellFocus": False,
                                       "suppressColumnVirtualisation": True,
                                       "getRowHeight": {"function": "rowHeight(params)"}},
                      eventListeners={"columnResized": ["rowHeightsAfterResize(params)"]}, style={"height": None})


def download_buttons(id_prefix: str):
    """'Download CSV' and 'Download Excel' buttons with ids `{id_prefix}-csv` and `{id_prefix}-xlsx`."""
    return html.Div([dbc.Button("Download CSV", id=f"{id_prefix}-csv", color="secondary", outline=True, size="sm", className="me-2"),
                     dbc.Button("Download Excel", id=f"{id_prefix}-xlsx", color="secondary", outline=True, size="sm")],
                    className="mb-2")


def table_section(download_id: str, grid_id: str, *, title: str | None = None, title_id: str | None = None,
                  heading_class: str = "h6 mt-4", heading=html.H3, between: tuple = ()) -> list:
    """A table as a page lays it out: its heading (the fixed `title`, or filled by a callback into `title_id`), anything
    `between` (a note on it), its download buttons (ids `{download_id}-csv`, `-xlsx`) and its grid."""
    attributes = {name: value for name, value in (("id", title_id), ("className", heading_class)) if value}
    return [heading(title, **attributes) if title else heading(**attributes), *between, download_buttons(download_id),
            grid(grid_id)]


def chart_tables(prefix: str, charts) -> html.Section:
    """Every chart's table in one section at the foot of a page (ids `{prefix}-{chart}-grid`, downloads
    `{prefix}-dl-{chart}`, titles filled into `{prefix}-{chart}-table-title`, one `{prefix}-download`)."""
    return html.Section([
        html.H2("The tables", className="h4"),
        html.P("Every chart's figures, to read or download. Counts of other LAs' children are protected.",
               className="small text-body-secondary"),
        *[item for c in charts for item in table_section(f"{prefix}-dl-{c}", f"{prefix}-{c}-grid",
                                                          title_id=f"{prefix}-{c}-table-title")],
        dcc.Download(id=f"{prefix}-download"),
    ], className="chart-card")


def sharing_and_kpis(prefix: str, *, anonymise: bool | None):
    """What stands between a page's filters and its charts: the sharing bar (`present_bar`) and the place for its
    headline figures (id `{prefix}-kpis`, filled with `kpi_cards`)."""
    # The headline figures are presentation mode's first slide (their heading shows only there).
    return [present_bar(prefix, anonymise=anonymise),
            html.Section([html.H2("Headline figures", className="present-only"), html.Div(id=f"{prefix}-kpis")],
                         className="kpi-slide slide mb-3")]


def chart_outputs(*graph_ids: str, title_ids: dict[str, str] | None = None) -> list[Output]:
    """A callback's outputs for chart cards: each card's heading then its figure. A heading's id is
    `{graph_id}-title` unless `title_ids` gives it (graph id -> heading id)."""
    title_ids = title_ids or {}
    return [output for graph_id in graph_ids
            for output in (Output(title_ids.get(graph_id, f"{graph_id}-title"), "children"), Output(graph_id, "figure"))]


def grid_outputs(*grid_ids: str) -> list[Output]:
    """A callback's outputs for grids: each grid's rows then its column definitions (see `grid_content`)."""
    return [output for grid_id in grid_ids for output in (Output(grid_id, "rowData"), Output(grid_id, "columnDefs"))]


def chart_page_outputs(prefix: str, charts) -> list[Output]:
    """The view callback's outputs of a page of chart sections with `chart_tables` at its foot: its banner, headline
    figures and definitions (ids `{prefix}-banner`, `-kpis`, `-definition`), then each chart's heading and figure,
    takeaway, table heading, and grid. Filled by `chart_page_values`."""
    return [Output(f"{prefix}-banner", "children"), Output(f"{prefix}-kpis", "children"),
            Output(f"{prefix}-definition", "children"), *chart_outputs(*[f"{prefix}-{c}" for c in charts]),
            *[Output(f"{prefix}-{c}-takeaway", "children") for c in charts],
            *[Output(f"{prefix}-{c}-table-title", "children") for c in charts],
            *grid_outputs(*[f"{prefix}-{c}-grid" for c in charts])]


def chart_page_values(banners: list, view, charts) -> tuple:
    """`chart_page_outputs`' values from a view with `kpis`, `notes` and, per chart, `titles`, `figures`, `takeaways`
    and `tables` (the table's heading is the chart's)."""
    return (banners, kpi_cards(view.kpis), definition_list("Definitions and sources", view.notes),
            *[item for c in charts for item in (view.titles[c], view.figures[c])],
            *[view.takeaways[c] for c in charts], *[view.titles[c] for c in charts],
            *[item for c in charts for item in grid_content(view.tables[c])])


def table_outputs(title_id: str, grid_id: str) -> list[Output]:
    """A table's heading, rows and column definitions, as `table_section(..., title_id=title_id)` lays them out."""
    return [Output(title_id, "children"), *grid_outputs(grid_id)]


def grid_content(table: pd.DataFrame, columns=None) -> tuple[list[dict], list[dict]]:
    """What `grid_outputs` receives for one table: its rows and its column definitions (`columns(table)`, by default
    `column_defs`)."""
    return grid_records(table), (columns or column_defs)(table)


def definition_list(title: str, notes: list[tuple[str, str]]):
    """Definitions, sources and caveats as a term/description list."""
    return [html.H2(title), html.Dl([item for term, text in notes for item in (html.Dt(term), html.Dd(text))], className="small mb-0")]


def decimals_shown(values: pd.Series, most: int = 3) -> int:
    """The decimal places a column of numbers is written with: as many as its most precise value needs (up to
    `most`), so one column never shows 40 next to 44.7."""
    places = [len(f"{v:.{most}f}".rstrip("0").split(".")[1]) for v in _distinct(values.dropna().astype(float))]
    return max(places, default=0)


def _distinct(numbers: pd.Series) -> np.ndarray:
    """A float column's distinct values, told apart bit for bit (0.0 and -0.0 are written differently): each is then
    formatted once, not once per row."""
    bits = np.ascontiguousarray(numbers.to_numpy(dtype=np.float64)).view(np.int64)
    return np.unique(bits).view(np.float64)


# Sizing a column to what it holds, in pixels per character of the grid's 14 px font (header words are bold).
HEADER_CHAR_PX, CELL_CHAR_PX, CELL_PADDING_PX = 9, 7.5, 34
WIDEST_COLUMN_PX = 340     # a longer value wraps between words in its cell (and shows whole in its tooltip)


def content_width(values, header: str = "") -> tuple[int, bool]:
    """(the width a column needs, in pixels: its header's longest word and its longest value, up to WIDEST_COLUMN_PX or
    its longest word, whichever is wider; whether values must wrap at that width)."""
    texts = [str(v) for v in list(values)[:1000] if v is not None and not (isinstance(v, float) and v != v)]
    longest_value = max((len(t) for t in texts), default=0)
    longest_word = max((len(w) for t in texts for w in t.split()), default=0)
    header_word = max((len(word) for word in str(header).split()), default=0)
    needed = CELL_CHAR_PX * longest_value + CELL_PADDING_PX
    width = max(90, HEADER_CHAR_PX * header_word + 40, min(needed, WIDEST_COLUMN_PX), CELL_CHAR_PX * longest_word + CELL_PADDING_PX)
    return round(width), needed > width


def column_defs(table: pd.DataFrame) -> list[dict]:
    """A grid's columns: numbers right-aligned with one number of decimals per column; each column wide enough for its
    header's longest word (headers wrap between words, never inside one) and for its values (an LA's whole name),
    up to a limit past which long text wraps between words, its tooltip showing it whole."""
    columns = []
    for c, values in table.items():   # by position, as `table[c]` would give it (names may repeat)
        kind = values.dtype.kind
        numeric = kind in "fi"
        if numeric:   # as the grid writes them: with thousands separators, to the column's decimals
            known = _known_numbers(values)
            dp = _decimals(_distinct_numbers(known)) if kind == "f" else 0
            year = "year" in str(c).lower() and dp == 0     # a year is 2014, never 2,014
            # content_width reads the first 1,000 values: only their distinct values are formatted
            values = [f"{v:.0f}" if year else f"{v:,.{dp}f}" for v in _distinct_numbers(known[:1000])]
        width, wraps = content_width(_distinct_texts(values), c)
        column = {"field": c, "headerName": c, "minWidth": width}
        if wraps:
            column["wrapText"] = True   # the row's height from its text: grid()'s getRowHeight
        if numeric:
            pattern = "d" if year else f",.{dp}f"
            column.update({"type": "numericColumn", "valueFormatter": {
                "function": f"params.value == null ? '' : d3.format('{pattern}')(params.value)"}})
        elif _numbers_and_words(values):
            # Figures with words among them ("suppressed (c)", "no return"): the grid must not take the column for a
            # number column from its first row and write "Invalid Number" over every word.
            column.update({"cellDataType": False, "type": "rightAligned"})
        columns.append(column)
    return columns


# column_defs' per-column work on plain arrays: a page's tables are small (a few rows, up to a dozen columns, 27 grids a
# view on a child-level page), so a pandas call's fixed cost on each column was most of the time.

def _known_numbers(values: pd.Series) -> np.ndarray:
    """A number column's values that are not missing, as floats (`values.dropna().astype(float)`)."""
    if isinstance(values.dtype, np.dtype):
        numbers = values.to_numpy(dtype=np.float64)
        return numbers[~np.isnan(numbers)] if values.dtype.kind == "f" else numbers
    return values.dropna().astype(float).to_numpy(dtype=np.float64)


def _distinct_numbers(numbers: np.ndarray) -> np.ndarray:
    """`_distinct` of an array of floats."""
    return np.unique(np.ascontiguousarray(numbers).view(np.int64)).view(np.float64)


def _decimals(distinct: np.ndarray, most: int = 3) -> int:
    """`decimals_shown` of a column's distinct numbers."""
    return max((len(f"{v:.{most}f}".rstrip("0").split(".")[1]) for v in distinct), default=0)


def _distinct_texts(values) -> list[str]:
    """The distinct texts of the first 1,000 values, as `content_width` writes them (not missing): its width is their
    longest text and word, so the same from each text once. Told apart as text: 0.0 and -0.0, 1 and 1.0 are equal
    values but not the same width."""
    cells = values.to_numpy(dtype=object)[:1000] if isinstance(values, pd.Series) else values[:1000]
    return list(dict.fromkeys(str(v) for v in cells if v is not None and not (isinstance(v, float) and v != v)))


def _numbers_and_words(values: pd.Series) -> bool:
    """A text column that holds numbers too (an object column: figures with words among them)."""
    if values.dtype != object:
        return False
    cells = values.to_numpy()
    return any(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in cells[~pd.isna(cells)])


def grid_records(table: pd.DataFrame) -> list[dict]:
    """Rows for a grid; NaN becomes null (shown by a valueFormatter as 'no return' or 'c', never 0). Built column by
    column from plain lists: the same rows as `table.astype(object).where(table.notna(), None).to_dict("records")` in
    a fifth of the time on a page's small tables (a child-level page builds 27 a view)."""
    names = list(table.columns)
    if not names:
        return [{} for _ in range(len(table))]
    columns = []
    for _name, values in table.items():   # by position (names may repeat)
        dtype = values.dtype
        kind, plain_numpy = dtype.kind, isinstance(dtype, np.dtype)
        cells = values.tolist() if kind in "fiub" else [_plain(v) for v in values.to_numpy(dtype=object)]
        if plain_numpy and kind in "iub":
            missing = ()                                    # a numpy column of whole numbers or flags has no gaps
        elif plain_numpy and kind == "f":
            missing = np.flatnonzero(np.isnan(values.to_numpy()))
        else:
            missing = np.flatnonzero(values.isna().to_numpy())
        for row in missing:
            cells[row] = None
        columns.append(cells)
    return [dict(zip(names, row)) for row in zip(*columns)]


def _plain(value):
    """A numpy number in a column of mixed values as Python's own (as `to_dict` gives it)."""
    return value.item() if isinstance(value, (np.integer, np.floating, np.bool_)) else value
