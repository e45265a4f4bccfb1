"""Agency pay arithmetic (London Pledge): PAYE adjustment, caps in force, pay ranges, over-cap counts and spend.

Rules (quoted in the page's notes):
- "Hourly pay rate after PAYE adjustments" puts every rate on the cap's basis. A PAYE worker's returned
  rate includes the employer's National Insurance and holiday pay, so both are taken out:
  adjusted = rate / ((1 + holiday pay rate) x (1 + employer NI rate in force on the quarter's last day)).
  Holiday pay is paid on the basic rate and employer NI on basic plus holiday pay, hence the product.
  Non-PAYE rates (umbrella company, limited company) are used as returned.
- The cap that applies is the cap for the assignment's job type in force on the quarter's last day
  (the latest cap whose effective-from date is on or before it).
- Over cap: the adjusted rate, to the penny, is above the cap (equal to the cap is within it).
- Spend is hours per week x adjusted rate (a week of the quarter; every assignment in a quarter's return
  counts the same number of weeks, so shares are unaffected).
  % of spend on over-cap assignments = spend of assignments over cap / all spend.
  Excess over cap = hours x (adjusted rate - cap) for assignments over cap, and its share of all spend.
- Quartiles and median: linear interpolation between the ranked rates (pandas' default, Excel's
  QUARTILE.INC), one value per assignment, unweighted.
- Disclosure control (dashboard.disclosure, the ONS cell-key method; `protect_summary`): every count of assignments
  (in a group, over cap, excluding legacy) is shown perturbed, each group a cell of its own whose key is the sum of its
  assignments' record keys, except the viewer's own LA's assignments, counted exactly. Shares over cap are protected
  over-cap count / protected count. Pay figures (rates, quartiles, spend shares) are shown only for groups of the
  viewer's own LA alone or whose protected count of other LAs' assignments is at least `PAY_MINIMUM`, a count no group
  of fewer than 5 assignments can be shown as.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dashboard import disclosure

# --- settings (to be wired into dashboard.config by the lead; one place to change them) -----------------

HOLIDAY_PAY_RATE: float = 0.1207
"""Holiday pay as a share of basic pay for a PAYE agency worker: the statutory 5.6 weeks' leave over the
46.4 weeks worked in a year (5.6 / 46.4 = 12.07%), the rate agencies use for rolled-up holiday pay."""

EMPLOYER_NI_RATES: tuple[tuple[date, float], ...] = (
    (date(2011, 4, 6), 0.138),
    (date(2022, 4, 6), 0.1505),   # Health and Social Care Levy period
    (date(2022, 11, 6), 0.138),   # levy reversed
    (date(2025, 4, 6), 0.15),
)
"""Employer (secondary Class 1) National Insurance rate above the secondary threshold, each with the date it
took effect. The rate on the last day of a return's quarter is the one taken out of PAYE rates."""

# --- reference: job types of the statutory agency guidance ----------------------------------------------

JOB_TYPES: dict[str, str] = {
    "social_worker": "Social worker",
    "senior_social_worker": "Senior social worker",
    "advanced_practitioner": "Advanced practitioner",
    "team_manager": "Team manager",
    "iro_cp_chair": "IRO / CP chair",
}
JOB_TYPE_NOTES: dict[str, str] = {
    "social_worker": "Qualified children's social worker.",
    "senior_social_worker": "Senior or experienced social worker.",
    "advanced_practitioner": "Advanced practitioner, including assistant team managers and principal social workers.",
    "team_manager": "Team manager.",
    "iro_cp_chair": "Independent reviewing officer or child protection conference chair.",
}


def employer_ni_rate_on(day, rates: tuple[tuple[date, float], ...] = EMPLOYER_NI_RATES) -> float:
    """The employer NI rate in force on `day` (the latest rate whose start is on or before it)."""
    day = pd.Timestamp(day).date()
    in_force = [rate for start, rate in sorted(rates) if start <= day]
    if not in_force:
        raise ValueError(f"no employer NI rate is set for {day.isoformat()}")
    return in_force[-1]


