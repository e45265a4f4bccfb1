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
The rule for "recovered" and the runner are tests/disclosure_attacks.py: under every disclosure secret.
"""
from __future__ import annotations

import json

import pandas as pd
import pytest

from dashboard import loader
from dashboard.auth.users import create_user
from dashboard.dashboards.agency_pay import data as pay_loader
from dashboard.dashboards.agency_pay import view as pay
from dashboard.dashboards.agency_pay.metrics import JOB_TYPES, quarter_label
from dashboard.store import get_engine
from tests.dash_requests import callback_request, response_props, texts
from tests.disclosure_attacks import Attempt, fetcher, one, run_attacks
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
    """`shown_under` for `run_attacks`: a fetch of (viewer, area, job, by) -> {"pooled": the area's row, "la" or "job":
    the rows by LA or job type name, "trend": {(quarter, job name): row}, "kpi": {label: value}}, the last eight
    quarters, each distinct request made once per secret."""
    periods = setting["periods"]
    start, end = periods[-8].date().isoformat(), periods[-1].date().isoformat()

    def request(viewer, area, job, by):
        props = _render(viewers[viewer], start, end, area, job, by)
        rows = props["pay-summary-grid"]["rowData"]
        key = "LA" if by == "la" else "Job type"
        cards = texts(props["pay-kpis"]["children"])
        return {"pooled": rows[0], by: {r[key]: r for r in rows[1:]},
                "trend": {(r["Quarter"], r["Job type"]): r for r in props["pay-trend-grid"]["rowData"]},
                "kpi": dict(zip(cards[0::3], cards[1::3]))}
    return fetcher(request)


def _kpi_count(view, label):
    return _number(pd.to_numeric(str(view["kpi"].get(label, "")).replace(",", ""), errors="coerce"))


def _attacks(setting, viewer) -> dict:
    """{route: attack}, one attack per derived value (`one`): a chance match reruns only the views it needs."""
    return {route: one(route, value, derive) for route, _target, value, derive in _routes(setting, viewer)}


def _pay_attacks(setting, viewer) -> dict:
    return {route: one(route, value, derive) for route, _target, value, derive in _pay_routes(setting, viewer)}


def _routes(setting, viewer) -> list[tuple]:
    """Views asked for: All London and each sub-region, every job type, split by LA; the same split by job type; each
    LA alone split by job type (its pooled row, job rows, KPI cards and trend table)."""
    truth, names, periods, subregions = setting["truth"], setting["names"], setting["periods"], setting["subregions"]
    end = periods[-1]
    own_name, kpi = names[viewer], f"Assignments, {quarter_label(end)}"
    attempts = []

    def add(route, target, value, derive):
        if 1 <= value <= 5:
            attempts.append((f"{route} (as {own_name})", target, value, derive))

    def own_job(f, jt, w):   # the viewer's own LA by job type: exact for them
        return _figure(f(viewer, viewer, "all", "job")["job"].get(JOB_TYPES[jt]), w)

    pooled_areas = {"london": list(names)} | {f"sr:{sr}": codes for sr, codes in subregions.items()}
    for area, codes in pooled_areas.items():
        others = [c for c in codes if c != viewer]
        mine = viewer in codes
        for job in JOBS:
            for what in COUNTED:
                view = (lambda f, a=area, j=job: f(viewer, a, j, "la"))
                own = (lambda v, w=what: _figure(v["la"].get(own_name), w)) if mine else (lambda v: 0)
                for la in others:   # each other LA's row, and the pooled row less the other LAs beside it
                    value = truth.count([la], end, job, what)
                    add(f"{area} {job}: {names[la]}'s row", (la, end, job, what), value,
                        lambda f, n=names[la], w=what, view=view: _figure(view(f)["la"].get(n), w))
                    rest = [names[c] for c in codes if c != la]
                    add(f"{area} {job}: pooled row less the other LAs", (la, end, job, what), value,
                        lambda f, w=what, rest=rest, view=view: (lambda v: _minus(
                            _figure(v["pooled"], w), [_figure(v["la"].get(n), w) for n in rest]))(view(f)))
                target = (tuple(others), end, job, what)
                add(f"{area} {job}: pooled row less own LA", target, truth.count(others, end, job, what),
                    lambda f, w=what, own=own, view=view: (lambda v: _minus(_figure(v["pooled"], w), [own(v)]))(view(f)))
                if what == "n":
                    add(f"{area} {job}: KPI card less own LA", target, truth.count(others, end, job),
                        lambda f, own=own, view=view: (lambda v: _minus(_kpi_count(v, kpi), [own(v)]))(view(f)))
        for jt in JOB_TYPES:   # split by job type: each job's row, and the pooled row less the other job types
            for what in COUNTED:
                value = truth.count(others, end, jt, what)
                own = (lambda f, jt=jt, w=what: own_job(f, jt, w)) if mine else (lambda f: 0)
                add(f"{area}: {JOB_TYPES[jt]} row less own LA", (tuple(others), end, jt, what), value,
                    lambda f, a=area, jt=jt, w=what, own=own: _minus(
                        _figure(f(viewer, a, "all", "job")["job"].get(JOB_TYPES[jt]), w), [own(f)]))
                rest = [JOB_TYPES[j] for j in JOB_TYPES if j != jt]
                add(f"{area}: pooled less the other job types and own LA", (tuple(others), end, jt, what), value,
                    lambda f, a=area, w=what, rest=rest, own=own: (lambda v: _minus(
                        _figure(v["pooled"], w), [_figure(v["job"].get(n), w) for n in rest] + [own(f)]))(
                        f(viewer, a, "all", "job")))
                # All job types less each other job type's own filtered view, per LA.
                for la in others if area != "london" else []:
                    add(f"{area}: all job types less the other job types' filtered views, {names[la]}",
                        (la, end, jt, what), truth.count([la], end, jt, what),
                        lambda f, a=area, n=names[la], w=what, rest=[j for j in JOB_TYPES if j != jt]: _minus(
                            _figure(f(viewer, a, "all", "la")["la"].get(n), w),
                            [_figure(f(viewer, a, j, "la")["la"].get(n), w) for j in rest]))
    for la, name in names.items():   # each LA alone
        if la == viewer:
            continue
        view = (lambda f, a=la: f(viewer, a, "all", "job"))
        for what in COUNTED:
            add(f"{name} alone: pooled row", (la, end, "all", what), truth.count([la], end, None, what),
                lambda f, w=what, view=view: _figure(view(f)["pooled"], w))
            for jt in JOB_TYPES:
                value = truth.count([la], end, jt, what)
                add(f"{name} alone: {JOB_TYPES[jt]} row", (la, end, jt, what), value,
                    lambda f, n=JOB_TYPES[jt], w=what, view=view: _figure(view(f)["job"].get(n), w))
                rest = [JOB_TYPES[j] for j in JOB_TYPES if j != jt]
                add(f"{name} alone: pooled less the other job types", (la, end, jt, what), value,
                    lambda f, w=what, rest=rest, view=view: (lambda v: _minus(
                        _figure(v["pooled"], w), [_figure(v["job"].get(n), w) for n in rest]))(view(f)))
            for period in periods[-8:]:   # the trend table: each quarter's rows, and all less the other job types
                quarter = quarter_label(period)
                add(f"{name} alone: trend {quarter} all job types", (la, period, "all", what),
                    truth.count([la], period, None, what),
                    lambda f, k=(quarter, "All job types shown"), w=what, view=view: _figure(view(f)["trend"].get(k), w))
                for jt in JOB_TYPES:
                    value = truth.count([la], period, jt, what)
                    add(f"{name} alone: trend {quarter} {JOB_TYPES[jt]}", (la, period, jt, what), value,
                        lambda f, k=(quarter, JOB_TYPES[jt]), w=what, view=view: _figure(view(f)["trend"].get(k), w))
                    rest = [(quarter, JOB_TYPES[j]) for j in JOB_TYPES if j != jt]
                    add(f"{name} alone: trend {quarter} all less the other job types", (la, period, jt, what), value,
                        lambda f, q=quarter, w=what, rest=rest, view=view: (lambda t: _minus(
                            _figure(t.get((q, "All job types shown")), w), [_figure(t.get(k), w) for k in rest]))(
                            view(f)["trend"]))
        add(f"{name} alone: KPI card", (la, end, "all", "n"), truth.count([la], end),
            lambda f, view=view: _kpi_count(view(f), kpi))
    return attempts


def _pay_routes(setting, viewer) -> list[tuple]:
    """Pay figures (median, lowest, highest) of another LA's group of fewer than 5 assignments, as shown: its row in its
    sub-region's view of each job type, and its own view split by job type."""
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
                value = round(float(figures[figure]), 2)
                route = f"{name} {job}, {len(rates)} assignments: {column}"
                attempts.append((f"{route} in {area}'s view (as {names[viewer]})", (la, end, job, figure), value,
                                        lambda f, a=area, j=job, n=name, c=column: _number(
                                            f(viewer, a, j, "la")["la"].get(n, {}).get(c))))
                row = (lambda v: v["pooled"]) if job == "all" else (lambda v, j=job: v["job"].get(JOB_TYPES[j], {}))
                attempts.append((f"{route} in its own view (as {names[viewer]})", (la, end, job, figure), value,
                                        lambda f, a=la, c=column, row=row: _number(row(f(viewer, a, "all", "job")).get(c))))
    return attempts


