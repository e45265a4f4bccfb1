"""Charts of a dashboard of published measures: the focus LA against its comparators over years, every London LA in a
year, and the focus LA's profile across measures. Okabe-Ito colours; the focus LA vermillion and marked ◆; a figure
not published has no bar or point (its meaning is written beside it), never a bar at 0."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.area_measures.metrics import marker_text
from dashboard.area_measures.spec import Measure
from dashboard.chart_theme import ENGLAND, FOCUS, LONDON, NEIGHBOURS, SUBREGION, base_layout, comparator_lines, empty_figure, wrap

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


def trend_figure(series: pd.DataFrame, focus_name: str, measure: Measure, years: str = "Year to 31 March") -> go.Figure:
    if series["value"].notna().sum() == 0:
        return empty_figure("No published figures for this measure.")
    fig = comparator_lines(series, "period", focus_name, _styles(series["series"].unique()), measure.decimals + 1)
    fig.update_xaxes(title=years, type="category")
    fig.update_yaxes(title=axis_title(measure), rangemode="tozero")
    return base_layout(fig, height=400)


def la_figure(table: pd.DataFrame, focus_code: str, measure: Measure, london: float, england: float) -> go.Figure:
    """Every London LA's figure for the year, best at the top; LAs with no figure named with the marker's meaning."""
    if table["value"].notna().sum() == 0:
        return empty_figure("No London LA has a published figure for this year.")
    rows = table.iloc[::-1]
    # An LA with no figure has no bar, so its label says why (plotly writes no text where there is no bar).
    labels = [(f"<b>{n} ◆</b>" if c == focus_code else n) + ("" if pd.notna(v) else f" ({marker_text(m)})")
              for n, c, v, m in zip(rows["la_name"], rows["la_code"], rows["value"], rows["marker"])]
    text = [format_value(v, measure) if pd.notna(v) else marker_text(m) for v, m in zip(rows["value"], rows["marker"])]
    fig = go.Figure(go.Bar(
        x=rows["value"].astype(object).where(rows["value"].notna(), None), y=labels, orientation="h", text=text,
        textposition="outside", cliponaxis=False, showlegend=False,
        marker={"color": [FOCUS if c == focus_code else OTHER_LA for c in rows["la_code"]]},
        hovertemplate="%{y}: %{text}<extra></extra>"))
    references = [(v, n, d) for v, n, d in ((london, "London", "dash"), (england, "England", "dot")) if pd.notna(v)]
    upper = value_axis(fig, [*rows["value"], *(v for v, _, _ in references)], measure)
    # London's and England's labels on rows of their own above the bars, so they never overlap however close the
    # two figures are; each reads away from the nearer edge, so it stays inside the chart.
    for row, (value, name, dash) in enumerate(references):
        fig.add_vline(x=value, line={"color": LONDON if name == "London" else ENGLAND, "dash": dash, "width": 2},
                      annotation_text=f"{name} {format_value(value, measure)}",
                      annotation_position="top right" if value < upper / 2 else "top left",
                      annotation={"yanchor": "bottom", "y": 1, "yshift": 18 * row})
    fig = base_layout(fig, height=max(420, 22 * len(rows) + 100))
    fig.update_layout(margin={"t": 30 + 18 * len(references)})
    return fig


def value_axis(fig: go.Figure, values, measure: Measure) -> float:
    """The value axis from 0 to a little past the largest figure (room for the text outside the bars), never to a
    percentage past what the figures reach; ticks of a percentage stop at 100. Returns the axis's end."""
    top = max([float(v) for v in values if pd.notna(v)] or [1.0])
    upper = top * 1.18 if top > 0 else 1.0
    ticks = None
    if measure.unit == "%":
        step = next(s for s in (1, 2, 5, 10, 20, 25) if min(upper, 100) / s <= 8)
        ticks = [t for t in range(0, int(min(upper, 100)) + 1, step)]
    fig.update_xaxes(title=axis_title(measure), range=[0, upper], tickvals=ticks)
    return upper


def profile_figure(profile: pd.DataFrame, focus_name: str, measures: tuple[Measure, ...]) -> go.Figure:
    """The focus LA beside London and England on every percentage measure for the year (grouped bars)."""
    shown = profile[profile["unit"] == "%"]
    if shown["value"].notna().sum() == 0:
        return empty_figure("No published percentages for this year.")
    names = [m.name for m in measures if m.unit == "%"]
    # A figure not published has no bar: its meaning goes under the measure's name, so it is read, never seen as 0.
    labels = []
    for name in names:
        rows = shown[shown["name"] == name].set_index("series")
        missing = [f"{series}: {marker_text(rows['marker'].get(series))}" for series in (focus_name, "London", "England")
                   if series in rows.index and pd.isna(rows["value"][series])]
        labels.append(wrap(name) + "".join(f"<br><i>{m}</i>" for m in missing))
    fig = go.Figure()
    by_name = {m.name: m for m in measures}
    for series, colour, pattern in ((focus_name, FOCUS, ""), ("London", LONDON, "/"), ("England", ENGLAND, ".")):
        rows = shown[shown["series"] == series].set_index("name").reindex(names)
        # Each figure to its measure's published decimals (a census rate of 17.3% reads 17.3%, not 17%).
        text = [format_value(v, by_name[n], missing="") for n, v in zip(names, rows["value"])]
        fig.add_trace(go.Bar(
            y=labels, x=rows["value"].astype(object).where(rows["value"].notna(), None), orientation="h", name=series,
            marker={"color": colour, "pattern": {"shape": pattern}}, text=text, customdata=text,
            textposition="outside", cliponaxis=False, hovertemplate=f"{series}<br>%{{y}}: %{{customdata}}<extra></extra>"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed")
    value_axis(fig, shown["value"], Measure("", "", "%", "neither", 0, ""))
    return base_layout(fig, height=max(380, 95 * len(names) + 80))


