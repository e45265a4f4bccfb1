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


def test_paye_rates_and_rri_bands_come_from_settings():
    from datetime import date
    settings = settings_from_env({"PAYE_EMPLOYER_NI_RATES": "2024-01-01:12.5, 2020-01-01:10", "PAYE_HOLIDAY_PAY_RATE": "0.1",
                                  "RRI_BAND_THRESHOLDS": "0.8,1.2,2"})
    assert settings.employer_ni_rates == ((date(2020, 1, 1), 0.10), (date(2024, 1, 1), 0.125))   # oldest first
    assert settings.paye_holiday_pay_rate == 0.1
    assert settings.rri_thresholds == (0.8, 1.2, 2.0)
    defaults = settings_from_env({})
    from dashboard.dashboards.agency_pay import metrics as pay
    from dashboard.dashboards.suspensions import metrics as rri
    assert defaults.employer_ni_rates == pay.EMPLOYER_NI_RATES and defaults.paye_holiday_pay_rate == pay.HOLIDAY_PAY_RATE
    assert defaults.rri_thresholds == (rri.UNDER_REPRESENTED_BELOW, rri.OVER_REPRESENTED_FROM, rri.SUBSTANTIALLY_OVER_FROM)


def test_published_data_dir_set_to_empty_means_no_folder_not_the_default():
    assert settings_from_env({}).published_data_dir.endswith("shared")
    assert settings_from_env({"PUBLISHED_DATA_DIR": ""}).published_data_dir == ""
    assert settings_from_env({"PORT": ""}).port == 8050   # other settings left empty keep their default
