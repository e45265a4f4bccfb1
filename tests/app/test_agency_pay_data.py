"""Agency pay data in the store: cap changes, LA returns, published census rates and the loader's access check."""
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import delete, select

from dashboard import loader
from dashboard.dashboards.agency_pay import returns as ds
from dashboard.dashboards.agency_pay import data as pay_loader
from dashboard.dashboards.agency_pay import metrics as m
from dashboard.ingest import loading
from dashboard.store import get_engine, schema
from dashboard.store.datasets import bump_version
from tests.fast.test_agency_pay_returns import good_return

LAS = [f"E090000{n:02d}" for n in range(1, 34)]
SCOPE = loader.AccessScope("member", "E09000022")


# --- caps ----------------------------------------------------------------------------------------------------

def test_storing_a_cap_change_is_one_audited_transaction_with_a_version_bump(server):
    engine = get_engine()
    with server.app_context():
        version = loader.dataset_info(ds.NAME)["version"]
        change = ds.CapChange("iro_cp_chair", 41.25, date(2026, 7, 1), "test uplift")
        assert ds.store_cap_change(engine, change, actor="admin@liia.example") == version + 1
        # The same job type and date again replaces the cap (no duplicate), audited with old and new.
        ds.store_cap_change(engine, ds.CapChange("iro_cp_chair", 41.50, date(2026, 7, 1)), actor="admin@liia.example")
        caps = pay_loader.caps()
        row = caps[(caps["job_type"] == "iro_cp_chair") & (caps["effective_from"] == pd.Timestamp("2026-07-01"))]
        assert len(row) == 1 and row["cap"].iloc[0] == 41.5 and not row["is_illustrative"].iloc[0]
        assert m.caps_in_force(caps, "2026-09-30").set_index("job_type").loc["iro_cp_chair", "cap"] == 41.5
        with engine.connect() as conn:
            details = conn.execute(select(schema.audit_event.c.detail).where(
                schema.audit_event.c.event == "agency_pay_cap_changed").order_by(schema.audit_event.c.id)).scalars().all()
        assert details[-1] == "IRO / CP chair from 2026-07-01: £41.25 -> £41.50"
        with engine.begin() as conn:
            conn.execute(delete(ds.cap).where(ds.cap.c.effective_from == date(2026, 7, 1)))
            bump_version(conn, ds.NAME)


def _assignments_per_quarter(area_codes, start, end) -> dict:
    """{quarter end: assignments} for these LAs, as the loader summarises them for the page."""
    per_quarter = pay_loader.area_summaries(SCOPE, area_codes, [], None, start, end)["per_quarter"]
    return dict(zip(per_quarter["period_end"], per_quarter["n"]))


def _upload(engine, la_code: str, period: date, frame: pd.DataFrame):
    """An LA's return through the one write path, as the Upload page sends it: validated, then committed."""
    data = frame.assign(la_code=la_code, period_end=period.isoformat()).to_csv(index=False).encode()
    report = loading.validate(engine, ds.NAME, "return.csv", data, la_code, period.isoformat(), max_bytes=2**20)
    return report, loading.commit(engine, report, "uploader@example")


def test_storing_a_return_replaces_that_la_and_quarter_only(server, restore_demo):
    engine = get_engine()
    period = date(2026, 9, 30)
    others = [la for la in LAS if la != "E09000002"]
    with server.app_context():
        start, end = pay_loader.periods()[0], max(pay_loader.periods()[-1], pd.Timestamp(period))
        _upload(engine, "E09000003", period, good_return())   # the first real return: the demo data goes
        before = _assignments_per_quarter(others, start, end)
        _upload(engine, "E09000002", period, good_return())
        # Seen at once (the summaries are cached by dataset version): that LA's quarter is its return, the rest as before.
        assert _assignments_per_quarter(["E09000002"], period, period) == {pd.Timestamp(period): 3}
        assert _assignments_per_quarter(others, start, end) == before
        # An empty return is a return: "none", not "no return".
        _upload(engine, "E09000002", period, good_return().iloc[0:0])
        returns = pay_loader.returns()
        row = returns[(returns["la_code"] == "E09000002") & (returns["period_end"] == pd.Timestamp(period))]
        assert row["n_rows"].tolist() == [0]
        report, result = _upload(engine, "E99999999", period, good_return())
        assert result.status == "rejected" and "E99999999 is not the ONS code of a London LA" in report.summary()
    restore_demo([ds.NAME])  # back to the demo data for the other tests


def test_the_loader_refuses_an_unknown_scope(server):
    with server.app_context():
        last = pay_loader.periods()[-1]
        for scope in (loader.AccessScope("visitor", "E09000022"), loader.AccessScope("member", "W06000001")):
            with pytest.raises(PermissionError):
                pay_loader.area_summaries(scope, LAS, LAS, None, last, last)



