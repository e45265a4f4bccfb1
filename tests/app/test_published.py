"""Published DfE/ONS files: recognised by their columns, stored as published (markers and joint rows kept),
idempotent, unknown shapes refused with nothing changed, and exported with the agreed columns."""
import csv
from collections import Counter

import pandas as pd
import pytest
from sqlalchemy import func, select

from dashboard.__main__ import main
from dashboard.published.store import (export_frame, import_file, import_paths, published_value, statistical_neighbour)
from dashboard.store import get_engine
from tests.shared_files import REALDATA, published_cell


def stored(indicator, period, area_code):
    with get_engine().connect() as conn:
        row = conn.execute(select(published_value.c.value, published_value.c.marker, published_value.c.area_name).where(
            published_value.c.indicator == indicator, published_value.c.period == period,
            published_value.c.area_code == area_code)).first()
    return row


# Every file in ../shared/realdata a page uses, and where it goes (Benchmarking's published statistics, a page's tables).
USED = {
    "cla/cla_number_and_rate_per_10k_children.csv": ["dfe_cla_rates"],
    "cla/cla_number_and_rate_per_10k_children_london.csv": ["dfe_cla_rates"],
    "cla/cla_on_31_march_by_characteristics_london.csv": ["dfe_cla_characteristics", "sufficiency_published"],
    "csww/csww_indicators_2017_to_2025.csv": ["dfe_csww_indicators", "workforce_census_csww"],
    "csww/csww_indicators_2017_to_2025_london.csv": ["dfe_csww_indicators", "workforce_census_csww"],
    "csww/csww_role_by_ethnicity_2019_to_2025_london.csv": ["linc_csww_role"],
    "exclusions_national_ethnicity/exclusion_natcharacteristics.csv": ["suspensions_england"],
    "lait/bds_long_london.csv": ["dfe_lait", "care_leavers_lait", "looked_after_health_lait", "send_lait"],
    "ofsted/ofsted_csc_ilacs_overview.xlsx": ["ofsted_ilacs"],
    "population/ons-ethnic-population-la.csv": ["linc_census"],
    "population/ons_mid-year_population_estimates_2012_to_2024.csv": ["ons_population", "send_population"],
    "population/ons_mid-year_population_estimates_2012_to_2024_london.csv": ["ons_population", "send_population"],
    "send/area_send_inspections_2016_2022_london.csv": ["send_inspections_2016"],
    "send/ofsted_csc_send_overview.xlsx": ["send_inspections_2023"],
    "send/ofsted_send_2023_framework_london.csv": ["send_inspections_2023"],
    "send/sen2_age_caseload.csv": ["send_sen2_caseload"],
    "send/sen2_age_caseload_london.csv": ["send_sen2_caseload"],
    "send/sen2_mi.csv": ["send_sen2_mi"],
    "send/sen2_mi_london.csv": ["send_sen2_mi"],
    "stat_neighbours/sn_model_2025_wide.csv": ["dfe_statistical_neighbours"],
}


def test_every_file_in_realdata_is_routed_to_the_pages_that_use_it_or_said_to_be_unused(published_data):
    realdata = [r for r in published_data if (REALDATA / r.file_name).is_file()]
    assert {r.file_name for r in realdata} == {str(p.relative_to(REALDATA)) for p in REALDATA.rglob("*") if p.is_file()}
    for report in realdata:
        if report.file_name in USED:
            assert report.status in ("imported", "unchanged") and report.routes == USED[report.file_name], report.line()
        else:   # real, but no page reads it: said so, not refused
            assert report.status == "not used" and report.message, report.line()
    # The app's first start imported them through the same command (PUBLISHED_DATA_DIR): nothing left to do now.
    assert all(d.status == "unchanged" for r in realdata for d in r.destinations)


