"""Leadership in Colour charts: share by pay band against the population, representation ratio by group,
the role pipeline by year, and ethnicity not known by borough. Okabe-Ito colours; the chosen borough stands out.

The figures are built as plain dicts on the shared theme's layout: plotly's object validation and `update_layout`
path parsing cost more than the view's arithmetic, and Dash, kaleido and the slide deck take the same JSON."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard.chart_theme import ENGLAND, FOCUS, LONDON, SUBREGION, lean_figure, plain_empty_figure, plain_layout

# Okabe-Ito, one colour per ethnic group (BGM black so it reads as the headline line).
GROUP_COLOURS = {"bgm": "#000000", "asian": "#0072B2", "black": "#E69F00", "mixed": "#009E73", "other": "#CC79A7",
                 "white": "#56B4E9"}
GROUP_SYMBOLS = {"bgm": "circle", "asian": "square", "black": "diamond", "mixed": "triangle-up", "other": "x",
                 "white": "star"}
CEILING = "#D55E00"
STAFF_BAR = "#0072B2"


def short_band(label: str) -> str:
    """'£20,001 to £30,000' -> '£20k-30k' for chart axes (the tables keep the published wording)."""
    amounts = [round(int(n.replace(",", "")) / 1000) for n in re.findall(r"[\d,]+", label)]
    if label.startswith("Over"):
        return f"Over £{amounts[0]}k"
    if label.startswith("Up to"):
        return f"Up to £{amounts[0]}k"
    return f"£{amounts[0]}k-{amounts[1]}k" if len(amounts) == 2 else label


def _pct(value, decimals: int = 1) -> str:
    return "no figure" if value is None or pd.isna(value) else f"{value * 100:.{decimals}f}%"


def _numbers(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def band_share_figure(bands: pd.DataFrame, ceiling: dict, population_label: str, group_label: str) -> dict:
    """Bars: the group's share of staff in each pay band; line: the population share; the glass-ceiling band marked.

    `bands`: band, share (NaN = suppressed or not published), population_share, label (text on the bar).
    """
    if bands["share"].notna().sum() == 0:
        return plain_empty_figure("No pay band has a published or unsuppressed figure for this choice.")
    colours = [CEILING if ceiling["band"] == b else STAFF_BAR for b in bands["band"]]
    axis = [short_band(b) for b in bands["band"]]
    data = [{
        "type": "bar", "x": axis, "y": _numbers(bands["share"] * 100), "customdata": bands["band"].tolist(),
        "name": f"{group_label}: share of staff",
        "marker": {"color": colours, "pattern": {"shape": ["/" if ceiling["band"] == b else "" for b in bands["band"]]}},
        "text": bands["label"].tolist(), "textposition": "outside", "cliponaxis": False,
        "hovertemplate": "%{customdata}<br>Share of staff: %{text}<extra></extra>",
    }, {
        "type": "scatter", "x": axis, "y": _numbers(bands["population_share"] * 100),
        "name": f"Population share ({population_label})", "mode": "lines+markers",
        "line": {"color": LONDON, "dash": "dash", "width": 2}, "marker": {"symbol": "line-ew-open", "size": 14},
        "hovertemplate": "%{x}<br>Population share: %{y:.1f}%<extra></extra>",
    }]
    gaps = bands["share"].isna()
    if gaps.any():
        # Say why a band has no bar ("<10%", "no staff") rather than leave a blank that reads as 0.
        data.append({
            "type": "scatter", "x": [a for a, g in zip(axis, gaps) if g], "y": [0] * int(gaps.sum()),
            "text": bands["label"][gaps].tolist(), "mode": "text", "textposition": "top center", "showlegend": False,
            "hoverinfo": "skip", "textfont": {"color": "#444", "size": 12},
        })
    annotations = []
    if ceiling["band"] is not None:
        label = "Glass ceiling" if ceiling["status"] == "ceiling" else "Below population from here"
        at = bands[bands["band"] == ceiling["band"]].iloc[0]
        marked_top = float(max(at["share"], at["population_share"]) * 100)
        annotations.append({"x": short_band(ceiling["band"]), "y": marked_top, "yshift": 18, "ax": 0, "ay": -36,
                            "text": f"<b>{label}</b>", "showarrow": True, "arrowhead": 2, "arrowcolor": CEILING,
                            "font": {"color": CEILING, "size": 13}, "bgcolor": "rgba(255,255,255,0.85)"})
    top = np.nanmax(np.concatenate([bands["share"].to_numpy(float), bands["population_share"].to_numpy(float)])) * 100
    layout = plain_layout(
        440, margin={"t": 60, "l": 40}, bargap=0.25,   # room for the first rotated band label
        yaxis={"title": {"text": "% of staff with known ethnicity"}, "range": [0, float(max(10.0, top * 1.3))], "ticksuffix": "%"},
        xaxis={"title": {}, "type": "category", "tickangle": -40 if len(bands) > 4 else 0})
    if annotations:
        layout["annotations"] = annotations
    return lean_figure({"data": data, "layout": layout})


def group_ratio_figure(ratios: pd.DataFrame, group_labels: dict[str, str]) -> dict:
    """Lines: each ethnic group's representation ratio (staff share / population share) by pay band; 1 = parity.

    `ratios`: group, band, ratio (NaN = suppressed or not published: a gap), share, population_share.
    """
    if ratios["ratio"].notna().sum() == 0:
        return plain_empty_figure("No group has a published or unsuppressed figure for this choice.")
    data = []
    bands = [short_band(b) for b in dict.fromkeys(ratios["band"])]
    for group, frame in ratios.groupby("group", sort=False):
        data.append({
            "type": "scatter", "x": [short_band(b) for b in frame["band"]], "y": _numbers(frame["ratio"]),
            "name": group_labels[group], "mode": "lines+markers", "connectgaps": False,
            "line": {"color": GROUP_COLOURS[group], "width": 4 if group == "bgm" else 2},
            "marker": {"symbol": GROUP_SYMBOLS[group], "size": 9},
            "customdata": [[_pct(s), _pct(p)] for s, p in zip(frame["share"], frame["population_share"])],
            "hovertemplate": (f"{group_labels[group]}<br>%{{x}}<br>Ratio %{{y:.2f}}"
                              "<br>Staff %{customdata[0]} · population %{customdata[1]}<extra></extra>"),
        })
    return lean_figure({"data": data, "layout": plain_layout(
        440, margin={"l": 40},   # room for the first rotated band label
        shapes=[{"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": 1, "y1": 1, "yref": "y",
                 "line": {"color": ENGLAND, "dash": "dot", "width": 2}}],
        annotations=[{"showarrow": False, "text": "parity with the population (1.0)", "x": 0, "xanchor": "left",
                      "xref": "x domain", "y": 1, "yanchor": "bottom", "yref": "y"}],
        xaxis={"title": {}, "type": "category", "categoryorder": "array", "categoryarray": bands,
               "tickangle": -30 if len(bands) > 4 else 0},
        yaxis={"title": {"text": "staff share ÷ population share"}, "rangemode": "tozero"})})


def pipeline_figure(pipeline: pd.DataFrame, roles: list[str], area_label: str, comparator: pd.DataFrame | None,
                    comparator_label: str = "London") -> dict:
    """One line per year across the roles, from case holder to senior manager; the latest year is the thickest.

    `pipeline`: year, role, bgm_share (NaN where the source has x), label. `comparator`: the same for
    London in the latest year, drawn dashed, or None.
    """
    if pipeline["bgm_share"].notna().sum() == 0:
        return plain_empty_figure("The DfE census has no published figures for this area.")
    by_year = _by_year_and_role(pipeline)
    years = sorted(by_year)
    data = []
    # Light to dark blue through the years, so the direction of change reads without a legend.
    shades = ["#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B"]
    for i, year in enumerate(years):
        shares, labels = _in_role_order(by_year[year], roles)
        latest = year == years[-1]
        colour = FOCUS if latest else shades[max(0, len(shades) - len(years) + i)]
        data.append({
            "type": "scatter", "x": list(roles), "y": shares * 100,
            "name": f"{area_label} {year}", "mode": "lines+markers", "connectgaps": False,
            "line": {"color": colour, "width": 4 if latest else 2}, "marker": {"size": 9 if latest else 6},
            "text": labels, "hovertemplate": f"{year}<br>%{{x}}: %{{text}}<extra></extra>",
        })
    if comparator is not None and comparator["bgm_share"].notna().any():
        shares, labels = _in_role_order(next(iter(_by_year_and_role(comparator).values())), roles)
        data.append({
            "type": "scatter", "x": list(roles), "y": shares * 100,
            "name": f"{comparator_label} {int(comparator['year'].iloc[0])}", "mode": "lines+markers",
            "line": {"color": LONDON, "dash": "dash", "width": 2}, "marker": {"symbol": "diamond", "size": 7},
            "text": labels, "hovertemplate": f"{comparator_label}<br>%{{x}}: %{{text}}<extra></extra>",
        })
    return lean_figure({"data": data, "layout": plain_layout(
        440, legend={"orientation": "v", "y": 1, "yanchor": "top", "x": 1.01, "xanchor": "left"}, margin={"r": 10},
        xaxis={"title": {}, "type": "category", "categoryorder": "array", "categoryarray": list(roles)},
        yaxis={"title": {"text": "Black and Global Majority, % of known"}, "rangemode": "tozero", "ticksuffix": "%"})})


def _by_year_and_role(pipeline: pd.DataFrame) -> dict:
    """{year: {role: (bgm_share, label)}} of a pipeline's rows (one row per year and role)."""
    out: dict = {}
    for year, role, share, label in zip(pipeline["year"].tolist(), pipeline["role"].tolist(),
                                        pipeline["bgm_share"].tolist(), pipeline["label"].tolist()):
        out.setdefault(year, {})[role] = (share, label)
    return out


