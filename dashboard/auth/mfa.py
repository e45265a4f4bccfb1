"""The second sign-in step: a time-based one-time code (TOTP, RFC 6238) from an authenticator app, or a recovery code.

Required for every role that sees child-level-derived data or changes data (commissioner, uploader, approver,
admin); a member may enrol too. Enrolment shows a QR code (and the secret as text, to type in); the first code
confirms it and ten recovery codes are shown once (only their sha256 is kept; each works once). A code is accepted
for its 30-second step and the steps either side (clock drift), and never twice. An administrator can reset an
account's enrolment (audited): the person enrols again at their next sign-in.

The TOTP secrets are encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key
derived from MFA_KEY, or from SECRET_KEY when MFA_KEY is empty: a copy of the database alone does not give the
codes. MFA_KEY may list several keys, newest first, to rotate (the first encrypts, any decrypts). A secret stored
before encryption (plain base32) still works, and is encrypted in place the first time it is used.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timezone

import base64

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Engine, delete, insert, select, update

from dashboard.auth.sessions import end_all_sessions
from dashboard.auth.roles import ADMIN, APPROVER, COMMISSIONER, UPLOADER
from dashboard.auth.users import normalise_email, record_event
from dashboard.store import schema

log = logging.getLogger(__name__)

ROLES_REQUIRING_MFA = frozenset({COMMISSIONER, UPLOADER, APPROVER, ADMIN})
ISSUER = "London Children's Services Dashboards"
RECOVERY_CODES = 10
DRIFT_STEPS = 1   # a code from the step before or after is accepted too (phone clocks drift)


ENCRYPTED = "fernet:"   # marks a stored secret as encrypted (a plain one is base32: letters and digits only)
_cipher: MultiFernet | None = None


class SecretUnreadable(RuntimeError):
    """A stored secret that the configured key cannot decrypt (MFA_KEY or SECRET_KEY changed)."""


def use_keys(material: str) -> None:
    """At start-up: MFA_KEY (comma-separated, newest first), or SECRET_KEY when MFA_KEY is empty. Each is stretched by
    HMAC-SHA256 under this purpose's own label, so the same SECRET_KEY never serves two purposes as the same key."""
    keys = [k.strip() for k in material.split(",") if k.strip()]
    if not keys:
        raise ValueError("no key to encrypt the two-step sign-in secrets: set MFA_KEY or SECRET_KEY")
    global _cipher
    _cipher = MultiFernet([Fernet(base64.urlsafe_b64encode(
        hmac.new(key.encode(), b"lcsd: TOTP secrets at rest", hashlib.sha256).digest())) for key in keys])


def _cipher_in_use() -> MultiFernet:
    if _cipher is None:
        raise RuntimeError("the two-step sign-in key is not set (dashboard.auth.mfa.use_keys runs at start-up)")
    return _cipher


def seal(secret: str) -> str:
    """The secret as stored: encrypted under the first key."""
    return ENCRYPTED + _cipher_in_use().encrypt(secret.encode()).decode()


