"""The published file formats we read, each recognised by its columns (never by its name).

Every reader turns a file into long rows: indicator, period, area_code, area_name, area_level,
dfe_code, value, marker. A cell that is not a number keeps its published marker (c suppressed,
k rounds to zero, x not available, z not applicable, low, -) with no value: missing is never 0.
Joint returns (Kingston upon Thames and Richmond upon Thames report their workforce together)
stay one joint row, labelled with both names and both codes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

MARKERS = {
    "c": "suppressed to protect confidentiality",
    "k": "rounds to zero (under 0.5)",
    "x": "not available",
    "z": "not applicable",
    "low": "fewer than 0.5 (FTE)",
    "-": "not available",
    "u": "low reliability",
}
# How a table cell, rank, quartile or flag names a marker: "suppressed (c)".
MARKER_LABELS = {"c": "suppressed", "k": "rounds to zero", "x": "not available", "z": "not applicable",
                 "low": "under 0.5 FTE", "-": "not available", "u": "low reliability"}
NOT_PUBLISHED = "not published"


def marker_text(marker) -> str:
    """What a figure a publication gives as a marker is called wherever it would stand (a table cell, a rank, a
    quartile, a flag, a sentence): "suppressed (c)", "not available (x)"; "not published" for no marker, and a
    phrase already written out ("no LA with a figure") as it is. Every page that shows markers says them this way."""
    if marker is None or (isinstance(marker, float) and marker != marker) or str(marker).strip() == "":
        return NOT_PUBLISHED
    marker = str(marker).strip()
    if marker in MARKER_LABELS:
        return f"{MARKER_LABELS[marker]} ({marker})"
    return marker if " " in marker else f"{NOT_PUBLISHED} ({marker})"


ENGLAND, LONDON, INNER, OUTER = "E92000001", "E12000007", "E13000001", "E13000002"
LAIT_AREAS = {"970": (ENGLAND, "England", "National"), "986": (LONDON, "London", "Regional"),
              "987": (INNER, "Inner London", "Inner/Outer London"), "988": (OUTER, "Outer London", "Inner/Outer London")}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str               # "%", "per 10,000 children", "caseload", "children", "people"
    polarity: str           # higher / lower / neither
    decimal_places: int
    source: str             # the publication
    period_note: str        # what a period means ("at 30 September", "at 31 March", "year to 31 March")
    definition: str


@dataclass(frozen=True)
class FileFormat:
    name: str
    description: str
    required: frozenset[str]
    read: Callable[[pd.DataFrame, dict], pd.DataFrame]     # (file as text, context) -> long rows
    indicators: tuple[Indicator, ...] = ()

    def matches(self, columns) -> bool:
        return self.required <= set(columns)


def split_value(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(value, marker): numbers become floats; anything else is a marker (kept as published), blanks are 'x'."""
    text = cells.fillna("").astype(str).str.strip()
    value = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    value = value.where(np.isfinite(value))
    marker = text.where(value.isna(), None)
    marker = marker.where(marker != "", "x")
    return value.astype("float64"), marker


def _ees_areas(frame: pd.DataFrame) -> pd.DataFrame:
    """Area code, name and level for an Explore Education Statistics file's rows (LA, region, nation)."""
    level = frame["geographic_level"].fillna("").str.strip()
    code = frame.get("new_la_code", pd.Series("", index=frame.index)).fillna("").str.strip()
    name = frame.get("la_name", pd.Series("", index=frame.index)).fillna("").str.strip()
    region_code = frame.get("region_code", pd.Series("", index=frame.index)).fillna("").str.strip()
    region_name = frame.get("region_name", pd.Series("", index=frame.index)).fillna("").str.strip()
    out = pd.DataFrame(index=frame.index)
    out["area_level"] = level
    out["area_code"] = np.where(level == "National", ENGLAND, np.where(level == "Regional", region_code, code))
    out["area_name"] = np.where(level == "National", "England", np.where(level == "Regional", region_name, name))
    out["dfe_code"] = frame.get("old_la_code", pd.Series("", index=frame.index)).fillna("").str.strip()
    return out


