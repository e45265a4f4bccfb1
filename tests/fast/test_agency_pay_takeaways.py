"""The Agency pay page's "what this shows" sentences, on small hand-worked tables: figures, and missing said in words."""
import numpy as np
import pandas as pd

from dashboard.dashboards.agency_pay import view as pay

NAN = np.nan


def _by_la(rows):
    return pd.DataFrame(rows, columns=["la_code", "la_name", "status", "median", "pct_spend_over"])


def test_range_names_the_median_the_highest_la_and_the_viewers_own():
    pooled = pd.Series({"status": "", "n": 120, "median": 34.0, "q1": 32.5, "q3": 37.25})
    by_la = _by_la([("A", "Barnet", "", 36.5, 10.0), ("B", "Lambeth", "", 33.5, 5.0), ("C", "Bexley", "c", NAN, NAN)])
    text = pay.range_takeaway(pooled, by_la, None, "B", "Lambeth", "All London", "All job types", "Q1 2025-26")
    assert text == ("All London, all job types, Q1 2025-26: the median agency rate after PAYE adjustments is £34.00 an hour "
                    "(middle half £32.50 to £37.25), over 120 assignments; the highest median is Barnet's (£36.50); "
                    "Lambeth (your LA): £33.50.")


def test_range_says_why_there_is_no_figure():
    for status, words in (("c", "too few assignments to show pay figures (c)"), ("no return", "no return")):
        pooled = pd.Series({"status": status, "n": 3, "median": NAN})
        text = pay.range_takeaway(pooled, None, None, "B", "Lambeth", "City of London", "Team manager", "Q1 2025-26")
        assert text == f"City of London, team manager, Q1 2025-26: {words}; no pay range is shown."
    # Own LA suppressed or without a return: said in words, never as £0.
    pooled = pd.Series({"status": "", "n": 50, "median": 30.0, "q1": 29.0, "q3": 31.0})
    by_la = _by_la([("A", "Barnet", "", 31.0, 1.0), ("C", "Bexley", "", 30.0, 2.0), ("B", "Lambeth", "no return", NAN, NAN)])
    assert pay.range_takeaway(pooled, by_la, None, "B", "Lambeth", "All London", "All job types", "Q1").endswith(
        "Lambeth (your LA): no return.")


def test_range_by_job_type_names_the_highest_and_lowest_and_the_missing():
    pooled = pd.Series({"status": "", "n": 40, "median": 35.0, "q1": 33.0, "q3": 38.0})
    by_job = pd.DataFrame({"job_name": ["Social worker", "Team manager", "IRO / CP chair"], "status": ["", "", "c"],
                           "median": [31.0, 41.5, NAN]})
    text = pay.range_takeaway(pooled, None, by_job, "B", "Lambeth", "South London", "All job types", "Q1")
    assert text.endswith("; team managers have the highest median (£41.50) and social workers the lowest (£31.00); "
                         "no figure for IRO / CP chairs (c (too few assignments to show pay figures)).")


def _quarters(rows):
    return pd.DataFrame(rows, columns=["quarter", "status", "n", "pct_over", "pct_spend_over", "pct_spend_over_excl"])


def test_over_cap_compares_the_last_quarter_with_the_first_that_has_a_figure():
    per_quarter = _quarters([("Q1", "no return", 0, NAN, NAN, NAN), ("Q2", "", 80, 20.0, 25.0, 22.0),
                             ("Q3", "", 90, 15.5, 17.5, 16.8)])
    assert pay.overcap_takeaway(per_quarter, "All London", "All job types") == (
        "In Q3, 15.5% of assignments (all job types) in All London were paid over the cap, 17.5% of spend "
        "(16.8% excluding legacy contracts); spend over cap is down from 25.0% in Q2.")
    last_missing = _quarters([("Q1", "", 80, 20.0, 25.0, 22.0), ("Q2", "no return", 0, NAN, NAN, NAN)])
    assert pay.overcap_takeaway(last_missing, "Croydon", "Social worker") == (
        "Croydon, social worker, Q2: no return; no share over cap is shown.")


