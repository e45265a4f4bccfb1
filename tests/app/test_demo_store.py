"""The benchmarking demo data in a store of its own: missing returns stored as nulls, never zeros, and each load a new
version that replaces the last."""
from sqlalchemy import create_engine, func, select

from dashboard.dashboards.benchmarking.returns import generate_benchmarking
from dashboard.dashboards.benchmarking.returns import load_demo as load_demo_data
from dashboard.store import schema
from dashboard.store.datasets import dataset_state
from dashboard.store.setup import init_db


def test_load_stores_nulls_not_zeros_and_bumps_the_version(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    init_db(engine)
    load_demo_data(engine, seed=5)
    state = dataset_state(engine, "benchmarking")
    assert state["version"] == 1 and state["is_demo"] is True
    count = select(func.count()).select_from(schema.benchmark_value)
    nulls = count.where(schema.benchmark_value.c.value.is_(None))
    with engine.connect() as conn:
        n_rows, n_null = conn.execute(count).scalar_one(), conn.execute(nulls).scalar_one()
    generated, _ = generate_benchmarking(seed=5)
    assert n_rows == len(generated) and n_null == generated["value"].isna().sum() > 0
    load_demo_data(engine, seed=5)  # loading again replaces, never duplicates
    with engine.connect() as conn:
        assert conn.execute(count).scalar_one() == n_rows
    assert dataset_state(engine, "benchmarking")["version"] == 2


def test_start_up_says_demo_data_only_of_datasets_that_hold_demo_data(tmp_path, monkeypatch):
    """Ofsted and care leavers have no demo figures (they wait for the published files): the start-up log must not
    claim it filled them with demo data."""
    from dashboard import dashboards
    from dashboard.config import Settings
    from dashboard.dashboards.benchmarking import returns as benchmarking
    from dashboard.dashboards.care_leavers import returns as care_leavers
    from dashboard.dashboards.ofsted import returns as ofsted
    from dashboard.store import setup
    dashboards.dataset_modules()   # every table registered, then only three datasets filled
    monkeypatch.setattr(setup, "dataset_modules", lambda: [benchmarking, ofsted, care_leavers])
    url = f"sqlite:///{tmp_path / 'start.sqlite3'}"
    lines = []
    setup.prepare_store(Settings(database_url=url, published_data_dir=""), create_engine(url), log=lines.append)
    said = "\n".join(lines)
    assert "demo benchmarking data" in said
    assert "Ofsted" not in said and "care leavers" not in said.lower(), said
