"""Benchmarking charts: focus LA over time, all LAs ranked, sub-region distributions.

The figures are built as plain dicts on the shared theme's layout: plotly's object validation and `update_layout`
path parsing cost more than the view's arithmetic, and Dash, kaleido and the slide deck take the same JSON."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.chart_theme import (ENGLAND, FOCUS, LONDON, NEIGHBOURS, QUARTILE_COLOURS, SUBREGION, comparator_traces,
                                   plain_empty_figure, plain_layout, value_column)


def format_value(value, decimal_places: int, unit: str = "") -> str:
    """A value as the page writes it; missing is "no return", never 0."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return "no return"
    text = f"{value:,.{decimal_places}f}"
    return f"{text}%" if unit == "%" else text


def _axis_title(indicator: dict) -> str:
    return indicator["unit"] if indicator["unit"] != "%" else "per cent"


# Comparator lines: each its own colour and dash, so they read apart without colour too.
SERIES_STYLES = {"England": (ENGLAND, "dot"), "England (demo)": (ENGLAND, "dot"), "London average": (LONDON, "dash"), "London": (LONDON, "dash"),
                 "Statistical neighbours average": (NEIGHBOURS, "longdash")}


def _numbers(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def time_series_figure(series: pd.DataFrame, focus_name: str, indicator: dict) -> dict:
    if series["value"].notna().sum() == 0:
        return plain_empty_figure("No LA returned this indicator in the chosen quarters.")
    data = comparator_traces(series, "quarter", focus_name, SERIES_STYLES, int(indicator["decimal_places"]))
    return {"data": data, "layout": plain_layout(
        400, xaxis={"type": "category", "title": {}},
        yaxis={"title": {"text": _axis_title(indicator)}, "rangemode": "tozero"})}


def ranking_figure(ranking: pd.DataFrame, focus_la: str, indicator: dict, london_mean: float, *,
                   missing_text: dict | None = None, mean_label: str = "London average") -> dict:
    """Horizontal bars, best (or highest) at the top; LAs without a figure listed at the bottom without a bar,
    labelled "no return" (or, for published data, the publication's marker in `missing_text`)."""
    missing_text = missing_text or {}
    if not ranking["returned"].any():
        return plain_empty_figure("No LA returned this indicator for this quarter.")
    dp = int(indicator["decimal_places"])
    rows = ranking.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [f"<b>{n} ◆</b>" if c == focus_la else n for n, c in zip(rows["la_name"], rows["la_code"])]
    colours = [FOCUS if c == focus_la else QUARTILE_COLOURS.get(q, "#dddddd") if pd.notna(q) else "#ffffff"
               for c, q in zip(rows["la_code"], rows["quartile"])]
    text = [(missing_text.get(c, "no return") if not r else format_value(v, dp, indicator["unit"]) + (f"  {f}" if "20%" in f else ""))
            for c, r, v, f in zip(rows["la_code"], rows["returned"], rows["value"], rows["flag"])]
    data = [{
        "type": "bar", "x": _numbers(rows["value"].fillna(0).where(rows["returned"], 0)), "y": labels, "orientation": "h",
        "marker": {"color": colours, "line": {"color": ["#000" if c == focus_la else "rgba(0,0,0,0)" for c in rows["la_code"]], "width": 2}},
        "text": text, "textposition": "none", "cliponaxis": False,
        "customdata": [list(pair) for pair in zip(rows["quartile_label"], rows["rank"].astype("string").fillna("–"))],
        "hovertemplate": "%{y}<br>%{text}<br>Rank %{customdata[1]} · %{customdata[0]}<extra></extra>",
    }]
    # The values as a column right of every bar and of the London average line, which never runs through them.
    top = float(np.nanmax([rows["value"].max(), london_mean]))
    values, axis_end = value_column(labels, text, top)
    data.append(values)
    layout = plain_layout(
        max(520, 22 * len(rows) + 100), bargap=0.25, showlegend=False,
        margin={"t": 40},   # room for the London average label above the bars
        xaxis={"title": {"text": _axis_title(indicator)}, "range": [0, axis_end]},
        yaxis={"title": {}, "automargin": True, "tickfont": {"size": 12}})
    if not np.isnan(london_mean):
        x = float(london_mean)
        layout["shapes"] = [{"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
                             "line": {"color": LONDON, "dash": "dash", "width": 2}}]
        layout["annotations"] = [{"showarrow": False, "text": f"{mean_label} {format_value(london_mean, dp, indicator['unit'])}",
                                  "x": x, "xanchor": "left", "xref": "x", "y": 1.0, "yanchor": "bottom", "yref": "y domain"}]
    return {"data": data, "layout": layout}


def subregion_figure(latest: pd.DataFrame, focus_la: str, indicator: dict) -> dict:
    """One box per sub-region with every returning LA as a point: the spread, not only the mean."""
    returned = latest[latest["value"].notna()]
    if returned.empty:
        return plain_empty_figure("No LA returned this indicator for this quarter.")
    dp = int(indicator["decimal_places"])
    data = [{
        "type": "box", "x": [name] * len(frame), "y": _numbers(frame["value"]), "name": name, "boxpoints": "all",
        "jitter": 0.35, "pointpos": 0, "marker": {"color": SUBREGION, "size": 7, "opacity": 0.8},
        "line": {"color": "#4d4d4d"}, "fillcolor": "rgba(86,180,233,0.25)", "text": frame["la_name"].tolist(),
        "hovertemplate": f"%{{text}}: %{{y:,.{dp}f}}<extra>{name}</extra>", "showlegend": False,
    } for name, frame in returned.groupby("subregion_name", sort=True)]
    focus = returned[returned["la_code"] == focus_la]
    if not focus.empty:
        data.append({
            "type": "scatter", "x": focus["subregion_name"].tolist(), "y": _numbers(focus["value"]), "mode": "markers+text",
            "name": focus["la_name"].iloc[0],
            "marker": {"color": FOCUS, "size": 14, "symbol": "diamond", "line": {"color": "#000", "width": 1.5}},
            "text": focus["la_name"].tolist(), "textposition": "middle right",
            "hovertemplate": f"%{{text}}: %{{y:,.{dp}f}}<extra></extra>",
        })
    return {"data": data, "layout": plain_layout(
        400, yaxis={"title": {"text": _axis_title(indicator)}, "rangemode": "tozero"}, xaxis={"title": {}})}
