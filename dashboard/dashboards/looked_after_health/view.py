"""The health of looked-after children page's logic: filters in, everything the page shows out (a thin binding of the
shared view of pages of published measures to this page's measures, data and SDQ bands), cached per data version for
every member alike."""
from __future__ import annotations

from dashboard import loader
from dashboard.area_measures import view as measures_view
from dashboard.area_measures.metrics import periods
from dashboard.area_measures.view import PageSpec, Selection
from dashboard.dashboards.looked_after_health import data
from dashboard.dashboards.looked_after_health.figures import with_sdq_bands
from dashboard.dashboards.looked_after_health.metrics import MEASURES, NOTES, SDQ, sdq_band


def value_note(measure, value: float) -> str:
    """Under the LA's figure: the SDQ band its average score falls in."""
    return f"average score: {sdq_band(value)}" if measure.code == SDQ else ""


SPEC = PageSpec("looked_after_health", "Health of looked-after children", MEASURES, NOTES, decorate_trend=with_sdq_bands,
                value_note=value_note)


def resolve(query: dict, scope: loader.AccessScope) -> Selection | None:
    return measures_view.resolve_query(SPEC, data.looked_after_health_values(scope), query, scope)


def years(scope: loader.AccessScope) -> list[str]:
    return periods(data.looked_after_health_values(scope))


@loader.view_cache(data.NAME, "reference", "published", check=data.check_scope)   # the same for every member
def build_view(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
    return measures_view.build_for(SPEC, selection, data.looked_after_health_values(scope), scope, anonymise_with)


def presentation(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
    view = build_view(selection, scope, anonymise_with=anonymise_with)
    return measures_view.presentation(SPEC, view, selection, bool(anonymise_with))
