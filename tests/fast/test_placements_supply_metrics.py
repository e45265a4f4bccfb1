"""Places per London LA and sub-region, owner concentration, openings and closures and the grade on a date, on the
hand-made providers of tests/ofsted_provider_files.py, worked by hand."""
import pandas as pd
import pytest

from dashboard.dashboards.placements_supply import metrics, returns
from tests import ofsted_provider_files as files

LAS = pd.DataFrame({
    "la_code": ["E09000012", "E09000022", "E09000028", "E09000008"], "la_name": ["Hackney", "Lambeth", "Southwark", "Croydon"],
    "subregion_code": ["east", "south", "south", "south"], "subregion_name": ["East", "South", "South", "South"],
    "subregion_order": [1, 4, 4, 4]})
NAMES = dict(zip(LAS["la_name"], LAS["la_code"]))


def frame(rows, *dates):
    out = pd.DataFrame(rows)
    for column in dates:
        out[column] = pd.to_datetime(out[column])
    return out


@pytest.fixture()
def places(tmp_path):
    rows = returns.read_providers(files.places_file(tmp_path), NAMES)["places"]
    return frame(rows, "at", "registration_date")


def test_places_per_london_la_sub_region_and_london(places):
    table = metrics.places_table(places, LAS).set_index("Area")
    # Lambeth: homes of 4 (private) and 6 (LA) places; Southwark: one of 3 places and an IFA; Hackney: one, places not
    # given; Croydon none; Kent's home is outside London and in no row.
    assert table.loc["Lambeth", ["Children's homes", "Children's homes places", "Places: private", "Places: local authority"]].tolist() == [2, 10, 4, 6]
    assert table.loc["Southwark", ["Children's homes", "Children's homes places", "Other providers"]].tolist() == [1, 3, 1]
    # Hackney's one home gives no places: its places are not known, never 0.
    assert table.loc["Hackney", ["Children's homes", "Places not given"]].tolist() == [1, 1]
    assert pd.isna(table.loc["Hackney", "Children's homes places"]) and pd.isna(table.loc["Hackney", "Places: voluntary"])
    assert table.loc["Hackney", "Places: private"] == 0
    # Croydon has no home: its places are a true 0.
    assert table.loc["Croydon", ["Children's homes places", "Places: private"]].tolist() == [0, 0]
    assert table.loc["Croydon", "Children's homes"] == 0
    assert table.loc["South", ["Children's homes", "Children's homes places"]].tolist() == [3, 13]
    assert table.loc["East", ["Children's homes", "Places not given"]].tolist() == [1, 1]
    assert table.loc["London", ["Children's homes", "Children's homes places", "Places not given"]].tolist() == [4, 13, 1]
    assert pd.isna(table.loc["London", "Places: voluntary"])   # its one voluntary home gives no places


def test_owner_concentration_is_the_share_of_places_held_by_the_largest_owners(places):
    # London's homes with places given: Acme 4 + 3 = 7, Lambeth Council 6: of 13, the largest holds 53.8%.
    london = places[places["la_code"].notna()]
    assert metrics.owner_concentration(london, (1, 5)) == {1: 53.8, 5: 100.0}
    # With Kent's 5 Acme places too: Acme 12 of 18.
    assert metrics.owner_concentration(places, (1,)) == {1: 66.7}


def test_places_by_owner_largest_first(places):
    table = metrics.places_by(places[places["la_code"].notna()], "owner")
    assert table.iloc[:2].values.tolist() == [["Acme Care Ltd", 2, 7, 0, 53.8], ["Lambeth Council", 1, 6, 0, 46.2]]
    # Bright Homes gave no places: not known (never 0), and no share of places.
    bright = table.iloc[2]
    assert bright["owner"] == "Bright Homes" and pd.isna(bright["Places"]) and bright["Places not given"] == 1
    assert pd.isna(bright["% of places"])


def test_grade_on_a_date_is_the_latest_graded_judgement_on_or_before_it(tmp_path):
    inspections = frame(returns.read_providers(files.in_year_file(tmp_path), NAMES)["inspections"],
                        "inspection_date", "registration_date")
    urns = pd.Series(["SC100001", "SC100003", "SC100005"])
    # Before any inspection: none. After SC100001's good (10 June 2024): good; on the day of its inadequate: inadequate.
    assert metrics.grade_at(urns, inspections, "2023-01-01").isna().all()
    assert metrics.grade_at(urns, inspections, "2024-06-10").tolist()[0] == 2
    assert metrics.grade_at(urns, inspections, "2025-01-19").tolist()[0] == 2
    assert metrics.grade_at(urns, inspections, "2025-01-20").tolist()[0] == 4
    # SC100003: outstanding in November 2023 stays its grade through the interim visit (no grade) of September 2024.
    assert metrics.grade_at(urns, inspections, "2025-03-31").tolist()[1:] == [1.0, pytest.approx(float("nan"), nan_ok=True)]


def test_homes_opened_and_closed_each_year_to_31_march(tmp_path, places):
    closures = frame(returns.read_providers(files.closed_file(tmp_path), NAMES)["closures"], "date_closed", "registration_date")
    table = metrics.openings_and_closures(places, closures, ["E09000022", "E09000028", "E09000008"]).set_index("Year to 31 March")
    # Registered: Lambeth's LA home in May 2024 (2024-25), Lambeth's and Southwark's private homes in June 2015
    # (2015-16). Closed: Lambeth's in August 2024 (2024-25), Croydon's in March 2023 (2022-23).
    assert table.index.tolist() == list(range(2016, 2026))
    assert table.loc[2025].tolist() == [1, 1] and table.loc[2023].tolist() == [0, 1] and table.loc[2016].tolist() == [2, 0]
    assert table["Registered (opened)"].sum() == 3


def test_demand_against_supply_says_what_is_not_held():
    table = metrics.demand_against_supply({metrics.HOMES: 40.4, "Fostering": 120.0}, 31, None,
                                          {metrics.HOMES: 12, "Fostering": 9}).set_index("Placement type")
    assert table.loc[metrics.HOMES].tolist() == [40, 31, 9, 12]
    assert pd.isna(table.loc["Fostering", "Places registered"]) and pd.isna(table.loc["Fostering", "Gap (need minus places)"])
