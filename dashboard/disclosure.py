"""Disclosure control: the one place that decides what figures about other LAs' children or staff may be shown.

The method is the ONS cell-key method, the one ONS made for the flexible tables of Census 2021 (a user builds any
table they like, so any two tables can be compared). It survives differencing where cell suppression cannot: the
same set of records always gets the same small change, whichever view, filter or download asks for it, so asking
twice, asking in pieces or subtracting one view from another gains nothing but the noise of both.

- Record key: every unit record (a child, an assignment) gets a fixed number 0-255, `record_keys(ids)`: the first
  byte of an HMAC-SHA256 of the record's stable identity (LA code + the record's id in the return) under the
  disclosure secret. Without the secret the keys are unpredictable; with it they never change.
- Cell key: a cell's key is the sum of its records' keys mod 256 (`cell_key`). The same records give the same key.
- Perturbation: the count shown is the true count plus `PTABLE[min(count, PTABLE_TOP), cell key]` (`protect`).
  No count of 1-4 is ever shown (they become 0 or 5 or more); a true count of 1-5 is never shown as itself; no
  count moves by more than 5 (1-4 by at most 4, 6 and over by at most 3); 0 stays 0 (an empty cell has no records);
  counts of 6 and over are left unchanged for only 1 cell key in 8. Every row averages about no change. See
  `_PTABLE_ROWS` for why.
- Totals are cells of their own: a total is protected like any count, not added up from protected parts, so
  totals need not equal the sum of their parts.
- Everything derived (percentages, rates, sentences, charts, downloads) is computed from protected counts
  (`share`, `rate`), never from true ones.
- The viewer's own LA: where a page exempts it, its records are counted exactly and only the other LAs' records in a
  cell are protected (`exact=` in `protected_counts` and `protected_count`).
- Aggregate returns (members' counts with no unit records behind them): a cell key from an HMAC of the cell's
  identity (dataset, LA, period, group), `identity_keys`; then `protect` as above.
- The disclosure secret (`secret()`): the setting DISCLOSURE_SECRET if set, else one generated at first use and kept
  in the store (table `disclosure_secret`), so it is the same in every worker, on every host and after a restart.
  Changing it changes every protected figure (and so lets old and new views be compared): set it once and keep it.
  `secret_id()` (a digest, not the secret) is in every cache key. Tests choose one with `use_secret`.

API for pages: `record_keys`, `cell_key`, `protect`, `protected_counts` (a DataFrame of records -> a protected count
per cell), `protected_count` (one cell, e.g. a total), `protected_tallies` (cells given by their records' count and
key sum, tallied once and added up), `identity_keys` and `protected_returns` (aggregate returns),
`share`, `rate`, and the
constants `RECORD_KEY` (the column of record keys `protected_counts` reads), `PTABLE`, `PTABLE_TOP`.

Markers: a figure not shown is written `SUPPRESSED` ("c": e.g. Agency pay's pay figures on too few assignments, a
count its publisher suppressed); an LA that sent nothing is `NO_RETURN`; an LA that returned but had no cases is
`NONE_RETURNED` (Agency pay). What the pages say about all this (`CHILDREN_NOTE`, `assignments_note`,
`RETURNED_COUNTS_NOTE`) is written here too, so a change of method changes its words with it.

Who calls what: Sufficiency and Agency pay protect their unit records (`protected_counts`, `protected_count`);
SEND, Suspensions and Leadership in Colour the counts members return (`protected_returns`, `identity_keys`).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets as _secrets
import threading
from typing import Iterable

import numpy as np
import pandas as pd
from flask import current_app, has_app_context
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from dashboard.store import get_engine, schema

SUPPRESSED = "c"
NO_RETURN = "no return"
NONE_RETURNED = "none"



# --- the cell-key method --------------------------------------------------------------------------------------------

KEY_RANGE = 256
RECORD_KEY = "record_key"
"""The column of record keys `protected_counts` reads."""

# Each row: {change: how many of the 256 cell keys give it}. Why these:
# - 1 to 4 become 0 or 5 (never 1-4), 0 more often the smaller the count, weighted so the average shown is the true
#   count (1 -> 0 for 205 keys, 5 for 51: 5 x 51/256 = 1.0): a published-style "small" is never shown, and a shown 0
#   or 5 does not say which small count (or none, or 6-8) is behind it.
# - 5 is never shown as 5 (a 5 shown could otherwise be read as "exactly 5"): 0, 6, 7 or 8, averaging 5.
# - 6 and 7 move by at most 1-2 downward, so that they too never land on 1-4.
# - 8 and over move by -3..+3, symmetric, and are unchanged for only 32 of 256 keys. Large counts must be perturbed
#   nearly always: a table where a total is usually exact would let "total minus the other parts" give a small cell
#   back exactly whenever those parts were exact too. With 7 in 8 perturbed, a difference of two or more protected
#   figures is the true value plus the sum of their changes, which is 0 only by chance, and under another secret
#   by another chance (the attack harness in tests/app/test_disclosure_attacks.py checks exactly this).
# - Spread (mean absolute change 1.4 for large counts) is a few children: small against the counts commissioners plan
#   with, and the same order as the ONS tables of Census 2021.
_PTABLE_ROWS = {
    0: {0: 256},
    1: {-1: 205, +4: 51},
    2: {-2: 154, +3: 102},
    3: {-3: 103, +2: 153},
    4: {-4: 51, +1: 205},
    5: {-5: 64, +1: 96, +2: 64, +3: 32},
    6: {-1: 124, 0: 32, +1: 68, +2: 32},
    7: {-2: 48, -1: 72, 0: 32, +1: 64, +2: 24, +3: 16},
    8: {-3: 16, -2: 40, -1: 56, 0: 32, +1: 56, +2: 40, +3: 16},
}
PTABLE_TOP = max(_PTABLE_ROWS)
"""Counts of this and more use the last row of `PTABLE`."""


def _spread(row: dict, stride: int = 97) -> np.ndarray:
    """The changes of one row laid out over the 256 cell keys: each change fills its share of keys, visited in a
    fixed stride (coprime with 256), so neighbouring keys get unrelated changes."""
    assert sum(row.values()) == KEY_RANGE, row
    ordered = np.repeat(np.array(sorted(row), dtype=np.int64), [row[c] for c in sorted(row)])
    out = np.empty(KEY_RANGE, dtype=np.int64)
    out[(np.arange(KEY_RANGE) * stride) % KEY_RANGE] = ordered
    return out


PTABLE = np.vstack([_spread(_PTABLE_ROWS[c]) for c in range(PTABLE_TOP + 1)])
"""PTABLE[min(count, PTABLE_TOP), cell_key]: the change added to a count. See `_PTABLE_ROWS` for its design."""
PTABLE.setflags(write=False)

_secret_lock = threading.Lock()
_secret_override: bytes | None = None
_secret_by_store: dict = {}


def use_secret(value: str | bytes | None) -> None:
    """Use this disclosure secret from now on in this process (tests and the attack harness); None goes back to the
    configured or stored one."""
    global _secret_override
    _secret_override = value.encode() if isinstance(value, str) else value


def _configured_secret() -> str:
    if has_app_context() and "LCSD_SETTINGS" in current_app.config:
        return current_app.config["LCSD_SETTINGS"].disclosure_secret
    return os.environ.get("DISCLOSURE_SECRET", "")


def secret() -> bytes:
    """The disclosure secret: `use_secret`'s, else DISCLOSURE_SECRET, else the store's (made at first use)."""
    if _secret_override is not None:
        return _secret_override
    configured = _configured_secret()
    if configured:
        return configured.encode()
    engine = get_engine()
    url = str(engine.url)
    with _secret_lock:
        if url not in _secret_by_store:
            _secret_by_store[url] = _stored_secret(engine)
        return _secret_by_store[url]


def _stored_secret(engine) -> bytes:
    """The store's secret, made now if it has none. Two workers starting at once both try to insert; the primary key
    lets one win and the other reads the winner's."""
    table = schema.disclosure_secret
    query = select(table.c.value).where(table.c.name == "cell_key")
    with engine.connect() as conn:
        value = conn.execute(query).scalar()
    if value is None:
        try:
            with engine.begin() as conn:
                conn.execute(insert(table).values(name="cell_key", value=_secrets.token_hex(32)))
        except IntegrityError:
            pass
        with engine.connect() as conn:
            value = conn.execute(query).scalar()
    return value.encode()


