"""Build each page's default view when new data lands, before a member asks for it.

A page's finished view is cached per data version and visibility (`loader.view_cache`), so the first member to open
a page after an upload pays for every build (80-450 ms each, seconds for a whole page). Here each worker checks the
data versions every WARM_CHECK_SECONDS; when they change, one worker of all (a lock in the shared cache, keyed by the
versions) builds the view every page shows when opened with no query string, for every access scope that can sign
in, through the same cached builders the pages call with the same arguments, so the page's first request is a hit.

Each page's default comes from its declaration (`Dashboard.opening_calls`: its selection with nothing chosen, anonymise
off), as its `layout` and main `render` callback resolve it, so the warmed key is the key the page asks for. The tests open
every page's default view after warming and check that nothing is computed.
"""
from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from flask import Flask, current_app
from sqlalchemy import func, select

from dashboard import loader
from dashboard.auth.roles import primary_role
from dashboard.components.contract import Call
from dashboard.dashboards import declarations
from dashboard.store import get_engine, schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DefaultView:
    page: str
    allows: Callable[[loader.AccessScope], bool]              # the page's own rule: may this scope open it?
    calls: Callable[[loader.AccessScope], list[Call]]          # what opening it with no query string asks for


# --- each page's default view: the calls its declaration says it makes when opened -----------------------------------

DEFAULT_VIEWS = tuple(DefaultView(d.nav_name, d.allows, d.opening_calls) for d in declarations())


# --- warming --------------------------------------------------------------------------------------------------------

@dataclass
class WarmingReport:
    built: list[tuple[str, str, str]] = field(default_factory=list)   # (page, scope key, builder) of each build now
    cached: int = 0                                                # views some worker or member had built already
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (page, scope key, error)
    scopes: int = 0
    seconds: float = 0.0
    stopped: str = ""                                              # why warming stopped early, if it did

    def as_log(self) -> dict:
        return {"views_built": len(self.built), "views_cached": self.cached, "views_failed": len(self.failed),
                "scopes": self.scopes, "seconds": round(self.seconds, 2), **({"stopped": self.stopped} if self.stopped else {})}


def active_scopes() -> list[loader.AccessScope]:
    """The distinct (role, LA) of active accounts: who can sign in. Most accounts first, so most members gain first."""
    u = schema.app_user
    stmt = (select(u.c.role, u.c.la_code, func.count().label("accounts")).where(u.c.is_active)
            .group_by(u.c.role, u.c.la_code).order_by(func.count().desc(), u.c.la_code, u.c.role))
    with get_engine().connect() as conn:
        scopes = [loader.AccessScope(primary_role(row.role), row.la_code) for row in conn.execute(stmt)]
    return list(dict.fromkeys(scopes))   # what an account reads follows its most privileged role


def _cache_backend():
    return current_app.extensions.get("cache", {}).get(loader.cache)


def _cache_is_down() -> bool:
    return bool(getattr(_cache_backend(), "is_down", False))


def _misses() -> int:
    return getattr(_cache_backend(), "misses", 0)


def _run(call: Call) -> bool:
    """Make the call; True if it computed anything (False: it was cached already)."""
    cache_key = getattr(call.builder, "cache_key", None)
    if cache_key is not None:            # a view_cache builder: ask for its key, skip it if the view is there
        if loader.cache.has(cache_key(*call.args, **call.kwargs)):
            return False
        call.builder(*call.args, **call.kwargs)
        return True
    # Cached some other way (a declared cached read behind it): no cache miss at all means nothing was computed. Another
    # thread's miss meanwhile counts it as built, which only overstates the report.
    before = _misses()
    call.builder(*call.args, **call.kwargs)
    return _misses() != before


def warm_default_views(scopes: list[loader.AccessScope], views: tuple[DefaultView, ...] = DEFAULT_VIEWS) -> WarmingReport:
    """Build (through their caches) each page's default view for every scope that may open the page.

    Shared views first: one pass with the first scope each page allows (which builds every view all members share),
    then the other scopes (views that depend on the caller's LA). A scope the page's rule refuses is skipped, never
    refused by the loader (Sufficiency audits a refusal). One view failing is logged and the rest go on."""
    report = WarmingReport(scopes=len(scopes))
    started = time.perf_counter()
    firsts = [(view, next((s for s in scopes if view.allows(s)), None)) for view in views]
    passes = [(view, first) for view, first in firsts if first is not None]
    passes += [(view, scope) for view, first in firsts for scope in scopes if scope != first and view.allows(scope)]
    for view, scope in passes:
        if _cache_is_down():             # nowhere to keep what would be built: try again when the cache is back
            report.stopped = "cache unreachable"
            break
        try:
            for call in view.calls(scope):
                if _run(call):
                    report.built.append((view.page, scope.key, call.builder.__name__))
                else:
                    report.cached += 1
        except Exception as error:  # noqa: BLE001 - one page failing must not stop the others
            report.failed.append((view.page, scope.key, f"{type(error).__name__}: {error}"[:300]))
            log.warning("warming %s for %s failed", view.page, scope.key, exc_info=True, extra={
                "event": "view_warming_failed", "page": view.page, "scope": scope.key,
                "error": f"{type(error).__name__}: {error}"[:300]})
    report.seconds = time.perf_counter() - started
    return report


