"""The Dynamic Sufficiency Tool's logic: filters in, everything the page shows out.

The page's callbacks are thin adapters over `resolve_filters`, `build_view`, `build_forecast` and `download_table`.
The loader (`dashboard.loader.sufficiency`) returns aggregates only, already suppressed for the caller's scope;
the definitions live in `dashboard.metrics.sufficiency`, the charts in `dashboard.figures.sufficiency`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard import loader
from dashboard.figures import sufficiency as figures
from dashboard.loader import sufficiency as data
from dashboard.metrics import sufficiency as m
from dashboard.metrics.suppression import SUPPRESSED

ALL = "all"
SELECTION_FIELDS = ("age", "sex", "ethnicity", "uasc", "legal", "cin", "placement", "provider")
SEX_OPTIONS = [("all", "All"), ("1", "Male"), ("2", "Female")]
UASC_OPTIONS = [("all", "All children"), ("yes", "UASC only"), ("no", "Not UASC")]
TILE_MODES = [("selected", "Placed by the selected LAs"), ("others", "Placed here by other LAs")]
FLOW_MODES = [("location", "To where they live"), ("provider", "To provider type")]
HORIZONS = [1, 2, 3]
SUPPRESSION_TEXT = ("Counts of 1 to 5 children are shown as c, and where a total would reveal a hidden count the next "
                    "smallest count is hidden too. Percentages, medians and rates built on hidden counts are c as well. "
                    "This applies whenever a view includes children looked after by an LA other than your own.")
TABLES = {
    "placement_mix": "Placement type", "location": "Where placed", "distance": "Distance from home",
    "outside_regions": "Placed outside London, by region", "grades": "Ofsted grade of provider at the date",
    "tiles": "Children placed in each London LA by the selected LAs", "tiles_others": "Children placed in each London LA by other LAs",
    "flows_location": "From each looking-after LA to where placed", "flows_provider": "From each looking-after LA to provider type",
    "trend": "Children looked after by placement type, each quarter", "starts_ends": "Starts and ends each month",
    "stability": "Placement stability, each year", "forecast": "Forecast by placement type", "costs": "Forecast weekly cost",
    "backtest": "Back-test of the forecast", "rates": "Forecast model: exit and move rates", "entries": "Forecast model: starts by age band",
    "published": "Published DfE figures at 31 March beside this tool's",
}
FORECAST_TABLES = ("forecast", "costs", "backtest", "rates", "entries")


@dataclass(frozen=True)
class Filters:
    area: str                  # "london", "sr:<sub-region code>" or "la:<ONS code>"
    as_at: pd.Timestamp
    age: str = ALL
    sex: str = ALL
    ethnicity: str = ALL
    uasc: str = ALL
    legal: str = ALL
    cin: str = ALL
    placement: str = ALL
    provider: str = ALL

    def selection_fields(self) -> dict:
        return {name: getattr(self, name) for name in SELECTION_FIELDS}

    def query(self) -> dict:
        return {"area": self.area, "at": self.as_at.date().isoformat(), **self.selection_fields()}


@dataclass(frozen=True)
class ForecastParams:
    ref_from: int              # first year (to 31 March) of the reference period
    ref_to: int                # last year of the reference period
    horizon: int               # years ahead
    costs: dict = field(default_factory=dict, hash=False, compare=False)


def area_options(las: pd.DataFrame) -> list[dict]:
    subs = las.drop_duplicates("subregion_code").sort_values("subregion_order")
    return ([{"label": "All London", "value": "london"}]
            + [{"label": name, "value": f"sr:{code}"} for code, name in zip(subs["subregion_code"], subs["subregion_name"])]
            + [{"label": name, "value": f"la:{code}"} for code, name in zip(las["la_code"], las["la_name"])])


def filter_options(options: dict) -> dict[str, list[dict]]:
    """Every dropdown's choices; "all" first."""
    def with_all(items, label="All"):
        return [{"label": label, "value": ALL}] + [{"label": lab, "value": val} for val, lab in items]
    return {
        "age": with_all([(b, b) for b in m.AGE_BANDS], "All ages"),
        "sex": [{"label": lab, "value": val} for val, lab in SEX_OPTIONS],
        "ethnicity": with_all([(g, g) for g in m.ETHNIC_GROUPS]),
        "uasc": [{"label": lab, "value": val} for val, lab in UASC_OPTIONS],
        "legal": with_all([(g, g) for g in options.get("legal_groups", [])]),
        "cin": with_all([(code, f"{code} {label}") for code, label in options.get("cin", [])]),
        "placement": with_all([(g, g) for g in m.PLACEMENT_GROUPS], "All placement types"),
        "provider": with_all([(g, g) for g in m.PROVIDER_GROUPS], "All providers"),
        "as_at": [{"label": d.strftime("%-d %B %Y"), "value": d.date().isoformat()} for d in reversed(options.get("month_ends", []))],
    }


