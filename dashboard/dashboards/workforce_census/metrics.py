"""Workforce census measures (DfE's children's social work workforce, census at 30 September) and the arithmetic the
page does with them.

The comparisons (sub-region and statistical-neighbour means, positions, the joint return) are the shared rules of pages
of published measures (`dashboard.area_measures.metrics`); this module says which measures, what they mean and which
way is better. Codes are the DfE file's column names.
"""
from __future__ import annotations

from dashboard.area_measures.metrics import comparison, positions, profile   # noqa: F401  (this page's rules)
from dashboard.area_measures.spec import Measure

SW = "children and family social workers"
CENSUS = "at 30 September"
YEAR = "in the year to 30 September"
MEASURES = (
    Measure("agency_rate_fte", "Agency worker rate (%)", "%", "lower", 1,
            f"Agency {SW} as a percentage of agency plus directly employed {SW}, full-time equivalent (FTE), {CENSUS}.",
            CENSUS),
    Measure("vacancy_rate_fte", "Vacancy rate (%)", "%", "lower", 1,
            f"FTE vacancies as a percentage of FTE vacancies plus FTE directly employed {SW}, {CENSUS}. A vacancy is a "
            "post with no directly employed social worker in it, whether or not an agency worker covers it.", CENSUS),
    Measure("turnover_rate_fte", "Turnover rate (%)", "%", "lower", 1,
            f"FTE {SW} who left the LA {YEAR}, as a percentage of FTE {SW} in post {CENSUS}.", YEAR),
    Measure("absence_rate_fte", "Sickness absence rate (%)", "%", "lower", 1,
            f"Working days lost to sickness absence {YEAR}, as a percentage of the working days FTE {SW} in post could "
            "have worked.", YEAR),
    Measure("caseload_fte", "Average caseload (cases per case holder)", "cases", "lower", 1,
            f"Cases held by {SW} {CENSUS}, divided by the FTE {SW} who hold cases.", CENSUS),
    Measure("inpost_fte", "Social workers in post (FTE)", "FTE", "neither", 1,
            f"Directly employed {SW} in post {CENSUS}, full-time equivalent (agency workers are counted separately).",
            CENSUS),
    Measure("starters_fte", "Starters (FTE)", "FTE", "neither", 1,
            f"Directly employed {SW} who joined the LA {YEAR}, FTE.", YEAR),
    Measure("leavers_fte", "Leavers (FTE)", "FTE", "neither", 1,
            f"Directly employed {SW} who left the LA {YEAR}, FTE.", YEAR),
    Measure("vacancy_agency_cover_rate_fte", "Vacancies covered by agency workers (%)", "%", "neither", 1,
            f"FTE agency workers covering vacancies as a percentage of FTE vacancies, {CENSUS}.", CENSUS),
    Measure("agency_fte", "Agency workers (FTE)", "FTE", "neither", 1, f"Agency {SW} {CENSUS}, FTE.", CENSUS, chart=False),
    Measure("vacancy_fte", "Vacancies (FTE)", "FTE", "neither", 1, f"FTE vacancies for {SW} {CENSUS}.", CENSUS, chart=False),
    Measure("case_holders_fte", "Case-holding social workers (FTE)", "FTE", "neither", 1,
            f"{SW.capitalize()} holding one or more cases {CENSUS}, FTE.", CENSUS, chart=False),
    Measure("cases", "Cases held", "cases", "neither", 0, f"Cases held by {SW} {CENSUS}.", CENSUS, chart=False),
    Measure("working_days_lost_fte", "Working days lost to sickness absence", "days", "neither", 1,
            f"Working days lost to sickness absence {YEAR}, FTE.", YEAR, chart=False),
)
# The file's columns this page reads (its measures); headcount versions are in the file but FTE is DfE's headline.
COLUMNS = tuple(m.code for m in MEASURES)
NOTES = (
    # Not named here: an anonymised view names no other LA (the LA table names the joint return when not anonymised).
    ("Joint return", "Two neighbouring LAs make one joint workforce return: their figures are shown once, as the joint "
                     "return, for either LA as focus; in a mean the joint figure counts once (its LAs with a figure count "
                     "both). It is never split or copied to each."),
    ("Who is counted", "Children and family social workers: registered social workers working in children's services "
                       "(case holders, senior practitioners, managers and qualified social workers without cases). "
                       "Rates use FTE; the file also gives headcounts."),
    ("Role and ethnicity", "Social workers in post by role and by ethnic group are on the Leadership in Colour page, from "
                           "DfE's file of the same census. Starters and leavers by role or by ethnic group are not "
                           "published at LA level in the files this app imports, so they are not shown."),
)
