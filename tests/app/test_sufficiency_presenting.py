"""Presenting and sharing on the Sufficiency tool: what-this-shows sentences as the page shows them (hand-worked cases
are in tests/fast/test_sufficiency_takeaways.py), anonymised views and files, images and decks drawn on the server
from suppressed tables, small counts kept hidden."""
import io
import json
from unittest import mock

import openpyxl
import pandas as pd
import pytest

from dashboard import loader
from dashboard.dashboards.sufficiency import view as suff
from tests.app.test_sufficiency_page import (FORECAST_IDS, _inputs, commissioner, commissioner_client,  # noqa: F401
                                             render, table)
from tests.dash_requests import callback_request, figure_numbers, response_props
from tests.presenting import SIGNATURE, chart_image, has_picture, press, slide_deck, slide_text, slide_title

C = "c"
VIEWER = "E09000022"   # the commissioner's own LA (Lambeth)
PAGE_CHARTS = ["tiles", "mix", "distance", "regions", "grades", "flows", "trend", "starts", "stability"]


# --- on the page -------------------------------------------------------------------------------------------------

@pytest.fixture()
def lambeth_subregion(server):
    with server.app_context():
        las = loader.local_authorities().set_index("la_code")
    return f"sr:{las.loc[VIEWER, 'subregion_code']}"


def _leaked(text: str, la_names: dict) -> list[str]:
    return [name for code, name in la_names.items() if code != VIEWER and name in text]


def test_every_chart_says_what_it_shows_from_the_page_figures(commissioner_client):
    _, props = render(commissioner_client, f"la:{VIEWER}")
    sentences = {chart: props[f"suff-{chart}-takeaway"]["children"] for chart in PAGE_CHARTS}
    assert all(s and "Lambeth" in s for chart, s in sentences.items() if chart != "tiles")
    kpis = json.dumps(props["suff-kpis"]["children"])
    children = sentences["mix"].split(" looked after ")[1].split(" children")[0]
    assert f'"{children}"' in kpis                                        # the same count as the headline card
    _, grid = table(commissioner_client, "distance", f"la:{VIEWER}")
    over = sum(r["Children"] for r in grid["suff-grid"]["rowData"] if r["Distance from home"] in ("20 to 50 miles", "More than 50 miles"))
    total = grid["suff-grid"]["rowData"][-1]["Children"]
    assert f"{100 * over / total:.1f}%" in sentences["distance"]


def _figure_counts(figure) -> list[float]:
    """Every count a chart draws: bar lengths, line points, flow widths, and the numbers written on tiles and bars."""
    counts = []
    for trace in figure.get("data", []):
        if trace.get("type") == "scatter":
            counts += figure_numbers(trace.get("y"))
        if trace.get("type") == "bar":
            counts += figure_numbers(trace.get("x") if trace.get("orientation") == "h" else trace.get("y"))
            counts += [float(t) for t in trace.get("text") or [] if str(t).replace(",", "").isdigit()]
        if trace.get("type") == "sankey":
            counts += figure_numbers(trace["link"]["value"])
    for note in figure.get("layout", {}).get("annotations", []):
        tail = str(note.get("text", "")).split("<br>")[-1].replace(",", "")
        counts += [float(tail)] if tail.isdigit() else []
    return counts


def test_small_counts_stay_hidden_in_what_images_and_decks_are_drawn_from(commissioner_client, server):
    """Croydon's children aged 16 and over, seen by Lambeth's commissioner: a protected view. No chart that becomes a
    PNG, SVG or slide draws a count of 1 to 4, and what it draws is what the page shows."""
    from dashboard.dashboards.sufficiency import data
    _, props = render(commissioner_client, "la:E09000008", age="16 and over")
    assert "Protected view" in json.dumps(props["suff-privacy-note"]["children"])
    filters = suff.Filters(area="la:E09000008", as_at=pd.Timestamp("2025-03-31"), age="16 and over")
    with server.app_context():
        scope = loader.AccessScope("commissioner", VIEWER)
        params = suff.resolve_forecast(None, None, 1, {}, data.options(scope))
        view = suff.build_view(filters, scope)
        slides = dict(suff.presentation(suff.Selection(filters, params), scope).charts)   # every chart, as images and slides take it
    assert view.restricted and C not in view.tables["tiles"]["Children"].tolist()   # protected, not blanked
    for name, slide in slides.items():
        sentence, figure = slide.takeaway, slide.figure
        drawn = _figure_counts(figure if isinstance(figure, dict) else figure.to_plotly_json())
        # Stability and cost draw percentages and pounds; the forecasts are modelled from protected counts (a forecast
        # of 4 discloses nothing): none of them is a count.
        if name not in ("stability", "cost", "forecast", "forecast_age"):
            assert drawn and not [v for v in drawn if 1 <= v <= 4], (name, drawn)
        if name in PAGE_CHARTS:
            assert sentence == props[f"suff-{name}-takeaway"]["children"]


