"""Run every benchmark once and print the figures and their ratios: `python -m bench` (or `bench/run`).
`bench/run ingest` instead loads a 1-million-row SSDA903 file (bench/ingest.py); `bench/run upload-bounds` times the
refusal of hostile uploads at 1x, 2x and 4x sizes (bench/upload_bounds.py).

See bench/README.md for what each figure means. Nothing here is part of the test suite's pass or fail.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import server as gserver
from bench.load import enrol_second_step, median, percentile, run_load, sign_in
from bench.pages import benchmark_pages, trivial_change

TARGET_RENDER_MS = 1500
TARGET_P95_MS = 300
BENCH_LA_CODES = ["E09000022", "E09000008", "E09000033", "E09000005", "E09000030", "E09000017", "E09000002",
                  "E09000010", "E09000028", "E09000012"]   # ten LAs: ten access scopes, ten sets of cache keys


def _say(*parts) -> None:
    print(*parts, flush=True)


def _parse(argv):
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="a store the benchmark may fill and change (default: a new SQLite file in a temp folder)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""),
                        help="Redis for the shared cache, e.g. redis://127.0.0.1:6379/14 (default: a filesystem cache)")
    parser.add_argument("--workers", type=int, default=cpus * 2 + 1, help="gunicorn workers (default 2 x cores + 1)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument("--users", default="1,10,50", help="concurrent simulated users per level (default 1,10,50)")
    parser.add_argument("--seconds", type=float, default=15, help="seconds per load level (default 15)")
    parser.add_argument("--think", default="0.5,1.5", help="think time range in seconds between a user's requests")
    parser.add_argument("--pages", default="", help="only these paths, comma-separated (default: every page)")
    parser.add_argument("--fresh", action="store_true", help="empty the store first: cold start then includes the demo data fill")
    parser.add_argument("--skip-browser", action="store_true", help="no browser: no renders, no filter changes, no load test")
    parser.add_argument("--skip-render", action="store_true",
                        help="no first-render timings (cold, warm, after new data lands); the browser still finds each "
                             "page's main filter change, so the floor and load test run")
    parser.add_argument("--skip-sufficiency", action="store_true", help="skip the 10x sufficiency data run")
    parser.add_argument("--sufficiency-factor", type=int, default=10)
    parser.add_argument("--json", help="also write every figure to this JSON file")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "0")),
                        help="the loopback port gunicorn listens on (default: a free one)")
    return parser.parse_args(argv)


def _flush_cache(redis_url: str, cache_dir: str, *, keep_warming_locks: bool = False) -> None:
    """Empty the app's shared cache (only its own keys), so the next render is a cold one. `keep_warming_locks`
    leaves the warming locks, so the app does not warm again at once (as it does when it finds its lock gone): the
    cold round then measures what a member meets in the seconds between a cache restart and the next warming."""
    if redis_url:
        import redis
        client = redis.Redis.from_url(redis_url)
        keys = [key for key in client.scan_iter("lcsd:*", count=1000)
                if not (keep_warming_locks and key.startswith(b"lcsd:warming:"))]
        for i in range(0, len(keys), 500):
            client.delete(*keys[i:i + 500])
    else:  # the files, not the folder: the running workers keep writing into it
        for entry in Path(cache_dir).glob("*"):
            if not (keep_warming_locks and _is_warming_lock(entry)):
                entry.unlink(missing_ok=True)


def _is_warming_lock(path: Path) -> bool:
    """A filesystem cache entry is a 4-byte expiry and a pickle; a warming lock's value is the "host:pid" string."""
    import pickle
    try:
        with path.open("rb") as f:
            f.read(4)
            return isinstance(pickle.load(f), str)
    except Exception:  # noqa: BLE001 - a file being replaced, or not an entry: not a lock
        return False


