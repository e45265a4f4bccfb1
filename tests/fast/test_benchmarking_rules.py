"""Benchmarking arithmetic with hand-worked figures: ranks, quartiles, the 20% rule, averages, changes."""

import numpy as np
import pandas as pd
import pytest

from dashboard.dashboards.benchmarking import metrics as m
from dashboard.dashboards.benchmarking.common import change_text

Q1, Q2, Q3, Q4, Q5 = (pd.Timestamp(d) for d in ["2024-06-30", "2024-09-30", "2024-12-31", "2025-03-31", "2025-06-30"])

# Eight fake LAs in two sub-regions.
LAS = pd.DataFrame({
    "la_code": [f"L{i}" for i in range(1, 9)],
    "la_name": ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"],
    "subregion_code": ["n", "n", "n", "n", "s", "s", "s", "s"],
    "subregion_name": ["North", "North", "North", "North", "South", "South", "South", "South"],
})


def values(rows):
    return pd.DataFrame(rows, columns=["la_code", "period_end", "value"]).astype({"value": "float64"})


# Q1: Hotel made no return; Charlie and Delta tie.
LATEST = values([("L1", Q1, 10), ("L2", Q1, 20), ("L3", Q1, 30), ("L4", Q1, 30), ("L5", Q1, 50),
                 ("L6", Q1, 60), ("L7", Q1, 70), ("L8", Q1, np.nan)])


def test_higher_is_better_ranks_highest_first_and_leaves_no_return_out():
    r = m.latest_ranking(LATEST, LAS, Q1, "higher").set_index("la_name")
    # 7 returned: Golf 70 -> 1, Foxtrot 60 -> 2, Echo 50 -> 3, Charlie/Delta 30 -> 4 (tie), Bravo 20 -> 6, Alpha 10 -> 7.
    assert r["rank"].dropna().astype(int).to_dict() == {"Golf": 1, "Foxtrot": 2, "Echo": 3, "Charlie": 4, "Delta": 4,
                                                       "Bravo": 6, "Alpha": 7}
    # Quartile = ceil(4 x rank / 7): 1 -> 1, 2 -> 2 (8/7), 3 -> 2 (12/7), 4 -> 3 (16/7), 6 -> 4 (24/7), 7 -> 4.
    assert r["quartile"].dropna().astype(int).to_dict() == {"Golf": 1, "Foxtrot": 2, "Echo": 2, "Charlie": 3, "Delta": 3,
                                                           "Bravo": 4, "Alpha": 4}
    assert r.loc["Golf", "quartile_label"] == "Best 25%" and r.loc["Alpha", "quartile_label"] == "Worst 25%"
    # Hotel: no value, no rank, labelled, last, never 0.
    assert pd.isna(r.loc["Hotel", "value"]) and pd.isna(r.loc["Hotel", "rank"])
    assert r.loc["Hotel", "quartile_label"] == "No return" and r.loc["Hotel", "flag"] == "No return"
    assert list(r.index)[-1] == "Hotel"


def test_lower_is_better_reverses_the_order():
    r = m.latest_ranking(LATEST, LAS, Q1, "lower").set_index("la_name")
    assert r.loc["Alpha", "rank"] == 1 and r.loc["Golf", "rank"] == 7
    assert r.loc["Alpha", "quartile_label"] == "Best 25%"


def test_neither_ranks_highest_first_with_neutral_labels():
    r = m.latest_ranking(LATEST, LAS, Q1, "neither").set_index("la_name")
    assert r.loc["Golf", "rank"] == 1
    assert r.loc["Golf", "quartile_label"] == "Highest 25%" and r.loc["Alpha", "quartile_label"] == "Lowest 25%"
    # n = 7: ceil(7/5) = 2 flagged each end.
    assert r.loc["Golf", "flag"] == "Highest 20%" and r.loc["Foxtrot", "flag"] == "Highest 20%"
    assert r.loc["Alpha", "flag"] == "Lowest 20%" and r.loc["Bravo", "flag"] == "Lowest 20%"
    assert r.loc["Echo", "flag"] == ""


def test_exactly_seven_flagged_each_end_when_all_33_return():
    las = pd.DataFrame({"la_code": [f"X{i}" for i in range(33)], "la_name": [f"LA {i:02d}" for i in range(33)],
                        "subregion_code": "a", "subregion_name": "A"})
    vals = values([(f"X{i}", Q1, float(i)) for i in range(33)])
    r = m.latest_ranking(vals, las, Q1, "higher")
    assert (r["flag"] == "Top 20%").sum() == 7 and (r["flag"] == "Bottom 20%").sum() == 7
    assert set(r[r["flag"] == "Top 20%"]["value"]) == set(range(26, 33))
    assert (r["quartile"] == 1).sum() == 8  # ranks 1-8: 4 x 8 / 33 = 0.97 -> 1; rank 9: 1.09 -> 2


def test_fewer_than_five_returns_flags_nobody_and_places_nobody_in_a_quartile_saying_why():
    vals = values([("L1", Q1, 1), ("L2", Q1, 2), ("L3", Q1, 3), ("L4", Q1, 4)])
    r = m.latest_ranking(vals, LAS, Q1, "higher")
    returned = r[r["returned"]]
    assert set(returned["flag"]) == {"none: fewer than 5 LAs have a figure"}
    assert set(returned["quartile_label"]) == {"none: fewer than 5 LAs have a figure"}
    assert returned["quartile"].isna().all() and returned["rank"].tolist() == [1, 2, 3, 4]


