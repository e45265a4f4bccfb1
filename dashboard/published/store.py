"""The import that fills the published statistics' tables (published/tables.py): one transaction per file, idempotent."""
from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from dashboard.auth.users import record_event
from dashboard.config import Settings
from dashboard.ingest.reading import FileRejected, check_excel
from dashboard.published import formats, routes
from dashboard.published.page_figures import page_figures
from dashboard.published.tables import (published_area, published_file, published_import, published_indicator,
                                        published_value, statistical_neighbour)
from dashboard.store import schema
from dashboard.store.datasets import bump_version, dataset_state
from dashboard.store.engine import write_transaction
from dashboard.store.ssda903 import recognise as recognise_ssda903

NAME = "published"


class UnknownFile(ValueError):
    """The file is not a published format we know; nothing was stored."""


@dataclass
class Destination:
    """One store a file went to: the published statistics (Benchmarking) or a page's own tables."""
    route: str
    page: str
    description: str
    status: str = "imported"          # imported, unchanged
    rows_kept: int = 0
    london_rows: int = 0
    markers: Counter = field(default_factory=Counter)
    message: str = ""

    def line(self) -> str:
        if self.status == "unchanged":
            return f"{self.page} ({self.description}): {self.message}"
        markers = ", ".join(f"{m} x{n}" for m, n in sorted(self.markers.items())) or "none"
        return (f"{self.page} ({self.description}): imported, {self.rows_kept:,} rows kept "
                f"({self.london_rows:,} for London and its LAs), markers met: {markers}. {self.message}").strip()


@dataclass
class ImportReport:
    file_name: str
    status: str = "rejected"          # imported, unchanged, not used (a real file no page reads), rejected
    rows_read: int = 0
    destinations: list[Destination] = field(default_factory=list)
    message: str = ""

    @property
    def routes(self) -> list[str]:
        return [d.route for d in self.destinations]

    def line(self) -> str:
        if self.status == "rejected":
            return f"{self.file_name}: refused: {self.message}. Nothing was changed."
        if self.status == "not used":
            return f"{self.file_name}: not used by any page ({self.message})."
        lines = [f"{self.file_name}: {self.status}, {self.rows_read:,} rows read"]
        return "\n  ".join(lines + [d.line() for d in self.destinations])


# Published files' bounds, checked before pandas or openpyxl reads anything: an absurd shape is refused at once, so
# the work an import costs grows with the file's size and no faster (the largest real file, LAIT for London, is 9 MB
# of a dozen columns; the published workbooks hold about 10,000 XML elements).
MAX_FILE_BYTES = 200 * 2**20
MAX_COLUMNS = 1_000
MAX_HEADER_CHARS = 100_000
MAX_EXCEL_ELEMENTS = 5_000_000


