"""Disclosure control: the one place that decides which figures about other LAs' children or staff may be shown.

Every dashboard passes its true counts (and, where its page exempts them, which rows are the viewer's own LA) and
gets back what may be shown; no dashboard tests a count against a threshold itself. The method today is cell
suppression as DfE publishes it (issue 19 will replace it here with a differencing-proof one):

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
`ASSIGNMENTS_NOTE`, `SHARES_NOTE`, `rates_note`) is written here too, so a change of method changes its words with it.

Who calls what: Sufficiency's tables `suppress`, its derived figures `is_small`, `share_hidden` and `sum_hidden`;
Agency pay's summaries `suppress_groups`; Suspensions `shown_counts` and `hide_small_rates`; SEND's mixes
`hidden_cells`; Leadership in Colour's shares `hidden_shares` and `is_small`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

SUPPRESSED = "c"
NO_RETURN = "no return"
NONE_RETURNED = "none"

THRESHOLD = 5
"""Counts of children (or staff) from 1 to this are hidden."""
ASSIGNMENTS_LARGEST = 4
"""Agency pay: figures built from fewer than 5 assignments (1 to 4) are hidden, except for the viewer's own LA."""
RATE_MINIMUM = 10
"""Suspensions: rates and RRIs built on fewer than this many pupils with the outcome are not shown."""


# --- primary ------------------------------------------------------------------------------------------------------

def is_small(count, largest: int = THRESHOLD) -> bool:
    """True for a count that must be hidden (1 to `largest`); missing is not small."""
    return count is not None and not pd.isna(count) and 1 <= count <= largest


def small(counts, largest: int = THRESHOLD) -> np.ndarray:
    """`is_small` for an array of counts (NaN is not small)."""
    values = np.asarray(counts, dtype="float64")
    return (values >= 1) & (values <= largest)


def share_hidden(part, whole, largest: int = THRESHOLD) -> bool:
    """Whether the share part / whole must be hidden: a share beside its denominator gives away both the part and
    the rest, so either being small hides it."""
    return is_small(part, largest) or is_small(whole - part, largest)


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


def sum_hidden(value, hidden_inside: int, hidden_outside: int, largest: int = THRESHOLD) -> bool:
    """Whether a sum of some cells of a table whose total is shown must be hidden: with exactly one hidden cell inside
    it (the sum less the shown cells in it) or exactly one outside it (the total less the sum and the shown cells
    outside) it gives that cell away; and it is a count like any other."""
    return hidden_inside == 1 or hidden_outside == 1 or is_small(value, largest)


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


def suppress(table: pd.DataFrame, count_columns: list[str] | None = None, *, row_total: str | None = None,
             column_total: str | None = None, label_column: str | None = None, threshold: int = THRESHOLD) -> pd.DataFrame:
    """Return `table` with small counts shown as "c", primary and secondary suppression applied.

    table          one row per category; `count_columns` (default: every numeric column) hold counts
    row_total      if given, a column of that name is added holding each row's total (it is published, so protected)
    column_total   if given, a row is added holding each column's total, labelled so in `label_column`
                   (default: the first column that is not a count)
    Every row with its row total, and every column with its column total, is a line (see `secondary`). Hidden cells
    are the string "c" in the returned table, so nothing a browser receives can reveal them. Counts that are
    missing (NaN) stay missing; they are not counted as 0 and never hidden.
    """
    table = table.reset_index(drop=True).copy()
    columns = list(count_columns) if count_columns is not None else [c for c in table.columns if table[c].dtype.kind in "iuf"]
    values = table[columns].to_numpy(dtype="float64")
    row_lines, col_lines = bool(row_total), bool(column_total)
    if row_lines:
        values = np.column_stack([values, np.nansum(values, axis=1)]) if len(values) else np.zeros((0, len(columns) + 1))
    if col_lines:
        values = np.vstack([values, np.nansum(values, axis=0)])
    n_rows, n_cols = values.shape
    at = lambda r, c: r * n_cols + c   # noqa: E731  flat index of a cell
    lines = []   # the total is always the last cell of a line
    if row_lines:
        lines += [Line(tuple(at(r, c) for c in range(n_cols - 1)), at(r, n_cols - 1)) for r in range(n_rows)]
    if col_lines:
        lines += [Line(tuple(at(r, c) for r in range(n_rows - 1)), at(n_rows - 1, c)) for c in range(n_cols)]
    hidden = secondary(values.ravel(), small(values, threshold).ravel(), lines).reshape(values.shape)

    shown = values.astype(object)
    shown[hidden] = SUPPRESSED
    out_columns = columns + ([row_total] if row_lines else [])
    result = table.copy()
    if col_lines:
        label = label_column or next((c for c in table.columns if c not in columns), None)
        total_row = {c: None for c in table.columns}
        if label is not None:
            total_row[label] = column_total
        result = pd.concat([result, pd.DataFrame([total_row])], ignore_index=True)
    for j, column in enumerate(out_columns):
        result[column] = pd.Series([_as_count(v) for v in shown[:, j]], index=result.index, dtype=object)
    return result


def _as_count(value):
    if isinstance(value, str):
        return value
    if value is None or np.isnan(value):
        return None
    return int(round(value))


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

CHILDREN_NOTE = ("Counts of 1 to 5 children are shown as c, and where a total would reveal a hidden count the next "
                 "smallest count is hidden too. Percentages, medians and rates built on hidden counts are c as well. "
                 "This applies whenever a view includes children looked after by an LA other than your own.")
ASSIGNMENTS_NOTE = (f"Any figure built from fewer than {ASSIGNMENTS_LARGEST + 1} assignments is shown as 'c', except "
                    "for your own LA. Where one group is suppressed, the next-smallest is too ('c'), so a total "
                    "cannot give it away.")
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
