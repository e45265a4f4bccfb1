"""A set of files (CSVs, or zips of them) -> the DfE tables they hold, each recognised by its columns.

Problems that stop the whole set (a file that is not CSV, a table given twice, missing columns) are file errors,
each naming its file; an empty file (the DfE's extracts leave a table with no rows empty) is noted and skipped.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.ingest.reading import (MAX_CELL_CHARS, MAX_COLUMNS, MAX_UNZIPPED_BYTES, MAX_ZIP_PARTS, MAX_ZIP_RATIO,
                                      FileRejected, display_name, read_csv_table)
from dashboard.ingest.ssda903.columns import Distinct, strip_joined
from dashboard.store.ssda903 import TABLES, missing_columns, recognise


MAX_TABLE_ROWS = 2_000_000   # rows in one table: far more than a year's episodes for the largest LA


@dataclass
class ReadTables:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)   # table -> text cells ("" when blank), upper-case columns
    files: dict[str, str] = field(default_factory=dict)             # table -> the file it came from
    file_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)                  # shown, never blocking
    row_labels: dict[str, tuple[str, int]] = field(default_factory=dict)   # table -> how its rows are named (XML)
    distinct: dict[str, dict[str, Distinct]] = field(default_factory=dict)   # table -> column -> its cells by value


def unzipped(name: str, data: bytes, errors: list[str]) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        errors.append(f"{name} looks like a zip file but cannot be opened (it may be cut short).")
        return []
    members = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    if len(members) > MAX_ZIP_PARTS:
        errors.append(f"{name} holds {len(members):,} files; a return has a few tables, so it was not opened.")
        return []
    if sum(i.file_size for i in members) > MAX_UNZIPPED_BYTES or any(
            i.compress_size and i.file_size / i.compress_size > MAX_ZIP_RATIO for i in members):
        errors.append(f"{name} unpacks to far more than its size, so it was not opened.")
        return []
    return [(f"{name}/{display_name(i.filename)}", archive.read(i)) for i in members]


def _plain_csv(data: bytes) -> pd.DataFrame | None:
    """A CSV read by pandas' C parser (a million rows in seconds) when it is plainly within the upload's bounds:
    every row as wide as the header, no cell past the longest allowed, ending in a line end. Anything else (None)
    goes through the shared reader, which names the file, row and column of what is wrong."""
    if not data.endswith((b"\n", b"\r")):
        return None   # maybe cut short in its last row: the shared reader says so
    try:   # object, not the str dtype: the same Python strings, made faster
        frame = pd.read_csv(io.BytesIO(data), header=None, dtype=object, na_filter=False, skip_blank_lines=False,
                            encoding="utf-8-sig", engine="c", nrows=MAX_TABLE_ROWS + 2)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError):
        return None   # a row wider than the header, a stray quote...: the shared reader names it
    if frame.shape[1] > MAX_COLUMNS or len(frame) > MAX_TABLE_ROWS + 1:
        return None
    lines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    longest = int(np.diff(lines, prepend=-1).max()) if len(lines) else len(data)
    if longest > MAX_CELL_CHARS and (b'"' in data or any(frame[c].str.len().max() > MAX_CELL_CHARS for c in frame)):
        return None
    rows = len(frame)   # a short row's missing cells are NaN: blank (made "" by _frame)
    while rows and all(pd.isna(cell) or cell == "" for cell in frame.iloc[rows - 1]):   # trailing empty rows, as the
        rows -= 1                                                                           # shared reader drops them
    if not rows:
        return None
    header = ["" if pd.isna(h) else str(h).strip() for h in frame.iloc[0]]
    frame = frame.iloc[1:rows].reset_index(drop=True)
    frame.columns = header
    frame.attrs["overlong_rows"] = []
    return frame


def _frame(name: str, data: bytes, errors: list[str]) -> tuple[pd.DataFrame, dict[str, Distinct]] | None:
    """The file's cells, stripped, upper-case column names; and each column by its distinct values."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        errors.append(f"{name} is not UTF-8 text (first unreadable byte on line {line}): save it as 'CSV UTF-8'.")
        return None
    if "\x00" in text:
        errors.append(f"{name} holds binary data, not CSV text.")
        return None
    frame = _plain_csv(data)
    if frame is None:
        try:   # the upload's bounds: columns, characters in a cell, rows (the work grows with the file, no faster)
            frame = read_csv_table(name, data, max_rows=MAX_TABLE_ROWS)
        except FileRejected as exc:
            errors.append(str(exc))
            return None
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    duplicated = sorted(c for c, n in Counter(frame.columns).items() if n > 1)
    if duplicated:
        errors.append(f"{name}: the column(s) {', '.join(duplicated)} appear more than once in the header row.")
        return None
    overlong = frame.attrs.get("overlong_rows", [])
    given = {c: Distinct.of(frame.iloc[:, i]) for i, c in enumerate(frame.columns)}
    distinct = {c: d.mapped(str.strip, strip_joined).filled("") for c, d in given.items()}
    # Only a column its stripping or filling changed is made again from its values, in place: the others stay as
    # read (a new frame would copy every cell of a million rows into one block).
    changed = [i for i, (c, d) in enumerate(distinct.items()) if d is not given[c]]
    if (frame.dtypes == object).all():
        for i in changed:
            frame.isetitem(i, pd.Series(distinct[frame.columns[i]].cells(), index=frame.index, dtype=object))
    else:
        frame = pd.DataFrame({c: frame.iloc[:, i] if distinct[c] is given[c] else d.cells()
                              for i, (c, d) in enumerate(distinct.items())}, index=frame.index, dtype=object)
    frame.attrs["overlong_rows"] = overlong
    return frame, distinct


