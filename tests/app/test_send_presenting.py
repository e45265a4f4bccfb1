"""Presenting and sharing on the SEND page: what-this-shows sentences as the page shows them (hand-worked cases are in
tests/fast/test_send_takeaways.py), anonymised views and files, chart images drawn on the server, and a deck whose
slides match the page."""
import io
import json

import openpyxl
import pytest

from tests.app.test_send_page import FILTERS, render
from tests.presenting import SIGNATURE, chart_image, has_picture, press, slide_deck, slide_text, slide_title

CHARTS = ["trend", "ranking", "placement", "need", "tiles", "share"]
VIEWER = "E09000022"   # the member's own LA (Lambeth)


# --- on the page -------------------------------------------------------------------------------------------------

def _leaked(text: str, la_names: dict) -> list[str]:
    return [name for code, name in la_names.items() if code != VIEWER and name in text]


def test_every_chart_has_its_sentence_from_the_figures_the_page_shows(member_client):
    props = render(member_client)
    sentences = {chart: props[f"send-{chart}-takeaway"]["children"] for chart in CHARTS}
    assert all(sentences.values())
    lambeth = next(r for r in props["send-las-grid"]["rowData"] if r["Area"] == "Lambeth")
    assert f"{lambeth['Within 20 weeks (%)']:.1f}%" in sentences["trend"] and sentences["trend"].startswith("Lambeth")
    assert f"{lambeth['Within 20 weeks (%)']:.1f}%" in sentences["ranking"]
    assert f"{lambeth['In INMSS (%)']:.1f}%" in sentences["placement"]


def test_anonymised_view_names_no_la_but_the_viewers(member_client, la_names):
    props = render(member_client, focus="E09000008", anonymise=True)     # Croydon in focus, anonymised
    text = json.dumps(props)
    assert "Lambeth" in text and _leaked(text, la_names) == []
    assert props["send-trend-title"]["children"].startswith("New EHC plans") and "LA " in props["send-trend-title"]["children"]
    assert props["send-ranking-takeaway"]["children"].startswith("LA ")
    # The tile map is in label order, written with labels: no borough abbreviation but the viewer's.
    tiles = " ".join(t for trace in props["send-tiles"]["figure"]["data"] for t in trace["text"])
    assert "LAM" in tiles and "CRD" not in tiles and "LA " in tiles
    # The unanonymised view of the same focus does name it.
    assert "Croydon" in render(member_client, focus="E09000008")["send-trend-title"]["children"]


def _state(focus=VIEWER, anonymise=False):
    return [(i, "value", v) for i, v in zip(FILTERS, [focus, "timely_20wk_pct", "2022", "la"])] + [("send-anon", "value", anonymise)]


def _download(client, button, anonymise, focus=VIEWER):
    buttons = [f"send-dl-{w}-{k}" for w in ("las", "trend", "placements", "inspections") for k in ("csv", "xlsx")]
    _name, content = press(client, "send-download", buttons, button, _state(focus, anonymise))
    return content


def test_the_workbook_holds_the_page_table_and_a_notes_sheet(member_client):
    book = openpyxl.load_workbook(io.BytesIO(_download(member_client, "send-dl-las-xlsx", False)))
    assert book.sheetnames == ["Data", "Notes"]
    rows = list(book["Data"].iter_rows(values_only=True))
    page = render(member_client)["send-las-grid"]["rowData"]
    header = rows[0]
    for shown, written in zip(page, rows[1:]):
        for column, value in shown.items():
            cell = written[header.index(column)]
            cell = "" if cell is None else cell          # an empty text cell ("" on the page) reads back as None
            assert cell == ("not published" if value is None else value), (column, value, cell)
    notes = {r[0]: r[1] for r in book["Notes"].iter_rows(values_only=True)}
    assert "Source of this measure" in notes and "Demo data" in notes and "Not a league table" in notes


@pytest.mark.parametrize("which", ["las", "inspections", "placements", "trend"])
def test_anonymised_files_name_no_la_but_the_viewers(member_client, la_names, which):
    csv_text = _download(member_client, f"send-dl-{which}-csv", True, focus="E09000008").decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(_download(member_client, f"send-dl-{which}-xlsx", True, focus="E09000008")))
    book_text = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    assert _leaked(csv_text, la_names) == [] and _leaked(book_text, la_names) == []
    assert "Anonymised" in book_text
    if which in ("las", "inspections"):
        assert "Lambeth" in csv_text and "LA " in csv_text


@pytest.mark.parametrize("chart,kind", [("tiles", "png"), ("ranking", "svg")])
def test_chart_images_are_drawn_on_the_server(member_client, chart, kind):
    name, content = chart_image(member_client, "send", CHARTS, chart, kind, _state())
    assert SIGNATURE[kind] in content[:400] and len(content) > 5000
    assert name.endswith(f"_{chart}.{kind}")


def test_the_deck_has_a_title_slide_and_one_slide_per_chart_matching_the_page(member_client):
    _name, deck = slide_deck(member_client, "send", _state())
    slides = list(deck.slides)
    assert len(slides) == 2 + len(CHARTS)
    assert "SEND" in slide_title(slides[0]) and "Lambeth" in slide_text(slides[0])
    assert "Demo data" in slide_text(slides[0])                 # placements and primary need are demo data
    page = render(member_client)
    titles = {"share": page["send-share-title"]["children"], **{c: page[f"send-{c}-title"]["children"] for c in CHARTS[:-1]}}
    for chart, slide in zip(CHARTS, slides[2:]):
        assert slide_title(slide) == titles[chart]
        text = slide_text(slide)
        assert page[f"send-{chart}-takeaway"]["children"] in text
        assert "Source:" in text
        assert has_picture(slide)
    # The placement slide's source line says its figures are demo data; the inspection slides do not claim it.
    assert "Demo data" in slide_text(slides[4]) and "Ofsted" in slide_text(slides[6])


def test_an_anonymised_deck_names_no_la_but_the_viewers(member_client, la_names):
    _name, deck = slide_deck(member_client, "send", _state(focus="E09000008", anonymise=True))
    text = " ".join(slide_text(s) for s in deck.slides)
    assert _leaked(text, la_names) == [] and "LA " in text


def test_anonymised_tables_list_las_in_label_order_not_the_public_order_of_codes_or_names(member_client):
    props = render(member_client, focus="E09000008", anonymise=True)
    for grid, column in (("send-las-grid", "Area"), ("send-inspection-grid", "LA"), ("send-placement-grid", "Area")):
        names = [r[column] for r in props[f"{grid}"]["rowData"] if r[column] not in ("London", "England")]
        numbers = [int(n[3:]) for n in names[1:]]          # Lambeth keeps its name, so its label's number is skipped
        assert names[0] == "Lambeth" and len(numbers) == 32 and numbers == sorted(numbers), grid