def _keep_areas(frame: pd.DataFrame) -> pd.Series:
    """England, every English region (London among them) and every LA: neighbours outside London need theirs."""
    return frame["area_level"].isin(["National", "Regional", "Local authority"]) & (frame["area_code"] != "")


def _long(areas: pd.DataFrame, period: pd.Series, indicator: str, cells: pd.Series) -> pd.DataFrame:
    value, marker = split_value(cells)
    return pd.DataFrame({"indicator": indicator, "period": period.astype(str).str.strip(), **{c: areas[c] for c in areas},
                         "value": value, "marker": marker})


CSWW_SOURCE = "DfE, Children's social work workforce (30 September census)"
CSWW = (
    Indicator("csww_agency_rate", "Agency social worker rate (published)", "%", "lower", 1, CSWW_SOURCE, "at 30 September",
              "Agency children and family social workers (FTE) as a percentage of agency plus directly employed (FTE)."),
    Indicator("csww_turnover_rate", "Social worker turnover rate (published)", "%", "lower", 1, CSWW_SOURCE, "year to 30 September",
              "FTE leavers in the year as a percentage of FTE social workers in post at 30 September."),
    Indicator("csww_vacancy_rate", "Social worker vacancy rate (published)", "%", "lower", 1, CSWW_SOURCE, "at 30 September",
              "FTE vacancies as a percentage of FTE vacancies plus FTE directly employed social workers."),
    Indicator("csww_caseload", "Average caseload per case-holding social worker (published)", "cases", "lower", 1,
              CSWW_SOURCE, "at 30 September", "Cases held divided by FTE case-holding children and family social workers."),
)
CSWW_COLUMNS = {"csww_agency_rate": "agency_rate_fte", "csww_turnover_rate": "turnover_rate_fte",
                "csww_vacancy_rate": "vacancy_rate_fte", "csww_caseload": "caseload_fte"}


def read_csww(frame: pd.DataFrame, _context) -> pd.DataFrame:
    areas = _ees_areas(frame)
    keep = _keep_areas(areas)
    parts = [_long(areas[keep], frame.loc[keep, "time_period"], code, frame.loc[keep, column])
             for code, column in CSWW_COLUMNS.items()]
    return pd.concat(parts, ignore_index=True)


CLA_SOURCE = "DfE, Children looked after in England including adoptions"
CLA_RATES = (
    Indicator("cla_rate_31_march", "Children looked after per 10,000 (published)", "per 10,000 children", "neither", 0,
              CLA_SOURCE, "at 31 March", "Children looked after at 31 March per 10,000 children aged 0 to 17 (ONS mid-year estimate)."),
    Indicator("cla_starting_rate", "Children starting to be looked after per 10,000 (published)", "per 10,000 children",
              "neither", 0, CLA_SOURCE, "year to 31 March", "Children who started to be looked after in the year per 10,000 children aged 0 to 17."),
    Indicator("cla_count_31_march", "Children looked after at 31 March (published number)", "children", "neither", 0,
              CLA_SOURCE, "at 31 March", "Number of children looked after at 31 March."),
)
CLA_POPULATIONS = {"Children looked after on 31 March each year": ("cla_rate_31_march", "cla_count_31_march"),
                   "Children starting to be looked after each year": ("cla_starting_rate", None)}


def read_cla_rates(frame: pd.DataFrame, _context) -> pd.DataFrame:
    areas = _ees_areas(frame)
    parts = []
    for population, (rate_code, count_code) in CLA_POPULATIONS.items():
        keep = _keep_areas(areas) & (frame["population_type"].str.strip() == population)
        parts.append(_long(areas[keep], frame.loc[keep, "time_period"], rate_code, frame.loc[keep, "rate_per_10000"]))
        if count_code:
            parts.append(_long(areas[keep], frame.loc[keep, "time_period"], count_code, frame.loc[keep, "children_count"]))
    return pd.concat(parts, ignore_index=True)


