"""The Care leavers page through the Flask test client, on DfE's real LAIT figures (the test store imports
../shared/realdata at first start): figures as the file gives them for several LAs and years, markers kept and said
(never 0), comparators as published or as hand-checked means, the guard, downloads, images and slides."""
import io
import json

import openpyxl
import pandas as pd
import pytest

from dashboard import loader
from tests.dash_requests import callback_request, components, page_layout, response_props, texts
from tests.presenting import SIGNATURE, chart_image, press, slide_deck, slide_text
from tests.shared_files import published_cell

P = "leavers"
CHARTS = ["trend", "las", "profile"]
LAIT = "lait/bds_long_london.csv"


def filters(p: str) -> list[str]:
    return [f"{p}-focus", f"{p}-measure", f"{p}-year"]


def outputs(p: str) -> list[tuple[str, str]]:
    """The outputs of a page of published measures' render callback, as the browser asks for them."""
    return [(f"{p}-kpis", "children"), (f"{p}-definition", "children"),
            *[(i, q) for c in CHARTS for i, q in ((f"{p}-{c}-title", "children"), (f"{p}-{c}", "figure"))],
            *[(f"{p}-{c}-takeaway", "children") for c in CHARTS],
            *[(f"{p}-{t}-grid", q) for t in ("trend", "las", "profile") for q in ("rowData", "columnDefs")]]


FILTERS, OUTPUTS = filters(P), outputs(P)


def render(client, focus="E09000022", measure="CareLeaverAcc", year="2025", anonymise=False, p=P):
    inputs = [(i, "value", v) for i, v in zip(filters(p), [focus, measure, year])] + [(f"{p}-anon", "value", anonymise)]
    response = callback_request(client, outputs(p), inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def file_value(measure, la_number, year) -> str:
    return published_cell(LAIT, {"Short Desc": measure, "LA Number": la_number, "Years": year}, "Values")


def test_anonymous_callback_is_refused(client):
    assert callback_request(client, OUTPUTS, [(i, "value", None) for i in FILTERS]).status_code == 401


pytestmark = pytest.mark.usefixtures("published_data")


def test_a_member_opens_the_page_on_their_own_la_and_the_latest_year(member_client):
    layout = page_layout(member_client, "/care-leavers")
    assert texts(layout)[0] == "Care leavers"
    opened = components(layout)
    assert [opened[i]["value"] for i in FILTERS] == ["E09000022", "CareLeaverAcc", "2025"]


@pytest.mark.parametrize("measure,la,dfe,year", [
    ("CareLeaverAcc", "E09000022", "208", "2025"), ("CareLeaverEET", "E09000012", "204", "2019"),
    ("StayingPut", "E09000012", "204", "2019"), ("CareLeaversNEET", "E09000005", "304", "2021"),
    ("CareLeavers_LA_NotInTouch", "E09000022", "208", "2025"), ("LAC_19_HE", "E09000033", "213", "2017"),
])
def test_published_figures_are_shown_as_the_file_gives_them_markers_as_markers(member_client, measure, la, dfe, year):
    published = file_value(measure, dfe, year)
    props = render(member_client, focus=la, measure=measure, year=year)
    rows = props[f"{P}-las-grid"]["rowData"]
    name = next(r["LA"] for r in rows if r["Position"] and r["LA"] in json.dumps(props[f"{P}-trend-title"]))
    cell = next(r for r in rows if r["LA"] == name)
    column = next(c for c in cell if c not in ("LA", "Sub-region", "Position"))
    if published == "-":
        assert cell[column] == "not available (-)" and cell["Position"] == "not available (-)"
    else:
        assert cell[column] == float(published)
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r["Year to 31 March"] == year)
    assert trend[name] == (cell[column])
    for area, number in (("London", "986"), ("England", "970")):
        assert trend[area] == float(file_value(measure, number, year))


def test_a_marker_is_said_never_drawn_as_zero_and_a_real_zero_is_zero(member_client):
    assert file_value("CareLeavers_LA_NotInTouch", "208", "2025") == "-"
    props = render(member_client, measure="CareLeavers_LA_NotInTouch")
    assert "not available (-)" in json.dumps(props[f"{P}-kpis"])
    assert "Lambeth has no published figure for 2025 (not available (-))" in props[f"{P}-trend-takeaway"]["children"]
    bars = props[f"{P}-las"]["figure"]["data"][0]
    lambeth = [i for i, y in enumerate(bars["y"]) if "Lambeth" in y][0]
    assert bars["x"][lambeth] is None and bars["text"][lambeth] == "not available (-)"
    # Camden's staying-put share in 2019 is a published 0: a figure, shown as 0.
    assert file_value("StayingPut", "202", "2019") == "0"
    camden = render(member_client, focus="E09000007", measure="StayingPut", year="2019")
    row = next(r for r in camden[f"{P}-las-grid"]["rowData"] if r["LA"] == "Camden")
    assert row["Care leavers aged 19 or 20 staying put with their former foster carers (%)"] == 0


