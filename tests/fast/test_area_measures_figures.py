"""The charts of the pages of published measures (Workforce census, Care leavers, Health in care), as a reader sees
them: the value axis ends a little past the largest figure (a 40% agency rate is not drawn on an axis to 115%), London's
and England's labels never overlap however close the two figures are, and the profile writes each figure to the
decimals it is published to (a census rate of 17.3% reads 17.3%, not 17%)."""
import numpy as np
import pandas as pd
import pytest

from dashboard.area_measures.figures import la_figure, profile_figure
from dashboard.area_measures.spec import Measure

RATE = Measure("agency_rate_fte", "Agency worker rate (%)", "%", "lower", 1, "")
VACANCY = Measure("vacancy_rate_fte", "Vacancy rate (%)", "%", "lower", 1, "")
CASELOAD = Measure("caseload_fte", "Average caseload", "cases", "lower", 1, "")


def positions(values):
    n = len(values)
    return pd.DataFrame({"la_code": [f"E{i}" for i in range(n)], "la_name": [f"LA {i}" for i in range(n)],
                         "value": [v if v is not None else np.nan for v in values],
                         "marker": [None if v is not None else "x" for v in values]})


def x_axis(figure):
    return (figure if isinstance(figure, dict) else figure.to_plotly_json())["layout"]["xaxis"]


@pytest.mark.parametrize("largest", [12.4, 41.0, 99.5])
def test_a_percentage_axis_ends_just_past_the_largest_figure_and_its_ticks_stop_at_100(largest):
    figure = la_figure(positions([largest, 9.0, None, 3.2]), "E1", RATE, london=10.1, england=11.3)
    low, high = x_axis(figure)["range"]
    assert low == 0 and largest < high <= largest * 1.25
    ticks = x_axis(figure)["tickvals"]
    assert ticks[0] == 0 and max(ticks) <= min(high, 100) and len(ticks) <= 9


def test_the_axis_reaches_a_reference_line_past_every_la():
    figure = la_figure(positions([8.0, 3.2]), "E1", RATE, london=10.1, england=17.3)
    assert 17.3 < x_axis(figure)["range"][1] < 25


def test_a_count_axis_ends_just_past_the_largest_figure():
    figure = la_figure(positions([22.5, 15.0]), "E1", CASELOAD, london=17.0, england=16.2)
    assert x_axis(figure)["range"][1] == pytest.approx(22.5 * 1.18)
    assert x_axis(figure).get("tickvals") is None


@pytest.mark.parametrize("london,england", [(15.1, 15.3), (17.3, 15.1), (2.0, 2.1), (39.0, 39.5)])
def test_london_and_england_labels_never_overlap(london, england):
    figure = la_figure(positions([41.0, 9.0, 3.2]), "E1", RATE, london=london, england=england)
    labels = {a["text"]: a for a in figure["layout"]["annotations"]}
    assert set(labels) == {f"London {london:.1f}%", f"England {england:.1f}%"}
    # One row each above the bars: the two texts are never on the same line.
    assert labels[f"London {london:.1f}%"].get("yshift", 0) != labels[f"England {england:.1f}%"].get("yshift", 0)
    assert figure["layout"]["margin"]["t"] >= 30 + 18 * 2   # room above the plot for both rows


def test_the_profile_writes_each_figure_to_its_published_decimals():
    profile = pd.DataFrame([
        {"measure": m.code, "name": m.name, "unit": m.unit, "series": s, "value": v, "marker": None}
        for m, figures in ((RATE, {"Lambeth": 17.3, "London": 15.05, "England": 17.0}),
                           (VACANCY, {"Lambeth": np.nan, "London": 21.4, "England": 18.9}))
        for s, v in figures.items()])
    profile.loc[profile["value"].isna(), "marker"] = "x"
    figure = profile_figure(profile, "Lambeth", (RATE, VACANCY, CASELOAD))
    texts = {trace["name"]: list(trace["text"]) for trace in figure["data"]}
    assert texts == {"Lambeth": ["17.3%", ""], "London": ["15.1%", "21.4%"], "England": ["17.0%", "18.9%"]}
    assert x_axis(figure)["range"][1] < 30     # the largest figure is 21.4%: no axis to 110%
