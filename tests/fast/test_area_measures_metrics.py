"""The comparisons on the pages of published measures (Care leavers, Health of looked-after children), on hand-worked
figures: the sub-region and neighbours' means are unweighted means of the LAs with a figure, published areas are taken
as published, markers are kept and never counted as 0, and positions follow the measure's polarity."""
import numpy as np
import pandas as pd
import pytest

from dashboard.area_measures.metrics import comparison, difference_text, positions, profile
from dashboard.area_measures.spec import Measure
from dashboard.area_measures.view import marker_text

LAS = pd.DataFrame({
    "la_code": ["E1", "E2", "E3", "E4"], "la_name": ["Alpha", "Beta", "Gamma", "Delta"], "dfe_code": ["101", "102", "103", "104"],
    "inner_outer": ["Inner London", "Inner London", "Outer London", "Outer London"],
    "subregion_code": ["s", "s", "s", "n"], "subregion_name": ["South", "South", "South", "North"]})
UP = Measure("M", "Share in suitable accommodation (%)", "%", "higher", 0, "")
DOWN = Measure("M", "Share not in touch (%)", "%", "lower", 0, "")


def rows(period, figures):
    return [{"measure": "M", "period": period, "dfe_code": d, "area_name": d, "value": v if not isinstance(v, str) else np.nan,
             "marker": v if isinstance(v, str) else None} for d, v in figures.items()]


VALUES = pd.DataFrame(
    rows("2024", {"101": 80, "102": 70, "103": "-", "104": 90, "987": 75, "988": 85, "986": 78, "970": 88, "555": 60})
    + rows("2025", {"101": "-", "102": 72, "103": 66, "104": 0, "987": 70, "988": 80, "986": 74, "970": 89, "555": 61}))


def at(series, period, name):
    return series[(series["period"] == period) & (series["series"] == name)].iloc[0]


def test_the_focus_la_against_its_sub_region_neighbours_and_the_published_areas():
    # Alpha (101, Inner London, South) with neighbours Beta (102), Delta (104) and 555 (outside London, in the file).
    series = comparison(VALUES, "M", "101", LAS, ["102", "104", "555", "999"], "Alpha")
    assert list(series[series["period"] == "2024"]["series"]) == [
        "Alpha", "South (sub-region mean)", "Statistical neighbours (mean)", "Inner London", "London", "England"]
    assert at(series, "2024", "Alpha")["value"] == 80
    # South = Alpha 80, Beta 70, Gamma "-" (left out, not 0): (80 + 70) / 2 = 75, 2 of 3 with a figure.
    south = at(series, "2024", "South (sub-region mean)")
    assert (south["value"], south["with"], south["of"]) == (75, 2, 3)
    # Neighbours: 70, 90, 60 (999 has no row): 220 / 3.
    sn = at(series, "2024", "Statistical neighbours (mean)")
    assert sn["value"] == pytest.approx(220 / 3) and (sn["with"], sn["of"]) == (3, 4)
    assert [at(series, "2024", n)["value"] for n in ("Inner London", "London", "England")] == [75, 78, 88]
    # 2025: Alpha's marker kept as published; Delta's real 0 is a figure and counts in the neighbours' mean.
    alpha = at(series, "2025", "Alpha")
    assert np.isnan(alpha["value"]) and alpha["marker"] == "-"
    assert at(series, "2025", "South (sub-region mean)")["value"] == 69            # (72 + 66) / 2
    assert at(series, "2025", "Statistical neighbours (mean)")["value"] == pytest.approx((72 + 0 + 61) / 3)


def test_an_outer_london_la_is_compared_with_outer_london():
    series = comparison(VALUES, "M", "103", LAS, [], "Gamma")
    assert "Outer London" in set(series["series"]) and "Statistical neighbours (mean)" not in set(series["series"])
    assert at(series, "2025", "Outer London")["value"] == 80


def test_positions_follow_polarity_ties_share_and_a_marker_has_no_position():
    up = positions(VALUES, UP, "2024", LAS)
    assert list(up["la_name"]) == ["Delta", "Alpha", "Beta", "Gamma"]
    assert list(up["position"]) == ["1 of 3", "2 of 3", "3 of 3", None] and up.iloc[3]["marker"] == "-"
    down = positions(VALUES, DOWN, "2025", LAS)
    assert list(down["la_name"]) == ["Delta", "Gamma", "Beta", "Alpha"] and down.iloc[0]["position"] == "1 of 3"
    tied = VALUES.assign(value=VALUES["value"].where(VALUES["dfe_code"] != "104", 80))
    assert list(positions(tied, UP, "2024", LAS)["position"][:3]) == ["1 of 3", "1 of 3", "3 of 3"]


def test_an_la_missing_from_the_file_is_not_published_not_zero():
    up = positions(VALUES[VALUES["dfe_code"] != "102"], UP, "2024", LAS)
    beta = up[up["la_name"] == "Beta"].iloc[0]
    assert np.isnan(beta["value"]) and beta["marker"] == "not published" and beta["position"] is None


def test_profile_and_sentences():
    table = profile(VALUES, (UP,), "2025", "102", LAS, [], "Beta")
    assert table[table["series"] == "Beta"]["value"].iloc[0] == 72
    assert difference_text(72, 74, UP, "London") == "2 points below London"
    assert difference_text(74, 74, UP, "London") == "the same as London"
    assert difference_text(np.nan, 74, UP, "London") == ""
    assert marker_text("-") == "not available (-)" and marker_text(None) == "not published"
