"""Leadership in Colour: its tables and cached reads.

Every read takes the caller's AccessScope and returns a copy (see dashboard.loader). The workforce figures are
shared among all members, so any signed-in role may read them, alike; an unknown role is refused here, on the server.
The pay-band headcounts are LAs' staff: the page reads them through `protected_payband_headcount` (the ONS cell-key
method, dashboard.disclosure), never as they are stored.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Boolean, Column, Date, Float, Integer, String, Table, Text, select

from dashboard import disclosure
from dashboard.auth.roles import ROLES
from dashboard.dashboards.leadership_in_colour.metrics import GROUPS
from dashboard.loader import AccessScope, cached_read, kept_in_process, _read_sql
from dashboard.store import schema

NAME = "linc"
LABEL = "Leadership in Colour workforce counts"
PUBLISHED = "linc_published"
CSWW = "linc_csww"
LONDON_CODE = "E12000007"      # the London row of the population shares (all boroughs together)
CENSUS_SOURCE = "ONS Census 2021, usual residents (all ages)"   # the source of census population shares

# --- tables -------------------------------------------------------------------------------------

# The twelve pay bands of the published series (band_order 1 = lowest pay); the demo uses the same.
PAY_BANDS = (
    ("£10,000 to £20,000", 10000, 20000), ("£20,001 to £30,000", 20001, 30000), ("£30,001 to £40,000", 30001, 40000),
    ("£40,001 to £50,000", 40001, 50000), ("£50,001 to £60,000", 50001, 60000), ("£60,001 to £70,000", 60001, 70000),
    ("£70,001 to £80,000", 70001, 80000), ("£80,001 to £100,000", 80001, 100000), ("£100,001 to £120,000", 100001, 120000),
    ("£120,001 to £140,000", 120001, 140000), ("£140,001 to £160,000", 140001, 160000), ("Over £160,000", 160001, None),
)
SERVICE_GROUPS = {"adults": "Adults' services", "childrens": "Children's services", "corporate": "Corporate services",
                  "public_realm": "Public realm", "technical": "Technical services"}
ETHNICITIES = GROUPS + ("not_known",)

linc_payband_headcount = Table(
    "linc_payband_headcount", schema.metadata,
    Column("snapshot_date", Date, primary_key=True),
    Column("la_code", String(9), primary_key=True),
    Column("service_group", String(16), primary_key=True),   # SERVICE_GROUPS keys
    Column("band_order", Integer, primary_key=True),         # 1-12, PAY_BANDS order
    Column("ethnicity", String(16), primary_key=True),       # asian/black/mixed/other/white/not_known
    Column("headcount", Integer, nullable=False),
)

linc_payband_population = Table(
    "linc_payband_population", schema.metadata,
    Column("la_code", String(9), primary_key=True),
    Column("ethnicity", String(16), primary_key=True),       # asian/black/mixed/other/white
    Column("population_share", Float, nullable=False),       # fraction of residents
    Column("source", Text, nullable=False),
)

linc_published_band = Table(
    "linc_published_band", schema.metadata,
    Column("band_order", Integer, primary_key=True),
    Column("pay_band", String(40), nullable=False),
    Column("band_min", Integer, nullable=False),
    Column("band_max", Integer, nullable=True),              # NULL: open-ended top band
    Column("bgm_share", Float, nullable=False),
    Column("population_share", Float, nullable=False),
)

# One cell of the published borough table. value_text is exactly as published ("37%", "<10%").
linc_published_borough = Table(
    "linc_published_borough", schema.metadata,
    Column("area_name", String(64), primary_key=True),       # as published ("Richmond & Wandsworth", "Grand Total")
    Column("ethnic_group", String(8), primary_key=True),     # bgm / asian / black
    Column("measure", String(16), primary_key=True),         # all_staff / up_to_30k / 30k_to_60k / over_60k / population
    Column("la_codes", String(32), nullable=False),          # "E09000027 / E09000032" for a joint row; "" for the total
    Column("row_order", Integer, nullable=False),
    Column("value_text", String(8), nullable=False),
    Column("value", Float, nullable=True),                   # fraction; NULL where suppressed
    Column("suppressed", Boolean, nullable=False),
)

linc_csww_role = Table(
    "linc_csww_role", schema.metadata,
    Column("year", Integer, primary_key=True),               # census at 30 September of this year
    Column("area_code", String(32), primary_key=True),       # ONS code; "E09000021 / E09000027" for the joint return
    Column("role", String(32), primary_key=True),            # as published ("Case holder", ..., "Total")
    Column("ethnicity", String(16), primary_key=True),       # asian/black/mixed/other/white/known/not_known/total
    Column("geographic_level", String(16), nullable=False),  # Local authority / Regional / National
    Column("area_name", String(64), nullable=False),
    Column("headcount", Float, nullable=True),               # NULL where not published (marker says why)
    Column("headcount_marker", String(4), nullable=True),    # x = suppressed / not available, z = not applicable
    Column("headcount_pct", Float, nullable=True),           # as published, 1 dp (groups: % of known)
    Column("fte", Float, nullable=True),
    Column("fte_marker", String(4), nullable=True),          # also "low" = under 0.5 FTE
)


def check_scope(scope: AccessScope) -> None:
    if scope is None or scope.role not in ROLES:
        raise PermissionError("Leadership in Colour data needs a signed-in member")


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def payband_headcount(scope: AccessScope) -> pd.DataFrame:
    """Demo headcounts: snapshot_date, la_code, service_group, band_order, ethnicity, headcount."""
    t = linc_payband_headcount
    frame = _read_sql(select(t.c.snapshot_date, t.c.la_code, t.c.service_group, t.c.band_order, t.c.ethnicity, t.c.headcount))
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    frame["headcount"] = frame["headcount"].astype("int64")
    return frame


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def protected_payband_headcount(scope: AccessScope) -> pd.DataFrame:
    """`payband_headcount` with each headcount (an LA's staff of one ethnic group in one service and pay band on one
    snapshot) protected by the cell-key method as a cell of its own. Every share, total and sentence the page shows
    is added up from these, so none can be worked back to a true count of 1-5."""
    rows = payband_headcount(scope)
    rows["snapshot"] = rows["snapshot_date"].dt.strftime("%Y-%m-%d")
    rows = disclosure.protected_returns(rows, ["snapshot", "la_code", "service_group", "band_order", "ethnicity"],
                                       ["headcount"], NAME)
    rows["headcount"] = rows["headcount"].astype("int64")
    return rows.drop(columns="snapshot")


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def payband_population(scope: AccessScope) -> pd.DataFrame:
    """Population shares by borough and ethnic group that go with the headcounts."""
    t = linc_payband_population
    return _read_sql(select(t.c.la_code, t.c.ethnicity, t.c.population_share, t.c.source))


@kept_in_process(PUBLISHED, check=check_scope)
@cached_read(PUBLISHED, check=check_scope)
def published_bands(scope: AccessScope) -> pd.DataFrame:
    """The published all-borough series: band_order, pay_band, band_min, band_max, bgm_share, population_share."""
    t = linc_published_band
    return _read_sql(select(t).order_by(t.c.band_order))


@kept_in_process(PUBLISHED, check=check_scope)
@cached_read(PUBLISHED, check=check_scope)
def published_boroughs(scope: AccessScope) -> pd.DataFrame:
    """The published borough table, one row per cell: area_name, la_codes, ethnic_group, measure, value_text, value, suppressed."""
    t = linc_published_borough
    frame = _read_sql(select(t).order_by(t.c.row_order))
    frame["value"] = frame["value"].astype("float64")  # NULL stays NaN: suppressed, never 0
    return frame


@kept_in_process(CSWW, check=check_scope)
@cached_read(CSWW, check=check_scope)
def csww_role(scope: AccessScope) -> pd.DataFrame:
    """DfE headcount by year, area, role and ethnicity (NULL headcount where the source has x or z)."""
    t = linc_csww_role
    frame = _read_sql(select(t.c.year, t.c.area_code, t.c.area_name, t.c.geographic_level, t.c.role, t.c.ethnicity,
                             t.c.headcount, t.c.headcount_marker, t.c.headcount_pct))
    frame["headcount"] = frame["headcount"].astype("float64")
    frame["headcount_pct"] = frame["headcount_pct"].astype("float64")
    return frame
