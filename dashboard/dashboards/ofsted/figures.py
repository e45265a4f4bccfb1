"""Ofsted inspection charts: a grid of judgements (LAs x the five judgements), LAs by grade for groups of LAs, and
area SEND outcomes. Figures are plain dicts (no plotly validation: cheap to build and cache).

Okabe-Ito colours, one per grade, and every cell and bar segment also says its grade or count in words, so colour is
never the only cue. The focus LA is marked ◆ and outlined in black (colour already encodes the grade).
"""
from __future__ import annotations

import pandas as pd

from dashboard.chart_theme import empty_figure, plain_layout
from dashboard.dashboards.ofsted.data import GRADES, JUDGEMENTS, PRE_DATES
from dashboard.dashboards.ofsted.metrics import GRADE_LABELS, NO_JUDGEMENT, SEND_OUTCOMES, SHORT_NAMES, grade_text

GRADE_COLOURS = {"outstanding": "#0072B2", "good": "#56B4E9", "requires improvement": "#E69F00", "inadequate": "#CC79A7"}
NONE_COLOUR = "#E5E5E5"
SEND_COLOURS = {1: "#0072B2", 2: "#E69F00", 3: "#CC79A7"}   # as the SEND page draws them
FOCUS_LINE = "#000000"
# Grade -> its place on the grid's colour scale (best highest); no judgement is 0.
GRADE_SCORE = {grade: len(GRADES) - i for i, grade in enumerate(GRADES)}
# What each cell says (the page's description gives the abbreviations in full).
CELL_TEXT = {"outstanding": "Outstanding", "good": "Good", "requires improvement": "RI", "inadequate": "Inadequate",
             PRE_DATES: "pre-2023", None: "none given"}
COLUMN_NAMES = {"overall": "Overall<br>effectiveness", "leaders": "Impact of<br>leaders", "help_protection": "Help and<br>protection",
                "in_care": "Children<br>in care", "care_leavers": "Care<br>leavers"}


def _colour_scale() -> list:
    """A stepped scale: 0 = no judgement (grey), 1 = inadequate ... 4 = outstanding."""
    colours = [NONE_COLOUR] + [GRADE_COLOURS[g] for g in reversed(GRADES)]
    steps = len(colours)
    return [pair for i, colour in enumerate(colours) for pair in ([i / steps, colour], [(i + 1) / steps, colour])]


