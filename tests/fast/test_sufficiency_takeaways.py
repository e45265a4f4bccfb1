"""Sufficiency's what-this-shows sentences, on hand-worked tables: the largest group named, hidden counts kept hidden
and never read as zero, the forecast and costs in words."""
import pandas as pd

from dashboard.dashboards.sufficiency import view as suff

C = "c"


def _vector(label, rows, total):
    table = pd.DataFrame({label: [r[0] for r in rows] + ["Total"], "Children": [r[1] for r in rows] + [total]})
    table["%"] = [C if isinstance(v, str) or isinstance(total, str) else round(100 * v / total, 1) if total else None
                  for v in table["Children"]]
    return table


def test_placement_mix_sentence_names_the_largest_group_and_keeps_hidden_counts_hidden():
    table = _vector("Placement type", [("Foster care: in-house", 60), ("Children's homes", C), ("Other", C)], 100)
    assert suff.mix_takeaway(table, "Lambeth", "31 March 2025") == (
        "Lambeth looked after 100 children on 31 March 2025; the largest group, 60.0%, are in foster care: in-house. "
        "2 groups have 1 to 5 children, hidden (c).")
    assert suff.mix_takeaway(_vector("Placement type", [("Other", C)], C), "Croydon", "31 March 2025") == (
        "Croydon looked after 1 to 5 children with these filters on 31 March 2025: the figures are hidden (c).")
    assert suff.mix_takeaway(_vector("Placement type", [("Other", 0)], 0), "All London", "31 March 2025") == (
        "No children looked after by London's LAs match these filters on 31 March 2025.")


def test_distance_and_grade_sentences_say_hidden_not_zero():
    headline = {"children": 40, "over_20": 25.0, "median_miles": 7.25, "graded": 20, "good_provider": 75.0}
    assert suff.distance_takeaway(headline, "Lambeth") == (
        "25.0% of the children looked after by Lambeth live more than 20 miles from home; the median distance is "
        "7.2 miles where both postcodes are known.")
    assert suff.grades_takeaway(headline, "Lambeth") == (
        "75.0% of the 20 placements of Lambeth's children with an Ofsted-graded provider are good or outstanding.")
    hidden = {"children": 9, "over_20": C, "median_miles": C, "graded": C, "good_provider": C}
    assert suff.distance_takeaway(hidden, "Croydon") == (
        "The share of Croydon's children living more than 20 miles from home is hidden (it rests on 1 to 5 children); "
        "the median distance is hidden (1 to 5 children).")
    assert "hidden (c)" in suff.grades_takeaway(hidden, "Croydon")
    assert suff.distance_takeaway({**headline, "children": 0, "over_20": None}, "Sutton") == (
        "No children looked after by Sutton match these filters.")


def test_regions_tiles_and_flows_sentences():
    regions = _vector("Region", [("South East", 47), ("East of England", 20), ("Wales", C)], 70)
    assert suff.regions_takeaway(regions, "Lambeth") == (
        "70 children looked after by Lambeth are placed outside London, most in South East (47). "
        "1 group has 1 to 5 children, hidden (c).")
    assert suff.regions_takeaway(pd.DataFrame(columns=["Region", "Children", "%"]), "Lambeth") == (
        "None of the children looked after by Lambeth with these filters is placed outside London.")
    tiles = pd.DataFrame({"la_code": ["E09000022", "E09000024", "E09000008", None],
                          "LA": ["Lambeth", "Merton", "Croydon", "Total"], "Children": [102, 11, C, 118]})
    assert suff.tiles_takeaway(tiles, "Lambeth", "selected") == (
        "Of Lambeth's looked-after children living in London, the most live in Lambeth (102), then Merton (11). "
        "1 LA has 1 to 5 children, hidden (c).")
    assert suff.tiles_takeaway(tiles, "Lambeth", "others").startswith("Of children placed by other LAs, the most live in Lambeth")
    flows = pd.DataFrame({"From": ["Lambeth", "Total"], "Inside own LA": [102, 102], "Outside London": [C, C],
                          "Elsewhere in London": [90, 90], "Total": [196, 196]})
    assert suff.flows_takeaway(flows, ["Inside own LA", "Elsewhere in London", "Outside London"], "Lambeth") == (
        "Of 196 children looked after by Lambeth, the largest group (52.0%) is living inside their own LA. "
        "Counts of 1 to 5 are hidden (c) for: Outside London.")


