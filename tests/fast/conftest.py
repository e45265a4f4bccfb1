"""The fast tier: pure functions on small in-memory frames and files, with no app and no store.

The guards below keep it honest: a fast test that asks for the app or store fixtures, calls get_engine, or opens
any database connection (even to a SQLite file of its own) fails, naming what it reached. Such a test belongs in
tests/app.
"""
import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

import dashboard.store
import dashboard.store.engine
from dashboard import disclosure

STORE_FIXTURES = {"database_url", "settings", "dash_app", "restore_demo", "server", "client", "member_client",
                  "la_names", "other_la_names", "published_data", "live_url", "browser", "page"}


def _refuse(what: str):
    def refuse(*_args, **_kwargs):
        raise AssertionError(f"a fast test reached {what}: it needs the store, so it belongs in tests/app")
    return refuse


@pytest.fixture(scope="package", autouse=True)
def no_store():
    """For the whole tier (module fixtures included): no engine from get_engine and no database connection."""
    refuse_connection = _refuse("a database connection")
    event.listen(Pool, "checkout", refuse_connection)
    with pytest.MonkeyPatch.context() as patch:
        for module in (dashboard.store, dashboard.store.engine):
            patch.setattr(module, "get_engine", _refuse("get_engine"))
        disclosure.use_secret("fast-tier")   # the store's secret is out of reach here; tests may choose another
        yield
        disclosure.use_secret(None)
    event.remove(Pool, "checkout", refuse_connection)


@pytest.fixture(autouse=True)
def no_app(request):
    asked = sorted(STORE_FIXTURES & set(request.fixturenames))
    if asked:
        pytest.fail(f"a fast test asked for {', '.join(asked)}: it needs the app or the store, so it belongs in tests/app",
                    pytrace=False)
