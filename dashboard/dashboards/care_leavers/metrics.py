"""Care leavers' measures (DfE LAIT, from the SSDA903 OC3 return) and the arithmetic the page does with them.

The comparisons (sub-region and statistical-neighbour means, positions) are the shared rules of pages of published
measures (`dashboard.area_measures.metrics`); this module says which measures, what they mean and which way is better.
"""
from __future__ import annotations

from dashboard.area_measures.metrics import comparison, positions, profile   # noqa: F401  (this page's rules)
from dashboard.area_measures.spec import Measure

COHORT = ("former relevant young people whose 19th, 20th or 21st birthday fell in the year to 31 March, looked after "
          "for at least 13 weeks after their 14th birthday, including some time after their 16th")
MEASURES = (
    Measure("CareLeaverAcc", "Care leavers aged 19 to 21 in suitable accommodation (%)", "%", "higher", 0,
            f"Of the care leavers aged 19 to 21 ({COHORT}), the share whose accommodation was judged suitable."),
    Measure("CareLeaverEET", "Care leavers aged 19 to 21 in education, employment or training (%)", "%", "higher", 0,
            f"Of the care leavers aged 19 to 21 ({COHORT}), the share in education, employment or training (EET)."),
    Measure("LAC_19_HE", "Care leavers aged 19 to 21 in higher education (%)", "%", "higher", 0,
            f"Of the care leavers aged 19 to 21 ({COHORT}), the share in higher education (part of EET)."),
    Measure("CareLeaversNEET", "Care leavers aged 19 to 21 not in education, employment or training (%)", "%", "lower", 0,
            f"Of the care leavers aged 19 to 21 ({COHORT}), the share not in education, employment or training (NEET)."),
    Measure("CareLeavers_LA_NotInTouch", "Care leavers aged 19 to 21 the LA is not in touch with (%)", "%", "lower", 0,
            "Of the care leavers aged 19 to 21, the share the local authority was not in touch with. It leaves out young "
            "people whose activity is known from a third party although the LA is not in touch with them directly."),
    Measure("StayingPut", "Care leavers aged 19 or 20 staying put with their former foster carers (%)", "%", "higher", 0,
            "Of the care leavers aged 19 or 20 who ceased to be looked after in a foster placement on their 18th birthday "
            "and were eligible for care leavers' support, the share still living with their former foster carers."),
    Measure("NoCareLeavers", "Care leavers aged 19 to 21 (number)", "young people", "neither", 0,
            f"The number of care leavers aged 19 to 21: {COHORT}. The base of the percentages above."),
    Measure("NoCareLeaverAcc", "Care leavers aged 19 to 21 in suitable accommodation (number)", "young people", "neither", 0,
            "The number of care leavers aged 19 to 21 in suitable accommodation.", chart=False),
    Measure("CareLeaverEETNum", "Care leavers aged 19 to 21 in education, employment or training (number)", "young people",
            "neither", 0, "The number of care leavers aged 19 to 21 in education, employment or training.", chart=False),
    Measure("LAC_19_HE_Num", "Care leavers aged 19 to 21 in higher education (number)", "young people", "neither", 0,
            "The number of care leavers aged 19 to 21 in higher education.", chart=False),
)
NOTES = (
    ("Ages", "LAIT publishes care leavers aged 19 to 21 (staying put: 19 and 20). DfE's figures for 17 and 18 year olds "
             "are in its children looked after publication, not in LAIT, so they are not on this page."),
    ("Exclusions", "DfE's figures leave out young people looked after only under an agreed series of short-term "
                   "placements, who have died, who returned home to their parents for 6 months or more, or whose care "
                   "was transferred to another LA."),
)
