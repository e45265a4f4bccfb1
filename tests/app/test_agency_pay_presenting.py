"""Presenting and sharing on the Agency pay page: what-this-shows sentences, anonymised views and files,
chart images drawn on the server, and a deck whose slides match the page."""
import io
import json

import openpyxl
import pandas as pd
import pytest

from dashboard.dashboards.agency_pay import view as pay
from dashboard.dashboards.agency_pay import data as pay_loader
from tests.app.test_agency_pay_page import FILTER_IDS, render
from tests.presenting import SIGNATURE, chart_image, has_picture, press, slide_deck, slide_text, slide_title


@pytest.fixture()
def periods(server):
    with server.app_context():
        return [p.date().isoformat() for p in pay_loader.periods()]


def _state(periods, area="london", job="all", by="la", anonymise=False):
    return ([(i, "value", v) for i, v in zip(FILTER_IDS, [periods[-4], periods[-1], area, job, by])]
            + [("pay-anon", "value", anonymise)])


def _download(client, button, state):
    buttons = [f"pay-dl-{w}-{k}" for w in ("summary", "trend", "caps") for k in ("csv", "xlsx")]
    return press(client, "pay-download", buttons, button, state)


def test_each_chart_says_what_it_shows_with_the_tables_figures(member_client, periods):
    props = render(member_client, periods[-4], periods[-1])
    london, *las = props["pay-summary-grid"]["rowData"]
    sentence = props["pay-range-takeaway"]["children"]
    assert sentence.startswith(f"All London, all job types, {pay.quarter_label(pd.Timestamp(periods[-1]))}")
    assert f"£{london['Median (£/h)']:.2f} an hour" in sentence and f"over {london['Assignments']:,} assignments" in sentence
    lambeth = next(r for r in las if r["LA"] == "Lambeth")
    assert f"Lambeth (your LA): £{lambeth['Median (£/h)']:.2f}" in sentence
    highest = max((r for r in las if isinstance(r["Median (£/h)"], float)), key=lambda r: r["Median (£/h)"])
    assert f"{highest['LA']}'s (£{highest['Median (£/h)']:.2f})" in sentence
    overcap = props["pay-overcap-takeaway"]["children"]
    assert f"{london['% over cap']:.1f}% of assignments (all job types)" in overcap
    assert f"{london['% of spend over cap']:.1f}% of spend" in overcap
    # An LA that made no return is counted as such, never as 0% over cap.
    no_return = sum(r["Assignments"] == "no return" for r in las)
    by_la = props["pay-overcap-la-takeaway"]["children"]
    assert (f"{no_return} no return" in by_la) == bool(no_return)
    for chart in pay.CHARTS:
        assert props[f"pay-{chart}-takeaway"]["children"].endswith(".")


def test_an_area_too_small_for_pay_figures_says_so_rather_than_show_a_figure(member_client, periods):
    props = render(member_client, periods[-4], periods[-1], area="E09000001")     # City of London: a handful of assignments
    pooled = props["pay-summary-grid"]["rowData"][0]
    assert pooled["Assignments"] in (0, 5)                                       # 3 assignments: shown as 0 or 5
    assert pooled["Median (£/h)"] in ("c", "none")
    if pooled["Median (£/h)"] == "c":
        assert "too few assignments to show pay figures (c)" in props["pay-range-takeaway"]["children"]
    assert "£" not in props["pay-range-takeaway"]["children"]


def test_anonymised_view_names_no_la_but_the_viewers(member_client, periods, other_la_names):
    props = render(member_client, periods[-4], periods[-1], area="sr:south", anonymise=True)
    text = json.dumps(props, ensure_ascii=False)
    assert "Lambeth" in text
    assert [n for n in other_la_names if n in text] == []
    assert any(r["LA"].startswith("LA ") for r in props["pay-summary-grid"]["rowData"])
    # The area chosen is another LA: its label heads the chart title, and the takeaway uses it too.
    croydon = render(member_client, periods[-4], periods[-1], area="E09000008", anonymise=True)
    assert "Croydon" not in json.dumps(croydon, ensure_ascii=False)
    assert croydon["pay-range-title"]["children"].split(": ")[1].startswith("LA ")


