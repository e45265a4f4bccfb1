"""The disclosure attack harness on the child-level sections of Care leavers (OC3) and Health of looked-after children
(OC2): commissioners of Lambeth (South London) and Camden (North London), through the pages' real callbacks, try to
recover counts of 1 to 5 of other LAs' children from what the sections show (their own LA exactly, its sub-region and
London protected): cells shown as they are, totals less their other parts (a breakdown's All row; activity,
accommodation and contact against the number of care leavers), a share times its base, two age ranges differenced,
the sub-region less their own LA (the sub-region's other LAs), London less a sub-region, and LAIT's published number
aged 19 to 21 (taken as exact, the strongest case: the sub-region's as the sum of its LAs') less the parts beside it.
The truth is the same figures computed on the server with the perturbation off."""
import numpy as np
import pytest

from dashboard import disclosure
from dashboard.dashboards.care_leavers import data as leavers_data
from dashboard.dashboards.looked_after_health import data as health_data
from dashboard.loader import AccessScope
from dashboard.store import get_engine
from tests.app.test_child_level_oc_pages import HEALTH, LEAVERS, draw, grid
from tests.child_level_rows import YEAR, remove_rows, stored_rows
from tests.disclosure_attacks import Attempt, direct, fetcher, number, run_attacks, total_minus_parts
from tests.store_fixtures import ensure_user, sign_in

ATTACKERS = {"E09000022": "commissioner@lambeth.example", "E09000007": "commissioner@camden.example"}
OTHER_SECRETS = ("oc-harness-1", "oc-harness-2", "oc-harness-3", "oc-harness-4")
AGES = ("19-21", "17-18", "17-21")
BREAKDOWNS = ("age", "sex", "ethnic_group", "uasc")
COUNT = "Care leavers (number)"
HEALTH_COUNT = "Children looked after for 12 months or more (number)"
FAMILIES = ("Activity:", "Accommodation:", "Accommodation suitable:", "Contact:")


@pytest.fixture(scope="module")
def oc_rows(dash_app):
    made = stored_rows(get_engine())
    yield made
    remove_rows(get_engine())


@pytest.fixture()
def attackers(server, oc_rows):
    clients = {}
    for la, email in ATTACKERS.items():
        ensure_user(email, la, "commissioner", "Commissioner")
        clients[la] = server.test_client()
        assert sign_in(clients[la], email).status_code == 302
    return clients


def leavers_tables(props) -> dict:
    return {"headline": grid(props, "leavers", "headline").set_index("Measure"),
            "groups": grid(props, "leavers", "groups"), "codes": grid(props, "leavers", "codes").set_index(
                "Activity, accommodation or contact")}


def true_figures(server, monkeypatch) -> dict:
    """Every figure of every view attacked, with no perturbation."""
    truth = {}
    with server.app_context(), monkeypatch.context() as patch:
        patch.setattr(disclosure, "protect", lambda counts, keys: np.asarray(counts, dtype="int64"))
        for la in ATTACKERS:
            scope = AccessScope("commissioner", la)
            for ages in AGES:
                for breakdown in BREAKDOWNS:
                    truth[("oc3", la, ages, breakdown)] = leavers_data.oc3_figures.uncached(scope, YEAR, ages, breakdown)
            truth[("oc2", la)] = health_data.oc2_figures.uncached(scope, YEAR)
    return truth


def _column(frame, area) -> dict:
    return {str(k): v for k, v in frame[area].items()} if area in frame else {}


def _count_cells(figures, area) -> dict:
    """Every count of one area's column (the truth): the headline numbers, the breakdown's counts, the codes."""
    cells = {m: v for m, v in _column(figures["headline"], area).items() if m.endswith("(number)")}
    if area in figures["groups"]:
        cells.update({f"group {k}": v for k, v in figures["groups"][area]["Care leavers"].items()})
    cells.update(_column(figures["codes"], area))
    return cells


def _shown_counts(tables, area) -> dict:
    shown = {m: v for m, v in _column(tables["headline"], area).items() if m.endswith("(number)")}
    group_column = f"{area}: Care leavers"
    if group_column in tables["groups"]:
        label = tables["groups"].columns[0]
        shown.update({f"group {k}": v for k, v in zip(tables["groups"][label], tables["groups"][group_column])})
    shown.update(_column(tables["codes"], area))
    return shown


