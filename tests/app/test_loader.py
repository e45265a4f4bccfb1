"""The cached loader: cache hits, invalidation by dataset version, scope in the key, copies out."""
import dataclasses
import os
import uuid
from unittest import mock

import pytest

import pandas as pd
from sqlalchemy import event, update

from dashboard import loader
from dashboard.dashboards.benchmarking import data as bench_data
from dashboard.store import get_engine, schema
from dashboard.store.datasets import bump_version

SCOPE = loader.AccessScope(role="member", la_code="E09000022")


def test_reference_data_has_33_las_in_four_subregions(server):
    with server.app_context():
        las = loader.local_authorities()
    assert len(las) == 33
    assert set(las["la_code"]) == {f"E090000{n:02d}" for n in range(1, 34)}
    assert las.groupby("subregion_name").size().to_dict() == {
        "East London": 8, "North London": 5, "South London": 12, "West London": 8}
    assert las.set_index("la_name").loc["Lambeth", "dfe_code"] == "208"


def test_catalogue_has_at_least_18_indicators_with_valid_polarity(server):
    with server.app_context():
        catalogue = loader.indicator_catalogue()
    assert len(catalogue) >= 18
    assert set(catalogue["polarity"]) <= {"higher", "lower", "neither"}
    assert catalogue["definition"].str.len().min() > 20


def test_second_read_is_a_cache_hit(server):
    with server.app_context():
        loader.cache.clear()
        with mock.patch.object(bench_data, "_read_sql", wraps=bench_data._read_sql) as reads:
            first = bench_data.benchmark_indicator("cla_rate", SCOPE)
            n_after_first = reads.call_count
            second = bench_data.benchmark_indicator("cla_rate", SCOPE)
            assert reads.call_count == n_after_first  # no SQL the second time
    pd.testing.assert_frame_equal(first["values"], second["values"])


def test_a_new_dataset_version_is_read_at_once(server):
    engine = get_engine()
    with server.app_context():
        before = bench_data.benchmark_indicator("cla_rate", SCOPE)["values"]
        row = before.dropna().iloc[0]
        with engine.begin() as conn:  # a committed change: new value and new version in one transaction
            conn.execute(update(schema.benchmark_value)
                         .where(schema.benchmark_value.c.la_code == row["la_code"],
                                schema.benchmark_value.c.indicator_code == "cla_rate",
                                schema.benchmark_value.c.period_end == row["period_end"].date())
                         .values(value=row["value"] + 1000))
            bump_version(conn, "benchmarking")
        after = bench_data.benchmark_indicator("cla_rate", SCOPE)["values"]
        try:
            changed = after[(after["la_code"] == row["la_code"]) & (after["period_end"] == row["period_end"])]
            assert changed["value"].iloc[0] == row["value"] + 1000
        finally:
            with engine.begin() as conn:
                conn.execute(update(schema.benchmark_value)
                             .where(schema.benchmark_value.c.la_code == row["la_code"],
                                    schema.benchmark_value.c.indicator_code == "cla_rate",
                                    schema.benchmark_value.c.period_end == row["period_end"].date())
                             .values(value=row["value"]))
                bump_version(conn, "benchmarking")


def _dataset_table_reads(engine):
    """The statements reading the dataset table run while the block is open (a list, filled as they run)."""
    reads = []

    def seen(_conn, _cursor, statement, *_rest):
        if "FROM dataset" in statement and "FOR UPDATE" not in statement:   # not a writer's lock
            reads.append(statement)
    return reads, seen


def test_a_request_reads_the_data_versions_once_and_the_next_request_sees_a_new_one(server):
    engine = get_engine()
    build, calls = _counting_builder()
    reads, seen = _dataset_table_reads(engine)
    with server.app_context():
        loader.cache.clear()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with server.test_request_context("/_dash-update-component", method="POST"):
            bench_data.benchmark_indicator("cla_rate", SCOPE)   # a cached read keyed on its versions
            build("a", SCOPE)                                   # a view keyed on its versions
            version = loader.dataset_version("benchmarking")
            assert loader.dataset_versions(("benchmarking", "reference")) == (version, loader.dataset_version("reference"))
            assert loader.dataset_info("benchmarking")["version"] == version
            assert len(reads) == 1                              # one read of the dataset table for all of them
        # A new version lands between two requests. Its writer's own read is not counted: PostgreSQL's is marked FOR
        # UPDATE, but SQLite has no such clause, so the listener is off while it runs.
        event.remove(engine, "before_cursor_execute", seen)
        with engine.begin() as conn:
            bump_version(conn, "benchmarking")
        event.listen(engine, "before_cursor_execute", seen)
        with server.test_request_context("/_dash-update-component", method="POST"):
            assert loader.dataset_version("benchmarking") == version + 1
            build("a", SCOPE)
        assert len(reads) == 2 and len(calls) == 2              # the next request saw it and built the view again
    finally:
        if event.contains(engine, "before_cursor_execute", seen):
            event.remove(engine, "before_cursor_execute", seen)


