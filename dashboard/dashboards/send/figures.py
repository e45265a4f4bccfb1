"""SEND charts: trends, a ranked bar per LA, stacked mixes, a tile map of inspection outcomes, outcome-1 shares.

Okabe-Ito colours throughout; the focus LA is vermillion (or outlined in black where colour encodes
a category) and marked ◆. The tile map places boroughs on the "London Squared" grid
(After the Flood, ISC licence; data/send_london_tiles.csv) and writes each outcome in the tile, so
colour is never the only cue.

The figures are built as plain dicts on the shared theme's layout: plotly's object validation and `update_layout`
path parsing cost more than the view's arithmetic, and Dash, kaleido and the slide deck take the same JSON.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from dashboard.config import DATA_DIR
from dashboard.chart_theme import (ENGLAND, FOCUS, LONDON, comparator_traces, lean_figure, plain_empty_figure, plain_layout,
                                   value_column)
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


def _figure(data: list[dict], layout: dict) -> dict:
    return lean_figure({"data": data, "layout": layout})


def _numbers(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def trend_figure(series: pd.DataFrame, focus_name: str, indicator: Indicator) -> dict:
    if series["value"].notna().sum() == 0:
        return plain_empty_figure("No published figures for this measure.")
    data = comparator_traces(series, "year", focus_name, {"London": (LONDON, "dash"), "England": (ENGLAND, "dot")},
                             indicator.decimals)
    return _figure(data, plain_layout(
        380, xaxis={"title": {"text": indicator.period.replace(" {y}", "").capitalize()}, "dtick": 1},
        yaxis={"title": {"text": _axis_title(indicator)}, "rangemode": "tozero"}))


def ranking_figure(table: pd.DataFrame, focus: str, indicator: Indicator, london: float, england: float) -> dict:
    """Horizontal bars, highest at the top; small-number LAs grey and unranked; no figure: named, no bar."""
    if table["value"].notna().sum() == 0:
        return plain_empty_figure("No LA has a published figure for this year.")
    rows = table.iloc[::-1]
    labels = [f"<b>{n} ◆</b>" if c == focus else n for n, c in zip(rows["la_name"], rows["la_code"])]
    colours = [FOCUS if c == focus else SMALL_LA if f.startswith("small") else OTHER_LA
               for c, f in zip(rows["la_code"], rows["flag"])]
    text = [format_value(v, indicator) + (f"  ({f})" if f and f != "not published" else "")
            for v, f in zip(rows["value"], rows["flag"])]
    data = [{
        "type": "bar", "x": _numbers(rows["value"].fillna(0)), "y": labels, "orientation": "h",
        "marker": {"color": colours}, "text": text, "textposition": "none", "cliponaxis": False, "showlegend": False,
        "customdata": rows["rank"].astype("string").fillna("–").tolist(),
        "hovertemplate": "%{y}<br>%{text}<br>Position %{customdata}<extra></extra>",
    }]
    # London and England as vertical lines with legend entries (annotations at the top would collide).
    for value, name, colour, dash in ((london, "London", LONDON, "dash"), (england, "England", ENGLAND, "dot")):
        if value is not None and not pd.isna(value):
            data.append({"type": "scatter", "x": [float(value), float(value)], "y": [labels[0], labels[-1]], "mode": "lines",
                         "name": f"{name} {format_value(value, indicator)}",
                         "line": {"color": colour, "dash": dash, "width": 2}, "hoverinfo": "skip"})
    top = np.nanmax([table["value"].max(), london if london is not None else np.nan, england if england is not None else np.nan])
    values, axis_end = value_column(labels, text, top)
    data.append(values)
    return _figure(data, plain_layout(
        max(420, 20 * len(rows) + 100), margin={"t": 40},
        xaxis={"title": {"text": _axis_title(indicator)}, "range": [0, axis_end]}, yaxis={"tickfont": {"size": 11}}))


def mix_figure(table: pd.DataFrame, labels: dict[str, str], focus: str | None, what: str) -> dict:
    """100% stacked horizontal bars: one bar per area, one colour per category, the focus area marked ◆."""
    # The areas with a total, bottom to top, picked by position from each column (a table of about 40 rows: numpy, not
    # a pandas selection per column).
    rows = np.flatnonzero(table["total"].notna().to_numpy())[::-1]
    if not len(rows):
        return plain_empty_figure(f"No {what} figures for this year.")
    areas, codes, suppressed = (table[c].tolist() for c in ("area", "area_code", "suppressed"))
    names = [(f"<b>{areas[i]} ◆</b>" if codes[i] == focus else (f"<i>{areas[i]}</i>" if codes[i] in ("E12000007", "E92000001")
                                                                 else areas[i])) + (" (c)" if suppressed[i] else "")
             for i in rows]
    data = [{
        "type": "bar", "x": _numbers(table[f"{measure}_pct"].to_numpy("float64", na_value=np.nan)[rows]), "y": names,
        "orientation": "h", "name": label, "marker": {"color": colour, "line": {"color": "#fff", "width": 0.5}},
        "customdata": np.nan_to_num(table[measure].astype("float64").to_numpy()[rows], nan=-1.0),
        "hovertemplate": f"%{{y}}<br>{label}: %{{x:.1f}}%<extra></extra>",
    } for colour, (measure, label) in zip(MIX_COLOURS, labels.items())]
    return _figure(data, plain_layout(
        max(360, 19 * len(rows) + 140), barmode="stack", legend={"traceorder": "normal"}, margin={"r": 20},
        xaxis={"title": {"text": "% of the area's total"}, "range": [0, 100]}, yaxis={"tickfont": {"size": 11}}))


def anonymous_tiles(tiles: pd.DataFrame, latest: pd.DataFrame, viewer: str | None) -> pd.DataFrame:
    """The tile grid for an anonymised map: a tile's place on the map would name its borough, so tiles are laid out in
    label order (the viewer's own first, keeping its abbreviation), eight to a row, each written with its label."""
    names = dict(zip(latest["la_code"], latest["la_name"]))
    order = sorted(tiles["ons_code"], key=lambda code: label_order(names.get(code, code)))
    own = dict(zip(tiles["ons_code"], tiles["abbreviation"]))
    return pd.DataFrame({"ons_code": order, "abbreviation": [own[c] if c == viewer else names.get(c, "") for c in order],
                         "x": [i % 8 for i in range(len(order))], "y": [i // 8 for i in range(len(order))]})


@functools.lru_cache(maxsize=1)
def _tiles() -> pd.DataFrame:
    return pd.read_csv(TILES_CSV, dtype={"ons_code": str})


def tile_map_figure(latest: pd.DataFrame, focus: str, *, anonymised: bool = False, viewer: str | None = None) -> dict:
    """London on a tile grid, each borough coloured and labelled by its latest 2023-framework outcome.
    Anonymised, the tiles are in label order instead (see `anonymous_tiles`)."""
    tiles = _tiles()
    if anonymised:
        tiles = anonymous_tiles(tiles, latest, viewer)
    data = tiles.merge(latest, left_on="ons_code", right_on="la_code", how="left")
    # Each tile's columns once, as lists; each outcome's tiles picked from them in tile order.
    columns = {c: data[c].tolist() for c in ("x", "y", "ons_code", "abbreviation", "la_name", "outcome", "outcome_grade")}
    columns["published"] = data["published"].astype(str).tolist()
    traces = []
    for grade in (1, 2, 3, None):
        part = [i for i, g in enumerate(columns["outcome_grade"]) if (pd.isna(g) if grade is None else not pd.isna(g) and g == grade)]
        codes = [columns["ons_code"][i] for i in part]
        label = "Not yet inspected (2023 framework)" if grade is None else f"Outcome {grade}"
        trace = {
            "type": "scatter", "x": [columns["x"][i] for i in part], "y": [-columns["y"][i] for i in part],
            "mode": "markers+text", "name": label,
            "marker": {"symbol": "square", "size": 54, "color": OUTCOME_COLOURS[grade],
                       "line": {"color": ["#000" if c == focus else "#fff" for c in codes],
                                "width": [4 if c == focus else 1 for c in codes]}},
            "text": [f"<b>{columns['abbreviation'][i]}</b><br>{'–' if grade is None else grade}"
                     + (" ◆" if columns["ons_code"][i] == focus else "") for i in part],
            "textfont": {"size": 11, "color": "#fff" if grade == 1 else "#1b1b1b"},
            "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}<br>Published %{customdata[2]}<extra></extra>",
        }
        if part:
            trace["customdata"] = [[columns["la_name"][i], columns["outcome"][i], columns["published"][i]] for i in part]
        traces.append(trace)
    return _figure(traces, plain_layout(
        520, plot_bgcolor="#fff", legend={"y": -0.05, "yanchor": "top", "orientation": "h"},
        xaxis={"visible": False, "range": [-0.6, 7.6]}, yaxis={"visible": False, "range": [-6.6, 0.6], "scaleanchor": "x"}))


def share_history_figure(history: pd.DataFrame) -> dict:
    """The share of inspected areas with outcome 1, as it stood after each publication, London against England."""
    if history.empty:
        return plain_empty_figure("No inspections under the 2023 framework have been published.")
    traces = []
    for area, colour, dash in (("London", LONDON, "solid"), ("England", ENGLAND, "dot")):
        part = history[history["area"] == area]
        traces.append({
            "type": "scatter", "x": [d.isoformat() for d in pd.to_datetime(part["date"])], "y": _numbers(part["pct"]),
            "name": area, "mode": "lines", "line": {"shape": "hv", "color": colour, "dash": dash, "width": 3},
            "customdata": np.stack([part["outcome_1"], part["inspected"]], axis=-1),
            "hovertemplate": f"{area}, %{{x|%d %b %Y}}<br>%{{y:.0f}}%: %{{customdata[0]}} of %{{customdata[1]}} with outcome 1<extra></extra>",
        })
    return _figure(traces, plain_layout(340, yaxis={"title": {"text": "% of inspected areas with outcome 1"}, "range": [0, 105]},
                                        xaxis={"title": {"text": "Reports published up to"}}))
