"""The Dynamic Sufficiency Tool's logic: filters in, everything the page shows out.

The page's callbacks are thin adapters over `resolve_selection`, `build_view`, `build_forecast`, `table_for` and
`build_published`; `presentation` gives its files, images and slides.
The loader (`dashboard.dashboards.sufficiency.data`) returns aggregates only, already suppressed for the caller's scope;
the definitions live in `dashboard.dashboards.sufficiency.metrics`, the charts in `dashboard.dashboards.sufficiency.figures`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pandas as pd

from dashboard import loader
from dashboard.chart_theme import plain_empty_figure
from dashboard.return_coverage import NO_RETURN, ReturnCoverage, return_coverage
from dashboard.dashboards.sufficiency import figures
from dashboard.dashboards.sufficiency import data
from dashboard.dashboards.sufficiency import metrics as m
from dashboard.dashboards.sufficiency.metrics import PLACEMENT_GROUPS
from dashboard.disclosure import CHILDREN_NOTE, SUPPRESSED
from dashboard.presenting import Lazy, Presentation, Slide, anonymise_las, label_order

ALL = "all"
SELECTION_FIELDS = ("age", "sex", "ethnicity", "uasc", "legal", "cin", "placement", "provider")
SEX_OPTIONS = [("all", "All"), ("1", "Male"), ("2", "Female")]
UASC_OPTIONS = [("all", "All children"), ("yes", "UASC only"), ("no", "Not UASC")]
TILE_MODES = [("selected", "Placed by the selected LAs"), ("others", "Placed here by other LAs")]
FLOW_MODES = [("location", "To where they live"), ("provider", "To provider type")]
HORIZONS = [1, 2, 3]
SUPPRESSION_TEXT = CHILDREN_NOTE   # what the page says about disclosure control, from the module that applies it
PROTECTED_SOURCE_NOTE = (" Other LAs' children: counts protected (cell-key method; no count of 1 to 4 shown, others moved "
                         "by a few; totals need not equal the sum of their parts).")
TABLES = {
    "placement_mix": "Placement type", "location": "Where placed", "distance": "Distance from home",
    "outside_regions": "Placed outside London, by region", "grades": "Ofsted grade of provider at the date",
    "tiles": "Children placed in each London LA by the selected LAs", "tiles_others": "Children placed in each London LA by other LAs",
    "flows_location": "From each looking-after LA to where placed", "flows_provider": "From each looking-after LA to provider type",
    "trend": "Children looked after by placement type, each quarter", "starts_ends": "Starts and ends each month",
    "stability": "Placement stability, each year", "forecast": "Forecast by placement type", "costs": "Forecast weekly cost",
    "forecast_by_age": "Forecast by age band", "backtest": "Back-test of the forecast, every year",
    # The model as fitted on the reference period: a scenario changes the forecast, not these.
    "rates": "Forecast model as fitted: exit and move rates by placement type",
    "rates_by_age": "Forecast model as fitted: rates by age band",
    "entries": "Forecast model as fitted: starts by age band",
    "published": "Published DfE figures at 31 March beside this tool's",
}
FORECAST_TABLES = ("forecast", "forecast_by_age", "costs", "backtest", "rates", "rates_by_age", "entries")
FIRST_TABLE = "placement_mix"      # the table the page opens on


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


COST_QUERY = dict(zip(PLACEMENT_GROUPS, ("cost_foster_inhouse", "cost_foster_agency", "cost_homes", "cost_supported",
                                          "cost_parents", "cost_other")))   # each weekly cost's name in the address
SCENARIO_FIELDS = {   # name in the address: (what it is, lowest, highest, unit)
    "entries": ("Change in children starting care", -100.0, 300.0, "%"),
    "exits": ("Change in children leaving care before 18", -100.0, 300.0, "%"),
    "shift": ("Share of new placements moved", 0.0, 100.0, "%"),
    "inflation": ("Cost inflation", -20.0, 50.0, "% a year"),
}
MAX_WEEKLY_COST = 100_000.0


def read_number(raw, what: str, low: float, high: float, unit: str) -> tuple[float | None, str | None]:
    """A typed number: (value, None), (None, None) when left empty, or (None, a sentence saying why it is refused)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    text = str(raw).strip().replace(",", "").removeprefix("£").removesuffix("%").strip()
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or value != value or value in (float("inf"), float("-inf")):
        return None, f"{what}: \u201c{raw}\u201d is not a number."
    if value < low or value > high:
        shown = f"£{low:,.0f} to £{high:,.0f}" if unit == "£" else f"{low:g} to {high:g}{unit}"
        return None, f"{what}: {raw} is refused; it must be {shown}."
    return value, None


@dataclass(frozen=True)
class Scenario:
    """What-if changes to the fitted model, in percent (0 = as fitted), and the cost inflation."""
    entries: float = 0.0          # change in children starting care
    exits: float = 0.0            # change in children leaving care before 18
    shift_from: str = ""          # placement type whose new placements (starts and moves into it) are partly moved...
    shift_to: str = ""            # ...to this type
    shift: float = 0.0            # ...this share of them
    inflation: float = 0.0        # a year, on the weekly costs

    @property
    def model_args(self) -> tuple:
        """For `data.forecast`: () when the model is used as fitted."""
        moves = self.shift_from and self.shift_to and self.shift_from != self.shift_to and self.shift
        if not (self.entries or self.exits or moves):
            return ()
        return (self.entries / 100, self.exits / 100, *((self.shift_from, self.shift_to, self.shift / 100) if moves else ()))

    def describe(self) -> str:
        parts = []
        if self.entries:
            parts.append(f"{abs(self.entries):g}% {'more' if self.entries > 0 else 'fewer'} children starting care")
        if self.exits:
            parts.append(f"{abs(self.exits):g}% {'more' if self.exits > 0 else 'fewer'} leaving care before 18")
        if len(self.model_args) > 2:
            parts.append(f"{self.shift:g}% of new {self.shift_from.lower()} placements made in "
                         f"{self.shift_to.lower()} instead")
        text = "; ".join(parts) if parts else "the model as fitted (no changes)"
        return text + (f"; costs rising {self.inflation:g}% a year" if self.inflation else "")

    def query(self) -> dict:
        return {"entries": self.entries or None, "exits": self.exits or None, "shift_from": self.shift_from or None,
                "shift_to": self.shift_to or None, "shift": self.shift or None, "inflation": self.inflation or None}


@dataclass(frozen=True)
class ForecastParams:
    ref_from: int              # first year (to 31 March) of the reference period
    ref_to: int                # last year of the reference period
    horizon: int               # years ahead
    costs: dict = field(default_factory=dict, hash=False, compare=False)
    scenario: Scenario = Scenario()
    problems: tuple = ()       # typed costs and rates refused, each in a sentence
    changed_costs: tuple = ()  # placement types whose cost was entered, not the default

    @property
    def costs_ok(self) -> bool:
        return not any(p.startswith("Weekly cost") for p in self.problems)