def test_a_commit_within_a_request_is_seen_by_the_same_request(server):
    engine = get_engine()
    with server.test_request_context("/_dash-update-component", method="POST"):
        before = loader.dataset_version("benchmarking")
        with engine.begin() as conn:   # an upload committed by this request's callback
            bump_version(conn, "benchmarking")
        assert loader.dataset_version("benchmarking") == before + 1
        assert loader.dataset_info("benchmarking")["version"] == before + 1


def test_shared_data_is_read_once_for_every_member(server):
    other = loader.AccessScope(role="member", la_code="E09000008")
    with server.app_context():
        loader.cache.clear()
        with mock.patch.object(bench_data, "_read_sql", wraps=bench_data._read_sql) as reads:
            bench_data.benchmark_indicator("cla_rate", SCOPE)
            n = reads.call_count
            bench_data.benchmark_indicator("cla_rate", other)
            assert reads.call_count == n  # the regional dataset is the same for every member: one read


def _counting_builder(**cache_options):
    calls = []

    @loader.view_cache("benchmarking", **cache_options)
    def build(choice: str, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> dict:
        calls.append((choice, scope.la_code))
        return {"choice": choice, "viewer": scope.la_code}
    return build, calls


def test_a_view_is_built_once_for_all_members_who_may_see_it(server):
    build, calls = _counting_builder()
    other = loader.AccessScope(role="member", la_code="E09000008")
    with server.app_context():
        loader.cache.clear()
        assert build("a", SCOPE) == build("a", other) == {"choice": "a", "viewer": SCOPE.la_code}
        build("b", other)
    assert calls == [("a", SCOPE.la_code), ("b", "E09000008")]


def test_a_view_that_depends_on_the_caller_is_never_shared(server):
    build, calls = _counting_builder(depends_on_caller=lambda scope, arguments: arguments["choice"] == "own")
    other = loader.AccessScope(role="member", la_code="E09000008")
    with server.app_context():
        loader.cache.clear()
        assert build("own", other)["viewer"] == "E09000008"
        assert build("own", SCOPE)["viewer"] == SCOPE.la_code
        assert build("anon", other, anonymise_with="secret")["viewer"] == "E09000008"   # the viewer's LA keeps its name
        assert build("anon", SCOPE, anonymise_with="secret")["viewer"] == SCOPE.la_code
    assert len(calls) == 4


def test_a_refused_caller_never_reaches_a_cached_view(server):
    def members_only(scope):
        if scope.role != "member":
            raise PermissionError("members only")
    build, _calls = _counting_builder(check=members_only)
    with server.app_context():
        loader.cache.clear()
        build("a", SCOPE)
        with pytest.raises(PermissionError):
            build("a", loader.AccessScope(role="nobody", la_code=SCOPE.la_code))


def test_a_new_data_version_rebuilds_the_view(server):
    build, calls = _counting_builder()
    with server.app_context():
        loader.cache.clear()
        build("a", SCOPE)
        with get_engine().begin() as conn:
            bump_version(conn, "benchmarking")
        build("a", SCOPE)
    assert len(calls) == 2


def test_new_code_never_reads_a_view_the_old_code_cached(server, monkeypatch):
    build, calls = _counting_builder()
    with server.app_context():
        loader.cache.clear()
        build("a", SCOPE)
        monkeypatch.setattr(loader, "CODE_VERSION", "another deploy")   # the shared cache outlived a deploy
        build("a", SCOPE)
    assert len(calls) == 2


def test_results_are_copies(server):
    with server.app_context():
        first = bench_data.benchmark_indicator("cla_rate", SCOPE)
        first["values"]["value"] = -1.0
        again = bench_data.benchmark_indicator("cla_rate", SCOPE)
    assert (again["values"]["value"].dropna() >= 0).all()


def test_missing_returns_stay_missing(server):
    with server.app_context():
        values = bench_data.benchmark_indicator("cla_rate", SCOPE)["values"]
    assert values["value"].isna().any()  # the demo data has missing returns: read as NaN
    assert not (values["value"] == 0).any()


def _worker(config: dict):
    """A second Flask app with its own cache connection: what another gunicorn worker would have."""
    from flask import Flask
    worker = Flask("worker")
    loader.cache.init_app(worker, config=config)
    return worker


def _reads_in(worker, call) -> int:
    with worker.app_context(), mock.patch.object(bench_data, "_read_sql", wraps=bench_data._read_sql) as reads:
        call()
        return reads.call_count


@pytest.mark.parametrize("backend", ["filesystem", "redis"])
def test_workers_share_the_cache_and_see_new_versions(server, tmp_path, backend):
    from dashboard.config import Settings
    if backend == "redis":
        redis = pytest.importorskip("redis")
        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        try:
            redis.Redis.from_url(url).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip(f"no Redis at {url}")
        config = loader.cache_config(Settings(redis_url=url))
        config["CACHE_KEY_PREFIX"] = f"lcsd-test-{uuid.uuid4().hex}:"  # nothing left from an earlier run
    else:
        config = loader.cache_config(Settings(cache_dir=str(tmp_path / "cache")))
    first, second = _worker(config), _worker(config)
    # The shared cache's read: a worker's own memory (`kept_in_process`) is its process's, and these two share one.
    read = lambda: bench_data.benchmark_indicator.not_kept("sw_caseload", SCOPE)  # noqa: E731
    assert _reads_in(first, read) > 0
    assert _reads_in(second, read) == 0          # the other worker's result, from the shared cache
    with get_engine().begin() as conn:
        bump_version(conn, "benchmarking")       # a commit anywhere
    assert _reads_in(second, read) > 0           # ...is read fresh at once, no flush


@dataclasses.dataclass
class _FigureView:   # at module level: a cached view is pickled
    figure: object
    title: str


def test_a_cached_view_holds_its_figures_as_plain_dicts_the_same_on_a_miss_and_a_hit(server):
    import plotly.graph_objects as go
    calls = []

    @loader.view_cache("benchmarking")
    def build(choice: str, scope: loader.AccessScope) -> _FigureView:
        calls.append(choice)
        return _FigureView(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), choice)

    with server.app_context():
        loader.cache.clear()
        first, again = build("x", SCOPE), build("x", SCOPE)
    assert calls == ["x"]                                        # the second is read from the cache
    assert isinstance(first.figure, dict) and first == again and first.title == "x"
    assert list(go.Figure(again.figure).data[0].y) == [1, 2]   # the page draws the same figure


