"""SEND arithmetic: pure functions over DataFrames, each tested with hand-worked figures.

Conventions:
  - values arrive long: area_code, year, measure, value (NaN = not published, never 0);
  - a rate is pooled: sum of numerators over sum of denominators of the areas that have both,
    so an LA with no figure is left out (and counted as missing), never counted as 0;
  - sub-region figures are pooled from their LAs; London and England use the published totals.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard import disclosure

LONDON, ENGLAND = "E12000007", "E92000001"
PLACEMENT_MEASURES = ("place_mainstream", "place_resourced", "place_la_special", "place_academy_special",
                      "place_inmss", "place_fe", "place_other")
SMALL_BASE = 20        # fewer cases than this in a rate's denominator: shown, flagged, not ranked


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    kind: str                      # "count", "ratio" (numerator / denominator x scale) or "pct" (published %)
    decimals: int
    unit: str                      # "%", "per 1,000 aged 0-17" or "" (a number)
    period: str                    # how a year reads: "January {y}", "calendar year {y}", ...
    definition: str
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    polarity: str = "neither"      # "higher" / "lower" is better, or "neither"


INDICATORS = {i.code: i for i in (
    Indicator("timely_20wk_pct", "New EHC plans issued within 20 weeks (excluding exceptions)", "ratio", 1, "%",
              "calendar year {y}", "New EHC plans issued within 20 weeks of the request, as a % of all new plans "
              "issued in the calendar year, excluding those where the law allows an exception to the time limit.",
              "timely_20wk", "timely_base", 100, "higher"),
    Indicator("plans_per_1000", "EHC plans in force per 1,000 children aged 0-17", "ratio", 1, "per 1,000 aged 0-17",
              "January {y}", "EHC plans (and, until 2018, statements of SEN) maintained by the LA in January, for children "
              "and young people aged 0-25, per 1,000 children aged 0-17 in the ONS mid-year estimate of the same year. "
              "ONS 0-25 estimates are not in the loaded files, so the denominator is 0-17: the rate is higher than a 0-25 rate would be.",
              "plans_in_force", "population_0_17", 1000),
    Indicator("plans_in_force", "EHC plans in force", "count", 0, "", "January {y}",
              "EHC plans (and, until 2018, statements of SEN) maintained by the LA in January, ages 0-25."),
    Indicator("requests", "Initial requests for an EHC needs assessment", "count", 0, "", "calendar year {y}",
              "Initial requests for an EHC needs assessment received in the calendar year (published from 2016)."),
    Indicator("new_plans", "New EHC plans issued", "count", 0, "", "calendar year {y}",
              "EHC plans issued for the first time in the calendar year."),
    Indicator("refusal_pct", "Requests for assessment refused", "ratio", 1, "%", "calendar year {y}",
              "Initial requests for an EHC needs assessment that the LA refused, as a % of initial requests in the year.",
              "refusals", "requests", 100),
    Indicator("pupils_sen_support_pct", "Pupils with SEN support", "pct", 1, "%", "January {y}",
              "Pupils in state-funded schools with SEN support (no EHC plan), as a % of all pupils (January census, as published in DfE LAIT)."),
    Indicator("pupils_ehcp_pct", "Pupils with an EHC plan", "pct", 1, "%", "January {y}",
              "Pupils in state-funded schools with an EHC plan or statement, as a % of all pupils (January census, as published in DfE LAIT)."),
    Indicator("appeal_rate_pct", "Appeals to the SEND Tribunal", "pct", 1, "%", "calendar year {y}",
              "Appeals registered with the SEND Tribunal as a % of appealable decisions (as published in DfE LAIT)."),
    Indicator("inmss_pct", "Children with a plan in independent or non-maintained special schools", "ratio", 1, "%",
              "January {y}", "Children and young people with an EHC plan placed in independent or non-maintained special "
              "schools (INMSS), as a % of all with a plan whose placement is recorded.", "place_inmss", "placements_total", 100),
)}
TREND_INDICATORS = ("plans_per_1000", "plans_in_force", "requests", "new_plans", "refusal_pct", "timely_20wk_pct",
                    "pupils_sen_support_pct", "pupils_ehcp_pct", "appeal_rate_pct", "inmss_pct")


# --- basic arithmetic ---------------------------------------------------------------------------------

def ratio(numerator, denominator, scale: float = 1.0) -> float:
    """numerator / denominator x scale; NaN when either is missing or the denominator is 0 (no division by nothing)."""
    if numerator is None or denominator is None or pd.isna(numerator) or pd.isna(denominator) or denominator == 0:
        return np.nan
    return float(numerator) / float(denominator) * scale


def growth_pct(by_year: pd.Series, start: int, end: int) -> float:
    """% change from `start` to `end` in a year-indexed series; NaN if either year is missing or the start is 0."""
    first, last = by_year.get(start, np.nan), by_year.get(end, np.nan)
    return ratio(last - first if not (pd.isna(first) or pd.isna(last)) else np.nan, first, 100)


RETURNED = ("demo", "LA return")
"""Sources of figures built from members' returns (demo data stands in for them): protected. Every other source is a
published file (DfE, ONS, Ofsted), shown as published."""
NOT_COUNTS = ("population_0_17",)
"""Returned measures that are not counts of children: ONS-style populations (and every `_pct` measure)."""


def protect_returned(values: pd.DataFrame, *, key=None) -> pd.DataFrame:
    """Figures as any member may see them: each count from a member's return (or the demo standing in for one) is
    protected by the cell-key method as a cell of its own (dashboard.disclosure: its key from a keyed hash of the
    area, year and measure, so it is the same in every view); published figures and percentages are left as they are.
    Everything the page shows is then worked out from these (totals, sub-regions, shares, rates)."""
    out = values.copy()
    returned = (out["source"].isin(RETURNED) & ~out["measure"].str.endswith("_pct") & ~out["measure"].isin(NOT_COUNTS)
                & out["value"].notna())
    if returned.any():
        part = out.loc[returned]
        keys = disclosure.identity_keys((f"send|{a}|{y}|{m}" for a, y, m in
                                         zip(part["area_code"], part["year"], part["measure"])), key=key)
        out.loc[returned, "value"] = disclosure.protect(part["value"].round().to_numpy(), keys).astype("float64")
    return out


def with_totals(values: pd.DataFrame) -> pd.DataFrame:
    """Add `placements_total` (sum of the placement measures, NaN if any is missing) for each area and year."""
    place = values[values["measure"].isin(PLACEMENT_MEASURES)]
    if place.empty:
        return values
    wide = place.pivot_table(index=["area_code", "year"], columns="measure", values="value", aggfunc="first", dropna=False)
    total = wide.reindex(columns=list(PLACEMENT_MEASURES)).sum(axis=1, min_count=len(PLACEMENT_MEASURES))
    total = total.rename("value").reset_index().assign(measure="placements_total")
    return pd.concat([values, total[["area_code", "year", "measure", "value"]]], ignore_index=True)


def _wide(values: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """area_code x year rows, one column per measure (NaN where not published)."""
    part = values[values["measure"].isin(measures)]
    wide = part.pivot_table(index=["area_code", "year"], columns="measure", values="value", aggfunc="first", dropna=False)
    return wide.reindex(columns=measures)


def area_series(values: pd.DataFrame, las: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The indicator for every area and year: area_code, year, value, n_las (LAs behind a sub-region figure), base.

    Areas: each LA (ONS code), each sub-region ("SR:<code>", pooled from its LAs), London and England (published totals).
    `base` is the denominator (ratios) so small bases can be flagged.
    """
    la_codes = set(las["la_code"])
    if indicator.kind == "ratio":
        wide = _wide(values, [indicator.numerator, indicator.denominator]).reset_index()
        num, den = wide[indicator.numerator], wide[indicator.denominator]
        both = num.notna() & den.notna()
        wide["num"], wide["den"] = num.where(both), den.where(both)
    else:
        wide = _wide(values, [indicator.code]).reset_index()
        wide["num"], wide["den"] = wide[indicator.code], np.nan
    # pandas' own NaN handling in the division: den 0 -> NaN (no return), not inf.
    def value_of(frame):
        if indicator.kind == "ratio":
            return [ratio(n, d, indicator.scale) for n, d in zip(frame["num"], frame["den"])]
        return list(frame["num"])

    own = wide[wide["area_code"].isin(la_codes | {LONDON, ENGLAND})].copy()
    own["value"] = value_of(own)
    own["n_las"] = np.where(own["area_code"].isin(la_codes), 1, np.nan)
    own["base"] = own["den"]
    las_only = wide[wide["area_code"].isin(la_codes)].merge(las[["la_code", "subregion_code"]], left_on="area_code", right_on="la_code")
    groups = []
    for (sub, year), frame in las_only.groupby(["subregion_code", "year"]):
        has = frame["num"].notna()
        if indicator.kind == "ratio":
            value = ratio(frame.loc[has, "num"].sum(), frame.loc[has, "den"].sum(), indicator.scale) if has.any() else np.nan
        elif indicator.kind == "count":
            value = frame.loc[has, "num"].sum() if has.all() else np.nan   # a partial sum would understate the total
        else:
            value = frame.loc[has, "num"].mean() if has.any() else np.nan  # published %s: unweighted mean of LAs
        groups.append({"area_code": f"SR:{sub}", "year": year, "value": value, "n_las": int(has.sum()),
                       "base": frame.loc[has, "den"].sum() if indicator.kind == "ratio" else np.nan})
    result = pd.concat([own[["area_code", "year", "value", "n_las", "base"]], pd.DataFrame(groups)], ignore_index=True)
    result["year"] = result["year"].astype(int)
    return result.sort_values(["area_code", "year"]).reset_index(drop=True)


