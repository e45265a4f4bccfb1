"""What each uploadable dataset looks like: its columns and rules, declared once.

The same declaration drives validation, the downloadable templates and their data dictionary.
(A small declarative validator of our own rather than pandera: the rules here are few, the reports
must name row, column, value and rule in plain English, and templates come from the same list.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from sqlalchemy import Table, select

from dashboard.ingest.periods import QUARTER, PeriodKind
from dashboard.store import schema

FIRST_DATA_ROW = 2   # rows are numbered as a spreadsheet shows them: the header is row 1


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str                       # "code", "date", "number", "text" (checked by the dataset's own rules)
    description: str
    required: bool = True           # the column must be in the file
    allow_blank: bool = False       # a cell may be empty (for a value: "no return" for that item)
    minimum: float | None = None
    maximum: float | None = None
    example: str = ""
    integer: bool = False           # a number must be whole (a count)
    normalise: Callable[[str], str | None] | None = None   # code cell -> the code it means (None: not a code)


@dataclass(frozen=True)
class Target:
    """A store table one upload writes, and which of its rows one LA's upload replaces."""
    table: Table
    la_column: str = "la_code"
    period_rows: Callable[[Table, str], object] | None = None   # (table, period) -> the period's rows; None: all the LA's
    demo_rows: Callable[[Table], object] | None = None          # the LA's rows that are demo data (demo_scope "la")


@dataclass(frozen=True)
class DatasetSpec:
    name: str                       # dataset name in the store (its version is in the cache keys)
    label: str
    description: str
    period_label: str               # what "period" means for this dataset
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]            # unique within one file
    max_rows: int
    la_column: str | None = "la_code"          # None: the file does not name its LA (the choice does)
    period_column: str | None = "period_end"   # None: the file does not name its period
    # (row frame with parsed values, reference context) -> per-row problems: list of (index, column, rule)
    row_rules: tuple[Callable, ...] = field(default_factory=tuple)
    period: PeriodKind = QUARTER
    targets: tuple[Target, ...] = ()
    # (parsed rows, text rows, la, period, context) -> ({table name: records}, problems as (index, column, rule))
    to_store: Callable | None = None
    # "dataset": the first real upload removes every LA's demo rows; "la": only the uploading LA's
    demo_scope: str = "dataset"
    current_per_la: bool = False    # one current version per LA (a file holds the LA's whole history)
    context: Callable | None = None            # (connection, la, period) -> extra validation context
    queries: Callable | None = None            # (parsed rows, context) -> non-blocking queries (row, column, value, query)
    template: Callable | None = None           # (la, period, catalogue) -> rows to pre-fill (without LA and period)
    reference_sheets: Callable | None = None   # (catalogue) -> {sheet name: table} for the Excel template
    before_commit: Callable | None = None      # (connection) -> None: reference rows the dataset needs

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


def _benchmarking_context(conn, la_code: str, period: str) -> dict:
    """Indicator codes and units, and the LA's returns in the year before `period` (for queries)."""
    indicators = pd.read_sql(select(schema.indicator.c.code, schema.indicator.c.unit), conn)
    bv = schema.benchmark_value
    end = pd.Timestamp(period)
    history = pd.read_sql(select(bv.c.indicator_code, bv.c.period_end, bv.c.value)
                          .where(bv.c.la_code == la_code, bv.c.period_end < end.date(),
                                 bv.c.period_end >= (end - pd.DateOffset(years=1)).date(), bv.c.value.is_not(None)), conn)
    return {"codes": {"indicator_code": set(indicators["code"])},
            "units": dict(zip(indicators["code"], indicators["unit"])), "history": history}


def _benchmarking_queries(parsed: pd.DataFrame, context) -> list[dict]:
    """A value more than 50% away from the median of the LA's last four returns for that indicator
    (and by at least 1 unit) is queried, as collections do: it may be right, so it never blocks."""
    history = context.get("history")
    if history is None or history.empty:
        return []
    recent = history.groupby("indicator_code")["value"].agg(["median", "count"])
    queries = []
    for i, row in parsed.iterrows():
        if pd.isna(row["value"]) or row["indicator_code"] not in recent.index:
            continue
        median, count = recent.loc[row["indicator_code"]]
        if count >= 2 and abs(row["value"] - median) > max(0.5 * abs(median), 1):
            queries.append({"row": i + FIRST_DATA_ROW, "column": "value", "value": f"{row['value']:g}",
                            "query": f"far from this LA's recent returns (median of last {int(count)}: {median:g})"})
    return queries


def _benchmarking_rows(parsed: pd.DataFrame, _text, la_code: str, period: str, _context):
    end = pd.Timestamp(period).date()
    return {"benchmark_value": [{"la_code": la_code, "indicator_code": code, "period_end": end,
                                 "value": None if pd.isna(value) else float(value)}
                                for code, value in zip(parsed["indicator_code"], parsed["value"])]}, []


def _indicator_rows(_la, _period, catalogue: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"indicator_code": catalogue["code"]})


def _indicator_sheet(catalogue: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {"Indicators": catalogue[["code", "name", "unit", "decimal_places", "polarity", "definition"]]}


def _benchmark_targets() -> tuple[Target, ...]:
    return (Target(schema.benchmark_value, period_rows=lambda t, p: t.c.period_end == pd.Timestamp(p).date()),)


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
    targets=_benchmark_targets(),
    to_store=_benchmarking_rows,
    context=_benchmarking_context,
    queries=_benchmarking_queries,
    template=_indicator_rows,
    reference_sheets=_indicator_sheet,
)

