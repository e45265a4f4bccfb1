"""Sufficiency metrics with hand-worked cases: snapshot at a date, distance, location, grade at a date, stability, forecast."""
import math

import numpy as np
import pandas as pd
import pytest

from dashboard.dashboards.sufficiency import metrics as m

T = pd.Timestamp


def episodes(rows):
    """rows: (cid, decom, dec, rne, place, provider[, rec]) -> an episodes frame like the loader's."""
    frame = pd.DataFrame([r if len(r) == 7 else (*r, None) for r in rows],
                         columns=["cid", "decom", "dec", "rne", "place", "place_provider", "rec"])
    frame["decom"] = pd.to_datetime(frame["decom"])
    frame["dec"] = pd.to_datetime(frame["dec"])
    frame["rec"] = frame["rec"].where(frame["rec"].notna() | frame["dec"].isna(), "X1")
    frame["group"] = m.placement_group(frame["place"], frame["place_provider"])
    frame["dob"] = pd.Timestamp("2012-06-01")
    frame["la_code"] = "E09000022"
    return frame


# --- looked after at a date ---------------------------------------------------------------------------------------

def test_a_child_whose_episode_ends_on_the_date_is_not_looked_after_that_day():
    e = episodes([(1, "2024-01-01", "2025-03-31", "S", "U4", "PR1", "E4A"), (2, "2020-05-05", None, "S", "U6", "PR4")])
    assert sorted(m.open_at(e, "2025-03-31")["cid"]) == [2]
    assert sorted(m.open_at(e, "2025-03-30")["cid"]) == [1, 2]


def test_a_child_starting_on_the_date_is_looked_after():
    e = episodes([(1, "2025-03-31", None, "S", "U4", "PR1")])
    assert list(m.open_at(e, "2025-03-31")["cid"]) == [1]


def test_overlapping_episodes_count_the_child_once_in_the_later_episode():
    e = episodes([(1, "2024-01-01", "2025-06-01", "S", "U4", "PR1"), (1, "2025-01-01", None, "P", "K2", "PR4")])
    current = m.open_at(e, "2025-03-31")
    assert len(current) == 1 and current["group"].iloc[0] == "Children's homes"
    # resolve_overlaps cuts the earlier episode to end when the later one starts.
    fixed = m.resolve_overlaps(e)
    assert fixed["dec"].iloc[0] == T("2025-01-01") and fixed["rec"].iloc[0] == "X1"


def test_a_gap_between_periods_of_care_is_not_looked_after():
    e = episodes([(1, "2023-01-01", "2024-06-30", "S", "U4", "PR1", "E4A"), (1, "2024-10-01", None, "S", "U4", "PR1")])
    assert m.open_at(e, "2024-08-31").empty
    assert len(m.open_at(e, "2024-12-31")) == 1
    assert len(m.resolve_overlaps(e)) == 2 and m.resolve_overlaps(e)["dec"].iloc[0] == T("2024-06-30")


def test_age_in_completed_years_and_bands():
    dob = pd.Series(pd.to_datetime(["2010-04-01", "2025-01-01", "2021-03-01", "2009-03-01"]))
    assert list(m.age_in_years(dob, T("2025-03-31"))) == [14, 0, 4, 16]
    assert list(m.age_in_years(dob, T("2025-04-01"))) == [15, 0, 4, 16]
    assert list(m.age_band(pd.Series([0, 1, 4, 5, 9, 10, 15, 16, 17]))) == [
        "Under 1", "1 to 4", "1 to 4", "5 to 9", "5 to 9", "10 to 15", "10 to 15", "16 and over", "16 and over"]


def test_placement_groups_from_codes():
    place = pd.Series(["U4", "U6", "U1", "K2", "R1", "H5", "P2", "P1", "A6", "S1"])
    provider = pd.Series(["PR1", "PR4", "PR2", "PR4", "PR4", "PR4", "PR5", "PR0", "PR1", "PR4"])
    assert list(m.placement_group(place, provider)) == [
        "Foster care: in-house", "Foster care: agency or other", "Foster care: agency or other", "Children's homes",
        "Children's homes", "Supported accommodation", "Supported accommodation", "Placed with parents", "Other", "Other"]


# --- distance and location --------------------------------------------------------------------------------------

