"""SEND's what-this-shows sentences, on hand-worked tables: the figure, its run and London's; small numbers and gaps
kept as they are, never read as zero."""
from datetime import date

import numpy as np
import pandas as pd

from dashboard.dashboards.send import view as send_page
from dashboard.dashboards.send.metrics import ENGLAND, INDICATORS, LONDON

TIMELY, PLANS = INDICATORS["timely_20wk_pct"], INDICATORS["plans_in_force"]
VIEWER = "E09000022"   # the member's own LA (Lambeth)


def test_trend_sentence_gives_the_figure_the_run_and_london():
    table = pd.DataFrame({"Year": [2019, 2020, 2021, 2022], "Lambeth": [30.0, 25.0, 22.0, 20.6],
                          "South London": [50.0] * 4, "London": [60.0, 58.0, 55.0, 54.7], "England": [49.0] * 4})
    assert send_page.trend_takeaway(table, "Lambeth", TIMELY, 2022) == (
        "Lambeth: 20.6% in calendar year 2022, falling for 3 years in a row; London's is 54.7%.")
    # A year chosen mid-series stops there; a gap before it is said, not bridged.
    table.loc[1, "Lambeth"] = np.nan
    assert send_page.trend_takeaway(table, "Lambeth", TIMELY, 2021) == (
        "Lambeth: 22.0% in calendar year 2021, with no published figure for the year before; London's is 55.0%.")


def test_trend_sentence_never_reads_a_missing_figure_as_zero():
    table = pd.DataFrame({"Year": [2021, 2022], "Lambeth": [22.0, np.nan], "London": [55.0, np.nan]})
    assert send_page.trend_takeaway(table, "Lambeth", TIMELY, 2022) == "Lambeth has no published figure for calendar year 2022."
    table.loc[1, "Lambeth"] = 23.0
    assert send_page.trend_takeaway(table, "Lambeth", TIMELY, 2022).endswith(
        "up on the year before; London has no published figure.")


def _ranking(values, flags=None, ranks=None):
    codes = [f"E0900000{i}" for i in range(1, len(values) + 1)]
    return pd.DataFrame({"la_code": codes, "la_name": [f"Borough {i}" for i in range(1, len(values) + 1)],
                         "value": values, "flag": flags or [""] * len(values),
                         "rank": pd.array(ranks if ranks else [None] * len(values), dtype="Int64")})


def test_ranking_sentence_orders_by_the_figure_and_respects_small_numbers_and_gaps():
    table = _ranking([60.0, 50.0, 40.0, np.nan], ["", "", "", "not published"], [1, 2, 3, None])
    assert send_page.ranking_takeaway(table, "E09000002", TIMELY, "calendar year 2022", 54.7, 49.2) == (
        "Borough 2 has the 2nd highest figure of the 3 London LAs given a position: 50.0% for calendar year 2022 "
        "(London 54.7%; England 49.2%).")
    assert "has the lowest figure of the 3" in send_page.ranking_takeaway(table, "E09000003", TIMELY, "2022", 1, 1)
    assert send_page.ranking_takeaway(table, "E09000004", TIMELY, "calendar year 2022", 54.7, np.nan) == (
        "Borough 4 has no published figure for calendar year 2022; 3 of 4 London LAs have one.")
    small = _ranking([100.0, 50.0], ["small numbers: not ranked", ""], [None, 1])
    assert send_page.ranking_takeaway(small, "E09000001", TIMELY, "2022", np.nan, np.nan) == (
        "Borough 1: 100.0% for 2022; too few cases (under 20) to be given a position among London LAs.")


def test_ranking_sentence_for_a_count_gives_the_range_not_a_position():
    table = _ranking([3931.0, 2940.0, 19.0])
    assert send_page.ranking_takeaway(table, "E09000002", PLANS, "January 2022", 78203, np.nan) == (
        "Borough 2: 2,940 for January 2022 (London 78,203); London LAs range from 19 to 3,931.")