def test_over_cap_by_la_counts_the_las_without_a_figure_and_why():
    by_la = _by_la([("A", "Barnet", "", 30.0, 40.0), ("B", "Lambeth", "", 31.0, 0.0), ("C", "Bexley", "c", NAN, NAN),
                    ("D", "Brent", "no return", NAN, NAN), ("E", "Camden", "c", NAN, NAN)])
    assert pay.overcap_by_la_takeaway(by_la, "B", "Q3") == (
        "In Q3, Barnet spent the largest share over the cap (40.0% of spend); Lambeth (your LA): 0.0%; 1 of the 2 LAs "
        "with a figure spent something over the cap; not shown: 2 c (too few assignments to show pay figures), 1 no return.")
    nobody = _by_la([("D", "Brent", "no return", NAN, NAN)])
    assert pay.overcap_by_la_takeaway(nobody, "B", "Q3") == "No LA shown has a figure for Q3 (1 no return)."


def test_workforce_gives_the_counts_and_the_london_agency_share():
    per_quarter = _quarters([("Q1 2025-26", "", 945, 0, 0, 0), ("Q2 2025-26", "", 862, 0, 0, 0)])
    share = pay.AgencyShare(list(pd.to_datetime(["2025-06-30", "2025-09-30"])), {"London average": np.array([16.0, NAN])})
    nothing = pay.AgencyShare(share.quarters, {})
    assert pay.workforce_takeaway(per_quarter, share, "All London") == (
        "The Pledge returns for All London list 862 agency assignments in Q2 2025-26 (945 in Q1 2025-26); agency workers "
        "were 16.0% of London's children's social workers in Q1 2025-26 (benchmarking data).")
    # Too few for pay figures: the (protected) count is still given; no return is said in words, never as 0.
    small = _quarters([("Q1", "no return", 0, NAN, NAN, NAN), ("Q2", "c", 5, 20.0, NAN, NAN)])
    text = pay.workforce_takeaway(small, nothing, "City of London")
    assert text.startswith("The Pledge returns for City of London list 5 agency assignments in Q2;")
    assert text.endswith("not in the benchmarking data for these quarters.")
    missing = pay.workforce_takeaway(_quarters([("Q2", "no return", 0, NAN, NAN, NAN)]), nothing, "Brent")
    assert missing.startswith("Brent, Q2: no return in the Pledge returns")


def test_over_cap_of_a_group_too_small_for_pay_figures_gives_its_protected_share_only():
    small = _quarters([("Q2", "c", 5, 20.0, NAN, NAN)])
    assert pay.overcap_takeaway(small, "City of London", "All job types") == (
        "In Q2, 20.0% of assignments (all job types) in City of London were paid over the cap; too few assignments to "
        "show pay figures (c), so no share of spend is shown.")


def test_convergence_lists_narrowing_and_widening_job_types():
    convergence = pd.DataFrame({"job_type": ["social_worker", "team_manager", "iro_cp_chair"],
                                "first_period": pd.to_datetime(["2024-06-30"] * 3),
                                "last_period": pd.to_datetime(["2025-06-30"] * 3),
                                "verdict": ["narrower: converging", "wider: diverging", "narrower: converging"]})
    trend = pd.DataFrame({"status": ["", "", "c"]})
    text = pay.convergence_takeaway(convergence, trend)
    assert text.startswith("From Q1 2024-25 to Q1 2025-26, the spread of hourly pay narrowed (rates converging) for "
                           "social workers and IRO / CP chairs and widened for team managers")
    assert text.endswith("; 1 job-type quarter has no figure (no return, no assignments, or too few to show).")
    assert pay.convergence_takeaway(convergence.assign(verdict=""), trend) == (
        "Not enough quarters with figures to say whether rates are converging.")


def test_an_administrators_note_names_no_other_la_when_anonymised():
    named = pd.DataFrame({"la_code": ["E1", "E2", "E3"], "la_name": ["Richmond upon Thames", "Lambeth", "Barnet"]})
    labelled = named.assign(la_name=["LA 7", "Lambeth", "LA 2"])
    assert pay.relabel("Agreed with Richmond upon Thames, Barnet and Lambeth", named, labelled) == (
        "Agreed with LA 7, LA 2 and Lambeth")