@dataclass(frozen=True)
class Selection:
    """Everything the page's charts, tables, files and slides depend on."""
    filters: Filters
    forecast: ForecastParams
    tile_mode: str = "selected"
    flow_mode: str = "location"


def area_options(las: pd.DataFrame) -> list[dict]:
    """All London, the sub-regions, then the LAs (anonymised labels in label order: code order would give them away)."""
    subs = las.drop_duplicates("subregion_code").sort_values("subregion_order")
    la_rows = sorted(zip(las["la_code"], las["la_name"]), key=lambda row: label_order(row[1]))
    return ([{"label": "All London", "value": "london"}]
            + [{"label": name, "value": f"sr:{code}"} for code, name in zip(subs["subregion_code"], subs["subregion_name"])]
            + [{"label": name, "value": f"la:{code}"} for code, name in la_rows])


def las_for(scope: loader.AccessScope, anonymise_with: str | None) -> pd.DataFrame:
    """The LA table as the viewer sees it: with `anonymise_with` (the app's secret), every name but the viewer's own
    is its stable label."""
    las = loader.local_authorities()
    return anonymise_las(las, scope.la_code, anonymise_with) if anonymise_with else las


def _in_label_order(table: pd.DataFrame, column: str, labels: set[str]) -> pd.DataFrame:
    """Rows naming an LA in label order (rows in code or name order would give the labels away); others after them."""
    keys = [(0, label_order(name)) if name in labels else (1, (i, 0, "")) for i, name in enumerate(table[column])]
    return table.iloc[sorted(range(len(table)), key=keys.__getitem__)].reset_index(drop=True)


def _relabel(agg: dict, las: pd.DataFrame, anonymised: bool) -> dict:
    """The loader's tables with LA names as in `las` (by code for tiles; by name for flows, which carry no code)."""
    if not anonymised:
        return agg
    real = loader.local_authorities()
    by_code = dict(zip(las["la_code"], las["la_name"]))
    by_name = {name: by_code[code] for code, name in zip(real["la_code"], real["la_name"])}
    labels = set(by_code.values())
    out = dict(agg)
    for key in ("tiles", "tiles_others"):
        if key in out:
            named = out[key].assign(LA=[by_code.get(c, n) for c, n in zip(out[key]["la_code"], out[key]["LA"])])
            out[key] = _in_label_order(named, "LA", labels)
    for key in ("flows_location", "flows_provider"):
        if key in out:
            out[key] = _in_label_order(out[key].assign(From=[by_name.get(n, n) for n in out[key]["From"]]), "From", labels)
    return out


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
        "placement": with_all([(g, g) for g in PLACEMENT_GROUPS], "All placement types"),
        "provider": with_all([(g, g) for g in m.PROVIDER_GROUPS], "All providers"),
        "as_at": [{"label": d.strftime("%-d %B %Y"), "value": d.date().isoformat()} for d in reversed(options.get("month_ends", []))],
    }


def resolve_filters(query: dict, *, user_la: str | None, las: pd.DataFrame, options: dict) -> Filters:
    """Whatever arrived (URL or dropdowns) made valid; anything unknown falls back to its default."""
    choices = filter_options(options)
    areas = {"london", *(f"sr:{code}" for code in las["subregion_code"]), *(f"la:{code}" for code in las["la_code"])}   # area_options' values
    default_area = f"la:{user_la}" if f"la:{user_la}" in areas else "london"
    area = query.get("area") if query.get("area") in areas else default_area
    dates = [o["value"] for o in choices["as_at"]]
    as_at = query.get("at") if query.get("at") in dates else (dates[0] if dates else options["last"].date().isoformat())
    values = {}
    for name in SELECTION_FIELDS:
        allowed = {o["value"] for o in choices[name]}
        values[name] = query.get(name) if query.get(name) in allowed else ALL
    return Filters(area=area, as_at=pd.Timestamp(as_at), **values)


def resolve_forecast(ref_from, ref_to, horizon, costs: dict | None, options: dict,
                     scenario: dict | None = None) -> ForecastParams:
    """The forecast's settings from the address bar or the controls. A typed cost or rate that is not a number, or
    out of range, is refused and said (in `problems`), never quietly replaced: a refused cost keeps the cost chart
    from being drawn; a refused rate leaves that change out, and the page says so."""
    years = forecast_years(options)
    ref_to = int(ref_to) if str(ref_to).isdigit() and int(ref_to) in years else years[-1]
    ref_from = int(ref_from) if str(ref_from).isdigit() and int(ref_from) in years else max(years[0], ref_to - 2)
    if ref_from > ref_to:
        ref_from, ref_to = ref_to, ref_from
    horizon = int(horizon) if str(horizon).isdigit() and int(horizon) in HORIZONS else 2
    clean, problems, changed = {}, [], []
    for group in PLACEMENT_GROUPS:
        value, problem = read_number((costs or {}).get(group), f"Weekly cost for {group}", 0.0, MAX_WEEKLY_COST, "£")
        if problem:
            problems.append(problem.replace("is refused; it must be", "is refused: a weekly cost must be"))
        clean[group] = float(data.DEFAULT_WEEKLY_COSTS[group]) if value is None else value
        if value is not None and value != data.DEFAULT_WEEKLY_COSTS[group]:
            changed.append(group)
    values = {}
    for name, (what, low, high, unit) in SCENARIO_FIELDS.items():
        value, problem = read_number((scenario or {}).get(name), what, low, high, unit)
        if problem:
            problems.append(problem + " That change is left out until it is corrected.")
        values[name] = value or 0.0
    shift_from, shift_to = ((scenario or {}).get(k) for k in ("shift_from", "shift_to"))
    shift_from = shift_from if shift_from in PLACEMENT_GROUPS else ""
    shift_to = shift_to if shift_to in PLACEMENT_GROUPS else ""
    return ForecastParams(ref_from, ref_to, horizon, clean,
                          Scenario(values["entries"], values["exits"], shift_from, shift_to, values["shift"],
                                   values["inflation"]), tuple(problems), tuple(changed))


def resolve_selection(query: dict, costs: dict, *, user_la: str | None, las: pd.DataFrame, options: dict) -> Selection:
    """The filters, forecast and chart modes from the address bar or the controls, with the unit costs by placement
    type; anything unknown falls back to its default (typed costs and rates are checked: `resolve_forecast`)."""
    tiles, flows = query.get("tiles"), query.get("flows")
    scenario = {name: query.get(name) for name in (*SCENARIO_FIELDS, "shift_from", "shift_to")}
    return Selection(resolve_filters(query, user_la=user_la, las=las, options=options),
                     resolve_forecast(query.get("ref_from"), query.get("ref_to"), query.get("horizon"), costs, options,
                                      scenario),
                     tiles if tiles in dict(TILE_MODES) else "selected", flows if flows in dict(FLOW_MODES) else "location")