def _size(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def _too_big(n: int) -> str:
    return f"the file is {_size(n)}; published files are far smaller (the limit is {_size(MAX_FILE_BYTES)})"


def _check_shape(data: bytes, text: str | None) -> None:
    """Refuse a file too big, or a CSV whose header row is absurdly long or wide (UnknownFile says which)."""
    if len(data) > MAX_FILE_BYTES:
        raise UnknownFile(_too_big(len(data)))
    if text is None:
        return
    if "\x00" in text:
        raise UnknownFile("the file holds binary data, not CSV text")
    end = text.find("\n", 0, MAX_HEADER_CHARS + 1)
    if end == -1 and len(text) > MAX_HEADER_CHARS:
        raise UnknownFile(f"its header row is longer than {MAX_HEADER_CHARS:,} characters; a published table's header "
                          "is a few hundred")
    header = next(csv.reader([text[:end if end != -1 else len(text)]]), [])
    if len(header) > MAX_COLUMNS:
        raise UnknownFile(f"its header row has {len(header):,} columns; published tables have at most a few dozen "
                          f"(the limit is {MAX_COLUMNS:,})")


def _read_table(name: str, data: bytes) -> pd.DataFrame:
    """The file as text cells: a CSV (UTF-8 with or without a byte-order mark, or Windows-1252) or an Excel workbook's
    first sheet whose first row we recognise. Its shape is checked first (`_check_shape`, and for a workbook the
    upload's Excel checks: zip bombs, macros, XML entities, nesting and element counts, in one streaming pass)."""
    suffix = Path(name).suffix.lower()
    _check_shape(data, None)
    if suffix in (".xlsx", ".xlsm"):
        try:
            check_excel("the workbook", data, MAX_EXCEL_ELEMENTS)
        except FileRejected as exc:
            raise UnknownFile(str(exc).rstrip("."))
        try:
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, header=None, nrows=5)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise UnknownFile(f"the workbook cannot be read ({exc})")
        for sheet, top in sheets.items():
            for row in range(len(top)):
                columns = [str(c).strip() for c in top.iloc[row] if pd.notna(c)]
                if _recognised(columns) or routes.known_unused(columns):
                    frame = pd.read_excel(io.BytesIO(data), sheet_name=sheet, dtype=str, header=row).fillna("")
                    frame.columns = [str(c).strip() for c in frame.columns]
                    return frame
        first = [str(c) for c in next(iter(sheets.values())).iloc[0]] if sheets else []
        raise UnknownFile("no sheet's header matches a published format we import (" + ", ".join(first[:8]) + ")")
    if data[:4] == b"PK\x03\x04":
        raise UnknownFile("this is a workbook, not a CSV; save the sheet as CSV (the publishers' CSV downloads work as they are)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnknownFile("the file is not text (UTF-8 or Windows-1252)")
    _check_shape(data, text)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UnknownFile(f"the file cannot be read as CSV ({str(exc).splitlines()[0]})")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


SSDA903_NOTE = "ingest it with `python -m dashboard ingest ssda903`"


def ssda903_table(columns) -> str | None:
    """What the file is, if it is one of the DfE's SSDA903 tables (an LA's child-level return, not a published file)."""
    table = recognise_ssda903(columns) if "CHILD" in {str(c).strip().upper() for c in columns} else None
    return f"the SSDA903 {table} table, an LA's child-level return, not a published file: {SSDA903_NOTE}" if table else None


def _recognised(columns) -> tuple[formats.FileFormat | None, list[routes.Route]]:
    fmt = formats.recognise(columns)
    pages = [r for r in routes.page_routes() if r.matches(columns)]
    return (fmt, pages) if fmt or pages else None


TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
NOT_READ = {".ods": "an ODS workbook: the app reads CSV and Excel; save its data sheet as CSV to import it",
            ".parquet": "a Parquet copy of a table: the app reads CSV and Excel; import the CSV of the same table",
            ".json": "JSON, not a table (a GeoJSON boundary file is used for maps through the BOUNDARY_FILE setting)",
            ".geojson": "a GeoJSON boundary file: not imported; set BOUNDARY_FILE to draw maps from it"}


def _context(conn) -> dict:
    known = {r.dfe_code: (r.ons_code, r.name) for r in conn.execute(select(published_area))}
    la = schema.local_authority
    known.update({r.dfe_code: (r.ons_code, r.name) for r in conn.execute(select(la.c.dfe_code, la.c.ons_code, la.c.name))})
    return {"dfe_to_ons": known}


def _is_london(rows: pd.DataFrame) -> pd.Series:
    codes = rows["area_code"].astype(str)
    return codes.str.startswith("E09") | codes.isin([formats.LONDON, formats.INNER, formats.OUTER])


def import_file(engine: Engine, name: str, data: bytes, actor: str = "cli", seed: int | None = None,
                path: Path | None = None) -> ImportReport:
    """Recognise one file by its columns and store it wherever it is used: the published statistics, a page's own
    tables, or both. Every destination reads the file before any writes, so a bad cell changes nothing; the same
    file again changes nothing. `path` is the file on disk when there is one (page importers read from a path)."""
    report = ImportReport(file_name=Path(name).name)
    suffix = Path(name).suffix.lower()
    if suffix in NOT_READ or suffix in routes.DOCUMENT_SUFFIXES:
        report.status = "not used"
        report.message = NOT_READ.get(suffix, "a document, not a table")
        return report
    if not data.strip():   # (an SSDA903 extract leaves a table with no rows as an empty file)
        report.status, report.message = "not used", "the file is empty"
        return report
    try:
        frame = _read_table(name, data)
        recognised = _recognised(frame.columns)
        if recognised is None:
            unused = routes.known_unused(frame.columns) or ssda903_table(frame.columns)
            if unused:
                report.status, report.message, report.rows_read = "not used", unused, len(frame)
                return report
            raise UnknownFile("its columns match no published format we import (" + ", ".join(list(frame.columns)[:8])
                              + (", ..." if len(frame.columns) > 8 else "") + ")")
    except UnknownFile as exc:
        report.message = str(exc)
        return report
    fmt, page_routes = recognised
    report.rows_read = len(frame)
    sha = hashlib.sha256(data).hexdigest()
    if seed is None:
        seed = Settings().demo_seed

    # Read everything first: a bad cell anywhere refuses the file before any store changes.
    pending = []
    if fmt is not None:
        earlier = _earlier_import(engine, sha)
        if earlier is not None:
            report.destinations.append(_unchanged(fmt.name, "Benchmarking", fmt.description, earlier.imported_at))
        else:
            with engine.connect() as conn:
                context = _context(conn)
            pending.append((fmt, fmt.read(frame, context), context))
    if page_routes:
        done = _page_imports(engine, sha)
        context = routes.context(engine, seed)
        with _on_disk(name, data, path) as file:
            for route in page_routes:
                if route.name in done:
                    report.destinations.append(_unchanged(route.name, route.page, route.description, done[route.name]))
                    continue
                try:
                    pending.append((route, route.read(file, context), context))
                except (ValueError, KeyError) as exc:
                    message = str(exc).strip("'\"")
                    report.destinations = []
                    report.message = message if report.file_name in message else f"{report.file_name}: {message}"
                    return report
    for target, rows, context in pending:
        if isinstance(target, formats.FileFormat):
            report.destinations.append(_store_statistics(engine, target, frame, rows, context, sha, report.file_name, actor))
        else:
            report.destinations.append(_store_page(engine, target, rows, context, sha, report.file_name, actor))
    report.status = "imported" if pending else "unchanged"
    return report


def _unchanged(route: str, page: str, description: str, when) -> Destination:
    return Destination(route, page, description, status="unchanged",
                       message=f"already imported on {when:%d %b %Y}: nothing changed")


class _on_disk:
    """The file as a path: the one given, or a temporary copy under its own name (page importers name it in errors)."""

    def __init__(self, name: str, data: bytes, path: Path | None):
        self.name, self.data, self.path, self.folder = Path(name).name, data, path, None

    def __enter__(self) -> Path:
        if self.path is not None:
            return Path(self.path)
        import tempfile
        self.folder = tempfile.TemporaryDirectory()
        copy = Path(self.folder.name) / self.name
        copy.write_bytes(self.data)
        return copy

    def __exit__(self, *_exc):
        if self.folder is not None:
            self.folder.cleanup()


def _page_imports(engine: Engine, sha: str) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(published_import.c.route, published_import.c.imported_at)
                                 .where(published_import.c.sha256 == sha)).all())


