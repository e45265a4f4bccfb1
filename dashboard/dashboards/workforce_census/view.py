"""The workforce census page's logic: filters in, everything the page shows out (a thin binding of the shared view of
pages of published measures to this page's measures and data), cached per data version for every member alike."""
from __future__ import annotations

from dashboard.area_measures import view as measures_view
from dashboard.area_measures.view import PageSpec
from dashboard.dashboards.workforce_census import data
from dashboard.dashboards.workforce_census.metrics import MEASURES, NOTES

SPEC = PageSpec(
    "workforce_census", "Workforce census", MEASURES, NOTES,
    years_label="Census year (30 September)", year_filter="Census year (30 September)",
    years_note="Each year is the census at 30 September of that year (2025 = 30 September 2025); turnover, starters, "
               "leavers and absence are for the year to that date.",
    publisher="DfE", importing="children's social work workforce indicators file (csww_indicators_*.csv, Explore "
                               "Education Statistics)")

VIEW = measures_view.bind(SPEC, data.workforce_census_values, data.NAME, __name__)
resolve, years, build_view, presentation = VIEW.resolve, VIEW.years, VIEW.build_view, VIEW.presentation
