"""The cached loader: cache hits, invalidation by dataset version, scope in the key, copies out."""
import os
import uuid
from unittest import mock

import pytest

import pandas as pd
from sqlalchemy import update

from dashboard import loader
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
        with mock.patch.object(loader, "_read_sql", wraps=loader._read_sql) as reads:
            first = loader.benchmark_indicator("cla_rate", SCOPE)
            n_after_first = reads.call_count
            second = loader.benchmark_indicator("cla_rate", SCOPE)
            assert reads.call_count == n_after_first  # no SQL the second time
    pd.testing.assert_frame_equal(first["values"], second["values"])


def test_a_new_dataset_version_is_read_at_once(server):
    engine = get_engine()
    with server.app_context():
        before = loader.benchmark_indicator("cla_rate", SCOPE)["values"]
        row = before.dropna().iloc[0]
        with engine.begin() as conn:  # a committed change: new value and new version in one transaction
            conn.execute(update(schema.benchmark_value)
                         .where(schema.benchmark_value.c.la_code == row["la_code"],
                                schema.benchmark_value.c.indicator_code == "cla_rate",
                                schema.benchmark_value.c.period_end == row["period_end"].date())
                         .values(value=row["value"] + 1000))
            bump_version(conn, "benchmarking")
        after = loader.benchmark_indicator("cla_rate", SCOPE)["values"]
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


def test_scope_is_part_of_the_key(server):
    other = loader.AccessScope(role="member", la_code="E09000008")
    with server.app_context():
        loader.cache.clear()
        with mock.patch.object(loader, "_read_sql", wraps=loader._read_sql) as reads:
            loader.benchmark_indicator("cla_rate", SCOPE)
            n = reads.call_count
            loader.benchmark_indicator("cla_rate", other)
            assert reads.call_count > n  # another scope never gets this scope's cached entry


def test_results_are_copies(server):
    with server.app_context():
        first = loader.benchmark_indicator("cla_rate", SCOPE)
        first["values"]["value"] = -1.0
        again = loader.benchmark_indicator("cla_rate", SCOPE)
    assert (again["values"]["value"].dropna() >= 0).all()


def test_missing_returns_stay_missing(server):
    with server.app_context():
        values = loader.benchmark_indicator("cla_rate", SCOPE)["values"]
    assert values["value"].isna().any()  # the demo data has missing returns: read as NaN
    assert not (values["value"] == 0).any()


def _worker(config: dict):
    """A second Flask app with its own cache connection: what another gunicorn worker would have."""
    from flask import Flask
    worker = Flask("worker")
    loader.cache.init_app(worker, config=config)
    return worker


def _reads_in(worker, call) -> int:
    with worker.app_context(), mock.patch.object(loader, "_read_sql", wraps=loader._read_sql) as reads:
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
    read = lambda: loader.benchmark_indicator("sw_caseload", SCOPE)  # noqa: E731
    assert _reads_in(first, read) > 0
    assert _reads_in(second, read) == 0          # the other worker's result, from the shared cache
    with get_engine().begin() as conn:
        bump_version(conn, "benchmarking")       # a commit anywhere
    assert _reads_in(second, read) > 0           # ...is read fresh at once, no flush
