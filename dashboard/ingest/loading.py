"""Loading: one transaction per commit, a new version per LA and period, every version kept.

rows read = rows accepted + rows rejected, always; only a file with no rejected rows is stored.
An identical file (same SHA-256 as the current version) changes nothing. Two uploads for the same
dataset at once queue on the dataset's write lock: one commits, then the other, never a mix.
The first real upload removes demo data first, so no page mixes synthetic and real figures: every
LA's (benchmarking, agency pay, sufficiency) or only the uploading LA's (LinC, suspensions, SEND).
Every version's rows are kept, compressed, in `upload_content`, so any dataset restores the same way.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
from sqlalchemy import Date, DateTime, Engine, delete, func, insert, select, update

from dashboard.auth.users import record_event
from dashboard.ingest import bulk
from dashboard.ingest.returns import SPECS
from dashboard.ingest.specs import DatasetSpec
from dashboard.ingest.reading import display_name
from dashboard.ingest.validation import Report, validate_upload
from dashboard.store import schema
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction


INSERT_BATCH = 20_000


@dataclass(frozen=True)
class CommitResult:
    status: str            # "committed", "unchanged", "rejected"
    version: int | None
    message: str


def validation_context(engine: Engine, spec: DatasetSpec, la_code: str, period: str) -> dict:
    """The London LA codes, plus whatever the dataset's own rules need (codes, history)."""
    with engine.connect() as conn:
        la_codes = set(conn.execute(select(schema.local_authority.c.ons_code)).scalars())
        extra = spec.context(conn, la_code, period) if spec.context else {}
    return {**extra, "codes": {"la_code": la_codes, **extra.get("codes", {})}}


def check_period(period: str, spec: DatasetSpec) -> str | None:
    """A plain-English problem with the chosen period, or None."""
    return spec.period.check(period)


def validate(engine: Engine, dataset: str, file_name: str, data: bytes, la_code: str, period: str, *, max_bytes: int) -> Report:
    spec = SPECS[dataset]
    problem = _choice_problem(engine, spec, la_code, period)
    if problem:
        report = Report(dataset=dataset, file_name=file_name, file_sha256="", la_code=la_code, period=period)
        report.file_errors.append(problem)
        return report
    return validate_upload(spec, file_name, data, la_code, period, validation_context(engine, spec, la_code, period),
                           max_bytes=max_bytes)


def validate_files(engine: Engine, dataset: str, files: list[tuple[str, bytes]], la_code: str, period: str, *,
                   max_bytes: int) -> Report:
    """A return of several files (a standard's tables, e.g. the DfE's SSDA903 Header, Episodes, UASC...), checked
    together; `commit` stores them as one version (audited, restorable). The same files in any order are the same
    return (its SHA-256 is over the files' own, sorted). Each problem names its file, row and column."""
    spec = SPECS[dataset]
    digests = sorted(hashlib.sha256(data).hexdigest() for _name, data in files)
    names = " + ".join(display_name(name) for name, _data in files)
    report = Report(dataset=dataset, file_name=names if len(names) <= 255 else names[:225] + f"... ({len(files)} files in all)",
                    file_sha256=hashlib.sha256("".join(digests).encode()).hexdigest(), la_code=la_code, period=period)
    problem = _choice_problem(engine, spec, la_code, period)
    too_big = [display_name(name) for name, data in files if len(data) > max_bytes]
    if spec.read_files is None:
        problem = problem or f"{spec.label} is one file, not a set of tables."
    if problem or too_big:
        report.file_errors += [problem] if problem else [f"{name} is larger than {max_bytes / 2**20:.0f} MB" for name in too_big]
        return report
    context = validation_context(engine, spec, la_code, period)
    report.records = spec.read_files(files, la_code, period, context, report)
    if not report.ok:
        report.records = None
    return report


def _choice_problem(engine: Engine, spec: DatasetSpec, la_code: str, period: str) -> str | None:
    """What is wrong with the LA and period chosen for a file, in plain English, or None."""
    problem = check_period(period, spec)
    if problem is None and la_code not in _la_codes(engine):
        problem = f"{la_code} is not the ONS code of a London LA (E09000001 to E09000033)."
    return problem


def _la_codes(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(schema.local_authority.c.ons_code)).scalars())


def _scope(u, spec: DatasetSpec, la_code: str, period: str):
    """The uploads one version competes with: same dataset and LA, and same period unless one is current per LA."""
    clause = (u.c.dataset == spec.name) & (u.c.la_code == la_code)
    return clause if spec.current_per_la else clause & (u.c.period == period)


