"""Figures as small as what they show (chart_theme.lean_figure): values are written in the browser exactly as before,
marks stay where they were to 1/100,000 of their scale, and the theme keeps every part the figure draws with."""
from __future__ import annotations

import json

import numpy as np

from dashboard.chart_theme import lean_figure, plain_layout, to_fixed


def test_to_fixed_rounds_as_the_browser_writes_numbers():
    # JavaScript's (0.125).toFixed(2) is "0.13" and (2.5).toFixed(0) is "3"; 1.005 is stored as 1.00499..., so "1.00".
    assert to_fixed([0.125, 1.005, 2.675, -0.125], 2).tolist() == [0.13, 1.0, 2.67, -0.13]
    assert to_fixed([2.5, -2.5, 0.5], 0).tolist() == [3.0, -3.0, 1.0]
    assert np.isnan(to_fixed([np.nan], 1)[0])


def test_values_keep_what_the_hover_writes_and_where_the_mark_is():
    values = np.array([100 / 7, 0.04996, 99.95, np.nan])
    figure = {"data": [{"type": "bar", "x": values, "y": ["a", "b", "c", "d"], "hovertemplate": "%{x:.1f}%"}],
              "layout": plain_layout(300)}
    lean = lean_figure(figure)["data"][0]["x"]
    assert lean[3] is None   # missing stays missing, never 0
    for before, after in zip(values[:3], lean[:3]):
        assert f"{to_fixed([before], 1)[0]:.1f}" == f"{to_fixed([after], 1)[0]:.1f}"   # written the same
        assert abs(before - after) <= 1e-5 * 100                                       # drawn in the same place
    assert len(json.dumps(lean[:3])) < len(json.dumps(values[:3].tolist()))


def test_values_written_raw_are_kept():
    raw = [1.23456789, 2.3456789]
    default_hover = {"type": "scatter", "x": [1, 2], "y": raw}
    unformatted = {"type": "scatter", "x": [1, 2], "y": raw, "hovertemplate": "%{y}"}
    dates = {"type": "scatter", "x": [1.7e12 + 123456.0, 1.8e12], "y": raw, "hovertemplate": "%{x|%d %b %Y}: %{y}"}
    lean = lean_figure({"data": [default_hover, unformatted, dates], "layout": {}})["data"]
    assert lean[0]["y"] == raw and lean[1]["y"] == raw and lean[2]["x"] == dates["x"]


def test_the_template_keeps_what_the_figure_draws_with():
    layout = plain_layout(300)
    bars = lean_figure({"data": [{"type": "bar", "x": [1], "y": ["a"], "marker": {"color": "#000"}}], "layout": layout})
    kept = bars["layout"]["template"]["layout"]
    assert {"xaxis", "yaxis", "font", "colorway", "plot_bgcolor"} <= set(kept)
    assert not {"colorscale", "polar", "scene", "geo", "ternary"} & set(kept)
    scaled = lean_figure({"data": [{"type": "scatter", "x": [1], "y": [1], "marker": {"color": [0.5]}}], "layout": layout})
    assert "colorscale" in scaled["layout"]["template"]["layout"]
    assert "colorscale" in layout["template"]["layout"]   # the shared layout is not changed
