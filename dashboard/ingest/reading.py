"""Stage one: turn an uploaded file into a table of text cells, or stop at once with a file-level error.

Checked before anything is parsed: the size. Then: the type (CSV or Excel, by content, not by
name), the encoding (UTF-8), Excel decompression bombs, macros, XML entity declarations and XML nested too deep
or holding too many elements (checked in one streaming pass before openpyxl reads anything), the
header (missing or duplicated columns) and the file's shape: columns, characters in a cell and rows
are each bounded, and a file past a bound is refused at the row that crosses it, so the work an upload
costs grows with its size and no further. The file name is only ever shown, never used as a path.
"""
from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections import Counter
from datetime import date, datetime

import pandas as pd

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024   # an .xlsx that unpacks to more than this is refused
MAX_ZIP_RATIO = 100                      # ... or that compresses more than 100:1 (a zip bomb)
MAX_ZIP_PARTS = 1_000                    # an .xlsx saved by Excel holds a few dozen parts
MAX_COLUMNS = 100                        # the widest return has 18 columns
MAX_CELL_CHARS = 5_000                   # no value in a return is near this long


CUT_SHORT = "\x00cut short"   # marks the cell after the last one of a truncated final row
MACRO_PARTS = ("vbaproject", "activex", "vbadata")   # parts that carry macros or controls (any case, any folder)


class FileRejected(ValueError):
    """The whole file is refused; the message says why in plain English."""


