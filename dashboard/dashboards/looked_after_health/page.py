"""Health of looked-after children (OC2): health assessments, dental checks, immunisations, substance misuse, offending
and the SDQ, each London LA against its comparators (DfE LAIT); and, for commissioners and administrators, the same
and the SDQ shares LAIT does not publish, from the SSDA903 OC2 table LAs upload."""
from dashboard.area_measures import child_level
from dashboard.area_measures.layout import measures_page
from dashboard.components.contract import viewer_scope
from dashboard.dashboards.looked_after_health import view as looked_after_health_view
from dashboard.disclosure import CHILDREN_NOTE

DASHBOARD, published_layout = measures_page(
    name="looked_after_health", prefix="lachealth", path="/looked-after-health", nav_name="Health in care",
    heading="Health of looked-after children", order=9, view=looked_after_health_view,
    lead="Children looked after for a year or more: health assessments, dental checks, immunisations, substance misuse, "
         "offending, and emotional and behavioural health (the SDQ).")

INTRO = ("From the SSDA903 OC2 table each LA uploads (its own children, not LAIT's published figures): your LA, its "
         "sub-region and London in the collection year chosen here (whichever LA is in focus above), children looked "
         "after continuously for at least 12 months at 31 March. Other LAs are not shown one by one here. Development "
         "assessments count children under 5, convictions those aged 10 or over, the SDQ those aged 5 to 16 (age at 31 "
         "March). The shares of SDQ scores that are a cause for concern (17 or more), borderline (14 to 16) or normal "
         "are of the children with a score; the shares with no score, and why (SDQ_REASON), are of all aged 5 to 16. "
         "An area's average SDQ score is the mean of its children's scores (LAIT's sub-region figure is a mean of LAs' "
         "averages), shown only where at least 10 children have a score. " + CHILDREN_NOTE)


def layout(**query):
    """The published page; for the roles that see child-level data, the OC2 section under it."""
    page = published_layout(**query)
    scope = viewer_scope(DASHBOARD)
    if child_level.may_see(scope) or child_level.in_validation_layout():   # the validation layout: ids, no figures
        years = looked_after_health_view.child_level_years(scope) if child_level.may_see(scope) else []
        page.children.insert(len(page.children) - 1, child_level.section(
            "lachealth", "Health of looked-after children from the LAs' own returns (child-level, SSDA903 OC2)", INTRO,
            [child_level.year_control("lachealth", years)], [("measures", "Every measure: your LA, its sub-region and London")]))
    return page


child_level.register(DASHBOARD, list(looked_after_health_view.CHILD_LEVEL_GRIDS), ["year"],
                     looked_after_health_view.child_level)
