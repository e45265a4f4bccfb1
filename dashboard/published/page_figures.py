"""The pages' own published figures (SEND, Leadership in Colour, Suspensions, Sufficiency) as long rows with the
export's columns: source, indicator, period, la_code, la_name, value, marker.

A figure the publisher did not give keeps its marker (c, k, x, z, low, <10%), or "not published" where the
page's table keeps only that it is missing; never 0. Demo rows are never exported. A joint return keeps its
joint code ("E09000021 / E09000027") and says so in its name.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.dashboards import dataset_modules
from dashboard.published.formats import ENGLAND, INNER, LONDON, OUTER
from dashboard.store import schema

COLUMNS = ["source", "indicator", "period", "la_code", "la_name", "value", "marker"]
NOT_PUBLISHED = "not published"
AREA_NAMES = {ENGLAND: "England", LONDON: "London", INNER: "Inner London", OUTER: "Outer London"}
CLA_SOURCE = "DfE, Children looked after in England including adoptions: at 31 March by characteristics"
CSWW_ROLE_SOURCE = "DfE, Children's social work workforce: in post by role and ethnicity (30 September census)"
LINC_SOURCE = "ALDCS Leadership in Colour: ethnicity of London borough employees by pay band, December 2020"


def read_table(engine: Engine, table) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(table), conn)


def _la_names(engine: Engine) -> dict[str, str]:
    la = schema.local_authority
    with engine.connect() as conn:
        return {**AREA_NAMES, **dict(conn.execute(select(la.c.ons_code, la.c.name)).all())}


def long_figures(frame: pd.DataFrame, value_columns: dict[str, str], marker_columns: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per value column: indicator = its label, marker = its marker column, else "not published" when empty."""
    parts = []
    for column, label in value_columns.items():
        part = frame[["source", "indicator", "period", "la_code", "la_name"]].copy()
        part["indicator"] = part["indicator"] + label
        part["value"] = frame[column].astype("float64")
        given = frame[marker_columns[column]] if marker_columns and column in marker_columns else pd.Series(None, index=frame.index)
        part["marker"] = given.where(part["value"].isna()).fillna(NOT_PUBLISHED).where(part["value"].isna(), None)
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def page_figures(engine: Engine) -> pd.DataFrame:
    names = _la_names(engine)
    parts = [module.published_figures(engine, names) for module in dataset_modules() if hasattr(module, "published_figures")]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)
