"""The disclosure attack harness on Sufficiency: signed in as Lambeth's commissioner, through the page's real callbacks,
every route the issue found (and more) is tried against other LAs' children, and no true count of 1 to 5 may come back
under every disclosure secret (see tests/disclosure_attacks.py for the criterion).

Targets: Camden (E09000007, a middling LA: every filter's values, two-way pairs, the KPI cards, the published
comparison and the forecast tables) and the City of London (E09000001, a handful of children: every table, and
area differencing, the East sub-region less its other LAs). The truth is each target's own view, as its own
commissioner sees it (exact).
"""
import re

import numpy as np

import pandas as pd
import pytest

from dashboard.dashboards.sufficiency import data
from dashboard.dashboards.sufficiency import metrics as m
from dashboard.loader import AccessScope, dataset_version
from dashboard.published.store import import_paths
from dashboard.store import get_engine
from dashboard import disclosure
from tests.dash_requests import callback_request, response_props
from tests.disclosure_attacks import (
    Attempt, direct, number, pair_differences, rate_times_base, run_attacks, total_minus_parts,
)
from tests.shared_files import REALDATA, shared_file
from tests.store_fixtures import ensure_user, sign_in

ATTACKER, CAMDEN, CITY = "E09000022", "E09000007", "E09000001"
EAST = ("E09000001", "E09000002", "E09000012", "E09000016", "E09000025", "E09000026", "E09000030", "E09000031")
FILTER_IDS = ["suff-area", "suff-at", "suff-age", "suff-sex", "suff-ethnicity", "suff-uasc", "suff-legal", "suff-cin",
              "suff-placement", "suff-provider"]
SELECTION = ("age", "sex", "ethnicity", "uasc", "legal", "cin", "placement", "provider")
FORECAST_IDS = (["suff-ref-from", "suff-ref-to", "suff-horizon"] + [f"suff-cost-{i}" for i in range(6)]
                + [f"suff-scenario-{n}" for n in ("entries", "exits", "shift", "inflation", "shift_from", "shift_to")])
AT = "2025-03-31"
CHARTS = ("tiles", "mix", "distance", "regions", "grades", "flows", "trend", "starts", "stability")
RENDER_OUTPUTS = [("suff-demo-banner", "children"), ("suff-privacy-note", "children"), ("suff-kpis", "children"),
                  *[item for chart in CHARTS for item in ((f"suff-{chart}-title", "children"), (f"suff-{chart}", "figure"))],
                  ("suff-notes", "children"), *[(f"suff-{chart}-takeaway", "children") for chart in CHARTS]]
OTHER_SECRETS = [f"another secret {i}".encode() for i in range(8)]
ONE_WAY = ("placement_mix", "distance", "location", "grades")
EVERY_TABLE = ("placement_mix", "distance", "location", "grades", "outside_regions", "tiles", "flows_location",
               "flows_provider", "trend", "starts_ends", "stability", "backtest", "rates", "rates_by_age", "entries")
NOT_OWN = {"tiles_others", "Other LAs' children placed inside the LA"}   # other LAs' children even in an LA's own view
PUBLISHED_FILE = REALDATA / "cla" / "cla_on_31_march_by_characteristics_london.csv"


def _client_of(server, email: str, la_code: str):
    ensure_user(email, la_code, "commissioner", f"Commissioner {la_code}")
    client = server.test_client()
    assert sign_in(client, email).status_code == 302
    return client


