"""Care leavers (OC3): accommodation, education, employment or training, higher education, NEET, not in touch and
staying put, for care leavers aged 19 to 21, each London LA against its comparators (DfE LAIT)."""
from dashboard.area_measures.layout import measures_page
from dashboard.dashboards.care_leavers import view as care_leavers_view

DASHBOARD, layout = measures_page(
    name="care_leavers", prefix="leavers", path="/care-leavers", nav_name="Care leavers", heading="Care leavers",
    order=8, view=care_leavers_view,
    lead="Care leavers aged 19 to 21: suitable accommodation, education, employment or training, higher education, "
         "NEET, whether the LA is in touch, and staying put with former foster carers.")
