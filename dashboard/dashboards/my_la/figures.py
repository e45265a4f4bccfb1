"""My LA's chart: how many indicators are flagged in each theme, better and worse (the table beside it says which).

Built as a plain dict on the shared theme's layout: plotly's object validation is not needed to draw it."""
from __future__ import annotations

from dashboard.chart_theme import plain_empty_figure, plain_layout
from dashboard.dashboards.my_la.metrics import verdict

# Colour-blind-safe, and each bar also carries its word and pattern: never colour alone.
KINDS = (("better", "Better", "#0072B2", ""), ("worse", "Worse", "#D55E00", "/"), ("mixed", "Mixed", "#E69F00", "x"),
         ("neither", "Higher or lower (neither is better)", "#7F7F7F", "."))


def flagged_figure(rows: list[dict], themes: tuple[str, ...], la_name: str) -> dict:
    flagged = [r for r in rows if r["exceptions"]]
    if not flagged:
        return plain_empty_figure(f"No indicator is flagged for {la_name}.")
    shown = [t for t in themes if any(r["theme"] == t for r in flagged)]
    data = []
    for kind, label, colour, pattern in KINDS:
        counts = [sum(1 for r in flagged if r["theme"] == t and verdict(r["exceptions"]) == kind) for t in shown]
        if any(counts):
            data.append({"type": "bar", "y": shown, "x": counts, "name": label, "orientation": "h",
                         "marker": {"color": colour, "pattern": {"shape": pattern}}, "text": [str(c) if c else "" for c in counts],
                         "textposition": "inside", "hovertemplate": f"%{{y}}: %{{x}} {label.lower()}<extra></extra>"})
    return {"data": data, "layout": plain_layout(140 + 40 * len(shown), barmode="stack", yaxis={"autorange": "reversed"},
                                                 xaxis={"title": {"text": "Indicators flagged"}, "dtick": 1})}
