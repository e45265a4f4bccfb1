"""Tables of the store (SQLAlchemy Core). The same schema runs on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text,
    UniqueConstraint, func,
)

metadata = MetaData()

subregion = Table(
    "subregion", metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("sort_order", Integer, nullable=False, default=0),
)

local_authority = Table(
    "local_authority", metadata,
    Column("ons_code", String(9), primary_key=True),          # E09000001-E09000033
    Column("dfe_code", String(3), nullable=False, unique=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("inner_outer", String(16), nullable=False),        # "Inner London" / "Outer London" (DfE's split)
    Column("subregion_code", String(16), ForeignKey("subregion.code"), nullable=False),
)

indicator = Table(
    "indicator", metadata,
    Column("code", String(48), primary_key=True),
    Column("name", String(160), nullable=False),
    Column("theme", String(64), nullable=False),
    Column("unit", String(64), nullable=False),
    Column("decimal_places", Integer, nullable=False),
    Column("polarity", String(8), nullable=False),            # higher / lower / neither (is higher better?)
    Column("definition", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("england_available", Boolean, nullable=False),
    Column("sort_order", Integer, nullable=False),
)

# One row per dataset: its version goes into every cache key, so a commit shows at once everywhere.
dataset = Table(
    "dataset", metadata,
    Column("name", String(48), primary_key=True),
    Column("version", Integer, nullable=False, default=0),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Quarterly regional benchmarking return. A missing row (or NULL value) is "no return", never 0.
benchmark_value = Table(
    "benchmark_value", metadata,
    Column("la_code", String(9), ForeignKey("local_authority.ons_code"), primary_key=True),
    Column("indicator_code", String(48), ForeignKey("indicator.code"), primary_key=True),
    Column("period_end", Date, primary_key=True),             # last day of the financial quarter
    Column("value", Float, nullable=True),
)

# Comparator areas that are not London LAs (England for now), same shape.
comparator_value = Table(
    "comparator_value", metadata,
    Column("area", String(32), primary_key=True),             # "England"
    Column("indicator_code", String(48), ForeignKey("indicator.code"), primary_key=True),
    Column("period_end", Date, primary_key=True),
    Column("value", Float, nullable=True),
)

app_user = Table(
    "app_user", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False),
    Column("name", String(128), nullable=False, default=""),
    Column("password_hash", String(255), nullable=False),
    Column("la_code", String(9), ForeignKey("local_authority.ons_code"), nullable=False),
    Column("role", String(64), nullable=False),          # one or more roles, comma-separated (auth/roles.py)
    Column("is_active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("email", name="uq_app_user_email"),
)

audit_event = Table(
    "audit_event", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now(), index=True),
    Column("actor", String(254), nullable=True, index=True),
    Column("ip", String(64), nullable=True),
    Column("event", String(48), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

# Server-side sessions: the cookie only names one, so sign-out (or an admin) can end it for good.
user_session = Table(
    "user_session", metadata,
    Column("id", String(64), primary_key=True),                # random token, kept in the signed cookie
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("ip", String(64), nullable=True),
)

# The second sign-in step (TOTP, RFC 6238): one enrolment per account. last_step is the last time step whose code was
# accepted, so a code is never accepted twice (RFC 6238 5.2), even by two requests at once.
user_mfa = Table(
    "user_mfa", metadata,
    Column("user_id", Integer, ForeignKey("app_user.id"), primary_key=True),
    Column("secret", String(255), nullable=False),             # the TOTP secret, encrypted (auth/mfa.py: seal)
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("last_step", Integer, nullable=True),
)

# Recovery codes: sha256 of each, used once.
mfa_recovery_code = Table(
    "mfa_recovery_code", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)

# Requests for access: a person asks, an admin or their LA's approver decides.
access_request = Table(
    "access_request", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("name", String(128), nullable=False),
    Column("email", String(254), nullable=False, index=True),
    Column("la_code", String(9), ForeignKey("local_authority.ons_code"), nullable=False),
    Column("authoriser_name", String(128), nullable=False),
    Column("authoriser_email", String(254), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False, default="pending"),   # pending / approved / refused
    Column("decided_by", String(254), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_note", Text, nullable=False, default=""),
    # sha256 of the link the person keeps to see the decision and, once approved, set a password.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("token_used_at", DateTime(timezone=True), nullable=True),
)


# Every committed upload: one version of one dataset for one LA and period. The rows of each version
# are kept (in upload_content), so an admin can restore an earlier one.
upload = Table(
    "upload", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(48), nullable=False),
    Column("la_code", String(9), ForeignKey("local_authority.ons_code"), nullable=False),
    Column("period", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("file_name", String(255), nullable=False),          # shown only, never used as a path
    Column("uploaded_by", String(254), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_accepted", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("is_current", Boolean, nullable=False),
    UniqueConstraint("dataset", "la_code", "period", "version", name="uq_upload_version"),
)

# The rows one version wrote, as compressed JSON ({table: [row, ...]}): one restore path for every dataset.
upload_content = Table(
    "upload_content", metadata,
    Column("upload_id", Integer, ForeignKey("upload.id"), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)


# The disclosure secret (dashboard.disclosure.secret): made once at first use unless DISCLOSURE_SECRET is set, so every
# worker and host, and every restart, gives each record the same key.
disclosure_secret = Table(
    "disclosure_secret", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(128), nullable=False),
)

# Each member's choice of an emailed digest of My LA (none, monthly, quarterly), and what the last one said, so the
# next says only what is new. One row per user who has chosen; no row means no digest.
digest_subscription = Table(
    "digest_subscription", metadata,
    Column("user_id", Integer, ForeignKey("app_user.id"), primary_key=True),
    Column("frequency", String(12), nullable=False),             # "none", "monthly" or "quarterly"
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_sent_at", DateTime(timezone=True), nullable=True),
    Column("last_flagged", Text, nullable=False, default="[]"),   # JSON: keys of the indicators flagged in the last digest
)