def test_one_return_is_ranked_1_of_1_not_in_the_worst_quarter():
    r = m.latest_ranking(values([("L1", Q1, 7)]), LAS, Q1, "higher").set_index("la_code")
    assert r.loc["L1", "rank"] == 1
    assert "25%" not in r.loc["L1", "quartile_label"] and "fewer than 5" in r.loc["L1", "quartile_label"]


@pytest.mark.parametrize("change, dp, text", [(1.0, 0, "▲ 1 point"), (-1.0, 1, "▼ 1.0 points"), (2.0, 0, "▲ 2 points"),
                                              (0.6, 0, "▲ 1 point")])
def test_a_change_of_one_point_is_singular(change, dp, text):
    assert change_text(change, dp, "%", "higher")[0] == text


def test_ties_share_rank_and_flag():
    vals = values([(f"L{i}", Q1, v) for i, v in zip(range(1, 9), [5, 5, 5, 4, 3, 2, 1, 1])])
    r = m.latest_ranking(vals, LAS, Q1, "higher").set_index("la_name")
    # n = 8: ceil(8/5) = 2, but three LAs tie for rank 1: all three are in the top 20%.
    assert list(r.loc[["Alpha", "Bravo", "Charlie"], "flag"]) == ["Top 20%"] * 3
    # Golf and Hotel tie at the bottom (rank 7, worst-rank 8): both flagged.
    assert list(r.loc[["Golf", "Hotel"], "flag"]) == ["Bottom 20%"] * 2


def test_london_summary_leaves_out_no_returns():
    s = m.london_summary(LATEST, LAS, Q1)
    # (10 + 20 + 30 + 30 + 50 + 60 + 70) / 7 = 270 / 7
    assert s["mean"] == pytest.approx(270 / 7)
    assert s["median"] == 30 and s["min"] == 10 and s["max"] == 70
    assert s["n_returned"] == 7 and s["n_expected"] == 8


def test_comparison_series_sub_region_average_and_gaps():
    vals = values([("L1", Q1, 10), ("L2", Q1, 20), ("L5", Q1, 100),
                   ("L1", Q2, np.nan), ("L2", Q2, 40), ("L5", Q2, 200)])
    england = pd.DataFrame({"period_end": [Q1, Q2], "value": [55.0, 56.0]})
    s = m.comparison_series(vals, LAS, "L1", england)
    table = s.pivot(index="period_end", columns="series", values="value")
    assert list(s["series"].unique()) == ["Alpha", "North average", "London average", "England"]
    assert table.loc[Q1, "North average"] == 15          # (10 + 20) / 2
    assert table.loc[Q2, "North average"] == 40          # Alpha made no return: left out, not 0
    assert table.loc[Q1, "London average"] == pytest.approx(130 / 3)
    assert np.isnan(table.loc[Q2, "Alpha"])              # the gap stays a gap
    n = s.set_index(["period_end", "series"])["n_returned"]
    assert n[(Q2, "North average")] == 1 and n[(Q1, "London average")] == 3


def test_period_changes_by_date_not_by_position():
    vals = values([("L1", Q1, 10), ("L1", Q3, 14), ("L1", Q4, 15), ("L1", Q5, 20)])
    c = m.period_changes(vals, "L1", Q5)
    assert c["value"] == 20 and c["previous"] == 15 and c["change_quarter"] == 5
    assert c["year_ago"] == 10 and c["change_year"] == 10        # Q5 (Jun 2025) against Q1 (Jun 2024)
    c = m.period_changes(vals, "L1", Q3)                          # Q2 is missing: no change, not a change from 0
    assert np.isnan(c["previous"]) and np.isnan(c["change_quarter"])


@pytest.mark.parametrize("date,label", [("2024-06-30", "Q1 2024-25"), ("2024-12-31", "Q3 2024-25"),
                                        ("2025-03-31", "Q4 2024-25"), ("2025-04-30", "Q1 2025-26"),
                                        ("2019-12-31", "Q3 2019-20")])
def test_financial_quarter_labels(date, label):
    assert m.quarter_label(date) == label


def test_unknown_polarity_is_an_error():
    with pytest.raises(ValueError):
        m.latest_ranking(LATEST, LAS, Q1, "up")


def test_the_ranking_charts_value_labels_stand_right_of_the_london_average_line():
    from dashboard.dashboards.benchmarking.figures import ranking_figure
    ranking = m.latest_ranking(LATEST, LAS, Q1, "higher")
    mean = m.london_summary(LATEST, LAS, Q1)["mean"]
    figure = ranking_figure(ranking, "L1", {"decimal_places": 0, "unit": "%"}, mean)
    bars, labels = figure["data"][0], figure["data"][1]
    assert bars["textposition"] == "none"                           # no label where the dashed line may cross it
    assert labels["mode"] == "text" and set(labels["x"]) == {max(ranking["value"]) * 1.03}
    assert min(labels["x"]) > mean and list(labels["text"])[0] == "no return"   # the last row drawn first: Hotel
    assert figure["layout"]["xaxis"]["range"][1] > max(labels["x"])
