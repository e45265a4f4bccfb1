"""Tables for published statistics, and the import that fills them (one transaction per file, idempotent)."""
from __future__ import annotations

import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from sqlalchemy import Column, DateTime, Engine, Float, Integer, String, Table, Text, UniqueConstraint, delete, insert, select

from dashboard.published import formats
from dashboard.store import schema
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction

NAME = "published"
metadata = schema.metadata

published_value = Table(
    "published_value", metadata,
    Column("indicator", String(64), primary_key=True),
    Column("period", String(32), primary_key=True),
    Column("area_code", String(40), primary_key=True),     # ONS code; joint returns keep both: "E09000021 / E09000027"
    Column("area_name", String(200), nullable=False),
    Column("area_level", String(40), nullable=False),      # Local authority, Regional, National
    Column("dfe_code", String(20), nullable=False, default=""),
    Column("value", Float, nullable=True),                 # NULL when the publication gives a marker instead
    Column("marker", String(10), nullable=True),           # c, k, x, z, low, - as published
    Column("file_id", Integer, nullable=False),
)

published_indicator = Table(
    "published_indicator", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("polarity", String(10), nullable=False),
    Column("decimal_places", Integer, nullable=False),
    Column("source", String(200), nullable=False),
    Column("period_note", String(60), nullable=False),
    Column("definition", Text, nullable=False),
)

