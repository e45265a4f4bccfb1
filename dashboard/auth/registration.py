"""Asking for access: a person asks, an admin (or their LA's approver) decides, the person is told.

The person keeps a private link (a random token; the store keeps only its sha256). The link shows
the decision and, once approved, lets them set their password once. No access before approval.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from dashboard.auth.roles import ADMIN, APPROVER, MEMBER
from dashboard.auth.users import audit, create_user, normalise_email, record_event
from dashboard.store import schema

FIELD_LIMITS = {"name": 128, "email": 254, "la_code": 9, "authoriser_name": 128, "authoriser_email": 254, "reason": 2000}
REQUESTS_PER_ADDRESS_PER_HOUR = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccessDenied(PermissionError):
    """The signed-in user may not do this (wrong role or another LA)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AccessRequestForm:
    name: str
    email: str
    la_code: str
    authoriser_name: str
    authoriser_email: str
    reason: str = ""

    def problems(self, la_codes: set[str]) -> dict[str, str]:
        """Field -> plain-English problem; empty when the form is fine."""
        found = {}
        if not self.name.strip():
            found["name"] = "Enter your name."
        if not EMAIL_PATTERN.match(self.email.strip()):
            found["email"] = "Enter your work email address, like name@council.gov.uk."
        if self.la_code not in la_codes:
            found["la_code"] = "Choose your local authority."
        if not self.authoriser_name.strip():
            found["authoriser_name"] = "Enter the name of the DCS or senior leader who nominated you."
        if not EMAIL_PATTERN.match(self.authoriser_email.strip()):
            found["authoriser_email"] = "Enter their work email address."
        elif normalise_email(self.authoriser_email) == normalise_email(self.email):
            found["authoriser_email"] = "Someone else must authorise your access."
        for field, limit in FIELD_LIMITS.items():   # the store's column sizes: longer would be a 500 on PostgreSQL
            if len(getattr(self, field)) > limit:
                found[field] = f"Use {limit:,} characters or fewer."
        return found


def requests_from_address(engine: Engine, ip: str | None, now: datetime | None = None) -> int:
    """Access requests sent from this network address in the last hour (the audit log counts them)."""
    if not ip:
        return 0
    a = schema.audit_event
    since = (now or datetime.now(timezone.utc)) - timedelta(hours=1)
    with engine.connect() as conn:
        return conn.execute(select(func.count()).where(a.c.event == "access_requested", a.c.ip == ip,
                                                       a.c.at >= since)).scalar_one()


def request_access(engine: Engine, form: AccessRequestForm, ip: str | None = None) -> str:
    """Store a pending request; return the private token for the person's status link."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(insert(schema.access_request).values(
            name=form.name.strip(), email=normalise_email(form.email), la_code=form.la_code,
            authoriser_name=form.authoriser_name.strip(), authoriser_email=normalise_email(form.authoriser_email),
            reason=form.reason.strip(), status="pending", token_hash=_hash(token),
            created_at=datetime.now(timezone.utc)))
        record_event(conn, actor=normalise_email(form.email), event="access_requested", detail=f"la={form.la_code}", ip=ip)
    return token


def request_by_token(engine: Engine, token: str):
    with engine.connect() as conn:
        return conn.execute(select(schema.access_request).where(schema.access_request.c.token_hash == _hash(token))).first()


def may_decide(decider, la_code: str) -> bool:
    return decider.role == ADMIN or (APPROVER in decider.roles and decider.la_code == la_code)


def pending_requests(engine: Engine, decider) -> pd.DataFrame:
    """The requests this person may decide: all for an admin, their own LA's for an approver."""
    r = schema.access_request
    stmt = select(r.c.id, r.c.created_at, r.c.name, r.c.email, r.c.la_code, r.c.authoriser_name, r.c.authoriser_email,
                  r.c.reason, r.c.status).where(r.c.status == "pending").order_by(r.c.created_at)
    if decider.role != ADMIN:
        if APPROVER not in decider.roles:
            raise AccessDenied("only admins and approvers see access requests")
        stmt = stmt.where(r.c.la_code == decider.la_code)
    with engine.connect() as conn:
        return pd.read_sql(stmt, conn)


def decide(engine: Engine, request_id: int, approve: bool, decider, note: str = "") -> None:
    """Approve or refuse; checked again here, whatever the page showed. Refusals are logged."""
    r = schema.access_request
    with engine.connect() as conn:
        row = conn.execute(select(r).where(r.c.id == request_id)).first()
    if row is None or row.status != "pending":
        raise ValueError("that request is no longer waiting for a decision")
    if not may_decide(decider, row.la_code):
        audit(engine, actor=decider.email, event="refused", detail=f"decide request {request_id} for {row.la_code}")
        raise AccessDenied("you may only decide requests for your own LA")
    with engine.begin() as conn:
        # Only a still-pending request changes, so two deciders at once cannot both win.
        changed = conn.execute(update(r).where(r.c.id == request_id, r.c.status == "pending").values(
            status="approved" if approve else "refused", decided_by=decider.email,
            decided_at=datetime.now(timezone.utc), decision_note=note.strip()[:2000])).rowcount
        if not changed:
            raise ValueError("that request is no longer waiting for a decision")
        record_event(conn, actor=decider.email, event="access_approved" if approve else "access_refused", detail=row.email)


def complete_registration(engine: Engine, token: str, password: str) -> str:
    """Create the member's account from an approved request, once; return the email."""
    row = request_by_token(engine, token)
    if row is None or row.status != "approved":
        raise ValueError("this link is not for an approved request")
    if row.token_used_at is not None:
        raise ValueError("this link has been used already: sign in, or ask an admin to reset your password")
    create_user(engine, row.email, password, row.la_code, MEMBER, name=row.name)
    with engine.begin() as conn:
        conn.execute(update(schema.access_request).where(schema.access_request.c.id == row.id)
                     .values(token_used_at=datetime.now(timezone.utc)))
    return row.email
