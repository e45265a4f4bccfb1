"""Cached readers for the Leadership in Colour page.

Every reader takes the caller's AccessScope (its key is in the cache key with the dataset version) and
returns a copy. The workforce figures are shared among all members, so any signed-in role may read
them; an unknown role is refused here, on the server.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from dashboard.auth.roles import ROLES
from dashboard.dashboards.leadership_in_colour import returns as tables
from dashboard.loader import SHARED, AccessScope, _read_sql, cache, dataset_version


def _check(scope: AccessScope) -> None:
    if scope is None or scope.role not in ROLES:
        raise PermissionError("Leadership in Colour data needs a signed-in member")


@cache.memoize()
def _payband_headcount(version: int, visibility: str) -> pd.DataFrame:
    t = tables.linc_payband_headcount
    frame = _read_sql(select(t.c.snapshot_date, t.c.la_code, t.c.service_group, t.c.band_order, t.c.ethnicity, t.c.headcount))
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"])
    frame["headcount"] = frame["headcount"].astype("int64")
    return frame


def payband_headcount(scope: AccessScope) -> pd.DataFrame:
    """Demo headcounts: snapshot_date, la_code, service_group, band_order, ethnicity, headcount."""
    _check(scope)
    return _payband_headcount(dataset_version(tables.NAME), SHARED).copy()


@cache.memoize()
def _payband_population(version: int, visibility: str) -> pd.DataFrame:
    t = tables.linc_payband_population
    return _read_sql(select(t.c.la_code, t.c.ethnicity, t.c.population_share, t.c.source))


def payband_population(scope: AccessScope) -> pd.DataFrame:
    """Population shares by borough and ethnic group that go with the headcounts."""
    _check(scope)
    return _payband_population(dataset_version(tables.NAME), SHARED).copy()


@cache.memoize()
def _published_bands(version: int, visibility: str) -> pd.DataFrame:
    t = tables.linc_published_band
    return _read_sql(select(t).order_by(t.c.band_order))


def published_bands(scope: AccessScope) -> pd.DataFrame:
    """The published all-borough series: band_order, pay_band, band_min, band_max, bgm_share, population_share."""
    _check(scope)
    return _published_bands(dataset_version(tables.PUBLISHED), SHARED).copy()


@cache.memoize()
def _published_boroughs(version: int, visibility: str) -> pd.DataFrame:
    t = tables.linc_published_borough
    frame = _read_sql(select(t).order_by(t.c.row_order))
    frame["value"] = frame["value"].astype("float64")  # NULL stays NaN: suppressed, never 0
    return frame


def published_boroughs(scope: AccessScope) -> pd.DataFrame:
    """The published borough table, one row per cell: area_name, la_codes, ethnic_group, measure, value_text, value, suppressed."""
    _check(scope)
    return _published_boroughs(dataset_version(tables.PUBLISHED), SHARED).copy()


@cache.memoize()
def _csww_role(version: int, visibility: str) -> pd.DataFrame:
    t = tables.linc_csww_role
    frame = _read_sql(select(t.c.year, t.c.area_code, t.c.area_name, t.c.geographic_level, t.c.role, t.c.ethnicity,
                             t.c.headcount, t.c.headcount_marker, t.c.headcount_pct))
    frame["headcount"] = frame["headcount"].astype("float64")
    frame["headcount_pct"] = frame["headcount_pct"].astype("float64")
    return frame


def csww_role(scope: AccessScope) -> pd.DataFrame:
    """DfE headcount by year, area, role and ethnicity (NULL headcount where the source has x or z)."""
    _check(scope)
    return _csww_role(dataset_version(tables.CSWW), SHARED).copy()
