"""Leadership in Colour data: importers for the published figures and the demo generator (its tables are in data.py).

Three datasets, each with its own version (so one can be reloaded without touching the others):
  linc            demo headcounts by borough, service group, £10k pay band and ethnic group: no such
                  publication exists, so this is synthetic and labelled so. The population shares beside
                  them are ONS Census 2021 (real) when that file is found, demo shares otherwise.
  linc_published  the ALDCS Leadership in Colour snapshot (December 2020), as published: borough
                  percentages by pay band and the all-borough £10k-band series (real).
  linc_csww       DfE "Children's social work workforce": headcount by role and ethnicity at 30 September,
                  2019 onwards, London LAs, London, Inner/Outer London and England (real).

The project ships these importers, never the files: `python -m dashboard import-published` recognises
each file by its columns and calls the importer here (on first start too, from PUBLISHED_DATA_DIR).
"""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, select

# Its tables and names are defined with its reads (data.py); the upload spec and tests find them here too.
from dashboard.dashboards.leadership_in_colour.data import (CENSUS_SOURCE, CSWW, ETHNICITIES, LABEL, LONDON_CODE, NAME,
                                                            PAY_BANDS, PUBLISHED, SERVICE_GROUPS, linc_csww_role,
                                                            linc_payband_headcount, linc_payband_population,
                                                            linc_published_band, linc_published_borough)
from dashboard.dashboards.leadership_in_colour.metrics import parse_published_percent
from dashboard.ingest.periods import SNAPSHOT
from dashboard.ingest.specs import LA_COLUMN, ColumnSpec, DatasetSpec, Target, count_or_none
from dashboard.published.formats import LONDON
from dashboard.published.page_figures import COLUMNS, CSWW_ROLE_SOURCE, LINC_SOURCE, long_figures, read_table
from dashboard.published.routes import Route, frame_summary
from dashboard.store import schema
from dashboard.store.datasets import bump_version, dataset_state
from dashboard.store.engine import write_transaction

# The published files as they sit in the shared folder (the project never ships them).
BAND_SERIES_FILE = "reference/linc_bame_share_by_payband_all_boroughs_2020.csv"
BOROUGH_FILE = "reference/linc_paybands_by_borough_2020.csv"
CSWW_FILE = "realdata/csww/csww_role_by_ethnicity_2019_to_2025_london.csv"
CENSUS_FILE = "realdata/population/ons-ethnic-population-la.csv"

# --- the published Leadership in Colour snapshot -------------------------------------------------

# Published borough names that are not the reference names (with "&" read as "and").
BOROUGH_ALIASES = {"Kingston": ["E09000021"], "Richmond & Wandsworth": ["E09000027", "E09000032"]}
BOROUGH_GROUPS = {"bame": "bgm", "asian": "asian", "black": "black"}
BOROUGH_MEASURES = {"all_staff": "all_staff", "up_to_30k": "up_to_30k", "30k_to_60k": "30k_to_60k",
                    "over_60k": "over_60k", "population_2016": "population"}


class LincImportError(ValueError):
    """A file that cannot be imported: the message names the file, row and column."""


def _la_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(schema.local_authority.c.name, schema.local_authority.c.ons_code)).all()
    return {name: code for name, code in rows}


