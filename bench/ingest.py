"""`bench/run ingest`: load a 1-million-episode SSDA903 return (the DfE's Header, Episodes and UASC tables) and show
what the load itself costs.

In one run, on the same file: (1) read + validate alone (what "Check your file" does: decode, parse, every
DfE rule, nothing stored); (2) validate + load (what "Commit" does: the same checks again, then one transaction
that removes the LA's old rows, inserts the new ones and keeps the version). The ratio (2) / (1) is the cost of
storing over checking. The files are real-shaped (samples.ssda903_episodes and ssda903_tables: valid codes, 1-4
episodes a child, the DfE's Header, Episodes, UASC and OC3 tables).
"""
from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

LA, PERIOD = "E09000022", "2025-03-31"


def _parse(argv):
    parser = argparse.ArgumentParser(prog="bench/run ingest", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="episode rows in the file (default 1,000,000)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="a scratch store (default: a new SQLite file in a temp folder); the LA's episodes there are replaced")
    parser.add_argument("--seed", type=int, default=2024)
    return parser.parse_args(argv)


def _say(*parts) -> None:
    print(*parts, flush=True)


def _vacuum(engine) -> str:
    """On PostgreSQL, the rows earlier runs deleted are vacuumed away first, as a server's autovacuum does between two
    uploads: with it off (as on CI's server) every earlier run's deleted copy of each child stays in the child table's
    primary key, and each new child is checked against all of them (the child COPY went from 1.3 to 4.5 s of the
    server's CPU over six runs)."""
    if engine.dialect.name != "postgresql":
        return ""
    from dashboard.ingest.returns import SPECS
    from dashboard.store import schema
    names = [target.table.name for target in SPECS["sufficiency"].targets] + [schema.upload_content.name]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM " + ", ".join(f'"{name}"' for name in names))
    return " (its SSDA903 tables vacuumed first)"


def main(argv=None) -> int:
    args = _parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="lcsd-bench-ingest-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database_url

    from dashboard.ingest import loading, samples
    from sqlalchemy import update

    from dashboard.store import get_engine, schema
    from dashboard.store.setup import init_db

    engine = get_engine(database_url)
    init_db(engine)
    with engine.begin() as conn:   # a store the bench used before: its stored version must not make this one "unchanged"
        conn.execute(update(schema.upload).where(schema.upload.c.dataset == "sufficiency", schema.upload.c.la_code == LA)
                     .values(is_current=False))
    vacuumed = _vacuum(engine)
    _say(f"ingest benchmark: {args.rows:,} SSDA903 episode rows; store {database_url.split('://')[0]}{vacuumed}; "
         f"load average {os.getloadavg()[0]:.2f} at start on {os.cpu_count()} cores")

    started = time.perf_counter()
    frame = samples.ssda903_episodes(int(args.rows / 2.1) + 10, args.seed, PERIOD)   # ~2.2 episodes a child
    # Whole children only (a child cut after an X1 episode would break DfE rule 388): at most 3 rows short.
    frame = frame[frame["CHILD"].isin(frame["CHILD"].iloc[:args.rows].drop_duplicates().iloc[:-1])]
    args.rows = len(frame)
    tables = samples.ssda903_tables(frame, oc3_share=0.08, seed=args.seed)
    files = [(name, samples.as_csv(table)) for name, table in tables.items()]
    children = frame["CHILD"].nunique()
    _say(f"files: {sum(len(data) for _n, data in files) / 2**20:,.0f} MB, {len(frame):,} episodes, {children:,} children, "
         f"{len(tables['uasc.csv']):,} UASC rows, {len(tables['oc3.csv']):,} OC3 rows (made in {time.perf_counter() - started:.1f} s)")
    del frame, tables
    max_bytes = max(len(data) for _n, data in files) + 1

    # (1) read + validate alone.
    started, cpu = time.perf_counter(), time.process_time()
    report = loading.validate_files(engine, "sufficiency", files, LA, PERIOD, max_bytes=max_bytes)
    check_s, check_cpu = time.perf_counter() - started, time.process_time() - cpu
    if not report.ok:
        _say("the file was rejected: " + report.summary(), report.row_errors[:5])
        return 1
    del report
    _say(f"read + validate alone:  {check_s:8.1f} s  ({args.rows / check_s:,.0f} episode rows/s; target 200,000); "
         f"CPU time {check_cpu:.1f} s ({args.rows / check_cpu:,.0f} rows per CPU second: the figure a busy machine "
         "disturbs least)")

    # (2) validate + load, as a commit does (the files are checked again: nothing from the check is trusted).
    started, cpu = time.perf_counter(), time.process_time()
    report = loading.validate_files(engine, "sufficiency", files, LA, PERIOD, max_bytes=max_bytes)
    validated, validated_cpu = time.perf_counter(), time.process_time()
    result = loading.commit(engine, report, "bench")
    done, done_cpu = time.perf_counter(), time.process_time()
    load_s, total_s = done - validated, done - started
    load_cpu, total_cpu = done_cpu - validated_cpu, done_cpu - cpu
    _say(f"validate + load:        {total_s:8.1f} s  (of which the load {load_s:.1f} s: {result.message}); "
         f"this process's CPU time {total_cpu:.1f} s, the load's {load_cpu:.1f} s (the database server's is not counted)")
    _say(f"check + load: {args.rows / total_cpu:,.0f} episode rows per CPU second (target 200,000); the load alone "
         f"{args.rows / load_cpu:,.0f}")
    _say(f"ratio (validate + load) / (read + validate) = {total_s / check_s:.2f} wall, {total_cpu / check_cpu:.2f} CPU; "
         f"the load alone / read + validate = {load_s / check_s:.2f} wall, {load_cpu / check_cpu:.2f} CPU")
    _say(f"peak memory (RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:,.1f} GB; "
         f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0 if result.status == "committed" else 1
