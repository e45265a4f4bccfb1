"""The Workforce census page through the Flask test client, on DfE's real workforce census files (the test store
imports ../shared/realdata at first start): figures as the file gives them for several LAs, measures and years,
markers kept and said (never 0), the Kingston / Richmond joint return kept joint, comparators as published or as
hand-checked means, the guard, downloads, images, slides and anonymising."""
import io
import json

import openpyxl
import pandas as pd
import pytest

from dashboard import loader
from tests.app.test_care_leavers_page import filters, outputs
from tests.dash_requests import callback_request, components, page_layout, texts
from tests.dash_requests import response_props
from tests.presenting import SIGNATURE, chart_image, press, slide_deck, slide_text
from tests.shared_files import published_cell

P = "csww"
CHARTS = ["trend", "las", "profile"]
FILE = "csww/csww_indicators_2017_to_2025.csv"
FILTERS, OUTPUTS = filters(P), outputs(P)
JOINT = "Kingston upon Thames / Richmond upon Thames (joint return)"
YEAR = "Census year (30 September)"


def render(client, focus="E09000022", measure="agency_rate_fte", year="2025", anonymise=False):
    inputs = [(i, "value", v) for i, v in zip(FILTERS, [focus, measure, year])] + [(f"{P}-anon", "value", anonymise)]
    response = callback_request(client, OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def file_value(column, la_number, year) -> str:
    """A cell of DfE's national file: an LA by its DfE number, or England ("") as the national row."""
    match = {"time_period": year, "old_la_code": la_number}
    if la_number == "":
        match["geographic_level"] = "National"
    return published_cell(FILE, match, column)


def region_value(column, region_code, year) -> str:
    return published_cell(FILE, {"time_period": year, "geographic_level": "Regional", "region_code": region_code}, column)


def las_cell(props, name):
    row = next(r for r in props[f"{P}-las-grid"]["rowData"] if r["LA"] == name)
    return row[next(c for c in row if c not in ("LA", "Sub-region", "Position"))], row["Position"]


def test_anonymous_callback_is_refused(client):
    assert callback_request(client, OUTPUTS, [(i, "value", None) for i in FILTERS]).status_code == 401


pytestmark = pytest.mark.usefixtures("published_data")


def test_a_member_opens_the_page_on_their_own_la_and_the_latest_census(member_client):
    layout = page_layout(member_client, "/workforce-census")
    assert texts(layout)[0] == "Children's social work workforce"
    opened = components(layout)
    assert [opened[i]["value"] for i in FILTERS] == ["E09000022", "agency_rate_fte", "2025"]


@pytest.mark.parametrize("measure,la,dfe,name,year", [
    ("agency_rate_fte", "E09000022", "208", "Lambeth", "2025"), ("vacancy_rate_fte", "E09000012", "204", "Hackney", "2019"),
    ("turnover_rate_fte", "E09000005", "304", "Brent", "2021"), ("caseload_fte", "E09000033", "213", "Westminster", "2017"),
    ("absence_rate_fte", "E09000008", "306", "Croydon", "2023"), ("inpost_fte", "E09000001", "201", "City of London", "2025"),
    ("starters_fte", "E09000030", "211", "Tower Hamlets", "2018"), ("leavers_fte", "E09000003", "302", "Barnet", "2022"),
])
def test_published_figures_are_shown_as_the_file_gives_them(member_client, measure, la, dfe, name, year):
    published = file_value(measure, dfe, year)
    props = render(member_client, focus=la, measure=measure, year=year)
    value, _position = las_cell(props, name)
    assert value == float(published)
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r[YEAR] == year)
    assert trend[name] == float(published)
    assert trend["England"] == float(file_value(measure, "", year))
    assert trend["London"] == float(region_value(measure, "E12000007", year))


def test_a_marker_is_said_never_drawn_as_zero(member_client):
    # Westminster's 2025 return: 'x' (not available) in DfE's file; Sutton's 2023 agency rate: 'u' (low reliability).
    assert file_value("agency_rate_fte", "213", "2025") == "x" and file_value("agency_rate_fte", "319", "2023") == "u"
    props = render(member_client, focus="E09000033")
    assert "not available (x)" in json.dumps(props[f"{P}-kpis"])
    assert "Westminster has no published figure for 2025 (not available (x))" in props[f"{P}-trend-takeaway"]["children"]
    assert las_cell(props, "Westminster") == ("not available (x)", "not available (x)")
    bars = props[f"{P}-las"]["figure"]["data"][0]
    westminster = [i for i, y in enumerate(bars["y"]) if "Westminster" in y][0]
    assert bars["x"][westminster] is None and bars["text"][westminster] == "not available (x)"
    sutton = render(member_client, focus="E09000029", year="2023")
    assert las_cell(sutton, "Sutton") == ("low reliability (u)", "low reliability (u)")
    # The City's 2025 starters and leavers: a published 0 is a figure, shown as 0.
    assert file_value("leavers_fte", "201", "2025") == "0"
    assert las_cell(render(member_client, focus="E09000001", measure="leavers_fte"), "City of London")[0] == 0


