"""What "period" means for each dataset: how it is written, which values are allowed, which are offered.

Each kind checks a period typed on the command line or chosen on the page and lists recent ones,
latest first. A problem is a plain-English sentence; None means the period is fine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd


@dataclass(frozen=True)
class PeriodKind:
    label: str                                      # the page's dropdown label: "Quarter", "Academic year"
    format_hint: str                                # how to write it on the command line
    check: Callable[[str], str | None]
    options: Callable[[pd.Timestamp], list[dict]]   # today -> [{"label", "value"}], latest first


def _today(today: pd.Timestamp | None) -> pd.Timestamp:
    return pd.Timestamp.now().normalize() if today is None else today


def _as_date(period: str) -> pd.Timestamp | str:
    try:
        date = pd.Timestamp(period)
    except ValueError:
        return f"'{period}' is not a date: write it as YYYY-MM-DD."
    if date.strftime("%Y-%m-%d") != period:
        return f"'{period}' is not a date: write it as YYYY-MM-DD."
    return date


def _check_quarter(period: str) -> str | None:
    date = _as_date(period)
    if isinstance(date, str):
        return date
    if date != date + pd.offsets.QuarterEnd(0):
        return f"{period} is not a quarter end: use 30 June, 30 September, 31 December or 31 March (YYYY-MM-DD)."
    if date > _last_quarter_ended(None):
        return f"{period} has not ended yet: a quarter's return is for a quarter that is over."
    return None


def _last_quarter_ended(today: pd.Timestamp | None) -> pd.Timestamp:
    """The latest quarter end on or before today: a quarter still running has no return yet."""
    today = _today(today)
    return today if today == today + pd.offsets.QuarterEnd(0) else today - pd.offsets.QuarterEnd(1)


def _quarters(today: pd.Timestamp | None = None, n: int = 12) -> list[dict]:
    latest = _last_quarter_ended(today)
    ends = [latest - pd.offsets.QuarterEnd(i) for i in range(n)]
    return [{"label": f"Quarter ending {d.day} {d:%B %Y}", "value": d.date().isoformat()} for d in ends]


def _check_march_31(period: str) -> str | None:
    date = _as_date(period)
    if isinstance(date, str):
        return date
    if (date.month, date.day) != (3, 31):
        return f"{period} is not a collection year end: SSDA903 years end on 31 March (YYYY-03-31)."
    if date > pd.Timestamp.now() + pd.DateOffset(years=1):
        return f"{period} is in the future."
    return None


def _march_31s(today: pd.Timestamp | None = None, n: int = 8) -> list[dict]:
    today = _today(today)
    last = today.year + (1 if today.month > 3 else 0)
    return [{"label": f"Year ending 31 March {y}", "value": f"{y}-03-31"} for y in range(last, last - n, -1)]


def _check_snapshot(period: str) -> str | None:
    date = _as_date(period)
    if isinstance(date, str):
        return date
    if date > pd.Timestamp.now().normalize():
        return f"{period} is in the future: give the date the staff figures were taken."
    if date.year < 2015:
        return f"{period} is before 2015."
    return None


def _snapshots(today: pd.Timestamp | None = None, n: int = 8) -> list[dict]:
    """Quarter ends up to today (a workforce snapshot is usually taken at one); the CLI takes any date."""
    today = _today(today)
    ends = [today - pd.offsets.QuarterEnd(i) for i in range(1, n + 1)]
    return [{"label": f"{d.day} {d:%B %Y}", "value": d.date().isoformat()} for d in ends]


def academic_year(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _check_academic_year(period: str) -> str | None:
    text = str(period)
    if len(text) != 7 or text[4] != "/" or not (text[:4] + text[5:]).isdigit() or academic_year(int(text[:4])) != text:
        return f"'{period}' is not an academic year: write it as 2023/24."
    if int(text[:4]) > pd.Timestamp.now().year:
        return f"{period} is in the future."
    return None


def _academic_years(today: pd.Timestamp | None = None, n: int = 8) -> list[dict]:
    today = _today(today)
    last = today.year - (1 if today.month < 9 else 0) - 1     # the latest year that has ended
    return [{"label": f"Academic year {academic_year(y)}", "value": academic_year(y)} for y in range(last, last - n, -1)]


def _check_calendar_year(period: str) -> str | None:
    text = str(period)
    if len(text) != 4 or not text.isdigit():
        return f"'{period}' is not a year: write it as 2025."
    if not 2010 <= int(text) <= pd.Timestamp.now().year:
        return f"{period} is outside 2010 to this year."
    return None


def _calendar_years(today: pd.Timestamp | None = None, n: int = 8) -> list[dict]:
    year = _today(today).year
    return [{"label": f"January {y}", "value": str(y)} for y in range(year, year - n, -1)]


QUARTER = PeriodKind("Quarter", "quarter end, YYYY-MM-DD", _check_quarter, _quarters)
COLLECTION_YEAR = PeriodKind("Collection year", "31 March the year ends, YYYY-03-31", _check_march_31, _march_31s)
SNAPSHOT = PeriodKind("Snapshot date", "date the figures were taken, YYYY-MM-DD", _check_snapshot, _snapshots)
ACADEMIC_YEAR = PeriodKind("Academic year", "academic year, e.g. 2023/24", _check_academic_year, _academic_years)
CENSUS_YEAR = PeriodKind("Census year", "year of the January census, e.g. 2025", _check_calendar_year, _calendar_years)
