"""The Agency pay page through the Flask test client: the main callback, suppression, no return, downloads, caps."""
import io
import json

import pandas as pd
import pytest

from dashboard.dashboards.agency_pay import view as pay
from dashboard import loader
from dashboard.dashboards.agency_pay import data as pay_loader
from dashboard.dashboards.agency_pay import returns as pay_returns
from tests.store_fixtures import ADMIN_EMAIL, sign_in, sign_out
from tests.dash_requests import callback_request, response_props

RENDER_OUTPUTS = [
    ("pay-demo-banner", "children"), ("pay-kpis", "children"), ("pay-definitions", "children"),
    ("pay-range-title", "children"), ("pay-range", "figure"),
    ("pay-overcap-title", "children"), ("pay-overcap", "figure"),
    ("pay-overcap-la-title", "children"), ("pay-overcap-la", "figure"),
    ("pay-workforce-title", "children"), ("pay-workforce", "figure"),
    ("pay-trend-title", "children"), ("pay-trend", "figure"),
    ("pay-summary-table-title", "children"), ("pay-summary-grid", "rowData"), ("pay-summary-grid", "columnDefs"),
    ("pay-trend-table-title", "children"), ("pay-trend-grid", "rowData"), ("pay-trend-grid", "columnDefs"),
    ("pay-caps-grid", "rowData"), ("pay-caps-grid", "columnDefs"),
    *[(f"pay-{chart}-takeaway", "children") for chart in pay.CHARTS],
]
FILTER_IDS = ["pay-start", "pay-end", "pay-area", "pay-job", "pay-by"]
LAMBETH, CITY = "E09000022", "E09000001"
MEMBER_SCOPE = loader.AccessScope("member", LAMBETH)


def render(client, start, end, area="london", job="all", by="la", anonymise=False):
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, [start, end, area, job, by])] + [
        ("pay-caps-changed", "data", 0), ("pay-anon", "value", anonymise)]
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


@pytest.fixture()
def periods(server):
    with server.app_context():
        return [p.date().isoformat() for p in pay_loader.periods()]


def test_default_view_is_all_london_all_job_types_with_every_la(member_client, periods):
    props = render(member_client, periods[-8], periods[-1])
    assert "All London, all job types" in props["pay-range-title"]["children"]
    rows = props["pay-summary-grid"]["rowData"]
    assert rows[0]["LA"] == "All London" and len(rows) == 34  # London pooled + 33 LAs
    banner = json.dumps(props["pay-demo-banner"]["children"])
    assert "Demo data" in banner and "illustrative" in banner
    # The own LA's box is drawn in the focus colour and labelled.
    traces = props["pay-range"]["figure"]["data"]
    assert any(t.get("name") == "Your LA" and "Lambeth (your LA)" in t["y"][0] for t in traces)


def test_kpis_match_the_pooled_london_row(member_client, server, periods):
    props = render(member_client, periods[-8], periods[-1])
    london = props["pay-summary-grid"]["rowData"][0]
    kpis = json.dumps(props["pay-kpis"]["children"], ensure_ascii=False)
    assert f"£{london['Median (£/h)']:,.2f}" in kpis
    assert f"{london['% of spend over cap']:.1f}%" in kpis
    # Added up here from every LA's summary: the pooled figures are the metric over every assignment that quarter.
    with server.app_context():
        las = list(loader.local_authorities()["la_code"])
        end = pd.Timestamp(periods[-1])
        by_la = pay_loader.area_summaries(MEMBER_SCOPE, las, las, None, end, end)["by_la"]
    # London's count is a protected cell of its own: within 3 of the true total (not added up from protected rows).
    assert abs(london["Assignments"] - by_la["n"].sum()) <= 3
    assert london["% of spend over cap"] == round(100 * by_la["spend_over"].sum() / by_la["spend"].sum(), 1)


def test_small_las_are_suppressed_for_others_but_shown_to_their_own_members(member_client, server, client, periods):
    props = render(member_client, periods[-8], periods[-1])
    rows = props["pay-summary-grid"]["rowData"]
    city = next(r for r in rows if r["LA"] == "City of London")
    # The City's 3 assignments: shown as 0 or 5 (never 1-4), and no pay figure.
    assert city["Assignments"] in (0, 5) and city["Median (£/h)"] in ("c", "none")
    # No secondary suppression: every LA with enough assignments for pay figures shows them (Hillingdon's 9 too).
    assert all(isinstance(r["Median (£/h)"], float) for r in rows[1:]
               if isinstance(r["Assignments"], int) and r["Assignments"] >= pay.metrics.PAY_MINIMUM)
    # A City of London member sees the City's own figures.
    from dashboard.auth.users import create_user
    from dashboard.store import get_engine
    try:
        create_user(get_engine(), "member@city.example", "correct horse battery staple", CITY, "member")
    except ValueError:
        pass
    sign_in(client, "member@city.example", "correct horse battery staple")
    own = render(client, periods[-8], periods[-1], area=CITY, by="job")
    pooled = own["pay-summary-grid"]["rowData"][0]
    assert pooled["Assignments"] == 3 and isinstance(pooled["Median (£/h)"], float)   # their own: exact, pay shown


