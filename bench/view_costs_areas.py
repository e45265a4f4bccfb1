"""What a filter change costs on My LA, Workforce census, Care leavers and Health of looked-after children (issue 26).

    .venv/bin/python -m bench.view_costs_areas [--repeat 5] [--page my_la] [--profile default]

The same measurement as `bench.view_costs_a` (its harness, run with these pages' cases): CPU time of each page's render
callback sent as the browser sends it, uncached view / cold / cached change, bytes, each against the trivial callback.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import view_costs_a   # noqa: E402

LAMBETH, CAMDEN, KINGSTON = "E09000022", "E09000007", "E09000021"

CASES = [
    ("my_la", "default (own LA)", "myla-summary.children", "/my-la", {}),
    ("workforce_census", "default (own LA)", "csww-trend.figure", "/workforce-census", {}),
    ("workforce_census", "another focus LA", "csww-trend.figure", "/workforce-census", {"csww-focus": CAMDEN}),
    ("workforce_census", "joint return LA", "csww-trend.figure", "/workforce-census", {"csww-focus": KINGSTON}),
    ("workforce_census", "another measure", "csww-trend.figure", "/workforce-census", {"csww-measure": "vacancy_rate_fte"}),
    ("workforce_census", "another year", "csww-trend.figure", "/workforce-census", {"csww-year": "2020"}),
    ("care_leavers", "default (own LA)", "leavers-trend.figure", "/care-leavers", {}),
    ("care_leavers", "another focus LA", "leavers-trend.figure", "/care-leavers", {"leavers-focus": CAMDEN}),
    ("care_leavers", "another measure", "leavers-trend.figure", "/care-leavers", {"leavers-measure": "CareLeaversNEET"}),
    ("looked_after_health", "default (own LA)", "lachealth-trend.figure", "/looked-after-health", {}),
    ("looked_after_health", "the SDQ", "lachealth-trend.figure", "/looked-after-health", {"lachealth-measure": "Emotional_LAC"}),
]

if __name__ == "__main__":
    view_costs_a.CASES = CASES
    view_costs_a.main()
