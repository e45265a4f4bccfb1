"""The Leadership in Colour importers reproduce the published figures: the ALDCS snapshot and the DfE census."""
import math

import pandas as pd
import pytest

from dashboard.dashboards.leadership_in_colour import view
from dashboard.dashboards.leadership_in_colour import returns as linc
from tests.shared_files import ROOT, shared_file

LA_NAMES = dict(pd.read_csv(ROOT / "data" / "local_authorities.csv", dtype=str)
                [["name", "ons_code"]].itertuples(index=False))


@pytest.fixture(scope="module")
def boroughs():
    return linc.read_published_boroughs(shared_file(linc.BOROUGH_FILE), LA_NAMES)


@pytest.fixture(scope="module")
def csww():
    return linc.read_csww_role(shared_file(linc.CSWW_FILE))


def _cell(frame, area, group, measure):
    return frame[(frame["area_name"] == area) & (frame["ethnic_group"] == group) & (frame["measure"] == measure)].iloc[0]


def test_all_borough_series_is_read_in_pay_order():
    bands = linc.read_published_bands(shared_file(linc.BAND_SERIES_FILE))
    assert len(bands) == 12
    assert bands["pay_band"].iloc[4] == "£50,001 to £60,000"
    assert bands["bgm_share"].iloc[4] == pytest.approx(0.3342414438957943)
    assert bands["band_max"].iloc[-1] is None or pd.isna(bands["band_max"].iloc[-1])   # "Over £160,000" is open-ended
    assert (bands["population_share"] == 0.418).all()


def test_borough_table_is_kept_exactly_as_published(boroughs):
    lambeth = _cell(boroughs, "Lambeth", "bgm", "all_staff")
    assert lambeth["value_text"] == "60%" and lambeth["value"] == pytest.approx(0.60)
    assert lambeth["la_codes"] == "E09000022"
    total = _cell(boroughs, "Grand Total", "bgm", "over_60k")
    assert total["value_text"] == "23%" and _cell(boroughs, "Grand Total", "bgm", "population")["value_text"] == "41%"
    assert _cell(boroughs, "Newham", "asian", "population")["value"] == pytest.approx(0.438)
    assert _cell(boroughs, "Kingston", "bgm", "all_staff")["la_codes"] == "E09000021"


def test_the_sources_suppression_marker_is_kept_and_is_not_zero(boroughs):
    bexley = _cell(boroughs, "Bexley", "asian", "over_60k")
    assert bexley["value_text"] == "<10%" and bexley["suppressed"]
    assert math.isnan(bexley["value"])
    assert boroughs["suppressed"].sum() == 11         # every `<10%` in the file


def test_richmond_and_wandsworth_stay_one_joint_row_and_every_la_is_covered(boroughs):
    joint = _cell(boroughs, "Richmond & Wandsworth", "bgm", "all_staff")
    assert joint["la_codes"] == "E09000027 / E09000032" and joint["value_text"] == "40%"
    codes = {c for codes in boroughs["la_codes"] for c in codes.split(" / ") if c}
    assert len(codes) == 33


def test_an_unknown_borough_is_refused_naming_file_row_and_column(tmp_path):
    bad = tmp_path / "boroughs.csv"
    text = shared_file(linc.BOROUGH_FILE).read_text().replace("Havering,", "Haverhill,")
    bad.write_text(text)
    with pytest.raises(linc.LincImportError, match=r"boroughs.csv, row 17, column 'borough': unknown borough 'Haverhill'"):
        linc.read_published_boroughs(bad, LA_NAMES)


def test_csww_reproduces_published_london_figures(csww):
    london = csww[(csww["area_code"] == "E12000007") & (csww["year"] == 2025)]
    black_case = london[(london["role"] == "Case holder") & (london["ethnicity"] == "black")].iloc[0]
    assert black_case["headcount"] == 970 and black_case["headcount_pct"] == 49.7
    senior_known = london[(london["role"] == "Senior manager") & (london["ethnicity"] == "known")].iloc[0]
    assert senior_known["headcount"] == 152