class Fetch:
    """Tables and KPI cards as `client` receives them from the page's callbacks, memoized; each request made under
    `secret` (None: the app's own)."""

    def __init__(self, client, secret: bytes | None = None):
        self.client, self.secret, self.memo = client, secret, {}

    def _post(self, outputs, inputs):
        disclosure.use_secret(self.secret)
        response = callback_request(self.client, outputs, inputs)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response_props(response)

    @staticmethod
    def _filters(area, filters):
        values = {"suff-area": area, "suff-at": AT, **{f"suff-{k}": "all" for k in SELECTION},
                  **{f"suff-{k}": v for k, v in filters.items()}}
        return [(i, "value", values[i]) for i in FILTER_IDS]

    def table(self, which: str, area: str, **filters) -> pd.DataFrame:
        key = ("table", which, area, tuple(sorted(filters.items())))
        if key not in self.memo:
            inputs = ([("suff-table-choice", "value", which)] + self._filters(area, filters)
                      + [(i, "value", None) for i in FORECAST_IDS] + [("suff-anon", "value", False)])
            props = self._post([("suff-table-title", "children"), ("suff-grid", "rowData"), ("suff-grid", "columnDefs")],
                               inputs)
            self.memo[key] = pd.DataFrame(props["suff-grid"]["rowData"])
        return self.memo[key]

    def published(self, area: str) -> pd.DataFrame:
        key = ("published", area)
        if key not in self.memo:
            outputs = [("suff-published-title", "children"), ("suff-published-text", "children"),
                       ("suff-published-grid", "rowData"), ("suff-published-grid", "columnDefs"),
                       ("suff-published-grid", "style")]
            props = self._post(outputs, [("suff-area", "value", area), ("suff-anon", "value", False)])
            self.memo[key] = pd.DataFrame(props["suff-published-grid"]["rowData"])
        return self.memo[key]

    def kpis(self, area: str, **filters) -> dict:
        key = ("kpis", area, tuple(sorted(filters.items())))
        if key not in self.memo:
            inputs = self._filters(area, filters) + [("suff-tile-mode", "value", "selected"),
                                                     ("suff-flow-mode", "value", "location"), ("suff-anon", "value", False)]
            props = self._post(RENDER_OUTPUTS, inputs)
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
            walk(props["suff-kpis"]["children"])
            self.memo[key] = {label: _kpi_number(v) for label, v in zip(found[0::2], found[1::2])}
        return self.memo[key]


def _kpi_number(text):
    match = re.match(r"^([\d,.]+)", str(text))
    return float(match.group(1).replace(",", "")) if match else None


def column(frame: pd.DataFrame, value: str, label: str | None = None) -> dict:
    """{row label: value} of one column (the first column labels the rows)."""
    if frame.empty or value not in frame:
        return {}
    label = label or frame.columns[0]
    return dict(zip(frame[label].astype(str), frame[value]))


def row(frame: pd.DataFrame, at: int) -> dict:
    return dict(frame.iloc[at])


def count_columns(frame: pd.DataFrame) -> list[str]:
    """The columns that hold counts of children (not labels, shares, rates, forecasts or errors)."""
    skip = ("%", "per ", "Error", "Forecast", "Starts per month", "Child-months")
    return [c for c in frame.columns[1:] if not any(s in c for s in skip) and c not in ("la_code", "LA")
            and pd.api.types.is_numeric_dtype(frame[c])]


def table_attempts(route: str, shown: pd.DataFrame, true: pd.DataFrame) -> list:
    """Every count shown as it is, every total less its other parts (down each column with a Total row, across each
    row with a Total column), and every % or rate times its base."""
    out = []
    if true.empty:
        return out
    label = "LA" if "LA" in true else true.columns[0]
    counts = count_columns(true)
    for c in counts:
        out += direct(f"{route}.{c}", column(shown, c, label), column(true, c, label))
        out += total_minus_parts(f"{route}.{c}", column(shown, c, label), column(true, c, label))
    if "Total" in true.columns:
        parts = [c for c in counts if c != "Total"]
        for i in range(len(true)):
            name = str(true.iloc[i][label])
            out += total_minus_parts(f"{route}[{name}]", row(shown[[*parts, "Total"]], i), row(true[[*parts, "Total"]], i))
    if "%" in true and "Children" in true:
        total = column(shown, "Children", label).get("Total")
        out += rate_times_base(f"{route}.%", column(shown, "%", label),
                               {k: total for k in column(shown, "%", label)}, column(true, "Children", label))
    if "%" in true and "3 or more placements" in true:
        out += rate_times_base(f"{route}.%", column(shown, "%"), column(shown, "Looked after at 31 March"),
                               column(true, "3 or more placements"))
    for rate, base, count in (("Left care per 100 children a month", "Child-months observed", "Left care"),
                              ("Moved per 100 children a month", "Child-months observed", "Moved to another type")):
        if rate in true:
            out += rate_times_base(f"{route}.{rate}", column(shown, rate), column(shown, base), column(true, count))
    return out


@pytest.fixture()
def clients(server):
    import_paths(get_engine(), [str(shared_file(PUBLISHED_FILE))])
    return {"attacker": _client_of(server, "commissioner@lambeth.example", ATTACKER),
            CAMDEN: _client_of(server, "commissioner@camden.example", CAMDEN),
            CITY: _client_of(server, "commissioner@city.example", CITY)}


