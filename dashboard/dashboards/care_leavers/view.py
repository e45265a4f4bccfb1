"""The care leavers page's logic: filters in, everything the page shows out (a thin binding of the shared view of
pages of published measures to this page's measures and data), cached per data version for every member alike."""
from __future__ import annotations

from dashboard.area_measures import view as measures_view
from dashboard.area_measures.view import PageSpec
from dashboard.dashboards.care_leavers import data
from dashboard.dashboards.care_leavers.metrics import MEASURES, NOTES

SPEC = PageSpec("care_leavers", "Care leavers", MEASURES, NOTES)

VIEW = measures_view.bind(SPEC, data.care_leavers_values, data.NAME, __name__)
resolve, years, build_view, presentation = VIEW.resolve, VIEW.years, VIEW.build_view, VIEW.presentation
