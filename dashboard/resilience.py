"""Surviving the store and the cache going away.

The store (PostgreSQL or SQLite) down, at start or mid-request: a clear "try again shortly" page (HTTP 503 with
`Retry-After` and `Refresh`, JSON for health checks and Dash's callbacks) instead of a stack trace, and the app
recovers by itself: while the store is marked down, at most one request per `STORE_RETRY_SECONDS` in each worker
tries it again (and finishes the start-up preparation if the store was down at start); every other request is
answered at once, so a dead store does not pile up workers waiting on connection timeouts.

The cache (Redis or the filesystem) down: slower, not broken. `ResilientCache` wraps the flask-caching backend;
a failing call counts as a miss and the caller computes the result itself. After a failure the cache is skipped
for `CACHE_RETRY_SECONDS` (a dead Redis costs nothing per request), then tried again. It also counts hits and
misses per worker, which gunicorn's `worker_exit` hook logs (the benchmark adds them up across workers).
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from dashboard.store import get_engine

log = logging.getLogger(__name__)

STORE_DOWN_TITLE = "The dashboards can't reach their data just now"
STORE_DOWN_MESSAGE = ("The data store is not answering. This is usually brief: this page tries again by itself "
                      "every few seconds, and nothing you saved is lost.")
# SQLite reports mistakes in a statement as OperationalError too; those are bugs, not an outage.
_STATEMENT_ERRORS = ("no such table", "no such column", "syntax error", "near \"")
# Busy, not down: SQLite's write lock held past its timeout. Worth a "try again" answer, not marking the store down.
_BUSY_ERRORS = ("database is locked", "database is busy")


# What an administrator must do, by what the driver said: a wrong setting is not fixed by waiting.
_STORE_PROBLEMS = (
    (("does not exist",), "the database named in DATABASE_URL does not exist: create it or correct DATABASE_URL"),
    (("password authentication failed", "authentication failed", "role \"", "no password supplied"),
     "the store refused the user or password in DATABASE_URL"),
    (("could not translate host name", "name or service not known", "nodename nor servname", "name resolution"),
     "DATABASE_URL's host name is not known"),
    (("connection refused",), "nothing answers at DATABASE_URL's host and port: is the database server running?"),
    (("unable to open database file",), "SQLite cannot open the file DATABASE_URL names: does its folder exist, and "
                                        "may the app write to it?"),
    (("timeout", "timed out"), "the store did not answer in time"),
)


def store_problem(error_text: str) -> str:
    """The cause of an outage in words, from the driver's message (which names no password or host)."""
    lowered = error_text.lower()
    for needles, problem in _STORE_PROBLEMS:
        if any(needle in lowered for needle in needles):
            return problem
    return "the store is not answering"


def is_store_busy(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, sa_exc.OperationalError) and any(s in str(error.orig).lower() for s in _BUSY_ERRORS):
            return True
        error = error.__cause__
    return False