def test_anonymised_view_names_no_la_but_the_viewers(commissioner_client, la_names, lambeth_subregion):
    raw, props = render(commissioner_client, lambeth_subregion, anonymise=True)
    assert _leaked(raw, la_names) == [] and "Lambeth" in raw
    labels = props["suff-flows"]["figure"]["data"][0]["node"]["label"]
    names = [label.split(":")[0] for label in labels]                   # a node is labelled "name: count"
    assert "Lambeth" in names and any(name.startswith("LA ") for name in names)
    tiles = " ".join(a["text"] for a in props["suff-tiles"]["figure"]["layout"]["annotations"])
    assert "LAM" in tiles and "CRD" not in tiles and "LA " in tiles       # label order, not the map
    raw, _ = render(commissioner_client, "la:E09000008", anonymise=True, tiles="others")
    assert _leaked(raw, la_names) == [] and "LA " in raw


def test_anonymised_area_choices_are_in_label_order(commissioner_client, la_names):
    response = callback_request(commissioner_client, [("suff-area", "options")], [("suff-anon", "value", True)])
    options = [o["label"] for o in response_props(response)["suff-area"]["options"]]
    las = [o for o in options if o.startswith("LA ") or o == "Lambeth"]
    assert len(las) == 33 and las[0] == "Lambeth"
    assert [int(o[3:]) for o in las[1:]] == sorted(int(o[3:]) for o in las[1:])
    assert _leaked(" ".join(options), la_names) == []


def _download(client, which, area, kind, anonymise):
    state = ([("suff-table-choice", "value", which)] + [(i, "value", v) for i, _, v in _inputs(area)]
             + [("suff-tile-mode", "value", "selected"), ("suff-flow-mode", "value", "location")]
             + [(i, "value", None) for i in FORECAST_IDS] + [("suff-anon", "value", anonymise)])
    return press(client, "suff-download", ["suff-dl-csv", "suff-dl-xlsx"], f"suff-dl-{kind}", state)


@pytest.mark.parametrize("which,area", [("tiles_others", "la:E09000008"), ("flows_location", "sub-region")])
def test_anonymised_files_name_no_la_but_the_viewers(commissioner_client, la_names, lambeth_subregion, which, area):
    area = lambeth_subregion if area == "sub-region" else area
    name, raw = _download(commissioner_client, which, area, "csv", True)
    csv = raw.decode("utf-8-sig")
    assert _leaked(csv, la_names) == [] and "Lambeth" in csv and "LA " in csv
    assert "E09000008" not in name
    frame = pd.read_csv(io.StringIO(csv))
    column = frame.columns[0]
    labels = [v for v in frame[column] if str(v).startswith("LA ")]
    assert [int(v[3:]) for v in labels] == sorted(int(v[3:]) for v in labels)     # rows in label order
    _, raw = _download(commissioner_client, which, area, "xlsx", True)
    book = openpyxl.load_workbook(io.BytesIO(raw))
    text = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    assert _leaked(text, la_names) == [] and "Anonymised" in text


