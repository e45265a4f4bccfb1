"""The SEND page through the Flask test client: the main callback as the browser calls it, the guard, downloads.

At first start the test store imports the published files at ../shared/realdata (when present) and fills
only placements and primary need with demo data, so these tests see DfE's real London figures.
"""
import io
import json

import pandas as pd
import pytest

from dashboard import loader
from dashboard.dashboards.send import view as send_page
from dashboard.dashboards.send import data as send_loader
from tests.dash_requests import callback_request, components, figure_numbers, page_layout, response_props, texts

SCOPE = loader.AccessScope("member", "E09000022")
OUTPUTS = [
    ("send-demo-banner", "children"), ("send-kpis", "children"), ("send-definition", "children"),
    ("send-trend-title", "children"), ("send-trend", "figure"),
    ("send-ranking-title", "children"), ("send-ranking", "figure"),
    ("send-placement-demo", "children"), ("send-placement-title", "children"), ("send-placement", "figure"),
    ("send-need-demo", "children"), ("send-need-title", "children"), ("send-need", "figure"),
    ("send-tiles-title", "children"), ("send-tiles", "figure"),
    ("send-share-text", "children"), ("send-share", "figure"),
    ("send-las-table-title", "children"), ("send-las-grid", "rowData"), ("send-las-grid", "columnDefs"),
    ("send-trend-table-title", "children"), ("send-trend-grid", "rowData"), ("send-trend-grid", "columnDefs"),
    ("send-placement-table-title", "children"), ("send-placement-grid", "rowData"), ("send-placement-grid", "columnDefs"),
    ("send-inspection-grid", "rowData"), ("send-inspection-grid", "columnDefs"), ("send-share-title", "children"),
    *[(f"send-{chart}-takeaway", "children") for chart in ("trend", "ranking", "placement", "need", "tiles", "share")],
]
FILTERS = ["send-focus", "send-measure", "send-year", "send-by"]


