"""My LA's chart: how many indicators are flagged in each theme, better and worse (the table beside it says which)."""
from __future__ import annotations

import plotly.graph_objects as go

from dashboard.chart_theme import base_layout, empty_figure
from dashboard.dashboards.my_la.metrics import verdict

# Colour-blind-safe, and each bar also carries its word and pattern: never colour alone.
KINDS = (("better", "Better", "#0072B2", ""), ("worse", "Worse", "#D55E00", "/"), ("mixed", "Mixed", "#E69F00", "x"),
         ("neither", "Higher or lower (neither is better)", "#7F7F7F", "."))


def flagged_figure(rows: list[dict], themes: tuple[str, ...], la_name: str) -> go.Figure:
    flagged = [r for r in rows if r["exceptions"]]
    if not flagged:
        return empty_figure(f"No indicator is flagged for {la_name}.")
    shown = [t for t in themes if any(r["theme"] == t for r in flagged)]
    fig = go.Figure()
    for kind, label, colour, pattern in KINDS:
        counts = [sum(1 for r in flagged if r["theme"] == t and verdict(r["exceptions"]) == kind) for t in shown]
        if any(counts):
            fig.add_bar(y=shown, x=counts, name=label, orientation="h", marker={"color": colour, "pattern": {"shape": pattern}},
                        text=[c or "" for c in counts], textposition="inside",
                        hovertemplate=f"%{{y}}: %{{x}} {label.lower()}<extra></extra>")
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"}, xaxis={"title": "Indicators flagged", "dtick": 1},
                      legend={"orientation": "h", "y": -0.25})
    return base_layout(fig, height=140 + 40 * len(shown))