def _mix(rows):
    """rows: (area, code, {measure: count}, [hidden measures])"""
    measures = ["place_mainstream", "place_inmss", "place_other"]
    out = []
    for area, code, counts, hidden in rows:
        total = sum(counts.values()) if counts else np.nan
        row = {"area": area, "area_code": code, "total": total, "suppressed": hidden}
        for m in measures:
            row[m] = counts.get(m, np.nan) if counts else np.nan
            row[f"{m}_pct"] = (np.nan if m in hidden or not counts else counts[m] / total * 100)
        out.append(row)
    return pd.DataFrame(out)


LABELS = {"place_mainstream": "Mainstream school", "place_inmss": "INMSS", "place_other": "Other"}


def test_placement_sentence_says_the_inmss_share_and_the_largest_group():
    mix = _mix([("Lambeth", VIEWER, {"place_mainstream": 60, "place_inmss": 10, "place_other": 30}, []),
                ("London", LONDON, {"place_mainstream": 500, "place_inmss": 50, "place_other": 450}, []),
                ("England", ENGLAND, None, [])])
    assert send_page.placement_takeaway(mix, VIEWER, LABELS, 2022) == (
        "Lambeth, January 2022: 10.0% are in independent or non-maintained special schools (London 5.0%, "
        "England not published); the most (60.0%) are in mainstream school.")


def test_placement_sentence_keeps_a_hidden_count_hidden_and_a_gap_a_gap():
    mix = _mix([("Lambeth", VIEWER, {"place_mainstream": 60, "place_inmss": 3, "place_other": 8},
                 ["place_inmss", "place_other"]), ("London", LONDON, None, [])])
    text = send_page.placement_takeaway(mix, VIEWER, LABELS, 2022)
    assert "small (1 to 5) and hidden" in text and "3" not in text.replace("2022", "")
    assert send_page.placement_takeaway(mix, LONDON, LABELS, 2022) == "London has no complete placement figures for January 2022."


def test_need_inspection_and_share_sentences():
    needs = pd.DataFrame({"area": ["Lambeth", "London"], "area_code": [VIEWER, LONDON], "total": [100, 1000],
                          "suppressed": [[], []], "need_asd": [40, 345], "need_asd_pct": [40.0, 34.5],
                          "need_semh": [60, 655], "need_semh_pct": [60.0, 65.5]})
    assert send_page.need_takeaway(needs, VIEWER, {"need_asd": "Autism", "need_semh": "SEMH"}, 2022) == (
        "The most common primary need in Lambeth in January 2022 is semh: 60.0% of those with a plan (London 65.5%).")
    latest = pd.DataFrame({"la_code": [VIEWER, "E09000008", "E09000005"], "la_name": ["Lambeth", "Croydon", "Brent"],
                           "outcome_grade": pd.array([None, 2, 1], dtype="Int64"),
                           "published": [None, date(2024, 5, 1), date(2025, 3, 7)]})
    assert send_page.tiles_takeaway(latest, VIEWER) == (
        "Lambeth has not yet been inspected under the 2023 framework; 2 of 3 London areas have been inspected under it, "
        "1 with outcome 1.")
    assert send_page.tiles_takeaway(latest, "E09000005").startswith(
        "Brent had outcome 1 at its latest area SEND inspection, published 7 March 2025;")
    share = {"London": {"inspected": 14, "outcome_1": 4, "pct": 4 / 14 * 100},
             "England": {"inspected": 71, "outcome_1": 15, "pct": 15 / 71 * 100}}
    assert send_page.share_takeaway(share) == (
        "29% of inspected London areas had outcome 1 (4 of 14), against 21% in England (15 of 71), on all reports held.")
    assert send_page.share_takeaway({"London": {"inspected": 0}, "England": {"inspected": 0}}).startswith("No area SEND")
