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
               focus_name: str) -> pd.DataFrame:
    """One row per period and series: the focus LA (its DfE code) as published, its sub-region's mean, Inner or Outer
    London, London and England as published, and its statistical neighbours' mean. Columns: period, series, value,
    marker (the focus LA's or a published area's, where it has no value), with, of (for means: LAs with a figure, LAs)."""
    return arrange(values).comparison(measure, focus, las, neighbours, focus_name)


def members_of(code: str) -> list[str]:
    """The LAs behind a DfE number: itself, or the members of a joint return ("314 / 318")."""
    return [c.strip() for c in str(code).split("/")]


def focus_area(values: pd.DataFrame, dfe_code: str) -> str:
    """Where an LA's figures are: its own DfE number, or its joint return's."""
    return arrange(values).focus_area(dfe_code)


def positions(values: pd.DataFrame, measure: Measure, period: str, las: pd.DataFrame) -> pd.DataFrame:
    """Every London LA for a period, best first by polarity (highest first where neither is better): la_code, la_name,
    dfe_code, subregion_name, value, marker, position ("3 of 31"; the marker's meaning where there is no figure)."""
    return arrange(values).positions(measure, period, las)


def profile(values: pd.DataFrame, measures: tuple[Measure, ...], period: str, focus: str, las: pd.DataFrame,
            neighbours: list[str], focus_name: str) -> pd.DataFrame:
    """Every measure for one period: the focus LA and each comparator (as `comparison`), one row per measure and
    series: measure, name, unit, series, value, marker, with, of."""
    return arrange(values).profile(measures, period, focus, las, neighbours, focus_name)


def arrange(values: pd.DataFrame, order: tuple[str, ...] = ()) -> "Arranged":
    """A dashboard's figures arranged once for every view of them (see `Arranged`); `order`: its measures' codes as its
    profile lists them (each year's figures are kept in that order too)."""
    joint = joint_returns(values, "dfe_code")
    measures = list(dict.fromkeys(values["measure"]))
    by_measure, cells = {}, {}
    for code in measures:
        rows = values[values["measure"] == code]
        keys = periods(rows)
        by_measure[code] = (rows.pivot(index="period", columns="dfe_code", values="value").reindex(keys).astype("float64"),
                            rows.pivot(index="period", columns="dfe_code", values="marker").reindex(keys), keys)
        for period, at in rows.groupby("period", sort=False):
            cells[(code, period)] = at.set_index("dfe_code")
    by_period = {}
    for period in periods(values):
        at_period = values[values["period"] == period]
        figures = at_period.pivot(index="measure", columns="dfe_code", values="value")
        markers = at_period.pivot(index="measure", columns="dfe_code", values="marker")
        present = frozenset(at_period["measure"])
        codes = tuple(c for c in order if c in present)
        by_period[period] = (figures, markers, present,
                             {codes: (figures.reindex(list(codes)).astype("float64"), markers.reindex(list(codes)))})
    names = values.drop_duplicates("dfe_code")
    return Arranged(values, joint, periods(values), by_measure, by_period, cells,
                    published_names=dict(zip(names["dfe_code"], names["area_name"])),
                    sources=sorted(set(values["source"])) if "source" in values else [],
                    markers=sorted(set(values["marker"].dropna())))


_NO_CELLS = pd.DataFrame({"value": pd.Series(dtype="float64"), "marker": pd.Series(dtype=object)},
                         index=pd.Index([], dtype=object, name="dfe_code"))


class Arranged:
    """A dashboard's figures arranged for the comparisons every view makes, once per data version (the page's worker
    keeps it: `view.bind`): the joint returns, each measure's figures and markers with periods down and areas across,
    each period's with measures down, and each measure and period's figures by area. The view of any LA, measure and
    year then picks from these, never filtering or pivoting the whole table again. Read-only: shared by every view."""

    def __init__(self, values, joint, all_periods, by_measure, by_period, cells, *, published_names, sources, markers):
        self.values, self.joint, self.periods = values, joint, all_periods
        self._by_measure, self._by_period, self._cells = by_measure, by_period, cells
        self.published_names = published_names   # DfE code -> the area's name as first published
        self.sources, self.markers = sources, markers   # every source and marker held, sorted

    def __deepcopy__(self, memo):   # read-only: the one arrangement is shared, never copied per view
        return self

    def measure_periods(self, measure: str) -> list[str]:
        """`periods(values, measure)`."""
        held = self._by_measure.get(measure)
        return list(held[2]) if held else []

    def focus_area(self, dfe_code: str) -> str:
        return self.joint.get(str(dfe_code), str(dfe_code))

    def comparison(self, measure: str, focus: str, las: pd.DataFrame, neighbours: list[str],
                   focus_name: str) -> pd.DataFrame:
        held = self._by_measure.get(measure)
        if held is None:
            return _against(None, None, "period", [], focus, las, neighbours, focus_name, self.joint)
        figures, markers, keys = held
        return _against(figures, markers, "period", keys, focus, las, neighbours, focus_name, self.joint)

    def positions(self, measure: Measure, period: str, las: pd.DataFrame) -> pd.DataFrame:
        rows = self._cells.get((measure.code, period), _NO_CELLS)
        table = joint_areas(las[["la_code", "la_name", "dfe_code", "subregion_name"]], self.joint, "dfe_code")
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

    def profile(self, measures: tuple[Measure, ...], period: str, focus: str, las: pd.DataFrame,
                neighbours: list[str], focus_name: str) -> pd.DataFrame:
        columns = ["measure", "name", "unit", "decimals", "series", "value", "marker", "with", "of"]
        held = self._by_period.get(period)
        codes = [m.code for m in measures if held and m.code in held[2]]
        if not codes:
            return pd.DataFrame(columns=columns)
        ordered = held[3].get(tuple(codes))
        figures, markers = ordered or (held[0].reindex(codes).astype("float64"), held[1].reindex(codes))
        frame = _against(figures, markers, "measure", codes, focus, las, neighbours, focus_name, self.joint)
        about = {m.code: m for m in measures}
        frame["name"] = [about[c].name for c in frame["measure"]]
        frame["unit"] = [about[c].unit for c in frame["measure"]]
        frame["decimals"] = [about[c].decimals for c in frame["measure"]]
        return frame[columns]


