"""The Leadership in Colour page through the Flask test client: real published figures, demo counts with
suppression, the DfE role pipeline, downloads, the address and access."""
import base64
import io
import json
import re

import pandas as pd
import pytest

from dashboard.dashboards.leadership_in_colour import view as linc
from dashboard import loader
from dashboard.dashboards.leadership_in_colour import data as linc_loader
from tests.dash_requests import callback_request, response_props

RENDER_OUTPUTS = [
    ("linc-demo-banner", "children"), ("linc-messages", "children"), ("linc-kpis", "children"),
    ("linc-band-title", "children"), ("linc-band", "figure"),
    ("linc-group-title", "children"), ("linc-groups", "figure"),
    ("linc-band-table-title", "children"), ("linc-ceiling-text", "children"),
    ("linc-band-grid", "rowData"), ("linc-band-grid", "columnDefs"),
    ("linc-groups-grid", "rowData"), ("linc-groups-grid", "columnDefs"),
    ("linc-borough-title", "children"), ("linc-borough-grid", "rowData"), ("linc-borough-grid", "columnDefs"),
    ("linc-role-title", "children"), ("linc-roles", "figure"),
    ("linc-notknown-title", "children"), ("linc-notknown", "figure"),
    ("linc-role-table-title", "children"), ("linc-role-grid", "rowData"), ("linc-role-grid", "columnDefs"),
    ("linc-notknown-grid", "rowData"), ("linc-notknown-grid", "columnDefs"),
    ("linc-notes", "children"),
    *[(f"linc-{chart}-takeaway", "children") for chart in linc.CHARTS],
]
FILTER_IDS = ["linc-source", "linc-borough", "linc-service", "linc-group"]
DOWNLOAD_INPUTS = [f"linc-dl-{t}-{k}" for t in ("band", "groups", "borough", "role", "notknown") for k in ("csv", "xlsx")]


def render(client, source="published", borough="all", service="all", group="bgm", anonymise=False):
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, [source, borough, service, group])] + [("linc-anon", "value", anonymise)]
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response_props(response)


def download(client, button, source="published", borough="all", service="all", group="bgm", anonymise=False):
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in DOWNLOAD_INPUTS]
    state = [(i, "value", v) for i, v in zip(FILTER_IDS, [source, borough, service, group])] + [("linc-anon", "value", anonymise)]
    response = callback_request(client, [("linc-download", "data")], inputs, state, triggered=f"{button}.n_clicks")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    data = response_props(response)["linc-download"]["data"]
    return base64.b64decode(data["content"]), data["filename"]


def test_published_mode_shows_the_all_borough_series_with_the_glass_ceiling_at_50_60k(member_client):
    props = render(member_client)
    assert props["linc-demo-banner"]["children"] is None           # real figures: no demo label
    bars = props["linc-band"]["figure"]["data"][0]
    assert len(bars["x"]) == 12 and bars["x"][4] == "£50k-60k" and bars["customdata"][4] == "£50,001 to £60,000"
    assert bars["text"][3] == "41.7%" and bars["text"][4] == "33.4%"
    notes = [a["text"] for a in props["linc-band"]["figure"]["layout"]["annotations"]]
    assert any("Glass ceiling" in t for t in notes)
    ceiling_rows = [r for r in props["linc-band-grid"]["rowData"] if r["Glass ceiling"]]
    assert [r["Pay band"] for r in ceiling_rows] == ["£50,001 to £60,000"]
    assert "£50,001 to £60,000" in props["linc-ceiling-text"]["children"]
    kpis = json.dumps(props["linc-kpis"]["children"])
    assert "45%" in kpis                                            # all staff, Grand Total, as published
    # One rounding rule for the population share: the same 41.8% on every card (41% on one and 42% on another once).
    assert "population 2016: 41.8%" in kpis and "population 41.8%" in kpis
    population_column = {r["Population share"] for r in props["linc-band-grid"]["rowData"]}
    assert population_column == {"41.8%"}


def test_group_table_beside_the_group_chart_keeps_the_marker(member_client):
    props = render(member_client, borough="E09000004")                 # Bexley: Asian over £60k is <10%
    rows = {r["Pay band"]: r for r in props["linc-groups-grid"]["rowData"]}
    assert list(rows) == ["Up to £30,000", "£30,001 to £60,000", "Over £60,000"]
    assert rows["Over £60,000"]["Asian"] == "<10%"
    assert rows["Up to £30,000"]["Black and Global Majority"] == f"{0.13 / 0.21:.2f}"   # 13% against 21%