def comparison_series(series: pd.DataFrame, las: pd.DataFrame, focus: str) -> pd.DataFrame:
    """Rows for the trend chart: focus LA, its sub-region, London, England (series name, year, value)."""
    i = las["la_code"].tolist().index(focus)   # the focus LA's row (a selection by label costs more than the rest)
    row = {c: las[c].iat[i] for c in ("la_name", "subregion_code", "subregion_name")}
    names = {focus: row["la_name"], f"SR:{row['subregion_code']}": f"{row['subregion_name']}", LONDON: "London", ENGLAND: "England"}
    part = series[series["area_code"].isin(names)].copy()
    part["series"] = part["area_code"].map(names)
    part["order"] = part["area_code"].map({k: i for i, k in enumerate(names)})
    return part.sort_values(["order", "year"])[["series", "area_code", "year", "value", "n_las"]].reset_index(drop=True)


def ranking(series: pd.DataFrame, las: pd.DataFrame, year: int, indicator: Indicator) -> pd.DataFrame:
    """Every LA for one year, highest first; `rank` among LAs with a figure and a base of at least SMALL_BASE.

    Not a league table: the page says so. LAs with small bases (City of London, always) keep their figure,
    flagged, without a rank; an LA with no figure shows "not published".
    """
    codes = las["la_code"].tolist()
    wanted = set(codes)
    found = {code: (value, base) for code, y, value, base in
             zip(series["area_code"].tolist(), series["year"].tolist(), series["value"].tolist(), series["base"].tolist())
             if y == year and code in wanted}   # one row per area and year: what a left merge on the LA code gives
    table = las[["la_code", "la_name", "subregion_name"]].reset_index(drop=True)
    table["value"] = np.array([found.get(c, (np.nan, np.nan))[0] for c in codes], dtype="float64")
    table["base"] = np.array([found.get(c, (np.nan, np.nan))[1] for c in codes], dtype="float64")
    small = (table["la_name"] == "City of London") | (table["base"].notna() & (table["base"] < SMALL_BASE))
    table["flag"] = np.where(table["value"].isna(), "not published",
                             np.where(small, "small numbers: not ranked", ""))
    rankable = table["value"].notna() & ~small & (indicator.kind != "count")
    ascending = indicator.polarity == "lower"
    table["rank"] = table["value"].where(rankable).rank(method="min", ascending=ascending).astype("Int64")
    # Highest first (lowest where lower is better), no figure last, ties by name: a stable sort, as sort_values'.
    order = table["value"].fillna(-np.inf if not ascending else np.inf).tolist()
    names = table["la_name"].tolist()
    rows = sorted(range(len(codes)), key=lambda i: (order[i] if ascending else -order[i], names[i]))
    return table.take(rows).reset_index(drop=True)


