"""Settings come from the environment, each with a default; production refuses to start without a secret key."""
import pytest

from dashboard.config import DEFAULT_DATABASE_URL, describe_settings, settings_from_env


def test_defaults_are_the_embedded_sqlite_store():
    settings = settings_from_env({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.port == 8050 and settings.host == "127.0.0.1"
    assert not settings.is_production
    settings.check()  # the embedded default starts without a secret key


def test_environment_overrides_and_types():
    settings = settings_from_env({"PORT": "9000", "LOAD_DEMO_DATA": "false", "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert settings.port == 9000
    assert settings.load_demo_data is False
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


def test_production_store_without_secret_key_refuses_to_start():
    settings = settings_from_env({"DATABASE_URL": "postgresql+psycopg://app@db/lcsd"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        settings.check()
    settings_from_env({"DATABASE_URL": "postgresql+psycopg://app@db/lcsd", "SECRET_KEY": "x" * 40}).check()


def test_every_setting_has_help_and_env_example_lists_them_all():
    from dashboard.config import PROJECT_ROOT
    documented = (PROJECT_ROOT / ".env.example").read_text()
    for name, _default, help_text in describe_settings():
        assert help_text
        assert f"\n{name}=" in "\n" + documented, f"{name} missing from .env.example"
