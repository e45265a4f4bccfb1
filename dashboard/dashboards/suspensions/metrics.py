"""Relative rate index (RRI): how much more or less likely each group is than a reference group to have an outcome.

One public function, `relative_rate_index`, serves every disproportionality measure the region
uses (pupils suspended from school, children entering care, children remanded): give it one row per
group with the group's population and how many of them had the outcome.

Definitions (quoted on the page):
- rate = count / population, shown per 1,000;
- RRI = group rate / reference-group rate (the reference is White British unless told otherwise);
- 95% confidence interval of the RRI: the ratio of two proportions on the log scale (Katz et al.,
  1978): SE(ln RRI) = sqrt(1/a - 1/n + 1/b - 1/m), where a of n children in the group and b of m in
  the reference group had the outcome; interval = exp(ln RRI +/- 1.96 SE). The "- 1/n" terms are
  what make this the interval of a ratio of proportions (a child is counted once however many
  suspensions they had); for low rates it equals the Poisson rate-ratio interval sqrt(1/a + 1/b).
- A group with no child with the outcome (a = 0) has RRI 0; its interval runs from 0 (the exact
  lower limit) to the upper limit of the interval after adding 0.5 to every cell of the 2x2 table
  (the Haldane-Anscombe correction), so an empty small group still gets a wide, honest interval.
- Representation band, from the RRI (not rounded): see the thresholds below. They reproduce every
  band of the published regional table (tests/fast/test_suspensions_metrics.py).
- Significant: the 95% interval lies wholly above or wholly below 1. A band whose interval crosses
  1 is "not significant": the gap may be noise from a small group.

Reliability (a presentation rule, applied after the arithmetic, `hide_small_rates`): rates and RRIs built on fewer
than 10 children with the outcome, in the group or in the reference group, are not shown. Disclosure control is not
done here: the counts given to these functions are already protected (dashboard.disclosure, the cell-key method).
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

# --- settings (banding thresholds; named here, documented, wired into settings later) ---------------------

UNDER_REPRESENTED_BELOW = 0.75
"""An RRI below this is "Under-represented" (the group is at least a quarter less likely than the reference).

The published table bands 0.7 (and lower) as under-represented and 0.8 as close to parity; 0.75,
a quarter below parity, is the cut that reproduces every published band from the unrounded RRIs."""

OVER_REPRESENTED_FROM = 1.25
"""An RRI of this or more (and below SUBSTANTIALLY_OVER_FROM) is "Over-represented": a quarter or more above parity.

Published: 1.2 is close to parity, 1.4 over-represented."""

SUBSTANTIALLY_OVER_FROM = 1.5
"""An RRI of this or more is "Substantially over-represented": half as likely again as the reference, or more.

Published: 1.4 is over-represented, 1.8 and above substantially over. The published table has no
"substantially under" band (0.1 is still only "Under-represented"), so neither has this one."""

RATE_MINIMUM = 10
"""Rates and RRIs built on fewer than this many pupils with the outcome are not shown: too few to be reliable."""

CONFIDENCE_LEVEL = 0.95
"""Confidence level of the RRI's interval; `significant` means this interval excludes 1."""

# --- labels -----------------------------------------------------------------------------------------------------

UNDER = "Under-represented"
PARITY = "Close to parity"
OVER = "Over-represented"
SUBSTANTIALLY_OVER = "Substantially over"
REFERENCE = "Reference group"

OUTPUT_COLUMNS = ["rate_per_1000", "rri", "ci_low", "ci_high", "band", "significant"]


