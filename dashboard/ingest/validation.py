"""Stage two: check every row and cell against the dataset's spec, and report in plain English.

File-level errors (missing columns, wrong LA or period) stop the file. Row-level errors name row,
column, value and rule; a row with any error is rejected, and the file can be committed only when
no row is. Warnings ("queries", e.g. a value far from the LA's recent returns) never block.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""
from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.ingest.reading import FileRejected, display_name, read_upload
from dashboard.ingest.specs import FIRST_DATA_ROW, DatasetSpec

# A cell starting so (after any spaces, line breaks or non-breaking spaces, and with full-width forms such as '＝' read
# as their plain ones) runs as a formula, or a DDE command ('|'), in some spreadsheet. "-" starts numbers.
FORMULA_STARTS = ("=", "+", "@", "|", "\t", "\r")
UNCALCULATED = "an Excel formula with no saved result: open the file in Excel, let it calculate, save it and upload again"

log = logging.getLogger(__name__)


def looks_like_formula(text: str) -> bool:
    """True for a value a spreadsheet would run as a formula, however it is disguised."""
    start = text.lstrip()[:1]
    return bool(start) and unicodedata.normalize("NFKC", start).startswith(FORMULA_STARTS)


@dataclass
class Report:
    dataset: str
    file_name: str
    file_sha256: str
    la_code: str
    period: str
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[dict] = field(default_factory=list)      # row, column, value, rule
    warnings: list[dict] = field(default_factory=list)        # row, column, value, query
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    clean: pd.DataFrame | None = None                         # parsed accepted rows, when there are no errors
    records: dict | None = None   # what the commit writes: table name -> rows (a list of dicts, or a DataFrame by column)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    def summary(self) -> str:
        if self.file_errors:
            return f"{self.file_name} was rejected: " + " ".join(self.file_errors)
        counts = (f"{self.rows_read} row{'s' if self.rows_read != 1 else ''} read: {self.rows_accepted} accepted, "
                  f"{self.rows_rejected} rejected")
        if self.row_errors:
            return f"{counts}. Nothing can be stored until every row is right: fix the {len(self.row_errors)} problem" \
                   f"{'s' if len(self.row_errors) != 1 else ''} below and upload again."
        queries = f" {len(self.warnings)} quer{'ies' if len(self.warnings) != 1 else 'y'} to check (they do not block)." \
            if self.warnings else ""
        return f"{counts}. Ready to commit.{queries}"

    def table(self) -> pd.DataFrame:
        """Every finding as one table (for the page and the CSV report)."""
        rows = [{"level": "file error", "row": "", "column": "", "value": "", "rule": e} for e in self.file_errors]
        rows += [{"level": "error", **e} for e in self.row_errors]
        rows += [{"level": "query", "row": w["row"], "column": w["column"], "value": w["value"], "rule": w["query"]}
                 for w in self.warnings]
        return pd.DataFrame(rows, columns=["level", "row", "column", "value", "rule"])


def _parse_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(values, bad mask): blanks are NaN and not bad; '1,234' is read as 1234."""
    text = cells.fillna("").astype(str).str.strip().str.replace(",", "", regex=False)
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = (text != "") & (values.isna() | ~np.isfinite(values.fillna(0)))
    return values.astype("float64"), bad


