"""The Ofsted inspections page through the Flask test client: the main callback as the browser calls it, with the
published ILACS file imported (the app's first start imports ../shared): judgements and dates as the file has them,
blanks kept blank, distributions counted right, neighbours from DfE's model, anonymised views and the files."""
import csv
import io
import json
from collections import Counter

import openpyxl
import pytest

from dashboard.dashboards.ofsted import returns as ofsted_returns
from dashboard.dashboards.send import returns as send_returns
from dashboard.store import get_engine
from tests.dash_requests import callback_request, components, page_layout, response_props, texts
from tests.presenting import SIGNATURE, chart_image, press, slide_deck, slide_text
from tests.shared_files import REALDATA, shared_file

CHARTS = ["london", "neighbours", "distribution", "send"]
TABLES = ["london", "neighbours", "distribution", "send"]
FILTERS = ["ofsted-focus", "ofsted-judgement"]
OUTPUTS = [
    ("ofsted-banner", "children"), ("ofsted-kpis", "children"), ("ofsted-definition", "children"),
    *[o for chart in CHARTS for o in ((f"ofsted-{chart}-title", "children"), (f"ofsted-{chart}", "figure"))],
    ("ofsted-send-demo", "children"),
    ("ofsted-london-grid", "rowData"), ("ofsted-london-grid", "columnDefs"), ("ofsted-neighbours-table-title", "children"),
    ("ofsted-neighbours-grid", "rowData"), ("ofsted-neighbours-grid", "columnDefs"),
    ("ofsted-distribution-table-title", "children"), ("ofsted-distribution-grid", "rowData"),
    ("ofsted-distribution-grid", "columnDefs"), ("ofsted-send-grid", "rowData"), ("ofsted-send-grid", "columnDefs"),
    *[(f"ofsted-{chart}-takeaway", "children") for chart in CHARTS],
]
pytestmark = pytest.mark.usefixtures("published_data")   # the real ILACS file, from ../shared/realdata


