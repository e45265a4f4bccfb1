"""Leadership in Colour and Sufficiency: what a warm cache hit of a view costs and how many views 10 LAs build.

    .venv/bin/python bench/view_cache_pages.py

A fresh SQLite store with the demo data and a filesystem cache (what gunicorn workers share). For each page and view:
- builds: how many view objects were stored in the cache while members of 10 LAs (commissioners for Sufficiency)
  each opened it, from a cold cache, and the time those 10 requests took together (data reads included);
- stored: the pickle round trip of what one request reads from the cache (every view object it stored), median;
- hit: one warm `build_view` call end to end (key, version queries, cache reads, anything done after the read),
  median and best of 50 (the best is the steadier comparison on a shared machine).
Timings are this machine's, in one run; compare before and after in the same run conditions.
"""
from __future__ import annotations

import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

LAS = ["E09000001", "E09000002", "E09000003", "E09000005", "E09000007", "E09000008", "E09000012", "E09000019",
       "E09000022", "E09000028"]
REPEATS = 50


def _times_ms(call, repeats: int = REPEATS) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    from dashboard.dashboards.leadership_in_colour import view as linc
    from dashboard import loader
    from dashboard.dashboards.sufficiency import view as suff
    from dashboard.config import Settings
    from dashboard.dashboards.sufficiency import data as suff_loader
    from dashboard.web import create_app

    folder = Path(tempfile.mkdtemp(prefix="viewcache-bench-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'store.sqlite3'}", secret_key="bench", demo_seed=7,
                        cache_dir=str(folder / "cache"))
    app = create_app(settings, cache_config={"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": str(folder / "cache"),
                                             "CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_THRESHOLD": 50000}, log=lambda *_: None)
    pages = {"dashboard.dashboards.leadership_in_colour.view", "dashboard.dashboards.sufficiency.view"}

    with app.server.app_context():
        backend = app.server.extensions["cache"][loader.cache]
        las = loader.local_authorities()
        suff_options = suff_loader.options(loader.AccessScope("admin", LAS[0]))

        def linc_view(la: str, borough: str = "all"):
            filters = linc.resolve_filters(borough=borough, la_codes=las["la_code"])
            return lambda: linc.build_view(filters, loader.AccessScope("member", la))

        def suff_view(la: str, area: str | None = None):
            query = {"area": area} if area else {}
            filters = suff.resolve_filters(query, user_la=la, las=las, options=suff_options)
            return lambda: suff.build_view(filters, loader.AccessScope("commissioner", la))

        cases = [("Leadership in Colour, default (all boroughs)", lambda la: linc_view(la)),
                 ("Leadership in Colour, one borough (Camden)", lambda la: linc_view(la, "E09000007")),
                 ("Sufficiency, default (the commissioner's own LA)", lambda la: suff_view(la)),
                 ("Sufficiency, all London", lambda la: suff_view(la, "london"))]
        print(f"{'view':52}{'builds for 10 LAs':>19}{'10 LAs cold (ms)':>18}{'stored (ms)':>13}{'hit (ms)':>10}{'best':>10}")
        for name, view_for in cases:
            loader.cache.clear()
            stored = []
            real_set = backend.set

            def recording_set(key, value, *args, **kwargs):
                if type(value).__module__ in pages:
                    stored.append(value)
                return real_set(key, value, *args, **kwargs)

            with mock.patch.object(backend, "set", recording_set):
                start = time.perf_counter()
                for la in LAS:
                    view_for(la)()
                cold = (time.perf_counter() - start) * 1000
                builds = len(stored)
                stored.clear()
                loader.cache.clear()
                view_for(LAS[0])()          # what one request stores, and so reads on a hit
            one_request = list(stored)
            round_trip = statistics.median(
                _times_ms(lambda: [pickle.loads(pickle.dumps(v, pickle.HIGHEST_PROTOCOL)) for v in one_request]))
            hits = _times_ms(view_for(LAS[0]))
            print(f"{name:52}{builds:>19}{cold:>18.0f}{round_trip:>13.2f}{statistics.median(hits):>10.2f}{min(hits):>10.2f}")


if __name__ == "__main__":
    main()
