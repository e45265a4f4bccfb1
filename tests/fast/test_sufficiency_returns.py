"""Sufficiency's SSDA903 returns without a store: the postcode sector kept in place of a postcode, and demo data that
the same seed makes again."""
from dashboard.dashboards.sufficiency import returns as ds


def test_sector_of_postcode():
    assert ds.sector_of_postcode("SE15 4RG") == "SE15 4"
    assert ds.sector_of_postcode("w1a1aa") == "W1A 1"
    assert ds.sector_of_postcode("not known") is None and ds.sector_of_postcode(None) is None


def test_same_seed_same_data():
    a, b = ds.generate_demo(5), ds.generate_demo(5)
    assert a["episode"][:200] == b["episode"][:200] and len(a["child"]) == len(b["child"])
