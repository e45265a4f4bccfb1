"""Placements and supply: the Ofsted files it reads, and its writes. Members upload nothing here (no `UPLOAD`).

Ofsted's official statistics "Children's social care data in England" come with provider-level tables (published as
ODS; an administrator saves a table's sheet as CSV or .xlsx and imports it with `python -m dashboard import-published`):
providers and places, in-year inspections, closed children's homes, read by `dashboard.published.ofsted_providers`.

No demo data: registered places are published facts about real providers and LAs, and a made-up count beside a real
LA's name would be read as real. Until a file is imported the page says so.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import Engine, and_, delete, insert, tuple_

from dashboard.dashboards.placements_supply.data import (  # noqa: F401  (its tables are defined with its reads)
    LABEL, NAME, TABLES, ofsted_closure, ofsted_inspection, ofsted_places, ofsted_provider_file)
from dashboard.published.routes import Route
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction
from dashboard.published.ofsted_providers import (  # noqa: F401  (its tests read the reader through here too)
    REQUIRED, OfstedProviderError, _name_key, london_code, read_providers)


# --- writing ----------------------------------------------------------------------------------------------------

def store_providers(engine: Engine, rows: dict) -> int:
    """One file in one transaction: a places file replaces that date's providers; inspections and closures replace
    the same providers' rows for the same dates (importing a file again changes nothing)."""
    with write_transaction(engine, NAME) as conn:
        if rows["places"]:
            conn.execute(delete(ofsted_places).where(ofsted_places.c.at == rows["at"]))
            _insert(conn, ofsted_places, rows["places"])
        if rows["inspections"]:
            keys = [(i["urn"], i["inspection_date"]) for i in rows["inspections"]]
            for start in range(0, len(keys), 500):
                conn.execute(delete(ofsted_inspection).where(
                    tuple_(ofsted_inspection.c.urn, ofsted_inspection.c.inspection_date).in_(keys[start:start + 500])))
            _insert(conn, ofsted_inspection, rows["inspections"])
        if rows["closures"]:
            urns = [c["urn"] for c in rows["closures"]]
            for start in range(0, len(urns), 500):
                conn.execute(delete(ofsted_closure).where(ofsted_closure.c.urn.in_(urns[start:start + 500])))
            _insert(conn, ofsted_closure, rows["closures"])
        f = ofsted_provider_file
        conn.execute(delete(f).where(and_(f.c.kind == rows["kind"], f.c.period == rows["period"])))
        conn.execute(insert(f).values(kind=rows["kind"], period=rows["period"], file_name=rows["file"][:255],
                                      rows=len(rows["places"] or rows["closures"] or rows["inspections"]),
                                      imported_at=datetime.now(timezone.utc)))
        return bump_version(conn, NAME, is_demo=False)


def _insert(conn, table, records: list[dict]) -> None:
    for start in range(0, len(records), 5000):
        conn.execute(insert(table), records[start:start + 5000])


def load_demo(engine: Engine, seed: int) -> int:
    """No demo providers (see the module's note): the tables are emptied, as a first start leaves them."""
    with write_transaction(engine, NAME) as conn:
        for table in TABLES:
            conn.execute(delete(table))
        return bump_version(conn, NAME, is_demo=False)


def _summary(rows: dict) -> tuple[int, int, Counter]:
    kept = rows["places"] or rows["closures"] or rows["inspections"]
    markers = Counter()
    if rows["kind"] == "places":
        markers["places not given"] = sum(r["places"] is None for r in kept)
    if rows["inspections"]:
        markers["judgements that are not a grade"] = sum(i["grade"] is None for i in rows["inspections"])
    return len(kept), sum(r["la_code"] is not None for r in kept), +markers


def published_routes() -> list[Route]:
    return [Route(
        "ofsted_providers", "Placements and supply",
        "Ofsted's provider-level data: providers and places, in-year inspections, or closed children's homes", NAME,
        REQUIRED, lambda path, context: read_providers(path, context["la_names"]),
        lambda engine, rows, _context: store_providers(engine, rows), _summary)]
