"""Suspensions charts: RRI by group with its interval, RRI over years, and the LA x group heat map.

All three put the RRI on a log scale, so "twice as likely" and "half as likely" sit the same distance
from the parity line at 1. Colours are colour-blind-safe; position, marker fill and text carry the
meaning too, never colour alone.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.theme import FOCUS, base_layout, empty_figure
from dashboard.metrics import rri as m

BAND_COLOURS = {
    m.UNDER: "#0072B2",               # blue
    m.PARITY: "#7F7F7F",              # grey
    m.OVER: "#E69F00",                # orange
    m.SUBSTANTIALLY_OVER: "#8C2D04",  # dark brown-orange: darker = further over
    m.REFERENCE: "#000000",
}
# Okabe-Ito, without the focus vermillion, for lines of chosen groups.
LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#F0E442", "#7F7F7F"]
# Diverging, colour-blind-safe (ColorBrewer PuOr): purple = less likely than White British, orange = more likely.
DIVERGING = [[0.0, "#542788"], [0.25, "#998ec3"], [0.5, "#f7f7f7"], [0.75, "#f1a340"], [1.0, "#b35806"]]
HEAT_LIMIT = 4.0  # colours saturate at RRI 1/4 and 4


def _log_range(values: pd.Series, low_floor: float = 0.5, high_floor: float = 2.0) -> list[float]:
    finite = values[np.isfinite(values) & (values > 0)]
    low = min(low_floor, float(finite.min()) * 0.85) if len(finite) else low_floor
    high = max(high_floor, float(finite.max()) * 1.15) if len(finite) else high_floor
    return [math.log10(low), math.log10(high)]


def _band_zones(fig: go.Figure) -> None:
    """Light shading behind the chart for each band, so a point's band reads from its position."""
    for x0, x1, colour in ((1e-6, m.UNDER_REPRESENTED_BELOW, "rgba(0,114,178,0.07)"),
                           (m.OVER_REPRESENTED_FROM, m.SUBSTANTIALLY_OVER_FROM, "rgba(230,159,0,0.10)"),
                           (m.SUBSTANTIALLY_OVER_FROM, 1e6, "rgba(140,45,4,0.08)")):
        fig.add_vrect(x0=x0, x1=x1, fillcolor=colour, line_width=0, layer="below")


def rri_interval_figure(table: pd.DataFrame, reference: str, title_note: str = "") -> go.Figure:
    """One row per group: the RRI as a dot, its 95% interval as a line; hollow dot = not significant."""
    shown = table[table["rri"].notna()]
    if shown.empty or shown["group"].eq(reference).all() and len(shown) == 1:
        return empty_figure("No RRI can be shown: too few pupils with the outcome in the reference group or in every group.")
    rows = table.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [f"{g} (reference)" if g == reference else (f"{g}: not shown, fewer than 10" if pd.isna(r) else g)
              for g, r in zip(rows["group"], rows["rri"])]
    fig = go.Figure()
    _band_zones(fig)
    plotted = rows[rows["rri"].notna()].assign(_sig=lambda t: t["significant"].fillna(True).astype(bool))
    position = {i: labels[k] for k, i in enumerate(rows.index)}
    order = [m.REFERENCE, m.UNDER, m.PARITY, m.OVER, m.SUBSTANTIALLY_OVER]
    for band in order:
        for sig in (True, False):
            frame = plotted[(plotted["band"] == band) & (plotted["_sig"] == sig)]
            if frame.empty:
                continue
            colour = BAND_COLOURS.get(band, "#7F7F7F")
            name = band if sig or band == m.REFERENCE else f"{band}, not significant"
            fig.add_trace(go.Scatter(
                x=frame["rri"], y=[position[i] for i in frame.index], mode="markers", name=name,
                marker={"color": colour, "size": 12 if band == m.REFERENCE else 11, "line": {"width": 2, "color": colour},
                        "symbol": "diamond" if band == m.REFERENCE else "circle" if sig else "circle-open"},
                error_x={"type": "data", "symmetric": False, "array": (frame["ci_high"] - frame["rri"]).fillna(0),
                         "arrayminus": (frame["rri"] - frame["ci_low"]).fillna(0), "color": colour, "thickness": 2, "width": 4},
                customdata=np.stack([frame["rate_per_1000"].round(1), frame["ci_low"].round(2), frame["ci_high"].round(2),
                                     [m.band_label(b, s) for b, s in zip(frame["band"], frame["significant"])]], axis=-1),
                hovertemplate="%{y}<br>RRI %{x:.2f} (95% CI %{customdata[1]} to %{customdata[2]})<br>"
                              "%{customdata[0]} per 1,000<br>%{customdata[3]}<extra></extra>",
            ))
    # Suppressed groups keep their row (so the list is complete) with no point.
    hidden = [lab for lab, r in zip(labels, rows["rri"]) if pd.isna(r)]
    if hidden:
        fig.add_trace(go.Scatter(x=[1.0] * len(hidden), y=hidden, mode="markers", marker={"opacity": 0},
                                 showlegend=False, hoverinfo="skip"))
    fig.add_vline(x=1, line={"color": "#000", "dash": "dash", "width": 1.5},
                  annotation={"text": "parity (1)", "yanchor": "bottom", "y": 1.0, "yref": "paper"})
    fig.update_xaxes(type="log", title="Relative rate index (log scale; White British = 1)" if not title_note else title_note,
                     range=_log_range(pd.concat([shown["ci_low"], shown["ci_high"], shown["rri"]])),
                     tickvals=[0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10], ticktext=["0.1", "0.25", "0.5", "0.75", "1", "1.5", "2", "3", "5", "10"],
                     tickangle=0)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels, automargin=True, title=None)
    base_layout(fig, height=max(420, 26 * len(rows) + 110))
    # Legend under the chart, so it never covers the parity label or the first rows.
    fig.update_layout(margin={"t": 30, "b": 10}, legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0,
                                                          "title": {"text": "Hollow = not significant"}})
    return fig


