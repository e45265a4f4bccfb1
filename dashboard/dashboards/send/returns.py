"""The SEND dataset: EHC plans, timeliness, pupils, placements, primary need and area SEND inspections.

Two tables, both prefixed `send_`:
  send_value       one figure per area (a London LA's ONS code, London E12000007 or England E92000001),
                   year and measure; NULL = not published ("x", "z", "c", ...), never 0.
  send_inspection  one row per area SEND inspection (London and, for the national share, England).
Every row says where it came from (`source`): the published file it was imported from, or "demo".
So the page can label each section honestly: real where DfE/ONS/Ofsted publish the figure, demo
data (seeded, labelled) only where the published files we import do not have it.

Importers read the publishers' own files (the project ships importers, never the files):
  - DfE SEN2 "Education, health and care plans": sen2_age_caseload.csv (plans in force in January, by
    age) and sen2_mi.csv (requests, refusals, new plans, 20-week timeliness, tribunals);
  - ONS mid-year estimates of children aged 0-17 (the DfE-geography file);
  - DfE LAIT "big data set" (optional): % of pupils with SEN support / with an EHC plan, tribunal appeal rate;
  - Ofsted area SEND inspections 1 May 2016 - 31 August 2022 (official statistics, CSV or ODS) and
    inspections under the framework in use since January 2023 (outcome 1, 2 or 3).
Placements by setting and primary need are not in those files: they are demo data (seeded) until
members upload them.

Command line: `python -m dashboard import-published FOLDER` imports every file it finds in FOLDER (searched
recursively; full national files or London cuts); `python -m dashboard load-demo --dataset send` reloads the demo.
"""
from __future__ import annotations

from collections import Counter
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

# Its tables and names are defined with its reads (data.py); the upload spec and tests find them here too.
from dashboard.dashboards.send.data import (DEMO, ENGLAND, LABEL, LONDON, NAME, NEEDS, PLACEMENTS, send_inspection,
                                            send_value)
from dashboard.dashboards.send.metrics import RETURNED
from dashboard.ingest.periods import CENSUS_YEAR
from dashboard.ingest.specs import LA_COLUMN, ColumnSpec, DatasetSpec, Target
from dashboard.published.page_figures import long_figures, read_table
from dashboard.published.routes import Route, is_london
from dashboard.store import schema
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction

# --- measures -----------------------------------------------------------------------------------

MEASURES = {
    "plans_in_force": "EHC plans and statements in force in January",
    "ehcp_in_force": "EHC plans in force in January (statements excluded)",
    "requests": "Initial requests for an EHC needs assessment in the calendar year",
    "refusals": "Initial requests refused in the calendar year",
    "new_plans": "New EHC plans issued in the calendar year",
    "timely_20wk": "New EHC plans issued within 20 weeks, excluding exceptions",
    "timely_base": "New EHC plans, excluding exceptions (the 20-week rate's denominator)",
    "timely_20wk_pct": "% of new EHC plans issued within 20 weeks, excluding exceptions (as published)",
    "tribunal_appeals": "Appeals to the SEND Tribunal in the calendar year",
    "appeal_rate_pct": "Appeals to the SEND Tribunal as % of appealable decisions",
    "population_0_17": "Children aged 0-17 (ONS mid-year estimate)",
    "pupils_sen_support_pct": "% of pupils with SEN support (January census)",
    "pupils_ehcp_pct": "% of pupils with an EHC plan or statement (January census)",
    **{k: f"Children with an EHC plan: {v}" for k, v in PLACEMENTS.items()},
    **{k: f"Pupils with an EHC plan, primary need: {v}" for k, v in NEEDS.items()},
}

# Published markers: all mean "no figure", never zero (DfE: z not applicable, x not available,
# c suppressed, k under 0.5, low; LAIT: "-"; spreadsheets: NA and blanks).
MARKERS = {"", "z", "x", "c", "k", "u", "low", "-", ":", "..", ".", "na", "n/a", "nan", "none", "not available", "#n/a"}


class SendImportError(ValueError):
    """A published file could not be read: the message names the file, row and column."""


def parse_number(value, *, file: str = "", row: int | None = None, column: str = "") -> float:
    """A published cell as a float: a marker (c, x, z, ...) is NaN (not published), never 0."""
    if value is None:
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip().replace(",", "")
    if text.lower() in MARKERS:
        return np.nan
    try:
        return float(text)
    except ValueError:
        where = f"{file}, row {row}, column {column!r}" if file else f"column {column!r}"
        raise SendImportError(f"{where}: {value!r} is neither a number nor a known marker (c, x, z, k, low, -)") from None


def parse_column(frame: pd.DataFrame, column: str, file: str) -> pd.Series:
    # The frame keeps the file's row positions through filtering; +2: the header line, and people count rows from 1.
    return pd.Series([parse_number(v, file=file, row=int(i) + 2, column=column) for i, v in zip(frame.index, frame[column])],
                     index=frame.index, dtype="float64")


