"""The Benchmarking page's logic: filters in, everything the page shows out.

The page's callbacks are thin adapters over `resolve_choices`, `view_for` and `presentation`;
the arithmetic lives in `dashboard.dashboards.benchmarking.metrics`, the charts in `dashboard.dashboards.benchmarking.figures`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import loader
from dashboard.dashboards.benchmarking import data as bench_data
from dashboard.dashboards.benchmarking import figures, metrics, published
from dashboard.dashboards.benchmarking.common import (COUNT_UNITS, POLARITY_TEXT, RANKING_RULES, BenchmarkingView,
                                                     change_text, indicator_options)
from dashboard.loader import published as published_loader
from dashboard.presenting import Presentation, Slide, anonymise_las
from dashboard.sentences import ordinal, points_word, run_length

DEFAULT_QUARTERS = 12
# The quarterly England figures held beside the regional returns are the demo's own (DfE publishes England once a
# year; a real return removes them with the rest of the demo): their line is never named as DfE's.
ENGLAND_DEMO = "England (demo)"


@dataclass(frozen=True)
class Filters:
    indicator: str
    focus: str
    start: pd.Timestamp
    end: pd.Timestamp

    def query(self) -> dict:
        return {"indicator": self.indicator, "focus": self.focus,
                "from": self.start.date().isoformat(), "to": self.end.date().isoformat()}


def _parse_date(text, periods: list[pd.Timestamp]):
    try:
        date = pd.Timestamp(text)
    except (TypeError, ValueError):
        return None
    return date if date in periods else None


def resolve_filters(indicator=None, focus=None, start=None, end=None, *, user_la: str | None,
                    catalogue: pd.DataFrame, las: pd.DataFrame, periods: list[pd.Timestamp]) -> Filters:
    """Turn whatever arrived (URL query or dropdowns) into valid filters; anything unknown falls back to a default."""
    codes = list(catalogue["code"])
    indicator = indicator if indicator in codes else codes[0]
    la_codes = set(las["la_code"])
    focus = focus if focus in la_codes else (user_la if user_la in la_codes else sorted(la_codes)[0])
    end_q = _parse_date(end, periods) or periods[-1]
    start_q = _parse_date(start, periods) or periods[max(0, periods.index(end_q) - DEFAULT_QUARTERS + 1)]
    if start_q > end_q:
        start_q, end_q = end_q, start_q
    return Filters(indicator, focus, start_q, end_q)


def quarter_options(periods: list[pd.Timestamp]) -> list[dict]:
    return [{"label": metrics.quarter_label(p), "value": p.date().isoformat()} for p in periods]


def build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> BenchmarkingView:
    las = loader.local_authorities()
    if anonymise_with:
        las = anonymise_las(las, scope.la_code, anonymise_with)
    ind = loader.indicator(filters.indicator)
    data = bench_data.benchmark_indicator(filters.indicator, scope)
    dp, unit = int(ind["decimal_places"]), ind["unit"]
    in_range = data["values"][(data["values"]["period_end"] >= filters.start) & (data["values"]["period_end"] <= filters.end)]
    england = data["england"] if ind["england_available"] else None
    if england is not None:
        england = england[(england["period_end"] >= filters.start) & (england["period_end"] <= filters.end)]

    focus_name = las.set_index("la_code").loc[filters.focus, "la_name"]
    ranking = metrics.latest_ranking(data["values"], las, filters.end, ind["polarity"])
    london = metrics.london_summary(data["values"], las, filters.end)
    changes = metrics.period_changes(data["values"], filters.focus, filters.end)
    series = metrics.comparison_series(in_range, las, filters.focus, england, ENGLAND_DEMO)
    series["quarter"] = series["period_end"].map(metrics.quarter_label)
    focus_row = ranking[ranking["la_code"] == filters.focus].iloc[0]
    subregion_name = focus_row["subregion_name"]
    sub_mean = series[(series["series"] == f"{subregion_name} average") & (series["period_end"] == filters.end)]["value"]

    rank_text = (f"{int(focus_row['rank'])} of {london['n_returned']}" if focus_row["returned"] else "no return")
    kpis = [
        (f"{focus_name}, {metrics.quarter_label(filters.end)}", figures.format_value(changes["value"], dp, unit), unit),
        ("Change on previous quarter", *change_text(changes["change_quarter"], dp, unit, ind["polarity"])),
        ("Change on a year before", *change_text(changes["change_year"], dp, unit, ind["polarity"])),
        ("Rank in London" if ind["polarity"] != "neither" else "Position in London (highest = 1)", rank_text,
         focus_row["quartile_label"] if focus_row["returned"] else ""),
        (f"{subregion_name} average", figures.format_value(sub_mean.iloc[0] if len(sub_mean) else np.nan, dp, unit), ""),
        ("London average", figures.format_value(london["mean"], dp, unit),
         f"{london['n_returned']} of {london['n_expected']} LAs returned"),
    ]

    ranking_table = pd.DataFrame({
        "LA": ranking["la_name"], "Sub-region": ranking["subregion_name"],
        "Value": ranking["value"].round(dp), "Rank": ranking["rank"], "Quartile": ranking["quartile_label"],
        "Flag": ranking["flag"],
    })
    series_table = series.pivot(index="period_end", columns="series", values="value").round(dp)
    series_table = series_table[list(dict.fromkeys(series["series"]))]  # focus LA first, as in the chart
    series_table.insert(0, "Quarter", [metrics.quarter_label(p) for p in series_table.index])
    series_table = series_table.reset_index(drop=True)
    series_table.columns.name = None

    info = loader.dataset_info("benchmarking")
    period_label = metrics.quarter_label(filters.end)
    range_label = f"{metrics.quarter_label(filters.start)} to {period_label}"
    notes = [
        ("Indicator", ind["name"]),
        ("Definition", ind["definition"]),
        ("Unit", unit),
        ("Polarity", POLARITY_TEXT[ind["polarity"]]),
        ("Source", ind["source"]),
        *([("England", f"The quarterly '{ENGLAND_DEMO}' line is synthetic demo data, not DfE's figures: DfE "
                        "publishes England once a year. Choose the published source for DfE's own figures.")]
          if england is not None and not england.empty else []),
        ("Quarters", range_label),
        ("Returns", f"{london['n_returned']} of {london['n_expected']} LAs returned for {period_label}."),
        ("Averages", "Sub-region and London averages are unweighted means of the LAs that returned; no return is left out, never counted as 0."),
        ("Ranking", RANKING_RULES),
        ("Data", "Demo data: synthetic, not any LA's real figures." if info["is_demo"] else "Members' returns."),
    ]
    return BenchmarkingView(
        indicator=ind, focus_name=focus_name, period_label=period_label, range_label=range_label, is_demo=info["is_demo"],
        kpis=kpis,
        series_figure=figures.time_series_figure(series, focus_name, ind),
        ranking_figure=figures.ranking_figure(ranking, filters.focus, ind, london["mean"]),
        subregion_figure=figures.subregion_figure(ranking, filters.focus, ind),
        ranking_table=ranking_table, series_table=series_table,
        n_returned=london["n_returned"], n_las=london["n_expected"], notes=notes,
    )


# --- Sources: members' regional quarterly return, or published annual statistics --------------------------

SOURCES = {"regional": "Regional quarterly return (members' data)", "published": "Published annual statistics (DfE, ONS)"}

# The same measure in the other source: switching source keeps it (a looked-after rate stays a looked-after rate).
MATCHING_INDICATORS = {
    "referrals_rate": "lait_referrals_rate", "rereferrals_12m_pct": "lait_rereferrals_pct", "cpp_rate": "lait_cpp_rate",
    "cpp_second_pct": "lait_second_cpp_pct", "cin_rate": "lait_cin_rate", "cla_rate": "cla_rate_31_march",
    "cla_20miles_pct": "cla_over_20_miles_pct", "uasc_cla": "lait_uasc_count",
    "care_leavers_eet_pct": "lait_care_leavers_eet_pct", "care_leavers_suitable_accom_pct": "lait_care_leavers_accommodation_pct",
    "sw_agency_pct": "csww_agency_rate", "sw_vacancy_pct": "csww_vacancy_rate", "sw_turnover_pct": "csww_turnover_rate",
    "sw_caseload": "csww_caseload",
}
_REGIONAL_MATCH = {published: regional for regional, published in MATCHING_INDICATORS.items()}
_REGIONAL_MATCH.update({"lait_cla_rate": "cla_rate", "lait_cla_distance_pct": "cla_20miles_pct"})


def matching_indicator(indicator, new_source: str):
    """The indicator measuring the same thing in `new_source`, or None (the source's default) where it has none."""
    return (MATCHING_INDICATORS if new_source == "published" else _REGIONAL_MATCH).get(indicator)


@dataclass(frozen=True)
class Choices:
    """What the filter bar shows: the source, its indicators and periods, and the valid choice among them."""
    source: str
    indicator_options: list
    period_options: list
    indicator: str
    focus: str
    start: str
    end: str


def resolve_choices(source, indicator, focus, start, end, *, user_la, scope) -> Choices | None:
    """Valid choices for either source from whatever arrived (URL or dropdowns); None when that source has no data."""
    source = source if source in SOURCES else "regional"
    las = loader.local_authorities()
    if source == "published":
        catalogue = published_loader.catalogue()
        choice = published.resolve(indicator, focus, start, end, user_la=user_la, catalogue=catalogue, las=las, scope=scope)
        if choice is None:
            return None
        return Choices(source, indicator_options(catalogue, "source", sort=True), [{"label": p, "value": p} for p in choice["periods"]],
                       choice["indicator"], choice["focus"], choice["start"], choice["end"])
    periods, catalogue, options = _regional_choices()
    if not periods:
        return None
    f = resolve_filters(indicator, focus, start, end, user_la=user_la, catalogue=catalogue, las=las, periods=periods)
    return Choices(source, options["indicators"], options["quarters"], f.indicator, f.focus,
                   f.start.date().isoformat(), f.end.date().isoformat())


@loader.kept_in_process(bench_data.NAME, "reference")
def _regional_choices() -> tuple[list[pd.Timestamp], pd.DataFrame, dict]:
    """The quarters, the indicator catalogue and the dropdowns' options they give: no filter changes them."""
    periods, catalogue = bench_data.benchmark_periods(), loader.indicator_catalogue()
    return periods, catalogue, {"indicators": indicator_options(catalogue, "theme", sort=False), "quarters": quarter_options(periods)}


def _published_choice(choices: Choices) -> dict:
    periods = [o["value"] for o in choices.period_options]
    return {"indicator": choices.indicator, "focus": choices.focus, "start": choices.start, "end": choices.end,
            "periods": periods}


@loader.view_cache("reference", "benchmarking", "published")   # the same for every member (both sources are shared)
def view_for(choices: Choices, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> BenchmarkingView:
    """The page's view for either source. `anonymise_with` (the app's secret) replaces every LA name but the
    viewer's own with a stable label, before anything is computed, so no chart, table or file carries them."""
    if choices.source == "published":
        view = published.build_view(_published_choice(choices), scope, anonymise_with=anonymise_with)
    else:
        view = build_view(Filters(choices.indicator, choices.focus, pd.Timestamp(choices.start), pd.Timestamp(choices.end)),
                          scope, anonymise_with=anonymise_with)
    view.takeaways = chart_takeaways(view, "quarter" if choices.source == "regional" else "year")
    return view


def map_for(choices: Choices, scope: loader.AccessScope, boundary_file: str, *, anonymise_with: str | None = None) -> dict:
    """The published source's choropleth from BOUNDARY_FILE ({title, figure, message})."""
    return published.map_view(_published_choice(choices), scope, boundary_file, anonymise_with=anonymise_with)


def chart_takeaways(view: BenchmarkingView, period_word: str) -> dict[str, str]:
    """One plain-English sentence per chart, from the same tables the page shows (slides and text alternatives)."""
    dp, unit, polarity = int(view.indicator["decimal_places"]), view.indicator["unit"], view.indicator["polarity"]
    fmt = (lambda v: figures.format_value(v, dp, unit))
    focus, table = view.focus_name, view.ranking_table
    row = table[table["LA"] == focus]
    with_value = table[table["Value"].notna()]
    out = {}
    if row.empty or pd.isna(row["Value"].iloc[0]):
        out["ranking"] = f"{focus} has no figure for {view.period_label}; {len(with_value)} of {len(table)} LAs have one."
        out["subregion"] = out["ranking"]
    else:
        r = row.iloc[0]
        rank, n = int(r["Rank"]), len(with_value)
        place = (f"ranks {rank} of {n} London LAs (1 = best)" if polarity != "neither"
                 else f"is {ordinal(rank)} highest of {n} London LAs")
        flag = f" and in London's {r['Flag'].lower()}" if "20%" in str(r["Flag"]) else ""
        quartile = (f"in the {str(r['Quartile']).lower()}{flag}" if "25%" in str(r["Quartile"])
                    else f"with no quartile ({metrics.TOO_FEW.split(': ', 1)[1]})")
        out["ranking"] = (f"{focus} {place} for {view.period_label} at {fmt(r['Value'])}, "
                          f"{quartile}; the mean of London LAs is {fmt(with_value['Value'].mean())}.")
        peers = with_value[with_value["Sub-region"] == r["Sub-region"]]
        median = peers["Value"].median()
        side = "above" if r["Value"] > median else "below" if r["Value"] < median else "at"
        out["subregion"] = (f"{focus} is {side} the median of the {len(peers)} {r['Sub-region']} LAs with a figure "
                            f"({fmt(median)}); they range from {fmt(peers['Value'].min())} to {fmt(peers['Value'].max())}.")
    series = view.series_table
    own = [float(v) if pd.notna(v) else np.nan for v in series.iloc[:, 1]] if len(series.columns) > 1 else []
    direction, run = run_length(own)
    if not own or np.isnan(own[-1]):
        out["series"] = f"{focus} has no figure for the last {period_word} chosen."
    else:
        trend = (f"{direction} for {run} {period_word}s in a row" if run > 1 else f"{direction} on the {period_word} before"
                 ) if direction else f"has no figure for the {period_word} before"
        london_col = next((c for c in series.columns if c in ("London average", "London")), None)
        gap = ""
        if london_col and pd.notna(series[london_col].iloc[-1]):
            london_value = float(series[london_col].iloc[-1])
            diff = own[-1] - london_value
            london = "the London average" if london_col == "London average" else "London's published figure"
            size = fmt(abs(diff)).rstrip("%")
            size += points_word(size) if unit == "%" else ""
            if unit in COUNT_UNITS and london_col == "London":   # London's count is its LAs' total, not a level to compare
                gap = f", {own[-1] / london_value:.1%} of London's {fmt(london_value)}" if london_value else ""
            else:
                gap = f", and is {size} {'above' if diff > 0 else 'below'} {london}" if diff else f", level with {london}"
        out["series"] = f"{focus}'s figure ({fmt(own[-1])}) {trend}{gap}."
    return out


TABLES = ("ranking", "series")
CHARTS = {"series": ("series_figure", "over time"), "ranking": ("ranking_figure", "all London LAs"),
          "subregion": ("subregion_figure", "spread within each sub-region")}


def chart_titles(view: BenchmarkingView, source: str) -> dict[str, str]:
    """Each chart's title, on the page and on its slide."""
    name = view.indicator["name"]
    returned = "returned" if source == "regional" else "with a published figure"
    return {"series": f"{name}: {view.focus_name} over time, {view.range_label}",
            "ranking": f"{name}: all London LAs, {view.period_label} ({view.n_returned} of {view.n_las} {returned})",
            "subregion": f"{name}: spread within each sub-region, {view.period_label}"}


def _source_line(view: BenchmarkingView) -> str:
    source = next((text for term, text in view.notes if term == "Source"), "")
    return f"Source: {source}" + (" Demo data: synthetic, not any LA's real figures." if view.is_demo else "")


def presentation(choices: Choices, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    """The page's charts, tables and notes as its downloads, images and slides take them (rebuilt on the server)."""
    view = view_for(choices, scope, anonymise_with=anonymise_with)
    titles = chart_titles(view, choices.source)
    source = _source_line(view)
    ranking = view.ranking_table.copy()
    # In files as on screen: a missing figure is written out in words, not a blank that could be read as 0.
    missing = "no return" if choices.source == "regional" else "not published"
    ranking["Value"] = ranking["Value"].astype(object).where(ranking["Value"].notna(), missing)
    stem = f"benchmarking_{choices.indicator}_{choices.end}"
    published = "" if choices.source == "regional" else "published_"
    return Presentation(
        kpis=view.kpis,
        charts={chart: Slide(titles[chart], view.takeaways[chart], getattr(view, attr), source)
                for chart, (attr, _what) in CHARTS.items()},
        tables={"ranking": ranking, "series": view.series_table.copy()},
        notes=view.notes + ([("Anonymised", "LA names other than the viewer's own are replaced by stable labels.")]
                            if anonymise_with else []),
        subtitle=f"{view.focus_name}, {view.range_label}." + (" Demo data." if view.is_demo else ""),
        stem=stem, title=f"Benchmarking: {view.indicator['name']}",
        # Table files say which source they hold; chart images and the deck do not.
        table_stems={which: f"benchmarking_{published}{choices.indicator}_{choices.end}_{which}" for which in TABLES})
