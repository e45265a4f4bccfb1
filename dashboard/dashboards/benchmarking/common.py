"""What Benchmarking's two views build alike: the regional return's (view.py) and the published statistics'
(published.py). The view's shape, the change arrow and the notes both give."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.ranking import RANKING_RULES  # noqa: F401  (the rules' words live with the rules)
from dashboard.sentences import points_word

POLARITY_TEXT = {
    "higher": "Higher is better.",
    "lower": "Lower is better.",
    "neither": "Neither higher nor lower is better in itself: this is not a performance ranking.",
}


def indicator_options(catalogue: pd.DataFrame, grouped_by: str, *, sort: bool) -> list[dict]:
    """The indicator dropdown's options grouped by a column of the catalogue ("theme", "source"): a disabled heading
    per group, then its indicators; the groups in name order when `sort`, else in the catalogue's."""
    options = []
    for group, frame in catalogue.groupby(grouped_by, sort=sort):
        options.append({"label": f"— {group} —", "value": f"{grouped_by}:{group}", "disabled": True})
        options += [{"label": name, "value": code} for code, name in zip(frame["code"], frame["name"])]
    return options


@dataclass
class BenchmarkingView:
    indicator: dict
    focus_name: str
    period_label: str
    range_label: str
    is_demo: bool
    kpis: list[tuple[str, str, str]]               # (label, value, note)
    series_figure: object
    ranking_figure: object
    subregion_figure: object
    ranking_table: pd.DataFrame
    series_table: pd.DataFrame
    n_returned: int
    n_las: int
    notes: list[tuple[str, str]] = field(default_factory=list)
    takeaways: dict[str, str] = field(default_factory=dict)    # chart -> one sentence saying what it shows


# Units that count children (not a rate or a share): London's published figure for them is the total of its LAs,
# so an LA's count is said as a part of it, never as "below London's figure".
COUNT_UNITS = frozenset({"children"})


def change_text(change: float, dp: int, unit: str, polarity: str,
                missing: str = "a quarter has no return") -> tuple[str, str]:
    """(arrow and size, "better"/"worse"/"") of a change; "not available" (and why) when either period has no figure."""
    if np.isnan(change):
        return "not available", missing
    arrow = "▲" if change > 0 else "▼" if change < 0 else "–"
    size = f"{abs(change):,.{dp}f}"
    text = f"{arrow} {size}" + (points_word(size) if unit == "%" else "")
    if change == 0 or polarity == "neither":
        return text, ""
    return text, "better" if (change > 0) == (polarity == "higher") else "worse"
