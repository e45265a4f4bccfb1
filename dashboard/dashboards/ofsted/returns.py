"""Ofsted inspections: the published file it reads, and its writes. Members upload nothing here (no `UPLOAD`).

The file: data-to-insight's summary of Ofsted's published inspections of local authority children's services
(ILACS), one row per English LA with its latest inspection (`ofsted_csc_ilacs_overview.xlsx`, or a CSV of it).
`python -m dashboard import-published FOLDER` recognises it by its columns (`published_routes`).

No demo data: the judgements are published facts about named LAs, and a made-up "inadequate" beside a real LA's
name would be read as real. Until the file is imported the page says so and shows only the area SEND inspections
the SEND page holds (labelled as demo there and here when they are).
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

# Its table and names are defined with its reads (data.py).
from dashboard.dashboards.ofsted.data import GRADES, JUDGEMENTS, LABEL, NAME, PRE_DATES, ofsted_ilacs  # noqa: F401
from dashboard.published.ofsted_providers import _cell, _where   # one reading of a cell and its place, for both Ofsted importers
from dashboard.published.routes import Route, is_london
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction

# The file's column for each judgement.
GRADE_COLUMNS = {
    "overall": "overall_effectiveness_grade",
    "leaders": "impact_of_leaders_grade",
    "help_protection": "help_and_protection_grade",
    "in_care": "in_care_grade",
    "care_leavers": "care_leavers_grade",
}
DATE_COLUMNS = {"start_date": "inspection_start_date", "end_date": "inspection_end_date",
                "publication_date": "publication_date"}
REQUIRED = ("la_code", "ltla23cd", "local_authority", "region_code", "inspection_framework", "inspection_link",
            *DATE_COLUMNS.values(), *GRADE_COLUMNS.values())
REGION_NAMES = {"GL": "London", "NW": "North West", "SE": "South East", "WM": "West Midlands", "SW": "South West",
                "YH": "Yorkshire and the Humber", "EM": "East Midlands", "E": "East of England", "NE": "North East"}
# What the scrape writes where the care leavers judgement did not exist yet (inspections before January 2023).
PRE_DATES_IN_FILE = "inspection_pre_dates_judgement"
SMALL_WORDS = {"and", "upon", "of", "on", "the", "with"}   # lower case inside an LA's name
BLANKS = {"", "nan", "none", "na", "n/a", "nat"}


class OfstedImportError(ValueError):
    """The file could not be read: the message names the file, row and column."""


def parse_grade(value, *, file: str, row: int, column: str) -> str | None:
    """One of Ofsted's four grades (lower case), PRE_DATES, or None for no judgement given: never a guess."""
    text = _cell(value).lower()
    if text in BLANKS:
        return None
    if text == PRE_DATES_IN_FILE:
        return PRE_DATES
    if text in GRADES:
        return text
    raise OfstedImportError(f"{_where(file, row, column)}: {_cell(value)!r} is not an Ofsted grade "
                            f"({', '.join(GRADES)}), blank or {PRE_DATES_IN_FILE}")


def parse_date(value, *, file: str, row: int, column: str) -> date | None:
    """dd/mm/yyyy or dd/mm/yy (as the scrape writes them), or an ISO date or spreadsheet date; blank is None. The
    scrape writes 01/01/1900 for "none": a year before 2000 is None too."""
    text = _cell(value)
    if text.lower() in BLANKS:
        return None
    parsed = None
    for pattern in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = pd.to_datetime(text, format=pattern).date()
            break
        except (ValueError, TypeError):
            continue
    if parsed is None:
        raise OfstedImportError(f"{_where(file, row, column)}: {text!r} is not a date (dd/mm/yyyy)")
    return None if parsed.year < 2000 else parsed


def parse_framework(value, *, file: str, row: int, column: str) -> str | None:
    text = _cell(value).lower()
    if text in BLANKS:
        return None
    for framework in ("short", "standard"):
        if framework in text:
            return framework
    raise OfstedImportError(f"{_where(file, row, column)}: {_cell(value)!r} is not an ILACS inspection type (short or standard)")


def parse_link(value, *, file: str, row: int, column: str) -> str | None:
    """The report's address: only http(s) links reach the page (anything else in a link could run in a browser)."""
    text = _cell(value)
    if text.lower() in BLANKS:
        return None
    if not re.match(r"^https?://[^\s\"'<>]+$", text) or len(text) > 300:
        raise OfstedImportError(f"{_where(file, row, column)}: {text[:60]!r} is not a web address (https://...)")
    return text


def la_name(raw: str, ons_code: str | None, london_names: dict[str, str]) -> str:
    """The app's own name for a London LA ("london corporation" is the City of London); otherwise the file's lower-case
    name in title case, with "and", "upon" and "of" kept lower case, as the LA spells itself."""
    if ons_code in london_names:
        return london_names[ons_code]
    pieces = re.split(r"([ -])", raw.strip().lower())   # words and the spaces or hyphens between them
    return "".join(p if p in SMALL_WORDS and i else p.capitalize() for i, p in enumerate(pieces))