# --- mixes (placements, primary need) ----------------------------------------------------------------

def mix_table(values: pd.DataFrame, las: pd.DataFrame, year: int, measures: tuple[str, ...], by: str = "la") -> pd.DataFrame:
    """Counts and % shares of each category for one year, by LA ("la") or by sub-region ("subregion"), plus London and England.

    Columns: area, area_code, <measure> counts, <measure>_pct shares, total, and `suppressed` (list of measures shown as c:
    none since members' counts are protected by the cell-key method as they are read).
    An area with any category missing has no total and no shares (a partial mix would mislead).
    """
    wide = _wide(values[values["year"] == year], list(measures)).reset_index()
    la = las.set_index("la_code")
    if by == "subregion":
        # Every LA, with or without figures, so a sub-region with a missing LA is seen to be incomplete.
        merged = las[["la_code", "subregion_code", "subregion_name"]].merge(wide, left_on="la_code", right_on="area_code", how="left")
        grouped = merged.groupby(["subregion_code", "subregion_name"])[list(measures)].sum(min_count=1)
        complete = merged.set_index("subregion_code")[list(measures)].notna().all(axis=1).groupby(level=0).all()
        grouped = grouped.reset_index()
        grouped.loc[~grouped["subregion_code"].map(complete).fillna(False).astype(bool), list(measures)] = np.nan
        rows = grouped.rename(columns={"subregion_name": "area"}).assign(area_code=lambda f: "SR:" + f["subregion_code"])
        rows = rows.drop(columns="subregion_code")
    else:
        rows = wide[wide["area_code"].isin(la.index)].copy()
        rows["area"] = rows["area_code"].map(la["la_name"])
        rows = rows.sort_values("area")
    comparators = wide[wide["area_code"].isin([LONDON, ENGLAND])].copy()
    comparators["area"] = comparators["area_code"].map({LONDON: "London", ENGLAND: "England"})
    table = pd.concat([rows, comparators.sort_values("area", ascending=False)], ignore_index=True)
    table["total"] = table[list(measures)].sum(axis=1, min_count=len(measures))
    # No cell is hidden here: members' counts arrive protected (`protect_returned`), so shares are built from them
    # as they are, and published figures come suppressed by their publishers. `suppressed` stays for the markers.
    for m in measures:
        table[f"{m}_pct"] = table[m] / table["total"] * 100
    table["suppressed"] = [[] for _ in table.index]
    return table[["area", "area_code", *measures, *[f"{m}_pct" for m in measures], "total", "suppressed"]]


