"""The floor: the least any implementation must spend on a filter change, measured in the bench's own process.

For a page's main filter change the floor is the sum of
- raw SQL: the statements the callback runs when nothing is cached (captured from SQLAlchemy), run again straight
  through the database driver and fetched into DataFrames;
- compute: the callback's own Python work (pandas, figures, components) with the data already in hand, i.e. the
  uncached callback's time less the time it spent reading the store;
- JSON: encoding the callback's result with plotly's encoder (what Dash sends).
No HTTP, no Flask, no Dash dispatch, no sign-in check, no cache. Memory-only caches a loader keeps per process
(e.g. child-level rows prepared once per data version) stay warm, as they are in a worker after its first request.
Each part is the median of `repeat` runs.
"""
from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import event


_TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)
_CATALOG = re.compile(r"pg_catalog|sqlite_master|sqlite_temp_master|information_schema", re.IGNORECASE)


@dataclass
class Floor:
    sql_ms: float
    compute_ms: float
    json_ms: float
    statements: int
    uncached_ms: float
    note: str = ""

    @property
    def total_ms(self) -> float:
        return self.sql_ms + self.compute_ms + self.json_ms


class _StoreTimer:
    """Time spent reading the store during a call, and the statements it ran."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[tuple[str, object, bool]] = []
        self.db_seconds = 0.0
        self._depth = 0
        self._started: dict = {}

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        self._real = {name: getattr(pd, name) for name in ("read_sql", "read_sql_query")}
        timer = self

        def timed(real):
            def timed_read(*args, **kwargs):
                timer._depth += 1
                started = time.perf_counter()
                try:
                    return real(*args, **kwargs)
                finally:
                    timer._depth -= 1
                    if timer._depth == 0:
                        timer.db_seconds += time.perf_counter() - started
            return timed_read

        for name, real in self._real.items():
            setattr(pd, name, timed(real))
        return self

    def __exit__(self, *exc):
        for name, real in self._real.items():
            setattr(pd, name, real)
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        # Transaction control and pandas' catalog look-ups (read_sql asks whether a table exists) are not the query.
        if not _TRANSACTION_CONTROL.match(statement) and not _CATALOG.search(statement):
            self.statements.append((statement, parameters, self._depth > 0))
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        started = self._started.pop(id(cursor), None)
        if started is not None and self._depth == 0:  # inside read_sql the whole read is already timed
            self.db_seconds += time.perf_counter() - started


def _raw_sql_seconds(engine, statements) -> float:
    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        for statement, parameters, as_frame in statements:
            cursor = raw.cursor()
            cursor.execute(statement, parameters)
            rows = cursor.fetchall() if cursor.description else []
            if as_frame and cursor.description:
                pd.DataFrame.from_records(rows, columns=[d[0] for d in cursor.description])
            cursor.close()
        elapsed = time.perf_counter() - started
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def _callback_runner(app, change, value):
    """A function running the page's callback body for one filter value, as Dash would call it."""
    import dash._callback_context as dash_context
    from dash._utils import AttributeDict
    from dash._validate import validate_and_group_input_args

    spec = app.callback_map[change.callback_output]
    func = spec["callback"].__wrapped__
    # A page's view callback (components.first_paint): its own function, without the store of what the browser holds.
    view_function = getattr(func, "view_function", None)
    inputs = [dict(item, value=value) if isinstance(item, dict) and item.get("id") == change.filter_id else item
              for item in change.request.get("inputs", [])]
    states = change.request.get("state", [])
    flat = [item.get("value") if isinstance(item, dict) else [x.get("value") for x in item] for item in inputs + states]
    args, kwargs = validate_and_group_input_args(flat, spec["inputs_state_indices"])
    context = AttributeDict({"updated_props": {}, "inputs_list": inputs, "states_list": states,
                             "triggered_inputs": [{"prop_id": f"{change.filter_id}.value", "value": value}],
                             "outputs_list": change.request.get("outputs")})

    def run():
        dash_context.context_value.set(context)
        if view_function is not None:
            return view_function(*args[:-1], **kwargs)
        return func(*args, **kwargs)
    return run


def measure_floor(app, change, user, repeat: int = 5) -> Floor:
    from flask_login import login_user
    from plotly.io.json import to_json_plotly

    from dashboard.loader import cache
    from dashboard.store import get_engine

    engine = get_engine()
    value = change.values[0]
    server = app.server

    def in_a_request(call):
        """`call` in a request of its own, as a worker runs each callback (the loader reads the data versions once a
        request: each run pays that read, as a request does)."""
        with server.test_request_context("/_dash-update-component", method="POST"):
            login_user(user)
            return call()

    run = _callback_runner(app, change, value)
    result = in_a_request(run)              # warms the per-process memory caches, as a worker's first request does
    sql, compute, encode, uncached, statements = [], [], [], [], 0
    for _ in range(repeat):
        cache.clear()
        with _StoreTimer(engine) as timer:
            started = time.perf_counter()
            result = in_a_request(run)
            total = time.perf_counter() - started
        uncached.append(total)
        compute.append(max(0.0, total - timer.db_seconds))
        statements = len(timer.statements)
        sql.append(_raw_sql_seconds(engine, timer.statements))
        started = time.perf_counter()
        to_json_plotly(list(result) if isinstance(result, tuple) else result)
        encode.append(time.perf_counter() - started)
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    return Floor(ms(sql), ms(compute), ms(encode), statements, ms(uncached))


def bench_app(prefix: str):
    """The app as `bench.view_floors` builds it (`bench.in_process.build_app`), for in-process benches that time or
    compare views: (app, engine)."""
    from bench.in_process import build_app
    from dashboard.store import get_engine

    return build_app(prefix=prefix), get_engine()


def trivial_cpu_ms(client, runs: int = 200) -> float:
    """T: the trivial callback (Upload's dataset choice, no data read) through a signed-in administrator's test client,
    median CPU ms of `runs` (`bench.in_process.trivial_ms`)."""
    from bench.in_process import trivial_ms

    return trivial_ms(client, runs)[1]
