"""The Education suspensions page through the Flask test client: layout from the URL, callbacks, downloads, access."""
import base64
import io
import json

import pandas as pd
import pytest

from dashboard import loader
from dashboard.dashboards.suspensions import view as sus
from dashboard.dashboards.suspensions import data as sus_loader
from dashboard.dashboards.suspensions import returns
from tests.dash_requests import callback_request, response_props
from tests.shared_files import published_cell, shared_file

RENDER_OUTPUTS = [
    ("susp-banner", "children"), ("susp-kpis", "children"), ("susp-definition", "children"),
    ("susp-interval-title", "children"), ("susp-interval", "figure"),
    ("susp-table-title", "children"), ("susp-table-grid", "rowData"), ("susp-table-grid", "columnDefs"),
    ("susp-trend-title", "children"), ("susp-trend", "figure"),
    ("susp-heat-title", "children"), ("susp-heat", "figure"),
    ("susp-heat-table-title", "children"), ("susp-heat-grid", "rowData"), ("susp-heat-grid", "columnDefs"),
    *[(f"susp-{chart}-takeaway", "children") for chart in sus.CHARTS],
    ("susp-trend-part", "hidden"), ("susp-heat-part", "hidden"),
]
FILTER_IDS = ["susp-area", "susp-year", "susp-outcome", "susp-groups"]
DOWNLOAD_BUTTONS = ["susp-dl-table-csv", "susp-dl-table-xlsx", "susp-dl-heat-csv", "susp-dl-heat-xlsx"]
MEMBER_SCOPE = loader.AccessScope("member", "E09000022")


def render(client, area, year, outcome="suspended", groups=("blackcaribbean", "whiteandblackcaribbean"), anonymise=False):
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, [area, year, outcome, list(groups)])] + [("susp-anon", "value", anonymise)]
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


def download(client, button, area, year, outcome="suspended", anonymise=False):
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in DOWNLOAD_BUTTONS]
    state = [(i, "value", v) for i, v in zip(FILTER_IDS, [area, year, outcome, ["blackcaribbean"]])] + [("susp-anon", "value", anonymise)]
    response = callback_request(client, [("susp-download", "data")], inputs, state, triggered=f"{button}.n_clicks")
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    data = response_props(response)["susp-download"]["data"]
    return data["filename"], base64.b64decode(data["content"])


def test_own_la_view_is_labelled_demo_and_lists_all_19_groups(member_client):
    props = render(member_client, "E09000022", "2023/24")
    assert "Demo data" in json.dumps(props["susp-banner"]["children"])
    assert "Lambeth" in props["susp-interval-title"]["children"]
    rows = props["susp-table-grid"]["rowData"]
    assert [r["Ethnic group"] for r in rows][:2] == ["White British", "Irish"] and len(rows) == 20
    assert rows[-1]["Ethnic group"] == "All pupils"
    white_british = rows[0]
    assert white_british["RRI"] == 1.0 and white_british["Band"] == "Reference group"
    # The parity line, the reference diamond and every group on the dot-and-interval chart.
    figure = props["susp-interval"]["figure"]
    assert figure["layout"]["xaxis"]["type"] == "log"
    assert any(shape.get("x0") == 1 and shape.get("x1") == 1 for shape in figure["layout"]["shapes"])
    # London for comparison, on the chart and in the table.
    assert "London" in [trace.get("name") for trace in figure["data"]]
    assert rows[0]["London RRI"] == 1.0 and rows[-1]["London RRI"] is None
    # Both RRI columns to 2 decimal places, as the sentences write them (London's once showed 0, 1, 2, 3).
    formats = {c["field"]: c.get("valueFormatter", {}).get("function", "") for c in props["susp-table-grid"]["columnDefs"]}
    assert "d3.format('.2f')" in formats["RRI"] and "d3.format('.2f')" in formats["London RRI"]


