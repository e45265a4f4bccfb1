"""What the embedded default keeps on disk (password hashes, child-level rows, the demo password) is the app user's
own: files 0600, never readable by other users of the machine, whatever the umask."""
import os
import stat

import pytest
from sqlalchemy import select, text

from dashboard.config import Settings
from dashboard.store import schema
from dashboard.store.engine import sqlite_engine
from dashboard.store.setup import DEMO_PASSWORD_FILE, create_demo_account, init_db


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def open_umask():
    old = os.umask(0o022)   # the usual umask, which gave 0644 files
    yield
    os.umask(old)


def test_the_sqlite_store_and_its_journals_are_owner_only(tmp_path, open_umask):
    path = tmp_path / "dashboards.sqlite3"
    engine = sqlite_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        for suffix in ("", "-wal", "-shm"):
            assert _mode(f"{path}{suffix}") == 0o600, suffix
    engine.dispose()


def test_an_existing_world_readable_store_is_closed_when_opened(tmp_path, open_umask):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    engine = sqlite_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    assert _mode(path) == 0o600


@pytest.fixture()
def empty_store(tmp_path):
    engine = sqlite_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    init_db(engine)
    yield engine
    engine.dispose()


def test_the_generated_demo_password_goes_to_an_owner_only_file_not_the_console(empty_store, tmp_path, open_umask):
    printed = []
    create_demo_account(empty_store, Settings(), tmp_path, log=printed.append)
    path = tmp_path / DEMO_PASSWORD_FILE
    password = path.read_text().strip()
    assert _mode(path) == 0o600 and len(password) >= 12
    assert password not in "".join(printed) and str(path) in "".join(printed)


def test_a_demo_password_breaking_the_rules_stops_the_start_with_the_rules_not_a_traceback(empty_store, tmp_path):
    settings = Settings(demo_user="demo@liia.example", demo_password="demo-password-for-me")
    with pytest.raises(SystemExit) as stopped:
        create_demo_account(empty_store, settings, tmp_path, log=lambda *_: None)
    message = str(stopped.value)
    assert "DEMO_PASSWORD is not accepted" in message and "email" in message and "at least 12 characters" in message
    with empty_store.connect() as conn:
        assert conn.execute(select(schema.app_user.c.id)).first() is None   # nothing half-made


def test_the_data_folder_is_made_owner_only_and_an_open_one_is_closed(tmp_path, open_umask):
    from dashboard.store.private_files import private_folder
    made = private_folder(tmp_path / "new" / "data")
    assert _mode(made) == 0o700
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    os.chmod(old, 0o755)
    private_folder(old)
    assert _mode(old) == 0o700


def test_opening_another_connection_keeps_this_processs_sqlite_locks(tmp_path):
    """Found on a walk: `create-user` run beside the running app made every later sign-in answer 503 ("disk I/O
    error"). Each new connection reopened the database file to make it owner-only, and closing that descriptor dropped
    every POSIX lock the app held on it (POSIX locks are per process), so the command's last connection thought it was
    alone and deleted the -wal and -shm the app still had open."""
    import subprocess
    import sys

    path = tmp_path / "store.sqlite3"
    engine = sqlite_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    held = engine.connect()                       # the app's pooled connection, open between requests
    held.execute(text("SELECT count(*) FROM t")).scalar()
    second = engine.connect()                     # a new connection: the pool grows under load
    second.execute(text("SELECT 1"))
    # Another process (the command line) opens and closes the store: while the app still has it open, SQLite must
    # see that and leave the journals in place.
    subprocess.run([sys.executable, "-c", f"import sqlite3; c = sqlite3.connect({str(path)!r}); "
                    "c.execute('INSERT INTO t VALUES (1)'); c.commit(); c.close()"], check=True)
    assert (tmp_path / "store.sqlite3-shm").exists() and (tmp_path / "store.sqlite3-wal").exists()
    held.rollback()                               # a new read sees the command's row, with no I/O error
    assert held.execute(text("SELECT count(*) FROM t")).scalar() == 1
    held.close()
    second.close()
    engine.dispose()