def test_a_report_says_rows_read_london_rows_kept_and_markers_met(published_data, tmp_path):
    """A file not seen before (the DfE role-by-ethnicity file with one more line end) is read in full and reported."""
    source = REALDATA / "csww" / "csww_role_by_ethnicity_2019_to_2025_london.csv"
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes() + b"\n")
    report = import_paths(get_engine(), [str(copy)])[0]
    with open(source, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    kept = [r for r in rows if r["breakdown"] != "Non-white"]   # the importer leaves these out (see linc.CSWW_SKIPPED)
    london = [r for r in kept if r["new_la_code"].startswith("E09") or r["region_code"] == "E12000007"
              or r["geographic_level"] == "Regional" and r["region_code"] in ("E13000001", "E13000002")]
    markers = Counter(r[c].strip() for r in kept for c in ("inpost_headcount", "inpost_FTE") if r[c].strip() in ("x", "z", "low"))
    (linc,) = report.destinations
    assert report.status == "imported" and report.rows_read == len(rows)
    assert (linc.page, linc.rows_kept, linc.london_rows, linc.markers) == ("Leadership in Colour", len(kept), len(london), markers)
    line = report.line()
    assert f"{len(rows):,} rows read" in line and f"({len(london):,} for London and its LAs)" in line and "x x" in line


def test_a_bad_cell_refuses_the_whole_file_naming_row_and_column_and_no_store_changes(published_data, tmp_path):
    """The ONS population file feeds Benchmarking and SEND: a cell SEND cannot read stops both."""
    source = REALDATA / "population" / "ons_mid-year_population_estimates_2012_to_2024_london.csv"
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    column = header.index("population_estimate")
    row = next(i for i, line in enumerate(lines) if "0 to 17" in line and "E09000022" in line)
    cells = lines[row].split(",")
    cells[column] = "banana"
    lines[row] = ",".join(cells)
    bad = tmp_path / source.name
    bad.write_text("\n".join(lines) + "\n")
    before = {name: _version(name) for name in ("published", "send")}
    report = import_paths(get_engine(), [str(bad)])[0]
    assert report.status == "rejected"
    assert f"{source.name}, row {row + 1}, column 'population_estimate'" in report.message and "banana" in report.message
    assert "Nothing was changed" in report.line()
    assert {name: _version(name) for name in before} == before


def test_a_real_file_no_page_uses_is_said_so_not_refused(published_data, tmp_path, settings, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert main(["import-published", str(REALDATA / "cla" / "la_cla_swcount_london.csv")]) == 0
    assert "la_cla_swcount_london.csv: not used by any page" in capsys.readouterr().out
    odd = tmp_path / "odd.csv"
    odd.write_text("colour,size\nred,3\n")
    assert main(["import-published", str(odd)]) == 1
    assert "odd.csv: refused: its columns match no published format we import (colour, size)" in capsys.readouterr().out


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
    assert report.status == "unchanged" and "nothing changed" in report.line()
    assert _version() == before


def _version(name="published"):
    from dashboard.store.datasets import dataset_state
    return dataset_state(get_engine(), name)["version"]


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
    out = capsys.readouterr().out
    assert "Benchmarking (ONS mid-year" in out and "SEND (ONS mid-year" in out and "nothing changed" in out
    out = tmp_path / "published.csv"
    assert main(["export", "published", "--out", str(out)]) == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["source", "indicator", "period", "la_code", "la_name", "value", "marker"]
    camden = frame[(frame["indicator"] == "csww_agency_rate") & (frame["period"] == "2025") & (frame["la_code"] == "E09000007")]
    assert camden[["la_name", "value", "marker"]].values.tolist() == [["Camden", "9.4", ""]]
    city = frame[(frame["indicator"] == "cla_rate_31_march") & (frame["period"] == "2025") & (frame["la_code"] == "E09000001")]
    assert city[["value", "marker"]].values.tolist() == [["", "c"]]
    assert len(frame) == len(export_frame(get_engine()))


@pytest.fixture(scope="module")
def exported(published_data, tmp_path_factory, settings):
    """What `python -m dashboard export published --out FILE` writes, read back as text (as a user would open it)."""
    import os
    out = tmp_path_factory.mktemp("export") / "published.csv"
    old = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = settings.database_url
    try:
        assert main(["export", "published", "--out", str(out)]) == 0
    finally:
        os.environ.pop("DATABASE_URL") if old is None else os.environ.__setitem__("DATABASE_URL", old)
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def exported_figure(frame, indicator, period, la_code) -> list:
    rows = frame[(frame["indicator"] == indicator) & (frame["period"] == period) & (frame["la_code"] == la_code)]
    return rows[["la_name", "value", "marker", "source"]].values.tolist()


def same_number(text: str, cell: str) -> bool:
    return text != "" and float(text) == pytest.approx(float(cell.replace(",", "")))


@pytest.mark.parametrize("la_code,year", [("E09000022", "2022"), ("E09000007", "2019"), ("E09000008", "2021")])
def test_export_has_sends_published_figures_as_in_the_sen2_file(exported, la_code, year):
    cell = published_cell("send/sen2_mi.csv", {"new_la_code": la_code, "time_period": year,
                                               "geographic_level": "Local authority"}, "no_exc_20week_rate")
    ((name, value, marker, source),) = exported_figure(exported, "send_timely_20wk_pct", year, la_code)
    assert "Education, health and care plans (SEN2), release with figures to " in source
    assert same_number(value, cell) and marker == "" if cell not in ("x", "c", "z", "") else (value, marker) == ("", "not published")


def test_export_keeps_a_send_figure_dfe_did_not_publish_as_not_published_never_zero(exported):
    cell = published_cell("send/sen2_mi.csv", {"new_la_code": "E09000016", "time_period": "2022",
                                               "geographic_level": "Local authority"}, "no_exc_20week_ehc")
    assert not cell.replace(".", "").isdigit()          # Havering's 2022 figure is a marker in DfE's file
    assert [r[1:3] for r in exported_figure(exported, "send_timely_20wk", "2022", "E09000016")] == [["", "not published"]]


def test_export_has_the_workforce_by_role_and_ethnicity_with_its_joint_row_and_markers(exported):
    file = "csww/csww_role_by_ethnicity_2019_to_2025_london.csv"
    joint = published_cell(file, {"new_la_code": "E09000021 / E09000027", "time_period": "2019", "role": "Case holder",
                                  "breakdown": "Asian / Asian British"}, "inpost_headcount")
    ((name, value, marker, source),) = exported_figure(exported, "csww_role_ethnicity / Case holder / asian / headcount",
                                                       "2019", "E09000021 / E09000027")
    assert name == "Kingston upon Thames / Richmond upon Thames (joint return)" and same_number(value, joint)
    assert "Children's social work workforce" in source
    assert exported_figure(exported, "csww_role_ethnicity / Case holder / asian / headcount", "2019", "E09000021") == []
    marked = published_cell(file, {"new_la_code": "E09000016", "time_period": "2019", "role": "Middle manager",
                                   "breakdown": "Asian / Asian British"}, "inpost_headcount")
    assert [r[1:3] for r in exported_figure(exported, "csww_role_ethnicity / Middle manager / asian / headcount", "2019",
                                            "E09000016")] == [["", marked]]


@pytest.mark.parametrize("la_code,year,group,characteristic", [
    ("E09000008", "2024", "Locality of placement", "Placed outside the local authority boundary"),
    ("E09000022", "2025", "Distance between home and placement", "Placed more than 20 miles from home"),
    ("E09000001", "2023", "Sex", "Female")])
def test_export_has_sufficiencys_published_cla_figures_markers_included(exported, la_code, year, group, characteristic):
    cell = published_cell("cla/cla_on_31_march_by_characteristics_london.csv",
                          {"new_la_code": la_code, "time_period": year, "cla_group": group, "characteristic": characteristic},
                          "cla_31_march_number")
    ((_name, value, marker, source),) = exported_figure(exported, f"cla_31_march / {group} / {characteristic} / number", year, la_code)
    assert "Children looked after in England" in source
    assert (value, marker) == ("", cell) if cell in ("c", "k", "z", "x") else same_number(value, cell) and marker == ""


def test_export_has_the_suspensions_england_figures_as_in_dfes_file(exported):
    cell = published_cell("exclusions_national_ethnicity/exclusion_natcharacteristics.csv",
                          {"year": "201617", "school_type": "Total", "characteristic_desc": "Ethnicity",
                           "characteristic_1": "Ethnicity_Minor_Black_Caribbean", "characteristic_2": "Total"}, "one_plus_fixed")
    ((name, value, marker, source),) = exported_figure(exported, "suspensions_england / Black Caribbean / pupils_suspended",
                                                       "2016/17", "E92000001")
    assert name == "England" and same_number(value, cell) and "exclusions in England" in source


def test_the_export_never_writes_a_marker_as_zero_or_a_demo_figure(exported):
    marked = exported[exported["marker"] != ""]
    assert len(marked) and (marked["value"] == "").all()
    assert not exported["source"].str.contains("demo", case=False).any()
    assert set(exported.columns) == {"source", "indicator", "period", "la_code", "la_name", "value", "marker"}


def test_first_start_imports_the_folder_through_the_same_command_and_real_replaces_demo(published_data, settings):
    from dashboard.dashboards.send import returns as send
    from dashboard.published.store import import_on_first_start
    engine = get_engine()
    assert import_on_first_start(settings, engine, set(), log=lambda *_: None) == []   # not a first start: nothing to do
    send.load_demo(engine, settings.demo_seed)                                          # SEND refilled with demo data
    lambeth = lambda: pd.read_sql(select(send.send_value).where(send.send_value.c.area_code == "E09000022",   # noqa: E731
                                                                send.send_value.c.year == 2022,
                                                                send.send_value.c.measure == "plans_in_force"), engine)
    assert lambeth()["source"].tolist() == ["demo"]
    reports = import_on_first_start(settings, engine, {send.NAME}, log=lambda *_: None)
    destinations = [d for r in reports for d in r.destinations]
    assert {d.status for d in destinations if d.page == "SEND"} == {"imported"}
    assert {d.status for d in destinations if d.page != "SEND"} == {"unchanged"}
    cell = published_cell("send/sen2_age_caseload.csv", {"new_la_code": "E09000022", "time_period": "2022",
                                                         "characteristic_age": "Total"}, "Total_all")
    row = lambeth().iloc[0]
    assert row["value"] == float(cell) and "SEN2" in row["source"]


def test_ssda903_tables_and_empty_files_in_a_published_folder_are_not_refused_but_said_what_they_are(tmp_path, settings):
    """The first start imports ../shared, which holds LAs' SSDA903 samples: they are child-level returns for
    `ingest ssda903`, not published files, and the DfE's empty tables are empty files; none is 'rejected'."""
    from dataclasses import replace

    from dashboard.published.store import import_on_first_start
    from tests.shared_files import shared_file
    samples = shared_file("ssda903_samples/cs_demand_model")
    for name in ("2020-header.csv", "2020-episodes.csv", "2020-ad1.csv"):
        (tmp_path / name).write_bytes((samples / name).read_bytes())
    reports = {r.file_name: r for r in import_paths(get_engine(), [str(tmp_path)])}
    assert {name: r.status for name, r in reports.items()} == {"2020-header.csv": "not used", "2020-episodes.csv": "not used",
                                                               "2020-ad1.csv": "not used"}
    assert "the SSDA903 Episodes table" in reports["2020-episodes.csv"].message
    assert "python -m dashboard ingest ssda903" in reports["2020-header.csv"].line()
    assert reports["2020-ad1.csv"].message == "the file is empty"
    lines = []
    import_on_first_start(replace(settings, published_data_dir=str(tmp_path)), get_engine(), {"no such dataset"},
                          log=lines.append)
    assert "refused" not in "\n".join(lines) and "rejected" not in "\n".join(lines), lines
    assert any(line.startswith("Also found 2 SSDA903 tables") for line in lines), lines
