"""Table downloads: CSV and Excel (with a notes sheet), built on the server from the same rows the page shows."""
from __future__ import annotations

import io

import pandas as pd


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (OWASP CSV injection).

    Numbers stay numbers: only text is touched, so -3.5 as a number is kept as it is.
    """
    def clean(value):
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
    safe = table.copy()
    safe.columns = [clean(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(clean)
    return safe


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    # utf-8-sig so Excel opens pound signs and accents correctly.
    return neutralise_formulas(table).to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(table: pd.DataFrame, notes: list[tuple[str, str]], sheet_name: str = "Data") -> bytes:
    """A workbook with the table and a Notes sheet (source, period, definitions, demo-data label)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_formulas(table).to_excel(writer, sheet_name=sheet_name, index=False)
        neutralise_formulas(pd.DataFrame(notes, columns=["Note", "Detail"])).to_excel(writer, sheet_name="Notes", index=False)
        for sheet in writer.sheets.values():
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:200])
                sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 80)
    return buffer.getvalue()


def table_file(table: pd.DataFrame, notes: list[tuple[str, str]], stem: str, kind: str) -> tuple[bytes, str]:
    """A page's table download: (bytes, file name), CSV for kind "csv", otherwise an Excel workbook with its notes."""
    if kind == "csv":
        return to_csv_bytes(table), f"{stem}.csv"
    return to_excel_bytes(table, notes), f"{stem}.xlsx"