def test_haversine_one_degree_on_the_equator_and_on_a_meridian():
    one_degree = 3958.8 * math.pi / 180       # 69.09 miles
    assert m.haversine_miles(0, 0, 0, 1) == pytest.approx(one_degree, rel=1e-9)
    assert m.haversine_miles(51, 0, 52, 0) == pytest.approx(one_degree, rel=1e-9)
    assert m.haversine_miles(51.5, -0.1, 51.5, -0.1) == 0
    assert np.isnan(m.haversine_miles(np.nan, 0, 51, 0))


SECTORS = pd.DataFrame({
    "sector": ["SW9 1", "SW9 2", "SE15 1", "N1 1", "ME14 1"],
    "lat": [51.46, 51.47, 51.47, 51.54, 51.27], "lon": [-0.11, -0.11, -0.07, -0.10, 0.52],
    "area_code": ["E09000022", "E09000022", "E09000028", "E09000019", "Kent"],
    "region": ["London", "London", "London", "London", "South East"],
})
SUBREGIONS = {"E09000022": "south", "E09000028": "south", "E09000019": "north"}


def test_location_classes_and_a_missing_postcode():
    e = pd.DataFrame({"la_code": ["E09000022"] * 5, "home_post": ["SW9 1", "SW9 1", "SW9 1", "SW9 1", None],
                      "pl_post": ["SW9 2", "SE15 1", "N1 1", "ME14 1", "SW9 2"]})
    out = m.locate(e, SECTORS, SUBREGIONS)
    assert list(out["location"]) == ["Inside own LA", "Elsewhere in own sub-region", "Elsewhere in London", "Outside London",
                                     "Inside own LA"]
    # No home postcode: the distance is not known (not 0), but where the child lives still is.
    assert np.isnan(out["distance_miles"].iloc[4]) and out["distance_band"].iloc[4] == "Distance not known"
    # SW9 1 to SW9 2: 0.01 degree of latitude = 0.69 miles.
    assert out["distance_miles"].iloc[0] == pytest.approx(0.691, abs=0.001)
    assert out["distance_band"].iloc[3] == "20 to 50 miles"   # Lambeth to Maidstone, about 30 miles
    unknown = m.locate(pd.DataFrame({"la_code": ["E09000022"], "home_post": ["SW9 1"], "pl_post": ["ZZ99 9"]}), SECTORS, SUBREGIONS)
    assert unknown["location"].iloc[0] == "Location not known" and pd.isna(unknown["inside_own_la"].iloc[0])


def test_a_placement_found_at_ingest_is_placed_in_its_districts_region_with_no_sector():
    """An upload's episodes carry the placement's district (ONS Postcode Directory) and its region
    (data/district_regions.csv): placed outside London by region, with no demo sector table at all."""
    e = pd.DataFrame({"la_code": ["E09000022"] * 4, "home_post": ["SW9 8"] * 4, "pl_post": ["ME14 1", "M1 1", "SE15 4", "X"],
                      "pl_distance": [30.2, 163.0, 1.9, np.nan], "pl_la": ["E07000110", "E08000003", "E09000028", None],
                      "pl_region": ["South East", "North West", "London", None]})
    out = m.locate(e, SECTORS.iloc[:0], SUBREGIONS)
    assert list(out["placement_region"].iloc[:3]) == ["South East", "North West", "London"]
    assert list(out["location"]) == ["Outside London", "Outside London", "Elsewhere in own sub-region", "Location not known"]


def test_distance_band_edges():
    # Upper limits are inside a band: 20.0 miles is not "more than 20 miles" (DfE's measure), 20.01 is.
    bands = m.distance_band(pd.Series([0.0, 5.0, 5.01, 20.0, 20.01, 50.0, 50.5, np.nan]))
    assert list(bands) == ["Up to 5 miles", "Up to 5 miles", "5 to 10 miles", "10 to 20 miles", "20 to 50 miles",
                           "20 to 50 miles", "More than 50 miles", "Distance not known"]


# --- Ofsted grade at a date -------------------------------------------------------------------------------------

GRADES = pd.DataFrame({"urn": ["SC1", "SC1", "SC2"], "inspection_date": pd.to_datetime(["2019-05-01", "2023-02-01", "2024-06-01"]),
                       "grade": [2, 3, 1]})


