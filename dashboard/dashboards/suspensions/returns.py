"""Education suspensions by ethnicity: importers for the real files and the demo generator (tables in data.py).

Three datasets, each with its own version:
  suspensions            per London LA, academic year and detailed ethnicity: pupil headcount, pupils with
                         one or more suspensions, suspensions and permanent exclusions. LA-level figures by
                         ethnicity are not in any file we have, so this is seeded demo data in the DfE shape,
                         labelled as demo wherever it is shown (members' returns replace it).
  suspensions_england    England, 2011/12 to 2016/17, from DfE's "Permanent and fixed-period exclusions in
                         England" underlying data (exclusion_natcharacteristics.csv): real.
  suspensions_published  the regional table of pupils with one or more suspensions by detailed ethnicity, as
                         published (headcount, rate per 1,000, RRI, representation band): real.

The project ships these importers, never the files: `python -m dashboard import-published` recognises
each file by its columns and calls the importer here (on first start too, from PUBLISHED_DATA_DIR).
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table

# Its tables and names are defined with its reads (data.py); the upload spec and tests find them here too.
from dashboard.dashboards.suspensions.data import (ALL_PUPILS, COUNT_COLUMNS, ENGLAND, ENGLAND_SOURCE, ETHNIC_GROUPS, GROUP_ORDER,
                                                   LABEL, MAJOR_OF, NAME, PUBLISHED, PUBLISHED_SOURCE, REFERENCE_GROUP,
                                                   canonical_group, suspensions_england, suspensions_published,
                                                   suspensions_pupils)
from dashboard.ingest.periods import ACADEMIC_YEAR
from dashboard.ingest.specs import LA_COLUMN, ColumnSpec, DatasetSpec, Target, count_or_none
from dashboard.published.formats import ENGLAND as ENGLAND_AREA
from dashboard.published.formats import LONDON
from dashboard.published.page_figures import COLUMNS, long_figures, read_table
from dashboard.published.routes import Route
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction
from dashboard.store.reference import read_reference_csvs

# The real files as they sit in the shared folder (the project never ships them).
ENGLAND_FILE = "realdata/exclusions_national_ethnicity/exclusion_natcharacteristics.csv"
PUBLISHED_FILE = "reference/suspensions_rri_published.csv"


# --- academic years -------------------------------------------------------------------------------

def academic_year_label(code) -> str:
    """201617 -> "2016/17"; "2016/17" stays."""
    text = str(code).strip()
    if re.fullmatch(r"\d{4}/\d{2}", text):
        return text
    if re.fullmatch(r"\d{6}", text):
        return f"{text[:4]}/{text[4:]}"
    raise ValueError(f"not an academic year: {code!r} (expected e.g. 201617 or 2016/17)")


def academic_years(last: str, n: int) -> list[str]:
    start = int(last[:4])
    return [f"{y}/{str(y + 1)[-2:]}" for y in range(start - n + 1, start + 1)]


# --- real data: England (DfE national characteristics file) ----------------------------------------

ENGLAND_COLUMNS = ("year", "school_type", "characteristic_desc", "characteristic_1", "characteristic_2", "headcount",
                   "perm_excl", "fixed_excl", "one_plus_fixed")
DFE_SUPPRESSED = {"x", "c", ".", ":", "z", "..", ""}


def _dfe_number(value, path: Path, row: int, column: str):
    """A count from a DfE file: suppressed or not available ('x', 'c', ...) -> None, never 0."""
    text = str(value).strip()
    if text.lower() in DFE_SUPPRESSED or text.lower() == "nan":
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise ValueError(f"{path.name}, row {row}, column {column!r}: {text!r} is not a number") from None
    if number < 0 or number != int(number):
        raise ValueError(f"{path.name}, row {row}, column {column!r}: {text!r} is not a whole count")
    return int(number)


def read_england_file(path: Path) -> pd.DataFrame:
    """The England rows by detailed ethnicity (all school types together) of DfE's national characteristics file.

    Uses the 'Ethnicity' rows with school_type 'Total': 18 detailed groups plus unclassified per year.
    'fixed-period exclusion' is what DfE now calls a suspension, so one_plus_fixed -> pupils_suspended.
    """
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ENGLAND_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}; is this DfE's exclusion_natcharacteristics.csv?")
    frame["_row"] = np.arange(len(frame)) + 2  # as a spreadsheet numbers it, after the header
    chosen = frame[frame["characteristic_desc"].isin(["Ethnicity", "Total"]) & (frame["school_type"] == "Total")
                   & (frame["characteristic_2"] == "Total")]
    rows = []
    for record in chosen.to_dict("records"):
        label = record["characteristic_1"]
        if record["characteristic_desc"] == "Total":
            if label != "Total":
                continue
            group, major = ALL_PUPILS, "All"        # DfE's own total of all pupils, kept as published
        elif not (label.startswith("Ethnicity_Minor_") or label == "Ethnicity_Unclassified"):
            continue  # major-group totals and "minority ethnic pupil" are sums of the detailed groups
        else:
            group = canonical_group(label)
            if group is None:
                raise ValueError(f"{path.name}, row {record['_row']}, column 'characteristic_1': unknown ethnic group {label!r}")
            major = MAJOR_OF[group]
        row = record["_row"]
        rows.append({
            "academic_year": academic_year_label(record["year"]), "ethnicity": group, "ethnicity_major": major,
            "headcount": _dfe_number(record["headcount"], path, row, "headcount"),
            "pupils_suspended": _dfe_number(record["one_plus_fixed"], path, row, "one_plus_fixed"),
            "suspensions": _dfe_number(record["fixed_excl"], path, row, "fixed_excl"),
            "permanent_exclusions": _dfe_number(record["perm_excl"], path, row, "perm_excl"),
        })
    table = pd.DataFrame(rows, columns=["academic_year", "ethnicity", "ethnicity_major", *COUNT_COLUMNS])
    table = table.astype({c: "Int64" for c in COUNT_COLUMNS})  # whole counts; suppressed stays missing
    if table.empty:
        raise ValueError(f"{path.name}: no England rows by detailed ethnicity (characteristic_desc 'Ethnicity', school_type 'Total')")
    per_year = table[table["ethnicity"] != ALL_PUPILS].groupby("academic_year")["ethnicity"].nunique()
    short = per_year[per_year != len(ETHNIC_GROUPS)]
    if len(short):
        raise ValueError(f"{path.name}: year(s) {', '.join(short.index)} do not have all {len(ETHNIC_GROUPS)} ethnic groups")
    if table.duplicated(["academic_year", "ethnicity"]).any():
        raise ValueError(f"{path.name}: an ethnic group appears twice in one year")
    return table.sort_values(["academic_year", "ethnicity"], key=_sort_key).reset_index(drop=True)


def _sort_key(column: pd.Series):
    return column.map(GROUP_ORDER) if column.name == "ethnicity" else column


# --- real data: the published regional table ---------------------------------------------------------

PUBLISHED_COLUMNS = ("ethnicity_major", "ethnicity", "pupils", "suspension_rate_per_1000", "rri", "representation")


def read_published_file(path: Path) -> pd.DataFrame:
    """The published table as published (its own labels kept), checked: 19 groups, numbers where numbers belong."""
    path = Path(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in PUBLISHED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
    rows = []
    for i, record in enumerate(frame.to_dict("records")):
        row = i + 2
        group = canonical_group(record["ethnicity"])
        if group is None:
            raise ValueError(f"{path.name}, row {row}, column 'ethnicity': unknown ethnic group {record['ethnicity']!r}")

        def number(column, required=True):
            text = record[column].strip()
            if text == "":
                if required:
                    raise ValueError(f"{path.name}, row {row}, column {column!r}: blank")
                return None
            try:
                return float(text.replace(",", ""))
            except ValueError:
                raise ValueError(f"{path.name}, row {row}, column {column!r}: {text!r} is not a number") from None

        representation = record["representation"].strip() or None
        rows.append({"row_order": i, "ethnicity_major": record["ethnicity_major"].strip(), "ethnicity": group,
                     "pupils": int(number("pupils")), "rate_per_1000": number("suspension_rate_per_1000"),
                     "rri": number("rri", required=False), "representation": representation})
    table = pd.DataFrame(rows)
    if REFERENCE_GROUP not in set(table["ethnicity"]) or table["ethnicity"].duplicated().any():
        raise ValueError(f"{path.name}: each ethnic group must appear once, White British included")
    return table


# --- demo data -------------------------------------------------------------------------------------

# London-wide pupil shares (%) by group, rounded from the DfE school census (2023/24), and each
# group's relative rate of suspension, rounded from the published regional table. None of this is
# any LA's real figure.
DEMO_SHARE = {
    "White British": 22.0, "Irish": 0.5, "Traveller of Irish heritage": 0.05, "Gypsy/Roma": 0.4,
    "Any other White background": 14.0, "White and Black Caribbean": 2.5, "White and Black African": 1.5,
    "White and Asian": 2.0, "Any other Mixed background": 4.0, "Indian": 7.0, "Pakistani": 5.0, "Bangladeshi": 6.0,
    "Chinese": 1.0, "Any other Asian background": 6.0, "Black Caribbean": 4.0, "Black African": 13.0,
    "Any other Black background": 2.5, "Any other ethnic group": 6.0, "Unclassified": 2.0,
}
DEMO_RRI = {
    "White British": 1.0, "Irish": 1.0, "Traveller of Irish heritage": 2.1, "Gypsy/Roma": 2.7,
    "Any other White background": 0.65, "White and Black Caribbean": 1.8, "White and Black African": 1.2,
    "White and Asian": 0.75, "Any other Mixed background": 0.95, "Indian": 0.25, "Pakistani": 0.8, "Bangladeshi": 0.45,
    "Chinese": 0.15, "Any other Asian background": 0.45, "Black Caribbean": 1.9, "Black African": 0.9,
    "Any other Black background": 1.2, "Any other ethnic group": 0.8, "Unclassified": 1.4,
}
DEMO_WHITE_BRITISH_RATE = 0.030         # pupils with one or more suspensions per pupil, a typical London LA
DEMO_YEAR_EFFECT = {0: 1.0, 1: 0.75, 2: 0.8, 3: 1.1, 4: 1.3, 5: 1.4}   # COVID closures, then the rise since
DEMO_PERMANENT_SHARE = 0.03             # permanent exclusions per pupil suspended
DEMO_LAST_YEAR = "2023/24"
DEMO_YEARS = 6
CITY_OF_LONDON = "E09000001"


def generate_demo(seed: int, las: pd.DataFrame, years: int = DEMO_YEARS, last_year: str = DEMO_LAST_YEAR) -> pd.DataFrame:
    """Per LA, year and group: headcount, pupils suspended, suspensions, permanent exclusions (seeded binomial draws)."""
    rng = np.random.default_rng(seed)
    year_labels = academic_years(last_year, years)
    groups = [g for _, g in ETHNIC_GROUPS]
    base_share = np.array([DEMO_SHARE[g] for g in groups]) / sum(DEMO_SHARE.values())
    base_rri = np.array([DEMO_RRI[g] for g in groups])
    rows = []
    for la_code in las["la_code"]:
        size = 300 if la_code == CITY_OF_LONDON else int(rng.uniform(22000, 52000))
        shares = base_share * rng.lognormal(0, 0.45, len(groups))      # each LA has its own mix
        shares /= shares.sum()
        la_level = rng.lognormal(0, 0.3)                                 # some LAs suspend more than others
        la_gap = rng.lognormal(0, 0.18, len(groups))                     # and their gaps differ
        la_gap[groups.index(REFERENCE_GROUP)] = 1.0
        growth = rng.normal(-0.005, 0.01)
        for t, year in enumerate(year_labels):
            headcount = rng.poisson(size * shares * (1 + growth) ** t)
            rate = np.clip(DEMO_WHITE_BRITISH_RATE * la_level * DEMO_YEAR_EFFECT.get(t, 1.4) * base_rri * la_gap
                           * rng.lognormal(0, 0.08, len(groups)), 0, 0.5)
            suspended = rng.binomial(headcount, rate)
            suspensions = suspended + rng.poisson(suspended * 0.9)       # some pupils are suspended more than once
            permanent = rng.binomial(suspended, DEMO_PERMANENT_SHARE)
            for i, group in enumerate(groups):
                rows.append((la_code, year, group, MAJOR_OF[group], int(headcount[i]), int(suspended[i]),
                             int(suspensions[i]), int(permanent[i])))
    return pd.DataFrame(rows, columns=["la_code", "academic_year", "ethnicity", "ethnicity_major", *COUNT_COLUMNS])


# --- loading ---------------------------------------------------------------------------------------

def _records(frame: pd.DataFrame) -> list[dict]:
    # NaN -> None, so a missing figure is stored as NULL, never 0.
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _replace(engine: Engine, name: str, table: Table, frame: pd.DataFrame, *, is_demo: bool) -> int:
    with write_transaction(engine, name) as conn:
        conn.execute(table.delete())
        if len(frame):
            conn.execute(table.insert(), _records(frame))
        return bump_version(conn, name, is_demo=is_demo)


def load_la_demo(engine: Engine, seed: int) -> int:
    las = read_reference_csvs()["local_authority"].rename(columns={"ons_code": "la_code"})
    return _replace(engine, NAME, suspensions_pupils, generate_demo(seed, las), is_demo=True)


def store_england(engine: Engine, table: pd.DataFrame) -> int:
    return _replace(engine, ENGLAND, suspensions_england, table, is_demo=False)


def store_published(engine: Engine, table: pd.DataFrame) -> int:
    return _replace(engine, PUBLISHED, suspensions_published, table, is_demo=False)


def load_demo(engine: Engine, seed: int) -> int:
    """Demo LA data (the real England and published tables come in through `import-published`)."""
    return load_la_demo(engine, seed)


# --- education suspensions by ethnicity: one row per ethnic group, for one LA and academic year ---------------

GROUPS = [group for _major, group in ETHNIC_GROUPS]


def _suspension_rules(rows: pd.DataFrame, _context) -> list[tuple[int, str, str]]:
    def above(a, b, column, rule):
        both = rows[a].notna() & rows[b].notna()
        return [(i, column, rule) for i in rows.index[both & (rows[a] > rows[b])]]
    return (above("pupils_suspended", "headcount", "pupils_suspended", "numerator above denominator: more pupils suspended than on roll")
            + above("permanent_exclusions", "headcount", "permanent_exclusions", "numerator above denominator: more exclusions than pupils on roll")
            + above("pupils_suspended", "suspensions", "suspensions", "fewer suspensions than pupils suspended"))


def _suspension_rows(parsed: pd.DataFrame, _text, la_code: str, period: str, _context):
    return {suspensions_pupils.name: [
        {"la_code": la_code, "academic_year": period, "ethnicity": row["ethnicity"],
         "ethnicity_major": MAJOR_OF.get(row["ethnicity"], ""),
         **{c: count_or_none(row[c]) for c in COUNT_COLUMNS}} for row in parsed.to_dict("records")]}, []


UPLOAD = DatasetSpec(
    name=NAME,
    label="Suspensions by ethnicity (LA annual return)",
    description="One row per DfE ethnic group: pupils on roll (headcount), pupils with one or more suspensions, "
                "suspensions and permanent exclusions in the academic year. Leave a cell blank when you do not have "
                "the figure: it shows as 'no return', never 0.",
    period_label="academic year (e.g. 2023/24)",
    columns=(LA_COLUMN,
             ColumnSpec("academic_year", "code", "The academic year the figures are for.", example="2023/24"),
             ColumnSpec("ethnicity", "code", "DfE ethnic group (see the Ethnic groups sheet).", normalise=canonical_group,
                        example="Black Caribbean"),
             *(ColumnSpec(name, "number", meaning, allow_blank=True, minimum=0, integer=True, example=example)
               for name, meaning, example in (
                   ("headcount", "Pupils on roll in the group (January census).", "2140"),
                   ("pupils_suspended", "Pupils with one or more suspensions in the year.", "96"),
                   ("suspensions", "Suspensions in the year.", "181"),
                   ("permanent_exclusions", "Permanent exclusions in the year.", "3")))),
    key=("ethnicity",),
    max_rows=100,
    period_column="academic_year",
    period=ACADEMIC_YEAR,
    row_rules=(_suspension_rules,),
    targets=(Target(suspensions_pupils, period_rows=lambda t, p: t.c.academic_year == p),),
    to_store=_suspension_rows,
    demo_scope="la",
    context=lambda _conn, _la, _period: {"codes": {"ethnicity": set(GROUPS)}},
    template=lambda _la, _period, _catalogue: pd.DataFrame({"ethnicity": GROUPS}),
    reference_sheets=lambda _catalogue: {"Ethnic groups": pd.DataFrame(
        [{"ethnicity": group, "major group": major} for major, group in ETHNIC_GROUPS])},
)


# --- published files this page reads (recognised by their columns: dashboard.published.routes) ---------------

def published_routes() -> list[Route]:
    return [
        Route("suspensions_england", "Suspensions", "DfE exclusions in England by pupil characteristics (national)",
              ENGLAND, frozenset(ENGLAND_COLUMNS),
              lambda path, _c: read_england_file(path),
              lambda engine, frame, _c: store_england(engine, frame),
              lambda frame: (len(frame), 0, Counter("suppressed" for v in frame["pupils_suspended"] if pd.isna(v)))),
        Route("suspensions_published", "Suspensions", "Published regional table of suspensions by detailed ethnicity",
              PUBLISHED, frozenset(PUBLISHED_COLUMNS),
              lambda path, _c: read_published_file(path),
              lambda engine, frame, _c: store_published(engine, frame),
              lambda frame: (len(frame), len(frame), Counter())),
    ]


# --- its published figures in the export (dashboard.published.page_figures) ----------------------------------

def published_figures(engine: Engine, names: dict[str, str]) -> pd.DataFrame:
    """Its published figures (never demo rows) as the export's long rows: source, indicator, period, la_code, la_name, value, marker."""
    parts = []
    england = read_table(engine, suspensions_england)
    if len(england):
        frame = pd.DataFrame({"source": ENGLAND_SOURCE, "indicator": "suspensions_england / " + england["ethnicity"],
                              "period": england["academic_year"], "la_code": ENGLAND_AREA, "la_name": "England",
                              **{c: england[c] for c in COUNT_COLUMNS}})
        parts.append(long_figures(frame, {c: f" / {c}" for c in COUNT_COLUMNS}))
    table = read_table(engine, suspensions_published)
    if len(table):
        frame = pd.DataFrame({"source": PUBLISHED_SOURCE, "indicator": "suspensions_published / " + table["ethnicity"],
                              "period": "as published", "la_code": LONDON, "la_name": "London",
                              "pupils": table["pupils"], "rate_per_1000": table["rate_per_1000"], "rri": table["rri"]})
        parts.append(long_figures(frame, {"pupils": " / pupils", "rate_per_1000": " / suspension rate per 1,000", "rri": " / RRI"}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
