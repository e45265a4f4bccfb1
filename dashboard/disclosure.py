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
per cell), `protected_count` (one cell, e.g. a total), `identity_keys` (aggregate inputs), `share`, `rate`, and the
constants `RECORD_KEY` (the column of record keys `protected_counts` reads), `PTABLE`, `PTABLE_TOP`.

Still here until their pages move to the cell-key method (issue 19): cell suppression as DfE publishes it.
- Primary: a count of 1 to `largest` is hidden (0 is shown: knowing nobody is in a cell discloses nobody). Children's
  counts hide 1 to 5 (`THRESHOLD`); Agency pay hides groups of fewer than 5 assignments (`ASSIGNMENTS_LARGEST`, 4).
  The viewer's own LA is exempt where a page says so (Agency pay): they know its figures already.
- Secondary: wherever cells add up to a figure the reader knows (a published total, 100% of known staff), a single
  hidden cell among them could be worked out by subtraction. Wherever such a line has exactly one hidden cell, the
  smallest other non-zero cell in it is hidden too (the total itself only if no other cell can be; never the
  viewer's own LA), repeated until no line has exactly one.
- Derived figures: rates built on fewer than `RATE_MINIMUM` cases are not shown (Suspensions); aggregate counts
  may be shown rounded (`round_to`).
- Missing is not zero: a count that is missing (no return, not published) stays missing; it is never hidden,
  never counted as 0 and never chosen to protect another cell.

Markers: a hidden figure is written `SUPPRESSED` ("c"); an LA that sent nothing is `NO_RETURN`; an LA that returned
but had no cases is `NONE_RETURNED` (Agency pay). What the pages say about all this (`CHILDREN_NOTE`,
`assignments_note`, `SHARES_NOTE`, `rates_note`) is written here too, so a change of method changes its words with it.

Who calls what: Sufficiency and Agency pay use the cell-key method; Suspensions
`shown_counts` and `hide_small_rates`; SEND's mixes `hidden_cells`; Leadership in Colour's shares `hidden_shares` and
`is_small`.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets as _secrets
import threading
from typing import Iterable, NamedTuple

import numpy as np
import pandas as pd
from flask import current_app, has_app_context
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from dashboard.store import get_engine, schema

SUPPRESSED = "c"
NO_RETURN = "no return"
NONE_RETURNED = "none"

THRESHOLD = 5
"""Counts of children (or staff) from 1 to this are hidden."""
ASSIGNMENTS_LARGEST = 4
"""Agency pay: figures built from fewer than 5 assignments (1 to 4) are hidden, except for the viewer's own LA."""
RATE_MINIMUM = 10
"""Suspensions: rates and RRIs built on fewer than this many pupils with the outcome are not shown."""


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


def _exact_mask(records: pd.DataFrame, exact) -> np.ndarray:
    if exact is None:
        return np.zeros(len(records), dtype=bool)
    mask = exact(records) if callable(exact) else exact
    return np.asarray(mask, dtype=bool)


def protected_count(records: pd.DataFrame, *, exact=None, key: str = RECORD_KEY) -> int:
    """One cell (a total, a KPI): the protected count of `records`, those under `exact` (the viewer's own LA)
    counted exactly."""
    mine = _exact_mask(records, exact)
    others = records[key].to_numpy()[~mine]
    return int(mine.sum()) + int(protect([len(others)], [cell_key(others)])[0])


def protected_counts(records: pd.DataFrame, by: list[str] | str, *, categories: dict | None = None, exact=None,
                     key: str = RECORD_KEY) -> pd.Series:
    """A protected count per cell of `records` grouped `by` (a column or columns): a Series indexed by the cells.

    categories  {column: [values]}: every combination is a cell, shown as 0 where no record falls (an empty cell has
                no records, so nothing to protect), and records with other values are left out; a column not named
                here takes the values present, sorted. Without `categories`, only cells holding a record are returned.
    exact       a boolean mask over `records`, or a function of `records` giving one: those rows (the viewer's own
                LA's) are counted exactly; the other rows of each cell are protected as a cell of their own.
    """
    by = [by] if isinstance(by, str) else list(by)
    mine = _exact_mask(records, exact)
    levels, codes = [], []
    for column in by:
        values = records[column]
        given = categories is not None and column in categories
        level = pd.Index(list(categories[column]) if given else sorted(pd.unique(values.dropna()), key=str))
        levels.append(level)
        codes.append(_codes(values, level))
    shape = tuple(len(level) for level in levels)
    cells = int(np.prod(shape)) if shape else 1
    inside = np.all([c >= 0 for c in codes], axis=0) if codes else np.ones(len(records), dtype=bool)
    flat = np.ravel_multi_index([c[inside] for c in codes], shape) if cells else np.zeros(0, dtype=np.int64)
    keys = records[key].to_numpy()[inside].astype(np.int64)
    own = mine[inside]
    size = np.bincount(flat[~own], minlength=cells)
    key_sum = np.bincount(flat[~own], weights=keys[~own], minlength=cells).astype(np.int64)
    exact_count = np.bincount(flat[own], minlength=cells)
    shown = protect(size, key_sum % KEY_RANGE) + exact_count
    index = pd.MultiIndex.from_product(levels, names=by) if len(by) > 1 else levels[0].rename(by[0])
    counts = pd.Series(shown.astype("int64"), index=index)
    return counts if categories is not None else counts[(size + exact_count) > 0]


def _codes(values: pd.Series, level: pd.Index) -> np.ndarray:
    """Each value's position in `level` (-1 if not there), cheaply for a categorical column."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.append(level.get_indexer(values.cat.categories), -1)
        return lookup[values.cat.codes.to_numpy()]          # code -1 (missing) reads the appended -1
    return level.get_indexer(values.to_numpy())


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


# --- cell suppression (pages not yet moved to the cell-key method) ------------------------------------------------

# --- primary ------------------------------------------------------------------------------------------------------

def is_small(count, largest: int = THRESHOLD) -> bool:
    """True for a count that must be hidden (1 to `largest`); missing is not small."""
    return count is not None and not pd.isna(count) and 1 <= count <= largest


def small(counts, largest: int = THRESHOLD) -> np.ndarray:
    """`is_small` for an array of counts (NaN is not small)."""
    values = np.asarray(counts, dtype="float64")
    return (values >= 1) & (values <= largest)


# --- secondary ----------------------------------------------------------------------------------------------------

class Line(NamedTuple):
    """Cells (flat indices) that add up to a figure the reader knows.

    cells        the parts, in the order ties are broken (the first of equal smallest is hidden)
    total        the cell holding their total, if it is shown in the table: part of the line, hidden last of all
    while_shown  a cell whose showing is what makes the line known (checked as each pass starts): while it is
                 hidden the line gives nothing away
    """
    cells: tuple
    total: int | None = None
    while_shown: int | None = None


def secondary(values, hidden, lines: list[Line], *, keep=None, zeros_if_needed: bool = False) -> np.ndarray:
    """Secondary suppression: more cells hidden until no line has exactly one hidden cell it could give away.

    values   flat counts (NaN = missing: never hidden to protect another cell)
    hidden   flat bool, the cells hidden so far (primary); a copy is returned
    keep     flat bool, cells never hidden to protect another (the viewer's own LA: it would hide nothing from them)
    zeros_if_needed  where no non-zero cell is left to hide, hide a zero one (a share of 0% beside a known total
             gives the rest away too)
    """
    values = np.asarray(values, dtype="float64")
    hidden = np.array(hidden, dtype=bool, copy=True)
    keep = np.zeros(len(values), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    changed = True
    while changed:
        changed = False
        active = [line for line in lines if line.while_shown is None or not hidden[line.while_shown]]
        for line in active:
            members = list(line.cells) + ([line.total] if line.total is not None else [])
            if sum(bool(hidden[i]) for i in members) != 1:
                continue
            open_cells = [i for i in members if not hidden[i] and not keep[i] and not np.isnan(values[i])
                          and (values[i] > 0 or (zeros_if_needed and i != line.total))]
            if not open_cells:
                continue
            # The smallest non-zero part; a zero part only if allowed and needed; the total last of all.
            choice = min(open_cells, key=lambda i: (i == line.total, not values[i] > 0, values[i]))
            hidden[choice] = True
            changed = True
    return hidden


def _group_lines(within, n: int) -> list[Line]:
    """One line per set of rows with the same label in `within` (all rows if None), no total cell."""
    if within is None:
        return [Line(tuple(range(n)))] if n else []
    labels = pd.factorize(pd.Series(within).to_numpy())[0]
    return [Line(tuple(np.flatnonzero(labels == label))) for label in range(labels.max() + 1)] if len(labels) else []


# --- what a page may show ----------------------------------------------------------------------------------------

def hidden_groups(counts, own=None, *, largest: int = THRESHOLD, secondary_too: bool = True, within=None) -> pd.Series:
    """True for each group (row) whose figures must be hidden: its count is small and it is not the viewer's own,
    plus, where the groups' total is shown, a secondary within each set of rows sharing a `within` label."""
    counts = pd.Series(counts)
    values = pd.to_numeric(counts, errors="coerce").to_numpy(dtype="float64")
    mine = np.zeros(len(values), dtype=bool) if own is None else pd.Series(own).to_numpy(dtype=bool)
    hidden = small(values, largest) & ~mine
    if secondary_too:
        hidden = secondary(values, hidden, _group_lines(within, len(values)), keep=mine)
    return pd.Series(hidden, index=counts.index)


def shown_counts(counts, own=None, *, largest: int = THRESHOLD, secondary_too: bool = True,
                 rounding: int | None = None) -> pd.Series:
    """Counts as they may be shown: NaN where `hidden_groups` hides them (or they are missing), rounded to the
    nearest `rounding` if given."""
    hidden = hidden_groups(counts, own, largest=largest, secondary_too=secondary_too)
    values = pd.to_numeric(pd.Series(counts), errors="coerce").astype("float64").where(~hidden)
    return round_to(values, rounding)


def hidden_cells(table: pd.DataFrame, columns: list[str], *, total: str | None = None,
                 largest: int = THRESHOLD) -> pd.DataFrame:
    """True for each count to hide in a table whose rows add up (to the column `total`, if shown, or to a total
    shown elsewhere): primary, then a secondary within each row."""
    cells = list(columns) + ([total] if total else [])
    values = table[cells].apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64")
    n_rows, width = values.shape
    lines = [Line(tuple(r * width + c for c in range(len(columns))), r * width + len(columns) if total else None)
             for r in range(n_rows)]
    hidden = secondary(values.ravel(), small(values, largest).ravel(), lines).reshape(values.shape)
    return pd.DataFrame(hidden, index=table.index, columns=cells)


def hidden_shares(wide: pd.DataFrame, columns: list[str], known: str, lines: list[Line], *,
                  largest: int = THRESHOLD) -> pd.DataFrame:
    """True for each share of known staff (count / `known`) to hide, row by row.

    Primary: the count is small, or the rest of the known staff is (a share beside its denominator gives both
    away), or the known headcount itself is. Secondary: `lines` (indices into `columns`) are the shares that add
    up; a zero share is hidden where no other can be.
    """
    counts = wide[list(columns)].to_numpy(dtype="float64")
    whole = wide[known].to_numpy(dtype="float64")
    hidden = small(counts, largest) | small(whole[:, None] - counts, largest) | small(whole, largest)[:, None]
    for row in range(len(counts)):
        hidden[row] = secondary(counts[row], hidden[row], lines, zeros_if_needed=True)
    return pd.DataFrame(hidden, index=wide.index, columns=list(columns))


def suppress_groups(summary: pd.DataFrame, own, figures: list[str], *, count: str = "n",
                    largest: int = ASSIGNMENTS_LARGEST, secondary_too: bool = True,
                    within: str | None = None) -> pd.DataFrame:
    """Summaries of groups as a page may show them: `figures` blanked (NaN) where the group is hidden (see
    `hidden_groups`; secondary within each value of the column `within`), has no cases, or sent no return, and a
    `status` column saying why a row has no figures: SUPPRESSED, NONE_RETURNED (column `returned` true, count 0),
    NO_RETURN (column `returned` false), or "" where its figures are shown."""
    out = summary.copy()
    own = pd.Series(own, index=out.index).astype(bool)
    n = out[count].fillna(0).astype(int)
    hidden = hidden_groups(n, own, largest=largest, secondary_too=secondary_too,
                           within=out[within] if within else None)
    status = np.where(hidden, SUPPRESSED, np.where(n == 0, NONE_RETURNED, ""))
    if "returned" in out:
        status = np.where(out["returned"].astype(bool), status, NO_RETURN)
    out["status"] = status
    blank = [c for c in figures if c in out]
    if (status != "").any() and blank:
        values = out[blank].to_numpy(dtype="float64", copy=True)
        values[status != ""] = np.nan
        out[blank] = values
    return out


# --- derived figures ----------------------------------------------------------------------------------------------

def hide_small_rates(table: pd.DataFrame, reference: str, minimum: int = RATE_MINIMUM, *,
                     by: list[str] | None = None) -> pd.DataFrame:
    """Blank the rate, RRI, interval, band and significance (the columns of a relative rate index table) built on
    fewer than `minimum` cases with the outcome.

    A group's RRI also rests on the reference group's count, so when the reference has fewer than `minimum`, no
    RRI is shown in that table at all (each table being one set of `by` values). Adds boolean columns `suppressed`
    (rate hidden) and `rri_suppressed` (RRI hidden). A missing count hides nothing of its own.
    """
    by = list(by or [])
    out = table.copy()
    count = pd.to_numeric(out["count"], errors="coerce")
    is_ref = out["group"] == reference
    if by:
        keys = pd.MultiIndex.from_frame(out[by]).to_flat_index()
        ref_count = pd.Series(count[is_ref].to_numpy(), index=keys[is_ref.to_numpy()])
        row_ref = ref_count.reindex(keys).to_numpy()
    else:
        row_ref = np.repeat(count[is_ref].iloc[0] if is_ref.any() else np.nan, len(out))
    ref_small = ~(row_ref >= minimum)  # True for NaN
    rate_hidden = (count < minimum).fillna(False).to_numpy(dtype=bool)
    rri_hidden = rate_hidden | ref_small
    out["suppressed"] = rate_hidden
    out["rri_suppressed"] = rri_hidden
    out.loc[rate_hidden, "rate_per_1000"] = np.nan
    for column in ("rri", "ci_low", "ci_high"):
        out.loc[rri_hidden, column] = np.nan
    out["band"] = out["band"].astype(object).where(~rri_hidden, None)
    out["significant"] = out["significant"].astype("boolean").where(~rri_hidden, pd.NA)
    return out


def rate_shown(count, minimum: int = RATE_MINIMUM) -> bool:
    """Whether a rate built on `count` cases may be shown."""
    return bool(count >= minimum)


def round_to(values, base: int | None):
    """Counts rounded to the nearest `base` (None: unchanged); missing stays missing."""
    if base is None:
        return values
    return (pd.Series(values, dtype="float64") / base).round() * base if not np.isscalar(values) else (
        np.nan if pd.isna(values) else float(round(values / base) * base))


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
SHARES_NOTE = ("A share is shown as c where the count behind it, the rest of the known staff, or the known headcount "
               "is 1 to 5; where one share of a set that adds up is hidden, another is hidden too so it cannot be "
               "worked out.")


def rates_note(reference: str) -> str:
    """Suspensions' note: rates and RRIs on few cases, and counts."""
    return (f"Rates and RRIs built on fewer than {RATE_MINIMUM} pupils with the outcome (in the group, or in "
            f"{reference} for the RRI) are not shown. Counts of 1 to 5 are shown as c, and where one count alone is "
            "hidden the next smallest is hidden too, so the total cannot reveal it.")


RATES_MARKER_NOTE = ("Suppressed: a count of 1 to 5 (or hidden so a total cannot reveal one), "
                     f"or a rate or RRI built on fewer than {RATE_MINIMUM} pupils.")


# --- for charts ---------------------------------------------------------------------------------------------------

def numeric(values) -> pd.Series:
    """Counts as numbers for charts: a suppressed "c" becomes NaN (drawn as a gap, never as 0)."""
    return pd.to_numeric(pd.Series(values).replace(SUPPRESSED, np.nan), errors="coerce")