def _current(conn, spec: DatasetSpec, la_code: str, period: str):
    u = schema.upload
    return conn.execute(select(u).where(_scope(u, spec, la_code, period), u.c.is_current)).first()


# --- the stored rows of every version: written once, for every dataset --------------------------------------

def _pack(records: dict) -> bytes:
    """A version's rows as compressed JSON: a table by column ({COLUMNAR: {column: its coded values}}, see
    bulk.Coded.stored: each distinct value once and packed positions, which the C encoder writes fast) or a list of
    rows."""
    return gzip.compress(json.dumps(records, default=_json_value, separators=(",", ":")).encode(), compresslevel=1)


def _by_column(records: dict) -> dict:
    """Each DataFrame's table as its columns' plain values (dates as ISO text), made once for the store and the
    version kept for restores."""
    return {name: {COLUMNAR: bulk.columns(_TABLES[name], rows)} if isinstance(rows, pd.DataFrame) else rows
            for name, rows in records.items()}


def _json_value(value):
    if isinstance(value, bulk.Coded):
        return value.stored()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__}")


def _unpack(spec: DatasetSpec, content: bytes) -> dict:
    """The version's rows: a table kept by column as it was kept (plain values the loader writes as they are), a
    list of rows with its dates and times turned back into the table's types."""
    records = json.loads(gzip.decompress(content))
    for target in spec.targets:
        rows = records.get(target.table.name)
        if isinstance(rows, dict):
            continue
        converters = {c.name: (_to_datetime if isinstance(c.type, DateTime) else _to_date)
                      for c in target.table.columns if isinstance(c.type, (Date, DateTime))}
        for row in rows or []:
            for column, convert in converters.items():
                if row.get(column) is not None:
                    row[column] = convert(row[column])
    return records


def _to_date(text: str) -> date:
    return date.fromisoformat(text[:10])


def _to_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _stamp(records: dict, actor: str, now: datetime) -> dict:
    """Fill the 'who loaded it, when' fields a dataset's rows carry (left None at validation)."""
    for rows in records.values():
        if isinstance(rows, pd.DataFrame):
            for column, value in (("loaded_by", actor), ("loaded_at", now)):
                if column in rows.columns:
                    rows[column] = rows[column].where(rows[column].notna(), value)
            continue
        for row in rows:
            if "loaded_by" in row and row["loaded_by"] is None:
                row["loaded_by"] = actor
            if "loaded_at" in row and row["loaded_at"] is None:
                row["loaded_at"] = now
    return records


def _apply(conn, spec: DatasetSpec, la_code: str, period: str, records: dict) -> None:
    """The store holds this version's rows for that LA and period, and nothing else for them."""
    for target in spec.targets:
        table = target.table
        rows = table.c[target.la_column] == la_code
        if target.period_rows is not None:
            rows = rows & target.period_rows(table, period)
        conn.execute(delete(table).where(rows))
    for target in spec.targets:
        rows = records.get(target.table.name, [])
        if isinstance(rows, dict):   # a large table, by column (COPY on PostgreSQL)
            bulk.insert_columns(conn, target.table, rows[COLUMNAR])
            continue
        for start in range(0, len(rows), INSERT_BATCH):
            conn.execute(insert(target.table), rows[start:start + INSERT_BATCH])


def _remove_demo_data(conn, spec: DatasetSpec, la_code: str) -> bool:
    """Demo rows go before the first real ones, so no page mixes the two: every LA's (scope "dataset"),
    or only this LA's (scope "la", the first time it uploads)."""
    ds, u = schema.dataset, schema.upload
    if spec.demo_scope == "dataset":
        if not conn.execute(select(ds.c.is_demo).where(ds.c.name == spec.name)).scalar():
            return False
        if spec.remove_demo_rows is not None:
            spec.remove_demo_rows(conn)
        for table in [target.table for target in reversed(spec.targets)] + list(spec.demo_only):
            conn.execute(delete(table))
        return True
    # An LA with a current upload holds no demo rows (after `load-demo` none is current: the demo is back).
    if conn.execute(select(u.c.id).where(u.c.dataset == spec.name, u.c.la_code == la_code, u.c.is_current).limit(1)).first():
        return False
    for target in reversed(spec.targets):
        rows = target.table.c[target.la_column] == la_code
        conn.execute(delete(target.table).where(rows & target.demo_rows(target.table) if target.demo_rows is not None else rows))
    return True


