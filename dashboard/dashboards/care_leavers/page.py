"""Care leavers (OC3): accommodation, education, employment or training, higher education, NEET, not in touch and
staying put, for care leavers aged 19 to 21, each London LA against its comparators (DfE LAIT)."""
from dashboard import loader
from dashboard.area_measures.layout import layout as measures_layout, register_render
from dashboard.components.contract import Dashboard, Filter, anonymise_with, register_callbacks, viewer_scope
from dashboard.dashboards.care_leavers import view as care_leavers_view
from dashboard.presenting import la_options

NO_DATA = ("No care leavers' figures have been imported yet. An administrator imports DfE's Local Authority Interactive "
           "Tool long table (bds_long_*.csv) with python -m dashboard import-published FOLDER; this page has no demo "
           "data.")


def focus_choices(scope: loader.AccessScope, secret: str | None) -> list[dict]:
    return la_options(loader.local_authorities(), scope.la_code, secret)


DASHBOARD = Dashboard(
    name="care_leavers", prefix="leavers", path="/care-leavers", nav_name="Care leavers", heading="Care leavers",
    order=8,
    filters=(Filter("leavers-focus", "la"), Filter("leavers-measure", "measure"), Filter("leavers-year", "year")),
    select=care_leavers_view.resolve, present=care_leavers_view.presentation, charts=care_leavers_view.CHARTS,
    tables=care_leavers_view.TABLES, view=care_leavers_view.build_view, la_choices=("leavers-focus", focus_choices),
)
register_callbacks(DASHBOARD)
register_render(DASHBOARD)


def layout(anon=None, **query):
    anonymise = anon == "1"
    scope = viewer_scope(DASHBOARD)
    selection = DASHBOARD.selection_from_query(query, scope)
    years = care_leavers_view.years(scope) if selection else []
    return measures_layout(
        DASHBOARD, care_leavers_view.SPEC,
        "Care leavers aged 19 to 21: suitable accommodation, education, employment or training, higher education, "
        "NEET, whether the LA is in touch, and staying put with former foster carers.",
        years, focus_choices(scope, anonymise_with(anonymise)) if selection else [], selection, anonymise, NO_DATA)
