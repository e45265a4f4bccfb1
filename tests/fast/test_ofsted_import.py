"""The Ofsted ILACS importer against the real file in ../shared/realdata: it must reproduce Ofsted's judgements and
dates as published, keep a blank a blank, and refuse a cell it cannot read, naming file, row and column."""
from datetime import date

import openpyxl
import pandas as pd
import pytest

from dashboard.dashboards.ofsted import returns as ofsted
from dashboard.dashboards.ofsted.data import PRE_DATES
from tests.shared_files import REALDATA, ROOT, shared_file

FILE = "ofsted/ofsted_csc_ilacs_overview.xlsx"
SCRAPE_BLANKS = {"", "nan", "none"}   # how the scrape writes "none given" (Brent's overall grade is the text "nan")


@pytest.fixture(scope="module")
def london_names():
    las = pd.read_csv(ROOT / "data" / "local_authorities.csv", dtype=str)
    return dict(zip(las["ons_code"], las["name"]))


@pytest.fixture(scope="module")
def rows(london_names):
    return {r["dfe_code"]: r for r in ofsted.read_ilacs(shared_file(REALDATA / FILE), london_names)}


@pytest.fixture(scope="module")
def sheet():
    """The workbook's cells as openpyxl reads them (not through the importer): {DfE code: {column: text}}."""
    book = openpyxl.load_workbook(shared_file(REALDATA / FILE), read_only=True)
    lines = list(book.worksheets[0].iter_rows(values_only=True))
    header = [str(c) for c in lines[0]]
    return {str(line[header.index("la_code")]): dict(zip(header, line)) for line in lines[1:] if line[0] is not None}


# As Ofsted's reports give them (checked by hand against the file): Camden, Lambeth, Havering, Harrow.
PUBLISHED = {
    "202": ("Camden", "short", date(2025, 3, 3), date(2025, 3, 7), date(2025, 4, 15),
            ("outstanding", "outstanding", "outstanding", "outstanding", "outstanding")),
    "208": ("Lambeth", "standard", date(2026, 1, 12), date(2026, 1, 23), date(2026, 3, 10),
            ("good", "good", "requires improvement", "good", "outstanding")),
    "311": ("Havering", "standard", date(2023, 12, 11), date(2023, 12, 22), date(2024, 2, 16),
            ("inadequate", "inadequate", "inadequate", "inadequate", "requires improvement")),
    "310": ("Harrow", "short", date(2025, 1, 20), date(2025, 1, 24), date(2025, 3, 4),
            ("inadequate", "requires improvement", "good", "good", "inadequate")),
}


@pytest.mark.parametrize("code", sorted(PUBLISHED))
def test_four_london_las_judgements_and_dates_are_as_ofsted_published_them(rows, code):
    name, framework, start, end, published, grades = PUBLISHED[code]
    r = rows[code]
    assert (r["la_name"], r["framework"], r["start_date"], r["end_date"], r["publication_date"]) == (
        name, framework, start, end, published)
    assert (r["overall"], r["leaders"], r["help_protection"], r["in_care"], r["care_leavers"]) == grades
    assert r["report_link"].startswith("https://files.ofsted.gov.uk/")


def test_every_row_matches_the_workbook_cell_by_cell(rows, sheet):
    assert set(rows) == set(sheet) and len(rows) == 153
    for code, cells in sheet.items():
        r = rows[code]
        for ours, theirs in ofsted.GRADE_COLUMNS.items():
            cell = (cells[theirs] or "").strip().lower()
            expected = None if cell in SCRAPE_BLANKS else PRE_DATES if cell == "inspection_pre_dates_judgement" else cell
            assert r[ours] == expected, (code, theirs)
        assert r["publication_date"].strftime("%d/%m/%y") == cells["publication_date"], code
        # Two LAs' (Brighton and Hove, Nottingham) start date and type are the text "None" in the file: kept blank.
        start, framework = (None if (cells[c] or "").lower() in SCRAPE_BLANKS else cells[c] for c in ("inspection_start_date", "inspection_framework"))
        assert (r["start_date"].strftime("%d/%m/%Y") if r["start_date"] else None) == start, code
        assert r["framework"] == framework, code
        assert r["ons_code"] == cells["ltla23cd"] or not str(cells["ltla23cd"]).startswith("E0"), code


def test_a_blank_overall_grade_stays_blank_and_the_other_judgements_stay(rows):
    brent = rows["304"]   # inspected April 2026: Ofsted gave the four judgements and no overall grade
    assert brent["la_name"] == "Brent" and brent["overall"] is None
    assert (brent["leaders"], brent["help_protection"], brent["in_care"], brent["care_leavers"]) == ("good",) * 4
    assert sorted(code for code, r in rows.items() if r["overall"] is None) == ["304", "933"]   # Brent, Somerset


def test_a_care_leavers_judgement_before_2023_is_not_a_grade(rows):
    early = [r for r in rows.values() if r["care_leavers"] == PRE_DATES]
    assert len(early) == 7 and all(r["start_date"] < date(2023, 1, 1) for r in early)
    assert all(r["overall"] in ofsted.GRADES for r in early)


def test_london_names_are_the_apps_and_others_read_as_the_la_spells_itself(rows):
    assert rows["201"]["la_name"] == "City of London"          # the file says "london corporation"
    assert rows["889"]["la_name"] == "Blackburn with Darwen"
    assert rows["882"]["la_name"] == "Southend-on-Sea"
    assert sum(r["ons_code"] is not None and r["ons_code"].startswith("E09") for r in rows.values()) == 33


def _write(tmp_path, change: dict[str, str], row: int = 0):
    """The real file as CSV with one row's cells changed."""
    frame = pd.read_excel(shared_file(REALDATA / FILE), dtype=str)
    for column, value in change.items():
        frame.loc[row, column] = value
    path = tmp_path / "ilacs.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("column,value,message", [
    ("overall_effectiveness_grade", "very good", r"ilacs.csv, row 4, column 'overall_effectiveness_grade': 'very good' is not an Ofsted grade"),
    ("publication_date", "31/02/24", r"ilacs.csv, row 4, column 'publication_date': '31/02/24' is not a date"),
    ("inspection_link", "javascript:alert(1)", r"ilacs.csv, row 4, column 'inspection_link': .* is not a web address"),
    ("la_code", "E09000022", r"ilacs.csv, row 4, column 'la_code': 'E09000022' is not a DfE LA number"),
    ("inspection_framework", "focused visit", r"ilacs.csv, row 4, column 'inspection_framework'"),
])
def test_a_cell_it_cannot_read_refuses_the_file_naming_row_and_column(tmp_path, london_names, column, value, message):
    path = _write(tmp_path, {column: value}, row=2)
    with pytest.raises(ofsted.OfstedImportError, match=message):
        ofsted.read_ilacs(path, london_names)


def test_the_same_la_twice_is_refused(tmp_path, london_names):
    path = _write(tmp_path, {"la_code": "370"}, row=1)   # row 2's LA made the same as row 1's (Barnsley, 370)
    with pytest.raises(ofsted.OfstedImportError, match=r"row 3, column 'la_code': LA 370 is also on row 2"):
        ofsted.read_ilacs(path, london_names)


def test_a_file_without_a_judgement_column_is_refused_naming_it(tmp_path, london_names):
    frame = pd.read_excel(shared_file(REALDATA / FILE), dtype=str).drop(columns=["care_leavers_grade"])
    path = tmp_path / "ilacs.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ofsted.OfstedImportError, match="missing column.*care_leavers_grade"):
        ofsted.read_ilacs(path, london_names)
