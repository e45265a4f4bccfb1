"""Sufficiency's and Placements and supply's views: the code at a git ref (old) against the working tree (new), in one
process: every output compared, and the uncached builds timed old and new interleaved, against the trivial callback.

    .venv/bin/python -m bench.sufficiency_old_new [--old main] [--only view|forecast|supply] [--repeat 5] [--quick | --step 3]

The app built as `bench.view_floors` builds it (`bench.in_process`: a temporary SQLite store with the demo data, seed 7,
and ../shared's published files; an in-process SimpleCache); viewers a Lambeth and a Camden commissioner. The old code is each package's data, view,
figures and metrics modules as they are at `--old`, loaded beside the new under other module names (its tables on a
metadata of their own, the same store). Compared, with the shared cache emptied before every build:
- Sufficiency's view (`view.build_view`: KPIs, figures, titles, tables, notes, takeaways) for every date at the
  viewer's LA and every sixth date at London and a sub-region, every area at the latest date, every value of each
  other filter at the viewer's LA and at London, and both chart modes;
- Sufficiency's forecast (`view.build_forecast`: charts, back-test, tables) and its opening scenario comparison
  (`view.compare_scenarios`) for every area;
- Placements and supply's view (`view.build_view`) for every area at the latest date and every date at the default
  area (the viewer's sub-region).
Each for both viewers (`--quick`: Lambeth's, fewer cases), then again on the same store with every LA's return but
Camden's deleted (only one LA sent a return; the viewer's own LA has none).
Outputs are compared as JSON (figures through plotly's encoder, tables with their column types): any difference is
printed and the run exits 1. Timing: each page's main filter (the date) changed to each of 8 values, old and new
alternated, CPU time of the build with the cache emptied (median), and the trivial callback (Upload's dataset choice)
through the test client, median of 200 (T).
"""
from __future__ import annotations

import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.old_code import arguments, load_old  # noqa: E402

CAMDEN = "E09000007"
MODULES = {"sufficiency": ("metrics", "figures", "data", "view"), "placements_supply": ("metrics", "figures", "data", "view")}


