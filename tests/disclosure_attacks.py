"""The disclosure attack harness's library: what an attacker derives from what a page shows, compared with the truth.

An attack is a function `attack(shown, truth) -> list[Attempt]`: `shown(...)` and `truth(...)` fetch the same figure
(a table, a KPI) as the attacker sees it and as it really is (e.g. as the target LA's own commissioner sees it,
exactly), and each Attempt says what the attacker worked out for one target cell and what that cell truly is.
`run_attacks` runs every attack under the app's disclosure secret; wherever a derived value equals a true count of 1
to 5 it runs that attack again under other secrets, and counts it recovered only if it equals the truth under every
one: a coincidence under one secret is chance (the perturbation's noise summed to 0), an unprotected route is exact
under every secret.

Helpers build the attempts the usual attacks make: `pair_differences` (a cell in two views that differ by one
filter: total minus filtered), `total_minus_parts` (a table's total less its other rows), `rate_times_base`
(a share or rate times its denominator) and `direct` (a cell shown as it is); `one(route, truth, derive)` makes an
attack of a single derived value. `fetcher(request)` makes `shown_under` from a page's request function: each
distinct request made once per secret (memoized) and reused by every attack that needs it.

One API for every page: Sufficiency (tests/app/test_disclosure_attacks.py), Agency pay
(test_disclosure_agency_pay.py), SEND (test_disclosure_send.py), Suspensions and Leadership in Colour
(test_disclosure_returned_counts.py).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from dashboard import disclosure


@dataclass(frozen=True)
class Attempt:
    route: str          # how the value was derived, e.g. "la:E09000007 placement_mix[Other]: all - sex=1"
    derived: float | None
    truth: float


def number(value) -> float | None:
    """A figure as a number; None where it is hidden (\"c\"), missing or not a number."""
    if value is None or isinstance(value, str) or (isinstance(value, float) and np.isnan(value)):
        return None
    return float(value)


def hits(attempt: Attempt) -> bool:
    """The derived value, rounded as an attacker would, is a true count of 1 to 5."""
    return 1 <= attempt.truth <= 5 and attempt.derived is not None and round(attempt.derived) == attempt.truth


def one(route: str, truth: float, derive: Callable) -> Callable:
    """An attack of one derived value: `derive(shown)` (None where the route shows nothing to work with)."""
    def attack(shown, _truth):
        derived = derive(shown)
        return [Attempt(route, None if derived is None else float(derived), float(truth))]
    return attack


def fetcher(request: Callable) -> Callable:
    """`shown_under` for `run_attacks` from `request(*args)` (one callback request -> what the browser received):
    `shown_under(secret)(*args)` makes each distinct request once under that secret and reuses it. `.requests` counts
    the requests made."""
    made: dict = {}

    def shown_under(secret):
        if secret not in made:
            @functools.lru_cache(maxsize=None)
            def fetch(*args):
                disclosure.use_secret(secret)
                shown_under.requests += 1
                return request(*args)
            made[secret] = fetch
        return made[secret]
    shown_under.requests = 0
    return shown_under


def direct(route: str, shown: dict, true: dict) -> list[Attempt]:
    """Each cell as shown, against its truth ({cell: count} each)."""
    return [Attempt(f"{route}[{k}] shown", number(shown.get(k)), float(v)) for k, v in true.items()
            if number(v) is not None]


def pair_differences(route: str, shown_a: dict, shown_b: dict, true_a: dict, true_b: dict) -> list[Attempt]:
    """Cell by cell, view a less view b (e.g. no filter less one filter): the cells' difference."""
    out = []
    for k in true_a:
        a, b, ta, tb = (number(x.get(k)) for x in (shown_a, shown_b, true_a, true_b))
        if ta is None:
            continue
        derived = None if a is None or (b is None and k in shown_b) else a - (b or 0.0)
        out.append(Attempt(f"{route}[{k}]", derived, ta - (tb or 0.0)))
    return out


def total_minus_parts(route: str, shown: dict, true: dict, total: str = "Total") -> list[Attempt]:
    """Each part as the total less every other part shown ({row: count} with a `total` row)."""
    if total not in shown:
        return []
    parts = [k for k in true if k != total]
    out = []
    for k in parts:
        others = [number(shown.get(o)) for o in parts if o != k]
        whole = number(shown[total])
        derived = None if whole is None or any(o is None for o in others) else whole - sum(others)
        if number(true[k]) is not None:
            out.append(Attempt(f"{route}[{k}]: total - other parts", derived, float(true[k])))
    return out


def rate_times_base(route: str, rates: dict, bases: dict, true: dict, per: float = 100.0) -> list[Attempt]:
    """Each rate (or %) times its shown denominator, per `per`: the count it rests on."""
    out = []
    for k, t in true.items():
        r, b = number(rates.get(k)), number(bases.get(k))
        if number(t) is not None:
            out.append(Attempt(f"{route}[{k}]: rate x base", None if r is None or b is None else r * b / per, float(t)))
    return out


@dataclass
class Report:
    attempts: int = 0
    small: int = 0                  # attempts whose target is a true count of 1 to 5
    coincidences: int = 0           # of those, equal to the truth under the app's secret
    recovered: list = field(default_factory=list)   # equal under every secret tried
    reruns: int = 0

    def summary(self) -> str:
        rate = self.coincidences / self.small if self.small else 0.0
        return (f"{self.attempts} attempts, {self.small} on a small target; {self.coincidences} equal to it under "
                f"the app's secret ({rate:.1%}; about 1 in 6 is expected by chance when two protected counts of 8 or "
                f"more are subtracted, less where more cells add their noise), {self.reruns} attacks run again under "
                f"other secrets; recovered under every secret: {len(self.recovered)}")


def is_small(attempt: Attempt) -> bool:
    return 1 <= attempt.truth <= 5


def run_attacks(attacks: dict[str, Callable], shown_under: Callable, truth, other_secrets: list[bytes], *,
                recovers: Callable = hits, targets: Callable = is_small) -> Report:
    """`attacks` {name: attack}; `shown_under(secret)` the attacker's fetch under that secret (None: the app's).

    Every attack runs once under the app's secret; an attack whose attempts on a target (`targets`, by default a true
    count of 1 to 5) `recovers` (by default: rounds to it) runs again under each other secret in turn, keeping only
    the attempts that still do. Recovered: under every secret. The fetch memoizes, so each view is fetched once per
    secret, whichever attacks need it."""
    report = Report()
    try:
        for name, attack in attacks.items():
            attempts = attack(shown_under(None), truth)
            report.attempts += len(attempts)
            small = [a for a in attempts if targets(a)]
            report.small += len(small)
            chance = {a.route: a for a in small if recovers(a)}
            report.coincidences += len(chance)
            for secret in other_secrets:
                if not chance:
                    break
                report.reruns += 1
                again = {a.route: a for a in attack(shown_under(secret), truth)}
                chance = {route: a for route, a in chance.items() if route in again and recovers(again[route])}
            report.recovered += [f"{name}: {a.route} = {a.truth:g}" for a in chance.values()]
    finally:
        disclosure.use_secret(None)   # the app's own secret back for the tests that follow
    return report
