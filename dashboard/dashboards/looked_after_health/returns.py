"""The health of looked-after children dataset: DfE LAIT's OC2 measures, imported with `python -m dashboard
import-published` (LAIT's long table, bds_long_*.csv, recognised by its columns). No upload and no demo data: until
LAIT is imported the page says what to import.

Child-level OC2 figures (SSDA903's OC2 table: each child's checks and SDQ) are not here yet.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from dashboard.area_measures.imports import clear_figures, export_rows, lait_route
# Its table and names are defined with its reads (data.py).
from dashboard.dashboards.looked_after_health.data import LABEL, NAME, looked_after_health_value
from dashboard.dashboards.looked_after_health.metrics import MEASURES
from dashboard.published.routes import Route

__all__ = ["LABEL", "NAME", "load_demo", "published_routes", "published_figures"]


def load_demo(engine: Engine, seed: int) -> int:
    """No demo figures: the dataset is emptied (the published import fills it again)."""
    return clear_figures(engine, looked_after_health_value, NAME)


def published_routes() -> list[Route]:
    return [lait_route("looked_after_health_lait", "Health of looked-after children", "DfE LAIT health and dental "
                       "checks, immunisations, substance misuse, offending and SDQ scores of looked-after children", NAME,
                       looked_after_health_value, MEASURES)]


def published_figures(engine: Engine, _names: dict[str, str]) -> pd.DataFrame:
    return export_rows(engine, looked_after_health_value, "looked_after_health_")