def forecast_years(options: dict) -> list[int]:
    """Full years to 31 March in the data (the reference period is chosen from these)."""
    first, last = options["first"], options["last"]
    # The year to 31 March Y runs from 1 April Y-1: it is full when the data start on or before that day.
    start = first.year + 1 if first <= pd.Timestamp(first.year, 4, 1) else first.year + 2
    return list(range(start, last.year + 1)) or [last.year]


def area_label(area: str, las: pd.DataFrame) -> str:
    """The area's label in `area_options` (the first with its value), without laying out every option."""
    if area == "london":
        return "All London"
    kind, _, _code = area.partition(":")
    if kind in ("sr", "la"):
        prefix, column = ("sr", "subregion") if kind == "sr" else ("la", "la")
        for code, name in zip(las[f"{column}_code"], las[f"{column}_name"]):
            if f"{prefix}:{code}" == area:
                return name
    return area


def focus_codes(area: str, las: pd.DataFrame) -> set[str]:
    return set(data.area_la_codes(area, las))


def area_coverage(area: str, at: pd.Timestamp, returned_to: dict, las: pd.DataFrame, *,
                  anonymised: bool = False) -> ReturnCoverage:
    """Which of the area's LAs have a return covering `at` (names as in `las`, so anonymised when it is)."""
    return return_coverage(data.area_la_codes(area, las), dict(zip(las["la_code"], las["la_name"])),
                           area_label(area, las), at, returned_to, anonymised=anonymised)


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


def _fmt_grade_share(headline: dict) -> str:
    """The share of graded placements with a good or outstanding provider: "no grades" when no placement's provider
    had an Ofsted grade on the date (there were children, but nothing to take a share of)."""
    if headline["good_provider"] is None:   # no graded placement (a protected count of 0): no share to give
        return "no grades"
    return _fmt_pct(headline["good_provider"])


def headline_kpis(h: dict, scope_text: str) -> list[tuple[str, str, str]]:
    """The KPI cards (title, figure, what it is of) from the view's headline figures (`data.view`'s "headline")."""
    return [
        ("Children looked after", _fmt_count(h["children"]), scope_text),
        ("In foster care", _fmt_pct(h["foster"]), f"in-house {_fmt_pct(h['foster_inhouse'])}, agency or other {_fmt_pct(h['foster_agency'])}"),
        ("In children's homes", _fmt_pct(h["homes"]), "secure and other children's homes"),
        ("In supported accommodation", _fmt_pct(h["supported"]), "semi-independent or independent living"),
        ("Placed with parents", _fmt_pct(h["parents"]), f"other placements {_fmt_pct(h['other'])}"),
        ("Placed outside own LA", _fmt_pct(h["outside_la"]), "of all children (location not known counts as neither)"),
        ("More than 20 miles from home", _fmt_pct(h["over_20"]), f"distance not known for {_fmt_pct(h['distance_not_known'])}"),
        ("Median distance from home", "no children" if h["median_miles"] is None else
         (SUPPRESSED if h["median_miles"] == SUPPRESSED else f"{h['median_miles']:.1f} miles"), "where both postcodes are known"),
        ("Placed outside London", _fmt_pct(h["outside_london"]), "of all children"),
        ("Provider good or outstanding", _fmt_grade_share(h),
         f"of {_fmt_count(h['graded'])} placements with an Ofsted grade on that date"),
    ]


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
    takeaways: dict = field(default_factory=dict)   # chart -> one sentence saying what it shows
    banners: tuple[str, ...] = ()                   # LAs in the area without a return covering the date


def depends_on_caller(scope: loader.AccessScope, arguments: dict) -> bool:
    """The view is the caller's own only when it is their own LA alone: then its children are counted exactly
    (`data.is_restricted`) and its notes say so. Every other area is protected alike for every commissioner; the tile
    map's focus is the chosen area, not the caller, and only an anonymised view (per caller anyway) uses the viewer."""
    return not data.is_restricted(arguments["filters"].area, scope)


@loader.view_cache(data.NAME, data.PUBLISHED_NAME, "reference", check=data.check_scope,
                   depends_on_caller=depends_on_caller)
