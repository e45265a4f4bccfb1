"""Cached readers of the SEND dataset (see dashboard.loader for the caching rules).

The SEND figures are published statistics (and labelled demo data), shared among all members, so
every signed-in scope may read them; the scope is still in every key so no cached result crosses scopes.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from dashboard.dashboards.send.metrics import (INDICATORS, area_series, latest_inspections, mix_table, outcome_share_history,
                                              with_totals)
from dashboard.dashboards.send.returns import NAME, send_inspection, send_value
from dashboard.loader import SHARED, AccessScope, _read_sql, cache, dataset_version, local_authorities


def _check(scope: AccessScope) -> None:
    if not isinstance(scope, AccessScope) or not scope.role or not scope.la_code:
        raise PermissionError("SEND data needs a signed-in scope")


@cache.memoize()
def _send_values(version: int, visibility: str) -> pd.DataFrame:
    frame = _read_sql(select(send_value.c.area_code, send_value.c.year, send_value.c.measure, send_value.c.value,
                             send_value.c.source).order_by(send_value.c.area_code, send_value.c.year))
    frame["year"] = frame["year"].astype(int)
    frame["value"] = frame["value"].astype("float64")  # NULL stays NaN: "not published", never 0
    return with_totals(frame)


def send_values(scope: AccessScope) -> pd.DataFrame:
    """area_code, year, measure, value, source for every area (London LAs, London, England); plus placements_total."""
    _check(scope)
    return _send_values(dataset_version(NAME), SHARED).copy()


@cache.memoize()
def _send_inspections(version: int, visibility: str) -> pd.DataFrame:
    t = send_inspection
    frame = _read_sql(select(t.c.area_code, t.c.area_name, t.c.region, t.c.framework, t.c.start_date, t.c.publication_date,
                             t.c.outcome_grade, t.c.wsoa_required, t.c.weaknesses, t.c.revisit_outcome, t.c.source)
                      .order_by(t.c.publication_date, t.c.area_name))
    for column in ("start_date", "publication_date"):
        frame[column] = pd.to_datetime(frame[column])
    frame["outcome_grade"] = frame["outcome_grade"].astype("float64")
    return frame


def send_inspections(scope: AccessScope) -> pd.DataFrame:
    """Every area SEND inspection held (London LAs, and the rest of England for national shares)."""
    _check(scope)
    return _send_inspections(dataset_version(NAME), SHARED).copy()


def send_sources(scope: AccessScope) -> dict[str, str]:
    """{measure: source} for the figures held ("demo" or the published file)."""
    _check(scope)
    return dict(_send_sources(dataset_version(NAME), SHARED))


@cache.memoize()
def _send_series(version: int, visibility: str, code: str) -> pd.DataFrame:
    return area_series(_send_values(version, visibility), local_authorities(), INDICATORS[code])


def send_series(code: str, scope: AccessScope) -> pd.DataFrame:
    """One indicator for every LA, sub-region, London and England, every year (metrics.area_series), cached."""
    _check(scope)
    if code not in INDICATORS:
        raise KeyError(f"unknown SEND indicator {code!r}")
    return _send_series(dataset_version(NAME), SHARED, code).copy()


def send_sources_of(area_code: str, scope: AccessScope) -> dict[str, str]:
    """{measure: source} for one area's figures (an LA's own return replaces its demo placements and needs)."""
    _check(scope)
    return dict(_send_sources_by_area(dataset_version(NAME), scope.key).get(area_code, {}))


@cache.memoize()
def _send_sources_by_area(version: int, scope_key: str) -> dict:
    values = _send_values(version, scope_key).dropna(subset=["source"])   # derived totals carry no source
    return {area: rows.groupby("measure")["source"].agg(lambda s: "; ".join(sorted(set(s)))).to_dict()
            for area, rows in values.groupby("area_code")}


@cache.memoize()
def _send_sources(version: int, visibility: str) -> dict:
    values = _send_values(version, visibility)
    values = values[values["measure"] != "placements_total"]
    return values.groupby("measure")["source"].agg(lambda s: "; ".join(sorted(set(s)))).to_dict()


# Inspection summaries and mixes depend only on the data (not on the focus LA): computed once per version.
@cache.memoize()
def _send_inspection_summary(version: int, visibility: str) -> dict:
    inspections = _send_inspections(version, visibility)
    las = local_authorities()
    return {"latest": latest_inspections(inspections, las),
            "history": outcome_share_history(inspections, set(las["la_code"]))}


def send_inspection_summary(scope: AccessScope) -> dict:
    """{'latest': each London LA's latest outcome (metrics.latest_inspections), 'history': outcome-1 shares over time}."""
    _check(scope)
    return {k: v.copy() for k, v in _send_inspection_summary(dataset_version(NAME), SHARED).items()}


@cache.memoize()
def _send_mix(version: int, visibility: str, year: int, measures: tuple, by: str) -> pd.DataFrame:
    return mix_table(_send_values(version, visibility), local_authorities(), year, measures, by)


def send_mix(year: int, measures: tuple[str, ...], by: str, scope: AccessScope) -> pd.DataFrame:
    """Counts and shares of a mix (placements or needs) for one year, by LA or sub-region (metrics.mix_table)."""
    _check(scope)
    return _send_mix(dataset_version(NAME), SHARED, int(year), tuple(measures), by).copy()