@pytest.mark.parametrize("focus", ["E09000021", "E09000027"])   # Kingston, then Richmond
def test_the_joint_return_is_one_area_named_as_joint_for_either_la(member_client, focus):
    published = file_value("agency_rate_fte", "314 / 318", "2024")
    props = render(member_client, focus=focus, year="2024")
    assert props[f"{P}-trend-title"]["children"].startswith(f"Agency worker rate (%): {JOINT}")
    rows = {r["LA"]: r for r in props[f"{P}-las-grid"]["rowData"]}
    assert "Kingston upon Thames" not in rows and "Richmond upon Thames" not in rows    # kept joint, not split
    assert las_cell(props, JOINT)[0] == float(published)
    assert len(rows) == 32 and rows[JOINT]["Position"].endswith(" of 30")   # 33 LAs, 2 in one; 2 with 'x'
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r[YEAR] == "2024")
    assert trend[JOINT] == float(published)
    bars = props[f"{P}-las"]["figure"]["data"][0]
    assert [c for c, y in zip(bars["marker"]["color"], bars["y"]) if "joint return" in y] == ["#D55E00"]   # the focus


def test_the_sub_region_mean_counts_the_joint_return_once(member_client, server):
    with server.app_context():
        las = loader.local_authorities()
    kingston = las.set_index("la_code").loc["E09000021"]
    members = las[las["subregion_code"] == kingston["subregion_code"]]
    assert {"E09000021", "E09000027"} <= set(members["la_code"])
    numbers = ["314 / 318" if d in ("314", "318") else d for d in members["dfe_code"].astype(str)]
    figures = [float(file_value("vacancy_rate_fte", d, "2022")) for d in dict.fromkeys(numbers)]
    props = render(member_client, focus="E09000021",
                   measure="vacancy_rate_fte", year="2022")
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r[YEAR] == "2022")
    name = f"{kingston['subregion_name']} (sub-region mean)"
    assert trend[name] == round(sum(figures) / len(figures), 2)
    assert trend[f"{name}: LAs with a figure"] == f"{len(members)} of {len(members)}"


def test_the_neighbours_mean_uses_the_neighbours_in_the_national_file(member_client, server):
    with server.app_context():
        from dashboard.loader import published as published_loader   # the neighbours the import stored
        neighbours = list(published_loader.statistical_neighbours("208")["neighbour_dfe_code"])
    assert len(neighbours) == 10
    figures = [float(file_value("turnover_rate_fte", d, "2024")) for d in neighbours]   # outside London too
    props = render(member_client, measure="turnover_rate_fte", year="2024")
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r[YEAR] == "2024")
    assert trend["Statistical neighbours (mean)"] == round(sum(figures) / len(figures), 2)
    assert trend["Statistical neighbours (mean): LAs with a figure"] == "10 of 10"


def test_downloads_images_and_slides(member_client):
    state = [(i, "value", v) for i, v in zip(FILTERS, ["E09000033", "agency_rate_fte", "2025"])] + [
        (f"{P}-anon", "value", False)]
    buttons = [f"{P}-dl-{t}-{k}" for t in ("trend", "las", "profile") for k in ("csv", "xlsx")]
    name, content = press(member_client, f"{P}-download", buttons, f"{P}-dl-las-csv", state)
    assert name == "workforce_census_agency_rate_fte_2025_las.csv"
    table = pd.read_csv(io.BytesIO(content), dtype=str)
    assert table.set_index("LA").loc["Westminster"].iloc[1] == "not available (x)"
    assert table.set_index("LA").loc[JOINT].iloc[1] == file_value("agency_rate_fte", "314 / 318", "2025")
    name, content = press(member_client, f"{P}-download", buttons, f"{P}-dl-trend-xlsx", state)
    notes = json.dumps([[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(content))["Notes"].iter_rows()])
    assert "Children's social work workforce" in notes and "Joint return" in notes
    name, image = chart_image(member_client, P, CHARTS, "trend", "png", state)
    assert image.startswith(SIGNATURE["png"])
    name, deck = slide_deck(member_client, P, state)
    assert len(deck.slides) == 2 + len(CHARTS) and "Westminster" in slide_text(deck.slides[2])   # title, headline figures, charts


def test_anonymised_view_names_no_la_but_the_viewers_and_no_joint_partner(member_client, other_la_names):
    for focus in ("E09000008", "E09000021"):
        props = render(member_client, focus=focus, anonymise=True)
        text = json.dumps(props)
        assert [n for n in other_la_names if n in text] == []
        assert "Lambeth" in text and "Two LAs (joint return)" in text


def test_the_export_keeps_markers_and_the_joint_return(server):
    from dashboard.published.store import export_frame   # the export an administrator runs
    from dashboard.store import get_engine
    with server.app_context():
        frame = export_frame(get_engine())
    rows = frame[(frame["indicator"] == "workforce_census_agency_rate_fte") & (frame["period"] == "2025")].set_index("la_code")
    assert pd.isna(rows.loc["E09000033", "value"]) and rows.loc["E09000033", "marker"] == "x"
    assert rows.loc["E09000021 / E09000027", "value"] == float(file_value("agency_rate_fte", "314 / 318", "2025"))
    assert rows.loc["E09000021 / E09000027", "la_name"] == JOINT



def test_with_nothing_imported_the_page_says_so_and_draws_no_empty_charts(member_client):
    """A new install has no census file: the page says how to import it, and its charts and tables (empty axes, "no
    rows") are out of sight; once the file is in, they show."""
    from plotly.utils import PlotlyJSONEncoder

    from dashboard.area_measures.layout import layout
    from dashboard.dashboards.workforce_census import page, view
    empty = json.loads(json.dumps(layout(page.DASHBOARD, view.SPEC, "", [], [], None, False, "Nothing imported."),
                                  cls=PlotlyJSONEncoder))
    assert "Nothing imported." in texts(empty)
    assert components(empty)[f"{P}-charts-and-tables"]["hidden"] is True
    assert components(page_layout(member_client, "/workforce-census"))[f"{P}-charts-and-tables"]["hidden"] is False
