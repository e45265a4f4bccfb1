"""Health of looked-after children: its table and cached read (see dashboard.loader for the caching rules).

Published statistics, shared among all members, so every signed-in scope may read them, alike.
"""
from __future__ import annotations

import pandas as pd

from dashboard.area_measures.spec import check_scope, measure_table, read_values
from dashboard.dashboards.looked_after_health.metrics import MEASURES  # noqa: F401  (what its figures mean, read by My LA)
from dashboard.loader import AccessScope, cached_read

NAME = "looked_after_health"
LABEL = "health of looked-after children (DfE LAIT)"

looked_after_health_value = measure_table(NAME)


@cached_read(NAME, check=check_scope)
def looked_after_health_values(scope: AccessScope) -> pd.DataFrame:
    """measure, period, dfe_code, area_code, area_name, value (NaN where a marker stands), marker, source."""
    return read_values(looked_after_health_value)
