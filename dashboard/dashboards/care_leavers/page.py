"""Care leavers (OC3): accommodation, education, employment or training, higher education, NEET, not in touch and
staying put, for care leavers aged 19 to 21, each London LA against its comparators (DfE LAIT); and, for
commissioners and administrators, the same from the SSDA903 OC3 table LAs upload, by age, sex, ethnicity and UASC."""
from dash import dcc

from dashboard.area_measures import child_level
from dashboard.area_measures.layout import measures_page
from dashboard.components.contract import viewer_scope
from dashboard.components.layout import labelled
from dashboard.dashboards.care_leavers import view as care_leavers_view
from dashboard.disclosure import CHILDREN_NOTE

DASHBOARD, published_layout = measures_page(
    name="care_leavers", prefix="leavers", path="/care-leavers", nav_name="Care leavers", heading="Care leavers",
    order=8, view=care_leavers_view,
    lead="Care leavers aged 19 to 21: suitable accommodation, education, employment or training, higher education, "
         "NEET, whether the LA is in touch, and staying put with former foster carers.")

P = "leavers-cl"
INTRO = ("From the SSDA903 OC3 table each LA uploads (its own care leavers, not LAIT's published figures): your LA, "
         "its sub-region and London in the collection year chosen here (whichever LA is in focus above). The DfE's "
         "cohort: young "
         "people whose 17th to 21st birthday fell in the year and who were looked after for at least 13 weeks after "
         "their 14th birthday (some of it after their 16th). As in the DfE's figures, those who died or returned home to "
         "their parents for 6 months or more are left out (counted apart). Activity (ACTIV): education, employment or "
         "training is higher education, other education, and training or employment, full or part time; NEET is the "
         "three G codes. Accommodation (ACCOM): the LA's judgement, suitable or not. Other LAs are not shown one by one "
         "here (LAIT's published figures above do that). " + CHILDREN_NOTE)


def _controls(years):
    return [child_level.year_control("leavers", years),
            labelled("Ages", f"{P}-ages", dcc.Dropdown(
                id=f"{P}-ages", clearable=False, value=care_leavers_view.DEFAULT_AGES,
                options=[{"label": label, "value": key} for key, label in care_leavers_view.AGE_CHOICES.items()])),
            labelled("Broken down by", f"{P}-breakdown", dcc.Dropdown(
                id=f"{P}-breakdown", clearable=False, value="age",
                options=[{"label": label, "value": key} for key, label in child_level.BREAKDOWNS.items()]))]


def layout(**query):
    """The published page; for the roles that see child-level data, the OC3 section under it."""
    page = published_layout(**query)
    scope = viewer_scope(DASHBOARD)
    if child_level.may_see(scope) or child_level.in_validation_layout():   # the validation layout: ids, no figures
        years = care_leavers_view.child_level_years(scope) if child_level.may_see(scope) else []
        page.children.insert(len(page.children) - 1, child_level.section(
            "leavers", "Care leavers from the LAs' own returns (child-level, SSDA903 OC3)", INTRO, _controls(years),
            [("headline", "Every measure: your LA, its sub-region and London"),
             ("groups", "By age, sex, ethnicity or UASC (as chosen)"),
             ("codes", "Activity, accommodation and contact: numbers of care leavers")]))
    return page


child_level.register(DASHBOARD, list(care_leavers_view.CHILD_LEVEL_GRIDS), ["year", "ages", "breakdown"],
                     care_leavers_view.child_level)
