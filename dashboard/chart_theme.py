"""Shared chart look: Okabe-Ito colour-blind-safe colours; the user's own LA always stands out."""
from __future__ import annotations

import copy
import functools

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
