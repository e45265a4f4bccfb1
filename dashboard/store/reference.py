"""Reference data (sub-regions, LAs, indicator catalogue): shipped as CSV under data/, loaded into the store.

The CSVs are the defaults; once loaded, the store is the truth (an admin may edit sub-regions),
so loading only fills empty tables.
"""
from __future__ import annotations

import functools

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.config import DATA_DIR
from dashboard.store import schema
from dashboard.store.datasets import bump_version

POLARITIES = ("higher", "lower", "neither")


def read_reference_csvs() -> dict[str, pd.DataFrame]:
    subregions = pd.read_csv(DATA_DIR / "subregions.csv", dtype=str)
    subregions["sort_order"] = subregions["sort_order"].astype(int)
    las = pd.read_csv(DATA_DIR / "local_authorities.csv", dtype=str).rename(columns={"subregion": "subregion_code"})
    indicators = pd.read_csv(DATA_DIR / "indicators.csv", dtype=str)
    indicators["decimal_places"] = indicators["decimal_places"].astype(int)
    indicators["sort_order"] = indicators["sort_order"].astype(int)
    indicators["england_available"] = indicators["england_available"].str.lower().eq("yes")
    bad = set(indicators["polarity"]) - set(POLARITIES)
    if bad:
        raise ValueError(f"data/indicators.csv: column 'polarity' has {sorted(bad)}; allowed: {POLARITIES}")
    return {"subregion": subregions, "local_authority": las, "indicator": indicators}


def load_reference_data(engine: Engine) -> None:
    """Fill each empty reference table from its CSV, in one transaction."""
    frames = read_reference_csvs()
    with engine.begin() as conn:
        filled = False
        for table_name in ("subregion", "local_authority", "indicator"):
            table = schema.metadata.tables[table_name]
            if conn.execute(select(func.count()).select_from(table)).scalar_one() == 0:
                conn.execute(table.insert(), frames[table_name].to_dict("records"))
                filled = True
        if filled:
            bump_version(conn, "reference", is_demo=False)


_COUNTRIES = {"S": "Scotland", "N": "Northern Ireland", "W": "Wales"}


@functools.cache
def _district_regions() -> dict[str, str]:
    regions = pd.read_csv(DATA_DIR / "district_regions.csv", dtype=str)
    return dict(zip(regions["lad_code"], regions["region"]))


def region_of_district(codes: pd.Series) -> pd.Series:
    """Each local authority district's region ("South East", "London"...; "Scotland" or "Northern Ireland" beyond
    England and Wales) from data/district_regions.csv (ONS, April 2023); None when the code is blank or unknown."""
    regions = _district_regions()
    text = codes.astype(object).where(codes.notna(), "")
    found = text.map(regions)
    country = text.str[:1].map(_COUNTRIES)
    return found.where(found.notna(), country).astype(object).where(lambda r: r.notna(), None)
