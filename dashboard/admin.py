"""The admin area's logic: access requests, users and roles, the audit log, sub-regions.

Every function takes the signed-in user and checks their role (and LA) again here, whatever the
page showed: a crafted callback gets the same answer as the page.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select, update

from dashboard.auth import mfa, registration
from dashboard.auth.passwords import generate_password
from dashboard.auth.registration import AccessDenied
from dashboard.auth.roles import ADMIN, describe_roles, primary_role
from dashboard.auth.users import audit, list_users, normalise_email, record_event, set_active, set_password, set_roles
from dashboard.components.callback_values import InvalidChoice
from dashboard.loader import local_authorities
from dashboard.store import get_engine, schema
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction


def require_admin(user) -> None:
    if user.role != ADMIN:
        audit(get_engine(), actor=user.email, event="refused", detail="admin function")
        raise AccessDenied("only administrators can do this")


def requests_table(user) -> pd.DataFrame:
    table = registration.pending_requests(get_engine(), user)
    table["created_at"] = pd.to_datetime(table["created_at"]).dt.strftime("%d %b %Y %H:%M")
    return table


def decide_request(user, request_id: int, approve: bool, note: str = "") -> str:
    # The choice's value is a request's number as the page offered it; anything else (text, a fraction, a number
    # past the store's integers, which PostgreSQL refuses with an error) was never offered.
    if type(request_id) is not int or not 0 < request_id < 2**31:
        raise InvalidChoice(f"{str(request_id)[:40]!r} is not an access request's number")
    registration.decide(get_engine(), request_id, approve, user, note)
    return "Approved: the person can now set their password from their request link." if approve else "Refused."


def users_table(user) -> pd.DataFrame:
    require_admin(user)
    table = list_users(get_engine())
    enrolled = mfa.enrolled_user_ids(get_engine())
    table["two_step"] = [("set up" if i in enrolled else "required, not set up" if mfa.required_for(primary_role(roles))
                          else "not set up") for i, roles in zip(table.pop("id"), table["role"])]
    table["role"] = table["role"].map(describe_roles)
    for column in ("created_at", "last_login_at"):
        table[column] = pd.to_datetime(table[column]).dt.strftime("%d %b %Y %H:%M").fillna("never")
    table["is_active"] = table["is_active"].map({True: "active", False: "disabled"})
    return table


def change_roles(user, email: str, roles: str | list[str]) -> str:
    """Give an account one or more roles (a commissioner who also uploads holds both)."""
    require_admin(user)
    if normalise_email(email) == user.email:
        raise ValueError("You cannot change your own roles: ask another administrator.")
    chosen = set_roles(get_engine(), email, roles, actor=user.email)
    return f"{email} is now {describe_roles(chosen)}."


def set_account_active(user, email: str, active: bool) -> str:
    require_admin(user)
    if email == user.email and not active:
        raise ValueError("you cannot disable your own account")
    set_active(get_engine(), email, active, actor=user.email)
    return f"{email} is {'enabled' if active else 'disabled; their sessions have ended'}."


def reset_password(user, email: str) -> str:
    """A new random password, shown once to the admin to pass on; the account's sessions end."""
    require_admin(user)
    password = generate_password()
    set_password(get_engine(), email, password, actor=user.email)
    return password


def reset_two_step(user, email: str) -> str:
    """An administrator's re-enrolment of another account's two-step sign-in (a lost or replaced phone): audited, and
    the account's sessions end; the person sets it up again at their next sign-in."""
    require_admin(user)
    if normalise_email(email) == user.email:
        raise ValueError("You cannot reset your own two-step sign-in: ask another administrator.")
    mfa.reset(get_engine(), email, actor=user.email)
    return f"Two-step sign-in reset for {normalise_email(email)}: their sessions have ended and they set it up again at their next sign-in."


def audit_table(user, limit: int = 1000) -> pd.DataFrame:
    require_admin(user)
    a = schema.audit_event
    with get_engine().connect() as conn:
        table = pd.read_sql(select(a.c.at, a.c.actor, a.c.ip, a.c.event, a.c.detail).order_by(a.c.id.desc()).limit(limit), conn)
    table["at"] = pd.to_datetime(table["at"]).dt.strftime("%d %b %Y %H:%M:%S")
    return table


def subregions(user) -> tuple[pd.DataFrame, list[dict]]:
    require_admin(user)
    las = local_authorities()[["la_code", "la_name", "inner_outer", "subregion_name"]]
    with get_engine().connect() as conn:
        options = pd.read_sql(select(schema.subregion).order_by(schema.subregion.c.sort_order), conn)
    return las, options.to_dict("records")


def move_la(user, la_code: str, subregion_name: str) -> str:
    """Put an LA in another sub-region; the reference version moves on, so every page shows it at once."""
    require_admin(user)
    engine = get_engine()
    with write_transaction(engine, "reference") as conn:
        code = conn.execute(select(schema.subregion.c.code).where(schema.subregion.c.name == subregion_name)).scalar()
        if code is None:
            raise ValueError(f"no sub-region called {subregion_name!r}")
        changed = conn.execute(update(schema.local_authority).where(schema.local_authority.c.ons_code == la_code)
                               .values(subregion_code=code)).rowcount
        if not changed:
            raise ValueError(f"no LA with code {la_code!r}")
        bump_version(conn, "reference")
        record_event(conn, actor=user.email, event="reference_changed", detail=f"{la_code} -> {code}")
    return f"Moved to {subregion_name}."


# The indicator catalogue: what an administrator may change, and the rule each change must meet.
INDICATOR_FIELDS = {
    "name": ("Name", lambda v: 0 < len(v) <= 160, "a name of 1 to 160 characters"),
    "theme": ("Theme", lambda v: 0 < len(v) <= 64, "a theme of 1 to 64 characters"),
    "unit": ("Unit", lambda v: 0 < len(v) <= 64, "a unit of 1 to 64 characters"),
    "decimal_places": ("Decimal places", lambda v: v.isdigit() and 0 <= int(v) <= 4, "a whole number from 0 to 4"),
    "polarity": ("Polarity", lambda v: v in ("higher", "lower", "neither"), "higher, lower or neither"),
    "definition": ("Definition", lambda v: 0 < len(v) <= 2000, "a definition of 1 to 2,000 characters"),
    "source": ("Source", lambda v: 0 < len(v) <= 500, "a source of 1 to 500 characters"),
}


def indicators(user) -> pd.DataFrame:
    require_admin(user)
    with get_engine().connect() as conn:
        return pd.read_sql(select(schema.indicator).order_by(schema.indicator.c.sort_order), conn)


def edit_indicator(user, code: str, field: str, value) -> str:
    """Change one field of one indicator; the reference version moves on, so every page uses it at once."""
    require_admin(user)
    if field not in INDICATOR_FIELDS:
        raise ValueError(f"{field!r} cannot be changed here")
    label, valid, rule = INDICATOR_FIELDS[field]
    text = "" if value is None else str(value).strip()
    if not valid(text):
        raise ValueError(f"{label} must be {rule}; nothing was changed.")
    engine = get_engine()
    with write_transaction(engine, "reference") as conn:
        changed = conn.execute(update(schema.indicator).where(schema.indicator.c.code == code)
                               .values(**{field: int(text) if field == "decimal_places" else text})).rowcount
        if not changed:
            raise ValueError(f"no indicator with code {code!r}")
        bump_version(conn, "reference")
        record_event(conn, actor=user.email, event="reference_changed", detail=f"indicator {code} {field} = {text[:200]}")
    return f"{code}: {label.lower()} saved."
