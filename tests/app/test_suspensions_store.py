"""Suspensions data in a store of its own: demo LA data, then DfE's England file and the published table through
`import-published`; loading again replaces in one transaction and bumps the version."""
from sqlalchemy import create_engine, select

from dashboard.dashboards.suspensions import returns as data
from dashboard.published.store import import_paths
from dashboard.store.datasets import dataset_state
from dashboard.store.setup import init_db
from tests.shared_files import shared_file


def test_demo_la_data_then_the_real_files_through_import_published(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    init_db(engine)
    data.load_demo(engine, 3)
    files = [str(shared_file(data.ENGLAND_FILE)), str(shared_file(data.PUBLISHED_FILE))]
    assert [r.status for r in import_paths(engine, files)] == ["imported"] * 2
    assert dataset_state(engine, data.NAME)["is_demo"] is True
    with engine.connect() as conn:
        la_rows = conn.execute(select(data.suspensions_pupils.c.la_code)).fetchall()
        england_rows = conn.execute(select(data.suspensions_england.c.ethnicity)).fetchall()
    assert len(la_rows) == 33 * data.DEMO_YEARS * 19
    assert len(england_rows) == 6 * (19 + 1)   # 19 groups and DfE's total, 6 years
    assert england_rows.count(("All pupils",)) == 6
    assert dataset_state(engine, data.ENGLAND)["is_demo"] is False
    # Loading again replaces, in one transaction, and bumps the version.
    before = dataset_state(engine, data.NAME)["version"]
    data.load_demo(engine, 3)
    assert dataset_state(engine, data.NAME)["version"] == before + 1
    engine.dispose()