def _ensure_user(engine, email, password, la_code, role):
    """The benchmark's accounts (emails under bench.invalid): created once, given this run's password."""
    from sqlalchemy import select

    from dashboard.auth import mfa
    from dashboard.auth.users import create_user, set_password
    from dashboard.store import schema
    with engine.connect() as conn:
        exists = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email)).first()
    if exists:
        set_password(engine, email, password, actor="bench")
    else:
        create_user(engine, email, password, la_code, role, name="Benchmark user")
    if mfa.required_for(role):
        enrol_second_step(engine, email)


def _store_is_filled(database_url: str) -> bool:
    from sqlalchemy import create_engine, inspect, select

    from dashboard.store import schema
    engine = create_engine(database_url)
    try:
        if not inspect(engine).has_table("dataset"):
            return False
        with engine.connect() as conn:
            return conn.execute(select(schema.dataset.c.name).where(schema.dataset.c.name == "benchmarking")).first() is not None
    finally:
        engine.dispose()


def _role_for(page: dict) -> str:
    """The least-privileged role that may open the page: a member unless the page says otherwise."""
    allowed = page.get("allowed_roles")
    return "member" if not allowed else allowed[0]


def _fmt(value, digits=0) -> str:
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["ingest"]:   # its own subcommand: the 1-million-row load takes minutes, not part of the default run
        from bench.ingest import main as ingest_main
        return ingest_main(argv[1:])
    if argv[:1] == ["upload-bounds"]:   # hostile files at 1x, 2x, 4x sizes: seconds, no server
        from bench.upload_bounds import main as bounds_main
        return bounds_main(argv[1:])
    args = _parse(argv)
    levels = [int(x) for x in args.users.split(",") if x.strip()]
    think = tuple(float(x) for x in args.think.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="lcsd-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    cache_dir = str(workdir / "cache")
    env = {"DATABASE_URL": database_url, "REDIS_URL": args.redis_url, "CACHE_DIR": cache_dir,
           "SECRET_KEY": secrets.token_hex(32), "LOAD_DEMO_DATA": "true", "LOG_LEVEL": "INFO", "SECURE_COOKIES": "off"}
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "load_average_at_start": os.getloadavg(),
                     "cpus": os.cpu_count(), "python": platform.python_version(), "store": database_url.split("@")[-1],
                     "cache": args.redis_url or "filesystem", "workers": args.workers, "threads": args.threads}
    _say(f"London Children's Services Dashboards benchmark, {results['started']}")
    _say(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start; Python {platform.python_version()}")
    _say(f"store: {database_url.split('://')[0]} ({results['store']}); cache: {results['cache']}; "
         f"gunicorn: {args.workers} workers x {args.threads} threads (gthread), preloaded")
    if os.getloadavg()[0] > 2:
        _say("NOTE: the machine is busy (load average above 2): figures will be slower than on a quiet machine.")

    from sqlalchemy import create_engine

    from dashboard.store import schema
    if args.fresh:
        from dashboard.dashboards import dataset_modules
        dataset_modules()
        scratch = create_engine(database_url)
        schema.metadata.drop_all(scratch)
        scratch.dispose()
    _flush_cache(args.redis_url, cache_dir)
    filled = _store_is_filled(database_url)

    # --- cold start ------------------------------------------------------------------------------------------
    _say("\n== Cold start " + ("(store already filled)" if filled else "(empty store: includes filling it with demo data)"))
    g = gserver.Gunicorn(env, args.workers, args.threads, args.port)
    g.start()
    try:
        first_page = g.wait_for("/login")
        ready = g.wait_for("/readyz")
        results["cold_start"] = {"first_page_s": first_page, "ready_s": ready, "store_was_filled": filled}
        _say(f"process start -> first page served (/login 200): {first_page:.2f} s; -> ready (/readyz 200): {ready:.2f} s")
        return _run(args, levels, think, env, g, results, cache_dir)
    finally:
        exits = g.stop()
        errors = g.errors()
        _summarise_exits(exits, results)
        _print_summary(results)
        if errors:
            _say(f"\n{len(errors)} error line(s) in the app log, first: {json.dumps(errors[0])[:600]}")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2, default=str))
            _say(f"\nfigures written to {args.json}")
        shutil.rmtree(workdir, ignore_errors=True)


