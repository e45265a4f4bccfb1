"""What a dashboard of published measures declares: its measures and its table of figures."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Column, Float, String, Table, select

from dashboard.loader import AccessScope, _read_sql
from dashboard.store import schema

ENGLAND, LONDON, INNER, OUTER = "970", "986", "987", "988"   # LAIT's numbers for the areas it publishes beside LAs
LAIT_SOURCE = "DfE, Local Authority Interactive Tool (LAIT)"


@dataclass(frozen=True)
class Measure:
    code: str            # LAIT's Short Desc, e.g. "CareLeaverAcc"
    name: str            # as the page names it
    unit: str            # "%", "score", "young people"
    polarity: str        # higher / lower / neither (is a higher figure better?)
    decimals: int
    definition: str      # plain English, from the DfE's data dictionary
    period_note: str = "year to 31 March"
    chart: bool = True   # drawn in the trend and LA charts (counts are shown in tables only)


def measure_table(name: str) -> Table:
    """A dashboard's figures: one row per measure, period and area (LAIT's LA Number, so statistical neighbours outside
    London match too), the value or, where the publication gives none, its marker; never 0 for a missing figure."""
    return Table(
        f"{name}_value", schema.metadata,
        Column("measure", String(60), primary_key=True),
        Column("period", String(20), primary_key=True),       # as published: "2025" = the year to 31 March 2025
        Column("dfe_code", String(10), primary_key=True),     # LAIT's LA Number (970 England, 986 London, ...)
        Column("area_code", String(40), nullable=False, default=""),   # ONS code where known; a joint return's both: "E09000021 / E09000027"
        Column("area_name", String(100), nullable=False),
        Column("value", Float, nullable=True),                # NULL when the publication gives a marker instead
        Column("marker", String(10), nullable=True),          # "-", "c", "x", ... as published
        Column("source", String(200), nullable=False),
    )


def check_scope(scope: AccessScope) -> None:
    """Published figures, the same for every member: any signed-in scope may read them."""
    if not isinstance(scope, AccessScope) or not scope.role or not scope.la_code:
        raise PermissionError("Published figures need a signed-in scope")


def read_values(table: Table) -> pd.DataFrame:
    """A dashboard's figures: measure, period, dfe_code, area_code, area_name, value (NaN where a marker stands),
    marker, source. Its `data` module declares the cached read that calls this."""
    frame = _read_sql(select(table).order_by(table.c.measure, table.c.period, table.c.dfe_code))
    frame["value"] = frame["value"].astype("float64")   # NULL stays NaN: a marker, never 0
    return frame
