"""Presenting and sharing on the Benchmarking page: what-this-shows sentences, anonymised views and files,
chart images drawn on the server, and a PowerPoint deck whose slides match the page."""
import base64
import io
import json

import pytest
from pptx import Presentation

from dashboard import loader
from dashboard.presenting import anonymise_las, anonymous_labels
from tests.app.test_benchmarking_page import FILTER_IDS, render
from tests.dash_requests import callback_request, response_props


@pytest.fixture()
def periods(server):
    with server.app_context():
        return [p.date().isoformat() for p in loader.benchmark_periods()]


@pytest.fixture()
def la_names(server):
    with server.app_context():
        return dict(zip(loader.local_authorities()["la_code"], loader.local_authorities()["la_name"]))


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
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in
              ["bench-dl-ranking-csv", "bench-dl-ranking-xlsx", "bench-dl-series-csv", "bench-dl-series-xlsx"]]
    response = callback_request(client, [("bench-download", "data")], inputs, state, triggered=f"{button}.n_clicks")
    return base64.b64decode(response_props(response)["bench-download"]["data"]["content"])


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


@pytest.mark.parametrize("button,signature", [("bench-ranking-png", b"\x89PNG"), ("bench-series-svg", b"<svg")])
def test_chart_images_are_drawn_on_the_server(member_client, periods, button, signature):
    buttons = [f"bench-{c}-{k}" for c in ("series", "ranking", "subregion") for k in ("png", "svg")]
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in buttons]
    response = callback_request(member_client, [("bench-image-download", "data")], inputs, _state(periods),
                                triggered=f"{button}.n_clicks")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response_props(response)["bench-image-download"]["data"]
    content = base64.b64decode(data["content"])
    assert content.lstrip()[:len(signature)] == signature or signature in content[:400]
    assert data["filename"].endswith(button.rsplit("-", 1)[1])


def test_the_deck_has_a_title_slide_and_one_slide_per_chart_matching_the_page(member_client, periods):
    response = callback_request(member_client, [("bench-deck-download", "data")], [("bench-deck", "n_clicks", 1)],
                                _state(periods))
    deck = Presentation(io.BytesIO(base64.b64decode(response_props(response)["bench-deck-download"]["data"]["content"])))
    slides = list(deck.slides)
    assert len(slides) == 4
    page = render(member_client, "sw_caseload", "E09000022", periods[-6], periods[-1])
    titles = [s.shapes.title.text for s in slides[1:]]
    assert titles == [page["bench-series-title"]["children"], page["bench-ranking-title"]["children"],
                      page["bench-subregion-title"]["children"]]
    texts = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in slides[1:]]
    assert page["bench-ranking-takeaway"]["children"] in texts[1]
    assert all("Source:" in t and "Demo data" in t for t in texts)
    assert all(any(sh.shape_type == 13 for sh in s.shapes) for s in slides[1:])   # 13 = a picture: the chart