def test_borough_table_keeps_published_text_and_the_suppression_marker(member_client):
    props = render(member_client, group="asian")
    rows = {r["area"]: r for r in props["linc-borough-grid"]["rowData"]}
    assert len(rows) == 33                                          # 31 boroughs, Richmond & Wandsworth, Grand Total
    assert rows["Bexley"]["over_60k"] == "<10%" and rows["Bexley"]["over_60k__pos"] == "unknown"
    assert rows["Barking & Dagenham"]["all_staff"] == "10.4%"
    assert rows["Barking & Dagenham"]["all_staff__pos"] == "well_below"   # 10.4% against 18.2%: ratio 0.57
    columns = [c["field"] for c in props["linc-borough-grid"]["columnDefs"]]
    assert columns[:6] == ["area", "all_staff", "up_to_30k", "30k_to_60k", "over_60k", "population"]


def test_a_borough_in_a_joint_return_says_so(member_client):
    props = render(member_client, borough="E09000027")
    messages = json.dumps(props["linc-messages"]["children"])
    assert "Richmond and Wandsworth" in messages and "Kingston upon Thames and Richmond upon Thames" in messages
    assert "Richmond & Wandsworth" in props["linc-band-title"]["children"]
    focus = [r["area"] for r in props["linc-borough-grid"]["rowData"] if r["_focus"]]
    assert focus == ["Lambeth", "Richmond & Wandsworth"]            # the chosen area and the member's own LA


def test_role_pipeline_shows_real_dfe_figures(member_client):
    props = render(member_client)
    rows = props["linc-role-grid"]["rowData"]
    senior = [r for r in rows if r["Year (30 September)"] == 2025 and r["Role"] == "Senior manager"][0]
    assert senior["Black and Global Majority share of known"] == "41.4%"
    assert "London" in props["linc-role-title"]["children"]
    lines = props["linc-roles"]["figure"]["data"]
    assert [t["name"] for t in lines][-1] == "London 2025"
    assert lines[-1]["line"]["width"] == 4                         # the latest year stands out
    assert "2019 to 2025" in props["linc-role-title"]["children"]


def test_lambeth_role_view_has_london_as_comparator_and_stands_out_in_not_known(member_client):
    props = render(member_client, borough="E09000022")
    names = [t["name"] for t in props["linc-roles"]["figure"]["data"]]
    assert names[-2:] == ["Lambeth 2025", "London 2025"]
    labels = props["linc-notknown"]["figure"]["data"][0]["y"]
    assert [y for y in labels if "◆" in y] == ["<b>Lambeth ◆</b>"]
    assert "26.5%" in json.dumps(props["linc-kpis"]["children"])


def test_demo_mode_is_labelled_and_no_count_of_1_to_4_reaches_the_browser(member_client, server):
    # The City's technical services: a handful of staff per band. Headcounts are added up from counts protected by
    # the cell-key method (each 0 or 5 and over), so no band shows 1 to 4 staff, and the page says why.
    props = render(member_client, source="demo", borough="E09000001", service="technical")
    assert "Demo data" in json.dumps(props["linc-demo-banner"]["children"])
    with server.app_context():
        true = linc_loader.payband_headcount(loader.AccessScope("member", "E09000022"))
    city = true[(true["la_code"] == "E09000001") & (true["service_group"] == "technical")
                & (true["snapshot_date"] == true.loc[true["la_code"] == "E09000001", "snapshot_date"].max())]
    true_known = city[city["ethnicity"] != "not_known"].groupby("band_order")["headcount"].sum()
    assert ((true_known >= 1) & (true_known <= 5)).any(), "the demo should hold small bands to protect"
    rows = props["linc-band-grid"]["rowData"]
    assert '"c"' not in json.dumps(rows)
    for row in rows:
        known = row["Staff with known ethnicity"]
        assert not re.fullmatch(r"[1-4]", known), row               # 1-4 never reaches the browser
    assert any(r["Share of staff"] == "no staff" for r in rows)
    assert "cell-key method" in json.dumps(props)


