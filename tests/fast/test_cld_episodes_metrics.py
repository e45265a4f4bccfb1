"""Child-level episodes' measures on a small hand-made LA, each figure worked out by hand in the comments.

The collection year 2025 runs 1 April 2024 to 31 March 2025.
  a: S 2023-06-01 (C2) -X1-> P 2024-05-10 -X1-> L 2024-09-01 (E1) -X1-> P 2024-12-01, open.
     Placements: [2023-06-01, 2024-05-10] 344 days; [2024-05-10 .. 2024-12-01] (P then L) 205 days; open.
     Episodes ended in the year: 344, 114, 91 days. In care at 31 March 2025 with 3 placements in the year
     (the first episode of the year is one, P another, L none, P a third).
  b: S 2024-07-01 (V2, N4) ended 2024-07-05 E4A (4 days); S 2024-10-01 (C1, N1) ended 2025-02-01 E41 (123 days).
     Started twice: counted once, the first (V2, N4). Ceased twice: counted once, the last (E41, 123 days).
  c: short breaks (V3) only: in no figure.
  d: starts 2025-04-02: the next year.
  e: S 2024-03-15 (the year before) ended 2024-04-01 E13: ceased in 2025 after 17 days.
"""
import pandas as pd

from dashboard.dashboards.cld_episodes import metrics as m

T = pd.Timestamp


def episodes() -> pd.DataFrame:
    rows = [
        ("a", "2023-06-01", "S", "C2", "N1", "2024-05-10", "X1"), ("a", "2024-05-10", "P", "C2", "N1", "2024-09-01", "X1"),
        ("a", "2024-09-01", "L", "E1", "N1", "2024-12-01", "X1"), ("a", "2024-12-01", "P", "E1", "N1", None, None),
        ("b", "2024-07-01", "S", "V2", "N4", "2024-07-05", "E4A"), ("b", "2024-10-01", "S", "C1", "N1", "2025-02-01", "E41"),
        ("c", "2024-06-01", "S", "V3", "N2", "2024-06-03", "E8"),
        ("d", "2025-04-02", "S", "C2", "N1", None, None),
        ("e", "2024-03-15", "S", "C2", "N1", "2024-04-01", "E13"),
    ]
    frame = pd.DataFrame(rows, columns=["cid", "decom", "rne", "ls", "cin", "dec", "rec"])
    frame["decom"], frame["dec"] = pd.to_datetime(frame["decom"]), pd.to_datetime(frame["dec"])
    return m.counted_episodes(frame.assign(la_code="E09000022", child=frame["cid"]))


def test_short_breaks_are_left_out_and_each_episode_knows_its_period_of_care():
    e = episodes()
    assert "c" not in set(e["cid"])
    assert set(e.loc[e["cid"] == "a", "poc_start"]) == {T("2023-06-01")}
    assert list(e.loc[e["cid"] == "b", "poc_start"]) == [T("2024-07-01"), T("2024-10-01")]


def test_children_starting_care_are_counted_once_by_their_first_start_in_the_year():
    s = m.starts(episodes(), 2025)
    assert list(s["cid"]) == ["b"]                         # a started in 2023, d in 2025/26, e in 2023/24, c short breaks
    assert (s["ls"].iloc[0], s["cin"].iloc[0]) == ("V2", "N4")


def test_children_ceasing_care_are_counted_once_by_their_last_end_with_the_period_of_care_length():
    c = m.ceased(episodes(), 2025).set_index("cid")
    assert sorted(c.index) == ["b", "e"]                   # a's X1 endings are not the end of care
    assert c.loc["b", "rec"] == "E41" and c.loc["b", "days"] == 123    # 1 Oct 2024 to 1 Feb 2025: 31+30+31+31
    assert c.loc["e", "rec"] == "E13" and c.loc["e", "days"] == 17     # 15 March to 1 April


def test_new_episodes_by_reason():
    new = m.new_episodes(episodes(), 2025)
    assert new["rne"].value_counts().to_dict() == {"S": 2, "P": 2, "L": 1}   # a: P, L, P; b: S, S


def test_episode_and_placement_lengths():
    ended = m.episodes_ended(episodes(), 2025)
    assert sorted(ended.loc[ended["cid"] == "a", "days"]) == [91, 114, 344]
    # Every episode ended in the year: a 344, 114, 91; b 4, 123; e 17. Sorted 4, 17, 91, 114, 123, 344: (91 + 114) / 2.
    assert m.median_days(ended["days"]) == 102.5
    placed = m.placements_ended(episodes(), 2025)
    a = placed[placed["cid"] == "a"].sort_values("start")
    assert list(a["days"]) == [344, 205]                   # P then L is one placement: 10 May to 1 December
    assert m.median_days(a["days"]) == 274.5


