"""Ofsted metrics with hand-worked figures: LAs counted by grade, no judgement never counted as a grade, neighbours
and London LAs kept when the file has no inspection for them, area SEND outcomes one per area."""
import math

import pandas as pd
import pytest

from dashboard.dashboards.ofsted import figures, metrics
from dashboard.dashboards.ofsted.data import PRE_DATES


def frame(overall, care_leavers=None):
    n = len(overall)
    return pd.DataFrame({"dfe_code": [str(300 + i) for i in range(n)], "ons_code": [f"E0900000{i}" for i in range(n)],
                         "la_name": [f"LA {i}" for i in range(n)], "overall": overall,
                         "leaders": ["good"] * n, "help_protection": ["good"] * n, "in_care": ["good"] * n,
                         "care_leavers": care_leavers or ["good"] * n, "publication_date": pd.NaT, "region": "London"})


def test_las_are_counted_by_grade_and_no_judgement_is_not_a_grade():
    # 6 LAs: 2 outstanding, 1 good, 1 requires improvement, 1 inadequate, 1 with no overall grade given.
    six = frame(["outstanding", "good", "outstanding", "requires improvement", None, "inadequate"])
    counts = metrics.grade_counts(six, "overall")
    assert counts == {"outstanding": 2, "good": 1, "requires improvement": 1, "inadequate": 1, "none": 1, "las": 6, "judged": 5}
    table = metrics.distribution([("Six", six), ("None", six.iloc[0:0])], "overall")
    assert table.loc[0, "good_or_better_pct"] == 60.0          # 3 of the 5 judged, not 3 of 6
    assert math.isnan(table.loc[1, "good_or_better_pct"])      # no LA: no share, never 0


def test_a_care_leavers_judgement_before_2023_counts_as_none():
    three = frame(["good"] * 3, care_leavers=["good", PRE_DATES, "inadequate"])
    counts = metrics.grade_counts(three, "care_leavers")
    assert (counts["good"], counts["inadequate"], counts["none"], counts["judged"]) == (1, 1, 1, 2)
    assert metrics.grade_text(PRE_DATES).startswith("Not judged separately")
    assert metrics.grade_text(None) == "No judgement given" and metrics.grade_text("requires improvement") == "Requires improvement"


def test_london_las_and_neighbours_without_an_inspection_keep_their_rows():
    ilacs = frame(["good", "inadequate"])
    las = pd.DataFrame({"la_code": ["E09000000", "E09000001", "E09000099"], "la_name": ["A", "B", "C"],
                        "subregion_name": "South London", "inner_outer": "Inner London"})
    london = metrics.london_inspections(ilacs, las)
    assert list(london["la_name"]) == ["A", "B", "C"] and list(london["held"]) == [True, True, False]
    assert list(london["overall"].iloc[:2]) == ["good", "inadequate"]
    neighbours = pd.DataFrame({"rank": [2, 1], "neighbour_dfe_code": ["301", "999"], "neighbour_name": ["B", None],
                               "neighbour_code": ["E09000001", None], "closeness": [0.9, 0.95]})
    rows = metrics.neighbour_inspections(ilacs, neighbours)
    assert list(rows["rank"]) == [1, 2] and list(rows["held"]) == [False, True]
    assert list(rows["la_name"]) == ["LA 999", "LA 1"] and rows["overall"].iloc[1] == "inadequate"


def test_area_send_outcomes_count_each_areas_latest_graded_report_once():
    reports = pd.DataFrame({
        "area_code": ["E09000001", "E09000001", "E09000002", None, "E09000003"],
        "area_name": ["A", "A", "B", "Elsewhere", "C"], "framework": ["2023", "2023", "2023", "2023", "2016"],
        "outcome_grade": [3.0, 1.0, 2.0, 1.0, None],
        "publication_date": pd.to_datetime(["2023-05-01", "2025-01-01", "2024-01-01", "2024-06-01", "2019-01-01"]),
    })
    counts = metrics.send_outcome_counts(reports, {"E09000001", "E09000002", "E09000003"}).set_index("area")
    # London: A (latest outcome 1, not 3) and B (2); C only under the 2016 framework. England adds Elsewhere (1).
    assert counts.loc["London"].tolist() == [2, 1, 1, 0]
    assert counts.loc["England"].tolist() == [3, 2, 1, 0]


def test_the_grid_writes_every_grade_in_its_cell_and_marks_the_focus():
    ilacs = frame(["outstanding", None]).assign(held=True)
    fig = figures.judgement_grid(ilacs, "E09000001", "none")
    trace = fig["data"][0]
    assert trace["y"] == ["<b>LA 1 ◆</b>", "LA 0"]     # drawn bottom up: the first row at the top
    assert trace["text"][0][0] == "none given" and trace["z"][0][0] == 0       # no grade: grey, said in words
    assert trace["text"][1][0] == "Outstanding" and trace["z"][1][0] == 4
    assert fig["layout"]["shapes"][0]["y0"] == -0.5                           # the focus row outlined


def test_the_distribution_bars_are_shares_of_all_las_with_counts_written():
    table = metrics.distribution([("Six", frame(["outstanding", "good", "outstanding", "requires improvement", None, "inadequate"]))],
                                 "overall")
    fig = figures.distribution_figure(table, "overall")
    by_name = {t["name"]: t for t in fig["data"]}
    assert by_name["Outstanding"]["text"] == ["2"] and round(by_name["Outstanding"]["x"][0], 1) == 33.3
    assert by_name["No judgement given"]["text"] == ["1"]
    assert sum(t["x"][0] for t in fig["data"]) == pytest.approx(100)
