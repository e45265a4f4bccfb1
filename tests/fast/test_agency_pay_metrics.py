"""Agency pay arithmetic with hand-worked figures: PAYE adjustment, caps in force, quartiles, over cap, disclosure control."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.dashboards.agency_pay import metrics as m
from dashboard import disclosure

CAPS = pd.DataFrame({
    "job_type": ["social_worker", "social_worker", "team_manager"],
    "effective_from": [date(2021, 4, 1), date(2024, 4, 1), date(2021, 4, 1)],
    "cap": [32.0, 33.5, 40.0],
})


# --- PAYE adjustment --------------------------------------------------------------------------------------

def test_paye_rate_has_holiday_pay_and_employer_ni_taken_out():
    # Quarter ending 30 Jun 2024: NI 13.8%. 40 / (1.1207 x 1.138) = 40 / 1.2753566 = 31.3638
    assert m.paye_adjusted_rate(40.0, True, "2024-06-30") == pytest.approx(31.3638, abs=1e-4)
    # Quarter ending 30 Jun 2025: NI 15%. 40 / (1.1207 x 1.15) = 40 / 1.288805 = 31.0365
    assert m.paye_adjusted_rate(40.0, True, "2025-06-30") == pytest.approx(31.0365, abs=1e-4)


def test_non_paye_rate_is_used_as_returned_and_missing_stays_missing():
    assert m.paye_adjusted_rate(40.0, False, "2024-06-30") == 40.0
    assert np.isnan(m.paye_adjusted_rate(np.nan, True, "2024-06-30"))


def test_paye_adjustment_works_on_columns_with_the_ni_rate_of_each_quarter():
    adjusted = m.paye_adjusted_rate(pd.Series([40.0, 40.0, 40.0]), pd.Series([True, False, True]),
                                    pd.Series(pd.to_datetime(["2024-06-30", "2024-06-30", "2022-06-30"])))
    # 2022-06-30 is in the Health and Social Care Levy months: 15.05%. 40 / (1.1207 x 1.1505) = 31.0230
    assert list(adjusted.round(4)) == [31.3638, 40.0, 31.0230]


def test_paye_rates_are_settings_the_function_takes():
    # A different holiday rate and NI schedule give the same formula with those rates: 40 / (1.10 x 1.10) = 33.0579
    value = m.paye_adjusted_rate(40.0, True, "2024-06-30", holiday_pay_rate=0.10, ni_rates=((date(2000, 1, 1), 0.10),))
    assert value == pytest.approx(33.0579, abs=1e-4)


def test_employer_ni_rate_follows_its_effective_dates():
    assert m.employer_ni_rate_on("2022-03-31") == 0.138
    assert m.employer_ni_rate_on("2022-09-30") == 0.1505
    assert m.employer_ni_rate_on("2022-12-31") == 0.138
    assert m.employer_ni_rate_on("2025-04-05") == 0.138
    assert m.employer_ni_rate_on("2025-04-06") == 0.15
    with pytest.raises(ValueError):
        m.employer_ni_rate_on("2010-01-01")


# --- caps ---------------------------------------------------------------------------------------------------

def test_each_quarter_gets_the_cap_in_force_on_its_last_day():
    rows = pd.DataFrame({"period_end": pd.to_datetime(["2024-03-31", "2024-06-30", "2021-03-31", "2024-06-30"]),
                         "job_type": ["social_worker", "social_worker", "social_worker", "team_manager"]})
    capped = m.attach_caps(rows, CAPS)
    assert capped["cap"].iloc[0] == 32.0 and capped["cap"].iloc[1] == 33.5 and capped["cap"].iloc[3] == 40.0
    assert np.isnan(capped["cap"].iloc[2])  # before any cap: none in force, never "over"
    assert list(capped["job_type"]) == list(rows["job_type"])  # order kept


def test_caps_in_force_on_a_day():
    table = m.caps_in_force(CAPS, "2024-05-01").set_index("job_type")["cap"].to_dict()
    assert table == {"social_worker": 33.5, "team_manager": 40.0}


# --- ranges -------------------------------------------------------------------------------------------------

def test_rate_range_quartiles_by_linear_interpolation():
    r = m.rate_range(pd.Series([40.0, 30.0, 35.0, 32.0]))
    # Sorted 30, 32, 35, 40. Q1 at position 0.75: 30 + 0.75 x 2 = 31.5; median 33.5; Q3 at 2.25: 35 + 0.25 x 5 = 36.25
    assert r == {"n": 4, "min": 30.0, "q1": 31.5, "median": 33.5, "q3": 36.25, "max": 40.0}


def test_rate_range_of_nothing_is_missing_not_zero():
    r = m.rate_range(pd.Series([], dtype=float))
    assert r["n"] == 0 and np.isnan(r["median"]) and np.isnan(r["min"])


# --- over cap ---------------------------------------------------------------------------------------------

def four_assignments():
    return pd.DataFrame({
        "period_end": pd.to_datetime(["2024-03-31"] * 4),
        "la_code": ["A", "A", "B", "B"],
        "job_type": ["social_worker"] * 4,
        "hourly_rate": [30.0, 32.0, 35.0, 40.0],
        "is_paye": [False] * 4,
        "hours_per_week": [37.0, 37.0, 20.0, 37.0],
        "is_legacy": [False, False, False, True],
    })


def test_over_cap_counts_and_spend_by_hand():
    prepared = m.prepare(four_assignments(), CAPS)  # cap 32 on 31 Mar 2024
    # £32.00 equals the cap: within it. Over: £35 (20 h) and £40 (37 h).
    assert list(prepared["over_cap"]) == [False, False, True, True]
    result = m.over_cap(prepared)
    # Spend 37x30 + 37x32 + 20x35 + 37x40 = 1110 + 1184 + 700 + 1480 = 4474; over-cap spend 700 + 1480 = 2180.
    assert result["n"] == 4 and result["n_over"] == 2 and result["pct_over"] == 50.0
    assert result["spend"] == 4474 and result["spend_over"] == 2180
    assert result["pct_spend_over"] == pytest.approx(48.726, abs=1e-3)
    # Excess: 20 x 3 + 37 x 8 = 60 + 296 = 356, 7.957% of spend.
    assert result["excess"] == 356 and result["pct_excess"] == pytest.approx(7.957, abs=1e-3)


def test_over_cap_without_legacy_contracts():
    summary = m.group_summary(m.prepare(four_assignments(), CAPS), ["job_type"]).iloc[0]
    # Without the legacy £40: 3 assignments, 1 over (33.3%); spend 2994, over 700 = 23.380%.
    assert summary["n_excl"] == 3 and summary["n_over_excl"] == 1
    assert summary["pct_over_excl"] == pytest.approx(33.333, abs=1e-3)
    assert summary["pct_spend_over_excl"] == pytest.approx(23.380, abs=1e-3)
    assert summary["n_legacy"] == 1 and summary["median"] == 33.5


def test_paye_adjustment_decides_whether_a_rate_is_over_cap():
    rows = four_assignments().iloc[[3]].assign(is_paye=True, is_legacy=False)
    # £40 PAYE in Q4 2023-24: 40 / (1.1207 x 1.138) = £31.36, under the £32 cap.
    prepared = m.prepare(rows, CAPS)
    assert prepared["adjusted_rate"].iloc[0] == pytest.approx(31.3638, abs=1e-4)
    assert not prepared["over_cap"].iloc[0]


def test_over_cap_is_judged_to_the_penny():
    rows = four_assignments().iloc[:2].assign(hourly_rate=[32.004, 32.006])
    assert list(m.prepare(rows, CAPS)["over_cap"]) == [False, True]


def test_over_cap_of_no_assignments_is_missing_not_zero():
    result = m.over_cap(m.prepare(four_assignments().iloc[0:0], CAPS))
    assert result["n"] == 0 and np.isnan(result["pct_over"]) and np.isnan(result["pct_spend_over"])


# --- disclosure control (the cell-key method) ------------------------------------------------------------------

def _summary(n, n_over, k, k_over, median=30.0):
    """One group's summary: counts, their record-key sums, a pay figure; no legacy contracts."""
    return {"n": n, "n_over": n_over, "n_excl": n, "n_over_excl": n_over, "k": k, "k_over": k_over, "k_excl": k,
            "k_over_excl": k_over, "median": median, "spend": 100.0, "pct_spend_over": 10.0}