def _run(args, levels, think, env, g, results, cache_dir) -> int:
    # The bench's own in-process app: the same store, a private in-memory cache; for the floor and page discovery.
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ["LOG_LEVEL"] = "WARNING"
    import dash

    from dashboard.config import settings_from_env
    from dashboard.store import get_engine
    from dashboard.web import create_app
    settings = settings_from_env()
    app = create_app(settings, cache_config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600}, log=lambda *a: None)
    engine = get_engine()
    from bench import sufficiency as suff10
    suff10.deflate(engine)   # in case an earlier run stopped half-way

    password = secrets.token_urlsafe(18)
    admin_email = "bench-admin@bench.invalid"
    _ensure_user(engine, admin_email, password, BENCH_LA_CODES[0], "admin")
    started = time.perf_counter()
    cookie = sign_in(g.url, admin_email, password)
    import requests
    response = requests.get(g.url + "/", headers={"Cookie": cookie}, timeout=60)
    signed_in_page = time.perf_counter() - started
    results["cold_start"]["first_signed_in_page_s"] = signed_in_page
    _say(f"first signed-in page (sign in + / {response.status_code}): {signed_in_page:.2f} s")

    pages = benchmark_pages(dash.page_registry)
    if args.pages:
        wanted = {p.strip() for p in args.pages.split(",")}
        pages = [p for p in pages if p["path"] in wanted]
    _say("pages found in dash.page_registry: " + ", ".join(p["path"] for p in pages))

    # --- browser ---------------------------------------------------------------------------------------------
    changes = {}
    if not args.skip_browser and not args.skip_render:
        from bench.browser import render_pages
        _say("\n== First full render in headless Chromium (ms from navigation start; cold = shared cache emptied first)")
        _wait_for_warming(g, 0, timeout=180)   # the start's own warming must not run during the cold round
        _flush_cache(args.redis_url, cache_dir, keep_warming_locks=True)
        rounds = render_pages(g.url, admin_email, password, pages)
        results["render"] = []
        _say(f"{'page':<24}{'LCP cold':>10}{'charts cold':>13}{'LCP warm':>10}{'charts warm':>13}{'charts':>8}  "
             f"{'vs 1.5 s':>8}")
        for cold, warm in zip(rounds[0], rounds[1]):
            worst = max(x for x in (cold.drawn_ms, cold.lcp_ms, 0) if x is not None)
            _say(f"{cold.path:<24}{_fmt(cold.lcp_ms):>10}{_fmt(cold.drawn_ms):>13}{_fmt(warm.lcp_ms):>10}"
                 f"{_fmt(warm.drawn_ms):>13}{cold.charts:>8}  {worst / TARGET_RENDER_MS:>7.2f}x"
                 + (f"  {cold.error}" if cold.error else "") + (f"  console errors: {len(cold.console_errors)}" if cold.console_errors else ""))
            results["render"].append({"path": cold.path, "lcp_cold_ms": cold.lcp_ms, "drawn_cold_ms": cold.drawn_ms,
                                      "lcp_warm_ms": warm.lcp_ms, "drawn_warm_ms": warm.drawn_ms, "charts": cold.charts,
                                      "error": cold.error, "console_errors": cold.console_errors[:3]})
        _say("(the page visited first also loads the plotly bundle into the browser's cache)")
        landed = _render_after_data_lands(g, engine, admin_email, password, pages)
        if landed:
            results["render_after_landing"] = landed
    # The load test's accounts (after the renders: on a new store, warming then had only the admin's views to build,
    # as in a run before these accounts existed): per role, as many as the most users, spread over ten LAs.
    users_by_role = {}
    for page in pages:
        role = _role_for(page)
        if role not in users_by_role:
            emails = [f"bench-{role}-{i}@bench.invalid" for i in range(max(levels))]
            for i, email in enumerate(emails):
                _ensure_user(engine, email, password, BENCH_LA_CODES[i % len(BENCH_LA_CODES)], role)
            users_by_role[role] = emails
    if not args.skip_browser:
        from bench.browser import discover_filter_changes
        # Each page's main filter changed in the browser of the account that sends it in the load test.
        dependencies = requests.get(g.url + "/_dash-dependencies", headers={"Cookie": cookie}, timeout=60).json()
        accounts = {page["path"]: (users_by_role[_role_for(page)][0], password) for page in pages}
        found = discover_filter_changes(g.url, accounts, pages, dependencies)
        changes = {path: change for path, (change, _why) in found.items() if change}
        results["filter_discovery_failures"] = _report_filter_discovery(pages, found)
        results["main_filter"] = {path: {"filter": c.filter_id, "seen": c.seen_value, "values": c.values,
                                         "outputs": c.n_outputs, "request": c.request} for path, c in changes.items()}
    if not changes:
        _say("\nNo filter changes found (browser phase skipped or no page has a filter): no load test.")
        return 1 if results.get("filter_discovery_failures") else 0

    # --- floor -----------------------------------------------------------------------------------------------
    from dashboard.auth.users import authenticate
    from bench.floor import measure_floor
    _say("\n== Floor per page (in-process: raw SQL + compute on data in hand + JSON; medians of 5)")
    floors = {}
    for page in pages:
        change = changes.get(page["path"])
        if not change:
            continue
        user = authenticate(engine, users_by_role[_role_for(page)][0], password)
        try:
            floors[page["path"]] = measure_floor(app, change, user)
        except Exception as error:  # noqa: BLE001
            _say(f"{page['path']}: floor not measured ({type(error).__name__}: {str(error)[:200]})")
    _say(f"{'page':<24}{'filter':<22}{'SQL':>8}{'compute':>9}{'JSON':>7}{'floor':>8}{'stmts':>7}{'uncached call':>15}")
    for path, f in floors.items():
        _say(f"{path:<24}{changes[path].filter_id[:21]:<22}{f.sql_ms:>8.1f}{f.compute_ms:>9.1f}{f.json_ms:>7.1f}"
             f"{f.total_ms:>8.1f}{f.statements:>7}{f.uncached_ms:>15.1f}")
    results["floor"] = {p: vars(f) | {"total_ms": f.total_ms} for p, f in floors.items()}

    # --- load ------------------------------------------------------------------------------------------------
    _say(f"\n== Callback latency of each page's main filter change: {args.seconds:.0f} s per level, client-measured on "
         f"loopback; 1 user back-to-back, more users each pausing {think[0]}-{think[1]} s between changes; "
         f"users spread over {min(len(BENCH_LA_CODES), max(levels))} LAs (access scopes)")
    cookies = {}
    for role, emails in users_by_role.items():
        cookies[role] = [sign_in(g.url, email, password) for email in emails]
    _measure_trivial(g, app, cookie, args, results)
    results["load"] = {}
    _say(f"{'page':<24}{'users':>6}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}{'err':>5}{'p50/floor':>11}{'p95/300ms':>11}"
         f"{'KB sent':>9}{'KB JSON':>9}")
    for page in pages:
        change = changes.get(page["path"])
        if not change:
            if page["path"] in results.get("filter_discovery_failures", {}):
                _say(f"{page['path']:<24} ERROR: has filters, but no filter change was found (see above)")
            continue
        payloads = [change.payload(v) for v in change.values]
        role_cookies = cookies[_role_for(page)]
        run_load(g.url, role_cookies[:1], payloads, 1, 0, min_requests=len(payloads))  # one pass: the first scope warm
        json_kb = _answer_kb(g.url, role_cookies[0], payloads)
        results["load"][page["path"]] = {"filter": change.filter_id, "values": len(payloads), "levels": {},
                                         "json_kb_per_change": json_kb}
        for users in levels:
            r = run_load(g.url, role_cookies, payloads, users, args.seconds, think, min_requests=30 if users == 1 else 0)
            floor = floors.get(page["path"])
            p50, p95 = r.pct(50), r.pct(95)
            ratio = f"{p50 / floor.total_ms:.2f}" if floor and floor.total_ms else "-"
            sent_kb = median(r.sizes) / 1024 if r.sizes else float("nan")
            _say(f"{page['path']:<24}{users:>6}{r.n:>7}{p50:>9.1f}{p95:>9.1f}{r.throughput:>8.1f}{r.errors:>5}{ratio:>11}"
                 f"{p95 / TARGET_P95_MS:>11.2f}{_fmt(sent_kb, 1):>9}{_fmt(json_kb, 1):>9}"
                 + (f"  {r.error_samples}" if r.errors else ""))
            results["load"][page["path"]]["levels"][users] = {"n": r.n, "p50_ms": p50, "p95_ms": p95, "rps": r.throughput,
                                                              "errors": r.errors, "sent_kb_median": sent_kb}
    _say("(KB sent: the median answer to a main filter change as it crossed the wire, compressed; KB JSON: the same "
         "answer uncompressed. A view callback sends only the outputs that changed.)")
    _say("(main filter per page: " + "; ".join(f"{p} {c.filter_id} x{len(c.values)} values" for p, c in changes.items()) + ")")

    # --- memory ----------------------------------------------------------------------------------------------
    memory = g.memory()
    workers = [m for m in memory.values() if not m["master"]]
    master = [m for m in memory.values() if m["master"]]
    results["memory_mb"] = {"master": master, "workers": workers}
    if workers:
        _say(f"\n== Memory after the load test: {len(workers)} workers, RSS median {median([w['rss'] for w in workers]):.0f} MB "
             f"(max {max(w['rss'] for w in workers):.0f}), PSS median {median([w['pss'] for w in workers]):.0f} MB "
             f"(shared pages split fairly); master RSS {master[0]['rss']:.0f} MB" if master else "")

    # --- sufficiency at 10x ----------------------------------------------------------------------------------
    if args.skip_sufficiency:
        _say("\n== Sufficiency at 10x data: skipped (--skip-sufficiency)")
    else:
        suff10.run(args, g, app, engine, changes, users_by_role, cookies, password, levels, think, results, _say)
    if results.get("filter_discovery_failures"):
        _say(f"\nERROR: no filter change measured on {', '.join(results['filter_discovery_failures'])} (see above)")
        return 1
    return 0