def test_no_worker_level_rows_reach_the_browser(member_client, periods):
    response = callback_request(member_client, RENDER_OUTPUTS,
                                [(i, "value", v) for i, v in zip(FILTER_IDS, [periods[0], periods[-1], "london", "all", "la"])]
                                + [("pay-caps-changed", "data", 0), ("pay-anon", "value", False)])
    text = response.get_data(as_text=True)
    # Summaries only: no per-assignment fields (hours, PAYE flags, start dates, charge rates) in what is sent.
    for field in ("hours_per_week", "is_paye", "start_date", "charge_rate", "hourly_rate"):
        assert field not in text
    props = response_props(response)
    assert len(props["pay-summary-grid"]["rowData"]) == 34
    # Box traces carry only precomputed quartiles, never a list of rates.
    for trace in props["pay-range"]["figure"]["data"]:
        assert "x" not in trace or trace.get("type") != "box"


def test_a_quarter_with_no_return_shows_no_return(member_client, server, periods):
    with server.app_context():
        returns = pay_loader.returns()
        las = loader.local_authorities()
    latest = returns[returns["period_end"] == returns["period_end"].max()]
    missing = sorted(set(las["la_code"]) - set(latest["la_code"]))
    assert missing, "the demo data has an LA with no latest return"
    name = las.set_index("la_code").loc[missing[0], "la_name"]
    props = render(member_client, periods[-8], periods[-1])
    row = next(r for r in props["pay-summary-grid"]["rowData"] if r["LA"] == name)
    assert row["Assignments"] == "no return" and row["Median (£/h)"] == "no return"
    # That LA alone for that quarter: the trend table says "no return", never 0.
    own = render(member_client, periods[-8], periods[-1], area=missing[0])
    last = [r for r in own["pay-trend-grid"]["rowData"] if r["Quarter"] == pay.quarter_label(pd.Timestamp(periods[-1]))]
    assert last and all(r["Assignments"] == "no return" for r in last)
    assert "no return" in json.dumps(own["pay-kpis"]["children"], ensure_ascii=False)


def test_job_type_filter_and_split_by_job_type(member_client, periods):
    props = render(member_client, periods[-4], periods[-1], job="team_manager", by="job")
    rows = props["pay-summary-grid"]["rowData"]
    assert [r["Job type"] for r in rows] == ["All London: all shown", "Team manager"]
    cap = rows[1]["Cap (£/h)"]
    assert isinstance(cap, float) and cap > 0
    assert "team manager" in props["pay-range-title"]["children"]
    trend_jobs = {r["Job type"] for r in props["pay-trend-grid"]["rowData"]}
    assert trend_jobs == {"All job types shown", "Team manager"}


def test_unknown_filter_values_fall_back_to_defaults(member_client):
    props = render(member_client, "1900-01-01", "garbage", area="E99", job="chief", by="sideways")
    assert "All London, all job types" in props["pay-range-title"]["children"]


def test_downloads_hold_the_suppressed_table_and_notes(member_client, periods):
    state = [(i, "value", v) for i, v in zip(FILTER_IDS, [periods[-4], periods[-1], "london", "all", "la"])] + [("pay-anon", "value", False)]
    inputs = [(f"pay-dl-{w}-{k}", "n_clicks", 1 if (w, k) == ("summary", "xlsx") else None)
              for w in ("summary", "trend", "caps") for k in ("csv", "xlsx")]
    response = callback_request(member_client, [("pay-download", "data")], inputs, state, triggered="pay-dl-summary-xlsx.n_clicks")
    assert response.status_code == 200
    import base64
    data = response_props(response)["pay-download"]["data"]
    book = pd.read_excel(io.BytesIO(base64.b64decode(data["content"])), sheet_name=None)
    assert len(book["Data"]) == 34 and "Median (£/h)" in book["Data"].columns
    notes = " ".join(book["Notes"]["Detail"].astype(str))
    assert "Demo data" in notes and "cell-key method" in notes


def test_layout_reads_its_filters_from_the_address(member_client):
    response = callback_request(member_client, [("_pages_content", "children"), ("_pages_store", "data")],
                                [("_pages_location", "pathname", "/agency-pay"),
                                 ("_pages_location", "search", "?area=sr:south&job=social_worker&by=job")])
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert '"social_worker"' in text


def test_signed_out_callers_get_nothing(client, periods):
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, [None, None, "london", "all", "la"])] + [("pay-caps-changed", "data", 0), ("pay-anon", "value", False)]
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 401