def resolve_filters(query: dict, *, user_la: str | None, las: pd.DataFrame, options: dict) -> Filters:
    """Whatever arrived (URL or dropdowns) made valid; anything unknown falls back to its default."""
    choices = filter_options(options)
    areas = {o["value"] for o in area_options(las)}
    default_area = f"la:{user_la}" if f"la:{user_la}" in areas else "london"
    area = query.get("area") if query.get("area") in areas else default_area
    dates = [o["value"] for o in choices["as_at"]]
    as_at = query.get("at") if query.get("at") in dates else (dates[0] if dates else options["last"].date().isoformat())
    values = {}
    for name in SELECTION_FIELDS:
        allowed = {o["value"] for o in choices[name]}
        values[name] = query.get(name) if query.get(name) in allowed else ALL
    return Filters(area=area, as_at=pd.Timestamp(as_at), **values)


def resolve_forecast(ref_from, ref_to, horizon, costs: dict | None, options: dict) -> ForecastParams:
    years = forecast_years(options)
    ref_to = int(ref_to) if str(ref_to).isdigit() and int(ref_to) in years else years[-1]
    ref_from = int(ref_from) if str(ref_from).isdigit() and int(ref_from) in years else max(years[0], ref_to - 2)
    if ref_from > ref_to:
        ref_from, ref_to = ref_to, ref_from
    horizon = int(horizon) if str(horizon).isdigit() and int(horizon) in HORIZONS else 2
    clean = {}
    for group in m.PLACEMENT_GROUPS:
        value = (costs or {}).get(group)
        try:
            clean[group] = max(0.0, float(value)) if value not in (None, "") else float(data.DEFAULT_WEEKLY_COSTS[group])
        except (TypeError, ValueError):
            clean[group] = float(data.DEFAULT_WEEKLY_COSTS[group])
    return ForecastParams(ref_from, ref_to, horizon, clean)


def forecast_years(options: dict) -> list[int]:
    """Full years to 31 March in the data (the reference period is chosen from these)."""
    first, last = options["first"], options["last"]
    # The year to 31 March Y runs from 1 April Y-1: it is full when the data start on or before that day.
    start = first.year + 1 if first <= pd.Timestamp(first.year, 4, 1) else first.year + 2
    return list(range(start, last.year + 1)) or [last.year]


def area_label(area: str, las: pd.DataFrame) -> str:
    for option in area_options(las):
        if option["value"] == area:
            return option["label"]
    return area


def focus_codes(area: str, las: pd.DataFrame) -> set[str]:
    return set(data.area_la_codes(area, las))


def _fmt_pct(value) -> str:
    if value is None:
        return "no children"
    return SUPPRESSED if value == SUPPRESSED else f"{value:.1f}%"


def _fmt_count(value) -> str:
    return SUPPRESSED if value == SUPPRESSED else f"{value:,}"


def _selection_text(filters: Filters) -> str:
    parts = []
    labels = {"age": "aged", "sex": "sex", "ethnicity": "ethnicity", "uasc": "UASC", "legal": "legal status",
              "cin": "need", "placement": "placement", "provider": "provider"}
    for name in SELECTION_FIELDS:
        value = getattr(filters, name)
        if value != ALL:
            shown = {"1": "male", "2": "female"}.get(value, value) if name == "sex" else value
            parts.append(f"{labels[name]}: {shown}")
    return "; ".join(parts) if parts else "all children"