def read_published_bands(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = ["pay_band", "band_min_gbp", "band_max_gbp", "bame_share_of_staff", "bame_share_of_london_population_2016"]
    if list(frame.columns) != expected:
        raise LincImportError(f"{path.name}: expected columns {expected}, found {list(frame.columns)}")
    rows = []
    for i, r in frame.iterrows():
        try:
            rows.append({"band_order": i + 1, "pay_band": r["pay_band"], "band_min": int(r["band_min_gbp"]),
                         "band_max": int(r["band_max_gbp"]) if r["band_max_gbp"].strip() else None,
                         "bgm_share": float(r["bame_share_of_staff"]),
                         "population_share": float(r["bame_share_of_london_population_2016"])})
        except ValueError as exc:
            raise LincImportError(f"{path.name}, row {i + 2}: {exc}") from None
    out = pd.DataFrame(rows)
    if not out["band_min"].is_monotonic_increasing:
        raise LincImportError(f"{path.name}: pay bands are not in pay order")
    return out


def read_published_boroughs(path: Path, la_names: dict[str, str]) -> pd.DataFrame:
    """Long table of the borough file, each cell kept as published and parsed (`<10%` = suppressed)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "borough" not in frame.columns:
        raise LincImportError(f"{path.name}: no 'borough' column")
    rows = []
    for i, r in frame.iterrows():
        area = r["borough"].strip()
        if area == "Grand Total":
            codes = []
        elif area in BOROUGH_ALIASES:
            codes = BOROUGH_ALIASES[area]
        elif area.replace("&", "and") in la_names:
            codes = [la_names[area.replace("&", "and")]]
        else:
            raise LincImportError(f"{path.name}, row {i + 2}, column 'borough': unknown borough {area!r}")
        for source_group, group in BOROUGH_GROUPS.items():
            for source_measure, measure in BOROUGH_MEASURES.items():
                column = f"{source_group}_pct_{source_measure}"
                if column not in frame.columns:
                    raise LincImportError(f"{path.name}: missing column {column!r}")
                try:
                    value, suppressed = parse_published_percent(r[column])
                except ValueError as exc:
                    raise LincImportError(f"{path.name}, row {i + 2}, column {column!r}: {exc}") from None
                rows.append({"area_name": area, "ethnic_group": group, "measure": measure, "la_codes": " / ".join(codes),
                             "row_order": i + 1, "value_text": r[column].strip(), "value": value, "suppressed": suppressed})
    out = pd.DataFrame(rows)
    covered = {c for codes in out["la_codes"] for c in codes.split(" / ") if c}
    if covered != set(la_names.values()):
        missing = sorted(set(la_names.values()) - covered)
        raise LincImportError(f"{path.name}: no row for {missing}")
    return out


def store_published(engine: Engine, table: Table, frame: pd.DataFrame) -> int:
    """Replace one table of the published snapshot (the band series or the borough table); return the new version."""
    with write_transaction(engine, PUBLISHED) as conn:
        conn.execute(table.delete())
        conn.execute(table.insert(), _records(frame))
        return bump_version(conn, PUBLISHED, is_demo=False)


# --- DfE children's social work workforce: role by ethnicity --------------------------------------

CSWW_ETHNICITY = {"Asian / Asian British": "asian", "Black / African / Caribbean / Black British": "black",
                  "Mixed / Multiple ethnic groups": "mixed", "Other ethnic group": "other", "White": "white",
                  "Known": "known", "Not known": "not_known", "Total": "total"}
# The source's "Non-white" rows are left out: they do not agree with the group counts (for London in
# 2025 the "Non-white" count equals the White count), so BGM is summed from the groups instead.
CSWW_SKIPPED = {"Non-white"}
CSWW_MARKERS = {"x", "z", "low"}
CSWW_COLUMNS = ["time_period", "geographic_level", "geo_breakdown", "region_code", "new_la_code", "role",
                "breakdown_topic", "breakdown", "inpost_FTE", "inpost_headcount", "inpost_headcount_percentage"]


def _value(text: str, where: str) -> tuple[float | None, str | None]:
    text = text.strip()
    if text in CSWW_MARKERS:
        return None, text
    if text == "":
        return None, "x"
    try:
        return float(text), None
    except ValueError:
        raise LincImportError(f"{where}: {text!r} is neither a number nor a published marker (x, z, low)") from None


def read_csww_role(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CSWW_COLUMNS if c not in frame.columns]
    if missing:
        raise LincImportError(f"{path.name}: missing columns {missing}")
    rows = []
    for i, r in enumerate(frame.itertuples(index=False)):
        r = r._asdict()
        if r["breakdown"] in CSWW_SKIPPED:
            continue
        line = f"{path.name}, row {i + 2}"
        if r["breakdown"] not in CSWW_ETHNICITY:
            raise LincImportError(f"{line}, column 'breakdown': unknown ethnic group {r['breakdown']!r}")
        level = r["geographic_level"]
        if level == "Local authority":
            code, name = r["new_la_code"], r["geo_breakdown"]
        elif level == "Regional":
            code, name = r["region_code"], r["geo_breakdown"]
        elif level == "National":
            code, name = "E92000001", "England"
        else:
            raise LincImportError(f"{line}, column 'geographic_level': unexpected {level!r}")
        headcount, hc_marker = _value(r["inpost_headcount"], f"{line}, column 'inpost_headcount'")
        pct, _ = _value(r["inpost_headcount_percentage"], f"{line}, column 'inpost_headcount_percentage'")
        fte, fte_marker = _value(r["inpost_FTE"], f"{line}, column 'inpost_FTE'")
        rows.append({"year": int(r["time_period"]), "area_code": code, "role": r["role"],
                     "ethnicity": CSWW_ETHNICITY[r["breakdown"]], "geographic_level": level, "area_name": name,
                     "headcount": headcount, "headcount_marker": hc_marker, "headcount_pct": pct,
                     "fte": fte, "fte_marker": fte_marker})
    return pd.DataFrame(rows)


def store_csww(engine: Engine, frame: pd.DataFrame) -> int:
    with write_transaction(engine, CSWW) as conn:
        conn.execute(linc_csww_role.delete())
        conn.execute(linc_csww_role.insert(), _records(frame))
        return bump_version(conn, CSWW, is_demo=False)


# --- ONS Census 2021: usual residents by ethnic group ------------------------------------------------

CENSUS_COLUMNS = ["2023 Upper tier local authorities Code", "Ethnic group (20 categories)", "Observation"]
# The 20 census categories fall into the five major groups by their prefix; "Does not apply" is no one.
CENSUS_GROUPS = {"Asian, Asian British or Asian Welsh": "asian",
                 "Black, Black British, Black Welsh, Caribbean or African": "black",
                 "Mixed or Multiple ethnic groups": "mixed", "White": "white", "Other ethnic group": "other"}


def read_census_population(path: Path, la_codes: set[str]) -> pd.DataFrame:
    """Population shares of the five major groups for each London borough and for London (E12000007)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CENSUS_COLUMNS if c not in frame.columns]
    if missing:
        raise LincImportError(f"{path.name}: missing columns {missing}")
    code_col, group_col, count_col = CENSUS_COLUMNS
    rows = []
    for i, r in frame[frame[code_col].isin(la_codes)].iterrows():
        category = r[group_col]
        if category == "Does not apply":
            continue
        group = CENSUS_GROUPS.get(category.split(":")[0].strip())
        if group is None:
            raise LincImportError(f"{path.name}, row {i + 2}, column {group_col!r}: unknown ethnic group {category!r}")
        try:
            rows.append({"la_code": r[code_col], "ethnicity": group, "residents": float(r[count_col])})
        except ValueError:
            raise LincImportError(f"{path.name}, row {i + 2}, column {count_col!r}: {r[count_col]!r} is not a number") from None
    residents = pd.DataFrame(rows)
    if set(residents["la_code"]) != la_codes:
        raise LincImportError(f"{path.name}: no rows for {sorted(la_codes - set(residents['la_code']))}")
    residents = pd.concat([residents, residents.assign(la_code=LONDON_CODE)], ignore_index=True)
    counts = residents.groupby(["la_code", "ethnicity"], as_index=False)["residents"].sum()
    counts["population_share"] = counts["residents"] / counts.groupby("la_code")["residents"].transform("sum")
    return counts[["la_code", "ethnicity", "population_share"]].assign(source=CENSUS_SOURCE)


