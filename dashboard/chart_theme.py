"""Shared chart look: Okabe-Ito colour-blind-safe colours; the user's own LA always stands out."""
from __future__ import annotations

import base64
import copy
import decimal
import functools
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

FOCUS = "#D55E00"        # vermillion: the focus LA, everywhere
SUBREGION = "#0072B2"    # blue
LONDON = "#000000"       # black
ENGLAND = "#7F7F7F"      # grey
NEIGHBOURS = "#009E73"   # bluish green: statistical neighbours
# Quartile bands, darkest = best (or highest where no direction is better); one hue, so order reads without colour names.
QUARTILE_COLOURS = {1: "#08306B", 2: "#2171B5", 3: "#6BAED6", 4: "#C6DBEF"}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


def _light_template() -> go.layout.Template:
    """plotly_white's layout with a few trace defaults, registered once as every figure's default template.

    plotly copies a figure's template into it: the full plotly_white costs about 5 ms per figure and 4 kB in
    every figure sent to the browser; this light one costs a tenth of a millisecond and 2 kB."""
    template = go.layout.Template(layout=pio.templates["plotly_white"].layout)
    template.layout.update(font={"family": FONT, "size": 13, "color": "#1b1b1b"}, hoverlabel={"font": {"family": FONT}},
                           separators=".,")
    template.data.bar = [go.Bar(marker={"line": {"color": "white", "width": 0.5}})]
    template.data.pie = [go.Pie(automargin=True)]
    return template


pio.templates["lcsd"] = _light_template()
pio.templates.default = "lcsd"


def base_layout(fig: go.Figure, *, height: int = 420, title: str | None = None) -> go.Figure:
    fig.update_layout(   # the template (font, colours, grid) is the default one above
        height=height, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10}, title={"text": title} if title else None,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
    )
    return fig


@functools.lru_cache(maxsize=1)
def _base_layout_json() -> dict:
    return base_layout(go.Figure()).to_plotly_json()["layout"]


def plain_layout(height: int, **parts) -> dict:
    """`base_layout`'s layout as a plain dict, for figures built as dicts (no plotly validation: far cheaper), with
    `parts` merged in one level deep; the shared base is never changed."""
    layout = dict(_base_layout_json())
    layout["height"] = height
    for key, value in parts.items():
        layout[key] = {**layout[key], **value} if isinstance(value, dict) and isinstance(layout.get(key), dict) else value
    return layout


@functools.lru_cache(maxsize=32)
def _empty_figure_json(message: str, height: int) -> dict:
    return empty_figure(message, height).to_plotly_json()


def plain_empty_figure(message: str, height: int = 300) -> dict:
    """`empty_figure` as a plain dict (made by plotly once per message; a copy, so the shared one is never changed)."""
    return copy.deepcopy(_empty_figure_json(message, height))


def wrap(text: str, width: int = 34) -> str:
    """A long label on several lines (<br>), so the chart keeps its width."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(lines + [line])


def empty_figure(message: str, height: int = 300) -> go.Figure:
    """A figure that says why there is nothing to draw, instead of an empty axis (on lines that fit a half-width
    card: one long line ran off both its edges)."""
    fig = go.Figure()
    fig.add_annotation(text=wrap(message, 55), showarrow=False, font={"size": 15}, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, height=height)


def values_beside_bars(fig: go.Figure, labels, texts, right_of: float) -> float:
    """Horizontal bars' value labels as one column of text right of every bar and reference line (`right_of`: the
    largest x drawn), so no London or England line runs through a label. Returns where the x axis should end."""
    fig.update_traces(textposition="none", selector={"type": "bar"})   # the bar keeps its text for the hover
    trace, axis_end = value_column(labels, texts, right_of)
    fig.add_trace(go.Scatter(trace))
    return axis_end


def value_column(labels, texts, right_of: float) -> tuple[dict, float]:
    """`values_beside_bars` for a figure built as a dict: (the column of values as a trace, where the x axis should
    end). The bars' own `textposition` is "none" (they keep their text for the hover)."""
    edge = right_of if right_of and right_of > 0 else 1.0
    return ({"type": "scatter", "x": [edge * 1.03] * len(labels), "y": list(labels), "mode": "text", "text": list(texts),
             "textposition": "middle right", "cliponaxis": False, "hoverinfo": "skip", "showlegend": False,
             "name": "values"}, edge * 1.45)


