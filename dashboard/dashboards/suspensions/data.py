"""Education suspensions: its tables and cached reads.

Each read takes the caller's AccessScope and returns a copy (see dashboard.loader). Any signed-in role may read them,
alike; anything else is refused here. The LA counts by ethnicity are other LAs' pupils: the page reads them through
`protected_la_rows` (the ONS cell-key method, dashboard.disclosure), never as they are stored, except the viewer's own.
"""
from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import Column, Float, ForeignKey, Integer, String, Table, select

from dashboard import disclosure
from dashboard.auth.roles import ROLES
from dashboard.loader import AccessScope, _read_sql, cached_read, dataset_info, kept_in_process
from dashboard.store import schema

NAME = "suspensions"
LABEL = "education suspensions data"
ENGLAND = "suspensions_england"
PUBLISHED = "suspensions_published"

ENGLAND_SOURCE = ("DfE, Permanent and fixed-period exclusions in England (SFR35/2017 underlying data, "
                  "exclusion_natcharacteristics.csv), state-funded primary, secondary and special schools; OGL v3.0")
PUBLISHED_SOURCE = "Regional table of pupils with one or more suspensions by detailed ethnicity, as published (LIIA / ALDCS)"

# DfE's detailed ethnic groups plus unclassified, in the order the page lists them: (major group, group).
# Chinese sits in the Asian major group and "Unclassified" in "Other", as in the published regional table
# (older DfE files had Chinese as a major group of its own).
ETHNIC_GROUPS: tuple[tuple[str, str], ...] = (
    ("White", "White British"), ("White", "Irish"), ("White", "Traveller of Irish heritage"), ("White", "Gypsy/Roma"),
    ("White", "Any other White background"),
    ("Mixed", "White and Black Caribbean"), ("Mixed", "White and Black African"), ("Mixed", "White and Asian"),
    ("Mixed", "Any other Mixed background"),
    ("Asian", "Indian"), ("Asian", "Pakistani"), ("Asian", "Bangladeshi"), ("Asian", "Chinese"),
    ("Asian", "Any other Asian background"),
    ("Black", "Black Caribbean"), ("Black", "Black African"), ("Black", "Any other Black background"),
    ("Other", "Any other ethnic group"), ("Other", "Unclassified"),
)
REFERENCE_GROUP = "White British"
MAJOR_OF = {group: major for major, group in ETHNIC_GROUPS}
GROUP_ORDER = {group: i for i, (_, group) in enumerate(ETHNIC_GROUPS)}


def group_key(label: str) -> str:
    """Letters only, lower case: "Gypsy_Roma", "Gypsy Roma" and "Gypsy/Roma" are the same group."""
    text = re.sub(r"^ethnicity_(minor_)?", "", str(label).strip(), flags=re.IGNORECASE)
    return re.sub(r"[^a-z]", "", text.lower())


_BY_KEY = {group_key(group): group for _, group in ETHNIC_GROUPS}


def canonical_group(label: str) -> str | None:
    """The page's name for a source's ethnic group label, or None when it is not one of the 19."""
    return _BY_KEY.get(group_key(label))


# --- tables -------------------------------------------------------------------------------------

COUNT_COLUMNS = ("headcount", "pupils_suspended", "suspensions", "permanent_exclusions")
# suspensions_england's row for DfE's own total of all pupils (its Total row): the page's "All pupils" is that
# published figure, not a sum of the groups' rows (each rounded by DfE to the nearest 5).
ALL_PUPILS = "All pupils"

suspensions_pupils = Table(
    "suspensions_pupils", schema.metadata,
    Column("la_code", String(9), ForeignKey("local_authority.ons_code"), primary_key=True),
    Column("academic_year", String(7), primary_key=True),        # "2023/24"
    Column("ethnicity", String(48), primary_key=True),
    Column("ethnicity_major", String(16), nullable=False),
    Column("headcount", Integer, nullable=True),                   # NULL: not returned (never 0)
    Column("pupils_suspended", Integer, nullable=True),            # pupils with one or more suspensions
    Column("suspensions", Integer, nullable=True),
    Column("permanent_exclusions", Integer, nullable=True),
)