def test_protected_counts_are_the_true_counts_plus_the_table_change_for_their_cell_key():
    summary = pd.DataFrame([_summary(20, 3, 300, 40)])
    out = m.protect_summary(summary)
    # Cell keys are the key sums mod 256: 300 -> 44 and 40.
    n = 20 + int(disclosure.PTABLE[8, 44])
    over = min(3 + int(disclosure.PTABLE[3, 40]), n)
    assert out.loc[0, "n"] == n and out.loc[0, "n_over"] == over
    assert out.loc[0, "pct_over"] == pytest.approx(100 * over / n)    # the share is built from the protected counts
    assert over not in (1, 2, 3, 4)                                       # 3 over cap never shows as 1-4
    assert "k" not in out and "k_over" not in out                         # nothing keyed leaves


def test_the_viewers_own_assignments_are_exact_and_only_the_others_part_is_protected():
    pooled = pd.DataFrame([{"_all": "", **_summary(25, 6, 1000, 200)}])
    own = pd.DataFrame([{"_all": "", **_summary(22, 4, 900, 150)}])
    out = m.protect_summary(pooled, own, on=["_all"])
    # Others: 3 assignments with key sum 100, 2 over cap with key sum 50.
    assert out.loc[0, "others_shown"] == 3 + disclosure.PTABLE[3, 100]
    assert out.loc[0, "n"] == 22 + 3 + disclosure.PTABLE[3, 100]
    assert out.loc[0, "n_over"] == min(4 + 2 + disclosure.PTABLE[2, 50], out.loc[0, "n"])
    # A group of the viewer's LA alone is shown exactly, pay figures and all.
    alone = m.protect_summary(own, own, on=["_all"], own_alone=[True])
    assert (alone.loc[0, "n"], alone.loc[0, "n_over"], alone.loc[0, "median"]) == (22, 4, 30.0)


