"""The cached loader: every read a page makes goes through here.

Each cached function takes the dataset's version and who may see its result as arguments, so both
are in the cache key: a committed upload bumps the version and is visible at once in every worker
(no flush), and no cached result crosses to a caller who may not see it. "Who may see it" is
`SHARED` for what every member sees alike (the regional dataset, published statistics, suppressed
summaries), and the caller's LA where the result depends on it (their own figures unsuppressed, their
LA highlighted or named when others are anonymised). Access is checked before any cache is read.
Results are returned as copies, so a caller cannot change what the cache holds.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import hashlib
import inspect
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from flask import Flask, current_app
from flask_caching import Cache
from sqlalchemy import select

from dashboard.config import Settings
from dashboard.resilience import wrap_cache
from dashboard.store import get_engine, schema
from dashboard.store.datasets import dataset_state, real_return_las

cache = Cache()


def cache_config(settings: Settings) -> dict:
    if settings.redis_url:
        timeout = settings.redis_timeout_ms / 1000  # a dead Redis is noticed in this time, not the OS's minutes
        return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": settings.redis_url,
                "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout, "CACHE_KEY_PREFIX": "lcsd:",
                "CACHE_OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout}}
    return {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": settings.cache_dir,
            "CACHE_DEFAULT_TIMEOUT": settings.cache_timeout, "CACHE_THRESHOLD": 5000}


def init_cache(server: Flask, settings: Settings, config: dict | None = None) -> None:
    cache.init_app(server, config=config or cache_config(settings))
    wrap_cache(cache, server, settings.cache_retry_seconds)  # the cache failing means slower, never an error


@dataclass(frozen=True)
class AccessScope:
    """What a caller may see: their role and LA. Its key goes into every cache key."""
    role: str
    la_code: str

    @property
    def key(self) -> str:
        return f"{self.role}:{self.la_code}"

    def visibility(self, depends_on_caller: bool) -> str:
        """Who may share a cached result: every member (`SHARED`) unless it depends on the caller's LA."""
        return f"la:{self.la_code}" if depends_on_caller else SHARED


SHARED = "members"   # the visibility of results every signed-in member sees alike


