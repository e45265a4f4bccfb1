"""What the in-process benches share: the app built as the tests build it, users signed in, and T, the trivial callback.

- `build_app(store)`: the app on a SQLite store at `store` (filled with the demo data, seed 7, and ../shared's published
  files on first use), an in-process SimpleCache, request logging quiet.
- `add_users(app, {who: (email, la_code, role)})`: each user created (kept if a kept store has it), signed in through a
  test client of its own; returns {who: (client, user)}.
- `trivial_ms(client)`: T, Upload's dataset choice (no data read) through the test client, median wall and CPU ms.

Used by `bench.view_floors`, `bench.floor_pages` and `bench.sufficiency_old_new`, so the three measure T alike.
"""
from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LAMBETH = "E09000022"
COMMISSIONER_EMAIL = "commissioner@lambeth.example"


def build_app(store: str | Path | None = None, *, prefix: str = "bench-", disclosure_secret: str | None = "view-floors"):
    """The app as the tests build it, on a SQLite store at `store` (default: a new temporary folder's)."""
    from dashboard.config import Settings
    from dashboard.web import create_app

    store = Path(store) if store else Path(tempfile.mkdtemp(prefix=prefix)) / "store.sqlite3"
    store.parent.mkdir(parents=True, exist_ok=True)
    settings = dict(database_url=f"sqlite:///{store}", secret_key="bench", demo_seed=7, cache_dir=str(store.parent / "cache"),
                    log_level="WARNING")
    if disclosure_secret:
        settings["disclosure_secret"] = disclosure_secret
    app = create_app(Settings(**settings),
                     cache_config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_THRESHOLD": 100000},
                     log=lambda *_: None)
    logging.getLogger("dashboard.request").setLevel(logging.WARNING)
    return app


def add_users(app, users: dict) -> dict:
    """{who: (email, la_code, role)} -> {who: (a signed-in test client, the user)}."""
    from dashboard.auth.users import authenticate, create_user
    from dashboard.store import get_engine
    from tests.store_fixtures import PASSWORD, sign_in

    engine, out = get_engine(), {}
    for who, (email, la_code, role) in users.items():
        try:
            create_user(engine, email, PASSWORD, la_code, role)
        except Exception:  # noqa: BLE001 - already there in a kept store
            pass
        client = app.server.test_client()
        sign_in(client, email, PASSWORD)
        out[who] = (client, authenticate(engine, email, PASSWORD))
    return out


def trivial_request(client, dataset: str = "agency_pay"):
    """The trivial callback: Upload's dataset choice (no data read), as the browser sends it."""
    from tests.dash_requests import callback_request
    return callback_request(client, [("upload-period", "options"), ("upload-period", "value"),
                                     ("upload-period-label", "children"), ("upload-template-help", "children")],
                            [("upload-dataset", "value", dataset)])


def trivial_ms(client, repeat: int = 200, dataset: str = "agency_pay") -> tuple[float, float]:
    """T: the trivial callback through `client` (an uploader or administrator), (wall, CPU) ms, median of `repeat`."""
    assert trivial_request(client, dataset).status_code == 200
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        trivial_request(client, dataset)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000
