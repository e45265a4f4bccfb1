"""Presenting and sharing on the Education suspensions page: what-this-shows sentences from the page's own figures,
anonymised views and files, chart images drawn on the server, and a deck whose slides match the page."""
import io
import json

import openpyxl
import pytest

from dashboard.dashboards.suspensions import view as sus
from tests.app.test_suspensions_page import FILTER_IDS, download, render
from tests.presenting import SIGNATURE, chart_image, has_picture, slide_deck, slide_text, slide_title

LAMBETH = "E09000022"


def _state(area="london", year="2023/24", anonymise=False):
    return ([(i, "value", v) for i, v in zip(FILTER_IDS, [area, year, "suspended", ["blackcaribbean", "blackafrican"]])]
            + [("susp-anon", "value", anonymise)])


def test_each_chart_says_what_it_shows_with_the_tables_figures(member_client):
    props = render(member_client, LAMBETH, "2023/24")
    rows = [r for r in props["susp-table-grid"]["rowData"] if r["Ethnic group"] not in ("White British", "All pupils")]
    top = max((r for r in rows if r["RRI"] is not None), key=lambda r: r["RRI"])
    interval = props["susp-interval-takeaway"]["children"]
    assert interval.startswith(f"Lambeth, academic year 2023/24: {top['Ethnic group']} pupils have the highest RRI, "
                               f"{top['RRI']:.2f} (95% CI {top['95% CI low']:.2f} to {top['95% CI high']:.2f}")
    assert f"against {top['London RRI']:.2f} in London" in interval
    hidden = sum(r["RRI"] is None for r in rows)
    assert (f"{hidden} of the other 18 groups not shown (fewer than 10)" in interval) == bool(hidden)
    over = sum(r["Significant"] == "yes" and r["RRI"] > 1 for r in rows)
    assert f"{over} group{'s' if over != 1 else ''} significantly more likely" in interval
    assert props["susp-trend-takeaway"]["children"].startswith("RRI over time in Lambeth: Black Caribbean: ")
    heat = props["susp-heat-grid"]["rowData"]
    cells = [(r[g], g, r["LA"]) for r in heat for g in sus.GROUPS if g != sus.REFERENCE and r.get(g) is not None]
    value, group, la = max(cells)
    assert f"the highest RRI in any London LA is {group} pupils in {la} ({value:.2f})" in props["susp-heat-takeaway"]["children"]


def test_a_small_la_says_why_no_rri_is_shown(member_client):
    props = render(member_client, "E09000001", "2023/24")         # City of London: a few dozen pupils
    rows = props["susp-table-grid"]["rowData"]
    if rows[0]["RRI"] is None:                                  # too few White British pupils suspended
        assert "fewer than 10 White British pupils suspended, so no group's RRI can be shown" in (
            props["susp-interval-takeaway"]["children"])
    assert "not shown in any year (fewer than 10)" in props["susp-trend-takeaway"]["children"]


def test_anonymised_view_names_no_la_but_the_viewers(member_client, other_la_names):
    for area in ("london", "E09000008", "sr:south"):
        props = render(member_client, area, "2023/24", anonymise=True)
        text = json.dumps(props, ensure_ascii=False)
        assert "Lambeth" in text
        assert [n for n in other_la_names if n in text] == [], area
    heat = render(member_client, "london", "2023/24", anonymise=True)["susp-heat-grid"]["rowData"]
    assert sum(r["LA"].startswith("LA ") for r in heat) == 32


def test_anonymised_files_name_no_la_but_the_viewers(member_client, other_la_names):
    csv_name, csv_bytes = download(member_client, "susp-dl-heat-csv", "london", "2023/24", anonymise=True)
    xlsx_name, book_bytes = download(member_client, "susp-dl-table-xlsx", "E09000008", "2023/24", anonymise=True)
    book = openpyxl.load_workbook(io.BytesIO(book_bytes))
    workbook_text = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    assert "E09000008" not in xlsx_name and "Anonymised" in workbook_text
    assert "Lambeth" in csv_bytes.decode("utf-8-sig")
    for text in (csv_bytes.decode("utf-8-sig"), workbook_text):
        assert [n for n in other_la_names if n in text] == []


def test_the_workbook_holds_the_pages_table_and_its_notes(member_client):
    _name, content = download(member_client, "susp-dl-table-xlsx", LAMBETH, "2023/24")
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = {r[1]: r for r in book["Data"].iter_rows(values_only=True)}
    header = rows.pop("Ethnic group")
    page = render(member_client, LAMBETH, "2023/24")["susp-table-grid"]["rowData"]
    for row in page:
        for column in ("Pupils", "Rate per 1,000", "RRI"):
            written = rows[row["Ethnic group"]][header.index(column)]
            missing = "n/a" if column in (row["_not_applicable"] or "").split("|") else "c"   # as the grid writes it
            assert written == (row[column] if row[column] is not None else missing), (row["Ethnic group"], column)
    notes = dict(list(book["Notes"].iter_rows(values_only=True))[1:])
    assert "Demo data" in notes["Data"] and "fewer than 10" in notes["Rates on few pupils"]
    assert "cell-key method" in notes["Disclosure control"]


@pytest.mark.parametrize("chart,kind", [("interval", "png"), ("heat", "svg")])
def test_chart_images_are_drawn_on_the_server(member_client, chart, kind):
    name, content = chart_image(member_client, "susp", sus.CHARTS, chart, kind, _state())
    assert SIGNATURE[kind] in content[:400] and len(content) > 5000
    assert name == f"suspensions_london_2023-24_suspended_{chart}.{kind}"


def test_the_deck_has_a_title_slide_and_one_slide_per_chart_matching_the_page(member_client):
    _name, deck = slide_deck(member_client, "susp", _state(area=LAMBETH))
    slides = list(deck.slides)
    assert len(slides) == 2 + len(sus.CHARTS)
    assert "suspensions" in slide_title(slides[0]).lower() and "Demo data" in slide_text(slides[0])
    page = render(member_client, LAMBETH, "2023/24", groups=("blackcaribbean", "blackafrican"))
    titles = {"interval": "susp-interval-title", "trend": "susp-trend-title", "heat": "susp-heat-title"}
    assert [slide_title(s) for s in slides[2:]] == [page[titles[c]]["children"] for c in sus.CHARTS]
    for slide, chart in zip(slides[2:], sus.CHARTS):
        text = slide_text(slide)
        assert page[f"susp-{chart}-takeaway"]["children"] in text
        assert "Source: LA returns by ethnicity" in text and "Demo data" in text
        assert has_picture(slide)


def test_an_anonymised_deck_names_no_la_but_the_viewers(member_client, other_la_names):
    name, deck = slide_deck(member_client, "susp", _state(area="E09000008", anonymise=True))
    text = " ".join(slide_text(s) for s in deck.slides)
    assert "E09000008" not in name and "Anonymised" in text
    assert [n for n in other_la_names if n in text] == []


def test_the_published_views_deck_has_only_the_chart_that_view_has(member_client):
    _name, deck = slide_deck(member_client, "susp", _state(area="published", year="as published"))
    slides = list(deck.slides)
    assert len(slides) == 3 and has_picture(slides[2])          # title, headline figures, the RRI chart
    assert "RRI by ethnic group" in slide_title(slides[2])