# --- published agency workforce (real data, through the project's published-statistics import) ----------------

def test_published_census_agency_rates_appear_on_the_page(server, published_data):
    from dashboard.dashboards.agency_pay import view as pay
    with server.app_context():
        periods = pay_loader.periods()
        filters = pay.resolve_filters("2024-06-30", periods[-1].date().isoformat(), "E09000012", "all", "la",
                                      las=loader.local_authorities(), periods=periods)
        view = pay.build_view.uncached(filters, SCOPE)   # the figure as built (a plain dict, as cached)
    traces = {t["name"]: {x: y for x, y in zip(t["x"], t["y"]) if y is not None and not pd.isna(y)}
              for t in view.workforce_figure["data"]}
    # DfE's published agency rate (FTE) at 30 September, on the quarter ending that day: London 21.9% (2024), 17.9% (2025);
    # Hackney 21.5% (2025) from csww_indicators_2017_to_2025.csv.
    assert traces["London (DfE census)"] == {"Q2 2024-25": 21.9, "Q2 2025-26": 17.9}
    assert traces["Hackney (DfE census)"]["Q2 2025-26"] == 21.5


def test_viewers_in_two_las_each_see_their_own_small_la_and_not_the_others(server):
    """The summaries behind the view are shared by every viewer (built once, server side); disclosure control is each
    view's own: the viewer's LA exact, the other's count never shown as 1-4 and its pay figures not shown."""
    from dashboard.dashboards.agency_pay import view as pay
    with server.app_context():
        periods = pay_loader.periods()
        small = {}   # job type: the LAs with 1 to 4 assignments of it in the last quarter
        for job in m.JOB_TYPES:
            by_la = pay_loader.area_summaries(SCOPE, LAS, LAS, job, periods[-1], periods[-1])["by_la"]
            small[job] = sorted(by_la.loc[by_la["n"].between(1, 4), "la_code"])
        job = max(small, key=lambda j: len(small[j]))   # a job type with at least two such LAs
        first, second = small[job][:2]
        filters = pay.resolve_filters(None, None, "london", job, "la", las=loader.local_authorities(), periods=periods)
        names = loader.local_authorities().set_index("la_code")["la_name"]
        views = {la: pay.build_view.uncached(filters, loader.AccessScope("member", la)) for la in (first, second)}
    for viewer, other in ((first, second), (second, first)):
        table = views[viewer].summary_table.set_index("LA")
        assert 0 < table.loc[names[viewer], "Assignments"] < 5                # their own LA: its exact count,
        assert isinstance(table.loc[names[viewer], "Median (£/h)"], float)   # and its pay figures
        assert table.loc[names[other], "Assignments"] in (0, 5)               # the other small LA: 0 or 5, never 1-4,
        assert table.loc[names[other], "Median (£/h)"] in ("c", "none")       # and no pay figure
        boxes = [label for trace in views[viewer].range_figure["data"] if trace["type"] == "box" for label in trace["y"]]
        assert not any(names[other] in label for label in boxes)


def test_a_new_benchmarking_version_shows_on_the_cached_agency_workforce_chart(server):
    """The chart's agency share comes from the benchmarking dataset: a new version of it (an LA's quarterly return)
    must show at once, not wait for the next pay return to make the cached view stale."""
    from sqlalchemy import update
    from dashboard.dashboards.agency_pay import view as pay
    bv = schema.benchmark_value
    with server.app_context():
        periods = pay_loader.periods()
        filters = pay.resolve_filters(None, None, "E09000022", "all", "la", las=loader.local_authorities(), periods=periods)
        before = pay.build_view(filters, SCOPE).workforce_figure   # cached
        where = (bv.c.la_code == "E09000022") & (bv.c.indicator_code == "sw_agency_pct")
        with get_engine().begin() as conn:
            latest = conn.execute(select(bv.c.period_end, bv.c.value).where(where).order_by(bv.c.period_end.desc())).first()
            assert latest is not None and latest.value is not None
            conn.execute(update(bv).where(where & (bv.c.period_end == latest.period_end)).values(value=latest.value + 7.5))
            bump_version(conn, "benchmarking")
        try:
            after = pay.build_view(filters, SCOPE).workforce_figure
        finally:
            with get_engine().begin() as conn:
                conn.execute(update(bv).where(where & (bv.c.period_end == latest.period_end)).values(value=latest.value))
                bump_version(conn, "benchmarking")
    values = lambda figure: sorted(round(y, 1) for t in figure["data"] for y in t["y"] if y is not None and not pd.isna(y))  # noqa: E731
    assert round(latest.value + 7.5, 1) in values(after) and round(latest.value + 7.5, 1) not in values(before)
