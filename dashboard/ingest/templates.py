"""Downloadable templates: CSV and Excel, the Excel with a data dictionary and the dataset's code lists."""
from __future__ import annotations

import io

import pandas as pd

from dashboard.ingest.specs import DatasetSpec


def template_rows(spec: DatasetSpec, la_code: str, period: str, catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """A ready-to-fill return: the rows the dataset expects (one per indicator, group, ...), with the LA and
    period filled in and values blank; just the header where rows are the LA's own (assignments, episodes)."""
    columns = [c.name for c in spec.columns]
    rows = spec.template(la_code, period, catalogue) if spec.template else pd.DataFrame(columns=[])
    rows = rows.copy()
    if spec.la_column:
        rows[spec.la_column] = la_code
    if spec.period_column:
        rows[spec.period_column] = period
    for column in columns:
        if column not in rows:
            rows[column] = ""
    return rows[columns]


def dictionary(spec: DatasetSpec) -> pd.DataFrame:
    return pd.DataFrame([{
        "column": c.name, "meaning": c.description,
        "required": "yes" if c.required and not c.allow_blank else ("column required, cell may be blank" if c.required else "optional"),
        "type": {"code": "code (text)", "date": "date YYYY-MM-DD", "text": "text",
                 "number": "whole number" if c.integer else "number"}[c.kind]
                + (f", {c.minimum:g} or more" if c.minimum is not None else "") + (f", {c.maximum:g} or less" if c.maximum is not None else ""),
        "example": c.example,
    } for c in spec.columns])


def template_csv(spec: DatasetSpec, la_code: str, period: str, catalogue: pd.DataFrame | None = None) -> bytes:
    return template_rows(spec, la_code, period, catalogue).to_csv(index=False).encode("utf-8-sig")


def template_xlsx(spec: DatasetSpec, la_code: str, period: str, catalogue: pd.DataFrame | None = None) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        template_rows(spec, la_code, period, catalogue).to_excel(writer, sheet_name="Data", index=False)
        dictionary(spec).to_excel(writer, sheet_name="Data dictionary", index=False)
        for name, table in (spec.reference_sheets(catalogue) if spec.reference_sheets else {}).items():
            table.to_excel(writer, sheet_name=name, index=False)
        pd.DataFrame({"about": [spec.label, spec.description, f"Period: {spec.period_label}.",
                                "Save as .xlsx (keep the sheet called Data first) or as 'CSV UTF-8'."]}).to_excel(
            writer, sheet_name="Read me", index=False)
        for sheet in writer.sheets.values():
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:100])
                sheet.column_dimensions[column[0].column_letter].width = min(max(12, width + 2), 90)
    return buffer.getvalue()