def paye_adjusted_rate(rate, is_paye, on, *, holiday_pay_rate: float = HOLIDAY_PAY_RATE,
                       ni_rates: tuple[tuple[date, float], ...] = EMPLOYER_NI_RATES):
    """Hourly pay rate after PAYE adjustments: PAYE rates with employer NI and holiday pay taken out.

    Works on one rate or element-wise on Series/arrays (`is_paye` and `on` alike). Non-PAYE rates come
    back unchanged; a missing rate stays missing.
    Example: a PAYE rate of £40.00 in a quarter ending 30 Jun 2024 (NI 13.8%):
    40 / (1.1207 x 1.138) = 40 / 1.2753566 = £31.36.
    """
    if np.ndim(rate) == 0:
        if not is_paye or pd.isna(rate):
            return rate
        return rate / ((1 + holiday_pay_rate) * (1 + employer_ni_rate_on(on, ni_rates)))
    rate = pd.Series(rate, dtype="float64").reset_index(drop=True)
    paye = pd.Series(is_paye, dtype="bool").reset_index(drop=True)
    days = pd.Series(pd.to_datetime(pd.Series(on)), name="day").reset_index(drop=True)
    if len(days) == 1 and len(rate) > 1:
        days = pd.Series([days.iloc[0]] * len(rate))
    unique_days = days.drop_duplicates()
    ni = days.map({d: employer_ni_rate_on(d, ni_rates) for d in unique_days})
    factor = np.where(paye, (1 + holiday_pay_rate) * (1 + ni.astype("float64")), 1.0)
    return rate / factor


def caps_in_force(caps: pd.DataFrame, on) -> pd.DataFrame:
    """job_type, cap, effective_from, is_illustrative: the cap of each job type in force on `on`."""
    day = pd.Timestamp(on)
    frame = caps.assign(effective_from=pd.to_datetime(caps["effective_from"]))
    frame = frame[frame["effective_from"] <= day].sort_values("effective_from")
    return frame.groupby("job_type", sort=False).tail(1).set_index("job_type").reindex(list(JOB_TYPES)).dropna(
        subset=["cap"]).reset_index()


def attach_caps(assignments: pd.DataFrame, caps: pd.DataFrame) -> pd.DataFrame:
    """Each assignment with the cap for its job type in force on its quarter's last day (NaN if none was)."""
    out = assignments.copy()
    out["_order"] = np.arange(len(out))
    # One datetime resolution on both sides (pandas 3 keeps s/us/ns apart and merge_asof refuses a mix).
    left = out.assign(period_end=pd.to_datetime(out["period_end"]).astype("datetime64[ns]")).sort_values("period_end")
    right = (caps[["job_type", "effective_from", "cap"]]
             .assign(effective_from=pd.to_datetime(caps["effective_from"]).astype("datetime64[ns]"),
                     cap=caps["cap"].astype("float64"))
             .sort_values("effective_from"))
    merged = pd.merge_asof(left.drop(columns=["cap"], errors="ignore"), right, left_on="period_end",
                           right_on="effective_from", by="job_type", direction="backward")
    merged = merged.sort_values("_order").drop(columns=["_order", "effective_from"]).reset_index(drop=True)
    merged["period_end"] = out["period_end"].to_numpy()
    return merged


def prepare(assignments: pd.DataFrame, caps: pd.DataFrame, **adjust) -> pd.DataFrame:
    """Assignments with `adjusted_rate`, `cap`, `over_cap`, `spend` and `excess` (spend above the cap)."""
    out = attach_caps(assignments, caps)
    out["adjusted_rate"] = paye_adjusted_rate(out["hourly_rate"], out["is_paye"], out["period_end"], **adjust).to_numpy()
    out["over_cap"] = out["adjusted_rate"].round(2) > out["cap"]  # NaN cap (none in force): never over
    out["spend"] = out["hours_per_week"] * out["adjusted_rate"]
    out["excess"] = np.where(out["over_cap"], out["hours_per_week"] * (out["adjusted_rate"] - out["cap"]), 0.0)
    return out