def unseal(stored: str) -> str:
    """The secret from its stored form; a plain one (stored before encryption) as it is."""
    if not stored.startswith(ENCRYPTED):
        return stored
    try:
        return _cipher_in_use().decrypt(stored[len(ENCRYPTED):].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("a two-step sign-in secret cannot be decrypted with MFA_KEY (or SECRET_KEY): was the key "
                               "changed? Put the old key after the new one in MFA_KEY, or reset the account's two-step "
                               "sign-in (`python -m dashboard reset-mfa EMAIL`).")


def required_for(role: str) -> bool:
    return role in ROLES_REQUIRING_MFA


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code_data_uri(secret: str, email: str) -> str:
    """The otpauth:// address as an SVG QR code (a data: URI: nothing leaves the server, the CSP allows it)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _step_matching(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (within the drift allowed), or None."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.at(now, counter_offset=offset), code):
            return step + offset
    return None


def code_is_valid_for_secret(secret: str, code: str, now: datetime | None = None) -> bool:
    """For confirming an enrolment (the secret is not stored yet)."""
    return _step_matching(secret, code, now or datetime.now(timezone.utc)) is not None


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").lower().encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)   # 40 bits, and sign-in attempts are throttled
    return f"{raw[:5]}-{raw[5:]}"


def is_enrolled(engine: Engine, user_id: int) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(schema.user_mfa.c.user_id).where(schema.user_mfa.c.user_id == user_id)).first() is not None


def enrol(engine: Engine, user_id: int, email: str, secret: str, now: datetime | None = None) -> list[str]:
    """Store the confirmed secret, replace any recovery codes, and return the new codes (shown once)."""
    now = now or datetime.now(timezone.utc)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    with engine.begin() as conn:
        conn.execute(delete(schema.user_mfa).where(schema.user_mfa.c.user_id == user_id))
        conn.execute(delete(schema.mfa_recovery_code).where(schema.mfa_recovery_code.c.user_id == user_id))
        conn.execute(insert(schema.user_mfa).values(user_id=user_id, secret=seal(secret), enrolled_at=now,
                                                    last_step=pyotp.TOTP(secret).timecode(now)))
        conn.execute(insert(schema.mfa_recovery_code), [{"user_id": user_id, "code_hash": _hash(c)} for c in codes])
        record_event(conn, actor=email, event="mfa_enrolled")
    return codes


def accept_code(engine: Engine, user_id: int, code: str, now: datetime | None = None) -> str | None:
    """'code' or 'recovery code' if the code is accepted (and then never again), else None."""
    now = now or datetime.now(timezone.utc)
    m = schema.user_mfa
    with engine.begin() as conn:
        row = conn.execute(select(m.c.secret).where(m.c.user_id == user_id)).first()
        if row is None:
            return None
        try:
            secret = unseal(row.secret)
        except SecretUnreadable as exc:
            log.error("second step refused for user %s: %s", user_id, exc)
            return None
        if not row.secret.startswith(ENCRYPTED):   # stored before encryption: encrypted now, in this transaction
            conn.execute(update(m).where(m.c.user_id == user_id, m.c.secret == row.secret).values(secret=seal(secret)))
        step = _step_matching(secret, code, now)
        if step is not None:
            # Only a step later than the last accepted one: one UPDATE, so two requests with one code cannot both win.
            changed = conn.execute(update(m).where(m.c.user_id == user_id,
                                                   (m.c.last_step.is_(None)) | (m.c.last_step < step))
                                   .values(last_step=step)).rowcount
            return "code" if changed else None
        r = schema.mfa_recovery_code
        used = conn.execute(update(r).where(r.c.user_id == user_id, r.c.code_hash == _hash(code), r.c.used_at.is_(None))
                            .values(used_at=now)).rowcount
        return "recovery code" if used else None


def recovery_codes_left(engine: Engine, user_id: int) -> int:
    r = schema.mfa_recovery_code
    with engine.connect() as conn:
        return len(conn.execute(select(r.c.id).where(r.c.user_id == user_id, r.c.used_at.is_(None))).all())


def reset(engine: Engine, email: str, *, actor: str) -> None:
    """An administrator's re-enrolment: the secret and recovery codes go and the account's sessions end (a lost phone
    is the usual reason); the person enrols again at their next sign-in."""
    email = normalise_email(email)
    with engine.begin() as conn:
        row = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email)).first()
        if row is None:
            raise ValueError(f"no account for {email}")
        conn.execute(delete(schema.user_mfa).where(schema.user_mfa.c.user_id == row.id))
        conn.execute(delete(schema.mfa_recovery_code).where(schema.mfa_recovery_code.c.user_id == row.id))
        record_event(conn, actor=actor, event="mfa_reset", detail=email)
    end_all_sessions(engine, row.id)


def enrolled_user_ids(engine: Engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(select(schema.user_mfa.c.user_id)).scalars())