def test_an_admin_changes_a_cap_and_every_view_sees_it(server, periods):
    from dashboard.auth.users import User
    from dashboard.auth.registration import AccessDenied
    from dashboard.store import get_engine, schema
    from sqlalchemy import select
    admin = User(id=0, email=ADMIN_EMAIL, name="", la_code="E09000001", role="admin")
    member = User(id=0, email="member@lambeth.example", name="", la_code=LAMBETH, role="member")
    end = pd.Timestamp(periods[-1])
    with server.app_context():
        with pytest.raises(AccessDenied):
            pay_returns.change_cap(member, "social_worker", "99", "2026-01-01")
        before = loader.dataset_info("agency_pay")["version"]
        filters = pay.resolve_filters(periods[-4], periods[-1], "london", "social_worker", "la",
                                      las=loader.local_authorities(), periods=pay_loader.periods())
        over_before = pay.build_view(filters, MEMBER_SCOPE).summary_table.iloc[0]["% over cap"]
        message = pay_returns.change_cap(admin, "social_worker", "£20.00", (end - pd.Timedelta(days=30)).date().isoformat(), "test")
        assert "£20.00" in message
        assert loader.dataset_info("agency_pay")["version"] == before + 1
        view = pay.build_view(filters, MEMBER_SCOPE)
        # A £20 cap puts nearly every social worker over it, at once (the version is in the cache key).
        assert view.summary_table.iloc[0]["% over cap"] > over_before
        assert view.summary_table.iloc[0]["Cap (£/h)"] == 20.0
        with get_engine().connect() as conn:
            events = conn.execute(select(schema.audit_event.c.detail).where(
                schema.audit_event.c.event == "agency_pay_cap_changed")).scalars().all()
        assert any("Social worker" in e and "£20.00" in e for e in events)
        # Put the demo back as it was for other tests.
        from dashboard.dashboards.agency_pay import returns as dataset
        from sqlalchemy import delete
        with get_engine().begin() as conn:
            conn.execute(delete(dataset.cap).where(dataset.cap.c.cap == 20.0))
            from dashboard.store.datasets import bump_version
            bump_version(conn, "agency_pay")


def _save_cap(client, job, value, day):
    state = [("pay-cap-job", "value", job), ("pay-cap-value", "value", value), ("pay-cap-from", "value", day),
             ("pay-cap-note", "value", "from the test"), ("pay-caps-changed", "data", 0)]
    response = callback_request(client, [("pay-cap-message", "children"), ("pay-caps-changed", "data")],
                                [("pay-cap-save", "n_clicks", 1)], state)
    assert response.status_code == 200
    return response_props(response)


def test_only_an_administrator_can_save_a_cap_through_the_page(member_client, server, client):
    refused = _save_cap(member_client, "social_worker", "50", "2026-01-01")
    assert "only administrators" in json.dumps(refused["pay-cap-message"]["children"])
    assert "pay-caps-changed" not in refused  # nothing redrawn, nothing stored
    sign_out(member_client)
    sign_in(client, ADMIN_EMAIL)
    bad = _save_cap(client, "social_worker", "fifty", "2026-01-01")
    assert "number of pounds" in json.dumps(bad["pay-cap-message"]["children"])
    ok = _save_cap(client, "iro_cp_chair", "39.75", "2026-08-01")
    assert "£39.75" in json.dumps(ok["pay-cap-message"]["children"], ensure_ascii=False)
    assert ok["pay-caps-changed"]["data"] == 1
    with server.app_context():
        caps = pay_loader.caps()
    assert ((caps["job_type"] == "iro_cp_chair") & (caps["cap"] == 39.75)).sum() == 1
    from dashboard.dashboards.agency_pay import returns as dataset
    from dashboard.store import get_engine
    from dashboard.store.datasets import bump_version
    from sqlalchemy import delete
    with get_engine().begin() as conn:
        conn.execute(delete(dataset.cap).where(dataset.cap.c.cap == 39.75))
        bump_version(conn, "agency_pay")


def _page_layout(client):
    response = callback_request(client, [("_pages_content", "children"), ("_pages_store", "data")],
                                [("_pages_location", "pathname", "/agency-pay"), ("_pages_location", "search", "")])
    assert response.status_code == 200
    return response_props(response)["_pages_content"]["children"]


def _ancestors(node, target_id, path=()):
    """The components enclosing the one with `target_id`, outermost first (walks the layout JSON)."""
    if isinstance(node, list):
        for child in node:
            found = _ancestors(child, target_id, path)
            if found is not None:
                return found
    elif isinstance(node, dict):
        if node.get("props", {}).get("id") == target_id:
            return list(path)
        return _ancestors(node.get("props", {}).get("children"), target_id, path + (node,))
    return None


def test_the_cap_editor_is_shown_to_administrators_only(client):
    sign_in(client)
    enclosing = _ancestors(_page_layout(client), "pay-cap-save")
    # A member's page holds the editor (its callback needs the components) inside a hidden block.
    assert any(a["props"].get("hidden") for a in enclosing)
    sign_out(client)
    sign_in(client, ADMIN_EMAIL)
    enclosing = _ancestors(_page_layout(client), "pay-cap-save")
    assert enclosing and not any(a["props"].get("hidden") for a in enclosing)