def test_anonymised_files_name_no_la_but_the_viewers(member_client, periods, other_la_names):
    state = _state(periods, area="E09000008", anonymise=True)
    name, csv_bytes = _download(member_client, "pay-dl-summary-csv", state)
    assert "E09000008" not in name                      # the ONS code would give the LA away
    _name, book_bytes = _download(member_client, "pay-dl-trend-xlsx", state)
    book = openpyxl.load_workbook(io.BytesIO(book_bytes))
    workbook_text = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    assert "Lambeth" in csv_bytes.decode("utf-8-sig")     # Croydon is shown among its sub-region, the viewer's LA named
    for text in (csv_bytes.decode("utf-8-sig"), workbook_text):
        assert [n for n in other_la_names if n in text] == []
    assert "Anonymised" in workbook_text and "Notes" in book.sheetnames


def test_the_workbook_holds_the_pages_table_and_notes(member_client, periods):
    _name, data = _download(member_client, "pay-dl-summary-xlsx", _state(periods))
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = list(book["Data"].iter_rows(values_only=True))
    page = render(member_client, periods[-4], periods[-1])["pay-summary-grid"]["rowData"]
    assert [list(r) for r in rows[1:]] == [list(r.values()) for r in page]
    notes = dict(list(book["Notes"].iter_rows(values_only=True))[1:])
    assert "Demo data" in notes["Data"] and "cell-key method" in notes["Disclosure control"] and "London Pledge" in notes["Source"]


@pytest.mark.parametrize("chart,kind", [("range", "png"), ("overcap-la", "svg")])
def test_chart_images_are_drawn_on_the_server(member_client, periods, chart, kind):
    name, content = chart_image(member_client, "pay", pay.CHARTS, chart, kind, _state(periods))
    assert SIGNATURE[kind] in content[:400] and len(content) > 5000
    assert name.endswith(f"_{chart}.{kind}")


def test_the_deck_has_a_title_slide_and_one_slide_per_chart_matching_the_page(member_client, periods):
    _name, deck = slide_deck(member_client, "pay", _state(periods, area="sr:south"))
    slides = list(deck.slides)
    assert len(slides) == 2 + len(pay.CHARTS)
    assert slide_title(slides[0]) == "Agency pay (London Pledge)" and "Demo data" in slide_text(slides[0])
    page = render(member_client, periods[-4], periods[-1], area="sr:south")
    assert [slide_title(s) for s in slides[2:]] == [page[f"pay-{c}-title"]["children"] for c in pay.CHARTS]
    for slide, chart in zip(slides[2:], pay.CHARTS):
        text = slide_text(slide)
        assert page[f"pay-{chart}-takeaway"]["children"] in text
        assert "Source: London Pledge" in text and "Demo data" in text
        assert has_picture(slide)


def test_an_anonymised_deck_names_no_la_but_the_viewers(member_client, periods, other_la_names):
    name, deck = slide_deck(member_client, "pay", _state(periods, area="E09000008", anonymise=True))
    text = " ".join(slide_text(s) for s in deck.slides)
    assert "E09000008" not in name and "Anonymised" in text
    assert [n for n in other_la_names if n in text] == []


def test_anonymised_rows_are_in_label_order_not_ons_code_order(member_client, periods):
    """Rows listed in ONS code order would let anyone match each label to its LA."""
    rows = render(member_client, periods[-4], periods[-1], anonymise=True)["pay-summary-grid"]["rowData"][1:]
    labels = [r["LA"] for r in rows if r["LA"] != "Lambeth"]
    assert labels == sorted(labels, key=lambda name: int(name[3:]))
