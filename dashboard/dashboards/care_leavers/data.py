"""Care leavers: its table and cached read (see dashboard.loader for the caching rules).

Published statistics, shared among all members, so every signed-in scope may read them, alike. Child-level figures
from the SSDA903 OC3 table (`oc3_figures`) are for commissioners and administrators only, protected as
`dashboard.area_measures.child_level` says.
"""
from __future__ import annotations

import pandas as pd

from dashboard.area_measures import child_level
from dashboard.area_measures.spec import check_scope, measure_table, read_values
from dashboard.dashboards.care_leavers import metrics
from dashboard.dashboards.care_leavers.metrics import MEASURES  # noqa: F401  (what its figures mean, read by My LA)
from dashboard.loader import AccessScope, cached_read

NAME = "care_leavers"
LABEL = "care leavers (DfE LAIT)"

care_leavers_value = measure_table(NAME)


@cached_read(NAME, check=check_scope)
def care_leavers_values(scope: AccessScope) -> pd.DataFrame:
    """measure, period, dfe_code, area_code, area_name, value (NaN where a marker stands), marker, source."""
    return read_values(care_leavers_value)


# --- child level (SSDA903 OC3): commissioners and administrators only, every other LA's count protected ------------

def _per_la(scope: AccessScope, arguments: dict) -> bool:
    return True    # the viewer's own LA is counted exactly: only that LA may share it


@cached_read(child_level.DATASET, check=child_level.check_scope)
def oc3_years(scope: AccessScope) -> list[int]:
    """The collection years any LA's OC3 rows are for."""
    return child_level.years_with(child_level.rows("OC3"))


@cached_read(child_level.DATASET, check=child_level.check_scope, depends_on_caller=_per_la)
def oc3_figures(scope: AccessScope, year: int, ages: str, breakdown: str) -> dict:
    """The viewer's LA's, its sub-region's and London's care leavers in the collection year ending 31 March `year`, of the
    ages chosen: {"areas": [(key, name, LAs with OC3, names of LAs without, demo LAs)], "headline": measure x area,
    "breakdown": group x (area, measure), "codes": activity and accommodation x area}. Every count protected (the
    viewer's own LA alone exact), every share from protected counts; no child-level row leaves this function."""
    oc3 = child_level.rows("OC3")
    leavers, left_out = metrics.cohort(oc3, year, ages)
    categories = {"age": [str(a) for a in range(metrics.AGE_RANGES[ages][0], metrics.AGE_RANGES[ages][1] + 1)],
                  "sex": ["Female", "Male", "Not known"],
                  "ethnic_group": ["Asian", "Black", "Mixed", "White", "Other", "Not known"],
                  "uasc": ["UASC", "Not UASC"]}[breakdown]
    areas, headline, groups, codes = [], {}, {}, {}
    for key, name, las in child_level.areas(scope.la_code):
        have, without = child_level.coverage(oc3[oc3["year"] == year], las)
        counter = child_level.Counter(scope, las)
        mine = leavers[leavers["la_code"].isin(have)]
        gone = left_out[left_out["la_code"].isin(have)]
        areas.append((key, name, sorted(have), without, child_level.demo_las(have)))
        if not have:
            continue
        headline[name] = {**metrics.headline(mine, counter),
                          "Died or returned home: left out (number)": counter.cell(gone)}
        groups[name] = metrics.by_group(mine, breakdown, categories, counter).set_index("group")
        codes[name] = pd.concat([
            counter.cells(mine, "activity", metrics.ACTIVITY_GROUPS).rename(lambda g: f"Activity: {g}"),
            counter.cells(mine, "accommodation", [*metrics.ACCOMMODATION.values(), "Not known"]).rename(
                lambda g: f"Accommodation: {g}"),
            counter.cells(mine, "suitable", metrics.SUITABILITY).rename(lambda g: f"Accommodation suitable: {g}"),
            counter.cells(mine, "in_touch", [*metrics.IN_TOUCH]).rename(lambda c: f"Contact: {metrics.IN_TOUCH[c]}")])
    return {"areas": areas, "headline": pd.DataFrame(headline), "groups": groups, "codes": pd.DataFrame(codes)}
