"""Agency pay charts: pay ranges against the caps, over cap by quarter and by LA, agency workforce, convergence.

Every figure is drawn from group summaries (never worker rows), given as columns: a DataFrame's, or a dict of arrays or
lists, as the view keeps them. Colours are Okabe-Ito; the viewer's own LA is vermillion everywhere; suppressed groups
say "c", LAs without a return say "no return".

The figures are built as plain dicts on the shared theme's layout (computed once): plotly's object validation,
`update_layout` path parsing and `make_subplots` cost more than all of the view's arithmetic, and Dash, kaleido
and the slide deck take the same JSON either way.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from plotly.subplots import make_subplots

from dashboard.chart_theme import FOCUS, LONDON, SUBREGION, lean_figure, plain_empty_figure, plain_layout
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


def _empty_figure(message: str) -> dict:
    """A figure that says why there is nothing to draw (the theme's, as a dict; a copy, so a caller may change it)."""
    return plain_empty_figure(message)


def values(column) -> list:
    """A column (a DataFrame's, an array or a list) as a list of Python values."""
    return column.tolist() if hasattr(column, "tolist") else list(column)


def _list(items) -> list:
    """JSON-safe list: NaN becomes None (a gap, never 0), numpy numbers become Python numbers."""
    out = []
    for v in items:
        if v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and math.isnan(v)):
            out.append(None)
        elif isinstance(v, np.generic):
            out.append(v.item())
        else:
            out.append(v)
    return out


def _missing(value) -> bool:
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _la_label(name: str, code: str, own_la: str, area: str) -> str:
    if code == own_la:
        return f"<b>{name} (your LA)</b>"
    return f"<b>◆ {name}</b>" if code == area else name


RANK = {"": 0, SUPPRESSED: 1, NONE_RETURNED: 2, NO_RETURN: 3}


def _order(statuses: list[str], by: list) -> list[int]:
    """Row positions: figures first (highest of `by` at the top), then suppressed, none, no return (stable)."""
    return sorted(range(len(statuses)), key=lambda i: (RANK.get(statuses[i], 4), -(0 if _missing(by[i]) else by[i])))


def _rows(columns: dict[str, list], chosen) -> dict[str, list]:
    """The rows at the positions `chosen`, column by column."""
    return {name: [column[i] for i in chosen] for name, column in columns.items()}


def _box(rows: dict, labels: list[str], colour: str, name: str, fill: str) -> dict:
    return {
        "type": "box", "y": list(labels), "q1": _list(rows["q1"]), "median": _list(rows["median"]), "q3": _list(rows["q3"]),
        "lowerfence": _list(rows["min"]), "upperfence": _list(rows["max"]), "orientation": "h", "name": name,
        "marker": {"color": colour}, "line": {"color": colour, "width": 2}, "fillcolor": fill, "boxpoints": False,
        "hoverinfo": "y+x", "showlegend": True,
    }


BOX = ("q1", "median", "q3", "min", "max")


def _status_markers(labels: list[str], statuses: list[str], x: float) -> list[dict]:
    """A word where a row has no figures ("c", "no return", "none"), so a blank is never read as 0."""
    if not labels:
        return []
    return [{"type": "scatter", "x": [float(x)] * len(labels), "y": list(labels), "mode": "text",
             "text": [STATUS_TEXT[s] for s in statuses], "textposition": "middle right", "showlegend": False,
             "hoverinfo": "skip"}]


def _range_axis(numbers: list[float], caps: list[float]) -> list[float]:
    finite = [v for v in numbers + caps if v is not None and not pd.isna(v)]
    if not finite:
        return [0, 1]
    low, high = min(finite), max(finite)
    return [float(np.floor(low - 1)), float(np.ceil(high + 1))]


