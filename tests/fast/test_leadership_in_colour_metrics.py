"""Representation metrics with hand-worked figures, and the glass ceiling of the published all-borough series."""
import math

import numpy as np
import pandas as pd
import pytest

from dashboard.dashboards.leadership_in_colour import metrics as rep
from tests.shared_files import REFERENCE, shared_file

SERIES = REFERENCE / "linc_bame_share_by_payband_all_boroughs_2020.csv"


def test_published_percentages_parse_and_the_suppression_marker_is_not_a_value():
    assert rep.parse_published_percent("37%") == (0.37, False)
    assert rep.parse_published_percent("10.4%") == pytest.approx((0.104, False))
    value, suppressed = rep.parse_published_percent("<10%")
    assert math.isnan(value) and suppressed          # "3 employees or fewer": unknown, not under 10%
    value, suppressed = rep.parse_published_percent("")
    assert math.isnan(value) and not suppressed
    with pytest.raises(ValueError, match="not a published percentage"):
        rep.parse_published_percent("about 40")


def test_representation_ratio_scalar_and_series():
    assert rep.representation_ratio(0.23, 0.41) == pytest.approx(0.561, abs=1e-3)
    assert math.isnan(rep.representation_ratio(0.2, 0))       # no population share: no ratio
    assert math.isnan(rep.representation_ratio(float("nan"), 0.4))
    out = rep.representation_ratio(pd.Series([0.5, np.nan, 0.1]), pd.Series([0.25, 0.4, 0.0]))
    assert out.iloc[0] == pytest.approx(2.0) and out.iloc[1:].isna().all()


def test_position_uses_a_one_point_tolerance():
    assert rep.position(0.4174, 0.418) == "parity"
    assert rep.position(0.405, 0.418) == "below"
    assert rep.position(0.43, 0.418) == "above"
    assert rep.position(np.nan, 0.418) == "unknown"


def _bands(shares, population=0.4):
    return pd.DataFrame({"band": [f"B{i}" for i in range(1, len(shares) + 1)], "share": shares, "population_share": population})


def test_glass_ceiling_is_the_lowest_band_from_which_every_higher_band_is_below():
    result = rep.glass_ceiling(_bands([0.5, 0.45, 0.30, 0.42, 0.20, 0.10]))
    # B3 dips below but B4 recovers to parity, so the ceiling is B5.
    assert result["status"] == "ceiling" and result["band"] == "B5" and result["first_below"] == "B3"


def test_glass_ceiling_other_outcomes():
    assert rep.glass_ceiling(_bands([0.2, 0.1]))["status"] == "below_throughout"
    assert rep.glass_ceiling(_bands([0.2, 0.1]))["band"] == "B1"
    assert rep.glass_ceiling(_bands([0.5, 0.3, 0.45]))["status"] == "none"
    assert rep.glass_ceiling(_bands([np.nan, np.nan]))["status"] == "no_data"


def test_a_suppressed_band_is_skipped_never_read_as_zero():
    # B3 suppressed: were it read as 0 it would be "below"; skipped, B2 is the ceiling only if B4 is below too.
    result = rep.glass_ceiling(_bands([0.5, 0.3, np.nan, 0.2]))
    assert result["band"] == "B2" and result["skipped"] == ["B3"]
    result = rep.glass_ceiling(_bands([0.5, 0.5, np.nan, 0.45]))
    assert result["status"] == "none"


def test_published_all_borough_series_falls_below_population_between_40_50k_and_50_60k():
    series = pd.read_csv(shared_file(SERIES))
    bands = pd.DataFrame({"band": series["pay_band"], "share": series["bame_share_of_staff"],
                          "population_share": series["bame_share_of_london_population_2016"]})
    result = rep.glass_ceiling(bands)
    assert result["status"] == "ceiling"
    assert result["band"] == "£50,001 to £60,000"
    assert result["first_below"] == "£50,001 to £60,000"
    # £40-50k (41.7%) is at parity with London's 41.8%; £50-60k (33.4%) is well below it.
    assert rep.position(series["bame_share_of_staff"][3], 0.418) == "parity"
    assert rep.representation_ratio(series["bame_share_of_staff"][4], 0.418) == pytest.approx(0.80, abs=0.005)
    assert "£50,001 to £60,000" in rep.describe_ceiling(result)


def test_shares_of_known_hand_worked():
    counts = pd.DataFrame({"band": ["A"] * 6, "ethnicity": ["asian", "black", "mixed", "other", "white", "not_known"],
                           "headcount": [10, 20, 5, 5, 60, 25]})
    wide = rep.shares_of_known(counts, ["band"]).iloc[0]
    assert wide["bgm"] == 40 and wide["known"] == 100 and wide["total"] == 125
    assert wide["bgm_share"] == pytest.approx(0.40) and wide["black_share"] == pytest.approx(0.20)
    assert wide["not_known_share"] == pytest.approx(0.20)   # of all staff, 25 / 125


def test_shares_with_no_known_staff_are_missing_not_zero():
    counts = pd.DataFrame({"band": ["A", "A"], "ethnicity": ["white", "not_known"], "headcount": [0, 4]})
    wide = rep.shares_of_known(counts, ["band"]).iloc[0]
    assert math.isnan(wide["bgm_share"]) and wide["not_known_share"] == 1.0


def test_format_share_never_writes_zero_for_missing():
    assert rep.format_share(np.nan) == "no figure"
    assert rep.format_share(0.0) == "0%"
    assert rep.format_share(0.4174, decimals=1) == "41.7%"


def test_bgm_share_of_known_and_drop_off():
    assert rep.bgm_share_of_known(230, 970, 124, 45, 1950) == pytest.approx(1369 / 1950)
    assert math.isnan(rep.bgm_share_of_known(np.nan, 1, 1, 1, 10))   # x in the source: not published
    pipeline = pd.DataFrame({"role": ["Case holder", "Senior manager"], "bgm_share": [0.70, 0.41]})
    assert rep.drop_off(pipeline, "Case holder", "Senior manager") == pytest.approx(0.29)
    assert math.isnan(rep.drop_off(pipeline.assign(bgm_share=[0.7, np.nan]), "Case holder", "Senior manager"))