CLA_PLACEMENT = (
    Indicator("cla_over_20_miles_pct", "Looked after children placed more than 20 miles from home (published)", "%", "lower", 0,
              CLA_SOURCE, "at 31 March", "Children looked after at 31 March placed more than 20 miles from home, as a "
              "percentage of all children looked after at 31 March (distance not known counts in the total)."),
    Indicator("cla_outside_la_pct", "Looked after children placed outside the LA boundary (published)", "%", "lower", 0,
              CLA_SOURCE, "at 31 March", "Children looked after at 31 March placed outside the local authority boundary, as a "
              "percentage of all children looked after at 31 March."),
)
CLA_CHARACTERISTICS = {("Distance between home and placement", "Placed more than 20 miles from home"): "cla_over_20_miles_pct",
                       ("Locality of placement", "Placed outside the local authority boundary"): "cla_outside_la_pct"}


def read_cla_characteristics(frame: pd.DataFrame, _context) -> pd.DataFrame:
    areas = _ees_areas(frame)
    parts = []
    for (group, characteristic), code in CLA_CHARACTERISTICS.items():
        keep = (_keep_areas(areas) & (frame["cla_group"].str.strip() == group)
                & (frame["characteristic"].str.strip() == characteristic))
        parts.append(_long(areas[keep], frame.loc[keep, "time_period"], code, frame.loc[keep, "percentage"]))
    return pd.concat(parts, ignore_index=True)


POPULATION = (
    Indicator("population_0_17", "Children aged 0 to 17 (ONS mid-year estimate)", "children", "neither", 0,
              "ONS, mid-year population estimates", "at 30 June", "Estimated resident population aged 0 to 17."),
)


def read_population(frame: pd.DataFrame, _context) -> pd.DataFrame:
    areas = _ees_areas(frame)
    keep = _keep_areas(areas) & frame["age_group"].str.contains("0 to 17", na=False)
    return _long(areas[keep], frame.loc[keep, "time_period"], "population_0_17", frame.loc[keep, "population_estimate"])


LAIT_SOURCE = "DfE, Local Authority Interactive Tool (LAIT)"
# LAIT measure -> (our code, name, unit, polarity, decimal places, period note); definitions come from the file's own item text.
LAIT_MEASURES = {
    "CPP_Total_Rateper10,000": ("lait_referrals_rate", "Referrals per 10,000 (LAIT)", "per 10,000 children", "neither", 1, "year to 31 March"),
    "ReReferral": ("lait_rereferrals_pct", "Re-referrals within 12 months % (LAIT)", "%", "lower", 1, "year to 31 March"),
    "CIN": ("lait_cin_rate", "Children in need per 10,000 (LAIT)", "per 10,000 children", "neither", 1, "at 31 March"),
    "CPP_rate": ("lait_cpp_rate", "Child protection plans per 10,000 (LAIT)", "per 10,000 children", "neither", 1, "at 31 March"),
    "PrevRegCPR": ("lait_second_cpp_pct", "Second or subsequent child protection plans % (LAIT)", "%", "lower", 1, "year to 31 March"),
    "LAC": ("lait_cla_rate", "Children looked after per 10,000 (LAIT)", "per 10,000 children", "neither", 0, "at 31 March"),
    "LACDistance": ("lait_cla_distance_pct", "Looked after children placed over 20 miles away and outside the LA % (LAIT)", "%",
                    "lower", 0, "at 31 March"),
    "CareLeaverEET": ("lait_care_leavers_eet_pct", "Care leavers aged 19 in education, employment or training % (LAIT)", "%",
                      "higher", 0, "year to 31 March"),
    "CareLeaverAcc": ("lait_care_leavers_accommodation_pct", "Care leavers aged 19 in suitable accommodation % (LAIT)", "%",
                      "higher", 0, "year to 31 March"),
    "Unacc_Asylmn_Seek_Childn": ("lait_uasc_count", "Unaccompanied asylum-seeking children looked after (LAIT)", "children",
                                 "neither", 0, "at 31 March"),
}


def lait_rows(frame: pd.DataFrame, measures) -> pd.DataFrame:
    """LAIT's long table, the rows of `measures` (its Short Desc codes) as measure, period, dfe_code (the LA Number:
    970 England, 986 London, 987/988 Inner/Outer London, else the LA's), area_name, value, marker; `row` is the
    file's line number, for errors."""
    short = frame["Short Desc"].fillna("").str.strip()
    rows = frame[short.isin(set(measures))]
    value, marker = split_value(rows["Values"])
    return pd.DataFrame({"measure": short[rows.index], "period": rows["Years"].fillna("").str.strip(),
                         "dfe_code": rows["LA Number"].fillna("").str.strip().str.replace(r"\.0$", "", regex=True),
                         "area_name": rows["LA and Regions"].fillna("").str.strip(), "value": value, "marker": marker,
                         "row": rows.index + 2})


