"""Grid columns as the pages' tables get them: one number of decimals per column, headers that wrap between words."""
import json

import numpy as np
import pandas as pd

from dashboard.components.layout import column_defs, decimals_shown, grid_records


def test_a_column_of_numbers_is_written_with_one_number_of_decimals():
    assert decimals_shown(pd.Series([40.0, 44.7, None])) == 1           # 40.0 beside 44.7, never 40
    assert decimals_shown(pd.Series([3.0, 12.0])) == 0
    assert decimals_shown(pd.Series([0.125, 1.5])) == 3
    columns = {c["field"]: c for c in column_defs(pd.DataFrame({"Share (%)": [40.0, 44.7], "Assignments": [3, 12],
                                                                "LA": ["Brent", "Camden"]}))}
    assert "d3.format(',.1f')" in columns["Share (%)"]["valueFormatter"]["function"]
    assert "d3.format(',.0f')" in columns["Assignments"]["valueFormatter"]["function"]
    assert "valueFormatter" not in columns["LA"]


def test_a_header_column_is_wide_enough_for_its_longest_word():
    columns = {c["field"]: c for c in column_defs(pd.DataFrame({"Assignments over cap": [1], "Gypsy/Roma": [2], "LA": ["x"]}))}
    assert columns["Assignments over cap"]["minWidth"] >= 9 * len("Assignments") + 40
    assert columns["Gypsy/Roma"]["minWidth"] >= 9 * len("Gypsy/Roma") + 40
    assert columns["LA"]["minWidth"] == 90


def test_a_column_of_figures_with_markers_among_them_is_not_typed_as_numbers():
    """AG Grid types a column from its first row: a number there makes every "suppressed (c)" below "Invalid Number"."""
    columns = {c["field"]: c for c in column_defs(pd.DataFrame({"Published": [377, "suppressed (c)"], "LA": ["a", "b"]}))}
    assert columns["Published"]["cellDataType"] is False
    assert "cellDataType" not in columns["LA"]


def test_a_marker_is_written_with_its_meaning_on_every_page():
    from dashboard.published.formats import marker_text
    assert marker_text("x") == "not available (x)" and marker_text("c") == "suppressed (c)"
    assert marker_text("z") == "not applicable (z)" and marker_text("k") == "rounds to zero (k)"
    assert marker_text(None) == marker_text(float("nan")) == marker_text("") == "not published"
    assert marker_text("no LA with a figure") == "no LA with a figure" and marker_text("q") == "not published (q)"


def test_a_column_is_wide_enough_for_its_values_and_long_text_wraps_between_words():
    las = pd.DataFrame({"LA": ["Barking and Dagenham", "Kensington and Chelsea", "Brent"], "Email": ["a@b.c"] * 3,
                        "Note": ["a long explanation " * 12] * 3, "Value": [1234567.5, 2.25, None]})
    columns = {c["field"]: c for c in column_defs(las)}
    # An LA's whole name fits at 14 px (about 7.5 px a character), so no name is cut off.
    assert columns["LA"]["minWidth"] >= 7.5 * len("Kensington and Chelsea") + 30 and "wrapText" not in columns["LA"]
    assert columns["Value"]["minWidth"] >= 7.5 * len("1,234,567.50") + 30
    # A paragraph wraps between words in a column of bounded width, its row as tall as it needs.
    assert columns["Note"]["minWidth"] <= 340 and columns["Note"]["wrapText"]
    assert columns["Email"]["minWidth"] == 90


def test_a_year_is_written_without_a_thousands_separator():
    columns = {c["field"]: c for c in column_defs(pd.DataFrame({"Year": [2014, 2022], "Children": [2014, 2022]}))}
    assert "d3.format('d')" in columns["Year"]["valueFormatter"]["function"]
    assert "d3.format(',.0f')" in columns["Children"]["valueFormatter"]["function"]


def test_a_missing_figure_reaches_the_grid_as_null_never_zero_and_numbers_as_plain_numbers():
    table = pd.DataFrame({"LA": ["Camden", None, "Lambeth"], "Rate": [4.5, np.nan, -0.0], "Count": [3, 0, 12],
                          "Published": pd.Series([377, "suppressed (c)", np.int64(5)], dtype=object),
                          "Children": pd.array([1, None, 0], dtype="Int64"),
                          "At": pd.to_datetime(["2024-03-31", None, "2023-03-31"]),
                          "Group": pd.Series(["a", None, "b"], dtype="category")})
    rows = grid_records(table)
    assert rows == table.astype(object).where(table.notna(), None).to_dict("records")   # the plain pandas conversion
    assert rows[1] == {"LA": None, "Rate": None, "Count": 0, "Published": "suppressed (c)", "Children": None,
                       "At": None, "Group": None}
    assert [type(rows[2][c]) for c in ("Rate", "Count", "Published", "Children")] == [float, int, int, int]
    assert json.dumps(rows[2]["Rate"]) == "-0.0"
    assert grid_records(table.iloc[:0]) == [] and grid_records(pd.DataFrame(index=range(2))) == [{}, {}]
