"""Disclosure control (dashboard.disclosure), hand-worked: primary (1-5 shown as c), secondary (totals and the visible
parts must not give a cell away, within lines and groups), the viewer's own LA, and missing is not zero.
Pure: no app, no store."""
import numpy as np
import pandas as pd
import pytest

from dashboard import disclosure as d
from dashboard.disclosure import NO_RETURN, NONE_RETURNED, Line
from dashboard.disclosure import SUPPRESSED as C
from dashboard.disclosure import numeric, suppress


# --- tables with totals (suppress) ---------------------------------------------------------------------------------

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


# --- primary -------------------------------------------------------------------------------------------------------

def test_a_count_of_1_to_5_is_small_and_0_6_and_missing_are_not():
    assert [d.is_small(v) for v in (0, 1, 5, 6, None, np.nan)] == [False, True, True, False, False, False]
    assert list(d.small([0, 1, 5, 6, np.nan])) == [False, True, True, False, False]


def test_assignments_hide_fewer_than_five():
    assert [d.is_small(v, d.ASSIGNMENTS_LARGEST) for v in (1, 4, 5)] == [True, True, False]


def test_a_share_is_hidden_where_its_part_or_the_rest_is_small():
    # 8 of 10: the rest (2) is small, and a share beside its denominator gives it away. 20 of 30: neither is.
    assert [d.share_hidden(p, w) for p, w in ((8, 10), (2, 10), (20, 30), (0, 10))] == [True, True, False, False]


def test_primary_only_when_no_total_is_shown():
    assert list(d.hidden_groups([12, 3, 40], secondary_too=False)) == [False, True, False]


# --- secondary -----------------------------------------------------------------------------------------------------

def test_one_hidden_group_takes_the_next_smallest_with_it():
    # 3 is hidden; 12 + 3 + 40 is shown as a total, so the smallest other non-zero group (12, not the 0) goes too.
    assert list(d.hidden_groups([12, 3, 40, 0])) == [True, True, False, False]


def test_two_hidden_groups_protect_each_other():
    assert list(d.hidden_groups([2, 4, 40])) == [True, True, False]


def test_ties_go_to_the_first():
    assert list(d.hidden_groups([3, 9, 9])) == [True, True, False]


def test_secondary_stays_within_each_group_of_rows():
    # Quarter A: 2 hidden, then 7 (its smallest other); quarter B: nothing small; quarter C: 1 hidden, only a 0 left.
    counts = [20, 2, 7, 30, 8, 9, 1, 0]
    within = ["A", "A", "A", "A", "B", "B", "C", "C"]
    assert list(d.hidden_groups(counts, within=within)) == [False, True, True, False, False, False, True, False]


def test_a_line_with_its_total_hides_the_total_only_when_nothing_else_can_go():
    # parts 0, 4, 0 with total 4: hiding the 4 alone leaves the total giving it away; no other part is non-zero.
    hidden = d.secondary([0, 4, 0, 4], d.small([0, 4, 0, 4]), [Line((0, 1, 2), total=3)])
    assert list(hidden) == [False, True, False, True]


def test_a_small_total_and_its_one_small_part_protect_each_other():
    # Parts 3, 0, 0 with a total of 3: the part and the total are both hidden, so neither gives the other away.
    assert list(d.secondary([3, 0, 0, 3], d.small([3, 0, 0, 3]), [Line((0, 1, 2), total=3)])) == [True, False, False, True]


def test_a_small_total_beside_parts_that_are_all_shown_takes_the_smallest_part():
    # A hidden total beside parts that are all shown is their sum: the smallest non-zero part (6) goes too.
    hidden = d.secondary([0, 6, 7, 13], [False, False, False, True], [Line((0, 1, 2), total=3)])
    assert list(hidden) == [False, True, False, True]


def test_lines_that_cross_are_settled_until_none_has_one_hidden_cell():
    # A 2 x 2 table with row and column totals: 3 is hidden; its row takes 10, then the columns take 20 and 30.
    #        x    y  | total
    #  a     3   10  |  13
    #  b    20   30  |  50
    #  total 23  40  |  63
    values = np.array([3, 10, 13, 20, 30, 50, 23, 40, 63], dtype=float)
    lines = [Line((0, 1), 2), Line((3, 4), 5), Line((6, 7), 8), Line((0, 3), 6), Line((1, 4), 7), Line((2, 5), 8)]
    hidden = d.secondary(values, d.small(values), lines).reshape(3, 3)
    assert hidden.tolist() == [[True, True, False], [True, True, False], [False, False, False]]


def test_while_shown_a_line_counts_only_while_its_cell_is_shown():
    # Parts 0 and 1 add up to cell 2. Part 0 is hidden: while cell 2 is shown, part 1 goes too; once it is hidden, not.
    line = [Line((0, 1), while_shown=2)]
    assert list(d.secondary([3, 8, 11], [True, False, False], line)) == [True, True, False]
    assert list(d.secondary([3, 8, 11], [True, False, True], line)) == [True, False, True]


def test_a_zero_is_hidden_only_where_allowed_and_nothing_else_can_go():
    assert list(d.secondary([3, 0, 0], [True, False, False], [Line((0, 1, 2))])) == [True, False, False]
    assert list(d.secondary([3, 0, 0], [True, False, False], [Line((0, 1, 2))], zeros_if_needed=True)) == [True, True, False]


