"""Care leavers: its table and cached read (see dashboard.loader for the caching rules).

Published statistics, shared among all members, so every signed-in scope may read them, alike.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from dashboard.area_measures.spec import measure_table
from dashboard.loader import AccessScope, _read_sql, cached_read

NAME = "care_leavers"
LABEL = "care leavers (DfE LAIT)"

care_leavers_value = measure_table(NAME)


def check_scope(scope: AccessScope) -> None:
    if not isinstance(scope, AccessScope) or not scope.role or not scope.la_code:
        raise PermissionError("Care leavers' figures need a signed-in scope")


@cached_read(NAME, check=check_scope)
def care_leavers_values(scope: AccessScope) -> pd.DataFrame:
    """measure, period, dfe_code, area_code, area_name, value (NaN where a marker stands), marker, source."""
    t = care_leavers_value
    frame = _read_sql(select(t).order_by(t.c.measure, t.c.period, t.c.dfe_code))
    frame["value"] = frame["value"].astype("float64")   # NULL stays NaN: a marker, never 0
    return frame
