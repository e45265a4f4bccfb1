"""The columnar loader (COPY on PostgreSQL, executemany on SQLite) stores what SQLAlchemy's own insert stores: every
type, NULLs, and text holding the characters COPY's format escapes."""
import gzip
import json
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table, create_engine, insert, select

from dashboard.ingest import bulk

ROWS = pd.DataFrame({
    "name": ["plain", "tab\there", "back\\slash", "line\nend", None, "\\N", ""],
    "day": pd.to_datetime(["2024-03-31", None, "2010-01-01", "2025-12-31", "2024-02-29", None, "1999-07-04"]),
    "flag": [True, False, None, True, False, True, False],
    "count": [1, 2, None, 4, 5, 6, 7],
    "miles": [0.1, np.nan, 12.5, 300.0, 0.0, 1.25, 2.0],
})


def _table(metadata, name):
    return Table(name, metadata, Column("id", Integer, primary_key=True, autoincrement=True), Column("name", String(24)),
                 Column("day", Date), Column("flag", Boolean), Column("count", Integer), Column("miles", Float))


def test_columns_written_by_the_loader_read_back_as_sqlalchemy_writes_them(database_url):
    engine = create_engine(database_url)
    metadata = MetaData()
    by_loader, by_sqlalchemy = _table(metadata, "test_bulk_loader"), _table(metadata, "test_bulk_sqlalchemy")
    metadata.drop_all(engine)
    metadata.create_all(engine)
    try:
        plain = bulk.columns(by_loader, ROWS)
        with engine.begin() as conn:
            bulk.insert_columns(conn, by_loader, plain)
            conn.execute(insert(by_sqlalchemy), [
                {"name": None if pd.isna(r.name) else r.name, "day": None if pd.isna(r.day) else r.day.date(), "flag": r.flag,
                 "count": None if pd.isna(r.count) else int(r.count), "miles": None if np.isnan(r.miles) else r.miles}
                for r in ROWS.itertuples()])
        with engine.connect() as conn:
            loaded = conn.execute(select(by_loader).order_by(by_loader.c.id)).all()
            expected = conn.execute(select(by_sqlalchemy).order_by(by_sqlalchemy.c.id)).all()
        assert loaded == expected
        assert loaded[1].name == "tab\there" and loaded[2].name == "back\\slash" and loaded[5].name == "\\N"
        assert loaded[4].name is None and loaded[6].name == ""
        assert loaded[0].day == date(2024, 3, 31) and loaded[1].day is None
        assert loaded[2].flag is None and loaded[1].miles is None and loaded[2].count is None
    finally:
        metadata.drop_all(engine)


def test_a_versions_kept_columns_and_those_kept_before_coding_load_the_same_rows(database_url):
    """A version keeps each column coded (its distinct values once, packed positions); a version kept before holds
    plain lists. Both, read back from the version's JSON, store exactly the rows the loader stored at first."""
    from dashboard.ingest import loading
    engine = create_engine(database_url)
    metadata = MetaData()
    table = _table(metadata, "test_bulk_restored")
    metadata.drop_all(engine)
    metadata.create_all(engine)
    coded = bulk.columns(table, ROWS)
    kept = json.loads(gzip.decompress(loading._pack({"t": {loading.COLUMNAR: coded}})))["t"][loading.COLUMNAR]
    assert all(isinstance(column, dict) for column in kept.values())
    before_coding = {name: column.plain() for name, column in coded.items()}
    try:
        stored = []
        for columns in (coded, kept, before_coding):
            with engine.begin() as conn:
                conn.execute(table.delete())
                bulk.insert_columns(conn, table, columns)
            with engine.connect() as conn:
                stored.append([tuple(row)[1:] for row in conn.execute(select(table).order_by(table.c.id)).all()])
        assert stored[0] == stored[1] == stored[2] and len(stored[0]) == len(ROWS)
        assert stored[0][3] == ("line\nend", date(2025, 12, 31), True, 4, 300.0) and stored[0][4][0] is None
    finally:
        metadata.drop_all(engine)
