"""A generated corpus of hostile upload files, each made at a chosen size: wide (many columns), long (many rows),
deep (nested XML), binary, compressed, and malformed Excel files. Used by the tests (each must be refused with a
message) and by `bench/run upload-bounds` (the time to refuse must grow in proportion to the size)."""
from __future__ import annotations

import gzip
import io
import random
import zipfile

LA, PERIOD = "E09000022", "2026-06-30"
BENCHMARKING_HEADER = "la_code,period_end,indicator_code,value,numerator,denominator"


def wide_csv(columns: int) -> bytes:
    """A header of `columns` distinct names and one row: the shape that kept a thread busy for 46 minutes."""
    return (",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("1" for _ in range(columns)) + "\n").encode()


def wide_row_csv(cells: int) -> bytes:
    """A good header, then a data row of `cells` cells."""
    return (BENCHMARKING_HEADER + "\n" + ",".join("1" for _ in range(cells)) + "\n").encode()


def long_csv(rows: int) -> bytes:
    """A good header, then `rows` rows: far more than any one LA's return for one period."""
    return (BENCHMARKING_HEADER + "\n" + f"{LA},{PERIOD},cla_rate,1,,\n" * rows).encode()


def long_cell_csv(characters: int) -> bytes:
    """One cell of `characters` characters with no line end (a file that is one enormous line)."""
    return (BENCHMARKING_HEADER + "\n" + f"{LA},{PERIOD},cla_rate," + "9" * characters).encode()


def deep_csv(lines: int) -> bytes:
    """One quoted cell running over `lines` lines (a quote never closed)."""
    return (BENCHMARKING_HEADER + "\n" + f'{LA},{PERIOD},"' + "x\n" * lines).encode()


def binary(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


def gzipped_csv(rows: int) -> bytes:
    """A compressed CSV uploaded as it is."""
    return gzip.compress(long_csv(rows))


def _xlsx(sheet_xml: bytes, *, extra_parts: dict[str, bytes] | None = None, stored: bool = False) -> bytes:
    """A minimal .xlsx whose first sheet is `sheet_xml` (a full worksheet document)."""
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b'</Types>',
        "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            b'</Relationships>',
        "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            b'</Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
        **(extra_parts or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _sheet(rows_xml: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{rows_xml}</sheetData></worksheet>').encode()


def _cell(column: int, row: int, text: str) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f'<c r="{letters}{row}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx_rows(rows: list[list[str]], **kwargs) -> bytes:
    """A small .xlsx holding these rows (inline strings), for building good and bad files alike."""
    return _xlsx(_sheet("".join(f'<row r="{r}">' + "".join(_cell(c, r, v) for c, v in enumerate(row)) + "</row>"
                                for r, row in enumerate(rows, start=1))), **kwargs)


def wide_xlsx(columns: int) -> bytes:
    return xlsx_rows([[f"c{i}" for i in range(min(columns, 16_384))]])


def long_xlsx(rows: int) -> bytes:
    return xlsx_rows([BENCHMARKING_HEADER.split(",")] + [[LA, PERIOD, "cla_rate", "1", "", ""]] * rows)


def deep_xlsx(depth: int) -> bytes:
    """A sheet whose one cell nests `depth` elements inside each other."""
    nested = "<x>" * depth + "1" + "</x>" * depth
    return _xlsx(_sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>la_code</t>{nested}</is></c></row>'), stored=True)


def wide_xml_xlsx(elements: int) -> bytes:
    """A sheet whose one cell holds `elements` sibling elements (XML that is wide inside one cell)."""
    siblings = "<x/>" * elements
    return _xlsx(_sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>la_code</t>{siblings}</is></c></row>'), stored=True)


def many_elements_xlsx(elements: int, *, then_deep: int = 0) -> bytes:
    """A sheet of `elements` empty elements between its rows (a huge element count in a small file), then, if asked,
    one cell nested `then_deep` levels deep: refused only once every element before it has been read."""
    filler = "<x/>" * elements
    nested = "<x>" * then_deep + "</x>" * then_deep
    return _xlsx(_sheet(f'<row r="1"><c r="A1" t="inlineStr"><is><t>la_code</t></is></c></row>{filler}'
                        f'<row r="2"><c r="A2" t="inlineStr"><is><t>1</t>{nested}</is></c></row>'), stored=True)


def entity_xlsx(repeats: int = 10) -> bytes:
    """A sheet that declares an entity and uses it (the start of every XML bomb and external-file read)."""
    doctype = f'<!DOCTYPE worksheet [<!ENTITY big "{"x" * repeats}">]>'
    return _xlsx(_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&big;</t></is></c></row>', doctype))


def macro_xlsx() -> bytes:
    """A workbook carrying a VBA project, named .xlsx."""
    return xlsx_rows([BENCHMARKING_HEADER.split(",")], extra_parts={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512})


def bad_checksum_xlsx() -> bytes:
    """A workbook whose sheet's bytes were changed after its checksum was written."""
    data = bytearray(xlsx_rows([BENCHMARKING_HEADER.split(","), [LA, PERIOD, "cla_rate", "12", "", ""]], stored=True))
    at = data.index(b"<t>12</t>")
    data[at + 3] = ord("9")
    return bytes(data)


def forged_size_xlsx(claimed: int = 10) -> bytes:
    """A workbook whose sheet's sizes are written as `claimed` bytes, in its local header and central directory."""
    data = bytearray(xlsx_rows([BENCHMARKING_HEADER.split(","), [LA, PERIOD, "cla_rate", "12", "", ""]], stored=True))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        start = 0
        while (found := data.find(signature, start)) != -1:
            name_at = found + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                for offset in (size_at, size_at + 4):   # compressed and uncompressed sizes
                    data[found + offset:found + offset + 4] = claimed.to_bytes(4, "little")
            start = found + 4
    return bytes(data)


def truncated_xlsx() -> bytes:
    good = long_xlsx(50)
    return good[:len(good) // 2]


def uncalculated_formula_xlsx(saved: str | None = None) -> bytes:
    """A benchmarking return whose value cell is a formula Excel never calculated (no saved result), or one whose
    saved result is `saved`."""
    rows_xml = ('<row r="1">' + "".join(_cell(c, 1, v) for c, v in enumerate(BENCHMARKING_HEADER.split(","))) + "</row>"
                '<row r="2">' + "".join(_cell(c, 2, v) for c, v in enumerate([LA, PERIOD, "cla_rate"]))
                + '<c r="D2"><f>SUM(1,2)</f>' + (f"<v>{saved}</v>" if saved is not None else "") + "</c></row>")
    return _xlsx(_sheet(rows_xml))


# Every hostile file at a modest size, with a word its refusal must hold (the tests check each).
CORPUS = {
    "wide CSV header": (lambda: wide_csv(100_000), "100,000 cells"),
    "wide CSV row": (lambda: wide_row_csv(50_000), "50,000 cells"),
    "long CSV": (lambda: long_csv(200_000), "more than 500 data rows"),
    "one enormous line": (lambda: long_cell_csv(200_000), "cannot be read as CSV"),
    "long cell": (lambda: long_cell_csv(20_000) + b"\n", "20,000 characters"),
    "deep CSV (an unclosed quote)": (lambda: deep_csv(100_000), "cannot be read as CSV"),
    "binary": (lambda: binary(100_000), "not UTF-8"),
    "gzip-compressed CSV": (lambda: gzipped_csv(1_000), "not UTF-8"),
    "wide Excel": (lambda: wide_xlsx(16_384), "16,384 cells"),
    "long Excel": (lambda: long_xlsx(2_000), "more than 500 data rows"),
    "deep Excel": (lambda: deep_xlsx(50_000), "nests its XML more than 64 levels deep"),
    "wide Excel XML (one cell)": (lambda: wide_xml_xlsx(100_000), "one cell in xl/worksheets/sheet1.xml holds more"),
    "Excel with a huge element count": (lambda: many_elements_xlsx(600_000), "XML elements (in xl/worksheets/sheet1.xml)"),
    "Excel declaring entities": (lambda: entity_xlsx(), "declares XML entities"),
    "Excel with macros": (lambda: macro_xlsx(), "carries macros"),
    "Excel with a bad checksum": (lambda: bad_checksum_xlsx(), "damaged"),
    "Excel with forged sizes": (lambda: forged_size_xlsx(), "damaged"),
    "truncated Excel": (lambda: truncated_xlsx(), "cannot be opened"),
}


# Hostile files offered as published statistics (`import-published`, or the first-start import), with the file name
# they arrive under and a word the refusal must hold.
PUBLISHED_CORPUS = {
    "wide CSV header": ("wide.csv", lambda: wide_csv(100_000), "header row is longer than 100,000 characters"),
    "wide CSV header, short names": ("wide_short.csv", lambda: (",".join("a" for _ in range(20_000)) + "\n").encode(),
                                     "header row has 20,000 columns"),
    "one enormous line": ("line.csv", lambda: b"x" * 300_000, "header row is longer"),
    "binary": ("binary.csv", lambda: binary(100_000), "not text"),
    "text holding NUL bytes": ("nul.csv", lambda: b"a,b\n1,\x00\n" * 1_000, "binary data"),
    "deep Excel": ("deep.xlsx", lambda: deep_xlsx(50_000), "nests its XML more than 64 levels deep"),
    "wide Excel XML (one cell)": ("cell.xlsx", lambda: wide_xml_xlsx(100_000), "holds more than 1,000 XML elements"),
    "Excel declaring entities": ("entities.xlsx", lambda: entity_xlsx(), "declares XML entities"),
    "Excel with macros": ("macros.xlsx", lambda: macro_xlsx(), "carries macros"),
    "Excel with a bad checksum": ("checksum.xlsx", lambda: bad_checksum_xlsx(), "damaged"),
    "truncated Excel": ("truncated.xlsx", lambda: truncated_xlsx(), "cannot be opened"),
    "zip bomb": ("bomb.xlsx", lambda: xlsx_rows([["a" * 1_000_000]]), "zip bomb"),
}
