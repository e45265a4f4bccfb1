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
    assert not [t for t in fig["data"] if t.get("type") == "sankey"]


def test_the_flows_chart_says_how_many_children_each_node_stands_for_keeping_c():
    flows = pd.DataFrame({"From": ["Lambeth", "Camden", "Total"], "Inside own LA": [120, "c", 123],
                          "Outside London": [40, "c", 44], "Total": [160, 7, 167]})
    trace = sankey(flows, ["Inside own LA", "Outside London"], {})["data"][0]
    assert list(trace["node"]["label"]) == ["Lambeth: 160", "Camden: 7", "Inside own LA: 123", "Outside London: 44"]
    assert values(trace["link"]["value"]) == [120, 40]      # the "c" links are not drawn


def test_every_chart_built_as_a_dict_is_a_valid_plotly_figure():
    """The charts are built as plain dicts (plotly validating each property cost more than the data work): each must
    still be a figure plotly accepts whole, or the browser would draw nothing."""
    import plotly.graph_objects as go
    from dashboard.dashboards.sufficiency import figures
    groups = list(figures.GROUP_COLOURS)
    quarters = pd.DataFrame({"Quarter end": ["2024-12-31", "2025-03-31"], **{g: [3, "c"] for g in groups}, "Total": [20, 21]})
    tiles = pd.DataFrame({"la_code": ["E09000022", "E09000007", None], "LA": ["Lambeth", "Camden", "Total"],
                          "Children": [12, "c", 15]})
    months = ["2025-04-30", "2025-05-31"]
    forecast = pd.DataFrame({"Month": months * 2, "Placement type": ["Children's homes"] * 2 + ["Other"] * 2,
                             "Expected": [4, 5, 6, 7], "Low (10th percentile)": [3, 4, 5, 6],
                             "High (90th percentile)": [5, 6, 7, 8]})
    history = pd.DataFrame({"Month": ["2025-03-31"] * 2, "Placement type": ["Children's homes", "Other"], "Children": [4, "c"]})
    charts = [
        figures.tile_map(tiles, {"E09000022"}, "placed"),
        bar_chart(pd.DataFrame({"Region": ["Wales", "Total"], "Children": [6, 6]}), "Region", horizontal=False),
        sankey(pd.DataFrame({"From": ["Lambeth", "Total"], "Inside own LA": [120, 120], "Total": [120, 120]}),
               ["Inside own LA"], {}),
        figures.trend_figure(quarters, groups),
        figures.starts_ends_figure(pd.DataFrame({"Month": ["2025-01", "2025-02"], "Started": [4, "c"], "Ceased": [6, 7]})),
        figures.stability_figure(pd.DataFrame({"Year to": ["2024-03-31", "2025-03-31"], "%": [12.5, "c"]})),
        figures.forecast_figure(history, forecast, ["Children's homes", "Other"]),
        figures.cost_figure(forecast[forecast["Placement type"] == "Other"]),
    ]
    for chart in charts:
        assert chart["data"], chart
        validated = go.Figure(chart)   # raises on any property plotly does not know or a value it refuses
        assert len(validated.data) == len(chart["data"])
        assert validated.layout.height == chart["layout"]["height"]
