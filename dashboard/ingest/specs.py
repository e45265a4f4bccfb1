"""What each uploadable dataset looks like: its columns and rules, declared once.

The same declaration drives validation, the downloadable templates and their data dictionary.
(A small declarative validator of our own rather than pandera: the rules here are few, the reports
must name row, column, value and rule in plain English, and templates come from the same list.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str                       # "code", "date", "number"
    description: str
    required: bool = True           # the column must be in the file
    allow_blank: bool = False       # a cell may be empty (for a value: "no return" for that item)
    minimum: float | None = None
    maximum: float | None = None
    example: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    name: str                       # dataset name in the store (its version is in the cache keys)
    label: str
    description: str
    period_label: str               # what "period" means for this dataset
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]            # unique within one file
    max_rows: int
    la_column: str = "la_code"
    period_column: str = "period_end"
    # (row frame with parsed values, reference context) -> per-row problems: list of (index, column, rule)
    row_rules: tuple[Callable, ...] = field(default_factory=tuple)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _numerator_not_above_denominator(rows: pd.DataFrame, _context) -> list[tuple[int, str, str]]:
    both = rows["numerator"].notna() & rows["denominator"].notna()
    bad = rows.index[both & (rows["numerator"] > rows["denominator"])]
    return [(i, "numerator", "numerator above denominator") for i in bad]


def _within_indicator_range(rows: pd.DataFrame, context) -> list[tuple[int, str, str]]:
    """Percentages must lie in 0-100; every value is 0 or more."""
    units = rows["indicator_code"].map(context["units"])
    value = rows["value"]
    problems = [(i, "value", "below 0") for i in rows.index[value.notna() & (value < 0)]]
    problems += [(i, "value", "a percentage above 100") for i in rows.index[value.notna() & (units == "%") & (value > 100)]]
    return problems


BENCHMARKING = DatasetSpec(
    name="benchmarking",
    label="Quarterly benchmarking return (regional dataset)",
    description="One row per indicator, for one LA and one quarter. Leave value blank for an indicator you "
                "cannot return this quarter: it shows as 'no return', never as 0.",
    period_label="quarter end (YYYY-MM-DD: 30 June, 30 September, 31 December or 31 March)",
    columns=(
        ColumnSpec("la_code", "code", "ONS code of the LA making the return (E09000001-E09000033).", example="E09000022"),
        ColumnSpec("period_end", "date", "Last day of the financial quarter the figures are for.", example="2026-09-30"),
        ColumnSpec("indicator_code", "code", "Indicator code from the catalogue (see the Indicators sheet).",
                   example="cla_rate"),
        ColumnSpec("value", "number", "The indicator's value in its unit; blank means no return.", allow_blank=True,
                   example="52.4"),
        ColumnSpec("numerator", "number", "Optional: the count the value is built from.", required=False,
                   allow_blank=True, minimum=0, example="312"),
        ColumnSpec("denominator", "number", "Optional: the population or total it is divided by.", required=False,
                   allow_blank=True, minimum=0, example="59540"),
    ),
    key=("indicator_code",),
    max_rows=500,
    row_rules=(_numerator_not_above_denominator, _within_indicator_range),
)

SPECS = {spec.name: spec for spec in (BENCHMARKING,)}