def test_small_numbers_never_reach_the_browser(member_client, server):
    # The City of London has a few hundred pupils: many groups have 1-5 pupils suspended, some 1-5 pupils at all.
    # As Lambeth's member, no count of another LA is shown as 1-4, and a true 1-5 is never shown as itself.
    props = render(member_client, "E09000001", "2023/24")
    with server.app_context():
        raw = sus_loader.la_rows(MEMBER_SCOPE)
    city = raw[(raw["la_code"] == "E09000001") & (raw["academic_year"] == "2023/24")].set_index("ethnicity")
    rows = {r["Ethnic group"]: r for r in props["susp-table-grid"]["rowData"]}
    small = 0
    for group, row in rows.items():
        for column, true in (("Pupils suspended", "pupils_suspended"), ("Pupils", "headcount")):
            shown = row[column]
            assert shown is None or not 1 <= shown <= 4, (group, column, shown)
            if group != "All pupils" and 1 <= city.at[group, true] <= 5:
                small += 1
                assert shown != city.at[group, true], (group, column)
        if row["Pupils suspended"] is not None and row["Pupils suspended"] < 10:
            assert row["Rate per 1,000"] is None and row["RRI"] is None, group
    assert small >= 5, "the City's demo figures should hold small counts to protect"
    # The page says so, in plain words, beside the table.
    notes = json.dumps(props["susp-definition"])
    assert "cell-key method" in notes and "Your own LA's counts are exact" in notes
    assert "NaN" not in json.dumps(props)


def test_the_viewers_own_la_is_exact_and_other_las_are_protected(member_client, server):
    mine = {r["Ethnic group"]: r for r in render(member_client, "E09000022", "2023/24")["susp-table-grid"]["rowData"]}
    with server.app_context():
        raw = sus_loader.la_rows(MEMBER_SCOPE)
        shown = sus.shown_la_rows(MEMBER_SCOPE)
    lambeth = raw[(raw["la_code"] == "E09000022") & (raw["academic_year"] == "2023/24")].set_index("ethnicity")
    for group in ("White British", "Black Caribbean", "Irish"):
        assert mine[group]["Pupils"] == lambeth.at[group, "headcount"]
        assert mine[group]["Pupils suspended"] == lambeth.at[group, "pupils_suspended"]
    year, true_year = shown[shown["academic_year"] == "2023/24"], raw[raw["academic_year"] == "2023/24"]
    others = year[year["la_code"] != "E09000022"].set_index(["la_code", "ethnicity"])["headcount"]
    truth = true_year[true_year["la_code"] != "E09000022"].set_index(["la_code", "ethnicity"])["headcount"]
    assert (others != truth.reindex(others.index)).mean() > 0.5     # other LAs' counts are perturbed, nearly all
    assert (others - truth.reindex(others.index)).abs().max() <= 5


def test_london_view_sums_the_las_and_bands_with_significance(member_client, server):
    props = render(member_client, "london", "2023/24")
    rows = {r["Ethnic group"]: r for r in props["susp-table-grid"]["rowData"]}
    with server.app_context():
        raw = sus_loader.la_rows(MEMBER_SCOPE)
    year = raw[raw["academic_year"] == "2023/24"]
    # Built from the counts as this viewer may see them (other LAs protected), added up, then the rate and RRI.
    with server.app_context():
        shown = sus.shown_la_rows(MEMBER_SCOPE)
    totals = shown[shown["academic_year"] == "2023/24"].groupby("ethnicity")[["headcount", "pupils_suspended"]].sum()
    wb = totals.loc["White British"]
    bc = totals.loc["Black Caribbean"]
    expected = (bc["pupils_suspended"] / bc["headcount"]) / (wb["pupils_suspended"] / wb["headcount"])
    assert rows["Black Caribbean"]["RRI"] == pytest.approx(expected, abs=0.005)
    assert rows["Black Caribbean"]["Pupils"] == bc["headcount"]
    true_bc = year.groupby("ethnicity")["headcount"].sum().loc["Black Caribbean"]
    assert abs(rows["Black Caribbean"]["Pupils"] - true_bc) <= 3 * 32     # each other LA's count moves by at most 3
    assert rows["Black Caribbean"]["Band"].startswith("Substantially over")
    # The heat map covers every London LA, the focus marker absent for an area that is not an LA.
    assert len(props["susp-heat-grid"]["rowData"]) == 33
    assert props["susp-heat"]["figure"]["data"][0]["type"] == "heatmap"


