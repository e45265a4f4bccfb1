"""The disclosure attack harness on the pages built from counts members return (issue 19): Education suspensions and
Leadership in Colour's demo counts. Signed in as Lambeth's member, through each page's real callback, every route is
tried against other LAs' counts, and no true count of 1 to 5 may come back under every disclosure secret (the rule
and the runner are tests/disclosure_attacks.py).

Suspensions (targets: the City of London, a few hundred pupils, and Camden, a middling LA; every year, both outcomes): each count as shown (pupils, pupils with the outcome, for both outcomes); the All pupils row less the other
groups; each rate per 1,000 times its pupils; the KPI cards (White British rate x its pupils, All pupils rate x all
pupils) against the table; for the latest year, the sub-region less its other LAs, and London less every other LA,
group by group (the area filter's differencing). The year and outcome filters give separate tables (no view adds them
up), and the groups filter only chooses the RRI series drawn over time.
Leadership in Colour (demo counts; targets: the City and Camden): each band's staff with known ethnicity, for every
service filter; all services less the other services (the service filter's differencing); each group's share x
known staff (every group filter, for all services; the BGM share for each service); all boroughs less every other
borough.
"""
from __future__ import annotations

import inspect
import re

import pandas as pd
import pytest

from dashboard import disclosure, loader
from dashboard.dashboards.leadership_in_colour import data as linc_data
from dashboard.dashboards.leadership_in_colour import view as linc
from dashboard.dashboards.suspensions import data as sus_data
from tests.app.test_leadership_in_colour_page import render as render_linc
from tests.app.test_suspensions_page import render as render_suspensions
from tests.disclosure_attacks import Attempt, direct, number, rate_times_base, run_attacks, total_minus_parts

ATTACKER, CITY, CAMDEN = "E09000022", "E09000001", "E09000007"
TARGETS = (CITY, CAMDEN)
SCOPE = loader.AccessScope("member", ATTACKER)
OTHER_SECRETS = [f"another secret {i}".encode() for i in range(6)]
OUTCOMES = {"suspended": ("pupils_suspended", "Pupils suspended"), "permanent": ("permanent_exclusions", "Permanent exclusions")}