suspensions_england = Table(
    "suspensions_england", schema.metadata,
    Column("academic_year", String(7), primary_key=True),
    Column("ethnicity", String(48), primary_key=True),
    Column("ethnicity_major", String(16), nullable=False),
    Column("headcount", Integer, nullable=True),
    Column("pupils_suspended", Integer, nullable=True),
    Column("suspensions", Integer, nullable=True),
    Column("permanent_exclusions", Integer, nullable=True),       # NULL where DfE suppressed it ("x")
)

suspensions_published = Table(
    "suspensions_published", schema.metadata,
    Column("row_order", Integer, primary_key=True),
    Column("ethnicity_major", String(16), nullable=False),
    Column("ethnicity", String(48), nullable=False),
    Column("pupils", Integer, nullable=False),
    Column("rate_per_1000", Float, nullable=False),               # as published: whole numbers
    Column("rri", Float, nullable=True),                          # as published: 1 dp; blank where unreadable
    Column("representation", String(32), nullable=True),          # blank: no band (close to parity)
)

COUNTS = list(COUNT_COLUMNS)


def check_scope(scope: AccessScope) -> None:
    if scope is None or scope.role not in ROLES:
        raise PermissionError("suspensions data needs a signed-in member")


def _counts_as_int(frame: pd.DataFrame) -> pd.DataFrame:
    for column in COUNTS:
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")  # NULL stays missing: never 0
    return frame


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def la_rows(scope: AccessScope) -> pd.DataFrame:
    """Per London LA, year and ethnic group: headcount, pupils_suspended, suspensions, permanent_exclusions."""
    t = suspensions_pupils
    frame = _read_sql(select(t.c.la_code, t.c.academic_year, t.c.ethnicity, t.c.ethnicity_major,
                             *[t.c[c] for c in COUNTS]).order_by(t.c.academic_year, t.c.la_code))
    return _counts_as_int(frame)


@kept_in_process(NAME, check=check_scope)   # the same for every view: worked out once per version in each worker
@cached_read(NAME, check=check_scope)
def protected_la_rows(scope: AccessScope) -> pd.DataFrame:
    """`la_rows` with every count protected by the cell-key method (each LA, year, group and count a cell of its own),
    and no count of pupils with an outcome above the protected headcount (an RRI needs count <= population)."""
    rows = disclosure.protected_returns(la_rows(scope), ["la_code", "academic_year", "ethnicity"], COUNTS, NAME)
    for column in ("pupils_suspended", "permanent_exclusions"):
        rows[column] = rows[column].where(~(rows[column] > rows["headcount"]).fillna(False), rows["headcount"])
    return rows


@kept_in_process(ENGLAND, check=check_scope)   # public figures, the same for every view: read once per version
@cached_read(ENGLAND, check=check_scope)
def england_rows(scope: AccessScope) -> pd.DataFrame:
    """England by year and ethnic group (DfE, real); empty when the file was never imported."""
    t = suspensions_england
    frame = _read_sql(select(t.c.academic_year, t.c.ethnicity, t.c.ethnicity_major, *[t.c[c] for c in COUNTS])
                      .order_by(t.c.academic_year))
    return _counts_as_int(frame)


@kept_in_process(PUBLISHED, check=check_scope)
@cached_read(PUBLISHED, check=check_scope)
def published_rows(scope: AccessScope) -> pd.DataFrame:
    """The published regional table as published; empty when it was never imported."""
    t = suspensions_published
    frame = _read_sql(select(t.c.row_order, t.c.ethnicity_major, t.c.ethnicity, t.c.pupils, t.c.rate_per_1000,
                             t.c.rri, t.c.representation).order_by(t.c.row_order))
    frame["rri"] = frame["rri"].astype("float64")
    return frame


def states() -> dict[str, dict]:
    """Version, demo flag and last update of the three suspensions datasets (one small query each)."""
    return {name: dataset_info(name) for name in (NAME, ENGLAND, PUBLISHED)}
