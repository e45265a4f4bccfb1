"""Agency pay charts: pay ranges against the caps, over cap by quarter and by LA, agency workforce, convergence.

Every figure is drawn from group summaries (never worker rows). Colours are Okabe-Ito; the viewer's own LA
is vermillion everywhere; suppressed groups say "c", LAs without a return say "no return".
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures.theme import FOCUS, LONDON, SUBREGION, base_layout, empty_figure
from dashboard.metrics.pay import JOB_TYPES, NO_RETURN, NONE_RETURNED, SUPPRESSED

JOB_COLOURS = dict(zip(JOB_TYPES, ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]))
EXCL_LEGACY = "#E69F00"   # orange: "excluding legacy contracts" beside blue "all assignments"
STATUS_TEXT = {SUPPRESSED: "c (suppressed)", NO_RETURN: "no return", NONE_RETURNED: "none returned"}
CAP_COLOUR = "#000000"


def _la_label(name: str, code: str, own_la: str, area: str) -> str:
    if code == own_la:
        return f"<b>{name} (your LA)</b>"
    return f"<b>◆ {name}</b>" if code == area else name


def _order(rows: pd.DataFrame) -> pd.DataFrame:
    """Figures first (highest median at the top), then suppressed, none, no return."""
    rank = rows["status"].map({"": 0, SUPPRESSED: 1, NONE_RETURNED: 2, NO_RETURN: 3}).fillna(4)
    return rows.assign(_rank=rank, _median=-rows["median"].fillna(0)).sort_values(["_rank", "_median"]).drop(
        columns=["_rank", "_median"])


def _box(rows: pd.DataFrame, labels: list[str], colour: str, name: str, fill: str) -> go.Box:
    return go.Box(
        y=labels, q1=rows["q1"], median=rows["median"], q3=rows["q3"], lowerfence=rows["min"], upperfence=rows["max"],
        orientation="h", name=name, marker={"color": colour}, line={"color": colour, "width": 2}, fillcolor=fill,
        boxpoints=False, hoverinfo="y+x", showlegend=True,
    )


def _status_markers(fig: go.Figure, labels: list[str], statuses: list[str], x: float) -> None:
    """A word where a row has no figures ("c", "no return", "none"), so a blank is never read as 0."""
    if labels:
        fig.add_trace(go.Scatter(x=[x] * len(labels), y=labels, mode="text", text=[STATUS_TEXT[s] for s in statuses],
                                 textposition="middle right", showlegend=False, hoverinfo="skip"))


def _range_axis(values: list[float], caps: list[float]) -> list[float]:
    finite = [v for v in values + caps if v is not None and not pd.isna(v)]
    if not finite:
        return [0, 1]
    low, high = min(finite), max(finite)
    return [np.floor(low - 1), np.ceil(high + 1)]


def range_by_la_figure(by_la: pd.DataFrame, pooled: pd.Series, area_name: str, own_la: str, area: str,
                       caps_now: pd.DataFrame, job: str) -> go.Figure:
    shown = by_la[by_la["status"] == ""]
    if shown.empty and pooled.get("status", "") != "":
        return empty_figure("No figures to show for this quarter: no return, or too few assignments to show.")
    rows = _order(by_la)
    labels = [_la_label(n, c, own_la, area) for n, c in zip(rows["la_name"], rows["la_code"])]
    pooled_label = f"<b>{area_name} (all)</b>"
    order = [pooled_label] + labels
    fig = go.Figure()
    if pooled.get("status", "") == "":
        fig.add_trace(_box(pd.DataFrame([pooled]), [pooled_label], LONDON, area_name + " (all)", "rgba(0,0,0,0.12)"))
    is_own = (rows["la_code"] == own_la) & (rows["status"] == "")
    others = (rows["la_code"] != own_la) & (rows["status"] == "")
    if others.any():
        fig.add_trace(_box(rows[others], [l for l, k in zip(labels, others) if k], SUBREGION, "Each LA", "rgba(0,114,178,0.25)"))
    if is_own.any():
        fig.add_trace(_box(rows[is_own], [l for l, k in zip(labels, is_own) if k], FOCUS, "Your LA", "rgba(213,94,0,0.3)"))
    values = list(shown["min"]) + list(shown["max"]) + [pooled.get("min"), pooled.get("max")]
    caps = list(caps_now["cap"]) if job == "all" else list(caps_now.loc[caps_now["job_type"] == job, "cap"])
    x_range = _range_axis(values, caps)
    missing = rows["status"] != ""
    text_x = x_range[0] + 0.01 * (x_range[1] - x_range[0])
    _status_markers(fig, [l for l, k in zip(labels, missing) if k], list(rows.loc[missing, "status"]), text_x)
    if pooled.get("status", "") != "":
        _status_markers(fig, [pooled_label], [pooled["status"]], text_x)
    _draw_caps(fig, caps_now, job)
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], title=None, automargin=True, tickfont={"size": 12})
    fig.update_xaxes(title="£ per hour (after PAYE adjustments)", range=x_range, tickprefix="£")
    base_layout(fig, height=max(380, 24 * len(order) + 140))
    fig.update_layout(margin={"t": 60})
    return fig


def _draw_caps(fig: go.Figure, caps_now: pd.DataFrame, job: str) -> None:
    if caps_now.empty:
        return
    if job != "all":
        value = caps_now.loc[caps_now["job_type"] == job, "cap"]
        if len(value):
            fig.add_vline(x=float(value.iloc[0]), line={"color": CAP_COLOUR, "dash": "dash", "width": 2},
                          annotation={"text": f"Cap £{float(value.iloc[0]):.2f}", "yanchor": "bottom"})
        return
    # All job types pooled: each has its own cap, so the band from the lowest to the highest cap is drawn.
    low, high = float(caps_now["cap"].min()), float(caps_now["cap"].max())
    fig.add_vrect(x0=low, x1=high, fillcolor="rgba(0,0,0,0.06)", line_width=0,
                  annotation={"text": f"Caps by job type: £{low:.2f} to £{high:.2f}", "yanchor": "bottom",
                              "y": 1.0, "yref": "paper", "x": low, "xanchor": "left"})
    for value in (low, high):
        fig.add_vline(x=value, line={"color": CAP_COLOUR, "dash": "dot", "width": 1})


def range_by_job_figure(by_job: pd.DataFrame, pooled: pd.Series, area_name: str) -> go.Figure:
    shown = by_job[by_job["status"] == ""]
    if shown.empty:
        return empty_figure("No figures to show for this quarter: no return, or too few assignments to show.")
    labels = list(by_job["job_name"])
    fig = go.Figure()
    for (_, row), label in zip(by_job.iterrows(), labels):
        if row["status"] == "":
            colour = JOB_COLOURS.get(row["job_type"], SUBREGION)
            fig.add_trace(_box(pd.DataFrame([row]), [label], colour, label, "rgba(255,255,255,0)"))
    x_range = _range_axis(list(shown["min"]) + list(shown["max"]), list(by_job["cap"].dropna()))
    missing = by_job["status"] != ""
    _status_markers(fig, [l for l, k in zip(labels, missing) if k], list(by_job.loc[missing, "status"]),
                    x_range[0] + 0.01 * (x_range[1] - x_range[0]))
    caps = by_job.dropna(subset=["cap"])
    fig.add_trace(go.Scatter(
        x=caps["cap"], y=list(caps["job_name"]), mode="markers+text", name="Cap",
        marker={"symbol": "line-ns", "size": 34, "line": {"width": 4, "color": CAP_COLOUR}, "color": CAP_COLOUR},
        text=[f"cap £{c:.2f}" for c in caps["cap"]], textposition="top center",
        hovertemplate="%{y}: cap £%{x:.2f}<extra></extra>"))
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], title=None, automargin=True)
    fig.update_xaxes(title=f"£ per hour (after PAYE adjustments), {area_name}", range=x_range, tickprefix="£")
    fig.update_layout(showlegend=False)
    return base_layout(fig, height=max(260, 70 * len(labels) + 120))


def overcap_trend_figure(per_quarter: pd.DataFrame) -> go.Figure:
    if (per_quarter["status"] == "").sum() == 0:
        return empty_figure("No figures to show: no return, or too few assignments in the quarters chosen.")
    fig = make_subplots(rows=1, cols=2, subplot_titles=("% of assignments over cap", "% of spend on over-cap assignments"),
                        horizontal_spacing=0.1)
    x = per_quarter["quarter"]
    for col, (all_col, excl_col) in enumerate([("pct_over", "pct_over_excl"), ("pct_spend_over", "pct_spend_over_excl")], 1):
        for column, name, colour, dash in ((all_col, "All assignments", SUBREGION, "solid"),
                                           (excl_col, "Excluding legacy contracts", EXCL_LEGACY, "dash")):
            fig.add_trace(go.Scatter(x=x, y=per_quarter[column], name=name, mode="lines+markers", legendgroup=name,
                                     showlegend=col == 1, line={"color": colour, "dash": dash, "width": 3},
                                     marker={"symbol": "circle" if dash == "solid" else "diamond", "size": 7},
                                     connectgaps=False, hovertemplate=f"{name}<br>%{{x}}: %{{y:.1f}}%<extra></extra>"),
                          row=1, col=col)
    spend = per_quarter["pct_spend_over"]
    if spend.notna().sum() > 1:
        best = int(spend.idxmin())
        fig.add_annotation(x=per_quarter.loc[best, "quarter"], y=spend[best], text=f"lowest: {spend[best]:.1f}%",
                           showarrow=True, arrowhead=2, ay=-35, row=1, col=2)
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(rangemode="tozero", ticksuffix="%")
    return _subplot_layout(fig, 400)


def overcap_by_la_figure(by_la: pd.DataFrame, own_la: str, area: str) -> go.Figure:
    if (by_la["status"] == "").sum() == 0:
        return empty_figure("No LA has figures to show for this quarter.")
    rows = by_la.assign(_rank=by_la["status"].map({"": 0, SUPPRESSED: 1, NONE_RETURNED: 2, NO_RETURN: 3}),
                        _value=-by_la["pct_spend_over"].fillna(0)).sort_values(["_rank", "_value"])
    labels = [_la_label(n, c, own_la, area) for n, c in zip(rows["la_name"], rows["la_code"])]
    fig = go.Figure()
    for column, name, colour, symbol, size in (("pct_spend_over", "All assignments", SUBREGION, "circle", 14),
                                               ("pct_spend_over_excl", "Excluding legacy contracts", EXCL_LEGACY, "diamond", 9)):
        fig.add_trace(go.Scatter(x=rows[column], y=labels, mode="markers", name=name,
                                 marker={"color": colour, "symbol": symbol, "size": size, "line": {"color": "#000", "width": 1}},
                                 hovertemplate=f"%{{y}}<br>{name}: %{{x:.1f}}%<extra></extra>"))
    own = rows["la_code"] == own_la
    if own.any() and rows.loc[own, "status"].iloc[0] == "":
        fig.add_trace(go.Scatter(x=rows.loc[own, "pct_spend_over"], y=[l for l, k in zip(labels, own) if k], mode="markers",
                                 name="Your LA", marker={"color": FOCUS, "size": 21, "symbol": "circle-open", "line": {"width": 3}},
                                 hoverinfo="skip"))
    missing = rows["status"] != ""
    _status_markers(fig, [l for l, k in zip(labels, missing) if k], list(rows.loc[missing, "status"]), 0.3)
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], title=None, automargin=True, tickfont={"size": 12})
    top = float(np.nanmax(rows[["pct_spend_over", "pct_spend_over_excl"]].to_numpy(dtype=float))) if (~missing).any() else 10
    fig.update_xaxes(title="% of spend on over-cap assignments", range=[0, max(10.0, top * 1.1)], ticksuffix="%")
    return base_layout(fig, height=max(360, 24 * len(rows) + 120))


def workforce_figure(per_quarter: pd.DataFrame, share: pd.DataFrame, area_name: str) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(f"Agency assignments in the Pledge return, {area_name}",
                                        "Agency share of social workers (benchmarking data)"))
    counts = per_quarter["n"].where(per_quarter["status"] == "")
    text = [f"{int(v):,}" if s == "" else STATUS_TEXT.get(s, s) for v, s in zip(per_quarter["n"], per_quarter["status"])]
    fig.add_trace(go.Bar(x=per_quarter["quarter"], y=counts, name="Agency assignments", marker={"color": SUBREGION},
                         text=text, textposition="outside", cliponaxis=False, showlegend=False,
                         hovertemplate="%{x}: %{text} assignments<extra></extra>"), row=1, col=1)
    for name, frame in share.groupby("series", sort=False):
        colour = FOCUS if "your LA" in name else LONDON if name.startswith("London") else SUBREGION
        x = frame["period_end"].map(_quarter)
        if "DfE census" in name:  # published once a year: a marker on the quarter of the 30 September census
            fig.add_trace(go.Scatter(x=x, y=frame["value"], name=name, mode="markers",
                                     marker={"symbol": "diamond", "size": 12, "color": "#ffffff",
                                             "line": {"color": colour, "width": 2}},
                                     hovertemplate=f"{name}<br>%{{x}}: %{{y:.1f}}%<extra></extra>"), row=1, col=2)
            continue
        fig.add_trace(go.Scatter(x=x, y=frame["value"], name=name, mode="lines+markers",
                                 line={"color": colour, "dash": "dash" if colour == LONDON else "solid",
                                       "width": 4 if colour == FOCUS else 2},
                                 connectgaps=False, hovertemplate=f"{name}<br>%{{x}}: %{{y:.1f}}%<extra></extra>"),
                      row=1, col=2)
    if share.empty or share["value"].notna().sum() == 0:
        fig.add_annotation(text="not in the benchmarking data", showarrow=False, xref="x2 domain", yref="y2 domain", x=0.5, y=0.5)
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(rangemode="tozero", row=1, col=1, title="assignments")
    fig.update_yaxes(rangemode="tozero", row=1, col=2, ticksuffix="%")
    return _subplot_layout(fig, 400)


def _quarter(day) -> str:
    from dashboard.metrics.pay import quarter_label
    return quarter_label(day)


def trend_figure(trend: pd.DataFrame) -> go.Figure:
    shown = trend[trend["status"] == ""]
    if shown.empty:
        return empty_figure("No figures to show: no return, or too few assignments in the quarters chosen.")
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=("Median hourly pay (band: middle half)", "Spread: upper minus lower quartile"))
    quarters = list(dict.fromkeys(trend["quarter"]))
    for job, frame in trend.groupby("job_type", sort=False):
        colour, name = JOB_COLOURS.get(job, SUBREGION), JOB_TYPES.get(job, job)
        frame = frame.set_index("quarter").reindex(quarters)
        fig.add_trace(go.Scatter(x=quarters + quarters[::-1], y=list(frame["q3"]) + list(frame["q1"])[::-1], fill="toself", mode="lines",
                                 fillcolor=_rgba(colour, 0.10), line={"width": 0}, hoverinfo="skip", showlegend=False,
                                 legendgroup=name), row=1, col=1)
        fig.add_trace(go.Scatter(x=quarters, y=frame["median"], name=name, mode="lines+markers", legendgroup=name,
                                 line={"color": colour, "width": 3}, connectgaps=False,
                                 hovertemplate=f"{name}<br>%{{x}}: median £%{{y:.2f}}<extra></extra>"), row=1, col=1)
        fig.add_trace(go.Scatter(x=quarters, y=frame["q3"] - frame["q1"], name=name, mode="lines+markers", legendgroup=name,
                                 showlegend=False, line={"color": colour, "width": 2, "dash": "dot"}, connectgaps=False,
                                 hovertemplate=f"{name}<br>%{{x}}: spread £%{{y:.2f}}<extra></extra>"), row=1, col=2)
    fig.update_xaxes(type="category", tickangle=-45)
    fig.update_yaxes(tickprefix="£", row=1, col=1)
    fig.update_yaxes(tickprefix="£", rangemode="tozero", row=1, col=2)
    return _subplot_layout(fig, 460)


def _subplot_layout(fig: go.Figure, height: int) -> go.Figure:
    """The shared look, with the legend lifted above the subplot titles so they never overlap."""
    base_layout(fig, height=height)
    fig.update_layout(margin={"t": 95}, legend={"y": 1.2, "yanchor": "bottom"})
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"