def plain(value):
    """An output as JSON-able data: figures as plotly encodes them, tables with their column types."""
    import numpy as np
    import pandas as pd
    from plotly.io.json import to_json_plotly
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, pd.DataFrame):
        return {"columns": list(map(str, value.columns)), "dtypes": [str(t) for t in value.dtypes],
                "rows": json.loads(to_json_plotly(value.astype(object).where(value.notna(), None).values.tolist()))}
    if isinstance(value, dict) and "data" in value and "layout" in value:
        return json.loads(to_json_plotly(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def first_difference(a, b, where="") -> str | None:
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        return f"{where}: {type(a).__name__} {str(a)[:80]} != {type(b).__name__} {str(b)[:80]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}.{k}: only in {'new' if k in b else 'old'}"
            d = first_difference(a[k], b[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    if a != b and not (a != a and b != b):
        return f"{where}: {str(a)[:120]!r} != {str(b)[:120]!r}"
    return None


def main() -> int:
    parser = arguments(__doc__)
    parser.add_argument("--only", action="append", choices=("view", "forecast", "supply"))
    parser.add_argument("--step", type=int, default=1, help="compare every n-th date and area (default: all)")
    args = parser.parse_args()
    only = set(args.only or ("view", "forecast", "supply"))

    from sqlalchemy import delete

    from bench.in_process import COMMISSIONER_EMAIL, LAMBETH, add_users, build_app, trivial_ms
    from dashboard import loader
    from dashboard.store import get_engine
    from dashboard.store.datasets import bump_version
    from tests.store_fixtures import ADMIN_EMAIL

    app = build_app(prefix="suff-old-new-")
    old = load_old(args.old, MODULES)
    from dashboard.dashboards.placements_supply import view as new_supply
    from dashboard.dashboards.sufficiency import data as new_data
    from dashboard.dashboards.sufficiency import view as new_suff
    old_suff, old_supply = old["sufficiency.view"], old["placements_supply.view"]

    signed_in = add_users(app, {"admin": (ADMIN_EMAIL, "E09000001", "admin"),
                                "commissioner": (COMMISSIONER_EMAIL, LAMBETH, "commissioner"),
                                "camden": ("commissioner@camden.example", CAMDEN, "commissioner")})
    viewers = [(LAMBETH, loader.scope_of(signed_in["commissioner"][1])), (CAMDEN, loader.scope_of(signed_in["camden"][1]))]
    scope = viewers[0][1]
    t_ms = trivial_ms(signed_in["admin"][0])[1]

    failures = 0
    with app.server.test_request_context("/"):
        def compare(label, build_old, build_new) -> bool:
            loader.cache.clear()
            a = plain(build_old())
            loader.cache.clear()
            b = plain(build_new())
            difference = first_difference(a, b)
            if difference:
                print(f"DIFFERENT {label}: {difference}")
            return difference is None

        def compare_all(store_label: str) -> int:
            cases = []
            for user_la, viewer in viewers[:1] if args.quick else viewers:
                cases += cases_for(f"{store_label}, viewer {user_la}:", user_la, viewer)
            same = 0
            for done, (label, a, b) in enumerate(cases, 1):
                same += compare(label, a, b)
                if done % 100 == 0:
                    print(f"  {store_label}: {done} of {len(cases)} compared, {done - same} different", flush=True)
            print(f"{store_label}: compared {len(cases)} outputs, old ({args.old}) against new: {same} identical, "
                  f"{len(cases) - same} different")
            return len(cases) - same

        def builders(user_la: str, viewer):
            """What a viewer's cases and timings are built from: the dates, areas, the viewer's own area, and the two
            builders, Sufficiency's filters (the viewer's LA at the latest date unless `values` say otherwise) and
            Placements and supply's view (its default area and date unless given)."""
            options = new_data.options(viewer)
            las = loader.local_authorities()
            dates = [d.date().isoformat() for d in reversed(options["month_ends"])]
            areas = [o["value"] for o in new_suff.area_options(las)]
            own = f"la:{user_la}"

            def suff_filters(module, **values):
                query = {"area": own, "at": dates[0], **values}
                return module.resolve_filters(query, user_la=user_la, las=las, options=options)

            def supply(module, area=None, at=None):
                return module.build_view(module.resolve_filters(area, at, user_la=user_la, las=las, options=options),
                                         viewer)
            return options, las, dates, areas, own, suff_filters, supply

        def cases_for(prefix: str, user_la: str, viewer) -> list:
            options, las, dates, areas, own, suff_filters, supply = builders(user_la, viewer)
            subregion = next(a for a in areas if a.startswith("sr:"))
            cases = []   # (label, old build, new build)
            if "view" in only:
                def view_case(label, modes=("selected", "location"), **values):
                    cases.append((f"{prefix} view {label}",
                                  lambda: old_suff.build_view(suff_filters(old_suff, **values), viewer, *modes),
                                  lambda: new_suff.build_view(suff_filters(new_suff, **values), viewer, *modes)))
                step = 12 if args.quick else args.step
                for at in dates[::step]:
                    view_case(f"{own} {at}", at=at)
                for at in dates[::6 * step]:
                    view_case(f"london {at}", area="london", at=at)
                    view_case(f"{subregion} {at}", area=subregion, at=at)
                for area in areas[::(4 if args.quick else args.step)]:
                    view_case(f"{area} {dates[0]}", area=area)
                choices = new_suff.filter_options(options)
                for name in new_suff.SELECTION_FIELDS:
                    for choice in choices[name][1:]:
                        for area in (own, "london"):
                            view_case(f"{area} {name}={choice['value']}", area=area, **{name: choice["value"]})
                for modes in (("others", "provider"), ("others", "location")):
                    for area in (own, "london"):
                        view_case(f"{area} modes {modes}", modes=modes, area=area)
            if "forecast" in only:
                for area in areas[::(8 if args.quick else 2 * args.step)]:
                    def forecast(module, area=area):
                        selection = module.resolve_selection({"area": area}, {}, user_la=user_la, las=las, options=options)
                        return module.build_forecast(selection.filters, selection.forecast, viewer)

                    def comparison(module, area=area):
                        selection = module.resolve_selection({"area": area}, {}, user_la=user_la, las=las, options=options)
                        return module.compare_scenarios(selection.filters, viewer,
                                                        module.opening_comparison(selection.forecast))
                    cases.append((f"{prefix} forecast {area}", lambda f=forecast: f(old_suff), lambda f=forecast: f(new_suff)))
                    cases.append((f"{prefix} comparison {area}", lambda f=comparison: f(old_suff),
                                  lambda f=comparison: f(new_suff)))
            if "supply" in only:
                for area in areas[::(8 if args.quick else args.step)]:
                    cases.append((f"{prefix} supply {area}", lambda a=area: supply(old_supply, a),
                                  lambda a=area: supply(new_supply, a)))
                for at in dates[::(12 if args.quick else args.step)]:
                    cases.append((f"{prefix} supply {at}", lambda d=at: supply(old_supply, None, d),
                                  lambda d=at: supply(new_supply, None, d)))
            return cases

        options, las, dates, areas, own, suff_filters, supply = builders(LAMBETH, scope)
        subregion = next(a for a in areas if a.startswith("sr:"))

        if not args.no_compare:
            failures += compare_all("every LA's returns")

        # Timing: the main filter (the date) changed to 8 values, old and new alternated, the cache emptied each time.
        timings = []
        if "view" in only:
            timings.append(("Sufficiency view, date", [
                (lambda d=d: old_suff.build_view(suff_filters(old_suff, at=d), scope),
                 lambda d=d: new_suff.build_view(suff_filters(new_suff, at=d), scope)) for d in dates[1:9]]))
            timings.append(("Sufficiency view, area", [
                (lambda a=a: old_suff.build_view(suff_filters(old_suff, area=a), scope),
                 lambda a=a: new_suff.build_view(suff_filters(new_suff, area=a), scope)) for a in areas[:8]]))
        if "forecast" in only:
            def forecast_at(module, area):
                selection = module.resolve_selection({"area": area}, {}, user_la=LAMBETH, las=las, options=options)
                return module.build_forecast(selection.filters, selection.forecast, scope)
            timings.append(("Sufficiency forecast, area", [
                (lambda a=a: forecast_at(old_suff, a), lambda a=a: forecast_at(new_suff, a))
                for a in (own, "la:E09000007", subregion, "london")]))
        if "supply" in only:
            timings.append(("Placements and supply view, date", [
                (lambda d=d: supply(old_supply, None, d), lambda d=d: supply(new_supply, None, d)) for d in dates[1:9]]))
        if args.no_time:
            timings = []
        else:
            print(f"\ntrivial callback (Upload's dataset choice), test client: {t_ms:.2f} ms CPU (median of 200) = T")
            print(f"{'build (uncached, CPU ms, median)':40}{'old':>9}{'xT':>7}{'new':>9}{'xT':>7}{'new/old':>9}")
        for label, pairs in timings:
            olds, news = [], []
            for _ in range(args.repeat):
                for build_old, build_new in pairs:
                    for build, into in ((build_old, olds), (build_new, news)):
                        loader.cache.clear()
                        started = time.process_time()
                        build()
                        into.append((time.process_time() - started) * 1000)
            o, n = statistics.median(olds), statistics.median(news)
            print(f"{label:40}{o:>9.1f}{o / t_ms:>7.1f}{n:>9.1f}{n / t_ms:>7.1f}{n / o:>9.2f}")

        if not args.no_compare:   # a store where only Camden sent a return (the viewer's own LA has none: "no return")
            from dashboard.dashboards.sufficiency.data import child, episode
            with get_engine().begin() as conn:
                conn.execute(delete(episode).where(episode.c.la_code != CAMDEN))
                conn.execute(delete(child).where(child.c.la_code != CAMDEN))
                bump_version(conn, new_data.NAME)
            failures += compare_all("only Camden's return")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