def build_view(filters: Filters, scope: loader.AccessScope, tile_mode: str = "selected", flow_mode: str = "location", *,
               anonymise_with: str | None = None) -> SufficiencyView:
    """Everything the page shows for the filters. The finished view (figures included) is cached per dataset
    version and who may see it (`depends_on_caller`); commissioners and admins only, checked before the cache is read.
    `anonymise_with` (the app's secret) replaces every LA name but the viewer's own with its stable label."""
    las = las_for(scope, anonymise_with)
    agg = _relabel(data.view(scope, filters.area, filters.as_at, filters.selection_fields()), las, bool(anonymise_with))
    h = agg["headline"]
    area_name = area_label(filters.area, las)
    at_label = filters.as_at.strftime("%-d %B %Y")
    kpis = headline_kpis(h, f"{area_name}, {at_label}; {_selection_text(filters)}")
    focus = focus_codes(filters.area, las)
    tiles = agg["tiles"] if tile_mode != "others" else agg["tiles_others"]
    tile_what = "placed in London by the selected LAs" if tile_mode != "others" else "placed by other LAs"
    flow_table = agg["flows_location"] if flow_mode != "provider" else agg["flows_provider"]
    flow_categories = list(m.LOCATIONS) if flow_mode != "provider" else list(m.PROVIDER_GROUPS)
    provider_colours = dict(zip(m.PROVIDER_GROUPS, ["#0072B2", "#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#7F7F7F"]))
    figs = {
        "tiles": figures.tile_map(tiles, focus if tile_mode != "others" else set(), tile_what,
                                  anonymised=bool(anonymise_with), viewer=scope.la_code),
        "distance": figures.bar_chart(agg["distance"], "Distance from home"),
        "regions": figures.bar_chart(agg["outside_regions"], "Region", empty_message="No children placed outside London with these filters."),
        "grades": figures.bar_chart(agg["grades"], "Ofsted grade of provider"),
        "mix": figures.bar_chart(agg["placement_mix"], "Placement type", colours=figures.GROUP_COLOURS),
        "flows": figures.sankey(flow_table, flow_categories, figures.LOCATION_COLOURS if flow_mode != "provider" else provider_colours),
        "trend": figures.trend_figure(agg["trend"], list(PLACEMENT_GROUPS)),
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
    info = loader.dataset_info(data.NAME)
    tables = {name: agg[name] for name in TABLES if name in agg}
    takeaways = {
        "tiles": tiles_takeaway(tiles, area_name, tile_mode),
        "mix": mix_takeaway(agg["placement_mix"], area_name, at_label),
        "distance": distance_takeaway(h, area_name),
        "regions": regions_takeaway(agg["outside_regions"], area_name),
        "grades": grades_takeaway(h, area_name),
        "flows": flows_takeaway(flow_table, flow_categories, area_name),
        "trend": trend_takeaway(agg["trend"], area_name),
        "starts": starts_takeaway(agg["starts_ends"], area_name),
        "stability": stability_takeaway(agg["stability"], area_name),
    }
    figs = {chart: _plain(figure) for chart, figure in figs.items()}
    coverage = area_coverage(filters.area, filters.as_at, data.options(scope)["returned_to"], las,
                               anonymised=bool(anonymise_with))
    if coverage.none:   # no figures for the area's children: said in words, never drawn as 0
        kpis = [(title, NO_RETURN, scope_text) for title, _value, _of in kpis]
        said = coverage.reason
        own = [chart for chart in figs if not (chart == "tiles" and tile_mode == "others")]
        figs.update({chart: plain_empty_figure(said) for chart in own})
        takeaways.update({chart: said for chart in own})
    return SufficiencyView(area_name=area_name, as_at_label=at_label, selection_text=_selection_text(filters),
                           is_demo=info["is_demo"], restricted=agg["restricted"], kpis=kpis, figures=figs, titles=titles,
                           tables=tables, notes=notes(filters, agg["restricted"], info["is_demo"], area_name, at_label,
                                                      anonymised=bool(anonymise_with)),
                           takeaways=takeaways, banners=coverage.banners)


def notes(filters: Filters, restricted: bool, is_demo: bool, area_name: str, at_label: str, *,
          anonymised: bool = False) -> list[tuple[str, str]]:
    anonymous = [("Anonymised", "LA names other than the viewer's own are replaced by stable labels (LA 1 to LA 33); "
                                "the tile map is then in label order, since a tile's place on the map would name it.")]
    return [
        ("Children counted", f"Children looked after by {area_name} at the end of {at_label} ({_selection_text(filters)}). "
         "A child whose episode ends on the date has left care that day and is not counted, as in DfE's figures at 31 March."),
        ("Placement type", "From the SSDA903 placement code: foster care (U1-U6) is in-house when the LA's own provision "
         "(PR1), otherwise agency or other; children's homes K1, K2, R1; supported accommodation H5, P2; placed with "
         "parents P1; other covers placed for adoption, residential schools, health, custody and other placements."),
        ("Distance and location", "Distance is the straight-line distance in miles between the home and placement "
         "postcodes, from their eastings and northings in the ONS Postcode Directory, as the DfE derives it (worked out "
         "when the return is loaded; only the postcode sectors are kept). Not known when either postcode is missing. "
         "Inside own LA: the placement postcode lies in the looking-after LA."),
        ("Ofsted grade", "The provider's latest overall effectiveness judgement on or before the date. Placements without "
         "an Ofsted URN (most foster carers and parents) are not graded; providers not yet inspected are shown as such."),
        ("Stability", "Children looked after at 31 March who had 3 or more placements during the year (a change of legal "
         "status alone is not a new placement), as DfE defines it."),
        ("Privacy", SUPPRESSION_TEXT if restricted else
         "You are viewing your own LA's children, so counts are exact. They are still aggregates: no child's "
         "record, date of birth or postcode leaves the server. Any view with other LAs' children is protected: "
         + SUPPRESSION_TEXT),
        ("Source", "Demo data: synthetic child-level episodes shaped like the SSDA903 return, not any LA's real records."
         if is_demo else "LAs' SSDA903 returns (children looked after), loaded by members."),
    ] + (anonymous if anonymised else [])


def backtest_sentence(summary: dict, area: str) -> str:
    """The back-test in plain words: how far out each forecast was on average, and whether the model beat the two
    simple forecasts (saying so plainly when it did not)."""
    if not summary.get("available"):
        return ("There is not yet a year of data after a full reference period, so the model cannot be tested on "
                f"{area}'s own history.")
    years = summary["years"]
    text = (f"Tested on {years} year{'s' if years != 1 else ''} of {area}'s own history (each forecast made a year ahead "
            f"from a 31 March, with only the data before it): on average the model was {_fmt_pct(summary['model'])} "
            f"out, \"no change\" {_fmt_pct(summary['no_change'])} and the trend {_fmt_pct(summary['trend'])}. ")
    if summary["best"] == "the model":
        return text + (f"The model was the closest on average, and beat both in {summary['beat_both']} of {years} "
                       f"year{'s' if years != 1 else ''}.")
    return text + (f"The model did not beat {summary['best']} here: for {area}, {summary['best']} was as good a "
                   f"forecast of the total over the last {years} year{'s' if years != 1 else ''}. The model's value is "
                   "in the split by age and placement type and in testing scenarios, not a better total.")


def _plain(figure):
    """A figure as the plain dict Dash sends: a cached view is then read back without plotly validating it again."""
    return figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure


FORECAST_FIELDS = ("sex", "ethnicity", "uasc")   # the filters the forecast uses; the others do not change it


def _model_fields(filters: Filters) -> tuple[tuple[str, str], ...]:
    return tuple((name, filters.selection_fields()[name]) for name in FORECAST_FIELDS)


def _forecast_depends_on_caller(scope: loader.AccessScope, arguments: dict) -> bool:
    """As `data.forecast`: the caller's own LA alone is counted exactly, so only that LA may share it."""
    return not data.is_restricted(arguments["area"], scope)


def build_forecast(filters: Filters, params: ForecastParams, scope: loader.AccessScope, *,
                   anonymise_with: str | None = None) -> dict:
    """The forecast charts (by placement type and by age band), cost chart, back-test text and the model's rates.
    Cached by what the forecast depends on alone (area, the model's filters, its settings): a change of date, age band
    or placement type finds it built."""
    return _forecast_view(filters.area, _model_fields(filters), params, scope, anonymise_with=anonymise_with)


@loader.view_cache(data.NAME, "reference", check=data.check_scope, depends_on_caller=_forecast_depends_on_caller)
def _forecast_view(area: str, model_fields: tuple, params: ForecastParams, scope: loader.AccessScope, *,
                   anonymise_with: str | None = None) -> dict:
    las = las_for(scope, anonymise_with)
    scenario = params.scenario
    result = data.forecast(scope, area, dict(model_fields), params.ref_from, params.ref_to, params.horizon, params.costs,
                           scenario=scenario.model_args, inflation=scenario.inflation)
    groups = list(PLACEMENT_GROUPS)
    area_name = area_label(area, las)
    ref_start, ref_end = result["reference"]
    costs_said = ("illustrative default unit costs" if not params.changed_costs else
                  f"unit costs as entered ({len(params.changed_costs)} of {len(groups)} changed from the defaults)")
    if scenario.inflation:
        costs_said += f", rising {scenario.inflation:g}% a year"
    span = f"{params.horizon} year{'s' if params.horizon > 1 else ''} from {result['jump']:%-d %B %Y}"
    coverage = area_coverage(area, pd.Timestamp(result["jump"]), data.options(scope)["returned_to"], las,
                               anonymised=bool(anonymise_with))
    view = {
        "title": f"Forecast children looked after by placement type, {area_name}, {span}",
        "figure": _plain(figures.forecast_figure(result["history"], result["forecast"], groups)),
        "takeaway": forecast_takeaway(result["forecast"], result["history"], area_name),
        "age_title": f"Forecast children looked after by age band, {area_name}, {span}",
        "age_figure": _plain(figures.forecast_figure(result["history_by_age"], result["forecast_by_age"], list(m.AGE_BANDS),
                                                     column="Age band", colours=figures.AGE_COLOURS)),
        "age_takeaway": age_takeaway(result["forecast_by_age"], result["left_at_18"], area_name),
        "cost_title": f"Forecast weekly cost of placements, {area_name} ({costs_said})",
        "cost_figure": _plain(figures.cost_figure(result["costs"]) if params.costs_ok else figures.empty_figure(
            "Not drawn: a weekly cost typed above is refused (see the message above).")),
        "cost_takeaway": cost_takeaway(result["costs"]) if params.costs_ok else
            "The weekly cost is not drawn until every cost typed above is a number of pounds, 0 or more.",
        "scenario_text": f"Scenario: {scenario.describe()}.",
        "problems": list(params.problems),
        "backtest_text": backtest_sentence(result["summary"], area_name),
        "backtest": result["backtest"],
        "model_text": (
            f"Reference period {ref_start:%-d %B %Y} to {ref_end:%-d %B %Y} ({result['months_in_reference']:.0f} months). "
            "Each month, children start care at the reference period's average rate for their age band and first "
            "placement type; each child stays, moves to another placement type or leaves care at the rates seen in the "
            "reference period for their age (leaving by year of age, moves by age band); every child gets a month "
            "older, moving up an age band on reaching it, and leaves care the month they turn 18. The band is the 10th "
            "to 90th percentile of 300 simulations that include both chance and the uncertainty in the rates. The "
            "model uses the area and the children's sex, ethnicity and UASC status; other filters do not apply to it."),
        "tables": {name: result[name] for name in FORECAST_TABLES},
        "restricted": result["restricted"],
    }
    if coverage.none:   # nothing to fit: said in words, never a forecast of 0 children
        said = coverage.reason + " There is nothing to forecast from."
        view.update({"figure": plain_empty_figure(said), "age_figure": plain_empty_figure(said),
                     "cost_figure": plain_empty_figure(said), "takeaway": said, "age_takeaway": said,
                     "cost_takeaway": said, "backtest_text": said,
                     "backtest": result["backtest"].iloc[0:0]})
    elif coverage.banners:
        view["model_text"] = coverage.banners[0] + " " + view["model_text"]
    return view


def forecast_query(params: ForecastParams) -> dict:
    """The forecast's settings as the address bar holds them (what a saved scenario keeps)."""
    return {"ref_from": params.ref_from, "ref_to": params.ref_to, "horizon": params.horizon,
            **{COST_QUERY[g]: params.costs[g] for g in PLACEMENT_GROUPS}, **params.scenario.query()}


def params_from_saved(settings: dict, options: dict) -> ForecastParams:
    return resolve_forecast(settings.get("ref_from"), settings.get("ref_to"), settings.get("horizon"),
                            {g: settings.get(COST_QUERY[g]) for g in PLACEMENT_GROUPS}, options, settings)


CURRENT, AS_FITTED = "current", "fitted"
WEEKS_A_MONTH = 365.25 / 7 / 12


def comparison_choices(saved: pd.DataFrame) -> list[dict]:
    return ([{"label": "The settings above", "value": CURRENT},
             {"label": "The model as fitted (no changes, the costs above)", "value": AS_FITTED}]
            + [{"label": f"Saved: {name}", "value": f"saved:{name}"} for name in saved["name"]])


def compare_scenarios(filters: Filters, scope: loader.AccessScope, chosen: list[tuple[str, ForecastParams]]) -> tuple[pd.DataFrame, str]:
    """Two scenarios side by side: children at 6 and 12 months and at the end, by placement type and age band at the
    end, and the weekly and total cost; with the difference and a sentence. Cached by what it depends on alone."""
    return cached_comparison(*comparison_arguments(filters, scope, chosen))


def comparison_arguments(filters: Filters, scope: loader.AccessScope, chosen) -> tuple:
    """What the cached comparison is built from (warming builds the page's opening one)."""
    return filters.area, _model_fields(filters), tuple(chosen), scope


def as_fitted(params: ForecastParams) -> ForecastParams:
    """The model as fitted: these settings' reference period, horizon and costs, with no scenario changes."""
    return ForecastParams(params.ref_from, params.ref_to, params.horizon, params.costs, Scenario(),
                          tuple(x for x in params.problems if x.startswith("Weekly cost")), params.changed_costs)


def opening_comparison(params: ForecastParams) -> list[tuple[str, ForecastParams]]:
    """What the page compares when opened: the model as fitted with the settings above."""
    return [("As fitted", as_fitted(params)), ("Settings above", params)]


@loader.view_cache(data.NAME, "reference", check=data.check_scope, depends_on_caller=_forecast_depends_on_caller)
def cached_comparison(area: str, model_fields: tuple, chosen: tuple, scope: loader.AccessScope) -> tuple[pd.DataFrame, str]:
    options = data.options(scope)
    coverage = area_coverage(area, options["last"], options["returned_to"], loader.local_authorities())
    if coverage.none and not coverage.ended:   # no LA of the area has sent any return
        return pd.DataFrame(columns=["Measure", "Difference"]), coverage.reason + " There is nothing to forecast from."
    fixed = dict(model_fields)
    columns = {}
    for label, params in chosen:
        r = data.expected_forecast(scope, area, fixed, params.ref_from, params.ref_to, params.horizon, params.costs,
                                   scenario=params.scenario.model_args, inflation=params.scenario.inflation)
        by_group, by_age, costs = r["forecast"], r["forecast_by_age"], r["costs"]
        total = by_group[by_group["Placement type"] == "All placement types"].reset_index(drop=True)
        end = by_group["Month"].max()
        values = {"Reference years": f"to March {params.ref_from}-{params.ref_to}",
                  "Scenario": params.scenario.describe(), "Forecast to": f"{pd.Timestamp(end):%B %Y}"}
        for months in (6, 12):
            values[f"Children in {months} months"] = _shown(total["Expected"].iloc[months - 1]) if len(total) >= months else None
        values["Children at the end"] = _shown(total["Expected"].iloc[-1])
        for g in PLACEMENT_GROUPS:
            values[f"At the end: {g}"] = _shown(by_group[(by_group["Month"] == end) & (by_group["Placement type"] == g)]["Expected"].iloc[0])
        for b in m.AGE_BANDS:
            values[f"At the end: aged {b.lower()}"] = _shown(by_age[(by_age["Month"] == end) & (by_age["Age band"] == b)]["Expected"].iloc[0])
        values["Weekly cost at the end (£)"] = _shown(costs["Expected"].iloc[-1]) if params.costs_ok else None
        total_cost = complete_sum(costs["Expected"]) if params.costs_ok else None
        values["Cost over the forecast (£)"] = None if total_cost is None else round(total_cost * WEEKS_A_MONTH, -3)
        columns[label] = values
    (a, va), (b, vb) = list(columns.items())
    rows = []
    for measure in va:
        x, y = va[measure], vb.get(measure)
        diff = (y - x) if isinstance(x, (int, float)) and isinstance(y, (int, float)) else None
        rows.append({"Measure": measure, a: x, b: y, "Difference": diff})
    table = pd.DataFrame(rows, columns=["Measure", a, b, "Difference"])
    end_a, end_b = va["Children at the end"], vb["Children at the end"]
    cost_a, cost_b = va["Cost over the forecast (£)"], vb["Cost over the forecast (£)"]
    if end_a is None or end_b is None:
        return table, "One of the forecasts is hidden (it rests on 1 to 5 children), so they are not compared."
    if end_a == end_b and cost_a == cost_b:
        return table, f"{a} and {b} give the same forecast: {end_a:,.0f} children looked after by the end."
    text = (f"By the end, {b} has {abs(end_b - end_a):,.0f} {'more' if end_b >= end_a else 'fewer'} children looked after "
            f"than {a} ({end_b:,.0f} against {end_a:,.0f})")
    if cost_a is not None and cost_b is not None:
        text += (f", and costs £{abs(cost_b - cost_a):,.0f} {'more' if cost_b >= cost_a else 'less'} over the forecast "
                 f"(£{cost_b:,.0f} against £{cost_a:,.0f})")
    return table, text + "."


def complete_sum(values: pd.Series) -> float | None:
    """The sum of every value, or None when any is hidden ("c") or missing: a month left out is not a month of 0."""
    numbers = pd.to_numeric(values, errors="coerce")
    return None if numbers.isna().any() else float(numbers.sum())


def table_for(filters: Filters, params: ForecastParams, scope: loader.AccessScope, which: str, *,
              anonymise_with: str | None = None) -> tuple[pd.DataFrame, str]:
    """The aggregate table the user picked (same rows as the charts), and its title."""
    which = which if which in TABLES else FIRST_TABLE
    las = las_for(scope, anonymise_with)
    if which == "published":
        table = data.published_comparison(scope, filters.area)["table"]
    elif which in FORECAST_TABLES:
        table = build_forecast(filters, params, scope)["tables"][which]
    else:
        table = _relabel(data.view(scope, filters.area, filters.as_at, filters.selection_fields()), las,
                         bool(anonymise_with))[which]
    if "la_code" in table.columns:
        table = table.drop(columns=["la_code"])
    return table.reset_index(drop=True), table_title(filters, which, area_label(filters.area, las))


def table_title(filters: Filters, which: str, area_name: str) -> str:
    """A table's title: what it holds, for which area, and on which date where it is of one date."""
    title = f"{TABLES[which]}: {area_name}"
    if which not in ("trend", "starts_ends", "stability", "published") and which not in FORECAST_TABLES:
        title += f", {filters.as_at:%-d %B %Y}"
    return title


def _latest_year(table: pd.DataFrame) -> str:
    return str(table["Year (31 March)"].max()) if len(table) else "(none imported)"


def build_published(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> dict:
    """DfE's published figures for the area (LA or London) beside the tool's count on the same definition."""
    las = las_for(scope, anonymise_with)
    result = data.published_comparison(scope, filters.area)
    info = loader.dataset_info(data.NAME)
    caveat = ("The tool's figures here come from demo data, so they will not match: the published figures are real."
              if info["is_demo"] else "Differences point to records to check: late changes, missing postcodes, or a different extract date.")
    return {"title": f"Published DfE figures beside this tool's: {area_label(filters.area, las)}",
            "text": result["reason"] if not result["available"] else
            ("DfE's published counts of children looked after at 31 March (DfE, Children looked after in England including "
             f"adoptions, release with figures to 31 March {_latest_year(result['table'])}; c = suppressed by DfE, "
             "k = under 0.5%, z = not applicable), for all children, beside the same "
             "count from the child-level data stored here. " + caveat),
            "table": result["table"]}


# --- presenting: what each chart shows, images and slides ------------------------------------------------------------
# Every sentence is built from the same (already suppressed) tables the charts draw: a hidden count stays hidden,
# and a figure that cannot be given is said to be hidden or missing, never read as 0.

# How each flow category reads in a sentence ("the largest group is ...").
FLOW_PHRASES = {
    "Inside own LA": "living inside their own LA", "Elsewhere in own sub-region": "living elsewhere in their own sub-region",
    "Elsewhere in London": "living elsewhere in London", "Outside London": "living outside London",
    "Location not known": "living where the location is not known", "LA's own provision": "in the LA's own provision",
    "Other LA or public provision": "in another LA's or public provision", "Private provision": "in private provision",
    "Voluntary or third sector": "with voluntary or third-sector providers", "Parents": "with parents",
    "Provider not recorded": "with no provider recorded",
}


def _by(area: str) -> str:
    """The looking-after area as the subject of a sentence."""
    return "London's LAs" if area == "All London" else area


def _whose(area: str) -> str:
    return "London's" if area == "All London" else f"{area}'s"


def _shown(value) -> float | None:
    """A count or share as a number, or None where it is hidden ("c") or missing."""
    if value is None or isinstance(value, str):
        return None
    value = float(value)
    return None if value != value else value


def _body(table: pd.DataFrame, label: str) -> pd.DataFrame:
    return table[table[label] != "Total"]


def _total(table: pd.DataFrame, label: str, column: str = "Children"):
    rows = table[table[label] == "Total"]
    return rows[column].iloc[0] if len(rows) else None


def _largest(table: pd.DataFrame, label: str, column: str = "Children") -> tuple[str, float] | None:
    shown = [(name, _shown(v)) for name, v in zip(table[label], table[column])]
    shown = [(name, v) for name, v in shown if v]
    return max(shown, key=lambda item: item[1]) if shown else None


def _hidden_note(table: pd.DataFrame, column: str = "Children") -> str:
    n = int((table[column] == SUPPRESSED).sum())
    return "" if not n else f" {n} {'group has' if n == 1 else 'groups have'} 1 to 5 children, hidden (c)."


def mix_takeaway(table: pd.DataFrame, area: str, at_label: str) -> str:
    label = table.columns[0]
    total = _total(table, label)
    if total == SUPPRESSED:
        return f"{_by(area)} looked after 1 to 5 children with these filters on {at_label}: the figures are hidden (c)."
    if not _shown(total):
        return f"No children looked after by {_by(area)} match these filters on {at_label}."
    body = _body(table, label)
    top = _largest(body, label)
    share = body.set_index(label)["%"].get(top[0]) if top else None
    largest = f"; the largest group, {share:.1f}%, are in {top[0].lower()}" if top and _shown(share) else ""
    return f"{_by(area)} looked after {int(total):,} children on {at_label}{largest}.{_hidden_note(body)}"


def _pct(value) -> str:
    return f"{value:.1f}%"


def distance_takeaway(headline: dict, area: str) -> str:
    if not _shown(headline["children"]) and headline["children"] != SUPPRESSED:
        return f"No children looked after by {_by(area)} match these filters."
    over, median = headline["over_20"], headline["median_miles"]
    over_text = (f"{_pct(over)} of the children looked after by {_by(area)} live more than 20 miles from home" if _shown(over) is not None
                 else f"The share of {_whose(area)} children living more than 20 miles from home is hidden (it rests on 1 to 5 children)"
                 if over == SUPPRESSED else f"No distance is known for {_whose(area)} children")
    median_text = (f"; the median distance is {median:.1f} miles where both postcodes are known" if _shown(median) is not None
                   else "; the median distance is hidden (1 to 5 children)" if median == SUPPRESSED else "")
    return f"{over_text}{median_text}."


def regions_takeaway(table: pd.DataFrame, area: str) -> str:
    total = _total(table, "Region") if len(table) else None
    if total == SUPPRESSED:
        return f"1 to 5 children looked after by {_by(area)} are placed outside London: the figures are hidden (c)."
    if not _shown(total):
        return f"None of the children looked after by {_by(area)} with these filters is placed outside London."
    body = _body(table, "Region")
    top = _largest(body, "Region")
    most = f", most in {top[0]} ({int(top[1]):,})" if top else ""
    return f"{int(total):,} children looked after by {_by(area)} are placed outside London{most}.{_hidden_note(body)}"


def grades_takeaway(headline: dict, area: str) -> str:
    graded, good = headline["graded"], headline["good_provider"]
    if graded == SUPPRESSED:
        return f"1 to 5 of {_whose(area)} placements are with an Ofsted-graded provider: the share is hidden (c)."
    if not _shown(graded):
        return f"None of {_whose(area)} placements is with a provider holding an Ofsted grade on the date."
    if good == SUPPRESSED:
        return f"{int(graded):,} of {_whose(area)} placements are with an Ofsted-graded provider; the share good or outstanding is hidden (c)."
    return f"{_pct(good)} of the {int(graded):,} placements of {_whose(area)} children with an Ofsted-graded provider are good or outstanding."


def tiles_takeaway(tiles: pd.DataFrame, area: str, mode: str) -> str:
    body = tiles[tiles["la_code"].notna()]
    ranked = sorted(((name, v) for name, v in zip(body["LA"], [_shown(c) for c in body["Children"]]) if v),
                    key=lambda item: -item[1])
    hidden = int((body["Children"] == SUPPRESSED).sum())
    hidden_text = f" {hidden} LA{'s have' if hidden != 1 else ' has'} 1 to 5 children, hidden (c)." if hidden else ""
    who = f"{_whose(area)} looked-after children living in London" if mode != "others" else "children placed by other LAs"
    if not ranked:
        return (f"No London LA has more than 5 of {who}.{hidden_text}" if hidden else
                f"There are no {who} with these filters.")
    top = f"{ranked[0][0]} ({int(ranked[0][1]):,})" + (f", then {ranked[1][0]} ({int(ranked[1][1]):,})" if len(ranked) > 1 else "")
    return f"Of {who}, the most live in {top}.{hidden_text}"


def flows_takeaway(flows: pd.DataFrame, categories: list[str], area: str) -> str:
    totals = flows[flows["From"] == "Total"]
    if totals.empty:
        return f"No children looked after by {_by(area)} match these filters."
    row = totals.iloc[0]
    total = _shown(row["Total"])
    if row["Total"] == SUPPRESSED:
        return f"1 to 5 children looked after by {_by(area)} match these filters: the flows are hidden (c)."
    if not total:
        return f"No children looked after by {_by(area)} match these filters."
    shown = [(c, _shown(row[c])) for c in categories if _shown(row[c])]
    if not shown:
        return f"Every flow of {_whose(area)} children is 1 to 5 children, so all are hidden (c)."
    top, n = max(shown, key=lambda item: item[1])
    hidden = [c for c in categories if row[c] == SUPPRESSED]
    return (f"Of {int(total):,} children looked after by {_by(area)}, the largest group ({_pct(100 * n / total)}) is "
            f"{FLOW_PHRASES.get(top, top)}." + (f" Counts of 1 to 5 are hidden (c) for: {', '.join(hidden)}." if hidden else ""))


def trend_takeaway(trend: pd.DataFrame, area: str) -> str:
    if trend.empty:
        return f"No quarters to show for {area}."
    last = trend.iloc[-1]
    when = pd.Timestamp(last["Quarter end"]).strftime("%-d %B %Y")
    now = _shown(last["Total"])
    if now is None:
        return f"{_by(area)} looked after 1 to 5 children on {when} with these filters: the figures are hidden (c)."
    text = f"{_by(area)} looked after {int(now):,} children on {when}"
    before = _shown(trend.iloc[-5]["Total"]) if len(trend) >= 5 else None
    if before:
        change = now - before
        text += (f", {'up' if change > 0 else 'down'} {abs(int(change)):,} ({abs(change) / before * 100:.1f}%) on a year before"
                 if change else ", the same as a year before")
    elif len(trend) >= 5:
        text += "; the figure a year before is hidden (c)"
    return text + "."


def starts_takeaway(table: pd.DataFrame, area: str) -> str:
    if table.empty:
        return f"No months to show for {area}."
    last12 = table.tail(12)
    month = pd.Period(last12["Month"].iloc[-1], freq="M").strftime("%B %Y")
    if (last12[["Started", "Ceased"]] == SUPPRESSED).any().any():
        return (f"In the 12 months to {month}, some months had 1 to 5 children starting or ceasing to be looked after "
                f"by {_by(area)} (hidden, c), so no 12-month total is given.")
    started, ceased = int(sum(map(_shown, last12["Started"]))), int(sum(map(_shown, last12["Ceased"])))
    return f"In the 12 months to {month}, {started:,} children started and {ceased:,} ceased to be looked after by {_by(area)}."


def stability_takeaway(table: pd.DataFrame, area: str) -> str:
    if table.empty:
        return f"No full year to 31 March to show for {area}."
    last = table.iloc[-1]
    year = last["Year to"][:4]
    pct, three, n = _shown(last["%"]), last["3 or more placements"], last["Looked after at 31 March"]
    if pct is None:
        return (f"The share of {_whose(area)} children with 3 or more placements in the year to 31 March {year} is hidden "
                "(it rests on 1 to 5 children)." if last["%"] == SUPPRESSED else
                f"No children were looked after by {_by(area)} at 31 March {year} with these filters.")
    text = f"{_pct(pct)} of the children looked after by {_by(area)} at 31 March {year} had 3 or more placements in the year"
    if _shown(three) is not None and _shown(n) is not None:
        text += f" ({int(three):,} of {int(n):,})"
    previous = _shown(table.iloc[-2]["%"]) if len(table) > 1 else None
    if previous is not None:
        text += f", against {_pct(previous)} a year before"
    return text + "."


def forecast_takeaway(forecast: pd.DataFrame, history: pd.DataFrame, area: str) -> str:
    total = forecast[forecast["Placement type"] == "All placement types"] if not forecast.empty else forecast
    if total.empty:
        return f"Not enough data to fit the model for {area} with this choice."
    end = total.iloc[-1]
    month = pd.Timestamp(end["Month"]).strftime("%B %Y")
    expected, low, high = (_shown(end[c]) for c in ("Expected", "Low (10th percentile)", "High (90th percentile)"))
    if expected is None:
        return f"The forecast for {area} by {month} rests on 1 to 5 children and is hidden (c)."
    band = f" (80% band {low:,.0f} to {high:,.0f})" if low is not None and high is not None else ""
    latest = history[history["Month"] == history["Month"].max()] if not history.empty else history
    counts = [_shown(v) for v in latest["Children"]] if len(latest) else []
    now = (f", against {int(sum(counts)):,} on {pd.Timestamp(latest['Month'].iloc[0]):%-d %B %Y}"
           if counts and all(v is not None for v in counts) else "")
    return f"The model expects {_by(area)} to look after about {expected:,.0f} children by {month}{band}{now}."


def age_takeaway(forecast: pd.DataFrame, left_at_18: float, area: str) -> str:
    """The age band expected to grow or shrink the most, and how many children the model sees turning 18."""
    if forecast.empty:
        return f"Not enough data to fit the model for {area} with this choice."
    first_month, last_month = forecast["Month"].min(), forecast["Month"].max()
    bands = forecast[forecast["Age band"] != "All ages"]
    start = bands[bands["Month"] == first_month].set_index("Age band")["Expected"]
    end = bands[bands["Month"] == last_month].set_index("Age band")["Expected"]
    change = (end - start).sort_values()
    month = pd.Timestamp(last_month).strftime("%B %Y")
    biggest = change.index[-1] if abs(change.iloc[-1]) >= abs(change.iloc[0]) else change.index[0]
    return (f"By {month} the largest change is in children aged {biggest.lower()}: about {end[biggest]:,.0f}, "
            f"{'up' if change[biggest] >= 0 else 'down'} {abs(change[biggest]):,.0f} from the first month. The model "
            f"expects about {left_at_18:,.0f} children to turn 18 in care and leave over the forecast.")


def cost_takeaway(costs: pd.DataFrame) -> str:
    values = costs[["Expected", "Low (10th percentile)", "High (90th percentile)"]] if not costs.empty else costs
    if costs.empty or _shown(costs["Expected"].iloc[-1]) is None:
        return "No weekly cost to show: no unit costs, or the figures are hidden."
    end = values.iloc[-1]
    month = pd.Timestamp(costs["Month"].iloc[-1]).strftime("%B %Y")
    return (f"At these unit costs, the expected weekly cost of placements in {month} is £{end['Expected']:,.0f} "
            f"(80% band £{end['Low (10th percentile)']:,.0f} to £{end['High (90th percentile)']:,.0f}).")


CHARTS = ("tiles", "mix", "distance", "regions", "grades", "flows", "trend", "starts", "stability", "forecast", "forecast_age",
          "cost")
FORECAST_CHARTS = {"forecast": "", "forecast_age": "age_", "cost": "cost_"}   # chart -> its keys' prefix in build_forecast


def presentation(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    """The page's charts, tables and notes as its downloads, images and slides take them (rebuilt on the server). Each is
    made when asked for: a table's file reads that table alone, a forecast chart's image the forecast alone."""
    filters, params = selection.filters, selection.forecast
    las = las_for(scope, anonymise_with)
    area_name, at_label = area_label(filters.area, las), f"{filters.as_at:%-d %B %Y}"
    restricted, is_demo = data.is_restricted(filters.area, scope), loader.dataset_info(data.NAME)["is_demo"]
    page_notes = notes(filters, restricted, is_demo, area_name, at_label, anonymised=bool(anonymise_with))
    source = f"Source: {dict(page_notes)['Source']}" + (PROTECTED_SOURCE_NOTE if restricted else "")

    @functools.cache
    def view() -> SufficiencyView:
        return build_view(filters, scope, selection.tile_mode, selection.flow_mode, anonymise_with=anonymise_with)

    @functools.cache
    def forecast() -> dict:
        return build_forecast(filters, params, scope, anonymise_with=anonymise_with)

    def slide(chart: str) -> Slide:
        if chart in FORECAST_CHARTS:
            key = FORECAST_CHARTS[chart]
            return Slide(forecast()[f"{key}title"], forecast()[f"{key}takeaway"], forecast()[f"{key}figure"], source)
        return Slide(view().titles[chart], view().takeaways[chart], view().figures[chart], source)

    def file_table(which: str) -> pd.DataFrame:
        table, _title = table_for(filters, params, scope, which, anonymise_with=anonymise_with)
        return table.astype(object).where(table.notna(), "")

    date = filters.as_at.date().isoformat()
    # An anonymised file's name carries the area's label, not its ONS code.
    area = filters.area if not anonymise_with or not filters.area.startswith("la:") else area_name.replace(" ", "")
    return Presentation(
        kpis=lambda: view().kpis,   # made only for the deck
        charts=Lazy(CHARTS, slide),
        tables=Lazy(TABLES, file_table),
        notes=page_notes,
        subtitle=(f"Looked after by {area_name}, {at_label}; {_selection_text(filters)}. Forecast: reference years "
                  f"to March {params.ref_from}-{params.ref_to}, {params.horizon} year{'s' if params.horizon > 1 else ''} ahead."
                  + (PROTECTED_SOURCE_NOTE if restricted else "") + (" Demo data." if is_demo else "")),
        stem=f"sufficiency_{date}",
        table_stems={which: f"sufficiency_{which}_{area.replace(':', '-')}_{date}" for which in TABLES},
        table_notes={which: [("Table", table_title(filters, which, area_name)), *page_notes] for which in TABLES})
