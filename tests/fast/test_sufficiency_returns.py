"""Sufficiency's SSDA903 returns without a store: the postcode sector kept in place of a postcode, and demo data that
the same seed makes again, written as the DfE's tables on real postcodes and valid under the DfE's rules."""
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dashboard.dashboards.sufficiency import demo_data, returns as ds
from dashboard.ingest.ssda903 import geography
from dashboard.ingest.ssda903.reading import read_tables
from dashboard.ingest.validation import Report


def test_sector_of_postcode():
    assert ds.sector_of_postcode("SE15 4RG") == "SE15 4"
    assert ds.sector_of_postcode("w1a1aa") == "W1A 1"
    assert ds.sector_of_postcode("not known") is None and ds.sector_of_postcode(None) is None


@pytest.fixture(scope="module")
def demo():
    return ds.generate_demo(5)


def test_same_seed_same_data(demo):
    again = ds.generate_demo(5)
    assert again["returns"]["E09000022"] == demo["returns"]["E09000022"] and again["provider"] == demo["provider"]


def test_every_las_demo_return_passes_the_dfe_rules_with_no_error_and_no_query(demo):
    for la_code, files in demo["returns"].items():
        report = Report(ds.NAME, "demo", "", la_code, ds.DEMO_PERIOD)
        assert ds._ssda903_files(files, la_code, ds.DEMO_PERIOD, {"child_id_key": b"test"}, report) is not None, la_code
        assert report.ok and not report.row_errors and report.rows_read == report.rows_accepted, report.table().head()
        # Queries too (e.g. 1015: the LA's own provision outside its area): the demo is a clean return.
        assert not [w for w in report.warnings if w["row"]], (la_code, [w for w in report.warnings if w["row"]][:3])


def test_each_las_demo_is_three_collection_years_of_the_same_children(demo):
    files = demo["returns"]["E09000022"]
    years = {name[:7] for name, _data in files}
    assert years == {"2022-23", "2023-24", "2024-25"}
    by_year = {year: read_tables([f for f in files if f[0].startswith(year)]).tables for year in sorted(years)}
    # Social workers are collected from 2023/24; the first year holds the history from April 2018, later years their own.
    assert "SWEpisodes" not in by_year["2022-23"] and {"SWEpisodes", "OC2", "OC3"} <= set(by_year["2024-25"])
    first, last = (pd.to_datetime(by_year[y]["Episodes"]["DECOM"], format="%d/%m/%Y") for y in ("2022-23", "2024-25"))
    assert first.min() < pd.Timestamp("2018-06-01") and last.min() < pd.Timestamp("2024-04-01") < last.max()
    # The same children over the years (not new children each year): most of 2024/25's were in 2023/24's return.
    assert by_year["2024-25"]["Header"]["CHILD"].isin(by_year["2023-24"]["Header"]["CHILD"]).mean() > 0.5
    # The every-LA set the demo load checks is the same rows as the LAs' own sets together.
    rows = lambda files: sum(data.count(b"\n") - 1 for _name, data in files)   # noqa: E731
    assert rows(demo["every_la"]) == sum(rows(files) for files in demo["returns"].values())


def test_the_demo_is_the_dfes_tables_on_real_postcodes(demo):
    tables = read_tables([f for f in demo["returns"]["E09000022"] if f[0].startswith("2024-25")]).tables
    assert set(tables) == {"Header", "Episodes", "UASC", "Reviews", "AD1", "PlacedAdoption", "PrevPerm", "OC2", "OC3",
                           "Missing", "SWEpisodes"}
    episodes = tables["Episodes"]
    home = geography.lookup(episodes["HOME_POST"])
    placed = geography.lookup(episodes["PL_POST"])
    # Every postcode given is a real one; homes are in Lambeth; placements are in London and beyond.
    assert placed["easting"].notna().all() and home.loc[episodes["HOME_POST"] != "", "la_code"].eq("E09000022").all()
    assert placed["la_code"].str.startswith("E09").mean() > 0.6 and (~placed["la_code"].str.startswith("E09")).sum() > 50
    sectors = pd.DataFrame(demo["postcode_sector"])
    assert sectors.groupby("area_code").size().loc[list(demo_data.LA_CODES)].between(5, 10).all()
    # URNs in the episodes are the demo's providers (or the DfE's XXXXXXX for a placement whose provider it lacks).
    urns = set(episodes["URN"]) - {"", "XXXXXXX"}
    assert urns and urns <= {p["urn"] for p in demo["provider"]}


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 100_000), la=st.sampled_from(demo_data.LA_CODES))
def test_every_generated_set_of_every_table_is_accepted_and_every_row_is_counted(seed, la):
    """Any seed, any LA: its three years of every DfE table pass the DfE's rules through the upload's own path, and
    rows read = accepted + rejected = the rows in its files."""
    files = demo_data.generate_demo(seed, only=(la,))["returns"][la]
    report = Report(ds.NAME, "demo", "", la, ds.DEMO_PERIOD)
    assert ds._ssda903_files(files, la, ds.DEMO_PERIOD, {"child_id_key": b"test"}, report) is not None, report.table().head()
    assert report.ok and report.rows_read == report.rows_accepted + report.rows_rejected \
        == sum(data.count(b"\n") - 1 for _name, data in files)
    assert not [w for w in report.warnings if w["row"]], report.warnings[:3]   # no DfE query either


def test_every_collection_years_return_has_children_placed_for_adoption_in_that_year(demo):
    """PlacedAdoption in every year's set (not only the first, which holds the history), with decisions in that year."""
    for name, data in demo["every_la"]:
        if name.endswith("_placedadoption.csv"):
            placed = pd.to_datetime(pd.read_csv(io.BytesIO(data), dtype=str)["DATE_PLACED"], format="%d/%m/%Y")
            year_end = int(name[:4]) + 1
            in_year = placed.between(pd.Timestamp(year_end - 1, 4, 1), pd.Timestamp(year_end, 3, 31))
            assert in_year.sum() > 50, (name, int(in_year.sum()))
    assert {n[:7] for n, _d in demo["every_la"] if n.endswith("_placedadoption.csv")} == {"2022-23", "2023-24", "2024-25"}
