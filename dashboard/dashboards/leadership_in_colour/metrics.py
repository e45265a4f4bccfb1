"""Representation arithmetic for Leadership in Colour: shares of known ethnicity, ratios against the
population, glass-ceiling detection and how shares are written. Pure functions over plain values
and DataFrames; no database, no Dash.

Words: "Black and Global Majority" (BGM) is everyone whose ethnicity is known and is not in a White
group (Asian, Black, Mixed / multiple heritage, Other). Shares are of staff whose ethnicity is known.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd


BGM_GROUPS = ("asian", "black", "mixed", "other")
GROUPS = BGM_GROUPS + ("white",)
GROUP_LABELS = {
    "bgm": "Black and Global Majority",
    "asian": "Asian",
    "black": "Black",
    "mixed": "Mixed / multiple heritage",
    "other": "Other ethnic group",
    "white": "White",
    "not_known": "Not known",
}
# Differences smaller than this (a fraction: 0.01 = 1 percentage point) count as parity. The published
# borough table is rounded to whole percentages, so it cannot resolve smaller gaps either.
PARITY_TOLERANCE = 0.01


# --- published values -----------------------------------------------------------------------

_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")


def parse_published_percent(text) -> tuple[float, bool]:
    """("37%" -> (0.37, False)); the source's suppression marker "<10%" -> (nan, True); blank -> (nan, False).

    "<10%" does not mean "under ten per cent": the source uses it where the numerator was 3 employees
    or fewer, so the value is unknown, not small.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)) or str(text).strip() == "":
        return float("nan"), False
    text = str(text).strip()
    if text == "<10%":
        return float("nan"), True
    match = _PERCENT.match(text)
    if not match:
        raise ValueError(f"not a published percentage: {text!r}")
    return float(match.group(1)) / 100, False


# --- ratios and the glass ceiling -------------------------------------------------------------

def representation_ratio(staff_share, population_share):
    """Staff share / population share (1 = parity, under 1 = under-represented).

    Works on scalars or aligned Series. NaN when either is missing or the population share is 0: no
    ratio is invented from a missing figure.
    """
    if np.isscalar(staff_share) or staff_share is None:
        if staff_share is None or population_share is None or pd.isna(staff_share) or pd.isna(population_share) \
                or float(population_share) == 0:
            return float("nan")
        return float(staff_share) / float(population_share)
    staff = pd.Series(staff_share, dtype="float64")
    population = pd.Series(population_share, dtype="float64", index=staff.index)
    return staff / population.where(population != 0)


def position(staff_share: float, population_share: float, tolerance: float = PARITY_TOLERANCE) -> str:
    """'above' / 'parity' / 'below' population (within `tolerance` is parity); 'unknown' when either is missing."""
    if staff_share is None or population_share is None or pd.isna(staff_share) or pd.isna(population_share):
        return "unknown"
    gap = staff_share - population_share
    if gap < -tolerance:
        return "below"
    if gap > tolerance:
        return "above"
    return "parity"


def glass_ceiling(bands: pd.DataFrame, tolerance: float = PARITY_TOLERANCE) -> dict:
    """Where representation falls away: the lowest pay band from which every higher band is below population.

    `bands`: one row per pay band in pay order, with columns `band`, `share` and `population_share`
    (fractions; NaN where not known or suppressed: such bands are skipped, never read as 0).
    Returns {'status', 'band', 'position', 'first_below', 'skipped'}:
      status 'ceiling'          representation is at or above population below `band` and under it from there up;
             'below_throughout' under population in every band with a figure;
             'none'             the highest band with a figure is not below population: no ceiling;
             'no_data'          no band has both figures.
    """
    return glass_ceiling_of(list(bands["band"]), bands["share"].tolist(), bands["population_share"].tolist(), tolerance)


def glass_ceiling_of(names: list, shares: list, populations, tolerance: float = PARITY_TOLERANCE) -> dict:
    """`glass_ceiling` of bands given as lists (names, shares, and population shares: a list, or one for every band)."""
    if np.isscalar(populations) or populations is None:
        populations = [populations] * len(names)
    known = [(b, s, p) for b, s, p in zip(names, shares, populations) if not pd.isna(s) and not pd.isna(p)]
    skipped = [b for b, s, p in zip(names, shares, populations) if pd.isna(s) or pd.isna(p)]
    if not known:
        return {"status": "no_data", "band": None, "position": None, "first_below": None, "skipped": skipped}
    below = [position(s, p, tolerance) == "below" for _, s, p in known]
    first_below = next((b for (b, _, _), is_below in zip(known, below) if is_below), None)
    if not below[-1]:
        return {"status": "none", "band": None, "position": None, "first_below": first_below, "skipped": skipped}
    start = len(below) - 1
    while start > 0 and below[start - 1]:
        start -= 1
    band = known[start][0]
    return {"status": "below_throughout" if start == 0 else "ceiling", "band": band, "position": names.index(band),
            "first_below": first_below, "skipped": skipped}