def _report_filter_discovery(pages: list[dict], found: dict) -> dict:
    """Each dashboard page's main filter as changed in the browser and, loudly, each page with filters that gave no
    filter change: {path: why} (the run then exits with status 1, after measuring the rest)."""
    _say("\n== Main filter per page, changed in the browser of the load test's account (the request it sent is what "
         "the load test sends)")
    failures = {}
    for page in pages:
        if not page.get("dashboard") or page["path"] not in found:
            continue
        change, why = found[page["path"]]
        if change:
            _say(f"{page['path']:<24}{change.filter_id:<22}{str(change.seen_value)[:24]:<25}{len(change.values)} other "
                 f"values; its callback has {change.n_outputs} outputs")
        elif why:
            failures[page["path"]] = why
            _say(f"{page['path']:<24}ERROR: has filters but no filter change was found: {why}")
        else:
            _say(f"{page['path']:<24}no filter this account ({_role_for(page)}) may change")
    return failures


def _measure_trivial(g, app, cookie, args, results) -> None:
    """The trivial callback (Upload's dataset choice: no view, no cache) by one user back-to-back, in this run: the
    framework's own cost per request on this machine, which the page figures are read against."""
    from dashboard.upload import dataset_options
    with app.server.app_context():
        change = trivial_change(app.callback_map, [option["value"] for option in dataset_options()])
    if change is None:
        _say("\nNo trivial callback (Upload's dataset choice) found: figures are printed without their ratios to it.")
        return
    payloads = [change.payload(v) for v in change.values]
    run_load(g.url, [cookie], payloads, 1, 0, min_requests=len(payloads))   # one pass first, as for the pages
    r = run_load(g.url, [cookie], payloads, 1, args.seconds, min_requests=30)
    results["trivial"] = {"p50_ms": r.pct(50), "p95_ms": r.pct(95), "rps": r.throughput, "n": r.n, "errors": r.errors}
    _say(f"\n== Trivial callback (Upload's dataset choice, 1 user back-to-back): p50 {r.pct(50):.1f} ms, p95 "
         f"{r.pct(95):.1f} ms, {r.throughput:.0f} requests a second ({r.n} requests, {r.errors} errors)")


