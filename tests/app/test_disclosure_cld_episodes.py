"""The disclosure attack harness on Child-level episodes: a Lambeth commissioner, through the page's real callback,
tries to recover counts of 1 to 5 of other LAs' children from every table the page sends (with Missing, AD1 and
PlacedAdoption rows stored for every LA but two): the sub-region or London less Lambeth's own exact figure, London
less the sub-region, an area's total less its other parts, a % times its base, and the same cell in two collection
years. The truth is the same tables built on the server with the perturbation switched off."""
import numpy as np
import pytest

from dashboard import disclosure
from dashboard.dashboards.cld_episodes import data, view as cld_view
from dashboard.loader import AccessScope, local_authorities
from tests import cld_tables
from tests.dash_requests import callback_request, response_props
from tests.disclosure_attacks import Attempt, fetcher, number, pair_differences, run_attacks, total_minus_parts
from tests.store_fixtures import ensure_user, sign_in

ATTACKERS = ("E09000022", "E09000007", "E09000010", "E09000016", "E09000018")   # Lambeth, Camden, Enfield, Havering, Hounslow
OTHER_SECRETS = ("cld-harness-1", "cld-harness-2", "cld-harness-3", "cld-harness-4")
YEARS = (2025, 2024, 2023)
VECTORS = {"starts_legal": "Legal status group", "starts_need": "Category of need", "ceased_reason": "Reason ceased (group)",
           "new_episodes": "Reason for new episode", "placement_bands": "Placement length"}
CHARTS = cld_view.CHARTS
OUTPUTS = [("cld-banner", "children"), ("cld-kpis", "children"), ("cld-definition", "children"),
           *[o for c in CHARTS for o in ((f"cld-{c}-title", "children"), (f"cld-{c}", "figure"))],
           *[(f"cld-{c}-takeaway", "children") for c in CHARTS],
           *[(f"cld-{c}-table-title", "children") for c in CHARTS],
           *[o for c in CHARTS for o in ((f"cld-{c}-grid", "rowData"), (f"cld-{c}-grid", "columnDefs"))]]
COUNTS = {"moves": ("Looked after at 31 March", "3 or more placements in the year"),
          "missing": ("Looked after in the year", "Children missing", "Missing episodes", "Children away", "Away episodes")}


def cells(tables: dict, names: tuple[str, str, str]) -> dict:
    """{(table, row, column): {area: count}} for every count the page sends, by area."""
    OWN, SUB, LONDON = names
    out = {}
    for table, label in VECTORS.items():
        for row in tables[table]:
            for area in (OWN, SUB, LONDON):
                out.setdefault((table, row[label], "number"), {})[area] = number(row.get(f"{area}: number"))
    for row in tables["durations"]:
        for area in (OWN, SUB, LONDON):
            out.setdefault(("durations", row["Measure"], "number"), {})[area] = number(row.get(f"{area}: number"))
    for table, columns in COUNTS.items():
        for row in tables[table]:
            for column in columns:
                out.setdefault((table, column, ""), {})[row["Area"]] = number(row.get(column))
    for row in tables["adoption"]:
        out.setdefault(("adoption", row["Measure"], "Children"), {})[row["Area"]] = number(row.get("Children"))
        for column, value in row.items():
            if column.endswith("(%)") and number(value) is not None and number(row.get("Children")):
                # A band's % times the shown children: the count it rests on.
                out.setdefault(("adoption", row["Measure"], column), {})[row["Area"]] = number(value) * number(row["Children"]) / 100
    return out


def attempts_for(year, shown_cells, true_cells, names) -> list[Attempt]:
    OWN, SUB, LONDON = names
    found = []
    for key, true in true_cells.items():
        seen = shown_cells.get(key, {})
        route = f"{year} {key}"
        for area in (SUB, LONDON):
            if number(true.get(area)) is None:
                continue
            own_true, own_seen = true.get(OWN) or 0.0, seen.get(OWN) or 0.0
            derived = None if seen.get(area) is None else seen[area] - own_seen
            found.append(Attempt(f"{route} {area} - {OWN}", derived, true[area] - own_true))
        if number(true.get(LONDON)) is not None and number(true.get(SUB)) is not None:
            derived = None if seen.get(LONDON) is None or seen.get(SUB) is None else seen[LONDON] - seen[SUB]
            found.append(Attempt(f"{route} {LONDON} - {SUB}", derived, true[LONDON] - true[SUB]))
    return found


