"""Sign-in rate limits, per account and per network address, without permanent lock-out.

Failed sign-ins are already written to the audit log in the store, which every worker and host
shares, so the limits count those rows: no separate counter to keep in step. A blocked attempt is
logged as `sign_in_throttled` and does not count as a failure, so the block always ends when the
window has passed.

Checking and counting are one step (`reserve_attempt`): under a lock per account and per address (SQLite: the
database's write lock; PostgreSQL: transaction-scoped advisory locks), the attempt is counted as failed before the
password or code is checked, and turned into a success afterwards if it was right. So 30 guesses sent at once get
5 checked, not as many as arrive before the first failure is written.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, func, insert, select, text, update

from dashboard.store import schema


def _failures(conn, column, value, since) -> tuple[int, datetime | None]:
    a = schema.audit_event
    row = conn.execute(select(func.count(), func.min(a.c.at))
                       .where(column == value, a.c.event == "sign_in_failed", a.c.at >= since)).first()
    return row[0], row[1]


def _wait(conn, email, ip, window_minutes, per_account, per_address, now) -> int:
    """Minutes to wait before another attempt (0 = go ahead)."""
    window = timedelta(minutes=window_minutes)
    since = now - window
    wait = timedelta(0)
    checks = [(schema.audit_event.c.actor, email, per_account)]
    if ip:
        checks.append((schema.audit_event.c.ip, ip, per_address))
    for column, value, limit in checks:
        count, oldest = _failures(conn, column, value, since)
        if count >= limit and oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=timezone.utc)
            wait = max(wait, oldest + window - now)
    return int(-(-wait.total_seconds() // 60)) if wait > timedelta(0) else 0


def reserve_attempt(engine: Engine, email: str, ip: str | None, *, window_minutes: int, per_account: int,
                    per_address: int, detail: str = "") -> tuple[int, int | None]:
    """(minutes to wait, None) when over a limit; else (0, the id of the attempt, counted as failed until
    `attempt_succeeded` says otherwise)."""
    a = schema.audit_event
    with engine.connect() as conn:
        conn.info["write_lock"] = True            # SQLite: BEGIN IMMEDIATE, one writer at a time
        try:
            with conn.begin():
                if conn.dialect.name == "postgresql":   # always account, then address: no two requests wait on each other
                    for key in (f"sign-in:{email}", f"sign-in-ip:{ip or ''}"):
                        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
                wait = _wait(conn, email, ip, window_minutes, per_account, per_address, datetime.now(timezone.utc))
                if wait:
                    return wait, None
                attempt = conn.execute(insert(a).values(actor=email, ip=ip, event="sign_in_failed", detail=detail,
                                                        at=datetime.now(timezone.utc)).returning(a.c.id)).scalar_one()
        finally:
            conn.info.pop("write_lock", None)
    return 0, attempt


def attempt_succeeded(engine: Engine, attempt: int, event: str, detail: str = "") -> None:
    a = schema.audit_event
    with engine.begin() as conn:
        conn.execute(update(a).where(a.c.id == attempt).values(event=event, detail=detail))