def range_by_la_figure(by_la, pooled, area_name: str, own_la: str, area: str, caps: dict[str, float], job: str) -> dict:
    """`caps`: the cap in force of each job type that has one (job type -> £/h, in `JOB_TYPES` order)."""
    status = values(by_la["status"])
    pooled_status = pooled.get("status", "")
    if "" not in status and pooled_status != "":
        return _empty_figure("No figures to show for this quarter: no return, or too few assignments to show.")
    columns = {name: values(by_la[name]) for name in ("la_code", "la_name", "status", *BOX)}
    rows = _rows(columns, _order(status, columns["median"]))
    labels = [_la_label(n, c, own_la, area) for n, c in zip(rows["la_name"], rows["la_code"])]
    pooled_label = f"<b>{area_name} (all)</b>"
    order = [pooled_label] + labels
    data = []
    if pooled_status == "":
        data.append(_box({name: [pooled[name]] for name in BOX}, [pooled_label], LONDON, area_name + " (all)",
                         "rgba(0,0,0,0.12)"))
    others = [i for i, (c, s) in enumerate(zip(rows["la_code"], rows["status"])) if c != own_la and s == ""]
    is_own = [i for i, (c, s) in enumerate(zip(rows["la_code"], rows["status"])) if c == own_la and s == ""]
    if others:
        data.append(_box(_rows(rows, others), [labels[i] for i in others], SUBREGION, "Each LA", "rgba(0,114,178,0.25)"))
    if is_own:
        data.append(_box(_rows(rows, is_own), [labels[i] for i in is_own], FOCUS, "Your LA", "rgba(213,94,0,0.3)"))
    shown = [i for i, s in enumerate(status) if s == ""]
    numbers = ([columns["min"][i] for i in shown] + [columns["max"][i] for i in shown]
               + [pooled.get("min"), pooled.get("max")])
    x_range = _range_axis(numbers, list(caps.values()) if job == "all" else [caps[job]] if job in caps else [])
    missing = [i for i, s in enumerate(rows["status"]) if s != ""]
    text_x = x_range[0] + 0.01 * (x_range[1] - x_range[0])
    data += _status_markers([labels[i] for i in missing], [rows["status"][i] for i in missing], text_x)
    if pooled_status != "":
        data += _status_markers([pooled_label], [pooled_status], text_x)
    shapes, annotations = _caps_marks(caps, job)
    return _figure(data, plain_layout(
        max(380, 24 * len(order) + 140), margin={"t": 60}, shapes=shapes, annotations=annotations,
        yaxis={"categoryorder": "array", "categoryarray": order[::-1], "automargin": True, "tickfont": {"size": 12}},
        xaxis={"title": {"text": "£ per hour (after PAYE adjustments)"}, "range": x_range, "tickprefix": "£"}))


def _cap_line(x: float, line: dict) -> dict:
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain", "line": line}


def _cap_label(text: str, x: float) -> dict:
    return {"text": text, "showarrow": False, "x": x, "xanchor": "left", "xref": "x", "y": 1, "yanchor": "bottom",
            "yref": "y domain"}


def _caps_marks(caps: dict[str, float], job: str) -> tuple[list[dict], list[dict]]:
    """(shapes, annotations): the cap in force for one job type, or the band from the lowest to the highest cap."""
    if not caps:
        return [], []
    if job != "all":
        if job not in caps:
            return [], []
        cap = float(caps[job])
        return [_cap_line(cap, {"color": CAP_COLOUR, "dash": "dash", "width": 2})], [_cap_label(f"Cap £{cap:.2f}", cap)]
    # All job types pooled: each has its own cap, so the band from the lowest to the highest cap is drawn.
    low, high = float(min(caps.values())), float(max(caps.values()))
    band = {"type": "rect", "x0": low, "x1": high, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
            "fillcolor": "rgba(0,0,0,0.06)", "line": {"width": 0}}
    lines = [_cap_line(value, {"color": CAP_COLOUR, "dash": "dot", "width": 1}) for value in (low, high)]
    return [band] + lines, [_cap_label(f"Caps by job type: £{low:.2f} to £{high:.2f}", low)]


def range_by_job_figure(by_job, pooled, area_name: str) -> dict:
    columns = {name: values(by_job[name]) for name in ("job_type", "job_name", "status", "cap", *BOX)}
    status = columns["status"]
    shown = [i for i, s in enumerate(status) if s == ""]
    if not shown:
        return _empty_figure("No figures to show for this quarter: no return, or too few assignments to show.")
    labels = columns["job_name"]
    data = [_box(_rows(columns, [i]), [labels[i]], JOB_COLOURS.get(columns["job_type"][i], SUBREGION), labels[i],
                 "rgba(255,255,255,0)") for i in shown]
    with_cap = [i for i, cap in enumerate(columns["cap"]) if not _missing(cap)]
    x_range = _range_axis([columns["min"][i] for i in shown] + [columns["max"][i] for i in shown],
                          [columns["cap"][i] for i in with_cap])
    missing = [i for i, s in enumerate(status) if s != ""]
    data += _status_markers([labels[i] for i in missing], [status[i] for i in missing],
                            x_range[0] + 0.01 * (x_range[1] - x_range[0]))
    caps = [columns["cap"][i] for i in with_cap]
    data.append({
        "type": "scatter", "x": _list(caps), "y": [labels[i] for i in with_cap], "mode": "markers+text", "name": "Cap",
        "marker": {"symbol": "line-ns", "size": 34, "line": {"width": 4, "color": CAP_COLOUR}, "color": CAP_COLOUR},
        "text": [f"cap £{c:.2f}" for c in caps], "textposition": "top center",
        "hovertemplate": "%{y}: cap £%{x:.2f}<extra></extra>"})
    return _figure(data, plain_layout(
        max(260, 70 * len(labels) + 120), showlegend=False,
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "automargin": True},
        xaxis={"title": {"text": f"£ per hour (after PAYE adjustments), {area_name}"}, "range": x_range, "tickprefix": "£"}))


