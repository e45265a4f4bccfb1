"""Sufficiency bar charts say where a count is hidden: a suppressed category is labelled "c", never drawn as a count."""
import base64

import numpy as np
import pandas as pd

from dashboard.dashboards.sufficiency.figures import bar_chart, sankey


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


def test_a_sankey_with_sources_but_no_flow_to_draw_is_an_empty_figure_not_a_broken_one():
    """Every link 0 (e.g. protected to 0): plotly.js cannot draw a Sankey without links ("Invalid array length"),
    which made the image and the deck fail with HTTP 500."""
    import pandas as pd
    from dashboard.dashboards.sufficiency import figures
    flows = pd.DataFrame({"From": ["Camden", "Total"], "Inside own LA": [0, 0], "Outside London": [0, 0], "Total": [0, 0]})
    fig = figures.sankey(flows, ["Inside own LA", "Outside London"], {})
    assert not [t for t in fig.data if t.type == "sankey"]


def test_the_flows_chart_says_how_many_children_each_node_stands_for_keeping_c():
    flows = pd.DataFrame({"From": ["Lambeth", "Camden", "Total"], "Inside own LA": [120, "c", 123],
                          "Outside London": [40, "c", 44], "Total": [160, 7, 167]})
    trace = sankey(flows, ["Inside own LA", "Outside London"], {})["data"][0]
    assert list(trace["node"]["label"]) == ["Lambeth: 160", "Camden: 7", "Inside own LA: 123", "Outside London: 44"]
    assert values(trace["link"]["value"]) == [120, 40]      # the "c" links are not drawn
