"""SEND's render outputs: the code at a git ref (old) against the working tree (new), in one process: every output
compared, and the uncached render timed old and new alternated, against the trivial callback (issue 26).

    .venv/bin/python -m bench.send_old_new [--old main] [--repeat 5] [--quick] [--no-compare] [--no-time]

The app as `bench.floor.bench_app` builds it (SQLite with the demo data, seed 7, and ../shared's published files; an
in-process SimpleCache). The old code is the package's metrics, figures, data and view modules as they are at `--old`,
loaded beside the new under other module names (its tables on a metadata of their own, the same store), and the page's
`select` and render body (`page.rendered` without its cache) taken from the old page.py. Old and new are each given
the same filter values as the browser sends them and build with the shared cache emptied first; their answers are
compared as the JSON Dash sends (plotly's encoder), byte for byte: any difference is printed and the run exits 1.

Compared, for several viewers (LA and role), each with LA names shown and anonymised:
- every focus LA with placements by LA and by sub-region (the default measure and year);
- every measure in every year at the viewer's LA, and every year by sub-region;
- every year at two other focus LAs; unknown and missing filter values;
then the same on a store with a year of SEND figures removed, one with no inspections, and one with no SEND figures
at all (the answer is then "no update" from both).

Timing: each filter a member changes (focus, measure, year, by) sent up to 8 other values, old and new alternated,
CPU time of the uncached render (the shared cache emptied, per-process memory kept, as `bench.floor`), median; the
trivial callback (Upload's dataset choice) through the test client, median of 200 (T).
"""
from __future__ import annotations

import ast
import copy
import json
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.old_code import alternated_cpu_ms, arguments, load_old, old_source, print_timings  # noqa: E402

from bench.floor import bench_app, trivial_cpu_ms  # noqa: E402
from bench.sufficiency_old_new import first_difference  # noqa: E402

MODULES = ("metrics", "figures", "data", "view")
PAGE_NAMES = ("NOT_PUBLISHED", "select", "_columns", "_demo_note", "rendered")
VIEWERS = [("member", "E09000022"), ("admin", "E09000001"), ("commissioner", "E09000030"), ("member", "E09000033")]


def old_render(ref: str, old: dict, new_page) -> types.FunctionType:
    """The render body of page.py at `ref` (its `select` and `rendered`, undecorated) over the old modules."""
    tree = ast.parse(old_source(ref, "send", "page"))
    keep = []
    for node in tree.body:
        names = ([node.name] if isinstance(node, ast.FunctionDef) else
                 [t.id for t in node.targets if isinstance(t, ast.Name)] if isinstance(node, ast.Assign) else [])
        if any(n in PAGE_NAMES for n in names):
            if isinstance(node, ast.FunctionDef):
                node.decorator_list = []
            keep.append(node)
    namespace = dict(vars(new_page))
    namespace.update(send_page=old["view"], send_loader=old["data"])
    exec(compile(ast.Module(body=keep, type_ignores=[]), "old_send/page.py", "exec"), namespace)
    dashboard = copy.copy(new_page.DASHBOARD)
    object.__setattr__(dashboard, "select", namespace["select"])
    namespace["DASHBOARD"] = dashboard
    return namespace["rendered"]


