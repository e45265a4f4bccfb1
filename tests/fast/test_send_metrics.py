"""SEND arithmetic with hand-worked figures: rates, growth, timeliness, pooled sub-regions, shares, suppression."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.dashboards.send import metrics as m
from dashboard import disclosure

LAS = pd.DataFrame({
    "la_code": ["E09000001", "E09000022", "E09000028", "E09000016"],
    "la_name": ["City of London", "Lambeth", "Southwark", "Havering"],
    "subregion_code": ["east", "south", "south", "east"],
    "subregion_name": ["East London", "South London", "South London", "East London"],
})


def long(rows):
    return pd.DataFrame(rows, columns=["area_code", "year", "measure", "value"]).astype({"value": "float64"})


def test_ratio_is_missing_not_zero_when_a_part_is_missing_or_the_base_is_zero():
    assert m.ratio(3, 4, 100) == 75.0
    assert np.isnan(m.ratio(3, 0, 100))
    assert np.isnan(m.ratio(np.nan, 4, 100))
    assert np.isnan(m.ratio(3, None))


def test_growth_over_five_years_and_a_missing_year():
    plans = pd.Series({2017: 200.0, 2018: np.nan, 2022: 300.0})
    assert m.growth_pct(plans, 2017, 2022) == pytest.approx(50.0)   # (300 - 200) / 200
    assert np.isnan(m.growth_pct(plans, 2018, 2022))                 # 2018 not published: no growth, not +inf or 0
    assert np.isnan(m.growth_pct(plans, 2016, 2022))                 # year not held


def test_timeliness_pools_a_subregion_and_leaves_out_an_la_with_no_figure():
    values = long([
        ("E09000022", 2022, "timely_20wk", 8), ("E09000022", 2022, "timely_base", 10),
        ("E09000028", 2022, "timely_20wk", 30), ("E09000028", 2022, "timely_base", 40),
        ("E09000016", 2022, "timely_20wk", np.nan), ("E09000016", 2022, "timely_base", np.nan),   # "x"
        ("E09000001", 2022, "timely_20wk", 1), ("E09000001", 2022, "timely_base", 1),
        (m.LONDON, 2022, "timely_20wk", 5222), (m.LONDON, 2022, "timely_base", 9555),
    ])
    series = m.area_series(values, LAS, m.INDICATORS["timely_20wk_pct"]).set_index("area_code")
    assert series.loc["E09000022", "value"] == pytest.approx(80.0)
    assert series.loc["SR:south", "value"] == pytest.approx(76.0)      # (8 + 30) / (10 + 40), not the mean of 80 and 75
    assert series.loc["SR:south", "n_las"] == 2
    assert np.isnan(series.loc["E09000016", "value"])                   # not published, never 0
    assert series.loc["SR:east", "value"] == pytest.approx(100.0)      # only the City of London's 1 of 1
    assert series.loc["SR:east", "n_las"] == 1
    assert series.loc[m.LONDON, "value"] == pytest.approx(54.652, abs=0.001)   # the published London total


def test_a_subregion_count_needs_every_la():
    values = long([("E09000022", 2022, "plans_in_force", 2940), ("E09000028", 2022, "plans_in_force", 3000),
                   ("E09000001", 2022, "plans_in_force", 80), ("E09000016", 2022, "plans_in_force", np.nan)])
    series = m.area_series(values, LAS, m.INDICATORS["plans_in_force"]).set_index("area_code")
    assert series.loc["SR:south", "value"] == 5940
    assert np.isnan(series.loc["SR:east", "value"])   # Havering missing: a partial sum would understate East London


def test_plans_per_thousand_children():
    values = long([("E09000022", 2022, "plans_in_force", 2940), ("E09000022", 2022, "population_0_17", 53500)])
    series = m.area_series(values, LAS, m.INDICATORS["plans_per_1000"])
    assert series.set_index("area_code").loc["E09000022", "value"] == pytest.approx(54.95, abs=0.01)   # 2940 / 53,500 x 1,000


def test_ranking_flags_small_numbers_and_the_city_and_never_ranks_counts():
    values = long([
        ("E09000022", 2022, "timely_20wk", 36), ("E09000022", 2022, "timely_base", 175),
        ("E09000028", 2022, "timely_20wk", 63), ("E09000028", 2022, "timely_base", 145),
        ("E09000016", 2022, "timely_20wk", np.nan), ("E09000016", 2022, "timely_base", np.nan),
        ("E09000001", 2022, "timely_20wk", 1), ("E09000001", 2022, "timely_base", 1),
    ])
    ind = m.INDICATORS["timely_20wk_pct"]
    table = m.ranking(m.area_series(values, LAS, ind), LAS, 2022, ind).set_index("la_name")
    assert list(table.index) == ["City of London", "Southwark", "Lambeth", "Havering"]   # highest first, missing last
    assert table.loc["Southwark", "rank"] == 1 and table.loc["Lambeth", "rank"] == 2
    assert pd.isna(table.loc["City of London", "rank"]) and table.loc["City of London", "flag"].startswith("small numbers")
    assert table.loc["Havering", "flag"] == "not published"
    counts = m.ranking(m.area_series(long([("E09000022", 2022, "plans_in_force", 2940)]), LAS, m.INDICATORS["plans_in_force"]),
                       LAS, 2022, m.INDICATORS["plans_in_force"])
    assert counts["rank"].isna().all()   # a count depends on size: no positions


def test_members_counts_are_protected_and_published_figures_left_as_published():
    values = pd.DataFrame({"area_code": ["E09000001"] * 4 + ["E12000007"], "year": 2022,
                           "measure": ["place_inmss", "place_other", "pupils_ehcp_pct", "population_0_17", "place_inmss"],
                           "value": [3.0, 40.0, 2.5, 900.0, 3.0],
                           "source": ["demo", "LA return", "demo", "demo", "DfE SEN2 (sen2.csv)"]})
    key = b"a test secret"
    out = m.protect_returned(values, key=key)
    keys = disclosure.identity_keys(["send|E09000001|2022|place_inmss", "send|E09000001|2022|place_other"], key=key)
    assert out["value"].tolist()[:2] == disclosure.protect([3, 40], keys).astype(float).tolist()
    assert out["value"].iloc[0] not in (1, 2, 3, 4)                      # a demo 3 is never shown as 1-4
    assert out["value"].tolist()[2:] == [2.5, 900.0, 3.0]                # a %, a population, a published count
    assert m.protect_returned(values, key=key).equals(out)               # the same cell, the same figure


def test_placement_mix_shares_from_the_counts_as_given():
    measures = m.PLACEMENT_MEASURES
    rows = []
    for code, counts in (("E09000022", [500, 50, 200, 100, 80, 60, 10]), ("E09000028", [400, 3, 150, 100, 60, 50, 40])):
        rows += [(code, 2022, k, v) for k, v in zip(measures, counts)]
    table = m.mix_table(long(rows), LAS, 2022, measures, "la").set_index("area")
    assert table.loc["Lambeth", "total"] == 1000
    assert table.loc["Lambeth", "place_inmss_pct"] == pytest.approx(8.0)
    # Counts arrive protected (protect_returned): nothing more is hidden, every share is built from them.
    assert table.loc["Southwark", "suppressed"] == []
    assert table.loc["Southwark", "place_resourced_pct"] == pytest.approx(3 / 803 * 100)
    assert table.loc["Southwark", "place_inmss_pct"] == pytest.approx(60 / 803 * 100)
    by_sub = m.mix_table(long(rows), LAS, 2022, measures, "subregion").set_index("area")
    assert by_sub.loc["South London", "total"] == 1803
    assert np.isnan(by_sub.loc["East London", "total"])   # no LA there has figures


def inspections(rows):
    return pd.DataFrame(rows, columns=["area_code", "area_name", "region", "framework", "publication_date", "outcome_grade",
                                       "wsoa_required", "revisit_outcome"]).assign(
        publication_date=lambda f: pd.to_datetime(f["publication_date"]))


def test_outcome_one_share_as_at_a_date():
    frame = inspections([
        ("E09000011", "Greenwich", "London", "2023", "2023-07-11", 1, None, None),
        ("E09000010", "Enfield", "London", "2023", "2023-08-02", 2, None, None),
        ("E09000004", "Bexley", "London", "2023", "2024-02-23", 3, None, None),
        ("E06000001", "Hartlepool", "North East", "2023", "2023-05-16", 1, None, None),
        ("E06000002", "Cornwall", "South West", "2023", "2023-05-05", 2, None, None),
        ("E06000003", "Slough", "South East", "2023", None, np.nan, None, None),            # not yet published
        ("E09000005", "Brent", "London", "2016", "2017-07-20", np.nan, "Yes", "Yes"),       # old framework: not counted
    ])
    london = {"E09000011", "E09000010", "E09000004", "E09000005"}
    now = m.outcome_share(frame, None, london)
    assert now["London"] == {"inspected": 3, "outcome_1": 1, "pct": pytest.approx(100 / 3)}
    assert now["England"]["inspected"] == 5 and now["England"]["outcome_1"] == 2   # 40%
    then = m.outcome_share(frame, date(2023, 8, 31), london)
    assert then["London"]["pct"] == 50.0 and then["England"]["pct"] == 50.0       # 1 of 2, 2 of 4
    history = m.outcome_share_history(frame, london)
    # Cornwall, Hartlepool (no London area yet: no share, not 0%), Greenwich, Enfield, Bexley.
    assert history[history["area"] == "London"]["pct"].round(1).fillna(-1).tolist() == [-1, -1, 100.0, 50.0, 33.3]
    assert history[history["area"] == "England"]["inspected"].tolist() == [1, 2, 3, 4, 5]


def test_latest_inspection_per_la_says_not_yet_rather_than_a_grade():
    frame = inspections([
        ("E09000022", "Lambeth", "London", "2016", "2020-03-16", np.nan, "No", None),
        ("E09000028", "Southwark", "London", "2023", "2024-05-01", 2, None, None),
        ("E09000016", "Havering", "London", "2016", "2018-05-16", np.nan, "Yes", "Yes"),
    ])
    latest = m.latest_inspections(frame, LAS).set_index("la_name")
    assert pd.isna(latest.loc["Lambeth", "outcome_grade"])
    assert latest.loc["Lambeth", "outcome"] == "Not yet inspected under the 2023 framework"
    assert latest.loc["Lambeth", "previous"] == "No written statement of action"
    assert latest.loc["Southwark", "outcome_grade"] == 2
    assert latest.loc["Havering", "previous"] == "Written statement of action required; revisit: sufficient progress"
    assert latest.loc["City of London", "previous"] == "No inspection recorded"


def test_half_up_rounding_as_published():
    assert m.round_half_up(37.5) == 38
    assert m.round_half_up(26.087) == 26
    assert m.round_half_up(28.571, 1) == 28.6
    assert np.isnan(m.round_half_up(np.nan))


def test_the_last_year_loaded_says_later_years_are_not_loaded_once_they_are_published():
    from datetime import date

    from dashboard.dashboards.send.view import later_years_note
    note = later_years_note(2022, 2022, date(2026, 12, 4))
    assert note.startswith("2022 is the latest year loaded") and "to 2026" in note and "not loaded" in note
    assert later_years_note(2021, 2022, date(2026, 12, 4)) == ""       # an earlier year chosen on purpose
    assert later_years_note(2025, 2025, date(2026, 3, 1)) == ""        # 2026's figures come out in June
    assert "to 2026" in later_years_note(2025, 2025, date(2026, 7, 1))
