"""Cached readers of the regional benchmarking dataset (its tables are in dashboard.store.schema).

The regional dataset is shared among all members, so every signed-in scope may read it, alike.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from dashboard.loader import AccessScope, _read_sql, cached_read, kept_in_process
from dashboard.store import schema

NAME = "benchmarking"


# The regional data, not views: each indicator's figures and the quarters, kept in each worker per data version (a few
# thousand numbers), so a filter change does not read and parse them again even when the shared cache was emptied.
@kept_in_process(NAME)
@cached_read(NAME)
def benchmark_indicator(indicator_code: str, scope: AccessScope) -> dict:
    """{'values': la_code, period_end, value; 'england': period_end, value} for one indicator."""
    bv, cv = schema.benchmark_value, schema.comparator_value
    values = _read_sql(select(bv.c.la_code, bv.c.period_end, bv.c.value)
                       .where(bv.c.indicator_code == indicator_code).order_by(bv.c.period_end, bv.c.la_code))
    england = _read_sql(select(cv.c.period_end, cv.c.value)
                        .where(cv.c.indicator_code == indicator_code, cv.c.area == "England").order_by(cv.c.period_end))
    for frame in (values, england):
        frame["period_end"] = pd.to_datetime(frame["period_end"])
        frame["value"] = frame["value"].astype("float64")  # NULL stays NaN: "no return", never 0
    return {"values": values, "england": england}


@kept_in_process(NAME)
@cached_read(NAME)
def benchmark_periods() -> list[pd.Timestamp]:
    """Quarter ends that have any benchmarking data, oldest first."""
    bv = schema.benchmark_value
    frame = _read_sql(select(bv.c.period_end).distinct().order_by(bv.c.period_end))
    return list(pd.to_datetime(frame["period_end"]))
