"""What a filter change costs on SEND, Sufficiency, Placements and supply, Child-level episodes and Ofsted, against
the trivial callback.

    .venv/bin/python -m bench.view_costs_b [--repeat 5] [--database-url URL]

In one process: the app built as the tests build it (demo data, seed 7, an in-memory cache), a Lambeth member (SEND,
Ofsted) and a Lambeth commissioner (Sufficiency, Placements and supply) signed in through the test client. For each
page and filter choice, every server callback the browser fires when that filter changes is called through
/_dash-update-component with the page's other filters at their defaults (the values its layout opens with), and:
- first ms: the first call of this choice, after the choices listed before it ran (so what it shares with them is
  cached): what a member meets choosing it first, e.g. a new date once the page's area is open;
- cold ms: the same with nothing cached at all (every cached read runs its query and its work again; the
  per-process preparations stay), once: the first change after new data lands;
- uncached ms: CPU time (time.process_time) of those callbacks when no finished view is cached (every `view:` key
  misses; the cached data reads and per-process preparations stay warm, as in a worker after its first request);
- cached ms: the same callbacks with the views cached (the member's second visit to that choice);
- bytes: the response bodies those callbacks send (uncompressed JSON);
- x trivial: each time over the trivial callback (Upload's dataset choice) measured the same way in this run.
Medians of `--repeat` runs. CPU time, not wall time: other people's work on the machine does not count.
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LAMBETH = "E09000022"
MEMBER, COMMISSIONER, UPLOADER = ("bench-member@lambeth.example", "bench-commissioner@lambeth.example",
                                  "bench-uploader@lambeth.example")
# (page, path, who, [(label, {filter id: value})]); the first choice is the page's opening view (None: as it opens).
CASES = [
    ("SEND", "/send", MEMBER, [
        ("default", {"send-focus": None}), ("focus Camden", {"send-focus": "E09000007"}), ("measure plans per 1,000", {"send-measure": "plans_per_1000"}),
        ("year 2022", {"send-year": "2022"}), ("placements by sub-region", {"send-by": "subregion"})]),
    ("Sufficiency", "/sufficiency", COMMISSIONER, [
        ("default", {"suff-area": None}), ("area London", {"suff-area": "london"}), ("area South sub-region", {"suff-area": "sr:south"}),
        ("placement children's homes", {"suff-placement": "Children's homes"}), ("as at 2023-03-31", {"suff-at": "2023-03-31"}),
        ("tiles: placed by other LAs", {"suff-tile-mode": "others"}), ("scenario entries +10%", {"suff-scenario-entries": "10"})]),
    ("Placements and supply", "/placements-supply", COMMISSIONER, [
        ("default", {"supply-area": None}), ("area London", {"supply-area": "london"}), ("area Camden", {"supply-area": "la:E09000007"}),
        ("as at 2024-03-31", {"supply-at": "2024-03-31"}), ("as at 2023-09-30", {"supply-at": "2023-09-30"}),
        ("as at 2022-06-30", {"supply-at": "2022-06-30"})]),
    ("Child-level episodes", "/child-level-episodes", COMMISSIONER, [
        ("default", {"cld-year": None}), ("year 2023", {"cld-year": 2023}), ("year 2022", {"cld-year": 2022})]),
    ("Ofsted", "/ofsted", MEMBER, [
        ("default", {"ofsted-focus": None}), ("focus Camden", {"ofsted-focus": "E09000007"}), ("judgement leadership", {"ofsted-judgement": "leaders"})]),
]


def _cpu_ms(call, repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.process_time()
        size = call()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times), size


def _profile(call, get, backend) -> None:
    import cProfile
    import pstats
    profiler = cProfile.Profile(time.process_time)
    with mock.patch.object(backend, "get", get):
        profiler.runcall(call)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"dashboard", 25)


def _server_callbacks(app) -> list[tuple[list, list, list]]:
    """(outputs, inputs, state) of every server callback, ids as strings only (no pattern-matching ones)."""
    found = []
    for output, entry in app.callback_map.items():
        if "callback" not in entry:
            continue
        parts = [p for p in output.strip(".").split("...")] if output.startswith("..") else [output]
        outputs = [tuple(p.rsplit(".", 1)) for p in parts]
        if any(o[0].startswith("{") for o in outputs):
            continue
        found.append((outputs, [(i["id"], i["property"]) for i in entry["inputs"]],
                      [(s["id"], s["property"]) for s in entry.get("state", [])]))
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--only", action="append", help="only this page (e.g. SEND; repeatable)")
    parser.add_argument("--profile", choices=("cold", "uncached", "cached"), default=None,
                        help="print cProfile's top functions (by own time) for each choice, in that state")
    args = parser.parse_args()

    from dashboard import loader
    from dashboard.auth.users import create_user
    from dashboard.config import Settings
    from dashboard.store import get_engine
    from dashboard.web import create_app
    from tests.dash_requests import callback_request, components, page_layout
    from tests.store_fixtures import PASSWORD, sign_in

    scratch = tempfile.mkdtemp(prefix="view-costs-b-")
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    app = create_app(Settings(database_url=url, secret_key="bench", demo_seed=7, cache_dir=f"{scratch}/cache"),
                     cache_config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_THRESHOLD": 100000},
                     log=lambda *_: None)
    logging.getLogger("dashboard.request").setLevel(logging.WARNING)   # one log line a request would drown the table
    clients = {}
    for email, role in ((MEMBER, "member"), (COMMISSIONER, "commissioner"), (UPLOADER, "uploader")):
        try:
            create_user(get_engine(), email, PASSWORD, LAMBETH, role)
        except Exception:   # already there in a reused store
            pass
        clients[email] = app.server.test_client()
        sign_in(clients[email], email, PASSWORD)
    callbacks = _server_callbacks(app)
    backend = app.server.extensions["cache"][loader.cache]
    real_get = backend.get

    def missing_views(key, *a, **k):
        return None if str(key).startswith("view:") else real_get(key, *a, **k)

    upload_outputs = next(o for o, i, _ in callbacks if i == [("upload-dataset", "value")])

    def trivial() -> int:
        response = callback_request(clients[UPLOADER], upload_outputs, [("upload-dataset", "value", "benchmarking")])
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        return len(response.get_data())

    trivial()
    trivial_ms, _ = _cpu_ms(trivial, max(args.repeat, 20))
    print(f"trivial callback (Upload's dataset choice): {trivial_ms:.1f} ms CPU, median of {max(args.repeat, 20)}")
    print(f"{'page':22}{'choice':30}{'callbacks':>10}{'first ms':>9}{'cold ms':>9}{'uncached ms':>13}{'x trivial':>10}{'cached ms':>11}"
          f"{'x trivial':>10}{'bytes':>10}")
    for page, path, who, choices in CASES:
        if args.only and page.lower() not in {o.lower() for o in args.only}:
            continue
        client = clients[who]
        opening = {cid: props for cid, props in components(page_layout(client, path)).items()}

        def value(component_id, prop, changed):
            if changed.get(component_id) is not None and prop == "value":
                return changed[component_id]
            return opening.get(component_id, {}).get(prop)

        for label, changed in choices:
            trigger = next(iter(changed))   # the default choice: the first filter, "changed" to its opening value
            fired = [(o, i, s) for o, i, s in callbacks if (trigger, "value") in i and all(c in opening for c, _ in i)]

            def call_all() -> int:
                size = 0
                for outputs, inputs, state in fired:
                    response = callback_request(client, outputs, [(c, p, value(c, p, changed)) for c, p in inputs],
                                                [(c, p, value(c, p, changed)) for c, p in state],
                                                triggered=f"{trigger}.value")
                    assert response.status_code in (200, 204), (page, label, outputs[0], response.get_data(as_text=True)[:300])
                    size += len(response.get_data())
                return size

            first_ms, _ = _cpu_ms(call_all, 1)   # the data reads for this choice, and its views, cached
            with mock.patch.object(backend, "get", lambda *a, **k: None):
                cold_ms, _ = _cpu_ms(call_all, 1)
            with mock.patch.object(backend, "get", missing_views):
                uncached_ms, _ = _cpu_ms(call_all, args.repeat)
            cached_ms, size = _cpu_ms(call_all, args.repeat)
            if args.profile:
                _profile(call_all, {"cold": lambda *a, **k: None, "uncached": missing_views, "cached": real_get}[args.profile],
                         backend)
            print(f"{page:22}{label:30}{len(fired):>10}{first_ms:>9.0f}{cold_ms:>9.0f}{uncached_ms:>13.0f}{uncached_ms / trivial_ms:>10.1f}"
                  f"{cached_ms:>11.1f}{cached_ms / trivial_ms:>10.1f}{size:>10,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
