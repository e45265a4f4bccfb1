"""Presenting and sharing on the Sufficiency tool: what-this-shows sentences (hand-worked cases, then as the page shows
them), anonymised views and files, images and decks drawn on the server from suppressed tables, small counts kept hidden."""
import io
import json

import openpyxl
import pandas as pd
import pytest

from dashboard import loader
from dashboard.dashboards.sufficiency import view as suff
from tests.app.test_sufficiency_page import (FORECAST_IDS, _inputs, commissioner, commissioner_client,  # noqa: F401
                                             render, table)
from tests.dash_requests import callback_request, figure_numbers, response_props
from tests.presenting import SIGNATURE, chart_image, has_picture, press, slide_deck, slide_text

C = "c"
VIEWER = "E09000022"   # the commissioner's own LA (Lambeth)
PAGE_CHARTS = ["tiles", "mix", "distance", "regions", "grades", "flows", "trend", "starts", "stability"]


# --- the sentences, on hand-worked tables ------------------------------------------------------------------------

def _vector(label, rows, total):
    table = pd.DataFrame({label: [r[0] for r in rows] + ["Total"], "Children": [r[1] for r in rows] + [total]})
    table["%"] = [C if isinstance(v, str) or isinstance(total, str) else round(100 * v / total, 1) if total else None
                  for v in table["Children"]]
    return table


def test_placement_mix_sentence_names_the_largest_group_and_keeps_hidden_counts_hidden():
    table = _vector("Placement type", [("Foster care: in-house", 60), ("Children's homes", C), ("Other", C)], 100)
    assert suff.mix_takeaway(table, "Lambeth", "31 March 2025") == (
        "Lambeth looked after 100 children on 31 March 2025; the largest group, 60.0%, are in foster care: in-house. "
        "2 groups have 1 to 5 children, hidden (c).")
    assert suff.mix_takeaway(_vector("Placement type", [("Other", C)], C), "Croydon", "31 March 2025") == (
        "Croydon looked after 1 to 5 children with these filters on 31 March 2025: the figures are hidden (c).")
    assert suff.mix_takeaway(_vector("Placement type", [("Other", 0)], 0), "All London", "31 March 2025") == (
        "No children looked after by London's LAs match these filters on 31 March 2025.")


def test_distance_and_grade_sentences_say_hidden_not_zero():
    headline = {"children": 40, "over_20": 25.0, "median_miles": 7.25, "graded": 20, "good_provider": 75.0}
    assert suff.distance_takeaway(headline, "Lambeth") == (
        "25.0% of the children looked after by Lambeth live more than 20 miles from home; the median distance is "
        "7.2 miles where both postcodes are known.")
    assert suff.grades_takeaway(headline, "Lambeth") == (
        "75.0% of the 20 placements of Lambeth's children with an Ofsted-graded provider are good or outstanding.")
    hidden = {"children": 9, "over_20": C, "median_miles": C, "graded": C, "good_provider": C}
    assert suff.distance_takeaway(hidden, "Croydon") == (
        "The share of Croydon's children living more than 20 miles from home is hidden (it rests on 1 to 5 children); "
        "the median distance is hidden (1 to 5 children).")
    assert "hidden (c)" in suff.grades_takeaway(hidden, "Croydon")
    assert suff.distance_takeaway({**headline, "children": 0, "over_20": None}, "Sutton") == (
        "No children looked after by Sutton match these filters.")


