"""Charts of a dashboard of published measures: the focus LA against its comparators over years, every London LA in a
year, and the focus LA's profile across measures. Okabe-Ito colours; the focus LA vermillion and marked ◆; a figure
not published has no bar or point (its meaning is written beside it), never a bar at 0."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.area_measures.metrics import marker_text
from dashboard.area_measures.spec import Measure
from dashboard.chart_theme import ENGLAND, FOCUS, LONDON, NEIGHBOURS, SUBREGION, base_layout, comparator_lines, empty_figure

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
    for value, name, dash in ((london, "London", "dash"), (england, "England", "dot")):
        if pd.notna(value):
            fig.add_vline(x=value, line={"color": LONDON if name == "London" else ENGLAND, "dash": dash, "width": 2},
                          annotation_text=f"{name} {format_value(value, measure)}",
                          annotation_position="top left" if name == "London" else "top right",
                          annotation={"yanchor": "bottom", "y": 1})   # above the bars, not over the top one
    fig.update_xaxes(title=axis_title(measure), range=[0, 115] if measure.unit == "%" else None)   # room for "100%"
    fig = base_layout(fig, height=max(420, 22 * len(rows) + 100))
    fig.update_layout(margin={"t": 30})
    return fig


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
    for series, colour, pattern in ((focus_name, FOCUS, ""), ("London", LONDON, "/"), ("England", ENGLAND, ".")):
        rows = shown[shown["series"] == series].set_index("name").reindex(names)
        fig.add_trace(go.Bar(
            y=labels, x=rows["value"].astype(object).where(rows["value"].notna(), None), orientation="h", name=series,
            marker={"color": colour, "pattern": {"shape": pattern}},
            text=[f"{v:,.0f}%" if pd.notna(v) else "" for v in rows["value"]], textposition="outside", cliponaxis=False,
            hovertemplate=f"{series}<br>%{{y}}: %{{x}}%<extra></extra>"))
    fig.update_layout(barmode="group")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="per cent", range=[0, 110])
    return base_layout(fig, height=max(380, 95 * len(names) + 80))


def wrap(text: str, width: int = 34) -> str:
    """A long axis label on several lines (<br>), so the chart keeps its width."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(lines + [line])