def describe_ceiling(result: dict) -> str:
    """The glass-ceiling result in a sentence a reader can check against the chart."""
    if result["status"] == "ceiling":
        return f"Representation falls below the population from the {result['band']} band and stays below in every higher band."
    if result["status"] == "below_throughout":
        return "Representation is below the population in every pay band with a figure."
    if result["status"] == "none":
        return "No glass ceiling: the highest pay band with a figure is not below the population."
    return "Not enough published figures to tell."


# --- counts to shares ---------------------------------------------------------------------------

def shares_of_known(counts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Wide shares from long counts.

    `counts`: columns keys + `ethnicity` (asian/black/mixed/other/white/not_known) + `headcount`.
    Returns one row per key combination with the counts of each group, `bgm`, `known`, `total`, and
    shares `<group>_share` (of known staff) and `not_known_share` (of all staff). Shares are NaN where
    the denominator is 0: nothing to divide is "no figure", not 0%.
    """
    wide = counts.groupby(keys + ["ethnicity"])["headcount"].sum().unstack("ethnicity", fill_value=0)
    for group in GROUPS + ("not_known",):
        if group not in wide.columns:
            wide[group] = 0
    shares = known_shares(wide[list(GROUPS) + ["not_known"]].to_numpy("float64"))
    out = pd.DataFrame(shares, index=wide.index)
    return out.reset_index()


COUNTED = GROUPS + ("not_known",)   # the order of `known_shares`' count columns


def known_shares(counts: np.ndarray) -> dict[str, np.ndarray]:
    """`shares_of_known` on a matrix of counts, one row per key and one column per ethnic group in COUNTED's order:
    {column: array} with the counts of each group, bgm, known, total, `<group>_share` and `not_known_share`."""
    counts = np.asarray(counts, dtype="float64").reshape(-1, len(COUNTED))
    out = {group: counts[:, i] for i, group in enumerate(COUNTED)}
    out["bgm"] = out["asian"] + out["black"] + out["mixed"] + out["other"]
    out["known"] = out["bgm"] + out["white"]
    out["total"] = out["known"] + out["not_known"]
    known = np.where(out["known"] > 0, out["known"], np.nan)
    for group in GROUPS + ("bgm",):
        out[f"{group}_share"] = out[group] / known
    out["not_known_share"] = out["not_known"] / np.where(out["total"] > 0, out["total"], np.nan)
    return out


# --- writing shares ------------------------------------------------------------------------------

def format_share(value, decimals: int = 0) -> str:
    """A share as the page writes it: 'no figure' when missing, never 0 for missing."""
    if value is None or pd.isna(value):
        return "no figure"
    return f"{value * 100:.{decimals}f}%"


# --- the role pipeline ----------------------------------------------------------------------------

def bgm_share_of_known(asian, black, mixed, other, known) -> float:
    """BGM share of staff with known ethnicity from published group counts; NaN if any is not published (x)."""
    values = [asian, black, mixed, other, known]
    if any(v is None or pd.isna(v) for v in values) or known == 0:
        return float("nan")
    return (asian + black + mixed + other) / known


def drop_off(pipeline: pd.DataFrame, first: str, last: str) -> float:
    """Percentage-point fall in BGM share from role `first` to role `last` (columns role, bgm_share); NaN if either is missing."""
    return _fall(dict(zip(pipeline["role"], pipeline["bgm_share"])), first, last)


def drop_offs_by_year(pipeline: pd.DataFrame, first: str, last: str) -> dict[int, float]:
    """`drop_off` for each year of a pipeline of several years (columns year, role, bgm_share): {year: fall}."""
    shares: dict[int, dict] = {}
    for year, role, share in zip(pipeline["year"].tolist(), pipeline["role"].tolist(), pipeline["bgm_share"].tolist()):
        shares.setdefault(int(year), {})[role] = share
    return {year: _fall(by_role, first, last) for year, by_role in sorted(shares.items())}


def _fall(shares: dict, first: str, last: str) -> float:
    if first not in shares or last not in shares or pd.isna(shares[first]) or pd.isna(shares[last]):
        return float("nan")
    return float(shares[first] - shares[last])
