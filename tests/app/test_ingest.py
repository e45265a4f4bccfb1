"""Data in: good files load exactly, a library of bad files is rejected with a clear report, the store
is unchanged after a rejection, versions are kept and restorable, concurrent uploads never mix."""
import io
import threading
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from dashboard.ingest import loading
from dashboard.dashboards.benchmarking.returns import UPLOAD as BENCHMARKING
from dashboard.ingest.templates import template_csv, template_xlsx
from dashboard.ingest.validation import UNCALCULATED
from dashboard.store import get_engine, schema
from tests import bad_files

LA, PERIOD = "E09000022", "2026-06-30"
MAX = 5 * 2**20
HEADER = "la_code,period_end,indicator_code,value,numerator,denominator\n"


@pytest.fixture(scope="module")
def engine(dash_app, restore_demo):
    engine = get_engine()
    yield engine
    restore_demo({"benchmarking"})  # later tests expect the demo data back


@pytest.fixture(scope="module")
def catalogue(engine):
    with engine.connect() as conn:
        return pd.read_sql(select(schema.indicator), conn)


def good_csv(catalogue, la=LA, period=PERIOD, value=lambda i: 10 + i) -> bytes:
    lines = [f"{la},{period},{code},{value(i)},," for i, code in enumerate(catalogue["code"])]
    return (HEADER + "\n".join(lines) + "\n").encode()


def snapshot(engine):
    with engine.connect() as conn:
        rows = conn.execute(select(func.count(), func.sum(schema.benchmark_value.c.value))).first()
        version = conn.execute(select(schema.dataset.c.version).where(schema.dataset.c.name == "benchmarking")).scalar()
    return rows, version


def check(engine, data, name="return.csv", la=LA, period=PERIOD):
    return loading.validate(engine, "benchmarking", name, data, la, period, max_bytes=MAX)


def test_template_is_a_valid_empty_return(engine, catalogue):
    report = check(engine, template_csv(BENCHMARKING, LA, PERIOD, catalogue))
    assert report.ok and report.rows_read == len(catalogue)
    assert report.clean["value"].isna().all()          # blank = no return, not 0
    workbook = pd.read_excel(io.BytesIO(template_xlsx(BENCHMARKING, LA, PERIOD, catalogue)), sheet_name=None)
    assert list(workbook) == ["Data", "Data dictionary", "Indicators", "Read me"]
    assert set(workbook["Data dictionary"]["column"]) == {c.name for c in BENCHMARKING.columns}


