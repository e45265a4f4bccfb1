"""Attacks on Agency pay (issue 19) through the page's real callback, as a plain member (Lambeth, South London) and as a
commissioner of an LA that shares City of London's sub-region (Hackney, East London): can any count of 1-5 about
another LA's agency assignments, or a pay figure of a group of fewer than 5, be worked out?

Routes tried, on the last quarter and the eight quarters before it (the trend table), for every area (All London, each
sub-region, each LA), every job type and both splits:
- shown directly: each LA's, job type's and quarter's Assignments, and over-cap count (% over cap x Assignments);
- a pooled figure (an area's row, its KPI card) less the viewer's own LA, which they see exactly;
- a pooled figure less the other parts shown beside it (the other LAs, the other job types);
- all job types less the other job types, each filtered in its own view (the LA's row in each);
- pay figures (median, lowest, highest) of groups of fewer than 5 assignments.
The rule for "recovered" is `tests.disclosure_harness`: exact under every disclosure secret.
"""
from __future__ import annotations

import json
from functools import lru_cache

import pandas as pd
import pytest

from dashboard import loader
from dashboard.auth.users import create_user
from dashboard.dashboards.agency_pay import data as pay_loader
from dashboard.dashboards.agency_pay import view as pay
from dashboard.dashboards.agency_pay.metrics import JOB_TYPES, quarter_label
from dashboard.store import get_engine
from tests.dash_requests import callback_request, response_props, texts
from tests.disclosure_harness import Attempt, describe, run
from tests.store_fixtures import PASSWORD, sign_in
from tests.app.test_agency_pay_page import RENDER_OUTPUTS, FILTER_IDS

LAMBETH, HACKNEY, CITY = "E09000022", "E09000012", "E09000001"
HACKNEY_EMAIL = "commissioner@hackney.example"
JOBS = ["all", *JOB_TYPES]
COUNTED = {"n": "assignments", "over": "assignments over cap"}


@pytest.fixture(scope="module")
def viewers(dash_app):
    """{LA code: a signed-in test client}: Lambeth's member and Hackney's commissioner."""
    try:
        create_user(get_engine(), HACKNEY_EMAIL, PASSWORD, HACKNEY, "commissioner")
    except ValueError:   # made by an earlier module of this run
        pass
    clients = {}
    for code, email in ((LAMBETH, "member@lambeth.example"), (HACKNEY, HACKNEY_EMAIL)):
        client = dash_app.server.test_client()
        assert sign_in(client, email).status_code == 302
        clients[code] = client
    return clients


def _render(client, start, end, area, job, by) -> dict:
    inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, [start, end, area, job, by])] + [
        ("pay-caps-changed", "data", 0), ("pay-anon", "value", False)]
    response = callback_request(client, RENDER_OUTPUTS, inputs)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response_props(response)


class Truth:
    """The true figures, from the assignment rows on the server (what the harness compares every derived value with)."""

    def __init__(self, rows: pd.DataFrame):
        self.rows = rows.assign(job_type=rows["job_type"].astype(str))

    def cell(self, codes, quarter, job=None, over=False) -> pd.DataFrame:
        rows = self.rows[self.rows["la_code"].isin(list(codes)) & (self.rows["period_end"] == quarter)]
        if job not in (None, "all"):
            rows = rows[rows["job_type"] == job]
        return rows[rows["over_cap"]] if over else rows

    def count(self, codes, quarter, job=None, what="n") -> int:
        return len(self.cell(codes, quarter, job, over=what == "over"))


