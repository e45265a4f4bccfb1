"""Suspensions charts: RRI by group with its interval, RRI over years, and the LA x group heat map.

All three put the RRI on a log scale, so "twice as likely" and "half as likely" sit the same distance
from the parity line at 1. Colours are colour-blind-safe; position, marker fill and text carry the
meaning too, never colour alone.

The figures are built as plain dicts on the shared theme's layout (computed once): plotly's object
validation cost more than all of the page's arithmetic, and Dash sends the same JSON either way.
On log axes, annotation positions are log10 values (shapes take data values).
"""
from __future__ import annotations

import copy
import math
import threading

import numpy as np
import pandas as pd

from dashboard.chart_theme import FOCUS, plain_layout
from dashboard.chart_theme import empty_figure as _themed_empty_figure
from dashboard.dashboards.suspensions import metrics as m
from dashboard.disclosure import SUPPRESSED

BAND_COLOURS = {
    m.UNDER: "#0072B2",               # blue
    m.PARITY: "#7F7F7F",              # grey
    m.OVER: "#E69F00",                # orange
    m.SUBSTANTIALLY_OVER: "#8C2D04",  # dark brown-orange: darker = further over
    m.REFERENCE: "#000000",
}
# Okabe-Ito, without the focus vermillion, for lines of chosen groups.
LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#F0E442", "#7F7F7F"]
LINE_DASHES = ["solid", "dash", "dot", "dashdot"]
LINE_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x"]
# Diverging, colour-blind-safe (ColorBrewer PuOr): purple = less likely than White British, orange = more likely.
DIVERGING = [[0.0, "#542788"], [0.25, "#998ec3"], [0.5, "#f7f7f7"], [0.75, "#f1a340"], [1.0, "#b35806"]]
HEAT_LIMIT = 4.0  # colours saturate at RRI 1/4 and 4
RRI_TICKS = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10]


_empty_lock = threading.Lock()
_EMPTY: dict = {}


def empty_figure(message: str, height: int = 300) -> dict:
    """`chart_theme.empty_figure` as the plain dict a cached view holds (`loader.view_cache` keeps figures as dicts):
    plotly validates the figure once per message in each process (6 ms), not in every view that has nothing to draw."""
    key = (message, height)
    with _empty_lock:
        figure = _EMPTY.get(key)
    if figure is None:
        figure = _themed_empty_figure(message, height).to_plotly_json()
        with _empty_lock:
            _EMPTY[key] = figure
    return copy.deepcopy(figure)


def _list(values) -> list:
    """JSON-safe list: NaN becomes None (a gap), numpy numbers become Python numbers."""
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else
            (float(v) if isinstance(v, (np.floating, float)) else v) for v in values]


def _log_range(values: pd.Series, low_floor: float = 0.5, high_floor: float = 2.0) -> list[float]:
    values = np.asarray(pd.to_numeric(values, errors="coerce"), dtype="float64")
    finite = values[np.isfinite(values) & (values > 0)]
    low = min(low_floor, float(finite.min()) * 0.85) if len(finite) else low_floor
    high = max(high_floor, float(finite.max()) * 1.15) if len(finite) else high_floor
    return [math.log10(low), math.log10(high)]


def _band_zones() -> list[dict]:
    """Light shading behind the chart for each band, so a point's band reads from its position."""
    return [{"type": "rect", "xref": "x", "yref": "y domain", "x0": x0, "x1": x1, "y0": 0, "y1": 1, "fillcolor": colour,
             "line": {"width": 0}, "layer": "below"}
            for x0, x1, colour in ((1e-6, m.UNDER_REPRESENTED_BELOW, "rgba(0,114,178,0.07)"),
                                   (m.OVER_REPRESENTED_FROM, m.SUBSTANTIALLY_OVER_FROM, "rgba(230,159,0,0.10)"),
                                   (m.SUBSTANTIALLY_OVER_FROM, 1e6, "rgba(140,45,4,0.08)"))]


def _errors(frame: pd.DataFrame, colour: str, thickness: float, width: int) -> dict:
    return {"type": "data", "symmetric": False, "array": _list((frame["ci_high"] - frame["rri"]).fillna(0)),
            "arrayminus": _list((frame["rri"] - frame["ci_low"]).fillna(0)), "color": colour,
            "thickness": thickness, "width": width}


def _error_arrays(rri: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str, thickness: float, width: int) -> dict:
    """`_errors` of arrays: the same values."""
    above, below = high - rri, rri - low
    return {"type": "data", "symmetric": False, "array": _list(np.where(np.isnan(above), 0.0, above)),
            "arrayminus": _list(np.where(np.isnan(below), 0.0, below)), "color": colour,
            "thickness": thickness, "width": width}