@dataclass
class SufficiencyView:
    area_name: str
    as_at_label: str
    selection_text: str
    is_demo: bool
    restricted: bool
    kpis: list[tuple[str, str, str]]
    figures: dict
    titles: dict
    tables: dict
    notes: list[tuple[str, str]]


def build_view(filters: Filters, scope: loader.AccessScope, tile_mode: str = "selected", flow_mode: str = "location") -> SufficiencyView:
    """Everything the page shows for the filters. The finished view (figures included) is cached per dataset
    version and access scope, so going back to a view costs nothing; the loader checks the scope either way."""
    data.check_scope(scope)
    return _cached_view(loader.dataset_version(data.ds.NAME), loader.dataset_version(data.ds.PUBLISHED_NAME), scope,
                        filters, tile_mode, flow_mode)


@loader.cache.memoize()
def _cached_view(version: int, published_version: int, scope: loader.AccessScope, filters: Filters, tile_mode: str,
                 flow_mode: str) -> SufficiencyView:
    las = loader.local_authorities()
    agg = data.view(scope, filters.area, filters.as_at, filters.selection_fields())
    h = agg["headline"]
    area_name = area_label(filters.area, las)
    at_label = filters.as_at.strftime("%-d %B %Y")
    kpis = [
        ("Children looked after", _fmt_count(h["children"]), f"{area_name}, {at_label}"),
        ("In foster care", _fmt_pct(h["foster"]), f"in-house {_fmt_pct(h['foster_inhouse'])}, agency or other {_fmt_pct(h['foster_agency'])}"),
        ("In children's homes", _fmt_pct(h["homes"]), "secure and other children's homes"),
        ("In supported accommodation", _fmt_pct(h["supported"]), "semi-independent or independent living"),
        ("Placed with parents", _fmt_pct(h["parents"]), f"other placements {_fmt_pct(h['other'])}"),
        ("Placed outside own LA", _fmt_pct(h["outside_la"]), "of all children (location not known counts as neither)"),
        ("More than 20 miles from home", _fmt_pct(h["over_20"]), f"distance not known for {_fmt_pct(h['distance_not_known'])}"),
        ("Median distance from home", "no children" if h["median_miles"] is None else
         (SUPPRESSED if h["median_miles"] == SUPPRESSED else f"{h['median_miles']:.1f} miles"), "where both postcodes are known"),
        ("Placed outside London", _fmt_pct(h["outside_london"]), "of all children"),
        ("Provider good or outstanding", _fmt_pct(h["good_provider"]),
         f"of {_fmt_count(h['graded'])} placements with an Ofsted grade on that date"),
    ]
    focus = focus_codes(filters.area, las)
    tiles = agg["tiles"] if tile_mode != "others" else agg["tiles_others"]
    tile_what = "placed in London by the selected LAs" if tile_mode != "others" else "placed by other LAs"
    flow_table = agg["flows_location"] if flow_mode != "provider" else agg["flows_provider"]
    flow_categories = list(m.LOCATIONS) if flow_mode != "provider" else list(m.PROVIDER_GROUPS)
    provider_colours = dict(zip(m.PROVIDER_GROUPS, ["#0072B2", "#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#7F7F7F"]))
    figs = {
        "tiles": figures.tile_map(tiles, focus if tile_mode != "others" else set(), tile_what),
        "distance": figures.bar_chart(agg["distance"], "Distance from home"),
        "regions": figures.bar_chart(agg["outside_regions"], "Region", empty_message="No children placed outside London with these filters."),
        "grades": figures.bar_chart(agg["grades"], "Ofsted grade of provider"),
        "mix": figures.bar_chart(agg["placement_mix"], "Placement type", colours=figures.GROUP_COLOURS),
        "flows": figures.sankey(flow_table, flow_categories, figures.LOCATION_COLOURS if flow_mode != "provider" else provider_colours),
        "trend": figures.trend_figure(agg["trend"], list(m.PLACEMENT_GROUPS)),
        "starts": figures.starts_ends_figure(agg["starts_ends"]),
        "stability": figures.stability_figure(agg["stability"]),
    }
    scope_text = f"{area_name}, {at_label}"
    titles = {
        "tiles": ("Children placed in each London LA by " + area_name if tile_mode != "others"
                  else "Children placed in each London LA by other LAs (pressure on local homes)") + f", {at_label}",
        "distance": f"Distance from home, {scope_text}",
        "regions": f"Placed outside London, by region, {scope_text}",
        "grades": f"Ofsted grade of the provider on {at_label}, {area_name}",
        "mix": f"Placement type, {scope_text}",
        "flows": f"Where children looked after by {area_name} are placed" + (" (by provider type)" if flow_mode == "provider" else "") + f", {at_label}",
        "trend": f"Children looked after by placement type at each quarter end, {area_name}",
        "starts": f"Children starting and ceasing to be looked after each month, {area_name}",
        "stability": f"Children with 3 or more placements in the year to 31 March, {area_name}",
    }
    info = loader.dataset_info(data.ds.NAME)
    tables = {name: agg[name] for name in TABLES if name in agg}
    return SufficiencyView(area_name=area_name, as_at_label=at_label, selection_text=_selection_text(filters),
                           is_demo=info["is_demo"], restricted=agg["restricted"], kpis=kpis, figures=figs, titles=titles,
                           tables=tables, notes=notes(filters, agg["restricted"], info["is_demo"], area_name, at_label))