def test_regions_tiles_and_flows_sentences():
    regions = _vector("Region", [("South East", 47), ("East of England", 20), ("Wales", C)], 70)
    assert suff.regions_takeaway(regions, "Lambeth") == (
        "70 children looked after by Lambeth are placed outside London, most in South East (47). "
        "1 group has 1 to 5 children, hidden (c).")
    assert suff.regions_takeaway(pd.DataFrame(columns=["Region", "Children", "%"]), "Lambeth") == (
        "None of the children looked after by Lambeth with these filters is placed outside London.")
    tiles = pd.DataFrame({"la_code": ["E09000022", "E09000024", "E09000008", None],
                          "LA": ["Lambeth", "Merton", "Croydon", "Total"], "Children": [102, 11, C, 118]})
    assert suff.tiles_takeaway(tiles, "Lambeth", "selected") == (
        "Of Lambeth's looked-after children living in London, the most live in Lambeth (102), then Merton (11). "
        "1 LA has 1 to 5 children, hidden (c).")
    assert suff.tiles_takeaway(tiles, "Lambeth", "others").startswith("Of children placed by other LAs, the most live in Lambeth")
    flows = pd.DataFrame({"From": ["Lambeth", "Total"], "Inside own LA": [102, 102], "Outside London": [C, C],
                          "Elsewhere in London": [90, 90], "Total": [196, 196]})
    assert suff.flows_takeaway(flows, ["Inside own LA", "Elsewhere in London", "Outside London"], "Lambeth") == (
        "Of 196 children looked after by Lambeth, the largest group (52.0%) is living inside their own LA. "
        "Counts of 1 to 5 are hidden (c) for: Outside London.")


def test_trend_starts_and_stability_sentences():
    quarters = pd.date_range("2024-03-31", periods=5, freq="QE-MAR").date.astype(str)
    trend = pd.DataFrame({"Quarter end": quarters, "Total": pd.Series([381, 370, 365, 360, 362], dtype=object)})
    assert suff.trend_takeaway(trend, "Lambeth") == (
        "Lambeth looked after 362 children on 31 March 2025, down 19 (5.0%) on a year before.")
    trend.loc[0, "Total"] = C
    assert suff.trend_takeaway(trend, "Lambeth").endswith("; the figure a year before is hidden (c).")
    months = pd.DataFrame({"Month": [str(p) for p in pd.period_range("2024-04", "2025-03", freq="M")],
                           "Started": [15] * 12, "Ceased": pd.Series([17] * 12, dtype=object)})
    assert suff.starts_takeaway(months, "Lambeth") == (
        "In the 12 months to March 2025, 180 children started and 204 ceased to be looked after by Lambeth.")
    months.loc[3, "Ceased"] = C
    assert "no 12-month total is given" in suff.starts_takeaway(months, "Lambeth")
    stability = pd.DataFrame({"Year to": ["2024-03-31", "2025-03-31"], "Looked after at 31 March": [381, 362],
                              "3 or more placements": [43, 44], "%": [11.3, 12.2]}, dtype=object)
    assert suff.stability_takeaway(stability, "Lambeth") == (
        "12.2% of the children looked after by Lambeth at 31 March 2025 had 3 or more placements in the year "
        "(44 of 362), against 11.3% a year before.")
    stability.loc[1, ["3 or more placements", "%"]] = [C, C]
    assert "is hidden (it rests on 1 to 5 children)" in suff.stability_takeaway(stability, "Lambeth")


