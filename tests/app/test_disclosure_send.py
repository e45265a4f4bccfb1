"""Attacks on SEND's placement counts (members' returns; demo data stands in for them) through the page's real callback,
as Lambeth's member (issue 19): can any placement count of 1-5 of an LA be worked out?

Routes tried, for each year with placements (2018-2022): each LA's count as shown; its row's total less its other
counts; its INMSS share x its total; its sub-region's row (the view by sub-region) less the sub-region's other LAs (the
view by LA); London's row less every other LA. The rule for "recovered" and the runner are tests/disclosure_attacks.py.
"""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from dashboard import loader
from dashboard.dashboards.send.data import PLACEMENTS, send_value
from dashboard.store import get_engine
from tests.app.test_send_page import render
from tests.disclosure_attacks import fetcher, one, run_attacks

YEARS = ["2018", "2019", "2020", "2021", "2022"]
LONDON = "E12000007"
OTHER_SECRETS = [f"another secret {i}".encode() for i in range(6)]


def _number(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _minus(total, parts):
    return None if total is None or any(p is None for p in parts) else total - sum(parts)


@pytest.fixture(scope="module")
def truth(dash_app):
    """{(area code, year, measure): the true count} of the placement counts held from members' returns (or demo)."""
    with dash_app.server.app_context():
        with get_engine().connect() as conn:
            rows = conn.execute(select(send_value.c.area_code, send_value.c.year, send_value.c.measure, send_value.c.value)
                                .where(send_value.c.measure.in_(list(PLACEMENTS)),
                                       send_value.c.source.in_(["demo", "LA return"]))).all()
        las = loader.local_authorities()
    return {"values": {(a, str(y), m): v for a, y, m, v in rows if v is not None}, "las": las}


def _attacks(truth, viewer) -> dict:
    """{route: attack}: one attack per derived value (`one`), so a chance match reruns only the views it needs."""
    return {route: one(route, value, derive) for route, _target, value, derive in _routes(truth, viewer)}


def _routes(truth, viewer) -> list[tuple]:
    values, las = truth["values"], truth["las"]
    names = dict(zip(las["la_code"], las["la_name"]))
    subregions = las.groupby("subregion_code")["la_code"].apply(list).to_dict()
    sub_names = dict(zip(las["subregion_code"], las["subregion_name"]))
    labels = list(PLACEMENTS.values())
    attempts = []
    for year in YEARS:
        for la, name in names.items():
            if la == viewer:
                continue
            sr = las.set_index("la_code").loc[la, "subregion_code"]
            for measure, label in PLACEMENTS.items():
                value = values.get((la, year, measure))
                if value is None or not 1 <= value <= 5:
                    continue
                target = (la, year, measure)
                by_la = (lambda f, y=year: f(y, "la"))
                attempts.append((f"{year} {name}: {label} as shown", target, value,
                                        lambda f, n=name, c=label, v=by_la: _number(v(f).get(n, {}).get(c))))
                rest = [c for c in labels if c != label]
                attempts.append((f"{year} {name}: total less the other placements", target, value,
                                        lambda f, n=name, rest=rest, v=by_la: (lambda row: _minus(
                                            _number(row.get("Total")), [_number(row.get(c)) for c in rest]))(v(f).get(n, {}))))
                if measure == "place_inmss":
                    attempts.append((f"{year} {name}: INMSS share x total", target, value,
                                            lambda f, n=name, v=by_la: (lambda row: None if _number(row.get("Total")) is None
                                                                        or _number(row.get("INMSS share (%)")) is None else round(
                                                _number(row["INMSS share (%)"]) * _number(row["Total"]) / 100))(v(f).get(n, {}))))
                others = [names[c] for c in subregions[sr] if c != la]
                attempts.append((f"{year} {name}: {sub_names[sr]} less its other LAs", target, value,
                                        lambda f, y=year, s=sub_names[sr], c=label, others=others: _minus(
                                            _number(f(y, "subregion").get(s, {}).get(c)),
                                            [_number(f(y, "la").get(o, {}).get(c)) for o in others])))
                everyone = [n for c, n in names.items() if c != la]
                attempts.append((f"{year} {name}: London less every other LA", target, value,
                                        lambda f, y=year, c=label, everyone=everyone: _minus(
                                            _number(f(y, "la").get("London", {}).get(c)),
                                            [_number(f(y, "la").get(o, {}).get(c)) for o in everyone])))
    return attempts


def test_no_placement_count_of_1_to_5_is_recovered(member_client, truth):
    def request(year, by):
        rows = render(member_client, focus="E09000022", measure="timely_20wk_pct", year=year, by=by)
        return {r["Area"]: r for r in rows["send-placement-grid"]["rowData"]}
    shown_under = fetcher(request)
    report = run_attacks(_attacks(truth, "E09000022"), shown_under, None, OTHER_SECRETS)
    print(f"\nSEND placements, as Lambeth: {report.summary()}; {shown_under.requests} callback requests")
    assert report.attempts > 50, "the harness made too few attempts to mean anything"
    assert report.recovered == [], report.recovered[:20]
