"""The disclosure secret (dashboard.disclosure.secret) in the store: made once, the same for every worker and
after a restart, and DISCLOSURE_SECRET wins when set."""
from sqlalchemy import delete, select

from dashboard import disclosure
from dashboard.store import get_engine, schema


def stored_values():
    with get_engine().connect() as conn:
        return conn.execute(select(schema.disclosure_secret.c.value)).scalars().all()


def test_the_secret_is_made_once_kept_in_the_store_and_read_back_after_a_restart(server):
    with server.app_context():
        first = disclosure.secret()
        assert stored_values() == [first.decode()] and len(first) >= 32
        disclosure._secret_by_store.clear()           # a new process (another worker, or after a restart)
        assert disclosure.secret() == first
        assert disclosure.record_keys(["E09000007:C1"]).tolist() == \
            disclosure.record_keys(["E09000007:C1"], key=first).tolist()


def test_a_worker_that_loses_the_race_to_make_it_reads_the_winners(server):
    with server.app_context():
        first = disclosure.secret()
        disclosure._secret_by_store.clear()
        # The other worker's insert won: this one's insert is refused and it reads the stored value.
        assert disclosure._stored_secret(get_engine()) == first
        assert len(stored_values()) == 1


def test_a_configured_secret_wins_over_the_stored_one(server, monkeypatch):
    with server.app_context():
        stored = disclosure.secret_id()
    settings = server.config["LCSD_SETTINGS"]
    monkeypatch.setitem(server.config, "LCSD_SETTINGS", type(settings)(**{**settings.__dict__,
                                                                         "disclosure_secret": "configured"}))
    with server.app_context():
        assert disclosure.secret() == b"configured"
        assert disclosure.secret_id() != stored          # cached figures made under the stored secret are not read


def test_an_empty_store_gets_a_new_secret_at_first_use(server):
    with server.app_context():
        before = disclosure.secret()
        with get_engine().begin() as conn:
            conn.execute(delete(schema.disclosure_secret))
        disclosure._secret_by_store.clear()
        try:
            assert disclosure.secret() != before and len(stored_values()) == 1
        finally:   # put the session's secret back: other tests' cached figures were made under it
            with get_engine().begin() as conn:
                conn.execute(delete(schema.disclosure_secret))
                conn.execute(schema.disclosure_secret.insert().values(name="cell_key", value=before.decode()))
            disclosure._secret_by_store.clear()
