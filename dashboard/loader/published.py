"""Cached readers of published statistics (public data: every signed-in scope may read them)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from dashboard.loader import SHARED, AccessScope, _read_sql, cache, dataset_version
from dashboard.published.store import published_area, published_indicator, published_value, statistical_neighbour


@cache.memoize()
def _catalogue(version: int) -> pd.DataFrame:
    return _read_sql(select(published_indicator).order_by(published_indicator.c.source, published_indicator.c.name))


def catalogue() -> pd.DataFrame:
    """Published indicators that have been imported: code, name, unit, polarity, decimal places, source, period note."""
    return _catalogue(dataset_version("published")).copy()


@cache.memoize()
def _values(version: int, visibility: str, indicator: str) -> pd.DataFrame:
    v = published_value
    return _read_sql(select(v.c.period, v.c.area_code, v.c.area_name, v.c.area_level, v.c.dfe_code, v.c.value, v.c.marker)
                     .where(v.c.indicator == indicator).order_by(v.c.period, v.c.area_code))


def indicator_values(indicator: str, scope: AccessScope) -> pd.DataFrame:
    """Every area's published value (or marker) for one indicator, all periods."""
    frame = _values(dataset_version("published"), SHARED, indicator).copy()
    frame["value"] = frame["value"].astype("float64")
    return frame


@cache.memoize()
def _neighbours(version: int) -> pd.DataFrame:
    sn, area = statistical_neighbour, published_area
    return _read_sql(select(sn.c.dfe_code, sn.c.rank, sn.c.neighbour_dfe_code, sn.c.closeness,
                            area.c.ons_code.label("neighbour_code"), area.c.name.label("neighbour_name"))
                     .join(area, area.c.dfe_code == sn.c.neighbour_dfe_code, isouter=True).order_by(sn.c.dfe_code, sn.c.rank))


def statistical_neighbours(dfe_code: str) -> pd.DataFrame:
    """The LA's DfE statistical neighbours in rank order, with ONS codes where a file has told us them."""
    frame = _neighbours(dataset_version("published"))
    return frame[frame["dfe_code"] == str(dfe_code)].reset_index(drop=True)
