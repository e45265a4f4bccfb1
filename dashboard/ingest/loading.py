"""Loading: one transaction per commit, a new version per LA and period, every version kept.

rows read = rows accepted + rows rejected, always; only a file with no rejected rows is stored.
An identical file (same SHA-256 as the current version) changes nothing. Two uploads for the same
dataset at once queue on the dataset's write lock: one commits, then the other, never a mix.
The first real upload into a dataset that holds demo data removes the demo data, so no page ever
mixes synthetic and real figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select, update

from dashboard.auth.users import record_event
from dashboard.ingest.specs import SPECS, DatasetSpec
from dashboard.ingest.validation import Report, validate_upload
from dashboard.store import schema
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction


@dataclass(frozen=True)
class CommitResult:
    status: str            # "committed", "unchanged", "rejected"
    version: int | None
    message: str


def validation_context(engine: Engine, spec: DatasetSpec, la_code: str, period: str) -> dict:
    """Allowed codes, indicator units and the LA's last four returns before `period`."""
    with engine.connect() as conn:
        la_codes = set(conn.execute(select(schema.local_authority.c.ons_code)).scalars())
        indicators = pd.read_sql(select(schema.indicator.c.code, schema.indicator.c.unit), conn)
        bv = schema.benchmark_value
        try:
            end = pd.Timestamp(period)
            history = pd.read_sql(select(bv.c.indicator_code, bv.c.period_end, bv.c.value)
                                  .where(bv.c.la_code == la_code, bv.c.period_end < end.date(),
                                         bv.c.period_end >= (end - pd.DateOffset(years=1)).date(), bv.c.value.is_not(None)), conn)
        except ValueError:
            history = None
    return {"codes": {"la_code": la_codes, "indicator_code": set(indicators["code"])},
            "units": dict(zip(indicators["code"], indicators["unit"])), "history": history}


def check_period(period: str) -> str | None:
    """A plain-English problem with the chosen quarter end, or None."""
    try:
        date = pd.Timestamp(period)
    except ValueError:
        return f"'{period}' is not a date: give the quarter end as YYYY-MM-DD."
    if date != date + pd.offsets.QuarterEnd(0) or date.strftime("%Y-%m-%d") != period:
        return f"{period} is not a quarter end: use 30 June, 30 September, 31 December or 31 March (YYYY-MM-DD)."
    if date > pd.Timestamp.now() + pd.offsets.QuarterEnd(0):
        return f"{period} is in the future."
    return None


def validate(engine: Engine, dataset: str, file_name: str, data: bytes, la_code: str, period: str, *, max_bytes: int) -> Report:
    spec = SPECS[dataset]
    problem = check_period(period)
    if problem:
        report = Report(dataset=dataset, file_name=file_name, file_sha256="", la_code=la_code, period=period)
        report.file_errors.append(problem)
        return report
    return validate_upload(spec, file_name, data, la_code, period, validation_context(engine, spec, la_code, period),
                           max_bytes=max_bytes)


def _current(conn, dataset: str, la_code: str, period: str):
    u = schema.upload
    return conn.execute(select(u).where(u.c.dataset == dataset, u.c.la_code == la_code, u.c.period == period,
                                        u.c.is_current)).first()


def _write_benchmarking(conn, upload_id: int, la_code: str, period: str, rows: pd.DataFrame) -> None:
    version_rows = [{"upload_id": upload_id, "indicator_code": r.indicator_code,
                     "value": None if pd.isna(r.value) else float(r.value),
                     "numerator": None if pd.isna(r.numerator) else float(r.numerator),
                     "denominator": None if pd.isna(r.denominator) else float(r.denominator)}
                    for r in rows.itertuples()]
    conn.execute(insert(schema.benchmark_value_version), version_rows)
    _make_current(conn, upload_id, la_code, period)


def _make_current(conn, upload_id: int, la_code: str, period: str) -> None:
    """The current table holds the chosen version's rows for that LA and quarter, and nothing else."""
    bv, vv = schema.benchmark_value, schema.benchmark_value_version
    end = pd.Timestamp(period).date()
    conn.execute(delete(bv).where(bv.c.la_code == la_code, bv.c.period_end == end))
    rows = conn.execute(select(vv.c.indicator_code, vv.c.value).where(vv.c.upload_id == upload_id)).all()
    if rows:
        conn.execute(insert(bv), [{"la_code": la_code, "indicator_code": code, "period_end": end, "value": value}
                                  for code, value in rows])


