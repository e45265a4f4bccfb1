"""My LA's exception and data-status rules, on small hand-made LAs and figures (worked by hand in the comments)."""
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from dashboard.dashboards.my_la import metrics
from dashboard.dashboards.my_la.metrics import Rules


def make_las(n: int) -> pd.DataFrame:
    """n LAs, A01.., the first half in sub-region N, the rest in S."""
    codes = [f"A{i:02d}" for i in range(1, n + 1)]
    return pd.DataFrame({"la_code": codes, "la_name": [f"LA {c}" for c in codes], "dfe_code": [str(100 + i) for i in range(n)],
                         "inner_outer": "Inner London", "subregion_code": ["N" if i < n // 2 else "S" for i in range(n)],
                         "subregion_name": ["North" if i < n // 2 else "South" for i in range(n)]})


@dataclass
class Fake:
    values: pd.DataFrame
    polarity: str = "higher"
    unit: str = "%"
    decimals: int = 1
    cadence: str = "quarter"
    key: str = "t:x"
    theme: str = "Workforce"
    name: str = "Test indicator"
    source: str = "Members' quarterly return (RIIA)"
    london: pd.DataFrame | None = None
    england: pd.DataFrame | None = None


def frame(by_period: dict[str, dict[str, float]], markers: dict = None) -> pd.DataFrame:
    rows = []
    for period, values in by_period.items():
        for la, value in values.items():
            rows.append({"la_code": la, "period_end": pd.Timestamp(period), "period": period, "value": float(value),
                         "marker": (markers or {}).get((period, la))})
    return pd.DataFrame(rows)


Q2, Q1, Q2_LAST_YEAR = "2026-09-30", "2026-06-30", "2025-09-30"


def test_top_and_bottom_20_percent_with_ties_and_missing_returns():
    # 10 LAs; A10 made no return, so 9 take part: ceil(9 / 5) = 2 are flagged at each end.
    # Values (higher is better): A01 90, A02 90 (tied best: both rank 1), A03 80 (rank 3: not flagged), ...,
    # A08 20, A09 10: the two worst (ranks 8 and 9) are the bottom 20%.
    las = make_las(10)
    latest = {"A01": 90, "A02": 90, "A03": 80, "A04": 70, "A05": 60, "A06": 50, "A07": 40, "A08": 20, "A09": 10}
    series = Fake(frame({Q2: latest}))
    rows = {la: metrics.standing(series, la, las, [], Rules()) for la in las["la_code"]}
    assert rows["A01"]["rank"] == rows["A02"]["rank"] == 1
    assert [e["reason"] for e in rows["A02"]["exceptions"]] == [
        "In London's top 20%: ranked 1 of 9 LAs (the top 2 are flagged)."]
    assert rows["A02"]["exceptions"][0]["direction"] == "better"
    assert rows["A03"]["exceptions"] == []
    assert rows["A08"]["exceptions"][0]["reason"] == "In London's bottom 20%: ranked 8 of 9 LAs (the bottom 2 are flagged)."
    assert rows["A08"]["exceptions"][0]["direction"] == "worse"
    # The LA with no return: no rank, never 0, and not flagged.
    assert rows["A10"]["rank"] is None and np.isnan(rows["A10"]["value"]) and rows["A10"]["missing"] == "no return"
    assert rows["A10"]["exceptions"] == []


def test_a_tie_across_the_cut_flags_every_tied_la():
    # 10 LAs, ceil(10/5) = 2. Lower is better: A01 1, A02 2, A03 2 (tied 2nd: rank 2 <= 2, so both flagged top).
    las = make_las(10)
    values = {f"A{i:02d}": v for i, v in enumerate([1, 2, 2, 4, 5, 6, 7, 8, 9, 10], start=1)}
    series = Fake(frame({Q2: values}), polarity="lower")
    flagged = [la for la in las["la_code"] if any(e["rule"] == "london_20" and e["direction"] == "better"
                                                   for e in metrics.standing(series, la, las, [], Rules())["exceptions"])]
    assert flagged == ["A01", "A02", "A03"]


def test_nobody_is_flagged_when_fewer_than_five_have_a_figure():
    las = make_las(6)
    series = Fake(frame({Q2: {"A01": 1, "A02": 2, "A03": 3, "A04": 4}}))   # 4 returns < 5
    assert all(not metrics.standing(series, la, las, [], Rules())["exceptions"] for la in las["la_code"])


def test_a_marker_is_shown_in_words_and_takes_no_part():
    las = make_las(6)
    values = frame({Q2: {"A01": 1, "A02": 2, "A03": 3, "A04": 4, "A05": 5, "A06": np.nan}}, markers={(Q2, "A06"): "c"})
    row = metrics.standing(Fake(values, source="DfE"), "A06", las, [], Rules())
    assert row["missing"] == "suppressed (c)" and row["rank"] is None and row["n_ranked"] == 5


def test_outside_the_neighbours_range_needs_enough_neighbours():
    # A01 is 95; its neighbours A02-A04 have 60, 70, 80 (range 60 to 80): above all three -> flagged, better.
    las = make_las(10)
    values = {"A01": 95, "A02": 60, "A03": 70, "A04": 80, "A05": 50, "A06": 96, "A07": 97, "A08": 98, "A09": 99, "A10": 99}
    series = Fake(frame({Q2: values}))
    row = metrics.standing(series, "A01", las, ["A02", "A03", "A04"], Rules(min_neighbours=3))
    assert [e["reason"] for e in row["exceptions"] if e["rule"] == "neighbours"] == [
        "Above all 3 statistical neighbours with a figure (their range 60.0% to 80.0%)."]
    assert row["neighbours"]["mean"] == 70 and row["neighbours"]["median"] == 70
    # With a fourth neighbour required, three are too few: no flag.
    row = metrics.standing(series, "A01", las, ["A02", "A03", "A04"], Rules(min_neighbours=4))
    assert not [e for e in row["exceptions"] if e["rule"] == "neighbours"]
    # Equal to the top of the range is inside it.
    row = metrics.standing(series, "A04", las, ["A02", "A03", "A01"], Rules())
    assert not [e for e in row["exceptions"] if e["rule"] == "neighbours"]


def test_change_thresholds_points_for_percentages_and_relative_otherwise():
    las = make_las(6)
    # %: A01 went 50.0 -> 55.1 (5.1 points > 5: flagged, better); A02 50 -> 55 (exactly 5: not more than 5).
    pct = Fake(frame({Q1: {"A01": 50, "A02": 50}, Q2: {"A01": 55.1, "A02": 55}}))
    assert [e["reason"] for e in metrics.standing(pct, "A01", las, [], Rules())["exceptions"]] == [
        "Rose 5.1 points since Q1 2026-27 (from 50.0%; more than 5 points)."]
    assert metrics.standing(pct, "A02", las, [], Rules())["exceptions"] == []
    # A rate (not %), lower is better: 20 -> 17.9 fell 2.1 = 10.5% of 20 > 10% -> flagged, better;
    # 20 -> 18 fell exactly 10%: not flagged.
    rate = Fake(frame({Q1: {"A01": 20, "A02": 20}, Q2: {"A01": 17.9, "A02": 18}}), unit="per 10,000", polarity="lower")
    found = metrics.standing(rate, "A01", las, [], Rules())["exceptions"]
    assert [(e["direction"], e["reason"]) for e in found] == [
        ("better", "Fell 2.1 since Q1 2026-27 (from 20.0; more than 10% of the earlier figure).")]
    assert metrics.standing(rate, "A02", las, [], Rules())["exceptions"] == []
    # A missing last period gives no change (and no flag), never a change from 0.
    gap = Fake(frame({Q2: {"A01": 80}}))
    row = metrics.standing(gap, "A01", las, [], Rules())
    assert np.isnan(row["change_period"]) and row["exceptions"] == []


def test_changes_on_the_last_period_and_a_year_before():
    las = make_las(6)
    series = Fake(frame({Q2_LAST_YEAR: {"A01": 40}, Q1: {"A01": 48}, Q2: {"A01": 50}}))
    row = metrics.standing(series, "A01", las, [], Rules(change_points=50))
    assert row["change_period"] == pytest.approx(2) and row["change_year"] == pytest.approx(10)
    assert row["period"] == "Q2 2026-27" and row["previous_period"] == "Q1 2026-27"


def test_summary_line_counts_better_worse_and_mixed():
    def row(*directions):
        return {"exceptions": [{"direction": d} for d in directions]}
    rows = [row("better"), row("better", "better"), row("worse"), row("worse", "better"), row(""), row()]
    assert metrics.summary_line(rows) == ("5 indicators flagged of 6: 2 better, 1 worse, 1 mixed (better on one rule, "
                                          "worse on another), 1 higher or lower where neither is better.")
    assert metrics.summary_line([row()]) == "No indicator flagged, of 1 held for this LA."


def test_exceptions_come_first_worse_before_better():
    rows = [{"exceptions": [], "theme": "Workforce", "name": "a"},
            {"exceptions": [{"direction": "better"}], "theme": "Workforce", "name": "b"},
            {"exceptions": [{"direction": "worse"}], "theme": "SEND", "name": "c"}]
    assert [r["name"] for r in metrics.order_rows(rows, ("SEND", "Workforce"))] == ["c", "b", "a"]


@pytest.mark.parametrize("today, returned, expected", [
    # Quarter ending 30 Sep 2026 is due 45 days later, 14 Nov 2026.
    ("2026-11-13", "2026-06-30", ""),                                            # Q2 not due yet; Q1 returned
    ("2026-11-13", "2026-03-31", "Q1 2026-27 overdue (due 14 Aug 2026)"),        # Q1 was due 14 Aug
    ("2026-11-14", "2026-06-30", "Q2 2026-27 overdue (due 14 Nov 2026)"),        # due today: overdue from today
    ("2026-12-04", "2026-09-30", ""),
    ("2026-12-04", None, "Q2 2026-27 overdue (due 14 Nov 2026)"),               # never returned
])
def test_quarterly_returns_are_overdue_45_days_after_the_quarter(today, returned, expected):
    assert metrics.overdue_text("quarter", returned, today, 45, 92) == expected


def test_annual_returns_are_overdue_after_the_days_allowed_and_undated_datasets_never():
    # Year to 31 March 2026 is due 92 days later: 1 July 2026.
    assert metrics.overdue_text("year", "2025-03-31", "2026-06-30", 45, 92) == ""
    assert metrics.overdue_text("year", "2025-03-31", "2026-07-01", 45, 92) == "year to 31 March 2026 overdue (due 01 Jul 2026)"
    assert metrics.overdue_text(None, None, "2026-07-01", 45, 92) == ""


def test_sparkline_scales_within_the_row_and_leaves_gaps():
    assert metrics.sparkline([1.0, np.nan, 8.0, 4.0]) == "▁ █▄"   # (4 - 1) / (8 - 1) x 7 = 3: the 4th block
    assert metrics.sparkline([np.nan]) == ""