def secret_id() -> str:
    """A digest of the secret (not the secret): cached results carry it, so none outlives a change of secret."""
    return hashlib.sha256(b"disclosure-secret-id:" + secret()).hexdigest()[:12]


def _keys(texts: Iterable[str], key: bytes | None) -> np.ndarray:
    key = secret() if key is None else key
    return np.fromiter((hmac.new(key, t.encode(), hashlib.sha256).digest()[0] for t in texts), dtype=np.uint8)


def record_keys(ids: Iterable[str], *, key: bytes | None = None) -> np.ndarray:
    """A record key 0-255 for each record's stable identity (e.g. "E09000007:child:C0001"), fixed by the secret."""
    return _keys((f"record|{i}" for i in ids), key)


def identity_keys(identities: Iterable[str], *, key: bytes | None = None) -> np.ndarray:
    """A cell key 0-255 for each aggregate cell with no unit records behind it, from its identity (e.g.
    "send|E09000007|2024|EHCP"): the same cell gets the same key in every view."""
    return _keys((f"cell|{i}" for i in identities), key)


def cell_key(keys) -> int:
    """The cell key of a cell holding records with these record keys."""
    return int(np.asarray(keys, dtype=np.int64).sum() % KEY_RANGE)


def protect(counts, cell_keys) -> np.ndarray:
    """True counts -> the counts to show: each plus PTABLE[min(count, PTABLE_TOP), cell key]. Missing (NaN) stays
    missing."""
    values = np.asarray(counts, dtype="float64")
    keys = np.asarray(cell_keys, dtype="float64")
    out = np.full(values.shape, np.nan)
    known = ~np.isnan(values)
    n = values[known].astype(np.int64)
    if (n < 0).any():
        raise ValueError("a count cannot be negative")
    out[known] = n + PTABLE[np.minimum(n, PTABLE_TOP), keys[known].astype(np.int64) % KEY_RANGE]
    return out.astype(np.int64) if known.all() else out


