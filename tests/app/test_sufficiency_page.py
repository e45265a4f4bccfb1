"""The Sufficiency page through the Flask test client: who may see it, what reaches the browser, every callback."""
import io
import numbers
import json
import re

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard.dashboards.sufficiency import returns as ds
from dashboard.published.store import import_paths
from dashboard.store import get_engine
from tests.store_fixtures import ADMIN_EMAIL, ensure_user, sign_in
from tests.dash_requests import callback_request, components, figure_numbers, page_layout, response_props, texts
from tests.shared_files import REALDATA, shared_file

COMMISSIONER_EMAIL = "commissioner@lambeth.example"
FILTER_IDS = ["suff-area", "suff-at", "suff-age", "suff-sex", "suff-ethnicity", "suff-uasc", "suff-legal", "suff-cin",
              "suff-placement", "suff-provider"]
RENDER_OUTPUTS = [
    ("suff-demo-banner", "children"), ("suff-privacy-note", "children"), ("suff-kpis", "children"),
    ("suff-tiles-title", "children"), ("suff-tiles", "figure"), ("suff-mix-title", "children"), ("suff-mix", "figure"),
    ("suff-distance-title", "children"), ("suff-distance", "figure"), ("suff-regions-title", "children"), ("suff-regions", "figure"),
    ("suff-grades-title", "children"), ("suff-grades", "figure"), ("suff-flows-title", "children"), ("suff-flows", "figure"),
    ("suff-trend-title", "children"), ("suff-trend", "figure"), ("suff-starts-title", "children"), ("suff-starts", "figure"),
    ("suff-stability-title", "children"), ("suff-stability", "figure"), ("suff-notes", "children"),
    *[(f"suff-{chart}-takeaway", "children") for chart in
      ("tiles", "mix", "distance", "regions", "grades", "flows", "trend", "starts", "stability")],
]
FORECAST_IDS = (["suff-ref-from", "suff-ref-to", "suff-horizon"] + [f"suff-cost-{i}" for i in range(6)]
                + [f"suff-scenario-{n}" for n in ("entries", "exits", "shift", "inflation", "shift_from", "shift_to")])
FORECAST_OUTPUTS = [("suff-forecast-title", "children"), ("suff-forecast", "figure"),
                    ("suff-forecast_age-title", "children"), ("suff-forecast_age", "figure"), ("suff-cost-title", "children"),
                    ("suff-cost", "figure"), ("suff-backtest-text", "children"), ("suff-backtest-grid", "rowData"),
                    ("suff-backtest-grid", "columnDefs"), ("suff-model-text", "children"),
                    ("suff-forecast-takeaway", "children"), ("suff-forecast_age-takeaway", "children"),
                    ("suff-cost-takeaway", "children"), ("suff-forecast-problems", "children"), ("suff-scenario-text", "children")]
DEFAULTS = {"suff-age": "all", "suff-sex": "all", "suff-ethnicity": "all", "suff-uasc": "all", "suff-legal": "all",
            "suff-cin": "all", "suff-placement": "all", "suff-provider": "all"}
LAST = "2025-03-31"


@pytest.fixture(scope="module")
def commissioner(dash_app):
    return ensure_user(COMMISSIONER_EMAIL, "E09000022", "commissioner", "Test Commissioner")


@pytest.fixture()
def commissioner_client(client, commissioner):
    assert sign_in(client, commissioner).status_code == 302
    return client


def _inputs(area, at=LAST, **overrides):
    values = {"suff-area": area, "suff-at": at, **DEFAULTS, **{f"suff-{k}": v for k, v in overrides.items()}}
    return [(i, "value", values[i]) for i in FILTER_IDS]


def render(client, area, tiles="selected", flows="location", anonymise=False, **overrides):
    inputs = _inputs(area, **overrides) + [("suff-tile-mode", "value", tiles), ("suff-flow-mode", "value", flows),
                                           ("suff-anon", "value", anonymise)]
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True), response_props(response)


def table(client, which, area, anonymise=False, **overrides):
    inputs = ([("suff-table-choice", "value", which)] + _inputs(area, **overrides)
              + [(i, "value", None) for i in FORECAST_IDS] + [("suff-anon", "value", anonymise)])
    response = callback_request(client, [("suff-table-title", "children"), ("suff-grid", "rowData"), ("suff-grid", "columnDefs")], inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True), response_props(response)