def test_grade_at_uses_the_latest_judgement_on_or_before_the_date():
    placements = pd.DataFrame({"urn": ["SC1", "SC1", "SC2", None]})
    assert list(m.grade_at(placements, GRADES, "2022-12-31")) == ["Good", "Good", "Not yet inspected", "No Ofsted URN"]
    assert list(m.grade_at(placements, GRADES, "2023-02-01")) == ["Requires improvement", "Requires improvement",
                                                                 "Not yet inspected", "No Ofsted URN"]
    assert m.grade_at(placements, GRADES, "2019-01-01").iloc[0] == "Not yet inspected"
    assert m.grade_at(placements, GRADES, "2025-03-31").iloc[2] == "Outstanding"


# --- stability ------------------------------------------------------------------------------------------------------

def test_placements_in_the_year_count_moves_not_legal_status_changes():
    e = episodes([
        # child 1: in a placement when the year opens, moves twice, one legal change: 3 placements
        (1, "2023-06-01", "2024-05-01", "S", "U4", "PR1"), (1, "2024-05-01", "2024-09-01", "P", "U6", "PR4"),
        (1, "2024-09-01", "2025-01-10", "L", "U6", "PR4"), (1, "2025-01-10", None, "P", "K2", "PR4"),
        # child 2: starts in the year, a legal change, one move: 2 placements
        (2, "2024-06-01", "2024-08-01", "S", "U4", "PR1"), (2, "2024-08-01", "2024-10-01", "L", "U4", "PR1"),
        (2, "2024-10-01", None, "P", "U6", "PR4"),
        # child 3: the year opens in an episode that only changed legal status; two moves later: 3 placements
        (3, "2023-01-01", "2024-03-01", "S", "U4", "PR1"), (3, "2024-03-01", "2024-07-01", "L", "U4", "PR1"),
        (3, "2024-07-01", "2024-10-01", "P", "U6", "PR4"), (3, "2024-10-01", None, "P", "K2", "PR4"),
    ])
    counts = m.placements_in_year(e, "2024-04-01", "2025-03-31")
    assert counts.to_dict() == {1: 3, 2: 2, 3: 3}
    looked_after = m.open_at(e, "2025-03-31")
    assert m.three_plus_placements(e, looked_after, "2024-04-01", "2025-03-31").sum() == 2


# --- flows ----------------------------------------------------------------------------------------------------------

def test_flows_cross_tabulate_with_zeros():
    frame = pd.DataFrame({"source": ["A", "A", "B"], "location": ["Inside own LA", "Outside London", "Inside own LA"]})
    table = m.flows(frame, "source", "location", m.LOCATIONS)
    assert table.loc["A"].tolist() == [1, 0, 0, 1, 0] and table.loc["B"].tolist() == [1, 0, 0, 0, 0]


# --- forecast -------------------------------------------------------------------------------------------------------

def test_flow_model_counts_exposure_exits_moves_and_entries_by_age():
    e = episodes([
        (1, "2023-01-01", None, "S", "U4", "PR1"),                              # in-house foster all year: 366 days
        (2, "2024-03-01", "2024-06-01", "S", "K2", "PR4"),                      # home 92 days, then moves
        (2, "2024-06-01", "2024-09-01", "P", "U4", "PR1", "E4A"),               # in-house 92 days, then leaves care
    ])
    e.loc[e["cid"] == 1, "dob"] = T("2008-07-01")    # 15 until 1 July 2024, then 16: the year is split between bands
    model = m.fit_flow_model(e, "2024-01-01", "2024-12-31")
    foster, home = m.PLACEMENT_GROUPS.index("Foster care: in-house"), m.PLACEMENT_GROUPS.index("Children's homes")
    # Child 1: 1 Jan-30 Jun 2024 at 15 (182 days), 1 Jul-31 Dec at 16 (184 days). Child 2 (born June 2012) is 11.
    assert model.exposure[15, foster] == pytest.approx(182 / m.MONTH_DAYS)
    assert model.exposure[16, foster] == pytest.approx(184 / m.MONTH_DAYS)
    assert model.band_exposure[4, foster] == pytest.approx(184 / m.MONTH_DAYS)
    assert model.band_exposure[3, foster] == pytest.approx((182 + 92) / m.MONTH_DAYS)
    assert model.band_exposure[3, home] == pytest.approx(92 / m.MONTH_DAYS)
    assert model.exits[12, foster] == 1 and model.exits.sum() == 1     # child 2 left at 12
    assert model.moves[3, home, foster] == 1 and model.moves.sum() == 1
    assert model.entries[3, home] == 1 and model.entries.sum() == 1
    assert model.months == pytest.approx(366 / m.MONTH_DAYS)