OTHER_SECRETS = [f"another secret {i}".encode() for i in range(6)]


def _same_pay(attempt: Attempt) -> bool:
    """A pay figure is recovered when it is shown to the penny."""
    return attempt.derived is not None and round(attempt.derived, 2) == round(attempt.truth, 2)


@pytest.mark.parametrize("viewer", [LAMBETH, HACKNEY])
def test_no_count_of_1_to_5_about_another_las_assignments_is_recovered(setting, viewers, viewer):
    shown_under = _fetcher(setting, viewers)
    report = run_attacks(_attacks(setting, viewer), shown_under, None, OTHER_SECRETS)
    print(f"\nAgency pay counts, as {setting['names'][viewer]}: {report.summary()}; {shown_under.requests} requests")
    assert report.attempts > 500, "the harness made too few attempts to mean anything"
    assert report.recovered == [], report.recovered[:20]


@pytest.mark.parametrize("viewer", [LAMBETH, HACKNEY])
def test_no_pay_figure_of_fewer_than_5_of_another_las_assignments_is_shown(setting, viewers, viewer):
    shown_under = _fetcher(setting, viewers)
    report = run_attacks(_pay_attacks(setting, viewer), shown_under, None, OTHER_SECRETS,
                         recovers=_same_pay, targets=lambda attempt: True)
    print(f"\nAgency pay figures of small groups, as {setting['names'][viewer]}: {report.summary()}")
    assert report.attempts > 20
    assert report.recovered == [], report.recovered[:20]