def test_the_sub_region_mean_is_the_mean_of_its_las_with_a_figure_as_the_file_gives_them(member_client, server):
    with server.app_context():
        las = loader.local_authorities()
    lambeth = las.set_index("la_code").loc["E09000022"]
    south = las[las["subregion_code"] == lambeth["subregion_code"]]["dfe_code"].astype(str)
    cells = [file_value("CareLeaverEET", d, "2023") for d in south]
    figures = [float(c) for c in cells if c != "-"]
    props = render(member_client, measure="CareLeaverEET", year="2023")
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r["Year to 31 March"] == "2023")
    name = f"{lambeth['subregion_name']} (sub-region mean)"
    assert trend[name] == round(sum(figures) / len(figures), 1)
    assert trend[f"{name}: LAs with a figure"] == f"{len(figures)} of {len(south)}"


def test_the_neighbours_mean_uses_the_neighbours_in_the_file(member_client, server):
    with server.app_context():
        from dashboard.loader import published as published_loader   # the neighbours the import stored
        neighbours = list(published_loader.statistical_neighbours("208")["neighbour_dfe_code"])
    assert len(neighbours) == 10
    cells = [file_value("CareLeaverAcc", d, "2024") for d in neighbours if d in LONDON_NUMBERS]
    figures = [float(c) for c in cells if c != "-"]
    props = render(member_client, year="2024")
    trend = next(r for r in props[f"{P}-trend-grid"]["rowData"] if r["Year to 31 March"] == "2024")
    assert trend["Statistical neighbours (mean)"] == round(sum(figures) / len(figures), 1)
    assert trend["Statistical neighbours (mean): LAs with a figure"] == f"{len(figures)} of 10"


LONDON_NUMBERS = {str(n) for n in (*range(201, 214), *range(301, 321))}


def test_downloads_images_and_slides(member_client):
    state = [(i, "value", v) for i, v in zip(FILTERS, ["E09000022", "CareLeavers_LA_NotInTouch", "2025"])] + [
        (f"{P}-anon", "value", False)]
    buttons = [f"{P}-dl-{t}-{k}" for t in ("trend", "las", "profile") for k in ("csv", "xlsx")]
    name, content = press(member_client, f"{P}-download", buttons, f"{P}-dl-las-csv", state)
    assert name == "care_leavers_CareLeavers_LA_NotInTouch_2025_las.csv"
    table = pd.read_csv(io.BytesIO(content), dtype=str)
    assert table.set_index("LA").loc["Lambeth"].iloc[1] == "not available (-)"
    name, content = press(member_client, f"{P}-download", buttons, f"{P}-dl-trend-xlsx", state)
    notes = openpyxl.load_workbook(io.BytesIO(content))["Notes"]
    assert "Local Authority Interactive Tool" in json.dumps([[c.value for c in r] for r in notes.iter_rows()])
    name, image = chart_image(member_client, P, CHARTS, "trend", "png", state)
    assert image.startswith(SIGNATURE["png"])
    name, deck = slide_deck(member_client, P, state)
    assert len(deck.slides) == 2 + len(CHARTS) and "Lambeth" in slide_text(deck.slides[2])


def test_anonymised_view_names_no_la_but_the_viewers(member_client, other_la_names):
    props = render(member_client, focus="E09000008", anonymise=True)
    text = json.dumps(props)
    assert [n for n in other_la_names if n in text] == []
    assert "Lambeth" in text and props[f"{P}-trend-title"]["children"].endswith("against its comparators")


def test_the_export_keeps_markers(server):
    from dashboard.published.store import export_frame   # the export an administrator runs
    from dashboard.store import get_engine
    with server.app_context():
        frame = export_frame(get_engine())
    row = frame[(frame["indicator"] == "care_leavers_CareLeavers_LA_NotInTouch") & (frame["period"] == "2025")
                & (frame["la_code"] == "E09000022")].iloc[0]
    assert pd.isna(row["value"]) and row["marker"] == "-"
    row = frame[(frame["indicator"] == "care_leavers_CareLeaverAcc") & (frame["period"] == "2025")
                & (frame["la_code"] == "E09000022")].iloc[0]
    assert row["value"] == float(file_value("CareLeaverAcc", "208", "2025"))
