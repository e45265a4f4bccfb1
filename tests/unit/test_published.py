"""Published DfE/ONS files: recognised by their columns, stored as published (markers and joint rows kept),
idempotent, unknown shapes refused with nothing changed, and exported with the agreed columns."""
import csv

import pandas as pd
import pytest
from sqlalchemy import func, select

from dashboard.__main__ import main
from dashboard.published.store import (export_frame, import_file, import_paths, published_value, statistical_neighbour)
from dashboard.store import get_engine
from tests.conftest import REALDATA


def stored(indicator, period, area_code):
    with get_engine().connect() as conn:
        row = conn.execute(select(published_value.c.value, published_value.c.marker, published_value.c.area_name).where(
            published_value.c.indicator == indicator, published_value.c.period == period,
            published_value.c.area_code == area_code)).first()
    return row


def published_cell(relative_path, match: dict, column: str) -> str:
    """The cell as it stands in the published file: the test finds the figure the way a DCS would."""
    with open(REALDATA / relative_path, encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if all(row[k] == v for k, v in match.items()):
                return row[column]
    raise AssertionError(f"no row {match} in {relative_path}")


def test_every_file_the_pages_use_is_recognised_and_imported(published_data):
    by_name = {r.file_name: r for r in published_data}
    for name, kind in [("csww/csww_indicators_2017_to_2025.csv", "dfe_csww_indicators"),
                       ("cla/cla_number_and_rate_per_10k_children.csv", "dfe_cla_rates"),
                       ("cla/cla_on_31_march_by_characteristics_london.csv", "dfe_cla_characteristics"),
                       ("population/ons_mid-year_population_estimates_2012_to_2024.csv", "ons_population"),
                       ("lait/bds_long_london.csv", "dfe_lait"),
                       ("stat_neighbours/sn_model_2025_wide.csv", "dfe_statistical_neighbours")]:
        assert by_name[name].format == kind and by_name[name].status in ("imported", "unchanged"), by_name[name].line()
    assert by_name["geo/grid.csv"].status == "skipped"       # another shape: said so, not an error for a folder


@pytest.mark.parametrize("la_code,name,year", [("E09000007", "Camden", "2025"), ("E09000022", "Lambeth", "2022"),
                                               ("E09000008", "Croydon", "2019")])
def test_workforce_rates_are_stored_as_published(published_data, la_code, name, year):
    for indicator, column in [("csww_agency_rate", "agency_rate_fte"), ("csww_turnover_rate", "turnover_rate_fte"),
                              ("csww_vacancy_rate", "vacancy_rate_fte"), ("csww_caseload", "caseload_fte")]:
        cell = published_cell("csww/csww_indicators_2017_to_2025.csv", {"new_la_code": la_code, "time_period": year}, column)
        row = stored(indicator, year, la_code)
        assert row.area_name == name
        assert row.value == pytest.approx(float(cell)), (indicator, cell)


def test_joint_kingston_richmond_row_is_kept_joint(published_data):
    row = stored("csww_agency_rate", "2025", "E09000021 / E09000027")
    assert row.area_name == "Kingston upon Thames / Richmond upon Thames"
    assert row.value == pytest.approx(14.9)
    assert stored("csww_agency_rate", "2025", "E09000021") is None   # not split


def test_markers_are_kept_and_never_zero(published_data):
    cell = published_cell("cla/cla_number_and_rate_per_10k_children.csv",
                          {"new_la_code": "E09000001", "time_period": "2025",
                           "population_type": "Children looked after on 31 March each year"}, "rate_per_10000")
    assert cell == "c"
    row = stored("cla_rate_31_march", "2025", "E09000001")
    assert row.value is None and row.marker == "c"
    # LAIT's '-' stays a marker too.
    with get_engine().connect() as conn:
        dashes = conn.execute(select(func.count()).where(published_value.c.marker == "-",
                                                         published_value.c.value.is_(None))).scalar()
    assert dashes > 0


def test_lait_and_cla_figures_match_the_files(published_data):
    cell = published_cell("lait/bds_long_london.csv", {"Short Desc": "LAC", "LA Number": "208", "Years": "2024"}, "Values")
    assert stored("lait_cla_rate", "2024", "E09000022").value == pytest.approx(float(cell))
    cell = published_cell("cla/cla_on_31_march_by_characteristics_london.csv",
                          {"new_la_code": "E09000008", "time_period": "2024", "cla_group": "Locality of placement",
                           "characteristic": "Placed outside the local authority boundary"}, "percentage")
    assert stored("cla_outside_la_pct", "2024", "E09000008").value == pytest.approx(float(cell))
    assert stored("population_0_17", "2024", "E09000007").value == 35276      # Camden, as in the ONS file


def test_statistical_neighbours_are_stored_in_rank_order(published_data):
    with get_engine().connect() as conn:
        rows = conn.execute(select(statistical_neighbour.c.neighbour_dfe_code).where(statistical_neighbour.c.dfe_code == "302")
                            .order_by(statistical_neighbour.c.rank)).scalars().all()
    assert rows[:3] == ["320", "870", "310"]      # Barnet's nearest three in the 2025 model
    assert len(rows) == 10


def test_importing_the_same_file_again_changes_nothing(published_data):
    path = REALDATA / "csww" / "csww_indicators_2017_to_2025_london.csv"
    before = _version()
    report = import_file(get_engine(), str(path), path.read_bytes())
    assert report.status == "unchanged" and "nothing changed" in report.message
    assert _version() == before


def _version():
    from dashboard.store.datasets import dataset_state
    return dataset_state(get_engine(), "published")["version"]


def test_a_file_of_unknown_shape_is_refused_and_changes_nothing(published_data, tmp_path):
    before = _version()
    odd = tmp_path / "odd.csv"
    odd.write_text("colour,size\nred,3\n")
    report = import_paths(get_engine(), [str(odd)])[0]
    assert report.status == "rejected" and "match no published format" in report.message
    excel = tmp_path / "book.csv"
    excel.write_bytes(b"PK\x03\x04junk")
    assert "save the sheet as CSV" in import_paths(get_engine(), [str(excel)])[0].message
    assert _version() == before


def test_cli_import_and_export(published_data, tmp_path, settings, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert main(["import-published", str(REALDATA / "population" / "ons_mid-year_population_estimates_2012_to_2024_london.csv")]) == 0
    assert "ons_population" in capsys.readouterr().out
    out = tmp_path / "published.csv"
    assert main(["export", "published", "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["source", "indicator", "period", "la_code", "la_name", "value", "marker"]
    camden = frame[(frame["indicator"] == "csww_agency_rate") & (frame["period"] == "2025") & (frame["la_code"] == "E09000007")]
    assert camden[["la_name", "value", "marker"]].values.tolist() == [["Camden", "9.4", ""]]
    city = frame[(frame["indicator"] == "cla_rate_31_march") & (frame["period"] == "2025") & (frame["la_code"] == "E09000001")]
    assert city[["value", "marker"]].values.tolist() == [["", "c"]]
    assert len(frame) == len(export_frame(get_engine()))
