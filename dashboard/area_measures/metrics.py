"""Pure functions over a dashboard's figures (measure, period, dfe_code, area_name, value, marker): an LA against its
comparators year by year, every London LA in a year, and every measure at a glance.

Rules: London, Inner or Outer London and England are the published figures for those areas. The sub-region and the
statistical neighbours are unweighted means of their LAs that have a figure (each mean says how many of how many).
A marker ("-", "c", ...) is kept as published, never 0, and left out of means and positions. A joint return (the
workforce census's Kingston / Richmond) follows the one rule in `dashboard.published.joint`: the figure of both LAs,
one row in positions, counted once in a mean (its "with" counts both LAs).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard.area_measures.spec import ENGLAND, INNER, LONDON, OUTER, Measure
from dashboard.published.formats import marker_text  # noqa: F401  (the pages' one wording of markers)
from dashboard.published.joint import counted_once, joint_areas, joint_returns


def year_of(period: str) -> int:
    return int(str(period)[:4])


def periods(values: pd.DataFrame, measure: str | None = None) -> list[str]:
    """Periods with any figure or marker (for one measure, or any), oldest first."""
    rows = values if measure is None else values[values["measure"] == measure]
    return sorted(rows["period"].unique(), key=year_of)


def comparison(values: pd.DataFrame, measure: str, focus: str, las: pd.DataFrame, neighbours: list[str],
               focus_name: str, joint: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per period and series: the focus LA (its DfE code) as published, its sub-region's mean, Inner or Outer
    London, London and England as published, and its statistical neighbours' mean. Columns: period, series, value,
    marker (the focus LA's or a published area's, where it has no value), with, of (for means: LAs with a figure, LAs).
    `joint`: `joint_returns(values, "dfe_code")`, when the caller has it already."""
    rows = values[values["measure"] == measure]
    joint = joint_returns(values, "dfe_code") if joint is None else joint
    return _against(rows, "period", periods(values, measure), focus, las, neighbours, focus_name, joint)


def _against(rows: pd.DataFrame, by: str, keys: list, focus: str, las: pd.DataFrame, neighbours: list[str],
             focus_name: str, joint: dict[str, str]) -> pd.DataFrame:
    """`comparison`'s series for each of `keys` (periods, or measures) in `rows`' column `by`: key by key, the series
    in their order. Keys down, areas across: every series is a column or the mean of columns, in one pass."""
    info = las.set_index("dfe_code").loc[members_of(focus)[0]]
    subregion = list(las[las["subregion_code"] == info["subregion_code"]]["dfe_code"])
    inner_outer = (INNER, "Inner London") if info["inner_outer"] == "Inner London" else (OUTER, "Outer London")
    figures = rows.pivot(index=by, columns="dfe_code", values="value").reindex(keys).astype("float64")
    markers = rows.pivot(index=by, columns="dfe_code", values="marker").reindex(keys)
    parts = []

    def published(code: str, label: str):
        value = figures[code] if code in figures else pd.Series(np.nan, index=keys)
        given = markers[code] if code in markers else pd.Series(None, index=keys, dtype=object)
        marker = [None if pd.notna(v) else (m if isinstance(m, str) and m else "not published")
                  for v, m in zip(value, given)]
        parts.append(pd.DataFrame({by: keys, "series": label, "value": value.to_numpy(), "marker": marker,
                                   "with": None, "of": None}))

    def mean(members: list[str], label: str):
        covered = counted_once(members, joint)   # a joint return once, its LAs both counted in "with"
        present = [c for c in covered if c in figures]
        value = figures[present].mean(axis=1) if present else pd.Series(np.nan, index=keys)
        with_ = ((figures[present].notna() * pd.Series({c: covered[c] for c in present}, dtype="int64")).sum(axis=1)
                 if present else pd.Series(0, index=keys))
        parts.append(pd.DataFrame({
            by: keys, "series": label, "value": value.to_numpy(),
            "marker": [None if n else "no LA with a figure" for n in with_], "with": [int(n) for n in with_],
            "of": len(members)}, dtype=object))

    published(joint.get(focus, focus), focus_name)
    mean(subregion, f"{info['subregion_name']} (sub-region mean)")
    if neighbours:
        mean(neighbours, "Statistical neighbours (mean)")
    published(inner_outer[0], inner_outer[1])
    published(LONDON, "London")
    published(ENGLAND, "England")
    columns = [by, "series", "value", "marker", "with", "of"]
    if not keys:
        return pd.DataFrame(columns=columns).astype({"value": "float64"})
    frame = pd.concat(parts, ignore_index=True)
    order = np.argsort(np.tile(np.arange(len(keys)), len(parts)), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)[columns]
    frame["value"] = frame["value"].astype("float64")
    return frame