def comparator_lines(series: pd.DataFrame, x: str, focus_name: str, styles: dict[str, tuple[str, str]],
                     decimals: int) -> go.Figure:
    """The focus LA's line against its comparators', one per value of `series["series"]` (in order): the focus thick,
    solid and circled; each comparator in its colour and dash from `styles` (by name; a sub-region's otherwise), so the
    lines read apart without colour too. Gaps stay gaps."""
    return go.Figure(comparator_traces(series, x, focus_name, styles, decimals))


def comparator_traces(series: pd.DataFrame, x: str, focus_name: str, styles: dict[str, tuple[str, str]],
                      decimals: int) -> list[dict]:
    """`comparator_lines`' traces as plain dicts, for a figure built as a dict."""
    traces = []
    for name, frame in series.groupby("series", sort=False):
        is_focus = name == focus_name
        colour, dash = (FOCUS, "solid") if is_focus else styles.get(name, (SUBREGION, "dashdot"))
        traces.append({
            "type": "scatter", "x": frame[x].tolist(), "y": frame["value"].to_numpy(dtype=float), "name": name,
            "mode": "lines+markers", "connectgaps": False,
            "line": {"color": colour, "width": 4 if is_focus else 2, "dash": dash},
            "marker": {"size": 8 if is_focus else 5, "symbol": "circle" if is_focus else "diamond"},
            "hovertemplate": f"{name}<br>%{{x}}: %{{y:,.{decimals}f}}<extra></extra>",
        })
    return traces


# --- figures as small as what they show (issue 26) -------------------------------------------------------------------
# A figure's JSON carried every float at full precision (17 digits) and the whole theme template. `lean_figure` rounds
# each numeric data array to what the chart shows and leaves out the template's parts no trace of the figure uses; what
# the user sees (positions, hover and text, axes, colours) is the same.

POSITION_DIGITS = 5          # significant digits kept where a value only places a mark: 1/100,000 of its scale
_NUMERIC_KEYS = ("x", "y", "z", "base", "customdata")
_FIELD = re.compile(r"%\{(x|y|z|base|customdata)(?:\[(\d+)\])?([:|][^}]*)?\}")
# Template parts drawn only by some trace types (or by a colour scale); a figure none of whose traces use them
# draws the same without them.
_SUBPLOT_TRACES = {"scene": {"scatter3d", "surface", "mesh3d", "cone", "streamtube", "volume", "isosurface"},
                   "polar": {"scatterpolar", "scatterpolargl", "barpolar"}, "ternary": {"scatterternary"},
                   "geo": {"scattergeo", "choropleth"}}
_SCALED_TRACES = {"heatmap", "contour", "choropleth", "histogram2d", "histogram2dcontour", "densitymap",
                  "choroplethmap", "surface", "mesh3d", "cone", "streamtube", "volume", "isosurface", "parcoords",
                  "sunburst", "treemap", "icicle"}


def to_fixed(values, decimals: int) -> np.ndarray:
    """`values` rounded to `decimals` places as the browser writes them (d3-format's "f", JavaScript's toFixed: half
    away from zero on the float's exact value), so a value rounded here is written exactly as the original was."""
    values = np.asarray(values, dtype=float)
    scale = 10.0 ** decimals
    rounded = np.round(values, decimals)
    scaled = np.abs(values) * scale
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6   # a tie, or near enough that scaling may have moved it
    for i in np.flatnonzero(near_half & np.isfinite(values)):
        exact = decimal.Decimal(float(values.flat[i])).quantize(decimal.Decimal(1).scaleb(-decimals),
                                                                rounding=decimal.ROUND_HALF_UP)
        rounded.flat[i] = float(exact)
    return rounded


def _shown_decimals(trace: dict) -> dict[tuple, int | None]:
    """How the trace's hover and text templates write each numeric field: {(key, column): decimals}, None where a
    template writes it unformatted or in a format that is not fixed-point."""
    shown: dict[tuple, int | None] = {}
    for template in (trace.get("hovertemplate"), trace.get("texttemplate")):
        text = " ".join(map(str, template)) if isinstance(template, (list, tuple)) else str(template or "")
        for key, column, spec in _FIELD.findall(text):
            found = re.fullmatch(r":,?\.(\d+)([f%])", spec or "")
            decimals = None if not found else int(found.group(1)) + (2 if found.group(2) == "%" else 0)
            where = (key, int(column) if column else None)
            shown[where] = decimals if shown.get(where, decimals) == decimals else None
    return shown


def _hover_writes_raw(trace: dict) -> bool:
    """Whether plotly's default hover (no template) writes the trace's x and y values."""
    return (not trace.get("hovertemplate") and trace.get("hoverinfo") not in ("skip", "none")
            and trace.get("hoverinfo", "all") != "text" and trace.get("hoverinfo", "all") != "name")


