"""Placements and supply: its tables (Ofsted's published provider-level data) and cached reads.

Ofsted's "Children's social care data in England" provider-level files are published facts about registered providers
(no child is in them): every member of the page's roles sees them alike. Counts of children placed come from the
Sufficiency dataset, through `dashboard.dashboards.sufficiency.data`, protected there by the cell-key method.

Tables (filled only by `import-published`; there is no demo provider data, so nothing here can pass for real):
- `ofsted_places`: each provider on a "Providers places at <date>" file, one row per (date, URN).
- `ofsted_inspection`: each full inspection's judgement from a "Provider level in year" file, one row per
  (URN, inspection date); `grade` 1-4 or NULL when the judgement is not a grade (an interim "improved effectiveness").
- `ofsted_closure`: each provider on a "Closed children's homes" file with the date it closed.
- `ofsted_provider_file`: what was imported (kind, period, file), for the page's sources.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Column, Date, DateTime, Integer, SmallInteger, String, Table, select

from dashboard.auth.users import audit
from dashboard.dashboards.placements_supply import metrics
from dashboard.loader import AccessScope, _read_sql, cached_read, kept_in_process, local_authorities
from dashboard.store import get_engine, schema

NAME = "ofsted_providers"
LABEL = "Ofsted registered providers and places"
READ_ROLES = ("commissioner", "admin")
GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}

md = schema.metadata


def _provider_columns():
    """What Ofsted says of a provider on each file: its type, where, who runs it and owns it, its places."""
    return [
        Column("provision_type", String(80), nullable=False),
        Column("sector", String(40), nullable=True),
        Column("la_name", String(80), nullable=True),          # the LA the provider is in, as Ofsted names it
        Column("la_code", String(9), nullable=True),           # its ONS code when it is a London LA
        Column("places", Integer, nullable=True),              # NULL: not given (never 0)
        Column("owner", String(160), nullable=True),           # Organisation which owns the provider
        Column("registration_date", Date, nullable=True),
        Column("registration_status", String(40), nullable=True),
    ]


ofsted_places = Table(
    "ofsted_places", md,
    Column("at", Date, primary_key=True),                      # the file's date ("at 31 March 2025")
    Column("urn", String(12), primary_key=True),
    *_provider_columns(),
)

ofsted_inspection = Table(
    "ofsted_inspection", md,
    Column("urn", String(12), primary_key=True),
    Column("inspection_date", Date, primary_key=True),
    Column("judgement", String(80), nullable=True),            # as published
    Column("grade", SmallInteger, nullable=True),              # 1 outstanding .. 4 inadequate; NULL not a grade
    *_provider_columns(),
)

ofsted_closure = Table(
    "ofsted_closure", md,
    Column("urn", String(12), primary_key=True),
    Column("date_closed", Date, nullable=False),
    *_provider_columns(),
)

ofsted_provider_file = Table(
    "ofsted_provider_file", md,
    Column("kind", String(16), primary_key=True),              # places, inspections, closures
    Column("period", String(40), primary_key=True),            # "2025-03-31", or the inspections' date range
    Column("file_name", String(255), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

TABLES = (ofsted_places, ofsted_inspection, ofsted_closure, ofsted_provider_file)


def check_scope(scope: AccessScope) -> None:
    """Commissioners and administrators only (the page's guard should have stopped anyone else: log a crafted call)."""
    if not isinstance(scope, AccessScope) or scope.role not in READ_ROLES:
        audit(get_engine(), actor=None, event="refused",
              detail=f"{NAME} read by {scope.key if isinstance(scope, AccessScope) else 'no scope'}")
        raise PermissionError("Placements and supply is for commissioners and administrators only.")


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


# Ofsted's files, the same for every caller: each worker keeps them per version, so no change of filter reads them.
@kept_in_process(NAME, check=check_scope)
def places(scope: AccessScope) -> pd.DataFrame:
    """Every provider on every imported places file (all England: sub-regions and London need only theirs, but the
    share placed outside London is read against the rest)."""
    return _dates(_read_sql(select(ofsted_places)), "at", "registration_date")


@kept_in_process(NAME, check=check_scope)
def inspections(scope: AccessScope) -> pd.DataFrame:
    return _dates(_read_sql(select(ofsted_inspection)), "inspection_date", "registration_date")


@kept_in_process(NAME, check=check_scope)
def closures(scope: AccessScope) -> pd.DataFrame:
    return _dates(_read_sql(select(ofsted_closure)), "date_closed", "registration_date")


@kept_in_process(NAME, check=check_scope)
def files(scope: AccessScope) -> pd.DataFrame:
    return _read_sql(select(ofsted_provider_file).order_by(ofsted_provider_file.c.kind, ofsted_provider_file.c.period))


# --- what a filter does not change: read once per data version ---------------------------------------------------

@cached_read(NAME, check=check_scope)
def urn_grades(scope: AccessScope, at) -> tuple:
    """((URN, grade label), ...) for every provider in Ofsted's files, its grade on `at` (the latest graded judgement on
    or before it) or "Not yet inspected": what the children's counts are matched to by URN. () when nothing is
    imported."""
    held, inspected, closed = places(scope), inspections(scope), closures(scope)
    urns = pd.Series(sorted(set(held["urn"]) | set(inspected["urn"]) | set(closed["urn"])), dtype=object)
    if urns.empty:
        return ()
    grades = metrics.grade_at(urns, inspected, pd.Timestamp(at))
    labels = grades.map(lambda g: GRADES.get(int(g)) if pd.notna(g) else "Not yet inspected")
    return tuple(zip(urns, labels))


@kept_in_process(NAME, "reference", check=check_scope)
def supply(scope: AccessScope, area: str) -> dict:
    """Everything the page shows from Ofsted's files for an area, whatever date is chosen (the latest places file):
    places per LA, sub-region and London, providers by type, owners, owner concentration, homes opened and closed,
    and what was imported. `held` is False when nothing is imported."""
    las = local_authorities()
    codes = metrics.area_codes(area, las)
    every, shut, imported = places(scope), closures(scope), files(scope)
    held = not every.empty
    if not held:
        # The tables keep their headings (a grid with no columns is not an accessible table).
        return {"held": False, "files": imported, "snapshot_label": None, "homes_places": None,
                "places": pd.DataFrame(columns=["Area type", "Area", "Children's homes", "Children's homes places"]),
                "owners": pd.DataFrame(columns=["Owner", "Providers", "Places", "% of places"]),
                "types": pd.DataFrame(columns=["Provision type", "Providers", "Places", "% of places"]),
                "concentration": {1: None, 5: None, 10: None},
                "openings": pd.DataFrame(columns=["Year to 31 March", "Registered (opened)", "Closed"])}
    snapshot = metrics.latest_snapshot(every)
    in_area = snapshot[snapshot["la_code"].isin(codes)]
    table = metrics.places_table(snapshot, las)
    where = table.loc[table["la_code"].isin(codes)] if area.startswith("la:") else None
    # The area's LAs, then its sub-region (for a sub-region; every sub-region for London) and London, for comparison;
    # one LA alone.
    shown = table["la_code"].isin(codes) | (table["Area type"] == "London")
    if area.startswith("sr:"):
        name = las.loc[las["subregion_code"] == area[3:], "subregion_name"]
        shown |= (table["Area type"] == "Sub-region") & table["Area"].isin(set(name))
        where = table[(table["Area type"] == "Sub-region") & table["Area"].isin(set(name))]
    if area.startswith("la:"):
        shown = table["la_code"].isin(codes)
    if area == "london":   # every LA, every sub-region and London, side by side
        shown |= table["Area type"] == "Sub-region"
        where = table[table["Area type"] == "London"]
    homes_places = where["Children's homes places"].iloc[0] if where is not None and len(where) else None
    return {"held": True, "files": imported, "snapshot_label": f"{snapshot['at'].iloc[0]:%-d %B %Y}",
            "homes_places": None if homes_places is None or pd.isna(homes_places) else int(homes_places),
            "places": table[shown.to_numpy()].drop(columns="la_code").reset_index(drop=True),
            "owners": metrics.places_by(in_area, "owner").head(10).rename(columns={"owner": "Owner"}),
            "types": metrics.places_by(in_area, "provision_type", homes_only=False).rename(columns={"provision_type": "Provision type"}),
            "concentration": metrics.owner_concentration(in_area),
            "openings": metrics.openings_and_closures(every, shut, codes)}