# --- reading the published files ------------------------------------------------------------------

def _require(frame: pd.DataFrame, columns: list[str], file: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SendImportError(f"{file}: missing column(s) {', '.join(missing)}; is this the right file?")


def _ees_area_codes(frame: pd.DataFrame, la_codes: set[str], code_column: str = "new_la_code") -> pd.Series:
    """Area code of each row of an explore-education-statistics file: LA, London or England; None otherwise."""
    level = frame["geographic_level"].astype(str)
    code = frame[code_column].astype(str)
    region = frame["region_code"].astype(str) if "region_code" in frame else pd.Series("", index=frame.index)
    area = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    area[(level == "Local authority") & code.isin(la_codes)] = code
    area[(level == "Regional") & (region == LONDON)] = LONDON
    area[level == "National"] = ENGLAND
    return area


def _rows(area: pd.Series, years: pd.Series, measure: str, values: pd.Series, source: str) -> list[dict]:
    keep = area.notna()
    source = source[:160]
    return [{"area_code": a, "year": int(y), "measure": measure, "value": None if np.isnan(v) else float(v), "source": source}
            for a, y, v in zip(area[keep], years[keep], values[keep])]


def _release(years: pd.Series, prefix: str) -> str:
    """'release with figures to 2022': a file's release is named by the last year it holds."""
    return f"release with figures {prefix}{int(years.max())}" if len(years) else "release with no rows"


def sen2_source(years: pd.Series, file: str) -> str:
    return f"DfE, Education, health and care plans (SEN2), {_release(years, 'to ')} ({file})"


def lait_source(years: pd.Series) -> str:
    return f"DfE, Local Authority Interactive Tool (LAIT), {_release(years, 'to ')}"


def read_sen2_caseload(path: Path, la_codes: set[str]) -> list[dict]:
    """Plans in force in January (SEN2 `sen2_age_caseload.csv`, age band 'Total')."""
    file = path.name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(frame, ["time_period", "geographic_level", "new_la_code", "characteristic_age", "Total_ehc", "Total_all"], file)
    frame = frame[frame["characteristic_age"] == "Total"]
    area = _ees_area_codes(frame, la_codes)
    frame, area = frame[area.notna()], area[area.notna()]
    years = frame["time_period"].astype(int)
    source = sen2_source(years, file)
    return (_rows(area, years, "plans_in_force", parse_column(frame, "Total_all", file), source)
            + _rows(area, years, "ehcp_in_force", parse_column(frame, "Total_ehc", file), source))


SEN2_MI_COLUMNS = {"requests": "inreq_ehc", "refusals": "ass_refused_ehc", "new_plans": "new_all_ehc",
                   "timely_20wk": "no_exc_20week_ehc", "timely_base": "tot_no_exc_ehc",
                   "timely_20wk_pct": "no_exc_20week_rate", "tribunal_appeals": "total_tribunal"}


def read_sen2_mi(path: Path, la_codes: set[str]) -> list[dict]:
    """Requests, refusals, new plans, 20-week timeliness and tribunals in the calendar year (SEN2 `sen2_mi.csv`)."""
    file = path.name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(frame, ["time_period", "geographic_level", "new_la_code", *SEN2_MI_COLUMNS.values()], file)
    area = _ees_area_codes(frame, la_codes)
    frame, area = frame[area.notna()], area[area.notna()]
    years = frame["time_period"].astype(int)
    source = sen2_source(years, file)
    rows = []
    for measure, column in SEN2_MI_COLUMNS.items():
        rows += _rows(area, years, measure, parse_column(frame, column, file), source)
    return rows


def read_population(path: Path, la_codes: set[str]) -> list[dict]:
    """Children aged 0-17, ONS mid-year estimates in DfE geography (`ons_mid-year_population_estimates_*.csv`)."""
    file = path.name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(frame, ["time_period", "geographic_level", "new_la_code", "age_group", "population_estimate"], file)
    frame = frame[frame["age_group"].str.contains("0 to 17", regex=False)]
    area = _ees_area_codes(frame, la_codes)
    frame, area = frame[area.notna()], area[area.notna()]
    years = frame["time_period"].astype(int)
    source = f"ONS, Mid-year population estimates (DfE geography), {_release(years, 'to mid-')} ({file})"
    return _rows(area, years, "population_0_17", parse_column(frame, "population_estimate", file), source)


LAIT_MEASURES = {"SEN_TotSENSuP": "pupils_sen_support_pct", "SEN_TotStat": "pupils_ehcp_pct",
                 "SEN_AppealableDec": "appeal_rate_pct"}


def read_lait(path: Path, dfe_to_ons: dict[str, str]) -> list[dict]:
    """% of pupils with SEN support / an EHC plan and the tribunal appeal rate from DfE LAIT's long file."""
    file = path.name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(frame, ["Short Desc", "Years", "Values", "LA Number"], file)
    frame = frame[frame["Short Desc"].isin(LAIT_MEASURES)]
    number = frame["LA Number"].str.replace(r"\.0$", "", regex=True)
    area = number.map({**dfe_to_ons, "986": LONDON, "970": ENGLAND})
    frame, area = frame[area.notna()], area[area.notna()]
    years = frame["Years"].str.extract(r"^(\d{4})", expand=False)
    frame, area, years = frame[years.notna()], area[years.notna()], years[years.notna()].astype(int)
    values = parse_column(frame, "Values", file)
    rows = []
    for code, measure in LAIT_MEASURES.items():
        mask = frame["Short Desc"] == code
        rows += _rows(area[mask], years[mask], measure, values[mask].round(1), f"{lait_source(years)} ({file})")
    return rows


def _date(value, dayfirst: bool = True):
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() in ("", "NaT", "nan"):
        return None
    if isinstance(value, (pd.Timestamp, date)):
        return pd.Timestamp(value).date()
    text = str(value).strip()
    if not re.match(r"^\d", text):
        return None  # e.g. "Not revisited yet"
    parsed = pd.to_datetime(text, dayfirst=dayfirst and "/" in text, errors="coerce")
    if pd.isna(parsed) or parsed.year < 2000:  # the scrape writes 01/01/1900 for "none"
        return None
    return parsed.date()


def _int_or_none(value):
    number = parse_number(value, column="count")
    return None if np.isnan(number) else int(number)


def read_inspections_2016(path: Path) -> list[dict]:
    """Ofsted area SEND inspections 1 May 2016 - 31 August 2022 (the official ODS, or a CSV of its data sheet)."""
    file = path.name
    if path.suffix.lower() == ".ods":
        try:
            sheets = pd.read_excel(path, sheet_name=None, header=None, engine="odf", dtype=str)
        except ImportError as exc:
            raise SendImportError(f"{file}: reading .ods needs the odfpy package; save the data sheet as CSV instead") from exc
        raw = next((s for s in sheets.values() if s.astype(str).apply(lambda c: c.str.contains("Local authority code")).any().any()), None)
        if raw is None:
            raise SendImportError(f"{file}: no sheet has a 'Local authority code' column")
    else:
        raw = pd.read_csv(path, dtype=str, header=None, keep_default_na=False)
    header_row = next((i for i in range(min(len(raw), 20)) if "Local authority code" in set(raw.iloc[i].astype(str))), None)
    if header_row is None:
        raise SendImportError(f"{file}: no header row with 'Local authority code' in the first 20 rows")
    frame = raw.iloc[header_row + 1:].copy()
    frame.columns = [str(c).strip() for c in raw.iloc[header_row]]
    frame = frame[frame["Local authority code"].astype(str).str.match(r"^E\d{8}$")]
    outcome = next(c for c in frame.columns if c.startswith("Inspection outcome"))
    weaknesses = next((c for c in frame.columns if c.startswith("Number significant weaknesses identified")), None)
    revisit = next((c for c in frame.columns if c.startswith("Revisit outcome")), None)
    rows = []
    for _, r in frame.iterrows():
        rows.append({
            "area_code": r["Local authority code"], "area_name": r["Area name"], "region": r.get("Ofsted region") or None,
            "framework": "2016", "start_date": _date(r["Inspection start date"], dayfirst=False),
            "publication_date": _date(r["Inspection publication date"], dayfirst=False), "outcome_grade": None,
            "wsoa_required": str(r[outcome]).strip() or None,
            "weaknesses": _int_or_none(r[weaknesses]) if weaknesses else None,
            "revisit_outcome": (str(r[revisit]).strip() or None) if revisit else None,
            "source": f"Ofsted, Area SEND inspection outcomes 1 May 2016 to 31 August 2022, official statistics ({file})"[:160],
        })
    return rows


REGION_NAMES = {"GL": "London", "NW": "North West", "SE": "South East", "WM": "West Midlands", "SW": "South West",
                "YH": "Yorkshire and the Humber", "EM": "East Midlands", "E": "East of England", "NE": "North East"}


def read_inspections_2023(path: Path) -> list[dict]:
    """Area SEND inspections under the framework in use since January 2023: outcome 1, 2 or 3 (xlsx or csv).

    Columns as in data-to-insight's scrape of Ofsted reports: ltla23cd, local_authority, region_code,
    outcome_grade, inspection_start_date, publication_date (dd/mm/yy).
    """
    file = path.name
    frame = pd.read_excel(path, dtype=str) if path.suffix.lower() in (".xlsx", ".xls") else pd.read_csv(path, dtype=str, keep_default_na=False)
    _require(frame, ["ltla23cd", "local_authority", "region_code", "outcome_grade", "inspection_start_date", "publication_date"], file)
    rows = []
    for i, r in frame.reset_index(drop=True).iterrows():
        grade = parse_number(r["outcome_grade"], file=file, row=i + 2, column="outcome_grade")
        if not np.isnan(grade) and grade not in (1, 2, 3):
            raise SendImportError(f"{file}, row {i + 2}, column 'outcome_grade': {r['outcome_grade']!r} is not 1, 2 or 3")
        region = r["region_code"] if isinstance(r["region_code"], str) else ""
        rows.append({
            "area_code": r["ltla23cd"] if isinstance(r["ltla23cd"], str) else None,
            "area_name": str(r["local_authority"]).title().replace(" And ", " and ").replace(" Upon ", " upon ").replace(" Of ", " of "),
            "region": REGION_NAMES.get(region.strip(), region.strip() or None), "framework": "2023",
            "start_date": _date(r["inspection_start_date"]), "publication_date": _date(r["publication_date"]),
            "outcome_grade": None if np.isnan(grade) else int(grade), "wsoa_required": None, "weaknesses": None,
            "revisit_outcome": None, "source": "",
        })
    published = [r["publication_date"] for r in rows if r["publication_date"]]
    last = f"reports published to {max(published):%d %b %Y}" if published else "no report dates"
    for r in rows:
        r["source"] = f"Ofsted, area SEND inspection reports (2023 framework), {last}, scraped by data-to-insight ({file})"[:160]
    return rows


# Which file feeds which reader: the publisher's full file first, else the London cut beside it.
@dataclass(frozen=True)
class PublishedFile:
    kind: str
    names: tuple[str, ...]


PUBLISHED_FILES = (
    PublishedFile("caseload", ("sen2_age_caseload.csv", "sen2_age_caseload_london.csv")),
    PublishedFile("mi", ("sen2_mi.csv", "sen2_mi_london.csv")),
    PublishedFile("population", ("ons_mid-year_population_estimates_2012_to_2024.csv",
                                 "ons_mid-year_population_estimates_2012_to_2024_london.csv")),
    PublishedFile("lait", ("bds_long_london.csv",)),
    PublishedFile("inspections_2016", ("area_send_inspections_2016_2022_london.csv",
                                       "Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods")),
    PublishedFile("inspections_2023", ("ofsted_csc_send_overview.xlsx", "ofsted_send_2023_framework_london.csv")),
)


def find_published_files(folder: Path) -> dict[str, Path]:
    """{kind: path} for each kind of published file found anywhere under `folder`."""
    found = {}
    if not folder or not Path(folder).is_dir():
        return found
    everything = {p.name: p for p in sorted(Path(folder).rglob("*")) if p.is_file()}
    for spec in PUBLISHED_FILES:
        path = next((everything[n] for n in spec.names if n in everything), None)
        if path is not None:
            found[spec.kind] = path
    return found


def read_published(folder: Path, las: pd.DataFrame) -> tuple[list[dict], list[dict], dict[str, Path]]:
    """(value rows, inspection rows, files used) from every published file found under `folder`."""
    files = find_published_files(folder)
    la_codes = set(las["ons_code"])
    values, inspections = [], []
    if "caseload" in files:
        values += read_sen2_caseload(files["caseload"], la_codes)
    if "mi" in files:
        values += read_sen2_mi(files["mi"], la_codes)
    if "population" in files:
        values += read_population(files["population"], la_codes)
    if "lait" in files:
        values += read_lait(files["lait"], dict(zip(las["dfe_code"].astype(str), las["ons_code"])))
    if "inspections_2016" in files:
        inspections += read_inspections_2016(files["inspections_2016"])
    if "inspections_2023" in files:
        inspections += read_inspections_2023(files["inspections_2023"])
    return values, inspections, files


# --- demo data ----------------------------------------------------------------------------------

CASELOAD_YEARS = range(2010, 2023)
ACTIVITY_YEARS = range(2014, 2023)
POPULATION_YEARS = range(2012, 2025)
PUPIL_YEARS = range(2016, 2026)
DETAIL_YEARS = range(2018, 2023)   # placements and primary need
# Shares rounded from published London figures (SEN2 placements, SEN in England primary need); none is any LA's.
PLACEMENT_SHARES = {"place_mainstream": 0.38, "place_resourced": 0.06, "place_la_special": 0.17,
                    "place_academy_special": 0.12, "place_inmss": 0.07, "place_fe": 0.13, "place_other": 0.07}
NEED_SHARES = {"need_asd": 0.34, "need_semh": 0.14, "need_slcn": 0.21, "need_mld": 0.08, "need_other": 0.23}


def _las(engine: Engine) -> pd.DataFrame:
    la = schema.local_authority
    with engine.connect() as conn:
        return pd.read_sql(select(la.c.ons_code, la.c.dfe_code, la.c.name, la.c.inner_outer).order_by(la.c.ons_code), conn)


def demo_values(las: pd.DataFrame, seed: int, existing: pd.DataFrame | None = None, only: set[str] | None = None) -> list[dict]:
    """Seeded demo figures for every LA, London and England.

    `existing` (area_code, year, measure, value) are real figures the demo builds on (placements and needs
    are split from the real number of plans); `only` limits which measures are generated.
    """
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    want = (lambda m: True) if only is None else (lambda m: m in only)
    real = {} if existing is None else {(a, y, m): v for a, y, m, v in existing[["area_code", "year", "measure", "value"]].itertuples(index=False)}

    def add(area, year, measure, value):
        if want(measure):
            rows.append({"area_code": area, "year": int(year), "measure": measure,
                         "value": None if value is None or np.isnan(value) else float(value), "source": DEMO})

    plans = {}
    for code, name in zip(las["ons_code"], las["name"]):
        small = name == "City of London"
        pop0 = 900 if small else rng.uniform(40_000, 90_000)
        rate0 = rng.uniform(14, 26)                      # plans per 1,000 aged 0-17 in 2010
        growth = rng.normal(0.065, 0.02)                 # a year, from 2015
        for year in POPULATION_YEARS:
            add(code, year, "population_0_17", round(pop0 * (1 + 0.004 * (year - 2012)) * rng.normal(1, 0.005)))
        for year in CASELOAD_YEARS:
            n = pop0 * rate0 / 1000 * (1 + max(0, growth) * max(0, year - 2014)) * rng.normal(1, 0.02)
            n = max(1, round(n))
            plans[(code, year)] = real.get((code, year, "plans_in_force"), n)
            add(code, year, "plans_in_force", n)
            add(code, year, "ehcp_in_force", np.nan if year < 2015 else round(n * min(1, (year - 2014) / 4)))
        for year in ACTIVITY_YEARS:
            base = plans[(code, year)] if (code, year) in plans else n
            requests = max(0, round(base * rng.uniform(0.12, 0.22)))
            refusals = round(requests * rng.uniform(0.12, 0.35))
            new = max(0, round(requests * rng.uniform(0.45, 0.7)))
            timely_base = round(new * rng.uniform(0.85, 1.0))
            timely = round(timely_base * float(np.clip(rng.normal(0.6, 0.18), 0.05, 1.0)))
            missing = rng.random() < 0.03 and not small   # the odd LA with no return, as in real collections
            add(code, year, "requests", np.nan if missing or year < 2016 else requests)
            add(code, year, "refusals", np.nan if missing or year < 2016 else refusals)
            add(code, year, "new_plans", np.nan if missing else new)
            add(code, year, "timely_20wk", np.nan if missing else timely)
            add(code, year, "timely_base", np.nan if missing else timely_base)
            add(code, year, "timely_20wk_pct", np.nan if missing or timely_base == 0 else round(100 * timely / timely_base, 1))
            add(code, year, "tribunal_appeals", round(new * rng.uniform(0.02, 0.08)) if year == 2022 else np.nan)
        for year in PUPIL_YEARS:
            add(code, year, "pupils_sen_support_pct", round(float(np.clip(rng.normal(12.5, 1.8), 6, 20)), 1))
            add(code, year, "pupils_ehcp_pct", round(float(np.clip(rng.normal(3 + 0.25 * (year - 2016), 0.7), 1, 9)), 1))
            add(code, year, "appeal_rate_pct", round(float(np.clip(rng.normal(1.7, 0.6), 0, 6)), 1) if year < 2025 else np.nan)
        inmss_tilt = rng.normal(0, 0.025)
        for year in DETAIL_YEARS:
            total = plans.get((code, year))
            if total is None or np.isnan(total):
                continue
            shares = {k: max(0.005, v + rng.normal(0, 0.02)) for k, v in PLACEMENT_SHARES.items()}
            shares["place_inmss"] = max(0.005, shares["place_inmss"] + inmss_tilt)
            scale = sum(shares.values())
            counts = {k: int(round(total * v / scale)) for k, v in shares.items()}
            counts["place_mainstream"] += int(total) - sum(counts.values())   # add up to the plans in force
            for k, v in counts.items():
                add(code, year, k, max(0, v))
            pupils = total * 0.8
            nshares = {k: max(0.01, v + rng.normal(0, 0.025)) for k, v in NEED_SHARES.items()}
            scale = sum(nshares.values())
            for k, v in nshares.items():
                add(code, year, k, round(pupils * v / scale))
    # London and England totals of the demo (England scaled up from London's 1/6 share of plans).
    frame = pd.DataFrame(rows)
    if not frame.empty:
        counts = frame[~frame["measure"].str.endswith("_pct")]
        totals = counts.groupby(["year", "measure"])["value"].agg(lambda s: s.sum(min_count=1)).reset_index()
        for year, measure, value in totals.itertuples(index=False):
            add(LONDON, year, measure, value)
            add(ENGLAND, year, measure, np.nan if pd.isna(value) else round(value * rng.uniform(5.6, 6.4)))
        for (year, measure), group in frame[frame["measure"].str.endswith("_pct")].groupby(["year", "measure"]):
            mean = group["value"].mean()
            add(LONDON, year, measure, round(mean, 1))
            add(ENGLAND, year, measure, round(mean * rng.uniform(0.85, 1.1), 1))
    return rows


def demo_inspections(las: pd.DataFrame, seed: int) -> list[dict]:
    """Seeded demo inspections: every London LA under the 2016 framework, about half under the 2023 one."""
    rng = np.random.default_rng(seed + 1)
    rows = []
    for code, name in zip(las["ons_code"], las["name"]):
        start = date(2016, 6, 1) + pd.Timedelta(days=int(rng.integers(0, 6 * 365)))
        wsoa = "Yes" if rng.random() < 0.35 else "No"
        rows.append({"area_code": code, "area_name": name, "region": "London", "framework": "2016", "start_date": start,
                     "publication_date": start + pd.Timedelta(days=70), "outcome_grade": None, "wsoa_required": wsoa,
                     "weaknesses": int(rng.integers(1, 7)) if wsoa == "Yes" else None, "revisit_outcome": None, "source": DEMO})
        if rng.random() < 0.5:
            start = date(2023, 2, 1) + pd.Timedelta(days=int(rng.integers(0, 900)))
            rows.append({"area_code": code, "area_name": name, "region": "London", "framework": "2023", "start_date": start,
                         "publication_date": start + pd.Timedelta(days=60), "outcome_grade": int(rng.choice([1, 2, 3], p=[0.3, 0.5, 0.2])),
                         "wsoa_required": None, "weaknesses": None, "revisit_outcome": None, "source": DEMO})
    for i in range(60):  # the rest of England, for the national share
        start = date(2023, 2, 1) + pd.Timedelta(days=int(rng.integers(0, 900)))
        rows.append({"area_code": None, "area_name": f"Demo area {i + 1}", "region": "Elsewhere in England", "framework": "2023",
                     "start_date": start, "publication_date": start + pd.Timedelta(days=60),
                     "outcome_grade": int(rng.choice([1, 2, 3], p=[0.22, 0.5, 0.28])), "wsoa_required": None,
                     "weaknesses": None, "revisit_outcome": None, "source": DEMO})
    return rows


# --- loading --------------------------------------------------------------------------------------

def _write(engine: Engine, values: list[dict], inspections: list[dict]) -> int:
    """Replace the whole dataset in one transaction that bumps its version; is_demo if any row is demo."""
    is_demo = any(r["source"] == DEMO for r in values) or any(r["source"] == DEMO for r in inspections)
    with write_transaction(engine, NAME) as conn:
        conn.execute(send_value.delete())
        conn.execute(send_inspection.delete())
        if values:
            conn.execute(send_value.insert(), values)
        if inspections:
            conn.execute(send_inspection.insert(), inspections)
        return bump_version(conn, NAME, is_demo=is_demo)


def load_demo_only(engine: Engine, seed: int) -> int:
    """Replace the dataset with seeded demo data for everything (no published file read)."""
    las = _las(engine)
    return _write(engine, demo_values(las, seed), demo_inspections(las, seed))


def load_published(engine: Engine, folder: Path, seed: int = 2024) -> dict:
    """Import every published file under `folder`; demo data (labelled) fills only what they do not publish.

    Demo data is added per measure: a measure with any published figure is never mixed with demo figures,
    and inspections are demo only if no inspection file was found. Returns a summary.
    """
    las = _las(engine)
    values, inspections, files = read_published(Path(folder), las)
    published = pd.DataFrame(values, columns=["area_code", "year", "measure", "value", "source"])
    # One figure per (area, year, measure): if two files carry it, the first read (SEN2, ONS) wins.
    published = published.drop_duplicates(["area_code", "year", "measure"], keep="first")
    missing_measures = set(MEASURES) - set(published["measure"])
    demo = demo_values(las, seed, existing=published, only=missing_measures) if missing_measures else []
    if not inspections:
        inspections = demo_inspections(las, seed)
    rows = published.astype(object).where(published.notna(), None).to_dict("records") + demo
    version = _write(engine, rows, inspections)
    return {"version": version, "files": {k: str(v) for k, v in files.items()}, "published_rows": len(published),
            "demo_measures": sorted(missing_measures), "inspections": len(inspections)}


def load_demo(engine: Engine, seed: int) -> int:
    """First-start fill: demo data for everything. Published files then come in through
    `python -m dashboard import-published` (or the first-start import of PUBLISHED_DATA_DIR), which
    replaces the demo figures of each measure they publish (`store_published_values`)."""
    return load_demo_only(engine, seed)


def _with_demo_fill(las: pd.DataFrame, real: pd.DataFrame, seed: int) -> list[dict]:
    """Published rows plus demo rows for the measures no published file gives (never mixed within a measure)."""
    missing = set(MEASURES) - set(real["measure"])
    demo = demo_values(las, seed, existing=real, only=missing) if missing else []
    return real.astype(object).where(real.notna(), None).to_dict("records") + demo


def store_published_values(engine: Engine, rows: list[dict], seed: int) -> int:
    """Add one published file's figures in one transaction: they replace the same (area, year, measure),
    and demo figures are rebuilt only for measures no published file gives (as `load_published` does)."""
    columns = ["area_code", "year", "measure", "value", "source"]
    new = pd.DataFrame(rows, columns=columns).drop_duplicates(["area_code", "year", "measure"], keep="first")
    las = _las(engine)
    with write_transaction(engine, NAME) as conn:
        held = pd.read_sql(select(send_value).where(send_value.c.source != DEMO), conn)[columns]
        real = pd.concat([new, held], ignore_index=True).drop_duplicates(["area_code", "year", "measure"], keep="first")
        values = _with_demo_fill(las, real, seed)
        conn.execute(send_value.delete())
        conn.execute(send_value.insert(), values)
        return _bump(conn)


def store_published_inspections(engine: Engine, rows: list[dict]) -> int:
    """Add one inspection file in one transaction: it replaces the same framework's inspections of the areas it
    names, and every demo inspection (real and demo inspections are never mixed)."""
    with write_transaction(engine, NAME) as conn:
        conn.execute(send_inspection.delete().where(send_inspection.c.source == DEMO))
        for framework in {r["framework"] for r in rows}:
            named = [r for r in rows if r["framework"] == framework]
            codes = {r["area_code"] for r in named if r["area_code"]}
            names = {r["area_name"] for r in named if not r["area_code"]}
            conn.execute(send_inspection.delete().where(send_inspection.c.framework == framework,
                                                        send_inspection.c.area_code.in_(codes)))
            conn.execute(send_inspection.delete().where(send_inspection.c.framework == framework,
                                                        send_inspection.c.area_code.is_(None),
                                                        send_inspection.c.area_name.in_(names)))
        if rows:
            conn.execute(send_inspection.insert(), rows)
        return _bump(conn)


def _bump(conn) -> int:
    demo_left = (conn.execute(select(send_value.c.area_code).where(send_value.c.source == DEMO).limit(1)).first()
                 or conn.execute(select(send_inspection.c.id).where(send_inspection.c.source == DEMO).limit(1)).first())
    return bump_version(conn, NAME, is_demo=demo_left is not None)


# --- SEND: where children with an EHC plan are educated, and pupils' primary need (January) ------------------

SEND_MEASURES = {**PLACEMENTS, **NEEDS}
SEND_RETURN_SOURCE = RETURNED[1]   # "LA return": protected wherever shown (metrics.RETURNED)


def _send_rules(rows: pd.DataFrame, _context) -> list[tuple[int, str, str]]:
    """Pupils by primary need are among the children with a plan: their total cannot be above the placements'."""
    placed = rows.loc[rows["measure"].isin(list(PLACEMENTS)), "value"]
    needs = rows.loc[rows["measure"].isin(list(NEEDS)), "value"]
    if placed.notna().sum() < len(PLACEMENTS) or needs.notna().sum() < len(NEEDS) or needs.sum() <= placed.sum():
        return []
    first_need = needs.index[0]
    return [(first_need, "value", f"numerator above denominator: primary needs add up to {needs.sum():,.0f}, "
                                  f"more than the {placed.sum():,.0f} children placed")]


def _send_context(conn, la_code: str, period: str) -> dict:
    sv = send_value
    plans = conn.execute(select(sv.c.value).where(sv.c.area_code == la_code, sv.c.measure == "plans_in_force",
                                                  sv.c.year == int(period))).scalar() if period.isdigit() else None
    return {"codes": {"measure": set(SEND_MEASURES)}, "plans_in_force": plans}


def _send_queries(rows: pd.DataFrame, context) -> list[dict]:
    plans = context.get("plans_in_force")
    placed = rows.loc[rows["measure"].isin(list(PLACEMENTS)), "value"]
    if plans is None or placed.notna().sum() < len(PLACEMENTS) or abs(placed.sum() - plans) <= 0.1 * plans:
        return []
    return [{"row": "", "column": "value", "value": f"{placed.sum():,.0f}",
             "query": f"placements add up to more than 10% away from the {plans:,.0f} EHC plans in force held for this year"}]


def _send_rows(parsed: pd.DataFrame, _text, la_code: str, period: str, _context):
    return {send_value.name: [{"area_code": la_code, "year": int(period), "measure": row["measure"],
                                    "value": None if pd.isna(row["value"]) else float(row["value"]), "source": SEND_RETURN_SOURCE}
                                   for row in parsed.to_dict("records")]}, []


UPLOAD = DatasetSpec(
    name=NAME,
    label="SEND placements and primary need (LA return)",
    description="One row per measure for the January census: children and young people with an EHC plan by where "
                "they are educated, and pupils with an EHC plan by primary need. Leave a value blank when you do not "
                "have it: it shows as 'no return', never 0. Published SEN2 figures are imported, not uploaded.",
    period_label="census year (January, e.g. 2025)",
    columns=(LA_COLUMN,
             ColumnSpec("year", "code", "Year of the January census.", example="2025"),
             ColumnSpec("measure", "code", "Measure code (see the Measures sheet).", example="place_mainstream"),
             ColumnSpec("value", "number", "The count; blank means no return.", allow_blank=True, minimum=0, integer=True,
                        example="1240")),
    key=("measure",),
    max_rows=100,
    period_column="year",
    period=CENSUS_YEAR,
    row_rules=(_send_rules,),
    targets=(Target(send_value, la_column="area_code",
                    period_rows=lambda t, p: (t.c.year == int(p)) & t.c.measure.in_(list(SEND_MEASURES)),
                    demo_rows=lambda t: (t.c.source == DEMO) & t.c.measure.in_(list(SEND_MEASURES))),),
    to_store=_send_rows,
    demo_scope="la",
    context=_send_context,
    queries=_send_queries,
    template=lambda _la, _period, _catalogue: pd.DataFrame({"measure": list(SEND_MEASURES)}),
    reference_sheets=lambda _catalogue: {"Measures": pd.DataFrame({"measure": list(SEND_MEASURES),
                                                                   "meaning": [MEASURES[m] for m in SEND_MEASURES]})},
)


# --- published files this page reads (recognised by their columns: dashboard.published.routes) ---------------

def _send_values_summary(rows) -> tuple[int, int, Counter]:
    markers = Counter("not published" for r in rows if r["value"] is None)
    return len(rows), sum(is_london(r["area_code"]) for r in rows), markers


def _send_inspections_summary(rows) -> tuple[int, int, Counter]:
    return len(rows), sum(is_london(r["area_code"]) or r["region"] == "London" for r in rows), Counter()


def published_routes() -> list[Route]:
    write_values = lambda engine, rows, context: store_published_values(engine, rows, context["seed"])  # noqa: E731
    write_inspections = lambda engine, rows, _context: store_published_inspections(engine, rows)  # noqa: E731
    ees = {"time_period", "geographic_level", "new_la_code"}
    return [
        Route("send_sen2_caseload", "SEND", "DfE SEN2 EHC plans in force in January, by age", NAME,
              frozenset(ees | {"characteristic_age", "Total_ehc", "Total_all"}),
              lambda path, c: read_sen2_caseload(path, c["la_codes"]), write_values, _send_values_summary),
        Route("send_sen2_mi", "SEND", "DfE SEN2 requests, new plans, 20-week timeliness and tribunals", NAME,
              frozenset(ees | set(SEN2_MI_COLUMNS.values())),
              lambda path, c: read_sen2_mi(path, c["la_codes"]), write_values, _send_values_summary),
        Route("send_population", "SEND", "ONS mid-year estimates of children aged 0 to 17 (rates per 1,000)", NAME,
              frozenset(ees | {"age_group", "population_estimate"}),
              lambda path, c: read_population(path, c["la_codes"]), write_values, _send_values_summary),
        Route("send_lait", "SEND", "DfE LAIT pupils with SEN support or an EHC plan, tribunal appeal rate", NAME,
              frozenset({"Short Desc", "Years", "Values", "LA Number"}),
              lambda path, c: read_lait(path, c["dfe_to_ons"]), write_values, _send_values_summary),
        Route("send_inspections_2016", "SEND", "Ofsted area SEND inspections, May 2016 to August 2022", NAME,
              frozenset({"Local authority code", "Area name", "Inspection start date", "Inspection publication date"}),
              lambda path, _c: read_inspections_2016(path), write_inspections, _send_inspections_summary),
        Route("send_inspections_2023", "SEND", "Ofsted area SEND inspections under the 2023 framework", NAME,
              frozenset({"ltla23cd", "local_authority", "region_code", "outcome_grade", "inspection_start_date",
                         "publication_date"}),
              lambda path, _c: read_inspections_2023(path), write_inspections, _send_inspections_summary),
    ]




# --- its published figures in the export (dashboard.published.page_figures) ----------------------------------

def published_figures(engine: Engine, names: dict[str, str]) -> pd.DataFrame:
    """Its published figures as the export's long rows: source, indicator, period, la_code, la_name, value, marker.
    Never demo rows or members' returns (their counts are shown only protected, on the page)."""
    values = read_table(engine, send_value)
    values = values[~values["source"].isin(RETURNED)]
    frame = pd.DataFrame({"source": values["source"], "indicator": "send_" + values["measure"],
                          "period": values["year"].astype(str), "la_code": values["area_code"],
                          "la_name": values["area_code"].map(names), "figure": values["value"]})
    return long_figures(frame, {"figure": ""})