BAD_FILES = {
    "wrong encoding (UTF-16)": (lambda c: good_csv(c).decode().encode("utf-16"), "not UTF-8"),
    "binary junk": (lambda c: bytes(range(256)) * 10, "not UTF-8"),
    "missing header": (lambda c: good_csv(c)[len(HEADER):], "Missing column"),
    "duplicated column": (lambda c: b"la_code,la_code,period_end,indicator_code,value\n", "more than once"),
    "extra column with data": (lambda c: good_csv(c).replace(b"denominator\n", b"denominator,comment\n", 1)
                               .replace(b",,\n", b",,,hello\n", 1), "Unexpected column"),
    "wrong LA": (lambda c: good_csv(c, la="E09000008"), "This file is for E09000008"),
    "LA not in London": (lambda c: good_csv(c, la="E08000025"), "This file is for E08000025"),
    "wrong period": (lambda c: good_csv(c, period="2026-03-31"), "is for period 2026-03-31"),
    "truncated Excel": (lambda c: template_xlsx(BENCHMARKING, LA, PERIOD, c)[:3000], "cannot be opened"),
    "empty": (lambda c: b"", "is empty"),
    "too many rows": (lambda c: (HEADER + f"{LA},{PERIOD},cla_rate,1,,\n" * 1000).encode(), "more than 500"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_file_level_errors_stop_the_file_and_store_nothing(engine, catalogue, case):
    make, expected = BAD_FILES[case]
    before = snapshot(engine)
    report = check(engine, make(catalogue))
    assert not report.ok and report.file_errors, case
    assert expected in " ".join(report.file_errors)
    assert loading.commit(engine, report, "officer@lambeth.example").status == "rejected"
    assert snapshot(engine) == before


def row_error(engine, catalogue, replace: tuple[bytes, bytes], extra: bytes = b""):
    data = good_csv(catalogue).replace(*replace, 1) + extra
    report = check(engine, data)
    assert not report.ok and not report.file_errors
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    return report


@pytest.mark.parametrize("replace,column,rule", [
    ((b",10,,", b",ten,,"), "value", "not a number"),
    ((b",cla_rate,", b",cla_rat,"), "indicator_code", "not a known code"),
    ((b",10,,", b",=HYPERLINK(\"http://x\"),,"), "value", "not a number"),
    ((b"E09000022,2026-06-30,referrals_rate,10,,", b"E09000022,2026-06-30,=HYPERLINK(\"x\"),10,,"), "indicator_code",
     "a spreadsheet formula, not a value"),
    ((b",11,,", b",11,200,100"), "numerator", "numerator above denominator"),
    ((b",11,,", b",120,,"), "value", "a percentage above 100"),     # re-referrals %, second indicator
    ((b",10,,", b",-4,,"), "value", "below 0"),
    ((b",uasc_cla,22,,", b",uasc_cla,12.5,,"), "value", "not a whole number: this indicator counts children"),
])
def test_row_level_errors_name_row_column_value_and_rule(engine, catalogue, replace, column, rule):
    report = row_error(engine, catalogue, replace)
    found = [e for e in report.row_errors if e["column"] == column and e["rule"] == rule]
    assert found, report.row_errors
    # The row as a spreadsheet numbers it (header = row 1): the line the bad value was written on.
    lines = good_csv(catalogue).replace(*replace, 1).split(b"\n")
    assert found[0]["row"] == next(n for n, line in enumerate(lines, start=1) if replace[1] in line)
    assert found[0]["value"] in replace[1].decode()


def test_duplicate_rows_and_truncated_lines(engine, catalogue):
    first_line = good_csv(catalogue).split(b"\n")[1]
    report = row_error(engine, catalogue, (b"", b""), first_line + b"\n" + b"E09000022,2026-06-30,cla_rate\n")
    rules = [e["rule"] for e in report.row_errors]
    assert any(r.startswith("duplicate: the same indicator_code as row 2") for r in rules)
    assert any(e["rule"].startswith("duplicate") and e["row"] == len(catalogue) + 3 for e in report.row_errors)


def test_size_cap_is_checked_before_parsing(engine, catalogue):
    report = loading.validate(engine, "benchmarking", "big.csv", good_csv(catalogue), LA, PERIOD, max_bytes=100)
    assert "the limit is" in report.file_errors[0]


def test_a_one_million_row_file_is_refused_quickly(engine):
    data = (HEADER + f"{LA},{PERIOD},cla_rate,1,,\n" * 1_000_000).encode()
    report = loading.validate(engine, "benchmarking", "huge.csv", data, LA, PERIOD, max_bytes=100 * 2**20)
    assert "more than 500" in report.file_errors[0]


def test_zip_bomb_is_not_opened(engine):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 2**20))
    report = check(engine, buffer.getvalue(), name="bomb.xlsx")
    assert "zip bomb" in report.file_errors[0] or "unpacks to more than" in report.file_errors[0]


def test_file_names_are_shown_never_used_as_paths(engine, catalogue):
    report = check(engine, b"", name="../../etc/passwd\x00.csv")
    assert report.file_name == "passwd.csv"


