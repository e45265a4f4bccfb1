"""What a page says about an area's LAs without an SSDA903 return covering the date (missing is not zero)."""
import pandas as pd

from dashboard.return_coverage import return_coverage

NAMES = {"A": "Barnet", "B": "Camden", "C": "Enfield"}
MARCH_2025, MARCH_2024 = pd.Timestamp("2025-03-31"), pd.Timestamp("2024-03-31")


def test_an_la_that_has_sent_no_return_has_no_figures_and_says_so():
    c = return_coverage(["A"], NAMES, "Barnet", MARCH_2025, {"B": MARCH_2025})
    assert c.none and c.not_sent == ("Barnet",)
    assert c.reason == "Barnet has not sent an SSDA903 return yet."
    assert 'say "no return", never 0' in c.banners[0]


def test_an_la_whose_latest_return_ends_before_the_date_is_pointed_to_its_last_date():
    c = return_coverage(["A"], NAMES, "Barnet", MARCH_2025, {"A": MARCH_2024})
    assert c.none and "runs to 31 March 2024, before 31 March 2025: choose that date or earlier" in c.banners[0]
    assert not return_coverage(["A"], NAMES, "Barnet", MARCH_2024, {"A": MARCH_2024}).none   # on its last date: covered


def test_an_area_counts_the_las_it_has_and_names_those_it_has_not():
    c = return_coverage(["A", "B", "C"], NAMES, "North London", MARCH_2025, {"A": MARCH_2025, "C": MARCH_2024})
    assert not c.none and c.covered == 1
    assert c.banners == ("North London's figures count the children of the 1 of its 3 LAs with an SSDA903 return "
                         "covering 31 March 2025; no return yet from Camden; latest return ending before this date from "
                         "Enfield (31 March 2024). An LA's children still looked after when its latest return ends are "
                         "counted as still looked after until its next return arrives.",)


def test_anonymised_the_las_without_a_return_are_counted_not_named():
    c = return_coverage(["A", "B", "C"], NAMES, "North London", MARCH_2025, {"A": MARCH_2025}, anonymised=True)
    assert "no return yet from 2" in c.banners[0] and "Camden" not in c.banners[0] and "Enfield" not in c.banners[0]


def test_every_la_covered_says_nothing():
    c = return_coverage(["A", "B"], NAMES, "North London", MARCH_2025, {"A": MARCH_2025, "B": MARCH_2025})
    assert not c.none and c.banners == ()
