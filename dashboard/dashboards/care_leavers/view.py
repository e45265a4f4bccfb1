"""The care leavers page's logic: filters in, everything the page shows out (a thin binding of the shared view of
pages of published measures to this page's measures and data), cached per data version for every member alike."""
from __future__ import annotations

from dashboard import loader
from dashboard.area_measures import view as measures_view
from dashboard.area_measures.metrics import periods
from dashboard.area_measures.view import PageSpec, Selection
from dashboard.dashboards.care_leavers import data
from dashboard.dashboards.care_leavers.metrics import MEASURES, NOTES

SPEC = PageSpec("care_leavers", "Care leavers", MEASURES, NOTES)


def resolve(query: dict, scope: loader.AccessScope) -> Selection | None:
    return measures_view.resolve_query(SPEC, data.care_leavers_values(scope), query, scope)


def years(scope: loader.AccessScope) -> list[str]:
    return periods(data.care_leavers_values(scope))


@loader.view_cache(data.NAME, "reference", "published", check=data.check_scope)   # the same for every member
def build_view(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
    return measures_view.build_for(SPEC, selection, data.care_leavers_values(scope), scope, anonymise_with)


def presentation(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
    view = build_view(selection, scope, anonymise_with=anonymise_with)
    return measures_view.presentation(SPEC, view, selection, bool(anonymise_with))