def render(client, focus="E09000022", judgement="overall", anonymise=False):
    inputs = [(i, "value", v) for i, v in zip(FILTERS, [focus, judgement])] + [("ofsted-anon", "value", anonymise)]
    response = callback_request(client, OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def workbook_rows() -> list[dict]:
    """The ILACS file's rows as openpyxl reads them (not through the importer)."""
    book = openpyxl.load_workbook(shared_file(REALDATA / "ofsted/ofsted_csc_ilacs_overview.xlsx"), read_only=True)
    lines = list(book.worksheets[0].iter_rows(values_only=True))
    return [dict(zip(lines[0], line)) for line in lines[1:] if line[0] is not None]


def grade(cell) -> str:
    """A workbook cell as the page writes it."""
    text = (cell or "").strip().lower()
    if text in ("", "nan", "none"):
        return "No judgement given"
    if text == "inspection_pre_dates_judgement":
        return "Not judged separately (inspected before January 2023)"
    return text[:1].upper() + text[1:]


def test_anonymous_callback_is_refused(client):
    response = callback_request(client, OUTPUTS, [(i, "value", None) for i in FILTERS])
    assert response.status_code == 401


def test_a_member_opening_the_page_sees_their_las_latest_inspection(member_client):
    layout = page_layout(member_client, "/ofsted")
    assert texts(layout)[0] == "Ofsted inspections"
    opened = components(layout)
    assert [opened[i]["value"] for i in FILTERS] == ["E09000022", "overall"]   # their own LA, overall effectiveness
    props = render(member_client)
    assert props["ofsted-banner"]["children"] is None                             # the file is imported: no notice
    kpis = json.dumps(props["ofsted-kpis"]["children"])
    # Lambeth, standard inspection 12-23 January 2026, published 10 March 2026: good; help and protection requires
    # improvement; care leavers outstanding.
    assert "standard inspection, published 10 March 2026" in kpis
    cards = [texts(card) for card in props["ofsted-kpis"]["children"]["props"]["children"]]
    assert [c[:2] for c in cards[:5]] == [["Overall effectiveness", "Good"], ["Impact of leaders", "Good"],
                                         ["Help and protection", "Requires improvement"], ["Children in care", "Good"],
                                         ["Care leavers", "Outstanding"]]
    for chart in CHARTS:
        assert props[f"ofsted-{chart}"]["figure"]["data"], chart
        assert props[f"ofsted-{chart}-takeaway"]["children"], chart
    assert "Lambeth's overall effectiveness: good, published 10 March 2026" in props["ofsted-london-takeaway"]["children"]
    assert "Lambeth" in props["ofsted-neighbours-title"]["children"]


def test_every_london_row_is_the_workbooks_and_a_blank_stays_blank(member_client):
    rows = {r["LA"]: r for r in render(member_client)["ofsted-london-grid"]["rowData"]}
    assert len(rows) == 33
    book = {r["ltla23cd"]: r for r in workbook_rows()}
    names = {"E09000001": "City of London", "E09000005": "Brent", "E09000022": "Lambeth", "E09000011": "Greenwich",
             "E09000015": "Harrow", "E09000016": "Havering"}
    for code, name in names.items():
        cells, row = book[code], rows[name]
        assert row["Overall effectiveness"] == grade(cells["overall_effectiveness_grade"]), name
        assert row["Impact of leaders"] == grade(cells["impact_of_leaders_grade"]), name
        assert row["Help and protection"] == grade(cells["help_and_protection_grade"]), name
        assert row["Children in care"] == grade(cells["in_care_grade"]), name
        assert row["Care leavers"] == grade(cells["care_leavers_grade"]), name
        day, month, year = cells["publication_date"].split("/")
        assert row["Published"] == f"20{year}-{month}-{day}", name
        assert row["Report"] == f"[Ofsted report]({cells['inspection_link']})", name
    assert rows["Brent"]["Overall effectiveness"] == "No judgement given"    # inspected April 2026, no overall grade
    assert rows["Brent"]["Care leavers"] == "Good"
    assert rows["Havering"]["Overall effectiveness"] == "Inadequate" and rows["Havering"]["Inspection"] == "standard ILACS"


def test_the_distributions_count_the_workbooks_las(member_client):
    props = render(member_client, judgement="overall")
    table = {r["Area"]: r for r in props["ofsted-distribution-grid"]["rowData"]}
    book = workbook_rows()
    for area, rows in (("England", book), ("London", [r for r in book if str(r["ltla23cd"]).startswith("E09")])):
        counted = Counter(grade(r["overall_effectiveness_grade"]) for r in rows)
        row = table[area]
        assert row["LAs"] == len(rows)
        assert {g: row[g] for g in ("Outstanding", "Good", "Requires improvement", "Inadequate", "No judgement given")} == {
            g: counted[g] for g in ("Outstanding", "Good", "Requires improvement", "Inadequate", "No judgement given")}, area
    # The MANIFEST's own count of London: 18 outstanding, 11 good, 1 requires improvement, 2 inadequate, 1 blank.
    london = table["London"]
    assert (london["Outstanding"], london["Good"], london["Requires improvement"], london["Inadequate"],
            london["No judgement given"]) == (18, 11, 1, 2, 1)
    assert london["Good or better (% of LAs judged)"] == "91%"              # 29 of the 32 with a grade, not of 33
    assert "London 91% (29 of 32 judged)" in props["ofsted-distribution-takeaway"]["children"]
    # Care leavers: the seven inspections before January 2023 have no care leavers judgement, not a grade.
    england = {r["Area"]: r for r in render(member_client, judgement="care_leavers")["ofsted-distribution-grid"]["rowData"]}["England"]
    assert england["No judgement given"] == sum(grade(r["care_leavers_grade"]).startswith("Not judged") for r in book) == 7


def test_neighbours_are_dfes_2025_model_with_their_judgements_inside_and_outside_london(member_client):
    with open(shared_file(REALDATA / "stat_neighbours/sn_model_2025_wide.csv"), encoding="utf-8-sig") as f:
        model = {r["old_la_code"]: r for r in csv.DictReader(f)}
    book = {str(r["la_code"]): r for r in workbook_rows()}
    props = render(member_client, focus="E09000002")   # Barking and Dagenham: neighbours in London and beyond
    rows = props["ofsted-neighbours-grid"]["rowData"]
    assert rows[0]["Neighbour rank"] == "focus LA" and rows[0]["LA"] == "Barking and Dagenham"
    expected = [model["301"][f"SN_{n}"] for n in range(1, 11)]
    assert len(rows) == 11
    for n, (row, code) in enumerate(zip(rows[1:], expected), start=1):
        assert row["Neighbour rank"] == str(n)
        assert row["Overall effectiveness"] == grade(book[code]["overall_effectiveness_grade"]), code
    luton = next(r for r in rows if r["LA"] == "Luton")    # 821, outside London
    assert luton["Region"] == "East of England"


def test_send_inspections_are_the_send_pages(member_client):
    props = render(member_client, focus="E09000005")
    brent = next(r for r in props["ofsted-send-grid"]["rowData"] if r["LA"] == "Brent")
    assert brent["Outcome (2023 framework)"].startswith("Outcome 1: typically positive")   # Brent: outcome 1, published March 2025
    assert brent["Published"].startswith("2025-03")
    assert props["ofsted-send-demo"]["children"] is None                       # Ofsted's files imported: not demo
    assert "Brent: outcome 1" in props["ofsted-send-takeaway"]["children"]


def test_anonymised_view_names_no_other_london_la_and_gives_no_report_link(member_client, la_names):
    props = render(member_client, focus="E09000002", anonymise=True)
    text = json.dumps(props)
    assert "Lambeth" in text
    assert [name for code, name in la_names.items() if code != "E09000022" and name in text] == []
    assert "files.ofsted.gov.uk" not in text and "Luton" not in text
    assert props["ofsted-neighbours-title"]["children"].startswith("LA ")


def _state(focus="E09000022", anonymise=False):
    return [(i, "value", v) for i, v in zip(FILTERS, [focus, "overall"])] + [("ofsted-anon", "value", anonymise)]


def test_tables_download_as_csv_and_excel_as_the_page_shows_them(member_client):
    buttons = [f"ofsted-dl-{t}-{k}" for t in TABLES for k in ("csv", "xlsx")]
    name, content = press(member_client, "ofsted-download", buttons, "ofsted-dl-london-csv", _state())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert name == "ofsted_london.csv" and len(rows) == 33
    brent = next(r for r in rows if r["LA"] == "Brent")
    assert brent["Overall effectiveness"] == "No judgement given" and brent["Report"].startswith("https://files.ofsted.gov.uk/")
    name, content = press(member_client, "ofsted-download", buttons, "ofsted-dl-distribution-xlsx", _state())
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert name == "ofsted_distribution.xlsx" and book.sheetnames == ["Data", "Notes"]
    assert any("No judgement given" in str(row) for row in book["Notes"].iter_rows(values_only=True))


def test_chart_images_and_the_deck_match_the_page(member_client):
    name, image = chart_image(member_client, "ofsted", CHARTS, "distribution", "png", _state())
    assert name.endswith(".png") and image.startswith(SIGNATURE["png"])
    name, deck = slide_deck(member_client, "ofsted", _state())
    slides = list(deck.slides)
    assert name == "ofsted_overall.pptx" and len(slides) == 2 + len(CHARTS)
    props = render(member_client)
    for slide, chart in zip(slides[2:], CHARTS):
        assert props[f"ofsted-{chart}-takeaway"]["children"] in slide_text(slide)


def test_before_the_file_is_imported_the_page_says_so_and_shows_no_made_up_judgement(member_client, restore_demo):
    try:
        ofsted_returns.load_demo(get_engine(), seed=7)   # as a first start leaves it before the import: empty
        props = render(member_client)
        assert "No summary of Ofsted's inspections" in json.dumps(props["ofsted-banner"]["children"])
        cards = [texts(card) for card in props["ofsted-kpis"]["children"]["props"]["children"]]
        assert [c[1] for c in cards[:5]] == ["No inspection held"] * 5
        assert {r["Overall effectiveness"] for r in props["ofsted-london-grid"]["rowData"]} == {"No inspection held"}
        assert props["ofsted-london-takeaway"]["children"] == "No ILACS inspections have been imported."
        assert props["ofsted-send"]["figure"]["data"]        # the SEND page's inspections still shown
    finally:
        restore_demo({"ofsted"})   # later tests expect the published file imported again
    assert render(member_client)["ofsted-banner"]["children"] is None


def test_with_the_send_pages_demo_inspections_that_section_alone_is_labelled_demo(member_client, restore_demo):
    try:
        send_returns.load_demo_only(get_engine(), seed=7)
        props = render(member_client)
        assert "Demo data" in json.dumps(props["ofsted-send-demo"]["children"])
        assert props["ofsted-banner"]["children"] is None
        buttons = [f"ofsted-dl-{t}-{k}" for t in TABLES for k in ("csv", "xlsx")]
        _name, content = press(member_client, "ofsted-download", buttons, "ofsted-dl-send-csv", _state())
        assert "Demo data: synthetic" in content.decode("utf-8-sig").splitlines()[1]   # every row of a demo CSV says so
        _name, content = press(member_client, "ofsted-download", buttons, "ofsted-dl-london-csv", _state())
        assert "Demo data" not in content.decode("utf-8-sig")                          # the ILACS judgements are real
    finally:
        restore_demo({"send"})