def _filter_values() -> dict:
    """Every value of every Sufficiency filter, as the page offers them (legal status and need from the data)."""
    options = data.options(AccessScope("commissioner", ATTACKER))
    return {"age": list(m.AGE_BANDS), "sex": ["1", "2"], "ethnicity": list(m.ETHNIC_GROUPS), "uasc": ["yes", "no"],
            "legal": list(options["legal_groups"]), "cin": [code for code, _ in options["cin"]][:3],   # run time
            "placement": list(m.PLACEMENT_GROUPS), "provider": list(m.PROVIDER_GROUPS)}


def sufficiency_attacks(values: dict) -> dict:
    """{name: attack(shown_fetch, truth) -> attempts} for every route."""
    camden, city = f"la:{CAMDEN}", f"la:{CITY}"
    attacks = {}

    # Every table of each target's unfiltered view: counts as shown, totals less parts, rates times bases.
    for la in (CAMDEN, CITY):
        for which in EVERY_TABLE:
            attacks[f"{la} {which}"] = (lambda la, which: lambda shown, truth: table_attempts(
                f"la:{la} {which}", shown.table(which, f"la:{la}"), truth[la].table(which, f"la:{la}")))(la, which)

    # Single-filter differencing: the unfiltered view less the view with one filter, cell by cell and in total,
    # and the total less every other value's view (the one left out), for every value of every filter.
    for name, options in values.items():
        for value in options:
            def single(shown, truth, name=name, value=value):
                out = []
                for which in ONE_WAY:
                    every, one = shown.table(which, camden), shown.table(which, camden, **{name: value})
                    t_every, t_one = truth[CAMDEN].table(which, camden), truth[CAMDEN].table(which, camden, **{name: value})
                    out += pair_differences(f"{camden} {which}: all - {name}={value}", column(every, "Children"),
                                            column(one, "Children"), column(t_every, "Children"), column(t_one, "Children"))
                    out += table_attempts(f"{camden} {which} {name}={value}", one, t_one)
                return out
            attacks[f"single {name}={value}"] = single

        def left_out(shown, truth, name=name, options=options):
            out = []
            total = number(column(shown.table("placement_mix", camden), "Children")["Total"])
            for target in options:
                others = [number(column(shown.table("placement_mix", camden, **{name: v}), "Children").get("Total", 0))
                          for v in options if v != target]
                t = column(truth[CAMDEN].table("placement_mix", camden, **{name: target}), "Children").get("Total", 0)
                derived = None if total is None or None in others else total - sum(others)
                out.append(disclosure_attempt(f"{camden} total - every other {name}: {name}={target}", derived, t))
            return out
        attacks[f"left out {name}"] = left_out

    # Two-way differencing: a group's view less the same group with a second filter gives the second filter's other
    # level within the group.
    pairs = [("ethnicity", e, "sex", "1") for e in values["ethnicity"]] + \
            [("placement", p, "age", "16 and over") for p in values["placement"]] + \
            [("uasc", "yes", "sex", "1"), ("age", "16 and over", "uasc", "yes")]
    for first, a, second, b in pairs:
        def two_way(shown, truth, first=first, a=a, second=second, b=b):
            out = []
            for which in ("placement_mix", "location"):
                one, both = shown.table(which, camden, **{first: a}), shown.table(which, camden, **{first: a, second: b})
                t_one = truth[CAMDEN].table(which, camden, **{first: a})
                t_both = truth[CAMDEN].table(which, camden, **{first: a, second: b})
                out += pair_differences(f"{camden} {which}: {first}={a} - {first}={a},{second}={b}",
                                        column(one, "Children"), column(both, "Children"),
                                        column(t_one, "Children"), column(t_both, "Children"))
            return out
        attacks[f"two-way {first}={a} x {second}={b}"] = two_way

    # Area differencing: the East sub-region less its other LAs gives the City.
    for filters in ({}, {"age": "16 and over"}):
        def area(shown, truth, filters=filters):
            out = []
            for which in ("placement_mix", "location"):
                region = column(shown.table(which, "sr:east", **filters), "Children")
                others = [column(shown.table(which, f"la:{la}", **filters), "Children") for la in EAST if la != CITY]
                true = column(truth[CITY].table(which, city, **filters), "Children")
                for k, t in true.items():
                    parts = [number(o.get(k, 0)) for o in others]
                    whole = number(region.get(k))
                    derived = None if whole is None or None in parts else whole - sum(parts)
                    out.append(disclosure_attempt(f"sr:east - other East LAs {which}[{k}] {filters}", derived, t))
            return out
        attacks[f"area {filters}"] = area

    # KPI cards against the tables: a card's share times the card's count, and the card's count itself.
    for filters in ({}, {"sex": "2"}):
        def kpis(shown, truth, filters=filters):
            cards, true = shown.kpis(camden, **filters), column(truth[CAMDEN].table("placement_mix", camden, **filters), "Children")
            n = cards["Children looked after"]
            out = [disclosure_attempt(f"{camden} KPI children {filters}", n, true["Total"])]
            for card, rows in (("In foster care", list(m.PLACEMENT_GROUPS[:2])), ("In children's homes", ["Children's homes"]),
                               ("In supported accommodation", ["Supported accommodation"])):
                share = cards.get(card)
                out.append(disclosure_attempt(f"{camden} KPI {card} % x children {filters}",
                                              None if share is None or n is None else share * n / 100,
                                              sum(true[r] for r in rows)))
            return out
        attacks[f"kpis {filters}"] = kpis

    # The published comparison: the tool's counts as shown, and its % times its total.
    def published(shown, truth):
        out = []
        for la in (CAMDEN, CITY):
            mine, true = shown.published(f"la:{la}"), truth[la].published(f"la:{la}")
            true = true[~true["Measure"].isin(NOT_OWN)]
            for year in sorted(true["Year (31 March)"].unique()):
                s, t = (f[f["Year (31 March)"] == year].set_index("Measure") for f in (mine, true))
                counts = {k: v for k, v in t["This tool"].items() if isinstance(v, (int, float))}
                out += direct(f"la:{la} published {year}", s["This tool"].to_dict(), counts)
                total = s["This tool"].get("Children looked after")
                out += rate_times_base(f"la:{la} published {year} %", s["This tool %"].to_dict(),
                                       {k: total for k in counts}, {k: v for k, v in counts.items()
                                                                    if k != "Children looked after"})
        return out
    attacks["published"] = published
    return attacks


