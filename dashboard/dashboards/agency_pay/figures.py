"""Agency pay charts: pay ranges against the caps, over cap by quarter and by LA, agency workforce, convergence.

Every figure is drawn from group summaries (never worker rows). Colours are Okabe-Ito; the viewer's own LA
is vermillion everywhere; suppressed groups say "c", LAs without a return say "no return".

The figures are built as plain dicts on the shared theme's layout (computed once): plotly's object validation,
`update_layout` path parsing and `make_subplots` cost more than all of the view's arithmetic, and Dash, kaleido
and the slide deck take the same JSON either way.
"""
from __future__ import annotations

import copy
import functools
import math

import numpy as np
import pandas as pd
from plotly.subplots import make_subplots

from dashboard.chart_theme import FOCUS, LONDON, SUBREGION, empty_figure, lean_figure, plain_layout
from dashboard.dashboards.agency_pay.metrics import JOB_TYPES, quarter_label
from dashboard.disclosure import NO_RETURN, NONE_RETURNED, SUPPRESSED

JOB_COLOURS = dict(zip(JOB_TYPES, ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]))
EXCL_LEGACY = "#E69F00"   # orange: "excluding legacy contracts" beside blue "all assignments"
STATUS_TEXT = {SUPPRESSED: "c (too few to show pay)", NO_RETURN: "no return", NONE_RETURNED: "none returned"}
CAP_COLOUR = "#000000"


# --- plain-dict building blocks ----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _two_panels() -> dict:
    """The axes and subplot-title annotations `make_subplots(1, 2, horizontal_spacing=0.1)` lays out, taken from
    plotly once so the domains and title positions are exactly its own."""
    layout = make_subplots(rows=1, cols=2, horizontal_spacing=0.1, subplot_titles=("left", "right")).to_plotly_json()["layout"]
    return {key: layout[key] for key in ("xaxis", "yaxis", "xaxis2", "yaxis2", "annotations")}


def _two_panel_layout(height: int, titles: tuple[str, str], x: dict, y1: dict, y2: dict,
                      annotations: list[dict] = ()) -> dict:
    """Two charts side by side with their titles, the legend lifted above the titles so they never overlap."""
    panels = _two_panels()
    return plain_layout(
        height, margin={"t": 95}, legend={"y": 1.2, "yanchor": "bottom"},
        xaxis={**panels["xaxis"], **x}, yaxis={**panels["yaxis"], **y1},
        xaxis2={**panels["xaxis2"], **x}, yaxis2={**panels["yaxis2"], **y2},
        annotations=[{**a, "text": t} for a, t in zip(panels["annotations"], titles)] + list(annotations))


def _figure(data: list[dict], layout: dict) -> dict:
    return lean_figure({"data": data, "layout": layout})


@functools.lru_cache(maxsize=8)
def _empty(message: str) -> dict:
    return empty_figure(message).to_plotly_json()


def _empty_figure(message: str) -> dict:
    """A figure that says why there is nothing to draw (the theme's, as a dict; a copy, so a caller may change it)."""
    return copy.deepcopy(_empty(message))


def _list(values) -> list:
    """JSON-safe list: NaN becomes None (a gap, never 0), numpy numbers become Python numbers."""
    out = []
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and math.isnan(v)):
            out.append(None)
        elif isinstance(v, np.generic):
            out.append(v.item())
        else:
            out.append(v)
    return out


def _la_label(name: str, code: str, own_la: str, area: str) -> str:
    if code == own_la:
        return f"<b>{name} (your LA)</b>"
    return f"<b>◆ {name}</b>" if code == area else name


def _order(rows: pd.DataFrame) -> pd.DataFrame:
    """Figures first (highest median at the top), then suppressed, none, no return."""
    rank = rows["status"].map({"": 0, SUPPRESSED: 1, NONE_RETURNED: 2, NO_RETURN: 3}).fillna(4)
    return rows.assign(_rank=rank, _median=-rows["median"].fillna(0)).sort_values(["_rank", "_median"]).drop(
        columns=["_rank", "_median"])


