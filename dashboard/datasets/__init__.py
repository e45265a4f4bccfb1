"""Datasets beyond the core ones: each module here owns its tables, demo data and real-data import.

A module defines its tables on `dashboard.store.schema.metadata` and exposes:
  NAME: str                             the dataset name (its version is in every cache key)
  LABEL: str                            what users call it ("education suspensions data")
  load_demo(engine, seed) -> int        replace the dataset with seeded demo data in one transaction
Modules are found by name, so adding a dataset needs no edit elsewhere.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def dataset_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name) if not info.name.startswith("_")]
