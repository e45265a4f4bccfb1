"""Child-level episodes' charts, as plain dicts: for each category (a legal status, a measure), one bar per area
(the viewer's LA, its sub-region, London), each written with its value, so colour is never the only cue. Okabe-Ito
colours; the viewer's LA is orange, as on the other pages."""
from __future__ import annotations

import pandas as pd

from dashboard.chart_theme import empty_figure, plain_layout, wrap

AREA_COLOURS = ("#E69F00", "#0072B2", "#999999")   # own LA (orange), sub-region (blue), London (grey)


def by_area(table: pd.DataFrame, label: str, areas: list[str], *, axis: str, empty: str, suffix: str = "") -> dict:
    """Bars side by side for each row of `table`, one per area column; an area with no value (no return, not loaded)
    is left out of the chart (its table says why), and a chart with none says `empty`."""
    held = [a for a in areas if a in table.columns and pd.to_numeric(table[a], errors="coerce").notna().any()]
    if table.empty or not held:
        return empty_figure(empty)
    # Category names on a few short lines, level: a long name turned on its side took most of the chart's height.
    categories = [wrap(c, 14) for c in table[label].astype(str)]
    data = []
    for area in held:
        values = pd.to_numeric(table[area], errors="coerce")
        data.append({"type": "bar", "name": area, "x": categories, "y": values.tolist(),
                     "text": ["" if pd.isna(v) else f"{v:,.1f}".removesuffix(".0") + suffix for v in values],
                     "textposition": "outside", "cliponaxis": False,
                     "marker": {"color": AREA_COLOURS[areas.index(area) % len(AREA_COLOURS)]},
                     "hovertemplate": f"%{{x}}<br>{area}: %{{y:,.1f}}{suffix}<extra></extra>"})
    layout = plain_layout(400, barmode="group", xaxis={"fixedrange": True, "type": "category", "automargin": True, "tickangle": 0,
                                                    "tickfont": {"size": 11}},
                          yaxis={"title": {"text": axis}, "fixedrange": True, "rangemode": "tozero"},
                          legend={"orientation": "h", "y": 1.12})
    return {"data": data, "layout": layout}