def test_flow_model_totals_are_cells_of_their_own():
    """What the page's rates tables show: entries, exits and moves by group and by band, each counted once (with the
    counter given: on the page, one protected cell each), equal to the model's own sums when counted exactly."""
    e = episodes([
        (1, "2023-01-01", None, "S", "U4", "PR1"),
        (2, "2024-03-01", "2024-06-01", "S", "K2", "PR4"),
        (2, "2024-06-01", "2024-09-01", "P", "U4", "PR1", "E4A"),
    ])
    asked = []

    def counter(records, by, categories):
        asked.append(tuple(by))
        return m._exact_counts(records, by, categories)
    model = m.fit_flow_model(e, "2024-01-01", "2024-12-31", count=counter, totals=True)
    assert model.totals["exits by group"].tolist() == model.band_exits.sum(axis=0).tolist()
    assert model.totals["exits by band"].tolist() == model.band_exits.sum(axis=1).tolist()
    assert model.totals["moves by group"].tolist() == model.moves.sum(axis=(0, 2)).tolist()
    assert model.totals["moves by band"].tolist() == model.moves.sum(axis=(1, 2)).tolist()
    assert model.totals["entries by band"].tolist() == model.entries.sum(axis=1).tolist()
    assert asked.count(("group",)) == 3 and asked.count(("band",)) == 3     # counted, not summed from the cells
    assert m.fit_flow_model(e, "2024-01-01", "2024-12-31").totals is None


def test_leaving_at_18_is_not_a_fitted_exit():
    """A child whose care ends on their 18th birthday leaves by the model's own rule, not at a fitted rate."""
    e = episodes([(1, "2023-01-01", "2024-06-01", "S", "U4", "PR1", "E4A")])
    e["dob"] = T("2006-06-01")
    model = m.fit_flow_model(e, "2024-01-01", "2024-12-31")
    assert model.exits.sum() == 0
    assert model.exposure[17].sum() == pytest.approx(152 / m.MONTH_DAYS)   # 1 Jan to 31 May 2024, at 17


def _one_group_model(exit_per_month=0.0, entries_per_month=None, moves=None):
    """A model over two groups with 1000 child-months at every year of age and group: a count of k is a rate k / 1000."""
    groups = ("A", "B")
    exposure = np.full((18, 2), 1000.0)
    exits = np.zeros((18, 2))
    exits[:, 0] = exit_per_month * 1000
    entries = np.zeros((5, 2)) if entries_per_month is None else np.asarray(entries_per_month, dtype=float) * 12
    mv = np.zeros((5, 2, 2)) if moves is None else np.asarray(moves, dtype=float)
    return m.FlowModel(groups, entries, exits, mv, exposure, 12.0)


def test_children_age_into_the_next_band_and_leave_at_18():
    model = _one_group_model()
    stock = np.zeros((m.AGE_MONTHS, 2))
    stock[9 * 12 + 11, 0] = 10      # ten children aged 9 years 11 months: 10 to 15 next month
    stock[17 * 12 + 10, 0] = 4      # four aged 17 years 10 months: still here next month, gone the month after
    stock[16 * 12, 0] = 3           # three just 16: here all year
    path = m.project(model, stock, 3)
    assert path.stock[0, :, 0].tolist() == [0, 0, 0, 10, 7]
    assert path.stock[1, :, 0].tolist() == [0, 0, 0, 10, 3]
    assert path.left_at_18[:, 0].tolist() == [0, 4, 0]
    assert path.aged_up[0, 2, 0] == 10          # moved up from 5 to 9
    assert path.stock[2].sum() == 13


def test_projection_by_hand_with_exits_moves_and_entries():
    # A: 100 children aged 10; 10% leave a month; 50 moves to B over band 10-15's 6 x 1000 child-months; 12 start a
    # month in A, aged 10 to 15.
    moves = np.zeros((5, 2, 2))
    moves[3, 0, 1] = 50
    model = _one_group_model(exit_per_month=0.1, entries_per_month=[[0, 0]] * 3 + [[12, 0], [0, 0]], moves=moves)
    move_rate = 50 / 6000
    stock = np.zeros((m.AGE_MONTHS, 2))
    stock[120, 0] = 100
    path = m.project(model, stock, 2)
    a1 = 100 * (1 - 0.1 - move_rate) + 12
    b1 = 100 * move_rate
    assert path.stock[0, 3].tolist() == pytest.approx([a1, b1])
    assert path.exits[0, 3, 0] == pytest.approx(10.0)
    # Month 2: of month 1's entrants, the one 72nd aged 15 years 11 months has turned 16 (band 16 and over).
    in_band = a1 - 12 / 72
    assert path.stock[1, 3].tolist() == pytest.approx([in_band * (1 - 0.1 - move_rate) + 12, b1 + in_band * move_rate])