def test_demo_mode_offers_every_group_and_the_group_chart_draws_them(member_client):
    props = render(member_client, source="demo", group="mixed")
    assert "Census 2021 residents" in json.dumps(props["linc-kpis"]["children"])    # real population beside demo counts
    names = [t["name"] for t in props["linc-groups"]["figure"]["data"]]
    assert names == ["Black and Global Majority", "Asian", "Black", "Mixed / multiple heritage", "Other ethnic group", "White"]
    assert "Mixed / multiple heritage share" in props["linc-band-title"]["children"]
    rows = props["linc-borough-grid"]["rowData"]
    assert len(rows) == 34 and rows[0]["area"] == "All boroughs (London)"


def test_unknown_filters_fall_back_to_defaults(member_client):
    props = render(member_client, source="nonsense", borough="E99999999", service="x", group="white")
    assert "all boroughs" in props["linc-band-title"]["children"]
    assert props["linc-demo-banner"]["children"] is None           # published by default; White is not published there


def test_source_change_resets_a_group_the_source_does_not_have(member_client):
    response = callback_request(member_client, [("linc-group", "options"), ("linc-group", "value"), ("linc-service", "disabled")],
                                [("linc-source", "value", "published")], [("linc-group", "value", "mixed")])
    props = response_props(response)
    assert props["linc-group"]["value"] == "bgm" and props["linc-service"]["disabled"] is True
    assert [o["value"] for o in props["linc-group"]["options"]] == ["bgm", "asian", "black"]


def test_borough_csv_download_has_every_row_and_the_marker(member_client):
    content, filename = download(member_client, "linc-dl-borough-csv", group="black")
    assert filename == "leadership_in_colour_borough_published_all_black.csv"
    text = pd.read_csv(io.StringIO(content.decode("utf-8-sig")), dtype=str, keep_default_na=False)
    assert len(text) == 33
    assert "Over £60,000: against population" in text.columns
    havering = text.set_index("Borough").loc["Havering"]
    assert havering["Over £60,000"] == "<10%" and havering["Over £60,000: against population"] != "below population"


def test_excel_download_of_demo_counts_carries_the_demo_note(member_client):
    content, _ = download(member_client, "linc-dl-band-xlsx", source="demo")
    book = pd.read_excel(io.BytesIO(content), sheet_name=None)
    assert set(book) == {"Data", "Notes"}
    assert book["Notes"]["Note"].iloc[0] == "Demo data"


def test_loader_refuses_an_unknown_role(server):
    with server.app_context():
        with pytest.raises(PermissionError):
            linc_loader.published_boroughs(loader.AccessScope("stranger", "E09000022"))


def test_anonymous_callback_is_refused(client):
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, ["published", "all", "all", "bgm"])] + [("linc-anon", "value", False)]
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 401


def test_page_reads_its_filters_from_the_address(member_client):
    response = callback_request(member_client, [("_pages_content", "children"), ("_pages_store", "data")],
                                [("_pages_location", "pathname", "/leadership-in-colour"),
                                 ("_pages_location", "search", "?source=demo&borough=E09000008&group=black")])
    assert response.status_code == 200
    body = json.dumps(response.get_json())
    assert '"value": "demo"' in body and '"value": "E09000008"' in body and '"value": "black"' in body


@pytest.mark.parametrize("dataset", ["reference", "linc", "linc_published", "linc_csww"])
def test_views_are_cached_per_dataset_version(server, dataset):
    from unittest import mock

    from dashboard.dashboards.leadership_in_colour import returns as linc_data
    from dashboard.store import get_engine
    from dashboard.store.datasets import bump_version
    assert {linc_data.NAME, linc_data.PUBLISHED, linc_data.CSWW} == {"linc", "linc_published", "linc_csww"}
    filters = linc.Filters("published", "E09000005", "all", "black")
    with server.app_context():
        member = loader.AccessScope("member", "E09000022")
        loader.cache.clear()
        with mock.patch.object(linc, "_build_view", wraps=linc._build_view) as builds:
            first = linc.build_view(filters, member)
            linc.build_view(filters, member)
            assert builds.call_count == 1                              # the second is a cache hit
            with get_engine().begin() as conn:
                bump_version(conn, dataset)                            # a new import of any dataset the view reads
            again = linc.build_view(filters, member)
            assert builds.call_count == 2                              # seen at once, no flush
        assert again.kpis == first.kpis
        # A caller the loaders would refuse never gets the cached view.
        with pytest.raises(PermissionError):
            linc.build_view(filters, loader.AccessScope("stranger", "E09000022"))


def _marked_rows(view) -> set[str]:
    return {row["area"] for row in view.borough_table.to_dict("records") if row["_focus"]}


