"""Demo data back as a first start leaves it: each dataset's own seeded generator (its `returns.load_demo`), then
the published files imported again over the demo figures they cover."""
from __future__ import annotations

import dataclasses

from sqlalchemy import Engine

from dashboard.auth.users import audit
from dashboard.dashboards import dataset_modules
from dashboard.ingest.loading import demo_data_reloaded
from dashboard.published.store import import_on_first_start


def reload_demo(engine: Engine, settings, seed: int, datasets: set[str] | None = None, log=print, actor: str = "cli") -> None:
    """Put datasets (every one by default) back as a first start leaves them: seeded demo data, no upload current,
    and the published files in PUBLISHED_DATA_DIR imported again over the demo figures they cover."""
    modules = [m for m in dataset_modules() if datasets is None or m.NAME in datasets]
    for module in modules:
        module.load_demo(engine, seed)
    refilled = {m.NAME for m in modules}
    demo_data_reloaded(engine, None if datasets is None else refilled)
    audit(engine, actor=actor, event="demo_reloaded", detail=f"{', '.join(sorted(refilled))} seed={seed}")
    log(f"Demo data loaded for {'every dataset' if datasets is None else ', '.join(sorted(refilled))} (seed {seed}).")
    import_on_first_start(dataclasses.replace(settings, demo_seed=seed), engine, refilled, log=log)