# --- inspections ---------------------------------------------------------------------------------------

def _as_date(value) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def outcome_share(inspections: pd.DataFrame, as_at: date | None = None, london_codes: set[str] | None = None) -> dict:
    """Share of published 2023-framework inspections with outcome 1, London and England, as at a publication date.

    Counts each area's inspections published on or before `as_at` (all of them when None) that have a grade.
    Returns {"London": {"inspected", "outcome_1", "pct"}, "England": {...}}; pct NaN when none inspected.
    """
    frame = inspections[(inspections["framework"] == "2023") & inspections["outcome_grade"].notna()
                        & inspections["publication_date"].notna()].copy()
    if as_at is not None:
        frame = frame[pd.to_datetime(frame["publication_date"]) <= pd.Timestamp(as_at)]
    # One inspection per area: the latest published on or before the date.
    frame = frame.sort_values("publication_date").drop_duplicates(["area_name"], keep="last")
    is_london = frame["region"].eq("London") if london_codes is None else frame["area_code"].isin(london_codes)
    result = {}
    for name, part in (("London", frame[is_london]), ("England", frame)):
        inspected, first = len(part), int((part["outcome_grade"] == 1).sum())
        result[name] = {"inspected": inspected, "outcome_1": first, "pct": ratio(first, inspected, 100)}
    return result