def render(client, focus="E09000022", measure="timely_20wk_pct", year="2022", by="la", anonymise=False):
    inputs = [(i, "value", v) for i, v in zip(FILTERS, [focus, measure, year, by])] + [("send-anon", "value", anonymise)]
    response = callback_request(client, OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def text_of(component) -> str:
    return json.dumps(component)


def test_anonymous_callback_is_refused(client):
    response = callback_request(client, OUTPUTS, [(i, "value", None) for i in FILTERS])
    assert response.status_code == 401


@pytest.mark.usefixtures("published_data")   # DfE's real figures, from ../shared/realdata
def test_a_member_opening_the_page_sees_their_las_figures_in_every_chart_and_table_and_what_is_demo(member_client):
    assert member_client.get("/send").status_code == 200   # the app's shell, which Dash then fills
    layout = page_layout(member_client, "/send")
    assert texts(layout)[0] == "SEND"
    opened = components(layout)
    chosen = [opened[i]["value"] for i in FILTERS]
    # Their own LA, the 20-week measure, the latest year with a figure for it, placements by LA.
    assert chosen == ["E09000022", "timely_20wk_pct", chosen[2], "la"]
    year = chosen[2]
    assert year in [option["value"] for option in opened["send-year"]["options"]]
    props = render(member_client, *chosen)
    measure = "New EHC plans issued within 20 weeks (excluding exceptions)"
    assert props["send-trend-title"]["children"] == f"{measure}: Lambeth over time"
    assert props["send-ranking-title"]["children"].startswith(f"{measure}: London LAs, calendar year {year}")
    assert props["send-placement-title"]["children"] == f"Where children with a plan are educated, by LA, January {year}"
    assert props["send-need-title"]["children"] == f"Primary need, January {year}"
    kpis = text_of(props["send-kpis"]["children"])
    assert f"EHC plans in force, January {year}" in kpis
    # Each chart draws figures: Lambeth's line first on the trend, every London LA ranked, and placed beside London
    # and England.
    trend = props["send-trend"]["figure"]["data"]
    assert trend[0]["name"] == "Lambeth" and figure_numbers(trend[0]["y"])
    assert max(figure_numbers(trend[0]["x"])) >= int(year)
    assert len(props["send-ranking"]["figure"]["data"][0]["y"]) == 33
    placed = props["send-placement"]["figure"]["data"][0]["y"]
    assert len(placed) == 35 and placed[:2] == ["<i>England</i>", "<i>London</i>"] and "<b>Lambeth ◆</b>" in placed   # the focus LA marked
    for chart in ("need", "tiles", "share"):
        assert props[f"send-{chart}"]["figure"]["data"], chart
    # The tables hold every London LA then London and England, and Lambeth's row has the plans and rate the KPIs show.
    las = pd.DataFrame(props["send-las-grid"]["rowData"]).set_index("Area")
    assert len(las) == 35 and list(las.index[-2:]) == ["London", "England"]
    assert f"{las.at['Lambeth', f'Plans in force, Jan {year}']:,.0f}" in kpis
    assert f"{las.at['Lambeth', 'Within 20 weeks (%)']:.1f}%" in kpis
    assert [row["Area"] for row in props["send-placement-grid"]["rowData"]] == list(las.index)
    assert len(props["send-inspection-grid"]["rowData"]) == 33
    # What is demo says so, at the top and on its charts; the published measures are not labelled demo.
    banner = " ".join(texts(props["send-demo-banner"]["children"]))
    assert "demo data" in banner and "for: placements, primary need." in banner
    # The year opened is the last one loaded (SEN2 to 2022 here): the page says later years are published, not loaded.
    assert f"{year} is the latest year loaded for this measure. Later years are published" in banner
    for chart in ("placement", "need"):
        assert texts(props[f"send-{chart}-demo"]["children"])[0] == "Demo data. "


def test_loader_refuses_a_missing_scope(server):
    with server.app_context():
        with pytest.raises(PermissionError):
            send_loader.send_values(loader.AccessScope("", ""))


@pytest.mark.usefixtures("published_data")   # DfE's real figures, from ../shared/realdata
def test_lambeth_headline_shows_the_published_sen2_figures(member_client):
    props = render(member_client)
    kpis = text_of(props["send-kpis"]["children"])
    assert "2,940" in kpis                  # Lambeth's EHC plans in January 2022 (SEN2)
    assert "20.6%" in kpis                  # 36 of 175 new plans within 20 weeks in 2022
    assert "England 49.2%" in kpis and "London 54.7%" in kpis
    assert "55.0" in kpis                   # per 1,000 aged 0-17: 2,940 / 53,500
    names = [t["name"] for t in props["send-trend"]["figure"]["data"]]
    assert names == ["Lambeth", "South London", "London", "England"]
    # Only placements and primary need are demo data, and the page says so.
    banner = text_of(props["send-demo-banner"]["children"])
    assert "placements" in banner and "primary need" in banner and "EHC plan numbers" not in banner
    assert "Demo data" in text_of(props["send-placement-demo"]["children"])


@pytest.mark.usefixtures("published_data")   # DfE's real figures, from ../shared/realdata
def test_an_la_with_an_x_in_the_file_shows_not_published_never_zero(member_client):
    props = render(member_client)
    rows = {r["Area"]: r for r in props["send-las-grid"]["rowData"]}
    assert rows["Havering"]["Within 20 weeks (%)"] is None           # "x" in SEN2 2022
    assert rows["Havering"]["New plans, 2022"] == 350
    assert "31 of 33 with a figure" in props["send-ranking-title"]["children"]
    bars = props["send-ranking"]["figure"]["data"][0]
    havering = [t for y, t in zip(bars["y"], bars["text"]) if "Havering" in y][0]
    assert havering.startswith("not published")
    city = [t for y, t in zip(bars["y"], bars["text"]) if "City of London" in y][0]
    assert "small numbers: not ranked" in city


@pytest.mark.usefixtures("published_data")   # DfE's real figures, from ../shared/realdata
def test_outcome_one_share_is_explained_with_the_quoted_figures(member_client):
    props = render(member_client)
    text = props["send-share-text"]["children"]
    assert "London 4 of 14 inspected areas with outcome 1 (29%)" in text
    assert "London 3 of 8 inspected areas with outcome 1 (38%); England 12 of 46 (26%)" in text
    tiles = props["send-tiles"]["figure"]["data"]
    outcome_1 = next(t for t in tiles if t["name"] == "Outcome 1")
    tiles_text = " ".join(outcome_1["text"])
    assert len(outcome_1["text"]) == 4   # Brent, Greenwich, Haringey, Richmond upon Thames
    assert all(a in tiles_text for a in ("BRT", "GRN", "HGY", "RCH"))


def test_every_measure_and_the_subregion_view_render(member_client):
    for code in send_page.metrics.TREND_INDICATORS:
        props = render(member_client, "E09000001", code, None, "subregion")
        assert props["send-trend"]["figure"]["data"], code
    placement_rows = props["send-placement-grid"]["rowData"]
    assert {r["Area"] for r in placement_rows} >= {"East London", "North London", "South London", "West London", "London"}


def test_unknown_filters_fall_back_to_defaults(member_client):
    props = render(member_client, "E99999999", "drop table", "1066", "sideways")
    assert "Lambeth over time" in props["send-trend-title"]["children"]   # the member's own LA


def test_downloads_write_not_published_and_carry_notes(server, published_data):
    with server.test_request_context():
        with server.app_context():
            las = loader.local_authorities()
            values = send_loader.send_values(SCOPE)
            filters = send_page.resolve_filters("E09000022", "timely_20wk_pct", "2022", "la", user_la=None, las=las, values=values)
            shown = send_page.presentation(filters, SCOPE)
            for which in ("las", "trend", "inspections", "placements"):
                table, notes, stem = shown.tables[which], shown.notes, shown.table_stems[which]
                assert stem == f"send_{which}_2022" and len(table) > 0
                assert dict(notes)["Not a league table"].startswith("Not a league table")
            table = shown.tables["las"]
    havering = table[table["Area"] == "Havering"].iloc[0]
    assert havering["Within 20 weeks (%)"] == "not published"


def test_download_callback_returns_a_workbook(member_client):
    response = callback_request(
        member_client, [("send-download", "data")],
        [("send-dl-las-csv", "n_clicks", None), ("send-dl-las-xlsx", "n_clicks", 1)] +
        [(f"send-dl-{w}-{k}", "n_clicks", None) for w in ("trend", "placements", "inspections") for k in ("csv", "xlsx")],
        state=[(i, "value", v) for i, v in zip(FILTERS, ["E09000022", "timely_20wk_pct", "2022", "la"])] + [("send-anon", "value", False)],
        triggered="send-dl-las-xlsx.n_clicks")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    data = response_props(response)["send-download"]["data"]
    assert data["filename"] == "send_las_2022.xlsx"
    import base64
    book = pd.read_excel(io.BytesIO(base64.b64decode(data["content"])), sheet_name=None)
    assert set(book) == {"Data", "Notes"}
    assert len(book["Data"]) == 35     # 33 LAs, London, England


def test_a_send_table_column_writes_every_figure_to_one_number_of_decimals_and_a_gap_as_not_published(server):
    import pandas as pd

    from dashboard.dashboards.send.page import _columns
    columns = {c["field"]: c for c in _columns(pd.DataFrame({"LA": ["Kensington and Chelsea", "Brent"],
                                                             "Within 20 weeks (%)": [67.0, 44.1],
                                                             "Rate": [1.5, None]}))}
    share = columns["Within 20 weeks (%)"]["valueFormatter"]["function"]
    assert "d3.format(',.1f')" in share and share.startswith("params.value == null ? 'not published'")   # 67.0 beside 44.1
    assert columns["LA"]["minWidth"] >= 7.5 * len("Kensington and Chelsea")                              # the name is not cut
    assert columns["Rate"]["minWidth"] >= 7.5 * len("not published")                                     # nor the gap's words
