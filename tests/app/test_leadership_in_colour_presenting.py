"""Presenting and sharing on the Leadership in Colour page: what-this-shows sentences from the page's own figures,
anonymised views and files (every borough name, however the source spells it), images and a deck matching the page."""
import io
import json

import openpyxl
import pytest

from dashboard.dashboards.leadership_in_colour import view as linc
from dashboard import loader
from dashboard.dashboards.leadership_in_colour import data as linc_loader
from tests.app.test_leadership_in_colour_page import FILTER_IDS, download, render
from tests.presenting import SIGNATURE, chart_image, has_picture, slide_deck, slide_text, slide_title

LAMBETH = "E09000022"


@pytest.fixture()
def other_names(server):
    """Every name another LA goes by here, but the viewer's (Lambeth): the LA table's, the published snapshot's
    ('Kingston', 'Richmond & Wandsworth' and each of its parts) and the DfE census's ('Hammersmith and Fulham')."""
    scope = loader.AccessScope("member", LAMBETH)
    with server.app_context():
        las = loader.local_authorities()
        published = set(linc_loader.published_boroughs(scope)["area_name"]) - {"Grand Total"}
        census = linc_loader.csww_role(scope)
        census = set(census.loc[census["geographic_level"] == "Local authority", "area_name"])
    names = {n for c, n in zip(las["la_code"], las["la_name"]) if c != LAMBETH} | published | census
    names |= {part for name in published | census for part in name.replace(" & ", " / ").split(" / ")}
    assert {"Kingston", "Richmond", "Hammersmith and Fulham", "Hammersmith & Fulham", "Croydon"} <= names
    return sorted(names - {"Lambeth"})


def _state(source="published", borough="all", group="bgm", anonymise=False):
    return [(i, "value", v) for i, v in zip(FILTER_IDS, [source, borough, "all", group])] + [("linc-anon", "value", anonymise)]


def test_each_chart_says_what_it_shows_with_the_tables_figures(member_client):
    props = render(member_client)
    bands = props["linc-band-grid"]["rowData"]
    band = props["linc-band-takeaway"]["children"]
    assert band.startswith("Across all boroughs, Black and Global Majority staff are "
                           f"{bands[0]['Share of staff']} of staff with known ethnicity in the £10,000 to £20,000 band")
    assert f"{bands[-1]['Share of staff']} in the over £160,000 band" in band
    assert "the glass ceiling is at the £50,001 to £60,000 band" in band           # as the published series has it
    roles = props["linc-role-grid"]["rowData"]
    latest = max(r["Year (30 September)"] for r in roles)
    share = {r["Role"]: r["Black and Global Majority share of known"] for r in roles if r["Year (30 September)"] == latest}
    assert (f"In London at 30 September {latest}, Black and Global Majority staff are {share['Case holder']} of case holders "
            f"but {share['Senior manager']} of senior managers") in props["linc-roles-takeaway"]["children"]
    lambeth = next(r for r in props["linc-notknown-grid"]["rowData"] if r["Local authority"] == "Lambeth")
    assert (f"{lambeth['Ethnicity not known']} of children's social workers in Lambeth had no recorded ethnicity"
            in props["linc-notknown-takeaway"]["children"])


def test_a_suppressed_cell_is_named_as_suppressed_not_read_as_zero(member_client):
    props = render(member_client, borough="E09000004", group="asian")     # Bexley: Asian over £60k is <10%
    assert "(1 band without a figure: <10%)" in props["linc-band-takeaway"]["children"]
    assert "no figure for Asian (<10%)" in props["linc-groups-takeaway"]["children"]


def test_anonymised_view_names_no_borough_but_the_viewers(member_client, other_names):
    for borough, group in (("all", "asian"), ("E09000027", "black"), ("E09000004", "bgm")):
        props = render(member_client, borough=borough, group=group, anonymise=True)
        text = json.dumps(props, ensure_ascii=False)
        assert "Lambeth" in text
        assert [n for n in other_names if n in text] == [], borough
    rows = [r["area"] for r in render(member_client, anonymise=True)["linc-borough-grid"]["rowData"]]
    labels = [r for r in rows if r.startswith("LA ")]
    assert len(labels) == 30 and labels == sorted(labels, key=lambda r: int(r[3:]))   # label order, not ONS code order
    demo = render(member_client, source="demo", borough="E09000008", anonymise=True)
    assert [n for n in other_names if n in json.dumps(demo, ensure_ascii=False)] == []


def test_anonymised_files_name_no_borough_but_the_viewers(member_client, other_names):
    csv_bytes, csv_name = download(member_client, "linc-dl-borough-csv", borough="E09000027", anonymise=True)
    book_bytes, _ = download(member_client, "linc-dl-notknown-xlsx", anonymise=True)
    book = openpyxl.load_workbook(io.BytesIO(book_bytes))
    workbook_text = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    assert "E09000027" not in csv_name
    for text in (csv_bytes.decode("utf-8-sig"), workbook_text):
        assert "Lambeth" in text
        assert [n for n in other_names if n in text] == []
    assert "Anonymised" in workbook_text


def test_the_workbook_holds_the_pages_table_and_notes(member_client):
    content, _ = download(member_client, "linc-dl-band-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book["Data"].iter_rows(values_only=True))
    page = render(member_client)["linc-band-grid"]["rowData"]
    assert [[("" if v is None else v) for v in r] for r in rows[1:]] == [list(r.values()) for r in page]
    notes = dict(list(book["Notes"].iter_rows(values_only=True))[1:])
    assert "ALDCS" in notes["Source (pay bands)"] and "<10%" in notes["Suppression (pay bands)"]


@pytest.mark.parametrize("chart,kind", [("band", "png"), ("notknown", "svg")])
def test_chart_images_are_drawn_on_the_server(member_client, chart, kind):
    name, content = chart_image(member_client, "linc", linc.CHARTS, chart, kind, _state())
    assert SIGNATURE[kind] in content[:400] and len(content) > 5000
    assert name == f"leadership_in_colour_{chart}_published_all_bgm.{kind}"


def test_the_deck_has_a_title_slide_and_one_slide_per_chart_matching_the_page(member_client):
    _name, deck = slide_deck(member_client, "linc", _state(source="demo", borough="E09000022"))
    slides = list(deck.slides)
    assert len(slides) == 2 + len(linc.CHARTS)
    assert slide_title(slides[0]) == "Leadership in Colour" and "Demo data" in slide_text(slides[0])
    page = render(member_client, source="demo", borough="E09000022")
    titles = {"band": "linc-band-title", "groups": "linc-group-title", "roles": "linc-role-title",
              "notknown": "linc-notknown-title"}
    assert [slide_title(s) for s in slides[2:]] == [page[titles[c]]["children"] for c in linc.CHARTS]
    for slide, chart in zip(slides[2:], linc.CHARTS):
        text = slide_text(slide)
        assert page[f"linc-{chart}-takeaway"]["children"] in text
        assert ("Source: Demo data" if chart in ("band", "groups") else "Source: DfE, Children's social work workforce") in text
        assert has_picture(slide)


def test_an_anonymised_deck_names_no_borough_but_the_viewers(member_client, other_names):
    name, deck = slide_deck(member_client, "linc", _state(borough="E09000004", anonymise=True))
    text = " ".join(slide_text(s) for s in deck.slides)
    assert "E09000004" not in name and "Anonymised" in text
    assert [n for n in other_names if n in text] == []
