"""One package per dashboard, each with the same modules: `page` (its declaration, layout and callbacks), `view` (filters in, everything
shown out), `data` (its tables and declared cached reads), `metrics` (pure functions), `figures`, and `returns` (its
demo data, imports, writes and upload spec) where it has a dataset of its own. Packages are found by name: adding a dashboard is adding a package.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import dash

from dashboard.components.first_paint import with_first_paint


def names() -> list[str]:
    return [info.name for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
            if info.ispkg and not info.name.startswith("_")]


def _modules(module: str) -> list[ModuleType]:
    found = []
    for name in names():
        try:
            found.append(importlib.import_module(f"{__name__}.{name}.{module}"))
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}.{module}":   # the module exists but something it imports does not
                raise
    return found


def dataset_modules() -> list[ModuleType]:
    """Each dashboard's `returns` module: importing it registers its tables on `dashboard.store.schema.metadata` (they
    are defined in its `data` module, which it imports), and it exposes
    NAME (the dataset name, whose version is in every cache key), LABEL (what users call it) and
    load_demo(engine, seed) -> int (replace the dataset with seeded demo data in one transaction)."""
    return _modules("returns")


def declarations() -> list:
    """Each dashboard's declaration (`page.DASHBOARD`, a `dashboard.components.contract.Dashboard`), in page order."""
    return sorted((page.DASHBOARD for page in _modules("page")), key=lambda d: d.order)


def register_pages() -> None:
    """Register every dashboard's page with Dash (after the app is made, as `dash.register_page` requires), its layout
    given its cached view in the first paint (`components.first_paint`)."""
    for page in _modules("page"):
        dash.register_page(page.__name__, layout=with_first_paint(page.DASHBOARD, page.layout),
                           **page.DASHBOARD.page_registry_entry())


def commands() -> dict:
    """Each dashboard's own command-line commands: its `commands` module's COMMANDS, name -> (help, add_arguments(parser),
    run(engine, settings, args) -> exit status)."""
    found = {}
    for module in _modules("commands"):
        found.update(module.COMMANDS)
    return found