def _answer_kb(base_url: str, cookie: str, payloads: list[bytes]) -> float:
    """The median size of a filter change's answer as JSON (uncompressed), over the filter's values."""
    import requests
    sizes = []
    for body in payloads:
        response = requests.post(base_url + "/_dash-update-component", data=body, timeout=120,
                                 headers={"Cookie": cookie, "Content-Type": "application/json"})
        if response.status_code in (200, 204):
            sizes.append(len(response.content))
    return median(sizes) / 1024 if sizes else float("nan")


def _wait_for_warming(g, since: int, timeout: float) -> dict | None:
    """The app's log line saying a warming finished (event views_warmed), logged after line `since`; None if none
    comes within `timeout` (warming off, or nothing to warm)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        for entry in g.lines[since:]:
            if entry.get("event") == "views_warmed":
                return entry
        time.sleep(0.2)
    return None


def _render_after_data_lands(g, engine, email, password, pages) -> list[dict] | None:
    """New data lands for every dataset at once (each version bumped, as a commit does), the app's warming builds the
    pages' default views, then a member opens every page: the first visit of the week a quarter lands."""
    from sqlalchemy import update

    from dashboard.store import schema
    from bench.browser import render_pages, scroll_latencies
    since = len(g.lines)
    landed_at = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(update(schema.dataset).values(version=schema.dataset.c.version + 1))
    warmed = _wait_for_warming(g, since, timeout=600)
    if warmed is None:
        _say("\nAfter new data lands: no warming reported within 10 minutes (WARM_CHECK_SECONDS=0?): not measured.")
        return None
    waited = time.perf_counter() - landed_at
    _say(f"\n== After new data lands (every dataset's version bumped): the app's warming built {warmed.get('views_built', '?')} "
         f"views ({warmed.get('views_cached', '?')} already cached) in {warmed.get('seconds', float('nan')):.1f} s, "
         f"{waited:.1f} s after the commit; then the first visit of each page (new browser)")
    renders = render_pages(g.url, email, password, pages, repeat=1)[0]
    scrolled = {s.path: s for s in scroll_latencies(g.url, email, password, [p for p in pages if p["path"] in
                                                    {r.path for r in renders if r.charts}])}
    _say(f"{'page':<24}{'LCP':>10}{'charts':>13}{'vs 1.5 s':>10}{'first screen':>14}{'scrolled to':>13}")
    landed = []
    for render in renders:
        if not render.charts:
            continue
        worst = max(x for x in (render.drawn_ms, render.lcp_ms, 0) if x is not None)
        scroll = scrolled.get(render.path)
        scroll_ms = scroll.latency_ms if scroll and scroll.below else None
        first_screen = f"{_fmt(render.first_screen_ms)} ({render.first_screen_charts})"
        _say(f"{render.path:<24}{_fmt(render.lcp_ms):>10}{_fmt(render.drawn_ms):>13}{worst / TARGET_RENDER_MS:>9.2f}x"
             f"{first_screen:>14}{_fmt(scroll_ms):>13}"
             + (f"  {render.error}" if render.error else "") + (f"  {scroll.error}" if scroll and scroll.error else ""))
        landed.append({"path": render.path, "lcp_ms": render.lcp_ms, "drawn_ms": render.drawn_ms,
                       "first_screen_ms": render.first_screen_ms, "first_screen_charts": render.first_screen_charts,
                       "scrolled_to_ms": scroll_ms, "warming_s": warmed.get("seconds"), "waited_s": waited,
                       "error": render.error})
    _say("(first screen: the charts the first screen shows drawn (how many); scrolled to: the page's last chart scrolled "
         "into view as soon as the first screen's charts are drawn, ms until every chart then on the screen is drawn)")
    return landed


