"""Placed here, by whom, worked by hand on six children (Sufficiency's `placed_here`, `placed_elsewhere` and
`where_placed` over a hand-made prepared frame): who is counted, by which LA, in which category, and matched to
Ofsted by URN. The perturbation is switched off to check the counting; one test checks it is on."""
import numpy as np
import pandas as pd
import pytest

from dashboard import disclosure
from dashboard.dashboards.sufficiency import data as suff
from dashboard.loader import AccessScope

LAMBETH, SOUTHWARK, CROYDON, HACKNEY = "E09000022", "E09000028", "E09000008", "E09000012"
LAS = pd.DataFrame({"la_code": [CROYDON, HACKNEY, LAMBETH, SOUTHWARK], "la_name": ["Croydon", "Hackney", "Lambeth", "Southwark"],
                    "subregion_code": ["south", "east", "south", "south"],
                    "subregion_name": ["South London", "East London", "South London", "South London"]})
T = pd.Timestamp


def child(cid, la, placed_in, group, provider, band, urn=None, start="2024-01-01", end=None, region="London"):
    return {"cid": cid, "la_code": la, disclosure.RECORD_KEY: 7 * cid % 256, "decom": T(start), "dec": T(end) if end else pd.NaT,
            "placement_area": placed_in, "placement_region": region if placed_in else None,
            "inside_own_la": (placed_in == la) if placed_in else None, "in_london": (region == "London") if placed_in else None,
            "group": group, "provider_group": provider, "distance_band": band, "urn": urn}


# On 31 March 2025, living in Lambeth: child 1 (Southwark's, children's home SC100001), child 2 (Croydon's, fostered),
# child 3 (Hackney's, children's home with no URN); child 4 is Lambeth's own (not placed here by another LA); child 5
# (Southwark's) left on 1 March 2025. Child 6 is Lambeth's, living in Kent (South East), in a children's home.
CHILDREN = [
    child(1, SOUTHWARK, LAMBETH, "Children's homes", "Private provision", "Up to 5 miles", urn="SC100001"),
    child(2, CROYDON, LAMBETH, "Foster care: agency or other", "Private provision", "5 to 10 miles", urn="SC100004"),
    child(3, HACKNEY, LAMBETH, "Children's homes", "Voluntary or third sector", "10 to 20 miles"),
    child(4, LAMBETH, LAMBETH, "Foster care: in-house", "LA's own provision", "Up to 5 miles"),
    child(5, SOUTHWARK, LAMBETH, "Children's homes", "Private provision", "Up to 5 miles", end="2025-03-01"),
    child(6, LAMBETH, "Kent", "Children's homes", "Private provision", "More than 50 miles", region="South East"),
]
SCOPE = AccessScope("commissioner", LAMBETH)


@pytest.fixture()
def prepared(monkeypatch):
    episodes = pd.DataFrame(CHILDREN)
    for column in ("la_code", "group", "provider_group", "distance_band", "urn", "placement_area"):
        episodes[column] = episodes[column].astype("category")
    monkeypatch.setattr(suff, "_prepare", lambda: suff._Prepared(episodes, pd.DataFrame(), T("2024-01-01"), T("2025-03-31")))
    monkeypatch.setattr(suff, "local_authorities", lambda: LAS)


@pytest.fixture()
def exact(monkeypatch):
    monkeypatch.setattr(disclosure, "protect", lambda counts, keys: np.asarray(counts, dtype="int64"))


def test_children_placed_in_an_la_by_other_las_by_whom_and_how(prepared, exact):
    here = suff.placed_here.uncached(SCOPE, f"la:{LAMBETH}", "2025-03-31", (("SC100001", "Inadequate"),), version=1)
    assert here["total"] == 3
    assert dict(zip(here["placing"]["Placing LA"], here["placing"]["Children"])) == {
        "Croydon": 1, "Hackney": 1, "Lambeth": 0, "Southwark": 1}
    placement = here["placement"].set_index("Placement type")["Children"]
    assert (placement["Children's homes"], placement["Foster care: agency or other"], placement["Total"]) == (2, 1, 3)
    assert here["distance"].set_index("Distance from home")["Children"]["10 to 20 miles"] == 1
    grade = here["grade"].set_index("Ofsted grade on the date")["Children"]
    # SC100001 matched: inadequate; SC100004 is not in the Ofsted files given; child 3 has no URN.
    assert (grade["Inadequate"], grade[suff.NOT_MATCHED], grade[suff.NO_URN], grade["Good"]) == (1, 1, 1, 0)
    # Over time: child 5 was placed here until 1 March 2025, so the quarter to December 2024 counts four.
    trend = suff.placed_here_trend.uncached(SCOPE, f"la:{LAMBETH}", version=1).set_index("Quarter end")["Total"]
    assert trend["2024-12-31"] == 4 and trend["2025-03-31"] == 3


def test_a_sub_region_counts_children_placed_by_one_of_its_las_in_another(prepared, exact):
    here = suff.placed_here.uncached(SCOPE, "sr:south", "2025-03-31", (), version=1)
    # Southwark's and Croydon's children in Lambeth are placed by LAs other than Lambeth: they count for South London.
    assert here["total"] == 3
    assert here["grade"] is None   # no Ofsted grades given (none imported): nothing to match, so no grade counts


def test_the_viewers_own_children_elsewhere_are_counted_exactly_by_where_they_live(prepared):
    away = suff.placed_elsewhere.uncached(SCOPE, "2025-03-31", version=1)
    assert (away["total"], away["looked_after"]) == (1, 2)
    assert away["table"].to_dict("records") == [{"Placed in": "Outside London: South East", **{g: 0 for g in suff.m.PLACEMENT_GROUPS},
                                                 "Children's homes": 1, "Total": 1}]


def test_where_the_areas_children_in_homes_and_foster_care_live(prepared, exact):
    table = suff.where_placed.uncached(SCOPE, "sr:south", "2025-03-31", version=1)["table"].set_index("Placement type")
    # South London's looked-after children: Southwark's 1 and Croydon's 2 in Lambeth, Lambeth's 4 at home, Lambeth's 6
    # in Kent. Hackney's child 3 is placed in the area by an LA outside it.
    assert table.loc["Children's homes", ["Looked after by the area's LAs", "Inside the area", "Outside London",
                                          "Placed in the area by LAs outside it"]].tolist() == [2, 1, 1, 1]
    assert table.loc["Fostering", ["Looked after by the area's LAs", "Inside the area", "Outside London"]].tolist() == [2, 2, 0]


def test_with_the_perturbation_on_no_count_of_1_to_4_of_other_las_children_is_shown(prepared):
    here = suff.placed_here.uncached(SCOPE, f"la:{LAMBETH}", "2025-03-31", (), version=1)
    trend = suff.placed_here_trend.uncached(SCOPE, f"la:{LAMBETH}", version=1)
    shown = [*here["placing"]["Children"], here["total"], *here["placement"]["Children"], *trend["Total"]]
    assert not [v for v in shown if 1 <= v <= 4]