def _in_role_order(by_role: dict, roles: list[str]) -> tuple[np.ndarray, list]:
    """One year's shares (NaN for a role with no row) and labels (NaN likewise) in the roles' order."""
    missing = (np.nan, np.nan)
    return (_numbers([by_role.get(r, missing)[0] for r in roles]), [by_role.get(r, missing)[1] for r in roles])


def not_known_figure(frame: pd.DataFrame, focus_codes: list[str], average: float | None, average_label: str) -> dict:
    """Horizontal bars, highest share not known at the top; the chosen borough in the focus colour.

    `frame`: area_code, area_name, share (NaN = not published), label.
    """
    if frame["share"].notna().sum() == 0:
        return plain_empty_figure("No figures for ethnicity not known.")
    rows = frame.sort_values("share", ascending=True, na_position="first")
    is_focus = [c in focus_codes or any(f in str(c) for f in focus_codes) for c in rows["area_code"]]
    names = [n.replace(" upon Thames", "") for n in rows["area_name"]]   # the joint Kingston / Richmond return fits
    labels = [f"<b>{n} ◆</b>" if f else n for n, f in zip(names, is_focus)]
    data = [{
        "type": "bar", "x": _numbers((rows["share"] * 100).fillna(0)), "y": labels, "orientation": "h",
        "text": rows["label"].tolist(), "textposition": "outside", "cliponaxis": False,
        "marker": {"color": [FOCUS if f else SUBREGION for f in is_focus]}, "hovertemplate": "%{y}: %{text}<extra></extra>",
    }]
    layout = plain_layout(
        max(480, 20 * len(rows) + 100), margin={"t": 40}, showlegend=False,
        xaxis={"title": {"text": "% with ethnicity not known"}, "ticksuffix": "%",
               "range": [0, float(np.nanmax(rows["share"])) * 100 * 1.25]},
        yaxis={"title": {}, "automargin": True, "tickfont": {"size": 12}})
    if average is not None and not pd.isna(average):
        x = float(average * 100)
        layout["shapes"] = [{"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
                             "line": {"color": LONDON, "dash": "dash", "width": 2}}]
        layout["annotations"] = [{"showarrow": False, "text": f"{average_label} {average * 100:.1f}%", "x": x,
                                  "xanchor": "left", "xref": "x", "y": 1.0, "yanchor": "bottom", "yref": "y domain"}]
    return lean_figure({"data": data, "layout": layout})
