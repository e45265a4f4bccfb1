"""The Placements and supply page through the Flask test client, as a commissioner's browser calls it: every chart
drawn from the demo children's data, Ofsted's provider figures only once imported (and said so until then), places
per LA and sub-region as the hand-made Ofsted files give them, and members refused."""
import pytest

from dashboard.dashboards.placements_supply import data, returns
from dashboard.published.store import forget_page_imports, import_paths
from dashboard.store import get_engine
from tests import ofsted_provider_files as files
from tests.dash_requests import callback_request, figure_numbers, page_layout, response_props, texts
from tests.store_fixtures import ensure_user, sign_in

COMMISSIONER_EMAIL = "commissioner@lambeth.example"
CHARTS = ["placing", "placement", "provider", "distance", "grade", "trend", "elsewhere", "places", "types", "owners", "openings", "demand"]
CHILDREN_CHARTS = ["placing", "placement", "provider", "distance", "grade", "trend", "elsewhere", "demand"]
OUTPUTS = [("supply-banner", "children"), ("supply-kpis", "children"), ("supply-definition", "children"),
           *[o for c in CHARTS for o in ((f"supply-{c}-title", "children"), (f"supply-{c}", "figure"))],
           *[(f"supply-{c}-takeaway", "children") for c in CHARTS],
           *[(f"supply-{c}-table-title", "children") for c in CHARTS],
           *[o for c in CHARTS for o in ((f"supply-{c}-grid", "rowData"), (f"supply-{c}-grid", "columnDefs"))]]
AT = "2025-03-31"


@pytest.fixture(scope="module")
def commissioner(dash_app):
    return ensure_user(COMMISSIONER_EMAIL, "E09000022", "commissioner", "Test Commissioner")


@pytest.fixture()
def commissioner_client(client, commissioner):
    assert sign_in(client, commissioner).status_code == 302
    return client


def empty_providers():
    returns.load_demo(get_engine(), 7)
    forget_page_imports(get_engine(), {data.NAME})


@pytest.fixture()
def no_providers(server):
    empty_providers()
    yield
    empty_providers()


@pytest.fixture()
def hand_made_providers(server, tmp_path):
    empty_providers()
    paths = [files.places_file(tmp_path), files.in_year_file(tmp_path), files.closed_file(tmp_path)]
    assert {r.status for r in import_paths(get_engine(), [str(p) for p in paths], actor="tests")} == {"imported"}
    yield
    empty_providers()


def render(client, area="sr:south", at=AT):
    response = callback_request(client, OUTPUTS, [("supply-area", "value", area), ("supply-at", "value", at)])
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def kpis(props) -> dict:
    cards = texts(props["supply-kpis"]["children"])
    return {cards[i]: cards[i + 1] for i in range(0, len(cards) - 2, 3)}


def rows(props, chart) -> list[dict]:
    return props[f"supply-{chart}-grid"]["rowData"]


def drawn(figure) -> bool:
    return any(figure_numbers(trace.get("x")) or figure_numbers(trace.get("y")) for trace in figure["data"])


def test_a_member_can_neither_open_the_page_nor_call_its_callback(member_client):
    assert "You don't have access" in " ".join(texts(page_layout(member_client, "/placements-supply")))
    response = callback_request(member_client, OUTPUTS, [("supply-area", "value", "london"), ("supply-at", "value", AT)])
    assert response.status_code == 403


def test_without_ofsted_data_the_page_says_so_and_shows_no_places(commissioner_client, no_providers):
    layout = page_layout(commissioner_client, "/placements-supply")
    assert texts(layout)[0] == "Placements and supply"
    props = render(commissioner_client)
    banner = " ".join(texts(props["supply-banner"]["children"]))
    assert "provider-level data has not been imported" in banner and "Demo data." in banner
    assert "foster places are not shown" in banner.lower() or "Approved foster places are not shown" in banner
    cards = kpis(props)
    assert cards["Registered children's homes places"] == "not imported"
    assert cards["Children's homes: need minus places"] == "not available"
    for chart in CHILDREN_CHARTS:
        if chart != "grade":
            assert drawn(props[f"supply-{chart}"]["figure"]), chart
    for chart in ("places", "types", "owners", "openings"):
        assert not drawn(props[f"supply-{chart}"]["figure"]), chart
        assert "not been imported" in props[f"supply-{chart}-takeaway"]["children"]
    assert rows(props, "places") == [] and rows(props, "owners") == []


