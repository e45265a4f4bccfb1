"""The published Benchmarking map: drawn from a configured GeoJSON (written here, never a real boundary file),
matched on ONS codes, with markers grey and named; nothing when no file is set; a clear message naming a bad file."""
import dataclasses

import pytest

from dashboard.published import maps
from tests.app.test_benchmarking_page import FILTER_IDS
from tests.dash_requests import callback_request, response_props
from tests.fast.test_benchmarking_boundaries import SQUARES, write_geojson
from tests.shared_files import published_cell

def render_map(client, indicator="cla_rate_31_march", focus="E09000022", start="2021", end="2025"):
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, ["published", indicator, focus, start, end])]
    response = callback_request(client, [("bench-map-section", "children")], inputs + [("bench-anon", "value", False)])
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response_props(response)["bench-map-section"]["children"]


@pytest.fixture()
def boundary_file(server, settings, tmp_path):
    def configure(path):
        server.config["LCSD_SETTINGS"] = dataclasses.replace(settings, boundary_file=str(path))
    yield configure
    server.config["LCSD_SETTINGS"] = settings


def test_no_boundary_file_means_no_map(member_client, published_data):
    assert render_map(member_client) is None


def test_the_map_colours_each_la_by_its_published_figure_and_names_markers(member_client, published_data, boundary_file, tmp_path):
    boundary_file(write_geojson(tmp_path / "london.geojson"))
    section = render_map(member_client)
    title, message, graph = section["props"]["children"]
    assert "Children looked after per 10,000 (published), 2025" in title["props"]["children"]
    assert "matched on its LAD23CD codes" in message["props"]["children"] and "No boundary in the file for:" in message["props"]["children"]
    shapes = {t["name"]: t for t in graph["props"]["figure"]["data"] if t.get("fill") == "toself"}
    assert set(shapes) == {"City of London", "Lambeth", "Camden", "Croydon"}
    city = published_cell("cla/cla_number_and_rate_per_10k_children.csv", {"new_la_code": "E09000001", "time_period": "2025",
                          "population_type": "Children looked after on 31 March each year"}, "rate_per_10000")
    assert city == "c" and shapes["City of London"]["text"] == "City of London: suppressed (c)"
    assert shapes["City of London"]["fillcolor"] == maps.MISSING_COLOUR
    lambeth = published_cell("cla/cla_number_and_rate_per_10k_children.csv", {"new_la_code": "E09000022", "time_period": "2025",
                             "population_type": "Children looked after on 31 March each year"}, "rate_per_10000")
    assert shapes["Lambeth"]["text"].startswith(f"Lambeth: {lambeth}") and shapes["Lambeth"]["fillcolor"] != maps.MISSING_COLOUR
    assert shapes["Lambeth"]["line"]["color"] == "#000000"                  # the focus LA stands out


def test_a_bad_boundary_file_gives_a_message_naming_it_not_an_error(member_client, published_data, boundary_file, tmp_path):
    missing = tmp_path / "nowhere.geojson"
    boundary_file(missing)
    section = render_map(member_client)
    _title, message, _graph = section["props"]["children"]
    assert message["props"]["children"] == f"Boundary file {missing}: not found (BOUNDARY_FILE)"
