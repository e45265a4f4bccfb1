"""Small files in the layout of Ofsted's provider-level tables ("Children's social care data in England"), made by
the tests: the columns as Ofsted publishes them, children's homes' names and addresses "REDACTED"."""
from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

PLACES_COLUMNS = ["Web link", "URN", "Provision type", "Registration date", "Registration status", "Name", "Address 1",
                  "Town", "Postcode", "Ofsted region", "Local authority", "Sector", "Places",
                  "Organisation which owns the provider"]
IN_YEAR_COLUMNS = ["Web link", "URN", "Provision type", "Registration date", "Registration status", "Name", "Address 1",
                   "Town", "Postcode", "Ofsted region", "Local authority", "Sector", "Places",
                   "Organisation which owns the provider", "Event type", "Inspection date", "Publication date",
                   "Overall experiences and progress of children and young people",
                   "How well children and young people are helped and protected",
                   "The effectiveness of leaders and managers"]
CLOSED_COLUMNS = ["URN", "Provision type", "Registration date", "Date closed", "Local authority", "Sector", "Places",
                  "Organisation which owns the provider"]
HOME = "Children's home"


def provider(urn, la, places, owner, sector="Private", provision=HOME, registered="01/06/2015", status="Active"):
    redacted = provision == HOME
    return {"Web link": f"https://reports.ofsted.gov.uk/provider/44/{urn}", "URN": urn, "Provision type": provision,
            "Registration date": registered, "Registration status": status,
            "Name": "REDACTED" if redacted else f"Provider {urn}", "Address 1": "REDACTED" if redacted else "1 High St",
            "Town": "REDACTED" if redacted else "London", "Postcode": "REDACTED" if redacted else "SE1 1AA",
            "Ofsted region": "London", "Local authority": la, "Sector": sector, "Places": places,
            "Organisation which owns the provider": owner}


# Hand-made providers at 31 March 2025: Lambeth (south) 2 homes, 4 + 6 places, one LA-run; Southwark (south) one home
# of 3 places (owner Acme) and an IFA; Hackney (east) one home with places not given; Kent (outside London) a home.
PROVIDERS_2025 = [
    provider("SC100001", "Lambeth", "4", "Acme Care Ltd"),
    provider("SC100002", "Lambeth", "6", "Lambeth Council", sector="Local authority", registered="12/05/2024"),
    provider("SC100003", "Southwark", "3", "Acme Care Ltd"),
    provider("SC100004", "Southwark", "", "Foster Partners", provision="Independent fostering agency"),
    provider("SC100005", "Hackney", "", "Bright Homes", sector="Voluntary"),
    provider("SC100006", "Kent", "5", "Acme Care Ltd"),
]


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, columns: list[str], rows: list[dict], title: str | None, sheet: str) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(columns)
    for row in rows:
        ws.append([row.get(c, "") for c in columns])
    ws.append([])
    ws.append(["Source: Ofsted"])   # a footnote under the table, as Ofsted's sheets have
    book.save(path)
    return path


def places_file(folder: Path, rows=None, name="Providers_places_at_31_Mar_2025.csv") -> Path:
    return write_csv(folder / name, PLACES_COLUMNS, PROVIDERS_2025 if rows is None else rows)


def in_year_rows() -> list[dict]:
    """SC100001: good (2024-06-10), then inadequate (2025-01-20); SC100003: an interim 'improved effectiveness' (not a
    grade) on 2024-09-01 after outstanding on 2023-11-02 (in an earlier year's file, so only here as the latter)."""
    def inspection(base, date, judgement, event="Full inspection"):
        return {**base, "Event type": event, "Inspection date": date, "Publication date": date,
                "Overall experiences and progress of children and young people": judgement,
                "How well children and young people are helped and protected": judgement,
                "The effectiveness of leaders and managers": judgement}
    first, third = PROVIDERS_2025[0], PROVIDERS_2025[2]
    return [inspection(first, "10/06/2024", "Good"), inspection(first, "20/01/2025", "Inadequate"),
            inspection(third, "01/09/2024", "Improved effectiveness", "Interim inspection"),
            inspection(third, "02/11/2023", "Outstanding")]


def in_year_file(folder: Path, name="Provider_level_in_year_2024-25.xlsx") -> Path:
    return write_xlsx(folder / name, IN_YEAR_COLUMNS, in_year_rows(), "Provider level data in year 2024-25", "Inspections")


def closed_file(folder: Path, name="Closed_childrens_homes_31Mar2025.csv") -> Path:
    rows = [{"URN": "SC099001", "Provision type": HOME, "Registration date": "01/01/2010", "Date closed": "15/08/2024",
             "Local authority": "Lambeth", "Sector": "Private", "Places": "2", "Organisation which owns the provider": "Old Co"},
            {"URN": "SC099002", "Provision type": HOME, "Registration date": "01/01/2012", "Date closed": "03/03/2023",
             "Local authority": "Croydon", "Sector": "Private", "Places": "4", "Organisation which owns the provider": "Old Co"}]
    return write_csv(folder / name, CLOSED_COLUMNS, rows)
