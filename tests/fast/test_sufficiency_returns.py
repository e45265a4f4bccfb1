"""Sufficiency's SSDA903 returns without a store: the postcode sector kept in place of a postcode, and demo data that
the same seed makes again, written as the DfE's tables on real postcodes and valid under the DfE's rules."""
import pandas as pd
import pytest

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


def test_every_las_demo_return_passes_the_dfe_rules_with_no_error(demo):
    for la_code, files in demo["returns"].items():
        report = Report(ds.NAME, "demo", "", la_code, ds.DEMO_PERIOD)
        assert ds._ssda903_files(files, la_code, ds.DEMO_PERIOD, {"child_id_key": b"test"}, report) is not None, la_code
        assert report.ok and not report.row_errors and report.rows_read == report.rows_accepted, report.table().head()


def test_the_demo_is_the_dfes_tables_on_real_postcodes(demo):
    tables = read_tables(demo["returns"]["E09000022"]).tables
    assert set(tables) == {"Header", "Episodes", "UASC", "Reviews", "AD1", "PlacedAdoption", "PrevPerm", "OC2", "OC3",
                           "Missing"}
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
