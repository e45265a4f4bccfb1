"""A table's rows written by column, not row by row: PostgreSQL's COPY (psycopg), the driver's own executemany on
SQLite. A DataFrame's columns are turned into the column types' plain values once per column (dates by their
distinct values), so a million rows cost a few seconds, where SQLAlchemy's insert builds a dict per row.

The same plain values are what a version keeps for restores (`columns`): dates as ISO text, numbers as numbers,
NULL as None, all JSON.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, Table, insert

COPY_ROWS = 100_000   # rows per COPY chunk: the text of a million rows is never held at once


def _iso(values: pd.Series, time: bool) -> list:
    """Dates (datetime64, date objects or ISO text) -> 'YYYY-MM-DD' (or with the time), None for none; each distinct
    value formatted once (a return's million dates fall on a few thousand days)."""
    stamps = values if values.dtype.kind == "M" else pd.to_datetime(values, errors="coerce", format="ISO8601")
    positions, distinct = pd.factorize(stamps)
    text = pd.DatetimeIndex(distinct).strftime("%Y-%m-%d %H:%M:%S.%f" if time else "%Y-%m-%d")
    return np.append(np.asarray(text, dtype=object), None)[positions].tolist()


def _numbers(values: pd.Series, whole: bool) -> list:
    numeric = pd.to_numeric(values, errors="coerce")
    present = numeric.notna().to_numpy()
    out = np.full(len(numeric), None, dtype=object)
    cast = numeric.to_numpy(dtype=float, na_value=np.nan)[present]
    out[present] = (cast.astype(np.int64) if whole else cast).tolist()
    return out.tolist()


def _flags(values: pd.Series) -> list:
    present = values.notna().to_numpy()
    out = np.full(len(values), None, dtype=object)
    out[present] = values.to_numpy(dtype=object)[present].astype(bool).tolist()
    return out.tolist()


def _texts(values: pd.Series) -> list:
    cells = values.astype(object).to_numpy()
    missing = pd.isna(cells)
    if missing.any():
        cells = cells.copy()
        cells[missing] = None
    return cells.tolist()


def columns(table: Table, frame: pd.DataFrame) -> dict[str, list]:
    """The frame's columns that the table has, as plain Python values of each column's type."""
    out = {}
    for column in table.columns:
        if column.name not in frame.columns:
            continue
        values, kind = frame[column.name], column.type
        if isinstance(kind, DateTime):
            out[column.name] = _iso(values, time=True)
        elif isinstance(kind, Date):
            out[column.name] = _iso(values, time=False)
        elif isinstance(kind, Boolean):
            out[column.name] = _flags(values)
        elif isinstance(kind, Integer):
            out[column.name] = _numbers(values, whole=True)
        elif isinstance(kind, (Float, Numeric)):
            out[column.name] = _numbers(values, whole=False)
        else:
            out[column.name] = _texts(values)
    return out


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy_column(values: list) -> list[str]:
    """A column's values as COPY's text, each distinct value written once (codes, dates and sectors repeat)."""
    positions, distinct = pd.factorize(pd.Series(values, dtype=object))   # None -> -1: the last, NULL
    return np.array([_copy_text(v) for v in distinct] + ["\\N"], dtype=object)[positions].tolist()


def _copy(conn, table: Table, values: dict[str, list]) -> None:
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in values)}) FROM STDIN"
    cells = [_copy_column(column) for column in values.values()]
    rows = len(cells[0])
    cursor = conn.connection.cursor()
    with cursor.copy(sql) as copy:
        for start in range(0, rows, COPY_ROWS):
            lines = map("\t".join, zip(*(column[start:start + COPY_ROWS] for column in cells)))
            copy.write(("\n".join(lines) + "\n").encode())


def insert_columns(conn, table: Table, values: dict[str, list]) -> None:
    """Insert rows given as columns of plain values (see `columns`) in the connection's transaction."""
    if not values or not len(next(iter(values.values()))):
        return
    dialect = conn.dialect.name
    if dialect == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, table, values)
    elif dialect == "sqlite":
        quote = conn.dialect.identifier_preparer.quote
        sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in values)}) "
               f"VALUES ({', '.join('?' for _ in values)})")
        conn.connection.cursor().executemany(sql, zip(*values.values()))
    else:   # any other store: SQLAlchemy's own executemany (slower, but the same rows)
        names = list(values)
        conn.execute(insert(table), [dict(zip(names, row)) for row in zip(*values.values())])