def _box(rows: pd.DataFrame, labels: list[str], colour: str, name: str, fill: str) -> dict:
    return {
        "type": "box", "y": list(labels), "q1": _list(rows["q1"]), "median": _list(rows["median"]), "q3": _list(rows["q3"]),
        "lowerfence": _list(rows["min"]), "upperfence": _list(rows["max"]), "orientation": "h", "name": name,
        "marker": {"color": colour}, "line": {"color": colour, "width": 2}, "fillcolor": fill, "boxpoints": False,
        "hoverinfo": "y+x", "showlegend": True,
    }


def _status_markers(labels: list[str], statuses: list[str], x: float) -> list[dict]:
    """A word where a row has no figures ("c", "no return", "none"), so a blank is never read as 0."""
    if not labels:
        return []
    return [{"type": "scatter", "x": [float(x)] * len(labels), "y": list(labels), "mode": "text",
             "text": [STATUS_TEXT[s] for s in statuses], "textposition": "middle right", "showlegend": False,
             "hoverinfo": "skip"}]


def _range_axis(values: list[float], caps: list[float]) -> list[float]:
    finite = [v for v in values + caps if v is not None and not pd.isna(v)]
    if not finite:
        return [0, 1]
    low, high = min(finite), max(finite)
    return [float(np.floor(low - 1)), float(np.ceil(high + 1))]


def range_by_la_figure(by_la: pd.DataFrame, pooled: pd.Series, area_name: str, own_la: str, area: str,
                       caps_now: pd.DataFrame, job: str) -> dict:
    shown = by_la[by_la["status"] == ""]
    if shown.empty and pooled.get("status", "") != "":
        return _empty_figure("No figures to show for this quarter: no return, or too few assignments to show.")
    rows = _order(by_la)
    labels = [_la_label(n, c, own_la, area) for n, c in zip(rows["la_name"], rows["la_code"])]
    pooled_label = f"<b>{area_name} (all)</b>"
    order = [pooled_label] + labels
    data = []
    if pooled.get("status", "") == "":
        data.append(_box(pd.DataFrame([pooled]), [pooled_label], LONDON, area_name + " (all)", "rgba(0,0,0,0.12)"))
    is_own = (rows["la_code"] == own_la) & (rows["status"] == "")
    others = (rows["la_code"] != own_la) & (rows["status"] == "")
    if others.any():
        data.append(_box(rows[others], [l for l, k in zip(labels, others) if k], SUBREGION, "Each LA", "rgba(0,114,178,0.25)"))
    if is_own.any():
        data.append(_box(rows[is_own], [l for l, k in zip(labels, is_own) if k], FOCUS, "Your LA", "rgba(213,94,0,0.3)"))
    values = list(shown["min"]) + list(shown["max"]) + [pooled.get("min"), pooled.get("max")]
    caps = list(caps_now["cap"]) if job == "all" else list(caps_now.loc[caps_now["job_type"] == job, "cap"])
    x_range = _range_axis(values, caps)
    missing = rows["status"] != ""
    text_x = x_range[0] + 0.01 * (x_range[1] - x_range[0])
    data += _status_markers([l for l, k in zip(labels, missing) if k], list(rows.loc[missing, "status"]), text_x)
    if pooled.get("status", "") != "":
        data += _status_markers([pooled_label], [pooled["status"]], text_x)
    shapes, annotations = _caps_marks(caps_now, job)
    return _figure(data, plain_layout(
        max(380, 24 * len(order) + 140), margin={"t": 60}, shapes=shapes, annotations=annotations,
        yaxis={"categoryorder": "array", "categoryarray": order[::-1], "automargin": True, "tickfont": {"size": 12}},
        xaxis={"title": {"text": "£ per hour (after PAYE adjustments)"}, "range": x_range, "tickprefix": "£"}))