def test_what_a_worker_keeps_in_memory_follows_the_data_version_and_checks_the_caller(server):
    """Kept in process memory (loader.kept_in_process): worked out once per version, a committed change seen at once
    (the shared cache emptied or not), a refused caller refused before anything is read, results copies."""
    from dashboard.dashboards.suspensions import data as susp

    calls = []

    def refuse_none(scope):
        if scope is None:
            raise PermissionError("a signed-in member only")

    @loader.kept_in_process("benchmarking", check=refuse_none)
    def values(scope):
        calls.append(1)
        return bench_data.benchmark_indicator.not_kept("cla_rate", scope)["values"]

    with server.app_context():
        first = values(SCOPE)
        first["value"] = -1.0                      # a caller changing its copy changes nothing kept
        loader.cache.clear()                       # nor does emptying the shared cache
        assert values(SCOPE)["value"].min() >= 0 and len(calls) == 1
        with get_engine().begin() as conn:
            bump_version(conn, "benchmarking")
        values(SCOPE)
        assert len(calls) == 2                     # a new version: worked out again
        with pytest.raises(PermissionError):
            values(None)
        assert len(calls) == 2
        # Suspensions' protected counts are kept so: the same as the shared read gives.
        pd.testing.assert_frame_equal(susp.protected_la_rows(SCOPE), susp.protected_la_rows.not_kept(SCOPE))


def test_a_viewers_kept_tables_hold_their_own_las_exact_counts_and_never_reach_another_la(server):
    """Suspensions keeps each viewer's LA's tables in the process (`loader.ProcessCache`, keyed by the viewer's LA):
    the viewer's own counts exact, every other LA's protected; a member of another LA, asking after them, is given
    tables of their own, in which the first LA's counts are protected; a committed upload is seen at once."""
    from dashboard.dashboards.suspensions import data as susp
    from dashboard.dashboards.suspensions import view as susp_view

    lambeth, croydon = SCOPE, loader.AccessScope(role="member", la_code="E09000008")

    def lambeths(rows):
        return rows.loc[rows["la_code"] == lambeth.la_code, susp.COUNTS].reset_index(drop=True)

    with server.app_context():
        exact, protected = lambeths(susp.la_rows(lambeth)), lambeths(susp.protected_la_rows(lambeth))
        assert not exact.equals(protected)               # else this test could not tell them apart
        own, _ = susp_view._viewer_tables(lambeth)
        others, _ = susp_view._viewer_tables(croydon)
        pd.testing.assert_frame_equal(lambeths(own), exact)
        pd.testing.assert_frame_equal(lambeths(others), protected)
        assert susp_view._viewer_tables(lambeth)[0] is own   # kept: the same tables, not worked out again
        with get_engine().begin() as conn:
            bump_version(conn, susp.NAME)
        assert susp_view._viewer_tables(lambeth)[0] is not own