def _not_known_focus(view) -> list[str]:
    return [label for label in view.not_known_figure["data"][0]["y"] if "◆" in label]


@pytest.mark.parametrize("source", ["published", "demo"])
def test_members_of_different_las_share_one_build_and_each_sees_their_own_la_marked(server, source):
    from unittest import mock
    filters = linc.Filters(source, "all", "all", "bgm")
    lambeth, croydon = loader.AccessScope("member", "E09000022"), loader.AccessScope("member", "E09000008")
    with server.app_context():
        loader.cache.clear()
        with mock.patch.object(linc, "_build_view", wraps=linc._build_view) as builds:
            for_lambeth, for_croydon = linc.build_view(filters, lambeth), linc.build_view(filters, croydon)
            assert builds.call_count == 1                              # one build for every member
        everyone = {"All boroughs (Grand Total)"} if source == "published" else set()   # the chosen area: all boroughs
        assert _marked_rows(for_lambeth) == everyone | {"Lambeth"}     # each sees their own LA, never the other's
        assert _marked_rows(for_croydon) == everyone | {"Croydon"}
        assert _not_known_focus(for_lambeth) == ["<b>Lambeth ◆</b>"] and _not_known_focus(for_croydon) == ["<b>Croydon ◆</b>"]
        assert "in Lambeth" in for_lambeth.takeaways["notknown"] and "in Croydon" in for_croydon.takeaways["notknown"]
        assert "_la_codes" not in for_lambeth.borough_table.columns   # the marking's helper column never reaches the page
        # A chosen borough is the chart's focus for everyone; the own LA's row still stands out in the table.
        camden = linc.build_view(linc.Filters(source, "E09000007", "all", "bgm"), croydon)
        assert _not_known_focus(camden) == ["<b>Camden ◆</b>"] and "Croydon" in _marked_rows(camden)


def test_a_member_in_a_joint_published_return_sees_the_joint_row_marked(server):
    with server.app_context():
        view = linc.build_view(linc.Filters("published", "all", "all", "bgm"), loader.AccessScope("member", "E09000032"))
    assert [area for area in _marked_rows(view) if "Wandsworth" in area] == ["Richmond & Wandsworth"]   # as published


def test_anonymised_views_are_built_per_viewer_with_only_the_viewers_la_named(server):
    from unittest import mock
    filters = linc.Filters("published", "all", "all", "bgm")
    lambeth, croydon = loader.AccessScope("member", "E09000022"), loader.AccessScope("member", "E09000008")
    with server.app_context():
        loader.cache.clear()
        with mock.patch.object(linc, "_build_view", wraps=linc._build_view) as builds:
            for_lambeth = linc.build_view(filters, lambeth, anonymise_with="secret")
            for_croydon = linc.build_view(filters, croydon, anonymise_with="secret")
            assert builds.call_count == 2
    for view, own, other in ((for_lambeth, "Lambeth", "Croydon"), (for_croydon, "Croydon", "Lambeth")):
        areas = set(view.borough_table["area"])
        assert own in areas and other not in areas
        assert own in _marked_rows(view) and _not_known_focus(view) == [f"<b>{own} ◆</b>"]


def test_all_boroughs_headline_counts_every_las_latest_return_whatever_its_date(member_client, server, restore_demo):
    """Lambeth returns its staff on a later date than the demo snapshot, every one of them Black: the all-boroughs
    "all staff" share must count them (each LA's latest figures, whatever their dates), not only the LAs on the
    earliest date."""
    from dashboard.ingest import loading, samples
    from dashboard.store import get_engine

    def headline():
        kpis = json.dumps(render(member_client, source="demo", group="black")["linc-kpis"]["children"])
        return float(re.search(r"Black, all staff.*?(\d+)%", kpis).group(1))

    before = headline()
    rows = samples.linc_return("E09000022", "2025-03-31")
    rows["headcount"] = [("4000" if e == "black" else "0") for e in rows["ethnicity"]]
    try:
        with server.app_context():
            engine = get_engine()
            report = loading.validate(engine, "linc", "linc.csv", rows.to_csv(index=False).encode(), "E09000022",
                                      "2025-03-31", max_bytes=2**20)
            assert loading.commit(engine, report, "officer@lambeth.example").status == "committed"
        assert headline() > before + 20       # hundreds of thousands of Black staff more in London's figures
    finally:
        restore_demo(["linc"])