# --- when: a small thread per worker --------------------------------------------------------------------------------

def data_versions() -> tuple[tuple[str, int], ...]:
    """Every dataset's version, in one small query."""
    d = schema.dataset
    with get_engine().connect() as conn:
        return tuple((row.name, row.version) for row in conn.execute(select(d.c.name, d.c.version).order_by(d.c.name)))


def lock_key(versions, settings) -> str:
    """Per code, set of versions and settings: all three are in every view's key, so a deploy of new code or new
    settings on the same data warms again."""
    return "warming:" + hashlib.sha256(repr((loader.CODE_VERSION, versions, settings)).encode()).hexdigest()[:32]


class ViewWarmer:
    """Warms the default views each time the data versions change; one worker of all per set of versions."""

    def __init__(self, server: Flask, scopes: Callable[[], list[loader.AccessScope]] = active_scopes,
                 views: tuple[DefaultView, ...] = DEFAULT_VIEWS):
        self.server = server
        self.scopes = scopes
        self.views = views
        self.prepared: tuple | None = None   # the versions this process last read its per-process data for
        self._trouble = ""                   # what stopped the last tick, logged once until it clears

    def tick(self) -> WarmingReport | None:
        """Check the versions once; warm if they changed and no other worker has taken them. The report, or None."""
        with self.server.app_context():
            try:
                versions = data_versions()
            except Exception as error:  # noqa: BLE001 - the store down: try again next tick
                self._troubled("store unreachable", error)
                return None
            settings = current_app.config["LCSD_SETTINGS"]
            if versions != self.prepared:
                self._prepare_this_process(versions)
            key = lock_key(versions, settings)
            # The lock is held while these versions are warmed, then lapses with the last view warmed (CACHE_TIMEOUT).
            # So a lock in the cache means its views are there or being built; a lock gone means new versions, views
            # past their lifetime, or a cache emptied or restarted (Redis here keeps nothing on disk): warm them.
            if loader.cache.has(key):
                return None
            owner = f"{os.uname().nodename}:{os.getpid()}"
            if not loader.cache.add(key, owner, timeout=settings.cache_timeout):
                if _cache_is_down():
                    self._troubled("cache unreachable", None)
                return None     # or another worker took these versions between the two calls
            try:
                report = warm_default_views(self.scopes(), self.views)
            except Exception as error:  # noqa: BLE001 - e.g. the store went down between the two queries
                loader.cache.delete(key)     # let any worker try these versions again
                self._troubled("warming failed", error)
                return None
            if report.stopped:
                loader.cache.delete(key)
                self._troubled(report.stopped, None)
                return report
            loader.cache.set(key, owner, timeout=settings.cache_timeout)   # from now: the lock outlives no view
            self._trouble = ""
            log.info("warmed %s views (%s already cached) in %.1fs", len(report.built), report.cached, report.seconds,
                     extra={"event": "views_warmed", "versions": dict(versions), **report.as_log()})
            return report

    def _prepare_this_process(self, versions: tuple) -> None:
        """Every worker, not only the one that warms: the shared views are in the shared cache, but what a loader
        keeps in this process's memory (Sufficiency's child-level rows) each worker must read for itself."""
        started = time.perf_counter()
        try:
            for dashboard in declarations():
                if dashboard.prepare_process:
                    dashboard.prepare_process()
        except Exception as error:  # noqa: BLE001 - e.g. the store went down: the first request reads it instead
            self._troubled("reading this process's data failed", error)
            return
        self.prepared = versions
        hand_back_freed_memory()   # reading the rows freed about as much as it kept (Sufficiency: 166 MB RSS, 110 after)
        seconds = time.perf_counter() - started
        log.info("read this process's data in %.1fs", seconds, extra={"event": "process_data_read", "seconds": round(seconds, 2)})

    def _troubled(self, what: str, error: BaseException | None) -> None:
        if what != self._trouble:
            log.warning("view warming skipped: %s; trying again next check", what, extra={
                "event": "view_warming_skipped", "reason": what,
                **({"error": f"{type(error).__name__}: {error}"[:300]} if error is not None else {})})
        self._trouble = what


def hand_back_freed_memory() -> None:
    """Return the heap this process has freed to the system (glibc keeps it otherwise, and the process's RSS with it):
    after a one-off read much larger than what it keeps, and in the preloaded master before it forks the workers."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):   # not glibc: nothing to hand back this way
        pass


def start_view_warming(server: Flask) -> threading.Thread | None:
    """Start this process's warming thread (a daemon: it never holds up shutting down). None when WARM_CHECK_SECONDS
    is 0. Called per gunicorn worker (post_worker_init) and by the development server, never by create_app, so the
    tests' app does not warm behind their backs."""
    seconds = server.config["LCSD_SETTINGS"].warm_check_seconds
    if seconds <= 0:
        return None
    warmer = ViewWarmer(server)

    def run():
        while True:
            try:
                warmer.tick()
            except Exception:  # noqa: BLE001 - never die: the next check may succeed
                log.exception("view warming check failed", extra={"event": "view_warming_error"})
            time.sleep(seconds)

    thread = threading.Thread(target=run, name="view-warming", daemon=True)
    thread.start()
    return thread