def _summarise_exits(exits: list[dict], results: dict) -> None:
    hits = sum(e.get("cache_hits", 0) or 0 for e in exits)
    misses = sum(e.get("cache_misses", 0) or 0 for e in exits)
    if hits + misses:
        rate = hits / (hits + misses)
        results["cache"] = {"hits": hits, "misses": misses, "hit_rate": rate, "workers_reporting": len(exits)}
        _say(f"\n== Cache hit rate across {len(exits)} workers, whole run: {rate:.1%} ({hits:,} hits, {misses:,} misses "
             f"of memoized reads)")


def _print_summary(results: dict) -> None:
    """The ratios, side by side: each against its target, or against the floor, from this one run."""
    _say("\n== Summary (ratios from this run)")
    cold = results.get("cold_start", {})
    if cold:
        _say(f"cold start to first page {cold.get('first_page_s', float('nan')):.1f} s"
             + (" (store already filled)" if cold.get("store_was_filled") else " (includes the demo data fill)"))
    renders = [r for r in results.get("render", []) if r.get("charts")]
    if renders:
        worst = max(renders, key=lambda r: max(r["drawn_cold_ms"] or 0, r["lcp_cold_ms"] or 0))
        within = sum(1 for r in renders if max(r["drawn_cold_ms"] or 1e9, r["lcp_cold_ms"] or 0) <= TARGET_RENDER_MS)
        _say(f"first render (all charts drawn, cold cache) within 1.5 s: {within} of {len(renders)} chart pages; worst "
             f"{worst['path']} {worst['drawn_cold_ms'] or float('nan'):,.0f} ms = {(worst['drawn_cold_ms'] or 0) / TARGET_RENDER_MS:.2f}x the target")
    landed = results.get("render_after_landing") or []
    if landed:
        worst = max(landed, key=lambda r: max(r["drawn_ms"] or 1e9, r["lcp_ms"] or 0))
        within = sum(1 for r in landed if max(r["drawn_ms"] or 1e9, r["lcp_ms"] or 0) <= TARGET_RENDER_MS)
        _say(f"first render after new data lands (views warmed in {landed[0]['warming_s']:.1f} s) within 1.5 s: {within} of "
             f"{len(landed)} chart pages; worst {worst['path']} {worst['drawn_ms'] or float('nan'):,.0f} ms = "
             f"{(worst['drawn_ms'] or 0) / TARGET_RENDER_MS:.2f}x the target")
    for path, load in results.get("load", {}).items():
        levels = load["levels"]
        if not levels:
            continue
        top = max(levels)
        one = levels.get(min(levels))
        floor = results.get("floor", {}).get(path, {}).get("total_ms")
        parts = [f"p95 at {top} users / 300 ms = {levels[top]['p95_ms'] / TARGET_P95_MS:.2f}"]
        if one and one["p50_ms"] == one["p50_ms"]:
            parts.append(f"p95 at {top} / p50 at 1 user = {levels[top]['p95_ms'] / one['p50_ms']:.1f}")
            if floor:
                parts.append(f"p50 (1 user) / floor = {one['p50_ms'] / floor:.2f}")
        _say(f"{path:<24}" + "; ".join(parts))
    cache = results.get("cache")
    if cache:
        _say(f"cache hit rate across workers {cache['hit_rate']:.1%}")
    _print_ratio_table(results)
    suff = results.get("sufficiency_10x", {})
    if suff.get("levels"):
        top = max(suff["levels"])
        _say(f"sufficiency at {suff['episodes']:,} episodes: every worker read it {suff.get('workers_read_s', float('nan')):.1f} s "
             f"after the commit; first change {suff.get('first_ms', float('nan')) / 1000:.1f} s; "
             f"p95 at {top} users / 300 ms = {suff['levels'][top]['p95_ms'] / TARGET_P95_MS:.2f}")


