"""Charts of a dashboard of published measures: the focus LA against its comparators over years, every London LA in a
year, and the focus LA's profile across measures. Okabe-Ito colours; the focus LA vermillion and marked ◆; a figure
not published has no bar or point (its meaning is written beside it), never a bar at 0."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.area_measures.metrics import marker_text
from dashboard.area_measures.spec import Measure
from dashboard.chart_theme import (ENGLAND, FOCUS, LONDON, NEIGHBOURS, SUBREGION, comparator_traces, plain_empty_figure,
                                   plain_layout, wrap)

OTHER_LA = "#56B4E9"   # sky blue
INNER_OUTER = "#CC79A7"


def format_value(value, measure: Measure, extra_decimals: int = 0, missing: str = "not published") -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return missing
    text = f"{value:,.{measure.decimals + extra_decimals}f}"
    return f"{text}%" if measure.unit == "%" else text


def _styles(series_names) -> dict[str, tuple[str, str]]:
    styles = {"London": (LONDON, "dash"), "England": (ENGLAND, "dot"), "Inner London": (INNER_OUTER, "longdash"),
              "Outer London": (INNER_OUTER, "longdash"), "Statistical neighbours (mean)": (NEIGHBOURS, "dashdot")}
    return {name: styles.get(name, (SUBREGION, "dashdot")) for name in series_names}


def axis_title(measure: Measure) -> str:
    return "per cent" if measure.unit == "%" else measure.unit


def trend_figure(series: pd.DataFrame, focus_name: str, measure: Measure, years: str = "Year to 31 March") -> dict:
    if series["value"].notna().sum() == 0:
        return plain_empty_figure("No published figures for this measure.")
    traces = comparator_traces(series, "period", focus_name, _styles(series["series"].unique()), measure.decimals + 1)
    return {"data": traces, "layout": plain_layout(400, xaxis={"title": {"text": years}, "type": "category"},
                                                   yaxis={"title": {"text": axis_title(measure)}, "rangemode": "tozero"})}


def _values(values) -> list:
    """Figures for a trace: a figure not published is None (no bar), never 0."""
    return [None if pd.isna(v) else v for v in values]


def la_figure(table: pd.DataFrame, focus_code: str, measure: Measure, london: float, england: float) -> dict:
    """Every London LA's figure for the year, best at the top; LAs with no figure named with the marker's meaning."""
    if table["value"].notna().sum() == 0:
        return plain_empty_figure("No London LA has a published figure for this year.")
    rows = table.iloc[::-1]
    # An LA with no figure has no bar, so its label says why (plotly writes no text where there is no bar).
    labels = [(f"<b>{n} ◆</b>" if c == focus_code else n) + ("" if pd.notna(v) else f" ({marker_text(m)})")
              for n, c, v, m in zip(rows["la_name"], rows["la_code"], rows["value"], rows["marker"])]
    text = [format_value(v, measure) if pd.notna(v) else marker_text(m) for v, m in zip(rows["value"], rows["marker"])]
    bars = {"type": "bar", "x": _values(rows["value"]), "y": labels, "orientation": "h", "text": text,
            "textposition": "outside", "cliponaxis": False, "showlegend": False,
            "marker": {"color": [FOCUS if c == focus_code else OTHER_LA for c in rows["la_code"]]},
            "hovertemplate": "%{y}: %{text}<extra></extra>"}
    references = [(v, n, d) for v, n, d in ((london, "London", "dash"), (england, "England", "dot")) if pd.notna(v)]
    xaxis, upper = value_axis([*rows["value"], *(v for v, _, _ in references)], measure)
    # London's and England's labels on rows of their own above the bars, so they never overlap however close the
    # two figures are; each reads away from the nearer edge, so it stays inside the chart.
    shapes, annotations = [], []
    for row, (value, name, dash) in enumerate(references):
        shapes.append({"line": {"color": LONDON if name == "London" else ENGLAND, "dash": dash, "width": 2}, "type": "line",
                       "x0": value, "x1": value, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"})
        annotations.append({"showarrow": False, "text": f"{name} {format_value(value, measure)}", "x": value,
                            "xanchor": "left" if value < upper / 2 else "right", "xref": "x", "y": 1, "yanchor": "bottom",
                            "yref": "y domain", "yshift": 18 * row})
    layout = plain_layout(max(420, 22 * len(rows) + 100), xaxis=xaxis, margin={"t": 30 + 18 * len(references)})
    if references:
        layout.update(shapes=shapes, annotations=annotations)
    return {"data": [bars], "layout": layout}


def value_axis(values, measure: Measure) -> tuple[dict, float]:
    """The value axis from 0 to a little past the largest figure (room for the text outside the bars), never to a
    percentage past what the figures reach; ticks of a percentage stop at 100. Returns the axis and where it ends."""
    top = max([float(v) for v in values if pd.notna(v)] or [1.0])
    upper = top * 1.18 if top > 0 else 1.0
    axis = {"title": {"text": axis_title(measure)}, "range": [0, upper]}
    if measure.unit == "%":
        step = next(s for s in (1, 2, 5, 10, 20, 25) if min(upper, 100) / s <= 8)
        axis["tickvals"] = [t for t in range(0, int(min(upper, 100)) + 1, step)]
    return axis, upper


def profile_figure(profile: pd.DataFrame, focus_name: str, measures: tuple[Measure, ...]) -> dict:
    """The focus LA beside London and England on every percentage measure for the year (grouped bars)."""
    shown = profile[profile["unit"] == "%"]
    if shown["value"].notna().sum() == 0:
        return plain_empty_figure("No published percentages for this year.")
    names = [m.name for m in measures if m.unit == "%"]
    # (measure name, series) -> (value, marker): the profile has one row for each
    cells = {}
    for name, series, value, marker in zip(shown["name"], shown["series"], shown["value"], shown["marker"]):
        cells.setdefault((name, series), (value, marker))
    # A figure not published has no bar: its meaning goes under the measure's name, so it is read, never seen as 0.
    labels = []
    for name in names:
        missing = [f"{series}: {marker_text(cells[(name, series)][1])}" for series in (focus_name, "London", "England")
                   if (name, series) in cells and pd.isna(cells[(name, series)][0])]
        labels.append(wrap(name) + "".join(f"<br><i>{m}</i>" for m in missing))
    traces = []
    by_name = {m.name: m for m in measures}
    for series, colour, pattern in ((focus_name, FOCUS, ""), ("London", LONDON, "/"), ("England", ENGLAND, ".")):
        values = [cells.get((n, series), (np.nan, None))[0] for n in names]
        # Each figure to its measure's published decimals (a census rate of 17.3% reads 17.3%, not 17%).
        text = [format_value(v, by_name[n], missing="") for n, v in zip(names, values)]
        traces.append({"type": "bar", "y": labels, "x": _values(values), "orientation": "h", "name": series,
                       "marker": {"color": colour, "pattern": {"shape": pattern}}, "text": text, "customdata": text,
                       "textposition": "outside", "cliponaxis": False,
                       "hovertemplate": f"{series}<br>%{{y}}: %{{customdata}}<extra></extra>"})
    xaxis, _ = value_axis(shown["value"], Measure("", "", "%", "neither", 0, ""))
    return {"data": traces, "layout": plain_layout(max(380, 95 * len(names) + 80), barmode="group",
                                                   yaxis={"autorange": "reversed"}, xaxis=xaxis)}