def overcap_trend_figure(per_quarter) -> dict:
    if "" not in values(per_quarter["status"]):
        return _empty_figure("No figures to show: no return, or too few assignments in the quarters chosen.")
    x = values(per_quarter["quarter"])
    data = []
    for col, (all_col, excl_col) in enumerate([("pct_over", "pct_over_excl"), ("pct_spend_over", "pct_spend_over_excl")], 1):
        for column, name, colour, dash in ((all_col, "All assignments", SUBREGION, "solid"),
                                           (excl_col, "Excluding legacy contracts", EXCL_LEGACY, "dash")):
            data.append({"type": "scatter", "x": x, "y": _list(values(per_quarter[column])), "name": name, "mode": "lines+markers",
                         "legendgroup": name, "showlegend": col == 1, "line": {"color": colour, "dash": dash, "width": 3},
                         "marker": {"symbol": "circle" if dash == "solid" else "diamond", "size": 7},
                         "connectgaps": False, "hovertemplate": f"{name}<br>%{{x}}: %{{y:.1f}}%<extra></extra>",
                         "xaxis": f"x{col if col > 1 else ''}", "yaxis": f"y{col if col > 1 else ''}"})
    lowest = []
    spend = values(per_quarter["pct_spend_over"])
    known = [i for i, v in enumerate(spend) if not _missing(v)]
    if len(known) > 1:
        best = min(known, key=lambda i: spend[i])     # the first of the lowest
        lowest.append({"x": x[best], "y": float(spend[best]), "text": f"lowest: {spend[best]:.1f}%",
                       "showarrow": True, "arrowhead": 2, "ay": -35, "xref": "x2", "yref": "y2"})
    axis = {"rangemode": "tozero", "ticksuffix": "%"}
    return _figure(data, _two_panel_layout(400, ("% of assignments over cap", "% of spend on over-cap assignments"),
                                           {"type": "category", "tickangle": -45}, axis, axis, lowest))


def overcap_by_la_figure(by_la, own_la: str, area: str) -> dict:
    columns = {name: values(by_la[name]) for name in ("la_code", "la_name", "status", "pct_spend_over", "pct_spend_over_excl")}
    if "" not in columns["status"]:
        return _empty_figure("No LA has figures to show for this quarter.")
    rows = _rows(columns, _order(columns["status"], columns["pct_spend_over"]))
    labels = [_la_label(n, c, own_la, area) for n, c in zip(rows["la_name"], rows["la_code"])]
    data = [{"type": "scatter", "x": _list(rows[column]), "y": labels, "mode": "markers", "name": name,
             "marker": {"color": colour, "symbol": symbol, "size": size, "line": {"color": "#000", "width": 1}},
             "hovertemplate": f"%{{y}}<br>{name}: %{{x:.1f}}%<extra></extra>"}
            for column, name, colour, symbol, size in (("pct_spend_over", "All assignments", SUBREGION, "circle", 14),
                                                       ("pct_spend_over_excl", "Excluding legacy contracts", EXCL_LEGACY, "diamond", 9))]
    own = [i for i, c in enumerate(rows["la_code"]) if c == own_la]
    if own and rows["status"][own[0]] == "":
        data.append({"type": "scatter", "x": _list([rows["pct_spend_over"][i] for i in own]), "y": [labels[i] for i in own],
                     "mode": "markers", "name": "Your LA",
                     "marker": {"color": FOCUS, "size": 21, "symbol": "circle-open", "line": {"width": 3}}, "hoverinfo": "skip"})
    missing = [i for i, s in enumerate(rows["status"]) if s != ""]
    data += _status_markers([labels[i] for i in missing], [rows["status"][i] for i in missing], 0.3)
    top = (float(np.nanmax(np.array(rows["pct_spend_over"] + rows["pct_spend_over_excl"], dtype=float)))
           if len(missing) < len(labels) else 10)
    return _figure(data, plain_layout(
        max(360, 24 * len(labels) + 120),
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "automargin": True, "tickfont": {"size": 12}},
        xaxis={"title": {"text": "% of spend on over-cap assignments"}, "range": [0, max(10.0, top * 1.1)], "ticksuffix": "%"}))