published_file = Table(
    "published_file", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("format", String(60), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(254), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_kept", Integer, nullable=False),
    UniqueConstraint("sha256", name="uq_published_file_sha256"),
)

published_area = Table(   # DfE 3-digit numbers to ONS codes, learnt from the files (statistical neighbours use DfE numbers)
    "published_area", metadata,
    Column("dfe_code", String(20), primary_key=True),
    Column("ons_code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
)

statistical_neighbour = Table(
    "statistical_neighbour", metadata,
    Column("dfe_code", String(20), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("neighbour_dfe_code", String(20), nullable=False),
    Column("closeness", String(40), nullable=False),
)


class UnknownFile(ValueError):
    """The file is not a published format we know; nothing was stored."""


@dataclass
class ImportReport:
    file_name: str
    status: str = "rejected"          # imported, unchanged, rejected (skipped: a folder's file of another shape)
    format: str = ""
    rows_read: int = 0
    rows_kept: int = 0
    london_rows: int = 0
    markers: Counter = field(default_factory=Counter)
    message: str = ""

    def line(self) -> str:
        if self.status in ("rejected", "skipped"):
            return f"{self.file_name}: {self.status}: {self.message}"
        if self.status == "unchanged":
            return f"{self.file_name} ({self.format}): {self.message}"
        markers = ", ".join(f"{m} x{n}" for m, n in sorted(self.markers.items())) or "none"
        return (f"{self.file_name}: {self.status} as {self.format}: {self.rows_read:,} rows read, {self.rows_kept:,} values kept "
                f"({self.london_rows:,} for London and its LAs), markers met: {markers}. {self.message}").strip()


def _read_csv(data: bytes) -> pd.DataFrame:
    if data[:4] == b"PK\x03\x04":
        raise UnknownFile("this is an Excel or ODS workbook; save the sheet as CSV (the publishers' CSV downloads work as they are)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnknownFile("the file is not text (UTF-8 or Windows-1252)")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UnknownFile(f"the file cannot be read as CSV ({str(exc).splitlines()[0]})")


def _context(conn) -> dict:
    known = {r.dfe_code: (r.ons_code, r.name) for r in conn.execute(select(published_area))}
    la = schema.local_authority
    known.update({r.dfe_code: (r.ons_code, r.name) for r in conn.execute(select(la.c.dfe_code, la.c.ons_code, la.c.name))})
    return {"dfe_to_ons": known}


def _is_london(rows: pd.DataFrame) -> pd.Series:
    codes = rows["area_code"].astype(str)
    return codes.str.startswith("E09") | codes.isin([formats.LONDON, formats.INNER, formats.OUTER])


def import_file(engine: Engine, name: str, data: bytes, actor: str = "cli") -> ImportReport:
    """Recognise, read and store one file in one transaction; the same file again changes nothing."""
    report = ImportReport(file_name=Path(name).name)
    sha = hashlib.sha256(data).hexdigest()
    earlier = _earlier_import(engine, sha)
    if earlier is not None:
        report.status, report.format = "unchanged", earlier.format
        report.message = f"Already imported on {earlier.imported_at:%d %b %Y}: nothing changed."
        return report
    try:
        frame = _read_csv(data)
        frame.columns = [str(c).strip() for c in frame.columns]
        fmt = formats.recognise(frame.columns)
        if fmt is None:
            raise UnknownFile("its columns match no published format we import (" + ", ".join(list(frame.columns)[:8])
                              + (", ..." if len(frame.columns) > 8 else "") + ")")
    except UnknownFile as exc:
        report.message = str(exc)
        return report
    report.format, report.rows_read = fmt.name, len(frame)

    with write_transaction(engine, NAME) as conn:
        if conn.execute(select(published_file.c.id).where(published_file.c.sha256 == sha)).first():
            report.status, report.message = "unchanged", "Already imported: nothing changed."
            return report
        context = _context(conn)
        rows = fmt.read(frame, context)
        file_id = conn.execute(insert(published_file).values(
            sha256=sha, file_name=report.file_name[:255], format=fmt.name, imported_at=datetime.now(timezone.utc),
            imported_by=actor, rows_read=len(frame), rows_kept=len(rows)).returning(published_file.c.id)).scalar_one()
        if fmt.name == "dfe_statistical_neighbours":
            conn.execute(delete(statistical_neighbour).where(statistical_neighbour.c.dfe_code.in_(set(rows["dfe_code"]))))
            if len(rows):
                conn.execute(insert(statistical_neighbour), rows.to_dict("records"))
            report.rows_kept = len(rows)
            report.london_rows = int(rows["dfe_code"].isin(set(_london_dfe_codes(conn))).sum())
        else:
            _store_values(conn, rows, file_id)
            indicators = fmt.indicators or formats.lait_indicators(context.get("definitions"))
            _store_indicators(conn, indicators)
            report.rows_kept, report.london_rows = len(rows), int(_is_london(rows).sum())
            report.markers = Counter(rows["marker"].dropna())
            if context.get("skipped"):
                report.message = (f"{context['skipped']:,} rows for LAs whose DfE number is not known yet were skipped "
                                  "(import a DfE Explore Education Statistics file first to learn them).")
        bump_version(conn, NAME, is_demo=False)
    report.status = "imported"
    return report


def _earlier_import(engine: Engine, sha: str):
    with engine.connect() as conn:
        return conn.execute(select(published_file.c.format, published_file.c.imported_at)
                            .where(published_file.c.sha256 == sha)).first()


def _london_dfe_codes(conn) -> list[str]:
    return list(conn.execute(select(schema.local_authority.c.dfe_code)).scalars())


def _store_values(conn, rows: pd.DataFrame, file_id: int) -> None:
    rows = rows.drop_duplicates(["indicator", "period", "area_code"], keep="last")
    las = rows[(rows["area_level"] == "Local authority") & rows["dfe_code"].ne("") & ~rows["area_code"].str.contains("/")]
    areas = las.drop_duplicates("dfe_code")[["dfe_code", "area_code", "area_name"]]
    if len(areas):
        conn.execute(delete(published_area).where(published_area.c.dfe_code.in_(list(areas["dfe_code"]))))
        conn.execute(insert(published_area), [{"dfe_code": d, "ons_code": o, "name": n} for d, o, n in areas.itertuples(index=False)])
    for (indicator, period), group in rows.groupby(["indicator", "period"]):
        conn.execute(delete(published_value).where(published_value.c.indicator == indicator, published_value.c.period == period,
                                                   published_value.c.area_code.in_(list(group["area_code"]))))
    records = rows.assign(file_id=file_id)
    records = records.astype(object).where(records.notna(), None).to_dict("records")
    for start in range(0, len(records), 5000):
        conn.execute(insert(published_value), records[start:start + 5000])


def _store_indicators(conn, indicators) -> None:
    codes = [i.code for i in indicators]
    conn.execute(delete(published_indicator).where(published_indicator.c.code.in_(codes)))
    conn.execute(insert(published_indicator), [i.__dict__ for i in indicators])


def import_paths(engine: Engine, paths: list[str], actor: str = "cli") -> list[ImportReport]:
    """Files, or folders searched for .csv files. In a folder, a file of another shape is skipped (and said so);
    a file named on its own that we cannot read is rejected."""
    reports = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in sorted(path.rglob("*.csv")):
                report = import_file(engine, str(file), file.read_bytes(), actor)
                report.file_name = str(file.relative_to(path))
                if report.status == "rejected":
                    report.status = "skipped"
                reports.append(report)
        elif path.is_file():
            reports.append(import_file(engine, str(path), path.read_bytes(), actor))
        else:
            reports.append(ImportReport(file_name=given, message="no such file or folder"))
    return reports


EXPORT_COLUMNS = ["source", "indicator", "period", "la_code", "la_name", "value", "marker"]


def export_frame(engine: Engine) -> pd.DataFrame:
    v, i = published_value, published_indicator
    with engine.connect() as conn:
        frame = pd.read_sql(select(i.c.source, v.c.indicator, v.c.period, v.c.area_code.label("la_code"),
                                   v.c.area_name.label("la_name"), v.c.value, v.c.marker)
                            .join(i, i.c.code == v.c.indicator)
                            .order_by(v.c.indicator, v.c.period, v.c.area_code), conn)
    return frame[EXPORT_COLUMNS]