def test_england_view_is_real_and_reproduces_dfe_figures(member_client):
    shared_file(returns.ENGLAND_FILE)     # imported at the app's first start: DfE's figures, not demo ones
    props = render(member_client, "england", "2016/17")
    assert "Real figures" in json.dumps(props["susp-banner"]["children"])
    rows = {r["Ethnic group"]: r for r in props["susp-table-grid"]["rowData"]}
    # DfE: 1,815 of 25,565 Gypsy/Roma pupils had one or more fixed-period exclusions (7.10%); White British 127,445 of 5,439,960.
    assert rows["Gypsy/Roma"]["Rate per 1,000"] == pytest.approx(71.0, abs=0.05)
    assert rows["Gypsy/Roma"]["RRI"] == pytest.approx((1815 / 25565) / (127445 / 5439960), abs=0.005)
    # "All pupils" is DfE's own Total row, not a sum of the groups' rounded counts (8,025,085 / 183,480 in that sum).
    total = {"year": "201617", "characteristic_desc": "Total", "school_type": "Total", "characteristic_2": "Total"}
    assert rows["All pupils"]["Pupils"] == int(published_cell(returns.ENGLAND_FILE.removeprefix("realdata/"), total, "headcount")) == 8025075
    assert rows["All pupils"]["Pupils suspended"] == int(published_cell(returns.ENGLAND_FILE.removeprefix("realdata/"), total, "one_plus_fixed")) == 183475
    assert rows["All pupils"]["Note"] == "all pupils, as published"
    # LA x group heat map needs LA figures: England has none.
    assert "choose London" in json.dumps(props["susp-heat"]["figure"]).replace("<br>", " ")
    # Six academic years of trend.
    assert len(props["susp-trend"]["figure"]["data"][0]["x"]) == 6


def test_published_view_sets_computed_beside_published(member_client):
    shared_file(returns.PUBLISHED_FILE)   # imported at the app's first start
    props = render(member_client, "published", "as published")
    rows = {r["Ethnic group"]: r for r in props["susp-table-grid"]["rowData"]}
    assert rows["Black Caribbean"]["RRI (published)"] == 1.9
    assert rows["Black Caribbean"]["RRI (recomputed)"] == pytest.approx(1.82, abs=0.01)
    # Chinese: about 6 pupils suspended, so this page does not show its RRI (fewer than 10), though the table did.
    assert rows["Chinese"]["RRI (recomputed)"] is None and rows["Chinese"]["Band (published)"] == "Under-represented"
    assert "fewer than 10" in rows["Chinese"]["Note"]
    for name, row in rows.items():
        if name not in ("All pupils", "White British", "Chinese"):
            published = row["Band (published)"]
            recomputed = row["Band (recomputed)"].replace(" (not significant)", "")
            assert recomputed == (published if published != "none (close to parity)" else "Close to parity"), name


def test_published_view_shows_its_table_and_interval_chart_only(member_client):
    """The published table is one year with no LA figures: no empty trend chart, heat map or heat-map table."""
    props = render(member_client, "published", "as published")
    assert props["susp-trend-part"]["hidden"] is True and props["susp-heat-part"]["hidden"] is True
    assert props["susp-table-grid"]["rowData"]
    lambeth = render(member_client, "E09000022", "2023/24")
    assert lambeth["susp-trend-part"]["hidden"] is False and lambeth["susp-heat-part"]["hidden"] is False


def test_area_change_updates_years_and_outcomes(member_client):
    response = callback_request(member_client, [("susp-year", "options"), ("susp-year", "value"),
                                                ("susp-outcome", "options"), ("susp-outcome", "value")],
                                [("susp-area", "value", "published")],
                                [("susp-year", "value", "2023/24"), ("susp-outcome", "value", "permanent")])
    props = response_props(response)
    assert props["susp-year"]["value"] == "as published"
    assert props["susp-outcome"]["value"] == "suspended"  # the published table has suspensions only