def _parse_dates(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = cells.fillna("").astype(str).str.strip()
    values = pd.to_datetime(text.where(text != ""), format="%Y-%m-%d", errors="coerce")
    return values, (text != "") & values.isna()


def validate_frame(spec: DatasetSpec, frame: pd.DataFrame, la_code: str, period: str, context: dict,
                   report: Report) -> Report:
    """Fill `report` from an already-read table. `context`: codes (column -> allowed set), units, history."""
    report.rows_read = len(frame)
    expected = [c.name for c in spec.columns]
    missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
    if missing:
        report.file_errors.append(f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
                                  f"The first row must name the columns: {', '.join(expected)}.")
    extra = [c for c in frame.columns if c not in expected]
    for column in extra:
        if frame[column].fillna("").astype(str).str.strip().ne("").any():
            report.file_errors.append(f"Unexpected column '{column}': remove it or use the template's columns.")
        else:
            report.warnings.append({"row": "", "column": column, "value": "", "query": "empty column ignored"})
    if report.file_errors:
        report.rows_rejected = report.rows_read
        return report

    # The file must be for the LA and period chosen (a file-level error, as in DfE collections).
    # A row the file was cut short in is reported as such below, not as being for another LA or period.
    whole = ~frame.index.isin(frame.attrs.get("cut_short_rows", []))
    if spec.la_column:
        la_cells = frame[spec.la_column].fillna("").astype(str).str.strip()
        if ((la_cells != la_code) & whole).any():
            first = la_cells[(la_cells != la_code) & whole].index[0]
            report.file_errors.append(f"This file is for {la_cells[first] or 'no LA'} (row {first + FIRST_DATA_ROW}), "
                                      f"but you chose {la_code}. Check the LA, or choose the file for {la_code}.")
    if spec.period_column:
        period_cells = frame[spec.period_column].fillna("").astype(str).str.strip()
        if ((period_cells != period) & whole).any():
            first = period_cells[(period_cells != period) & whole].index[0]
            report.file_errors.append(f"Row {first + FIRST_DATA_ROW} is for period {period_cells[first] or '(blank)'}, "
                                      f"but you chose {period}.")
    if report.file_errors:
        report.rows_rejected = report.rows_read
        return report

    errors: list[tuple[int, str, str]] = []
    parsed = pd.DataFrame(index=frame.index)
    for column in spec.columns:
        if column.name not in frame.columns:
            parsed[column.name] = np.nan
            continue
        cells = frame[column.name].fillna("").astype(str).str.strip()
        blank = cells == ""
        if not column.allow_blank:
            errors += [(i, column.name, "required: this cell is empty") for i in frame.index[blank]]
        if column.kind == "number":
            values, bad = _parse_numbers(cells)
            errors += [(i, column.name, "not a number") for i in frame.index[bad]]
            if column.integer:
                errors += [(i, column.name, "not a whole number") for i in frame.index[values.notna() & (values % 1 != 0)]]
            if column.minimum is not None:
                errors += [(i, column.name, f"below {column.minimum:g}") for i in frame.index[values < column.minimum]]
            if column.maximum is not None:
                errors += [(i, column.name, f"above {column.maximum:g}") for i in frame.index[values > column.maximum]]
            parsed[column.name] = values
        elif column.kind == "date":
            values, bad = _parse_dates(cells)
            errors += [(i, column.name, "not a real date in the form YYYY-MM-DD") for i in frame.index[bad]]
            parsed[column.name] = values
        elif column.kind == "code":
            formula = frame[column.name].fillna("").astype(str).map(looks_like_formula)
            errors += [(i, column.name, "a spreadsheet formula, not a value") for i in frame.index[formula]]
            if column.normalise is not None:
                cells = cells.map(lambda text: "" if text == "" else (column.normalise(text) or f"\x00{text}"))
            allowed = context["codes"].get(column.name)
            unknown = ~blank & ~formula & cells.str.startswith("\x00")
            if allowed is not None:
                unknown |= ~blank & ~formula & ~cells.isin(allowed)
            errors += [(i, column.name, "not a known code") for i in frame.index[unknown]]
            parsed[column.name] = cells
        else:   # text, checked by the dataset's own rules; a formula is never a value
            formula = frame[column.name].fillna("").astype(str).map(looks_like_formula)
            errors += [(i, column.name, "a spreadsheet formula, not a value") for i in frame.index[formula]]
            parsed[column.name] = cells
    for i in frame.attrs.get("cut_short_rows", []):
        errors.append((i, "", "the row stops part-way and the file has no line end after it: the file was cut short"))
    for i in frame.attrs.get("overlong_rows", []):
        errors.append((frame.index[i], "", "more values than the header has columns"))
    uncalculated = set(frame.attrs.get("uncalculated_formulas", []))
    errors += [(i, c, UNCALCULATED) for i, c in uncalculated]

    key = parsed[list(spec.key)]
    first_seen = {}
    for i, values in zip(parsed.index, key.itertuples(index=False)) if spec.key else ():
        if values in first_seen:
            errors.append((i, spec.key[0], f"duplicate: the same {' and '.join(spec.key)} as row {first_seen[values] + FIRST_DATA_ROW}"))
        else:
            first_seen[values] = i
    for rule in spec.row_rules:
        errors += rule(parsed, context)
    records = None
    if spec.to_store is not None and not errors:   # the dataset's own checks see only cells that parsed
        records, problems = spec.to_store(parsed, frame, la_code, period, context)
        errors += problems

    # One finding for a formula with no saved result, not also "not a number" for its text.
    errors = [e for e in errors if (e[0], e[1]) not in uncalculated or e[2] == UNCALCULATED]
    errors = sorted(set(errors), key=lambda e: (e[0], e[1], e[2]))
    rejected = {i for i, _c, _r in errors}
    report.row_errors = [{"row": i + FIRST_DATA_ROW, "column": c, "value": str(frame.at[i, c]) if c in frame.columns else "",
                          "rule": r} for i, c, r in errors]
    report.rows_rejected = len(rejected)
    report.rows_accepted = report.rows_read - report.rows_rejected
    if report.ok:
        report.clean, report.records = parsed, records
        if spec.queries is not None:
            report.warnings += spec.queries(parsed, context)
    return report


def validate_upload(spec: DatasetSpec, file_name: str, data: bytes, la_code: str, period: str, context: dict,
                    *, max_bytes: int) -> Report:
    """Both stages; never raises for bad input: every problem ends up in the report."""
    report = Report(dataset=spec.name, file_name=display_name(file_name), file_sha256=hashlib.sha256(data).hexdigest(),
                    la_code=la_code, period=period)
    try:
        frame = read_upload(file_name, data, max_bytes=max_bytes, max_rows=spec.max_rows)
    except FileRejected as exc:
        report.file_errors.append(str(exc))
        log.warning("upload refused: %s", exc, extra={"event": "upload_refused", "dataset": spec.name,
                                                       "file": report.file_name, "bytes": len(data)})
        return report
    return validate_frame(spec, frame, la_code, period, context, report)