def rri_trend_figure(series: pd.DataFrame, reference: str) -> go.Figure:
    """RRI over years for the chosen groups, each with its interval; gaps where not shown (fewer than 10)."""
    if series.empty or series["rri"].notna().sum() == 0:
        return empty_figure("No RRI to show over time for the groups chosen (too few pupils with the outcome, "
                            "or the view has one year only).")
    fig = go.Figure()
    years = sorted(series["year"].unique())
    for i, (group, frame) in enumerate(series.groupby("group", sort=False)):
        frame = frame.set_index("year").reindex(years)
        colour = LINE_COLOURS[i % len(LINE_COLOURS)]
        fig.add_trace(go.Scatter(
            x=years, y=frame["rri"], name=group, mode="lines+markers", connectgaps=False,
            line={"color": colour, "width": 2.5, "dash": ["solid", "dash", "dot", "dashdot"][i % 4]},
            marker={"size": 8, "symbol": ["circle", "square", "diamond", "triangle-up", "x"][i % 5]},
            error_y={"type": "data", "symmetric": False, "array": (frame["ci_high"] - frame["rri"]).fillna(0),
                     "arrayminus": (frame["rri"] - frame["ci_low"]).fillna(0), "color": colour, "thickness": 1.2, "width": 3},
            hovertemplate=f"{group}<br>%{{x}}: RRI %{{y:.2f}}<extra></extra>",
        ))
    fig.add_hline(y=1, line={"color": "#000", "dash": "dash", "width": 1.5},
                  annotation_text=f"parity with {reference}", annotation_position="top left")
    fig.update_yaxes(type="log", title="RRI (log scale)", range=_log_range(pd.concat([series["ci_low"], series["ci_high"]])),
                     tickvals=[0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 10], ticktext=["0.1", "0.25", "0.5", "0.75", "1", "1.5", "2", "3", "4", "6", "10"])
    fig.update_xaxes(type="category", title=None)
    return base_layout(fig, height=420)


def heatmap_figure(matrix: pd.DataFrame, focus_la_name: str | None, groups: list[str]) -> go.Figure:
    """LA x group RRI on a diverging scale centred on 1 (log); blank cells are not shown (fewer than 10)."""
    if matrix.empty or matrix[groups].notna().sum().sum() == 0:
        return empty_figure("No LA has enough pupils with the outcome to show an RRI.")
    rows = matrix.iloc[::-1]
    names = [f"<b>{n} ◆</b>" if n == focus_la_name else n for n in rows["LA"]]
    values = rows[groups].astype("float64")
    z = np.log(values.clip(lower=1 / HEAT_LIMIT, upper=HEAT_LIMIT).to_numpy())
    text = values.map(lambda v: "c" if pd.isna(v) else f"{v:.1f}").to_numpy()
    fig = go.Figure(go.Heatmap(
        z=z, x=groups, y=names, text=text, texttemplate="%{text}", textfont={"size": 10},
        colorscale=DIVERGING, zmid=0, zmin=-math.log(HEAT_LIMIT), zmax=math.log(HEAT_LIMIT), xgap=1, ygap=1,
        customdata=values.to_numpy(), hoverongaps=False,
        hovertemplate="%{y}<br>%{x}: RRI %{text}<extra></extra>",
        colorbar={"title": {"text": "RRI"}, "tickvals": [math.log(v) for v in (0.25, 0.5, 1, 2, 4)],
                  "ticktext": ["0.25 or less", "0.5", "1 (parity)", "2", "4 or more"]},
    ))
    if focus_la_name in set(rows["LA"]):
        position = list(rows["LA"]).index(focus_la_name)
        fig.add_shape(type="rect", x0=-0.5, x1=len(groups) - 0.5, y0=position - 0.5, y1=position + 0.5,
                      line={"color": FOCUS, "width": 3})
    fig.update_xaxes(tickangle=-40, side="top", title=None)
    fig.update_yaxes(automargin=True, title=None, tickfont={"size": 11})
    base_layout(fig, height=max(520, 22 * len(rows) + 200))
    fig.update_layout(plot_bgcolor="#ffffff")
    return fig