def _code_digest() -> str:
    """A digest of the app's own code (the dashboard package). It is in every view's key, so after a deploy no view
    the old code built and cached (in a Redis that outlived the deploy) is read by the new code."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_digest()


def view_cache(*datasets: str, check=None, depends_on_caller=None, ignore: tuple[str, ...] = ()):
    """Cache a page's finished view (figures, tables and sentences, not only the data) per data version and
    visibility. Building a view costs 50-500 ms of pandas and plotly; everyone who may see the same view shares
    one build, in every worker.

    The decorated builder takes `scope` (an AccessScope) among its arguments. The key holds the versions of
    `datasets`, the app's settings (rates and thresholds some views use), every other argument but those in `ignore`
    (data already covered by the versions), and the visibility: `SHARED`, or the caller's LA where
    `depends_on_caller(scope, arguments)` says so, and always when other LAs are anonymised (the viewer's own LA
    keeps its name). `check(scope)` runs first, so a refused caller never reaches a cached view."""
    def decorate(build):
        signature = inspect.signature(build)
        name = f"view:{build.__module__}.{build.__qualname__}"

        def bound_key(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            scope = bound.arguments["scope"]
            if check is not None:
                check(scope)
            others = {k: v for k, v in bound.arguments.items() if k != "scope" and k not in ignore}
            per_caller = bool(others.get("anonymise_with")) or bool(depends_on_caller and depends_on_caller(scope, others))
            versions = tuple(dataset_version(d) for d in datasets)
            settings = current_app.config.get("LCSD_SETTINGS")
            described = repr((CODE_VERSION, versions, settings, scope.visibility(per_caller), sorted(others.items())))
            return f"{name}:{hashlib.sha256(described.encode()).hexdigest()[:32]}", bound

        @functools.wraps(build)
        def cached(*args, **kwargs):
            key, bound = bound_key(*args, **kwargs)
            view = cache.get(key)
            if view is None:
                view = _with_plain_figures(cached.uncached(*bound.args, **bound.kwargs))
                cache.set(key, view)
            return view
        cached.uncached = build
        # The key these arguments would be cached under (access checked first): the view warmer asks whether a view
        # is cached already without reading it.
        cached.cache_key = lambda *args, **kwargs: bound_key(*args, **kwargs)[0]
        return cached
    return decorate


def _with_plain_figures(view):
    """The view with its plotly figures as plain dicts, cached or not: a cached view then unpickles in well under a
    millisecond, where plotly re-validating every figure took about 25 ms a view (the page draws the same either way)."""
    from plotly.basedatatypes import BaseFigure
    if not dataclasses.is_dataclass(view):
        return view
    plain = copy.copy(view)
    for item in dataclasses.fields(view):
        value = getattr(view, item.name)
        if isinstance(value, BaseFigure):
            object.__setattr__(plain, item.name, value.to_plotly_json())
    return plain


def scope_of(user) -> AccessScope:
    return AccessScope(role=user.role, la_code=user.la_code)


def dataset_version(name: str) -> int:
    """Read fresh on every call (one small query), so a new version is seen at once."""
    return dataset_state(get_engine(), name)["version"]


def _read_sql(statement) -> pd.DataFrame:
    with get_engine().connect() as conn:
        # read_sql_query, not read_sql: read_sql first asks the catalog whether the statement is a table name (one
        # more round trip per read on PostgreSQL, half the time of a small read); the result is the same.
        return pd.read_sql_query(statement, conn)


# --- reference data -------------------------------------------------------------------------

@cache.memoize()
def _local_authorities(version: int) -> pd.DataFrame:
    la, sr = schema.local_authority, schema.subregion
    stmt = (select(la.c.ons_code.label("la_code"), la.c.name.label("la_name"), la.c.dfe_code, la.c.inner_outer,
                   la.c.subregion_code, sr.c.name.label("subregion_name"), sr.c.sort_order.label("subregion_order"))
            .join(sr, la.c.subregion_code == sr.c.code).order_by(la.c.name))
    return _read_sql(stmt)


def local_authorities() -> pd.DataFrame:
    """The 33 LAs with DfE code, inner/outer London and sub-region (public reference data)."""
    return _local_authorities(dataset_version("reference")).copy()


@cache.memoize()
def _indicator_catalogue(version: int) -> pd.DataFrame:
    return _read_sql(select(schema.indicator).order_by(schema.indicator.c.sort_order))


def indicator_catalogue() -> pd.DataFrame:
    """The indicator catalogue: code, name, theme, unit, decimal places, polarity, definition, source."""
    return _indicator_catalogue(dataset_version("reference")).copy()


def indicator(code: str) -> dict:
    catalogue = indicator_catalogue()
    match = catalogue[catalogue["code"] == code]
    if match.empty:
        raise KeyError(f"unknown indicator {code!r}")
    return match.iloc[0].to_dict()


# --- benchmarking ----------------------------------------------------------------------------

@cache.memoize()
def _benchmark_indicator(version: int, visibility: str, indicator_code: str) -> dict:
    bv, cv = schema.benchmark_value, schema.comparator_value
    values = _read_sql(select(bv.c.la_code, bv.c.period_end, bv.c.value)
                       .where(bv.c.indicator_code == indicator_code).order_by(bv.c.period_end, bv.c.la_code))
    england = _read_sql(select(cv.c.period_end, cv.c.value)
                        .where(cv.c.indicator_code == indicator_code, cv.c.area == "England").order_by(cv.c.period_end))
    for frame in (values, england):
        frame["period_end"] = pd.to_datetime(frame["period_end"])
        frame["value"] = frame["value"].astype("float64")  # NULL stays NaN: "no return", never 0
    return {"values": values, "england": england}


def benchmark_indicator(indicator_code: str, scope: AccessScope) -> dict:
    """{'values': la_code, period_end, value; 'england': period_end, value} for one indicator.

    The regional dataset is shared among all members, so every signed-in scope may read it.
    """
    result = _benchmark_indicator(dataset_version("benchmarking"), SHARED, indicator_code)
    return {name: frame.copy() for name, frame in result.items()}


@cache.memoize()
def _benchmark_periods(version: int) -> list:
    bv = schema.benchmark_value
    frame = _read_sql(select(bv.c.period_end).distinct().order_by(bv.c.period_end))
    return list(pd.to_datetime(frame["period_end"]))


def benchmark_periods() -> list[pd.Timestamp]:
    """Quarter ends that have any benchmarking data, oldest first."""
    return list(_benchmark_periods(dataset_version("benchmarking")))


def dataset_info(name: str) -> dict:
    return dataset_state(get_engine(), name)


@cache.memoize()
def _returned_las(name: str, version: int) -> frozenset:
    return frozenset(real_return_las(get_engine(), name))


def returned_las(name: str) -> frozenset:
    """The LAs whose figures in dataset `name` come from their own committed upload, not demo data."""
    return _returned_las(name, dataset_version(name))