def parts(tables: dict, table: str, area: str) -> dict:  # noqa: D103
    label = VECTORS[table]
    return {row[label]: row.get(f"{area}: number") for row in tables[table]}


def rate_attempts(year, shown: dict, true: dict, names) -> list[Attempt]:
    """Each vector's % times its area's shown Total, against the true count."""
    _own, SUB, LONDON = names
    found = []
    for table, label in VECTORS.items():
        for area in (SUB, LONDON):
            total = {r[label]: r for r in shown[table]}.get("Total", {}).get(f"{area}: number")
            for seen, exact in zip(shown[table], true[table]):
                pct = number(seen.get(f"{area}: %"))
                derived = None if pct is None or number(total) is None else pct * number(total) / 100
                if number(exact.get(f"{area}: number")) is not None:
                    found.append(Attempt(f"{year} {table}[{seen[label]}] {area}: % x total", derived,
                                         number(exact[f"{area}: number"])))
    return found


@pytest.fixture(scope="module")
def other_tables(dash_app):
    with dash_app.server.app_context():
        demo = cld_tables.read()
        cld_tables.write(cld_tables.seeded_rows(leave_out=("E09000001", "E09000008")))
    yield
    with dash_app.server.app_context():
        cld_tables.write(demo)


@pytest.fixture()
def attackers(server, other_tables):
    clients = {}
    for la in ATTACKERS:
        email = f"cld-commissioner-{la}@example.org"
        ensure_user(email, la, "commissioner", "Commissioner")
        client = server.test_client()
        assert sign_in(client, email).status_code == 302
        clients[la] = client
    return clients


def area_names(server, la: str) -> tuple[str, str, str]:
    with server.app_context():
        return tuple(name for _area, name in cld_view.areas_of(AccessScope("commissioner", la), local_authorities()))


def true_tables(server, monkeypatch, la: str) -> dict:
    scope = AccessScope("commissioner", la)
    truth = {}
    with server.app_context():
        with monkeypatch.context() as patch:
            patch.setattr(disclosure, "protect", lambda counts, keys: np.asarray(counts, dtype="int64"))
            patch.setattr(data, "area_figures", data.area_figures.uncached)
            for year in YEARS:
                view = cld_view.build_view.uncached(cld_view.Filters(year), scope)
                truth[year] = {t: view.tables[t].astype(object).where(view.tables[t].notna(), None).to_dict("records")
                               for t in cld_view.TABLES}
    return truth


def test_no_count_of_1_to_5_of_other_las_children_is_recovered(server, attackers, monkeypatch):
    truth = {la: true_tables(server, monkeypatch, la) for la in ATTACKERS}
    names = {la: area_names(server, la) for la in ATTACKERS}

    def request(la, year):
        response = callback_request(attackers[la], OUTPUTS, [("cld-year", "value", year)])
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        props = response_props(response)
        return {t: props[f"cld-{t}-grid"]["rowData"] for t in cld_view.TABLES}

    def attacks():
        out = {}
        for la in ATTACKERS:
            n = names[la]
            for year in YEARS:
                def attack(shown, _truth, la=la, year=year, n=n):
                    seen, true = shown(la, year), truth[la][year]
                    found = attempts_for(year, cells(seen, n), cells(true, n), n) + rate_attempts(year, seen, true, n)
                    for table in VECTORS:
                        for area in n[1:]:
                            found += total_minus_parts(f"{year} {table} {area}", parts(seen, table, area),
                                                       parts(true, table, area))
                    return found
                out[f"{n[0]} {year}"] = attack
            for a, b in zip(YEARS, YEARS[1:]):
                def between(shown, _truth, la=la, a=a, b=b, n=n):
                    found = []
                    sa, sb = cells(shown(la, a), n), cells(shown(la, b), n)
                    ta, tb = cells(truth[la][a], n), cells(truth[la][b], n)
                    for area in n[1:]:
                        pick = lambda c: {k: v.get(area) for k, v in c.items()}   # noqa: E731
                        found += pair_differences(f"{area} {a} - {b}", pick(sa), pick(sb), pick(ta), pick(tb))
                    return found
                out[f"{n[0]} {a} - {b}"] = between
        return out

    report = run_attacks(attacks(), fetcher(request), truth, OTHER_SECRETS)
    print(f"\nChild-level episodes disclosure attacks: {report.summary()}")
    assert report.attempts > 5000 and report.small > 50      # it really tried, on small counts too
    assert report.recovered == [], report.recovered[:20]
