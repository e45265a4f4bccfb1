"""Where each published file goes: the pages' own importers, recognised by a file's columns (never its name).

The published-statistics store (`formats.FORMATS`) takes the files Benchmarking compares; the routes here take
the files the SEND, Leadership in Colour, Suspensions and Sufficiency pages read with their own importers.
One file may feed several (the ONS population file feeds Benchmarking and SEND). A route reads first (a bad
cell raises an error naming file, row and column, before anything is written), then writes.

`KNOWN_UNUSED` names real files no page reads, so they are reported as such rather than refused.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.dashboards.leadership_in_colour import returns as linc
from dashboard.dashboards.leadership_in_colour.returns import _la_names
from dashboard.dashboards.send import returns as send
from dashboard.dashboards.sufficiency import returns as sufficiency
from dashboard.dashboards.suspensions import returns as suspensions
from dashboard.store import schema


@dataclass(frozen=True)
class Route:
    name: str                       # recorded with the file's checksum, so the same file again changes nothing
    page: str
    description: str
    dataset: str                    # the dataset whose version the write bumps
    required: frozenset[str]
    read: Callable[[Path, dict], object]             # (file, context) -> rows; raises ValueError naming row and column
    write: Callable[[Engine, object, dict], int]     # (engine, rows, context) -> the dataset's new version
    summarise: Callable[[object], tuple[int, int, Counter]]   # rows -> (rows kept, London rows, markers met)

    def matches(self, columns) -> bool:
        return self.required <= set(columns)


def _is_london(code) -> bool:
    code = str(code or "")
    return code.startswith("E09") or code in ("E12000007", "E13000001", "E13000002", "london", "inner", "outer")


def _la_codes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(schema.local_authority.c.ons_code)).scalars())


def _dfe_to_ons(engine: Engine) -> dict[str, str]:
    la = schema.local_authority
    with engine.connect() as conn:
        return {str(d): o for d, o in conn.execute(select(la.c.dfe_code, la.c.ons_code))}


# --- SEND ---------------------------------------------------------------------------------------------------------

def _send_values_summary(rows) -> tuple[int, int, Counter]:
    markers = Counter("not published" for r in rows if r["value"] is None)
    return len(rows), sum(_is_london(r["area_code"]) for r in rows), markers


def _send_inspections_summary(rows) -> tuple[int, int, Counter]:
    return len(rows), sum(_is_london(r["area_code"]) or r["region"] == "London" for r in rows), Counter()


def _send_routes() -> list[Route]:
    write_values = lambda engine, rows, context: send.store_published_values(engine, rows, context["seed"])  # noqa: E731
    write_inspections = lambda engine, rows, _context: send.store_published_inspections(engine, rows)  # noqa: E731
    ees = {"time_period", "geographic_level", "new_la_code"}
    return [
        Route("send_sen2_caseload", "SEND", "DfE SEN2 EHC plans in force in January, by age", send.NAME,
              frozenset(ees | {"characteristic_age", "Total_ehc", "Total_all"}),
              lambda path, c: send.read_sen2_caseload(path, c["la_codes"]), write_values, _send_values_summary),
        Route("send_sen2_mi", "SEND", "DfE SEN2 requests, new plans, 20-week timeliness and tribunals", send.NAME,
              frozenset(ees | set(send.SEN2_MI_COLUMNS.values())),
              lambda path, c: send.read_sen2_mi(path, c["la_codes"]), write_values, _send_values_summary),
        Route("send_population", "SEND", "ONS mid-year estimates of children aged 0 to 17 (rates per 1,000)", send.NAME,
              frozenset(ees | {"age_group", "population_estimate"}),
              lambda path, c: send.read_population(path, c["la_codes"]), write_values, _send_values_summary),
        Route("send_lait", "SEND", "DfE LAIT pupils with SEN support or an EHC plan, tribunal appeal rate", send.NAME,
              frozenset({"Short Desc", "Years", "Values", "LA Number"}),
              lambda path, c: send.read_lait(path, c["dfe_to_ons"]), write_values, _send_values_summary),
        Route("send_inspections_2016", "SEND", "Ofsted area SEND inspections, May 2016 to August 2022", send.NAME,
              frozenset({"Local authority code", "Area name", "Inspection start date", "Inspection publication date"}),
              lambda path, _c: send.read_inspections_2016(path), write_inspections, _send_inspections_summary),
        Route("send_inspections_2023", "SEND", "Ofsted area SEND inspections under the 2023 framework", send.NAME,
              frozenset({"ltla23cd", "local_authority", "region_code", "outcome_grade", "inspection_start_date",
                         "publication_date"}),
              lambda path, _c: send.read_inspections_2023(path), write_inspections, _send_inspections_summary),
    ]


# --- Leadership in Colour -----------------------------------------------------------------------------------------

def _frame_summary(code_column: str, marker_columns: tuple[str, ...] = ()) -> Callable:
    def summarise(frame: pd.DataFrame) -> tuple[int, int, Counter]:
        markers = Counter()
        for column in marker_columns:
            markers.update(frame[column].dropna())
        london = int(frame[code_column].map(_is_london).sum()) if code_column else len(frame)
        return len(frame), london, markers
    return summarise


def _linc_routes() -> list[Route]:
    return [
        Route("linc_csww_role", "Leadership in Colour", "DfE social work workforce by role and ethnicity", linc.CSWW,
              frozenset(linc.CSWW_COLUMNS), lambda path, _c: linc.read_csww_role(path),
              lambda engine, frame, _c: linc.store_csww(engine, frame),
              _frame_summary("area_code", ("headcount_marker", "fte_marker"))),
        Route("linc_census", "Leadership in Colour", "ONS Census 2021 residents by ethnic group (population shares)",
              linc.NAME, frozenset(linc.CENSUS_COLUMNS),
              lambda path, c: linc.read_census_population(path, c["la_codes"]),
              lambda engine, frame, c: linc.store_census(engine, frame, c["seed"]), _frame_summary("la_code")),
        Route("linc_published_bands", "Leadership in Colour", "Leadership in Colour 2020: BGM share by pay band, all boroughs",
              linc.PUBLISHED, frozenset({"pay_band", "band_min_gbp", "band_max_gbp", "bame_share_of_staff"}),
              lambda path, _c: linc.read_published_bands(path),
              lambda engine, frame, _c: linc.store_published(engine, linc.linc_published_band, frame), _frame_summary("")),
        Route("linc_published_boroughs", "Leadership in Colour", "Leadership in Colour 2020: pay bands by borough",
              linc.PUBLISHED, frozenset({"borough", "bame_pct_all_staff", "bame_pct_over_60k"}),
              lambda path, c: linc.read_published_boroughs(path, c["la_names"]),
              lambda engine, frame, _c: linc.store_published(engine, linc.linc_published_borough, frame),
              lambda frame: (len(frame), len(frame), Counter("suppressed" for s in frame["suppressed"] if s))),
    ]


# --- Suspensions and Sufficiency ----------------------------------------------------------------------------------

def _other_routes() -> list[Route]:
    return [
        Route("suspensions_england", "Suspensions", "DfE exclusions in England by pupil characteristics (national)",
              suspensions.ENGLAND, frozenset(suspensions.ENGLAND_COLUMNS),
              lambda path, _c: suspensions.read_england_file(path),
              lambda engine, frame, _c: suspensions.store_england(engine, frame),
              lambda frame: (len(frame), 0, Counter("suppressed" for v in frame["pupils_suspended"] if pd.isna(v)))),
        Route("suspensions_published", "Suspensions", "Published regional table of suspensions by detailed ethnicity",
              suspensions.PUBLISHED, frozenset(suspensions.PUBLISHED_COLUMNS),
              lambda path, _c: suspensions.read_published_file(path),
              lambda engine, frame, _c: suspensions.store_published(engine, frame),
              lambda frame: (len(frame), len(frame), Counter())),
        Route("sufficiency_published", "Sufficiency", "DfE children looked after at 31 March by characteristics",
              sufficiency.PUBLISHED_NAME,
              frozenset({"time_period", "geographic_level", "region_name", "new_la_code", "la_name", "cla_group",
                         "characteristic", "cla_31_march_number", "percentage"}),
              lambda path, _c: sufficiency.read_published_cla(path),
              lambda engine, rows, _c: sufficiency.store_published_cla(engine, rows),
              lambda rows: (len(rows), sum(_is_london(r["area_code"]) for r in rows),
                            Counter(m for r in rows for m in (r["number_marker"], r["percentage_marker"]) if m))),
    ]


def page_routes() -> list[Route]:
    return _send_routes() + _linc_routes() + _other_routes()


def context(engine: Engine, seed: int) -> dict:
    """What the page importers need to know about the store (London's LAs, DfE numbers) and the demo seed."""
    return {"la_codes": _la_codes(engine), "dfe_to_ons": _dfe_to_ons(engine), "la_names": _la_names(engine), "seed": seed}


# --- real files no page reads -------------------------------------------------------------------------------------

KNOWN_UNUSED = (
    (frozenset({"time_period", "geographic_level"}), "a DfE or ONS Explore Education Statistics file"),
    (frozenset({"LSAbbreviation", "x", "y", "code"}), "the London Squared tile grid (the app ships its own tile layout)"),
    (frozenset({"Measure_code", "Measure", "Polarity"}), "the LAIT data dictionary"),
    (frozenset({"LTLA23CD", "UTLA23CD"}), "the ONS lower- to upper-tier LA lookup"),
    (frozenset({"LA num", "SN1", "SNP"}), "DfE statistical neighbours in the older layout (the pages use the 2025 model's "
                                          "wide CSV: old_la_code, SN_1 ... SN_10)"),
    (frozenset({"LA Number", "LA Name", "Region", "Type"}), "the LAIT list of LA numbers"),
    (frozenset({"Local.area.partnership", "Inspection.outcome"}), "Ofsted's early management information on 2023-framework "
                                                                   "area SEND inspections (the scraped reports are used instead)"),
    (frozenset({"urn", "la_code_new", "stat_neighbours_la_code", "ltla23cd"}), "Ofsted's lookup of LA URNs to DfE and ONS "
                                                                                "codes (the app keeps its own LA table)"),
    (frozenset({"urn", "overall_effectiveness_grade", "in_care_grade", "care_leavers_grade"}),
     "the scraped summary of Ofsted's latest ILACS inspection per LA (no page shows inspections of children's services yet)"),
)
DOCUMENT_SUFFIXES = {".md", ".txt", ".pdf", ".docx", ".html"}


def known_unused(columns) -> str | None:
    columns = set(columns)
    return next((what for required, what in KNOWN_UNUSED if required <= columns), None)
