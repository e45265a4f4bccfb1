"""Small-number suppression for counts from child-level data, as DfE publishes them.

Primary: a count of 1 to 5 is shown as `c` (0 is shown: knowing nobody is in a cell discloses nobody).
Secondary: a table's totals are published too, so in every line (a row with its row total, a column with its
column total) a single hidden cell could be worked out by subtraction. Wherever a line has exactly one hidden
cell, the smallest other non-zero cell in it is hidden as well (the total itself only if no other cell can be),
repeated until no line has exactly one. Hidden cells are the string "c" in the returned table, so nothing a
browser receives can reveal them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SUPPRESSED = "c"
THRESHOLD = 5


def suppress(table: pd.DataFrame, count_columns: list[str] | None = None, *, row_total: str | None = None,
             column_total: str | None = None, label_column: str | None = None, threshold: int = THRESHOLD) -> pd.DataFrame:
    """Return `table` with small counts shown as "c", primary and secondary suppression applied.

    table          one row per category; `count_columns` (default: every numeric column) hold counts
    row_total      if given, a column of that name is added holding each row's total (it is published, so protected)
    column_total   if given, a row is added holding each column's total, labelled so in `label_column`
                   (default: the first column that is not a count)
    Counts that are missing (NaN) stay missing; they are not counted as 0 and never hidden.
    """
    table = table.reset_index(drop=True).copy()
    columns = list(count_columns) if count_columns is not None else [c for c in table.columns if table[c].dtype.kind in "iuf"]
    values = table[columns].to_numpy(dtype="float64")
    row_lines, col_lines = bool(row_total), bool(column_total)
    if row_lines:
        values = np.column_stack([values, np.nansum(values, axis=1)]) if len(values) else np.zeros((0, len(columns) + 1))
    if col_lines:
        values = np.vstack([values, np.nansum(values, axis=0)])
    hidden = (values >= 1) & (values <= threshold)
    n_rows, n_cols = values.shape
    # The lines whose totals are published: each is (cells, index of its total cell within the line or None).
    lines = []
    if row_lines:
        lines += [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    if col_lines:
        lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [(r, c) for r, c in line]
            n_hidden = sum(hidden[r, c] for r, c in cells)
            if n_hidden != 1:
                continue
            total_cell = cells[-1]   # the total is always the last cell of a line
            candidates = [(values[r, c], (r, c) == total_cell, r, c) for r, c in cells
                          if not hidden[r, c] and values[r, c] > 0 and not np.isnan(values[r, c])]
            if not candidates:
                continue
            # Hide the smallest other cell; the total only when there is nothing else to hide.
            _, _, r, c = min(candidates, key=lambda x: (x[1], x[0]))
            hidden[r, c] = True
            changed = True

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


def numeric(values) -> pd.Series:
    """Counts as numbers for charts: a suppressed "c" becomes NaN (drawn as a gap, never as 0)."""
    return pd.to_numeric(pd.Series(values).replace(SUPPRESSED, np.nan), errors="coerce")
