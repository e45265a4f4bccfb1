"""Cached readers of published statistics (public data: every signed-in scope may read them)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from dashboard.loader import AccessScope, cached_read, kept_in_process, _read_sql
from dashboard.published.tables import published_area, published_indicator, published_value, statistical_neighbour

NAME = "published"


@cached_read(NAME)
def catalogue() -> pd.DataFrame:
    """Published indicators that have been imported: code, name, unit, polarity, decimal places, source, period note."""
    return _read_sql(select(published_indicator).order_by(published_indicator.c.source, published_indicator.c.name))


@kept_in_process(NAME)
@cached_read(NAME)
def indicator_values(indicator: str, scope: AccessScope) -> pd.DataFrame:
    """Every area's published value (or marker) for one indicator, all periods."""
    v = published_value
    frame = _read_sql(select(v.c.period, v.c.area_code, v.c.area_name, v.c.area_level, v.c.dfe_code, v.c.value, v.c.marker)
                      .where(v.c.indicator == indicator).order_by(v.c.period, v.c.area_code))
    frame["value"] = frame["value"].astype("float64")
    return frame


@kept_in_process(NAME)
@cached_read(NAME)
def _neighbours() -> pd.DataFrame:
    sn, area = statistical_neighbour, published_area
    return _read_sql(select(sn.c.dfe_code, sn.c.rank, sn.c.neighbour_dfe_code, sn.c.closeness,
                            area.c.ons_code.label("neighbour_code"), area.c.name.label("neighbour_name"))
                     .join(area, area.c.dfe_code == sn.c.neighbour_dfe_code, isouter=True).order_by(sn.c.dfe_code, sn.c.rank))


def statistical_neighbours(dfe_code: str) -> pd.DataFrame:
    """The LA's DfE statistical neighbours in rank order, with ONS codes where a file has told us them."""
    frame = _neighbours()   # every LA's, read once per version: each LA's own is a few rows of it
    return frame[frame["dfe_code"] == str(dfe_code)].reset_index(drop=True)