def _parts(cells: dict, prefix: str, total) -> dict:
    """One family of parts (e.g. every "Activity: ..." cell) with the total they add up to, as `total_minus_parts` reads."""
    return {**{k: v for k, v in cells.items() if k.startswith(prefix)}, "Total": total}


def _areas(true) -> tuple[str, str, str]:
    own, subregion, london = true["headline"].columns
    return own, subregion, london


def _rest(route, seen_whole, seen_part, true_whole, true_part, exact_part=False) -> list[Attempt]:
    """A whole less a part shown beside it, cell by cell: what is left (e.g. the sub-region's other LAs)."""
    out = []
    for k, t in true_whole.items():
        w, p = number(seen_whole.get(k)), (true_part.get(k) if exact_part else number(seen_part.get(k)))
        out.append(Attempt(f"{route}[{k}]", None if w is None or p is None else w - p, float(t - true_part.get(k, 0))))
    return out


def leavers_attacks(truth) -> dict:
    out = {}
    for la in ATTACKERS:
        for ages in AGES:
            for breakdown in BREAKDOWNS:
                def attack(shown, _truth, la=la, ages=ages, breakdown=breakdown):
                    tables = leavers_tables(shown(("leavers", la, ages, breakdown)))
                    true = truth[("oc3", la, ages, breakdown)]
                    own, subregion, london = _areas(true)
                    attempts = []
                    for area in (subregion, london):
                        cells, seen = _count_cells(true, area), _shown_counts(tables, area)
                        route = f"{la}/{ages}/{breakdown}/{area}"
                        attempts += direct(route, seen, cells)
                        groups = [k for k in cells if k.startswith("group ") and k != "group All"]
                        attempts += total_minus_parts(f"{route} groups", {**{k: seen.get(k) for k in groups},
                                                                          "Total": seen.get("group All")},
                                                      {**{k: cells[k] for k in groups}, "Total": cells.get("group All")})
                        for family in FAMILIES:
                            attempts += total_minus_parts(f"{route} {family}", _parts(seen, family, seen.get(COUNT)),
                                                          _parts(cells, family, cells.get(COUNT)))
                        for measure, share in _column(true["headline"], area).items():   # a share x its base
                            if measure.endswith("(%)") and share is not None and not np.isnan(share):
                                s, b = number(tables["headline"][area].get(measure)), number(seen.get(COUNT))
                                attempts.append(Attempt(f"{route} {measure} x number", None if s is None or b is None
                                                        else s * b / 100, float(round(share * cells[COUNT] / 100))))
                    # The sub-region less the attacker's own LA (exact): the sub-region's other LAs; London less the
                    # sub-region: the rest of London.
                    attempts += _rest(f"{la}/{ages}/{breakdown} sub-region - own", _shown_counts(tables, subregion), {},
                                      _count_cells(true, subregion), _count_cells(true, own), exact_part=True)
                    attempts += _rest(f"{la}/{ages}/{breakdown} London - sub-region", _shown_counts(tables, london),
                                      _shown_counts(tables, subregion), _count_cells(true, london),
                                      _count_cells(true, subregion))
                    return attempts
                out[f"oc3 {la} {ages} {breakdown}"] = attack

        def ages_differenced(shown, _truth, la=la):
            """Aged 17 to 21 less aged 19 to 21: the 17 and 18 year olds, cell by cell."""
            wide, narrow = (leavers_tables(shown(("leavers", la, a, "sex"))) for a in ("17-21", "19-21"))
            true_wide, true_narrow = (truth[("oc3", la, a, "sex")] for a in ("17-21", "19-21"))
            attempts = []
            for area in _areas(true_wide)[1:]:
                a, b = _shown_counts(wide, area), _shown_counts(narrow, area)
                ta, tb = _count_cells(true_wide, area), _count_cells(true_narrow, area)
                attempts += [Attempt(f"{la} {area} {k}: 17-21 - 19-21", number(a[k]) - number(b[k]), float(ta[k] - tb[k]))
                             for k in ta if k in tb and number(a.get(k)) is not None and number(b.get(k)) is not None]
            return attempts
        out[f"oc3 {la} ages differenced"] = ages_differenced

        def published_less_parts(shown, _truth, la=la):
            """LAIT's numbers aged 19 to 21 (taken as exact: the sub-region's is the sum of its LAs') less the parts
            shown beside them: a part of the sub-region, and of its other LAs (less the attacker's own exact part)."""
            tables = leavers_tables(shown(("leavers", la, "19-21", "age")))
            true = truth[("oc3", la, "19-21", "age")]
            own, subregion, _ = _areas(true)
            cells, seen, mine = _count_cells(true, subregion), _shown_counts(tables, subregion), _count_cells(true, own)
            published = float(cells[COUNT])
            attempts = []
            for family in ("group ", *FAMILIES):
                parts = [k for k in cells if k.startswith(family) and k != "group All"]
                for k in parts:
                    others = [number(seen.get(o)) for o in parts if o != k]
                    derived = None if any(o is None for o in others) else published - sum(others)
                    attempts.append(Attempt(f"{la} LAIT sub-region - {family} others [{k}]", derived, float(cells[k])))
                    rest = None if derived is None else derived - mine.get(k, 0)
                    attempts.append(Attempt(f"{la} LAIT sub-region - {family} others - own [{k}]", rest,
                                            float(cells[k] - mine.get(k, 0))))
            return attempts
        out[f"oc3 {la} published less parts"] = published_less_parts
    return out


