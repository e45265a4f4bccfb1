"""Create the schema, the reference data and (on the embedded default) the demo data and account."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from dashboard.auth.passwords import PASSWORD_RULES, generate_password, password_problems
from dashboard.config import DATA_DIR
from dashboard.auth.users import count_users, create_user
from dashboard.dashboards import dataset_modules
from dashboard.published.store import import_on_first_start
from dashboard.store import schema
from dashboard.store.datasets import dataset_state
from dashboard.store.private_files import write_private
from dashboard.store.reference import load_reference_data
from dashboard.store.ssda903 import add_columns as add_declared_columns
from dashboard.store.ssda903 import widen_columns as widen_declared_columns

DEMO_PASSWORD_FILE = "demo_password.txt"


def init_db(engine: Engine) -> None:
    """Create missing tables and load reference data. Safe to run again: it never drops anything."""
    dataset_modules()  # importing them registers their tables
    schema.metadata.create_all(engine)
    # create_all never changes an existing column: widen any made narrower by an older version (SSDA903's Z11 place,
    # the encrypted two-step secrets, several roles per account)
    widen_declared_columns(engine, schema.metadata.sorted_tables)
    add_declared_columns(engine, schema.metadata.sorted_tables)   # and add those it now declares (OC2/OC3's year)
    load_reference_data(engine)


def dataset_is_empty(engine: Engine, name: str) -> bool:
    with engine.connect() as conn:
        row = conn.execute(select(schema.dataset.c.version).where(schema.dataset.c.name == name)).first()
    return row is None


def prepare_store(settings, engine: Engine, log=print) -> None:
    """Start-up: schema and reference data always; on the embedded default also demo data and the demo account."""
    init_db(engine)
    filled = set()
    if settings.load_demo_data:
        for module in dataset_modules():
            if dataset_is_empty(engine, module.NAME):
                module.load_demo(engine, settings.demo_seed)
                filled.add(module.NAME)
                # Said only of what holds demo data now: some pages have none (they wait for a published file).
                if dataset_state(engine, module.NAME)["is_demo"]:
                    log(f"Filled the empty store with demo {module.LABEL} (seed {settings.demo_seed}).")
    import_on_first_start(settings, engine, filled, log)   # real beats demo: published files replace what they cover
    if settings.is_default_database and count_users(engine) == 0:
        create_demo_account(engine, settings, DATA_DIR, log)


def create_demo_account(engine: Engine, settings, folder: Path, log=print) -> None:
    """The embedded default's administrator. A generated password is written once to an owner-only file in `folder`
    (never to the console, which ends up in logs); a DEMO_PASSWORD that breaks the rules stops the start with the
    rules, before anything is created."""
    if settings.demo_password:
        problems = password_problems(settings.demo_password, settings.demo_user)
        if problems:
            raise SystemExit(f"DEMO_PASSWORD is not accepted: {' '.join(problems)}\n{PASSWORD_RULES}\n"
                             "Set another DEMO_PASSWORD (or leave it empty to have one generated) and start again.")
    password = settings.demo_password or generate_password()
    create_user(engine, settings.demo_user, password, settings.demo_user_la, "admin", name="Demo user")
    if settings.demo_password:
        shown = "the one in DEMO_PASSWORD"
    else:
        path = write_private(folder / DEMO_PASSWORD_FILE, password + "\n")
        shown = f"in {path} (readable by you only; delete it once you have signed in)"
    log("\n" + "=" * 72 + f"\n  Demo account created.\n  Sign in as: {settings.demo_user}\n"
        f"  Password:   {shown}\n  (`python -m dashboard set-password {settings.demo_user}` sets a new one)\n"
        + "=" * 72 + "\n")