def display_name(file_name: str) -> str:
    """The file's own name, stripped of any folders and control characters, for showing only."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:200] or "upload"


def _is_excel(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


MAX_XML_DEPTH = 64             # Excel nests a sheet's elements about 7 deep (worksheet, sheetData, row, c, is, r, t)
MAX_ELEMENTS_IN_A_CELL = 1_000  # a cell (or shared string) of rich text holds a few elements per run
XML_CHUNK = 1 << 20             # the parts are parsed as a stream, a megabyte at a time


def max_xml_elements(max_rows: int) -> int:
    """The most XML elements a workbook within the upload's bounds needs (a few per cell, the styles and the rest):
    a file holding more is refused before openpyxl reads it."""
    return (max_rows + 2) * (MAX_COLUMNS * 4 + 2) + 200_000


class _XmlScan:
    """One streaming pass (expat, in C; a constant amount of Python per element) over every XML part of a workbook:
    counts elements and nesting as they open, and stops at the first bound crossed, so the work grows with the
    file's size and no faster, and a deep or wide part is refused before openpyxl builds anything from it."""

    def __init__(self, name: str, max_elements: int):
        self.name, self.max_elements = name, max_elements
        self.elements = 0
        self.has_formulas = False

    def scan(self, part: str, stream) -> None:
        import xml.parsers.expat
        depth, cell_depth, in_cell = 0, 0, 0
        worksheet = part.lower().startswith("xl/worksheets/")
        name = self.name

        def start(tag, _attributes):
            nonlocal depth, cell_depth, in_cell
            depth += 1
            self.elements += 1
            if depth > MAX_XML_DEPTH:
                raise FileRejected(f"{name}: {part} nests its XML more than {MAX_XML_DEPTH} levels deep; Excel writes "
                                   "a few levels, so the file was not opened. Save it again from Excel and retry.")
            if self.elements > self.max_elements:
                raise FileRejected(f"{name} holds more than {self.max_elements:,} XML elements (in {part}), far more "
                                   "than a return of its size needs, so it was not opened. Check you chose the right file.")
            local = tag.rpartition(":")[2]
            if cell_depth:
                in_cell += 1
                if in_cell > MAX_ELEMENTS_IN_A_CELL:
                    raise FileRejected(f"{name}: one cell in {part} holds more than {MAX_ELEMENTS_IN_A_CELL:,} XML "
                                       "elements; Excel writes a few, so the file was not opened. Check you chose the "
                                       "right file.")
            elif local in ("c", "si"):
                cell_depth, in_cell = depth, 0
            if worksheet and local == "f":
                self.has_formulas = True

        def end(_tag):
            nonlocal depth, cell_depth
            if depth == cell_depth:
                cell_depth = 0
            depth -= 1

        def declaration(*_args):
            raise FileRejected(f"{name} declares XML entities in {part}, which Excel never writes, so it was not "
                               "opened. Save it again from Excel and retry.")

        parser = xml.parsers.expat.ParserCreate()
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = declaration
        try:
            while chunk := stream.read(XML_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError as exc:
            raise FileRejected(f"{name} cannot be read as Excel: {part} is not well-formed XML "
                               f"({xml.parsers.expat.ErrorString(exc.code)}, line {exc.lineno}). Save it again and retry.")


def check_excel(name: str, data: bytes, max_elements: int) -> bool:
    """Refuse an .xlsx before openpyxl opens it: damaged, a zip bomb, too many parts, macros, XML that declares
    entities or a document type (Excel never writes either; entities are how XML bombs and file reads work), or
    XML nested too deep or holding too many elements. Returns whether any worksheet holds a formula."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise FileRejected(f"{name} looks like Excel but cannot be opened (it may be cut short). Save it again and retry.")
    if len(parts) > MAX_ZIP_PARTS:
        raise FileRejected(f"{name} holds {len(parts):,} parts; an Excel file has a few dozen, so it was not opened.")
    total = 0
    for info in parts:
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
            raise FileRejected(f"{name} expands to far more than its size (a 'zip bomb'), so it was not opened.")
        if any(marker in info.filename.lower() for marker in MACRO_PARTS):
            raise FileRejected(f"{name} carries macros ({info.filename}). Save it as a plain Excel workbook (.xlsx) "
                               "without macros, or as 'CSV UTF-8', and upload that.")
    if total > MAX_UNZIPPED_BYTES:
        raise FileRejected(f"{name} unpacks to more than {MAX_UNZIPPED_BYTES // 2**20} MB, so it was not opened.")
    scan = _XmlScan(name, max_elements)
    try:
        for info in parts:   # every part read once, as a stream: linear in the (bounded) unpacked size
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                with archive.open(info) as stream:
                    scan.scan("".join(ch for ch in info.filename[:200] if ch.isprintable()), stream)
    except (zipfile.BadZipFile, EOFError, zlib.error):
        raise FileRejected(f"{name} is damaged: its parts do not match their checksums or sizes. Save it again and retry.")
    return scan.has_formulas


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


def _check_row(name: str, row: list[str], number: int) -> None:
    """Refuse a row past the file's bounds (too many cells, or a cell too long), naming it."""
    if len(row) > MAX_COLUMNS:
        raise FileRejected(f"{name}: row {number:,} has {len(row):,} cells; a return has at most {MAX_COLUMNS} columns. "
                           "Check you chose the right file.")
    for column, cell in enumerate(row, start=1):
        if len(cell) > MAX_CELL_CHARS:
            raise FileRejected(f"{name}: row {number:,}, column {column} holds {len(cell):,} characters; no value in a "
                               f"return is longer than {MAX_CELL_CHARS:,}. Check you chose the right file.")


def _past_the_row_limit(rows: list[list[str]], row: list[str], max_rows: int) -> bool:
    """Whether to stop reading at `row`: once the header and one row more than the limit are read, the first row
    past them holding a value is the proof the file is too long (it is kept, so the limit is reported); blank rows
    past the limit (Excel's formatted empty rows) are read on, cheaply, as a value may follow them."""
    if len(rows) <= max_rows + 1 or not any(cell.strip() for cell in row):
        return False
    rows.append(row)
    return True


def _excel_damaged(name: str, exc: Exception) -> FileRejected:
    if isinstance(exc, zipfile.BadZipFile):
        return FileRejected(f"{name} is damaged: its parts do not match their checksums or sizes. Save it again and retry.")
    return FileRejected(f"{name} cannot be read as Excel ({type(exc).__name__}). Save it again as .xlsx and retry.")


def _excel_rows(name: str, data: bytes, max_rows: int) -> tuple[list[list[str]], list[tuple[int, int]]]:
    """The sheet's rows as text, and the cells holding a formula with no saved result (row index, column index;
    the cell holds the formula's text): read as blank, such a cell would be a value missing and reported nowhere."""
    from openpyxl import load_workbook
    has_formulas = check_excel(name, data, max_xml_elements(max_rows))
    rows, uncalculated = [], []
    try:
        # The formulas are read (a second pass) only when a sheet holds any: most returns hold none.
        books = [load_workbook(io.BytesIO(data), read_only=True, data_only=only)
                 for only in ((True, False) if has_formulas else (True,))]
        sheets = [book["Data"] if "Data" in book.sheetnames else book.worksheets[0] for book in books]
        for sheet in sheets:
            sheet.reset_dimensions()   # each row as wide as its own cells: a forged size does not widen every row
        formula_rows = sheets[1].iter_rows(values_only=True) if len(sheets) > 1 else iter(lambda: (), None)
        for number, (values, formulas) in enumerate(zip(sheets[0].iter_rows(values_only=True), formula_rows), start=1):
            row = [_cell_text(v) for v in values]
            for column, (value, formula) in enumerate(zip(values, formulas)):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    uncalculated.append((len(rows), column))
                    row[column] = formula   # shown in the report as the cell's value
            while row and not row[-1].strip():
                row.pop()
            if _past_the_row_limit(rows, row, max_rows):
                break
            _check_row(name, row, number)
            if len(rows) <= max_rows + 1:
                rows.append(row)
        for book in books:
            book.close()
    except FileRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl and the XML and zip readers raise many kinds for a damaged file
        raise _excel_damaged(name, exc)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()  # Excel's trailing empty rows
    return rows, uncalculated


def _csv_rows(name: str, data: bytes, max_rows: int) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FileRejected(f"{name} is not UTF-8 text (first unreadable byte on line {line}). "
                           "In Excel choose 'Save as' and 'CSV UTF-8', then upload again.")
    if "\x00" in text:
        raise FileRejected(f"{name} holds binary data, not CSV text. Upload a CSV or Excel (.xlsx) file.")
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for number, row in enumerate(reader, start=1):
            if _past_the_row_limit(rows, row, max_rows):
                break
            _check_row(name, row, number)
            if len(rows) <= max_rows + 1:
                rows.append(row)
    except csv.Error as exc:   # a value past the csv module's own limit (131,072 characters), or a stray quote
        raise FileRejected(f"{name}: row {len(rows) + 1:,} (line {reader.line_num:,}) cannot be read as CSV ({exc}). "
                           f"No value in a return is longer than {MAX_CELL_CHARS:,} characters.")
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    # A last line with no line end and fewer cells than the header: the file was cut short in that row.
    if len(rows) > 1 and not text.endswith(("\n", "\r")) and len(rows[-1]) < len(rows[0]):
        rows[-1] = rows[-1] + [CUT_SHORT]
    return rows


def read_csv_table(name: str, data: bytes, *, max_rows: int) -> pd.DataFrame:
    """A CSV's rows as text cells under its header (names stripped, as written), within an upload's bounds (columns,
    characters in a cell, rows); FileRejected naming the file and row otherwise. For readers of a standard's own
    tables (SSDA903), which recognise a table by its columns."""
    rows = _csv_rows(name, data, max_rows)
    if not rows:
        raise FileRejected(f"{name} has no rows.")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    if len(body) > max_rows:
        raise FileRejected(f"{name} has more than {max_rows:,} data rows. Check you chose the right file.")
    width = len(header)
    if body and body[-1][-1:] == [CUT_SHORT]:
        body[-1] = body[-1][:-1]
    frame = pd.DataFrame([(row + [""] * width)[:width] for row in body], columns=header, dtype=object)
    # Rows with values past the header's columns (row numbers, header = 1): the reader reports them, after it has
    # said whether the header is a table's at all.
    frame.attrs["overlong_rows"] = [number for number, row in enumerate(body, start=2)
                                    if len(row) > width and any(cell.strip() for cell in row[width:])]
    return frame


def read_upload(file_name: str, data: bytes, *, max_bytes: int, max_rows: int) -> pd.DataFrame:
    """The file's data rows as text (header names lower-cased and trimmed); raises FileRejected."""
    name = display_name(file_name)
    if len(data) > max_bytes:
        raise FileRejected(f"{name} is {len(data) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB.")
    if not data or data.isspace():   # (no copy of the file, as strip() would make)
        raise FileRejected(f"{name} is empty.")
    rows, uncalculated = _excel_rows(name, data, max_rows) if _is_excel(data) else (_csv_rows(name, data, max_rows), [])
    if not rows:
        raise FileRejected(f"{name} has no rows.")
    header = [h.strip().lower() for h in rows[0]]
    counts = Counter(h for h in header if h)
    duplicated = sorted(h for h, n in counts.items() if n > 1)
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
    # Formula cells with no saved result (Excel): (row index, column name), reported as row errors.
    frame.attrs["uncalculated_formulas"] = [(i - 1, frame.columns[j]) for i, j in uncalculated if i >= 1 and j < width]
    frame.attrs["file_name"] = name
    return frame
