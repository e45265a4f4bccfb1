"""Files offered as published statistics are bounded like uploads: an absurd shape (too big, a header far too long or
wide, binary, a hostile workbook: deep or wide XML, entities, macros, a zip bomb, damage) is refused before pandas or
openpyxl reads it, with a line naming the file; nothing is stored (the refusal comes before the store is touched:
these run with no store at all). Any bytes at all get a report, never an exception."""
import pytest
from hypothesis import given, settings, strategies as st

from dashboard.published import store
from tests import bad_files


@pytest.mark.parametrize("case", list(bad_files.PUBLISHED_CORPUS))
def test_every_hostile_published_file_is_refused_naming_the_file(case):
    name, make, expected = bad_files.PUBLISHED_CORPUS[case]
    report = store.import_file(None, name, make())
    assert report.status == "rejected" and expected in report.message, report.message
    assert report.line().startswith(f"{name}: refused: ") and report.line().endswith("Nothing was changed.")


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(monkeypatch):
    monkeypatch.setattr(store, "MAX_FILE_BYTES", 1_000)
    monkeypatch.setattr(store.pd, "read_csv", lambda *a, **k: pytest.fail("pandas read a file over the limit"))
    report = store.import_file(None, "big.csv", b"time_period,geographic_level\n" + b"202425,National\n" * 100)
    assert report.status == "rejected"
    assert report.message == "the file is 1,629 bytes; published files are far smaller (the limit is 1,000 bytes)"


def test_a_file_over_the_size_limit_in_a_folder_is_refused_without_reading_it(tmp_path, monkeypatch):
    (tmp_path / "big.csv").write_bytes(b"x" * 5_000)
    monkeypatch.setattr(store, "MAX_FILE_BYTES", 1_000)
    (report,) = store.import_paths(None, [str(tmp_path)])
    assert report.status == "rejected" and report.line().startswith("big.csv: refused: the file is 5,000 bytes;")


def test_a_deep_workbook_never_reaches_openpyxl(monkeypatch):
    monkeypatch.setattr(store.pd, "read_excel", lambda *a, **k: pytest.fail("a refused workbook was opened"))
    report = store.import_file(None, "deep.xlsx", bad_files.deep_xlsx(1_000))
    assert report.status == "rejected" and "levels deep" in report.message


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(name=st.sampled_from(["x.csv", "x.xlsx", "x.xlsm"]),
       data=st.one_of(st.binary(max_size=2_000),
                      st.text(max_size=2_000).map(str.encode),
                      st.lists(st.lists(st.text(alphabet=',"\n\r x1\x00', max_size=8), max_size=30), max_size=30).map(
                          lambda rows: "\n".join(",".join(r) for r in rows).encode())))
def test_any_bytes_at_all_get_a_report_never_an_exception(name, data):
    report = store.import_file(None, name, data)
    assert report.status in ("rejected", "not used"), (report.status, report.message)
    assert report.line().startswith(name)
