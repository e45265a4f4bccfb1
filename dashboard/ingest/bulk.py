"""A table's rows written by column, not row by row: PostgreSQL's COPY (psycopg), the driver's own executemany on
SQLite. Each column is coded once (`Coded`: its distinct values as the column type's plain values, and each row's
position among them), so formatting, escaping and JSON are done per distinct value (a million rows hold a few
thousand dates and a few dozen codes), and a million rows cost a few seconds, where SQLAlchemy's insert builds a dict
per row.

The same coded columns are what a version keeps for restores (`stored`): the plain values (dates as ISO text, numbers
as numbers, NULL as None) and the positions as packed integers, all JSON. Versions kept before hold plain lists, which
load the same way.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, Table, insert

COPY_ROWS = 100_000   # rows per COPY chunk: the text of a million rows is never held at once


@dataclass(frozen=True)
class Coded:
    """A column as its distinct plain values (NULL as None) and each row's position among them."""
    values: list
    positions: np.ndarray

    @classmethod
    def of(cls, column) -> Coded:
        """From a column of plain values (a list, as versions kept before hold them)."""
        positions, distinct = pd.factorize(pd.Series(column, dtype=object))   # None -> -1: the last, NULL
        return cls(list(distinct) + [None], np.where(positions < 0, len(distinct), positions))

    def __len__(self) -> int:
        return len(self.positions)

    def plain(self) -> list:
        """One plain value per row."""
        return _objects(self.values)[self.positions].tolist()

    def stored(self) -> dict:
        """As JSON keeps it: the values, and the positions packed as little-endian integers of the smallest width."""
        width = next(t for t in ("<i1", "<i2", "<i4", "<i8") if len(self.values) <= np.iinfo(np.dtype(t)).max)
        return {"values": self.values, "type": width,
                "positions": base64.b64encode(self.positions.astype(width).tobytes()).decode()}

    @classmethod
    def from_stored(cls, kept) -> Coded:
        """What `stored` made, or a plain list (versions kept before coding)."""
        if isinstance(kept, Coded):
            return kept
        if not isinstance(kept, dict):
            return cls.of(kept)
        positions = np.frombuffer(base64.b64decode(kept["positions"]), dtype=np.dtype(kept["type"])).astype(np.intp)
        return cls(list(kept["values"]), positions)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _coded(values: pd.Series, plain) -> Coded:
    """Each distinct value (NA apart) turned into its plain value by `plain` once, NA as None."""
    positions, distinct = pd.factorize(values)   # NA -> -1
    made = plain(pd.Series(distinct)) if len(distinct) else []
    return Coded(list(made) + [None], np.where(positions < 0, len(distinct), positions).astype(np.intp))


def _iso(time: bool):
    def plain(stamps: pd.Series) -> list:
        """Dates (datetime64, date objects or ISO text) -> 'YYYY-MM-DD' (or with the time)."""
        stamps = stamps if stamps.dtype.kind == "M" else pd.to_datetime(stamps, errors="coerce", format="ISO8601")
        text = pd.DatetimeIndex(stamps).strftime("%Y-%m-%d %H:%M:%S.%f" if time else "%Y-%m-%d")
        return [None if pd.isna(t) else t for t in np.asarray(text, dtype=object).tolist()]
    return plain


def _numbers(whole: bool):
    def plain(values: pd.Series) -> list:
        numeric = pd.to_numeric(values, errors="coerce")
        present = numeric.notna().to_numpy()
        out = np.full(len(numeric), None, dtype=object)
        cast = numeric.to_numpy(dtype=float, na_value=np.nan)[present]
        out[present] = (cast.astype(np.int64) if whole else cast).tolist()
        return out.tolist()
    return plain


def _flags(values: pd.Series) -> list:
    return [bool(v) for v in values.to_numpy(dtype=object).tolist()]


def _texts(values: pd.Series) -> list:
    return values.astype(object).to_numpy().tolist()


def columns(table: Table, frame: pd.DataFrame) -> dict[str, Coded]:
    """The frame's columns that the table has, coded, as plain Python values of each column's type."""
    out = {}
    for column in table.columns:
        if column.name not in frame.columns:
            continue
        values, kind = frame[column.name], column.type
        if isinstance(kind, DateTime):
            plain = _iso(time=True)
        elif isinstance(kind, Date):
            plain = _iso(time=False)
        elif isinstance(kind, Boolean):
            plain = _flags
        elif isinstance(kind, Integer):
            plain = _numbers(whole=True)
        elif isinstance(kind, (Float, Numeric)):
            plain = _numbers(whole=False)
        else:
            plain = _texts
        out[column.name] = _coded(values, plain)
    return out


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_column(column: Coded) -> list[str]:
    """A column's values as COPY's text, each distinct value written once; escaped only if any needs it."""
    texts = [None if v is None else v if type(v) is str else ("t" if v else "f") if v is True or v is False else str(v)
             for v in column.values]
    written = "".join(t for t in texts if t is not None)
    if any(c in written for c in "\\\t\n\r"):
        texts = [None if t is None else _escaped(t) for t in texts]
    return _objects(["\\N" if t is None else t for t in texts])[column.positions].tolist()


def _copy(conn, table: Table, values: dict[str, Coded]) -> None:
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in values)}) FROM STDIN"
    cells = [_copy_column(column) for column in values.values()]
    rows = len(cells[0])
    cursor = conn.connection.cursor()
    with cursor.copy(sql) as copy:
        for start in range(0, rows, COPY_ROWS):
            lines = map("\t".join, zip(*(column[start:start + COPY_ROWS] for column in cells)))
            copy.write(("\n".join(lines) + "\n").encode())


def insert_columns(conn, table: Table, values: dict) -> None:
    """Insert rows given as columns (`Coded`, or lists of plain values as versions kept before hold them) in the
    connection's transaction."""
    values = {name: Coded.from_stored(column) for name, column in values.items()}
    if not values or not len(next(iter(values.values()))):
        return
    dialect = conn.dialect.name
    if dialect == "postgresql" and conn.dialect.driver == "psycopg":
        _copy(conn, table, values)
        return
    plain = [column.plain() for column in values.values()]
    if dialect == "sqlite":
        quote = conn.dialect.identifier_preparer.quote
        sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in values)}) "
               f"VALUES ({', '.join('?' for _ in values)})")
        conn.connection.cursor().executemany(sql, zip(*plain))
    else:   # any other store: SQLAlchemy's own executemany (slower, but the same rows)
        names = list(values)
        conn.execute(insert(table), [dict(zip(names, row)) for row in zip(*plain)])
