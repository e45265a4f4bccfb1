"""Stage one: turn an uploaded file into a table of text cells, or stop at once with a file-level error.

Checked before anything is parsed: the size. Then: the type (CSV or Excel, by content, not by
name), the encoding (UTF-8), Excel decompression bombs, the header (missing or duplicated columns)
and the row count. The file name is only ever shown, never used as a path.
"""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import pandas as pd

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024   # an .xlsx that unpacks to more than this is refused
MAX_ZIP_RATIO = 100                      # ... or that compresses more than 100:1 (a zip bomb)


CUT_SHORT = "\x00cut short"   # marks the cell after the last one of a truncated final row


class FileRejected(ValueError):
    """The whole file is refused; the message says why in plain English."""


def display_name(file_name: str) -> str:
    """The file's own name, stripped of any folders and control characters, for showing only."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:200] or "upload"


def _is_excel(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileRejected("The file looks like Excel but cannot be opened (it may be cut short). Save it again and retry.")
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
            raise FileRejected("The Excel file expands to far more than its size (a 'zip bomb'), so it was not opened.")
    if total > MAX_UNZIPPED_BYTES:
        raise FileRejected(f"The Excel file unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB, so it was not opened.")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _excel_rows(data: bytes, max_rows: int) -> list[list[str]]:
    from openpyxl import load_workbook
    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileRejected(f"The Excel file cannot be read ({type(exc).__name__}). Save it again as .xlsx and retry.")
    sheet = book["Data"] if "Data" in book.sheetnames else book.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        if len(rows) > max_rows + 1:
            break
        rows.append([_cell_text(v) for v in row])
    book.close()
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # Excel's trailing empty rows
    return rows


def _csv_rows(data: bytes, max_rows: int) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileRejected(f"The file is not UTF-8 text (first unreadable byte on line {line}). "
                           "In Excel choose 'Save as' and 'CSV UTF-8', then upload again.")
    if "\x00" in text:
        raise FileRejected("The file holds binary data, not CSV text. Upload a CSV or Excel (.xlsx) file.")
    rows = []
    for row in csv.reader(io.StringIO(text, newline="")):
        if len(rows) > max_rows + 1:
            break
        rows.append(row)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    # A last line with no line end and fewer cells than the header: the file was cut short in that row.
    if len(rows) > 1 and not text.endswith(("\n", "\r")) and len(rows[-1]) < len(rows[0]):
        rows[-1] = rows[-1] + [CUT_SHORT]
    return rows


def read_upload(file_name: str, data: bytes, *, max_bytes: int, max_rows: int) -> pd.DataFrame:
    """The file's data rows as text (header names lower-cased and trimmed); raises FileRejected."""
    name = display_name(file_name)
    if len(data) > max_bytes:
        raise FileRejected(f"{name} is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.")
    if not data.strip():
        raise FileRejected(f"{name} is empty.")
    rows = _excel_rows(data, max_rows) if _is_excel(data) else _csv_rows(data, max_rows)
    if not rows:
        raise FileRejected(f"{name} has no rows.")
    header = [h.strip().lower() for h in rows[0]]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise FileRejected(f"{name}: the column{'s' if len(duplicated) > 1 else ''} {', '.join(duplicated)} "
                           "appear more than once in the header row.")
    body = rows[1:]
    if len(body) > max_rows:
        raise FileRejected(f"{name} has more than {max_rows:,} data rows; one LA's return for one period has far fewer. "
                           "Check you chose the right file.")
    width = len(header)
    padded = [(r + [""] * width)[:width] if len(r) <= width else r for r in body]
    too_long = [i for i, r in enumerate(padded) if len(r) > width]
    frame = pd.DataFrame([r[:width] for r in padded], columns=[h or f"(unnamed column {i + 1})" for i, h in enumerate(header)],
                         dtype=object)
    frame.attrs["overlong_rows"] = too_long   # rows with more cells than the header: a row-level error
    frame.attrs["cut_short_rows"] = []
    if len(frame) and (frame.iloc[-1] == CUT_SHORT).any():
        frame.attrs["cut_short_rows"] = [frame.index[-1]]
        frame.iloc[-1] = frame.iloc[-1].replace(CUT_SHORT, "")
    frame.attrs["file_name"] = name
    return frame
