"""What each uploadable dataset looks like: its columns and rules, declared once.

The same declaration drives validation, the downloadable templates and their data dictionary.
(A small declarative validator of our own rather than pandera: the rules here are few, the reports
must name row, column, value and rule in plain English, and templates come from the same list.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
from sqlalchemy import Table

from dashboard.ingest.periods import QUARTER, PeriodKind

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
    demo_only: tuple[Table, ...] = ()          # tables of demo rows no upload writes, emptied with the demo (scope "dataset")
    remove_demo_rows: Callable | None = None   # (connection) -> None: demo rows in tables real data fills too (scope "dataset")
    current_per_la: bool = False    # one current version per LA (a file holds the LA's whole history)
    context: Callable | None = None            # (connection, la, period) -> extra validation context
    queries: Callable | None = None            # (parsed rows, context) -> non-blocking queries (row, column, value, query)
    template: Callable | None = None           # (la, period, catalogue) -> rows to pre-fill (without LA and period)
    reference_sheets: Callable | None = None   # (catalogue) -> {sheet name: table} for the Excel template
    before_commit: Callable | None = None      # (connection) -> None: reference rows the dataset needs
    # A return of several files (a standard's tables, e.g. the DfE's SSDA903): (files as (name, bytes), la, period,
    # context, report) -> the records to commit, or None when the report refuses them
    read_files: Callable | None = None
    standard: str = ""                         # the standard return `read_files` reads ("ssda903"), by that name too

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


LA_COLUMN = ColumnSpec("la_code", "code", "ONS code of the LA making the return (E09000001-E09000033).", example="E09000022")


def count_or_none(value):
    """A parsed count as stored: an int, or None (a blank: "no return", never 0)."""
    return None if pd.isna(value) else int(value)


# --- the messages of a dataset's own validator -> (index, column, rule) ---------------------------------------

_MESSAGE = re.compile(r"^(?:(?P<file>[\w ]+), )?row (?P<row>\d+), column (?P<column>\w+): (?P<rest>.*)$", re.S)
_LEADING_VALUE = re.compile(r"^('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\S+) (?P<rule>.+)$", re.S)


def findings(messages: list[str], rows: dict[str, list[int]] | None = None, *, value_first: bool) -> list[tuple[int, str, str]]:
    """'row 7, column hourly_rate: '9' is outside 10-200' -> (5, 'hourly_rate', 'is outside 10-200').

    `rows` maps a message's file name to the index each of its rows came from (default: row - 2);
    `value_first`: the message repeats the value before the rule (the report shows the value anyway).
    """
    out = []
    for message in messages:
        match = _MESSAGE.match(message)
        if match is None:
            out.append((0, "", message))
            continue
        row = int(match["row"]) - FIRST_DATA_ROW
        index = rows[match["file"]][row] if rows and match["file"] in rows else row
        rule = match["rest"]
        if value_first:
            stripped = _LEADING_VALUE.match(rule)
            rule = stripped["rule"] if stripped else rule
        out.append((index, match["column"].lower(), rule))
    return out
