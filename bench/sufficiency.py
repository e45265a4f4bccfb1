"""The Dynamic Sufficiency Tool on ten times the demo child-level data (about 1.5 million episodes).

The demo children and their episodes are copied nine more times under new child ids (the copy's id ends in
"~NN", which no real or demo id contains), in one transaction that bumps the dataset's version, so every worker
and cache sees the bigger data at once. Afterwards the copies are deleted the same way. Skipped, with a message,
when the app has no sufficiency page or tables.
"""
from __future__ import annotations

import time

from sqlalchemy import delete, func, insert, literal, select

PATH = "/sufficiency"


def _tables():
    try:
        from dashboard.dashboards.sufficiency import returns as ds
    except ImportError:
        return None
    if not hasattr(ds, "child") or not hasattr(ds, "episode"):
        return None
    return ds


def counts(engine) -> tuple[int, int]:
    ds = _tables()
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(ds.child)).scalar(),
                conn.execute(select(func.count()).select_from(ds.episode)).scalar())


def inflate(engine, factor: int) -> None:
    from dashboard.store.datasets import bump_version
    from dashboard.store.engine import write_transaction
    ds = _tables()
    with write_transaction(engine, ds.NAME) as conn:
        for k in range(1, factor):
            suffix = f"~{k:02d}"
            for table in (ds.child, ds.episode):
                columns = [c for c in table.c if c.name != "id"]
                source = select(*[(func.substr(c, 1, 13) + literal(suffix)).label("child") if c.name == "child" else c
                                  for c in columns]).where(~table.c.child.contains("~"))
                conn.execute(insert(table).from_select([c.name for c in columns], source))
        bump_version(conn, ds.NAME)


def deflate(engine) -> int:
    """Delete any copies (also those an interrupted run left behind); returns how many episodes went."""
    ds = _tables()
    if ds is None:
        return 0
    from dashboard.store.datasets import bump_version
    from dashboard.store.engine import write_transaction
    try:
        with write_transaction(engine, ds.NAME) as conn:
            removed = conn.execute(delete(ds.episode).where(ds.episode.c.child.contains("~"))).rowcount
            conn.execute(delete(ds.child).where(ds.child.c.child.contains("~")))
            if removed:
                bump_version(conn, ds.NAME)
    except Exception:  # noqa: BLE001 - no sufficiency tables in this store
        return 0
    return removed


def run(args, g, app, engine, changes, users_by_role, cookies, password, levels, think, results, say) -> None:
    from bench.floor import measure_floor
    from bench.load import run_load
    from dashboard.auth.users import authenticate

    factor = args.sufficiency_factor
    say(f"\n== Sufficiency at {factor}x the demo child-level data")
    change = changes.get(PATH)
    if _tables() is None or PATH not in {p for p in changes} | set(_registry_paths()):
        say(f"skipped: this app has no sufficiency page at {PATH} or no sufficiency tables")
        return
    if change is None:
        say(f"skipped: no filter callback was found on {PATH} (browser phase skipped or the page did not render)")
        return
    before = counts(engine)
    since = len(g.lines)
    started = time.perf_counter()
    inflate(engine, factor)
    loaded = time.perf_counter() - started
    after = counts(engine)
    say(f"children {before[0]:,} -> {after[0]:,}; episodes {before[1]:,} -> {after[1]:,} (copied in {loaded:.1f} s)")
    out = {"children": after[0], "episodes": after[1], "levels": {}}
    try:
        role = "commissioner" if "commissioner" in cookies else next(iter(cookies))
        role_cookies = cookies[role]
        payloads = [change.payload(v) for v in change.values]
        read = _wait_for_every_worker_read(g, since, args.workers, started, timeout=600)
        if read:
            say(f"every worker read the grown data itself (warming, each WARM_CHECK_SECONDS): all {args.workers} within "
                f"{read['after_s']:.1f} s of the commit; one read {min(read['seconds']):.1f}-{max(read['seconds']):.1f} s")
            out["workers_read_s"] = read["after_s"]
        else:
            say("the workers did not report reading the grown data within 10 minutes (WARM_CHECK_SECONDS=0?)")
        first = run_load(g.url, role_cookies[:1], payloads[:1], 1, 0, min_requests=1)
        say(f"first filter change after that (a view not cached yet): {first.pct(50) / 1000:.2f} s")
        out["first_ms"] = first.pct(50)
        burst = max(2, args.workers * args.threads)
        started = time.perf_counter()
        warm = run_load(g.url, role_cookies, payloads, burst, 0, None, min_requests=2)
        say(f"every worker warmed ({burst} users x 2 changes at once): {time.perf_counter() - started:.1f} s, "
            f"slowest {max(warm.latencies_ms or [0]) / 1000:.2f} s")
        user = authenticate(engine, users_by_role[role][0], password)
        try:
            floor = measure_floor(app, change, user, repeat=3)
            out["floor"] = vars(floor) | {"total_ms": floor.total_ms}
            say(f"floor: SQL {floor.sql_ms:.1f} + compute {floor.compute_ms:.1f} + JSON {floor.json_ms:.1f} = {floor.total_ms:.1f} ms")
        except Exception as error:  # noqa: BLE001 - the latencies are still worth having
            floor = None
            say(f"floor not measured ({type(error).__name__}: {str(error)[:200]})")
        say(f"{'users':>6}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}{'err':>5}{'p50/floor':>11}{'p95/300ms':>11}")
        for users in levels:
            r = run_load(g.url, role_cookies, payloads, users, args.seconds, think, min_requests=30 if users == 1 else 0)
            p50, p95 = r.pct(50), r.pct(95)
            say(f"{users:>6}{r.n:>7}{p50:>9.1f}{p95:>9.1f}{r.throughput:>8.1f}{r.errors:>5}"
                f"{p50 / floor.total_ms if floor and floor.total_ms else float('nan'):>11.2f}{p95 / 300:>11.2f}"
                + (f"  {r.error_samples}" if r.errors else ""))
            out["levels"][users] = {"n": r.n, "p50_ms": p50, "p95_ms": p95, "rps": r.throughput, "errors": r.errors}
        memory = [m for m in g.memory().values() if not m["master"]]
        if memory:
            say(f"memory per worker at {factor}x: RSS median {sorted(m['rss'] for m in memory)[len(memory) // 2]:.0f} MB, "
                f"max {max(m['rss'] for m in memory):.0f} MB")
            out["worker_rss_mb"] = [m["rss"] for m in memory]
    finally:
        removed = deflate(engine)
        say(f"copies removed ({removed:,} episodes): the store is back to the demo data")
        results["sufficiency_10x"] = out


def _wait_for_every_worker_read(g, since: int, workers: int, started: float, timeout: float) -> dict | None:
    """Each worker logs event process_data_read once it has read the new data into its own memory: wait for all of
    them (log lines after `since`). When the last came (seconds after `started`) and each read's own seconds."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        reads = [e for e in g.lines[since:] if e.get("event") == "process_data_read"]
        if len({e.get("pid") for e in reads}) >= workers:
            return {"after_s": time.perf_counter() - started, "seconds": [e.get("seconds", 0.0) for e in reads]}
        time.sleep(0.2)
    return None


def _registry_paths() -> list[str]:
    import dash
    return [p.get("path") for p in dash.page_registry.values()]
