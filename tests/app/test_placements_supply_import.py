"""Ofsted's provider-level files through the administrators' `import-published` (the store and the app's reads):
recognised by their columns, stored, read back by a commissioner, unchanged when imported again, and a bad file
refused with nothing changed."""
import pytest

from dashboard.dashboards.placements_supply import data, returns
from dashboard.loader import AccessScope
from dashboard.published.store import forget_page_imports, import_paths
from dashboard.store import get_engine
from tests import ofsted_provider_files as files

COMMISSIONER = AccessScope("commissioner", "E09000022")


@pytest.fixture()
def empty_providers(server):
    def empty():   # no demo providers: this empties the tables, and the files imported into them are forgotten
        returns.load_demo(get_engine(), 7)
        forget_page_imports(get_engine(), {data.NAME})
    empty()
    yield
    empty()


def test_the_three_ofsted_tables_are_imported_and_read_back(empty_providers, tmp_path):
    paths = [files.places_file(tmp_path), files.in_year_file(tmp_path), files.closed_file(tmp_path)]
    reports = import_paths(get_engine(), [str(p) for p in paths], actor="tests")
    # The in-year inspections also give Sufficiency its providers' grades (3 graded; an interim visit is no grade).
    assert [(r.status, r.routes) for r in reports] == [("imported", ["ofsted_providers"]),
                                                       ("imported", ["ofsted_providers", "sufficiency_ofsted_grades"]),
                                                       ("imported", ["ofsted_providers"])], [r.line() for r in reports]
    assert [d.rows_kept for d in reports[1].destinations] == [4, 3]
    places = data.places(COMMISSIONER)
    assert len(places) == 6 and set(places["at"].dt.date.astype(str)) == {"2025-03-31"}
    lambeth = places[places["la_code"] == "E09000022"]
    assert sorted(lambeth["places"].tolist()) == [4, 6]
    assert places.loc[places["urn"] == "SC100005", "places"].isna().all()     # missing stays missing
    assert len(data.inspections(COMMISSIONER)) == 4 and len(data.closures(COMMISSIONER)) == 2
    assert sorted(data.files(COMMISSIONER)["kind"]) == ["closures", "inspections", "places"]
    # The same file again changes nothing.
    again = import_paths(get_engine(), [str(paths[0])], actor="tests")[0]
    assert again.status == "unchanged"


def test_a_bad_cell_refuses_the_file_and_keeps_what_was_stored(empty_providers, tmp_path):
    import_paths(get_engine(), [str(files.places_file(tmp_path))], actor="tests")
    rows = [dict(r) for r in files.PROVIDERS_2025]
    rows[3]["Places"] = "lots"
    (tmp_path / "bad").mkdir()
    bad = files.places_file(tmp_path / "bad", rows)
    report = import_paths(get_engine(), [str(bad)], actor="tests")[0]
    assert report.status == "rejected"
    assert "row 5, column 'Places': 'lots' is not a number of places" in report.message
    assert sorted(data.places(COMMISSIONER)["places"].dropna().astype(int).tolist()) == [3, 4, 5, 6]


def test_a_member_may_not_read_the_provider_data(server):
    with pytest.raises(PermissionError):
        data.places(AccessScope("member", "E09000022"))


def test_grades_at_a_date_come_from_the_in_year_file_as_imported(empty_providers, tmp_path):
    """What the page matches each placement's URN to, read from the imported files: the latest graded judgement on or
    before the date (an inspection after it is not known then; an interim visit is not a grade), "Not yet inspected"
    for a provider in the files with none by then."""
    paths = [files.places_file(tmp_path), files.in_year_file(tmp_path), files.closed_file(tmp_path)]
    import_paths(get_engine(), [str(p) for p in paths], actor="tests")
    every = {r["URN"] for r in files.PROVIDERS_2025} | {"SC099001", "SC099002"}

    def grades(at):
        found = dict(data.urn_grades(COMMISSIONER, at))
        assert set(found) == every   # every provider on any file, and nothing else
        return found
    assert grades("2024-06-09")["SC100001"] == "Not yet inspected"
    assert grades("2024-06-10")["SC100001"] == "Good"
    assert grades("2025-01-19")["SC100001"] == "Good"
    assert grades("2025-01-20")["SC100001"] == "Inadequate"
    on_31_march = grades("2025-03-31")
    assert on_31_march["SC100003"] == "Outstanding"          # through the interim visit of September 2024
    assert grades("2023-11-01")["SC100003"] == "Not yet inspected"
    assert {on_31_march[u] for u in ("SC100002", "SC100004", "SC100005", "SC100006")} == {"Not yet inspected"}
