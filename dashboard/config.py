"""Settings: one frozen object read from the environment.

Each setting is declared once with its default and a line of help, so the README and
`.env.example` can be generated from the same list (`python -m dashboard settings`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'dashboards.sqlite3'}"


def _setting(default, help_text: str, *, empty_means_none: bool = False):
    """`empty_means_none`: set to empty, the setting is empty (not its default), e.g. no folder to import."""
    return field(default=default, metadata={"help": help_text, "empty_means_none": empty_means_none})


@dataclass(frozen=True)
class Settings:
    database_url: str = _setting(DEFAULT_DATABASE_URL, "SQLAlchemy URL of the store; SQLite under data/ unless set (PostgreSQL in production).")
    redis_url: str = _setting("", "Redis URL for the shared cache; empty means a filesystem cache under data/cache.")
    cache_dir: str = _setting(str(DATA_DIR / "cache"), "Folder for the filesystem cache (shared by gunicorn workers on one host).")
    cache_timeout: int = _setting(3600, "Seconds a cached read lives; versions in the keys make new data show at once anyway.")
    secret_key: str = _setting("", "Signs session cookies. Required in production; the embedded default generates one into data/secret_key.")
    mfa_key: str = _setting("", "Encrypts the two-step sign-in (TOTP) secrets in the store. Empty: a key derived from SECRET_KEY. Several keys, comma-separated, newest first, rotate it (the first encrypts, any decrypts); a key no longer listed leaves those accounts to be reset (`reset-mfa`).")
    disclosure_secret: str = _setting("", "Keys the cell-key disclosure control (README: Disclosure control). Empty: one is generated at first start and kept in the store. Set it once and never change it: a change alters every protected figure.")
    child_id_key: str = _setting("", "Key of the keyed hash (HMAC-SHA256) that pseudonymises child ids at ingest; the embedded default generates one into data/child_id_key.")
    host: str = _setting("127.0.0.1", "Address the development server listens on.")
    port: int = _setting(8050, "Port the development server listens on.")
    demo_user: str = _setting("demo@liia.example", "Email of the demo account created on first run of the embedded default.")
    demo_password: str = _setting("", "Password of the demo account; if empty one is generated and printed at first start.")
    demo_user_la: str = _setting("E09000022", "ONS code of the demo account's LA (default Lambeth).")
    load_demo_data: bool = _setting(True, "Fill an empty store with seeded demo data on start-up.")
    demo_seed: int = _setting(2024, "Seed of the demo data generator (same seed, same data).")
    debug: bool = _setting(False, "Dash debug mode (dev tools, reloader). Never in production.")
    secure_cookies: str = _setting("auto", "Cookies only over https: auto (on in production), on, or off (local http).")
    session_idle_minutes: int = _setting(30, "A signed-in session ends after this many minutes without a request.")
    session_max_hours: int = _setting(12, "A signed-in session ends this many hours after sign-in, however busy.")
    sign_in_window_minutes: int = _setting(15, "Failed sign-ins are counted over this many minutes (no permanent lock-out).")
    sign_in_limit_per_account: int = _setting(5, "Failed sign-ins allowed per account within the window.")
    paye_holiday_pay_rate: float = _setting(0.1207, "Agency pay: holiday pay as a share of basic pay, taken out of PAYE rates (5.6 weeks over 46.4 worked).")
    paye_employer_ni_rates: str = _setting("2011-04-06:13.8,2022-04-06:15.05,2022-11-06:13.8,2025-04-06:15",
                                           "Agency pay: employer National Insurance % taken out of PAYE rates, each from a date (date:percent, ...).")
    rri_band_thresholds: str = _setting("0.75,1.25,1.5", "Suspensions: relative rate index band edges: under-represented below the first, over-represented from the second, substantially over from the third.")
    published_data_dir: str = _setting(str(PROJECT_ROOT.parent / "shared"),
                                       "Folder of published files (DfE, ONS, Ofsted) imported on first start, as `python -m dashboard import-published FOLDER` would (each file recognised by its columns); empty, or a folder that does not exist, imports nothing.",
                                       empty_means_none=True)
    boundary_file: str = _setting("", "GeoJSON of local authority boundaries (features with an ONS code such as LAD23CD). If set, published Benchmarking also draws a map from it; empty keeps the London tile map only.")
    chromium_path: str = _setting("/usr/bin/chromium", "Chromium used on the server to draw chart images for PNG, SVG and slides (Debian package chromium).")
    upload_max_mb: int = _setting(10, "Largest file an upload may be, in MB; bigger requests are refused (HTTP 413) before parsing.")
    sign_in_limit_per_address: int = _setting(20, "Failed sign-ins allowed per network address within the window.")
    log_format: str = _setting("json", "Log lines on stderr: json (one object per line, for a log shipper) or text (for a terminal).")
    log_level: str = _setting("INFO", "Least severe log level written: DEBUG, INFO, WARNING or ERROR.")
    store_retry_seconds: int = _setting(5, "While the store is down, each worker tries it again at most this often (others get a 503 page at once).")
    cache_retry_seconds: int = _setting(15, "After the cache fails, it is skipped (results computed instead) for this many seconds, then tried again.")
    redis_timeout_ms: int = _setting(500, "Connect and read timeout for Redis, in milliseconds, so a dead cache is noticed quickly.")
    trusted_proxies: int = _setting(0, "How many reverse proxies (load balancer, nginx) stand in front of the app: their X-Forwarded-For and -Proto are then believed, so sign-in limits and logs see the member's address. 0 when clients connect directly.")
    my_la_change_points: float = _setting(5.0, "My LA: an indicator in % is flagged when it moved by more than this many percentage points since the last period.")
    my_la_change_percent: float = _setting(10.0, "My LA: any other indicator is flagged when it moved by more than this % of its earlier figure since the last period.")
    my_la_min_neighbours: int = _setting(3, "My LA: statistical neighbours with a figure needed before an LA is flagged as outside their range.")
    my_la_quarter_due_days: int = _setting(45, "Data status: a quarterly return is overdue this many days after its quarter ends.")
    my_la_year_due_days: int = _setting(92, "Data status: an annual (year to 31 March) return is overdue this many days after 31 March.")
    smtp_host: str = _setting("", "Digest emails: the SMTP server's host name. Empty: `send-digests` sends nothing and says so.")
    smtp_port: int = _setting(587, "Digest emails: the SMTP server's port (587 for STARTTLS, 465 for TLS from the start, 25 plain).")
    smtp_security: str = _setting("starttls", "Digest emails: starttls (upgrade the connection), tls (TLS from the start) or none (a local relay only).")
    smtp_user: str = _setting("", "Digest emails: the SMTP account, if the server asks for one.")
    smtp_password: str = _setting("", "Digest emails: the SMTP account's password.")
    digest_sender: str = _setting("dashboards@liia.example", "Digest emails: the From address.")
    public_url: str = _setting("http://127.0.0.1:8050", "The app's address as members reach it: the links in digest emails start with it.")
    warm_check_seconds: int = _setting(10, "Every this many seconds each worker checks the data versions; when they change, one worker builds every page's default view for each LA with an active account, before members ask. 0 turns this off.")

    @property
    def employer_ni_rates(self) -> tuple:
        """PAYE_EMPLOYER_NI_RATES as ((date, rate), ...), oldest first."""
        from datetime import date
        pairs = [item.split(":") for item in self.paye_employer_ni_rates.split(",") if item.strip()]
        return tuple(sorted((date.fromisoformat(day.strip()), float(pct) / 100) for day, pct in pairs))

    @property
    def rri_thresholds(self) -> tuple[float, float, float]:
        under, over, substantially = (float(x) for x in self.rri_band_thresholds.split(","))
        return under, over, substantially

    @property
    def is_default_database(self) -> bool:
        return self.database_url == DEFAULT_DATABASE_URL

    @property
    def is_production(self) -> bool:
        """Any store other than the embedded SQLite default counts as production."""
        return not self.is_default_database

    @property
    def cookies_secure(self) -> bool:
        return self.is_production if self.secure_cookies == "auto" else self.secure_cookies == "on"

    def check(self) -> None:
        if self.is_production and not self.secret_key:
            raise RuntimeError(
                "SECRET_KEY must be set when DATABASE_URL points at a production store "
                f"({self.database_url.split('@')[-1]}). Set SECRET_KEY to a long random string."
            )


def _convert(raw: str, default):
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def settings_from_env(env: dict | None = None) -> Settings:
    env = os.environ if env is None else env
    values = {}
    for f in fields(Settings):
        name = f.name.upper()
        if name in env and env[name] != "":
            values[f.name] = _convert(env[name], f.default)
        elif name in env and f.metadata["empty_means_none"]:
            values[f.name] = ""
    return Settings(**values)


def describe_settings() -> list[tuple[str, object, str]]:
    """(ENV_NAME, default, help) for every setting: the source of .env.example and the README table."""
    return [(f.name.upper(), f.default, f.metadata["help"]) for f in fields(Settings)]