def _rounded_column(values: np.ndarray, shown: int | None | str) -> np.ndarray | None:
    """A numeric column rounded for display: to the decimals it is written with (and at least to POSITION_DIGITS of
    its scale), or to POSITION_DIGITS where it only places a mark; None to keep it as it is."""
    finite = values[np.isfinite(values)]
    if shown is None or not len(finite):
        return None
    largest = float(np.max(np.abs(finite)))
    position = max(0, POSITION_DIGITS - 1 - int(np.floor(np.log10(largest)))) if largest > 0 else 0
    if shown == "placed":
        return to_fixed(values, position)
    if shown >= position:
        return to_fixed(values, shown)
    rounded = to_fixed(values, position)
    written_before, written_after = to_fixed(values, shown), to_fixed(rounded, shown)
    return np.where(written_before == written_after, rounded, values)   # a double rounding that moves what is written: kept


def _numeric(value) -> np.ndarray | None:
    if isinstance(value, dict) and set(value) == {"dtype", "bdata"}:   # plotly's typed array (a go.Figure's JSON)
        if "shape" in value or value["dtype"] not in ("f8", "f4", "i4", "i2", "i1", "u4", "u2", "u1"):
            return None
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<")).astype(float)
    if isinstance(value, np.ndarray):
        return value.astype(float) if value.dtype.kind in "fiu" else None
    if isinstance(value, (list, tuple)) and value and all(
            v is None or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool)) for v in value):
        return np.array([np.nan if v is None else v for v in value], dtype=float)
    return None


def _as_json_list(values: np.ndarray) -> list:
    """Floats as JSON writes them shortest: whole numbers as ints, missing as null."""
    return [None if not np.isfinite(v) else int(v) if v == int(v) and abs(v) < 2 ** 53 else float(v)
            for v in values.tolist()]


def _lean_trace(trace: dict) -> dict:
    shown = _shown_decimals(trace)
    raw_xy = _hover_writes_raw(trace)
    out = dict(trace)
    for key in _NUMERIC_KEYS:
        value = trace.get(key)
        if value is None:
            continue
        array = _numeric(value)
        if array is not None and array.ndim == 1:
            if key in ("x", "y", "z") and raw_xy:
                continue
            how = shown.get((key, None), "placed" if key != "customdata" else None)
            rounded = _rounded_column(array, how)
            if rounded is not None:
                out[key] = _as_json_list(rounded)
        elif key == "customdata" and isinstance(value, np.ndarray) and value.ndim == 2 and value.dtype.kind in "fiu":
            columns = []
            for i in range(value.shape[1]):
                how = shown.get((key, i))
                rounded = _rounded_column(value[:, i].astype(float), how)
                columns.append(value[:, i].astype(float) if rounded is None else rounded)
            out[key] = [_as_json_list(row) for row in np.stack(columns, axis=-1)]
    return out


def _uses_colour_scale(traces: list[dict]) -> bool:
    for trace in traces:
        if trace.get("type") in _SCALED_TRACES or "coloraxis" in trace:
            return True
        for part in (trace.get("marker"), (trace.get("marker") or {}).get("line"), trace.get("line")):
            if isinstance(part, dict) and ("colorscale" in part or "coloraxis" in part or _numeric(part.get("color")) is not None):
                return True
    return False


def _lean_template(template: dict, traces: list[dict]) -> dict:
    layout = dict(template.get("layout") or {})
    types = {trace.get("type", "scatter") for trace in traces}
    for part, drawn_by in _SUBPLOT_TRACES.items():
        if not types & drawn_by:
            layout.pop(part, None)
    if not _uses_colour_scale(traces):
        layout.pop("colorscale", None)
        layout.pop("coloraxis", None)
    return {**template, "layout": layout}


def lean_figure(figure: dict) -> dict:
    """A figure built as a dict, as small as what it shows: each numeric data array (x, y, z, base, customdata) rounded
    to the decimals its hover or text template writes it with (exactly as written: see `to_fixed`), or, where it only
    places a mark, to POSITION_DIGITS significant digits of its largest value; values plotly's default hover writes
    raw are kept. The theme template keeps only the parts the figure's traces use. Returns a new dict."""
    if not isinstance(figure, dict) or not isinstance(figure.get("data"), (list, tuple)):
        return figure
    traces = [_lean_trace(t) if isinstance(t, dict) else t for t in figure["data"]]
    out = {**figure, "data": traces}
    layout = figure.get("layout")
    if isinstance(layout, dict) and isinstance(layout.get("template"), dict):
        out["layout"] = {**layout, "template": _lean_template(layout["template"], traces)}
    return out
