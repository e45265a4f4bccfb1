"""The import side of a dashboard of published measures: its route for `import-published` (LAIT's long table,
recognised by its columns), the write that replaces its figures in one transaction, and its rows for the export."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, Table, delete, insert

from dashboard.area_measures.spec import ENGLAND, INNER, LAIT_SOURCE, LONDON, OUTER, Measure
from dashboard.published.formats import MARKERS, lait_rows
from dashboard.published.page_figures import long_figures, read_table
from dashboard.published.routes import Route, is_london
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction

LAIT_COLUMNS = frozenset({"Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number"})
AREA_CODES = {ENGLAND: "E92000001", LONDON: "E12000007", INNER: "E13000001", OUTER: "E13000002"}


def read_lait_measures(path: Path, measures: tuple[Measure, ...], dfe_to_ons: dict[str, str]) -> pd.DataFrame:
    """The measures' rows of LAIT's long table (every area the file has, so neighbours outside London match when the
    national file is imported). A year that is not a year, or a cell that is neither a number nor a published marker,
    refuses the file, naming file, row and column."""
    file = Path(path).name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = LAIT_COLUMNS - set(frame.columns)
    if missing:
        raise ValueError(f"{file}: no column {', '.join(sorted(missing))}")
    rows = lait_rows(frame, [m.code for m in measures])
    bad_year = ~rows["period"].str.match(r"^\d{4}")
    if bad_year.any():
        r = rows[bad_year].iloc[0]
        raise ValueError(f"{file}, row {r['row']}, column 'Years': {r['period']!r} is not a year")
    bad_cell = rows["value"].isna() & ~rows["marker"].isin(MARKERS)
    if bad_cell.any():
        r = rows[bad_cell].iloc[0]
        raise ValueError(f"{file}, row {r['row']}, column 'Values': {r['marker']!r} is neither a number nor a published "
                         f"marker ({', '.join(MARKERS)})")
    latest = rows["period"].str[:4].max() if len(rows) else "none"
    rows["area_code"] = rows["dfe_code"].map({**AREA_CODES, **dfe_to_ons}).fillna("")
    rows["source"] = f"{LAIT_SOURCE}, release with figures to {latest} ({file})"[:200]
    rows["value"] = rows["value"].astype(object).where(rows["value"].notna(), None)
    rows["marker"] = rows["marker"].where(rows["value"].isna(), None)
    return rows.drop(columns="row").drop_duplicates(["measure", "period", "dfe_code"], keep="first")


def replace_figures(engine: Engine, table: Table, dataset: str, rows: pd.DataFrame) -> int:
    """The dashboard's figures replaced by these, in one transaction that bumps its version."""
    with write_transaction(engine, dataset) as conn:
        conn.execute(delete(table))
        if len(rows):
            records = rows.to_dict("records")
            for start in range(0, len(records), 5000):
                conn.execute(insert(table), records[start:start + 5000])
        return bump_version(conn, dataset, is_demo=False)


def clear_figures(engine: Engine, table: Table, dataset: str) -> int:
    """No figures until LAIT is imported (these pages have no demo data: they say what to import instead)."""
    return replace_figures(engine, table, dataset, pd.DataFrame())


def summarise(rows: pd.DataFrame) -> tuple[int, int, Counter]:
    return len(rows), int(rows["area_code"].map(is_london).sum()), Counter(rows["marker"].dropna())


def lait_route(name: str, page: str, description: str, dataset: str, table: Table,
               measures: tuple[Measure, ...]) -> Route:
    return Route(name, page, description, dataset, LAIT_COLUMNS,
                 lambda path, context: read_lait_measures(path, measures, context["dfe_to_ons"]),
                 lambda engine, rows, _context: replace_figures(engine, table, dataset, rows), summarise)


def export_rows(engine: Engine, table: Table, prefix: str) -> pd.DataFrame:
    """The figures as the export's long rows (source, indicator, period, la_code, la_name, value, marker): London's
    areas only (the export is London's), markers kept."""
    values = read_table(engine, table)
    values = values[values["area_code"].map(is_london)]
    frame = pd.DataFrame({"source": values["source"], "indicator": prefix + values["measure"], "period": values["period"],
                          "la_code": values["area_code"], "la_name": values["area_name"], "figure": values["value"],
                          "marker": values["marker"]})
    return long_figures(frame, {"figure": ""}, {"figure": "marker"})
