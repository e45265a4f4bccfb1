"""Pieces of the plain-English sentences that say what a chart shows (every dashboard's takeaways)."""
from __future__ import annotations

import numpy as np


def ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def run_length(values: list[float]) -> tuple[str, int]:
    """('rose'|'fell'|'was unchanged', how many periods in a row) at the end of a series with no gaps."""
    direction, run = "", 0
    for before, after in zip(values[-2::-1], values[::-1]):
        if np.isnan(before) or np.isnan(after):
            break
        step = "rose" if after > before else "fell" if after < before else "was unchanged"
        if direction and step != direction:
            break
        direction, run = step, run + 1
    return direction, run


def points_word(size: str) -> str:
    """" point" after a figure written as exactly 1 ("▲ 1 point"); " points" after any other ("1.0 points", "2 points")."""
    return " point" if size == "1" else " points"
