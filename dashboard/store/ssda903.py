"""The DfE's SSDA903 tables, as CSV and as stored.

As CSV: each table's columns (the DfE's names, in the DfE's order), which of them are dates, and the columns that tell
a file's table from the others (file names are never used: LAs name them freely). As stored (`STORED`): the tables
Sufficiency does not hold in its own shape, kept for the dashboards that read them (care leavers OC3, health OC2,
missing, adoption), degraded first: child ids pseudonymised, dates of birth to the month, never a UPN.

Column lists as in the DfE's 903 CSV specification (the same lists `csc-validator-be-903` reads files by).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Date, Float, Integer, String, Table, inspect, text

from dashboard.store.schema import metadata


@dataclass(frozen=True)
class TableSpec:
    name: str                     # the DfE's name for the table, used in every message
    columns: tuple[str, ...]      # every column the DfE's CSV has
    signature: frozenset[str]     # columns only this table has: a file with all of them is this table
    dates: tuple[str, ...] = ()   # dd/mm/yyyy columns
    optional: tuple[str, ...] = ()   # columns a file may leave out (XML-derived extras, blank-only columns)


TABLES: dict[str, TableSpec] = {t.name: t for t in (
    TableSpec("Header", ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB", "UASC"),
              frozenset({"ETHNIC"}), ("DOB", "MC_DOB"), optional=("UPN", "MOTHER", "MC_DOB", "UASC")),
    TableSpec("Episodes", ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                           "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"),
              frozenset({"DECOM", "RNE", "LS"}), ("DECOM", "DEC")),
    TableSpec("UASC", ("CHILD", "SEX", "DOB", "DUC"), frozenset({"DUC"}), ("DOB", "DUC")),
    TableSpec("Reviews", ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"), frozenset({"REVIEW", "REVIEW_CODE"}), ("DOB", "REVIEW")),
    TableSpec("AD1", ("CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR"),
              frozenset({"DATE_INT", "DATE_MATCH"}), ("DOB", "DATE_INT", "DATE_MATCH")),
    TableSpec("PlacedAdoption", ("CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
              frozenset({"DATE_PLACED"}), ("DOB", "DATE_PLACED", "DATE_PLACED_CEASED")),
    TableSpec("PrevPerm", ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"), frozenset({"PREV_PERM"}), ("DOB",)),
    TableSpec("OC2", ("CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
                      "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
                      "INTERVENTION_OFFERED"), frozenset({"SDQ_SCORE", "HEALTH_CHECK"}), ("DOB",)),
    TableSpec("OC3", ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"), frozenset({"IN_TOUCH", "ACTIV"}), ("DOB",)),
    TableSpec("Missing", ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"), frozenset({"MIS_START"}),
              ("DOB", "MIS_START", "MIS_END")),
    TableSpec("SWEpisodes", ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"), frozenset({"SW_ID", "SW_DECOM"}),
              ("DOB", "SW_DECOM", "SW_DEC")),
)}
# PrevPerm's DATE_PERM is free text in the DfE's CSV (a date, or "Date unknown"), so it is not parsed as a date.


def recognise(columns) -> str | None:
    """The table whose signature columns the file has (upper-cased names), or None: no table, or more than one."""
    names = {str(c).strip().upper() for c in columns}
    found = [t.name for t in TABLES.values() if t.signature <= names]
    return found[0] if len(found) == 1 else None


def missing_columns(table: str, columns) -> list[str]:
    spec = TABLES[table]
    names = {str(c).strip().upper() for c in columns}
    return [c for c in spec.columns if c not in names and c not in spec.optional]


# Header and Episodes are stored in Sufficiency's own tables (its child and episode); every other table as it came.
# OC2 and OC3 describe one collection year's cohort (looked after 12 months at 31 March; care leavers whose 17th to
# 21st birthday fell in the year), so each row keeps the year of the return it came in (the 31 March it ends on).
BY_YEAR = ("OC2", "OC3")
STORED: dict[str, Table] = {
    name: Table(f"ssda903_{name.lower()}", metadata,
                Column("id", Integer, primary_key=True, autoincrement=True),
                Column("la_code", String(9), nullable=False, index=True),
                Column("child", String(16), nullable=False),          # pseudonymised CHILD
                *(Column(c.lower(), Date if c in spec.dates else String(24), nullable=True)
                  for c in spec.columns if c != "CHILD"),
                *((Column("year", Integer, nullable=True),) if name in BY_YEAR else ()))   # NULL: stored before it was kept
    for name, spec in TABLES.items() if name not in ("Header", "Episodes")
}

# Where each episode's child lived and was placed, derived at ingest from the full postcodes (ONS Postcode Directory),
# which are never stored: the DfE's distance (straight line between eastings/northings, miles) and the two LAs.
EPISODE_PLACE = Table(
    "ssda903_episode_place", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("la_code", String(9), nullable=False, index=True),
    Column("child", String(16), nullable=False),
    Column("decom", Date, nullable=False),
    Column("pl_distance", Float, nullable=True),           # miles, to 0.1; NULL when either postcode is unknown
    Column("pl_la", String(9), nullable=True),             # ONS code of the district the placement is in
    Column("home_la", String(9), nullable=True),           # ONS code of the district of the child's home
)


def add_columns(engine, tables) -> list[str]:
    """Nullable columns the schema now declares that a store made earlier lacks (OC2's and OC3's `year`) are added,
    empty: `create_all` never changes an existing table. Returns what it added ("table.column"), for the start-up log."""
    added = []
    with engine.begin() as conn:
        inspector = inspect(conn)
        for table in tables:
            if not inspector.has_table(table.name):
                continue
            live = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in live and column.nullable and not column.primary_key:
                    kind = column.type.compile(dialect=engine.dialect)
                    conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
                    added.append(f"{table.name}.{column.name}")
    return added


def widen_columns(engine, tables) -> list[str]:
    """On PostgreSQL, text columns a store made before a code grew (e.g. `place` was 2 characters until 2025/26's
    Z11-Z14) are widened to the width the schema now declares: `create_all` never changes an existing table, and a
    longer code would otherwise make the whole upload fail. Widening a varchar keeps every row and rewrites nothing.
    SQLite does not enforce widths. Returns what it changed ("table.column n -> m"), for the start-up log."""
    if engine.dialect.name != "postgresql":
        return []
    changed = []
    with engine.begin() as conn:
        inspector = inspect(conn)
        for table in tables:
            if not inspector.has_table(table.name):
                continue
            live = {c["name"]: getattr(c["type"], "length", None) for c in inspector.get_columns(table.name)}
            for column in table.columns:
                wanted = getattr(column.type, "length", None)
                have = live.get(column.name)
                if isinstance(column.type, String) and wanted and have and have < wanted:
                    conn.execute(text(f'ALTER TABLE "{table.name}" ALTER COLUMN "{column.name}" TYPE VARCHAR({wanted})'))
                    changed.append(f"{table.name}.{column.name} {have} -> {wanted}")
    return changed
