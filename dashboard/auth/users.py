"""Accounts in the store, and the signed-in user object flask-login keeps."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import Engine, func, insert, select, update

from dashboard.auth.passwords import DUMMY_HASH, hash_password, verify_password
from dashboard.auth.roles import ADMIN, check_roles, describe_roles, primary_role, roles_of, stored_roles
from dashboard.auth.sessions import end_all_sessions
from dashboard.store import schema


@dataclass(frozen=True)
class User(UserMixin):
    id: int
    email: str
    name: str
    la_code: str
    role: str                           # the most privileged of its roles: what the account may read follows it
    active: bool = True
    roles: frozenset[str] = frozenset()   # every role it holds (the pages it opens, what it may do); default {role}

    def __post_init__(self):
        if not self.roles:
            object.__setattr__(self, "roles", frozenset({self.role}))

    def has_role(self, role: str) -> bool:
        """Does the account hold this role (an administrator holds every role)?"""
        return ADMIN in self.roles or role in self.roles

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active


def _user_from_row(row) -> User:
    return User(id=row.id, email=row.email, name=row.name, la_code=row.la_code, role=primary_role(row.role),
                roles=roles_of(row.role), active=row.is_active)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(engine: Engine, email: str, password: str, la_code: str, role: str | list[str], name: str = "") -> User:
    """`role`: one role, several comma-separated, or a list of them."""
    email = normalise_email(email)
    roles = check_roles(role)
    with engine.begin() as conn:
        if conn.execute(select(schema.local_authority.c.ons_code).where(schema.local_authority.c.ons_code == la_code)).first() is None:
            raise ValueError(f"unknown LA code {la_code!r}: use an ONS code E09000001-E09000033")
        if conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email)).first() is not None:
            raise ValueError(f"an account for {email} already exists")
        new_id = conn.execute(
            insert(schema.app_user).values(email=email, name=name, password_hash=hash_password(password, email),
                                           la_code=la_code, role=stored_roles(roles), is_active=True)
            .returning(schema.app_user.c.id)
        ).scalar_one()
        record_event(conn, actor=email, event="user_created", detail=f"role={stored_roles(roles)} la={la_code}")
    return User(id=new_id, email=email, name=name, la_code=la_code, role=primary_role(roles), roles=roles)


def get_user(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(schema.app_user).where(schema.app_user.c.id == user_id)).first()
    return _user_from_row(row) if row else None


def count_users(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(schema.app_user)).scalar_one()


def authenticate(engine: Engine, email: str, password: str, ip: str | None = None, *,
                 audited: bool = True) -> User | None:
    """The user if the email and password match an active account; every attempt is audited (`audited=False`: the
    caller has counted it already, see `throttle.reserve_attempt`)."""
    email = normalise_email(email)
    with engine.connect() as conn:
        row = conn.execute(select(schema.app_user).where(schema.app_user.c.email == email)).first()
    # The slow hash outside any transaction: a write lock is never held while argon2 runs.
    ok = verify_password(row.password_hash if row else DUMMY_HASH, password) and row is not None and row.is_active
    with engine.begin() as conn:
        if ok:
            conn.execute(update(schema.app_user).where(schema.app_user.c.id == row.id)
                         .values(last_login_at=datetime.now(timezone.utc)))
        if audited:
            record_event(conn, actor=email, event="sign_in" if ok else "sign_in_failed", ip=ip)
    return _user_from_row(row) if ok else None


def record_event(conn, *, actor: str | None, event: str, detail: str = "", ip: str | None = None) -> None:
    conn.execute(insert(schema.audit_event).values(actor=actor, event=event, detail=detail[:2000], ip=ip,
                                                   at=datetime.now(timezone.utc)))


def audit(engine: Engine, *, actor: str | None, event: str, detail: str = "", ip: str | None = None) -> None:
    with engine.begin() as conn:
        record_event(conn, actor=actor, event=event, detail=detail, ip=ip)


def _user_row(conn, email: str):
    return conn.execute(select(schema.app_user).where(schema.app_user.c.email == normalise_email(email))).first()


def set_password(engine: Engine, email: str, password: str, *, actor: str) -> None:
    """A new password ends every session the account had (so a stolen cookie stops working too)."""
    with engine.begin() as conn:
        row = _user_row(conn, email)
        if row is None:
            raise ValueError(f"no account for {normalise_email(email)}")
        conn.execute(update(schema.app_user).where(schema.app_user.c.id == row.id)
                     .values(password_hash=hash_password(password, row.email)))
        record_event(conn, actor=actor, event="password_set", detail=row.email)
    end_all_sessions(engine, row.id)


def set_roles(engine: Engine, email: str, roles: str | list[str], *, actor: str) -> frozenset[str]:
    """Give the account these roles (one, several comma-separated, or a list), in place of those it had."""
    chosen = check_roles(roles)
    with engine.begin() as conn:
        row = _user_row(conn, email)
        if row is None:
            raise ValueError(f"no account for {normalise_email(email)}")
        conn.execute(update(schema.app_user).where(schema.app_user.c.id == row.id).values(role=stored_roles(chosen)))
        record_event(conn, actor=actor, event="role_changed",
                     detail=f"{row.email}: {describe_roles(row.role)} -> {describe_roles(chosen)}")
    return chosen


def set_active(engine: Engine, email: str, active: bool, *, actor: str) -> None:
    """Disabling an account also ends its sessions at once."""
    with engine.begin() as conn:
        row = _user_row(conn, email)
        if row is None:
            raise ValueError(f"no account for {normalise_email(email)}")
        conn.execute(update(schema.app_user).where(schema.app_user.c.id == row.id).values(is_active=active))
        record_event(conn, actor=actor, event="account_enabled" if active else "account_disabled", detail=row.email)
    if not active:
        end_all_sessions(engine, row.id)


def list_users(engine: Engine):
    import pandas as pd
    u = schema.app_user
    with engine.connect() as conn:
        return pd.read_sql(select(u.c.id, u.c.email, u.c.name, u.c.la_code, u.c.role, u.c.is_active, u.c.created_at,
                                  u.c.last_login_at).order_by(u.c.email), conn)
