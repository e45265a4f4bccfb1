"""Hostile uploads are refused early with a message naming the file, and the work spent on one is bounded: each row
read is checked once, and reading stops at the row that crosses a bound (counted here, never timed; the time is
measured in `bench/run upload-bounds`). Formulas are reported however they are disguised, and an Excel cell
holding a formula that was never calculated is reported, not read as blank."""
import pandas as pd
import pytest

from dashboard.dashboards.agency_pay.returns import UPLOAD as AGENCY_PAY
from dashboard.dashboards.benchmarking.returns import UPLOAD as BENCHMARKING
from dashboard.ingest import reading
from dashboard.ingest.validation import Report, validate_frame, validate_upload
from tests import bad_files

MAX_BYTES = 10 * 2**20


@pytest.fixture()
def rows_checked(monkeypatch):
    """How many rows, and cells, the reader checked (each row it reads is checked once)."""
    counts = {"rows": 0, "cells": 0}
    check_row = reading._check_row

    def counting(name, row, number):
        counts["rows"] += 1
        counts["cells"] += len(row)
        return check_row(name, row, number)
    monkeypatch.setattr(reading, "_check_row", counting)
    return counts


@pytest.mark.parametrize("case", list(bad_files.CORPUS))
def test_every_hostile_file_is_refused_with_a_message(case):
    make, expected = bad_files.CORPUS[case]
    report = validate_upload(BENCHMARKING, f"{case}.xlsx", make(), bad_files.LA, bad_files.PERIOD,
                             {"codes": {"la_code": {bad_files.LA}}}, max_bytes=MAX_BYTES)
    assert not report.ok and report.file_errors
    message = " ".join(report.file_errors)
    assert expected in message, message
    assert report.summary().startswith(f"{case}.xlsx was rejected")


def test_a_100000_column_header_is_refused_after_reading_one_row(rows_checked):
    with pytest.raises(reading.FileRejected) as refused:
        reading.read_upload("wide.csv", bad_files.wide_csv(100_000), max_bytes=MAX_BYTES, max_rows=500)
    assert str(refused.value) == ("wide.csv: row 1 has 100,000 cells; a return has at most 100 columns. "
                                  "Check you chose the right file.")
    assert rows_checked["rows"] == 1


@pytest.mark.parametrize("make", [bad_files.long_csv, bad_files.long_xlsx], ids=["csv", "xlsx"])
def test_a_long_file_is_read_no_further_than_the_row_limit(rows_checked, make):
    with pytest.raises(reading.FileRejected, match="long.file has more than 500 data rows"):
        reading.read_upload("long.file", make(5_000), max_bytes=MAX_BYTES, max_rows=500)
    assert rows_checked["rows"] <= 502 and rows_checked["cells"] <= 502 * 6


GOOD_ROW = f"{bad_files.LA},{bad_files.PERIOD},cla_rate,1,,"


@pytest.mark.parametrize("blank", [",,,,,", ""], ids=["empty cells", "empty lines"])
def test_a_row_after_blank_rows_past_the_row_limit_is_not_dropped(blank):
    """Reading once stopped at the row limit and then dropped trailing blank rows, so a row after 600 blank rows
    was lost without a word and the file passed."""
    data = "\n".join([bad_files.BENCHMARKING_HEADER, GOOD_ROW, *[blank] * 600, GOOD_ROW]) + "\n"
    with pytest.raises(reading.FileRejected, match="gap.csv has more than 500 data rows"):
        reading.read_upload("gap.csv", data.encode(), max_bytes=MAX_BYTES, max_rows=500)
    xlsx = bad_files.xlsx_rows([bad_files.BENCHMARKING_HEADER.split(","), GOOD_ROW.split(","), *[[""]] * 600,
                                GOOD_ROW.split(",")])
    with pytest.raises(reading.FileRejected, match="gap.xlsx has more than 500 data rows"):
        reading.read_upload("gap.xlsx", xlsx, max_bytes=MAX_BYTES, max_rows=500)


def test_blank_rows_past_the_row_limit_are_read_and_ignored(rows_checked):
    """Excel's formatted empty rows at the end: the return's rows are read, the blank ones (each still checked
    against the bounds) ignored."""
    data = "\n".join([bad_files.BENCHMARKING_HEADER, GOOD_ROW, *[",,,,,"] * 2_000]) + "\n"
    frame = reading.read_upload("tail.csv", data.encode(), max_bytes=MAX_BYTES, max_rows=500)
    assert len(frame) == 1 and rows_checked["rows"] == 2_002
    wide_blank = "\n".join([bad_files.BENCHMARKING_HEADER, *[",,,,,"] * 600, "," * 200]) + "\n"
    with pytest.raises(reading.FileRejected, match="row 602 has 201 cells"):
        reading.read_upload("tail.csv", wide_blank.encode(), max_bytes=MAX_BYTES, max_rows=500)


def test_a_cell_past_the_csv_modules_limit_is_refused_naming_its_row():
    with pytest.raises(reading.FileRejected) as refused:
        reading.read_upload("big.csv", bad_files.long_cell_csv(140_000), max_bytes=MAX_BYTES, max_rows=500)
    assert str(refused.value).startswith("big.csv: row 2 (line 2) cannot be read as CSV (field larger than field limit")


def test_duplicated_columns_are_still_named_in_a_wide_header():
    header = ",".join([f"c{i}" for i in range(90)] + ["c3", "c7", "c3"])
    with pytest.raises(reading.FileRejected, match=r"^dup.csv: the columns c3, c7 appear more than once"):
        reading.read_upload("dup.csv", (header + "\n").encode(), max_bytes=MAX_BYTES, max_rows=500)


