"""`bench/run`'s "Sufficiency at 10x" first filter change, in one process: the cheapest way to see it move.

    .venv/bin/python -m bench.sufficiency_10x [--factor 10] [--changes 3]

The app built as `bench.view_floors` builds it (`bench.in_process`: a temporary SQLite store with the demo data), the
demo child-level data copied to `--factor` times its size as `bench.sufficiency.inflate` copies it (the version
bumped), the grown rows read into this process as warming reads them in every worker (`prepare_in_this_process`,
timed: not part of the change), then the Sufficiency page's main filter (the date, as `bench/run` finds it) changed for
a Lambeth commissioner: the first change after the data lands (`bench/run`'s "first filter change", target < 1 s) and
`--changes` - 1 more dates, each view built with the shared cache emptied (what was kept in this process stays, as in
a worker). Wall and CPU seconds of `view.build_view`; no HTTP, no gunicorn (bench/run's figure adds the request).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--changes", type=int, default=3)
    args = parser.parse_args()

    from bench.in_process import COMMISSIONER_EMAIL, LAMBETH, add_users, build_app
    from bench.sufficiency import counts, inflate
    from dashboard import loader
    from dashboard.dashboards.sufficiency import data, view
    from dashboard.store import get_engine

    app = build_app(prefix="suff-10x-")
    user = add_users(app, {"commissioner": (COMMISSIONER_EMAIL, LAMBETH, "commissioner")})["commissioner"][1]
    scope = loader.scope_of(user)
    with app.server.test_request_context("/"):
        engine = get_engine()
        before = counts(engine)
        inflate(engine, args.factor)
        after = counts(engine)
        print(f"children {before[0]:,} -> {after[0]:,}; episodes {before[1]:,} -> {after[1]:,}")
        started = time.perf_counter()
        data.prepare_in_this_process()
        print(f"rows read into this process (warming, not part of a change): {time.perf_counter() - started:.1f} s")
        options = data.options(scope)
        las = loader.local_authorities()
        dates = [d.date().isoformat() for d in reversed(options["month_ends"])]
        for n, at in enumerate(dates[1:1 + args.changes], 1):
            filters = view.resolve_filters({"at": at}, user_la=LAMBETH, las=las, options=options)
            loader.cache.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            view.build_view(filters, scope)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            label = "first filter change after the data lands" if n == 1 else f"change {n}"
            print(f"{label} (date {at}, {filters.area}): {wall:.2f} s wall, {cpu:.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
