"""Time the Sufficiency page's main callback on the full demo data, as the browser calls it.

    .venv/bin/python bench/sufficiency_callbacks.py [--rounds 2] [--database-url URL]

Builds the app on a scratch SQLite store (or the URL given), fills it with the seeded demo data (seed 2024), signs in
as a Lambeth commissioner and calls the page's main callback through /_dash-update-component. Each filter change is
timed cold (first time that combination is asked for: the aggregates are computed) and warm (asked again: served from
the cache), and the ratio to the one-second budget printed, all from this one run. The load average is printed too:
figures taken on a busy machine are not comparable. Not part of the test run's pass/fail.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BUDGET_SECONDS = 1.0
FILTER_IDS = ["suff-area", "suff-at", "suff-age", "suff-sex", "suff-ethnicity", "suff-uasc", "suff-legal", "suff-cin",
              "suff-placement", "suff-provider"]
CHANGES = [
    {"suff-area": "london"}, {"suff-area": "sr:east"}, {"suff-age": "16 and over"}, {"suff-sex": "2"},
    {"suff-ethnicity": "Black"}, {"suff-uasc": "yes"}, {"suff-legal": "Care order"}, {"suff-cin": "N1"},
    {"suff-placement": "Children's homes"}, {"suff-provider": "Private provision"}, {"suff-at": "2023-03-31"},
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2, help="warm repeats per change")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from dashboard.auth.users import create_user
    from dashboard.config import Settings
    from dashboard.store import get_engine
    from dashboard.web import create_app
    from tests.app.test_sufficiency_page import RENDER_OUTPUTS
    from tests.store_fixtures import PASSWORD, sign_in
    from tests.dash_requests import callback_request

    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    scratch = tempfile.mkdtemp(prefix="suff-bench-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    started = time.perf_counter()
    app = create_app(Settings(database_url=url, secret_key="bench", demo_seed=2024, cache_dir=f"{scratch}/cache"),
                     cache_config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600}, log=lambda *_: None)
    print(f"store and demo data ready in {time.perf_counter() - started:.1f} s")
    email = "bench-suff@lambeth.example"
    try:
        create_user(get_engine(), email, PASSWORD, "E09000022", "commissioner")
    except Exception:  # already there in a reused store
        pass
    client = app.server.test_client()
    sign_in(client, email, PASSWORD)
    base = {"suff-area": "la:E09000022", "suff-at": "2025-03-31", **{i: "all" for i in FILTER_IDS[2:]}}

    def call(values) -> float:
        inputs = [(i, "value", values[i]) for i in FILTER_IDS] + [("suff-tile-mode", "value", "selected"),
                                                                  ("suff-flow-mode", "value", "location"),
                                                                  ("suff-anon", "value", False)]
        t = time.perf_counter()
        response = callback_request(client, RENDER_OUTPUTS, inputs)
        elapsed = time.perf_counter() - t
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return elapsed

    print(f"first call in the process (reads the child-level rows once): {call(base):.2f} s")
    cold, warm = [], []
    for change in CHANGES:
        values = {**base, **change}
        cold.append(call(values))
        warm += [call(values) for _ in range(args.rounds)]
        print(f"  {str(change):45s} cold {cold[-1]:.3f} s   warm {min(warm[-args.rounds:]):.3f} s")
    print(f"\ncold (computed): median {statistics.median(cold):.3f} s, max {max(cold):.3f} s; "
          f"median is {statistics.median(cold) / BUDGET_SECONDS:.2f} of the {BUDGET_SECONDS:.0f} s budget")
    print(f"warm (cached):   median {statistics.median(warm):.3f} s, max {max(warm):.3f} s; "
          f"cold / warm = {statistics.median(cold) / statistics.median(warm):.1f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