def _times(value, unit) -> str:
    """'320 (33.3x)': a figure in ms and its ratio to `unit` ms."""
    if value is None or value != value:
        return "-"
    return f"{value:,.0f} ({value / unit:.1f}x)" if unit and unit == unit else f"{value:,.0f}"


def _print_ratio_table(results: dict) -> None:
    """Issue 26's table from this run: each figure in ms with its ratio to the trivial callback's p50 (T) or to the
    page's LCP, so the targets read the same on any machine."""
    trivial = (results.get("trivial") or {}).get("p50_ms")
    load, floors = results.get("load", {}), results.get("floor", {})
    landed = {r["path"]: r for r in results.get("render_after_landing") or []}
    cold = {r["path"]: r for r in results.get("render") or []}
    paths = list(dict.fromkeys([*load, *landed, *cold]))
    if not paths:
        return
    _say(f"\n== Per page, each figure in ms with its ratio to the trivial callback T = "
         + (f"{trivial:.1f} ms p50" if trivial else "(not measured)") + " or to the page's LCP")
    _say("targets: floor < 10 T; cached change (1 user p50) < 2 T; p95 at 50 users < 300 ms; all charts drawn <= 2 LCP")
    _say(f"{'page':<22}{'floor':>14}{'1 user p50':>14}{'10 users p95':>15}{'50 users p95':>15}"
         f"{'charts drawn (x LCP)':>22}{'first screen (x LCP)':>22}{'scrolled to':>13}{'LCP':>7}{'KB/change':>11}")
    for path in paths:
        levels = (load.get(path) or {}).get("levels", {})
        level = lambda users, q: (levels.get(users) or {}).get(f"p{q}_ms")  # noqa: E731
        render = landed.get(path) or {}
        drawn, lcp = render.get("drawn_ms"), render.get("lcp_ms")
        charts = f"{drawn:,.0f} ({drawn / lcp:.1f}x)" if drawn and lcp else _fmt(drawn)
        first = render.get("first_screen_ms")
        first_screen = f"{first:,.0f} ({first / lcp:.1f}x)" if first and lcp else _fmt(first)
        _say(f"{path:<22}{_times((floors.get(path) or {}).get('total_ms'), trivial):>14}{_times(level(1, 50), trivial):>14}"
             f"{_times(level(10, 95), trivial):>15}{_times(level(50, 95), trivial):>15}{charts:>22}{first_screen:>22}"
             f"{_fmt(render.get('scrolled_to_ms')):>13}{_fmt(lcp):>7}"
             f"{_fmt((load.get(path) or {}).get('json_kb_per_change'), 1):>11}")
    _say("(charts drawn, first screen (its charts drawn) and LCP: the first visit after new data lands, warmed; scrolled "
         "to: ms from scrolling to the page's foot at once until the charts there are drawn; KB/change: a main filter "
         "change's answer, uncompressed)")
    if trivial:
        _say(f"trivial callback: p50 {trivial:.1f} ms, {results['trivial']['rps']:.0f} requests a second (1 user)")


if __name__ == "__main__":
    sys.exit(main())