def test_csww_markers_are_missing_not_zero(csww):
    havering = csww[(csww["area_name"] == "Havering") & (csww["year"] == 2019) & (csww["role"] == "Middle manager")
                    & (csww["ethnicity"] == "asian")].iloc[0]
    assert pd.isna(havering["headcount"]) and havering["headcount_marker"] == "x"
    camden = csww[(csww["area_name"] == "Camden") & (csww["year"] == 2023) & (csww["role"] == "Qualified without cases")
                  & (csww["ethnicity"] == "asian")].iloc[0]
    assert pd.isna(camden["fte"]) and camden["fte_marker"] == "low" and camden["headcount"] == 1
    # 'z' (not applicable) percentages are missing too, never 0.
    assert csww[csww["ethnicity"] == "total"]["headcount_pct"].notna().any()


def test_csww_keeps_the_joint_kingston_richmond_return(csww):
    joint = csww[csww["area_code"] == "E09000021 / E09000027"]
    assert set(joint["area_name"]) == {"Kingston upon Thames / Richmond upon Thames"}
    row = joint[(joint["year"] == 2019) & (joint["role"] == "Case holder") & (joint["ethnicity"] == "asian")].iloc[0]
    assert row["headcount"] == 5
    assert not csww["area_code"].isin(["E09000021", "E09000027"]).any()
    assert "Non-white" not in set(csww["ethnicity"])   # inconsistent in the source; BGM is summed from the groups


def test_role_pipeline_from_the_published_counts(csww):
    london = view.role_pipeline(csww, "E12000007").set_index(["year", "role"])
    assert london.loc[(2025, "Case holder"), "bgm_share"] == pytest.approx(1369 / 1950)       # 70.2%
    assert london.loc[(2025, "Senior manager"), "bgm_share"] == pytest.approx(63 / 152)       # 41.4%
    assert london.loc[(2025, "Senior manager"), "label"] == "41.4%"
    lambeth = view.role_pipeline(csww, "E09000022").set_index(["year", "role"])
    assert lambeth.loc[(2025, "Senior manager"), "label"] == "60.0%"                          # 3 of 5
    havering = view.role_pipeline(csww, "E09000016").set_index(["year", "role"])
    assert pd.isna(havering.loc[(2019, "Middle manager"), "bgm_share"])
    # Five middle managers in post, none with known ethnicity: the groups are x, the share is not 0%.
    assert havering.loc[(2019, "Middle manager"), "label"] == "no staff with known ethnicity"
    brent = view.role_pipeline(csww, "E09000005").set_index(["year", "role"])
    assert brent.loc[(2023, "Senior manager"), "label"] == "no staff with known ethnicity"
    assert pd.isna(brent.loc[(2023, "Senior manager"), "bgm_share"])


def test_not_known_by_la_as_published(csww):
    frame = view.not_known_by_la(csww, 2025).set_index("area_name")
    assert len(frame) == 32                       # 31 LAs and the joint Kingston / Richmond return
    assert frame.loc["Lambeth", "share"] == pytest.approx(0.265)
    assert frame.loc["Lambeth", "headcount"] == 58


def test_census_population_shares_reproduce_ons_london_and_newham():
    shares = linc.read_census_population(shared_file(linc.CENSUS_FILE), set(LA_NAMES.values()))
    by_area = shares.pivot(index="la_code", columns="ethnicity", values="population_share")
    london = by_area.loc["E12000007"]
    # ONS Census 2021, London: White 53.8%, Asian 20.7%, Black 13.5%, Mixed 5.7%, Other 6.3%.
    assert london["white"] == pytest.approx(0.538, abs=0.0005)
    assert london["asian"] == pytest.approx(0.207, abs=0.0005)
    assert london["black"] == pytest.approx(0.135, abs=0.0005)
    assert by_area.loc["E09000025", "white"] == pytest.approx(0.308, abs=0.0005)     # Newham
    assert len(by_area) == 34 and by_area.sum(axis=1).round(9).eq(1).all()
    assert set(shares["source"]) == {linc.CENSUS_SOURCE}


def test_demo_counts_are_reproducible_from_the_seed():
    las = sorted(LA_NAMES.values())
    first, second = linc.demo_frames(las, 11), linc.demo_frames(las, 11)
    pd.testing.assert_frame_equal(first["headcount"], second["headcount"])
    assert not first["headcount"].equals(linc.demo_frames(las, 12)["headcount"])
    assert set(first["headcount"]["ethnicity"]) == set(linc.ETHNICITIES)