def test_without_ofsted_data_no_grade_reads_as_zero_children(commissioner_client, no_providers):
    """No provider file imported: no placement can be matched to a grade, so the grade chart draws no bars (not
    Outstanding 0, Good 0, ...), says why, and its table has no grade rows."""
    props = render(commissioner_client)
    figure = props["supply-grade"]["figure"]
    assert not drawn(figure)
    assert [a["text"].replace("<br>", " ") for a in figure["layout"]["annotations"]] == [
        "Ofsted's provider data has not been imported, so no placement is matched to a provider's grade."]
    assert props["supply-grade-takeaway"]["children"].startswith("Ofsted's provider data has not been imported")
    assert rows(props, "grade") == []
    assert "Ofsted grade on the date" in [c["field"] for c in props["supply-grade-grid"]["columnDefs"]]


def test_children_placed_here_add_up_across_the_placing_las_and_every_count_is_protected(commissioner_client, no_providers):
    props = render(commissioner_client, "sr:south")
    placing = rows(props, "placing")
    assert len(placing) >= 5 and all(r["Children"] == 0 or r["Children"] >= 5 for r in placing)   # no 1 to 4 shown
    total = int(kpis(props)["Placed here by other LAs"].replace(",", ""))
    # Every cell is perturbed on its own: the parts add up to about the total (each moves at most 3 from its truth).
    assert abs(sum(r["Children"] for r in placing) - total) <= 3 * (len(placing) + 1)
    placement = {r["Placement type"]: r["Children"] for r in rows(props, "placement")}
    assert placement["Total"] == total
    # The viewer's own children placed elsewhere are counted exactly: the table's rows add up to its total.
    elsewhere = rows(props, "elsewhere")
    mine = int(kpis(props)["Lambeth's children placed outside Lambeth"].replace(",", ""))
    assert sum(r["Total"] for r in elsewhere) == mine > 0


def test_a_sub_region_says_its_placing_las_include_its_own_boroughs_and_what_the_viewers_bar_counts(commissioner_client, no_providers):
    """Lambeth's commissioner opens South London: Lambeth's bar is Lambeth's children living in South London's other
    boroughs, and the title and takeaway say so rather than "by other LAs" (read as LAs outside the area)."""
    props = render(commissioner_client, "sr:south")
    assert "Lambeth" in [r["Placing LA"] for r in rows(props, "placing")]
    title = props["supply-placing-title"]["children"]
    assert "South London by LAs other than the borough they live in" in title and "by other LAs" not in title
    assert "Lambeth's own bar counts its children living in South London's other boroughs." in props["supply-placing-takeaway"]["children"]
    # One LA: the plain words, and no sentence about the viewer's own bar (Lambeth's children in Southwark are counted).
    southwark = render(commissioner_client, "la:E09000028")
    assert southwark["supply-placing-title"]["children"].startswith("Children placed in Southwark by other LAs, by placing LA")
    assert "own bar" not in southwark["supply-placing-takeaway"]["children"]