def _frame(path: Path) -> pd.DataFrame:
    file = path.name
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raw = pd.read_excel(path, dtype=str, header=None)
    else:
        raw = pd.read_csv(path, dtype=str, header=None, keep_default_na=False, encoding="utf-8-sig")
    header = next((i for i in range(min(len(raw), 10)) if "overall_effectiveness_grade" in set(raw.iloc[i].astype(str).str.strip())), None)
    if header is None:
        raise OfstedImportError(f"{file}: no header row with 'overall_effectiveness_grade' in the first 10 rows")
    frame = raw.iloc[header + 1:].copy()
    frame.columns = [str(c).strip() for c in raw.iloc[header]]
    frame.index = range(header + 2, header + 2 + len(frame))   # rows as a spreadsheet numbers them
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise OfstedImportError(f"{file}: missing column(s) {', '.join(missing)}")
    return frame


def read_ilacs(path: Path, london_names: dict[str, str]) -> list[dict]:
    """Every row of the file as a stored row (`ofsted_ilacs`); a cell it cannot read refuses the whole file, naming
    file, row and column. `london_names`: {ONS code: name} of London's LAs."""
    file = path.name
    frame = _frame(Path(path))
    rows, seen = [], {}
    for number, r in frame.iterrows():
        if not any(_cell(v) for v in r):
            continue   # a blank line at the end of a sheet
        code = _cell(r["la_code"]).removesuffix(".0")
        if not re.fullmatch(r"\d{3}", code):
            raise OfstedImportError(f"{_where(file, number, 'la_code')}: {code!r} is not a DfE LA number (3 digits)")
        if code in seen:
            raise OfstedImportError(f"{_where(file, number, 'la_code')}: LA {code} is also on row {seen[code]} "
                                    "(the file holds each LA's latest inspection once)")
        seen[code] = number
        ons = _cell(r["ltla23cd"])
        ons = ons if re.fullmatch(r"E\d{8}", ons) else None
        region = _cell(r["region_code"])
        row = {
            "dfe_code": code, "ons_code": ons,
            "la_name": la_name(_cell(r["local_authority"]), ons, london_names)[:80],
            "region": REGION_NAMES.get(region, region or ("London" if is_london(ons) else None)),
            "urn": _cell(r.get("urn")).removesuffix(".0")[:12] or None,
            "framework": parse_framework(r["inspection_framework"], file=file, row=number, column="inspection_framework"),
            "report_link": parse_link(r["inspection_link"], file=file, row=number, column="inspection_link"),
        }
        row.update({ours: parse_date(r[theirs], file=file, row=number, column=theirs) for ours, theirs in DATE_COLUMNS.items()})
        row.update({ours: parse_grade(r[theirs], file=file, row=number, column=theirs) for ours, theirs in GRADE_COLUMNS.items()})
        rows.append(row)
    if not rows:
        raise OfstedImportError(f"{file}: no LA rows")
    published = [r["publication_date"] for r in rows if r["publication_date"]]
    last = f"reports published to {max(published):%d %B %Y}" if published else "no report dates"
    source = (f"Ofsted, inspections of local authority children's services (ILACS), latest per LA, {last}; "
              f"scraped from the reports by data-to-insight ({file})")[:200]
    for r in rows:
        r["source"] = source
    return rows


def store_ilacs(engine: Engine, rows: list[dict]) -> int:
    """One file's inspections in one transaction: they replace the rows of the LAs it names (a London cut leaves the
    rest of England as it was)."""
    with write_transaction(engine, NAME) as conn:
        conn.execute(ofsted_ilacs.delete().where(ofsted_ilacs.c.dfe_code.in_({r["dfe_code"] for r in rows})))
        conn.execute(ofsted_ilacs.insert(), rows)
        return bump_version(conn, NAME, is_demo=False)


def load_demo(engine: Engine, seed: int) -> int:
    """No demo inspections (see the module's note): the table is emptied, as a first start leaves it before the
    published file is imported."""
    with write_transaction(engine, NAME) as conn:
        conn.execute(ofsted_ilacs.delete())
        return bump_version(conn, NAME, is_demo=False)


def _summary(rows: list[dict]) -> tuple[int, int, Counter]:
    markers = Counter()
    for r in rows:
        for judgement in JUDGEMENTS:
            if r[judgement] is None:
                markers["no judgement given"] += 1
            elif r[judgement] == PRE_DATES:
                markers[PRE_DATES] += 1
    return len(rows), sum(is_london(r["ons_code"]) for r in rows), markers


def published_routes() -> list[Route]:
    return [Route(
        "ofsted_ilacs", "Ofsted inspections", "Ofsted's latest inspection of each LA's children's services (ILACS)", NAME,
        frozenset({"la_code", "overall_effectiveness_grade", "impact_of_leaders_grade", "help_and_protection_grade",
                   "in_care_grade", "care_leavers_grade", "inspection_framework"}),
        lambda path, context: read_ilacs(path, {code: name for name, code in context["la_names"].items()}),
        lambda engine, rows, _context: store_ilacs(engine, rows), _summary)]
