"""Sufficiency bar charts say where a count is hidden: a suppressed category is labelled "c", never drawn as a count."""
import base64

import numpy as np
import pandas as pd

from dashboard.dashboards.sufficiency.figures import bar_chart


def values(array) -> list:
    """A figure's numbers as the browser gets them: plain, or plotly's typed array (dtype + base64 bytes)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def test_a_suppressed_count_is_labelled_c_with_no_bar_length():
    table = pd.DataFrame({"Distance": ["Up to 5 miles", "5 to 10 miles", "10 to 20 miles", "Total"],
                          "Children": [7, "c", 0, "c"]})
    bar = bar_chart(table, "Distance")["data"][0]
    assert list(bar["y"]) == ["Up to 5 miles", "5 to 10 miles", "10 to 20 miles"]   # the Total row is left out
    assert list(bar["text"]) == ["7", "c", "0"]         # the hidden count is named on the chart as c
    assert values(bar["x"]) == [7, 0, 0]                  # and drawn with no length: nothing to measure it by


def test_a_chart_of_only_suppressed_counts_still_shows_them():
    table = pd.DataFrame({"Region": ["Wales", "Total"], "Children": ["c", "c"]})
    bar = bar_chart(table, "Region")["data"][0]
    assert list(bar["text"]) == ["c"]