def workforce_figure(per_quarter, share, area_name: str) -> dict:
    """`share`: the agency share of social workers (`view.AgencyShare`), each series over the quarters chosen."""
    status, counts = values(per_quarter["status"]), values(per_quarter["n"])
    has_count = [s in ("", SUPPRESSED) for s in status]   # protected counts are shown with or without pay figures
    text = [f"{int(v):,}" if k else STATUS_TEXT.get(s, s) for v, s, k in zip(counts, status, has_count)]
    data = [{"type": "bar", "x": values(per_quarter["quarter"]), "y": [float(v) if k else None for v, k in zip(counts, has_count)],
             "name": "Agency assignments", "marker": {"color": SUBREGION}, "text": text, "textposition": "outside",
             "cliponaxis": False, "showlegend": False, "hovertemplate": "%{x}: %{text} assignments<extra></extra>",
             "xaxis": "x", "yaxis": "y"}]
    x = [quarter_label(day) for day in share.quarters]
    for name, series in share.series.items():
        colour = FOCUS if "your LA" in name else LONDON if name.startswith("London") else SUBREGION
        trace = {"type": "scatter", "x": list(x), "y": _list(series), "name": name,
                 "hovertemplate": f"{name}<br>%{{x}}: %{{y:.1f}}%<extra></extra>", "xaxis": "x2", "yaxis": "y2"}
        if "DfE census" in name:  # published once a year: a marker on the quarter of the 30 September census
            trace.update(mode="markers", marker={"symbol": "diamond", "size": 12, "color": "#ffffff",
                                                 "line": {"color": colour, "width": 2}})
        else:
            trace.update(mode="lines+markers", connectgaps=False,
                         line={"color": colour, "dash": "dash" if colour == LONDON else "solid", "width": 4 if colour == FOCUS else 2})
        data.append(trace)
    nothing = []
    if share.empty or not any((~np.isnan(series)).any() for series in share.series.values()):
        nothing.append({"text": "not in the benchmarking data", "showarrow": False, "xref": "x2 domain", "yref": "y2 domain",
                        "x": 0.5, "y": 0.5})
    return _figure(data, _two_panel_layout(
        400, (f"Agency assignments in the Pledge return, {area_name}", "Agency share of social workers"),
        {"type": "category", "tickangle": -45}, {"rangemode": "tozero", "title": {"text": "assignments"}},
        {"rangemode": "tozero", "ticksuffix": "%"}, nothing))


def trend_figure(trend) -> dict:
    status = values(trend["status"])
    if "" not in status:
        return _empty_figure("No figures to show: no return, or too few assignments in the quarters chosen.")
    quarter, job_type = values(trend["quarter"]), values(trend["job_type"])
    quarters = list(dict.fromkeys(quarter))
    q1, median, q3 = (np.asarray(values(trend[name]), dtype="float64") for name in ("q1", "median", "q3"))
    data = []
    for job in dict.fromkeys(job_type):
        colour, name = JOB_COLOURS.get(job, SUBREGION), JOB_TYPES.get(job, job)
        # The job type's row of each quarter (none: a gap).
        at = {q: i for i, (q, j) in enumerate(zip(quarter, job_type)) if j == job}
        rows = np.array([at.get(q, -1) for q in quarters])

        def column(array):
            return np.where(rows >= 0, array[np.maximum(rows, 0)], np.nan) if len(array) else np.full(len(rows), np.nan)
        job_q1, job_median, job_q3 = column(q1), column(median), column(q3)
        data += [
            {"type": "scatter", "x": quarters + quarters[::-1], "y": _list(list(job_q3) + list(job_q1)[::-1]),
             "fill": "toself", "mode": "lines", "fillcolor": _rgba(colour, 0.10), "line": {"width": 0}, "hoverinfo": "skip",
             "showlegend": False, "legendgroup": name, "xaxis": "x", "yaxis": "y"},
            {"type": "scatter", "x": quarters, "y": _list(job_median), "name": name, "mode": "lines+markers",
             "legendgroup": name, "line": {"color": colour, "width": 3}, "connectgaps": False,
             "hovertemplate": f"{name}<br>%{{x}}: median £%{{y:.2f}}<extra></extra>", "xaxis": "x", "yaxis": "y"},
            {"type": "scatter", "x": quarters, "y": _list(job_q3 - job_q1), "name": name, "mode": "lines+markers",
             "legendgroup": name, "showlegend": False, "line": {"color": colour, "width": 2, "dash": "dot"}, "connectgaps": False,
             "hovertemplate": f"{name}<br>%{{x}}: spread £%{{y:.2f}}<extra></extra>", "xaxis": "x2", "yaxis": "y2"},
        ]
    return _figure(data, _two_panel_layout(
        460, ("Median hourly pay (band: middle half)", "Spread: upper minus lower quartile"),
        {"type": "category", "tickangle": -45}, {"tickprefix": "£"}, {"tickprefix": "£", "rangemode": "tozero"}))


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"