def _grade(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def judgement_grid(rows: pd.DataFrame, focus_code: str | None, empty_message: str) -> dict:
    """LAs (rows, top to bottom as given) x the five judgements, each cell coloured and written with its grade.
    `rows` has la_name, ons_code, held and a column per judgement."""
    if rows.empty or not rows["held"].any():
        return empty_figure(empty_message)
    shown = rows.iloc[::-1]   # plotly draws the first row at the bottom
    names = [f"<b>{n} ◆</b>" if c == focus_code else n for n, c in zip(shown["la_name"], shown["ons_code"])]
    columns = [COLUMN_NAMES[j] for j in JUDGEMENTS]
    z, text, hover = [], [], []
    for _, r in shown.iterrows():
        grades = [_grade(r[j]) for j in JUDGEMENTS]
        z.append([GRADE_SCORE.get(g, 0) for g in grades])
        text.append([CELL_TEXT.get(g, "") if r["held"] else "not held" for g in grades])
        published = f"published {r['publication_date']:%d %b %Y}" if pd.notna(r.get("publication_date")) else "no date"
        hover.append([f"{grade_text(g)}; {published}" if r["held"] else "No inspection held" for g in grades])
    trace = {
        "type": "heatmap", "z": z, "x": columns, "y": names, "text": text, "texttemplate": "%{text}",
        "textfont": {"size": 11}, "customdata": hover, "zmin": -0.5, "zmax": len(GRADES) + 0.5,
        "colorscale": _colour_scale(), "xgap": 2, "ygap": 2, "showscale": False,   # every cell says its grade
        "hovertemplate": "%{y}<br>%{x}: %{customdata}<extra></extra>",
    }
    shapes = []
    if focus_code in set(shown["ons_code"]):
        y = list(shown["ons_code"]).index(focus_code)
        shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": -0.5, "x1": len(columns) - 0.5,
                       "y0": y - 0.5, "y1": y + 0.5, "line": {"color": FOCUS_LINE, "width": 3}})
    layout = plain_layout(max(300, 24 * len(shown) + 120), xaxis={"side": "top", "title": None, "fixedrange": True, "tickangle": 0},
                          yaxis={"automargin": True, "title": None, "tickfont": {"size": 12}, "fixedrange": True},
                          shapes=shapes, plot_bgcolor="#ffffff", margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return {"data": [trace], "layout": layout}


def distribution_figure(table: pd.DataFrame, judgement: str) -> dict:
    """One stacked bar per group of LAs: the share of its LAs at each grade and with no judgement, each segment
    written with its count of LAs."""
    if table.empty or table["las"].sum() == 0:
        return empty_figure("No inspections held.")
    shown = table.iloc[::-1]
    names = [f"{a} ({n} LAs)" for a, n in zip(shown["area"], shown["las"])]
    data = []
    for grade, label, colour in [(g, GRADE_LABELS[g], GRADE_COLOURS[g]) for g in GRADES] + [("none", NO_JUDGEMENT, NONE_COLOUR)]:
        counts = shown[grade].tolist()
        data.append({
            "type": "bar", "orientation": "h", "name": label, "y": names,
            "x": [100 * c / n if n else None for c, n in zip(counts, shown["las"])],
            "text": [str(c) if c else "" for c in counts], "textposition": "inside", "insidetextanchor": "middle",
            "marker": {"color": colour, "line": {"color": "#ffffff", "width": 1}}, "customdata": counts,
            "hovertemplate": f"%{{y}}<br>{label}: %{{customdata}} LAs (%{{x:.0f}}%)<extra></extra>",
        })
    layout = plain_layout(max(280, 56 * len(shown) + 130), barmode="stack",
                          xaxis={"title": {"text": f"% of the group's LAs ({SHORT_NAMES[judgement].lower()})"},
                                 "range": [0, 100], "fixedrange": True},
                          yaxis={"automargin": True, "fixedrange": True}, legend={"traceorder": "normal"})
    return {"data": data, "layout": layout}


def send_figure(table: pd.DataFrame) -> dict:
    """London against England: the share of areas inspected under the 2023 area SEND framework with each outcome."""
    if table.empty or table["inspected"].sum() == 0:
        return empty_figure("No area SEND inspections under the 2023 framework are held.")
    shown = table.iloc[::-1]
    names = [f"{a} ({n} inspected)" for a, n in zip(shown["area"], shown["inspected"])]
    data = []
    for outcome, label in SEND_OUTCOMES.items():
        counts = shown[outcome].tolist()
        data.append({
            "type": "bar", "orientation": "h", "name": f"{outcome}: {label}", "y": names,
            "x": [100 * c / n if n else None for c, n in zip(counts, shown["inspected"])],
            "text": [str(c) if c else "" for c in counts], "textposition": "inside", "insidetextanchor": "middle",
            "marker": {"color": SEND_COLOURS[outcome], "line": {"color": "#ffffff", "width": 1}}, "customdata": counts,
            "hovertemplate": f"%{{y}}<br>Outcome {outcome}: %{{customdata}} areas (%{{x:.0f}}%)<extra></extra>",
        })
    layout = plain_layout(280, barmode="stack", xaxis={"title": {"text": "% of areas inspected"}, "range": [0, 100],
                                                       "fixedrange": True},
                          yaxis={"automargin": True, "fixedrange": True}, legend={"traceorder": "normal"})
    return {"data": data, "layout": layout}
