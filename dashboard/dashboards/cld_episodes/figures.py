"""Child-level episodes' charts, as plain dicts: for each category (a legal status, a measure), one bar per area
(the viewer's LA, its sub-region, London), each written with its value, so colour is never the only cue. Okabe-Ito
colours; the viewer's LA is orange, as on the other pages."""
from __future__ import annotations

import math
import numbers

from dashboard.chart_theme import empty_figure, plain_layout, wrap

AREA_COLOURS = ("#E69F00", "#0072B2", "#999999")   # own LA (orange), sub-region (blue), London (grey)


def by_area(categories: list, values: dict[str, list], areas: list[str], *, axis: str, empty: str, suffix: str = "") -> dict:
    """Bars side by side for each category, one per area (`values`: each area's figure for each category, a number or
    None); an area with no figure (no return, not loaded) is left out of the chart (its table says why), and a chart
    with none says `empty`."""
    numbers = {a: [float(v) if is_number(v) else math.nan for v in values[a]] for a in areas if a in values}
    held = [a for a in areas if a in numbers and any(v == v for v in numbers[a])]   # v == v: not NaN
    if not categories or not held:
        return empty_figure(empty)
    # Category names on a few short lines, level: a long name turned on its side took most of the chart's height.
    wrapped = [wrap(str(c), 14) for c in categories]
    data = []
    for area in held:
        ys = numbers[area]
        data.append({"type": "bar", "name": area, "x": wrapped, "y": ys,
                     "text": ["" if v != v else f"{v:,.1f}".removesuffix(".0") + suffix for v in ys],
                     "textposition": "outside", "cliponaxis": False,
                     "marker": {"color": AREA_COLOURS[areas.index(area) % len(AREA_COLOURS)]},
                     "hovertemplate": f"%{{x}}<br>{area}: %{{y:,.1f}}{suffix}<extra></extra>"})
    layout = plain_layout(400, barmode="group", xaxis={"fixedrange": True, "type": "category", "automargin": True, "tickangle": 0,
                                                    "tickfont": {"size": 11}},
                          yaxis={"title": {"text": axis}, "fixedrange": True, "rangemode": "tozero"},
                          legend={"orientation": "h", "y": 1.12})
    return {"data": data, "layout": layout}


def is_number(value) -> bool:
    """A figure to draw: a number, not missing (a table's "no return" or "not loaded" is not drawn)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value
