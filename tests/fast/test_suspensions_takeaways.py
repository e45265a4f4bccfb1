"""Education suspensions' "what this shows" sentences, on small hand-worked tables: the RRI and its interval, what is
significant, and groups not shown (fewer than 10) or LAs with no return said in words, never read as 0."""
import numpy as np
import pandas as pd

from dashboard.dashboards.suspensions import view as sus

NAN = np.nan


def _table(rows):
    return pd.DataFrame(rows, columns=["group", "rri", "ci_low", "ci_high", "significant"])


def test_interval_names_the_highest_rri_its_interval_and_the_counts():
    table = _table([("White British", 1.0, NAN, NAN, NAN), ("Black Caribbean", 2.3, 1.8, 2.9, True),
                    ("Irish", 1.4, 0.9, 2.2, False), ("Indian", 0.4, 0.3, 0.55, True), ("Chinese", NAN, NAN, NAN, NAN)])
    london = pd.DataFrame({"group": ["Black Caribbean"], "rri": [1.87]})
    assert sus.interval_takeaway(table, "Lambeth, academic year 2023/24", "pupils suspended", "to be suspended", london) == (
        "Lambeth, academic year 2023/24: Black Caribbean pupils have the highest RRI, 2.30 (95% CI 1.80 to 2.90), against "
        "1.87 in London; 1 group significantly more likely than White British pupils to be suspended, 1 significantly "
        "less likely; 1 of the other 4 groups not shown (fewer than 10).")


def test_interval_says_not_significant_and_when_the_reference_is_too_small():
    table = _table([("White British", 1.0, NAN, NAN, NAN), ("Irish", 1.4, 0.9, 2.2, False)])
    assert "1.40 (95% CI 0.90 to 2.20, not significant); 0 groups significantly more likely" in sus.interval_takeaway(
        table, "Brent, academic year 2023/24", "permanent exclusions", "to be permanently excluded")
    small = _table([("White British", NAN, NAN, NAN, NAN), ("Irish", NAN, NAN, NAN, NAN)])
    assert sus.interval_takeaway(small, "City of London, academic year 2023/24", "pupils suspended", "to be suspended") == (
        "City of London, academic year 2023/24: fewer than 10 White British pupils suspended, so no group's RRI can be shown.")


def test_trend_gives_first_and_last_year_shown_and_never_reads_missing_as_zero():
    series = pd.DataFrame({"year": ["2021/22", "2022/23", "2023/24"] * 3,
                           "group": ["Black Caribbean"] * 3 + ["Irish"] * 3 + ["Chinese"] * 3,
                           "rri": [1.80, NAN, 2.30, NAN, 1.20, NAN, NAN, NAN, NAN]})
    assert sus.trend_takeaway(series, ["Black Caribbean", "Irish", "Chinese"], "Lambeth") == (
        "RRI over time in Lambeth: Black Caribbean: 1.80 in 2021/22 to 2.30 in 2023/24; Irish: 1.20 in 2022/23 only; "
        "Chinese: not shown in any year (fewer than 10).")
    assert sus.trend_takeaway(series, [], "Lambeth") == "No groups are chosen to follow over time."


def test_heat_map_names_the_highest_cell_the_focus_la_and_what_is_missing():
    heat = pd.DataFrame({"LA": ["Islington", "Lambeth", "Croydon"], "Sub-region": ["North", "South", "South"],
                         "Black Caribbean": [3.1, 1.9, NAN], "Irish": [NAN, 0.8, NAN],
                         "Note": ["", "", "no return"]})
    assert sus.heat_takeaway(heat, "Lambeth", "2023/24") == (
        "In 2023/24, the highest RRI in any London LA is Black Caribbean pupils in Islington (3.10); in Lambeth it is "
        "Black Caribbean pupils (1.90); 1 of 4 cells not shown (fewer than 10) and 1 LA made no return.")
    assert sus.heat_takeaway(heat, "Croydon", "2023/24").split("; ")[1] == "Croydon made no return"