def test_a_sum_of_cells_is_hidden_where_it_would_give_one_hidden_cell_away():
    # Cells 10, c, c, 40 with a total of 57. The sum of the first two (13) has one hidden cell inside: 13 - 10 = 3.
    assert d.sum_hidden(13, hidden_inside=1, hidden_outside=1)
    # The sum of both hidden cells (7) has two inside and none outside, but 7 is a count like any other: shown.
    assert not d.sum_hidden(7, hidden_inside=2, hidden_outside=0)
    # The first and last (50): none inside, two outside; shown. A sum of 4 is small itself.
    assert not d.sum_hidden(50, hidden_inside=0, hidden_outside=2) and d.sum_hidden(4, 0, 2)


def test_hidden_cells_row_by_row_with_the_row_total():
    table = pd.DataFrame({"a": [3, 40], "b": [50, 41], "c": [20, 30], "total": [73, 111]})
    mask = d.hidden_cells(table, ["a", "b", "c"], total="total")
    assert mask.loc[0].tolist() == [True, False, True, False]     # 3 primary, 20 the smallest other part
    assert not mask.loc[1].any()


def test_shares_hide_a_small_count_its_complement_and_one_more():
    # Known staff 10: group x has 8, so the rest is 2 (small): x's share would give the 2 away. y (2) is small too.
    wide = pd.DataFrame({"x": [8.0], "y": [2.0], "known": [10.0]})
    assert d.hidden_shares(wide, ["x", "y"], "known", [Line((0, 1))]).iloc[0].tolist() == [True, True]
    # A known headcount of 1 to 5 hides every share.
    wide = pd.DataFrame({"x": [0.0], "y": [4.0], "known": [4.0]})
    assert d.hidden_shares(wide, ["x", "y"], "known", [Line((0, 1))]).iloc[0].tolist() == [True, True]


# --- the viewer's own LA -------------------------------------------------------------------------------------------

def test_the_viewers_own_la_is_shown_and_never_hidden_to_protect_another():
    # Assignments 3 (another LA), 4 (own), 10, 20: 3 hidden, 4 shown (own); the secondary is 10, not the own 4.
    own = [False, True, False, False]
    assert list(d.hidden_groups([3, 4, 10, 20], own, largest=d.ASSIGNMENTS_LARGEST)) == [True, False, True, False]


def test_suppress_groups_says_why_each_row_has_no_figures():
    summary = pd.DataFrame({"la": ["A", "B", "C", "D", "E", "F"], "n": [3, 3, 0, 0, 12, 30],
                            "median": [30.0, 31.0, np.nan, np.nan, 32.0, 33.0],
                            "returned": [True, True, True, False, True, True]})
    own = summary["la"] == "B"
    out = d.suppress_groups(summary, own, ["median"])
    # A: 3 assignments, hidden. B: the viewer's own, shown. C: returned none. D: no return. E: the secondary for A.
    assert list(out["status"]) == [C, "", NONE_RETURNED, NO_RETURN, C, ""]
    assert out["median"].isna().tolist() == [True, False, True, True, True, False]
    assert list(out["n"]) == [3, 3, 0, 0, 12, 30]   # counts are the caller's to write (as "c" where hidden)


# --- missing is not zero -------------------------------------------------------------------------------------------

def test_missing_is_never_hidden_nor_used_to_protect_another():
    # NaN is not small, and not the smallest other cell: the secondary for 3 is 12.
    assert list(d.hidden_groups(pd.Series([np.nan, 3, 12, 40]))) == [False, True, True, False]


def test_a_no_return_stays_no_return_not_zero_and_not_c():
    out = d.suppress(pd.DataFrame({"LA": ["A", "B", "C"], "Children": [np.nan, 3, 12]}), ["Children"],
                     column_total="Total")
    # A sent nothing: it stays missing (None), the total is of what was returned, and it does not protect B.
    assert list(out["Children"]) == [None, C, C, 15]
    summary = pd.DataFrame({"n": [0], "median": [np.nan], "returned": [False]})
    assert d.suppress_groups(summary, [False], ["median"])["status"].tolist() == [NO_RETURN]


# --- derived figures -----------------------------------------------------------------------------------------------

def test_a_rate_needs_ten_cases():
    assert [d.rate_shown(v) for v in (9, 10, np.nan)] == [False, True, False]


def test_hide_small_rates_blanks_the_rates_and_every_rri_when_the_reference_is_small():
    table = pd.DataFrame({"group": ["A", "Ref"], "count": [40.0, 8.0], "rate_per_1000": [44.4, 80.0],
                          "rri": [0.56, 1.0], "ci_low": [0.4, np.nan], "ci_high": [0.8, np.nan],
                          "band": ["Under", "Reference"], "significant": [True, pd.NA]})
    out = d.hide_small_rates(table, "Ref")
    assert out["suppressed"].tolist() == [False, True] and out["rri_suppressed"].tolist() == [True, True]
    assert out.loc[0, "rate_per_1000"] == pytest.approx(44.4) and out["rri"].isna().all()


def test_shown_counts_are_missing_where_hidden_and_rounded_where_asked():
    # 3 hidden, 12 its secondary, the missing one stays missing; 40 shown, or 40 to the nearest 5.
    assert d.shown_counts([3, 12, 40, np.nan]).isna().tolist() == [True, True, False, True]
    assert d.shown_counts([7, 43], rounding=5).tolist() == [5.0, 45.0]


def test_round_to_the_nearest_five_keeps_missing():
    assert d.round_to(pd.Series([3.0, 7.0, 8.0, np.nan]), 5).tolist()[:3] == [5.0, 5.0, 10.0]
    assert np.isnan(d.round_to(pd.Series([np.nan]), 5).iloc[0]) and np.isnan(d.round_to(np.nan, 5))
    assert d.round_to(12.0, 5) == 10.0 and d.round_to(7, None) == 7