def _store_page(engine: Engine, route, rows, context, sha: str, file_name: str, actor: str) -> Destination:
    route.write(engine, rows, context)
    with engine.begin() as conn:
        conn.execute(delete(published_import).where(published_import.c.sha256 == sha, published_import.c.route == route.name))
        conn.execute(insert(published_import).values(sha256=sha, route=route.name, file_name=file_name[:255],
                                                     imported_at=datetime.now(timezone.utc), imported_by=actor))
        record_event(conn, actor=actor, event="published_imported", detail=f"{file_name} -> {route.name} sha256={sha[:12]}")
    kept, london, markers = route.summarise(rows)
    return Destination(route.name, route.page, route.description, rows_kept=kept, london_rows=london, markers=markers)


def forget_page_imports(engine: Engine, datasets: set[str]) -> None:
    """A dataset refilled with demo data no longer holds the files imported into it: let them be imported again."""
    names = [r.name for r in routes.page_routes() if r.dataset in datasets]
    with engine.begin() as conn:
        conn.execute(delete(published_import).where(published_import.c.route.in_(names)))


def _store_statistics(engine: Engine, fmt, frame: pd.DataFrame, rows: pd.DataFrame, context: dict, sha: str,
                      file_name: str, actor: str) -> Destination:
    """One file into the published statistics, in one transaction that bumps their version."""
    done = Destination(fmt.name, "Benchmarking", fmt.description)
    with write_transaction(engine, NAME) as conn:
        if conn.execute(select(published_file.c.id).where(published_file.c.sha256 == sha)).first():
            done.status, done.message = "unchanged", "already imported: nothing changed"
            return done
        file_id = conn.execute(insert(published_file).values(
            sha256=sha, file_name=file_name[:255], format=fmt.name, imported_at=datetime.now(timezone.utc),
            imported_by=actor, rows_read=len(frame), rows_kept=len(rows)).returning(published_file.c.id)).scalar_one()
        if fmt.name == "dfe_statistical_neighbours":
            conn.execute(delete(statistical_neighbour).where(statistical_neighbour.c.dfe_code.in_(set(rows["dfe_code"]))))
            if len(rows):
                conn.execute(insert(statistical_neighbour), rows.to_dict("records"))
            done.rows_kept = len(rows)
            done.london_rows = int(rows["dfe_code"].isin(set(_london_dfe_codes(conn))).sum())
        else:
            _store_values(conn, rows, file_id)
            indicators = fmt.indicators or formats.lait_indicators(context.get("definitions"))
            _store_indicators(conn, indicators, rows)
            done.rows_kept, done.london_rows = len(rows), int(_is_london(rows).sum())
            done.markers = Counter(rows["marker"].dropna())
            if context.get("skipped"):
                done.message = (f"{context['skipped']:,} rows for LAs whose DfE number is not known yet were skipped "
                                "(import a DfE Explore Education Statistics file first to learn them).")
        bump_version(conn, NAME, is_demo=False)
        record_event(conn, actor=actor, event="published_imported", detail=f"{file_name} -> {fmt.name} sha256={sha[:12]}")
    return done


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