def health_attacks(truth) -> dict:
    out = {}
    for la in ATTACKERS:
        def attack(shown, _truth, la=la):
            table = grid(shown(("lachealth", la)), "lachealth", "measures").set_index("Measure")
            true = truth[("oc2", la)]["measures"]
            own, subregion, london = true.columns
            attempts = []
            counts = {area: {k: v for k, v in _column(true, area).items() if k.endswith("(number)")} for area in true}
            seen_counts = {area: _column(table, area) for area in true}
            for area in (subregion, london):
                seen, exact = _column(table, area), _column(true, area)
                attempts += direct(f"oc2 {la} {area}", seen, counts[area])
                for measure, share in exact.items():   # a share x its base shown: the children it counts
                    if not measure.endswith("(%)") or share is None or np.isnan(share) or "SDQ score " in measure:
                        continue
                    base = "Aged 5 to 16 (number)" if "SDQ" in measure else HEALTH_COUNT
                    s, b = number(seen.get(measure)), number(seen.get(base))
                    attempts.append(Attempt(f"oc2 {la} {area} {measure} x base", None if s is None or b is None
                                            else s * b / 100, float(round(share * exact[base] / 100))))
                scored = exact["With an SDQ score (%)"]
                if scored is not None and not np.isnan(scored):   # a band's share x (with a score x aged 5-16)
                    n_scored = round(scored * exact["Aged 5 to 16 (number)"] / 100)
                    s_scored, b = number(seen.get("With an SDQ score (%)")), number(seen.get("Aged 5 to 16 (number)"))
                    for band in ("a cause for concern, 17 or more", "borderline, 14 to 16", "normal, 0 to 13"):
                        share = exact[f"SDQ score {band} (%)"]
                        if share is not None and not np.isnan(share):
                            s = number(seen.get(f"SDQ score {band} (%)"))
                            attempts.append(Attempt(f"oc2 {la} {area} {band} x scored", None if None in (s, s_scored, b)
                                                    else s * (s_scored * b / 100) / 100, float(round(share * n_scored / 100))))
            attempts += _rest(f"oc2 {la} sub-region - own", seen_counts[subregion], {}, counts[subregion], counts[own],
                              exact_part=True)
            attempts += _rest(f"oc2 {la} London - sub-region", seen_counts[london], seen_counts[subregion],
                              counts[london], counts[subregion])
            return attempts
        out[f"oc2 {la}"] = attack
    return out


def test_no_count_of_1_to_5_of_other_las_children_is_recovered_from_oc2_or_oc3(server, attackers, monkeypatch):
    truth = true_figures(server, monkeypatch)

    def request(view):
        if view[0] == "leavers":
            _, la, ages, breakdown = view
            return draw(attackers[la], LEAVERS, ages=ages, breakdown=breakdown)
        return draw(attackers[view[1]], HEALTH)
    report = run_attacks({**leavers_attacks(truth), **health_attacks(truth)}, fetcher(request), truth, OTHER_SECRETS)
    print(f"\nChild-level OC2/OC3 disclosure attacks: {report.summary()}")
    assert report.attempts > 3000 and report.small > 300      # it really tried, on small counts too
    assert report.recovered == [], report.recovered[:20]
