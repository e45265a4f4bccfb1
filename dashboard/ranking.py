"""Where an LA stands among London's LAs on one indicator: the region's ranking rules, shared by Benchmarking (its
regional and published views) and My LA, so both say the same rank, quartile and top/bottom 20% flag.

Rules (quoted in the pages' notes):
- Only LAs that returned take part: a missing return is left out of ranks and averages, never 0.
- Rank 1 is the best value by the indicator's polarity ("higher" or "lower" is better); where
  neither is better, rank 1 is the highest value and the page says it is not a performance ranking.
  Ties share the lowest rank (pandas method "min").
- Quartile = ceil(4 x rank / n), n = LAs that returned; tied LAs share a quartile.
- Top / bottom 20% (the region's exception-reporting rule): rank <= ceil(n / 5) from the best end,
  or from the worst end; 7 LAs each end when all 33 return. Nobody is flagged when n < 5.
- Nobody is placed in a quartile either when n < 5: "1 of 1" is not the worst quarter of London.
- Published figures: a marker (c, x, ...) stays a marker, named in words, and takes no part; an LA published only
  jointly with another (Kingston / Richmond) takes part once, as the joint return.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard.published.formats import MARKER_LABELS, marker_text  # noqa: F401
from dashboard.published.joint import joint_areas, joint_returns  # noqa: F401  (the one rule for joint returns)

JOINT_NOTE = "joint return"
NOT_PUBLISHED = "not published"
RANKING_RULES = (
    "Ranks and quartiles are among the LAs that returned (1 = best; where neither direction is better, 1 = highest). "
    "Quartile = 4 x rank / number returned, rounded up. Top and bottom 20% (the region's exception-reporting rule): "
    "the best and worst fifth of LAs that returned, rounded up (7 each when all 33 return); nobody is flagged when "
    "fewer than 5 return. Ties share a rank. Nobody is placed in a quartile either when fewer than 5 return: "
    "with so few, the best or worst quarter is one LA's place among a handful, not a position in London."
)

QUARTILE_LABELS = {
    "ordered": {1: "Best 25%", 2: "Second 25%", 3: "Third 25%", 4: "Worst 25%"},
    "neither": {1: "Highest 25%", 2: "Upper middle 25%", 3: "Lower middle 25%", 4: "Lowest 25%"},
}
FLAG_LABELS = {"ordered": ("Top 20%", "Bottom 20%"), "neither": ("Highest 20%", "Lowest 20%")}
NO_RETURN = "No return"
MIN_LAS_TO_FLAG = 5          # the same minimum for quartiles and the 20% flags
TOO_FEW = f"none: fewer than {MIN_LAS_TO_FLAG} LAs have a figure"


def _at(values: pd.DataFrame, period_end) -> pd.DataFrame:
    return values[values["period_end"] == pd.Timestamp(period_end)]


def latest_ranking(values: pd.DataFrame, las: pd.DataFrame, period_end, polarity: str) -> pd.DataFrame:
    """Every LA in `las` for one quarter with its rank, quartile and 20% flag (see the module rules)."""
    if polarity not in ("higher", "lower", "neither"):
        raise ValueError(f"polarity must be higher, lower or neither, not {polarity!r}")
    kind = "neither" if polarity == "neither" else "ordered"
    current = _at(values, period_end)[["la_code", "value"]].drop_duplicates("la_code")
    table = las[["la_code", "la_name", "subregion_code", "subregion_name"]].merge(current, on="la_code", how="left")
    table["value"] = table["value"].astype("float64")
    table["returned"] = table["value"].notna()
    ascending = polarity == "lower"
    table["rank"] = table["value"].rank(method="min", ascending=ascending).astype("Int64")
    worst_rank = table["value"].rank(method="max", ascending=ascending)
    n = int(table["returned"].sum())

    quartile = pd.Series(pd.NA, index=table.index, dtype="Int64")
    if n >= MIN_LAS_TO_FLAG:
        quartile[table["returned"]] = np.ceil(4 * table.loc[table["returned"], "rank"].astype(float) / n).astype(int)
    table["quartile"] = quartile
    labels = QUARTILE_LABELS[kind]
    table["quartile_label"] = [labels[int(q)] if pd.notna(q) else TOO_FEW if returned else NO_RETURN
                               for q, returned in zip(table["quartile"], table["returned"])]

    top, bottom = FLAG_LABELS[kind]
    cut = math.ceil(n / 5)
    flags = []
    for returned, rank, rank_max in zip(table["returned"], table["rank"], worst_rank):
        if not returned:
            flags.append(NO_RETURN)
        elif n < MIN_LAS_TO_FLAG:
            flags.append(TOO_FEW)
        elif rank <= cut:
            flags.append(top)
        elif n - rank_max + 1 <= cut:
            flags.append(bottom)
        else:
            flags.append("")
    table["flag"] = flags
    table["_missing"] = ~table["returned"]
    return (table.sort_values(["_missing", "rank", "la_name"], na_position="last")
            .drop(columns="_missing").reset_index(drop=True))



def ranked_areas(las: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """The 33 LAs, with a joint return (e.g. Kingston / Richmond) standing in for the LAs it covers: kept joint, not split."""
    return joint_areas(las, joint_returns(values))


def missing_label(marker) -> str:
    """What a figure the publication did not give is called wherever it would stand: "suppressed (c)", else "not published"."""
    return marker_text(marker)   # the one wording of markers, Sufficiency's DfE table's too


NOT_PUBLISHED = "not published"


def marked_ranking(data: pd.DataFrame, areas: pd.DataFrame, end, polarity: str) -> pd.DataFrame:
    """Every LA ranked for the year, each figure not published saying why ("suppressed (c)") in its rank, quartile,
    flag and note alike."""
    values = data.rename(columns={"area_code": "la_code"})[["la_code", "period_end", "value"]]
    ranking = latest_ranking(values, areas, end, polarity)
    markers = data[data["period_end"] == end].set_index("area_code")["marker"]
    ranking["note"] = [missing_label(markers.get(c)) if not returned else "" for c, returned in zip(ranking["la_code"], ranking["returned"])]
    for column in ("quartile_label", "flag"):
        ranking[column] = ranking[column].where(ranking["returned"], ranking["note"])
    return ranking


