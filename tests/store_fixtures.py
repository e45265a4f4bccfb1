"""The store and app fixtures of the app and browser tiers: one store and one app per test process (Dash's global
callbacks attach to the first app). Each tier's conftest registers this module once, as a plugin (`use_store`), so
the fast tier never builds them and a run of both tiers shares one app.

The store is a temporary SQLite file unless TEST_DATABASE_URL names another (scripts/test runs the store tiers on
PostgreSQL too when TEST_POSTGRES_URL is set). The cache is a SimpleCache, so tests see cache hits without a shared
folder.
"""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import MetaData, create_engine

from dashboard import loader
from dashboard.auth.users import create_user
from dashboard.config import Settings
from dashboard.demo import reload_demo
from dashboard.published.store import import_paths
from dashboard.store import get_engine, reset_engine
from dashboard.web import create_app
from tests.shared_files import REALDATA, REFERENCE, shared_file

MEMBER_EMAIL, ADMIN_EMAIL = "member@lambeth.example", "admin@liia.example"
PASSWORD = "correct horse battery staple"


def use_store(config):
    """A tier conftest's pytest_configure: registers these fixtures once, for every tier that needs them."""
    config.pluginmanager.import_plugin(__name__)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('store') / 'test.sqlite3'}"
    engine = create_engine(url)
    # A clean store for this run (the PostgreSQL test database is scratch): drop every table it holds, as
    # reflected, so a table an earlier run left behind (another shape, or a dataset since renamed) goes too.
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)
    engine.dispose()
    reset_engine()
    return url


@pytest.fixture(scope="session")
def settings(database_url, tmp_path_factory):
    return Settings(database_url=database_url, secret_key="test-secret-key", demo_seed=7,
                    cache_dir=str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def dash_app(settings):
    app = create_app(settings, cache_config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 600}, log=lambda *_: None)
    create_user(get_engine(), MEMBER_EMAIL, PASSWORD, "E09000022", "member", name="Test Member")
    create_user(get_engine(), ADMIN_EMAIL, PASSWORD, "E09000001", "admin", name="Test Admin")
    return app


@pytest.fixture(scope="session")
def restore_demo(dash_app, settings):
    """`restore_demo(datasets=None)` puts datasets (every one by default) back as the session's first start left
    them, demo data and the published files from ../shared, for the tests that follow one that changed them."""
    return lambda datasets=None: reload_demo(get_engine(), settings, settings.demo_seed, datasets, log=lambda *_: None)


def ensure_user(email: str, la_code: str, role: str | list[str], name: str) -> str:
    """An account in the session's store, made the first time a test module asks for it (modules share the store)."""
    from sqlalchemy import select

    from dashboard.store import schema
    with get_engine().connect() as conn:
        exists = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email)).first()
    if not exists:
        create_user(get_engine(), email, PASSWORD, la_code, role, name=name)
    return email


@pytest.fixture()
def server(dash_app):
    return dash_app.server


@pytest.fixture()
def client(server):
    return server.test_client()


def _token(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def sign_in(client, email=MEMBER_EMAIL, password=PASSWORD, next_path="/"):
    """Sign in as a person would; for the roles that need the second step, the code too (see `current_code`)."""
    token = _token(client.get("/login"))
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": password, "next": next_path})
    if response.status_code == 302 and response.headers["Location"].startswith(("/login/code", "/login/enrol")):
        code = current_code(email)
        response = client.post("/login/code", data={"csrf_token": _token(client.get("/login/code")), "code": code})
    return response


_TEST_SECRETS: dict[str, str] = {}


def current_code(email: str) -> str:
    """A code for the test account's authenticator: the account is enrolled in the store the first time (as the
    enrolment page would, with a secret the tests keep), and the last accepted code is forgotten, so tests may sign
    the same account in several times within one 30-second step (the app refuses a code used before)."""
    import pyotp
    from sqlalchemy import select, update

    from dashboard.auth import mfa
    from dashboard.store import schema
    engine = get_engine()
    with engine.connect() as conn:
        user_id = conn.execute(select(schema.app_user.c.id).where(schema.app_user.c.email == email.lower())).scalar_one()
    if email not in _TEST_SECRETS or not mfa.is_enrolled(engine, user_id):
        _TEST_SECRETS[email] = mfa.new_secret()
        mfa.enrol(engine, user_id, email, _TEST_SECRETS[email])
    with engine.begin() as conn:
        conn.execute(update(schema.user_mfa).where(schema.user_mfa.c.user_id == user_id).values(last_step=None))
    return pyotp.TOTP(_TEST_SECRETS[email]).now()


def sign_out(client):
    """Sign out as the header's button does: a POST with the session's form token."""
    page = client.get("/logout").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/logout", data={"csrf_token": token})


@pytest.fixture()
def member_client(client):
    response = sign_in(client)
    assert response.status_code == 302
    return client


@pytest.fixture()
def la_names(server) -> dict[str, str]:
    """{ONS code: name} for the 33 LAs."""
    with server.app_context():
        las = loader.local_authorities()
    return dict(zip(las["la_code"], las["la_name"]))


@pytest.fixture()
def other_la_names(la_names) -> list[str]:
    """Every LA's name but the member's own (Lambeth): none may appear in a view or file anonymised for them."""
    return [name for code, name in la_names.items() if code != "E09000022"]


@pytest.fixture(scope="session")
def published_data(dash_app):
    """Every published file in ../shared (realdata and the reference tables), imported with the administrator's one
    command, `import-published` (CI has the folder beside the repo). The app's first start has usually imported them
    already (PUBLISHED_DATA_DIR defaults to ../shared), so most reports say "unchanged"."""
    return import_paths(get_engine(), [str(shared_file(REALDATA)), str(shared_file(REFERENCE))], actor="tests", seed=7)
