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

from dashboard.dashboards import dataset_modules
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


def is_london(code) -> bool:
    code = str(code or "")
    return code.startswith("E09") or code in ("E12000007", "E13000001", "E13000002", "london", "inner", "outer")


def _la_codes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(schema.local_authority.c.ons_code)).scalars())


def _la_names(engine: Engine) -> dict[str, str]:
    """{name: ONS code} of London's LAs, as the published files name them."""
    la = schema.local_authority
    with engine.connect() as conn:
        return {name: code for name, code in conn.execute(select(la.c.name, la.c.ons_code))}


def _dfe_to_ons(engine: Engine) -> dict[str, str]:
    la = schema.local_authority
    with engine.connect() as conn:
        return {str(d): o for d, o in conn.execute(select(la.c.dfe_code, la.c.ons_code))}


def frame_summary(code_column: str, marker_columns: tuple[str, ...] = ()) -> Callable:
    def summarise(frame: pd.DataFrame) -> tuple[int, int, Counter]:
        markers = Counter()
        for column in marker_columns:
            markers.update(frame[column].dropna())
        london = int(frame[code_column].map(is_london).sum()) if code_column else len(frame)
        return len(frame), london, markers
    return summarise


def page_routes() -> list[Route]:
    """Every dashboard's routes: its `returns.published_routes()`, where it reads published files."""
    return [route for module in dataset_modules() if hasattr(module, "published_routes") for route in module.published_routes()]


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
)
DOCUMENT_SUFFIXES = {".md", ".txt", ".pdf", ".docx", ".html"}


def known_unused(columns) -> str | None:
    columns = set(columns)
    return next((what for required, what in KNOWN_UNUSED if required <= columns), None)
