"""Benchmarking charts: focus LA over time, all LAs ranked, sub-region distributions."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.chart_theme import (ENGLAND, FOCUS, LONDON, NEIGHBOURS, QUARTILE_COLOURS, SUBREGION, base_layout,
                                   comparator_lines, empty_figure, values_beside_bars)


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


def time_series_figure(series: pd.DataFrame, focus_name: str, indicator: dict) -> go.Figure:
    if series["value"].notna().sum() == 0:
        return empty_figure("No LA returned this indicator in the chosen quarters.")
    fig = comparator_lines(series, "quarter", focus_name, SERIES_STYLES, int(indicator["decimal_places"]))
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=_axis_title(indicator), rangemode="tozero")
    return base_layout(fig, height=400)


def ranking_figure(ranking: pd.DataFrame, focus_la: str, indicator: dict, london_mean: float, *,
                   missing_text: dict | None = None, mean_label: str = "London average") -> go.Figure:
    """Horizontal bars, best (or highest) at the top; LAs without a figure listed at the bottom without a bar,
    labelled "no return" (or, for published data, the publication's marker in `missing_text`)."""
    missing_text = missing_text or {}
    if not ranking["returned"].any():
        return empty_figure("No LA returned this indicator for this quarter.")
    dp = int(indicator["decimal_places"])
    rows = ranking.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [f"<b>{n} ◆</b>" if c == focus_la else n for n, c in zip(rows["la_name"], rows["la_code"])]
    colours = [FOCUS if c == focus_la else QUARTILE_COLOURS.get(q, "#dddddd") if pd.notna(q) else "#ffffff"
               for c, q in zip(rows["la_code"], rows["quartile"])]
    text = [(missing_text.get(c, "no return") if not r else format_value(v, dp, indicator["unit"]) + (f"  {f}" if "20%" in f else ""))
            for c, r, v, f in zip(rows["la_code"], rows["returned"], rows["value"], rows["flag"])]
    fig = go.Figure(go.Bar(
        x=rows["value"].fillna(0).where(rows["returned"], 0), y=labels, orientation="h",
        marker={"color": colours, "line": {"color": ["#000" if c == focus_la else "rgba(0,0,0,0)" for c in rows["la_code"]], "width": 2}},
        text=text, textposition="outside", cliponaxis=False,
        customdata=np.stack([rows["quartile_label"], rows["rank"].astype("string").fillna("–")], axis=-1),
        hovertemplate="%{y}<br>%{text}<br>Rank %{customdata[1]} · %{customdata[0]}<extra></extra>",
    ))
    if not np.isnan(london_mean):
        fig.add_vline(x=london_mean, line={"color": LONDON, "dash": "dash", "width": 2},
                      annotation={"text": f"{mean_label} {format_value(london_mean, dp, indicator['unit'])}",
                                  "yanchor": "bottom", "y": 1.0, "yref": "paper"})
    # The values as a column right of every bar and of the London average line, which never runs through them.
    top = float(np.nanmax([rows["value"].max(), london_mean]))
    fig.update_xaxes(title=_axis_title(indicator), range=[0, values_beside_bars(fig, labels, text, top)])
    fig.update_yaxes(title=None, automargin=True, tickfont={"size": 12})
    fig.update_layout(bargap=0.25, showlegend=False)
    base_layout(fig, height=max(520, 22 * len(rows) + 100))
    fig.update_layout(margin={"t": 40})  # room for the London average label above the bars
    return fig


def subregion_figure(latest: pd.DataFrame, focus_la: str, indicator: dict) -> go.Figure:
    """One box per sub-region with every returning LA as a point: the spread, not only the mean."""
    returned = latest[latest["value"].notna()]
    if returned.empty:
        return empty_figure("No LA returned this indicator for this quarter.")
    dp = int(indicator["decimal_places"])
    fig = go.Figure()
    for name, frame in returned.groupby("subregion_name", sort=True):
        fig.add_trace(go.Box(
            x=[name] * len(frame), y=frame["value"], name=name, boxpoints="all", jitter=0.35, pointpos=0,
            marker={"color": SUBREGION, "size": 7, "opacity": 0.8}, line={"color": "#4d4d4d"}, fillcolor="rgba(86,180,233,0.25)",
            text=frame["la_name"], hovertemplate=f"%{{text}}: %{{y:,.{dp}f}}<extra>{name}</extra>", showlegend=False,
        ))
    focus = returned[returned["la_code"] == focus_la]
    if not focus.empty:
        fig.add_trace(go.Scatter(
            x=focus["subregion_name"], y=focus["value"], mode="markers+text", name=focus["la_name"].iloc[0],
            marker={"color": FOCUS, "size": 14, "symbol": "diamond", "line": {"color": "#000", "width": 1.5}},
            text=focus["la_name"], textposition="middle right", hovertemplate=f"%{{text}}: %{{y:,.{dp}f}}<extra></extra>",
        ))
    fig.update_yaxes(title=_axis_title(indicator), rangemode="tozero")
    fig.update_xaxes(title=None)
    return base_layout(fig, height=400)
