"""Faults: the store down (at start and mid-request) and back, the cache down, a worker killed during an upload.

The store tests run against the suite's own store (SQLite, or PostgreSQL with TEST_DATABASE_URL): the store is made
unreachable for real (the app's engine pointed at a closed port; gunicorn started before the store exists), then
given back, and the app must recover by itself. The cache tests point the cache at a Redis port nobody listens on.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from dashboard import resilience
from dashboard.store import engine as store_engine
from dashboard.store import get_engine, schema
from tests.dash_requests import callback_request, response_props

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]          # nothing listens once the socket is closed


def _dead_store_url() -> str:
    return f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/nothing?connect_timeout=2"


def _open_page(client, path):
    """Dash's routing callback, as the browser calls it when a page opens: runs the page's layout (and its reads)."""
    return callback_request(client, [("_pages_content", "children"), ("_pages_store", "data")],
                            [("_pages_location", "pathname", path), ("_pages_location", "search", "")])


@pytest.fixture()
def store_state(server):
    state = server.config["LCSD_STORE_STATE"]
    saved = state.retry_seconds
    state.retry_seconds = 0.2          # recover within the test, not after the production default
    yield state
    state.retry_seconds = saved
    state.down_since = None


class _Store:
    """Take the app's store away (its engine pointed at a closed port) and give it back."""

    def __init__(self):
        self.real = store_engine._engine
        self.dead = create_engine(_dead_store_url())

    def take(self):
        store_engine._engine = self.dead

    def give_back(self):
        store_engine._engine = self.real


@pytest.fixture()
def store():
    control = _Store()
    yield control
    control.give_back()               # even if the test failed
    control.dead.dispose()


def test_store_down_mid_session_gives_a_clear_page_then_recovers_by_itself(member_client, store, store_state, caplog):
    assert member_client.get("/benchmarking").status_code == 200
    store.take()
    with caplog.at_level(logging.INFO):
        page = member_client.get("/benchmarking")
        assert page.status_code == 503
        body = page.get_data(as_text=True)
        assert "reach their data" in body and "tries again by itself" in body and "Traceback" not in body
        assert page.headers["Retry-After"] and page.headers["Refresh"]       # the browser retries with no script
        callback = _open_page(member_client, "/benchmarking")
        assert callback.status_code == 503 and callback.get_json()["store"] == "unreachable"
        assert member_client.get("/healthz").status_code == 503
        ready = member_client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["store"] == "unreachable"

        store.give_back()
        time.sleep(store_state.retry_seconds + 0.05)
        assert member_client.get("/benchmarking").status_code == 200      # same session: nobody signs in again
        assert _open_page(member_client, "/benchmarking").status_code == 200
        assert member_client.get("/readyz").get_json() == {"status": "ready", "store": "ok", "cache": "ok"}
    events = [getattr(r, "event", None) for r in caplog.records]
    assert "store_down" in events and "store_back" in events


def test_while_the_store_is_down_requests_are_answered_at_once_not_each_waiting_on_it(member_client, store, store_state):
    store_state.retry_seconds = 60
    store.take()
    checks = []

    def counting_engine():
        checks.append(1)
        return get_engine()
    store_state._engine = counting_engine
    try:
        assert member_client.get("/benchmarking").status_code == 503    # finds the store down
        for _ in range(5):
            assert member_client.get("/benchmarking").status_code == 503
        assert len(checks) <= 1      # at most one check of the store per retry period, not one per request
        store.give_back()
        store_state._last_try = float("-inf")                            # the retry period is over
        assert member_client.get("/benchmarking").status_code == 200
    finally:
        store_state._engine = get_engine


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="pg_terminate_backend needs PostgreSQL (set TEST_DATABASE_URL)")
def test_postgres_killing_every_app_connection_is_survived_without_an_error(member_client):
    assert member_client.get("/benchmarking").status_code == 200
    admin = create_engine(os.environ["TEST_DATABASE_URL"], poolclass=__import__("sqlalchemy.pool", fromlist=["NullPool"]).NullPool)
    with admin.connect() as conn:
        killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    admin.dispose()
    assert killed >= 1
    response = member_client.get("/benchmarking")
    assert response.status_code == 200       # the pool notices the dead connections and opens new ones


def test_a_database_bug_is_a_500_not_a_store_down_page():
    from sqlalchemy.exc import OperationalError, ProgrammingError
    assert not resilience.is_store_outage(ProgrammingError("SELECT x", {}, Exception("relation does not exist")))
    assert not resilience.is_store_outage(OperationalError("SELECT x", {}, Exception("no such table: x")))
    assert resilience.is_store_outage(OperationalError("connect", {}, Exception("connection refused")))
    assert resilience.is_store_busy(OperationalError("INSERT", {}, Exception("database is locked")))