def _cap_line(x: float, line: dict) -> dict:
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain", "line": line}


def _cap_label(text: str, x: float) -> dict:
    return {"text": text, "showarrow": False, "x": x, "xanchor": "left", "xref": "x", "y": 1, "yanchor": "bottom",
            "yref": "y domain"}


def _caps_marks(caps_now: pd.DataFrame, job: str) -> tuple[list[dict], list[dict]]:
    """(shapes, annotations): the cap in force for one job type, or the band from the lowest to the highest cap."""
    if caps_now.empty:
        return [], []
    if job != "all":
        value = caps_now.loc[caps_now["job_type"] == job, "cap"]
        if not len(value):
            return [], []
        cap = float(value.iloc[0])
        return [_cap_line(cap, {"color": CAP_COLOUR, "dash": "dash", "width": 2})], [_cap_label(f"Cap £{cap:.2f}", cap)]
    # All job types pooled: each has its own cap, so the band from the lowest to the highest cap is drawn.
    low, high = float(caps_now["cap"].min()), float(caps_now["cap"].max())
    band = {"type": "rect", "x0": low, "x1": high, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "fillcolor": "rgba(0,0,0,0.06)", "line": {"width": 0}}
    lines = [_cap_line(value, {"color": CAP_COLOUR, "dash": "dot", "width": 1}) for value in (low, high)]
    return [band] + lines, [_cap_label(f"Caps by job type: £{low:.2f} to £{high:.2f}", low)]


def range_by_job_figure(by_job: pd.DataFrame, pooled: pd.Series, area_name: str) -> dict:
    shown = by_job[by_job["status"] == ""]
    if shown.empty:
        return _empty_figure("No figures to show for this quarter: no return, or too few assignments to show.")
    labels = list(by_job["job_name"])
    data = [_box(by_job.iloc[[i]], [label], JOB_COLOURS.get(job, SUBREGION), label, "rgba(255,255,255,0)")
            for i, (label, job, status) in enumerate(zip(labels, by_job["job_type"], by_job["status"])) if status == ""]
    x_range = _range_axis(list(shown["min"]) + list(shown["max"]), list(by_job["cap"].dropna()))
    missing = by_job["status"] != ""
    data += _status_markers([l for l, k in zip(labels, missing) if k], list(by_job.loc[missing, "status"]),
                            x_range[0] + 0.01 * (x_range[1] - x_range[0]))
    caps = by_job.dropna(subset=["cap"])
    data.append({
        "type": "scatter", "x": _list(caps["cap"]), "y": list(caps["job_name"]), "mode": "markers+text", "name": "Cap",
        "marker": {"symbol": "line-ns", "size": 34, "line": {"width": 4, "color": CAP_COLOUR}, "color": CAP_COLOUR},
        "text": [f"cap £{c:.2f}" for c in caps["cap"]], "textposition": "top center",
        "hovertemplate": "%{y}: cap £%{x:.2f}<extra></extra>"})
    return _figure(data, plain_layout(
        max(260, 70 * len(labels) + 120), showlegend=False,
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "automargin": True},
        xaxis={"title": {"text": f"£ per hour (after PAYE adjustments), {area_name}"}, "range": x_range, "tickprefix": "£"}))


