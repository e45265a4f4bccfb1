"""Placements and supply: filters in, everything the page shows out.

Three questions for commissioners: who places children here (and where the viewer's own children are placed), what
Ofsted-registered supply there is (places by type, sector and owner; homes opening and closing), and demand against
supply (the forecast need for children's homes and fostering against registered places). Counts of children come
from the Sufficiency dataset's declared reads, protected there; provider figures from Ofsted's published files.
The page's callbacks are thin adapters over `resolve_filters`, `build_view` and `presentation`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.chart_theme import lean_figure, plain_empty_figure
from dashboard import loader
from dashboard.dashboards.placements_supply import data, figures, metrics
from dashboard.dashboards.sufficiency import data as suff_data
from dashboard.disclosure import CHILDREN_NOTE
from dashboard.presenting import Presentation, Slide
from dashboard.return_coverage import NO_RETURN, names_listed, return_coverage

CHARTS = ("placing", "placement", "provider", "distance", "grade", "trend", "elsewhere", "places", "types", "owners",
          "openings", "demand")
TABLES = CHARTS
NOT_IMPORTED = ("Ofsted's provider-level data has not been imported, so no registered places, owners or grades are "
                "shown (there is no demo provider data: made-up places beside real LAs would be read as real). An "
                "administrator saves the tables of Ofsted's \"Children's social care data in England\" (providers and "
                "places at 31 March, provider level in year, closed children's homes) as CSV or .xlsx and runs "
                "`python -m dashboard import-published FOLDER`.")
FOSTER_NOT_LOADED = ("Approved foster places are not shown: DfE's fostering data (Ofsted's \"Fostering in England\") is "
                     "not imported by this tool yet, so the fostering gap cannot be worked out.")
HORIZON_MONTHS = 12
GRADES_NOT_IMPORTED = "Ofsted's provider data has not been imported, so no placement is matched to a provider's grade."


@dataclass(frozen=True)
class Filters:
    area: str            # "london", "sr:<code>" or "la:<ONS code>"
    as_at: str           # ISO date: a month end in the children's data

    def query(self) -> dict:
        return {"area": self.area, "at": self.as_at}


def area_options(las: pd.DataFrame) -> list[dict]:
    subs = las.drop_duplicates("subregion_code").sort_values("subregion_order")
    return ([{"label": "All London", "value": "london"}]
            + [{"label": f"{name} (sub-region)", "value": f"sr:{code}"} for code, name in zip(subs["subregion_code"], subs["subregion_name"])]
            + [{"label": name, "value": f"la:{code}"} for code, name in sorted(zip(las["la_code"], las["la_name"]), key=lambda r: r[1])])


def date_options(options: dict) -> list[dict]:
    return [{"label": d.strftime("%-d %B %Y"), "value": d.date().isoformat()} for d in reversed(options.get("month_ends", []))]


def resolve_filters(area=None, at=None, *, user_la: str | None, las: pd.DataFrame, options: dict) -> Filters:
    """Whatever arrived (address bar or dropdowns) made valid; anything unknown falls back to a default: the viewer's
    sub-region (the area commissioners plan supply for) and the latest date."""
    areas = {o["value"] for o in area_options(las)}
    own = las.loc[las["la_code"] == user_la, "subregion_code"]
    default = f"sr:{own.iloc[0]}" if len(own) else "london"
    dates = [o["value"] for o in date_options(options)]
    return Filters(area if area in areas else default, at if at in dates else (dates[0] if dates else options["last"].date().isoformat()))


def area_name(area: str, las: pd.DataFrame) -> str:
    if area.startswith("la:"):
        return dict(zip(las["la_code"], las["la_name"])).get(area[3:], area)
    if area.startswith("sr:"):
        names = dict(zip(las["subregion_code"], las["subregion_name"]))
        return names.get(area[3:], area)
    return "London"


@dataclass
class PlacementsView:
    area_name: str
    at_label: str
    viewer_la_name: str
    children_demo: bool
    providers_held: bool
    kpis: list[tuple[str, str, str]]
    figures: dict[str, object]
    tables: dict[str, pd.DataFrame]
    titles: dict[str, str]
    takeaways: dict[str, str]
    notes: list[tuple[str, str]]
    sources: dict[str, str] = field(default_factory=dict)
    banners: list[str] = field(default_factory=list)


def _count(value) -> str:
    return "not shown" if value is None or pd.isna(value) else f"{int(value):,}"


def _need(scope, area: str, options: dict) -> tuple[dict, str]:
    """Children forecast to be in children's homes and in fostering 12 months after the data ends, from the
    Sufficiency model (reference period the last three years), and the sentence saying so."""
    last_year = options["last"].year
    first_year = max(options["first"].year + 1, last_year - 2)
    result = suff_data.need_ahead(scope, area, first_year, last_year, HORIZON_MONTHS)
    expected = result["expected"]
    need = {metrics.HOMES: expected["Children's homes"],
            "Fostering": sum(expected[g] for g in suff_data.HOMES_AND_FOSTERING["Fostering"])}
    return need, (f"the Sufficiency forecast's expected number on {pd.Timestamp(result['month']):%-d %B %Y} (reference "
                  f"period years to March {first_year} to {last_year})")


# Per caller's LA: the view names the viewer's LA and counts its own children elsewhere exactly.
@loader.view_cache(data.NAME, suff_data.NAME, "reference", check=data.check_scope,
                   depends_on_caller=lambda scope, arguments: True)
def build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> PlacementsView:
    las = loader.local_authorities()
    names = dict(zip(las["la_code"], las["la_name"]))
    codes = metrics.area_codes(filters.area, las)
    where = area_name(filters.area, las)
    at = pd.Timestamp(filters.as_at)
    at_label = f"{at:%-d %B %Y}"
    viewer = names.get(scope.la_code, "your LA")
    options = suff_data.options(scope)
    children_demo = bool(loader.dataset_info(suff_data.NAME)["is_demo"])

    supply = data.supply(scope, filters.area)   # Ofsted's figures for the area: the same whatever the date
    providers_held = supply["held"]
    grades = data.urn_grades(scope, filters.as_at) if providers_held else ()
    here = suff_data.placed_here(scope, filters.area, filters.as_at, grades)
    trend = suff_data.placed_here_trend(scope, filters.area)
    away = suff_data.placed_elsewhere(scope, filters.as_at)
    located = suff_data.where_placed(scope, filters.area, filters.as_at)
    snapshot_label, homes_places, files = supply["snapshot_label"], supply["homes_places"], supply["files"]
    places_table, owners, types, openings = supply["places"], supply["owners"], supply["types"], supply["openings"]
    concentration = supply["concentration"]

    need, need_text = _need(scope, filters.area, options)
    returned_to = options["returned_to"]
    area_coverage = return_coverage(codes, names, where, at, returned_to)
    if area_coverage.none:   # no forecast from no children: the need is not known, never 0
        need = {kind: None for kind in need}
        need_text = area_coverage.reason
    viewer_returned = scope.la_code in returned_to and returned_to[scope.la_code] >= at
    # Children placed here are counted from the returns London's LAs have sent: say whose are missing.
    not_covered = [names[c] for c in las["la_code"] if c not in returned_to or returned_to[c] < at]
    location = located["table"].set_index("Placement type")
    outside = {kind: int(location.loc[kind, "Outside London"]) for kind in location.index}
    demand = metrics.demand_against_supply(need, homes_places, None, outside)
    demand["Placed in the area by LAs outside it (now)"] = [int(location.loc[k, "Placed in the area by LAs outside it"])
                                                            for k in demand["Placement type"]]

    placing = here["placing"].drop(columns="la_code")
    placing = placing[placing["Children"] > 0].sort_values(["Children", "Placing LA"], ascending=[False, True]).reset_index(drop=True)
    elsewhere = away["table"]
    # With no provider data no placement can be matched to a grade: the chart says so and draws no bars (grades of
    # 0 children would read as "none placed with Outstanding providers"); the table keeps its headings.
    grade = here["grade"] if here["grade"] is not None else pd.DataFrame(columns=["Ofsted grade on the date", "Children", "%"])
    tables = {"placing": placing, "placement": here["placement"], "provider": here["provider"], "distance": here["distance"],
              "grade": grade, "trend": trend, "elsewhere": elsewhere, "places": places_table, "types": types, "owners": owners,
              "openings": openings, "demand": demand}
    body = lambda table: table.iloc[:-1]   # noqa: E731  (a vector's rows without its Total)
    figs = {
        "placing": figures.bars(placing["Placing LA"], placing["Children"], axis="Children placed here", highlight={viewer},
                                empty="No children placed here by other LAs on this date."),
        "placement": figures.bars(body(here["placement"])["Placement type"], body(here["placement"])["Children"],
                                  axis="Children", empty="No children placed here by other LAs on this date."),
        "provider": figures.bars(body(here["provider"])["Provider type"], body(here["provider"])["Children"],
                                 axis="Children", empty="No children placed here by other LAs on this date."),
        "distance": figures.bars(body(here["distance"])["Distance from home"], body(here["distance"])["Children"],
                                 axis="Children", empty="No children placed here by other LAs on this date."),
        "grade": figures.bars(body(grade)["Ofsted grade on the date"], body(grade)["Children"], axis="Children",
                              empty="No children placed here by other LAs on this date." if providers_held else GRADES_NOT_IMPORTED),
        "trend": figures.lines(trend, "Quarter end", list(suff_data.HOMES_AND_FOSTERING["Fostering"]) + ["Children's homes", "Supported accommodation"],
                               axis="Children placed here by other LAs", total="Total", empty="No children placed here by other LAs."),
        "elsewhere": figures.bars(elsewhere["Placed in"].head(15), elsewhere["Total"].head(15),
                                  axis=f"{viewer}'s children", empty=f"No {viewer} children are placed outside {viewer} on this date."),
        "places": figures.stacked(places_table, "Area", ["Places: private", "Places: voluntary", "Places: local authority",
                                                         "Places: other sectors"], axis="Registered children's homes places",
                                  empty="Ofsted's provider data has not been imported." if not providers_held else "No children's homes registered here.")
        if providers_held else figures.stacked(pd.DataFrame(columns=["Area", "x"]), "Area", ["x"], axis="", empty="Ofsted's provider data has not been imported."),
        "types": figures.bars(types["Provision type"], types["Providers"], axis="Registered providers",
                              empty="Ofsted's provider data has not been imported." if not providers_held else "No providers registered here."),
        "owners": figures.bars(owners["Owner"], owners["% of places"], axis="% of the area's children's homes places", suffix="%",
                               empty="Ofsted's provider data has not been imported." if not providers_held else "No children's homes registered here."),
        "openings": figures.grouped(openings, "Year to 31 March", ["Registered (opened)", "Closed"], axis="Children's homes",
                                    empty="Ofsted's provider data has not been imported." if not providers_held else "No homes opened or closed."),
        "demand": figures.grouped(demand, "Placement type", ["Children forecast to need a place", "Places registered",
                                                              "Children now placed outside London"], axis="Children or places",
                                  empty="No forecast available."),
    }
    here_text = placed_here_text(filters.area, where)
    titles = {
        "placing": f"Children {here_text}, by placing LA, {at_label}",
        "placement": f"Children {here_text}, by placement type",
        "provider": f"Children {here_text}, by provider type",
        "distance": f"Children {here_text}, by distance from their home",
        "grade": f"Children {here_text}, by their provider's Ofsted grade on {at_label}",
        "trend": f"Children {here_text}, each quarter",
        "elsewhere": f"Where {viewer}'s children placed outside {viewer} live, {at_label}",
        "places": f"Registered children's homes places by sector, {where}" + (f", at {snapshot_label}" if snapshot_label else ""),
        "types": f"Ofsted-registered providers by provision type, {where}" + (f", at {snapshot_label}" if snapshot_label else ""),
        "owners": f"Owners holding the most children's homes places in {where}" + (f", at {snapshot_label}" if snapshot_label else ""),
        "openings": f"Children's homes registered and closed in {where}, each year to 31 March",
        "demand": f"Demand against supply, {where}: children forecast to need a place in {HORIZON_MONTHS} months against registered places",
    }
    total_here = here["total"]
    top = placing.iloc[0] if len(placing) else None
    homes_row = demand.set_index("Placement type").loc[metrics.HOMES]
    takeaways = {
        "placing": (f"{_count(total_here)} children were {here_text} on {at_label}"
                    + (f"; the most by {top['Placing LA']} ({_count(top['Children'])})." if top is not None else ".")
                    + own_bar_text(filters.area, where, viewer, scope.la_code in codes, placing["Placing LA"])),
        "placement": _largest(here["placement"], "Placement type", here_text),
        "provider": _largest(here["provider"], "Provider type", here_text),
        "distance": _largest(here["distance"], "Distance from home", here_text),
        "grade": _largest(grade, "Ofsted grade on the date", here_text) if providers_held else GRADES_NOT_IMPORTED,
        "trend": (f"Children {here_text}: {_count(trend['Total'].iloc[0])} on {trend['Quarter end'].iloc[0]}, "
                  f"{_count(trend['Total'].iloc[-1])} on {trend['Quarter end'].iloc[-1]}." if len(trend) else "No data."),
        "elsewhere": (f"{_count(away['total'])} of {viewer}'s {_count(away['looked_after'])} looked-after children live "
                      f"outside {viewer}" + (f"; the most in {elsewhere['Placed in'].iloc[0]} ({_count(elsewhere['Total'].iloc[0])})."
                                             if len(elsewhere) else ".")) if viewer_returned else
                     f"{viewer} has no SSDA903 return covering {at_label}: where its children live is not known.",
        "places": (f"{where} has {_count(homes_places)} registered children's homes places at {snapshot_label}."
                   if homes_places is not None else
                   f"Ofsted's file gives no places for {where}'s children's homes at {snapshot_label}." if providers_held
                   else "Ofsted's provider data has not been imported."),
        "types": (f"{int(types['Providers'].sum()):,} providers are registered in {where}; the most are "
                  f"{types.sort_values('Providers', ascending=False)['Provision type'].iloc[0]} "
                  f"({int(types['Providers'].max()):,})." if providers_held and len(types) else
                  "Ofsted's provider data has not been imported." if not providers_held else "No providers registered here."),
        "owners": (f"The largest owner holds {concentration[1]}% of {where}'s children's homes places, the largest five "
                   f"{concentration[5]}%." if providers_held and concentration[1] is not None else
                   "Ofsted's provider data has not been imported." if not providers_held else "No places registered here."),
        "openings": (f"{int(openings['Registered (opened)'].sum())} children's homes registered and {int(openings['Closed'].sum())} "
                     f"closed in {where} in the years shown." if providers_held else "Ofsted's provider data has not been imported."),
        "demand": _demand_takeaway(homes_row, where, providers_held),
    }
    kpis = [
        ("Placed here by other LAs", _count(total_here), f"{where}, {at_label} (protected)"),
        ("Placing LAs", f"{len(placing)}", "LAs with children placed here"),
        (f"{viewer}'s children placed outside {viewer}", _count(away["total"]), f"of {_count(away['looked_after'])} looked after")
        if viewer_returned else (f"{viewer}'s children placed outside {viewer}", NO_RETURN, f"{viewer}, {at_label}"),
        ("Registered children's homes places", _count(homes_places) if homes_places is not None else
         "not given" if providers_held else "not imported",
         f"{where}, at {snapshot_label}" if providers_held else "Ofsted's provider data"),
        ("Largest 5 owners' share of places", f"{concentration[5]}%" if concentration[5] is not None else "not available",
         f"{where}'s children's homes"),
        ("Children's homes: need minus places", NO_RETURN if area_coverage.none else
         _count(homes_row["Gap (need minus places)"]) if homes_places is not None else "not available",
         f"in {HORIZON_MONTHS} months; positive is a shortfall"),
    ]
    sources = {chart: ("Sufficiency: LAs' SSDA903 returns" + (" (demo data: synthetic, seeded)" if children_demo else "")
                       + "; other LAs' children protected (cell-key method)") for chart in ("placing", "placement", "provider", "distance", "trend", "elsewhere")}
    ofsted_source = _ofsted_source(files)
    sources.update({"grade": sources["placing"] + "; " + ofsted_source, "places": ofsted_source, "types": ofsted_source,
                    "owners": ofsted_source,
                    "openings": ofsted_source, "demand": f"{sources['placing']}; {ofsted_source}"})
    if not viewer_returned:
        figs["elsewhere"] = plain_empty_figure(takeaways["elsewhere"])
    if area_coverage.none:
        takeaways["demand"] = need_text + " The children it will need places for cannot be forecast."
    banners = ([] if providers_held else [NOT_IMPORTED]) + [FOSTER_NOT_LOADED]
    if not_covered and len(not_covered) < len(las):
        banners.append(f"Children placed here are counted from the SSDA903 returns of the {len(las) - len(not_covered)} "
                       f"of London's {len(las)} LAs whose return covers {at_label}; "
                       + (f"not yet from {len(not_covered)} LAs." if len(not_covered) > 5 else
                          f"not yet from {names_listed(not_covered)}.")
                       + " Their children placed here are not counted until their returns arrive.")
    notes = _notes(where, at_label, need_text, ofsted_source, children_demo, providers_held)
    return PlacementsView(area_name=where, at_label=at_label, viewer_la_name=viewer, children_demo=children_demo,
                          providers_held=providers_held, kpis=kpis, figures={c: lean_figure(f) for c, f in figs.items()},
                          tables=tables, titles=titles,
                          takeaways=takeaways, notes=notes, sources=sources, banners=banners)


def placed_here_text(area: str, where: str) -> str:
    """What the area's "placed here" charts count, said plainly: for a sub-region or London, a child placed by one of
    its LAs in another of its boroughs counts (the child lives outside the borough that looks after them), so the
    words say "other than the borough they live in", not "other LAs" (which would read as LAs outside the area)."""
    if area.startswith("la:"):
        return f"placed in {where} by other LAs"
    return f"placed in {where} by LAs other than the borough they live in"


def own_bar_text(area: str, where: str, viewer: str, viewer_in_area: bool, placing_las) -> str:
    """For a sub-region or London holding the viewer's LA: what the viewer's own bar counts."""
    if area.startswith("la:") or not viewer_in_area or viewer not in set(placing_las):
        return ""
    return f" {viewer}'s own bar counts its children living in {where}'s other boroughs."


def _largest(table: pd.DataFrame, label: str, here_text: str) -> str:
    body = table.iloc[:-1]
    total = table["Children"].iloc[-1]
    if not total:
        return f"No children were {here_text} on this date."
    row = body.sort_values("Children", ascending=False).iloc[0]
    return f"Of {total:,} children {here_text}, the most ({row['Children']:,}, {row['%']}%) are in: {row[label]}."


def _demand_takeaway(row: pd.Series, where: str, providers_held: bool) -> str:
    need = row["Children forecast to need a place"]
    if not providers_held:
        return (f"{_count(need)} of {where}'s children are forecast to be in children's homes in {HORIZON_MONTHS} months; "
                "registered places are not known until Ofsted's provider data is imported.")
    gap = row["Gap (need minus places)"]
    if gap is None or pd.isna(gap):
        return (f"{_count(need)} of {where}'s children are forecast to be in children's homes in {HORIZON_MONTHS} months; "
                f"the places of {where}'s registered children's homes are not given in Ofsted's file, so the gap is not known.")
    word = "more than" if gap > 0 else "fewer than"
    return (f"{_count(need)} of {where}'s children are forecast to be in children's homes in {HORIZON_MONTHS} months, "
            f"{abs(int(gap)):,} {word} the {_count(row['Places registered'])} places registered in {where}; "
            f"{_count(row['Children now placed outside London'])} of its children in children's homes live outside London now.")


def _ofsted_source(files: pd.DataFrame) -> str:
    if files.empty:
        return "Ofsted provider-level data: not imported"
    parts = [f"{kind} {', '.join(group['period'])} ({', '.join(group['file_name'])})" for kind, group in files.groupby("kind")]
    return "Ofsted, Children's social care data in England, provider-level data: " + "; ".join(parts)


def _notes(where: str, at_label: str, need_text: str, ofsted_source: str, children_demo: bool,
           providers_held: bool) -> list[tuple[str, str]]:
    return [
        ("Placed here by other LAs", f"Children looked after by a London LA and living in {where} on {at_label}, in any "
                                     "LA other than the one that looks after them (a child placed by one LA of a "
                                     "sub-region in another of its LAs counts for the sub-region). Where a child lives is "
                                     "the placement postcode's LA. Only London LAs' returns are held: children placed here "
                                     "by LAs outside London are not in the data."),
        ("Your LA's children elsewhere", "Your own LA's children living outside it on the date, counted exactly (they are "
                                         "your children): by the London LA they live in, or the region outside London."),
        ("Disclosure control", CHILDREN_NOTE),
        ("Matched to Ofsted by URN", "Each placement's Ofsted URN (from the return) is matched to Ofsted's provider files. "
                                     "The grade on a date is the provider's latest graded judgement on or before it "
                                     "(interim judgements such as \"improved effectiveness\" are not grades and are passed "
                                     "over); a provider in the files with none yet is \"not yet inspected\"."),
        ("Registered places", "Places on Ofsted's latest places file, for children's homes of every kind (secure and "
                              "short-break homes included), in the LAs of the area, by sector. A home whose places are "
                              "not given is counted as a home, its places as not known (never 0)."),
        ("Owner concentration", "The share of the area's children's homes places held by the organisations that own the "
                                "most places (Ofsted's \"Organisation which owns the provider\")."),
        ("Opened and closed", "Homes registered in each year (registration dates of the homes on the places files) and "
                              "homes closed (Ofsted's closed children's homes files)."),
        ("Demand against supply", f"Children forecast to need a place: {need_text}, for the children looked after by "
                                  "the area's LAs. Places registered: as above. The gap is need minus places: positive "
                                  "means more of the area's children are forecast to need a children's home than there "
                                  "are places in it (places also take children from other LAs: see the table). "
                                  + FOSTER_NOT_LOADED),
        ("Source (children)", "Demo data: synthetic, seeded SSDA903 returns, not any LA's real children." if children_demo
         else "London LAs' SSDA903 returns (children looked after), loaded by members."),
        ("Source (providers)", ofsted_source + ("" if providers_held else ". No demo provider data is ever shown.")),
    ]


def presentation(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    view = build_view(filters, scope)
    demo = " Children's figures: demo data (synthetic, seeded)." if view.children_demo else ""
    return Presentation(
        kpis=view.kpis,
        charts={chart: Slide(view.titles[chart], view.takeaways[chart], view.figures[chart], f"Source: {view.sources[chart]}.")
                for chart in CHARTS},
        tables=view.tables, notes=view.notes,
        subtitle=f"{view.area_name}, {view.at_label}.{demo}", stem="placements_supply",
        table_stems={t: f"placements_supply_{t}" for t in TABLES},
        demo_tables=frozenset({"placing", "placement", "provider", "distance", "grade", "trend", "elsewhere", "demand"}
                              if view.children_demo else ()))
