"""The attack harness's shared parts: an attempt to recover a small count, and the rule that says it succeeded.

An attempt derives a value from what the pages send (through the real callbacks, signed in as a viewer) and names the
true value it might give away. The rule (issue 19): a derived value recovers a count of 1-5 when it equals the true
count whatever the disclosure secret is. Each attempt is run under the app's secret; those that hit the truth are run
again under several other secrets, and only an attempt exact under every one of them counts as recovered. An
unprotected route (a count shown as it is, a total minus exact parts) is exact under every secret, so it is caught; a
perturbed figure that happens to land on the truth under one secret is not.

The pages' own test modules build the attempts (`tests/app/test_disclosure_*.py`); this module runs them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from dashboard import disclosure

OTHER_SECRETS = ("harness-secret-1", "harness-secret-2", "harness-secret-3", "harness-secret-4")
"""The secrets an attempt that hit the truth under the app's secret is tried again under."""


@dataclass(frozen=True)
class Attempt:
    """One way of working a figure out.

    route    what was tried, in words (the report names it)
    target   whose figure: (LA code, quarter or year, what is counted, ...)
    truth    the true value (from the unprotected records, on the server)
    derive   given `fetch` (a request -> what the browser received, under the secret in force), the derived value,
             or None where the route shows nothing to work with
    """
    route: str
    target: tuple
    truth: float
    derive: Callable


@dataclass
class Report:
    attempts: int = 0
    hit_under_app_secret: int = 0
    recovered: list = field(default_factory=list)   # (route, target, truth)

    def __str__(self):
        return (f"{self.attempts} attempts, {self.hit_under_app_secret} equal to the truth under the app's secret, "
                f"{len(self.recovered)} exact under every secret")


def same(derived, truth, places: int = 6) -> bool:
    if derived is None or (isinstance(derived, float) and math.isnan(derived)):
        return False
    return round(float(derived), places) == round(float(truth), places)


def run(attempts: list[Attempt], new_fetch: Callable[[], Callable], secrets=OTHER_SECRETS) -> Report:
    """Run every attempt under the app's secret, then those that hit the truth under each of `secrets` in turn
    (`disclosure.use_secret`: every cache key holds the secret's id, so each view is built again under it);
    an attempt is recovered only if it hits under all of them. `new_fetch()` gives a fresh fetch (its own memo)."""
    report = Report(attempts=len(attempts))
    disclosure.use_secret(None)
    fetch = new_fetch()
    hits = [a for a in attempts if same(a.derive(fetch), a.truth)]
    report.hit_under_app_secret = len(hits)
    try:
        for secret in secrets:
            if not hits:
                break
            disclosure.use_secret(secret)
            fetch = new_fetch()
            hits = [a for a in hits if same(a.derive(fetch), a.truth)]
    finally:
        disclosure.use_secret(None)   # the app's own secret back for the tests that follow
    report.recovered = [(a.route, a.target, a.truth) for a in hits]
    return report


def describe(report: Report, limit: int = 12) -> str:
    """The report and the first recovered attempts, for an assertion's message."""
    lines = [str(report)] + [f"  {route}: {target} = {truth:g}" for route, target, truth in report.recovered[:limit]]
    return "\n".join(lines)