def test_commit_versions_identical_reupload_and_restore(engine, catalogue):
    period = "2025-12-31"
    first = check(engine, good_csv(catalogue, period=period), period=period)
    assert first.ok
    result = loading.commit(engine, first, "officer@lambeth.example")
    assert result.status == "committed" and result.version == 1
    assert "demo data was removed" in result.message
    again = loading.commit(engine, check(engine, good_csv(catalogue, period=period), period=period), "officer@lambeth.example")
    assert again.status == "unchanged" and "nothing changed" in again.message
    second = check(engine, good_csv(catalogue, period=period, value=lambda i: 20 + i), period=period)
    assert loading.commit(engine, second, "officer@lambeth.example").version == 2

    def stored_values():
        with engine.connect() as conn:
            return pd.read_sql(select(schema.benchmark_value).where(schema.benchmark_value.c.la_code == LA,
                                                                    schema.benchmark_value.c.period_end == pd.Timestamp(period).date()), conn)
    assert stored_values()["value"].min() == 20
    history = loading.upload_history(engine, "benchmarking", LA)
    v1 = int(history[(history["period"] == period) & (history["version"] == 1)]["id"].iloc[0])
    loading.restore(engine, v1, "admin@liia.example")
    assert stored_values()["value"].min() == 10
    history = loading.upload_history(engine, "benchmarking", LA)
    assert history[history["period"] == period].set_index("version")["is_current"].to_dict() == {1: True, 2: False}


def test_blank_values_are_stored_as_no_return(engine, catalogue):
    period = "2025-09-30"
    data = good_csv(catalogue, period=period).replace(b",10,,", b",,,", 1)
    result = loading.commit(engine, check(engine, data, period=period), "officer@lambeth.example")
    assert result.status == "committed"
    with engine.connect() as conn:
        value = conn.execute(select(schema.benchmark_value.c.value).where(
            schema.benchmark_value.c.la_code == LA, schema.benchmark_value.c.indicator_code == catalogue["code"][0],
            schema.benchmark_value.c.period_end == pd.Timestamp(period).date())).scalar_one()
    assert value is None


def test_history_queries_warn_but_do_not_block(engine, catalogue):
    croydon = "E09000008"
    for period in ("2024-09-30", "2024-12-31"):
        report = check(engine, good_csv(catalogue, la=croydon, period=period), la=croydon, period=period)
        assert loading.commit(engine, report, "officer@croydon.example").status == "committed"
    period = "2025-03-31"
    data = good_csv(catalogue, la=croydon, period=period, value=lambda i: 50 + i)   # 40 above both earlier returns
    report = check(engine, data, la=croydon, period=period)
    assert report.ok and len(report.warnings) == len(catalogue)
    assert "far from this LA's recent returns (median of last 2: 10)" in report.warnings[0]["query"]
    assert report.warnings[0]["row"] == 2 and report.warnings[0]["value"] == "50"


def test_two_uploads_for_the_same_la_and_period_at_once_never_mix(engine, catalogue):
    period = "2025-06-30"
    reports = [check(engine, good_csv(catalogue, period=period, value=lambda i, k=k: 30 * k + i), period=period)
               for k in (1, 2)]
    results = []
    threads = [threading.Thread(target=lambda r=r: results.append(loading.commit(engine, r, "officer@lambeth.example")))
               for r in reports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.version or 0 for r in results) == [1, 2], [r.message for r in results]
    with engine.connect() as conn:
        values = pd.read_sql(select(schema.benchmark_value.c.value).where(
            schema.benchmark_value.c.la_code == LA, schema.benchmark_value.c.period_end == pd.Timestamp(period).date()), conn)
    files = set((values["value"] // 30).astype(int))   # 1 or 2: which file a row came from
    assert len(files) == 1 and len(values) == len(catalogue)  # all rows from one file, none from the other


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=300).map(lambda t: (HEADER + t).encode("utf-8"))))
def test_any_input_is_loaded_or_rejected_with_a_report_never_an_exception(engine, data):
    report = check(engine, data)
    assert report.rows_read == report.rows_accepted + report.rows_rejected or report.file_errors
    if not report.ok:
        assert report.file_errors or report.row_errors
        assert report.summary()


def test_an_excel_formula_never_calculated_is_a_row_error_not_a_blank(engine):
    before = snapshot(engine)
    report = check(engine, bad_files.uncalculated_formula_xlsx(), name="sums.xlsx")
    assert not report.ok and not report.file_errors
    assert [(e["row"], e["column"], e["value"], e["rule"]) for e in report.row_errors] == [
        (2, "value", "=SUM(1,2)", UNCALCULATED)]
    assert loading.commit(engine, report, "officer@lambeth.example").status == "rejected"
    assert snapshot(engine) == before
