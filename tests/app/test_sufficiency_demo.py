"""The sufficiency demo data: London-sized, the published shape (DfE CLA 2021-2025, rounded), reproducible."""
import pandas as pd
import pytest

from dashboard.dashboards.sufficiency import returns as ds
from dashboard.loader import AccessScope
from dashboard.dashboards.sufficiency import data

ALL = {k: "all" for k in ("age", "sex", "ethnicity", "uasc", "legal", "cin", "placement", "provider")}
ADMIN = AccessScope("admin", "E09000001")


@pytest.fixture(scope="module")
def london(dash_app):
    with dash_app.server.app_context():
        return data.view(ADMIN, "london", "2025-03-31", ALL), data.view(ADMIN, "london", "2025-03-31", {**ALL, "uasc": "yes"})


def test_london_scale(london):
    view, _ = london
    assert 8000 <= view["headline"]["children"] <= 11000          # about 9,300 published for 31 March 2025
    starts = view["starts_ends"].assign(year=lambda t: t["Month"].str[:4])
    per_year = starts[starts["year"].isin(["2019", "2020", "2021", "2022", "2023", "2024"])].groupby("year")["Started"].sum()
    assert per_year.between(3500, 5800).all()                      # about 4,300 starts a year published
    assert len(view["stability"]) >= 6                             # at least six full years of episodes


def test_published_shape(london):
    view, uasc = london
    h = view["headline"]
    assert 60 <= h["foster"] <= 80 and 5 <= h["homes"] <= 15 and 7 <= h["supported"] <= 18 and 1 <= h["parents"] <= 6
    assert 55 <= h["outside_la"] <= 75                             # 66% outside the LA boundary published
    assert 12 <= h["over_20"] <= 30 and 5 <= h["distance_not_known"] <= 18
    assert 5 <= h["median_miles"] <= 15
    assert 8 <= 100 * uasc["headline"]["children"] / h["children"] <= 16   # 12% UASC published
    three_plus = pd.to_numeric(view["stability"]["%"])
    assert three_plus.between(5, 14).all()                         # about 10% with 3+ placements published
    assert 50 <= h["good_provider"] <= 90


def test_uasc_are_concentrated_in_some_las(server):
    with server.app_context():
        shares = {}
        for la in ("E09000008", "E09000026", "E09000004", "E09000032"):   # Croydon, Redbridge high; Bexley, Wandsworth low
            total = data.view(ADMIN, f"la:{la}", "2025-03-31", ALL)["headline"]["children"]
            uasc = data.view(ADMIN, f"la:{la}", "2025-03-31", {**ALL, "uasc": "yes"})["headline"]["children"]
            shares[la] = uasc / total
    assert min(shares["E09000008"], shares["E09000026"]) > max(shares["E09000004"], shares["E09000032"])