def _kpis(props) -> dict:
    """{label: value} of the KPI cards, read from the component tree the browser receives."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            node_props = node.get("props", {})
            if node_props.get("className") in ("kpi-label", "kpi-value"):
                found.append(node_props.get("children"))
            for value in node_props.values() if "props" in node else node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(props["suff-kpis"]["children"])
    return dict(zip(found[0::2], found[1::2]))


def _kpi(props, label):
    return _kpis(props)[label]


def test_a_member_can_neither_open_the_page_nor_call_its_callbacks(member_client):
    assert "You don't have access" in " ".join(texts(page_layout(member_client, "/sufficiency")))
    response = callback_request(member_client, RENDER_OUTPUTS, _inputs("london") + [("suff-tile-mode", "value", "selected"),
                                                                                    ("suff-flow-mode", "value", "location"),
                                                                                    ("suff-anon", "value", False)])
    assert response.status_code == 403


def test_a_commissioner_opening_the_page_sees_their_las_children_in_every_chart_the_table_and_the_demo_label(
        commissioner_client):
    assert commissioner_client.get("/sufficiency").status_code == 200   # the app's shell, which Dash then fills
    layout = page_layout(commissioner_client, "/sufficiency")
    assert texts(layout)[0] == "Dynamic Sufficiency Tool"
    opened = components(layout)
    # Their own LA at the latest quarter end, every other filter at "all".
    chosen = {i: opened[i]["value"] for i in FILTER_IDS}
    assert chosen == {"suff-area": "la:E09000022", "suff-at": LAST, **DEFAULTS}
    _, props = render(commissioner_client, chosen["suff-area"], tiles=opened["suff-tile-mode"]["value"],
                      flows=opened["suff-flow-mode"]["value"])
    assert texts(props["suff-demo-banner"]["children"])[0] == "Demo data. "
    assert props["suff-privacy-note"]["children"] is None   # their own LA: nothing suppressed
    children = int(_kpi(props, "Children looked after").replace(",", ""))
    # Every chart is titled for Lambeth and draws its children: the placement types add up to the headline.
    for chart in ("tiles", "mix", "distance", "regions", "grades", "flows", "trend", "starts", "stability"):
        assert "Lambeth" in props[f"suff-{chart}-title"]["children"], chart
        assert props[f"suff-{chart}"]["figure"]["data"], chart
    assert props["suff-mix-title"]["children"] == "Placement type, Lambeth, 31 March 2025"
    mix = props["suff-mix"]["figure"]["data"][0]
    drawn = dict(zip(mix["y"], figure_numbers(mix["x"])))
    assert sum(drawn.values()) == children
    # The table under the charts, as it opens, is the same placement mix with its total.
    choice = opened["suff-table-choice"]["value"]
    _, grid = table(commissioner_client, choice, chosen["suff-area"])
    assert grid["suff-table-title"]["children"] == "Placement type: Lambeth, 31 March 2025"
    rows = pd.DataFrame(grid["suff-grid"]["rowData"])
    assert list(rows.iloc[-1][["Placement type", "Children"]]) == ["Total", children]
    assert dict(zip(rows["Placement type"].iloc[:-1], rows["Children"].iloc[:-1])) == drawn


def test_own_la_is_shown_in_full_with_headline_figures(commissioner_client):
    body, props = render(commissioner_client, "la:E09000022")
    assert props["suff-privacy-note"]["children"] is None   # own LA alone: no suppression notice
    assert "Demo data" in json.dumps(props["suff-demo-banner"]["children"])
    kpis = json.dumps(props["suff-kpis"]["children"])
    assert "Children looked after" in kpis and "Median distance from home" in kpis
    assert "Lambeth" in props["suff-tiles-title"]["children"]
    # The Sankey starts from Lambeth only.
    sankey = props["suff-flows"]["figure"]["data"][0]
    assert re.fullmatch(r"Lambeth: [\d,]+", sankey["node"]["label"][0])   # each node says how many children


def test_other_las_are_protected_no_count_of_1_to_4_is_shown_and_nothing_is_blanked(commissioner_client):
    _, props = render(commissioner_client, "la:E09000001")   # City of London: a handful of children
    assert "Protected view" in json.dumps(props["suff-privacy-note"]["children"])
    for which in ("placement_mix", "distance", "tiles", "flows_location", "trend", "starts_ends", "stability",
                  "backtest", "rates", "published"):
        _, t = table(commissioner_client, which, "la:E09000001")
        frame = pd.DataFrame(t["suff-grid"]["rowData"])
        # Forecasts are modelled from protected counts (post-processing them discloses nothing): not counts.
        counts = frame.drop(columns=[c for c in frame.columns if "%" in c or "per " in c or "Error" in c
                                     or c.startswith("Forecast") or c == "Starts per month (first placement)"])
        numbers = counts.select_dtypes("number")
        assert not ((numbers >= 1) & (numbers <= 4)).any().any(), which
        ours = frame.drop(columns=[c for c in frame.columns if c.startswith("Published")])   # DfE's own "c" stays
        assert not (ours == "c").any().any(), which       # protected, not hidden: every figure is a number


def test_nothing_child_level_reaches_the_browser(commissioner_client, server):
    from dashboard.store import get_engine
    with get_engine().connect() as conn:
        row = conn.execute(select(ds.episode.c.child, ds.episode.c.pl_post, ds.episode.c.home_post)
                           .where(ds.episode.c.la_code == "E09000022", ds.episode.c.pl_post.is_not(None),
                                  ds.episode.c.home_post.is_not(None))).first()
        dob = conn.execute(select(ds.child.c.dob).where(ds.child.c.child == row.child)).scalar_one()
    bodies = [render(commissioner_client, "la:E09000022")[0]]
    bodies += [table(commissioner_client, which, "la:E09000022")[0] for which in ("placement_mix", "flows_location", "tiles", "trend")]
    for body in bodies:
        assert row.child not in body
        assert f'"{row.pl_post}"' not in body and f'"{row.home_post}"' not in body
        assert dob.isoformat() not in body


def test_every_filter_changes_the_count(commissioner_client):
    _, base = render(commissioner_client, "london")
    total = _kpi(base, "Children looked after")
    assert total not in ("c", "no children")
    for overrides in ({"age": "16 and over"}, {"sex": "2"}, {"ethnicity": "Black"}, {"uasc": "yes"},
                      {"legal": "Care order"}, {"cin": "N1"}, {"placement": "Children's homes"},
                      {"provider": "Private provision"}, {"at": "2022-03-31"}):
        _, props = render(commissioner_client, "london", **overrides)
        assert _kpi(props, "Children looked after") != total, overrides


def test_placed_here_by_other_las_switch(commissioner_client):
    _, props = render(commissioner_client, "la:E09000022", tiles="others")
    assert "by other LAs" in props["suff-tiles-title"]["children"]
    _, flows = render(commissioner_client, "london", flows="provider")
    labels = [label.split(": ")[0] for label in flows["suff-flows"]["figure"]["data"][0]["node"]["label"]]
    assert "Private provision" in labels and "North London" in labels


def test_forecast_by_placement_type_and_age_band_and_back_test(commissioner_client):
    inputs = _inputs("la:E09000022") + [("suff-ref-from", "value", 2022), ("suff-ref-to", "value", 2024),
                                        ("suff-horizon", "value", 3)] + [(i, "value", None) for i in FORECAST_IDS[3:]]
    inputs.append(("suff-anon", "value", False))
    outputs = FORECAST_OUTPUTS
    response = callback_request(commissioner_client, outputs, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    props = response_props(response)
    assert "3 years" in props["suff-forecast-title"]["children"]
    assert "by age band" in props["suff-forecast_age-title"]["children"]
    for chart in ("suff-forecast", "suff-forecast_age"):
        forecast_x = [t for t in props[chart]["figure"]["data"] if "forecast" in (t.get("name") or "")]
        assert forecast_x and len(forecast_x[0]["x"]) == 36
    ages = {t["name"] for t in props["suff-forecast_age"]["figure"]["data"] if t.get("name")}
    assert {"Under 1", "16 and over"} <= ages
    assert "turn 18" in props["suff-forecast_age-takeaway"]["children"]
    # The back-test: one row per year the data allow, each beside "no change" and the trend, in words too.
    rows = props["suff-backtest-grid"]["rowData"]
    assert len(rows) >= 2 and {"Model error %", "No change error %", "Trend error %"} <= set(rows[0])
    text = props["suff-backtest-text"]["children"]
    assert "no change" in text and "trend" in text
    beaten = "did not beat" in text
    model_mean = sum(r["Model error %"] for r in rows) / len(rows)
    best_other = min(sum(r[c] for r in rows) / len(rows) for c in ("No change error %", "Trend error %"))
    assert beaten == (model_mean > best_other + 0.05)


def test_downloads_csv_and_excel(commissioner_client):
    state = ([("suff-table-choice", "value", "distance")] + [(i, "value", v) for i, _, v in _inputs("london")]
             + [("suff-tile-mode", "value", "selected"), ("suff-flow-mode", "value", "location")]
             + [(i, "value", None) for i in FORECAST_IDS] + [("suff-anon", "value", False)])
    for button, kind in (("suff-dl-csv", "csv"), ("suff-dl-xlsx", "xlsx")):
        response = callback_request(commissioner_client, [("suff-download", "data")],
                                    [("suff-dl-csv", "n_clicks", 1 if kind == "csv" else None),
                                     ("suff-dl-xlsx", "n_clicks", 1 if kind == "xlsx" else None)],
                                    state=state, triggered=f"{button}.n_clicks")
        assert response.status_code == 200, response.get_data(as_text=True)[:800]
        data = response_props(response)["suff-download"]["data"]
        assert data["filename"].endswith(kind)
        import base64
        raw = base64.b64decode(data["content"])
        frame = pd.read_csv(io.BytesIO(raw)) if kind == "csv" else pd.read_excel(io.BytesIO(raw), sheet_name=None)
        if kind == "xlsx":
            assert "Notes" in frame
            frame = frame["Data"]
        assert list(frame.columns[:2]) == ["Distance from home", "Children"]
        assert frame.iloc[-1, 0] == "Total"


def test_an_admin_of_another_la_sees_lambeth_suppressed(client):
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    _, props = render(client, "la:E09000022")
    assert "Protected view" in json.dumps(props["suff-privacy-note"]["children"])


PUBLISHED_FILE = REALDATA / "cla" / "cla_on_31_march_by_characteristics_london.csv"


@pytest.fixture(scope="module")
def published(dash_app):
    import_paths(get_engine(), [str(shared_file(PUBLISHED_FILE))])   # the one import path, as `python -m dashboard import-published`


def _published(client, area):
    response = callback_request(client, [("suff-published-title", "children"), ("suff-published-text", "children"),
                                         ("suff-published-grid", "rowData"), ("suff-published-grid", "columnDefs"),
                                         ("suff-published-grid", "style")],
                                [("suff-area", "value", area), ("suff-anon", "value", False)])
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    props = response_props(response)
    return props, pd.DataFrame(props["suff-published-grid"]["rowData"])


def _row(frame, year, measure):
    return frame[(frame["Year (31 March)"] == year) & (frame["Measure"] == measure)].iloc[0]


def test_the_page_reproduces_published_dfe_figures(commissioner_client, published):
    # DfE, Children looked after in England including adoptions, 31 March 2025, Lambeth.
    _, lambeth = _published(commissioner_client, "la:E09000022")
    assert _row(lambeth, 2025, "Children looked after")["Published"] == 377
    assert _row(lambeth, 2025, "UASC")["Published"] == 45
    assert _row(lambeth, 2025, "Placed more than 20 miles from home")["Published"] == 55
    assert _row(lambeth, 2025, "Placed more than 20 miles from home")["Published %"] == 15
    assert _row(lambeth, 2025, "Placed outside the LA boundary")["Published"] == 269
    assert _row(lambeth, 2025, "Other LAs' children placed inside the LA")["Published"] == 222
    assert sorted(lambeth["Year (31 March)"].unique()) == [2021, 2022, 2023, 2024, 2025]
    # The tool's own count on the same definition sits beside it.
    assert isinstance(_row(lambeth, 2025, "Children looked after")["This tool"], numbers.Integral)


def test_published_suppression_is_kept_as_c_never_zero(commissioner_client, published):
    props, city = _published(commissioner_client, "la:E09000001")
    # A marker says what it means, as Benchmarking says it; never a bare "c", never "Invalid Number" from a grid that
    # took the column for numbers from its first row.
    assert _row(city, 2025, "Children looked after")["Published"] == "suppressed (c)"
    markers = {v for column in ("Published", "Published %") for v in city[column] if isinstance(v, str)}
    assert markers and all(v.endswith(")") and "(" in v for v in markers), markers
    columns = {c["field"]: c for c in props["suff-published-grid"]["columnDefs"]}
    assert columns["Published"]["cellDataType"] is False and columns["Published %"]["cellDataType"] is False
    props, london = _published(commissioner_client, "london")
    assert _row(london, 2025, "Children looked after")["Published"] == 9290
    assert _row(london, 2025, "Foster placements")["Published %"] == 68
    props, south = _published(commissioner_client, "sr:south")
    assert south.empty and "not sub-regions" in props["suff-published-text"]["children"]


# --- the shared view cache: who shares a cached view ------------------------------------------------------------

def _scopes():
    from dashboard import loader
    return loader.AccessScope("commissioner", "E09000022"), loader.AccessScope("commissioner", "E09000008")


def _builds():
    """Counts the views actually built (each build reads the aggregates once)."""
    from unittest import mock

    from dashboard.dashboards.sufficiency import view as suff
    return mock.patch.object(suff.data, "view", wraps=suff.data.view)


def test_commissioners_of_different_las_share_one_suppressed_view(server):
    from dashboard import loader
    from dashboard.dashboards.sufficiency import view as suff
    lambeth, croydon = _scopes()
    filters = suff.Filters(area="london", as_at=pd.Timestamp(LAST))
    with server.app_context():
        loader.cache.clear()
        with _builds() as builds:
            for_lambeth, for_croydon = suff.build_view(filters, lambeth), suff.build_view(filters, croydon)
            assert builds.call_count == 1
    assert for_lambeth.restricted and for_croydon.restricted
    assert for_lambeth.kpis == for_croydon.kpis and dict(for_croydon.notes)["Privacy"] == suff.SUPPRESSION_TEXT


def test_an_las_own_view_is_unsuppressed_only_for_its_own_commissioner(server):
    from dashboard import loader
    from dashboard.dashboards.sufficiency import view as suff
    lambeth, croydon = _scopes()
    filters = suff.Filters(area="la:E09000022", as_at=pd.Timestamp(LAST))
    with server.app_context():
        loader.cache.clear()
        with _builds() as builds:
            own = suff.build_view(filters, lambeth)                    # warms the cache with Lambeth's unsuppressed view
            other = suff.build_view(filters, croydon)
            assert builds.call_count == 2                              # never the one Lambeth's commissioner got
            assert not suff.build_view(filters, loader.AccessScope("admin", "E09000022")).restricted   # Lambeth's own, shared
            assert builds.call_count == 2
    assert not own.restricted and other.restricted
    own_counts = _small_counts_shown(own)
    assert own_counts > 0 and _small_counts_shown(other) == 0          # 1 to 4 shown exactly only to Lambeth


def _small_counts_shown(view) -> int:
    shown = 0
    for frame in view.tables.values():
        numbers = frame.drop(columns=[c for c in frame.columns if c == "%"]).apply(pd.to_numeric, errors="coerce")
        shown += int(((numbers >= 1) & (numbers <= 4)).sum().sum())
    return shown


def test_a_refused_caller_never_gets_a_cached_view_and_is_audited(server):
    from dashboard import loader
    from dashboard.dashboards.sufficiency import view as suff
    from dashboard.store import get_engine, schema
    lambeth, _ = _scopes()
    filters = suff.Filters(area="la:E09000022", as_at=pd.Timestamp(LAST))

    def refusals():
        with get_engine().connect() as conn:
            return list(conn.execute(select(schema.audit_event.c.detail)
                                     .where(schema.audit_event.c.event == "refused")
                                     .order_by(schema.audit_event.c.id)).scalars())   # oldest first, on any store
    with server.app_context():
        suff.build_view(filters, lambeth)                              # cached for Lambeth
        before = refusals()
        with pytest.raises(PermissionError):
            suff.build_view(filters, loader.AccessScope("member", "E09000022"))
        after = refusals()
    assert after[len(before):] == ["sufficiency data read by member:E09000022"]


@pytest.mark.parametrize("dataset", [ds.NAME, ds.PUBLISHED_NAME, "reference"])
def test_a_new_version_of_any_dataset_the_view_reads_rebuilds_it(server, dataset):
    from dashboard import loader
    from dashboard.dashboards.sufficiency import view as suff
    from dashboard.store import get_engine
    from dashboard.store.datasets import bump_version
    lambeth, _ = _scopes()
    filters = suff.Filters(area="sr:east", as_at=pd.Timestamp(LAST))
    with server.app_context():
        loader.cache.clear()
        with _builds() as builds:
            suff.build_view(filters, lambeth)
            suff.build_view(filters, lambeth)
            assert builds.call_count == 1
            with get_engine().begin() as conn:
                bump_version(conn, dataset)
            suff.build_view(filters, lambeth)
            assert builds.call_count == 2
