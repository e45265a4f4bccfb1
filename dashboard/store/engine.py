"""One engine per process, built from the settings."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event

from dashboard.config import settings_from_env
from dashboard.store import schema
from dashboard.store.private_files import private_sqlite

_engine: Engine | None = None
_engine_url: str | None = None


def _sqlite_pragmas(dbapi_conn, _record):
    dbapi_conn.isolation_level = None       # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")   # readers in other workers are not blocked by a load
    cur.close()


def _sqlite_begin(conn):
    # A write transaction takes SQLite's write lock at BEGIN, so two loads queue instead of interleaving.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write_lock") else "BEGIN")


def sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30})
    # Password hashes and child-level rows: the file is made owner-only before SQLite creates or opens it.
    event.listen(engine, "do_connect", lambda *_args: private_sqlite(url))
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The process's engine: for `url` if given, else the one the app was built with (or DATABASE_URL)."""
    global _engine, _engine_url
    if url is None:
        if _engine is not None:
            return _engine
        url = settings_from_env().database_url
    if _engine is None or _engine_url != url:
        if _engine is not None:
            _engine.dispose()
        if url.startswith("sqlite"):
            _engine = sqlite_engine(url)
        else:
            _engine = create_engine(url, pool_pre_ping=True)
        _engine_url = url
    return _engine


def reset_engine() -> None:
    global _engine, _engine_url
    if _engine is not None:
        _engine.dispose()
    _engine, _engine_url = None, None


@contextmanager
def write_transaction(engine: Engine, dataset: str):
    """One all-or-nothing write to `dataset`, serialised against every other write to it.

    SQLite: BEGIN IMMEDIATE takes the database's write lock first. PostgreSQL: the dataset's row in
    `dataset` is locked FOR UPDATE first. Either way a second writer waits, then sees the first's result.
    """
    from sqlalchemy import insert, select

    with engine.connect() as conn:
        conn.info["write_lock"] = True
        try:
            with conn.begin():
                ds = schema.dataset
                if conn.execute(select(ds.c.name).where(ds.c.name == dataset).with_for_update()).first() is None:
                    conn.execute(insert(ds).values(name=dataset, version=0, is_demo=False))
                    conn.execute(select(ds.c.name).where(ds.c.name == dataset).with_for_update())
                yield conn
        finally:
            conn.info.pop("write_lock", None)
