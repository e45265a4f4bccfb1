"""The workforce census page's logic: filters in, everything the page shows out (a thin binding of the shared view of
pages of published measures to this page's measures and data), cached per data version for every member alike."""
from __future__ import annotations

from dashboard import loader
from dashboard.area_measures import view as measures_view
from dashboard.area_measures.metrics import periods
from dashboard.area_measures.view import PageSpec, Selection
from dashboard.dashboards.workforce_census import data
from dashboard.dashboards.workforce_census.metrics import MEASURES, NOTES

SPEC = PageSpec(
    "workforce_census", "Workforce census", MEASURES, NOTES,
    years_label="Census year (30 September)", year_filter="Census year (30 September)",
    years_note="Each year is the census at 30 September of that year (2025 = 30 September 2025); turnover, starters, "
               "leavers and absence are for the year to that date.",
    publisher="DfE", importing="children's social work workforce indicators file (csww_indicators_*.csv, Explore "
                               "Education Statistics)")


def resolve(query: dict, scope: loader.AccessScope) -> Selection | None:
    return measures_view.resolve_query(SPEC, data.workforce_census_values(scope), query, scope)


def years(scope: loader.AccessScope) -> list[str]:
    return periods(data.workforce_census_values(scope))


@loader.view_cache(data.NAME, "reference", "published", check=data.check_scope)   # the same for every member
def build_view(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
    return measures_view.build_for(SPEC, selection, data.workforce_census_values(scope), scope, anonymise_with)


def presentation(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
    view = build_view(selection, scope, anonymise_with=anonymise_with)
    return measures_view.presentation(SPEC, view, selection, bool(anonymise_with))
