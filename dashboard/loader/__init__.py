"""The cached loader: every read a page makes goes through here.

A cached read is declared once (`cached_read`: the datasets whose versions key it, who may see it) and its key holds
the dataset versions and who may see its result, so a committed upload bumps the version and is visible at once in
every worker (no flush), and no cached result crosses to a caller who may not see it. "Who may see it" is `SHARED`
for what every member sees alike (the regional dataset, published statistics, suppressed summaries), and the
caller's LA where the result depends on it (their own figures unsuppressed, their LA highlighted or named when others
are anonymised). Access is checked before any cache is read. Results are returned as copies, so a caller cannot
change what the cache holds. A page's finished view is cached the same way (`view_cache`).

Here: the cache, AccessScope, the two declarations and the reference data every dashboard reads. Each dashboard's
own reads are declared in its `data.py`.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import dataclasses
import functools
import hashlib
import inspect
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from flask import Flask, current_app, has_request_context, request
from flask_caching import Cache
from sqlalchemy import Engine, event, select

from dashboard import disclosure
from dashboard.config import Settings
from dashboard.resilience import wrap_cache
from dashboard.store import get_engine, schema

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


class NotCached(LookupError):
    """Raised by a cached read or view that is not in the cache while `only_cached` is in force."""


_ONLY_CACHED = contextvars.ContextVar("only_cached", default=False)


@contextlib.contextmanager
def only_cached():
    """Within this block a cached read or view that is not in the cache raises NotCached instead of being computed:
    a page's first paint takes what is ready and leaves the rest to the browser's first call."""
    token = _ONLY_CACHED.set(True)
    try:
        yield
    finally:
        _ONLY_CACHED.reset(token)


def _missing(key: str):
    if _ONLY_CACHED.get():
        raise NotCached(key)


def _checked_arguments(signature: inspect.Signature, check, args: tuple, kwargs: dict):
    """A cached call's arguments bound to its function's names, and its `scope`, once `check(scope)` has let it by."""
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    scope = bound.arguments.get("scope")
    if check is not None:
        check(scope)
    return bound, scope


def _key(name: str, *described) -> str:
    """A cache key: the cached function's name and a digest of the code, the disclosure secret's id (protected
    figures change with the secret) and everything its result depends on."""
    digest = hashlib.sha256(repr((CODE_VERSION, disclosure.secret_id()) + described).encode()).hexdigest()[:32]
    return f"{name}:{digest}"


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
            bound, scope = _checked_arguments(signature, check, args, kwargs)
            others = {k: v for k, v in bound.arguments.items() if k != "scope" and k not in ignore}
            per_caller = bool(others.get("anonymise_with")) or bool(depends_on_caller and depends_on_caller(scope, others))
            versions = dataset_versions(datasets)
            settings = current_app.config.get("LCSD_SETTINGS")
            return _key(name, versions, settings, scope.visibility(per_caller), sorted(others.items())), bound

        @functools.wraps(build)
        def cached(*args, **kwargs):
            key, bound = bound_key(*args, **kwargs)
            view = cache.get(key)
            if view is None:
                _missing(key)
                view = _with_plain_figures(cached.uncached(*bound.args, **bound.kwargs))
                cache.set(key, view)
            return view
        cached.uncached = build
        # The key these arguments would be cached under (access checked first): the view warmer asks whether a view
        # is cached already without reading it.
        cached.cache_key = lambda *args, **kwargs: bound_key(*args, **kwargs)[0]
        return cached
    return decorate


def cached_read(*datasets, check=None, depends_on_caller=None):
    """Declare a cached read once: the decorated function does the query, the wrapper made here caches it.

    The key holds the versions of `datasets` (names, or functions of the call's arguments that give one), the
    app's code digest, every argument but `scope` (by its repr: pass tuples, not sets), and the visibility:
    `SHARED`, or the caller's LA where `depends_on_caller(scope, arguments)` says so. A read that takes no
    `scope` is public (reference and published data) and always `SHARED`. `check(scope)` runs before any cache
    read, so a refused caller never reaches a cached result. A read that declares a keyword-only `version` is
    given the first dataset's version, the one in its key. Results come back as copies, so a caller cannot change
    what the cache holds. A miss is counted by the cache like any other, which is how warming sees what it built."""
    def decorate(read):
        signature = inspect.signature(read)
        takes_version = "version" in signature.parameters
        if takes_version:
            if signature.parameters["version"].kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(f"{read.__qualname__}: `version` must be keyword-only (the wrapper passes it)")
            signature = signature.replace(parameters=[p for p in signature.parameters.values() if p.name != "version"])
        name = f"read:{read.__module__}.{read.__qualname__}"

        def bound_key(*args, **kwargs):
            bound, scope = _checked_arguments(signature, check, args, kwargs)
            others = {k: v for k, v in bound.arguments.items() if k != "scope"}
            per_caller = bool(scope is not None and depends_on_caller and depends_on_caller(scope, others))
            visibility = scope.visibility(per_caller) if scope is not None else SHARED
            versions = dataset_versions(tuple(d(others) if callable(d) else d for d in datasets))
            return _key(name, versions, visibility, sorted(others.items())), bound, versions

        @functools.wraps(read)
        def cached(*args, **kwargs):
            key, bound, versions = bound_key(*args, **kwargs)
            result = cache.get(key)
            if result is None:
                _missing(key)
                extra = {"version": versions[0]} if takes_version else {}
                result = read(*bound.args, **bound.kwargs, **extra)
                cache.set(key, result)
            return copy.deepcopy(result)   # a DataFrame's deepcopy is its .copy(); dicts and lists of them are copied too
        cached.uncached = read
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


class ProcessCache:
    """Results kept in this process's memory, for what costs too much to work out (or to unpickle from the shared
    cache) at every view: one declared per kind of result, `get_or_build(build, part)` gives the kept result or keeps
    what `build()` gives.

    A result is kept under the store, the versions of `datasets`, the disclosure secret's id and `part`, the rest of
    its key: what else it depends on (a read's arguments, the viewer's LA, the filters...), so one caller's result is
    never given to another's key. The store and versions are read on every call (once a request: `_datasets_now`), so a
    new version is seen at once, and everything kept of the old data is dropped then (of no more use). Results under
    several secrets may be kept side by side (the attack harness switches between a few; a service has one), each
    given only under its own. `most`: how many results are kept, the least recently used dropped first (None: every
    result of the latest data); set it where a result is large or its parts many.

    `copy`: how each use gets its result. None gives every caller the one kept result, shared: the cheapest, for large
    results (a viewer's tables, a version's tallies) whose callers only read them; a caller must never change it.
    A function (`copy.deepcopy`, or a cheaper one that copies what callers change) gives each caller its own copy,
    where callers may change what they get (`kept_in_process`'s reads return DataFrames their callers add columns to).
    `by_secret=False` leaves the secret out of the key: only for what no protection has touched (rows as read from the
    store), so that switching secrets does not read them again."""

    def __init__(self, *datasets: str, most: int | None = None, copy=None, by_secret: bool = True):
        if most is not None and most < 1:
            raise ValueError("most: at least 1 (or None)")
        self.datasets, self.most, self.copy, self.by_secret = datasets, most, copy, by_secret
        self._lock = threading.Lock()
        self._data = None                                  # the store and versions of what is kept
        self._results: OrderedDict = OrderedDict()         # (secret id, part) -> result, least recently used first

    def get_or_build(self, build, part=None):
        data = (str(get_engine().url), dataset_versions(self.datasets))
        key = (disclosure.secret_id() if self.by_secret else None, part)
        with self._lock:
            if self._data != data:   # new data: what the old gave is of no more use
                self._data, self._results = data, OrderedDict()
            result = self._results.get(key, _ABSENT)
            if result is not _ABSENT:
                self._results.move_to_end(key)
        if result is _ABSENT:
            result = build()         # outside the lock: other results are given meanwhile
            with self._lock:
                if self._data == data:   # not if newer data was seen while it was built
                    self._results[key] = result
                    self._results.move_to_end(key)
                    while self.most is not None and len(self._results) > self.most:
                        self._results.popitem(last=False)
        return result if self.copy is None else self.copy(result)

    def __len__(self) -> int:
        return len(self._results)

    def clear(self) -> None:
        """Forget everything kept (as a new worker process starts)."""
        with self._lock:
            self._data, self._results = None, OrderedDict()


_ABSENT = object()   # not kept (None may be a result)


def kept_in_process(*datasets: str, check=None, most: int | None = None):
    """Keep a read's result in this process's memory per data version (a `ProcessCache`), for what is worked out from
    the data alone and is the same for every caller who may read it (`SHARED`: e.g. every LA's counts protected by the
    cell-key method), so that a filter change, even with the shared cache emptied, does not work it out again. Not for
    anything a filter chooses. The key's part is the other arguments but `scope`; `most` bounds how many are kept.
    `check(scope)` runs first, on every call. Results come back as copies (the reads give DataFrames and dicts of
    them, which callers change)."""
    def decorate(read):
        signature = inspect.signature(read)
        results = ProcessCache(*datasets, most=most, copy=copy.deepcopy)

        @functools.wraps(read)
        def kept(*args, **kwargs):
            bound, _scope = _checked_arguments(signature, check, args, kwargs)
            arguments = repr(sorted((k, v) for k, v in bound.arguments.items() if k != "scope"))
            return results.get_or_build(lambda: read(*bound.args, **bound.kwargs), arguments)
        kept.not_kept = read   # the read without this process's memory (e.g. the shared cache's)
        return kept
    return decorate


def scope_of(user) -> AccessScope:
    return AccessScope(role=user.role, la_code=user.la_code)


_REQUEST_DATASETS = "lcsd.datasets"   # where a request keeps the dataset table it read (its WSGI environ)


def _dataset_table() -> dict[str, dict]:
    """Every dataset's state ({'version', 'is_demo', 'updated_at'} by name), read in one small query."""
    ds = schema.dataset
    with get_engine().connect() as conn:
        rows = conn.execute(select(ds.c.name, ds.c.version, ds.c.is_demo, ds.c.updated_at)).all()
    return {row.name: {"version": row.version, "is_demo": row.is_demo, "updated_at": row.updated_at} for row in rows}


def _datasets_now() -> dict[str, dict]:
    """The dataset table as this request first read it: a view's cached reads key on 7-21 versions, and one query a
    request gives them all (and gives them all from one moment, so one request never mixes two versions of a
    dataset). The next request reads it again, so a new version is seen at once; a commit in this request (an upload,
    `_forget_datasets`) drops it. Outside a request (warming, commands) it is read fresh on every call."""
    if not has_request_context():
        return _dataset_table()
    engine = get_engine()
    held = request.environ.get(_REQUEST_DATASETS)
    if held is None or held[0] is not engine:
        held = (engine, _dataset_table())
        request.environ[_REQUEST_DATASETS] = held
    return held[1]


@event.listens_for(Engine, "commit")
def _forget_datasets(_conn) -> None:
    """A write committed in a request (a version bumped, or any other) is seen by the request's next read."""
    if has_request_context():
        request.environ.pop(_REQUEST_DATASETS, None)


_NEVER_LOADED = {"version": 0, "is_demo": False, "updated_at": None}


def dataset_version(name: str) -> int:
    """The dataset's version (0 if never loaded): read fresh, once per request (`_datasets_now`)."""
    return _datasets_now().get(name, _NEVER_LOADED)["version"]


def dataset_versions(names: tuple[str, ...]) -> tuple[int, ...]:
    """Each dataset's version (0 for a dataset never loaded), from the one read of the dataset table a request makes
    (`_datasets_now`): a cache hit's key needs them all."""
    table = _datasets_now()
    return tuple(table.get(name, _NEVER_LOADED)["version"] for name in names)


def _read_sql(statement) -> pd.DataFrame:
    with get_engine().connect() as conn:
        # read_sql_query, not read_sql: read_sql first asks the catalog whether the statement is a table name (one
        # more round trip per read on PostgreSQL, half the time of a small read); the result is the same.
        return pd.read_sql_query(statement, conn)


# --- reference data -------------------------------------------------------------------------

@kept_in_process("reference")
@cached_read("reference")
def local_authorities() -> pd.DataFrame:
    """The 33 LAs with DfE code, inner/outer London and sub-region (public reference data)."""
    la, sr = schema.local_authority, schema.subregion
    stmt = (select(la.c.ons_code.label("la_code"), la.c.name.label("la_name"), la.c.dfe_code, la.c.inner_outer,
                   la.c.subregion_code, sr.c.name.label("subregion_name"), sr.c.sort_order.label("subregion_order"))
            .join(sr, la.c.subregion_code == sr.c.code).order_by(la.c.name))
    return _read_sql(stmt)


@cached_read("reference")
def indicator_catalogue() -> pd.DataFrame:
    """The indicator catalogue: code, name, theme, unit, decimal places, polarity, definition, source."""
    return _read_sql(select(schema.indicator).order_by(schema.indicator.c.sort_order))


def indicator(code: str) -> dict:
    catalogue = indicator_catalogue()
    match = catalogue[catalogue["code"] == code]
    if match.empty:
        raise KeyError(f"unknown indicator {code!r}")
    return match.iloc[0].to_dict()


def dataset_info(name: str) -> dict:
    """{'version', 'is_demo', 'updated_at'}; version 0 for a dataset never loaded (`_datasets_now`: once per request)."""
    return dict(_datasets_now().get(name, _NEVER_LOADED))


@cached_read(lambda arguments: arguments["name"])
def returned_las(name: str) -> frozenset:
    """The LAs whose figures in dataset `name` come from their own committed upload, not demo data."""
    u = schema.upload
    frame = _read_sql(select(u.c.la_code).where(u.c.dataset == name, u.c.is_current).distinct())
    return frozenset(frame["la_code"])