def test_store_down_at_start_then_prepared_when_it_returns():
    """Unit level: the start-up preparation owed while the store was down runs once it answers."""
    from sqlalchemy.exc import OperationalError
    calls, up = [], {"now": False}

    def prepare():
        calls.append(1)
        if not up["now"]:
            raise OperationalError("connect", {}, Exception("connection refused"))
    state = resilience.StoreState(get_engine, prepare=prepare, retry_seconds=0)
    assert state.start() is False and not state.ok and not state.prepared
    assert state.try_recover() is False
    up["now"] = True
    assert state.try_recover() is True and state.ok and state.prepared
    assert len(calls) == 3


def test_a_start_up_bug_is_not_mistaken_for_an_outage():
    def prepare():
        raise ValueError("bad demo data")
    with pytest.raises(ValueError):
        resilience.StoreState(get_engine, prepare=prepare).start()


# --- the whole production stack: gunicorn started while the store is unreachable ---------------------------------

class _Forwarder:
    """A TCP forwarder to the real PostgreSQL that can be switched on (the store 'comes back')."""

    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = _closed_port()
        self.listener = None

    def open(self):
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        if self.listener:
            self.listener.close()


def _get(url, timeout=30):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def _wait_for_status(url, wanted, timeout):
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = _get(url, timeout=10)
            if last[0] == wanted:
                return last
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer {wanted} within {timeout} s (last: {last and last[0]})")


def test_gunicorn_started_with_the_store_down_serves_a_clear_page_and_recovers(database_url, tmp_path, dash_app):
    """Real gunicorn (gunicorn.conf.py, preloaded) started before the store can be reached; then the store appears."""
    from sqlalchemy.engine import make_url
    real = make_url(database_url)
    forwarder = None
    if real.get_backend_name() == "postgresql":
        forwarder = _Forwarder(real.host or "127.0.0.1", real.port or 5432)
        store_url = real.set(host="127.0.0.1", port=forwarder.port).render_as_string(hide_password=False)
        give_back = forwarder.open
    else:
        folder = tmp_path / "not-yet"                       # SQLite cannot open a file in a folder that is missing
        store_url = f"sqlite:///{folder / 'store.sqlite3'}"
        give_back = folder.mkdir
    port = _closed_port()
    env = {**os.environ, "DATABASE_URL": store_url, "SECRET_KEY": "fault-test-secret-key", "LOAD_DEMO_DATA": "false",
           "STORE_RETRY_SECONDS": "1", "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1",
           "GUNICORN_THREADS": "1", "CACHE_DIR": str(tmp_path / "cache"), "REDIS_URL": "", "LOG_FORMAT": "json"}
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "app:server"], cwd=ROOT, env=env,
                                   stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        status, headers, body = _wait_for_status(base + "/login", 503, timeout=90)
        assert "reach their data" in body and headers["Retry-After"]
        status, _headers, body = _get(base + "/readyz")
        assert status == 503
        # Why, in words an administrator can act on, not only "try again in a few seconds" for ever.
        expected = "cannot open the file" if forwarder is None else "is the database server running"
        assert expected in json.loads(body)["problem"]
        assert json.loads(_get(base + "/healthz")[2])["store"] == "unreachable"
        first = next(json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{"))
        assert first.get("event") == "store_down" and expected in first["message"]

        give_back()
        _wait_for_status(base + "/readyz", 200, timeout=60)          # prepared the store itself, no restart
        status, _headers, body = _get(base + "/login")
        assert status == 200 and "Sign in" in body
        lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
        events = {line.get("event") for line in lines}
        assert {"store_down", "store_back"} <= events
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        if forwarder:
            forwarder.close()


# --- the cache ------------------------------------------------------------------------------------------------

def _dead_redis_backend():
    import redis
    from flask_caching.backends import RedisCache
    client = redis.Redis(host="127.0.0.1", port=_closed_port(), db=14, socket_connect_timeout=0.5, socket_timeout=0.5)
    return RedisCache(host=client, key_prefix="lcsd-test-faults:")


def _without_empty(value):
    if isinstance(value, dict):
        cleaned = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v != {}}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def test_cache_down_means_computing_not_failing(member_client, server):
    from dashboard.dashboards.benchmarking import data as bench_data
    from dashboard.loader import cache
    wrapper = server.extensions["cache"][cache]
    assert isinstance(wrapper, resilience.ResilientCache)
    from tests.app.test_benchmarking_page import render   # the page's main callback, as its own tests call it
    with server.app_context():
        periods = [p.date().isoformat() for p in bench_data.benchmark_periods()]
    healthy_page = _open_page(member_client, "/benchmarking")
    healthy = render(member_client, "cla_rate", "E09000022", periods[-8], periods[-1])
    real_backend = wrapper.backend
    wrapper.backend = _dead_redis_backend()
    try:
        down_page = _open_page(member_client, "/benchmarking")
        assert down_page.status_code == healthy_page.status_code == 200
        assert response_props(down_page) == response_props(healthy_page)
        down = render(member_client, "cla_rate", "E09000022", periods[-8], periods[-1])
        # the same figures, computed instead of read from the cache (a cached figure drops empty settings like title: {})
        assert _without_empty(down) == _without_empty(healthy)
        assert wrapper.is_down and wrapper.errors >= 1 and wrapper.skipped >= 1
        ready = member_client.get("/readyz")
        assert ready.status_code == 200 and ready.get_json()["cache"].startswith("unreachable")
    finally:
        wrapper.backend = real_backend
        wrapper.down_until = 0.0


def test_a_dead_redis_is_skipped_after_the_first_failure_then_tried_again(caplog):
    wrapper = resilience.ResilientCache(_dead_redis_backend(), retry_seconds=0.3)
    with caplog.at_level(logging.WARNING):
        assert wrapper.get("k") is None and wrapper.set("k", 1) is False and wrapper.get_many("a", "b") == [None, None]
    assert wrapper.errors == 1 and wrapper.skipped == 2        # one failure, then no more round trips to a dead host
    assert [r.event for r in caplog.records if getattr(r, "event", "").startswith("cache")] == ["cache_down"]
    from flask_caching.backends import SimpleCache
    wrapper.backend = SimpleCache()                             # the cache is back
    time.sleep(0.35)
    with caplog.at_level(logging.WARNING):
        assert wrapper.set("k", 1) and wrapper.get("k") == 1
    assert "cache_back" in [getattr(r, "event", None) for r in caplog.records]


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/14) to use a real Redis")
def test_real_redis_round_trip_through_the_wrapper():
    import redis
    from flask_caching.backends import RedisCache
    prefix = f"lcsd-test-{os.getpid()}:"
    backend = RedisCache(host=redis.Redis.from_url(os.environ["TEST_REDIS_URL"]), key_prefix=prefix)
    wrapper = resilience.ResilientCache(backend)
    try:
        assert wrapper.set("answer", {"x": 42}) and wrapper.get("answer") == {"x": 42}
        assert wrapper.hits == 1 and not wrapper.is_down
    finally:
        backend.delete("answer")


