"""Agency pay's view and render outputs: the code at a git ref (old) against the working tree (new), in one process:
every output compared, and the uncached render timed old and new alternated, against the trivial callback (issue 26).

    .venv/bin/python -m bench.agency_pay_old_new [--old main] [--quick] [--repeat 5] [--no-compare] [--no-time]

(`--old de13bc6`: the code before this session's Agency pay work.)

The app as `bench.floor.bench_app` builds it (SQLite with the demo data, seed 7, and ../shared's published files; an
in-process SimpleCache). The old code is the package's metrics, figures, data and view modules as they are at `--old`,
loaded beside the new under other module names (its tables on a metadata of their own, the same store); the page's
render body (`page.rendered`, without its cache) is run with the old or the new view and data modules. Compared for
each case, with the shared cache emptied before every build:
- the render outputs as Dash sends them (plotly's JSON encoder), byte for byte;
- the view itself (`build_view` uncached: what downloads, images and slides are made from): every field, tables with
  their columns, dtypes and values (floats by repr), figures as JSON.
Any difference is printed and the run exits 1. Cases, for each viewer (members of Lambeth, Croydon and Barnet, an
administrator of the City: "the admin/London view"), each with LA names shown and anonymised:
- every area (All London, each sub-region, each LA) for every job type, split by LA and by job type, over the default
  quarters (with --quick: every area with all job types, and every job type at a few areas);
- quarter ranges at a few areas: the last quarter alone, every quarter, the first quarters (earlier caps), a range
  given backwards, unknown values;
on three stores: the full demo data; gaps (Lambeth, the viewer's own LA, with no return for the last quarter, Croydon
none for an earlier one, a quarter only two LAs returned, Barnet's team managers gone from the last quarter, the
benchmarking agency rate missing for Lambeth and some quarters, DfE's census rate removed, and a cap dropped); and
nothing (no agency pay returns at all: both must refuse alike).

Timing (full store, Lambeth's member): each filter a member changes (area, job, from-quarter, split) sent up to 8 other
values from the default view, old and new alternated, CPU time of the uncached render and its JSON (the shared cache
emptied, per-process memory kept, as `bench.floor`), median; T is the trivial callback (Upload's dataset choice)
through the test client, median of 200.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.floor import bench_app, trivial_cpu_ms  # noqa: E402
from bench.old_code import alternated_cpu_ms, arguments, load_old, print_timings  # noqa: E402

PACKAGE = "agency_pay"
MODULES = ("metrics", "data", "figures", "view")
LAMBETH, CITY, CROYDON, BARNET = "E09000022", "E09000001", "E09000008", "E09000003"
VIEWERS = [("member", LAMBETH), ("admin", CITY), ("member", CROYDON), ("commissioner", BARNET)]


def canonical(value):
    """A view's field as comparable text: tables with their columns, dtypes and every value (floats by repr)."""
    import numpy as np
    import pandas as pd
    from plotly.io.json import to_json_plotly

    if isinstance(value, pd.DataFrame):
        return repr((list(value.columns), [str(t) for t in value.dtypes], list(value.index),
                     [[canonical(v) for v in row] for row in value.itertuples(index=False)]))
    if isinstance(value, pd.Series):
        return repr((value.name, str(value.dtype), list(value.index), [canonical(v) for v in value]))
    if isinstance(value, dict) and "data" in value and "layout" in value:
        return to_json_plotly(value)
    if isinstance(value, dict):
        return repr([(canonical(k), canonical(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return repr([canonical(v) for v in value])
    if isinstance(value, (float, np.floating)):
        return f"{type(value).__name__}:{value!r}"
    return f"{type(value).__name__}:{value!r}"


def main() -> int:
    args = arguments(__doc__).parse_args()

    app, engine = bench_app("agency-old-new-")
    from dash.exceptions import PreventUpdate
    from flask_login import login_user
    from plotly.io.json import to_json_plotly
    from sqlalchemy import delete, select

    from dashboard import loader
    from dashboard.auth.users import authenticate, create_user
    from dashboard.dashboards.agency_pay import data as new_data
    from dashboard.dashboards.agency_pay import page
    from dashboard.dashboards.agency_pay import view as new_view
    from dashboard.dashboards.benchmarking import data as benchmarking_data
    from dashboard.loader import published as published_loader
    from dashboard.store import schema
    from dashboard.store.datasets import bump_version
    from sqlalchemy import update
    from tests.store_fixtures import ADMIN_EMAIL, PASSWORD, sign_in

    old = {name.split(".")[1]: module for name, module in load_old(args.old, {PACKAGE: MODULES}).items()}
    modules = {"old": (old["view"], old["data"]), "new": (new_view, new_data)}
    body = page.rendered.uncached.__wrapped__   # the render body, without its cache or digests
    users = {}
    for role, la in VIEWERS:
        email = f"{role}.{la}@bench.example"
        create_user(engine, email, PASSWORD, la, role)
        users[(role, la)] = authenticate(engine, email, PASSWORD)
    create_user(engine, ADMIN_EMAIL, PASSWORD, CITY, "admin")
    admin = app.server.test_client()
    sign_in(admin, ADMIN_EMAIL)
    t_ms = trivial_cpu_ms(admin)
    secret = app.server.config["SECRET_KEY"]

    def use(which):
        page.pay, page.data = modules[which]

    def answer(which, viewer, values, anonymise) -> str:
        """The render outputs as Dash sends them (JSON), or the failure, built uncached by the old or the new code."""
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            login_user(users[viewer])
            loader.cache.clear()
            use(which)
            try:
                return to_json_plotly(list(body(tuple(values), loader.scope_of(users[viewer]),
                                                anonymise_with=secret if anonymise else None)))
            except PreventUpdate:
                return "PreventUpdate"
            except Exception as error:   # noqa: BLE001 - the same failure from both is the same answer
                return f"{type(error).__name__}: {error}"
            finally:
                use("new")

    def view_answer(which, viewer, values, anonymise) -> str:
        """Every field of the view (`build_view` uncached) for the same values, as `canonical` text."""
        view_module, data_module = modules[which]
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            login_user(users[viewer])
            loader.cache.clear()
            scope = loader.scope_of(users[viewer])
            try:
                filters = view_module.resolve_filters(*values, las=loader.local_authorities(), periods=data_module.periods())
                if filters is None:
                    return "no filters"
                view = view_module.build_view.uncached(filters, scope, anonymise_with=secret if anonymise else None)
            except Exception as error:   # noqa: BLE001
                return f"{type(error).__name__}: {error}"
            return repr([(f.name, canonical(getattr(view, f.name))) for f in dataclasses.fields(view)])

    def choices():
        with app.server.test_request_context("/"):
            las = loader.local_authorities()
            areas = [o["value"] for o in new_view.area_options(las) if not o.get("disabled")]
            periods = [p.date().isoformat() for p in new_data.periods()]
        return areas, periods

    def cases(quick: bool) -> list[tuple]:
        areas, periods = choices()
        jobs = [o["value"] for o in new_view.job_options()]
        if not periods:
            return [(viewer, (None, None, None, None, None), False) for viewer in VIEWERS[:1]]
        out = []
        for viewer in (VIEWERS[:2] if quick else VIEWERS):
            own = viewer[1]
            few = ["london", next(a for a in areas if a.startswith("sr:")), own, CITY if own != CITY else LAMBETH]
            for anonymise in (False, True):
                for area in areas:
                    for job in (jobs if not quick or area in few else jobs[:1]):
                        for by in ("la", "job"):
                            out.append((viewer, (None, None, area, job, by), anonymise))
                ranges = [(periods[-1], periods[-1]), (periods[0], periods[-1]), (periods[0], periods[min(3, len(periods) - 1)]),
                          (periods[-1], periods[max(0, len(periods) - 5)]), (periods[len(periods) // 2], None),
                          ("1999-03-31", "not a date")]
                for area in few:
                    for start, end in ranges:
                        for job in ("all", jobs[-1]):
                            out.append((viewer, (start, end, area, job, "la"), anonymise))
                out.append((viewer, ("nope", None, "nowhere", "no job", "county"), anonymise))
        return out

    failures = compared = 0

    def compare(store: str) -> None:
        nonlocal failures, compared
        for viewer, values, anonymise in cases(args.quick):
            for what, get in (("outputs", answer), ("view", view_answer)):
                a, b = get("old", viewer, values, anonymise), get("new", viewer, values, anonymise)
                compared += 1
                if a != b:
                    failures += 1
                    if failures <= 10:
                        at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                        print(f"DIFFERENT {store} {what} {viewer} {values} anonymised={anonymise}:\n"
                              f"   old: ...{a[max(0, at - 200):at + 120]!r}\n   new: ...{b[max(0, at - 200):at + 120]!r}")
            if compared % 200 == 0:
                print(f"  {store}: {compared} compared, {failures} different", flush=True)
        print(f"{store}: {compared} compared so far, {failures} different", flush=True)

    def change_store(step) -> None:
        with engine.begin() as conn:
            step(conn)
        loader.cache.clear()

    if not args.no_compare:
        compare("full store")

    rows = []
    if not args.no_time:
        viewer = VIEWERS[0]
        areas, periods = choices()
        jobs = [o["value"] for o in new_view.job_options()]
        default = (None, None, "london", "all", "la")
        others = {"area": (2, [a for a in areas if a != "london"][:8]), "job": (3, jobs[1:9]),
                  "start": (0, list(reversed(periods[:-8]))[:8]), "by": (4, ["job"])}
        rows = alternated_cpu_ms(lambda which, chosen: answer(which, viewer, chosen, False), default,
                                 {f"pay-{name}": change for name, change in others.items()}, args.repeat)

    if not args.no_compare:
        a, r, c = new_data.assignment, new_data.returned, new_data.cap
        bv = schema.benchmark_value

        def gaps(conn):
            periods = [row[0] for row in conn.execute(select(r.c.period_end).distinct().order_by(r.c.period_end))]
            last, earlier, thin = periods[-1], periods[-3], periods[-6]
            for la, day in ((LAMBETH, last), (CROYDON, earlier)):
                conn.execute(delete(a).where(a.c.la_code == la, a.c.period_end == day))
                conn.execute(delete(r).where(r.c.la_code == la, r.c.period_end == day))
            conn.execute(delete(a).where(a.c.period_end == thin, a.c.la_code.notin_([LAMBETH, CITY])))
            conn.execute(delete(r).where(r.c.period_end == thin, r.c.la_code.notin_([LAMBETH, CITY])))
            conn.execute(delete(a).where(a.c.la_code == BARNET, a.c.period_end == last, a.c.job_type == "team_manager"))
            conn.execute(delete(c).where(c.c.job_type == "iro_cp_chair",
                                         c.c.effective_from == conn.execute(select(c.c.effective_from).where(
                                             c.c.job_type == "iro_cp_chair").order_by(c.c.effective_from)).scalar()))
            bump_version(conn, new_data.NAME)
            conn.execute(delete(bv).where(bv.c.indicator_code == new_data.AGENCY_RATE, bv.c.la_code == LAMBETH))
            conn.execute(update(bv).where(bv.c.indicator_code == new_data.AGENCY_RATE, bv.c.period_end.in_(periods[-4:-2]))
                         .values(value=None))
            bump_version(conn, benchmarking_data.NAME)
            conn.execute(delete(published_loader.published_value).where(
                published_loader.published_value.c.indicator == new_data.PUBLISHED_AGENCY_RATE))
            bump_version(conn, published_loader.NAME)
        change_store(gaps)
        compare("store with gaps")

        def nothing(conn):
            conn.execute(delete(a))
            conn.execute(delete(r))
            bump_version(conn, new_data.NAME)
        change_store(nothing)
        compare("store without returns")

    print(f"trivial callback (Upload's dataset choice), test client: {t_ms:.2f} ms CPU (T, median of 200)")
    print_timings(rows, t_ms, "render + JSON (uncached, CPU ms, median)")
    if not args.no_compare:
        print(f"compared {compared} outputs (render outputs and views), old ({args.old}) against new: "
              f"{compared - failures} identical, {failures} different")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
