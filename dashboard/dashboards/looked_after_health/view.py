"""The health of looked-after children page's logic: filters in, everything the page shows out (a thin binding of the
shared view of pages of published measures to this page's measures, data and SDQ bands), cached per data version for
every member alike."""
from __future__ import annotations

from dashboard.area_measures import view as measures_view
from dashboard.area_measures.view import PageSpec
from dashboard.dashboards.looked_after_health import data
from dashboard.dashboards.looked_after_health.figures import with_sdq_bands
from dashboard.dashboards.looked_after_health.metrics import MEASURES, NOTES, SDQ, sdq_band


def value_note(measure, value: float) -> str:
    """Under the LA's figure: the SDQ band its average score falls in."""
    return f"average score: {sdq_band(value)}" if measure.code == SDQ else ""


SPEC = PageSpec("looked_after_health", "Health of looked-after children", MEASURES, NOTES, decorate_trend=with_sdq_bands,
                value_note=value_note)

VIEW = measures_view.bind(SPEC, data.looked_after_health_values, data.NAME, __name__)
resolve, years, build_view, presentation = VIEW.resolve, VIEW.years, VIEW.build_view, VIEW.presentation
