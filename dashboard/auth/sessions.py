"""Server-side sessions: the signed cookie holds only a random session id, checked on every request.

Signing out (or an admin disabling the account) ends the session in the store, so a copied cookie
stops working. Sessions also end after `session_idle_minutes` without a request and
`session_max_hours` after sign-in.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, insert, select, update

from dashboard.store import schema

# last_seen_at is written at most this often per session, and at most every tenth of the idle time-out, so a
# session in use is never ended early by more than a tenth of it (a one-minute time-out: written every 6 s).
TOUCH_EVERY = timedelta(minutes=1)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    # SQLite gives naive datetimes back; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def start_session(engine: Engine, user_id: int, ip: str | None) -> str:
    session_id = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(insert(schema.user_session).values(id=session_id, user_id=user_id, created_at=now,
                                                        last_seen_at=now, ip=ip))
    return session_id


def session_is_live(engine: Engine, session_id: str | None, user_id: int, *, idle: timedelta, absolute: timedelta,
                    now: datetime | None = None) -> bool:
    """True if the session exists, belongs to the user, has not ended and has not timed out; keeps it alive."""
    if not session_id:
        return False
    now = now or _now()
    s = schema.user_session
    with engine.connect() as conn:
        row = conn.execute(select(s).where(s.c.id == session_id)).first()
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return False
    last_seen, created = _aware(row.last_seen_at), _aware(row.created_at)
    expired = now - last_seen > idle or now - created > absolute
    if not expired and now - last_seen <= min(TOUCH_EVERY, idle / 10):
        return True
    # The write gets a transaction of its own that takes SQLite's write lock first (and waits for it): a read
    # transaction upgraded to a write fails at once with "database is locked" when a concurrent request wrote first.
    with engine.connect() as conn:
        conn.info["write_lock"] = True
        try:
            with conn.begin():
                conn.execute(update(s).where(s.c.id == session_id).values(**({"ended_at": now} if expired else {"last_seen_at": now})))
        finally:
            conn.info.pop("write_lock", None)
    return not expired


def end_session(engine: Engine, session_id: str | None) -> None:
    if session_id:
        with engine.begin() as conn:
            conn.execute(update(schema.user_session).where(schema.user_session.c.id == session_id,
                                                            schema.user_session.c.ended_at.is_(None)).values(ended_at=_now()))


def end_all_sessions(engine: Engine, user_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(schema.user_session).where(schema.user_session.c.user_id == user_id,
                                                        schema.user_session.c.ended_at.is_(None)).values(ended_at=_now()))
