"""The health of looked-after children's measures (DfE LAIT, from the SSDA903 OC2 return), what they mean, which way
is better, and the SDQ's bands.

The comparisons (sub-region and statistical-neighbour means, positions) are the shared rules of pages of published
measures (`dashboard.area_measures.metrics`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.area_measures.child_level import age_at_31_march
from dashboard.area_measures.spec import Measure
from dashboard.disclosure import share

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
    ("SDQ: what LAIT leaves out", "DfE also publishes, for each LA, the share of children whose SDQ score is a cause "
                                  "for concern (17 or more) and the share with no SDQ score and why, in its outcomes for "
                                  "children looked after tables, not in LAIT, so the published figures here leave them "
                                  "out. Commissioners and administrators see them worked out from the OC2 tables LAs "
                                  "upload, in the child-level section under the published figures, where uploaded."),
    ("Who is counted", "Every measure counts children looked after continuously for at least 12 months at 31 March "
                       "(the SDQ: those aged 5 to 16; offending: those aged 10 or over). DfE does not publish an LA's "
                       "figure where the numbers are small: LAIT then gives '-'."),
)


def sdq_band(score: float) -> str:
    """The SDQ band of an average score: normal under 14, borderline 14 to under 17, a cause for concern from 17."""
    return next(label for low, high, label in SDQ_BANDS if low <= score < high)


# --- child level: the SSDA903 OC2 table (commissioners and administrators; dashboard.area_measures.child_level) ------
# The DfE's OC2 cohort: children looked after continuously for at least 12 months at 31 March. Each row: 1 or 0 for
# each check, and the SDQ score (0 to 40) or, where there is none, why (SDQ_REASON).
SDQ_REASONS = {"SDQ1": "Aged under 4 or over 17 when it was due", "SDQ2": "Carer refused",
               "SDQ3": "Not possible: the severity of the child's disability", "SDQ4": "Other reason",
               "SDQ5": "The child or young person refused", "": "No reason given"}
CONCERN, BORDERLINE = 17, 14


def prepare_oc2(oc2: pd.DataFrame, year: int) -> pd.DataFrame:
    """The year's OC2 children with their age at 31 March, their SDQ score as a number (blank or not a score 0-40:
    none) and band, and the reason where there is no score."""
    rows = oc2[oc2["year"] == year]
    score = pd.to_numeric(rows["sdq_score"], errors="coerce")
    score = score.where(score.between(0, 40))
    band = np.select([score >= CONCERN, score >= BORDERLINE, score >= 0], ["concern", "borderline", "normal"], "none")
    reason = rows["sdq_reason"].fillna("").where(score.isna(), "")
    return rows.assign(age=age_at_31_march(rows["dob"], year), score=score, band=band,
                       reason=reason.where(reason.isin(list(SDQ_REASONS)), "SDQ4"))


def _yes(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    return rows[rows[column].fillna("") == "1"]


SDQ_MINIMUM = 10
"""An area's average SDQ score is shown only when at least this many children (protected count) have a score."""

MEASURE_ROWS = (
    "Children looked after for 12 months or more (number)", "Health assessment up to date (%)",
    "Dental check in the year (%)", "Immunisations up to date (%)",
    "Development assessment up to date, children under 5 (%)", "Identified as having a substance misuse problem (%)",
    "Of those, received an intervention (%)", "Convicted or given a youth caution, aged 10 or over (%)",
    "Aged 5 to 16 (number)", "With an SDQ score (%)", "Average SDQ score", "SDQ score a cause for concern, 17 or more (%)",
    "SDQ score borderline, 14 to 16 (%)", "SDQ score normal, 0 to 13 (%)", "No SDQ score (%)",
    *(f"No SDQ score: {label} (%)" for label in SDQ_REASONS.values()),
)


def health_measures(children: pd.DataFrame, counter) -> dict[str, float | int | None]:
    """Every measure for one area's OC2 children (`prepare_oc2`): numbers are protected cells, shares a protected cell
    over a protected cell. The concern, borderline and normal shares are of the children with a score; the no-score
    shares of all aged 5 to 16."""
    whole = counter.cell(children)
    under5, over10 = children[children["age"] < 5], children[children["age"] >= 10]
    misuse = _yes(children, "substance_misuse")
    sdq = children[children["age"].between(5, 16)]
    scored = sdq[sdq["band"] != "none"]
    unscored = sdq[sdq["band"] == "none"]
    n_sdq, n_scored = counter.cell(sdq), counter.cell(scored)
    values = [
        whole, share(counter.cell(_yes(children, "health_check")), whole),
        share(counter.cell(_yes(children, "teeth_check")), whole),
        share(counter.cell(_yes(children, "immunisations")), whole),
        counter.share(_yes(under5, "health_assessment"), under5), share(counter.cell(misuse), whole),
        counter.share(_yes(misuse, "intervention_received"), misuse),
        counter.share(_yes(over10, "convicted"), over10),
        n_sdq, share(n_scored, n_sdq),
        round(float(scored["score"].mean()), 1) if n_scored >= SDQ_MINIMUM else None,
        *(share(counter.cell(scored[scored["band"] == band]), n_scored) for band in ("concern", "borderline", "normal")),
        share(counter.cell(unscored), n_sdq),
        *(share(counter.cell(unscored[unscored["reason"] == code]), n_sdq) for code in SDQ_REASONS),
    ]
    return dict(zip(MEASURE_ROWS, values))
