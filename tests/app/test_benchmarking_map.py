"""The published Benchmarking map: drawn from a configured GeoJSON (written here, never a real boundary file),
matched on ONS codes, with markers grey and named; nothing when no file is set; a clear message naming a bad file."""
import dataclasses
import json

import pytest

from dashboard.published import maps
from tests.app.test_benchmarking_page import FILTER_IDS
from tests.dash_requests import callback_request, response_props
from tests.shared_files import published_cell

SQUARES = {"E09000001": (0, 0), "E09000022": (1, 0), "E09000007": (0, 1), "E09000008": (1, 1)}


def square(x, y):
    return [[[x * 0.1, 51 + y * 0.1], [x * 0.1 + 0.1, 51 + y * 0.1], [x * 0.1 + 0.1, 51.1 + y * 0.1], [x * 0.1, 51.1 + y * 0.1],
             [x * 0.1, 51 + y * 0.1]]]


def write_geojson(path, key="LAD23CD", codes=SQUARES):
    features = [{"type": "Feature", "properties": {key: code, "NAME": code}, "geometry": {"type": "Polygon", "coordinates": square(*at)}}
                for code, at in codes.items()]
    features.append({"type": "Feature", "properties": {key: "E06000001", "NAME": "Hartlepool"},
                     "geometry": {"type": "Polygon", "coordinates": square(5, 5)}})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_boundaries_are_matched_on_whichever_property_holds_the_ons_codes(tmp_path):
    shapes, key = maps.read_boundaries(str(write_geojson(tmp_path / "b.geojson", key="ltla_code")), set(SQUARES) | {"E09000002"})
    assert key == "ltla_code" and set(shapes) == set(SQUARES)       # Hartlepool is not asked for; E09000002 has no shape


@pytest.mark.parametrize("content,message", [
    ("not json at all", "cannot be read as GeoJSON"),
    (json.dumps({"type": "Feature"}), "not a GeoJSON FeatureCollection"),
    (json.dumps({"type": "FeatureCollection", "features": [{"properties": {"name": "Camden"}, "geometry": None}]}),
     "no feature property holds the ONS code"),
])
def test_a_file_that_cannot_be_read_or_matched_is_named_in_the_message(tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(maps.BoundaryFileError, match=message) as error:
        maps.read_boundaries(str(path), set(SQUARES))
    assert str(path) in str(error.value)


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