def write_version(conn, upload_id: int, la_code: str, period: str, records: dict, spec: DatasetSpec) -> None:
    """Keep the version's rows (for restores) and make them the current ones. The kept copy is compressed in a
    thread while the rows are written (zlib lets go of the GIL, and the database works on the rows meanwhile): a
    million episodes' copy takes seconds to compress."""
    records = _by_column(records)
    with ThreadPoolExecutor(max_workers=1) as packing:
        content = packing.submit(_pack, records)
        _apply(conn, spec, la_code, period, records)
        conn.execute(insert(schema.upload_content).values(upload_id=upload_id, content=content.result()))


def demo_data_reloaded(engine: Engine, datasets=None) -> None:
    """Demo data replaced these datasets (every one by default): no upload's rows are current any more.
    The versions stay, so an administrator can restore one."""
    u = schema.upload
    for name in datasets or SPECS:
        with write_transaction(engine, name) as conn:
            conn.execute(update(u).where(u.c.dataset == name).values(is_current=False))
            bump_version(conn, name)   # labels cached under the old version ("the LA's own return") go with it


def commit(engine: Engine, report: Report, actor: str) -> CommitResult:
    """Store a validated file as a new version, in one transaction; refuse anything with errors."""
    if not report.ok or report.records is None:
        return CommitResult("rejected", None, "Nothing was stored: the file has errors. " + report.summary())
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    spec = SPECS[report.dataset]
    u = schema.upload
    now = datetime.now(timezone.utc)
    with write_transaction(engine, report.dataset) as conn:
        current = _current(conn, spec, report.la_code, report.period)
        if current is not None and current.file_sha256 == report.file_sha256 and current.period == report.period:
            record_event(conn, actor=actor, event="upload_unchanged",
                         detail=f"{report.dataset} {report.la_code} {report.period} sha256={report.file_sha256[:12]}")
            return CommitResult("unchanged", current.version,
                                f"This file is identical to the current version (version {current.version}): nothing changed.")
        removed_demo = _remove_demo_data(conn, spec, report.la_code)
        version = (conn.execute(select(func.max(u.c.version)).where(
            u.c.dataset == report.dataset, u.c.la_code == report.la_code, u.c.period == report.period)).scalar() or 0) + 1
        conn.execute(update(u).where(_scope(u, spec, report.la_code, report.period)).values(is_current=False))
        upload_id = conn.execute(insert(u).values(
            dataset=report.dataset, la_code=report.la_code, period=report.period, version=version,
            file_sha256=report.file_sha256, file_name=report.file_name, uploaded_by=actor,
            uploaded_at=now, rows_read=report.rows_read, rows_accepted=report.rows_accepted,
            rows_rejected=report.rows_rejected, is_current=True).returning(u.c.id)).scalar_one()
        WRITERS[report.dataset](conn, upload_id, report.la_code, report.period, _stamp(report.records, actor, now))
        if spec.before_commit is not None:
            spec.before_commit(conn)
        bump_version(conn, report.dataset, is_demo=False if spec.demo_scope == "dataset" else None)
        record_event(conn, actor=actor, event="upload_committed",
                     detail=f"{report.dataset} {report.la_code} {report.period} v{version} rows={report.rows_accepted} "
                            f"file={report.file_name} sha256={report.file_sha256[:12]}")
    note = ""
    if removed_demo and spec.demo_scope == "dataset":
        note = " The demo data was removed: this is the first real return, so other LAs show 'no return' until theirs arrive."
    elif removed_demo:
        note = f" {report.la_code}'s demo figures were replaced by this return; other LAs keep theirs until they upload."
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
    spec = SPECS[row.dataset]
    with write_transaction(engine, row.dataset) as conn:
        content = conn.execute(select(schema.upload_content.c.content).where(schema.upload_content.c.upload_id == upload_id)).scalar()
        if content is None:
            raise ValueError(f"version {row.version} of {row.la_code} {row.period} has no stored rows to restore")
        conn.execute(update(u).where(_scope(u, spec, row.la_code, row.period)).values(is_current=(u.c.id == upload_id)))
        _apply(conn, spec, row.la_code, row.period, _unpack(spec, content))
        bump_version(conn, row.dataset)
        record_event(conn, actor=actor, event="upload_restored", detail=f"{row.dataset} {row.la_code} {row.period} v{row.version}")
    return f"Version {row.version} of {row.la_code} {row.period} is current again."


# One writer for every dataset (a mapping, so a test can wrap one: see tests/app/test_faults.py).
_TABLES = {target.table.name: target.table for spec in SPECS.values() for target in spec.targets}
COLUMNAR = "__columns__"   # marks a table kept by column in a version's content
WRITERS = {name: functools.partial(write_version, spec=spec) for name, spec in SPECS.items()}