def is_store_outage(error: BaseException | None) -> bool:
    """True when `error` (or what caused it, e.g. pandas wrapping SQLAlchemy) means the store cannot be reached."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, sa_exc.DBAPIError):
            if error.connection_invalidated or isinstance(error, sa_exc.InterfaceError):
                return True
            if isinstance(error, sa_exc.OperationalError):
                message = str(error.orig).lower()
                return not any(s in message for s in _STATEMENT_ERRORS + _BUSY_ERRORS)
            return False
        if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection to give within its timeout
            return True
        error = error.__cause__ or error.__context__
    return False


class StoreState:
    """Whether this process may use the store, and the one place that checks it again after an outage."""

    def __init__(self, engine_getter, prepare=None, retry_seconds: float = 5.0):
        self._engine = engine_getter
        self._prepare = prepare              # the start-up preparation, still owed if the store was down at start
        self.retry_seconds = retry_seconds
        self.prepared = prepare is None
        self.down_since: float | None = None
        self.last_error = ""
        self._last_try = float("-inf")
        self._lock = threading.Lock()

    @property
    def ok(self) -> bool:
        return self.prepared and self.down_since is None

    @property
    def problem(self) -> str:
        return store_problem(self.last_error)

    def start(self) -> bool:
        """Run the start-up preparation now; if the store is down, remember to finish it when it returns.

        Any other failure (a bug, a bad setting) is raised: better not to start than to start half-prepared."""
        return self._attempt(force=True, raise_other=True)

    def mark_down(self, error: BaseException, *, checked: bool = True) -> None:
        """`checked`: the failure came from a check, so wait `retry_seconds` before the next one. A failure seen by a
        request (e.g. one connection killed) lets the very next request check again, so a blip costs one 503."""
        self.last_error = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
        if checked:
            self._last_try = time.monotonic()
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.error("store unreachable (%s): answering 503 until it returns", self.problem,
                      extra={"event": "store_down", "error": self.last_error, "problem": self.problem})

    def try_recover(self) -> bool:
        """True if the store answers again (and is prepared). Checks at most once per `retry_seconds`, one thread at a time."""
        return self._attempt(force=False)

    def _attempt(self, force: bool, raise_other: bool = False) -> bool:
        if not force and time.monotonic() - self._last_try < self.retry_seconds:
            return self.ok
        if not self._lock.acquire(blocking=force):
            return self.ok                   # another thread of this worker is checking right now
        try:
            self._last_try = time.monotonic()
            if not self.prepared:
                self._prepare()
                self.prepared = True
            else:
                with self._engine().connect() as conn:
                    conn.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure here means "not yet"
            if is_store_outage(error):
                self.mark_down(error)
            elif raise_other:
                raise
            else:
                log.exception("start-up preparation of the store failed; trying again shortly", extra={"event": "store_prepare_failed"})
                self.last_error = f"{type(error).__name__}"
            return False
        finally:
            self._lock.release()
        if self.down_since is not None:
            log.warning("store answers again", extra={"event": "store_back",
                                                      "outage_seconds": round(time.monotonic() - self.down_since, 1)})
            self.down_since = None
        return True


def store_down_response() -> Response | tuple:
    """HTML for a person opening a page; JSON for health checks and Dash's callbacks."""
    retry = "5"
    if request.path.startswith(("/_dash-", "/healthz", "/readyz")) or request.method != "GET" or request.is_json:
        body = {"status": "error", "store": "unreachable",
                "error": "The data store is not answering; try again in a few seconds."}
        state = current_app.config.get("LCSD_STORE_STATE")
        if state is not None and request.path.startswith(("/healthz", "/readyz")):
            body["problem"] = state.problem   # for whoever runs the service: what to fix, not only "wait"
        response = jsonify(body)
    else:
        manager = getattr(current_app, "login_manager", None)
        if manager is not None and "_login_user" not in g:
            g._login_user = manager.anonymous_user()   # the page template must not ask the store who is signed in
        response = Response(render_template("error.html", title=STORE_DOWN_TITLE, message=STORE_DOWN_MESSAGE,
                                            show_sign_in=False), mimetype="text/html")
        response.headers["Refresh"] = retry   # browsers reload by themselves; no script needed
    response.status_code = 503
    response.headers["Retry-After"] = retry
    return response


def init_store_guard(server: Flask, state: StoreState) -> None:
    """Answer 503 while the store is down, and recover when it is back.

    The gate goes before every other before_request hook (Dash's first-request set-up among them: it builds the
    validation layout from every page's layout once, and must not do that while the store is down).
    """
    server.config["LCSD_STORE_STATE"] = state

    def gate():
        if state.ok or request.path.startswith("/assets/") or state.try_recover():
            return None
        return store_down_response()

    server.before_request_funcs.setdefault(None, []).insert(0, gate)

    def on_database_error(error):
        if is_store_busy(error):
            log.warning("store busy: answered 503", extra={"event": "store_busy"})
            return store_down_response()
        if not is_store_outage(error):
            raise error               # a bug, not an outage: the ordinary 500 page and a logged traceback
        state.mark_down(error, checked=False)
        return store_down_response()

    server.register_error_handler(sa_exc.DBAPIError, on_database_error)
    server.register_error_handler(sa_exc.TimeoutError, on_database_error)
    try:
        from pandas.errors import DatabaseError   # pandas wraps SQLAlchemy's errors in read_sql
        server.register_error_handler(DatabaseError, on_database_error)
    except ImportError:  # pragma: no cover
        pass