def _store_indicators(conn, indicators, rows: pd.DataFrame) -> None:
    """The indicators a file gives, each source naming its release by the latest period the file holds for it."""
    latest = rows.groupby("indicator")["period"].max().to_dict()
    codes = [i.code for i in indicators]
    conn.execute(delete(published_indicator).where(published_indicator.c.code.in_(codes)))
    conn.execute(insert(published_indicator), [
        {**i.__dict__, "source": f"{i.source}, release with figures to {latest[i.code]}" if i.code in latest else i.source}
        for i in indicators])


def import_paths(engine: Engine, paths: list[str], actor: str = "cli", seed: int | None = None) -> list[ImportReport]:
    """Files, or folders searched for files (hidden ones left alone): one report per file."""
    reports = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()
                               and not any(part.startswith(".") for part in p.relative_to(path).parts)):
                if file.suffix.lower() in TABLE_SUFFIXES and file.stat().st_size > MAX_FILE_BYTES:
                    report = ImportReport(file.name, message=_too_big(file.stat().st_size))
                elif file.suffix.lower() in TABLE_SUFFIXES | set(NOT_READ) | routes.DOCUMENT_SUFFIXES:
                    report = import_file(engine, str(file), file.read_bytes(), actor, seed, path=file)
                else:   # in a folder, only what looks like data is opened
                    report = ImportReport(file.name, status="not used", message="not a CSV or Excel file")
                report.file_name = str(file.relative_to(path))
                reports.append(report)
        elif path.is_file():
            reports.append(import_file(engine, str(path), path.read_bytes(), actor, seed, path=path))
        else:
            reports.append(ImportReport(file_name=given, message="no such file or folder"))
    return reports


EXPORT_COLUMNS = ["source", "indicator", "period", "la_code", "la_name", "value", "marker"]


def export_frame(engine: Engine) -> pd.DataFrame:
    """Every published figure held: Benchmarking's published statistics, then the pages' own (SEND, Leadership in
    Colour, Suspensions, Sufficiency). Markers stay markers; a joint return keeps its joint code and says so."""
    v, i = published_value, published_indicator
    with engine.connect() as conn:
        frame = pd.read_sql(select(i.c.source, v.c.indicator, v.c.period, v.c.area_code.label("la_code"),
                                   v.c.area_name.label("la_name"), v.c.value, v.c.marker)
                            .join(i, i.c.code == v.c.indicator)
                            .order_by(v.c.indicator, v.c.period, v.c.area_code), conn)
    frame = pd.concat([frame[EXPORT_COLUMNS], page_figures(engine)], ignore_index=True)
    joint = frame["la_code"].fillna("").str.contains(" / ", regex=False) & ~frame["la_name"].fillna("").str.endswith(JOINT)
    frame.loc[joint, "la_name"] = frame.loc[joint, "la_name"] + JOINT
    return frame


JOINT = " (joint return)"


def import_on_first_start(settings, engine: Engine, refilled: set[str], log=print) -> list[ImportReport]:
    """The first-start import of PUBLISHED_DATA_DIR, through `import_paths` like the command: when the published
    statistics were never imported, or a dataset was just filled with demo data (its imported files are forgotten)."""
    folder = settings.published_data_dir
    if not folder or not Path(folder).is_dir():
        return []
    if not refilled and dataset_state(engine, NAME)["version"] > 0:
        return []
    forget_page_imports(engine, refilled)
    log(f"Importing published files from {folder} (PUBLISHED_DATA_DIR)...")
    reports = import_paths(engine, [folder], actor="first start", seed=settings.demo_seed)
    ssda903 = [r for r in reports if r.status == "not used" and SSDA903_NOTE in r.message]
    counts = Counter(r.status for r in reports if r not in ssda903)
    log("Published files: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ".")
    if ssda903:
        log(f"Also found {len(ssda903)} SSDA903 tables (LAs' child-level returns, not published files): not imported. "
            "An LA's data officer uploads them on the Upload page, or: "
            "`python -m dashboard ingest ssda903 FOLDER --la CODE --period YYYY-03-31`.")
    for report in reports:
        if report.status == "rejected":
            log(report.line())
    return reports
