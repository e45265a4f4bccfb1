"""The relative rate index: the published regional table reproduced, hand-worked intervals, edge cases, suppression."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.dashboards.suspensions import metrics as m
from dashboard.dashboards.suspensions.metrics import hide_small_rates
from tests.shared_files import REFERENCE, shared_file

PUBLISHED = REFERENCE / "suspensions_rri_published.csv"


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(shared_file(PUBLISHED))


@pytest.fixture(scope="module")
def recomputed(published) -> pd.DataFrame:
    # The table gives headcounts and rates per 1,000 (rounded): the count of pupils suspended is
    # recovered as rate x headcount / 1000, rounded to whole pupils.
    frame = pd.DataFrame({
        "group": published["ethnicity"], "population": published["pupils"],
        "count": (published["suspension_rate_per_1000"] * published["pupils"] / 1000).round(),
    })
    return m.relative_rate_index(frame).join(published[["suspension_rate_per_1000", "rri", "representation"]]
                                             .rename(columns={"rri": "published_rri"}))


def test_published_rates_are_reproduced_to_the_whole_number(recomputed):
    assert (recomputed["rate_per_1000"].round() == recomputed["suspension_rate_per_1000"]).all()


def test_published_rris_are_reproduced_within_the_rounding_of_the_rates(recomputed):
    shown = recomputed.dropna(subset=["published_rri"])
    assert len(shown) == 17  # two RRI cells were unreadable in the source
    differences = (shown["rri"] - shown["published_rri"]).abs()
    # Rates are published as whole numbers and RRIs to 1 dp, so a recomputed RRI can differ by about 0.1.
    assert differences.max() <= 0.1 + 1e-9, shown.loc[differences.idxmax(), ["group", "rri", "published_rri"]].to_dict()
    # ... and most match exactly once rounded.
    assert (shown["rri"].round(1) == shown["published_rri"]).sum() >= 11
    assert recomputed.loc[recomputed["group"] == "Black Caribbean", "rri"].iloc[0] == pytest.approx(1.82, abs=0.01)


def test_every_published_band_is_reproduced(recomputed):
    expected = recomputed["representation"].fillna(m.PARITY)
    expected[recomputed["group"] == "White British"] = m.REFERENCE
    mismatches = recomputed.loc[recomputed["band"] != expected, ["group", "rri", "band", "representation"]]
    assert mismatches.empty, mismatches.to_dict("records")
    # Including the two rows whose RRI cell is blank in the source.
    bands = dict(zip(recomputed["group"], recomputed["band"]))
    assert bands["Indian"] == bands["Any other asian background"] == m.UNDER


def _band(rri, thresholds=None):
    return m.bands([rri], thresholds)[0]


def test_published_rounded_rris_fall_in_the_same_bands(published):
    # The thresholds sit between the published values, so banding the rounded RRIs agrees too.
    for value, label in zip(published["rri"], published["representation"]):
        if pd.notna(value) and value != 1.0:
            assert _band(value) == (label if isinstance(label, str) else m.PARITY), value


def test_band_thresholds_at_their_edges():
    assert _band(0.7499) == m.UNDER and _band(m.UNDER_REPRESENTED_BELOW) == m.PARITY
    assert _band(1.2499) == m.PARITY and _band(m.OVER_REPRESENTED_FROM) == m.OVER
    assert _band(1.4999) == m.OVER and _band(m.SUBSTANTIALLY_OVER_FROM) == m.SUBSTANTIALLY_OVER
    assert _band(0.0) == m.UNDER and _band(float("nan")) is None


def _two(a, n, b, m_, group="Group"):
    return pd.DataFrame({"group": [group, "White British"], "population": [n, m_], "count": [a, b]})


def test_hand_worked_interval_for_a_doubled_rate():
    # 50 of 1,000 against 100 of 4,000: rates 50 and 25 per 1,000, RRI 2.
    # SE(ln RRI) = sqrt(1/50 - 1/1000 + 1/100 - 1/4000) = sqrt(0.02875) = 0.169558
    # 1.959964 x 0.169558 = 0.332327; 2 x exp(-0.332327) = 1.4345, 2 x exp(0.332327) = 2.7884
    row = m.relative_rate_index(_two(50, 1000, 100, 4000)).iloc[0]
    assert row["rate_per_1000"] == pytest.approx(50.0)
    assert row["rri"] == pytest.approx(2.0)
    assert row["ci_low"] == pytest.approx(1.4345, abs=1e-4)
    assert row["ci_high"] == pytest.approx(2.7884, abs=1e-4)
    assert row["band"] == m.SUBSTANTIALLY_OVER and bool(row["significant"]) is True
    assert m.band_label(row["band"], row["significant"]) == m.SUBSTANTIALLY_OVER


def test_hand_worked_interval_for_a_small_group_is_not_significant():
    # 3 of 50 against 100 of 4,000: RRI = 60 / 25 = 2.4.
    # SE = sqrt(1/3 - 1/50 + 1/100 - 1/4000) = sqrt(0.323083) = 0.568404; x 1.959964 = 1.114052
    # 2.4 x exp(-1.114052) = 0.7877, 2.4 x exp(1.114052) = 7.3120: the interval crosses 1.
    row = m.relative_rate_index(_two(3, 50, 100, 4000)).iloc[0]
    assert row["rri"] == pytest.approx(2.4)
    assert row["ci_low"] == pytest.approx(0.7877, abs=1e-4)
    assert row["ci_high"] == pytest.approx(7.3120, abs=1e-4)
    assert bool(row["significant"]) is False
    assert m.band_label(row["band"], row["significant"]) == "Substantially over (not significant)"


def test_under_representation_significant_below_one():
    # 10 of 1,000 against 100 of 4,000: RRI 0.4, interval (0.21, 0.76) wholly below 1.
    row = m.relative_rate_index(_two(10, 1000, 100, 4000)).iloc[0]
    assert row["rri"] == pytest.approx(0.4)
    assert row["ci_high"] < 1 and bool(row["significant"]) is True and row["band"] == m.UNDER


def test_zero_count_group_gets_rri_zero_and_a_corrected_upper_limit():
    # 0 of 40 against 100 of 4,000. Haldane-Anscombe: (0.5/41) / (100.5/4001) = 0.485500,
    # SE = sqrt(1/0.5 - 1/41 + 1/100.5 - 1/4001) = 1.409010; upper = 0.4855 x exp(1.959964 x 1.409010) = 7.6832.
    row = m.relative_rate_index(_two(0, 40, 100, 4000)).iloc[0]
    assert row["rri"] == 0.0 and row["rate_per_1000"] == 0.0
    assert row["ci_low"] == 0.0
    assert row["ci_high"] == pytest.approx(7.6832, abs=1e-3)
    assert bool(row["significant"]) is False  # 0 of 40 is not evidence of anything


def test_zero_population_and_missing_count_give_no_rri_and_no_error():
    frame = pd.DataFrame({"group": ["Empty", "Unknown", "White British"],
                          "population": [0, 120, 4000], "count": [0, None, 100]})
    out = m.relative_rate_index(frame)
    assert out["rri"].iloc[:2].isna().all() and out["rate_per_1000"].iloc[:2].isna().all()
    assert list(out["band"].iloc[:2]) == [None, None]
    assert out["significant"].iloc[:2].isna().all()


def test_reference_with_no_outcome_gives_no_rri_anywhere():
    out = m.relative_rate_index(_two(5, 100, 0, 4000))
    assert out["rri"].isna().all() and list(out["band"]) == [None, None]
    assert out["rate_per_1000"].iloc[0] == pytest.approx(50.0)


def test_reference_row_and_other_columns():
    frame = _two(50, 1000, 100, 4000).assign(major=["Mixed", "White"])
    out = m.relative_rate_index(frame)
    ref = out.iloc[1]
    assert ref["rri"] == 1.0 and ref["band"] == m.REFERENCE and pd.isna(ref["significant"])
    assert math.isnan(ref["ci_low"]) and math.isnan(ref["ci_high"])
    assert list(out.columns) == ["group", "population", "count", "major", *m.OUTPUT_COLUMNS]
    assert list(frame.columns) == ["group", "population", "count", "major"]  # the input is not changed


def test_another_reference_group_for_other_measures():
    frame = pd.DataFrame({"group": ["Black", "White"], "population": [2000, 8000], "count": [30, 60]})
    out = m.relative_rate_index(frame, reference="White")
    assert out["rri"].iloc[0] == pytest.approx((30 / 2000) / (60 / 8000))


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"group": ["A"], "population": [10], "count": [1]}), "appears not at all"),
    (pd.DataFrame({"group": ["White British"] * 2, "population": [10, 10], "count": [1, 1]}), "twice"),
    (pd.DataFrame({"group": ["A", "White British"], "population": [10, 10], "count": [11, 1]}), "more children"),
    (pd.DataFrame({"group": ["A", "White British"], "population": [10, 10], "count": [-1, 1]}), "negative"),
    (pd.DataFrame({"group": ["White British"], "population": [10]}), "missing"),
])
def test_bad_input_is_refused_clearly(frame, message):
    with pytest.raises(ValueError, match=message):
        m.relative_rate_index(frame)


def test_tiny_groups_are_computed_then_suppressed_for_display():
    frame = pd.DataFrame({"group": ["Tiny", "Small", "Large", "White British"],
                          "population": [3, 60, 900, 4000], "count": [1, 9, 40, 100]})
    raw = m.relative_rate_index(frame)
    assert raw["rri"].notna().all()  # the arithmetic works on any size
    shown = hide_small_rates(raw, "White British")
    assert list(shown["suppressed"]) == [True, True, False, False]
    assert shown.loc[:1, ["rate_per_1000", "rri", "ci_low", "ci_high"]].isna().all().all()
    assert shown.loc[2, "rri"] == pytest.approx((40 / 900) / (100 / 4000))
    assert list(shown["band"][:2]) == [None, None]


def test_a_small_reference_group_hides_every_rri():
    raw = m.relative_rate_index(pd.DataFrame({"group": ["A", "White British"], "population": [900, 100], "count": [40, 8]}))
    shown = hide_small_rates(raw, "White British")
    assert shown["rri"].isna().all()
    assert shown.loc[0, "rate_per_1000"] == pytest.approx(40 / 900 * 1000)  # the rate itself rests on 40 pupils


def test_by_computes_each_table_as_if_alone():
    # Two LAs in one frame: the same answer as one call per LA, each against its own White British row.
    frame = pd.DataFrame({
        "la": ["A", "A", "A", "B", "B", "B"],
        "group": ["White British", "Black Caribbean", "Indian"] * 2,
        "population": [4000, 1000, 800, 2500, 600, 0],
        "count": [100, 50, 4, 40, 30, 0],
    })
    together = hide_small_rates(m.relative_rate_index(frame, by=["la"]), "White British", by=["la"])
    for la, part in frame.groupby("la"):
        alone = hide_small_rates(m.relative_rate_index(part.reset_index(drop=True)), "White British")
        mine = together[together["la"] == la].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)
    assert together.loc[4, "rri"] == pytest.approx((30 / 600) / (40 / 2500))


def test_by_refuses_a_table_without_its_reference():
    frame = pd.DataFrame({"la": ["A", "A", "B"], "group": ["White British", "Indian", "Indian"],
                          "population": [10, 10, 10], "count": [1, 1, 1]})
    with pytest.raises(ValueError, match="not at all"):
        m.relative_rate_index(frame, by=["la"])


def test_thresholds_can_be_given_for_another_measure():
    frame = _two(50, 1000, 100, 4000)  # RRI 2
    assert m.relative_rate_index(frame, thresholds=(0.5, 1.5, 3.0))["band"].iloc[0] == m.OVER
    assert _band(2.0, (0.5, 1.5, 3.0)) == m.OVER
    with pytest.raises(ValueError, match="band thresholds"):
        _band(1.0, (1.2, 1.5, 3.0))