def test_three_or_more_placements_is_the_dfes_stability_measure():
    moves = m.three_plus_placements(episodes(), 2025).set_index("cid")
    assert list(moves.index) == ["a"]                      # only a is looked after at 31 March 2025 (d starts later)
    assert moves.loc["a", "placements"] == 3 and bool(moves.loc["a", "three_plus"])
    assert sorted(m.looked_after_during(episodes(), 2025)["cid"]) == ["a", "b", "e"]


def test_duration_bands_are_the_dfes():
    days = pd.Series([0, 6, 7, 55, 56, 181, 182, 364, 365, 729, 730, 1825, 1826])
    assert list(m.band(days)) == ["Under 1 week", "Under 1 week", "1 to 8 weeks", "1 to 8 weeks", "8 weeks to 6 months",
                                  "8 weeks to 6 months", "6 months to 1 year", "6 months to 1 year", "1 to 2 years",
                                  "1 to 2 years", "2 to 5 years", "2 to 5 years", "5 years and over"]


def test_missing_and_away_episodes_in_the_year():
    missing = pd.DataFrame({"cid": ["a", "a", "a", "b", "e"], "missing": ["M", "M", "A", "M", "m"],
                            "mis_start": pd.to_datetime(["2024-06-01", "2024-08-01", "2024-09-01", "2025-04-01", "2024-05-01"])})
    found = m.missing_in_year(missing, 2025)
    # M: a twice, e once ("m" read as M) = 3 episodes, 2 children; A: a once. b's is in 2025/26.
    assert (found["missing"] == "M").sum() == 3 and found.loc[found["missing"] == "M", "cid"].nunique() == 2
    assert list(found.loc[found["missing"] == "A", "cid"]) == ["a"]
    # A year with none: no rows (a City of London year once read 1 child missing, from empty rows).
    assert m.missing_in_year(missing, 2023).empty


def test_adoption_timeliness():
    placed = pd.DataFrame({"cid": ["a"], "date_placed": pd.to_datetime(["2024-12-01"])})
    p = m.placed_for_adoption(placed, episodes(), 2025)
    assert list(p["days"]) == [549]          # entered care 1 June 2023: 366 days to 1 June 2024, 183 more to 1 December
    assert list(m.band(p["days"], m.ADOPTION_BANDS)) == ["18 months and over"]
    ad1 = pd.DataFrame({"cid": ["a", "b"], "date_int": pd.to_datetime(["2024-02-01", "2025-01-10"]),
                        "date_match": pd.to_datetime(["2024-11-01", "2024-12-01"])})
    matched = m.matched_for_adoption(ad1, 2025)
    assert list(matched["cid"]) == ["a"] and list(matched["days"]) == [274]   # b's decision after its match: an error
    # 1 Feb to 1 Nov 2024: 29+31+30+31+30+31+31+30+31 = 274 days
    assert list(m.band(matched["days"], m.ADOPTION_BANDS)) == ["6 to 12 months"]


def test_a_child_whose_records_begin_inside_care_has_no_known_start():
    """f's first record is a placement change (P, 2015): when its care began is not held, so its period of care and
    its wait for adoption have no length (never measured from 2015)."""
    frame = pd.DataFrame({"cid": ["f", "f"], "decom": pd.to_datetime(["2015-09-26", "2024-05-01"]), "rne": ["P", "T"],
                          "ls": ["C2", "E1"], "cin": ["N1", "N1"], "dec": pd.to_datetime(["2024-05-01", "2025-01-09"]),
                          "rec": ["X1", "E11"]})
    e = m.counted_episodes(frame.assign(la_code="E09000022", child="f"))
    assert e["poc_start"].isna().all()
    ceased = m.ceased(e, 2025)
    assert list(ceased["cid"]) == ["f"] and ceased["days"].isna().all()    # counted as ceasing; its length not known
    placed = m.placed_for_adoption(pd.DataFrame({"cid": ["f"], "date_placed": pd.to_datetime(["2024-05-01"])}), e, 2025)
    assert placed["days"].isna().all()


def test_a_year_with_no_child_placed_for_adoption_reads_none_not_no_return():
    """An LA that sent its return but placed no child for adoption in the year: the KPI says so, not "no return"."""
    from dashboard.dashboards.cld_episodes.view import median_days_text
    assert median_days_text({"n": 0, "median": None, "bands": {}}) == "none in the year"
    assert median_days_text({"n": 3, "median": None, "bands": {}}) == "not shown"
    assert median_days_text({"n": 7, "median": 412.4, "bands": {}}) == "412"
