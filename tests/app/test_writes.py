"""Every write goes through the one versioned, audited path: after it, the dataset's version has moved on (so a page
shows the new data at once, with no flush) and the audit log names who did what."""
import os
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from dashboard import admin, loader
from dashboard.__main__ import main
from dashboard.dashboards.agency_pay import data as pay_data
from dashboard.dashboards.agency_pay import returns as pay_returns
from dashboard.published.store import import_paths
from dashboard.store import get_engine, schema
from tests.app.test_sufficiency_import import EPISODES, HEADER   # a small SSDA903 return, its two files
from tests.shared_files import REFERENCE, shared_file
from tests.store_fixtures import ADMIN_EMAIL

ADMIN = SimpleNamespace(email=ADMIN_EMAIL, role="admin", la_code="E09000001")


@pytest.fixture()
def store(dash_app, settings):
    os.environ["DATABASE_URL"] = settings.database_url   # the command line reads its settings from the environment
    with dash_app.server.app_context():
        yield get_engine()
    del os.environ["DATABASE_URL"]


def _last_event(engine, event: str):
    a = schema.audit_event
    with engine.connect() as conn:
        return conn.execute(select(a.c.actor, a.c.detail).where(a.c.event == event)
                            .order_by(a.c.id.desc()).limit(1)).first()


def _returns_held(engine, dataset: str, la_code: str, period: str) -> int:
    """How many versions of one LA's return for one period the store holds (its versions count up from 1)."""
    u = schema.upload
    with engine.connect() as conn:
        return conn.execute(select(func.count()).where(u.c.dataset == dataset, u.c.la_code == la_code,
                                                        u.c.period == period)).scalar_one()


def test_an_ssda903_return_in_the_dfes_two_files_is_one_audited_version(store, tmp_path, restore_demo, capsys):
    header, episodes = tmp_path / "header.csv", tmp_path / "episodes.csv"
    header.write_text(HEADER)
    episodes.write_text(EPISODES)
    before = loader.dataset_version("sufficiency")
    assert "E09000030" not in loader.returned_las("sufficiency")
    version = _returns_held(store, "sufficiency", "E09000030", "2025-03-31") + 1   # earlier tests may have stored some
    try:
        assert main(["ingest", "sufficiency", str(header), "--episodes", str(episodes), "--la", "E09000030",
                     "--period", "2025-03-31", "--actor", "bulk@towerhamlets.example"]) == 0
        assert f"Stored as version {version} " in capsys.readouterr().out
        assert loader.dataset_version("sufficiency") == before + 1
        assert "E09000030" in loader.returned_las("sufficiency")   # seen at once: the cached read is keyed by version
        event = _last_event(store, "upload_committed")
        assert event.actor == "bulk@towerhamlets.example"
        assert event.detail.startswith(f"sufficiency E09000030 2025-03-31 v{version} ")
    finally:
        restore_demo({"sufficiency"})