def _remove_demo_data(conn, dataset: str) -> bool:
    ds = schema.dataset
    is_demo = conn.execute(select(ds.c.is_demo).where(ds.c.name == dataset)).scalar()
    if is_demo:
        conn.execute(delete(schema.benchmark_value))
        conn.execute(delete(schema.comparator_value))
    return bool(is_demo)


def commit(engine: Engine, report: Report, actor: str) -> CommitResult:
    """Store a validated file as a new version, in one transaction; refuse anything with errors."""
    if not report.ok or report.clean is None:
        return CommitResult("rejected", None, "Nothing was stored: the file has errors. " + report.summary())
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    u = schema.upload
    with write_transaction(engine, report.dataset) as conn:
        current = _current(conn, report.dataset, report.la_code, report.period)
        if current is not None and current.file_sha256 == report.file_sha256:
            record_event(conn, actor=actor, event="upload_unchanged",
                         detail=f"{report.dataset} {report.la_code} {report.period} sha256={report.file_sha256[:12]}")
            return CommitResult("unchanged", current.version,
                                f"This file is identical to the current version (version {current.version}): nothing changed.")
        removed_demo = _remove_demo_data(conn, report.dataset)
        version = (conn.execute(select(func.max(u.c.version)).where(
            u.c.dataset == report.dataset, u.c.la_code == report.la_code, u.c.period == report.period)).scalar() or 0) + 1
        conn.execute(update(u).where(u.c.dataset == report.dataset, u.c.la_code == report.la_code,
                                     u.c.period == report.period).values(is_current=False))
        upload_id = conn.execute(insert(u).values(
            dataset=report.dataset, la_code=report.la_code, period=report.period, version=version,
            file_sha256=report.file_sha256, file_name=report.file_name, uploaded_by=actor,
            uploaded_at=datetime.now(timezone.utc), rows_read=report.rows_read, rows_accepted=report.rows_accepted,
            rows_rejected=report.rows_rejected, is_current=True).returning(u.c.id)).scalar_one()
        WRITERS[report.dataset](conn, upload_id, report.la_code, report.period, report.clean)
        bump_version(conn, report.dataset, is_demo=False)
        record_event(conn, actor=actor, event="upload_committed",
                     detail=f"{report.dataset} {report.la_code} {report.period} v{version} rows={report.rows_accepted} "
                            f"file={report.file_name} sha256={report.file_sha256[:12]}")
    note = " The demo data was removed: this is the first real return, so other LAs show 'no return' until theirs arrive." \
        if removed_demo else ""
    return CommitResult("committed", version, f"Stored as version {version} ({report.rows_accepted} rows).{note}")


def record_rejection(engine: Engine, report: Report, actor: str) -> None:
    with engine.begin() as conn:
        record_event(conn, actor=actor, event="upload_rejected",
                     detail=f"{report.dataset} {report.la_code} {report.period} file={report.file_name} "
                            f"read={report.rows_read} rejected={report.rows_rejected} errors={len(report.file_errors) + len(report.row_errors)}")


def upload_history(engine: Engine, dataset: str | None = None, la_code: str | None = None) -> pd.DataFrame:
    u = schema.upload
    stmt = select(u.c.id, u.c.dataset, u.c.la_code, u.c.period, u.c.version, u.c.is_current, u.c.uploaded_by,
                  u.c.uploaded_at, u.c.file_name, u.c.rows_read, u.c.rows_accepted, u.c.rows_rejected, u.c.file_sha256)
    if dataset:
        stmt = stmt.where(u.c.dataset == dataset)
    if la_code:
        stmt = stmt.where(u.c.la_code == la_code)
    with engine.connect() as conn:
        return pd.read_sql(stmt.order_by(u.c.uploaded_at.desc(), u.c.id.desc()), conn)


def restore(engine: Engine, upload_id: int, actor: str) -> str:
    """Make an earlier version current again (admins); the versions themselves never change."""
    u = schema.upload
    with engine.connect() as conn:
        row = conn.execute(select(u).where(u.c.id == upload_id)).first()
    if row is None:
        raise ValueError(f"no upload {upload_id}")
    with write_transaction(engine, row.dataset) as conn:
        conn.execute(update(u).where(u.c.dataset == row.dataset, u.c.la_code == row.la_code, u.c.period == row.period)
                     .values(is_current=(u.c.id == upload_id)))
        _make_current(conn, upload_id, row.la_code, row.period)
        bump_version(conn, row.dataset)
        record_event(conn, actor=actor, event="upload_restored", detail=f"{row.dataset} {row.la_code} {row.period} v{row.version}")
    return f"Version {row.version} of {row.la_code} {row.period} is current again."


WRITERS = {"benchmarking": _write_benchmarking}