# The DfE's SSDA903 XML: one element per child (its CHILDID, SEX, DOB... as leaves, and the OC3 and AD1 fields when
# it has them), with an EPISODE element per episode and, under HEADER, its reviews, missing episodes, OC2, previous
# permanence and placed-for-adoption records. Element names are the CSV's column names, except CHILDID and PL.
# A social worker episode (collected from 2023/24) is any element holding an SW_ID, whatever the system calls it.
_XML_RECORDS = {"EPISODE": "Episodes", "AREVIEW": "Reviews", "AMISSING": "Missing", "OC2": "OC2", "PERMANENCE": "PrevPerm",
                "AD_PLACED": "PlacedAdoption"}
_XML_NAMES = {"CHILDID": "CHILD", "PL": "PLACE"}


def _record_table(node) -> str | None:
    """The table an element under a child is a record of, or None (a leaf, or a group of the child's own fields)."""
    if node.tag in _XML_RECORDS:
        return _XML_RECORDS[node.tag]
    return "SWEpisodes" if len(node) and node.find("SW_ID") is not None else None


def _leaves(element, skip_records: bool = False) -> dict[str, str]:
    """Every leaf under `element` (tag -> text), not entering record elements when `skip_records`."""
    out, stack = {}, list(element)
    while stack:
        node = stack.pop()
        if skip_records and _record_table(node):
            continue
        if len(node):
            stack.extend(node)
        else:
            out[_XML_NAMES.get(node.tag, node.tag)] = (node.text or "").strip()
    return out


def _xml_tables(name: str, data: bytes, errors: list[str]) -> dict[str, pd.DataFrame]:
    """An SSDA903 XML file -> the DfE tables it holds, as the CSV form's text cells (dates as the XML's YYYY-MM-DD,
    which the rules read too). A file declaring a DTD or entities is refused unread (entity expansion attacks)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        errors.append(f"{name} declares a DTD or entities, which an SSDA903 XML file never does: it was not read.")
        return {}
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        errors.append(f"{name} is not well-formed XML ({exc}).")
        return {}
    rows: dict[str, list[dict]] = {t: [] for t in TABLES}
    children = [c for c in root.iter() if any(leaf.tag == "CHILDID" for leaf in c)]
    if len(children) > MAX_TABLE_ROWS:
        errors.append(f"{name} holds more than {MAX_TABLE_ROWS:,} children. Check you chose the right file.")
        return {}
    for child in children:
        own = _leaves(child, skip_records=True)
        rows["Header"].append(own)
        if own.get("UASC") == "1" or own.get("DUC"):
            rows["UASC"].append(own)
        if "IN_TOUCH" in own:
            rows["OC3"].append(own)
        if "DATE_INT" in own:
            rows["AD1"].append(own)
        for record in child.iter():
            table = _record_table(record) if record is not child else None
            if table:
                rows[table].append({**own, **_leaves(record)})
    if not children:
        errors.append(f"{name} holds no child (no element with a CHILDID): it is not an SSDA903 XML file.")
    tables = {}
    for table, records in rows.items():
        if records or table in ("Header", "Episodes"):
            frame = pd.DataFrame.from_records(records).reindex(columns=list(TABLES[table].columns)).fillna("")
            tables[table] = frame.astype(object).reset_index(drop=True)
    return tables


def read_tables(files: list[tuple[str, bytes]]) -> ReadTables:
    """Every file's table; file errors for anything that stops the set (the report shows them all at once)."""
    out = ReadTables()
    expanded: list[tuple[str, bytes]] = []
    for name, data in files:
        name = display_name(name)
        if data[:4] == b"PK\x03\x04":
            expanded += unzipped(name, data, out.file_errors)
        else:
            expanded.append((name, data))
    for name, data in expanded:
        if not data.strip():
            out.notes.append(f"{name} is empty: skipped (a table with no rows).")
            continue
        if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            for table, frame in _xml_tables(name, data, out.file_errors).items():
                if table in out.tables:
                    out.file_errors.append(f"{name} and {out.files[table]} both hold the {table} table: give each table once.")
                    continue
                out.tables[table], out.files[table] = frame, name
                out.row_labels[table] = (f"{table} record", 1)
            continue
        read = _frame(name, data, out.file_errors)
        if read is None:
            continue
        frame, distinct = read
        table = recognise(frame.columns)
        if table is None:
            out.file_errors.append(f"{name} is not one of the DfE's SSDA903 tables ({', '.join(TABLES)}): its columns "
                                   f"({', '.join(frame.columns[:8])}{', ...' if len(frame.columns) > 8 else ''}) match none.")
            continue
        if table in out.tables:
            out.file_errors.append(f"{name} and {out.files[table]} are both the {table} table: give each table once.")
            continue
        missing = missing_columns(table, frame.columns)
        if missing:
            out.file_errors.append(f"{name} (the {table} table) has no column {', '.join(missing)}; the DfE's columns "
                                   f"are {', '.join(TABLES[table].columns)}.")
            continue
        if frame.attrs.get("overlong_rows"):
            out.file_errors.append(f"{name}: row {frame.attrs['overlong_rows'][0]:,} has more values than the header "
                                   "has columns.")
            continue
        extra = [c for c in frame.columns if c not in TABLES[table].columns]
        if extra:
            out.notes.append(f"{name}: column(s) {', '.join(extra)} are not in the DfE's {table} table: ignored.")
        for column in TABLES[table].columns:
            if column not in frame.columns:
                frame[column] = ""
        out.tables[table] = frame[list(TABLES[table].columns)].reset_index(drop=True)
        out.files[table] = name
        out.distinct[table] = {c: distinct[c] for c in TABLES[table].columns if c in distinct}
    if not out.tables and not out.file_errors:
        out.file_errors.append("No SSDA903 table was found in the files given.")
    return out
