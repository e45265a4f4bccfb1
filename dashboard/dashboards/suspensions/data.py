"""Cached readers for the Education suspensions page.

Each reader takes the caller's AccessScope (its key is in the cache key with the dataset version) and
returns a copy. The figures are shared among all members (small counts are suppressed on the server
before anything reaches a browser), so any signed-in role may read them; anything else is refused here.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from dashboard.auth.roles import ROLES
from dashboard.dashboards.suspensions import returns as tables
from dashboard.loader import SHARED, AccessScope, _read_sql, cache, dataset_info, dataset_version

COUNTS = list(tables.COUNT_COLUMNS)


def _check(scope: AccessScope) -> None:
    if scope is None or scope.role not in ROLES:
        raise PermissionError("suspensions data needs a signed-in member")


def _counts_as_int(frame: pd.DataFrame) -> pd.DataFrame:
    for column in COUNTS:
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")  # NULL stays missing: never 0
    return frame


@cache.memoize()
def _la_rows(version: int, visibility: str) -> pd.DataFrame:
    t = tables.suspensions_pupils
    frame = _read_sql(select(t.c.la_code, t.c.academic_year, t.c.ethnicity, t.c.ethnicity_major,
                             *[t.c[c] for c in COUNTS]).order_by(t.c.academic_year, t.c.la_code))
    return _counts_as_int(frame)


def la_rows(scope: AccessScope) -> pd.DataFrame:
    """Per London LA, year and ethnic group: headcount, pupils_suspended, suspensions, permanent_exclusions."""
    _check(scope)
    return _la_rows(dataset_version(tables.NAME), SHARED).copy()


@cache.memoize()
def _england_rows(version: int, visibility: str) -> pd.DataFrame:
    t = tables.suspensions_england
    frame = _read_sql(select(t.c.academic_year, t.c.ethnicity, t.c.ethnicity_major, *[t.c[c] for c in COUNTS])
                      .order_by(t.c.academic_year))
    return _counts_as_int(frame)


def england_rows(scope: AccessScope) -> pd.DataFrame:
    """England by year and ethnic group (DfE, real); empty when the file was never imported."""
    _check(scope)
    return _england_rows(dataset_version(tables.ENGLAND), SHARED).copy()


@cache.memoize()
def _published_rows(version: int, visibility: str) -> pd.DataFrame:
    t = tables.suspensions_published
    frame = _read_sql(select(t.c.row_order, t.c.ethnicity_major, t.c.ethnicity, t.c.pupils, t.c.rate_per_1000,
                             t.c.rri, t.c.representation).order_by(t.c.row_order))
    frame["rri"] = frame["rri"].astype("float64")
    return frame


def published_rows(scope: AccessScope) -> pd.DataFrame:
    """The published regional table as published; empty when it was never imported."""
    _check(scope)
    return _published_rows(dataset_version(tables.PUBLISHED), SHARED).copy()


def states() -> dict[str, dict]:
    """Version, demo flag and last update of the three suspensions datasets (one small query each)."""
    return {name: dataset_info(name) for name in (tables.NAME, tables.ENGLAND, tables.PUBLISHED)}