def notes(filters: Filters, restricted: bool, is_demo: bool, area_name: str, at_label: str) -> list[tuple[str, str]]:
    return [
        ("Children counted", f"Children looked after by {area_name} at the end of {at_label} ({_selection_text(filters)}). "
         "A child whose episode ends on the date has left care that day and is not counted, as in DfE's figures at 31 March."),
        ("Placement type", "From the SSDA903 placement code: foster care (U1-U6) is in-house when the LA's own provision "
         "(PR1), otherwise agency or other; children's homes K1, K2, R1; supported accommodation H5, P2; placed with "
         "parents P1; other covers placed for adoption, residential schools, health, custody and other placements."),
        ("Distance and location", "Distance is the straight-line (haversine) distance in miles between the centroids of "
         "the home and placement postcode sectors; not known when either postcode is missing. Inside own LA: the placement "
         "sector lies in the looking-after LA."),
        ("Ofsted grade", "The provider's latest overall effectiveness judgement on or before the date. Placements without "
         "an Ofsted URN (most foster carers and parents) are not graded; providers not yet inspected are shown as such."),
        ("Stability", "Children looked after at 31 March who had 3 or more placements during the year (a change of legal "
         "status alone is not a new placement), as DfE defines it."),
        ("Privacy", SUPPRESSION_TEXT if restricted else
         "You are viewing your own LA's children, so counts are shown in full. They are still aggregates: no child's "
         "record, date of birth or postcode leaves the server. " + SUPPRESSION_TEXT),
        ("Source", "Demo data: synthetic child-level episodes shaped like the SSDA903 return, not any LA's real records."
         if is_demo else "LAs' SSDA903 returns (children looked after), loaded by members."),
    ]


