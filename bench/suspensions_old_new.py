"""Education suspensions' render outputs: the code at a git ref (old) against the working tree (new), in one process:
every output compared, and the uncached render timed old and new alternated, against the trivial callback (issue 26).

    .venv/bin/python -m bench.suspensions_old_new [--old main] [--quick] [--repeat 5] [--no-compare] [--no-time]

(`--old 523b206`: the code before this session's Suspensions work, 858b3eb, 08e9745 and cf03c8e.)

The app built as `bench.view_floors` builds it (a temporary SQLite store with the demo data, seed 7, and ../shared's
published files; an in-process SimpleCache). The old code is the package's data, metrics, figures and view modules as
they are at `--old`, loaded beside the new under other module names (its tables on a metadata of their own, the same
store); the page's render body (`page.rendered`, without its cache) is run with the old or the new view module.
Every answer is encoded as Dash sends it (plotly's JSON encoder) and compared; any difference is printed and the run
exits 1. Compared, with the shared cache emptied before every render, for each store:
- full: the demo data, DfE's England file and the published table;
- gaps: Croydon without its latest year, the viewer's own LA (Lambeth) without its first year, Hackney's White
  British figures and some other counts missing (NULL), and one year with only two LAs;
- real only: no LA figures at all (the suspensions dataset emptied), England and the published table;
- LA only: no England file, no published table;
- nothing: no suspensions data at all (the page shows nothing: both must refuse alike);
and for each of several viewers (Lambeth, the City, Croydon, Barnet): every area, every year of it and both outcomes
(with --quick: fewer viewers and areas), every choice of the groups followed over time (each alone, none, all) at a
few areas, and every area anonymised.
Timing (full store, Lambeth's member): each filter changed to 8 values (area, year, outcome, groups) from the default
view, as `bench.view_floors` changes them, old and new alternated, CPU time of the render and its JSON with the shared
cache emptied (median); T is the trivial callback (Upload's dataset choice) through the test client, median of 200.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.old_code import arguments, load_old  # noqa: E402

PACKAGE = "suspensions"
MODULES = ("data", "metrics", "figures", "view")
VIEWERS = ["E09000022", "E09000001", "E09000008", "E09000003"]   # Lambeth, the City (tiny), Croydon, Barnet


def main() -> int:
    args = arguments(__doc__).parse_args()

    import logging

    from dash.exceptions import PreventUpdate
    from plotly.io.json import to_json_plotly
    from sqlalchemy import delete, update

    from dashboard import loader
    from dashboard.auth.users import create_user
    from dashboard.config import Settings
    from dashboard.store import get_engine
    from dashboard.store.datasets import bump_version
    from dashboard.web import create_app
    from tests.dash_requests import callback_request
    from tests.store_fixtures import ADMIN_EMAIL, PASSWORD, sign_in

    folder = Path(tempfile.mkdtemp(prefix="susp-old-new-"))
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'store.sqlite3'}", secret_key="bench", demo_seed=7,
                              disclosure_secret="view-floors", cache_dir=str(folder / "cache"), log_level="WARNING"),
                     cache_config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_THRESHOLD": 100000},
                     log=lambda *_: None)
    logging.getLogger("dashboard.request").setLevel(logging.WARNING)
    old = {name.split('.')[1]: module for name, module in load_old(args.old, {PACKAGE: MODULES}).items()}
    from dashboard.dashboards.suspensions import data as new_data
    from dashboard.dashboards.suspensions import page
    from dashboard.dashboards.suspensions import view as new_view
    modules = {"old": old["view"], "new": new_view}

    engine = get_engine()
    create_user(engine, ADMIN_EMAIL, PASSWORD, "E09000001", "admin")
    admin = app.server.test_client()
    sign_in(admin, ADMIN_EMAIL)

    def trivial():
        return callback_request(admin, [("upload-period", "options"), ("upload-period", "value"),
                                        ("upload-period-label", "children"), ("upload-template-help", "children")],
                                [("upload-dataset", "value", "agency_pay")])
    assert trivial().status_code == 200
    cpu = []
    for _ in range(200):
        started = time.process_time()
        trivial()
        cpu.append(time.process_time() - started)
    t_ms = statistics.median(cpu) * 1000

    def render(which: str, values: tuple, scope, anonymise_with=None):
        """The page's render outputs as Dash sends them (JSON), built by the old or the new view module."""
        page.sus = modules[which]
        try:
            return to_json_plotly(list(page.rendered.uncached(values, scope, anonymise_with=anonymise_with)))
        except PreventUpdate:
            return "PreventUpdate"
        finally:
            page.sus = new_view

    def scope_of(la):
        return loader.AccessScope(role="member", la_code=la)

    failures, compared = 0, 0

    def compare(label, values, scope, anonymise_with=None) -> None:
        nonlocal failures, compared
        answers = {}
        for which in ("old", "new"):
            loader.cache.clear()
            try:
                answers[which] = render(which, values, scope, anonymise_with)
            except Exception as error:  # noqa: BLE001 - an error is an answer too: both must give the same
                answers[which] = f"{type(error).__name__}: {error}"
        compared += 1
        if answers["old"] != answers["new"]:
            failures += 1
            a, b = answers["old"], answers["new"]
            at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            print(f"DIFFERENT {label}: ...{a[max(0, at - 150):at + 100]!r}\n   new: ...{b[max(0, at - 150):at + 100]!r}")

    def cases_for(store: str, viewers: list[str], full: bool) -> None:
        group_keys = [o["value"] for o in new_view.group_options()]
        for viewer in viewers:
            scope = scope_of(viewer)
            with app.server.test_request_context("/"):
                ctx = old["view"].context(scope)
                areas = [o["value"] for o in old["view"].area_options(ctx) if not o.get("disabled")]
                if not areas:
                    compare(f"{store} {viewer} nothing", (None, None, None, None), scope)
                    continue
                default = new_view.DEFAULT_TREND_GROUPS
                defaults = [new_view.KEY_OF[g] for g in default]
                step = 1 if full else 3 if not args.quick else 6
                chosen = [a for i, a in enumerate(areas) if i % step == 0 or a in (viewer, "london", "england", "published")]
                for area in chosen:
                    years = ctx.years_for(area)
                    for year in (years if full or area in (viewer, "london", "england") else years[:1] + years[-1:]):
                        for outcome in ("suspended", "permanent"):
                            compare(f"{store} {viewer} {area} {year} {outcome}", (area, year, outcome, defaults), scope)
                for area in [a for a in areas if a in (viewer, "london", "england", "published") or a.startswith("sr:")][:5]:
                    for groups in [[k] for k in group_keys][::1 if not args.quick else 4] + [[], group_keys, None]:
                        compare(f"{store} {viewer} {area} groups={groups}", (area, None, "suspended", groups), scope)
                for area in areas[::1 if full else 4 if not args.quick else 8]:
                    compare(f"{store} {viewer} {area} anonymised", (area, None, "permanent", defaults), scope,
                            anonymise_with="bench")
                compare(f"{store} {viewer} unknown filters", ("nowhere", "1999/00", "other", ["nogroup"]), scope)

    def change_store(step) -> None:
        with engine.begin() as conn:
            step(conn)
        loader.cache.clear()

    t = new_data.suspensions_pupils
    if not args.no_compare:
        viewers = VIEWERS[:2] if args.quick else VIEWERS
        cases_for("full", viewers, full=not args.quick)
        print(f"full store: {compared} compared, {failures} different", flush=True)

    # Timing on the full store, Lambeth's member: each filter's other values from the default view.
    if not args.no_time:
        scope = scope_of("E09000022")
        with app.server.test_request_context("/"):
            ctx = new_view.context(scope)
            f = new_view.resolve_filters(user_la=scope.la_code, ctx=ctx)
            default = (f.area, f.year, f.outcome, list(new_view.KEY_OF[g] for g in new_view.DEFAULT_TREND_GROUPS))
            areas = [o["value"] for o in new_view.area_options(ctx) if not o.get("disabled") and o["value"] != f.area]
            changes = {
                "area": [(a, f.year, f.outcome, default[3]) for a in areas[:8]],
                "year": [(f.area, y, f.outcome, default[3]) for y in ctx.years_for(f.area) if y != f.year][:8],
                "outcome": [(f.area, f.year, "permanent", default[3])],
                "groups": [(f.area, f.year, f.outcome, [o["value"]]) for o in new_view.group_options()][:8],
            }
            for which in ("old", "new"):   # each module's per-process memory warmed, as a worker's first request does
                render(which, default, scope)
            print(f"\ntrivial callback (Upload's dataset choice), test client: {t_ms:.2f} ms CPU (median of 200) = T")
            print(f"{'render + JSON (uncached, CPU ms, median)':42}{'old':>8}{'xT':>7}{'new':>8}{'xT':>7}{'new/old':>9}")
            for name, values in changes.items():
                times = {"old": [], "new": []}
                for _ in range(args.repeat):
                    for v in values:
                        for which in ("old", "new"):
                            loader.cache.clear()
                            started = time.process_time()
                            render(which, v, scope)
                            times[which].append((time.process_time() - started) * 1000)
                o, n = statistics.median(times["old"]), statistics.median(times["new"])
                print(f"{'susp-' + name:42}{o:>8.1f}{o / t_ms:>7.1f}{n:>8.1f}{n / t_ms:>7.1f}{n / o:>9.2f}", flush=True)

    if not args.no_compare:
        before = failures
        # Gaps: an LA without a year, the viewer's own without another, missing counts (never zeros), a thin year.
        with app.server.test_request_context("/"):
            years = sorted(new_view.context(scope_of("E09000022")).la_years)

        def gaps(conn):
            conn.execute(delete(t).where(t.c.la_code == "E09000008", t.c.academic_year == years[-1]))
            conn.execute(delete(t).where(t.c.la_code == "E09000022", t.c.academic_year == years[0]))
            conn.execute(update(t).where(t.c.la_code == "E09000012", t.c.ethnicity == "White British")
                         .values(pupils_suspended=None, permanent_exclusions=None))
            conn.execute(update(t).where(t.c.la_code == "E09000003", t.c.ethnicity.in_(["Irish", "Chinese"]))
                         .values(headcount=None))
            conn.execute(update(t).where(t.c.la_code == "E09000022", t.c.ethnicity == "Indian",
                                         t.c.academic_year == years[-1]).values(pupils_suspended=None))
            conn.execute(delete(t).where(t.c.academic_year == years[1], t.c.la_code.notin_(["E09000022", "E09000007"])))
            conn.execute(delete(t).where(t.c.la_code == "E09000001", t.c.ethnicity == "Gypsy/Roma"))
            bump_version(conn, new_data.NAME)
        change_store(gaps)
        cases_for("gaps", VIEWERS[:2] if args.quick else VIEWERS[:3], full=not args.quick)

        kept = {}

        def no_real(conn):
            for table in (new_data.suspensions_england, new_data.suspensions_published):
                kept[table.name] = [dict(r._mapping) for r in conn.execute(table.select())]
                conn.execute(delete(table))
            bump_version(conn, new_data.ENGLAND)
            bump_version(conn, new_data.PUBLISHED)
        change_store(no_real)
        cases_for("LA only", VIEWERS[:1] if args.quick else VIEWERS[:2], full=False)

        def real_only(conn):
            for table in (new_data.suspensions_england, new_data.suspensions_published):
                conn.execute(table.insert(), kept[table.name])
            bump_version(conn, new_data.ENGLAND)
            bump_version(conn, new_data.PUBLISHED)
            conn.execute(delete(t))
            bump_version(conn, new_data.NAME)
        change_store(real_only)
        cases_for("real only", VIEWERS[:1], full=True)

        def nothing(conn):
            conn.execute(delete(new_data.suspensions_england))
            conn.execute(delete(new_data.suspensions_published))
            bump_version(conn, new_data.ENGLAND)
            bump_version(conn, new_data.PUBLISHED)
        change_store(nothing)
        cases_for("nothing", VIEWERS[:1], full=True)
        print(f"stores with gaps: {compared} compared in all, {failures - before} different", flush=True)
        print(f"compared {compared} render outputs, old ({args.old}) against new: {compared - failures} identical, "
              f"{failures} different")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