# --- demo data ---------------------------------------------------------------------------------------

DEMO_SNAPSHOT = date(2024, 12, 31)
# Staff per borough by service group (typical London borough sizes), and how pay spreads over the bands.
DEMO_SERVICE_SIZE = {"adults": 700, "childrens": 900, "corporate": 800, "public_realm": 600, "technical": 300}
DEMO_BAND_WEIGHTS = np.array([0.07, 0.20, 0.26, 0.20, 0.12, 0.06, 0.035, 0.025, 0.01, 0.005, 0.003, 0.002])
# How BGM representation falls with pay, relative to the borough's population share: shaped like the
# published all-borough series (a ceiling around £50-60k), not any borough's real figures.
DEMO_BAND_RATIO = np.array([1.15, 1.14, 1.2, 1.0, 0.8, 0.63, 0.53, 0.45, 0.36, 0.42, 0.42, 0.3])


def _demo_population(las: list[str], rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for la in las:
        bgm = float(np.clip(rng.normal(0.42, 0.13), 0.12, 0.72))
        split = rng.dirichlet([4.5, 3.5, 1.3, 1.0])  # asian, black, mixed, other
        for group, share in zip(("asian", "black", "mixed", "other"), split):
            rows.append({"la_code": la, "ethnicity": group, "population_share": round(bgm * share, 4), "source": "demo"})
        rows.append({"la_code": la, "ethnicity": "white", "population_share": round(1 - bgm, 4), "source": "demo"})
    frame = pd.DataFrame(rows)
    # London: the unweighted mean of the boroughs' demo shares (the demo has no resident counts).
    london = frame.groupby("ethnicity", as_index=False)["population_share"].mean().assign(la_code=LONDON_CODE, source="demo")
    return pd.concat([frame, london], ignore_index=True)


def demo_frames(las: list[str], seed: int, population: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Seeded demo headcounts (and demo population shares unless real ones are given): same seed, same data."""
    rng = np.random.default_rng(seed)
    demo_population = _demo_population(las, rng)   # drawn even when unused, so the counts do not depend on it
    population = demo_population if population is None else population
    rows = []
    for la in las:
        pop = population[population["la_code"] == la].set_index("ethnicity")["population_share"]
        bgm_pop = 1 - pop["white"]
        split = (pop[list(("asian", "black", "mixed", "other"))] / bgm_pop).to_numpy()
        not_known_rate = float(np.clip(rng.normal(0.12, 0.06), 0.02, 0.35))
        scale = 0.15 if la == "E09000001" else rng.uniform(0.7, 1.4)   # the City is small
        for service, size in DEMO_SERVICE_SIZE.items():
            staff = rng.multinomial(int(size * scale), DEMO_BAND_WEIGHTS)
            tilt = rng.normal(0, 0.05)
            for band, n in enumerate(staff, start=1):
                if n == 0:
                    continue
                bgm_share = float(np.clip(bgm_pop * DEMO_BAND_RATIO[band - 1] * (1 + tilt), 0.01, 0.95))
                not_known = rng.binomial(n, not_known_rate)
                known = n - not_known
                bgm = rng.binomial(known, bgm_share)
                groups = rng.multinomial(bgm, split)
                counts = dict(zip(("asian", "black", "mixed", "other"), groups))
                counts.update(white=known - bgm, not_known=not_known)
                for ethnicity in ETHNICITIES:
                    rows.append({"snapshot_date": DEMO_SNAPSHOT, "la_code": la, "service_group": service,
                                 "band_order": band, "ethnicity": ethnicity, "headcount": int(counts[ethnicity])})
    return {"population": population, "headcount": pd.DataFrame(rows)}


def load_demo(engine: Engine, seed: int, population: pd.DataFrame | None = None) -> int:
    """Replace the demo counts and their population shares (demo shares unless real ones are given), in one
    transaction. Published files come in through `import-published` (`store_census` brings Census 2021 shares)."""
    frames = demo_frames(sorted(_la_names(engine).values()), seed, population)
    with write_transaction(engine, NAME) as conn:
        conn.execute(linc_payband_headcount.delete())
        conn.execute(linc_payband_population.delete())
        conn.execute(linc_payband_population.insert(), _records(frames["population"]))
        conn.execute(linc_payband_headcount.insert(), _records(frames["headcount"]))
        return bump_version(conn, NAME, is_demo=True)


def store_census(engine: Engine, population: pd.DataFrame, seed: int) -> int:
    """Census 2021 population shares. While the counts are demo, they are drawn again from these shares (the demo
    counts follow each borough's population); real counts keep theirs and only the shares change."""
    if dataset_state(engine, NAME)["is_demo"] or dataset_state(engine, NAME)["version"] == 0:
        return load_demo(engine, seed, population)
    with write_transaction(engine, NAME) as conn:
        conn.execute(linc_payband_population.delete())
        conn.execute(linc_payband_population.insert(), _records(population))
        return bump_version(conn, NAME)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows for an insert, with NaN as NULL (missing stays missing, never 0)."""
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in out:
        for key, value in row.items():
            if isinstance(value, (np.integer,)):
                row[key] = int(value)
            elif isinstance(value, (np.floating,)):
                row[key] = float(value)
            elif isinstance(value, np.bool_):
                row[key] = bool(value)
    return out


# --- Leadership in Colour: staff headcount by service group, pay band and ethnicity ----------------------------

_BAND_BY_TEXT = {**{str(i): str(i) for i in range(1, len(PAY_BANDS) + 1)},
                 **{label.lower().replace(" ", ""): str(i) for i, (label, _lo, _hi) in enumerate(PAY_BANDS, start=1)}}
_SERVICE_BY_TEXT = {**{k: k for k in SERVICE_GROUPS}, **{v.lower(): k for k, v in SERVICE_GROUPS.items()}}


def _pay_band(text: str) -> str | None:
    return _BAND_BY_TEXT.get(text.lower().replace(" ", "").removesuffix(".0"))


def _service_group(text: str) -> str | None:
    return _SERVICE_BY_TEXT.get(text.strip().lower().replace("’", "'"))


def _linc_rows(parsed: pd.DataFrame, _text, la_code: str, period: str, _context):
    snapshot = pd.Timestamp(period).date()
    return {linc_payband_headcount.name: [
        {"snapshot_date": snapshot, "la_code": la_code, "service_group": row["service_group"], "band_order": int(row["pay_band"]),
         "ethnicity": row["ethnicity"], "headcount": count_or_none(row["headcount"])} for row in parsed.to_dict("records")]}, []


def _linc_template(_la, _period, _catalogue) -> pd.DataFrame:
    return pd.DataFrame([{"service_group": service, "pay_band": band, "ethnicity": ethnicity}
                         for service in SERVICE_GROUPS for band in range(1, len(PAY_BANDS) + 1)
                         for ethnicity in ETHNICITIES])


UPLOAD = DatasetSpec(
    name=NAME,
    label="Leadership in Colour staff return (headcount by pay band and ethnicity)",
    description="One row per service group, pay band and ethnic group: the number of staff at the snapshot date. "
                "Write 0 where there are none; every row needs a count.",
    period_label="snapshot date (YYYY-MM-DD)",
    columns=(LA_COLUMN,
             ColumnSpec("snapshot_date", "date", "The date the staff figures were taken.", example="2025-03-31"),
             ColumnSpec("service_group", "code", "Service group (see the Lists sheet).", normalise=_service_group, example="childrens"),
             ColumnSpec("pay_band", "code", "Pay band number 1-12 or its label (see the Lists sheet).", normalise=_pay_band, example="5"),
             ColumnSpec("ethnicity", "code", "asian, black, mixed, other, white or not_known.", normalise=lambda t: t.lower().replace(" ", "_"), example="black"),
             ColumnSpec("headcount", "number", "Staff in that service group, band and ethnic group.", minimum=0, integer=True,
                        example="14")),
    key=("service_group", "pay_band", "ethnicity"),
    max_rows=1_000,
    period_column="snapshot_date",
    period=SNAPSHOT,
    targets=(Target(linc_payband_headcount, period_rows=lambda t, p: t.c.snapshot_date == pd.Timestamp(p).date()),),
    to_store=_linc_rows,
    demo_scope="la",
    context=lambda _conn, _la, _period: {"codes": {"service_group": set(SERVICE_GROUPS), "ethnicity": set(ETHNICITIES),
                                                   "pay_band": set(_BAND_BY_TEXT.values())}},
    template=_linc_template,
    reference_sheets=lambda _catalogue: {"Lists": pd.concat([
        pd.DataFrame({"list": "pay_band", "code": [str(i) for i in range(1, 13)], "meaning": [b[0] for b in PAY_BANDS]}),
        pd.DataFrame({"list": "service_group", "code": list(SERVICE_GROUPS), "meaning": list(SERVICE_GROUPS.values())}),
        pd.DataFrame({"list": "ethnicity", "code": list(ETHNICITIES), "meaning": [e.replace("_", " ") for e in ETHNICITIES]}),
    ], ignore_index=True)},
)


# --- published files this page reads (recognised by their columns: dashboard.published.routes) ---------------

def published_routes() -> list[Route]:
    return [
        Route("linc_csww_role", "Leadership in Colour", "DfE social work workforce by role and ethnicity", CSWW,
              frozenset(CSWW_COLUMNS), lambda path, _c: read_csww_role(path),
              lambda engine, frame, _c: store_csww(engine, frame),
              frame_summary("area_code", ("headcount_marker", "fte_marker"))),
        Route("linc_census", "Leadership in Colour", "ONS Census 2021 residents by ethnic group (population shares)",
              NAME, frozenset(CENSUS_COLUMNS),
              lambda path, c: read_census_population(path, c["la_codes"]),
              lambda engine, frame, c: store_census(engine, frame, c["seed"]), frame_summary("la_code")),
        Route("linc_published_bands", "Leadership in Colour", "Leadership in Colour 2020: BGM share by pay band, all boroughs",
              PUBLISHED, frozenset({"pay_band", "band_min_gbp", "band_max_gbp", "bame_share_of_staff"}),
              lambda path, _c: read_published_bands(path),
              lambda engine, frame, _c: store_published(engine, linc_published_band, frame), frame_summary("")),
        Route("linc_published_boroughs", "Leadership in Colour", "Leadership in Colour 2020: pay bands by borough",
              PUBLISHED, frozenset({"borough", "bame_pct_all_staff", "bame_pct_over_60k"}),
              lambda path, c: read_published_boroughs(path, c["la_names"]),
              lambda engine, frame, _c: store_published(engine, linc_published_borough, frame),
              lambda frame: (len(frame), len(frame), Counter("suppressed" for s in frame["suppressed"] if s))),
    ]




# --- its published figures in the export (dashboard.published.page_figures) ----------------------------------

def published_figures(engine: Engine, names: dict[str, str]) -> pd.DataFrame:
    """Its published figures (never demo rows) as the export's long rows: source, indicator, period, la_code, la_name, value, marker."""
    parts = []
    roles = read_table(engine, linc_csww_role)
    if len(roles):
        latest = int(roles["year"].max())
        frame = pd.DataFrame({"source": f"{CSWW_ROLE_SOURCE}, 2019 to {latest}",
                              "indicator": "csww_role_ethnicity / " + roles["role"] + " / " + roles["ethnicity"],
                              "period": roles["year"].astype(str), "la_code": roles["area_code"], "la_name": roles["area_name"],
                              "headcount": roles["headcount"], "fte": roles["fte"], "headcount_pct": roles["headcount_pct"],
                              "headcount_marker": roles["headcount_marker"], "fte_marker": roles["fte_marker"]})
        parts.append(long_figures(frame, {"headcount": " / headcount", "fte": " / FTE", "headcount_pct": " / headcount %"},
                           {"headcount": "headcount_marker", "fte": "fte_marker", "headcount_pct": "headcount_marker"}))
    population = read_table(engine, linc_payband_population)
    population = population[population["source"] != "demo"]
    if len(population):
        frame = pd.DataFrame({"source": population["source"], "indicator": "census_population_share / " + population["ethnicity"],
                              "period": "2021", "la_code": population["la_code"], "la_name": population["la_code"].map(names),
                              "share": population["population_share"]})
        parts.append(long_figures(frame, {"share": ""}))
    boroughs = read_table(engine, linc_published_borough)
    if len(boroughs):
        frame = pd.DataFrame({"source": LINC_SOURCE,
                              "indicator": "linc_2020_" + boroughs["ethnic_group"] + "_share / " + boroughs["measure"],
                              "period": "December 2020",
                              "la_code": boroughs["la_codes"].where(boroughs["la_codes"] != "", LONDON),
                              "la_name": boroughs["area_name"].where(boroughs["area_name"] != "Grand Total", "London (all boroughs)"),
                              "share": boroughs["value"], "marker": boroughs["value_text"].where(boroughs["suppressed"])})
        parts.append(long_figures(frame, {"share": ""}, {"share": "marker"}))
    bands = read_table(engine, linc_published_band)
    if len(bands):
        frame = pd.DataFrame({"source": LINC_SOURCE, "indicator": "linc_2020_bgm_share_by_pay_band / " + bands["pay_band"],
                              "period": "December 2020", "la_code": LONDON, "la_name": "London (all boroughs)",
                              "share": bands["bgm_share"]})
        parts.append(long_figures(frame, {"share": ""}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
