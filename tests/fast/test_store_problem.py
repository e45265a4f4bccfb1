"""When the store cannot be reached, /readyz and the first log line say why in words an administrator can act on."""
from dashboard.resilience import store_problem


def test_a_missing_postgresql_database_is_named_as_such():
    message = ('OperationalError: (psycopg.OperationalError) connection failed: connection to server at "127.0.0.1", '
               'port 5432 failed: FATAL:  database "dashboards" does not exist')
    assert "does not exist" in store_problem(message) and "DATABASE_URL" in store_problem(message)


def test_other_causes_are_told_apart():
    assert "user or password" in store_problem('FATAL:  password authentication failed for user "app"')
    assert "host name" in store_problem("could not translate host name \"db\" to address: Name or service not known")
    assert "server running" in store_problem("connection to server at \"127.0.0.1\", port 1 failed: Connection refused")
    assert "folder" in store_problem("(sqlite3.OperationalError) unable to open database file")
    assert store_problem("something new") == "the store is not answering"
