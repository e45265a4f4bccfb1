"""The care leavers dataset: DfE LAIT's care leavers' measures, imported with `python -m dashboard import-published`
(LAIT's long table, bds_long_*.csv, recognised by its columns). No upload and no demo data: until LAIT is imported
the page says what to import (the figures are published; a made-up figure beside real ones would mislead).

Child-level care leavers' figures (SSDA903 OC3: activity and accommodation by age, sex, ethnicity) are not here yet.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from dashboard.area_measures.imports import clear_figures, export_rows, lait_route
# Its table and names are defined with its reads (data.py).
from dashboard.dashboards.care_leavers.data import LABEL, NAME, care_leavers_value
from dashboard.dashboards.care_leavers.metrics import MEASURES
from dashboard.published.routes import Route

__all__ = ["LABEL", "NAME", "load_demo", "published_routes", "published_figures"]


def load_demo(engine: Engine, seed: int) -> int:
    """No demo figures: the dataset is emptied (the published import fills it again)."""
    return clear_figures(engine, care_leavers_value, NAME)


def published_routes() -> list[Route]:
    return [lait_route("care_leavers_lait", "Care leavers", "DfE LAIT care leavers aged 19 to 21: accommodation, "
                       "education, employment or training, not in touch, staying put", NAME, care_leavers_value, MEASURES)]


def published_figures(engine: Engine, _names: dict[str, str]) -> pd.DataFrame:
    return export_rows(engine, care_leavers_value, "care_leavers_")
