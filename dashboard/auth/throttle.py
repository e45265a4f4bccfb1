"""Sign-in rate limits, per account and per network address, without permanent lock-out.

Failed sign-ins are already written to the audit log in the store, which every worker and host
shares, so the limits count those rows: no separate counter to keep in step. A blocked attempt is
logged as `sign_in_throttled` and does not count as a failure, so the block always ends when the
window has passed.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, func, select

from dashboard.store import schema


def _failures(conn, column, value, since) -> tuple[int, datetime | None]:
    a = schema.audit_event
    row = conn.execute(select(func.count(), func.min(a.c.at))
                       .where(column == value, a.c.event == "sign_in_failed", a.c.at >= since)).first()
    return row[0], row[1]


def sign_in_wait(engine: Engine, email: str, ip: str | None, *, window_minutes: int, per_account: int,
                 per_address: int, now: datetime | None = None) -> int:
    """Minutes to wait before another attempt (0 = go ahead)."""
    now = now or datetime.now(timezone.utc)
    window = timedelta(minutes=window_minutes)
    since = now - window
    wait = timedelta(0)
    with engine.connect() as conn:
        checks = [(schema.audit_event.c.actor, email, per_account)]
        if ip:
            checks.append((schema.audit_event.c.ip, ip, per_address))
        for column, value, limit in checks:
            count, oldest = _failures(conn, column, value, since)
            if count >= limit and oldest is not None:
                oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=timezone.utc)
                wait = max(wait, oldest + window - now)
    return int(-(-wait.total_seconds() // 60)) if wait > timedelta(0) else 0
