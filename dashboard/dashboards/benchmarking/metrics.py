"""Benchmarking arithmetic: ranks, quartiles, the top/bottom 20% rule, averages and changes.

Rules (quoted in the page's notes):
- Only LAs that returned take part: a missing return is left out of ranks and averages, never 0.
- Rank 1 is the best value by the indicator's polarity ("higher" or "lower" is better); where
  neither is better, rank 1 is the highest value and the page says it is not a performance ranking.
  Ties share the lowest rank (pandas method "min").
- Quartile = ceil(4 x rank / n), n = LAs that returned; tied LAs share a quartile.
- Top / bottom 20% (the region's exception-reporting rule): rank <= ceil(n / 5) from the best end,
  or from the worst end; 7 LAs each end when all 33 return. Nobody is flagged when n < 5.
- Nobody is placed in a quartile either when n < 5: "1 of 1" is not the worst quarter of London.
- Sub-region and London averages are unweighted means of the LAs that returned.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# The ranking rules (ranks, quartiles, the top/bottom 20% flag) are shared with My LA: they live in dashboard.ranking.
from dashboard.ranking import (FLAG_LABELS, MIN_LAS_TO_FLAG, NO_RETURN, QUARTILE_LABELS, TOO_FEW,  # noqa: F401
                               latest_ranking)

def _at(values: pd.DataFrame, period_end) -> pd.DataFrame:
    return values[values["period_end"] == pd.Timestamp(period_end)]


def london_summary(values: pd.DataFrame, las: pd.DataFrame, period_end) -> dict:
    """Mean, median, min, max of the LAs that returned, with how many returned out of how many expected."""
    current = _at(values, period_end)
    returned = current[current["la_code"].isin(las["la_code"])]["value"].dropna()
    stat = (lambda f: float(f(returned)) if len(returned) else float("nan"))
    return {"mean": stat(np.mean), "median": stat(np.median), "min": stat(np.min), "max": stat(np.max),
            "n_returned": int(len(returned)), "n_expected": int(las["la_code"].nunique())}


def comparison_series(values: pd.DataFrame, las: pd.DataFrame, focus_la: str, england: pd.DataFrame | None = None,
                      england_label: str = "England") -> pd.DataFrame:
    """Long table (period_end, series, value, n_returned): focus LA, its sub-region average, London average, England
    (named `england_label`)."""
    periods = pd.DataFrame({"period_end": sorted(pd.to_datetime(values["period_end"]).unique())})["period_end"]
    at = pd.Index(periods)   # each part is looked up by period (reindexed: no merge per part)
    la_info = las.set_index("la_code")
    focus_name = la_info.loc[focus_la, "la_name"]
    subregion_code = la_info.loc[focus_la, "subregion_code"]
    subregion_name = la_info.loc[focus_la, "subregion_name"]
    known = values[values["la_code"].isin(las["la_code"])]
    no_count = pd.array([pd.NA] * len(periods), dtype="Int64")

    def line(name: str, by_period: pd.Series, n_returned) -> pd.DataFrame:
        return pd.DataFrame({"period_end": periods, "series": name, "value": by_period.reindex(at).to_numpy(),
                             "n_returned": n_returned})

    def average(frame: pd.DataFrame, name: str) -> pd.DataFrame:
        grouped = frame.groupby("period_end")["value"].agg(["mean", "count"]).reindex(at)
        return line(name, grouped["mean"], grouped["count"].fillna(0).astype("Int64").reset_index(drop=True))

    parts = [
        line(focus_name, known[known["la_code"] == focus_la].set_index("period_end")["value"], no_count),
        average(known[known["la_code"].isin(la_info.index[la_info["subregion_code"] == subregion_code])],
                f"{subregion_name} average"),
        average(known, "London average"),
    ]
    if england is not None and not england.empty:
        parts.append(line(england_label, england.set_index("period_end")["value"], no_count))
    result = pd.concat(parts, ignore_index=True)
    result["value"] = result["value"].astype("float64")
    return result


def previous_quarter_end(period_end) -> pd.Timestamp:
    return pd.Timestamp(period_end) - pd.offsets.QuarterEnd(1)


def period_changes(values: pd.DataFrame, la_code: str, period_end) -> dict:
    """The LA's value with its change on the previous quarter and on the same quarter a year before."""
    own = values[values["la_code"] == la_code].set_index("period_end")["value"]
    end = pd.Timestamp(period_end)

    def at(date) -> float:
        return float(own.get(date, np.nan))

    value, previous, year_ago = at(end), at(previous_quarter_end(end)), at(end - pd.DateOffset(years=1) + pd.offsets.QuarterEnd(0))
    return {"value": value, "previous": previous, "change_quarter": value - previous,
            "year_ago": year_ago, "change_year": value - year_ago}


def quarter_label(period_end) -> str:
    """Financial-year quarter: Apr-Jun is Q1, Jan-Mar is Q4 of the year that began the April before."""
    date = pd.Timestamp(period_end)
    start_year = date.year if date.month >= 4 else date.year - 1
    quarter = (date.month - 4) % 12 // 3 + 1
    return f"Q{quarter} {start_year}-{str(start_year + 1)[-2:]}"