def test_forecast_and_cost_sentences():
    forecast = pd.DataFrame({"Month": ["2027-03-31"] * 2, "Placement type": ["Other", "All placement types"],
                             "Expected": [10.0, 341.4], "Low (10th percentile)": [8.0, 320.0], "High (90th percentile)": [12.0, 363.0]},
                            dtype=object)
    history = pd.DataFrame({"Month": ["2025-03-31"] * 2, "Placement type": ["Other", "Children's homes"], "Children": [300, 62]},
                           dtype=object)
    assert suff.forecast_takeaway(forecast, history, "Lambeth") == (
        "The model expects Lambeth to look after about 341 children by March 2027 (80% band 320 to 363), "
        "against 362 on 31 March 2025.")
    history.loc[0, "Children"] = C                               # a hidden count: no "now" total is given
    assert suff.forecast_takeaway(forecast, history, "Lambeth").endswith("(80% band 320 to 363).")
    forecast.loc[1, "Expected"] = C
    assert "is hidden (c)" in suff.forecast_takeaway(forecast, history, "Lambeth")
    costs = pd.DataFrame({"Month": ["2027-03-31"], "Expected": [512300.0], "Low (10th percentile)": [480000.0],
                          "High (90th percentile)": [545000.0]})
    assert suff.cost_takeaway(costs) == ("At the unit costs entered, the expected weekly cost of placements in March 2027 "
                                         "is £512,300 (80% band £480,000 to £545,000).")


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
    """Croydon's children aged 16 and over, seen by Lambeth's commissioner: a suppressed view. No chart that becomes a PNG,
    SVG or slide draws a count of 1 to 5, and no sentence gives one."""
    from dashboard.dashboards.sufficiency import data
    _, props = render(commissioner_client, "la:E09000008", age="16 and over")
    assert "Suppressed view" in json.dumps(props["suff-privacy-note"]["children"])
    filters = suff.Filters(area="la:E09000008", as_at=pd.Timestamp("2025-03-31"), age="16 and over")
    with server.app_context():
        scope = loader.AccessScope("commissioner", VIEWER)
        params = suff.resolve_forecast(None, None, 1, {}, data.options(scope))
        view, charts = suff.slides_content(filters, params, scope)
    assert view.restricted and C in view.tables["tiles"]["Children"].tolist()
    for name, (_title, sentence, figure) in charts.items():
        drawn = _figure_counts(figure if isinstance(figure, dict) else figure.to_plotly_json())
        if name not in ("stability", "cost"):     # those draw percentages and pounds, not counts
            assert drawn and not [v for v in drawn if 1 <= v <= 5], (name, drawn)
        if name in PAGE_CHARTS:
            assert sentence == props[f"suff-{name}-takeaway"]["children"]


def test_anonymised_view_names_no_la_but_the_viewers(commissioner_client, la_names, lambeth_subregion):
    raw, props = render(commissioner_client, lambeth_subregion, anonymise=True)
    assert _leaked(raw, la_names) == [] and "Lambeth" in raw
    labels = props["suff-flows"]["figure"]["data"][0]["node"]["label"]
    assert "Lambeth" in labels and any(label.startswith("LA ") for label in labels)
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
            ("suff-horizon", "value", 2)] + [(f"suff-cost-{i}", "value", None) for i in range(6)] + [("suff-anon", "value", anonymise)])


@pytest.mark.parametrize("chart,kind", [("tiles", "png"), ("flows", "svg")])
def test_chart_images_are_drawn_on_the_server(commissioner_client, chart, kind):
    name, content = chart_image(commissioner_client, "suff", suff.CHARTS, chart, kind, _view_state(f"la:{VIEWER}", False))
    assert SIGNATURE[kind] in content[:400] and len(content) > 5000
    assert name.endswith(f"_{chart}.{kind}")


def test_the_deck_has_a_title_slide_and_one_slide_per_chart_matching_the_page(commissioner_client):
    _name, deck = slide_deck(commissioner_client, "suff", _view_state(f"la:{VIEWER}", False))
    slides = list(deck.slides)
    assert len(slides) == 1 + len(suff.CHARTS)
    first = slide_text(slides[0])
    assert "Dynamic Sufficiency Tool" in first and "Lambeth" in first and "Demo data" in first
    _, page = render(commissioner_client, f"la:{VIEWER}")
    for chart, slide in zip(PAGE_CHARTS, slides[1:]):
        assert slide.shapes.title.text == page[f"suff-{chart}-title"]["children"]
        assert page[f"suff-{chart}-takeaway"]["children"] in slide_text(slide)
    assert slides[10].shapes.title.text.startswith("Forecast children looked after") and "The model expects" in slide_text(slides[10])
    assert all("Source: Demo data" in slide_text(s) for s in slides[1:])
    assert all(has_picture(s) for s in slides[1:])


def test_an_anonymised_deck_names_no_la_but_the_viewers(commissioner_client, la_names, lambeth_subregion):
    _name, deck = slide_deck(commissioner_client, "suff", _view_state(lambeth_subregion, True))
    text = " ".join(slide_text(s) for s in deck.slides)
    assert _leaked(text, la_names) == [] and "LA " in text
