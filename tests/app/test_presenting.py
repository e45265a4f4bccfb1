"""Presenting and sharing on the Benchmarking page: what-this-shows sentences, anonymised views and files,
chart images drawn on the server, and a PowerPoint deck whose slides match the page."""
import csv
import io
import json

import pytest

from dashboard.dashboards.benchmarking import view as bench
from dashboard import loader
from dashboard.dashboards.benchmarking import data as bench_data
from dashboard.presenting import anonymise_las, anonymous_labels
from tests.app.test_benchmarking_page import FILTER_IDS, render
from tests.presenting import SIGNATURE, chart_image, has_picture, press, slide_deck, slide_text, slide_title


@pytest.fixture()
def periods(server):
    with server.app_context():
        return [p.date().isoformat() for p in bench_data.benchmark_periods()]


def test_labels_are_stable_secret_keyed_and_keep_the_viewers_own_la(la_names):
    import pandas as pd
    codes = sorted(la_names)
    first, again, other = anonymous_labels(codes, "s1"), anonymous_labels(codes, "s1"), anonymous_labels(codes, "s2")
    assert first == again and sorted(first.values(), key=lambda x: int(x[3:])) == [f"LA {n}" for n in range(1, 34)]
    assert first != other                                     # the order is not the ONS code order for everyone
    las = pd.DataFrame({"la_code": codes, "la_name": [la_names[c] for c in codes]})
    named = anonymise_las(las, "E09000022", "s1").set_index("la_code")["la_name"]
    assert named["E09000022"] == "Lambeth" and named["E09000008"] == first["E09000008"]


def test_each_chart_says_what_it_shows_from_the_same_figures(member_client, periods):
    props = render(member_client, "cla_rate", "E09000022", periods[-8], periods[-1])
    ranking = props["bench-ranking-takeaway"]["children"]
    lambeth = next(r for r in props["bench-ranking-grid"]["rowData"] if r["LA"] == "Lambeth")
    if lambeth["Value"] is None:
        assert ranking.startswith("Lambeth has no figure")
    else:
        assert ranking.startswith(f"Lambeth is {lambeth['Rank']}")              # cla_rate: neither is better, so "6th highest"
        assert lambeth["Quartile"].lower() in ranking and f"{lambeth['Value']:.1f}" in ranking
    assert props["bench-series-takeaway"]["children"].startswith("Lambeth")
    assert "South London" in props["bench-subregion-takeaway"]["children"] or "no figure" in props["bench-subregion-takeaway"]["children"]


def test_anonymised_view_names_no_la_but_the_viewers(member_client, periods, la_names):
    props = render(member_client, "cla_rate", "E09000008", periods[-8], periods[-1], anonymise=True)
    text = json.dumps(props)
    assert "Lambeth" in text                                   # the viewer's own LA keeps its name
    leaked = [name for code, name in la_names.items() if code != "E09000022" and name in text]
    assert leaked == []
    assert "LA " in props["bench-series-title"]["children"]    # the focus, Croydon, is a label


def _download(client, button, periods, anonymise):
    state = [(i, "value", v) for i, v in zip(FILTER_IDS, ["regional", "cla_rate", "E09000022", periods[-4], periods[-1]])]
    state.append(("bench-anon", "value", anonymise))
    buttons = ["bench-dl-ranking-csv", "bench-dl-ranking-xlsx", "bench-dl-series-csv", "bench-dl-series-xlsx"]
    _name, content = press(client, "bench-download", buttons, button, state)
    return content


def test_anonymised_downloads_carry_no_other_la_name(member_client, periods, la_names):
    import openpyxl
    csv_text = _download(member_client, "bench-dl-ranking-csv", periods, True).decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(_download(member_client, "bench-dl-ranking-xlsx", periods, True)))
    workbook_text = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    for text in (csv_text, workbook_text):
        assert "Lambeth" in text
        assert [n for c, n in la_names.items() if c != "E09000022" and n in text] == []
    assert "Anonymised" in workbook_text                        # the notes sheet says so


def _state(periods, anonymise=False):
    state = [(i, "value", v) for i, v in zip(FILTER_IDS, ["regional", "sw_caseload", "E09000022", periods[-6], periods[-1]])]
    return state + [("bench-anon", "value", anonymise)]


@pytest.mark.parametrize("chart,kind", [("ranking", "png"), ("series", "svg")])
def test_chart_images_are_drawn_on_the_server(member_client, periods, chart, kind):
    name, content = chart_image(member_client, "bench", bench.CHARTS, chart, kind, _state(periods))
    assert SIGNATURE[kind] in content[:400] and len(content) > 5000
    assert name.endswith(f"_{chart}.{kind}")


def test_demo_data_says_so_in_its_csv_and_on_its_images(member_client, periods):
    csv_text = _download(member_client, "bench-dl-ranking-csv", periods, False).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(csv_text)))
    assert header[-1] == "Data" and len(rows) == 33
    assert {row[-1] for row in rows} == {"Demo data: synthetic, not any LA's real figures"}
    _name, svg = chart_image(member_client, "bench", bench.CHARTS, "series", "svg", _state(periods))
    assert b"Demo data" in svg


def test_the_deck_has_a_title_slide_and_one_slide_per_chart_matching_the_page(member_client, periods):
    _name, deck = slide_deck(member_client, "bench", _state(periods))
    slides = list(deck.slides)
    assert len(slides) == 5      # title, headline figures, three charts
    page = render(member_client, "sw_caseload", "E09000022", periods[-6], periods[-1])
    titles = [slide_title(s) for s in slides[2:]]
    assert titles == [page["bench-series-title"]["children"], page["bench-ranking-title"]["children"],
                      page["bench-subregion-title"]["children"]]
    texts = [slide_text(s) for s in slides[2:]]
    assert page["bench-ranking-takeaway"]["children"] in texts[1]
    assert all("Source:" in t and "Demo data" in t for t in texts)
    assert all(has_picture(s) for s in slides[2:])
