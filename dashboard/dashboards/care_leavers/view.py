"""The care leavers page's logic: filters in, everything the page shows out (a thin binding of the shared view of
pages of published measures to this page's measures and data), cached per data version for every member alike."""
from __future__ import annotations

from dashboard import loader
from dashboard.area_measures import view as measures_view
from dashboard.area_measures.metrics import periods
from dashboard.area_measures.view import CHARTS, TABLES, PageSpec, Selection  # noqa: F401
from dashboard.dashboards.care_leavers import data
from dashboard.dashboards.care_leavers.metrics import MEASURES, NOTES
from dashboard.loader import published as published_loader

SPEC = PageSpec("care_leavers", "Care leavers", MEASURES, NOTES, "care leavers aged 19 to 21")


def resolve(values: dict, scope: loader.AccessScope) -> Selection | None:
    return measures_view.resolve(SPEC, data.care_leavers_values(scope), loader.local_authorities(), scope.la_code,
                                 values.get("la"), values.get("measure"), values.get("year"))


def years(scope: loader.AccessScope) -> list[str]:
    return periods(data.care_leavers_values(scope))


@loader.view_cache(data.NAME, "reference", "published", check=data.check_scope)   # the same for every member
def build_view(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
    las = loader.local_authorities()
    dfe = las.set_index("la_code").loc[selection.focus, "dfe_code"]
    return measures_view.build(SPEC, selection, data.care_leavers_values(scope), las,
                               published_loader.statistical_neighbours(str(dfe)), scope.la_code, anonymise_with)


def presentation(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
    return measures_view.presentation(SPEC, build_view(selection, scope, anonymise_with=anonymise_with), selection,
                                      bool(anonymise_with))
