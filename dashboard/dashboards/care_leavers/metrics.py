"""Care leavers' measures (DfE LAIT, from the SSDA903 OC3 return) and the arithmetic the page does with them.

The comparisons (sub-region and statistical-neighbour means, positions) are the shared rules of pages of published
measures (`dashboard.area_measures.metrics`); this module says which measures, what they mean and which way is better.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.area_measures.metrics import comparison, positions, profile   # noqa: F401  (this page's rules)
from dashboard.area_measures.child_level import age_at_31_march
from dashboard.area_measures.spec import Measure
from dashboard.disclosure import share

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


# --- child level: the SSDA903 OC3 table (commissioners and administrators; dashboard.area_measures.child_level) ------
# The DfE's OC3 cohort: young people whose 17th to 21st birthday fell in the collection year (1 April to 31 March) who
# were looked after for at least 13 weeks after their 14th birthday, including some time after their 16th; the LA
# records, around that birthday, whether it is in touch (IN_TOUCH), their activity (ACTIV) and accommodation (ACCOM).
IN_TOUCH = {"YES": "In touch with the LA", "NO": "Not in touch", "REFU": "Refused contact",
            "NREQ": "No longer requires services"}
# As the DfE's care leavers' figures do, those who died or went home to their parents for 6 months or more are left
# out of the cohort (counted apart).
LEFT_OUT = {"DIED": "Died", "RHOM": "Returned home to parents for 6 months or more"}
ACTIVITY = {"F1": "Higher education", "P1": "Higher education", "F2": "Other education", "P2": "Other education",
            **{c: "Training or employment" for c in ("F3", "P3", "F4", "P4", "F5", "P5")},
            "G4": "NEET: illness or disability", "G6": "NEET: pregnancy or parenting", "G5": "NEET: other reasons"}
ACTIVITY_GROUPS = ("Higher education", "Other education", "Training or employment", "NEET: illness or disability",
                   "NEET: pregnancy or parenting", "NEET: other reasons", "Not known")
EET = ACTIVITY_GROUPS[:3]
NEET = ACTIVITY_GROUPS[3:6]
ACCOMMODATION = {"B": "With parents or relatives", "C": "Community home or other residential care",
                 "D": "Semi-independent, transitional", "E": "Supported lodgings", "G": "Gone abroad",
                 "H": "Deported", "K": "Ordinary lodgings, without support", "R": "Residence not known",
                 "S": "No fixed abode or homeless", "T": "Foyers and similar supported accommodation",
                 "U": "Independent living", "V": "Emergency accommodation", "W": "Bed and breakfast",
                 "X": "In custody", "Y": "Other accommodation", "Z": "With former foster carers"}
SUITABILITY = ("Suitable", "Not suitable", "Not known")
AGE_RANGES = {"19-21": (19, 21, "aged 19 to 21 (LAIT's ages)"), "17-18": (17, 18, "aged 17 or 18"),
              "17-21": (17, 21, "aged 17 to 21 (the whole OC3 cohort)")}
DEFAULT_AGES = "19-21"


def activity_group(codes: pd.Series) -> pd.Series:
    return codes.map(ACTIVITY).fillna("Not known")


def suitability(codes: pd.Series) -> pd.Series:
    """ACCOM's second character: 1 suitable, 2 not suitable; anything else (0, blank) not known."""
    digit = codes.fillna("").str[1:2]
    known = codes.fillna("").str[:1].isin(list(ACCOMMODATION))
    return pd.Series(np.where(known & (digit == "1"), "Suitable", np.where(known & (digit == "2"), "Not suitable",
                                                                          "Not known")), index=codes.index)


def accommodation_type(codes: pd.Series) -> pd.Series:
    return codes.fillna("").str[:1].map(ACCOMMODATION).fillna("Not known")


def cohort(oc3: pd.DataFrame, year: int, ages: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The year's care leavers of the ages chosen (`AGE_RANGES`), as the DfE counts them, with their age, activity
    group, accommodation type and suitability; and those left out (died, returned home)."""
    low, high, _ = AGE_RANGES[ages]
    rows = oc3[oc3["year"] == year]
    # The age turned on the birthday in the year is the age at its 31 March (born April to December: the birthday fell
    # before it; January to March: on or before it). A date of birth kept to the month decides it exactly.
    rows = rows.assign(age=age_at_31_march(rows["dob"], year))
    rows = rows[rows["age"].between(low, high)]
    rows = rows.assign(age=rows["age"].astype(str), activity=activity_group(rows["activ"]),
                       suitable=suitability(rows["accom"]), accommodation=accommodation_type(rows["accom"]),
                       in_touch=rows["in_touch"].fillna(""))
    left = rows["in_touch"].isin(list(LEFT_OUT))
    return rows[~left], rows[left]


HEADLINE = (   # (measure, which rows count, the whole it is a share of): None = the cohort's number
    ("Care leavers (number)", None),
    ("In education, employment or training (%)", ("activity", EET)),
    ("In higher education (%)", ("activity", ("Higher education",))),
    ("Not in education, employment or training (%)", ("activity", NEET)),
    ("Activity not known (%)", ("activity", ("Not known",))),
    ("In suitable accommodation (%)", ("suitable", ("Suitable",))),
    ("In accommodation not suitable (%)", ("suitable", ("Not suitable",))),
    ("Accommodation not known (%)", ("suitable", ("Not known",))),
    *((f"{label} (%)", ("in_touch", (code,))) for code, label in IN_TOUCH.items()),
)


def headline(leavers: pd.DataFrame, counter) -> dict[str, float | int | None]:
    """Each headline measure for one area's care leavers: the number (a protected cell) and each share (a protected
    cell over the protected number)."""
    whole = counter.cell(leavers)
    out = {}
    for name, rule in HEADLINE:
        if rule is None:
            out[name] = whole
            continue
        column, values = rule
        out[name] = share(counter.cell(leavers[leavers[column].isin(values)]), whole)
    return out


BREAKDOWN_MEASURES = ("Care leavers", "In education, employment or training (%)", "In suitable accommodation (%)",
                      "In touch with the LA (%)")


def by_group(leavers: pd.DataFrame, column: str, categories, counter) -> pd.DataFrame:
    """Per category of `column` (and All): the number of care leavers, and the shares in EET, in suitable
    accommodation and in touch, each from protected counts."""
    out = []
    for category in [*categories, "All"]:
        rows = leavers if category == "All" else leavers[leavers[column] == category]
        whole = counter.cell(rows)
        out.append({"group": category, "Care leavers": whole,
                    BREAKDOWN_MEASURES[1]: share(counter.cell(rows[rows["activity"].isin(EET)]), whole),
                    BREAKDOWN_MEASURES[2]: share(counter.cell(rows[rows["suitable"] == "Suitable"]), whole),
                    BREAKDOWN_MEASURES[3]: share(counter.cell(rows[rows["in_touch"] == "YES"]), whole)})
    return pd.DataFrame(out)