def _number(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _figure(row: dict | None, what: str):
    """A row's count as a reader works it out: Assignments, or % over cap x Assignments for the over-cap count."""
    if row is None:
        return None
    n = _number(row.get("Assignments"))
    if what == "n" or n is None:
        return n
    share = _number(row.get("% over cap"))
    return None if share is None else round(share * n / 100)


def _minus(total, parts):
    if total is None or any(p is None for p in parts):
        return None
    return total - sum(parts)


@pytest.fixture(scope="module")
def setting(dash_app, viewers):
    server = dash_app.server
    with server.app_context():
        rows = pay_loader._prepared(**pay_loader.paye_rates())
        las = loader.local_authorities()
        periods = pay_loader.periods()
    return {"server": server, "truth": Truth(rows), "las": las, "periods": periods,
            "names": dict(zip(las["la_code"], las["la_name"])),
            "subregions": las.groupby("subregion_code")["la_code"].apply(list).to_dict()}


def _fetcher(setting, viewers):
    """`fetch_under(secret)`: switches the app's disclosure secret (None: the app's own) and returns a fetch of
    (viewer, area, job, by) -> {"la": rows by LA name, "job": rows by job name, "pooled": the area's row,
    "trend": {(quarter, job name): row}, "kpi": {label: value}} for the last eight quarters."""
    server, periods = setting["server"], setting["periods"]
    start, end = periods[-8].date().isoformat(), periods[-1].date().isoformat()

    def fetch_under(secret):
        use_disclosure_secret(server, secret)

        @lru_cache(maxsize=None)
        def fetch(viewer, area, job, by):
            props = _render(viewers[viewer], start, end, area, job, by)
            rows = props["pay-summary-grid"]["rowData"]
            key = "LA" if by == "la" else "Job type"
            cards = texts(props["pay-kpis"]["children"])
            return {"pooled": rows[0], by: {r[key]: r for r in rows[1:]},
                    "trend": {(r["Quarter"], r["Job type"]): r for r in props["pay-trend-grid"]["rowData"]},
                    "kpi": dict(zip(cards[0::3], cards[1::3]))}
        return fetch
    return fetch_under


def use_disclosure_secret(server, secret):
    """The app's disclosure secret set to `secret` (None: its own), and the caches emptied so every view is rebuilt."""
    if secret is None:
        server.config.pop("DISCLOSURE_SECRET", None)
    else:
        server.config["DISCLOSURE_SECRET"] = secret
    with server.app_context():
        loader.cache.clear()


def _attempts(setting, viewer) -> list[Attempt]:
    truth, names, periods, subregions = setting["truth"], setting["names"], setting["periods"], setting["subregions"]
    end = periods[-1]
    areas = {"london": list(names)} | {f"sr:{sr}": codes for sr, codes in subregions.items()} | {c: [c] for c in names}
    job_names = {j: JOB_TYPES.get(j, "All job types") for j in JOBS}
    attempts = []

    def add(route, target, value, derive):
        if 1 <= value <= 5:
            attempts.append(Attempt(f"{route} (as {names[viewer]})", target, value, derive))

    for area, codes in areas.items():
        others = [c for c in codes if c != viewer]
        if not others:
            continue
        subregion = next(sr for sr, members in subregions.items() if codes[0] in members)
        shown = codes if len(codes) > 1 else subregions[subregion]     # one LA is shown among its sub-region's
        for job in JOBS:
            for what in COUNTED:
                # Shown directly: each other LA's row.
                for la in shown:
                    if la != viewer:
                        add(f"{area} {job}: {names[la]}'s row", (la, end, job, what), truth.count([la], end, job, what),
                            lambda f, a=area, j=job, n=names[la], w=what: _figure(f(viewer, a, j, "la")["la"].get(n), w))
                # The area's pooled row and KPI card, less the viewer's own LA (exact for them).
                own = (lambda f, j=job, w=what: _figure(f(viewer, viewer, j, "la")["pooled"], w)) if viewer in codes else (lambda f: 0)
                target = (tuple(others), end, job, what)
                add(f"{area} {job}: pooled row less own LA", target, truth.count(others, end, job, what),
                    lambda f, a=area, j=job, w=what, own=own: _minus(_figure(f(viewer, a, j, "la")["pooled"], w), [own(f)]))
                if what == "n":
                    label = f"Assignments, {quarter_label(end)}"
                    add(f"{area} {job}: KPI card less own LA", target, truth.count(others, end, job),
                        lambda f, a=area, j=job, own=own, label=label: _minus(
                            _number(pd.to_numeric(f(viewer, a, j, "la")["kpi"].get(label, "").replace(",", ""),
                                                  errors="coerce")), [own(f)]))
                # The pooled row less the other LAs shown beside it.
                if len(codes) > 1:
                    for la in others:
                        rest = [names[c] for c in codes if c != la]
                        add(f"{area} {job}: pooled less the other LAs", (la, end, job, what),
                            truth.count([la], end, job, what),
                            lambda f, a=area, j=job, w=what, rest=rest: (
                                lambda v: _minus(_figure(v["pooled"], w), [_figure(v["la"].get(n), w) for n in rest]))(
                                f(viewer, a, j, "la")))
            # Job types in the area: each job's row, and the pooled row less the other job types.
            if job == "all":
                for jt in JOB_TYPES:
                    for what in COUNTED:
                        value = truth.count(others, end, jt, what)
                        own_job = ((lambda f, jt=jt, w=what: _figure(f(viewer, viewer, "all", "job")["job"].get(JOB_TYPES[jt]), w))
                                   if viewer in codes else (lambda f: 0))
                        add(f"{area}: {JOB_TYPES[jt]} row less own LA", (tuple(others), end, jt, what), value,
                            lambda f, a=area, jt=jt, w=what, own=own_job: _minus(
                                _figure(f(viewer, a, "all", "job")["job"].get(JOB_TYPES[jt]), w), [own(f)]))
                        rest = [JOB_TYPES[j] for j in JOB_TYPES if j != jt]
                        add(f"{area}: pooled less the other job types, less own LA", (tuple(others), end, jt, what), value,
                            lambda f, a=area, w=what, rest=rest, own=own_job: (
                                lambda v: _minus(_figure(v["pooled"], w), [_figure(v["job"].get(n), w) for n in rest] + [own(f)]))(
                                f(viewer, a, "all", "job")))
        # The trend table: each quarter's all-jobs row and job rows, and all jobs less the other job types.
        if len(codes) == 1:
            la = codes[0]
            for period in periods[-8:]:
                quarter = quarter_label(period)
                for jt in JOBS:
                    name = "All job types shown" if jt == "all" else JOB_TYPES[jt]
                    for what in COUNTED:
                        value = truth.count([la], period, jt, what)
                        add(f"{area}: trend row {quarter} {name}", (la, period, jt, what), value,
                            lambda f, a=area, key=(quarter, name), w=what: _figure(f(viewer, a, "all", "la")["trend"].get(key), w))
                        if jt != "all":
                            rest = [(quarter, JOB_TYPES[j]) for j in JOB_TYPES if j != jt]
                            add(f"{area}: trend {quarter} all less the other job types", (la, period, jt, what), value,
                                lambda f, a=area, q=quarter, w=what, rest=rest: (lambda t: _minus(
                                    _figure(t.get((q, "All job types shown")), w), [_figure(t.get(k), w) for k in rest]))(
                                    f(viewer, a, "all", "la")["trend"]))
    # All job types less the other job types, each in its own filtered view: an LA's row in five views.
    for la in names:
        if la == viewer:
            continue
        area = next(f"sr:{sr}" for sr, members in subregions.items() if la in members)
        for jt in JOB_TYPES:
            for what in COUNTED:
                rest = [j for j in JOB_TYPES if j != jt]
                add(f"{area}: all job types less each other job type's filtered view, {names[la]}", (la, end, jt, what),
                    truth.count([la], end, jt, what),
                    lambda f, a=area, n=names[la], w=what, rest=rest: _minus(
                        _figure(f(viewer, a, "all", "la")["la"].get(n), w), [_figure(f(viewer, a, j, "la")["la"].get(n), w) for j in rest]))
    return attempts


def _pay_attempts(setting, viewer) -> list[Attempt]:
    """Pay figures (median, lowest, highest) of another LA's group of fewer than 5 assignments, as shown."""
    truth, names, periods, subregions = setting["truth"], setting["names"], setting["periods"], setting["subregions"]
    end = periods[-1]
    attempts = []
    columns = {"median": "Median (£/h)", "min": "Lowest (£/h)", "max": "Highest (£/h)"}
    for la, name in names.items():
        if la == viewer:
            continue
        area = next(f"sr:{sr}" for sr, members in subregions.items() if la in members)
        for job in JOBS:
            rates = truth.cell([la], end, job)["adjusted_rate"]
            if not 1 <= len(rates) <= 4:
                continue
            figures = {"median": rates.median(), "min": rates.min(), "max": rates.max()}
            for figure, column in columns.items():
                attempts.append(Attempt(f"{area} {job}: {name}'s {column} from {len(rates)} assignments (as {names[viewer]})",
                                        (la, end, job, figure), round(float(figures[figure]), 2),
                                        lambda f, a=area, j=job, n=name, c=column: _number(f(viewer, a, j, "la")["la"].get(n, {}).get(c))))
                attempts.append(Attempt(f"{la} {job}: the LA's own view's {column} (as {names[viewer]})",
                                        (la, end, job, figure), round(float(figures[figure]), 2),
                                        lambda f, a=la, j=job, c=column: _number(f(viewer, a, j, "job")["pooled"].get(c))))
    return attempts


@pytest.mark.parametrize("viewer", [LAMBETH, HACKNEY])
def test_no_count_of_1_to_5_about_another_las_assignments_is_recovered(setting, viewers, viewer):
    report = run(_attempts(setting, viewer), _fetcher(setting, viewers))
    print(f"Agency pay counts, as {setting['names'][viewer]}: {report}")
    assert report.attempts > 500, "the harness made too few attempts to mean anything"
    assert not report.recovered, describe(report)


@pytest.mark.parametrize("viewer", [LAMBETH, HACKNEY])
def test_no_pay_figure_of_fewer_than_5_of_another_las_assignments_is_shown(setting, viewers, viewer):
    report = run(_pay_attempts(setting, viewer), _fetcher(setting, viewers))
    print(f"Agency pay figures of small groups, as {setting['names'][viewer]}: {report}")
    assert report.attempts > 20
    assert not report.recovered, describe(report)
