"""Health of looked-after children's charts: the shared charts of pages of published measures, with the SDQ's bands
(normal, borderline, cause for concern) shaded and named behind the SDQ's trend, so a score reads against them."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.area_measures.spec import Measure
from dashboard.dashboards.looked_after_health.metrics import SDQ, SDQ_BANDS

BAND_SHADES = ("#FFFFFF", "#F2F2F2", "#E0E0E0")   # light greys: the bands read by their names, not colour


def with_sdq_bands(measure: Measure, figure: dict) -> dict:
    if measure.code != SDQ:
        return figure
    figure = go.Figure(figure)   # one measure's chart: plotly's own shading and labels, as a dict after
    for (low, high, label), shade in zip(SDQ_BANDS, BAND_SHADES):
        figure.add_hrect(y0=low, y1=high, fillcolor=shade, opacity=1, layer="below", line_width=0,
                         annotation_text=label.replace(" (", "<br>("), annotation_position="bottom right",
                         annotation={"x": 1, "xanchor": "left", "align": "left"}, annotation_font_size=11)
    figure.update_yaxes(range=[0, 20])
    figure.update_layout(margin={"r": 130})   # the bands' names stand right of the plot, clear of the lines
    return figure.to_plotly_json()
