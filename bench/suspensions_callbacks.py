"""Time the Education suspensions page's main callback on the full demo data, as the browser calls it.

    .venv/bin/python -m bench.suspensions_callbacks [--repeat 7]

Builds the app on a temporary SQLite store (demo data, seed 2024, plus the real England and published
tables when ../shared has them), signs in, and prints the median and worst time per view. Not part of
the test run's pass/fail: times depend on the machine.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from dashboard.config import Settings
from tests.store_fixtures import MEMBER_EMAIL, PASSWORD, sign_in
from tests.dash_requests import callback_request
from tests.app.test_suspensions_page import FILTER_IDS, RENDER_OUTPUTS

VIEWS = [("own LA", "E09000022", "2023/24"), ("London", "london", "2023/24"), ("sub-region", "sr:south", "2023/24"),
         ("England (real)", "england", "2016/17"), ("published table", "published", "as published")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from dashboard.auth.users import create_user
    from dashboard.store import get_engine
    from dashboard.web import create_app
    folder = tempfile.mkdtemp()
    app = create_app(Settings(database_url=f"sqlite:///{folder}/bench.sqlite3", secret_key="bench", cache_dir=f"{folder}/cache"),
                     cache_config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": f"{folder}/cache"}, log=lambda *_: None)
    create_user(get_engine(), MEMBER_EMAIL, PASSWORD, "E09000022", "member")
    client = app.server.test_client()
    sign_in(client)
    for label, area, year in VIEWS:
        inputs = [(i, "value", v) for i, v in zip(FILTER_IDS, [area, year, "suspended", ["blackcaribbean", "gypsyroma"]])]
        times = []
        for _ in range(args.repeat + 1):
            start = time.perf_counter()
            response = callback_request(client, RENDER_OUTPUTS, inputs)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
        warm = times[1:]  # the first call fills the cache
        print(f"{label:16s} first {times[0]:6.0f} ms   median {statistics.median(warm):6.0f} ms   worst {max(warm):6.0f} ms")


if __name__ == "__main__":
    main()