def rri_interval_figure(table: pd.DataFrame, reference: str, comparator: tuple[str, pd.DataFrame] | None = None) -> dict:
    """One row per group: the RRI as a dot, its 95% interval as a line; hollow dot = not significant.

    `comparator` (name, table): another area's RRIs (London for an LA) drawn as a black tick on each row.
    """
    # On arrays taken from the table once: ten filters of the frame (a band, significant or not) cost more than the
    # figure's arithmetic. The same values, in the same order, as filtering the frame gives.
    groups = list(table["group"])
    rri = table["rri"].to_numpy(dtype="float64")
    shown = ~np.isnan(rri)
    if not shown.any() or all(g == reference for g, s in zip(groups, shown) if s):
        return empty_figure("No RRI can be shown: too few pupils with the outcome in the reference group or in every group.")
    labels = [f"{g} (reference)" if g == reference else (f"{g}: not shown, fewer than 10" if np.isnan(r) else g)
              for g, r in zip(groups, rri)]
    low, high = table["ci_low"].to_numpy(dtype="float64"), table["ci_high"].to_numpy(dtype="float64")
    rate = table["rate_per_1000"].to_numpy(dtype="float64")
    band_of, significant = list(table["band"]), list(table["significant"])
    plotted_sig = [True if s is pd.NA else bool(s) for s in significant]
    traces = []
    for band in (m.REFERENCE, m.UNDER, m.PARITY, m.OVER, m.SUBSTANTIALLY_OVER):
        for sig in (True, False):
            rows = [i for i in range(len(groups)) if shown[i] and band_of[i] == band and plotted_sig[i] == sig]
            if not rows:
                continue
            colour = BAND_COLOURS[band]
            traces.append({
                "type": "scatter", "mode": "markers", "x": _list(rri[rows]), "y": [labels[i] for i in rows],
                "name": band if sig or band == m.REFERENCE else f"{band}, not significant",
                "marker": {"color": colour, "size": 12 if band == m.REFERENCE else 11, "line": {"width": 2, "color": colour},
                           "symbol": "diamond" if band == m.REFERENCE else "circle" if sig else "circle-open"},
                "error_x": _error_arrays(rri[rows], low[rows], high[rows], colour, 2, 4),
                "customdata": [[round(float(rate[i]), 1), _fmt2(low[i]), _fmt2(high[i]), m.band_label(band_of[i], significant[i])]
                               for i in rows],
                "hovertemplate": "%{y}<br>RRI %{x:.2f} (95% CI %{customdata[1]} to %{customdata[2]})<br>"
                                 "%{customdata[0]} per 1,000<br>%{customdata[3]}<extra></extra>",
            })
    if comparator is not None:
        name, other = comparator
        other_rri = dict(zip(other["group"], other["rri"]))
        pairs = [(other_rri.get(g), label) for g, label in zip(groups, labels) if g != reference]
        pairs = [(x, y) for x, y in pairs if x is not None and not pd.isna(x)]
        if pairs:
            traces.append({"type": "scatter", "mode": "markers", "x": [float(x) for x, _ in pairs], "y": [y for _, y in pairs],
                           "name": name, "marker": {"symbol": "line-ns-open", "size": 16, "color": "#000000",
                                                    "line": {"width": 2.5, "color": "#000000"}},
                           "hovertemplate": f"%{{y}}<br>{name}: RRI %{{x:.2f}}<extra></extra>"})
    hidden = [label for label, r in zip(labels, rri) if np.isnan(r)]
    if hidden:  # suppressed groups keep their row, so the list is complete, with no point
        traces.append({"type": "scatter", "mode": "markers", "x": [1.0] * len(hidden), "y": hidden, "marker": {"opacity": 0},
                       "showlegend": False, "hoverinfo": "skip"})
    shapes = _band_zones() + [{"type": "line", "xref": "x", "yref": "y domain", "x0": 1, "x1": 1, "y0": 0, "y1": 1,
                               "line": {"color": "#000", "dash": "dash", "width": 1.5}}]
    layout = plain_layout(
        max(440, 26 * len(table) + 170),
        xaxis={"type": "log", "title": {"text": f"Relative rate index (log scale; {reference} = 1)"},
               "range": _log_range(np.concatenate([low[shown], high[shown], rri[shown]])),
               "tickvals": RRI_TICKS, "ticktext": [f"{v:g}" for v in RRI_TICKS], "tickangle": 0},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": labels[::-1], "automargin": True, "title": None},
        shapes=shapes,
        annotations=[{"text": "parity (1)", "x": 0, "xref": "x", "y": 1, "yref": "y domain", "yanchor": "bottom",
                      "showarrow": False}],
        # Legend under the chart, so it never covers the parity label or the first rows.
        margin={"t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "title": {"text": "Hollow = not significant"}},
    )
    return {"data": traces, "layout": layout}


def _fmt2(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.2f}"


def rri_trend_figure(series: pd.DataFrame, reference: str) -> dict:
    """RRI over years for the chosen groups, each with its interval; gaps where not shown (fewer than 10)."""
    if series.empty or series["rri"].notna().sum() == 0:
        return empty_figure("No RRI to show over time for the groups chosen (too few pupils with the outcome, "
                            "or the view has one year only).")
    years = sorted(series["year"].unique())
    # Each group's figures by year from the series' columns (as reindexing each group's rows by the years gives them).
    columns = {c: series[c].to_numpy(dtype="float64") for c in ("rri", "ci_low", "ci_high")}
    rows_of: dict = {}
    for row, (group, year) in enumerate(zip(series["group"], series["year"])):
        rows_of.setdefault(group, {})[year] = row
    traces = []
    for i, (group, by_year) in enumerate(rows_of.items()):
        at = [by_year.get(year, -1) for year in years]
        rri, low, high = ([values[r] if r >= 0 else np.nan for r in at] for values in columns.values())
        rri, low, high = np.array(rri, dtype="float64"), np.array(low, dtype="float64"), np.array(high, dtype="float64")
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        traces.append({
            "type": "scatter", "mode": "lines+markers", "x": years, "y": _list(rri), "name": group,
            "connectgaps": False,
            "line": {"color": colour, "width": 2.5, "dash": LINE_DASHES[i % len(LINE_DASHES)]},
            "marker": {"size": 8, "symbol": LINE_SYMBOLS[i % len(LINE_SYMBOLS)], "color": colour},
            "error_y": _error_arrays(rri, low, high, colour, 1.2, 3),
            "hovertemplate": f"{group}<br>%{{x}}: RRI %{{y:.2f}}<extra></extra>",
        })
    layout = plain_layout(
        440,
        yaxis={"type": "log", "title": {"text": "RRI (log scale)"}, "range": _log_range(np.concatenate([series["ci_low"].to_numpy(dtype="float64"),
                                                                                       series["ci_high"].to_numpy(dtype="float64")])),
               "tickvals": RRI_TICKS, "ticktext": [f"{v:g}" for v in RRI_TICKS]},
        xaxis={"type": "category", "title": None},
        shapes=[{"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": 1, "y1": 1,
                 "line": {"color": "#000", "dash": "dash", "width": 1.5}}],
        annotations=[{"text": f"parity with {reference}", "x": 0, "xref": "x domain", "xanchor": "left", "y": 0, "yref": "y",
                      "yanchor": "bottom", "showarrow": False}],
    )
    return {"data": traces, "layout": layout}


def heatmap_figure(matrix: pd.DataFrame, focus_la_name: str | None, groups: list[str]) -> dict:
    """LA x group RRI on a diverging scale centred on 1 (log); "c" cells are not shown (fewer than 10)."""
    if matrix.empty:
        return empty_figure("No LA has enough pupils with the outcome to show an RRI.")
    values = matrix[groups].to_numpy(dtype="float64")[::-1]      # the first LA at the top
    if np.isnan(values).all():
        return empty_figure("No LA has enough pupils with the outcome to show an RRI.")
    las = list(matrix["LA"])[::-1]
    names = [f"<b>{n} ◆</b>" if n == focus_la_name else n for n in las]
    logs = np.log(np.clip(values, 1 / HEAT_LIMIT, HEAT_LIMIT))
    z = [[None if math.isnan(v) else float(v) for v in row] for row in logs]
    text = [[SUPPRESSED if math.isnan(v) else f"{v:.1f}" for v in row] for row in values]
    trace = {
        "type": "heatmap", "z": z, "x": groups, "y": names, "text": text, "texttemplate": "%{text}", "textfont": {"size": 10},
        "colorscale": DIVERGING, "zmid": 0, "zmin": -math.log(HEAT_LIMIT), "zmax": math.log(HEAT_LIMIT), "xgap": 1, "ygap": 1,
        "hoverongaps": False, "hovertemplate": "%{y}<br>%{x}: RRI %{text}<extra></extra>",
        "colorbar": {"title": {"text": "RRI"}, "tickvals": [math.log(v) for v in (0.25, 0.5, 1, 2, 4)],
                     "ticktext": ["0.25 or less", "0.5", "1 (parity)", "2", "4 or more"]},
    }
    shapes = []
    if focus_la_name in set(las):
        position = las.index(focus_la_name)
        shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": -0.5, "x1": len(groups) - 0.5,
                       "y0": position - 0.5, "y1": position + 0.5, "line": {"color": FOCUS, "width": 3}})
    layout = plain_layout(max(540, 22 * len(las) + 200),
                     xaxis={"tickangle": -40, "side": "top", "title": None},
                     yaxis={"automargin": True, "title": None, "tickfont": {"size": 11}},
                     shapes=shapes, plot_bgcolor="#ffffff")
    return {"data": [trace], "layout": layout}