def read_lait(frame: pd.DataFrame, context) -> pd.DataFrame:
    """LAIT's long table: LAs by their DfE number (mapped to ONS codes we know), England, London, Inner/Outer."""
    rows = lait_rows(frame, LAIT_MEASURES)
    known = {**LAIT_AREAS,
             **{dfe: (ons, name, "Local authority") for dfe, (ons, name) in context["dfe_to_ons"].items()}}
    mapped = rows["dfe_code"].map(known)
    context["skipped"] = context.get("skipped", 0) + int(mapped.isna().sum())
    rows, mapped = rows[mapped.notna()], mapped[mapped.notna()]
    described = frame[frame["Data item"].fillna("").str.strip() != ""]   # LAIT gives the item's text on one row of each
    context["definitions"] = dict(zip(described["Short Desc"].str.strip(), described["Data item"].str.strip()))
    return pd.DataFrame({"indicator": rows["measure"].map({m: spec[0] for m, spec in LAIT_MEASURES.items()}),
                         "period": rows["period"], "area_code": mapped.str[0], "area_name": mapped.str[1],
                         "area_level": mapped.str[2], "dfe_code": rows["dfe_code"], "value": rows["value"],
                         "marker": rows["marker"]}).reset_index(drop=True)


def lait_indicators(definitions: dict | None = None) -> tuple[Indicator, ...]:
    definitions = definitions or {}
    return tuple(Indicator(code, name, unit, polarity, dp, LAIT_SOURCE, note,
                           " ".join(definitions.get(measure, name).split()))
                 for measure, (code, name, unit, polarity, dp, note) in LAIT_MEASURES.items())


def read_neighbours(frame: pd.DataFrame, _context) -> pd.DataFrame:
    """DfE statistical neighbours (2025 model): each LA's 10 nearest, by DfE number, with their closeness."""
    rows = []
    for _, r in frame.iterrows():
        for n in range(1, 11):
            neighbour = str(r.get(f"SN_{n}", "") or "").strip().replace(".0", "")
            if neighbour:
                rows.append({"dfe_code": str(r["old_la_code"]).strip(), "rank": n, "neighbour_dfe_code": neighbour,
                             "closeness": str(r.get(f"SN_{n}P", "") or "").strip()})
    return pd.DataFrame(rows, columns=["dfe_code", "rank", "neighbour_dfe_code", "closeness"])


EES_BASE = frozenset({"time_period", "geographic_level", "new_la_code", "old_la_code"})
FORMATS = (
    FileFormat("dfe_csww_indicators", "DfE children's social work workforce indicators (Explore Education Statistics)",
               EES_BASE | {"agency_rate_fte", "turnover_rate_fte", "vacancy_rate_fte", "caseload_fte"}, read_csww, CSWW),
    FileFormat("dfe_cla_rates", "DfE children looked after: numbers and rates per 10,000 (Explore Education Statistics)",
               EES_BASE | {"population_type", "children_count", "rate_per_10000"}, read_cla_rates, CLA_RATES),
    FileFormat("dfe_cla_characteristics", "DfE children looked after at 31 March by characteristics (placement locality, distance)",
               EES_BASE | {"cla_group", "characteristic", "percentage", "cla_31_march_number"}, read_cla_characteristics,
               CLA_PLACEMENT),
    FileFormat("ons_population", "ONS mid-year population estimates, children aged 0 to 17 (DfE LA geography)",
               EES_BASE | {"age_group", "population_estimate"}, read_population, POPULATION),
    FileFormat("dfe_lait", "DfE Local Authority Interactive Tool long table",
               frozenset({"Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number"}), read_lait),
    FileFormat("dfe_statistical_neighbours", "DfE children's services statistical neighbours (wide table)",
               frozenset({"old_la_code", "la_name", "SN_1", "SN_1P", "SN_10"}), read_neighbours),
)


def recognise(columns) -> FileFormat | None:
    return next((f for f in FORMATS if f.matches(columns)), None)