def test_trend_starts_and_stability_sentences():
    quarters = pd.date_range("2024-03-31", periods=5, freq="QE-MAR").date.astype(str)
    trend = pd.DataFrame({"Quarter end": quarters, "Total": pd.Series([381, 370, 365, 360, 362], dtype=object)})
    assert suff.trend_takeaway(trend, "Lambeth") == (
        "Lambeth looked after 362 children on 31 March 2025, down 19 (5.0%) on a year before.")
    trend.loc[0, "Total"] = C
    assert suff.trend_takeaway(trend, "Lambeth").endswith("; the figure a year before is hidden (c).")
    months = pd.DataFrame({"Month": [str(p) for p in pd.period_range("2024-04", "2025-03", freq="M")],
                           "Started": [15] * 12, "Ceased": pd.Series([17] * 12, dtype=object)})
    assert suff.starts_takeaway(months, "Lambeth") == (
        "In the 12 months to March 2025, 180 children started and 204 ceased to be looked after by Lambeth.")
    months.loc[3, "Ceased"] = C
    assert "no 12-month total is given" in suff.starts_takeaway(months, "Lambeth")
    stability = pd.DataFrame({"Year to": ["2024-03-31", "2025-03-31"], "Looked after at 31 March": [381, 362],
                              "3 or more placements": [43, 44], "%": [11.3, 12.2]}, dtype=object)
    assert suff.stability_takeaway(stability, "Lambeth") == (
        "12.2% of the children looked after by Lambeth at 31 March 2025 had 3 or more placements in the year "
        "(44 of 362), against 11.3% a year before.")
    stability.loc[1, ["3 or more placements", "%"]] = [C, C]
    assert "is hidden (it rests on 1 to 5 children)" in suff.stability_takeaway(stability, "Lambeth")


def test_forecast_and_cost_sentences():
    forecast = pd.DataFrame({"Month": ["2027-03-31"] * 2, "Placement type": ["Other", "All placement types"],
                             "Expected": [10.0, 341.4], "Low (10th percentile)": [8.0, 320.0], "High (90th percentile)": [12.0, 363.0]},
                            dtype=object)
    history = pd.DataFrame({"Month": ["2025-03-31"] * 2, "Placement type": ["Other", "Children's homes"], "Children": [300, 62]},
                           dtype=object)
    assert suff.forecast_takeaway(forecast, history, "Lambeth") == (
        "The model expects Lambeth to look after about 341 children by March 2027 (80% band 320 to 363), "
        "against 362 on 31 March 2025.")
    history.loc[0, "Children"] = C                               # a hidden count: no "now" total is given
    assert suff.forecast_takeaway(forecast, history, "Lambeth").endswith("(80% band 320 to 363).")
    forecast.loc[1, "Expected"] = C
    assert "is hidden (c)" in suff.forecast_takeaway(forecast, history, "Lambeth")
    costs = pd.DataFrame({"Month": ["2027-03-31"], "Expected": [512300.0], "Low (10th percentile)": [480000.0],
                          "High (90th percentile)": [545000.0]})
    assert suff.cost_takeaway(costs) == ("At these unit costs, the expected weekly cost of placements in March 2027 "
                                         "is £512,300 (80% band £480,000 to £545,000).")


def test_grade_card_says_no_grades_when_no_placement_has_one():
    headline = {"children": 40, "foster": 50.0, "foster_inhouse": 30.0, "foster_agency": 20.0, "homes": 10.0,
                "supported": 10.0, "parents": 5.0, "other": 25.0, "outside_la": 60.0, "over_20": 25.0,
                "distance_not_known": 5.0, "median_miles": 7.25, "outside_london": 15.0, "graded": 20,
                "good_provider": 75.0}
    card = {title: (figure, of) for title, figure, of in suff.headline_kpis(headline, "Lambeth, 31 March 2025")}
    assert card["Provider good or outstanding"] == ("75.0%", "of 20 placements with an Ofsted grade on that date")
    assert card["Children looked after"] == ("40", "Lambeth, 31 March 2025")
    # 40 children, none with a graded provider: there are children, so "no children" would be wrong.
    ungraded = suff.headline_kpis({**headline, "graded": 0, "good_provider": None}, "Lambeth, 31 March 2025")
    card = {title: (figure, of) for title, figure, of in ungraded}
    assert card["Provider good or outstanding"] == ("no grades", "of 0 placements with an Ofsted grade on that date")
    hidden = {title: figure for title, figure, _of in suff.headline_kpis({**headline, "graded": C, "good_provider": C}, "x")}
    assert hidden["Provider good or outstanding"] == C