def test_a_table_download_builds_that_table_alone(commissioner_client):
    """One of eighteen tables: the file reads its own aggregates, not the charts' view, the forecast or DfE's figures."""
    with mock.patch.object(suff, "build_view", wraps=suff.build_view) as view, \
            mock.patch.object(suff, "build_forecast", wraps=suff.build_forecast) as forecast, \
            mock.patch.object(suff.data, "published_comparison", wraps=suff.data.published_comparison) as published:
        name, raw = _download(commissioner_client, "distance", f"la:{VIEWER}", "csv", False)
    assert name == f"sufficiency_distance_la-{VIEWER}_2025-03-31.csv" and raw.decode("utf-8-sig").startswith("Distance from home")
    assert not view.called and not forecast.called and not published.called


def test_the_workbook_holds_the_page_table_and_a_notes_sheet(commissioner_client):
    _, raw = _download(commissioner_client, "tiles_others", "la:E09000022", "xlsx", False)
    book = openpyxl.load_workbook(io.BytesIO(raw))
    rows = list(book["Data"].iter_rows(values_only=True))
    _, page = table(commissioner_client, "tiles_others", "la:E09000022")
    assert [dict(zip(rows[0], r)) for r in rows[1:]] == page["suff-grid"]["rowData"]
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(values_only=True)}
    assert "Privacy" in notes and "Demo data" in notes["Source"]


def _view_state(area, anonymise):
    return ([(i, "value", v) for i, _, v in _inputs(area)] + [("suff-tile-mode", "value", "selected"),
            ("suff-flow-mode", "value", "location")] + [("suff-ref-from", "value", 2023), ("suff-ref-to", "value", 2025),
            ("suff-horizon", "value", 2)] + [(i, "value", None) for i in FORECAST_IDS[3:]] + [("suff-anon", "value", anonymise)])


@pytest.mark.parametrize("chart,kind", [("tiles", "png"), ("flows", "svg")])
def test_chart_images_are_drawn_on_the_server(commissioner_client, chart, kind):
    name, content = chart_image(commissioner_client, "suff", suff.CHARTS, chart, kind, _view_state(f"la:{VIEWER}", False))
    assert SIGNATURE[kind] in content[:400] and len(content) > 5000
    assert name.endswith(f"_{chart}.{kind}")


def test_a_flows_chart_with_nothing_to_draw_gives_an_image_and_a_deck_not_an_error(commissioner_client):
    """Camden, placement Other, seen by Lambeth: every flow is protected to 0, so there is no link to draw (plotly.js
    failed on a Sankey without links: HTTP 500 for the image and the whole deck)."""
    state = [(i, p, "Other" if i == "suff-placement" else v) for i, p, v in _view_state("la:E09000007", False)]
    name, content = chart_image(commissioner_client, "suff", suff.CHARTS, "flows", "png", state)
    assert SIGNATURE["png"] in content[:400] and name.endswith("_flows.png")
    _name, deck = slide_deck(commissioner_client, "suff", state)
    assert len(list(deck.slides)) == 2 + len(suff.CHARTS)


def test_the_deck_has_a_title_slide_and_one_slide_per_chart_matching_the_page(commissioner_client):
    _name, deck = slide_deck(commissioner_client, "suff", _view_state(f"la:{VIEWER}", False))
    slides = list(deck.slides)
    assert len(slides) == 2 + len(suff.CHARTS)
    first = slide_text(slides[0])
    assert "Dynamic Sufficiency Tool" in first and "Lambeth" in first and "Demo data" in first
    _, page = render(commissioner_client, f"la:{VIEWER}")
    for chart, slide in zip(PAGE_CHARTS, slides[2:]):
        assert slide_title(slide) == page[f"suff-{chart}-title"]["children"]
        assert page[f"suff-{chart}-takeaway"]["children"] in slide_text(slide)
    assert slide_title(slides[11]).startswith("Forecast children looked after") and "The model expects" in slide_text(slides[11])
    assert all("Source: Demo data" in slide_text(s) for s in slides[2:])
    assert all(has_picture(s) for s in slides[2:])


def test_an_anonymised_deck_names_no_la_but_the_viewers(commissioner_client, la_names, lambeth_subregion):
    _name, deck = slide_deck(commissioner_client, "suff", _view_state(lambeth_subregion, True))
    text = " ".join(slide_text(s) for s in deck.slides)
    assert _leaked(text, la_names) == [] and "LA " in text