def build_forecast(filters: Filters, params: ForecastParams, scope: loader.AccessScope) -> dict:
    """The forecast chart, cost chart, back-test text and the model's rates."""
    las = loader.local_authorities()
    fixed = {name: filters.selection_fields()[name] for name in ("sex", "ethnicity", "uasc")}
    result = data.forecast(scope, filters.area, fixed, params.ref_from, params.ref_to, params.horizon, params.costs)
    groups = list(m.PLACEMENT_GROUPS)
    area_name = area_label(filters.area, las)
    summary = result["summary"]
    ref_start, ref_end = result["reference"]
    if summary.get("available"):
        backtest_text = (
            f"Fitted on {summary['fit_start']:%B %Y} to {summary['fit_end']:%B %Y} and run forward from "
            f"{summary['origin']:%-d %B %Y}, the model forecast the total on {summary['target']:%-d %B %Y} "
            f"with an error of {_fmt_pct(summary['total_error_pct'])}; simply assuming no change would have been "
            f"{_fmt_pct(summary['naive_error_pct'])} out. Average error per placement type: {summary['mean_abs_error_groups']} children.")
    else:
        backtest_text = "Not enough data before the last year to back-test this reference period."
    return {
        "title": f"Forecast children looked after by placement type, {area_name}, {params.horizon} year"
                 f"{'s' if params.horizon > 1 else ''} from {result['jump']:%-d %B %Y}",
        "figure": figures.forecast_figure(result["history"], result["forecast"], groups),
        "cost_title": f"Forecast weekly cost of placements, {area_name} (unit costs as entered)",
        "cost_figure": figures.cost_figure(result["costs"]),
        "backtest_text": backtest_text,
        "model_text": (
            f"Reference period {ref_start:%-d %B %Y} to {ref_end:%-d %B %Y} ({result['months_in_reference']:.0f} months). "
            "Each month, children start care at the reference period's average rate (by age band and first placement "
            "type), and each child stays, moves to another placement type or leaves care at the rates observed in the "
            "reference period. The band is the 10th to 90th percentile of 300 simulations that include both chance and "
            "the uncertainty in the rates. The model uses the area and the children's sex, ethnicity and UASC status; "
            "it does not age children, so other filters do not apply to it."),
        "tables": {name: result[name] for name in FORECAST_TABLES},
        "restricted": result["restricted"],
    }


def table_for(filters: Filters, params: ForecastParams, scope: loader.AccessScope, which: str) -> tuple[pd.DataFrame, str]:
    """The aggregate table the user picked (same rows as the charts), and its title."""
    which = which if which in TABLES else "placement_mix"
    if which == "published":
        table = data.published_comparison(scope, filters.area)["table"]
    elif which in FORECAST_TABLES:
        table = build_forecast(filters, params, scope)["tables"][which]
    else:
        agg = data.view(scope, filters.area, filters.as_at, filters.selection_fields())
        table = agg[which]
    las = loader.local_authorities()
    if "la_code" in table.columns:
        table = table.drop(columns=["la_code"])
    title = f"{TABLES[which]}: {area_label(filters.area, las)}"
    if which not in ("trend", "starts_ends", "stability", "published") and which not in FORECAST_TABLES:
        title += f", {filters.as_at:%-d %B %Y}"
    return table.reset_index(drop=True), title


def download_table(filters: Filters, params: ForecastParams, scope: loader.AccessScope, which: str) -> tuple[pd.DataFrame, list, str]:
    table, title = table_for(filters, params, scope, which)
    las = loader.local_authorities()
    info = loader.dataset_info(data.ds.NAME)
    restricted = data.is_restricted(filters.area, scope)
    file_notes = [("Table", title), *notes(filters, restricted, info["is_demo"], area_label(filters.area, las),
                                            f"{filters.as_at:%-d %B %Y}")]
    table = table.astype(object).where(table.notna(), "")
    stem = f"sufficiency_{which}_{filters.area.replace(':', '-')}_{filters.as_at.date().isoformat()}"
    return table, file_notes, stem


def _latest_year(table: pd.DataFrame) -> str:
    return str(table["Year (31 March)"].max()) if len(table) else "(none imported)"


def build_published(filters: Filters, scope: loader.AccessScope) -> dict:
    """DfE's published figures for the area (LA or London) beside the tool's count on the same definition."""
    las = loader.local_authorities()
    result = data.published_comparison(scope, filters.area)
    info = loader.dataset_info(data.ds.NAME)
    caveat = ("The tool's figures here come from demo data, so they will not match: the published figures are real."
              if info["is_demo"] else "Differences point to records to check: late changes, missing postcodes, or a different extract date.")
    return {"title": f"Published DfE figures beside this tool's: {area_label(filters.area, las)}",
            "text": result["reason"] if not result["available"] else
            ("DfE's published counts of children looked after at 31 March (DfE, Children looked after in England including "
             f"adoptions, release with figures to 31 March {_latest_year(result['table'])}; c = suppressed by DfE, "
             "k = under 0.5%, z = not applicable), for all children, beside the same "
             "count from the child-level data stored here. " + caveat),
            "table": result["table"]}
