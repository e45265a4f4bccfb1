"""Health of looked-after children: its table and cached read (see dashboard.loader for the caching rules).

Published statistics, shared among all members, so every signed-in scope may read them, alike. Child-level figures
from the SSDA903 OC2 table (`oc2_figures`) are for commissioners and administrators only, protected as
`dashboard.area_measures.child_level` says.
"""
from __future__ import annotations

import pandas as pd

from dashboard.area_measures import child_level
from dashboard.area_measures.spec import check_scope, measure_table, read_values
from dashboard.dashboards.looked_after_health import metrics
from dashboard.dashboards.looked_after_health.metrics import MEASURES  # noqa: F401  (what its figures mean, read by My LA)
from dashboard.loader import AccessScope, cached_read

NAME = "looked_after_health"
LABEL = "health of looked-after children (DfE LAIT)"

looked_after_health_value = measure_table(NAME)


@cached_read(NAME, check=check_scope)
def looked_after_health_values(scope: AccessScope) -> pd.DataFrame:
    """measure, period, dfe_code, area_code, area_name, value (NaN where a marker stands), marker, source."""
    return read_values(looked_after_health_value)


# --- child level (SSDA903 OC2): commissioners and administrators only, every other LA's count protected ------------

def _per_la(scope: AccessScope, arguments: dict) -> bool:
    return True    # the viewer's own LA is counted exactly: only that LA may share it


@cached_read(child_level.DATASET, check=child_level.check_scope)
def oc2_years(scope: AccessScope) -> list[int]:
    """The collection years any LA's OC2 rows are for."""
    return child_level.years_with(child_level.rows("OC2"))


@cached_read(child_level.DATASET, check=child_level.check_scope, depends_on_caller=_per_la)
def oc2_figures(scope: AccessScope, year: int) -> dict:
    """The viewer's LA's, its sub-region's and London's children looked after for 12 months or more at 31 March `year`:
    {"areas": [(key, name, LAs with OC2, names of LAs without, demo LAs)], "measures": measure x area}. Every count
    protected (the viewer's own LA alone exact), every share from protected counts; no child-level row leaves here."""
    oc2 = metrics.prepare_oc2(child_level.rows("OC2"), year)
    areas, measures = [], {}
    for key, name, las in child_level.areas(scope.la_code):
        have, without = child_level.coverage(oc2, las)
        areas.append((key, name, sorted(have), without, child_level.demo_las(have)))
        if have:
            measures[name] = metrics.health_measures(oc2[oc2["la_code"].isin(have)], child_level.Counter(scope, las))
    return {"areas": areas, "measures": pd.DataFrame(measures, index=list(metrics.MEASURE_ROWS))}
