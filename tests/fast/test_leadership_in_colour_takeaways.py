"""Leadership in Colour's "what this shows" sentences, on small hand-worked tables: the figures, the glass ceiling,
and suppressed or unpublished cells said in words, never read as 0."""
import numpy as np
import pandas as pd

from dashboard.dashboards.leadership_in_colour import view as linc
from dashboard.dashboards.leadership_in_colour import metrics as rep

NAN = np.nan


def _bands(shares, labels, population=0.40):
    return pd.DataFrame({"band": ["Up to £30,000", "£30,001 to £60,000", "Over £60,000"], "share": shares,
                         "population_share": population, "label": labels})


def test_band_sentence_gives_the_lowest_and_highest_band_and_the_glass_ceiling():
    bands = _bands([0.45, 0.30, 0.20], ["45.0%", "30.0%", "20.0%"])
    ceiling = rep.glass_ceiling(bands)
    assert ceiling["status"] == "ceiling" and ceiling["band"] == "£30,001 to £60,000"
    assert linc.band_takeaway(bands, ceiling, "Black and Global Majority", "all boroughs", "population 2016") == (
        "Across all boroughs, Black and Global Majority staff are 45.0% of staff with known ethnicity in the up to £30,000 "
        "band and 20.0% in the over £60,000 band, against 40.0% of the population (population 2016); the glass ceiling is "
        "at the £30,001 to £60,000 band: from there up every band is below the population.")


def test_band_sentence_names_suppressed_bands_and_never_reads_them_as_zero():
    bands = _bands([0.05, 0.03, NAN], ["5.0%", "3.0%", "<10%"], population=0.07)
    text = linc.band_takeaway(bands, rep.glass_ceiling(bands), "Asian", "Bexley", "population 2016")
    assert text == ("In Bexley, Asian staff are 5.0% of staff with known ethnicity in the up to £30,000 band and 3.0% in "
                    "the £30,001 to £60,000 band, against 7.0% of the population (population 2016); every band with a "
                    "figure is below the population (1 band without a figure: <10%).")
    nothing = _bands([NAN, NAN, NAN], ["c", "c", "no staff"])
    assert linc.band_takeaway(nothing, rep.glass_ceiling(nothing), "Black", "Camden, technical services", "demo") == (
        "In Camden, technical services, no pay band has a figure for Black staff: each is suppressed or not published.")


def test_groups_sentence_uses_the_top_band_with_a_figure():
    ratios = pd.DataFrame({
        "group": ["bgm", "asian", "black"] * 2, "band": ["£30,001 to £60,000"] * 3 + ["Over £60,000"] * 3,
        "share": [0.40, 0.15, 0.20, 0.30, NAN, 0.12], "population_share": [0.40, 0.18, 0.13] * 2,
        "label": ["40%", "15%", "20%", "30%", "<10%", "12%"]})
    ratios["ratio"] = rep.representation_ratio(ratios["share"], ratios["population_share"])
    assert linc.groups_takeaway(ratios, "Brent") == (
        "In Brent, in the over £60,000 band Black and Global Majority staff are the least represented (ratio 0.75: "
        "30.0% of staff, 40.0% of residents) and Black staff the most (0.92); both groups with a figure are below the "
        "population share; no figure for Asian (<10%).")
    assert linc.groups_takeaway(ratios.assign(ratio=NAN), "Brent") == (
        "In Brent, no ethnic group has a published or unsuppressed figure.")


def _pipeline(rows):
    frame = pd.DataFrame(rows, columns=["year", "role", "bgm_share"])
    frame["label"] = [f"{v * 100:.1f}%" if pd.notna(v) else "not published (x)" for v in frame["bgm_share"]]
    return frame


def test_roles_sentence_gives_the_drop_off_and_how_it_moved():
    pipeline = _pipeline([(2019, "Case holder", 0.60), (2019, "Senior manager", 0.25),
                          (2025, "Case holder", 0.70), (2025, "Senior manager", 0.414)])
    assert linc.roles_takeaway(pipeline, "London") == (
        "In London at 30 September 2025, Black and Global Majority staff are 70.0% of case holders but 41.4% of senior "
        "managers: a drop of 28.6 points, narrower than in 2019 (35.0 points).")
    unpublished = _pipeline([(2025, "Case holder", 0.70), (2025, "Senior manager", NAN)])
    assert linc.roles_takeaway(unpublished, "Sutton") == (
        "In Sutton at 30 September 2025, Black and Global Majority staff are 70.0% of case holders and senior managers: "
        "not published (x), so the drop-off cannot be worked out.")


def test_not_known_sentence_compares_the_focus_with_london_and_the_highest():
    nk = pd.DataFrame({"area_code": ["E09000022", "E09000021 / E09000027", "E09000008"],
                       "area_name": ["Lambeth", "Kingston upon Thames / Richmond upon Thames", "Croydon"],
                       "share": [0.265, 0.336, NAN], "label": ["26.5%", "33.6%", "not published"]})
    assert linc.not_known_takeaway(nk, "E09000022", 0.137, 2025) == (
        "At 30 September 2025, 26.5% of children's social workers in Lambeth had no recorded ethnicity (London: 13.7%); "
        "the highest share is in Kingston upon Thames / Richmond upon Thames (33.6%); 1 LA not published.")
    assert linc.not_known_takeaway(nk, "E09000008", NAN, 2025).startswith(
        "At 30 September 2025, the share of children's social workers in Croydon with no recorded ethnicity is not "
        "published (London: not published); the highest share is in Kingston")


def test_band_sentence_says_when_there_is_no_glass_ceiling():
    bands = _bands([0.30, 0.35, 0.45], ["30.0%", "35.0%", "45.0%"])
    assert linc.band_takeaway(bands, rep.glass_ceiling(bands), "Black", "Hackney", "population 2016").endswith(
        "against 40.0% of the population (population 2016); the top band with a figure is not below the population, "
        "so there is no glass ceiling.")
