"""The floor (bench/floor.py) of a few pages' filter changes without the browser, against the trivial callback.

    .venv/bin/python -m bench.floor_pages [--only cld] [--repeat 5] [--store PATH] [--profile]

One process: the app built as the tests build it (demo data, seed 7, a SQLite store kept at --store so the demo is
filled once, an in-memory cache), a Lambeth commissioner signed in. Each case names the page, an output of the
callback its filter fires and the filter's values; the request is the one the browser sends from the page's layout,
and `measure_floor` times it as `bench/run` does (shared cache emptied, per-process preparations warm). T: the trivial
callback (Upload's dataset choice) through the test client, wall time, median, in this run.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LAMBETH, CAMDEN, CROYDON = "E09000022", "E09000007", "E09000008"
COMMISSIONER, UPLOADER = "bench-commissioner@lambeth.example", "bench-uploader@lambeth.example"
# (label, page path, an output of the callback, the filter, its values)
CASES = [
    ("cld year", "/child-level-episodes", "cld-banner.children", "cld-year", [2023, 2024, 2022]),
    ("leavers focus", "/care-leavers", "leavers-kpis.children", "leavers-focus", [CAMDEN, CROYDON, LAMBETH]),
    ("lachealth focus", "/looked-after-health", "lachealth-kpis.children", "lachealth-focus", [CAMDEN, CROYDON, LAMBETH]),
    ("supply area", "/placements-supply", "supply-banner.children", "supply-area", ["la:" + CAMDEN, "london", "sr:south"]),
    ("supply at", "/placements-supply", "supply-banner.children", "supply-at", ["2024-03-31", "2023-09-30"]),
    ("suff compare", "/sufficiency", "suff-compare-text.children", "suff-compare-a", ["current"]),
    ("suff area", "/sufficiency", "suff-kpis.children", "suff-area", ["la:" + CAMDEN, "london", "sr:south"]),
    ("suff forecast", "/sufficiency", "suff-model-text.children", "suff-area", ["la:" + CAMDEN, "london"]),
    ("suff at", "/sufficiency", "suff-kpis.children", "suff-at", ["2024-03-31"]),
]


def _cached_change(client, key, inputs, state, filter_id, value) -> tuple[float, int, int]:
    """A cached change as the browser makes it after the page's first paint: the filter's new value sent with the
    store of what the browser holds (the opening view's outputs), its view cached. (wall ms median of 5, bytes, gzip)"""
    import gzip
    import json
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in key.strip(".").split("...")]

    def send(values, shown):
        body = {"output": key, "outputs": outputs,
                "inputs": [dict(i, value=values.get(i["id"], i["value"])) for i in inputs],
                "state": [dict(s, value=shown) if "-shown-" in s["id"] else s for s in state],
                "changedPropIds": [f"{filter_id}.value"]}
        return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    opening = send({}, None).get_json()["response"]
    store = next((props["data"] for cid, props in opening.items() if "-shown-" in cid), None)
    send({filter_id: value}, store)   # builds and caches the view
    times = []
    for _ in range(5):
        started = time.perf_counter()
        response = send({filter_id: value}, store)
        times.append(time.perf_counter() - started)
    body = response.get_data()
    return statistics.median(times) * 1000, len(body), len(gzip.compress(body))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--store", default="/tmp/floor-pages/bench.sqlite3")
    parser.add_argument("--only", default=None)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--value", default=None, help="only this filter value")
    args = parser.parse_args()

    from bench.floor import measure_floor, _callback_runner
    from bench.in_process import add_users, build_app, trivial_ms
    from bench.pages import FilterChange
    from tests.dash_requests import components, page_layout
    from dashboard.loader import cache

    app = build_app(args.store, disclosure_secret=None)
    signed_in = add_users(app, {COMMISSIONER: (COMMISSIONER, LAMBETH, "commissioner"), UPLOADER: (UPLOADER, LAMBETH, "uploader")})
    clients = {email: client for email, (client, _user) in signed_in.items()}
    t_ms = trivial_ms(clients[UPLOADER], repeat=40, dataset="benchmarking")[0]
    print(f"T (trivial callback through the test client, wall, median of 40): {t_ms:.2f} ms")
    user = signed_in[COMMISSIONER][1]
    print(f"{'case':18}{'value':18}{'SQL':>7}{'compute':>9}{'JSON':>7}{'floor ms':>10}{'floor T':>9}{'KB':>7}"
          f"{'cached ms':>10}{'cached T':>9}{'KB sent':>8}{'gzip KB':>8}")
    for label, path, output, filter_id, values in CASES:
        if args.only and args.only not in label:
            continue
        opening = components(page_layout(clients[COMMISSIONER], path))
        key = next(k for k in app.callback_map if output in k.strip(".").split("..."))
        spec = app.callback_map[key]
        inputs = [{"id": i["id"], "property": i["property"], "value": opening.get(i["id"], {}).get(i["property"])}
                  for i in spec["inputs"]]
        state = [{"id": s["id"], "property": s["property"], "value": None if s["id"].endswith(tuple("shown-" + x for x in ("render", "rendered"))) or "-shown-" in s["id"]
                  else opening.get(s["id"], {}).get(s["property"])} for s in spec.get("state", [])]
        request = {"output": key, "outputs": [], "inputs": inputs, "state": state}
        for value in values:
            if args.value and str(value) != args.value:
                continue
            change = FilterChange(path, key, filter_id, [value], request, 0)
            floor = measure_floor(app, change, user, repeat=args.repeat)
            from plotly.io.json import to_json_plotly
            with app.server.test_request_context("/_dash-update-component", method="POST"):
                from flask_login import login_user
                login_user(user)
                result = _callback_runner(app, change, value)()
                size = len(to_json_plotly(list(result) if isinstance(result, tuple) else result))
                if args.profile:
                    run = _callback_runner(app, change, value)
                    cache.clear()
                    profiler = cProfile.Profile()
                    profiler.runcall(run)
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"dashboard", 30)
            cached_ms, sent, zipped = _cached_change(clients[COMMISSIONER], key, inputs, state, filter_id, value)
            print(f"{label:18}{str(value):18}{floor.sql_ms:>7.1f}{floor.compute_ms:>9.1f}{floor.json_ms:>7.1f}"
                  f"{floor.total_ms:>10.1f}{floor.total_ms / t_ms:>9.1f}{size / 1000:>7.0f}"
                  f"{cached_ms:>10.1f}{cached_ms / t_ms:>9.1f}{sent / 1000:>8.1f}{zipped / 1000:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