def test_entrants_join_spread_over_their_band():
    model = _one_group_model(entries_per_month=[[12, 0], [48, 0], [0, 0], [0, 0], [0, 0]])
    path = m.project(model, np.zeros((m.AGE_MONTHS, 2)), 1)
    # 12 babies a month spread over 12 months of age; 48 aged 1-4 over 48 months: 1 child per month of age each.
    assert path.stock[0, :, 0].tolist() == pytest.approx([12, 48, 0, 0, 0])
    later = m.project(model, np.zeros((m.AGE_MONTHS, 2)), 2)
    # In month 2 last month's oldest baby (11 months) is 1, and one 4-year-old (59 months) turned 5.
    assert later.stock[1, :, 0].tolist() == pytest.approx([23, 96, 1, 0, 0])


def test_spread_and_exact_starting_stocks():
    exact = m.stock_by_age([0, 13, 200, 215, 216], ["A", "A", "B", "B", "B"], ("A", "B"))
    assert exact.sum() == 4 and exact[215, 1] == 1          # 18 or over (216 months) is left out
    assert m.by_band(exact).tolist() == [[1, 0], [1, 0], [0, 0], [0, 0], [0, 2]]
    spread = m.spread_by_age(np.array([[12.0], [0], [0], [6.0], [24.0]]))
    assert spread[0, 0] == 1 and spread[150, 0] == pytest.approx(6 / 72) and spread[215, 0] == 1
    assert m.by_band(spread)[:, 0].tolist() == pytest.approx([12, 0, 0, 6, 24])


def test_a_scenario_changes_entries_exits_and_the_mix():
    moves = np.zeros((5, 2, 2))
    moves[3, 1, 0] = 10             # 10 moves from B to A
    model = _one_group_model(exit_per_month=0.1, entries_per_month=[[0, 0]] * 3 + [[10, 0], [0, 0]], moves=moves)
    changed = model.adjusted(entry_change=0.2, exit_change=-0.5, shift=("A", "B", 0.25))
    assert changed.monthly_entries()[3].tolist() == pytest.approx([9.0, 3.0])     # 12 a month, a quarter to B
    assert changed.exit_rate[10, 0] == pytest.approx(0.05)
    assert changed.moves[3, 1].tolist() == pytest.approx([7.5, 0.0])   # a quarter of B's moves to A stay in B
    assert model.monthly_entries()[3].tolist() == pytest.approx([10.0, 0.0])    # the fitted model is unchanged


def test_simulation_centres_on_the_projection():
    model = _one_group_model(exit_per_month=0.1, entries_per_month=[[0, 0]] * 3 + [[10, 0], [0, 0]])
    stock = np.zeros((m.AGE_MONTHS, 2))
    stock[120, 0] = 100
    paths = m.simulate(model, stock, 12, runs=400, seed=1).sum(axis=2)
    expected = m.project(model, stock, 12).stock.sum(axis=1)
    assert paths.shape == (400, 12, 2)
    assert paths[:, -1, 0].mean() == pytest.approx(expected[-1, 0], rel=0.08)
    low, high = np.percentile(paths[:, -1, 0], [10, 90])
    assert low < expected[-1, 0] < high


def test_simulated_band_holds_the_projection_by_age_band():
    model = _one_group_model(exit_per_month=0.05, entries_per_month=[[0, 0]] * 3 + [[5, 0], [2, 0]])
    stock = np.zeros((m.AGE_MONTHS, 2))
    stock[150:170, 0] = 5
    projection = m.project(model, stock, 12)
    paths = m.simulate(model, stock, 12, runs=400, seed=3, projection=projection)
    assert paths.shape == (400, 12, 5, 2)
    for band in (3, 4):
        low, high = np.percentile(paths[:, -1, band, 0], [10, 90])
        assert low <= projection.stock[-1, band, 0] <= high

