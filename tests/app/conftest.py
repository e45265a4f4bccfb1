"""The app tier: the Flask test client, the app and the store (SQLite, or TEST_DATABASE_URL's PostgreSQL)."""
from tests.store_fixtures import use_store


def pytest_configure(config):
    use_store(config)