def overcap_trend_figure(per_quarter: pd.DataFrame) -> dict:
    if (per_quarter["status"] == "").sum() == 0:
        return _empty_figure("No figures to show: no return, or too few assignments in the quarters chosen.")
    x = list(per_quarter["quarter"])
    data = []
    for col, (all_col, excl_col) in enumerate([("pct_over", "pct_over_excl"), ("pct_spend_over", "pct_spend_over_excl")], 1):
        for column, name, colour, dash in ((all_col, "All assignments", SUBREGION, "solid"),
                                           (excl_col, "Excluding legacy contracts", EXCL_LEGACY, "dash")):
            data.append({"type": "scatter", "x": x, "y": _list(per_quarter[column]), "name": name, "mode": "lines+markers",
                         "legendgroup": name, "showlegend": col == 1, "line": {"color": colour, "dash": dash, "width": 3},
                         "marker": {"symbol": "circle" if dash == "solid" else "diamond", "size": 7},
                         "connectgaps": False, "hovertemplate": f"{name}<br>%{{x}}: %{{y:.1f}}%<extra></extra>",
                         "xaxis": f"x{col if col > 1 else ''}", "yaxis": f"y{col if col > 1 else ''}"})
    lowest = []
    spend = per_quarter["pct_spend_over"]
    if spend.notna().sum() > 1:
        best = int(spend.idxmin())
        lowest.append({"x": per_quarter.loc[best, "quarter"], "y": float(spend[best]), "text": f"lowest: {spend[best]:.1f}%",
                       "showarrow": True, "arrowhead": 2, "ay": -35, "xref": "x2", "yref": "y2"})
    axis = {"rangemode": "tozero", "ticksuffix": "%"}
    return _figure(data, _two_panel_layout(400, ("% of assignments over cap", "% of spend on over-cap assignments"),
                                           {"type": "category", "tickangle": -45}, axis, axis, lowest))


def overcap_by_la_figure(by_la: pd.DataFrame, own_la: str, area: str) -> dict:
    if (by_la["status"] == "").sum() == 0:
        return _empty_figure("No LA has figures to show for this quarter.")
    rows = by_la.assign(_rank=by_la["status"].map({"": 0, SUPPRESSED: 1, NONE_RETURNED: 2, NO_RETURN: 3}),
                        _value=-by_la["pct_spend_over"].fillna(0)).sort_values(["_rank", "_value"])
    labels = [_la_label(n, c, own_la, area) for n, c in zip(rows["la_name"], rows["la_code"])]
    data = [{"type": "scatter", "x": _list(rows[column]), "y": labels, "mode": "markers", "name": name,
             "marker": {"color": colour, "symbol": symbol, "size": size, "line": {"color": "#000", "width": 1}},
             "hovertemplate": f"%{{y}}<br>{name}: %{{x:.1f}}%<extra></extra>"}
            for column, name, colour, symbol, size in (("pct_spend_over", "All assignments", SUBREGION, "circle", 14),
                                                       ("pct_spend_over_excl", "Excluding legacy contracts", EXCL_LEGACY, "diamond", 9))]
    own = rows["la_code"] == own_la
    if own.any() and rows.loc[own, "status"].iloc[0] == "":
        data.append({"type": "scatter", "x": _list(rows.loc[own, "pct_spend_over"]), "y": [l for l, k in zip(labels, own) if k],
                     "mode": "markers", "name": "Your LA",
                     "marker": {"color": FOCUS, "size": 21, "symbol": "circle-open", "line": {"width": 3}}, "hoverinfo": "skip"})
    missing = rows["status"] != ""
    data += _status_markers([l for l, k in zip(labels, missing) if k], list(rows.loc[missing, "status"]), 0.3)
    top = float(np.nanmax(rows[["pct_spend_over", "pct_spend_over_excl"]].to_numpy(dtype=float))) if (~missing).any() else 10
    return _figure(data, plain_layout(
        max(360, 24 * len(rows) + 120),
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "automargin": True, "tickfont": {"size": 12}},
        xaxis={"title": {"text": "% of spend on over-cap assignments"}, "range": [0, max(10.0, top * 1.1)], "ticksuffix": "%"}))