def rate_range(rates: pd.Series) -> dict:
    """n, min, q1, median, q3, max of the rates (linear interpolation; NaN when there are none)."""
    rates = pd.Series(rates, dtype="float64").dropna()
    if rates.empty:
        return {"n": 0, "min": np.nan, "q1": np.nan, "median": np.nan, "q3": np.nan, "max": np.nan}
    return {"n": int(len(rates)), "min": float(rates.min()), "q1": float(rates.quantile(0.25)),
            "median": float(rates.quantile(0.5)), "q3": float(rates.quantile(0.75)), "max": float(rates.max())}


def over_cap(frame: pd.DataFrame) -> dict:
    """Counts and spend over cap for a set of prepared assignments (all of them; filter legacy before)."""
    n = int(len(frame))
    spend = float(frame["spend"].sum())
    over = frame["over_cap"].astype(bool)
    n_over = int(over.sum())
    spend_over = float(frame.loc[over, "spend"].sum())
    excess = float(frame["excess"].sum())
    pct = (lambda part, whole: 100.0 * part / whole if whole else np.nan)
    return {"n": n, "n_over": n_over, "pct_over": pct(n_over, n), "spend": spend, "spend_over": spend_over,
            "pct_spend_over": pct(spend_over, spend), "excess": excess, "pct_excess": pct(excess, spend)}


SUMMARY_COLUMNS = ["n", "min", "q1", "median", "q3", "max", "n_over", "pct_over", "spend", "spend_over",
                   "pct_spend_over", "excess", "pct_excess", "n_excl", "n_over_excl", "pct_over_excl", "spend_excl",
                   "spend_over_excl", "pct_spend_over_excl", "excess_excl", "pct_excess_excl", "n_legacy",
                   "k", "k_over", "k_excl", "k_over_excl"]
"""Per group: counts, pay figures, and (k...) the sums of the record keys of the assignments behind each count (the
cell keys before `mod 256`): a group's cell key, and a part's taken away from it, stay exact sums."""
COUNTS = {"n": "k", "n_over": "k_over", "n_excl": "k_excl", "n_over_excl": "k_over_excl"}
"""Each count of a summary and the column of its record-key sum."""
PAY_FIGURES = ["min", "q1", "median", "q3", "max", "spend", "spend_over", "pct_spend_over", "excess", "pct_excess",
               "spend_excl", "spend_over_excl", "pct_spend_over_excl", "excess_excl", "pct_excess_excl"]
"""A group's figures that are not counts: shown only where `protect_summary` says its pay figures may be."""
PAY_MINIMUM = 1 + max(c + int(disclosure.PTABLE[c].max()) for c in range(1, 5))
"""Pay figures need a protected count of other LAs' assignments of at least this: one more than the most a count of
1-4 can be shown as (5 with today's table: 1-4 become 0 or 5), so no group of fewer than 5 assignments ever shows a rate."""


