"""A dashboard of published measures: filters in, everything its page shows out (figures as dicts, tables,
sentences), and its presentation (files, images, slides). Each dashboard's own `view` module binds these to its
measures and caches the result (`loader.view_cache`)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from dashboard.chart_theme import lean_figure
from dashboard import loader
from dashboard.area_measures import figures, metrics
from dashboard.area_measures.spec import Measure, check_scope
from dashboard.loader import published as published_loader
from dashboard.presenting import Presentation, Slide, anonymise_las
from dashboard.area_measures.metrics import marker_text
from dashboard.published.formats import MARKERS
from dashboard.published.joint import JOINT_NOTE

CHARTS = ("trend", "las", "profile")
TABLES = ("trend", "las", "profile")


@dataclass(frozen=True)
class PageSpec:
    """What a dashboard of published measures declares besides its data: its name (file names start with it), title,
    measures (the first is the default), and the notes its page adds (what is and is not in the source)."""
    name: str
    title: str
    measures: tuple[Measure, ...]
    notes: tuple[tuple[str, str], ...]
    # The dashboard's own touches to its trend chart (e.g. score bands), given the measure and the figure (a dict).
    decorate_trend: Callable[[Measure, dict], dict] | None = None
    # A few words under the LA's figure (e.g. the SDQ band its score falls in), given the measure and the figure.
    value_note: Callable[[Measure, float], str] | None = None
    # What its years are and where its figures come from (LAIT's, unless the dashboard reads another publication).
    years_label: str = "Year to 31 March"
    year_filter: str = "Year (to 31 March)"
    years_note: str = "Each year is the year to 31 March (2025 = April 2024 to March 2025), as LAIT labels it."
    publisher: str = "LAIT"
    importing: str = "Local Authority Interactive Tool (LAIT) long table (bds_long_*.csv)"

    def measure(self, code: str) -> Measure:
        return next(m for m in self.measures if m.code == code)

    @property
    def charted(self) -> tuple[Measure, ...]:
        return tuple(m for m in self.measures if m.chart)


@dataclass(frozen=True)
class Selection:
    focus: str        # the LA's ONS code
    measure: str      # LAIT code
    period: str

    def query(self) -> dict:
        return {"la": self.focus, "measure": self.measure, "year": self.period}


def resolve(spec: PageSpec, held: metrics.Arranged, las: pd.DataFrame, user_la: str | None, focus=None, measure=None,
            period=None) -> Selection | None:
    """Valid choices from whatever arrived (the address bar or the dropdowns); None when no figure has been imported."""
    if held.values.empty:
        return None
    codes = list(las["la_code"])
    focus = focus if focus in codes else (user_la if user_la in codes else sorted(codes)[0])
    charted = [m.code for m in spec.charted]
    measure = measure if measure in charted else charted[0]
    years = held.periods   # every measure's years: one with no figure for this measure says so
    if not years:
        return None
    period = period if period in years else years[-1]
    return Selection(focus, measure, period)


def resolve_query(spec: PageSpec, held: metrics.Arranged, query: dict, scope: loader.AccessScope) -> Selection | None:
    """The selection an address-bar query (or the dropdowns' values, by their address-bar names) gives."""
    return resolve(spec, held, loader.local_authorities(), scope.la_code, query.get("la"), query.get("measure"),
                   query.get("year"))


@dataclass(frozen=True)
class MeasuresView:
    """What a dashboard of published measures' `view` module offers its page (and My LA, warming, the deck): SPEC,
    resolve, years, build_view (cached per data version, the same for every member), presentation."""
    SPEC: PageSpec
    resolve: Callable
    years: Callable
    build_view: Callable
    presentation: Callable
    dataset: str          # the dataset its figures are (its version is in every cached view's key)


def bind(spec: PageSpec, read_values: Callable[[loader.AccessScope], pd.DataFrame], dataset: str,
         module: str) -> MeasuresView:
    """A dashboard's view from its declaration: `read_values` is its cached read of `dataset`; `module` (its view
    module's name) names its cached views, so no two dashboards share a cache key."""
    @loader.kept_in_process(dataset, check=check_scope)
    def arranged(scope: loader.AccessScope) -> metrics.Arranged:
        """Its figures arranged for every view, once per data version in each worker (the same for every member)."""
        return metrics.arrange(read_values(scope), tuple(m.code for m in spec.measures))

    def resolve(query: dict, scope: loader.AccessScope) -> Selection | None:
        return resolve_query(spec, arranged(scope), query, scope)

    def years(scope: loader.AccessScope) -> list[str]:
        return list(arranged(scope).periods)

    def build_view(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
        return build_for(spec, selection, arranged(scope), scope, anonymise_with)
    build_view.__module__, build_view.__qualname__ = module, "build_view"   # the cache key's name, as before
    # The same for every member: published figures, read by any signed-in scope.
    build_view = loader.view_cache(dataset, "reference", "published", check=check_scope)(build_view)

    def present(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None):
        view = build_view(selection, scope, anonymise_with=anonymise_with)
        return presentation(spec, view, selection, bool(anonymise_with))
    return MeasuresView(spec, resolve, years, build_view, present, dataset)


def build_for(spec: PageSpec, selection: Selection, held: metrics.Arranged, scope: loader.AccessScope,
              anonymise_with: str | None) -> "MeasureView":
    """`build` with the LAs and the focus LA's DfE statistical neighbours read for it (each dashboard's cached
    `build_view` calls this with its own figures, arranged)."""
    las = loader.local_authorities()
    dfe = las.set_index("la_code").loc[selection.focus, "dfe_code"]
    return build(spec, selection, held, las, published_loader.statistical_neighbours(str(dfe)), scope.la_code,
                 anonymise_with)


@dataclass(frozen=True)
class MeasureView:
    focus_name: str
    measure: Measure
    period: str
    kpis: list
    titles: dict
    figures: dict          # chart -> figure (dict)
    tables: dict           # table -> DataFrame as shown and downloaded
    takeaways: dict
    notes: list


def _neighbour_codes(neighbours: pd.DataFrame) -> list[str]:
    return [str(c) for c in neighbours["neighbour_dfe_code"]] if len(neighbours) else []


def _neighbour_names(neighbours: pd.DataFrame, published: dict, las: pd.DataFrame) -> str:
    """The neighbours as the page names them: London's by the page's names (anonymised when asked), others as
    LAIT names them (`published`: DfE code -> name)."""
    london = dict(zip(las["dfe_code"].astype(str), las["la_name"]))
    return ", ".join(london.get(str(d), published.get(str(d), n if isinstance(n, str) else f"DfE {d}"))
                     for d, n in zip(neighbours["neighbour_dfe_code"], neighbours["neighbour_name"]))


def _wide(series: pd.DataFrame, measure: Measure, index: str, label: str) -> pd.DataFrame:
    """Series side by side (rounded as published, means one decimal place more), each cell a number, or the marker's meaning where there is none (never a blank or 0)."""
    means = series["with"].notna().to_numpy()
    published = series["decimals"].to_numpy() if "decimals" in series else measure.decimals   # the profile's rows: each its own
    decimals = np.where(means, published + 1, published)
    # The cells as one column (numbers, or words where any cell has none), then laid out keys down, series across.
    cell = pd.Series([round(v, int(d)) if pd.notna(v) else marker_text(m)
                      for v, m, d in zip(series["value"], series["marker"], decimals)])
    keys, names = series[index], list(dict.fromkeys(series["series"]))
    at = dict(zip(zip(keys, series["series"]), cell))
    rows = sorted(set(keys))
    table = pd.DataFrame({label: pd.Series(rows),
                          **{name: pd.Series([at.get((k, name), np.nan) for k in rows], dtype=cell.dtype) for name in names}})
    counts = {}   # series -> key -> "n of m", for the means
    for k, name, w, o, mean in zip(keys, series["series"], series["with"], series["of"], means):
        if mean:
            counts.setdefault(name, {}).setdefault(k, f"{int(w)} of {int(o)}")
    for name, texts in counts.items():
        table[f"{name}: LAs with a figure"] = table[label].map(texts)
    return table


def build(spec: PageSpec, selection: Selection, held: metrics.Arranged, las: pd.DataFrame, neighbours: pd.DataFrame,
          viewer_la: str | None, anonymise_with: str | None) -> MeasureView:
    if anonymise_with:
        las = anonymise_las(las, viewer_la, anonymise_with)
    las = las.assign(dfe_code=las["dfe_code"].astype(str))
    measure = spec.measure(selection.measure)
    info = las.set_index("la_code").loc[selection.focus]
    period = selection.period
    positions = held.positions(measure, period, las)
    if anonymise_with:   # a joint return's partners' labels would tie them to the source's one joint row
        joint = positions["dfe_code"].str.contains("/", regex=False) & ~positions["la_code"].str.contains(viewer_la or "-")
        positions.loc[joint, "la_name"] = f"Two LAs ({JOINT_NOTE})"
    focus_dfe = held.focus_area(info["dfe_code"])   # an LA in a joint return: the joint figure
    focus_row = positions[positions["dfe_code"] == focus_dfe].iloc[0]
    focus_name, focus_code = focus_row["la_name"], focus_row["la_code"]
    codes = _neighbour_codes(neighbours)
    series = held.comparison(measure.code, focus_dfe, las, codes, focus_name)
    at = series[series["period"] == period].set_index("series")
    previous = [p for p in held.measure_periods(measure.code) if metrics.year_of(p) < metrics.year_of(period)]
    prof = held.profile(spec.measures, period, focus_dfe, las, codes, focus_name)

    def value(name: str) -> float:
        return at["value"].get(name, np.nan) if name in at.index else np.nan

    def shown(name: str, extra: int = 0) -> str:
        return figures.format_value(value(name), measure, extra) if pd.notna(value(name)) else marker_text(
            at["marker"].get(name) if name in at.index else None)

    subregion = f"{info['subregion_name']} (sub-region mean)"
    neighbours_name = "Statistical neighbours (mean)"
    before = series[(series["series"] == focus_name) & (series["period"] == previous[-1])]["value"] if previous else []
    change = value(focus_name) - before.iloc[0] if len(before) and pd.notna(before.iloc[0]) else np.nan
    kpis = [
        (f"{focus_name}, {period}", shown(focus_name),
         spec.value_note(measure, value(focus_name)) or measure.name if spec.value_note and pd.notna(value(focus_name))
         else measure.name),
        ("Change on the year before", change_text(change, measure), 
         f"since {previous[-1]}" if previous else ""),
        ("Position in London" if measure.polarity != "neither" else "Order in London (highest = 1)",
         focus_row["position"] or marker_text(focus_row["marker"]),
         {"higher": "1 = highest (higher is better)", "lower": "1 = lowest (lower is better)"}.get(measure.polarity, "not a ranking")),
        ("Sub-region mean", shown(subregion, 1), _with(at, subregion)),
        ("Statistical neighbours mean", shown(neighbours_name, 1) if codes else "neighbours not imported",
         _with(at, neighbours_name) if codes else ""),
        ("London / England", f"{shown('London')} / {shown('England')}", "as published"),
    ]
    titles = {"trend": f"{measure.name}: {focus_name} against its comparators",
              "las": f"{measure.name}: every London LA, {period}",
              "profile": f"{focus_name} against London and England, every percentage measure, {period}"}
    las_table = pd.DataFrame({
        "LA": positions["la_name"], "Sub-region": positions["subregion_name"],
        measure.name: [round(v, measure.decimals) if pd.notna(v) else marker_text(m)
                       for v, m in zip(positions["value"], positions["marker"])],
        "Position": [p or marker_text(m) for p, m in zip(positions["position"], positions["marker"])]})
    profile_table = _wide(prof.rename(columns={"name": "measure_name"}), measure, "measure_name", "Measure")
    order = [m.name for m in spec.measures]
    profile_table = profile_table.set_index("Measure").reindex(order).reset_index()
    tables = {"trend": _wide(series, measure, "period", spec.years_label), "las": las_table, "profile": profile_table}
    london_value, england_value = value("London"), value("England")
    trend_fig = figures.trend_figure(series, focus_name, measure, spec.years_label)
    if spec.decorate_trend is not None:
        trend_fig = spec.decorate_trend(measure, trend_fig)
    takeaways = {"trend": trend_takeaway(series, focus_name, measure, period),
                 "las": las_takeaway(positions, focus_code, measure, period, london_value),
                 "profile": profile_takeaway(prof, spec.measures, focus_name, period)}
    neighbour_text = (_neighbour_names(neighbours, held.published_names, las) if codes else
                      "not imported (import DfE's statistical neighbours file, sn_model_2025_wide.csv)")
    sources = "; ".join(held.sources)
    notes = [
        ("Measure", measure.name),
        ("Definition", measure.definition),
        ("Polarity", {"higher": "Higher is better.", "lower": "Lower is better."}.get(measure.polarity,
                                                                                       "Neither direction is better.")),
        ("Years", spec.years_note),
        ("Comparators", "London, Inner or Outer London and England are the published figures. The sub-region mean and the "
                        "statistical neighbours mean are unweighted means of the LAs that have a figure (the tables say how "
                        "many of how many); a mean is shown to one more decimal place than the published figures."),
        ("Statistical neighbours", f"DfE's 2025 model, 10 nearest: {neighbour_text}. With {spec.publisher}'s London file imported, "
                                   "neighbours outside London have no figure and are left out of the mean."),
        ("Markers", f"Where {spec.publisher} gives a marker instead of a number it is shown with its meaning, never as 0, and left out "
                    "of means and positions: " + ("; ".join(f"{m} = {MARKERS.get(m, m)}" for m in held.markers)
                                                  or "none in the figures imported") + "."),
        ("Positions", "1 is the best by the measure's polarity (highest where neither is better, which is not a ranking); "
                      "LAs with the same figure share a position. Small LAs' percentages move a lot from year to year."),
        *spec.notes,
        ("Source", f"{sources}. Published official statistics (Open Government Licence v3.0); an administrator imports "
                   f"DfE's {spec.importing} with python -m dashboard import-published."),
    ]
    return MeasureView(focus_name, measure, period, kpis, titles,
                       {"trend": lean_figure(trend_fig),
                        "las": lean_figure(figures.la_figure(positions, focus_code, measure, london_value, england_value)),
                        "profile": lean_figure(figures.profile_figure(prof, focus_name, spec.measures))},
                       tables, takeaways, notes)


def change_text(change: float, measure: Measure) -> str:
    if pd.isna(change):
        return "no figure to compare"
    if round(change, measure.decimals) == 0:
        return "no change"
    unit = (" point" if abs(round(change, measure.decimals)) == 1 else " points") if measure.unit == "%" else ""
    return f"{change:+,.{measure.decimals}f}{unit}"


def _with(at: pd.DataFrame, name: str) -> str:
    if name not in at.index or pd.isna(at["with"].get(name)):
        return ""
    return f"{int(at['with'][name])} of {int(at['of'][name])} LAs have a figure"


def trend_takeaway(series: pd.DataFrame, focus_name: str, measure: Measure, period: str) -> str:
    at = series[series["period"] == period].set_index("series")
    mine = at["value"].get(focus_name)
    if mine is None or pd.isna(mine):
        return f"{focus_name} has no published figure for {period} ({marker_text(at['marker'].get(focus_name))})."
    parts = [metrics.difference_text(mine, at["value"].get(name), measure, f"{name} ({figures.format_value(at['value'].get(name), measure)})")
             for name in ("London", "England") if name in at.index]
    parts = [p for p in parts if p]
    years = series[(series["series"] == focus_name) & series["value"].notna()]
    first = years.iloc[0] if len(years) else None
    since = (f" In {first['period']} it was {figures.format_value(first['value'], measure)}."
             if first is not None and first["period"] != period else "")
    return (f"{measure.name}, {focus_name}, {period}: {figures.format_value(mine, measure)}"
            + (f", {' and '.join(parts)}." if parts else ".") + since)


def las_takeaway(positions: pd.DataFrame, focus: str, measure: Measure, period: str, london: float) -> str:
    have = positions[positions["value"].notna()]
    if have.empty:
        return f"No London LA has a published figure for {period}."
    top, bottom = have.iloc[0], have.iloc[-1]
    missing = positions[positions["value"].isna()]
    row = positions[positions["la_code"] == focus].iloc[0]
    mine = (f"{row['la_name']} is {row['position']}" if row["position"]
            else f"{row['la_name']} has no figure ({marker_text(row['marker'])})")
    ends = "best" if measure.polarity != "neither" else "highest"
    return (f"{period}: {mine}; {ends} {top['la_name']} ({figures.format_value(top['value'], measure)}), "
            f"{'worst' if ends == 'best' else 'lowest'} {bottom['la_name']} ({figures.format_value(bottom['value'], measure)})"
            + (f"; {len(missing)} LA{'s' if len(missing) != 1 else ''} with no figure" if len(missing) else "") + ".")


def profile_takeaway(profile: pd.DataFrame, measures: tuple[Measure, ...], focus_name: str, period: str) -> str:
    better, worse, compared = [], [], 0
    values = {}   # (measure, series) -> value: the profile has one row for each
    for code, series, value in zip(profile["measure"], profile["series"], profile["value"]):
        values[(code, series)] = value
    for m in measures:
        if m.unit != "%" or m.polarity == "neither":
            continue
        mine, london = values.get((m.code, focus_name)), values.get((m.code, "London"))
        if mine is None or london is None or pd.isna(mine) or pd.isna(london):
            continue
        compared += 1
        if mine != london:
            ((better if (mine > london) == (m.polarity == "higher") else worse)).append(m.name)
    if not compared:
        return f"{focus_name} and London have no percentage measure with figures to compare in {period}."
    text = f"In {period}, of {compared} measures with figures for both, {focus_name} is better than London on {len(better)}"
    text += f" ({'; '.join(better)})" if better else ""
    text += f" and worse on {len(worse)}" + (f" ({'; '.join(worse)})" if worse else "") + "."
    return text


def presentation(spec: PageSpec, view: MeasureView, selection: Selection, anonymised: bool) -> Presentation:
    source = "Source: " + dict(view.notes)["Source"].split(". Published")[0] + "."
    return Presentation(
        kpis=view.kpis,
        charts={chart: Slide(view.titles[chart], view.takeaways[chart], view.figures[chart], source) for chart in CHARTS},
        tables=view.tables, notes=view.notes,
        subtitle=f"{view.focus_name}; {view.measure.name}; {view.period}" + ("; other LAs anonymised" if anonymised else ""),
        stem=f"{spec.name}_{re.sub(r'[^A-Za-z0-9]+', '_', selection.measure).strip('_')}_{selection.period}")
