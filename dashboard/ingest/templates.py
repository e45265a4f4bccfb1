"""Downloadable templates: CSV and Excel, the Excel with a data dictionary and the code lists."""
from __future__ import annotations

import io

import pandas as pd

from dashboard.ingest.specs import DatasetSpec


def template_rows(spec: DatasetSpec, la_code: str, period: str, catalogue: pd.DataFrame) -> pd.DataFrame:
    """A ready-to-fill return: one row per indicator, with the LA and quarter filled in, values blank."""
    columns = [c.name for c in spec.columns]
    rows = pd.DataFrame({"indicator_code": catalogue["code"]})
    rows["la_code"], rows["period_end"] = la_code, period
    for column in columns:
        if column not in rows:
            rows[column] = ""
    return rows[columns]


def dictionary(spec: DatasetSpec) -> pd.DataFrame:
    return pd.DataFrame([{
        "column": c.name, "meaning": c.description,
        "required": "yes" if c.required and not c.allow_blank else ("column required, cell may be blank" if c.required else "optional"),
        "type": {"code": "code (text)", "date": "date YYYY-MM-DD", "number": "number"}[c.kind],
        "example": c.example,
    } for c in spec.columns])


def template_csv(spec: DatasetSpec, la_code: str, period: str, catalogue: pd.DataFrame) -> bytes:
    return template_rows(spec, la_code, period, catalogue).to_csv(index=False).encode("utf-8-sig")


def template_xlsx(spec: DatasetSpec, la_code: str, period: str, catalogue: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        template_rows(spec, la_code, period, catalogue).to_excel(writer, sheet_name="Data", index=False)
        dictionary(spec).to_excel(writer, sheet_name="Data dictionary", index=False)
        catalogue[["code", "name", "unit", "decimal_places", "polarity", "definition"]].to_excel(
            writer, sheet_name="Indicators", index=False)
        pd.DataFrame({"about": [spec.label, spec.description, f"Period: {spec.period_label}.",
                                "Save as .xlsx (keep the sheet called Data first) or as 'CSV UTF-8'."]}).to_excel(
            writer, sheet_name="Read me", index=False)
        for sheet in writer.sheets.values():
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column[:100])
                sheet.column_dimensions[column[0].column_letter].width = min(max(12, width + 2), 90)
    return buffer.getvalue()
