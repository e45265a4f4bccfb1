"""Ofsted's provider-level files ("Children's social care data in England"), read: the layout Ofsted publishes, each
file's kind told by its columns, every cell checked before anything is stored. Placements and supply stores what
they hold; Sufficiency takes the inspections' grades for its placements' URNs (both through `import-published`).

- "Providers places at 31 August/March <year>" (places): every registered provider on that date, with URN, Provision
  type, Registration date, Registration status, Local authority, Sector, Places and the organisation which owns it.
- "Provider level in year <year>" (inspections): every inspection in the year, with its date and judgements.
- "Closed children's homes" (closures): homes that closed, with the date closed.
All three are recognised by their columns (URN, Provision type, Local authority, Sector) and told apart by what else
they hold: "Date closed" makes a closures file; a date "at <day> <month> <year>" in the sheet's title rows, the sheet's
name or the file's name makes a places file (its latest-inspection columns, when it has them, are kept as
inspections too); inspection date and judgement columns without such a date make an in-year inspections file.
Children's homes' names and addresses are published as "REDACTED": the importer never reads them.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pandas as pd

# The bounds of a real file (England's largest places file has about 7,000 rows and 30 columns): past them the file is
# refused before any row is read, so a wrong or hostile file costs little.
MAX_BYTES = 40 * 1024 * 1024
MAX_ROWS = 60_000
MAX_COLUMNS = 150
MAX_CELL_CHARS = 1_000
MAX_PLACES = 5_000          # the largest residential providers (boarding schools) have a few hundred to 1,500

REQUIRED = frozenset({"URN", "Provision type", "Local authority", "Sector"})
OWNER_COLUMNS = ("Organisation which owns the provider", "Organisation name", "Owner")
INSPECTION_DATE_COLUMNS = ("Inspection date", "Latest full inspection date", "Latest inspection date")
JUDGEMENT_COLUMNS = ("Overall experiences and progress of children and young people", "Overall effectiveness",
                     "Latest full inspection overall effectiveness", "Latest inspection overall effectiveness")
CLOSED_COLUMNS = ("Date closed", "Closure date")
GRADE_WORDS = {"outstanding": 1, "good": 2, "requires improvement to be good": 3, "requires improvement": 3,
               "inadequate": 4}
BLANKS = {"", "nan", "none", "nat", "n/a", "na", "-", ".", "x", "z", "redacted", "not applicable"}
MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
AT_DATE = re.compile(r"(?<![A-Za-z])at[\s_]+(\d{1,2})(?:st|nd|rd|th)?[\s_]+([A-Za-z]{3,9})[\s_]*(\d{4}|\d{2})(?!\d)",
                     re.IGNORECASE)
URN = re.compile(r"^[A-Z]{0,4}\d{4,8}$")


class OfstedProviderError(ValueError):
    """The file could not be read: the message names the file, and the row and column where there is one."""


# --- reading ----------------------------------------------------------------------------------------------------

def _cell(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def _where(file: str, row: int, column: str) -> str:
    return f"{file}, row {row}, column '{column}'"


def parse_date(value, *, file: str, row: int, column: str) -> date | None:
    """dd/mm/yyyy (as Ofsted writes dates), ISO, or a spreadsheet date; blank is None."""
    text = _cell(value)
    if text.lower() in BLANKS:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not 1900 <= parsed.year <= 2100:
            break
        return parsed
    raise OfstedProviderError(f"{_where(file, row, column)}: {text[:40]!r} is not a date (dd/mm/yyyy)")


def parse_places(value, *, file: str, row: int, column: str) -> int | None:
    """A count of places, or None when not given (blank or a marker): missing is never 0."""
    text = _cell(value).replace(",", "")
    if text.lower() in BLANKS:
        return None
    try:
        number = float(text)
    except ValueError:
        raise OfstedProviderError(f"{_where(file, row, column)}: {text[:40]!r} is not a number of places")
    if not number.is_integer() or not 0 <= number <= MAX_PLACES:
        raise OfstedProviderError(f"{_where(file, row, column)}: {text[:40]!r} is not a number of places "
                                  f"(a whole number from 0 to {MAX_PLACES:,})")
    return int(number)


def parse_judgement(value) -> tuple[str | None, int | None]:
    """(the judgement as published, its grade 1-4 or None when it is not one of Ofsted's four grades)."""
    text = " ".join(_cell(value).split())
    if text.lower() in BLANKS:
        return None, None
    return text[:80], GRADE_WORDS.get(text.lower())


def _text(value, limit: int) -> str | None:
    text = " ".join(_cell(value).split())
    return None if text.lower() in BLANKS else text[:limit]


def _name_key(name: str) -> str:
    """A London LA's name as Ofsted, ONS and DfE variously write it, reduced to one key."""
    text = name.lower().replace("&", " and ").replace("-", " ")
    text = re.sub(r"\b(london borough of|royal borough of|borough of|council|lb)\b", " ", text)
    text = re.sub(r"[^a-z ]", " ", text)
    text = " ".join(text.split())
    if text in ("london corporation", "city of london corporation", "corporation of london"):
        return "city of london"
    return text.removeprefix("city of ") if text != "city of london" else text


def london_code(name: str | None, london: dict[str, str]) -> str | None:
    """The ONS code of the London LA `name` names, or None (an LA outside London)."""
    return london.get(_name_key(name)) if name else None


def snapshot_date(texts: list[str]) -> date | None:
    """The first "at <day> <month> <year>" in the sheet's title rows, its name or the file's name."""
    for text in texts:
        for day, month, year in AT_DATE.findall(text or ""):
            number = MONTHS.get(month[:3].lower())
            if number is None:
                continue
            year = int(year) + (2000 if len(year) == 2 else 0)
            try:
                return date(year, number, int(day))
            except ValueError:
                continue
    return None


def _raw_sheets(path: Path) -> list[tuple[str, pd.DataFrame]]:
    """(sheet name, cells as text with no header) of each sheet; a CSV is one sheet named after the file."""
    if path.stat().st_size > MAX_BYTES:
        raise OfstedProviderError(f"{path.name}: {path.stat().st_size / 2**20:.0f} MB is larger than any Ofsted "
                                  f"provider file ({MAX_BYTES // 2**20} MB at most), so it was not read")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, header=None)
        return list(sheets.items())
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return [(path.stem, pd.read_csv(path, dtype=str, header=None, keep_default_na=False, encoding=encoding))]
        except UnicodeDecodeError:
            continue
    raise OfstedProviderError(f"{path.name}: not text (UTF-8 or Windows-1252)")


