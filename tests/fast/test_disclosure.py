"""Small-number suppression, hand-worked: primary (1-5 shown as c) and secondary (totals must not give a cell away)."""
import numpy as np
import pandas as pd

from dashboard.disclosure import SUPPRESSED as C
from dashboard.disclosure import numeric, suppress


def _vector(values):
    return pd.DataFrame({"Category": [f"k{i}" for i in range(len(values))], "Children": values})


def test_a_count_of_1_to_5_is_hidden_and_the_next_smallest_too_when_a_total_is_shown():
    out = suppress(_vector([10, 3, 20]), ["Children"], column_total="Total")
    # 3 is primary; the total 33 would give it away (33 - 10 - 20), so the smallest other count, 10, goes too.
    assert list(out["Children"]) == [C, C, 20, 33]
    assert out["Category"].iloc[-1] == "Total"


def test_zero_and_six_are_shown():
    out = suppress(_vector([0, 6, 20]), ["Children"], column_total="Total")
    assert list(out["Children"]) == [0, 6, 20, 26]


def test_without_totals_only_primary_suppression():
    out = suppress(_vector([10, 3, 20]), ["Children"])
    assert list(out["Children"]) == [10, C, 20]


def test_a_total_that_equals_the_only_small_cell_is_hidden_itself():
    out = suppress(_vector([0, 4, 0]), ["Children"], column_total="Total")
    assert list(out["Children"]) == [0, C, 0, C]


def test_two_small_cells_protect_each_other():
    out = suppress(_vector([2, 4, 30]), ["Children"], column_total="Total")
    assert list(out["Children"]) == [C, C, 30, 36]


def test_two_way_table_secondary_suppression_holds_in_every_row_and_column():
    table = pd.DataFrame({"From": ["A", "B", "C"], "x": [20, 3, 12], "y": [15, 9, 8], "z": [7, 11, 30]})
    out = suppress(table, ["x", "y", "z"], row_total="Total", column_total="Total", label_column="From")
    assert out.loc[1, "x"] == C
    cells = out[["x", "y", "z", "Total"]]
    hidden = cells == C
    # No row and no column (totals included) has exactly one hidden cell: nothing can be worked out by subtraction.
    assert not (hidden.sum(axis=1) == 1).any()
    assert not (hidden.sum(axis=0) == 1).any()
    # What is shown is unchanged, and the totals are the true totals.
    assert out.loc[3, "Total"] == 115
    assert out.loc[0, "Total"] == 42


def test_missing_stays_missing_not_zero():
    out = suppress(_vector([np.nan, 12, 30]), ["Children"])
    assert out["Children"].iloc[0] is None


def test_numeric_turns_c_into_a_gap():
    values = numeric([C, 7, None])
    assert np.isnan(values.iloc[0]) and values.iloc[1] == 7 and np.isnan(values.iloc[2])