def disclosure_attempt(route, derived, truth):
    return Attempt(route, None if derived is None else float(derived), float(truth))


def test_no_count_of_1_to_5_of_another_las_children_is_recovered_by_any_route(server, clients):
    truth = {CAMDEN: Fetch(clients[CAMDEN]), CITY: Fetch(clients[CITY])}
    attacker = {None: Fetch(clients["attacker"])}

    def shown_under(secret):
        if secret not in attacker:
            attacker[secret] = Fetch(clients["attacker"], secret)
        return attacker[secret]

    try:
        with server.app_context():
            values = _filter_values()
        report = run_attacks(sufficiency_attacks(values), shown_under, truth, OTHER_SECRETS)
    finally:
        disclosure.use_secret(None)
    print(f"\nSufficiency disclosure attacks: {report.summary()}")
    assert report.attempts > 2000 and report.small > 200        # the harness really tried, on small counts too
    assert report.recovered == [], report.recovered[:20]


def test_protected_london_figures_stay_close_to_the_truth(server, monkeypatch):
    """All London, unfiltered: every count of every table, protected against the same computed with no change
    (the perturbation switched off), reported as the mean absolute change."""
    selection = {k: "all" for k in SELECTION}
    scope = AccessScope("commissioner", ATTACKER)
    with server.app_context():
        version = dataset_version(data.NAME)
        shown = data.view.uncached(scope, "london", AT, selection, version=version)
        monkeypatch.setattr(disclosure, "protect", lambda counts, keys: np.asarray(counts, dtype="int64"))
        true = data.view.uncached(scope, "london", AT, selection, version=version)
    changes, totals = [], []
    for name in ("placement_mix", "distance", "location", "grades", "outside_regions", "tiles", "flows_location",
                 "flows_provider", "trend", "starts_ends", "stability"):
        columns = count_columns(true[name])
        a, b = shown[name][columns].to_numpy(dtype=float), true[name][columns].to_numpy(dtype=float)
        changes += list(np.abs(a - b).ravel())
        if "Total" in set(true[name].iloc[:, 0].astype(str)):
            at = true[name].iloc[:, 0].astype(str) == "Total"
            totals += list(np.abs(a[at.to_numpy()] - b[at.to_numpy()]).ravel())
    print(f"\nAll London: mean absolute change {np.mean(changes):.2f} over {len(changes)} counts; on the "
          f"{len(totals)} London totals {np.mean(totals):.2f} (largest {np.max(changes):g}); "
          f"London looked after {true['headline']['children']:,} shown as {shown['headline']['children']:,}")
    assert 0 < np.mean(changes) < 2 and np.max(changes) <= 5
    assert abs(shown["headline"]["children"] - true["headline"]["children"]) <= 3