def _z(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


def band_thresholds(thresholds: tuple[float, float, float] | None = None) -> tuple[float, float, float]:
    """(under below, over from, substantially over from): the module's constants unless given (e.g. from settings)."""
    under, over, substantially = thresholds or (UNDER_REPRESENTED_BELOW, OVER_REPRESENTED_FROM, SUBSTANTIALLY_OVER_FROM)
    if not 0 < under <= 1 <= over <= substantially:
        raise ValueError(f"band thresholds must satisfy 0 < under <= 1 <= over <= substantially over; got {thresholds}")
    return under, over, substantially


def bands(rri, thresholds: tuple[float, float, float] | None = None) -> np.ndarray:
    """The representation band of each RRI (None where the RRI cannot be computed)."""
    rri = np.asarray(rri, dtype="float64")
    under, over, substantially = band_thresholds(thresholds)
    return np.select([np.isnan(rri), rri < under, rri >= substantially, rri >= over],
                     [None, UNDER, SUBSTANTIALLY_OVER, OVER], PARITY).astype(object)


def relative_rate_index(df: pd.DataFrame, reference: str = "White British", *, by: list[str] | None = None,
                        level: float = CONFIDENCE_LEVEL,
                        thresholds: tuple[float, float, float] | None = None) -> pd.DataFrame:
    """Each group's rate per 1,000, RRI against `reference`, confidence interval, band and significance.

    `df` has one row per group with columns `group`, `population` and `count` (children with the
    outcome); any other columns are kept. Returns a copy with `rate_per_1000`, `rri`, `ci_low`,
    `ci_high`, `band` and `significant` added, in the same row order.

    `thresholds` (optional): (under below, over from, substantially over from) instead of the module's
    constants, for a measure (or a setting) with other cut-offs.

    `by` (optional) names columns that split `df` into separate tables (e.g. LA and year), each with
    its own reference row: the same as calling the function once per table, in one vectorised pass.

    - A group with no population (0 or missing) or a missing count gets no rate, RRI or band (NaN / None).
    - The reference row has RRI 1, no interval, band "Reference group" and `significant` NA.
    - If the reference group has no child with the outcome, no RRI can be computed (all NaN / None).
    - Raises ValueError when a column is missing, `reference` is not one of the groups (or appears
      twice) in a table, or a count is negative or larger than its population.
    """
    by = list(by or [])
    missing = ({"group", "population", "count"} | set(by)) - set(df.columns)
    if missing:
        raise ValueError(f"relative_rate_index needs columns group, population and count; missing {sorted(missing)}")
    out = df.copy()
    is_ref = (out["group"] == reference).to_numpy()
    keys = pd.Series(0, index=out.index) if not by else pd.Series(pd.MultiIndex.from_frame(out[by]).to_flat_index(), index=out.index)
    ref_per_table = pd.Series(is_ref, index=out.index).groupby(keys).sum()
    if (ref_per_table != 1).any():
        found = "twice or more" if (ref_per_table > 1).any() else "not at all"
        where = "" if not by else f" (in {ref_per_table[ref_per_table != 1].index[0]})"
        raise ValueError(f"the reference group {reference!r} appears {found} in the groups{where}")
    population = pd.to_numeric(out["population"], errors="coerce").astype("float64").to_numpy()
    count = pd.to_numeric(out["count"], errors="coerce").astype("float64").to_numpy()
    if (count < 0).any() or (population < 0).any():
        raise ValueError("counts and populations cannot be negative")
    too_many = count > population
    if too_many.any():
        bad = ", ".join(str(g) for g in out.loc[too_many, "group"])
        raise ValueError(f"more children with the outcome than in the population for: {bad}")

    usable = (population > 0) & ~np.isnan(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(usable, count / np.where(population > 0, population, 1), np.nan)
    # Each row's reference figures, looked up within its own table.
    ref_index = pd.Series(np.arange(len(out))[is_ref], index=keys[is_ref].to_numpy())
    pos = ref_index.reindex(keys.to_numpy()).to_numpy()
    rri, low, high, has_rri = _rri_interval(rate, count, population, rate[pos], count[pos], population[pos], is_ref,
                                            level)

    out["rate_per_1000"] = rate * 1000
    out["rri"] = rri
    out["ci_low"] = low
    out["ci_high"] = high
    band = np.where(is_ref & has_rri, REFERENCE, bands(rri, thresholds))
    out["band"] = pd.Series(band, index=out.index, dtype="object")
    significant = pd.array((low > 1) | (high < 1), dtype="boolean")
    significant[np.isnan(low)] = pd.NA
    out["significant"] = significant
    return out


def band_label(band: str | None, significant) -> str:
    """The band as the page writes it: "Over-represented (not significant)" when the interval crosses 1."""
    if band is None or (isinstance(band, float) and math.isnan(band)):
        return ""
    if band in (PARITY, REFERENCE) or significant is pd.NA or significant is None:
        return band
    return band if bool(significant) else f"{band} (not significant)"


def hide_small_rates(table: pd.DataFrame, reference: str, minimum: int = RATE_MINIMUM, *,
                     by: list[str] | None = None) -> pd.DataFrame:
    """Blank the rate, RRI, interval, band and significance (the columns of `relative_rate_index`'s table) built on
    fewer than `minimum` cases with the outcome.

    A group's RRI also rests on the reference group's count, so when the reference has fewer than `minimum`, no
    RRI is shown in that table at all (each table being one set of `by` values). Adds boolean columns `suppressed`
    (rate hidden) and `rri_suppressed` (RRI hidden). A missing count hides nothing of its own.
    """
    by = list(by or [])
    out = table.copy()
    count = pd.to_numeric(out["count"], errors="coerce")
    is_ref = out["group"] == reference
    if by:
        keys = pd.MultiIndex.from_frame(out[by]).to_flat_index()
        ref_count = pd.Series(count[is_ref].to_numpy(), index=keys[is_ref.to_numpy()])
        row_ref = ref_count.reindex(keys).to_numpy()
    else:
        row_ref = np.repeat(count[is_ref].iloc[0] if is_ref.any() else np.nan, len(out))
    ref_small = ~(row_ref >= minimum)  # True for NaN
    rate_hidden = (count < minimum).fillna(False).to_numpy(dtype=bool)
    rri_hidden = rate_hidden | ref_small
    out["suppressed"] = rate_hidden
    out["rri_suppressed"] = rri_hidden
    out.loc[rate_hidden, "rate_per_1000"] = np.nan
    for column in ("rri", "ci_low", "ci_high"):
        out.loc[rri_hidden, column] = np.nan
    out["band"] = out["band"].astype(object).where(~rri_hidden, None)
    out["significant"] = out["significant"].astype("boolean").where(~rri_hidden, pd.NA)
    return out


def _rri_interval(rate, count, population, ref_rate, ref_count, ref_population, is_ref, level):
    """Each group's RRI against its table's reference group (`ref_*`: the reference's figures beside each group) and
    its confidence interval, element by element: (rri, low, high, has_rri). No interval for the reference itself."""
    ref_ok = ref_rate > 0  # False for NaN too
    b, m_ = ref_count, ref_population
    with np.errstate(divide="ignore", invalid="ignore"):
        rri = np.where(ref_ok, rate / np.where(ref_ok, ref_rate, 1), np.nan)
        z = _z(level)
        a, n = count, population
        # a > 0: Katz log interval of the ratio of two proportions.
        se = np.sqrt(np.maximum(0.0, 1 / a - 1 / n + 1 / b - 1 / m_))
        low = np.exp(np.log(rri) - z * se)
        high = np.exp(np.log(rri) + z * se)
        # a = 0: lower limit 0; upper limit after adding 0.5 to each cell (Haldane-Anscombe).
        a_c, n_c, b_c, m_c = a + 0.5, n + 1, b + 0.5, m_ + 1
        se_c = np.sqrt(1 / a_c - 1 / n_c + 1 / b_c - 1 / m_c)
        high_c = (a_c / n_c) / (b_c / m_c) * np.exp(z * se_c)
    zero = a == 0
    has_rri = ~np.isnan(rri)
    low = np.where(has_rri & ~is_ref, np.where(zero, 0.0, low), np.nan)
    high = np.where(has_rri & ~is_ref, np.where(zero, high_c, high), np.nan)
    return rri, low, high, has_rri


def rate_shown(count, minimum: int = RATE_MINIMUM) -> bool:
    """Whether a rate built on `count` cases may be shown."""
    return bool(count >= minimum)


def rri_arrays(population: np.ndarray, count: np.ndarray, reference: int, *, level: float = CONFIDENCE_LEVEL,
               thresholds: tuple[float, float, float] | None = None, minimum: int = RATE_MINIMUM) -> dict | None:
    """`relative_rate_index` then `hide_small_rates` on many tables at once, as arrays: `population` and `count` are
    (tables, groups) floats (NaN where missing), column `reference` each table's reference group. The same figures,
    element by element, as the two functions give each table (the same arithmetic in the same order); a page that
    works out many tables per view (every LA's, every year's) does them in one pass. None where either function would
    refuse the figures (a negative count, or more with the outcome than in the population): the caller then asks them,
    to raise their error."""
    population = np.asarray(population, dtype="float64")
    count = np.asarray(count, dtype="float64")
    with np.errstate(invalid="ignore"):
        if (count < 0).any() or (population < 0).any() or (count > population).any():
            return None
    is_ref = np.zeros(population.shape, dtype=bool)
    is_ref[:, reference] = True
    usable = (population > 0) & ~np.isnan(count)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(usable, count / np.where(population > 0, population, 1), np.nan)
    rri, low, high, has_rri = _rri_interval(rate, count, population, rate[:, [reference]], count[:, [reference]],
                                            population[:, [reference]], is_ref, level)
    band = np.where(is_ref & has_rri, REFERENCE, bands(rri, thresholds))
    with np.errstate(invalid="ignore"):
        significant = (low > 1) | (high < 1)
        rate_hidden = count < minimum                        # False where missing, as `(count < minimum).fillna(False)`
        ref_small = ~(count[:, [reference]] >= minimum)      # True where missing
    rri_hidden = rate_hidden | ref_small
    return {
        "rate_per_1000": np.where(rate_hidden, np.nan, rate * 1000),
        "rri": np.where(rri_hidden, np.nan, rri), "ci_low": np.where(rri_hidden, np.nan, low),
        "ci_high": np.where(rri_hidden, np.nan, high),
        "band": np.where(rri_hidden, None, band).astype(object),
        "significant": significant, "significant_na": np.isnan(low) | rri_hidden,
        "suppressed": rate_hidden, "rri_suppressed": rri_hidden,
    }
