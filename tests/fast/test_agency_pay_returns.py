"""Agency pay's returns, without a store: demo data shaped like the pledge, a cap change validated in plain English,
and an LA's quarterly return read or refused naming row, column and rule."""
from datetime import date

import pandas as pd
import pytest

from dashboard.dashboards.agency_pay import returns as ds
from dashboard.dashboards.agency_pay import metrics as m

LAS = [f"E090000{n:02d}" for n in range(1, 34)]


def test_demo_data_is_reproducible_and_shaped_like_the_pledge():
    first, returns = ds.generate_demo(11, LAS)
    second, _ = ds.generate_demo(11, LAS)
    pd.testing.assert_frame_equal(first, second)
    assert set(first["job_type"]) == set(m.JOB_TYPES)
    # Missing returns exist (one LA late for the last quarter), and the demo user's LA always returns.
    latest = returns[returns["period_end"] == returns["period_end"].max()]
    assert len(latest) == 32 and "E09000022" in set(latest["la_code"])
    caps = pd.DataFrame(ds.illustrative_cap_rows(pd.Timestamp.now()))
    by_quarter = m.group_summary(m.prepare(first.assign(period_end=pd.to_datetime(first["period_end"])), caps), ["period_end"])
    spend = by_quarter.set_index("period_end")["pct_spend_over"]
    # Over-cap spend falls from about half to the mid-teens, the last quarters the lowest: "a new best ever".
    assert spend.iloc[0] > 40 and 10 < spend.iloc[-1] < 22 and spend.iloc[-1] <= spend.iloc[:-3].min()
    # About 20% PAYE, and legacy contracts running off.
    assert 0.15 < first["is_paye"].mean() < 0.25
    legacy = first.groupby("period_end")["is_legacy"].mean()
    assert legacy.iloc[0] > 0.2 and legacy.iloc[-1] < 0.03


def test_demo_paye_rates_convert_back_to_the_cap_basis():
    rows, _ = ds.generate_demo(3, LAS[:5], quarters=4)
    caps = pd.DataFrame(ds.illustrative_cap_rows(pd.Timestamp.now()))
    prepared = m.prepare(rows.assign(period_end=pd.to_datetime(rows["period_end"])), caps)
    paye = prepared[prepared["is_paye"]]
    # Generated as basic x 1.1207 x (1 + NI) rounded to the penny, so the adjustment gives back the 50p steps
    # of the basic rates, to within the half-penny of that rounding.
    steps = paye["adjusted_rate"] * 2
    assert (steps - steps.round()).abs().max() < 0.011


# --- caps ----------------------------------------------------------------------------------------------------

def test_cap_change_is_validated_in_plain_english():
    change = ds.validate_cap_change("team_manager", "£43.00", "2026-04-01", " new agreement ", today=date(2026, 1, 1))
    assert change == ds.CapChange("team_manager", 43.0, date(2026, 4, 1), "new agreement")
    with pytest.raises(ValueError, match="unknown job type"):
        ds.validate_cap_change("director", "43", "2026-04-01")
    with pytest.raises(ValueError, match="number of pounds"):
        ds.validate_cap_change("team_manager", "forty", "2026-04-01")
    with pytest.raises(ValueError, match="outside"):
        ds.validate_cap_change("team_manager", "4300", "2026-04-01")
    with pytest.raises(ValueError, match="pence"):
        ds.validate_cap_change("team_manager", "43.005", "2026-04-01")
    with pytest.raises(ValueError, match="date such as"):
        ds.validate_cap_change("team_manager", "43", "next April")
    with pytest.raises(ValueError, match="two years"):
        ds.validate_cap_change("team_manager", "43", "2031-04-01", today=date(2026, 1, 1))


# --- an LA's quarterly return ------------------------------------------------------------------------------

def good_return():
    return pd.DataFrame({
        "job_type": ["Social worker", "team_manager", "IRO / CP chair"],
        "hourly_rate": ["32.00", "£45.10", "39"], "paye": ["no", "yes", "No"], "hours_per_week": [37, 37, 22.5],
        "start_date": ["2025-01-06", "2019-05-01", "2025-03-01"], "legacy": ["no", "yes", "no"],
        "charge_rate": ["38.50", "", None],
    })


def test_a_good_return_is_read_with_codes_flags_and_blank_charge_rates():
    clean, problems = ds.validate_return(good_return(), date(2025, 6, 30))
    assert problems == []
    assert list(clean["job_type"]) == ["social_worker", "team_manager", "iro_cp_chair"]
    assert list(clean["is_paye"]) == [False, True, False] and list(clean["is_legacy"]) == [False, True, False]
    assert clean["hourly_rate"].iloc[1] == 45.10 and clean["charge_rate"].iloc[0] == 38.5
    assert pd.isna(clean["charge_rate"].iloc[1]) and pd.isna(clean["charge_rate"].iloc[2])


def test_a_bad_return_names_row_column_and_rule():
    bad = good_return()
    bad.loc[1, "hourly_rate"] = "lots"
    bad.loc[2, "paye"] = "maybe"
    bad.loc[0, "start_date"] = "2025-08-01"
    bad.loc[0, "charge_rate"] = "20"
    clean, problems = ds.validate_return(bad, date(2025, 6, 30))
    assert clean.empty
    assert "row 3, column hourly_rate: 'lots' is not a number" in problems
    assert "row 4, column paye: 'maybe' must be yes or no" in problems
    assert any(p.startswith("row 2, column start_date") and "after the quarter's end" in p for p in problems)
    assert any(p.startswith("row 2, column charge_rate") and "below the pay rate" in p for p in problems)
    _, missing = ds.validate_return(bad.drop(columns=["legacy"]), date(2025, 6, 30))
    assert missing == ["missing column(s): legacy"]