def test_ingest_ssda903_reads_a_folder_of_the_dfes_tables_and_reports_by_rule(store, tmp_path, capsys):
    """The sample LA's 2021/22 return as the DfE's tables, read as is: refused, with DfE rule 148's 62 episodes (and
    the DfE's other errors); its made-up postcodes are queries (392c), shown and not blocking."""
    folder = shared_file("ssda903_samples/cs_demand_model")
    year = tmp_path / "2021-22"
    year.mkdir()
    for path in folder.glob("2021-*.csv"):
        (year / path.name.removeprefix("2021-")).write_bytes(path.read_bytes())
    report = tmp_path / "report.csv"
    assert main(["ingest", "ssda903", str(year), "--la", "E09000030", "--period", "2022-03-31", "--check-only",
                 "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "Errors by DfE rule: 148: 62, 222: 39, " in out and "1863 rows read: 1764 accepted, 99 rejected" in out
    assert "Queries by DfE rule (shown, not blocking): 392c: 487, 392a: 207, 1015: 10" in out
    assert 'error,"episodes.csv, row 5",DEC,,"DfE rule 148:' in report.read_text()


def test_ingest_ssda903_takes_a_zip_of_the_tables(store, tmp_path, capsys):
    import zipfile  # only this test builds a zip
    archive = tmp_path / "return.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.csv", HEADER)
        z.writestr("b.csv", EPISODES)
    assert main(["ingest", "ssda903", str(archive), "--la", "E09000030", "--period", "2025-03-31", "--check-only"]) == 0
    assert "5 rows read: 5 accepted, 0 rejected. Ready to commit." in capsys.readouterr().out


def test_the_episodes_file_is_for_ssda903_only(store, tmp_path, capsys):
    header = tmp_path / "header.csv"
    header.write_text(HEADER)
    assert main(["ingest", "suspensions", str(header), "--episodes", str(header), "--la", "E09000030",
                 "--period", "2023/24"]) == 2
    assert "--episodes is for SSDA903" in capsys.readouterr().err


def test_a_cap_change_is_seen_at_once_and_audited(store, restore_demo):
    before = loader.dataset_version("agency_pay")
    try:
        pay_returns.change_cap(ADMIN, "social_worker", "41.25", "2026-07-01", "new Pledge rate")
        assert loader.dataset_version("agency_pay") == before + 1
        caps = pay_data.caps()
        assert caps.loc[(caps["job_type"] == "social_worker") & (caps["effective_from"].astype(str) == "2026-07-01"),
                        "cap"].tolist() == [41.25]
        event = _last_event(store, "agency_pay_cap_changed")
        assert event.actor == ADMIN_EMAIL and "from 2026-07-01" in event.detail and "41.25" in event.detail
    finally:
        restore_demo({"agency_pay"})


def test_moving_an_la_is_seen_at_once_and_audited(store):
    def subregion():
        las = loader.local_authorities()
        return las.loc[las["la_code"] == "E09000022", "subregion_name"].item()

    home = subregion()
    elsewhere = next(name for name in loader.local_authorities()["subregion_name"].unique() if name != home)
    before = loader.dataset_version("reference")
    try:
        admin.move_la(ADMIN, "E09000022", elsewhere)
        assert loader.dataset_version("reference") == before + 1 and subregion() == elsewhere
        event = _last_event(store, "reference_changed")
        assert event.actor == ADMIN_EMAIL and event.detail.startswith("E09000022 -> ")
    finally:
        admin.move_la(ADMIN, "E09000022", home)
    assert subregion() == home


def test_a_published_import_is_seen_at_once_and_audited(store, tmp_path, restore_demo):
    source = shared_file(REFERENCE / "suspensions_rri_published.csv")
    copy = tmp_path / "suspensions_rri_published.csv"
    copy.write_bytes(source.read_bytes() + b"\n")   # the same figures in a new file: imported again, not "unchanged"
    before = loader.dataset_version("suspensions_published")
    try:
        [report] = import_paths(store, [str(copy)], actor=ADMIN_EMAIL)
        assert report.status == "imported", report.line()
        assert loader.dataset_version("suspensions_published") == before + 1
        event = _last_event(store, "published_imported")
        assert event.actor == ADMIN_EMAIL and event.detail.startswith("suspensions_rri_published.csv -> ")
    finally:
        restore_demo({"suspensions"})


def test_reloading_the_demo_data_is_a_new_version_and_audited(store, capsys):
    before = loader.dataset_version("send")
    assert main(["load-demo", "--dataset", "send"]) == 0
    assert loader.dataset_version("send") > before
    event = _last_event(store, "demo_reloaded")
    assert event.actor == "cli" and event.detail.startswith("send seed=")


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="column widths are enforced by PostgreSQL only (set TEST_DATABASE_URL)")
def test_a_store_made_before_a_code_grew_is_widened_keeping_its_rows():
    """A store whose episodes' `place` was 2 characters (before 2025/26's Z11-Z14) takes a Z11 once start-up has
    widened it; the rows it held are kept."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select
    from sqlalchemy.pool import NullPool
    from dashboard.store.ssda903 import widen_columns
    engine = create_engine(os.environ["TEST_DATABASE_URL"], poolclass=NullPool)
    old = Table("ssda903_widen_check", MetaData(), Column("id", Integer, primary_key=True), Column("place", String(2)))
    new = Table("ssda903_widen_check", MetaData(), Column("id", Integer, primary_key=True), Column("place", String(3)))
    old.drop(engine, checkfirst=True)
    old.create(engine)
    try:
        with engine.begin() as conn:
            conn.execute(insert(old).values(id=1, place="U4"))
        assert widen_columns(engine, [new]) == ["ssda903_widen_check.place 2 -> 3"]
        assert widen_columns(engine, [new]) == []                    # once only
        with engine.begin() as conn:
            conn.execute(insert(new).values(id=2, place="Z11"))
            assert conn.execute(select(new.c.place).order_by(new.c.id)).scalars().all() == ["U4", "Z11"]
    finally:
        old.drop(engine, checkfirst=True)
        engine.dispose()
