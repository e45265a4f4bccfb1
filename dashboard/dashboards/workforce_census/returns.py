"""The workforce census dataset: DfE's children's social work workforce indicators file (Explore Education
Statistics, csww_indicators_*.csv), imported with `python -m dashboard import-published`, recognised by its columns.
No upload and no demo data: until the file is imported the page says what to import.

Rows are kept as published: England (970), London (986), Inner and Outer London (987, 988) and every LA by its DfE
number, the Kingston upon Thames / Richmond upon Thames joint return as its one joint row ("314 / 318"). An import
adds to what is held (a London cut after the national file keeps the neighbours outside London), each figure
replaced by the newer file's.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select, tuple_

from dashboard.area_measures.imports import clear_figures, export_rows, summarise
from dashboard.area_measures.spec import ENGLAND, INNER, LONDON, OUTER
from dashboard.dashboards.workforce_census.data import LABEL, NAME, workforce_census_value
from dashboard.dashboards.workforce_census.metrics import COLUMNS
from dashboard.published.formats import MARKERS, split_value
from dashboard.published.routes import Route
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction

__all__ = ["LABEL", "NAME", "load_demo", "published_routes", "published_figures", "read_indicators"]

SOURCE = "DfE, Children's social work workforce"
AREAS = {"E12000007": LONDON, "E13000001": INNER, "E13000002": OUTER}   # the regions the page compares with
REQUIRED = frozenset({"time_period", "geographic_level", "region_code", "old_la_code", "new_la_code", "la_name", *COLUMNS})


def read_indicators(path: Path) -> pd.DataFrame:
    """The file's England, London, Inner/Outer London and LA rows as measure, period, dfe_code, area_code, area_name,
    value, marker, source. A year that is not a year, or a cell that is neither a number nor a published marker,
    refuses the file, naming file, row and column."""
    file = Path(path).name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = REQUIRED - set(frame.columns)
    if missing:
        raise ValueError(f"{file}: no column {', '.join(sorted(missing))}")
    frame.index = frame.index + 2   # the file's line numbers, for errors
    level = frame["geographic_level"].str.strip()
    region = frame["region_code"].str.strip()
    national, regional, la = level == "National", (level == "Regional") & region.isin(AREAS), level == "Local authority"
    frame = frame[national | regional | la]
    bad_year = ~frame["time_period"].str.strip().str.fullmatch(r"\d{4}")
    if bad_year.any():
        row = frame.index[bad_year.to_numpy()][0]
        raise ValueError(f"{file}, row {row}, column 'time_period': {frame.loc[row, 'time_period']!r} is not a year")
    dfe = frame["old_la_code"].str.strip().where(level[frame.index] == "Local authority",
                                                 region[frame.index].map(AREAS).fillna(ENGLAND))
    code = frame["new_la_code"].str.strip().where(level[frame.index] == "Local authority",
                                                  region[frame.index].where(level[frame.index] == "Regional", "E92000001"))
    name = frame["la_name"].str.strip().where(level[frame.index] == "Local authority",
                                              frame["region_name"].str.strip().where(level[frame.index] == "Regional",
                                                                                     "England"))
    latest = frame["time_period"].str.strip().max() if len(frame) else "none"
    source = f"{SOURCE}, release with figures to {latest} ({file})"[:200]
    parts = []
    for column in COLUMNS:
        value, marker = split_value(frame[column])
        bad = value.isna() & ~marker.isin(MARKERS)
        if bad.any():
            row = frame.index[bad.to_numpy()][0]
            raise ValueError(f"{file}, row {row}, column '{column}': {frame.loc[row, column]!r} is neither a number nor "
                             f"a published marker ({', '.join(MARKERS)})")
        parts.append(pd.DataFrame({"measure": column, "period": frame["time_period"].str.strip(), "dfe_code": dfe,
                                   "area_code": code, "area_name": name,
                                   "value": value.astype(object).where(value.notna(), None),
                                   "marker": marker.astype(object).where(value.isna(), None), "source": source}))
    rows = pd.concat(parts, ignore_index=True)
    return rows.drop_duplicates(["measure", "period", "dfe_code"], keep="last")


def merge_figures(engine: Engine, rows: pd.DataFrame) -> int:
    """The file's figures in place of those held for the same measure, year and area, in one transaction that bumps
    the dataset's version; figures the file does not cover are kept."""
    table = workforce_census_value
    with write_transaction(engine, NAME) as conn:
        keys = list(rows[["measure", "period", "dfe_code"]].drop_duplicates().itertuples(index=False, name=None))
        held = {tuple(r) for r in conn.execute(select(table.c.measure, table.c.period, table.c.dfe_code))}
        replaced = [k for k in keys if k in held]
        for start in range(0, len(replaced), 500):
            conn.execute(delete(table).where(tuple_(table.c.measure, table.c.period, table.c.dfe_code)
                                             .in_(replaced[start:start + 500])))
        records = rows.to_dict("records")
        for start in range(0, len(records), 5000):
            conn.execute(insert(table), records[start:start + 5000])
        return bump_version(conn, NAME, is_demo=False)


def load_demo(engine: Engine, seed: int) -> int:
    """No demo figures: the dataset is emptied (the published import fills it again)."""
    return clear_figures(engine, workforce_census_value, NAME)


def published_routes() -> list[Route]:
    return [Route("workforce_census_csww", "Workforce census", "DfE children's social work workforce indicators: FTE, "
                  "agency, vacancies, turnover, absence, caseload, starters and leavers", NAME, REQUIRED,
                  lambda path, _context: read_indicators(path),
                  lambda engine, rows, _context: merge_figures(engine, rows), summarise)]


def published_figures(engine: Engine, _names: dict[str, str]) -> pd.DataFrame:
    return export_rows(engine, workforce_census_value, "workforce_census_")
