"""Leadership in Colour charts say what is missing and mark the glass ceiling where the metric puts it."""
import numpy as np
import pandas as pd

from dashboard.dashboards.leadership_in_colour import figures
from dashboard.dashboards.leadership_in_colour import metrics as rep


def _bands():
    return pd.DataFrame({"band": ["£10,000 to £20,000", "£20,001 to £30,000", "£30,001 to £40,000", "Over £160,000"],
                         "share": [0.5, np.nan, 0.2, np.nan], "population_share": 0.4,
                         "label": ["50.0%", "c", "20.0%", "no staff"]})


def test_band_chart_labels_gaps_and_marks_the_ceiling():
    bands = _bands()
    fig = figures.band_share_figure(bands, rep.glass_ceiling(bands), "Census 2021 residents", "Black")
    bars, population, gaps = fig["data"]
    assert list(bars["x"]) == ["£10k-20k", "£20k-30k", "£30k-40k", "Over £160k"]
    assert list(gaps["text"]) == ["c", "no staff"] and list(gaps["x"]) == ["£20k-30k", "Over £160k"]
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["<b>Glass ceiling</b>"]
    assert fig["layout"]["annotations"][0]["x"] == "£30k-40k"
    assert bars["marker"]["color"][2] == figures.CEILING and bars["marker"]["color"][0] == figures.STAFF_BAR


def test_nothing_to_draw_says_so():
    bands = _bands().assign(share=np.nan)
    fig = figures.band_share_figure(bands, rep.glass_ceiling(bands), "population", "Asian")
    assert "No pay band" in fig["layout"]["annotations"][0]["text"]


def test_short_band_labels():
    assert figures.short_band("£80,001 to £100,000") == "£80k-100k"
    assert figures.short_band("Up to £30,000") == "Up to £30k"
    assert figures.short_band("Over £60,000") == "Over £60k"
