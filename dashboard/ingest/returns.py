"""Every uploadable dataset's spec, found in the dashboards' packages: a dashboard's `returns` module with an `UPLOAD`
(a `dashboard.ingest.specs.DatasetSpec`) is uploadable. The regional quarterly return, which every LA makes, comes
first; the others by name."""
from __future__ import annotations

from dashboard.dashboards import dataset_modules
from dashboard.ingest.specs import DatasetSpec

REGIONAL_RETURN = "benchmarking"

SPECS: dict[str, DatasetSpec] = {spec.name: spec for spec in sorted(
    (module.UPLOAD for module in dataset_modules() if hasattr(module, "UPLOAD")),
    key=lambda spec: (spec.name != REGIONAL_RETURN, spec.label))}
