"""SEND charts: trends, a ranked bar per LA, stacked mixes, a tile map of inspection outcomes, outcome-1 shares.

Okabe-Ito colours throughout; the focus LA is vermillion (or outlined in black where colour encodes
a category) and marked ◆. The tile map places boroughs on the "London Squared" grid
(After the Flood, ISC licence; data/send_london_tiles.csv) and writes each outcome in the tile, so
colour is never the only cue.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.config import DATA_DIR
from dashboard.chart_theme import ENGLAND, FOCUS, LONDON, base_layout, comparator_lines, empty_figure, values_beside_bars
from dashboard.dashboards.send.metrics import Indicator
from dashboard.presenting import label_order

TILES_CSV = DATA_DIR / "send_london_tiles.csv"
OTHER_LA = "#56B4E9"          # sky blue: LAs other than the focus
SMALL_LA = "#D9D9D9"          # grey: small numbers, not ranked
# Okabe-Ito, in an order where neighbours differ in lightness as well as hue.
MIX_COLOURS = ["#0072B2", "#56B4E9", "#009E73", "#F0E442", "#D55E00", "#CC79A7", "#999999", "#E69F00"]
OUTCOME_COLOURS = {1: "#0072B2", 2: "#E69F00", 3: "#CC79A7", None: "#EEEEEE"}


def format_value(value, indicator: Indicator, missing: str = "not published") -> str:
    if value is None or pd.isna(value):
        return missing
    text = f"{value:,.{indicator.decimals}f}"
    return f"{text}%" if indicator.unit == "%" else text


def _axis_title(indicator: Indicator) -> str:
    return {"%": "per cent", "": "number"}.get(indicator.unit, indicator.unit)


def trend_figure(series: pd.DataFrame, focus_name: str, indicator: Indicator) -> go.Figure:
    if series["value"].notna().sum() == 0:
        return empty_figure("No published figures for this measure.")
    fig = comparator_lines(series, "year", focus_name, {"London": (LONDON, "dash"), "England": (ENGLAND, "dot")},
                           indicator.decimals)
    fig.update_xaxes(title=indicator.period.replace(" {y}", "").capitalize(), dtick=1)
    fig.update_yaxes(title=_axis_title(indicator), rangemode="tozero")
    return base_layout(fig, height=380)


def ranking_figure(table: pd.DataFrame, focus: str, indicator: Indicator, london: float, england: float) -> go.Figure:
    """Horizontal bars, highest at the top; small-number LAs grey and unranked; no figure: named, no bar."""
    if table["value"].notna().sum() == 0:
        return empty_figure("No LA has a published figure for this year.")
    rows = table.iloc[::-1]
    labels = [f"<b>{n} ◆</b>" if c == focus else n for n, c in zip(rows["la_name"], rows["la_code"])]
    colours = [FOCUS if c == focus else SMALL_LA if f.startswith("small") else OTHER_LA
               for c, f in zip(rows["la_code"], rows["flag"])]
    text = [format_value(v, indicator) + (f"  ({f})" if f and f != "not published" else "")
            for v, f in zip(rows["value"], rows["flag"])]
    fig = go.Figure(go.Bar(
        x=rows["value"].fillna(0), y=labels, orientation="h", marker={"color": colours}, text=text,
        textposition="outside", cliponaxis=False, showlegend=False,
        customdata=rows["rank"].astype("string").fillna("–"),
        hovertemplate="%{y}<br>%{text}<br>Position %{customdata}<extra></extra>",
    ))
    # London and England as vertical lines with legend entries (annotations at the top would collide).
    for value, name, colour, dash in ((london, "London", LONDON, "dash"), (england, "England", ENGLAND, "dot")):
        if value is not None and not pd.isna(value):
            fig.add_trace(go.Scatter(x=[value, value], y=[labels[0], labels[-1]], mode="lines", name=f"{name} {format_value(value, indicator)}",
                                     line={"color": colour, "dash": dash, "width": 2}, hoverinfo="skip"))
    top = np.nanmax([table["value"].max(), london if london is not None else np.nan, england if england is not None else np.nan])
    fig.update_xaxes(title=_axis_title(indicator), range=[0, values_beside_bars(fig, labels, text, top)])
    fig.update_yaxes(tickfont={"size": 11})
    fig = base_layout(fig, height=max(420, 20 * len(rows) + 100))
    fig.update_layout(margin={"t": 40})
    return fig


def mix_figure(table: pd.DataFrame, labels: dict[str, str], focus: str | None, what: str) -> go.Figure:
    """100% stacked horizontal bars: one bar per area, one colour per category, the focus area marked ◆."""
    shown = table[table["total"].notna()]
    if shown.empty:
        return empty_figure(f"No {what} figures for this year.")
    rows = shown.iloc[::-1]
    names = [(f"<b>{a} ◆</b>" if c == focus else (f"<i>{a}</i>" if c in ("E12000007", "E92000001") else a))
             + (" (c)" if hidden else "") for a, c, hidden in zip(rows["area"], rows["area_code"], rows["suppressed"])]
    fig = go.Figure()
    for colour, (measure, label) in zip(MIX_COLOURS, labels.items()):
        fig.add_trace(go.Bar(
            x=rows[f"{measure}_pct"], y=names, orientation="h", name=label, marker={"color": colour, "line": {"color": "#fff", "width": 0.5}},
            customdata=rows[measure].astype("float64").fillna(-1),
            hovertemplate=f"%{{y}}<br>{label}: %{{x:.1f}}%<extra></extra>",
        ))
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_xaxes(title="% of the area's total", range=[0, 100])
    fig.update_yaxes(tickfont={"size": 11})
    fig = base_layout(fig, height=max(360, 19 * len(rows) + 140))
    fig.update_layout(margin={"r": 20})
    return fig


def anonymous_tiles(tiles: pd.DataFrame, latest: pd.DataFrame, viewer: str | None) -> pd.DataFrame:
    """The tile grid for an anonymised map: a tile's place on the map would name its borough, so tiles are laid out in
    label order (the viewer's own first, keeping its abbreviation), eight to a row, each written with its label."""
    names = dict(zip(latest["la_code"], latest["la_name"]))
    order = sorted(tiles["ons_code"], key=lambda code: label_order(names.get(code, code)))
    own = dict(zip(tiles["ons_code"], tiles["abbreviation"]))
    return pd.DataFrame({"ons_code": order, "abbreviation": [own[c] if c == viewer else names.get(c, "") for c in order],
                         "x": [i % 8 for i in range(len(order))], "y": [i // 8 for i in range(len(order))]})


def tile_map_figure(latest: pd.DataFrame, focus: str, *, anonymised: bool = False, viewer: str | None = None) -> go.Figure:
    """London on a tile grid, each borough coloured and labelled by its latest 2023-framework outcome.
    Anonymised, the tiles are in label order instead (see `anonymous_tiles`)."""
    tiles = pd.read_csv(TILES_CSV, dtype={"ons_code": str})
    if anonymised:
        tiles = anonymous_tiles(tiles, latest, viewer)
    data = tiles.merge(latest, left_on="ons_code", right_on="la_code", how="left")
    fig = go.Figure()
    for grade in (1, 2, 3, None):
        part = data[data["outcome_grade"].isna()] if grade is None else data[data["outcome_grade"] == grade]
        label = "Not yet inspected (2023 framework)" if grade is None else f"Outcome {grade}"
        fig.add_trace(go.Scatter(
            x=part["x"], y=-part["y"], mode="markers+text", name=label,
            marker={"symbol": "square", "size": 54, "color": OUTCOME_COLOURS[grade],
                    "line": {"color": ["#000" if c == focus else "#fff" for c in part["ons_code"]],
                             "width": [4 if c == focus else 1 for c in part["ons_code"]]}},
            text=[f"<b>{a}</b><br>{'–' if grade is None else grade}" + (" ◆" if c == focus else "")
                  for a, c in zip(part["abbreviation"], part["ons_code"])],
            textfont={"size": 11, "color": "#fff" if grade == 1 else "#1b1b1b"},
            customdata=np.stack([part["la_name"], part["outcome"], part["published"].astype(str)], axis=-1) if len(part) else None,
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>Published %{customdata[2]}<extra></extra>",
        ))
    fig.update_xaxes(visible=False, range=[-0.6, 7.6])
    fig.update_yaxes(visible=False, range=[-6.6, 0.6], scaleanchor="x")
    fig = base_layout(fig, height=520)
    fig.update_layout(plot_bgcolor="#fff", legend={"y": -0.05, "yanchor": "top", "orientation": "h"})
    return fig


def share_history_figure(history: pd.DataFrame) -> go.Figure:
    """The share of inspected areas with outcome 1, as it stood after each publication, London against England."""
    if history.empty:
        return empty_figure("No inspections under the 2023 framework have been published.")
    fig = go.Figure()
    for area, colour, dash in (("London", LONDON, "solid"), ("England", ENGLAND, "dot")):
        part = history[history["area"] == area]
        fig.add_trace(go.Scatter(
            x=pd.to_datetime(part["date"]), y=part["pct"], name=area, mode="lines", line={"shape": "hv", "color": colour, "dash": dash, "width": 3},
            customdata=np.stack([part["outcome_1"], part["inspected"]], axis=-1),
            hovertemplate=f"{area}, %{{x|%d %b %Y}}<br>%{{y:.0f}}%: %{{customdata[0]}} of %{{customdata[1]}} with outcome 1<extra></extra>",
        ))
    fig.update_yaxes(title="% of inspected areas with outcome 1", range=[0, 105])
    fig.update_xaxes(title="Reports published up to")
    return base_layout(fig, height=340)
