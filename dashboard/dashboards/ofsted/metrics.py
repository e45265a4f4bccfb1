"""Pure functions over the inspections: each LA's judgements in words, counts of LAs by grade for a group of LAs, and
area SEND outcomes by area. Tested with hand-worked figures (tests/fast/test_ofsted_metrics.py).

No judgement (a blank in Ofsted's summary, or a care leavers judgement the inspection came before) is counted as
"no judgement", never as a grade, and is left out of every share of LAs judged.
"""
from __future__ import annotations

import pandas as pd

from dashboard.dashboards.ofsted.data import GRADES, PRE_DATES

GRADE_LABELS = {"outstanding": "Outstanding", "good": "Good", "requires improvement": "Requires improvement",
                "inadequate": "Inadequate"}
NO_JUDGEMENT = "No judgement given"
PRE_DATES_TEXT = "Not judged separately (inspected before January 2023)"
NOT_HELD = "No inspection held"
SHORT_NAMES = {"overall": "Overall effectiveness", "leaders": "Impact of leaders", "help_protection": "Help and protection",
               "in_care": "Children in care", "care_leavers": "Care leavers"}
SEND_OUTCOMES = {1: "Typically positive experiences and outcomes", 2: "Inconsistent experiences and outcomes",
                 3: "Widespread and/or systemic failings"}


def grade_text(value) -> str:
    """A stored judgement in words: the grade, or why there is none."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return NO_JUDGEMENT
    if value == PRE_DATES:
        return PRE_DATES_TEXT
    return GRADE_LABELS[value]


def grade_counts(frame: pd.DataFrame, judgement: str) -> dict[str, int]:
    """{grade: LAs, ..., "none": LAs with no judgement, "las": LAs, "judged": LAs with a grade} for one judgement."""
    values = frame[judgement]
    counts = {grade: int((values == grade).sum()) for grade in GRADES}
    judged = sum(counts.values())
    return {**counts, "none": len(frame) - judged, "las": len(frame), "judged": judged}


def share(part: int, whole: int) -> float:
    """part / whole as a percentage; NaN when there is no whole (never 0)."""
    return 100 * part / whole if whole else float("nan")


def distribution(groups: list[tuple[str, pd.DataFrame]], judgement: str) -> pd.DataFrame:
    """One row per group of LAs (name, their inspections): LAs, LAs per grade, LAs with no judgement, and the share
    of the LAs judged that are good or outstanding."""
    rows = []
    for name, frame in groups:
        counts = grade_counts(frame, judgement)
        rows.append({"area": name, **counts,
                     "good_or_better_pct": share(counts["outstanding"] + counts["good"], counts["judged"])})
    return pd.DataFrame(rows, columns=["area", *GRADES, "none", "las", "judged", "good_or_better_pct"])


def london_inspections(ilacs: pd.DataFrame, las: pd.DataFrame) -> pd.DataFrame:
    """Every London LA (the reference table's order and names) with its latest inspection; an LA the file does not
    hold keeps its row with no inspection (`held` False)."""
    merged = las[["la_code", "la_name", "subregion_name", "inner_outer"]].merge(
        ilacs.drop(columns=["la_name"]), left_on="la_code", right_on="ons_code", how="left")
    merged["held"] = merged["dfe_code"].notna()
    return merged


def neighbour_inspections(ilacs: pd.DataFrame, neighbours: pd.DataFrame) -> pd.DataFrame:
    """The LA's statistical neighbours in rank order, each with its latest inspection (matched on DfE's LA number);
    a neighbour the file does not hold keeps its row with no inspection (`held` False)."""
    merged = neighbours[["rank", "neighbour_dfe_code", "neighbour_name", "neighbour_code"]].merge(
        ilacs, left_on="neighbour_dfe_code", right_on="dfe_code", how="left")
    merged["held"] = merged["dfe_code"].notna()
    merged["la_name"] = merged["la_name"].fillna(merged["neighbour_name"]).fillna("LA " + merged["neighbour_dfe_code"])
    merged["ons_code"] = merged["ons_code"].fillna(merged["neighbour_code"])
    return merged.sort_values("rank").reset_index(drop=True)


def latest_send_outcomes(inspections: pd.DataFrame) -> pd.DataFrame:
    """Each area's latest graded area SEND inspection under the 2023 framework (one per area, as the SEND page
    counts them)."""
    graded = inspections[(inspections["framework"] == "2023") & inspections["outcome_grade"].notna()
                         & inspections["publication_date"].notna()]
    return graded.sort_values("publication_date").drop_duplicates(["area_name"], keep="last")


def send_outcome_counts(inspections: pd.DataFrame, london_codes: set[str]) -> pd.DataFrame:
    """London and England: areas inspected under the 2023 framework and how many had each outcome (1, 2, 3)."""
    latest = latest_send_outcomes(inspections)
    rows = []
    for area, part in (("London", latest[latest["area_code"].isin(london_codes)]), ("England", latest)):
        counts = {grade: int((part["outcome_grade"] == grade).sum()) for grade in SEND_OUTCOMES}
        rows.append({"area": area, "inspected": len(part), **counts})
    return pd.DataFrame(rows, columns=["area", "inspected", *SEND_OUTCOMES])

