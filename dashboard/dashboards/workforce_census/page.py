"""Workforce census: DfE's children's social work workforce for each London LA against its comparators, beside Agency
pay and Leadership in Colour."""
from dashboard.area_measures.layout import measures_page
from dashboard.dashboards.workforce_census import view as workforce_census_view

DASHBOARD, layout = measures_page(
    name="workforce_census", prefix="csww", path="/workforce-census", nav_name="Workforce census",
    heading="Children's social work workforce", order=3, view=workforce_census_view,
    lead="DfE's census of children and family social workers at 30 September: agency workers, vacancies, turnover, "
         "sickness absence, caseloads, starters and leavers, each LA against its sub-region, London, England and its "
         "statistical neighbours.")