def protected_tallies(size, key_sum, *, exact: bool = False) -> np.ndarray:
    """Cells given by their records' tallies, not the records: how many records each cell holds and the sum of their
    record keys. The count shown is the one `protected_counts` gives the same records (a cell's key is its key sum
    mod 256), so a page can tally its records once (per data version, by LA and code) and add up the tallies of any
    set of them: a tally of several parts is the sum of theirs. `exact`: every record is the viewer's own LA's, counted
    exactly."""
    size = np.asarray(size, dtype=np.int64)
    return size.copy() if exact else protect(size, np.asarray(key_sum, dtype=np.int64) % KEY_RANGE)


def _exact_mask(records: pd.DataFrame, exact) -> np.ndarray:
    if exact is None:
        return np.zeros(len(records), dtype=bool)
    mask = exact(records) if callable(exact) else exact
    return np.asarray(mask, dtype=bool)


def protected_count(records: pd.DataFrame, *, exact=None, key: str = RECORD_KEY) -> int:
    """One cell (a total, a KPI): the protected count of `records`, those under `exact` (the viewer's own LA)
    counted exactly."""
    return protected_key_count(records[key].to_numpy(), _exact_mask(records, exact))


def protected_key_count(keys: np.ndarray, mine: np.ndarray) -> int:
    """`protected_count` of records given by their keys, `mine` (a boolean mask) marking those counted exactly."""
    others = keys[~mine]
    return int(mine.sum()) + int(protect([len(others)], [cell_key(others)])[0])