def kpi_values(children) -> dict:
    """{card label: its value as text} from a KPI row."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            inner = node.get("props", {})
            if inner.get("className") in ("kpi-label", "kpi-value"):
                found.append(inner.get("children"))
            for value in (inner.values() if "props" in node else node.values()):
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(children)
    return dict(zip(found[0::2], found[1::2]))


def as_number(text) -> float | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    match = re.match(r"^([\d,.]+)%?$", str(text).strip())
    return float(match.group(1).replace(",", "")) if match else None


class Fetch:
    """What `client` receives from the pages' callbacks, each distinct request made once (memoized), under `secret`
    (None: the app's own). `requests` counts the requests actually made."""

    def __init__(self, client, secret: bytes | None = None):
        self.client, self.secret, self.memo, self.requests = client, secret, {}, 0

    def _get(self, key, request):
        if key not in self.memo:
            disclosure.use_secret(self.secret)
            self.memo[key] = request()
            self.requests += 1
        return self.memo[key]

    def suspensions(self, area: str, year: str, outcome: str) -> dict:
        """{"table": {group: row}, "kpis": {label: text}} of one Suspensions view (the page's render callback)."""
        props = self._get(("susp", area, year, outcome),
                          lambda: render_suspensions(self.client, area, year, outcome, groups=()))
        return {"table": {r["Ethnic group"]: r for r in props["susp-table-grid"]["rowData"]},
                "kpis": kpi_values(props["susp-kpis"]["children"])}

    def linc(self, borough: str, service: str, group: str = "bgm") -> dict:
        """{"bands": [band row]} of one Leadership in Colour demo view (the page's render callback)."""
        props = self._get(("linc", borough, service, group),
                          lambda: render_linc(self.client, source="demo", borough=borough, service=service, group=group))
        return {"bands": props["linc-band-grid"]["rowData"]}


# --- Suspensions -------------------------------------------------------------------------------------------------

def suspensions_attacks(truth: pd.DataFrame, las: pd.DataFrame, years: list[str]) -> dict:
    """{name: attack(shown, truth) -> attempts}. `truth`: the stored LA rows (exact)."""
    subregion = dict(zip(las["la_code"], las["subregion_code"]))
    members = las.groupby("subregion_code")["la_code"].apply(list).to_dict()
    every = list(las["la_code"])
    attacks = {}

    def true_of(la, year, column) -> dict:
        rows = truth[(truth["la_code"] == la) & (truth["academic_year"] == year)]
        return {g: float(v) for g, v in zip(rows["ethnicity"], rows[column]) if pd.notna(v)}

    for la in TARGETS:
        for year in years:
            for outcome, (column, header) in OUTCOMES.items():
                def own_view(shown, _truth, la=la, year=year, outcome=outcome, column=column, header=header):
                    view = shown.suspensions(la, year, outcome)
                    table = view["table"]
                    route = f"{la} {year} {outcome}"
                    counts, pupils = true_of(la, year, column), true_of(la, year, "headcount")
                    shown_counts = {g: r[header] for g, r in table.items()}
                    shown_pupils = {g: r["Pupils"] for g, r in table.items()}
                    out = direct(f"{route} {header}", shown_counts, counts)
                    out += direct(f"{route} Pupils", shown_pupils, pupils)
                    out += total_minus_parts(f"{route} {header}", shown_counts, counts, total="All pupils")
                    out += total_minus_parts(f"{route} Pupils", shown_pupils, pupils, total="All pupils")
                    out += rate_times_base(f"{route} rate", {g: r["Rate per 1,000"] for g, r in table.items()},
                                           shown_pupils, counts, per=1000)
                    # The KPI cards against the table: a rate card times the pupils it is a rate of.
                    cards = view["kpis"]
                    wb_rate, all_rate = as_number(cards.get("White British rate")), as_number(cards.get("All pupils rate"))
                    wb_pupils = number(shown_pupils.get("White British"))
                    all_pupils = number(shown_pupils.get("All pupils"))
                    out.append(Attempt(f"{route} KPI White British rate x pupils", None if wb_rate is None or
                                       wb_pupils is None else wb_rate * wb_pupils / 1000, counts.get("White British", -1)))
                    out.append(Attempt(f"{route} KPI all pupils rate x pupils", None if all_rate is None or
                                       all_pupils is None else all_rate * all_pupils / 1000, sum(counts.values())))
                    return out
                attacks[f"suspensions {la} {year} {outcome}"] = own_view

                def areas(shown, _truth, la=la, year=year, outcome=outcome, column=column, header=header):
                    out = []
                    counts = true_of(la, year, column)
                    for whole, others, label in (
                            ("sr:" + subregion[la], [o for o in members[subregion[la]] if o != la], "sub-region"),
                            ("london", [o for o in every if o != la], "London")):
                        region = shown.suspensions(whole, year, outcome)["table"]
                        parts = [shown.suspensions(o, year, outcome)["table"] for o in others]
                        for group, true in counts.items():
                            values = [number(p.get(group, {}).get(header)) for p in parts]
                            total = number(region.get(group, {}).get(header))
                            derived = None if total is None or None in values else total - sum(values)
                            out.append(Attempt(f"{la} {year} {outcome} {label} less its other LAs [{group}]", derived, true))
                    return out
                if year == years[0] and outcome == "suspended":   # every LA's view, the latest year
                    attacks[f"suspensions areas {la} {year} {outcome}"] = areas
    return attacks


# --- Leadership in Colour ------------------------------------------------------------------------------------------

def linc_attacks(truth: pd.DataFrame, las: pd.DataFrame) -> dict:
    """{name: attack(shown, truth) -> attempts}. `truth`: the stored demo headcounts (exact), each LA's latest snapshot."""
    latest = truth.groupby("la_code")["snapshot_date"].transform("max")
    truth = truth[truth["snapshot_date"] == latest]
    services = list(linc_data.SERVICE_GROUPS)
    labels = [b[0] for b in linc_data.PAY_BANDS]
    every = list(las["la_code"])
    attacks = {}

    def true_counts(la, service, groups) -> dict:
        rows = truth[(truth["la_code"] == la) & truth["ethnicity"].isin(groups)]
        if service != "all":
            rows = rows[rows["service_group"] == service]
        by_band = rows.groupby("band_order")["headcount"].sum()
        return {labels[b - 1]: float(by_band.get(b, 0)) for b in range(1, len(labels) + 1)}

    known = list(linc.rep.GROUPS)
    for la in TARGETS:
        for service in ["all"] + services:
            def direct_and_shares(shown, _truth, la=la, service=service):
                out = []
                # Each group's share needs its own view (the group filter); for one service that is enough to try
                # share x known for every group, the other services are tried with the BGM share.
                for group in linc.DEMO_GROUPS if service == "all" else ("bgm",):
                    bands = {r["Pay band"]: r for r in shown.linc(la, service, group)["bands"]}
                    members = list(linc.rep.BGM_GROUPS) if group == "bgm" else [group]
                    staff = {b: as_number(r["Staff with known ethnicity"]) for b, r in bands.items()}
                    if group == "bgm":
                        out += direct(f"{la} {service} known staff", staff, true_counts(la, service, known))
                    out += rate_times_base(f"{la} {service} {group} share x known",
                                           {b: as_number(r["Share of staff"]) for b, r in bands.items()}, staff,
                                           true_counts(la, service, members))
                return out
            attacks[f"linc {la} {service}"] = direct_and_shares

        def services_differenced(shown, _truth, la=la):
            out = []
            whole = {r["Pay band"]: as_number(r["Staff with known ethnicity"]) for r in shown.linc(la, "all")["bands"]}
            parts = {s: {r["Pay band"]: as_number(r["Staff with known ethnicity"]) for r in shown.linc(la, s)["bands"]}
                     for s in services}
            for target in services:
                true = true_counts(la, target, known)
                for band, value in true.items():
                    others = [parts[s].get(band) for s in services if s != target]
                    total = whole.get(band)
                    derived = None if total is None or None in others else total - sum(others)
                    out.append(Attempt(f"{la} all services less the others [{target}, {band}]", derived, value))
            return out
        attacks[f"linc services {la}"] = services_differenced

        def boroughs_differenced(shown, _truth, la=la):
            london = {r["Pay band"]: as_number(r["Staff with known ethnicity"]) for r in shown.linc("all", "all")["bands"]}
            parts = [{r["Pay band"]: as_number(r["Staff with known ethnicity"]) for r in shown.linc(o, "all")["bands"]}
                     for o in every if o != la]
            out = []
            for band, value in true_counts(la, "all", known).items():
                others = [p.get(band) for p in parts]
                derived = None if london.get(band) is None or None in others else london[band] - sum(others)
                out.append(Attempt(f"{la} all boroughs less every other [{band}]", derived, value))
            return out
        attacks[f"linc boroughs {la}"] = boroughs_differenced
    return attacks


@pytest.fixture()
def attacker(member_client):
    fetches = {}

    def shown_under(secret):
        if secret not in fetches:
            fetches[secret] = Fetch(member_client, secret)
        return fetches[secret]
    yield shown_under, fetches
    disclosure.use_secret(None)


def test_no_suspensions_count_of_1_to_5_of_another_la_is_recovered(server, attacker):
    shown_under, fetches = attacker
    with server.app_context():
        truth = sus_data.la_rows(SCOPE)
        las = loader.local_authorities()
    years = sorted(truth["academic_year"].unique())
    report = run_attacks(suspensions_attacks(truth, las, years[::-1]), shown_under, None, OTHER_SECRETS)
    print(f"\nSuspensions disclosure attacks: {report.summary()}; "
          f"{sum(f.requests for f in fetches.values())} callback requests")
    assert report.attempts > 1500 and report.small > 250       # the harness really tried, on small counts too
    assert report.recovered == [], report.recovered[:20]


def test_no_leadership_in_colour_count_of_1_to_5_of_another_la_is_recovered(server, attacker):
    shown_under, fetches = attacker
    with server.app_context():
        truth = linc_data.payband_headcount(SCOPE)
        las = loader.local_authorities()
    report = run_attacks(linc_attacks(truth, las), shown_under, None, OTHER_SECRETS)
    print(f"\nLeadership in Colour disclosure attacks: {report.summary()}; "
          f"{sum(f.requests for f in fetches.values())} callback requests")
    assert report.attempts > 400 and report.small > 20
    assert report.recovered == [], report.recovered[:20]


def test_protected_london_totals_stay_close_to_the_truth_and_every_view_reads_the_same_cells(server):
    """Suspensions and Leadership in Colour: London's totals (every LA's protected counts added up) against the true
    totals, reported as the mean absolute change; the protected counts built again from scratch (as after a restart,
    same secret) are the same, cell for cell."""
    admin = loader.AccessScope("admin", None)
    with server.app_context():
        sus_true, sus_shown = sus_data.la_rows(admin), sus_data.protected_la_rows(admin)
        again = inspect.unwrap(sus_data.protected_la_rows)(admin)     # built again, not read from any cache
        linc_true, linc_shown = linc_data.payband_headcount(admin), linc_data.protected_payband_headcount(admin)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), sus_shown.reset_index(drop=True))
    lines = []
    for name, true, shown, by, columns in (
            ("Suspensions", sus_true, sus_shown, ["academic_year", "ethnicity"], ["headcount", "pupils_suspended"]),
            ("Leadership in Colour", linc_true, linc_shown, ["snapshot_date", "band_order", "ethnicity"], ["headcount"])):
        for column in columns:
            a = true.groupby(by)[column].sum().astype(float)
            b = shown.groupby(by)[column].sum().astype(float).reindex(a.index)
            change = (a - b).abs()
            lines.append(f"{name} {column}: mean absolute change {change.mean():.1f} on {len(a)} London totals "
                         f"(mean total {a.mean():,.0f}, largest change {change.max():g})")
            assert change.mean() < 3 * (true.groupby(by).size().mean() ** 0.5) * 2   # a few per LA cell, not a drift
            assert change.mean() < 0.05 * a.mean()
    print("\n" + "\n".join(lines))
