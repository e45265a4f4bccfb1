"""A set of SSDA903 files for one LA -> the ingest report (file errors, each rule's findings naming file, row, column,
value and DfE rule) and, when nothing refuses it, the checked tables: one collection year, or several at once.

Several years in one upload: files whose names carry a year ("2017-episodes.csv", "2021-22/header.csv", a zip named
"2019.zip") are grouped by it, and each group is checked as its own collection year, by that year's rules. A name's
year may be the year's start or its end ("2017" for 2017/18, or "2018"): the group's episodes say which (the
latest episode start falls in the year). Nothing is stored unless every year passes.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard.ingest.reading import display_name
from dashboard.ingest.specs import FIRST_DATA_ROW
from dashboard.ingest.ssda903.codes import FIRST_YEAR, LAST_YEAR, rules_year
from dashboard.ingest.ssda903.reading import ReadTables, read_tables, unzipped
from dashboard.ingest.ssda903.rules import RULES, Return, findings
from dashboard.ingest.validation import Report

# A year in a file's (or its zip's) name: 2017, or 2017-18 / 2017_18 / 201718 naming both ends.
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?:[-_ ]?(\d{2}))?(?!\d)")


def year_label(year_end: int) -> str:
    return f"{year_end - 1}/{str(year_end)[2:]}"


def check_return(files: list[tuple[str, bytes]], period: str, report: Report) -> Return | None:
    """Fill `report` for one collection year; the return's tables when it may be stored (no file error and no
    error-level finding)."""
    return _check_read(read_tables(files), int(period[:4]), report)


def _check_read(read: ReadTables, year_end: int, report: Report, label: str = "") -> Return | None:
    where = f"{label}: " if label else ""
    report.file_errors += [where + e for e in read.file_errors]
    report.warnings += [{"row": "", "column": "", "value": "", "query": where + note} for note in read.notes]
    report.rows_read += sum(len(t) for t in read.tables.values())
    if read.file_errors:
        report.rows_rejected += sum(len(t) for t in read.tables.values())
        return None
    if rules_year(year_end) != year_end:
        report.warnings.append({"row": "", "column": "", "value": "", "query": where + (
            f"Checked with the {year_label(rules_year(year_end))} code lists and rules: this app holds the DfE's for "
            f"{year_label(FIRST_YEAR)} to {year_label(LAST_YEAR)}.")})
    ret = Return(read.tables, year_end, report.la_code, distinct_given=read.distinct)
    rejected = {name: np.zeros(len(frame), dtype=bool) for name, frame in ret.tables.items()}
    for code, table_name, rows, column in findings(ret):
        definition = RULES[code]
        row_label, first = read.row_labels.get(table_name, ("row", FIRST_DATA_ROW))
        place = f"{where}{read.files[table_name]}, {row_label} "
        values = ret.tables[table_name][column].to_numpy(dtype=object)[rows].tolist()
        if definition.level == "error":
            rejected[table_name][rows] = True
            found, key = report.row_errors, "rule"
        else:
            found, key = report.warnings, "query"
        text = f"DfE rule {definition.code}: {definition.message}"
        found += [{"row": f"{place}{row + first}", "column": column, "value": str(value), key: text}
                  for row, value in zip(rows.tolist(), values)]
    rejected = sum(int(mask.sum()) for mask in rejected.values())
    report.rows_rejected += rejected
    report.rows_accepted = report.rows_read - report.rows_rejected
    return ret if not rejected else None


def _name_year(name: str) -> tuple[int, int | None] | None:
    """The last year a file's name (with its zip's) carries: (first year, end year when the name gives both)."""
    found = _YEAR_IN_NAME.findall(name)
    if not found:
        return None
    start, end = found[-1]
    end_year = int(start[:2] + end) if end else None
    return int(start), (end_year if end_year == int(start) + 1 else None)   # "2020_05" is not a year's two ends


def _year_end(named: tuple[int, int | None], read: ReadTables) -> int:
    """The collection year (its 31 March) a group of files named `named` holds: given by the name when it names both
    ends, otherwise the year its latest episode start falls in (a name's year may be a year's start or its end)."""
    start, end = named
    if end is not None:
        return end
    episodes = read.tables.get("Episodes")
    starts = pd.Series(dtype="datetime64[ns]") if episodes is None else \
        pd.to_datetime(episodes["DECOM"], format="%d/%m/%Y", errors="coerce").fillna(
            pd.to_datetime(episodes["DECOM"], format="%Y-%m-%d", errors="coerce"))
    latest = starts.max()
    return start if pd.isna(latest) or latest <= pd.Timestamp(start, 3, 31) else start + 1


def check_years(files: list[tuple[str, bytes]], period: str, report: Report) -> list[Return] | None:
    """Fill `report` for one or several collection years (see the module's note); the checked returns, oldest year
    first, when every year may be stored."""
    expanded: list[tuple[str, bytes]] = []
    for name, data in files:
        if data[:4] == b"PK\x03\x04":
            expanded += unzipped(display_name(name), data, report.file_errors)
        else:
            expanded.append((name, data))
    if report.file_errors:
        return None
    named = {name: _name_year(name) for name, _data in expanded}
    years_named = {year for year in named.values() if year}
    if len(years_named) <= 1:
        if years_named:   # one year in the names: checked by another year's rules, every row would seem wrong
            named_year = next(iter(years_named))
            # A name giving both ends says the year; otherwise the episodes do (read once more only then).
            end = named_year[1] or _year_end(named_year, read_tables(expanded))
            if end != int(period[:4]):
                report.file_errors.append(
                    f"The files are the {year_label(end)} return (the year in their names, and their episodes): "
                    f"choose the collection year ending 31 March {end} ({end}-03-31), or take the year out of the "
                    "names.")
                return None
        ret = check_return(expanded, period, report)
        return None if ret is None else [ret]
    unnamed = [display_name(name) for name, year in named.items() if year is None]
    if unnamed:
        report.file_errors.append(f"The files are for several years, but {', '.join(unnamed)} names no year: put the "
                                  "year in each file's name (as 2021-episodes.csv) or in its zip's name.")
        return None
    groups: dict[tuple, list] = {}
    for name, data in expanded:
        groups.setdefault(named[name], []).append((name, data))
    reads = {year: read_tables(group) for year, group in groups.items()}
    years: dict[int, tuple] = {}
    for year, read in reads.items():
        end = _year_end(year, read)
        if end in years:
            report.file_errors.append(f"Two sets of files are for {year_label(end)} (named {years[end][0]} and {year[0]}): "
                                      "give each year's tables once.")
            return None
        years[end] = year
    if max(years) != int(period[:4]):
        report.file_errors.append(f"The files hold the years {', '.join(year_label(y) for y in sorted(years))}: choose "
                                  f"the latest, the collection year ending 31 March {max(years)} ({max(years)}-03-31).")
        return None
    returns = [_check_read(reads[years[end]], end, report, f"{year_label(end)} return") for end in sorted(years)]
    return None if any(r is None for r in returns) or not report.ok else returns


def rule_counts(report: Report) -> pd.Series:
    """How many findings each DfE rule made (errors and queries), for the summary a data officer reads first."""
    rules = [e["rule"] for e in report.row_errors] + [w["query"] for w in report.warnings if w["row"]]
    return pd.Series([r.split(":")[0].removeprefix("DfE rule ") for r in rules], dtype=object).value_counts()
