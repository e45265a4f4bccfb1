"""Placements and supply charts, as plain dicts (cheap to build and cache). Okabe-Ito colours; every bar also says
its number, so colour is never the only cue; the viewer's own LA is marked ◆ and drawn in orange."""
from __future__ import annotations

import copy
import functools

import pandas as pd

from dashboard.chart_theme import empty_figure as _empty_figure, plain_layout

BLUE, SKY, ORANGE, GREEN, YELLOW, PURPLE, VERMILION, GREY = ("#0072B2", "#56B4E9", "#E69F00", "#009E73", "#F0E442",
                                                              "#CC79A7", "#D55E00", "#999999")
SERIES = (BLUE, ORANGE, SKY, GREEN, PURPLE, VERMILION, GREY)


@functools.lru_cache(maxsize=64)
def _empty_dict(message: str) -> dict:
    return _empty_figure(message).to_plotly_json()


def empty_figure(message: str) -> dict:
    """The shared "nothing to draw" figure as a plain dict, built once per message: a plotly Figure costs about 25 ms
    to build and as much again to unpickle from the cache, each time a view holding it is read."""
    return copy.deepcopy(_empty_dict(message))


def _text(values) -> list[str]:
    return ["" if v is None or pd.isna(v) else f"{v:,.0f}" for v in values]


def bars(labels, values, *, axis: str, empty: str, highlight: set[str] = frozenset(), colour: str = BLUE,
         suffix: str = "") -> dict:
    """One horizontal bar per label (first at the top), each written with its value; labels in `highlight` (the
    viewer's own LA) in orange and marked ◆."""
    labels, values = list(labels), list(values)
    if not labels or not any(v for v in values if v is not None and not pd.isna(v)):
        return empty_figure(empty)
    shown = [f"{label} ◆" if label in highlight else label for label in labels][::-1]
    colours = [ORANGE if label in highlight else colour for label in labels][::-1]
    trace = {"type": "bar", "orientation": "h", "y": shown, "x": values[::-1], "text": [t + suffix if t else t for t in _text(values[::-1])],
             "textposition": "outside", "cliponaxis": False, "marker": {"color": colours},
             "hovertemplate": f"%{{y}}: %{{x:,.0f}}{suffix}<extra></extra>", "name": axis}
    top = max(v for v in values if v is not None and not pd.isna(v))
    layout = plain_layout(max(260, 26 * len(labels) + 110), showlegend=False,
                          xaxis={"title": {"text": axis}, "range": [0, top * 1.2 or 1], "fixedrange": True},
                          yaxis={"automargin": True, "fixedrange": True})
    return {"data": [trace], "layout": layout}


def stacked(table: pd.DataFrame, label: str, parts: list[str], *, axis: str, empty: str, horizontal: bool = True) -> dict:
    """One bar per row of `table`, stacked by `parts` (columns), each segment written with its count."""
    if table.empty or not table[parts].fillna(0).to_numpy().any():
        return empty_figure(empty)
    shown = table.iloc[::-1] if horizontal else table
    data = []
    for part, colour in zip(parts, SERIES):
        values = shown[part].tolist()
        trace = {"type": "bar", "name": part, "text": [t if v else "" for t, v in zip(_text(values), values)],
                 "textposition": "inside", "marker": {"color": colour, "line": {"color": "#ffffff", "width": 1}}}
        if horizontal:
            trace.update(orientation="h", y=list(shown[label].astype(str)), x=values,
                         hovertemplate=f"%{{y}}<br>{part}: %{{x:,.0f}}<extra></extra>")
        else:
            trace.update(x=list(shown[label].astype(str)), y=values, hovertemplate=f"%{{x}}<br>{part}: %{{y:,.0f}}<extra></extra>")
        data.append(trace)
    value_axis = {"title": {"text": axis}, "fixedrange": True}
    label_axis = {"automargin": True, "fixedrange": True, "type": "category"}
    height = max(280, 30 * len(table) + 140) if horizontal else 360
    layout = plain_layout(height, barmode="stack", legend={"traceorder": "normal"},
                          xaxis=value_axis if horizontal else label_axis, yaxis=label_axis if horizontal else value_axis)
    return {"data": data, "layout": layout}


def grouped(table: pd.DataFrame, label: str, series: list[str], *, axis: str, empty: str) -> dict:
    """Bars side by side for each row of `table` (e.g. need, places), each written with its value; a series the
    table holds no value for (not held) is left out of the chart and said in the table."""
    held = [s for s in series if table[s].notna().any()]
    if table.empty or not held:
        return empty_figure(empty)
    data = [{"type": "bar", "name": s, "x": list(table[label]), "y": table[s].tolist(), "text": _text(table[s]),
             "textposition": "outside", "cliponaxis": False, "marker": {"color": colour},
             "hovertemplate": f"%{{x}}<br>{s}: %{{y:,.0f}}<extra></extra>"} for s, colour in zip(held, SERIES)]
    layout = plain_layout(380, barmode="group", xaxis={"fixedrange": True, "type": "category"},
                          yaxis={"title": {"text": axis}, "fixedrange": True, "rangemode": "tozero"})
    return {"data": data, "layout": layout}


def lines(table: pd.DataFrame, x: str, series: list[str], *, axis: str, empty: str, total: str | None = None) -> dict:
    """A line per series over `x`; `total` (a column) drawn thick and black."""
    if table.empty or not table[series].fillna(0).to_numpy().any():
        return empty_figure(empty)
    data = [{"type": "scatter", "mode": "lines", "name": s, "x": list(table[x]), "y": table[s].tolist(),
             "line": {"color": colour, "width": 2}, "hovertemplate": f"%{{x}}<br>{s}: %{{y:,.0f}}<extra></extra>"}
            for s, colour in zip(series, SERIES)]
    if total:
        data.append({"type": "scatter", "mode": "lines+markers", "name": total, "x": list(table[x]), "y": table[total].tolist(),
                     "line": {"color": "#000000", "width": 3}, "hovertemplate": f"%{{x}}<br>{total}: %{{y:,.0f}}<extra></extra>"})
    layout = plain_layout(380, xaxis={"fixedrange": True}, yaxis={"title": {"text": axis}, "fixedrange": True, "rangemode": "tozero"})
    return {"data": data, "layout": layout}