def _table(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The first sheet whose header (within its first 10 rows) has URN, Provision type, Local authority and Sector:
    its rows numbered as a spreadsheet numbers them, and the texts that may name its date (title rows, sheet name,
    file name)."""
    for sheet, raw in _raw_sheets(path):
        for header in range(min(len(raw), 10)):
            names = [_cell(c) for c in raw.iloc[header]]
            if REQUIRED <= set(names):
                if len(names) > MAX_COLUMNS:
                    raise OfstedProviderError(f"{path.name}: {len(names)} columns; an Ofsted provider table has at most "
                                              f"{MAX_COLUMNS}, so it was not read")
                if len(raw) - header - 1 > MAX_ROWS:
                    raise OfstedProviderError(f"{path.name}: {len(raw) - header - 1:,} rows; an Ofsted provider table has "
                                              f"at most {MAX_ROWS:,}, so it was not read")
                duplicated = sorted(n for n, k in Counter(n for n in names if n).items() if k > 1)
                if duplicated:
                    raise OfstedProviderError(f"{path.name}: column(s) {', '.join(duplicated)} appear twice")
                frame = raw.iloc[header + 1:].copy()
                frame.columns = [n or f"(unnamed {i + 1})" for i, n in enumerate(names)]
                frame.index = range(header + 2, header + 2 + len(frame))
                titles = [" ".join(_cell(c) for c in raw.iloc[r]) for r in range(header)]
                return frame, [*titles, sheet, path.stem]
    raise OfstedProviderError(f"{path.name}: no sheet has a header with URN, Provision type, Local authority and Sector "
                              "in its first 10 rows")


def _first(frame: pd.DataFrame, names) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def _check_cells(file: str, frame: pd.DataFrame) -> None:
    lengths = frame.apply(lambda column: column.map(lambda v: len(_cell(v))))
    too_long = lengths > MAX_CELL_CHARS
    if too_long.to_numpy().any():
        row, column = next((r, c) for c in frame.columns for r in frame.index[too_long[c].to_numpy()])
        raise OfstedProviderError(f"{_where(file, row, column)}: {int(lengths.at[row, column]):,} characters; no value "
                                  f"in an Ofsted provider table is longer than {MAX_CELL_CHARS:,}")


def read_providers(path: Path, london_names: dict[str, str]) -> dict:
    """One Ofsted provider-level file as {"kind", "at" (places files), "file", "places", "inspections", "closures"}
    (lists of rows for the tables). A cell it cannot read refuses the whole file, naming file, row and column.
    `london_names`: {name: ONS code} of London's LAs."""
    path = Path(path)
    file = path.name
    frame, texts = _table(path)
    _check_cells(file, frame)
    london = {_name_key(name): code for name, code in london_names.items()}
    owner_column = _first(frame, OWNER_COLUMNS)
    date_column, judgement_column = _first(frame, INSPECTION_DATE_COLUMNS), _first(frame, JUDGEMENT_COLUMNS)
    closed_column = _first(frame, CLOSED_COLUMNS)
    at = snapshot_date(texts)
    if closed_column:
        kind = "closures"
    elif at is not None:
        kind = "places"
        if "Places" not in frame.columns:
            raise OfstedProviderError(f"{file}: a providers and places file (at {at:%d %B %Y}) with no 'Places' column")
    elif date_column and judgement_column:
        kind = "inspections"
    else:
        raise OfstedProviderError(
            f"{file}: an Ofsted provider table, but not one of the three this page reads: a places file names its date "
            "('at 31 March 2025') in its title, sheet or file name; an in-year file has 'Inspection date' and "
            "'Overall experiences and progress of children and young people' (or 'Overall effectiveness'); a closures "
            "file has 'Date closed'")
    places, inspections, closures, seen = [], [], [], {}
    for number, r in frame.iterrows():
        if not any(_cell(v) for v in r):
            continue   # a blank line (Ofsted's sheets end with notes after one)
        urn = _cell(r["URN"]).removesuffix(".0").upper()
        if not URN.match(urn):
            if not urn and not any(_cell(r[c]) for c in ("Provision type", "Local authority", "Sector")):
                continue   # a footnote under the table
            raise OfstedProviderError(f"{_where(file, number, 'URN')}: {urn[:20]!r} is not an Ofsted URN "
                                      "(e.g. SC123456 or 1234567)")
        provision = _text(r["Provision type"], 80)
        if provision is None:
            raise OfstedProviderError(f"{_where(file, number, 'Provision type')}: blank (every provider has a type)")
        la_name = _text(r["Local authority"], 80)
        provider = {
            "urn": urn, "provision_type": provision, "sector": _text(r["Sector"], 40), "la_name": la_name,
            "la_code": london_code(la_name, london),
            "places": parse_places(r["Places"], file=file, row=number, column="Places") if "Places" in frame.columns else None,
            "owner": _text(r[owner_column], 160) if owner_column else None,
            "registration_date": (parse_date(r["Registration date"], file=file, row=number, column="Registration date")
                                  if "Registration date" in frame.columns else None),
            "registration_status": _text(r["Registration status"], 40) if "Registration status" in frame.columns else None,
        }
        if kind == "places":
            if urn in seen:
                raise OfstedProviderError(f"{_where(file, number, 'URN')}: {urn} is also on row {seen[urn]} (a places file "
                                          "lists each provider once)")
            seen[urn] = number
            places.append({"at": at, **provider})
        if kind == "closures":
            closed = parse_date(r[closed_column], file=file, row=number, column=closed_column)
            if closed is None:
                raise OfstedProviderError(f"{_where(file, number, closed_column)}: blank (a closed home has a date closed)")
            closures.append({**provider, "date_closed": closed})
        if date_column and judgement_column:
            inspected = parse_date(r[date_column], file=file, row=number, column=date_column)
            judgement, grade = parse_judgement(r[judgement_column])
            if inspected is not None and judgement is not None:
                inspections.append({**provider, "inspection_date": inspected, "judgement": judgement, "grade": grade})
    rows = places or closures or inspections
    if not rows:
        raise OfstedProviderError(f"{file}: no provider rows" + (" with an inspection date and judgement"
                                                                 if kind == "inspections" else ""))
    # The same provider inspected twice on one day (a full inspection and a visit): the graded judgement is kept.
    inspections = list({(i["urn"], i["inspection_date"]): i for i in sorted(inspections, key=lambda i: i["grade"] is not None)}.values())
    closures = list({c["urn"]: c for c in sorted(closures, key=lambda c: c["date_closed"])}.values())
    if kind == "inspections":
        dates = [i["inspection_date"] for i in inspections]
        period = f"{min(dates):%Y-%m-%d} to {max(dates):%Y-%m-%d}"
    elif kind == "closures":
        dates = [c["date_closed"] for c in closures]
        period = f"{min(dates):%Y-%m-%d} to {max(dates):%Y-%m-%d}"
    else:
        period = f"{at:%Y-%m-%d}"
    return {"kind": kind, "at": at, "period": period, "file": file, "places": places, "inspections": inspections,
            "closures": closures}