def test_permanent_exclusions_outcome_changes_the_table(member_client):
    props = render(member_client, "london", "2023/24", outcome="permanent")
    assert "Permanent exclusions" in props["susp-interval-title"]["children"]
    assert "Permanent exclusions" in props["susp-table-grid"]["rowData"][0]


def test_page_reads_its_filters_from_the_address(member_client):
    response = callback_request(member_client, [("_pages_content", "children"), ("_pages_store", "data")],
                                [("_pages_location", "pathname", "/suspensions"),
                                 ("_pages_location", "search", "?area=sr:east&year=2021/22&outcome=permanent&groups=gypsyroma")])
    assert response.status_code == 200
    text = json.dumps(response.get_json())
    assert '"value": "sr:east"' in text and '"value": "2021/22"' in text and '"value": "permanent"' in text
    assert '"gypsyroma"' in text


def test_unknown_filters_fall_back_to_the_members_own_la(server):
    with server.app_context():
        context = sus.context(MEMBER_SCOPE)
        filters = sus.resolve_filters("nowhere", "1900/01", "bogus", "nonsense", user_la="E09000022", ctx=context)
    assert filters.area == "E09000022" and filters.year == context.la_years[-1] and filters.outcome == "suspended"
    assert "blackcaribbean" in filters.groups


@pytest.mark.parametrize("button, kind", [("susp-dl-table-csv", "csv"), ("susp-dl-table-xlsx", "xlsx")])
def test_downloads_hold_the_table_with_c_where_a_rate_is_not_shown(member_client, button, kind):
    name, raw = download(member_client, button, "E09000001", "2023/24")
    assert name == f"suspensions_E09000001_2023-24_suspended_table.{kind}"
    if kind == "csv":
        table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    else:
        table = pd.read_excel(io.BytesIO(raw), sheet_name="Data", keep_default_na=False)
        notes = pd.read_excel(io.BytesIO(raw), sheet_name="Notes")
        assert "Demo data" in " ".join(notes["Detail"].astype(str))
    assert len(table) == 20 and list(table.columns[:4]) == ["Major group", "Ethnic group", "Pupils", "Pupils suspended"]
    assert (table["RRI"].astype(str) == "c").sum() >= 10       # a small LA: most RRIs suppressed
    assert not (table["RRI"].astype(str) == "").any()


def test_published_download_writes_n_a_where_a_figure_does_not_apply(member_client):
    shared_file(returns.PUBLISHED_FILE)   # imported at the app's first start
    name, raw = download(member_client, "susp-dl-table-csv", "published", "as published")
    table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False, dtype=str).set_index("Ethnic group")
    assert name == "suspensions_published_published_suspended_table.csv"
    assert table.at["All pupils", "Rate per 1,000 (published)"] == "n/a" and table.at["All pupils", "RRI (recomputed)"] == "n/a"
    assert table.at["Indian", "RRI (published)"] == "n/a"          # unreadable in the source, not suppressed
    assert table.at["Chinese", "RRI (recomputed)"] == "c"          # about 6 pupils suspended: suppressed here
    assert table.at["White British", "95% CI low"] == "n/a" and table.at["White British", "Band (published)"] == "reference group"
    assert table.at["Gypsy/Roma", "RRI (published)"] == "2.7"


def test_heat_map_download_lists_every_la(member_client):
    name, raw = download(member_client, "susp-dl-heat-csv", "london", "2023/24")
    table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    assert len(table) == 33 and "Black Caribbean" in table.columns


def test_an_unknown_role_is_refused_by_the_loader(server):
    with server.app_context(), pytest.raises(PermissionError):
        sus_loader.la_rows(loader.AccessScope("stranger", "E09000022"))


def test_anonymous_callback_is_refused(client):
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, ["london", "2023/24", "suspended", []])] + [("susp-anon", "value", False)]
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 401