def workforce_figure(per_quarter: pd.DataFrame, share: pd.DataFrame, area_name: str) -> dict:
    has_count = per_quarter["status"].isin(["", SUPPRESSED])   # protected counts are shown with or without pay figures
    counts = per_quarter["n"].where(has_count)
    text = [f"{int(v):,}" if k else STATUS_TEXT.get(s, s) for v, s, k in zip(per_quarter["n"], per_quarter["status"], has_count)]
    data = [{"type": "bar", "x": list(per_quarter["quarter"]), "y": _list(counts.astype("float64")), "name": "Agency assignments",
             "marker": {"color": SUBREGION}, "text": text, "textposition": "outside", "cliponaxis": False, "showlegend": False,
             "hovertemplate": "%{x}: %{text} assignments<extra></extra>", "xaxis": "x", "yaxis": "y"}]
    for name, frame in share.groupby("series", sort=False):
        colour = FOCUS if "your LA" in name else LONDON if name.startswith("London") else SUBREGION
        x = list(frame["period_end"].map(_quarter))
        trace = {"type": "scatter", "x": x, "y": _list(frame["value"]), "name": name,
                 "hovertemplate": f"{name}<br>%{{x}}: %{{y:.1f}}%<extra></extra>", "xaxis": "x2", "yaxis": "y2"}
        if "DfE census" in name:  # published once a year: a marker on the quarter of the 30 September census
            trace.update(mode="markers", marker={"symbol": "diamond", "size": 12, "color": "#ffffff",
                                                 "line": {"color": colour, "width": 2}})
        else:
            trace.update(mode="lines+markers", connectgaps=False,
                         line={"color": colour, "dash": "dash" if colour == LONDON else "solid", "width": 4 if colour == FOCUS else 2})
        data.append(trace)
    nothing = []
    if share.empty or share["value"].notna().sum() == 0:
        nothing.append({"text": "not in the benchmarking data", "showarrow": False, "xref": "x2 domain", "yref": "y2 domain",
                        "x": 0.5, "y": 0.5})
    return _figure(data, _two_panel_layout(
        400, (f"Agency assignments in the Pledge return, {area_name}", "Agency share of social workers"),
        {"type": "category", "tickangle": -45}, {"rangemode": "tozero", "title": {"text": "assignments"}},
        {"rangemode": "tozero", "ticksuffix": "%"}, nothing))


def _quarter(day) -> str:
    return quarter_label(day)


def trend_figure(trend: pd.DataFrame) -> dict:
    shown = trend[trend["status"] == ""]
    if shown.empty:
        return _empty_figure("No figures to show: no return, or too few assignments in the quarters chosen.")
    quarters = list(dict.fromkeys(trend["quarter"]))
    data = []
    for job, frame in trend.groupby("job_type", sort=False):
        colour, name = JOB_COLOURS.get(job, SUBREGION), JOB_TYPES.get(job, job)
        frame = frame.set_index("quarter").reindex(quarters)
        data += [
            {"type": "scatter", "x": quarters + quarters[::-1], "y": _list(list(frame["q3"]) + list(frame["q1"])[::-1]),
             "fill": "toself", "mode": "lines", "fillcolor": _rgba(colour, 0.10), "line": {"width": 0}, "hoverinfo": "skip",
             "showlegend": False, "legendgroup": name, "xaxis": "x", "yaxis": "y"},
            {"type": "scatter", "x": quarters, "y": _list(frame["median"]), "name": name, "mode": "lines+markers",
             "legendgroup": name, "line": {"color": colour, "width": 3}, "connectgaps": False,
             "hovertemplate": f"{name}<br>%{{x}}: median £%{{y:.2f}}<extra></extra>", "xaxis": "x", "yaxis": "y"},
            {"type": "scatter", "x": quarters, "y": _list(frame["q3"] - frame["q1"]), "name": name, "mode": "lines+markers",
             "legendgroup": name, "showlegend": False, "line": {"color": colour, "width": 2, "dash": "dot"}, "connectgaps": False,
             "hovertemplate": f"{name}<br>%{{x}}: spread £%{{y:.2f}}<extra></extra>", "xaxis": "x2", "yaxis": "y2"},
        ]
    return _figure(data, _two_panel_layout(
        460, ("Median hourly pay (band: middle half)", "Spread: upper minus lower quartile"),
        {"type": "category", "tickangle": -45}, {"tickprefix": "£"}, {"tickprefix": "£", "rangemode": "tozero"}))


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"