def _group_ids(frame: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(group number of each row, -1 where a key is missing; the first row of each group), groups numbered in order of
    first appearance, as `groupby(by, sort=False)` orders them."""
    ids = np.zeros(len(frame), dtype="int64")
    missing = np.zeros(len(frame), dtype=bool)
    for column in by:
        codes, uniques = pd.factorize(frame[column], sort=False)
        missing |= codes < 0
        ids = ids * (len(uniques) + 1) + codes
    ids[missing] = -1
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    if missing.any():   # missing keys make no group (groupby's dropna)
        keep = ids[first] >= 0
        renumber = np.cumsum(keep) - 1
        first, inverse = first[keep], np.where(keep[inverse], renumber[inverse], -1)
    order = np.argsort(first, kind="stable")           # number the groups by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return np.where(inverse >= 0, rank[np.maximum(inverse, 0)], -1), first[order]


def _linear_quantile(values: np.ndarray, starts: np.ndarray, counts: np.ndarray, q: float) -> np.ndarray:
    """Per group, the q-quantile of its sorted values (linear interpolation, as pandas and Excel's QUARTILE.INC)."""
    out = np.full(len(counts), np.nan)
    has = counts > 0
    position = q * (counts[has] - 1)
    low = np.floor(position).astype("int64")
    high = np.minimum(low + 1, counts[has] - 1)
    frac = position - low
    below, above = values[starts[has] + low], values[starts[has] + high]
    out[has] = below + (above - below) * frac
    return out


def group_summary(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group: the rate range and over-cap figures, with and without legacy contracts (suffix `_excl`).

    The same figures as `rate_range` and `over_cap` per group (`summary_arrays`); groups in order of first appearance."""
    columns = by + SUMMARY_COLUMNS
    if frame.empty:
        return pd.DataFrame(columns=columns)
    group, first = _group_ids(frame, by)
    rows = group >= 0
    keys = (frame[disclosure.RECORD_KEY].to_numpy(dtype="float64")[rows] if disclosure.RECORD_KEY in frame
            else np.zeros(int(rows.sum())))
    out = {column: frame[column].iloc[first].reset_index(drop=True) for column in by}
    out.update(summary_arrays(group[rows], len(first), frame["adjusted_rate"].to_numpy(dtype="float64")[rows],
                              frame["over_cap"].to_numpy(dtype=bool)[rows], ~frame["is_legacy"].to_numpy(dtype=bool)[rows],
                              frame["spend"].to_numpy(dtype="float64")[rows], frame["excess"].to_numpy(dtype="float64")[rows],
                              keys))
    return pd.DataFrame(out, columns=columns)


def _pct(part, whole):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole != 0, 100.0 * part / np.where(whole != 0, whole, 1), np.nan)


def count_arrays(group: np.ndarray, n_groups: int, over: np.ndarray, current: np.ndarray, keys: np.ndarray) -> dict:
    """Per group 0..n_groups-1: the counts of `COUNTS` and their sums of record keys (int64 arrays), from one value per
    assignment (its group, whether over cap, whether current (not legacy), its record key)."""
    def total(weights=None):
        return np.bincount(group, weights=weights, minlength=n_groups)
    over_current = over & current
    return {"n": total().astype("int64"), "n_over": total(over).astype("int64"), "n_excl": total(current).astype("int64"),
            "n_over_excl": total(over_current).astype("int64"), "k": total(keys).astype("int64"),
            "k_over": total(np.where(over, keys, 0.0)).astype("int64"),
            "k_excl": total(np.where(current, keys, 0.0)).astype("int64"),
            "k_over_excl": total(np.where(over_current, keys, 0.0)).astype("int64")}


def summary_arrays(group: np.ndarray, n_groups: int, rate: np.ndarray, over: np.ndarray, current: np.ndarray,
                   spend: np.ndarray, excess: np.ndarray, keys: np.ndarray) -> dict[str, np.ndarray]:
    """`SUMMARY_COLUMNS` per group 0..n_groups-1 (numpy arrays), from one value per assignment: its group, adjusted
    rate, whether over cap, whether current (not legacy), weekly spend, excess over cap and record key. One pass: one
    sort for the quartiles, one weighted count per sum. A group with no assignment has its counts 0 and no other
    figure (NaN), as a group missing from the summary has none."""
    def total(weights=None):
        return np.bincount(group, weights=weights, minlength=n_groups)

    counts_keys = count_arrays(group, n_groups, over, current, keys)
    n, n_over, n_excl, n_over_excl = (counts_keys[c] for c in ("n", "n_over", "n_excl", "n_over_excl"))
    row_spend, row_excess = spend, excess
    spend, spend_over, excess = total(row_spend), total(np.where(over, row_spend, 0.0)), total(row_excess)
    spend_excl = total(np.where(current, row_spend, 0.0))
    spend_over_excl = total(np.where(over & current, row_spend, 0.0))
    excess_excl = total(np.where(current, row_excess, 0.0))
    # Rates sorted within each group, missing rates last (left out, as pandas' quantile, min and max leave them).
    order = np.lexsort((rate, group))
    ranked = rate[order]
    starts = np.searchsorted(group[order], np.arange(n_groups))
    counts = np.bincount(group[~np.isnan(rate)], minlength=n_groups)
    has = counts > 0
    last = len(ranked) - 1
    out = {
        "n": n, "min": np.where(has, ranked[np.clip(starts, 0, last)], np.nan) if len(ranked) else np.full(n_groups, np.nan),
        "q1": _linear_quantile(ranked, starts, counts, 0.25), "median": _linear_quantile(ranked, starts, counts, 0.5),
        "q3": _linear_quantile(ranked, starts, counts, 0.75),
        "max": (np.where(has, ranked[np.clip(starts + np.maximum(counts - 1, 0), 0, last)], np.nan) if len(ranked)
                else np.full(n_groups, np.nan)),
        "n_over": n_over, "pct_over": _pct(n_over, n), "spend": spend, "spend_over": spend_over,
        "pct_spend_over": _pct(spend_over, spend), "excess": excess, "pct_excess": _pct(excess, spend),
        "n_excl": n_excl, "n_over_excl": n_over_excl, "pct_over_excl": _pct(n_over_excl, n_excl),
        "spend_excl": spend_excl, "spend_over_excl": spend_over_excl, "pct_spend_over_excl": _pct(spend_over_excl, spend_excl),
        "excess_excl": excess_excl, "pct_excess_excl": _pct(excess_excl, spend_excl),
        "n_legacy": total(~current).astype("int64"),
        **{c: counts_keys[c] for c in COUNTS.values()},
    }
    empty = n == 0
    if empty.any():
        for column in ("spend", "spend_over", "excess", "spend_excl", "spend_over_excl", "excess_excl"):
            out[column] = np.where(empty, np.nan, out[column])
    return out


def protect_arrays(true: dict, mine: dict | None, alone: np.ndarray) -> dict[str, np.ndarray]:
    """The core of `protect_summary` on aligned arrays: `true` a summary's columns (counts and their key sums; any of
    `PAY_FIGURES` it has), `mine` the viewer's own LA's counts and key sums in the same groups (None: none of theirs),
    `alone` whether each group is the viewer's own LA's alone. Gives the shown counts, the shares over cap rebuilt
    from them, `others_shown`, `pay_shown` and the pay figures (NaN where not shown); no key sum."""
    rows = len(alone)
    zeros = np.zeros(rows, dtype="int64")
    mine = mine or {}

    def column(source, name):
        value = source.get(name)
        return zeros if value is None else np.nan_to_num(np.asarray(value, dtype="float64")).astype("int64")

    shown = {}
    for count, key in COUNTS.items():
        own_count = column(mine, count)
        protected = disclosure.protect(column(true, count) - own_count,
                                       (column(true, key) - column(mine, key)) % disclosure.KEY_RANGE)
        if count == "n":
            others_shown = protected
        shown[count] = protected + own_count
    shown["n_over"] = np.minimum(shown["n_over"], shown["n"])
    shown["n_over_excl"] = np.minimum(shown["n_over_excl"], shown["n_excl"])
    with np.errstate(divide="ignore", invalid="ignore"):
        for share, (part, whole) in {"pct_over": ("n_over", "n"), "pct_over_excl": ("n_over_excl", "n_excl")}.items():
            shown[share] = np.where(shown[whole] > 0, 100.0 * shown[part] / np.where(shown[whole] > 0, shown[whole], 1),
                                    np.nan)
    pay_shown = np.asarray(alone, dtype=bool) | (others_shown >= PAY_MINIMUM)
    for figure in PAY_FIGURES:
        if figure in true:
            shown[figure] = np.where(pay_shown, np.asarray(true[figure], dtype="float64"), np.nan)
    shown["others_shown"], shown["pay_shown"] = others_shown, pay_shown
    return shown


def protect_summary(summary: pd.DataFrame, own: pd.DataFrame | None = None, *, on: list[str] | None = None,
                    own_alone=None) -> pd.DataFrame:
    """Group summaries as a viewer may see them (the cell-key method, dashboard.disclosure).

    summary   `group_summary` rows (every LA's assignments in each group)
    own       the same groups (matched `on` their key columns) built from the viewer's own LA's assignments alone, or
              None where none of theirs is in any group; those are counted exactly
    own_alone a boolean per row: the group is the viewer's own LA's alone (its pay figures are theirs)
    Each count (n, n_over, n_excl, n_over_excl) becomes its own part plus the other LAs' part protected (their count
    and the sum of their record keys mod 256 as the cell key); an over-cap count is never shown above its group's
    count. Shares over cap are rebuilt from the protected counts. `others_shown` is the other LAs' protected count
    and `pay_shown` whether the pay figures may be shown: the group is the viewer's alone, or `others_shown` is at
    least PAY_MINIMUM. Where not, the pay figures are NaN. Key sums are dropped: nothing keyed leaves here.
    (`protect_arrays` on the frame's columns.)
    """
    out = summary.reset_index(drop=True)
    rows = len(out)
    mine = None
    if own is not None and len(own) and on:
        mine_frame = out[on].merge(own[on + list(COUNTS) + list(COUNTS.values())], on=on, how="left")
        mine = {c: mine_frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in list(COUNTS) + list(COUNTS.values())}
    true = {c: out[c].to_numpy(dtype="float64", na_value=np.nan) for c in list(COUNTS) + list(COUNTS.values()) + PAY_FIGURES
            if c in out}
    alone = (np.zeros(rows, dtype=bool) if own_alone is None
             else pd.Series(own_alone).reset_index(drop=True).to_numpy(dtype=bool))
    shown = protect_arrays(true, mine, alone)
    others_shown, pay_shown = shown.pop("others_shown"), shown.pop("pay_shown")
    dropped = set(COUNTS.values()) | {"n_legacy"}
    # The summary's own columns, then the new ones in the order they were always added (a count or share missing
    # from the summary is added after others_shown, as it was when it was protected).
    columns = [c for c in out.columns if c not in dropped] + ["others_shown"]
    columns += [c for c in shown if c not in columns] + ["pay_shown"]
    values = {**{c: out[c] for c in out.columns if c not in dropped}, **shown, "others_shown": others_shown,
              "pay_shown": pay_shown}
    return pd.DataFrame({c: values[c] for c in columns}, index=pd.RangeIndex(rows))


def quarter_label(period_end) -> str:
    """Financial-year quarter: Apr-Jun is Q1, Jan-Mar is Q4 of the year that began the April before."""
    day = pd.Timestamp(period_end)
    start_year = day.year if day.month >= 4 else day.year - 1
    return f"Q{(day.month - 4) % 12 // 3 + 1} {start_year}-{str(start_year + 1)[-2:]}"


def spread_change(trend) -> pd.DataFrame:
    """Per job type: the spread (Q3 - Q1) in the first and last quarter with figures, and whether it narrowed.
    `trend`: columns job_type, period_end, q1 and q3 (a DataFrame's, or a dict of lists or arrays)."""
    by_job: dict = {}
    for job, period, q1, q3 in zip(*(list(trend[column]) for column in ("job_type", "period_end", "q1", "q3"))):
        if not (pd.isna(job) or pd.isna(q1) or pd.isna(q3)):
            by_job.setdefault(job, []).append((period, q1, q3))
    rows = []
    for job, quarters in by_job.items():
        quarters = sorted(quarters, key=lambda quarter: quarter[0])
        (first_period, first_q1, first_q3), (last_period, last_q1, last_q3) = quarters[0], quarters[-1]
        before, after = first_q3 - first_q1, last_q3 - last_q1
        verdict = ("narrower: converging" if after < before - 0.005 else
                   "wider: diverging" if after > before + 0.005 else "unchanged")
        rows.append({"job_type": job, "first_period": first_period, "first_spread": before, "last_period": last_period,
                     "last_spread": after, "verdict": verdict if len(quarters) > 1 else ""})
    return pd.DataFrame(rows, columns=["job_type", "first_period", "first_spread", "last_period", "last_spread", "verdict"])
