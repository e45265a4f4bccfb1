"""A choropleth of London's LAs from a configured boundary file (GeoJSON), matched on ONS codes.

The London tile map stays the default; this map is drawn only when BOUNDARY_FILE names a GeoJSON file. Boundaries
are drawn as filled polygons on plain axes (longitude scaled for London's latitude): no map tiles and no topojson
download, so it works on machines with no internet. A figure the publication did not give is grey and says why.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import get_colorscale, sample_colorscale

MISSING_COLOUR = "#d9d9d9"
COLOURS = "Cividis"   # sequential and colour-blind-safe
LATITUDE_SCALE = math.cos(math.radians(51.5))


class BoundaryFileError(ValueError):
    """The configured boundary file cannot be read or matched; the message names the file."""


@lru_cache(maxsize=4)
def _read(path: str, modified: float) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise BoundaryFileError(f"Boundary file {path}: not found (BOUNDARY_FILE)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryFileError(f"Boundary file {path}: cannot be read as GeoJSON ({exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise BoundaryFileError(f"Boundary file {path}: not a GeoJSON FeatureCollection")
    return data


def read_boundaries(path: str, la_codes: set[str]) -> tuple[dict[str, list], str]:
    """({ONS code: [rings of (lon, lat)]} for the LAs in `la_codes`, the property holding the codes).

    The code property is found, not assumed: the one whose values match most of the LAs (LAD23CD, LAD24CD, code...)."""
    file = Path(path)
    data = _read(str(file), file.stat().st_mtime if file.exists() else 0.0)
    properties = [f.get("properties") or {} for f in data["features"]]
    counts = {}
    for props in properties:
        for key, value in props.items():
            if isinstance(value, str) and value.strip() in la_codes:
                counts[key] = counts.get(key, 0) + 1
    if not counts:
        keys = sorted({k for p in properties for k in p})[:10]
        raise BoundaryFileError(f"Boundary file {path}: no feature property holds the ONS code of a London LAs "
                                f"(E09000001 to E09000033); properties found: {', '.join(keys) or 'none'}")
    key = max(counts, key=counts.get)
    shapes = {}
    for feature, props in zip(data["features"], properties):
        code = str(props.get(key, "")).strip()
        if code in la_codes:
            shapes[code] = _rings(feature.get("geometry") or {}, path, code)
    return shapes, key


def _rings(geometry: dict, path: str, code: str) -> list:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return [ring for ring in coordinates]
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    raise BoundaryFileError(f"Boundary file {path}: {code}'s geometry is {kind!r}, not a Polygon or MultiPolygon")


def _outline(rings: list) -> tuple[list, list]:
    xs, ys = [], []
    for ring in rings:
        xs += [lon * LATITUDE_SCALE for lon, lat, *_ in ring] + [None]
        ys += [lat for lon, lat, *_ in ring] + [None]
    return xs, ys


def choropleth(ranking: pd.DataFrame, shapes: dict[str, list], focus_code: str, title: str, format_value) -> go.Figure:
    """One filled shape per LA. `ranking`: la_code (a joint return "A / B" colours both), la_name, value, note."""
    rows = []
    for r in ranking.itertuples(index=False):
        for code in [c.strip() for c in str(r.la_code).split("/")]:
            if code in shapes:
                rows.append((code, r.la_name, r.value, r.note))
    values = pd.Series([v for _, _, v, _ in rows], dtype="float64")
    low, high = (values.min(), values.max()) if values.notna().any() else (0.0, 1.0)
    palette = get_colorscale(COLOURS)
    fig = go.Figure()
    for code, name, value, note in rows:
        xs, ys = _outline(shapes[code])
        missing = value is None or (isinstance(value, float) and np.isnan(value))
        share = 0.5 if high == low else (value - low) / (high - low) if not missing else 0
        colour = MISSING_COLOUR if missing else sample_colorscale(palette, [share])[0]
        label = f"{name}: {note}" if missing else f"{name}: {format_value(value)}"
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", fill="toself", fillcolor=colour, hoveron="fills",
                                 line={"color": "#000000" if code == focus_code else "#ffffff",
                                       "width": 3 if code == focus_code else 0.8},
                                 name=name, text=label, hoverinfo="text", showlegend=False))
    # The colour bar: an invisible marker trace carrying the scale of the shapes.
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
                             marker={"colorscale": palette, "cmin": low, "cmax": high, "color": [low],
                                     "colorbar": {"title": {"text": title}, "thickness": 12}}))
    fig.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=520, plot_bgcolor="#ffffff",
                      xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1})
    return fig