def test_a_formula_with_no_saved_result_is_kept_and_marked_not_read_as_blank():
    frame = reading.read_upload("sums.xlsx", bad_files.uncalculated_formula_xlsx(), max_bytes=MAX_BYTES, max_rows=500)
    assert frame.at[0, "value"] == "=SUM(1,2)"
    assert frame.attrs["uncalculated_formulas"] == [(0, "value")]


def test_a_calculated_formula_is_read_as_its_result():
    frame = reading.read_upload("sums.xlsx", bad_files.uncalculated_formula_xlsx(saved="3"), max_bytes=MAX_BYTES,
                                max_rows=500)
    assert frame.at[0, "value"] == "3" and frame.attrs["uncalculated_formulas"] == []


AGENCY_ROW = {"la_code": "E09000022", "period_end": "2026-09-30", "job_type": "social_worker", "hourly_rate": "38.50",
              "paye": "no", "hours_per_week": "37", "start_date": "2025-11-03", "legacy": "no", "charge_rate": "45.00"}
BENCHMARKING_ROW = {"la_code": "E09000022", "period_end": "2026-06-30", "indicator_code": "cla_rate", "value": "10",
                    "numerator": "", "denominator": ""}


@pytest.mark.parametrize("disguise", [" ", "\xa0", "\n", "\t", ""], ids=["space", "nbsp", "line feed", "tab", "plain"])
@pytest.mark.parametrize("formula", ["=1+1", "\uff1d1+1", "+1+1", "@SUM(1)", "|calc", "\uff20SUM(1)"])
@pytest.mark.parametrize("spec,row,column", [(AGENCY_PAY, AGENCY_ROW, "job_type"),
                                             (BENCHMARKING, BENCHMARKING_ROW, "indicator_code")],
                         ids=["text column", "code column"])
def test_formulas_are_errors_however_they_are_disguised(formula, disguise, spec, row, column):
    frame = pd.DataFrame([{**row, column: disguise + formula}], dtype=object)
    report = Report(spec.name, "return.csv", "", row["la_code"], row["period_end"])
    context = {"codes": {"la_code": {"E09000022"}, "indicator_code": {"cla_rate"}}, "units": {"cla_rate": "rate"}}
    validate_frame(spec, frame, row["la_code"], row["period_end"], context, report)
    assert [(e["row"], e["column"], e["rule"]) for e in report.row_errors if e["column"] == column] == \
        [(2, column, "a spreadsheet formula, not a value")]


def test_an_ssda903_table_is_read_within_the_same_bounds(rows_checked):
    from dashboard.ingest.ssda903.reading import read_tables
    read = read_tables([("header.csv", bad_files.wide_csv(100_000)), ("episodes.csv", bad_files.long_cell_csv(200_000))])
    assert read.file_errors == [
        "header.csv: row 1 has 100,000 cells; a return has at most 100 columns. Check you chose the right file.",
        "episodes.csv: row 2 (line 2) cannot be read as CSV (field larger than field limit (131072)). "
        "No value in a return is longer than 5,000 characters."]
    assert rows_checked["rows"] == 2   # the wide header, and the episodes file's header


def test_an_ssda903_row_with_more_values_than_its_header_is_refused_not_shifted():
    from dashboard.ingest.ssda903.reading import read_tables
    read = read_tables([("header.csv", b"CHILD,SEX,DOB,ETHNIC\nA1,1,01/02/2010,WBRI,extra\n")])
    assert read.file_errors == ["header.csv: row 2 has more values than the header has columns."]


@pytest.mark.parametrize("make,expected", [
    (lambda: bad_files.deep_xlsx(100_000), "deep.xlsx: xl/worksheets/sheet1.xml nests its XML more than 64 levels deep"),
    (lambda: bad_files.wide_xml_xlsx(5_000), "deep.xlsx: one cell in xl/worksheets/sheet1.xml holds more than 1,000 XML"),
    (lambda: bad_files.many_elements_xlsx(500_000), "deep.xlsx holds more than 401,804 XML elements (in xl/worksheets/"),
], ids=["deep", "wide cell", "many elements"])
def test_deep_or_wide_excel_xml_is_refused_naming_the_file_and_part(make, expected):
    with pytest.raises(reading.FileRejected) as refused:
        reading.read_upload("deep.xlsx", make(), max_bytes=MAX_BYTES, max_rows=500)
    assert str(refused.value).startswith(expected), str(refused.value)


def test_excel_xml_is_scanned_before_openpyxl_reads_it(monkeypatch):
    """A deep sheet never reaches openpyxl (which would build it): the refusal comes from the streaming scan."""
    import openpyxl
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl opened a refused file"))
    with pytest.raises(reading.FileRejected, match="levels deep"):
        reading.read_upload("deep.xlsx", bad_files.deep_xlsx(1_000), max_bytes=MAX_BYTES, max_rows=500)


def test_the_time_to_refuse_a_huge_excel_sheet_grows_in_proportion_to_its_size():
    """1x, 2x and 4x as many elements before the deep cell that is refused, in one run, compared as ratios of CPU time
    (the fastest of three each): in proportion to size gives about 2 and 4; a quadratic scan would give 4 and 16.
    The bound is loose (noise on a shared machine) but far below quadratic."""
    import time

    def seconds(elements):
        data = bad_files.many_elements_xlsx(elements, then_deep=100)
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            with pytest.raises(reading.FileRejected, match="levels deep"):
                reading.read_upload("big.xlsx", data, max_bytes=MAX_BYTES, max_rows=5_000)
            best = min(best, time.process_time() - start)
        return best
    t1, t2, t4 = (seconds(40_000 * factor) for factor in (1, 2, 4))
    assert t2 / t1 < 3.2 and t4 / t1 < 7, (t1, t2, t4)
