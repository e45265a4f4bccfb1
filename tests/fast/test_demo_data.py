"""The demo generator: reproducible, the right shape, realistic bounds, and honest gaps."""
import pandas as pd
import pytest

from dashboard.dashboards.benchmarking.returns import generate_benchmarking
from dashboard.store.reference import read_reference_csvs


@pytest.fixture(scope="module")
def demo():
    return generate_benchmarking(seed=11)


def test_same_seed_same_data_other_seed_differs(demo):
    again, _ = generate_benchmarking(seed=11)
    pd.testing.assert_frame_equal(demo[0], again)
    other, _ = generate_benchmarking(seed=12)
    assert not demo[0]["value"].equals(other["value"])


def test_at_least_20_quarters_for_every_la_and_indicator(demo):
    values, _ = demo
    n_indicators = len(read_reference_csvs()["indicator"])
    assert values["period_end"].nunique() >= 20
    assert values.groupby(["la_code", "indicator_code"]).size().min() >= 20
    assert values["la_code"].nunique() == 33 and values["indicator_code"].nunique() == n_indicators
    # Quarter ends of the financial year only.
    assert {(d.month, d.day) for d in values["period_end"]} == {(6, 30), (9, 30), (12, 31), (3, 31)}


def test_percentages_stay_within_0_and_100(demo):
    values, england = demo
    catalogue = read_reference_csvs()["indicator"]
    percent = set(catalogue[catalogue["unit"] == "%"]["code"])
    for frame in (values, england):
        shares = frame[frame["indicator_code"].isin(percent)]["value"].dropna()
        assert shares.between(0, 100).all()
    assert (values["value"].dropna() >= 0).all()


def test_missing_returns_exist_but_the_latest_quarter_stays_usable(demo):
    values, _ = demo
    assert 0.01 < values["value"].isna().mean() < 0.06
    latest = values[values["period_end"] == values["period_end"].max()]
    assert latest.groupby("indicator_code")["value"].apply(lambda v: v.isna().sum()).max() <= 3


def test_one_la_misses_a_whole_quarter(demo):
    values, _ = demo
    whole_gaps = values.groupby(["la_code", "period_end"])["value"].apply(lambda v: v.isna().all())
    assert whole_gaps.any()


def test_england_only_where_the_catalogue_has_it(demo):
    _, england = demo
    catalogue = read_reference_csvs()["indicator"].set_index("code")
    assert set(england["indicator_code"]) <= set(catalogue.index[catalogue["england_available"]])
    assert "uasc_cla" not in set(england["indicator_code"])
    assert england["value"].notna().all()