def test_pay_figures_need_more_other_assignments_than_a_small_group_can_show_as():
    # A count of 1-4 is shown as 0 or 5, so pay figures need 6.
    assert m.PAY_MINIMUM == 6
    groups = pd.DataFrame([_summary(n, 0, key, 0) for n in (1, 2, 3, 4) for key in range(256)])
    out = m.protect_summary(groups)
    assert not out["pay_shown"].any() and out["median"].isna().all() and out["pct_spend_over"].isna().all()
    assert set(out["n"]) == {0, 5}
    large = m.protect_summary(pd.DataFrame([_summary(40, 5, 7, 3)]))
    assert large.loc[0, "pay_shown"] and large.loc[0, "median"] == 30.0


def test_the_same_assignments_give_the_same_protected_count_in_any_view():
    # One LA's group (n 7, key sum 517) alone, and as a row beside others in another table: the same figure.
    alone = m.protect_summary(pd.DataFrame([{"la_code": "A", **_summary(7, 2, 517, 12)}]))
    beside = m.protect_summary(pd.DataFrame([{"la_code": c, **_summary(n, 1, k, 9)}
                                             for c, n, k in (("B", 30, 4), ("A", 7, 517), ("C", 12, 99))]))
    assert alone.loc[0, "n"] == beside.loc[1, "n"] and alone.loc[0, "n_over"] == beside.loc[1, "n_over"]


def test_spread_change_says_whether_rates_are_converging():
    trend = pd.DataFrame({"job_type": ["social_worker"] * 2 + ["team_manager"] * 2,
                          "period_end": pd.to_datetime(["2023-06-30", "2024-06-30"] * 2),
                          "q1": [30.0, 31.0, 38.0, 37.0], "q3": [36.0, 34.0, 42.0, 43.0]})
    result = m.spread_change(trend).set_index("job_type")
    assert result.loc["social_worker", "first_spread"] == 6 and result.loc["social_worker", "last_spread"] == 3
    assert result.loc["social_worker", "verdict"] == "narrower: converging"
    assert result.loc["team_manager", "verdict"] == "wider: diverging"


def test_quarter_labels_are_financial_year_quarters():
    assert m.quarter_label("2024-06-30") == "Q1 2024-25" and m.quarter_label("2025-03-31") == "Q4 2024-25"


def test_grouped_summary_equals_the_per_group_functions():
    rows = pd.concat([four_assignments(), four_assignments().assign(la_code="C", hourly_rate=[31.0, 33.0, 34.0, 45.0])])
    prepared = m.prepare(rows, CAPS)
    summary = m.group_summary(prepared, ["la_code"]).set_index("la_code")
    for la, group in prepared.groupby("la_code"):
        expected = {**m.rate_range(group["adjusted_rate"]), **m.over_cap(group)}
        for key, value in expected.items():
            assert summary.loc[la, key] == pytest.approx(value), (la, key)
        current = m.over_cap(group[~group["is_legacy"]])
        assert summary.loc[la, "pct_spend_over_excl"] == pytest.approx(current["pct_spend_over"])
