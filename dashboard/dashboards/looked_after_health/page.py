"""Health of looked-after children (OC2): health assessments, dental checks, immunisations, substance misuse, offending
and the SDQ, each London LA against its comparators (DfE LAIT)."""
from dashboard.area_measures.layout import measures_page
from dashboard.dashboards.looked_after_health import view as looked_after_health_view

DASHBOARD, layout = measures_page(
    name="looked_after_health", prefix="lachealth", path="/looked-after-health", nav_name="Health in care",
    heading="Health of looked-after children", order=9, view=looked_after_health_view,
    lead="Children looked after for a year or more: health assessments, dental checks, immunisations, substance misuse, "
         "offending, and emotional and behavioural health (the SDQ).")