def main() -> int:
    args = arguments(__doc__).parse_args()

    app, engine = bench_app("send-old-new-")
    from dash.exceptions import PreventUpdate
    from flask_login import login_user
    from plotly.io.json import to_json_plotly
    from sqlalchemy import delete, func, select

    from dashboard import loader
    from dashboard.auth.users import authenticate, create_user
    from dashboard.dashboards.send import data as new_data
    from dashboard.dashboards.send import page as new_page
    from dashboard.store.datasets import bump_version
    from tests.store_fixtures import ADMIN_EMAIL, PASSWORD, sign_in

    old = {name.split('.')[1]: module for name, module in load_old(args.old, {"send": MODULES}).items()}
    renders = {"old": old_render(args.old, old, new_page), "new": new_page.rendered.uncached.__wrapped__}
    users = {}
    for role, la in VIEWERS:
        email = f"{role}.{la}@bench.example"
        create_user(engine, email, PASSWORD, la, role)
        users[(role, la)] = authenticate(engine, email, PASSWORD)
    create_user(engine, ADMIN_EMAIL, PASSWORD, "E09000001", "admin")
    admin = app.server.test_client()
    sign_in(admin, ADMIN_EMAIL)
    t_ms = trivial_cpu_ms(admin)
    secret = app.server.config["SECRET_KEY"]

    def answer(which, viewer, values, anonymise):
        """What the render body gives (as the JSON Dash sends), or the exception it raised, built uncached."""
        with app.server.test_request_context("/_dash-update-component", method="POST"):
            login_user(users[viewer])
            loader.cache.clear()
            try:
                outputs = renders[which](tuple(values), loader.scope_of(users[viewer]),
                                         anonymise_with=secret if anonymise else None)
            except PreventUpdate:
                return "PreventUpdate"
            except Exception as error:   # noqa: BLE001 - the same failure from both is the same answer
                return f"{type(error).__name__}: {error}"
            return to_json_plotly(list(outputs))

    def held(with_data=True):
        with app.server.test_request_context("/"):
            values = new_data.send_held(loader.AccessScope("member", "E09000022"))
        return sorted(set(values["year"].tolist()))

    las = None
    with app.server.test_request_context("/"):
        las = loader.local_authorities()["la_code"].tolist()
    measures = list(new_page.send_page.metrics.TREND_INDICATORS)

    def cases(quick: bool):
        years = [str(y) for y in held()]
        out = []
        viewers = VIEWERS[:2] if quick else VIEWERS
        for viewer in viewers:
            for anonymise in (False, True):
                own = viewer[1]
                step = 4 if quick else 1
                for focus in las[::step]:
                    for by in ("la", "subregion"):
                        out.append((viewer, (focus, None, None, by), anonymise))
                for measure in measures:
                    for year in years[::(3 if quick else 1)] + [None]:
                        out.append((viewer, (own, measure, year, "la"), anonymise))
                for year in years:
                    out.append((viewer, (own, None, year, "subregion"), anonymise))
                    for focus in ("E09000001", "E09000012"):
                        out.append((viewer, (focus, "plans_in_force", year, "la"), anonymise))
                out += [(viewer, (None, None, None, None), anonymise),
                        (viewer, ("E09999999", "no such measure", "1900", "county"), anonymise)]
        return out

    failures = compared = 0

    def compare(store: str) -> None:
        nonlocal failures, compared
        for viewer, values, anonymise in cases(args.quick):
            a, b = answer("old", viewer, values, anonymise), answer("new", viewer, values, anonymise)
            compared += 1
            if a != b:
                failures += 1
                if failures <= 10:
                    try:
                        difference = first_difference(json.loads(a), json.loads(b))
                    except (TypeError, ValueError):
                        difference = f"{a[:200]} != {b[:200]}"
                    print(f"DIFFERENT {store} {viewer} {values} anonymised={anonymise}: {difference}")
        print(f"{store}: {compared} answers compared so far, {failures} different", flush=True)

    if not args.no_compare:
        compare("full store")

    rows = []
    if not args.no_time:
        viewer = VIEWERS[0]
        years = [str(y) for y in held()]
        default = ("E09000022", "timely_20wk_pct", years[-1], "la")
        others = {"send-focus": (0, [la for la in las if la != default[0]][:8]),
                  "send-measure": (1, [m for m in measures if m != default[1]][:8]),
                  "send-year": (2, [y for y in reversed(years) if y != default[2]][:8]), "send-by": (3, ["subregion"])}
        rows = alternated_cpu_ms(lambda which, chosen: answer(which, viewer, chosen, False), default, others, args.repeat)

    if not args.no_compare:
        with engine.begin() as conn:   # a store missing a year: the latest year of plans in force
            year = conn.execute(select(func.max(new_data.send_value.c.year))
                                .where(new_data.send_value.c.measure == "plans_in_force")).scalar()
            conn.execute(delete(new_data.send_value).where(new_data.send_value.c.year == year))
            bump_version(conn, "send")
        compare(f"store without {year}")
        with engine.begin() as conn:
            conn.execute(delete(new_data.send_inspection))
            bump_version(conn, "send")
        compare(f"store without {year} or inspections")
        with engine.begin() as conn:
            conn.execute(delete(new_data.send_value))
            bump_version(conn, "send")
        compare("store without SEND figures")

    print(f"trivial callback (Upload's dataset choice), test client: {t_ms:.2f} ms CPU (T, median of 200)")
    print_timings(rows, t_ms)
    if not args.no_compare:
        print(f"{compared} answers compared, {failures} different")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