def protected_counts(records: pd.DataFrame, by: list[str] | str, *, categories: dict | None = None, exact=None,
                     key: str = RECORD_KEY) -> pd.Series:
    """A protected count per cell of `records` grouped `by` (a column or columns): a Series indexed by the cells.

    categories  {column: [values]}: every combination is a cell, shown as 0 where no record falls (an empty cell has
                no records, so nothing to protect), and records with other values are left out; a column not named
                here takes the values present, sorted. Without `categories`, only cells holding a record are returned.
    exact       a boolean mask over `records`, or a function of `records` giving one: those rows (the viewer's own
                LA's) are counted exactly; the other rows of each cell are protected as a cell of their own.

    A view counts by the same few category lists many times: their indexes, the counts' index and each categorical
    column's lookup into them are kept (`_level`, `_index`, `_codes`), so a count reads only the records' codes.
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    given, levels, codes = [], [], []
    for column in by:
        values = records[column]
        if categories is not None and column in categories:
            kept, level = _level(categories[column])
            given.append(kept)
        else:
            kept, level = None, pd.Index(sorted(pd.unique(values.dropna()), key=str))
        levels.append(level)
        codes.append(_codes(values, level, kept=kept is not None))
    shape = tuple(len(level) for level in levels)
    cells = int(np.prod(shape)) if shape else 1
    if len(codes) == 1:
        flat, inside = codes[0], codes[0] >= 0
    else:
        inside = np.logical_and.reduce([c >= 0 for c in codes]) if codes else np.ones(len(records), dtype=bool)
        flat = (np.ravel_multi_index([np.where(inside, c, 0) for c in codes], shape) if cells
                else np.zeros(len(records), dtype=np.int64))
    keys = records[key].to_numpy()
    if exact is None:
        others, exact_count = inside, np.zeros(cells, dtype=np.int64)
    else:
        mine = _exact_mask(records, exact)
        others = inside & ~mine
        exact_count = np.bincount(flat[inside & mine], minlength=cells)
    size = np.bincount(flat[others], minlength=cells)
    key_sum = np.bincount(flat[others], weights=keys[others], minlength=cells).astype(np.int64)
    shown = protected_tallies(size, key_sum) + exact_count
    index = (_index(by, tuple(given), levels) if len(given) == len(by)
             else pd.MultiIndex.from_product(levels, names=list(by)) if len(by) > 1 else levels[0].rename(by[0]))
    counts = pd.Series(shown.astype("int64"), index=index)
    return counts if categories is not None else counts[(size + exact_count) > 0]


_KEPT = 512                # the most of each kind kept (a few KB each)
_LEVELS: dict = {}         # (categories, their types) -> an index of them
_INDEXES: dict = {}        # (columns, their categories) -> the counts' index (a MultiIndex for several columns)
_LOOKUPS: dict = {}        # (id of a categorical column's categories, id of a level) -> (those, the level, positions)


def _level(categories) -> tuple[tuple, pd.Index]:
    """The categories as a key (with their types: 1, 1.0 and True are equal keys but not equal indexes) and their
    index, kept."""
    values = tuple(categories)
    given = (values, tuple(map(type, values)))
    level = _LEVELS.get(given)
    if level is None:
        level = pd.Index(list(values))
        if len(_LEVELS) < _KEPT:
            _LEVELS[given] = level
    return given, level


def _index(by: tuple, given: tuple, levels: list) -> pd.Index:
    index = _INDEXES.get((by, given))
    if index is None:
        index = pd.MultiIndex.from_product(levels, names=list(by)) if len(by) > 1 else levels[0].rename(by[0])
        if len(_INDEXES) < _KEPT:
            _INDEXES[(by, given)] = index
    return index


def _codes(values: pd.Series, level: pd.Index, *, kept: bool = False) -> np.ndarray:
    """Each value's position in `level` (-1 if not there), cheaply for a categorical column: its categories' positions
    in `level` are looked up once (and kept, for a `kept` level: `_level`'s), then read through its codes."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        return level.get_indexer(values.to_numpy())
    categories = values.dtype.categories
    held = _LOOKUPS.get((id(categories), id(level))) if kept else None
    if held is None or held[0] is not categories or held[1] is not level:   # ids are unique while both are held
        held = (categories, level, np.append(level.get_indexer(categories), -1))
        if kept:
            if len(_LOOKUPS) >= _KEPT:
                _LOOKUPS.clear()
            _LOOKUPS[(id(categories), id(level))] = held
    return held[2][values.array.codes]          # code -1 (missing) reads the appended -1


def protected_returns(rows: pd.DataFrame, identity: list[str], counts: list[str], dataset: str, *,
                      key: bytes | None = None) -> pd.DataFrame:
    """Aggregate returns as any member may see them: a copy of `rows` with each count in `counts` protected as a cell
    of its own, its cell key from `identity_keys` of the dataset, the row's `identity` values and the column (so the
    same LA, period, group and count gets the same change in every view). Missing stays missing (never 0)."""
    out = rows.copy()
    ids = ["|".join(map(str, values)) for values in zip(*(out[c] for c in identity))] if len(out) else []
    for column in counts:
        values = pd.to_numeric(out[column], errors="coerce").astype("float64").to_numpy()
        known = ~np.isnan(values)
        shown = np.full(len(values), np.nan)
        if known.any():
            cells = identity_keys((f"{dataset}|{i}|{column}" for i, k in zip(ids, known) if k), key=key)
            shown[known] = protect(np.round(values[known]), cells)
        out[column] = pd.array(shown, dtype="Float64").round().astype("Int64") if isinstance(
            out[column].dtype, pd.Int64Dtype) else shown
    return out


def share(part, whole, digits: int = 1):
    """A percentage built from protected counts (None where the whole is 0 or missing)."""
    if whole is None or pd.isna(whole) or whole <= 0 or part is None or pd.isna(part):
        return None
    return round(100.0 * float(part) / float(whole), digits)


def rate(count, denominator, per: float = 100.0, digits: int = 2):
    """A rate built from a protected count (None where the denominator is 0 or missing)."""
    if denominator is None or pd.isna(denominator) or denominator <= 0 or count is None or pd.isna(count):
        return None
    return round(per * float(count) / float(denominator), digits)


# --- what the pages say about it -----------------------------------------------------------------------------------

CHILDREN_NOTE = ("Other LAs' children are protected by the cell-key method (as used for the Census 2021 flexible "
                 "tables): every count gets a small fixed change, the same wherever and however it is asked for, so "
                 "comparing views gives nothing away. No count of 1 to 4 is shown (they show as 0 or 5 or more), a count "
                 "of 5 is never shown as 5, and other counts move by at most 3. Totals are protected in their own right, so "
                 "they need not equal the sum of their parts, and a count may differ by a few from the DfE's published "
                 "figure. Percentages, rates and forecasts are worked out from the protected counts. Your own LA alone "
                 "is shown exactly.")


def assignments_note(pay_minimum: int) -> str:
    """Agency pay's note: counts perturbed by the cell-key method, pay figures only for groups large enough."""
    return ("Counts of other LAs' assignments (the Assignments column, the counts over cap, the area totals) are "
            "protected by the ONS cell-key method: each is changed by a small amount, the same amount every time the "
            "same assignments are counted, whichever view or download shows them. No count of 1 to 4 is ever shown "
            "(they show as 0 or 5), a count of 5 is never shown as 5, and counts of 8 or more move by at most 3. Totals are protected on their own, so they "
            "need not equal the sum of the figures beside them. Shares over cap are the protected count over cap "
            "divided by the protected count. Pay figures (rates, quartiles, spend over cap) are shown only where at "
            f"least {pay_minimum} of other LAs' assignments are counted (the most a group of fewer than 5 can be shown "
            "as, plus one); otherwise they are 'c'. Your own LA's assignments are counted exactly and its pay figures "
            "are always shown; a view mixing your LA with others protects the others' part.")


RETURNED_COUNTS_NOTE = ("Counts from members' returns (and the demo data standing in for them) are protected by the "
                        "ONS cell-key method: each LA's count for a year is changed by a small amount, the same amount "
                        "wherever it is shown, so comparing views or subtracting one figure from another gives nothing "
                        "away. No count of 1 to 4 is shown (they show as 0 or 5), a count of 5 is never shown as 5, and "
                        "counts of 8 or more move by at most 3. Your own LA's counts are protected too on these pages "
                        "(every member sees the same figures). Totals, sub-region figures and shares are worked out from "
                        "the protected counts, so they may differ by a few from the true ones. Figures published by the "
                        "DfE, ONS or Ofsted are shown as published (their publishers have already suppressed or "
                        "rounded them).")


# --- for charts ---------------------------------------------------------------------------------------------------

def numeric(values) -> pd.Series:
    """Counts as numbers for charts: a suppressed "c" becomes NaN (drawn as a gap, never as 0)."""
    return pd.to_numeric(pd.Series(values).replace(SUPPRESSED, np.nan), errors="coerce")
