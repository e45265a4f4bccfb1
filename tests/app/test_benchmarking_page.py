"""The Benchmarking page through the Flask test client: layout from the URL, the main callback, downloads."""
import io
import json

import pandas as pd
import pytest

from dashboard.dashboards.benchmarking import view as bench
from dashboard import loader
from dashboard.dashboards.benchmarking import data as bench_data
from tests.dash_requests import callback_request, response_props

RENDER_OUTPUTS = [
    ("bench-demo-banner", "children"), ("bench-kpis", "children"), ("bench-definition", "children"),
    ("bench-series-title", "children"), ("bench-series", "figure"),
    ("bench-ranking-title", "children"), ("bench-ranking", "figure"),
    ("bench-subregion-title", "children"), ("bench-subregion", "figure"),
    ("bench-ranking-table-title", "children"), ("bench-ranking-grid", "rowData"), ("bench-ranking-grid", "columnDefs"),
    ("bench-series-table-title", "children"), ("bench-series-grid", "rowData"), ("bench-series-grid", "columnDefs"),
    ("bench-series-takeaway", "children"), ("bench-ranking-takeaway", "children"), ("bench-subregion-takeaway", "children"),
]
FILTER_IDS = ["bench-source", "bench-indicator", "bench-focus", "bench-start", "bench-end"]


def render(client, indicator, focus, start, end, source="regional", anonymise=False):
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, [source, indicator, focus, start, end])]
    inputs.append(("bench-anon", "value", anonymise))
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response_props(response)


@pytest.fixture()
def periods(server):
    with server.app_context():
        return [p.date().isoformat() for p in bench_data.benchmark_periods()]


def test_main_callback_draws_the_focus_la_against_its_comparators(member_client, periods):
    props = render(member_client, "cla_rate", "E09000022", periods[-8], periods[-1])
    assert "Lambeth over time" in props["bench-series-title"]["children"]
    series_names = [trace["name"] for trace in props["bench-series"]["figure"]["data"]]
    assert series_names == ["Lambeth", "South London average", "London average", "England (demo)"]
    assert len(props["bench-series"]["figure"]["data"][0]["x"]) == 8  # eight quarters chosen
    rows = props["bench-ranking-grid"]["rowData"]
    assert len(rows) == 33
    assert "Demo data" in json.dumps(props["bench-demo-banner"]["children"])


def test_ranking_grid_shows_no_return_as_null_never_zero(member_client, server, periods):
    with server.app_context():
        values = bench_data.benchmark_indicator("cla_rate", loader.AccessScope("member", "E09000022"))["values"]
    missing = values[values["value"].isna()].iloc[0]
    end = missing["period_end"].date().isoformat()
    props = render(member_client, "cla_rate", "E09000022", periods[0], end)
    las = {r["LA"]: r for r in props["bench-ranking-grid"]["rowData"]}
    with server.app_context():
        name = loader.local_authorities().set_index("la_code").loc[missing["la_code"], "la_name"]
    assert las[name]["Value"] is None and las[name]["Rank"] is None
    assert las[name]["Flag"] == "No return"
    n_returned = sum(r["Value"] is not None for r in las.values())
    assert f"{n_returned} of 33 returned" in props["bench-ranking-title"]["children"]


def test_england_line_only_where_the_catalogue_has_it(member_client, periods):
    props = render(member_client, "uasc_cla", "E09000022", periods[-4], periods[-1])
    names = [trace["name"] for trace in props["bench-series"]["figure"]["data"]]
    assert not [n for n in names if n.startswith("England")]


def test_unknown_filter_values_fall_back_to_defaults(member_client, periods):
    props = render(member_client, "not-an-indicator", "E99999999", "1900-01-01", "garbage")
    # Falls back to the first indicator, the member's own LA and the latest quarters.
    assert "Lambeth over time" in props["bench-series-title"]["children"]


def test_page_reads_its_filters_from_the_address(member_client):
    # The layout callback renders the page for the URL: the dropdowns start from the query string.
    from tests.dash_requests import callback_request as request
    response = request(member_client, [("_pages_content", "children"), ("_pages_store", "data")],
                       [("_pages_location", "pathname", "/benchmarking"),
                        ("_pages_location", "search", "?indicator=sw_caseload&focus=E09000008")])
    assert response.status_code == 200
    text = json.dumps(response.get_json())
    assert '"value": "sw_caseload"' in text and '"value": "E09000008"' in text


def test_csv_and_excel_downloads_hold_the_ranked_table(member_client, periods):
    state = [(i, "value", v) for i, v in zip(FILTER_IDS, ["regional", "sw_agency_pct", "E09000022", periods[-4], periods[-1]])]
    state.append(("bench-anon", "value", False))
    for button, kind in [("bench-dl-ranking-csv", "csv"), ("bench-dl-ranking-xlsx", "xlsx")]:
        inputs = [(b, "n_clicks", 1 if b == button else None) for b in
                  ["bench-dl-ranking-csv", "bench-dl-ranking-xlsx", "bench-dl-series-csv", "bench-dl-series-xlsx"]]
        response = callback_request(member_client, [("bench-download", "data")], inputs, state, triggered=f"{button}.n_clicks")
        assert response.status_code == 200
        data = response_props(response)["bench-download"]["data"]
        assert data["filename"].endswith(f"_ranking.{kind}")
        import base64
        raw = base64.b64decode(data["content"])
        if kind == "csv":
            table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
        else:
            table = pd.read_excel(io.BytesIO(raw), sheet_name="Data", keep_default_na=False)
            notes = pd.read_excel(io.BytesIO(raw), sheet_name="Notes")
            assert "Demo data" in " ".join(notes["Detail"].astype(str))
        assert len(table) == 33
        assert list(table.columns[:4]) == ["LA", "Sub-region", "Value", "Rank"]
        assert not (table["Value"].astype(str) == "0").any()


def test_resolve_filters_defaults_to_own_la_and_last_twelve_quarters(server):
    with server.app_context():
        periods = bench_data.benchmark_periods()
        filters = bench.resolve_filters(user_la="E09000022", catalogue=loader.indicator_catalogue(),
                                        las=loader.local_authorities(), periods=periods)
    assert filters.focus == "E09000022"
    assert filters.end == periods[-1] and filters.start == periods[-12]
    assert filters.query()["from"] == periods[-12].date().isoformat()
