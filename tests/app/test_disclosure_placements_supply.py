"""The disclosure attack harness on Placements and supply: a Lambeth commissioner, through the page's real callback,
tries to recover counts of 1 to 5 of other LAs' children placed in an LA or sub-region (cells shown as they are,
totals less their other parts, the same cell on two dates, the quarterly trend's total less its placement types).
The truth is the same counts computed on the server with the perturbation switched off."""
import numpy as np
import pytest

from dashboard import disclosure
from dashboard.dashboards.sufficiency import data as suff
from dashboard.loader import AccessScope, dataset_version
from tests.dash_requests import callback_request, response_props
from tests.disclosure_attacks import direct, pair_differences, run_attacks, total_minus_parts
from tests.store_fixtures import ensure_user, sign_in

ATTACKER = "E09000022"
OTHER_SECRETS = ("supply-harness-1", "supply-harness-2", "supply-harness-3", "supply-harness-4")   # reruns of a hit
AREAS = ("la:E09000007", "la:E09000001", "la:E09000028", "sr:east")   # Camden, the City, Southwark, East London
DATES = ("2025-03-31", "2024-03-31")
VECTORS = {"placement": "Placement type", "provider": "Provider type", "distance": "Distance from home"}
GRIDS = ("placing", *VECTORS, "trend")
CHARTS = ["placing", "placement", "provider", "distance", "grade", "trend", "elsewhere", "places", "types", "owners", "openings", "demand"]
OUTPUTS = [("supply-banner", "children"), ("supply-kpis", "children"), ("supply-definition", "children"),   # the page's callback
           *[o for c in CHARTS for o in ((f"supply-{c}-title", "children"), (f"supply-{c}", "figure"))],
           *[(f"supply-{c}-takeaway", "children") for c in CHARTS],
           *[(f"supply-{c}-table-title", "children") for c in CHARTS],
           *[o for c in CHARTS for o in ((f"supply-{c}-grid", "rowData"), (f"supply-{c}-grid", "columnDefs"))]]


@pytest.fixture()
def attacker(server):
    email = "commissioner@lambeth.example"
    ensure_user(email, ATTACKER, "commissioner", "Commissioner")
    client = server.test_client()
    assert sign_in(client, email).status_code == 302
    return client


class Shown:
    """The page's tables as the attacker's browser receives them, under one disclosure secret (memoized)."""

    def __init__(self, client, secret):
        self.client, self.secret, self.memo = client, secret, {}

    def tables(self, area, at) -> dict:
        if (area, at) not in self.memo:
            disclosure.use_secret(self.secret)
            response = callback_request(self.client, OUTPUTS, [("supply-area", "value", area), ("supply-at", "value", at)])
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            props = response_props(response)
            self.memo[(area, at)] = {grid: props[f"supply-{grid}-grid"]["rowData"] for grid in GRIDS}
        return self.memo[(area, at)]


def _cells(rows, label, column="Children") -> dict:
    return {str(r[label]): r[column] for r in rows}


def attacks(truth: dict) -> dict:
    out = {}
    for area in AREAS:
        for at in DATES:
            def attack(shown, _truth, area=area, at=at):
                seen, true = shown.tables(area, at), truth[(area, at)]
                attempts = direct(f"{area}@{at} placing", _cells(seen["placing"], "Placing LA"), true["placing"])
                for name, label in VECTORS.items():
                    cells, exact = _cells(seen[name], label), true[name]
                    attempts += direct(f"{area}@{at} {name}", cells, exact)
                    attempts += total_minus_parts(f"{area}@{at} {name}", cells, exact)
                for row in seen["trend"]:
                    quarter = row["Quarter end"]
                    parts = {k: v for k, v in row.items() if k != "Quarter end"}
                    attempts += total_minus_parts(f"{area} trend {quarter}", parts, true["trend"][quarter])
                return attempts
            out[f"{area}@{at}"] = attack
        def between_dates(shown, _truth, area=area):
            a, b = shown.tables(area, DATES[0]), shown.tables(area, DATES[1])
            ta, tb = truth[(area, DATES[0])], truth[(area, DATES[1])]
            return pair_differences(f"{area} placing {DATES[0]} - {DATES[1]}", _cells(a["placing"], "Placing LA"),
                                    _cells(b["placing"], "Placing LA"), ta["placing"], tb["placing"])
        out[f"{area} between dates"] = between_dates
    return out


def true_tables(server, monkeypatch) -> dict:
    """The same tables with no perturbation (the truth an attacker is after)."""
    scope = AccessScope("commissioner", ATTACKER)
    truth = {}
    with server.app_context():
        version = dataset_version(suff.NAME)
        with monkeypatch.context() as patch:
            patch.setattr(disclosure, "protect", lambda counts, keys: np.asarray(counts, dtype="int64"))
            for area in AREAS:
                for at in DATES:
                    here = suff.placed_here.uncached(scope, area, at, (), version=version)
                    trend = suff.placed_here_trend.uncached(scope, area, version=version)
                    placing = here["placing"]
                    truth[(area, at)] = {
                        "placing": dict(zip(placing["Placing LA"], placing["Children"])),
                        **{name: dict(zip(here[name][label].astype(str), here[name]["Children"])) for name, label in VECTORS.items()},
                        "trend": {r["Quarter end"]: {k: v for k, v in r.items() if k != "Quarter end"}
                                  for r in trend.to_dict("records")},
                    }
    return truth


def test_no_count_of_1_to_5_of_other_las_children_placed_here_is_recovered(server, attacker, monkeypatch):
    truth = true_tables(server, monkeypatch)
    views = {}

    def shown_under(secret):
        if secret not in views:
            views[secret] = Shown(attacker, secret)
        return views[secret]

    try:
        report = run_attacks(attacks(truth), shown_under, truth, OTHER_SECRETS)
    finally:
        disclosure.use_secret(None)
    print(f"\nPlacements and supply disclosure attacks: {report.summary()}")
    assert report.attempts > 1000 and report.small > 50      # it really tried, on small counts too
    assert report.recovered == [], report.recovered[:20]
