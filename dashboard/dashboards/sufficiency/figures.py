"""Sufficiency charts: London tile map, distance bands, regions, Ofsted grades, flows, trends and the forecast.

Every chart takes the loader's (already suppressed) tables: a "c" is drawn as a gap or a grey tile, never as 0.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.utils import convert_to_base64

from dashboard.chart_theme import FOCUS, base_layout, plain_empty_figure as empty_figure
from dashboard.disclosure import SUPPRESSED, numeric

# Okabe-Ito colours by placement group (vermillion is kept for the focus LA).
GROUP_COLOURS = {
    "Foster care: in-house": "#0072B2", "Foster care: agency or other": "#56B4E9", "Children's homes": "#E69F00",
    "Supported accommodation": "#009E73", "Placed with parents": "#CC79A7", "Other": "#7F7F7F",
}
LOCATION_COLOURS = {"Inside own LA": "#0072B2", "Elsewhere in own sub-region": "#56B4E9", "Elsewhere in London": "#009E73",
                    "Outside London": "#E69F00", "Location not known": "#7F7F7F"}
BAR_COLOUR = "#0072B2"
SUPPRESSED_FILL = "#D9D9D9"
# London Squared tile grid (After the Flood, ISC licence): one equal tile per LA laid out like London.
TILE_GRID = {
    "E09000010": ("ENF", 4, 0), "E09000015": ("HRW", 2, 1), "E09000003": ("BRN", 3, 1), "E09000014": ("HGY", 4, 1),
    "E09000031": ("WTH", 5, 1), "E09000017": ("HDN", 0, 2), "E09000009": ("EAL", 1, 2), "E09000005": ("BRT", 2, 2),
    "E09000007": ("CMD", 3, 2), "E09000019": ("ISL", 4, 2), "E09000012": ("HCK", 5, 2), "E09000026": ("RDB", 6, 2),
    "E09000016": ("HVG", 7, 2), "E09000018": ("HNS", 0, 3), "E09000013": ("HMS", 1, 3), "E09000020": ("KNS", 2, 3),
    "E09000033": ("WST", 3, 3), "E09000001": ("CTY", 4, 3), "E09000030": ("TOW", 5, 3), "E09000025": ("NWM", 6, 3),
    "E09000002": ("BAR", 7, 3), "E09000027": ("RCH", 1, 4), "E09000032": ("WNS", 2, 4), "E09000022": ("LAM", 3, 4),
    "E09000028": ("SWR", 4, 4), "E09000023": ("LSH", 5, 4), "E09000011": ("GRN", 6, 4), "E09000004": ("BXL", 7, 4),
    "E09000021": ("KNG", 2, 5), "E09000024": ("MRT", 3, 5), "E09000008": ("CRD", 4, 5), "E09000006": ("BRM", 5, 5),
    "E09000029": ("STN", 3, 6),
}
# The shared theme, validated once at import: building it per figure (its template is copied and checked each
# time) cost more than all of this page's data work. Figures are returned as plain dicts with it merged in.
_BASE_LAYOUT = base_layout(go.Figure()).to_plotly_json()["layout"]


def _figure(traces: list[dict], height: int, **layout) -> dict:
    """A figure as the plain dict plotly's `go.Figure(...).to_plotly_json()` gives for these traces and layout, built
    without plotly validating every property (which cost more than the page's data work): numeric arrays as plotly's
    typed arrays, as it sends them."""
    convert_to_base64(traces)
    return {"data": traces, "layout": {**_BASE_LAYOUT, **layout, "height": height}}


def _axis(title: str | None, **more) -> dict:
    """An axis as plotly writes `update_xaxes(title=..., ...)`: no title is an empty one."""
    return {"title": {"text": title} if title else {}, **more}


def _labels(values) -> np.ndarray:
    """Category labels as plotly keeps a column of them (an array of objects)."""
    return np.asarray(values, dtype=object)


BLUES = ["#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B"]


def _blue(value: float, top: float) -> str:
    if top <= 0:
        return BLUES[0]
    return BLUES[min(len(BLUES) - 1, int(round(value / top * (len(BLUES) - 1))))]


def anonymous_grid(tiles: pd.DataFrame, viewer: str | None) -> dict[str, tuple[str, int, int]]:
    """Tile places for an anonymised map: a tile's place on the map would name its borough, so tiles go in the
    order of the rows (label order), eight to a row, each written with its label (the viewer's own keeps its
    abbreviation)."""
    return {code: (TILE_GRID[code][0] if code == viewer else name, i % 8, i // 8)
            for i, (code, name) in enumerate(zip(tiles["la_code"], tiles["LA"]))}


def tile_map(tiles: pd.DataFrame, focus_codes: set[str], what: str, *, anonymised: bool = False,
             viewer: str | None = None) -> dict:
    """One square per London LA, shaded by children placed there; "c" tiles grey; the focus LA(s) outlined.
    Anonymised, the tiles are laid out in label order instead (see `anonymous_grid`)."""
    tiles = tiles[tiles["la_code"].notna()]
    grid = anonymous_grid(tiles, viewer) if anonymised else TILE_GRID
    values = numeric(tiles["Children"]).to_numpy()
    if np.nansum(values) == 0 and not (tiles["Children"] == SUPPRESSED).any():
        return empty_figure(f"No children {what} with these filters.", height=460)
    top = np.nanmax(values) if np.isfinite(values).any() else 0
    shapes, annotations, xs, ys, hover = [], [], [], [], []
    for (code, name, shown), value in zip(tiles[["la_code", "LA", "Children"]].itertuples(index=False), values):
        abbr, x, y = grid[code]
        y = -y
        suppressed = shown == SUPPRESSED
        fill = SUPPRESSED_FILL if suppressed else _blue(value, top)
        is_focus = code in focus_codes
        shapes.append({"fillcolor": fill, "line": {"color": FOCUS if is_focus else "#FFFFFF", "width": 4 if is_focus else 1},
                       "type": "rect", "x0": x - 0.46, "x1": x + 0.46, "y0": y - 0.46, "y1": y + 0.46})
        dark = not suppressed and top > 0 and value / top > 0.55
        annotations.append({"font": {"color": "#FFFFFF" if dark else "#1B1B1B", "size": 12}, "showarrow": False,
                            "text": f"<b>{abbr}</b><br>{shown}", "x": x, "y": y})
        xs.append(x)
        ys.append(y)
        hover.append(f"{name}: {shown} children" + (" (1 to 5: suppressed)" if suppressed else ""))
    trace = {"hoverinfo": "text", "hovertext": hover, "marker": {"opacity": 0, "size": 40}, "mode": "markers",
             "showlegend": False, "x": xs, "y": ys, "type": "scatter"}
    return _figure([trace], 460, xaxis={"visible": False, "range": [-0.6, 7.6]},
                   yaxis={"visible": False, "range": [-6.6, 0.6], "scaleanchor": "x", "scaleratio": 1},
                   shapes=shapes, annotations=annotations)


def bar_chart(table: pd.DataFrame, label: str, *, horizontal: bool = True, colours: dict | None = None,
              empty_message: str = "No children with these filters.") -> dict:
    """Counts by category (the table's Total row left out). A suppressed count is a bar of no length labelled "c",
    so the reader sees the category is hidden, not missing or zero."""
    body = table[table[label] != "Total"]
    values = numeric(body["Children"]).mask(body["Children"] == SUPPRESSED, 0)
    if values.fillna(0).sum() == 0 and not (body["Children"] == SUPPRESSED).any():
        return empty_figure(empty_message)
    text = [str(v) for v in body["Children"]]
    colour = [(colours or {}).get(c, BAR_COLOUR) for c in body[label]]
    labels, counts = _labels(body[label]), values.to_numpy()
    bar = {"cliponaxis": False, "hovertemplate": "%{y}: %{text}<extra></extra>" if horizontal else "%{x}: %{text}<extra></extra>",
           "marker": {"color": colour}, "orientation": "h" if horizontal else "v", "text": text, "textposition": "outside",
           "x": counts if horizontal else labels, "y": labels if horizontal else counts, "type": "bar"}
    if horizontal:
        return _figure([bar], 320, yaxis={"autorange": "reversed", "title": {}}, xaxis=_axis("children", rangemode="tozero"))
    return _figure([bar], 320, yaxis=_axis("children", rangemode="tozero"), xaxis=_axis(None))


def sankey(flows: pd.DataFrame, categories: list[str], colours: dict) -> dict:
    """From looking-after LA or sub-region (left) to where or with whom children are placed (right)."""
    body = flows[flows["From"] != "Total"]
    sources = list(body["From"])
    if not sources:
        return empty_figure("No children with these filters.", height=420)
    # Each node says how many children it stands for, from the table's own (suppressed) totals: "Lambeth: 377".
    total_row = flows[flows["From"] == "Total"]
    row_totals = list(body["Total"]) if "Total" in body.columns else [None] * len(sources)
    column_totals = [total_row[c].iloc[0] if len(total_row) and c in total_row.columns else None for c in categories]
    labels = ([_counted(name, n) for name, n in zip(sources, row_totals)]
              + [_counted(name, n) for name, n in zip(categories, column_totals)])
    link_s, link_t, link_v, link_c = [], [], [], []
    for i, row in enumerate(body.itertuples(index=False)):
        row = dict(zip(body.columns, row))
        for j, category in enumerate(categories):
            value = row[category]
            if isinstance(value, str) or value is None or value == 0:
                continue   # "c" links are not drawn: their width would give the count away
            link_s.append(i)
            link_t.append(len(sources) + j)
            link_v.append(value)
            link_c.append(_alpha(colours.get(category, "#7F7F7F"), 0.45))
    if not link_v:
        # A Sankey with nodes but no links makes plotly.js fail ("Invalid array length"): the image and deck gave 500s.
        return empty_figure("No flows to draw with these filters.", height=420)
    node_colours = ["#4D4D4D"] * len(sources) + [colours.get(c, "#7F7F7F") for c in categories]
    trace = {"arrangement": "snap",
             "link": {"color": link_c, "hovertemplate": "%{source.label} → %{target.label}: %{value} children<extra></extra>",
                      "source": link_s, "target": link_t, "value": link_v},
             "node": {"color": node_colours, "label": labels, "line": {"width": 0}, "pad": 14, "thickness": 16},
             "type": "sankey"}
    return _figure([trace], max(360, 26 * len(sources) + 120))


def _counted(name: str, count) -> str:
    """A flow node's label with its count as the table shows it ("c" stays "c"); the name alone where there is none."""
    if count is None or (not isinstance(count, str) and pd.isna(count)):
        return name
    return f"{name}: {count:,}" if not isinstance(count, str) else f"{name}: {count}"


def _alpha(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def trend_figure(trend: pd.DataFrame, groups: list[str]) -> dict:
    """Children looked after at each quarter end, stacked by placement type."""
    if trend.empty:
        return empty_figure("No quarters to show.")
    quarters = _labels(trend["Quarter end"])
    traces = [{"hovertemplate": f"{group}<br>%{{x}}: %{{y:,}}<extra></extra>",
               "line": {"color": GROUP_COLOURS[group], "width": 0.5}, "mode": "lines", "name": group, "stackgroup": "one",
               "x": quarters, "y": numeric(trend[group]).to_numpy(), "type": "scatter"} for group in groups]
    return _figure(traces, 380, yaxis=_axis("children looked after", rangemode="tozero"), xaxis=_axis(None))


def starts_ends_figure(table: pd.DataFrame) -> dict:
    if table.empty:
        return empty_figure("No months to show.")
    months = _labels(table["Month"])
    traces = [{"connectgaps": False, "hovertemplate": f"{column}<br>%{{x}}: %{{y}}<extra></extra>",
               "line": {"color": colour, "dash": dash, "width": 2}, "mode": "lines", "name": f"{column} to be looked after",
               "x": months, "y": numeric(table[column]).to_numpy(), "type": "scatter"}
              for column, colour, dash in (("Started", "#0072B2", "solid"), ("Ceased", "#E69F00", "dash"))]
    return _figure(traces, 340, yaxis=_axis("children per month", rangemode="tozero"))


def stability_figure(table: pd.DataFrame) -> dict:
    values = numeric(table["%"]) if not table.empty else pd.Series(dtype=float)
    if values.notna().sum() == 0:
        return empty_figure("No full years to show, or every year is suppressed.")
    bar = {"cliponaxis": False, "hovertemplate": "%{x}: %{text}<extra></extra>", "marker": {"color": BAR_COLOUR},
           "text": [f"{v}%" if not isinstance(v, str) and v is not None else str(v) for v in table["%"]],
           "textposition": "outside", "x": _labels([f"Year to March {str(y)[:4]}" for y in table["Year to"]]),
           "y": values.to_numpy(), "type": "bar"}
    return _figure([bar], 320, yaxis=_axis("% with 3 or more placements", rangemode="tozero"))


AGE_COLOURS = {"Under 1": "#CC79A7", "1 to 4": "#E69F00", "5 to 9": "#009E73", "10 to 15": "#0072B2",
               "16 and over": "#D55E00"}


def forecast_figure(history: pd.DataFrame, forecast: pd.DataFrame, groups: list[str], column: str = "Placement type",
                    colours: dict | None = None) -> dict:
    """Observed children by placement type (or age band: `column`) (solid) and the forecast (dashed) with its 80% band."""
    if forecast.empty:
        return empty_figure("Not enough data to fit the model for this choice.")
    colours = colours or GROUP_COLOURS
    traces = []
    for group in groups:
        colour = colours[group]
        past = history[history[column] == group]
        future = forecast[forecast[column] == group]
        traces += [
            {"fill": "toself", "fillcolor": _alpha(colour, 0.18), "hoverinfo": "skip", "legendgroup": group,
             "line": {"width": 0}, "showlegend": False, "x": list(future["Month"]) + list(future["Month"])[::-1],
             "y": list(numeric(future["High (90th percentile)"])) + list(numeric(future["Low (10th percentile)"]))[::-1],
             "type": "scatter"},
            {"hovertemplate": f"{group}<br>%{{x}}: %{{y}} (observed)<extra></extra>", "legendgroup": group,
             "line": {"color": colour, "width": 2}, "mode": "lines", "name": group, "x": _labels(past["Month"]),
             "y": numeric(past["Children"]).to_numpy(), "type": "scatter"},
            {"hovertemplate": f"{group}<br>%{{x}}: %{{y}} (forecast)<extra></extra>", "legendgroup": group,
             "line": {"color": colour, "dash": "dash", "width": 2}, "mode": "lines", "name": f"{group} (forecast)",
             "showlegend": False, "x": _labels(future["Month"]), "y": numeric(future["Expected"]).to_numpy(),
             "type": "scatter"},
        ]
    return _figure(traces, 420, yaxis=_axis("children looked after", rangemode="tozero"))


def cost_figure(costs: pd.DataFrame) -> dict:
    if costs.empty or numeric(costs["Expected"]).notna().sum() == 0:
        return empty_figure("No weekly cost to show: no unit costs, or every figure is suppressed.")
    traces = [
        {"fill": "toself", "fillcolor": _alpha("#0072B2", 0.18), "hoverinfo": "skip", "line": {"width": 0},
         "name": "80% band", "x": list(costs["Month"]) + list(costs["Month"])[::-1],
         "y": list(numeric(costs["High (90th percentile)"])) + list(numeric(costs["Low (10th percentile)"]))[::-1],
         "type": "scatter"},
        {"hovertemplate": "%{x}: £%{y:,.0f} a week<extra></extra>", "line": {"color": "#0072B2", "width": 3},
         "mode": "lines", "name": "Expected weekly cost", "x": _labels(costs["Month"]),
         "y": numeric(costs["Expected"]).to_numpy(), "type": "scatter"},
    ]
    return _figure(traces, 320, yaxis=_axis("£ per week", rangemode="tozero", tickprefix="£", separatethousands=True))
