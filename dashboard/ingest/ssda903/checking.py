"""A set of SSDA903 files for one LA and collection year -> the ingest report (file errors, each rule's findings
naming file, row, column, value and DfE rule) and, when nothing refuses it, the checked tables."""
from __future__ import annotations

import pandas as pd

from dashboard.ingest.specs import FIRST_DATA_ROW
from dashboard.ingest.ssda903.codes import FIRST_YEAR, LAST_YEAR, rules_year
from dashboard.ingest.ssda903.reading import read_tables
from dashboard.ingest.ssda903.rules import RULES, Return, check
from dashboard.ingest.validation import Report


def check_return(files: list[tuple[str, bytes]], period: str, report: Report) -> Return | None:
    """Fill `report`; the return's tables when it may be stored (no file error and no error-level finding)."""
    read = read_tables(files)
    report.file_errors += read.file_errors
    report.warnings += [{"row": "", "column": "", "value": "", "query": note} for note in read.notes]
    report.rows_read = sum(len(t) for t in read.tables.values())
    if report.file_errors:
        report.rows_rejected = report.rows_read
        return None
    year_end = int(period[:4])
    if rules_year(year_end) != year_end:
        report.warnings.append({"row": "", "column": "", "value": "", "query": (
            f"Checked with the {rules_year(year_end) - 1}/{str(rules_year(year_end))[2:]} code lists and rules: this app "
            f"holds the DfE's for {FIRST_YEAR - 1}/{str(FIRST_YEAR)[2:]} to {LAST_YEAR - 1}/{str(LAST_YEAR)[2:]}.")})
    ret = Return(read.tables, year_end, report.la_code)
    rejected = set()
    for finding in check(ret):
        definition = RULES[finding.rule]
        table = ret.tables[finding.table]
        label, first = read.row_labels.get(finding.table, ("row", FIRST_DATA_ROW))
        entry = {"row": f"{read.files[finding.table]}, {label} {finding.row + first}", "column": finding.column,
                 "value": str(table.at[finding.row, finding.column])}
        if definition.level == "error":
            rejected.add((finding.table, finding.row))
            report.row_errors.append({**entry, "rule": f"DfE rule {definition.code}: {definition.message}"})
        else:
            report.warnings.append({**entry, "query": f"DfE rule {definition.code}: {definition.message}"})
    report.rows_rejected = len(rejected)
    report.rows_accepted = report.rows_read - report.rows_rejected
    return ret if report.ok else None


def rule_counts(report: Report) -> pd.Series:
    """How many findings each DfE rule made (errors and queries), for the summary a data officer reads first."""
    rules = [e["rule"] for e in report.row_errors] + [w["query"] for w in report.warnings if w["row"]]
    return pd.Series([r.split(":")[0].removeprefix("DfE rule ") for r in rules], dtype=object).value_counts()
