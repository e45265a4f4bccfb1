"""Workforce census: its table and cached read (see dashboard.loader for the caching rules).

Published statistics, shared among all members, so every signed-in scope may read them, alike.
"""
from __future__ import annotations

import pandas as pd

from dashboard.area_measures.spec import check_scope, measure_table, read_values
from dashboard.dashboards.workforce_census.metrics import MEASURES  # noqa: F401  (what its figures mean, read by My LA)
from dashboard.loader import AccessScope, cached_read, kept_in_process

NAME = "workforce_census"
LABEL = "children's social work workforce (DfE census)"

workforce_census_value = measure_table(NAME)


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def workforce_census_values(scope: AccessScope) -> pd.DataFrame:
    """measure, period, dfe_code ("314 / 318" for the joint return), area_code, area_name, value (NaN where a marker
    stands), marker, source."""
    return read_values(workforce_census_value)
