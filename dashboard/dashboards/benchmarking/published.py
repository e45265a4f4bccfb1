"""Benchmarking on published annual statistics: an LA against London, Inner or Outer London, England
and its DfE statistical neighbours, year by year, with every figure as the publication gives it.

Comparators are the published figures for London, Inner/Outer London and England (not averages we
compute), and the unweighted mean of the LA's statistical neighbours that have a figure (the page
says how many of the 10). Markers (c, k, x, z, low, -) stay markers: never 0, never in an average.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import loader
from dashboard.dashboards.benchmarking.common import POLARITY_TEXT, RANKING_RULES, BenchmarkingView, change_text
from dashboard.dashboards.benchmarking import figures
from dashboard.loader import published as published_loader
from dashboard.dashboards.benchmarking import metrics
from dashboard.chart_theme import empty_figure
from dashboard.presenting import anonymise_las
from dashboard.published import maps
from dashboard.published.joint import counted_once, joint_areas, joint_returns   # the one rule for joint returns
from dashboard.published.formats import ENGLAND, INNER, LONDON, MARKERS, OUTER
# The marker rules of a published ranking are shared with My LA: they live in dashboard.ranking.
from dashboard.ranking import (NOT_PUBLISHED, marked_ranking as _ranking, missing_label,  # noqa: F401
                               ranked_areas as _ranked_areas)

DEFAULT_YEARS = 6


def period_start(period: str) -> pd.Timestamp:
    """Years sort and match as dates inside the metrics functions; pages show the period as published."""
    return pd.Timestamp(year=int(str(period)[:4]), month=1, day=1)


def periods_of(values: pd.DataFrame) -> list[str]:
    return sorted(values["period"].unique(), key=period_start)


def resolve(indicator, focus, start, end, *, user_la, catalogue: pd.DataFrame, las: pd.DataFrame, scope) -> dict | None:
    """Valid choices from whatever arrived (URL or dropdowns); None when nothing published has been imported."""
    if catalogue.empty:
        return None
    codes = list(catalogue["code"])
    indicator = indicator if indicator in codes else ("csww_agency_rate" if "csww_agency_rate" in codes else codes[0])
    periods = periods_of(published_loader.indicator_values(indicator, scope))
    if not periods:
        return None
    la_codes = set(las["la_code"])
    focus = focus if focus in la_codes else (user_la if user_la in la_codes else sorted(la_codes)[0])
    end = end if end in periods else periods[-1]
    start = start if start in periods else periods[max(0, periods.index(end) - DEFAULT_YEARS + 1)]
    if period_start(start) > period_start(end):
        start, end = end, start
    return {"indicator": indicator, "focus": focus, "start": start, "end": end, "periods": periods}


def neighbours_mean(values: pd.DataFrame, neighbour_codes, joint: dict[str, str]) -> pd.DataFrame:
    """Per period, the unweighted mean of the neighbours' figures (period_end, mean, count): a neighbour that
    publishes jointly takes its joint figure, counted once however many of the neighbours it covers."""
    covered = counted_once(neighbour_codes, joint)
    own = values[values["area_code"].isin(list(covered))].dropna(subset=["value"])
    grouped = own.groupby("period_end")
    return pd.DataFrame({"mean": grouped["value"].mean(),
                         "count": grouped["area_code"].agg(lambda codes: sum(covered[c] for c in codes))}).reset_index()


def map_view(choice: dict, scope, boundary_file: str, *, anonymise_with: str | None = None) -> dict | None:
    """A choropleth of the ranking year from the configured boundary file; None when none is configured.
    A file that cannot be read or matched gives a message naming it, never a broken page."""
    if not boundary_file:
        return None
    las = loader.local_authorities()
    if anonymise_with:
        las = anonymise_las(las, scope.la_code, anonymise_with)
    catalogue = published_loader.catalogue()
    ind = catalogue[catalogue["code"] == choice["indicator"]].iloc[0].to_dict()
    data = published_loader.indicator_values(choice["indicator"], scope)
    data["period_end"] = data["period"].map(period_start)
    ranking = _ranking(data, _ranked_areas(las, data), period_start(choice["end"]), ind["polarity"])
    title = f"{ind['name']}, {choice['end']}: map of London's LAs"
    try:
        shapes, key = maps.read_boundaries(boundary_file, set(las["la_code"]))
    except maps.BoundaryFileError as exc:
        return {"title": title, "figure": empty_figure("The map cannot be drawn: see the message above."), "message": str(exc)}
    dp, unit = int(ind["decimal_places"]), ind["unit"]
    figure = maps.choropleth(ranking, shapes, choice["focus"], unit, lambda v: figures.format_value(v, dp, unit))
    names = las.set_index("la_code")["la_name"]
    unmatched = [names[c] for c in las["la_code"] if c not in shapes]
    message = (f"Boundaries from {Path(boundary_file).name}, matched on its {key} codes. Grey: no published figure (the "
               "table below says why); the focus LA is outlined in black."
               + (f" No boundary in the file for: {', '.join(unmatched)}." if unmatched else ""))
    return {"title": title, "figure": figure, "message": message}


def build_view(choice: dict, scope, *, anonymise_with: str | None = None) -> BenchmarkingView:
    las = loader.local_authorities()
    if anonymise_with:
        las = anonymise_las(las, scope.la_code, anonymise_with)
    catalogue = published_loader.catalogue()
    ind = catalogue[catalogue["code"] == choice["indicator"]].iloc[0].to_dict()
    dp, unit, polarity = int(ind["decimal_places"]), ind["unit"], ind["polarity"]
    data = published_loader.indicator_values(choice["indicator"], scope)
    data["period_end"] = data["period"].map(period_start)
    start, end = period_start(choice["start"]), period_start(choice["end"])
    in_range = data[(data["period_end"] >= start) & (data["period_end"] <= end)]
    areas = _ranked_areas(las, data)
    focus = choice["focus"]
    focus_code = next((c for c in areas["la_code"] if focus in [p.strip() for p in c.split("/")]), focus)
    focus_info = las.set_index("la_code").loc[focus]
    focus_name = areas.set_index("la_code").loc[focus_code, "la_name"]   # a joint return is named as joint

    values = data.rename(columns={"area_code": "la_code"})[["la_code", "period_end", "value"]]
    ranking = _ranking(data, areas, end, polarity)
    london_stats = metrics.london_summary(values, areas, end)

    # Comparators, as published, plus the statistical neighbours' mean.
    inner_outer = INNER if focus_info["inner_outer"] == "Inner London" else OUTER
    neighbours = published_loader.statistical_neighbours(focus_info["dfe_code"])
    series_parts, periods = [], sorted(in_range["period_end"].unique())
    frame_periods = pd.DataFrame({"period_end": periods})

    def published_series(code: str, label: str) -> pd.DataFrame:
        rows = frame_periods.merge(in_range[in_range["area_code"] == code][["period_end", "value"]], on="period_end", how="left")
        return rows.assign(series=label)

    series_parts.append(published_series(focus_code, focus_name))
    if len(neighbours):
        mean = neighbours_mean(in_range, list(neighbours["neighbour_code"].dropna()), joint_returns(data))
        sn = frame_periods.merge(mean, on="period_end", how="left")
        series_parts.append(pd.DataFrame({"period_end": sn["period_end"], "value": sn["mean"],
                                          "series": "Statistical neighbours average"}))
        sn_counts = dict(zip(sn["period_end"], sn["count"].fillna(0).astype(int)))
    else:
        sn_counts = {}
    series_parts += [published_series(LONDON, "London"),
                     published_series(inner_outer, "Inner London" if inner_outer == INNER else "Outer London"),
                     published_series(ENGLAND, "England")]
    series = pd.concat(series_parts, ignore_index=True)[["period_end", "series", "value"]]
    series["value"] = series["value"].astype("float64")
    period_label = {period_start(p): p for p in choice["periods"]}
    series["quarter"] = series["period_end"].map(period_label)

    def at(label: str, when) -> float:
        hit = series[(series["series"] == label) & (series["period_end"] == when)]["value"]
        return float(hit.iloc[0]) if len(hit) else np.nan

    previous = max([p for p in periods if p < end], default=None)
    value_now = at(focus_name, end)
    change = value_now - at(focus_name, previous) if previous is not None else np.nan
    focus_row = ranking[ranking["la_code"] == focus_code].iloc[0]
    rank_text = f"{int(focus_row['rank'])} of {london_stats['n_returned']}" if focus_row["returned"] else focus_row["note"]
    end_label, start_label = choice["end"], choice["start"]
    kpis = [
        (f"{focus_name}, {end_label}", figures.format_value(value_now, dp, unit) if not np.isnan(value_now)
         else focus_row["note"], ind["period_note"]),
        ("Change on the year before", *change_text(change, dp, unit, polarity, missing="a year has no published figure")),
        ("Rank in London" if polarity != "neither" else "Position in London (highest = 1)", rank_text,
         focus_row["quartile_label"] if focus_row["returned"] else ""),
        ("Statistical neighbours average", figures.format_value(at("Statistical neighbours average", end), dp, unit),
         f"{sn_counts.get(end, 0)} of {len(neighbours)} neighbours have a figure" if len(neighbours) else "neighbours not imported"),
        ("London (published)", figures.format_value(at("London", end), dp, unit), ""),
        ("England (published)", figures.format_value(at("England", end), dp, unit), ""),
    ]

    ranking_table = pd.DataFrame({
        "LA": ranking["la_name"], "Sub-region": ranking["subregion_name"], "Value": ranking["value"].round(dp),
        "Rank": ranking["rank"].astype(object).where(ranking["returned"], ranking["note"]),
        "Quartile": ranking["quartile_label"], "Flag": ranking["flag"], "Published marker": ranking["note"],
    })
    series_table = series.pivot(index="period_end", columns="series", values="value").round(dp)
    series_table = series_table[list(dict.fromkeys(series["series"]))]
    series_table.insert(0, "Year", [period_label[p] for p in series_table.index])
    series_table = series_table.reset_index(drop=True)
    series_table.columns.name = None

    # London neighbours are named as the page names them (anonymised when asked); others as published.
    london_names = las.set_index("la_code")["la_name"]
    neighbour_names = ", ".join(
        f"{london_names.get(code, name if isinstance(name, str) else 'DfE ' + dfe)} ({closeness.strip().lower()})"
        for code, name, dfe, closeness in zip(neighbours["neighbour_code"], neighbours["neighbour_name"],
                                              neighbours["neighbour_dfe_code"], neighbours["closeness"]))
    notes = [
        ("Indicator", ind["name"]),
        ("Definition", ind["definition"]),
        ("Unit", unit),
        ("Polarity", POLARITY_TEXT[polarity]),
        ("Source", f"{ind['source']}; figures {ind['period_note']}, as published (an administrator imports the publisher's file with python -m dashboard import-published)."),
        ("Years", f"{start_label} to {end_label}"),
        ("Published figures", f"{london_stats['n_returned']} of {london_stats['n_expected']} London LAs have a figure for {end_label}."),
        ("Markers", "Where a publication gives a marker instead of a number it is shown as published and left out of "
                    "ranks and averages: " + "; ".join(f"{m} = {t}" for m, t in MARKERS.items()) + "."),
        ("Joint returns", "Kingston upon Thames and Richmond upon Thames publish their workforce together: the joint figure "
                          "is shown once, labelled as joint, not split, for either as focus; as a statistical neighbour each counts "
                          "with the joint figure (once in the mean)."),
        ("Comparators", "London, Inner or Outer London and England are the published figures for those areas. The statistical "
                        "neighbours average is the unweighted mean of the LA's DfE statistical neighbours (2025 model) that "
                        "have a figure" + (f": {neighbour_names}." if neighbour_names else ".")),
        ("Ranking", RANKING_RULES.replace("returned", "have a figure")),
        ("Data", "Published official statistics (Open Government Licence v3.0), not members' returns."),
    ]
    missing = dict(zip(ranking["la_code"], ranking["note"]))
    return BenchmarkingView(
        indicator=ind, focus_name=focus_name, period_label=end_label, range_label=f"{start_label} to {end_label}",
        is_demo=False, kpis=kpis,
        series_figure=figures.time_series_figure(series, focus_name, ind),
        ranking_figure=figures.ranking_figure(ranking, focus_code, ind, london_stats["mean"], missing_text=missing,
                                              mean_label="Mean of London LAs"),
        subregion_figure=figures.subregion_figure(ranking, focus_code, ind),
        ranking_table=ranking_table, series_table=series_table,
        n_returned=london_stats["n_returned"], n_las=london_stats["n_expected"], notes=notes,
    )