# --- the cache ------------------------------------------------------------------------------------------

class ResilientCache:
    """A flask-caching backend wrapper: the backend failing means a miss (compute instead), never an error."""

    _DEFAULTS = {"get": None, "has": False, "set": False, "add": False, "delete": False, "clear": False,
                 "inc": None, "dec": None}

    def __init__(self, backend, retry_seconds: float = 15.0):
        self.backend = backend
        self.retry_seconds = retry_seconds
        self.down_until = 0.0
        self.hits = self.misses = self.errors = self.skipped = 0
        self._lock = threading.Lock()

    def reset_counts(self) -> None:
        self.hits = self.misses = self.errors = self.skipped = 0

    def counts(self) -> dict:
        return {"cache_hits": self.hits, "cache_misses": self.misses, "cache_errors": self.errors,
                "cache_skipped": self.skipped, "cache_down": self.is_down}

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self.down_until

    def _call(self, name: str, default, *args, **kwargs):
        if self.is_down:
            self.skipped += 1
            return default
        try:
            result = getattr(self.backend, name)(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - any backend failure: compute instead
            with self._lock:
                self.errors += 1
                first = self.down_until == 0.0
                self.down_until = time.monotonic() + self.retry_seconds
            log.warning("cache unreachable: computing without it for %ss", self.retry_seconds,
                        extra={"event": "cache_down", "error": f"{type(error).__name__}: {error}"[:300], "first": first})
            return default
        if self.down_until:
            with self._lock:
                if self.down_until:
                    self.down_until = 0.0
                    log.warning("cache answers again", extra={"event": "cache_back"})
        return result

    def get(self, key):
        value = self._call("get", None, key)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def get_many(self, *keys):
        return self._call("get_many", [None] * len(keys), *keys)

    def get_dict(self, *keys):
        return self._call("get_dict", dict.fromkeys(keys), *keys)

    def set_many(self, mapping, timeout=None):
        return self._call("set_many", [], mapping, timeout=timeout)

    def delete_many(self, *keys):
        return self._call("delete_many", [], *keys)

    def __getattr__(self, name):
        if name in self._DEFAULTS:
            default = self._DEFAULTS[name]
            return lambda *args, **kwargs: self._call(name, default, *args, **kwargs)
        return getattr(self.backend, name)


def wrap_cache(cache, server: Flask, retry_seconds: float) -> ResilientCache:
    """Put the wrapper between a flask-caching `Cache` and its backend (after `cache.init_app`)."""
    backend = server.extensions["cache"][cache]
    if isinstance(backend, ResilientCache):
        return backend
    wrapper = ResilientCache(backend, retry_seconds)
    server.extensions["cache"][cache] = wrapper
    return wrapper


def cache_counts(server: Flask | None = None) -> dict:
    """This worker's cache hits and misses so far (for the worker_exit log line and the benchmark)."""
    if server is None:
        from flask import current_app
        server = current_app
    for backend in server.extensions.get("cache", {}).values():
        if isinstance(backend, ResilientCache):
            return backend.counts()
    return {}


def readiness(server: Flask) -> tuple[dict, int]:
    """Ready to serve: the store answers and is prepared. A cache that is down makes the app slower, not unready."""
    state: StoreState | None = server.config.get("LCSD_STORE_STATE")
    report = {"status": "ready", "store": "ok", "cache": "ok"}
    store_ok = (state.ok or state.try_recover()) if state else True
    if store_ok:
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001
            if state is not None and is_store_outage(error):
                state.mark_down(error)
            store_ok = False
    if not store_ok:
        report.update(status="not ready", store="unreachable" if state is None or state.prepared else "not prepared yet")
        if state is not None:
            report["problem"] = state.problem
    for backend in server.extensions.get("cache", {}).values():
        wrapper = backend if isinstance(backend, ResilientCache) else None
        if wrapper is not None and not wrapper.is_down:
            wrapper.set("readyz-probe", 1, timeout=60)
        if wrapper is not None and wrapper.is_down:
            report["cache"] = "unreachable: computing without it"
    return report, (200 if store_ok else 503)
