"""The boundary file behind Benchmarking's published map, read without the app: a GeoJSON (written here, never a real
boundary file) matched on whichever property holds the ONS codes, and a file that cannot be read or matched named in
the message."""
import json

import pytest

from dashboard.published import maps

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
