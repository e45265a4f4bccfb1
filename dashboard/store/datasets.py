"""Dataset versions and transactional writes.

Every write to a dataset happens in one transaction that also bumps the dataset's version, so a
reader sees either the old data with the old version or the new data with the new version.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Connection, Engine, select, update

from dashboard.store import schema

DATASETS = ("reference", "benchmarking")


def bump_version(conn: Connection, name: str, *, is_demo: bool | None = None) -> int:
    """Increment (or create) the dataset's version inside the caller's transaction; return the new version."""
    ds = schema.dataset
    row = conn.execute(select(ds.c.version, ds.c.is_demo).where(ds.c.name == name).with_for_update()).first()
    now = datetime.now(timezone.utc)
    if row is None:
        conn.execute(ds.insert().values(name=name, version=1, is_demo=bool(is_demo), updated_at=now))
        return 1
    values = {"version": row.version + 1, "updated_at": now}
    if is_demo is not None:
        values["is_demo"] = is_demo
    conn.execute(update(ds).where(ds.c.name == name).values(**values))
    return row.version + 1


def dataset_state(engine: Engine, name: str) -> dict:
    """{'version', 'is_demo', 'updated_at'}; version 0 for a dataset never loaded."""
    ds = schema.dataset
    with engine.connect() as conn:
        row = conn.execute(select(ds.c.version, ds.c.is_demo, ds.c.updated_at).where(ds.c.name == name)).first()
    if row is None:
        return {"version": 0, "is_demo": False, "updated_at": None}
    return {"version": row.version, "is_demo": row.is_demo, "updated_at": row.updated_at}