# --- a worker killed during an upload ---------------------------------------------------------------------------

KILLED_UPLOAD = r"""
import sys, time
from dashboard.store import get_engine
from dashboard.ingest import loading
engine = get_engine(sys.argv[1])
data = open(sys.argv[2], "rb").read()
report = loading.validate(engine, "benchmarking", "return.csv", data, "E09000022", "2026-06-30", max_bytes=5 * 2**20)
assert report.ok, report.summary()
real_writer = loading.WRITERS["benchmarking"]

def write_then_stall(conn, upload_id, la_code, period, rows):
    real_writer(conn, upload_id, la_code, period, rows)
    print("WRITTEN", upload_id, flush=True)     # every row is written, the transaction is still open
    time.sleep(600)

loading.WRITERS["benchmarking"] = write_then_stall
loading.commit(engine, report, actor="fault-test")
"""


def _store_snapshot(engine):
    with engine.connect() as conn:
        return {
            "uploads": conn.execute(select(func.count()).select_from(schema.upload)).scalar(),
            "versions": conn.execute(select(func.count()).select_from(schema.upload_content)).scalar(),
            "values": tuple(conn.execute(select(func.count(), func.sum(schema.benchmark_value.c.value))).first()),
            "dataset": tuple(conn.execute(select(schema.dataset.c.version, schema.dataset.c.is_demo)
                                    .where(schema.dataset.c.name == "benchmarking")).first()),
            "audit": conn.execute(select(func.count()).select_from(schema.audit_event)
                                  .where(schema.audit_event.c.event == "upload_committed")).scalar(),
        }


def test_a_worker_killed_mid_upload_leaves_no_half_written_data_and_no_lock(dash_app, database_url, tmp_path):
    engine = get_engine()
    with engine.connect() as conn:
        codes = [row[0] for row in conn.execute(select(schema.indicator.c.code))]
    csv = "la_code,period_end,indicator_code,value,numerator,denominator\n" + "".join(
        f"E09000022,2026-06-30,{code},{10 + i},,\n" for i, code in enumerate(codes))
    (tmp_path / "return.csv").write_text(csv)
    before = _store_snapshot(engine)

    child = subprocess.Popen([sys.executable, "-c", KILLED_UPLOAD, database_url, str(tmp_path / "return.csv")], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = child.stdout.readline()
        assert line.startswith("WRITTEN"), child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)       # the worker dies with its transaction open
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()

    assert _store_snapshot(engine) == before      # no upload row, no version rows, demo data intact, version unchanged

    # ... and no lock left behind: the next writer gets the dataset's write lock at once.
    from dashboard.store.engine import write_transaction
    done = threading.Event()

    def take_lock():
        with write_transaction(engine, "benchmarking"):
            done.set()
    thread = threading.Thread(target=take_lock, daemon=True)
    thread.start()
    thread.join(timeout=20)
    assert done.is_set(), "the killed upload left the dataset locked"
