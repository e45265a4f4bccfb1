"""The health of looked-after children's measures (DfE LAIT, from the SSDA903 OC2 return), what they mean, which way
is better, and the SDQ's bands.

The comparisons (sub-region and statistical-neighbour means, positions) are the shared rules of pages of published
measures (`dashboard.area_measures.metrics`).
"""
from __future__ import annotations

from dashboard.area_measures.spec import Measure

TWELVE_MONTHS = "children looked after at 31 March who had been looked after continuously for at least 12 months"
MEASURES = (
    Measure("LACHealth%", "Health assessments up to date (%)", "%", "higher", 0,
            f"Of the {TWELVE_MONTHS}, the share whose annual health assessment was up to date."),
    Measure("LACDental%", "Dental checks (%)", "%", "higher", 0,
            f"Of the {TWELVE_MONTHS}, the share who had their teeth checked by a dentist in the year."),
    Measure("LACVaccinations%", "Immunisations up to date (%)", "%", "higher", 0,
            f"Of the {TWELVE_MONTHS}, the share whose immunisations were up to date: every immunisation a child of their "
            "age should have had, including those due before they became looked after."),
    Measure("LACSubstance", "Identified as having a substance misuse problem (%)", "%", "lower", 0,
            f"Of the {TWELVE_MONTHS}, the share identified as having a substance misuse problem during the year "
            "(problematic use of legal or illegal drugs, including alcohol used with other substances). DfE's dictionary "
            "marks lower as better; a low figure can also mean problems not identified."),
    Measure("LAC_Convictions", "Convicted or given a youth caution (%)", "%", "lower", 0,
            f"Of the {TWELVE_MONTHS} (aged 10 or over), the share convicted or subject to a youth caution or youth "
            "conditional caution during the year."),
    Measure("Emotional_LAC", "Average SDQ score (emotional and behavioural health)", "score", "lower", 1,
            "The average total difficulties score on the Strengths and Difficulties Questionnaire, completed by the main "
            "carer, of children aged 5 to 16 looked after continuously for at least 12 months at 31 March. Scores run "
            "from 0 to 40: 0 to 13 is considered normal, 14 to 16 borderline, 17 or more a cause for concern."),
)
# The SDQ's bands (DfE's definition), drawn behind the SDQ's trend.
SDQ = "Emotional_LAC"
SDQ_BANDS = ((0, 14, "normal (0 to 13)"), (14, 17, "borderline (14 to 16)"), (17, 40, "cause for concern (17 or more)"))
NOTES = (
    ("SDQ: what is not here", "DfE also publishes, for each LA, the share of children whose SDQ score is a cause for "
                              "concern (17 or more) and the share with no SDQ score and why. Those are in its outcomes "
                              "for children looked after tables, not in LAIT, so this page does not show them."),
    ("Who is counted", "Every measure counts children looked after continuously for at least 12 months at 31 March "
                       "(the SDQ: those aged 5 to 16; offending: those aged 10 or over). DfE does not publish an LA's "
                       "figure where the numbers are small: LAIT then gives '-'."),
)


def sdq_band(score: float) -> str:
    """The SDQ band of an average score: normal under 14, borderline 14 to under 17, a cause for concern from 17."""
    return next(label for low, high, label in SDQ_BANDS if low <= score < high)