def test_with_ofsted_files_places_per_la_and_sub_region_are_as_published(commissioner_client, hand_made_providers):
    props = render(commissioner_client, "sr:south")
    places = {r["Area"]: r for r in rows(props, "places")}
    # The hand-made files: Lambeth 4 (private) + 6 (LA) places, Southwark 3; the South sub-region 13; Kent not London.
    assert (places["Lambeth"]["Children's homes places"], places["Lambeth"]["Places: local authority"]) == (10, 6)
    assert places["Southwark"]["Children's homes places"] == 3
    assert places["South London"]["Children's homes places"] == 13 and places["London"]["Children's homes places"] == 13
    assert kpis(props)["Registered children's homes places"] == "13"
    assert [(r["Owner"], r["% of places"]) for r in rows(props, "owners")] == [("Acme Care Ltd", 53.8), ("Lambeth Council", 46.2)]
    types = {r["Provision type"]: (r["Providers"], r["Places"]) for r in rows(props, "types")}
    assert types == {"Children's home": (3, 13), "Independent fostering agency": (1, None)}   # no places given: not 0
    demand = {r["Placement type"]: r for r in rows(props, "demand")}
    assert demand["Children's homes"]["Places registered"] == 13
    need = demand["Children's homes"]["Children forecast to need a place"]
    assert demand["Children's homes"]["Gap (need minus places)"] == need - 13
    assert demand["Fostering"]["Places registered"] is None            # not loaded: said, never 0
    assert "provider-level data has not been imported" not in " ".join(texts(props["supply-banner"]["children"]))
    for chart in CHARTS:
        assert drawn(props[f"supply-{chart}"]["figure"]), chart
    opened = {r["Year to 31 March"]: r for r in rows(props, "openings")}
    assert opened[2025]["Registered (opened)"] == 1 and opened[2025]["Closed"] == 1
    # The demo placements' URNs are not Ofsted's: no placement is matched to a grade, and the page says how many are not.
    grades = {r["Ofsted grade on the date"]: r["Children"] for r in rows(props, "grade")}
    assert grades["Outstanding"] == grades["Good"] == 0


def test_all_london_shows_places_in_every_london_la_and_sub_region(commissioner_client, hand_made_providers):
    """The places table for All London: a row for each of the 33 LAs, then each sub-region and London, each the sum of
    the providers the files place there (a home giving no places: not known, never 0)."""
    from dashboard import loader
    props = render(commissioner_client, "london")
    table = rows(props, "places")
    las = loader.local_authorities()
    subregions = list(dict.fromkeys(las.sort_values("subregion_order")["subregion_name"]))
    assert [r["Area"] for r in table] == [*las["la_name"], *subregions, "London"]
    places = {r["Area"]: r["Children's homes places"] for r in table}
    expected = {"Lambeth": 10, "Southwark": 3, "Hackney": None, "Croydon": 0}
    assert {la: places[la] for la in expected} == expected
    by_area = {r["Area"]: r for r in table}
    subregion_of = dict(zip(las["la_name"], las["subregion_name"]))
    for name in subregions:
        mine = [by_area[la] for la, s in subregion_of.items() if s == name]
        homes, not_given = sum(r["Children's homes"] for r in mine), sum(r["Places not given"] for r in mine)
        expected = None if homes and homes == not_given else sum(r["Children's homes places"] or 0 for r in mine)
        assert (by_area[name]["Children's homes"], places[name]) == (homes, expected), name
    assert places["London"] == 13 and kpis(props)["Registered children's homes places"] == "13"


def test_one_la_shows_only_its_own_places(commissioner_client, hand_made_providers):
    props = render(commissioner_client, "la:E09000028")
    assert [r["Area"] for r in rows(props, "places")] == ["Southwark"]
    assert kpis(props)["Registered children's homes places"] == "3"


def test_each_commissioner_sees_their_own_las_children_elsewhere_never_anothers(server, commissioner_client, no_providers):
    """The view is cached per viewer's LA: a Camden commissioner opening the same area and date after Lambeth's gets
    Camden's own children, not Lambeth's (which are exact counts of Lambeth's children)."""
    lambeth = kpis(render(commissioner_client, "sr:south"))
    email = ensure_user("commissioner@camden.example", "E09000007", "commissioner", "Camden Commissioner")
    camden_client = server.test_client()
    assert sign_in(camden_client, email).status_code == 302
    camden = kpis(render(camden_client, "sr:south"))
    assert "Camden's children placed outside Camden" in camden and "Lambeth's children placed outside Lambeth" not in camden
    assert camden["Placed here by other LAs"] == lambeth["Placed here by other LAs"]   # protected: the same for everyone