def _against(figures: pd.DataFrame | None, markers: pd.DataFrame | None, by: str, keys: list, focus: str,
             las: pd.DataFrame, neighbours: list[str], focus_name: str, joint: dict[str, str]) -> pd.DataFrame:
    """The series for each of `keys` (periods, or measures): `figures` and `markers` with the keys down and areas
    across; each series is a column or the mean of columns. Rows key by key, the series in their order."""
    columns = [by, "series", "value", "marker", "with", "of"]
    if not keys:
        return pd.DataFrame(columns=columns).astype({"value": "float64"})
    info = las.set_index("dfe_code").loc[members_of(focus)[0]]
    subregion = list(las[las["subregion_code"] == info["subregion_code"]]["dfe_code"])
    inner_outer = (INNER, "Inner London") if info["inner_outer"] == "Inner London" else (OUTER, "Outer London")
    n = len(keys)
    parts = []   # (label, values, markers, with, of)

    def published(code: str, label: str):
        value = figures[code].to_numpy(dtype="float64") if code in figures else np.full(n, np.nan)
        given = list(markers[code]) if code in markers else [None] * n
        marker = [None if v == v else (m if isinstance(m, str) and m else "not published") for v, m in zip(value, given)]
        parts.append((label, value, marker, [None] * n, [None] * n))

    def mean(members: list[str], label: str):
        covered = counted_once(members, joint)   # a joint return once, its LAs both counted in "with"
        present = [c for c in covered if c in figures]
        if present:
            chosen = figures[present]
            value = chosen.mean(axis=1).to_numpy(dtype="float64")
            with_ = (chosen.notna() * pd.Series({c: covered[c] for c in present}, dtype="int64")).sum(axis=1).tolist()
        else:
            value, with_ = np.full(n, np.nan), [0] * n
        parts.append((label, value, [None if w else "no LA with a figure" for w in with_], [int(w) for w in with_],
                      [len(members)] * n))

    published(joint.get(focus, focus), focus_name)
    mean(subregion, f"{info['subregion_name']} (sub-region mean)")
    if neighbours:
        mean(neighbours, "Statistical neighbours (mean)")
    published(inner_outer[0], inner_outer[1])
    published(LONDON, "London")
    published(ENGLAND, "England")
    # Key by key, the series in their order.
    cells = {name: np.empty(n * len(parts), dtype=object) for name in ("marker", "with", "of")}
    value = np.empty(n * len(parts), dtype="float64")
    for i, (_, v, m, w, o) in enumerate(parts):
        value[i::len(parts)] = v
        cells["marker"][i::len(parts)], cells["with"][i::len(parts)], cells["of"][i::len(parts)] = m, w, o
    text = lambda items: pd.Series(items, dtype=object)   # noqa: E731  (object columns, as the tables always had)
    return pd.DataFrame({by: text([k for k in keys for _ in parts]), "series": text([p[0] for p in parts] * n),
                         "value": value, "marker": text(cells["marker"]), "with": text(cells["with"]),
                         "of": text(cells["of"])})


def difference_text(value: float, other: float, measure: Measure, other_name: str) -> str:
    """'4 points above London' (percentages in points), 'the same as London'; '' when either is missing."""
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (value, other)):
        return ""
    gap = round(value - other, measure.decimals)
    unit = (" point" if abs(gap) == 1 else " points") if measure.unit == "%" else ""
    if gap == 0:
        return f"the same as {other_name}"
    return f"{abs(gap):,.{measure.decimals}f}{unit} {'above' if gap > 0 else 'below'} {other_name}"