def members_of(code: str) -> list[str]:
    """The LAs behind a DfE number: itself, or the members of a joint return ("314 / 318")."""
    return [c.strip() for c in str(code).split("/")]


def focus_area(values: pd.DataFrame, dfe_code: str) -> str:
    """Where an LA's figures are: its own DfE number, or its joint return's."""
    return joint_returns(values, "dfe_code").get(str(dfe_code), str(dfe_code))


def positions(values: pd.DataFrame, measure: Measure, period: str, las: pd.DataFrame) -> pd.DataFrame:
    """Every London LA for a period, best first by polarity (highest first where neither is better): la_code, la_name,
    dfe_code, subregion_name, value, marker, position ("3 of 31"; the marker's meaning where there is no figure)."""
    rows = values[(values["measure"] == measure.code) & (values["period"] == period)].set_index("dfe_code")
    table = joint_areas(las[["la_code", "la_name", "dfe_code", "subregion_name"]], joint_returns(values, "dfe_code"),
                        "dfe_code")
    table["value"] = table["dfe_code"].map(rows["value"]).astype("float64")
    table["marker"] = pd.Series([None if pd.notna(v) else (rows["marker"].get(d) or "not published") if d in rows.index
                                 else "not published" for d, v in zip(table["dfe_code"], table["value"])],
                                index=table.index, dtype=object)
    ascending = measure.polarity == "lower"
    table = table.sort_values(["value", "la_name"], ascending=[ascending, True], na_position="last")
    n = int(table["value"].notna().sum())
    # Ties share the better place (competition ranking: 1, 2, 2, 4).
    ranks = table["value"].rank(method="min", ascending=ascending)
    table["position"] = pd.Series([f"{int(r)} of {n}" if pd.notna(r) else None for r in ranks], index=table.index,
                                  dtype=object)
    return table.reset_index(drop=True)


def profile(values: pd.DataFrame, measures: tuple[Measure, ...], period: str, focus: str, las: pd.DataFrame,
            neighbours: list[str], focus_name: str) -> pd.DataFrame:
    """Every measure for one period: the focus LA and each comparator (as `comparison`), one row per measure and
    series: measure, name, unit, series, value, marker, with, of."""
    columns = ["measure", "name", "unit", "decimals", "series", "value", "marker", "with", "of"]
    at_period = values[values["period"] == period]   # one period: nothing else is worked out
    codes = [m.code for m in measures if m.code in set(at_period["measure"])]
    if not codes:
        return pd.DataFrame(columns=columns)
    frame = _against(at_period, "measure", codes, focus, las, neighbours, focus_name, joint_returns(values, "dfe_code"))
    about = {m.code: m for m in measures}
    frame["name"] = [about[c].name for c in frame["measure"]]
    frame["unit"] = [about[c].unit for c in frame["measure"]]
    frame["decimals"] = [about[c].decimals for c in frame["measure"]]
    return frame[columns]


def difference_text(value: float, other: float, measure: Measure, other_name: str) -> str:
    """'4 points above London' (percentages in points), 'the same as London'; '' when either is missing."""
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (value, other)):
        return ""
    gap = round(value - other, measure.decimals)
    unit = (" point" if abs(gap) == 1 else " points") if measure.unit == "%" else ""
    if gap == 0:
        return f"the same as {other_name}"
    return f"{abs(gap):,.{measure.decimals}f}{unit} {'above' if gap > 0 else 'below'} {other_name}"