def outcome_share_history(inspections: pd.DataFrame, london_codes: set[str] | None = None) -> pd.DataFrame:
    """The outcome-1 share as it stood after each publication date: date, area (London/England), inspected, outcome_1, pct.

    The same counting as `outcome_share` (each area's latest graded report), in one pass over the reports in date order.
    """
    frame = inspections[(inspections["framework"] == "2023") & inspections["outcome_grade"].notna()
                        & inspections["publication_date"].notna()].copy()
    frame["day"] = pd.to_datetime(frame["publication_date"]).dt.date
    frame["is_london"] = frame["region"].eq("London") if london_codes is None else frame["area_code"].isin(london_codes)
    latest: dict[str, tuple[bool, bool]] = {}     # area -> (is London, outcome 1)
    rows = []
    for day, reports in frame.sort_values("day", kind="stable").groupby("day", sort=True):
        for name, london, grade in zip(reports["area_name"], reports["is_london"], reports["outcome_grade"]):
            latest[name] = (bool(london), grade == 1)
        for area, members in (("London", [v for v in latest.values() if v[0]]), ("England", list(latest.values()))):
            first = sum(1 for v in members if v[1])
            rows.append({"date": day, "area": area, "inspected": len(members), "outcome_1": first,
                         "pct": ratio(first, len(members), 100)})
    return pd.DataFrame(rows, columns=["date", "area", "inspected", "outcome_1", "pct"])


OUTCOME_TEXT = {1: "Outcome 1: typically positive experiences and outcomes",
                2: "Outcome 2: inconsistent experiences and outcomes",
                3: "Outcome 3: widespread and/or systemic failings"}


def latest_inspections(inspections: pd.DataFrame, las: pd.DataFrame) -> pd.DataFrame:
    """Per London LA: its latest 2023-framework outcome (grade, publication date) and its 2016-22 inspection result."""
    mine = inspections[inspections["area_code"].isin(set(las["la_code"]))]

    def latest(frame: pd.DataFrame) -> dict:   # area code -> its last report by publication date (no date: last)
        ordered = frame.sort_values("publication_date", kind="stable")
        return {code: row for code, row in zip(ordered["area_code"], ordered.to_dict("records"))}
    new = latest(mine[(mine["framework"] == "2023") & mine["outcome_grade"].notna()])
    old = latest(mine[mine["framework"] == "2016"])
    rows = []
    for code, name in zip(las["la_code"], las["la_name"]):
        grade = int(new[code]["outcome_grade"]) if code in new else None
        old_text = None
        if code in old:
            last = old[code]
            old_text = ("Written statement of action required" if last["wsoa_required"] == "Yes" else
                        "No written statement of action" if last["wsoa_required"] == "No" else "Not recorded")
            if last["wsoa_required"] == "Yes" and isinstance(last["revisit_outcome"], str) and last["revisit_outcome"]:
                old_text += f"; revisit: {'sufficient progress' if last['revisit_outcome'] == 'Yes' else last['revisit_outcome'].lower()}"
        rows.append({
            "la_code": code, "la_name": name, "outcome_grade": grade,
            "outcome": OUTCOME_TEXT[grade] if grade else "Not yet inspected under the 2023 framework",
            "published": _as_date(new[code]["publication_date"]) if code in new else None,
            "previous": old_text or "No inspection recorded",
            "previous_published": _as_date(old[code]["publication_date"]) if code in old else None,
        })
    table = pd.DataFrame(rows)
    table["outcome_grade"] = table["outcome_grade"].astype("Int64")  # None stays missing, never NaN-as-truthy
    return table


def round_half_up(value: float, decimals: int = 0) -> float:
    """Round as published tables do (0.5 up), not banker's rounding: 37.5 -> 38."""
    if pd.isna(value):
        return np.nan
    factor = 10 ** decimals
    return math.floor(value * factor + 0.5) / factor
