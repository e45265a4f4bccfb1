"""`bench/run`'s floor, cached change and bytes per change for chosen pages, in one process (issue 26).

    .venv/bin/python -m bench.view_floors [--page /benchmarking] [--repeat 7] [--profile floor|change]

The app built as the tests build it (a temporary SQLite store with the demo data and ../shared's published files, an
in-process SimpleCache), a member of Lambeth signed in through the test client (an administrator for My LA, where
only administrators choose the LA; a Lambeth commissioner for child-level episodes). For each page's main filter (the
one `bench/run` finds: the render callback's input with most choices), the page is opened as the browser opens it after warming (its default view cached, so its
first paint carries the view and the store of what the browser holds), then:
- floor: `bench.floor.measure_floor` for the filter's first other value (SQL + compute + JSON, the shared cache
  emptied, per-process memory kept), in CPU time (`--wall`: wall time, as `bench/run`), against the trivial
  callback's;
- change: the filter's other values sent back-to-back with their views cached, as the browser sends them (the store
  of the first paint): wall and CPU time of the request through the test client, median;
- KB: the median answer to a change as JSON (uncompressed), as `bench/run`'s "KB JSON".
Each against the trivial callback (Upload's dataset choice) through the same test client, median of 200: the ratios
are what this run measured, not `bench/run`'s (no gunicorn, no HTTP).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LAMBETH = "E09000022"
# (path, the render callback's output that finds it, the main filter, who opens it)
PAGES = [
    ("/benchmarking", "bench-series.figure", "bench-focus", "member"),
    ("/suspensions", "susp-interval.figure", "susp-area", "member"),
    ("/ofsted", "ofsted-london.figure", "ofsted-focus", "member"),
    ("/my-la", "myla-summary.children", "myla-la", "admin"),
    # The other filters a member changes on these pages, and the pages of helper floorsa (session 23).
    ("/benchmarking", "bench-series.figure", "bench-indicator", "member"),
    ("/benchmarking", "bench-series.figure", "bench-start", "member"),
    ("/ofsted", "ofsted-london.figure", "ofsted-judgement", "member"),
    ("/workforce-census", "csww-kpis.children", "csww-focus", "member"),
    ("/workforce-census", "csww-kpis.children", "csww-measure", "member"),
    ("/workforce-census", "csww-kpis.children", "csww-year", "member"),
    ("/agency-pay", "pay-kpis.children", "pay-area", "member"),
    ("/agency-pay", "pay-kpis.children", "pay-job", "member"),
    ("/agency-pay", "pay-kpis.children", "pay-start", "member"),
    ("/agency-pay", "pay-kpis.children", "pay-by", "member"),
    ("/leadership-in-colour", "linc-kpis.children", "linc-borough", "member"),
    ("/leadership-in-colour", "linc-kpis.children", "linc-group", "member"),
    ("/leadership-in-colour", "linc-kpis.children", "linc-service", "member"),
    ("/leadership-in-colour", "linc-kpis.children", "linc-source", "member"),
    ("/send", "send-kpis.children", "send-focus", "member"),
    ("/send", "send-kpis.children", "send-measure", "member"),
    ("/send", "send-kpis.children", "send-year", "member"),
    ("/send", "send-kpis.children", "send-by", "member"),
    # The pages of helper floorsc (child-level episodes for commissioners; the area-measures pages).
    ("/child-level-episodes", "cld-banner.children", "cld-year", "commissioner"),
    ("/care-leavers", "leavers-kpis.children", "leavers-focus", "member"),
    ("/care-leavers", "leavers-kpis.children", "leavers-measure", "member"),
    ("/care-leavers", "leavers-kpis.children", "leavers-year", "member"),
    ("/looked-after-health", "lachealth-kpis.children", "lachealth-focus", "member"),
    ("/looked-after-health", "lachealth-kpis.children", "lachealth-measure", "member"),
    ("/looked-after-health", "lachealth-kpis.children", "lachealth-year", "member"),
    # Suspensions' other filters (issue 26): the year, the outcome and the groups followed over time.
    ("/suspensions", "susp-interval.figure", "susp-year", "member"),
    ("/suspensions", "susp-interval.figure", "susp-outcome", "member"),
    ("/suspensions", "susp-interval.figure", "susp-groups", "member"),
    # The child-level pages for commissioners: Sufficiency and Placements and supply (helper suff).
    ("/sufficiency", "suff-kpis.children", "suff-at", "commissioner"),
    ("/sufficiency", "suff-kpis.children", "suff-area", "commissioner"),
    ("/placements-supply", "supply-banner.children", "supply-at", "commissioner"),
    ("/placements-supply", "supply-banner.children", "supply-area", "commissioner"),
]

def _timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, result


def _options(props) -> list:
    return [o.get("value") if isinstance(o, dict) else o for o in props.get("options") or []
            if not (isinstance(o, dict) and o.get("disabled"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--page", action="append", help="only this path (repeatable)")
    parser.add_argument("--values", type=int, default=8, help="filter values cycled through (bench/run: 8)")
    parser.add_argument("--wall", action="store_true", help="the floor in wall time, as bench/run (default: CPU time, "
                                                            "which other work on a shared machine disturbs less)")
    parser.add_argument("--profile", choices=("floor", "change"), help="print cProfile's top functions for it")
    args = parser.parse_args()

    from flask_login import login_user

    import bench.floor
    from bench.floor import _callback_runner, measure_floor
    from bench.in_process import COMMISSIONER_EMAIL, add_users, build_app, trivial_ms
    from bench.pages import FilterChange
    from dashboard import loader
    from tests.dash_requests import callback_request, components, page_layout
    from tests.store_fixtures import ADMIN_EMAIL, MEMBER_EMAIL

    app = build_app(prefix="view-floors-")
    signed_in = add_users(app, {"member": (MEMBER_EMAIL, LAMBETH, "member"), "admin": (ADMIN_EMAIL, "E09000001", "admin"),
                                "commissioner": (COMMISSIONER_EMAIL, LAMBETH, "commissioner")})
    clients = {who: client for who, (client, _user) in signed_in.items()}
    users = {who: user for who, (_client, user) in signed_in.items()}
    trivial_wall, trivial_cpu = trivial_ms(clients["admin"])

    if not args.wall:   # SQLite runs in this process: its work is in the CPU time too
        bench.floor.time = type("CpuTime", (), {"perf_counter": staticmethod(time.process_time)})
    trivial_floor = trivial_wall if args.wall else trivial_cpu
    rows = []
    for path, output, filter_id, who in PAGES:
        if args.page and path not in args.page:
            continue
        client = clients[who]
        key, spec = next((k, s) for k, s in app.callback_map.items() if output in k.strip(".").split("..."))
        outputs = [tuple(o.rsplit(".", 1)) for o in key.strip(".").split("...")]
        store_id = outputs[-1][0]   # the view callback's store of what the browser holds (`first_paint`)
        opened = components(page_layout(client, path))

        def value_of(item, changes=None):
            return (changes or {}).get(item["id"], opened.get(item["id"], {}).get(item["property"]))

        def send(changes=None, shown=None):
            inputs = [(i["id"], i["property"], value_of(i, changes)) for i in spec["inputs"]]
            state = [(s["id"], s["property"], value_of(s, changes)) for s in spec.get("state", []) if s["id"] != store_id]
            return callback_request(client, outputs[:-1], inputs, state, triggered=f"{filter_id}.value", shown=shown)

        send()   # the default view, as warming builds it
        opened = components(page_layout(client, path))   # the first paint, with the view and what the browser holds
        shown = opened.get(store_id, {}).get("data")
        first = opened[filter_id].get("value")
        values = [v for v in _options(opened[filter_id]) if v != first][:args.values]
        if isinstance(first, list):   # a multi-choice control sends a list: each other choice alone
            values = [[v] for v in _options(opened[filter_id]) if [v] != first][:args.values]
        if not values:
            print(f"{path}: no other value of {filter_id}")
            continue

        # The browser's request body, for the floor's runner.
        request = {"output": key, "outputs": [{"id": i, "property": p} for i, p in outputs],
                   "inputs": [dict(i, value=value_of(i)) for i in spec["inputs"]],
                   "state": [dict(s, value=shown if s["id"] == store_id else value_of(s)) for s in spec.get("state", [])],
                   "changedPropIds": [f"{filter_id}.value"]}
        change = FilterChange(path, key, filter_id, values, request, len(outputs))
        floor = measure_floor(app, change, users[who], repeat=args.repeat)

        # Cached changes: each value once to build its view, then back-to-back as one user sends them.
        for v in values:
            assert send({filter_id: v}, shown).status_code in (200, 204)
        walls, cpus, sizes = [], [], []
        for _ in range(max(1, args.repeat // 2)):
            for v in values:
                wall, cpu, response = _timed(lambda: send({filter_id: v}, shown))
                walls.append(wall)
                cpus.append(cpu)
                sizes.append(len(response.get_data()))
        if args.profile:
            import cProfile
            import pstats
            profile = cProfile.Profile()
            if args.profile == "floor":
                with app.server.test_request_context("/_dash-update-component", method="POST"):
                    login_user(users[who])
                    run = _callback_runner(app, change, values[0])
                    for _ in range(3):
                        loader.cache.clear()
                        profile.runcall(run)
            else:
                for v in values * 2:
                    profile.runcall(lambda: send({filter_id: v}, shown))
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(r"/dashboard/", 40)
            stats.sort_stats("tottime").print_stats(20)
        rows.append((path, filter_id, len(values), floor, statistics.median(walls), statistics.median(cpus),
                     statistics.median(sizes) / 1024))

    print(f"trivial callback (Upload's dataset choice), test client: {trivial_wall:.2f} ms wall, {trivial_cpu:.2f} ms CPU (median of 200)")
    print(f"{'page':16}{'filter':14}{'n':>3}{'SQL':>7}{'compute':>9}{'JSON':>7}{'floor ms':>10}{'xT':>6}"
          f"{'change ms':>11}{'xT':>6}{'cpu ms':>8}{'xT':>6}{'KB JSON':>9}")
    for path, filter_id, n, f, wall, cpu, kb in rows:
        print(f"{path:16}{filter_id:14}{n:>3}{f.sql_ms:>7.1f}{f.compute_ms:>9.1f}{f.json_ms:>7.1f}{f.total_ms:>10.1f}"
              f"{f.total_ms / trivial_floor:>6.1f}{wall:>11.2f}{wall / trivial_wall:>6.2f}{cpu:>8.2f}{cpu / trivial_cpu:>6.2f}{kb:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
