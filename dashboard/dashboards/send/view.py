"""The SEND page's logic: filters in, everything the page shows out.

The page's callbacks are thin adapters over `resolve_filters`, `build_view` and `presentation`;
the arithmetic lives in `dashboard.dashboards.send.metrics`, the charts in `dashboard.dashboards.send.figures`.
"""
from __future__ import annotations

import copy
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dashboard import disclosure, loader
from dashboard.dashboards.send.data import DEMO, NEEDS, PLACEMENTS
from dashboard.dashboards.send import figures
from dashboard.dashboards.send import data as send_loader
from dashboard.dashboards.send import metrics
from dashboard.disclosure import SUPPRESSED
from dashboard.presenting import Presentation, Slide, anonymise_las, label_order
from dashboard.sentences import ordinal, run_length

DEFAULT_INDICATOR = "timely_20wk_pct"
DEMO_TEXT = "demo data (synthetic, seeded)"   # how a source line names demo data
GROWTH_YEARS = 5
# The figures Ofsted's and the text quote: 38% of inspected London areas had outcome 1, against 26% in England.
QUOTED_SHARE_DATE = date(2024, 11, 20)
NOT_A_LEAGUE_TABLE = (
    "Not a league table. As in DfE's own SEND statistics, LAs are shown in order of the figure, not ranked "
    "on performance: LAs differ in size, need and how they record. Positions are given only among LAs with at "
    f"least {metrics.SMALL_BASE} cases behind a rate; the smallest LA, with a handful of children, is always "
    "shown but never ranked, because one child moves its rate by tens of points."
)
# The notes name it when LA names are shown.
NAMED_SMALLEST = "the smallest LA, with a handful of children"


@dataclass(frozen=True)
class Filters:
    focus: str
    indicator: str
    year: int
    grouping: str            # placement mix by "la" or "subregion"

    def query(self) -> dict:
        return {"focus": self.focus, "measure": self.indicator, "year": str(self.year), "by": self.grouping}


def indicator_options() -> list[dict]:
    return [{"label": metrics.INDICATORS[c].name, "value": c} for c in metrics.TREND_INDICATORS]


HEADLINE_MEASURES = ("plans_in_force", "timely_20wk", "population_0_17", "pupils_ehcp_pct")


def _la_years(values: pd.DataFrame) -> dict[str, set[int]]:
    """{measure: years with a figure for any London LA} (a few hundred rows: one pass costs less than pandas' selections)."""
    years: dict[str, set[int]] = {}
    for code, year, measure, value in zip(values["area_code"].tolist(), values["year"].tolist(), values["measure"].tolist(),
                                          values["value"].tolist()):
        if not pd.isna(value) and code.startswith("E09"):
            years.setdefault(measure, set()).add(int(year))
    return years


def available_years(values: pd.DataFrame) -> list[int]:
    """Years with any LA figure for a headline measure, oldest first."""
    years = _la_years(values)
    return sorted(set().union(*(years.get(m, set()) for m in HEADLINE_MEASURES)))


def latest_year(values: pd.DataFrame, indicator: metrics.Indicator) -> int | None:
    years = _la_years(values).get(indicator.numerator or indicator.code)
    return max(years) if years else None


def later_years_note(year: int, latest_loaded: int | None, today: date) -> str:
    """What the page says when it shows the last year loaded but the publishers have released later ones by now
    (SEN2 comes out each June for the January before): a reader must not take 2022 for the latest there is."""
    if latest_loaded is None or year != latest_loaded:
        return ""
    published_by_now = today.year if today.month >= 7 else today.year - 1
    if latest_loaded >= published_by_now:
        return ""
    return (f"{latest_loaded} is the latest year loaded for this measure. Later years are published (to "
            f"{published_by_now}) but not loaded here: an administrator imports the publisher's files with "
            "python -m dashboard import-published FOLDER.")


def resolve_filters(focus=None, indicator=None, year=None, grouping=None, *, user_la: str | None,
                    las: pd.DataFrame, values: pd.DataFrame) -> Filters:
    """Whatever arrived (URL query or dropdowns) made valid; anything unknown falls back to a default."""
    codes = set(las["la_code"])
    focus = focus if focus in codes else (user_la if user_la in codes else sorted(codes)[0])
    indicator = indicator if indicator in metrics.INDICATORS else DEFAULT_INDICATOR
    years = available_years(values)
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = None
    if year not in years:
        year = latest_year(values, metrics.INDICATORS[indicator]) or (years[-1] if years else date.today().year)
    grouping = grouping if grouping in ("la", "subregion") else "la"
    return Filters(focus, indicator, year, grouping)


@dataclass
class SendView:
    focus_name: str
    subregion_name: str
    indicator: metrics.Indicator
    year: int
    period_label: str
    year_note: str                      # said when the year shown is the last loaded and later ones are published
    is_demo: bool                       # the whole dataset is demo data
    demo_parts: list[str]               # sections shown with demo data
    kpis: list[tuple[str, str, str]]
    trend_figure: object
    ranking_figure: object
    placement_figure: object
    need_figure: object
    tile_figure: object
    share_figure: object
    la_table: pd.DataFrame
    trend_table: pd.DataFrame
    inspection_table: pd.DataFrame
    placement_table: pd.DataFrame
    n_with_figure: int
    share_text: str
    placement_is_demo: bool
    need_is_demo: bool
    focus: str = ""
    grouping: str = "la"
    anonymised: bool = False
    london_value: float = np.nan                # the measure for London and England in the year chosen
    england_value: float = np.nan
    ranking: pd.DataFrame | None = None         # every LA for the year (rank, flag), as the ranking chart
    placement_mix: pd.DataFrame | None = None   # counts, shares and hidden cells, as the placement chart
    need_mix: pd.DataFrame | None = None        # focus LA, sub-region, London, England
    placement_focus: str = ""                   # the area code the placement sentence is about
    latest_inspections: pd.DataFrame | None = None
    share_now: dict = field(default_factory=dict)
    inspections_demo: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)
    takeaways: dict[str, str] = field(default_factory=dict)    # chart -> one sentence saying what it shows
    # table -> a random token naming the shared part it came from (`_shared`): the same token, the same table, whatever
    # the focus LA, so the page lays out its grid once per token (tables "las", "placements", "inspections").
    kept_tables: dict = field(default_factory=dict)


def _is_demo(sources: dict[str, str], measures) -> bool:
    return any(DEMO in sources.get(m, DEMO) for m in measures)


def _fmt_pct(value) -> str:
    return "not published" if pd.isna(value) else f"{value:.0f}%"


def _share_sentence(share: dict, as_at: date | None) -> str:
    london, england = share["London"], share["England"]
    when = f"for reports published up to {as_at:%d %B %Y}" if as_at else "for all reports held"
    return (f"{when}: London {london['outcome_1']} of {london['inspected']} inspected areas with outcome 1 "
            f"({_fmt_pct(metrics.round_half_up(london['pct']))}); England {england['outcome_1']} of {england['inspected']} "
            f"({_fmt_pct(metrics.round_half_up(england['pct']))}).")


def _renamed(table: pd.DataFrame, code_column: str, name_column: str, names: dict[str, str], *,
             reorder: bool = False) -> pd.DataFrame:
    """`table` with each LA's name taken from `names` (by code): sub-regions, London and England keep theirs.
    With `reorder`, LA rows are put in label order (rows in code or name order would give the labels away);
    other rows keep their place after them."""
    out = table.copy()
    out[name_column] = [names.get(code, name) for code, name in zip(out[code_column], out[name_column])]
    if reorder:
        keys = [(0, label_order(name)) if code in names else (1, (i, ""))
                for i, (code, name) in enumerate(zip(out[code_column], out[name_column]))]
        out = out.iloc[sorted(range(len(out)), key=keys.__getitem__)].reset_index(drop=True)
    return out


@dataclass
class _Shared:
    """What a view shows that does not depend on the focus LA: every LA's, the sub-regions', London's and England's
    figures for the measure and year, the tables of all LAs, the mixes, the inspections and the notes. Built once per
    data version, secret, filters (measure, year, placements by) and naming; then each focus LA's part is applied."""
    las: pd.DataFrame
    names: dict
    anonymised: bool
    sources: dict
    info: dict
    series_by: dict
    at: dict
    london_plans: pd.Series
    latest: pd.DataFrame
    latest_position: dict      # LA code -> its row in `latest`
    la_position: dict          # LA code -> its row in `las`
    tile_latest: pd.DataFrame
    share_now: dict
    ranking: pd.DataFrame
    placement: pd.DataFrame
    needs: pd.DataFrame
    needs_sub: pd.DataFrame
    la_table: pd.DataFrame
    inspection_table: pd.DataFrame
    placement_table: pd.DataFrame
    share_text: str
    inspections_demo: bool
    period_label: str
    year_note: str
    n_with: int
    notes: list
    share_figure: dict
    token: str = ""              # names this shared part in this process (random: no key, secret or digest of one)
    versioned_token: str = ""    # and what it was built from (`_versioned`)


# Kept in this process per data version and secret (`loader.ProcessCache`), shared, not copied (a view copies what it
# changes): what depends on no filter per naming, and the focus-independent part per naming and filters, the latest
# used of each (a few hundred KB each).
_versioned_parts = loader.ProcessCache(send_loader.NAME, "reference", most=16)
_shared_parts = loader.ProcessCache(send_loader.NAME, "reference", most=64)


def _naming(scope: loader.AccessScope, anonymise_with: str | None) -> tuple | None:
    """How LAs are named in what is kept: None with every LA named; anonymised, the app's secret (a digest of it) and
    the viewer's LA, whose name is kept."""
    return (hashlib.sha256(anonymise_with.encode()).hexdigest(), scope.la_code) if anonymise_with else None


def _shared(filters: Filters, scope: loader.AccessScope, anonymise_with: str | None) -> tuple[_Shared, dict]:
    """The focus-independent part of the view (`_Shared`), kept in this process per data version, disclosure secret,
    naming, filters other than the focus and day (the note on later years depends on the date): a change of focus LA
    builds only its own part. What depends on no filter (`_versioned`) is kept once for every filter. With it, the key
    each shared table is known by (`SendView.kept_tables`)."""
    naming = _naming(scope, anonymise_with)

    def build():
        versioned = _versioned_parts.get_or_build(lambda: _versioned(scope, anonymise_with), part=naming)
        return _build_shared(filters, scope, anonymise_with, versioned)
    shared = _shared_parts.get_or_build(build, part=(naming, filters.indicator, filters.year, filters.grouping, date.today()))
    return shared, {"las": shared.token, "placements": shared.token, "inspections": shared.versioned_token}


def _versioned(scope: loader.AccessScope, anonymise_with: str | None) -> dict:
    """What the view shows that depends on the data and the naming alone: the LAs, every measure's figures by area and
    year, the inspections (latest per LA, the table, the outcome-1 shares and their history chart)."""
    real_las = loader.local_authorities()
    las = real_las
    if anonymise_with:   # and in label order, so no table lists the labels in the (public) order of codes or names
        las = anonymise_las(real_las, scope.la_code, anonymise_with)
        las = _renamed(las, "la_code", "la_name", dict(zip(las["la_code"], las["la_name"])), reorder=True)
    names = dict(zip(las["la_code"], las["la_name"]))
    anonymised = bool(anonymise_with)
    inspections = send_loader.send_inspections(scope)
    series_by = {code: send_loader.send_series(code, scope) for code in metrics.INDICATORS}
    at = {code: dict(zip(zip(s["area_code"], s["year"]), s["value"])) for code, s in series_by.items()}
    plans = series_by["plans_in_force"]
    summary = send_loader.send_inspection_summary(scope)
    latest, history = _renamed(summary["latest"], "la_code", "la_name", names, reorder=anonymised), summary["history"]
    share_now, quoted = outcome_shares(scope)
    inspection_table = pd.DataFrame({
        "LA": latest["la_name"], "Outcome (2023 framework)": latest["outcome"],
        "Published": [d.isoformat() if d else "" for d in latest["published"]],
        "Previous inspection (2016-22)": latest["previous"],
        "Previous published": [d.isoformat() if d else "" for d in latest["previous_published"]],
    })
    share_text = ("Outcome 1 share " + _share_sentence(share_now, None) + " The 38% against 26% quoted for London and "
                  "England is the position " + _share_sentence(quoted, QUOTED_SHARE_DATE).rstrip(".")
                  + "; later reports have changed it.")
    inspections_demo = (inspections["source"] == DEMO).any() if len(inspections) else True
    if inspections_demo:
        share_text = "Demo data: these inspection outcomes are synthetic. " + share_text.split(" The 38%")[0]
    return dict(
        real_las=real_las, las=las, names=names, anonymised=anonymised, inspections=inspections,
        sources=send_loader.send_sources(scope), info=loader.dataset_info("send"), series_by=series_by, at=at,
        london_plans=plans[plans["area_code"] == metrics.LONDON].set_index("year")["value"],
        latest=latest, latest_position={c: i for i, c in enumerate(latest["la_code"].tolist())},
        la_position={c: i for i, c in enumerate(las["la_code"].tolist())},
        tile_latest=latest.assign(published=[d.strftime("%d %b %Y") if d else "–" for d in latest["published"]]),
        share_now=share_now, inspection_table=inspection_table, share_text=share_text,
        inspections_demo=bool(inspections_demo), share_figure=figures.share_history_figure(history),
        token=uuid.uuid4().hex)


def _build_shared(filters: Filters, scope: loader.AccessScope, anonymise_with: str | None, versioned: dict) -> _Shared:
    v = versioned
    las, names, anonymised, series_by, latest = v["las"], v["names"], v["anonymised"], v["series_by"], v["latest"]
    ind = metrics.INDICATORS[filters.indicator]
    year = filters.year
    chosen = series_by[filters.indicator]
    ranking = _renamed(metrics.ranking(chosen, v["real_las"], year, ind), "la_code", "la_name", names)

    placement = _renamed(send_loader.send_mix(year, tuple(PLACEMENTS), filters.grouping, scope), "area_code", "area", names,
                         reorder=anonymised)
    needs = _renamed(send_loader.send_mix(year, tuple(NEEDS), "la", scope), "area_code", "area", names)
    needs_sub = send_loader.send_mix(year, tuple(NEEDS), "subregion", scope)

    la_table = _la_table(las, series_by, latest, year)
    placement_table = _placement_table(placement)

    own = series_by[filters.indicator]
    own_years = [y for code, y, value in zip(own["area_code"].tolist(), own["year"].tolist(), own["value"].tolist())
                 if not pd.isna(value) and code.startswith("E09")]
    return _Shared(
        las=las, names=names, anonymised=anonymised, sources=v["sources"], info=v["info"], series_by=series_by, at=v["at"],
        london_plans=v["london_plans"], latest=latest, latest_position=v["latest_position"], la_position=v["la_position"],
        tile_latest=v["tile_latest"], share_now=v["share_now"], ranking=ranking, placement=placement, needs=needs,
        needs_sub=needs_sub, la_table=la_table, inspection_table=v["inspection_table"], placement_table=placement_table,
        share_text=v["share_text"], inspections_demo=v["inspections_demo"], period_label=ind.period.format(y=year),
        year_note=later_years_note(year, int(max(own_years)) if own_years else None, date.today()),
        n_with=int(ranking["value"].notna().sum()),
        notes=_notes(ind, v["sources"], v["inspections"], v["info"], year, v["share_text"], anonymised=anonymised),
        share_figure=v["share_figure"], token=uuid.uuid4().hex, versioned_token=v["token"])


@loader.view_cache(send_loader.NAME, "reference", check=send_loader.check_scope)   # the same for every member
def build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> SendView:
    """Everything the page shows for the filters. `anonymise_with` (the app's secret) replaces every LA name but the
    viewer's own with its stable label in every chart, table, sentence and note; the arithmetic is unchanged.
    The focus-independent part (`_shared`) is built once per data version and filters; the focus LA's part here."""
    shared, kept_tables = _shared(filters, scope, anonymise_with)
    las, names, anonymised, sources, at = shared.las, shared.names, shared.anonymised, shared.sources, shared.at
    focus_sources = {**sources, **send_loader.send_sources_of(filters.focus, scope)}   # the focus LA's own, where held
    ind = metrics.INDICATORS[filters.indicator]
    year = filters.year
    row = shared.la_position[filters.focus]
    focus_name, subregion_name = las["la_name"].iat[row], las["subregion_name"].iat[row]
    sub_code = f"SR:{las['subregion_code'].iat[row]}"

    def value_at(code: str, area: str, y: int = year) -> float:
        return at[code].get((area, y), np.nan)

    def compare_note(code: str) -> str:
        i = metrics.INDICATORS[code]
        return " · ".join(f"{name} {figures.format_value(value_at(code, area), i)}"
                          for name, area in ((subregion_name, sub_code), ("London", metrics.LONDON), ("England", metrics.ENGLAND)))

    # Headline figures.
    focus_plans = {y: v for (area, y), v in at["plans_in_force"].items() if area == filters.focus}
    growth = metrics.growth_pct(focus_plans, year - GROWTH_YEARS, year)
    london_growth = metrics.growth_pct(shared.london_plans, year - GROWTH_YEARS, year)
    growth_note = ("growth not available (a year is not published)" if pd.isna(growth) else
                   f"{growth:+.0f}% since January {year - GROWTH_YEARS} (London {london_growth:+.0f}%)"
                   if not pd.isna(london_growth) else f"{growth:+.0f}% since January {year - GROWTH_YEARS}")
    latest = shared.latest
    i = shared.latest_position[filters.focus]
    mine = {c: latest[c].iat[i] for c in ("outcome_grade", "published", "previous")}
    inspected = pd.notna(mine["outcome_grade"])
    share_now = shared.share_now
    inmss_demo = _is_demo(focus_sources, ["place_inmss"])
    kpis = [
        (f"EHC plans in force, January {year}", figures.format_value(value_at("plans_in_force", filters.focus), metrics.INDICATORS["plans_in_force"]), growth_note),
        ("Per 1,000 children aged 0-17", figures.format_value(value_at("plans_per_1000", filters.focus), metrics.INDICATORS["plans_per_1000"]), compare_note("plans_per_1000")),
        (f"Issued within 20 weeks, {year}", figures.format_value(value_at("timely_20wk_pct", filters.focus), metrics.INDICATORS["timely_20wk_pct"]), compare_note("timely_20wk_pct")),
        ("In INMSS" + (" (demo data)" if inmss_demo else ""), figures.format_value(value_at("inmss_pct", filters.focus), metrics.INDICATORS["inmss_pct"]), compare_note("inmss_pct")),
        ("Latest area SEND inspection", f"Outcome {int(mine['outcome_grade'])}" if inspected else "Not yet",
         f"2023 framework, published {mine['published']:%d %b %Y}" if inspected
         else f"under the 2023 framework; 2016-22: {mine['previous']}"),
        ("London areas with outcome 1", _fmt_pct(metrics.round_half_up(share_now["London"]["pct"])),
         f"{share_now['London']['outcome_1']} of {share_now['London']['inspected']} inspected; England "
         f"{_fmt_pct(metrics.round_half_up(share_now['England']['pct']))} of {share_now['England']['inspected']}"),
    ]

    # Trend for the chosen measure (the ranking is shared).
    chosen = shared.series_by[filters.indicator]
    trend = metrics.comparison_series(chosen, las, filters.focus)
    # Only years where some series has a figure (e.g. no per-1,000 rate before the population file starts).
    trend = trend[trend["year"].isin(trend.loc[trend["value"].notna(), "year"])]
    trend_table = trend.pivot(index="year", columns="series", values="value").round(ind.decimals)
    trend_table = trend_table[list(dict.fromkeys(trend["series"]))].reset_index().rename(columns={"year": "Year"})
    trend_table.columns.name = None
    ranking = shared.ranking
    london_value, england_value = value_at(filters.indicator, metrics.LONDON), value_at(filters.indicator, metrics.ENGLAND)

    # Placement and primary-need mixes.
    placement = shared.placement
    needs = shared.needs
    needs = needs[needs["area_code"].isin([filters.focus, metrics.LONDON, metrics.ENGLAND])]
    needs_sub = shared.needs_sub
    needs = pd.concat([needs.iloc[:1], needs_sub[needs_sub["area_code"] == sub_code], needs.iloc[1:]], ignore_index=True)
    placement_focus = filters.focus if filters.grouping == "la" else sub_code

    demo_parts = [label for label, measures in (
        ("EHC plan numbers and timeliness", ["plans_in_force", "timely_20wk"]), ("population", ["population_0_17"]),
        ("pupils with SEN support or a plan", ["pupils_ehcp_pct"]), ("placements", list(PLACEMENTS)),
        ("primary need", list(NEEDS))) if _is_demo(focus_sources, measures)]
    if shared.inspections_demo:
        demo_parts.append("inspection outcomes")

    info = shared.info
    view = SendView(
        focus_name=focus_name, subregion_name=subregion_name, indicator=ind, year=year, period_label=shared.period_label,
        year_note=shared.year_note, is_demo=bool(info["is_demo"]) and len(demo_parts) >= 6, demo_parts=demo_parts, kpis=kpis,
        trend_figure=figures.trend_figure(trend, focus_name, ind),
        ranking_figure=figures.ranking_figure(ranking, filters.focus, ind, london_value, england_value),
        placement_figure=figures.mix_figure(placement, PLACEMENTS, placement_focus, "placement"),
        need_figure=figures.mix_figure(needs, NEEDS, filters.focus, "primary need"),
        tile_figure=figures.tile_map_figure(shared.tile_latest, filters.focus, anonymised=anonymised, viewer=scope.la_code),
        share_figure=copy.deepcopy(shared.share_figure),
        la_table=shared.la_table.copy(), trend_table=trend_table, inspection_table=shared.inspection_table.copy(),
        placement_table=shared.placement_table.copy(), n_with_figure=shared.n_with, share_text=shared.share_text,
        placement_is_demo=_is_demo(focus_sources if filters.grouping == "la" else sources, PLACEMENTS),
        need_is_demo=_is_demo(focus_sources, NEEDS), notes=list(shared.notes),
        focus=filters.focus, grouping=filters.grouping, anonymised=anonymised,
        london_value=london_value, england_value=england_value, ranking=ranking.copy(), placement_mix=placement.copy(),
        need_mix=needs, placement_focus=placement_focus, latest_inspections=latest.copy(), share_now=copy.deepcopy(share_now),
        inspections_demo=shared.inspections_demo, kept_tables=kept_tables,
    )
    view.takeaways = chart_takeaways(view)
    return view


# The outcome-1 shares now and at the quoted date: the same for every view (LA codes are never relabelled), worked out
# once per data version in each worker.
@loader.kept_in_process(send_loader.NAME, "reference", check=send_loader.check_scope)
def outcome_shares(scope: loader.AccessScope) -> tuple[dict, dict]:
    inspections = send_loader.send_inspections(scope)
    london_codes = set(loader.local_authorities()["la_code"])
    return (metrics.outcome_share(inspections, None, london_codes),
            metrics.outcome_share(inspections, QUOTED_SHARE_DATE, london_codes))


def _la_table(las, series_by, latest, year) -> pd.DataFrame:
    """One row per LA (then London and England) with the headline figures of the year chosen."""
    def at(code, y=year) -> dict:
        s = series_by[code]
        return {area: value for area, row_year, value in zip(s["area_code"].tolist(), s["year"].tolist(), s["value"].tolist())
                if row_year == y}

    areas = list(las["la_code"]) + [metrics.LONDON, metrics.ENGLAND]
    plans_now, plans_then = at("plans_in_force"), at("plans_in_force", year - GROWTH_YEARS)
    columns = {code: at(code) for code in ("plans_per_1000", "new_plans", "requests", "refusal_pct", "timely_20wk_pct", "inmss_pct")}
    get = lambda code, a: round(columns[code].get(a, np.nan), 1)
    outcome = dict(zip(latest["la_code"].tolist(), latest["outcome_grade"].tolist()))
    return pd.DataFrame({
        "Area": list(las["la_name"]) + ["London", "England"],
        "Sub-region": list(las["subregion_name"]) + ["", ""],
        f"Plans in force, Jan {year}": [plans_now.get(a, np.nan) for a in areas],
        "Per 1,000 aged 0-17": [get("plans_per_1000", a) for a in areas],
        f"Growth since Jan {year - GROWTH_YEARS} (%)": [round(metrics.ratio(plans_now.get(a, np.nan) - plans_then.get(a, np.nan),
                                                                            plans_then.get(a, np.nan), 100), 1) for a in areas],
        f"New plans, {year}": [columns["new_plans"].get(a, np.nan) for a in areas],
        f"Requests, {year}": [columns["requests"].get(a, np.nan) for a in areas],
        "Requests refused (%)": [get("refusal_pct", a) for a in areas],
        "Within 20 weeks (%)": [get("timely_20wk_pct", a) for a in areas],
        "In INMSS (%)": [get("inmss_pct", a) for a in areas],
        "Inspection outcome (2023 framework)": [(f"Outcome {int(outcome[a])}" if pd.notna(outcome.get(a)) else "Not yet")
                                                if a.startswith("E09") else "" for a in areas],
    })


def _placement_table(mix: pd.DataFrame) -> pd.DataFrame:
    """Counts as shown: suppressed cells written "c"; an area with no figures written "not published"."""
    table = pd.DataFrame({"Area": mix["area"]})
    for measure, label in PLACEMENTS.items():
        column = []
        for value, hidden in zip(mix[measure], mix["suppressed"]):
            column.append(SUPPRESSED if measure in hidden else "not published" if pd.isna(value) else int(value))
        table[label] = column
    table["Total"] = [int(t) if pd.notna(t) else "not published" for t in mix["total"]]
    table["INMSS share (%)"] = [round(v, 1) if pd.notna(v) else (SUPPRESSED if "place_inmss" in h else "not published")
                                for v, h in zip(mix["place_inmss_pct"], mix["suppressed"])]
    return table


def _source_text(sources: dict[str, str], measures) -> str:
    found = sorted({s for m in measures for s in sources.get(m, "not held").split("; ")})
    return "; ".join(DEMO_TEXT if s == DEMO else s for s in found)


def _notes(ind, sources, inspections, info, year, share_text, anonymised: bool = False) -> list[tuple[str, str]]:
    measure_list = [m for m in (ind.numerator, ind.denominator, ind.code) if m and m in sources]
    inspection_sources = sorted(set(inspections["source"])) if len(inspections) else ["none held"]
    return [
        ("Measure", ind.name),
        ("Definition", ind.definition),
        ("Period", f"{ind.period.format(y=year)}. Plans in force are counted in January; requests, refusals, new plans and "
                   "timeliness over the calendar year; each year is the time period DfE publishes. The loaded SEN2 release "
                   "ends with 2022; pupil percentages (LAIT) run to January 2025."),
        ("Source of this measure", _source_text(sources, measure_list) or "not held"),
        ("EHC plans", "DfE, Education, health and care plans (SEN2 collection), underlying data; published without "
                      "suppression, so figures are shown as published. Timeliness is computed from the published counts "
                      "(plans within 20 weeks / all plans, excluding exceptions) and matches DfE's rate."),
        ("Population", "ONS mid-year estimates of children aged 0-17, in DfE's LA geography. 0-25 estimates are not in the "
                       "loaded files, so plans (ages 0-25) are shown per 1,000 aged 0-17."),
        ("Placements and primary need", _source_text(sources, list(PLACEMENTS) + list(NEEDS)) + "."),
        ("Disclosure control", disclosure.RETURNED_COUNTS_NOTE),
        ("Inspections", "; ".join(inspection_sources) + ". The 2023 framework gives one of three outcomes; the 2016-22 "
                        "framework decided whether a written statement of action was required."),
        ("Outcome 1 share", share_text),
        ("Sub-region and London figures", "Sub-region rates pool their LAs (sum of numerators over sum of denominators of LAs "
                                          "with both); a sub-region total is shown only when every LA has a figure. London and "
                                          "England are the published totals. Published %s (LAIT) are averaged without weights."),
        ("Markers", "Published markers (c suppressed, x not available, z not applicable, - missing) are kept as "
                    "\"not published\", never as 0."),
        ("Not a league table", NOT_A_LEAGUE_TABLE if anonymised else
         NOT_A_LEAGUE_TABLE.replace(NAMED_SMALLEST, "the City of London, with a handful of children")),
        ("Data", "Demo data in parts: see the labels on each section." if info["is_demo"] else "Published statistics."),
    ] + ([("Anonymised", "LA names other than the viewer's own are replaced by stable labels (LA 1 to LA 33).")]
         if anonymised else [])


# --- presenting: chart titles, what each chart shows, images and slides -----------------------------------------

TABLES = ("las", "trend", "placements", "inspections")   # in the order of their download buttons
CHARTS = {"trend": "trend_figure", "ranking": "ranking_figure", "placement": "placement_figure", "need": "need_figure",
          "tiles": "tile_figure", "share": "share_figure"}


def chart_titles(view: SendView) -> dict[str, str]:
    """Each chart's title, on the page and on its slide."""
    name, y = view.indicator.name, view.year
    by_text = "by LA" if view.grouping == "la" else "by sub-region"
    return {
        "trend": f"{name}: {view.focus_name} over time",
        "ranking": f"{name}: London LAs, {view.period_label} ({view.n_with_figure} of 33 with a figure)",
        "placement": f"Where children with a plan are educated, {by_text}, January {y}",
        "need": f"Primary need, January {y}",
        "tiles": "Area SEND inspection outcomes, 2023 framework",
        "share": "Share of inspected areas with outcome 1",
    }


TREND_WORDS = {"rose": ("up", "rising"), "fell": ("down", "falling"), "was unchanged": ("unchanged", "unchanged")}


def trend_takeaway(trend_table: pd.DataFrame, focus_name: str, indicator: metrics.Indicator, year: int) -> str:
    """The focus LA's figure for the year chosen, how long it has been rising or falling, and London's figure."""
    period = indicator.period.format(y=year)
    upto = trend_table[trend_table["Year"] <= year]
    if focus_name not in upto.columns or upto.empty or upto["Year"].iloc[-1] != year or pd.isna(upto[focus_name].iloc[-1]):
        return f"{focus_name} has no published figure for {period}."
    own = [float(v) if pd.notna(v) else np.nan for v in upto[focus_name]]
    direction, run = run_length(own)
    if not direction:
        trend = "with no published figure for the year before"
    elif run > 1:
        trend = f"{TREND_WORDS[direction][1]} for {run} years in a row"
    else:
        trend = f"{TREND_WORDS[direction][0]} on the year before"
    london = upto["London"].iloc[-1] if "London" in upto.columns else np.nan
    versus = (f"; London's is {figures.format_value(london, indicator)}" if pd.notna(london) else "; London has no published figure")
    return f"{focus_name}: {figures.format_value(own[-1], indicator)} in {period}, {trend}{versus}."


def ranking_takeaway(ranking: pd.DataFrame, focus: str, indicator: metrics.Indicator, period: str,
                     london: float, england: float) -> str:
    """Where the focus LA sits among London LAs, in order of the figure (not a league table)."""
    codes, values = ranking["la_code"].tolist(), ranking["value"].tolist()
    with_figure = [v for v in values if not pd.isna(v)]
    i = codes.index(focus) if focus in codes else None
    if i is None or pd.isna(values[i]):
        name = ranking["la_name"].iat[i] if i is not None else focus
        return f"{name} has no published figure for {period}; {len(with_figure)} of {len(ranking)} London LAs have one."
    r = {c: ranking[c].iat[i] for c in ("la_name", "value", "flag", "rank")}
    value = figures.format_value(r["value"], indicator)
    comparators = "; ".join(f"{area} {figures.format_value(v, indicator)}" for area, v in (("London", london), ("England", england))
                            if v is not None and pd.notna(v))
    comparators = f" ({comparators})" if comparators else ""
    if str(r["flag"]).startswith("small"):
        return (f"{r['la_name']}: {value} for {period}{comparators}; too few cases (under {metrics.SMALL_BASE}) to be given "
                "a position among London LAs.")
    if pd.isna(r["rank"]):   # counts are not ranked: the size of the LA decides them
        low, high = min(with_figure), max(with_figure)
        return (f"{r['la_name']}: {value} for {period}{comparators}; London LAs range from {figures.format_value(low, indicator)} "
                f"to {figures.format_value(high, indicator)}.")
    ranked = int(ranking["rank"].notna().sum())
    # Ranks follow polarity (1 = lowest where lower is better); the chart runs highest first, so say "Nth highest".
    nth = int(r["rank"]) if indicator.polarity != "lower" else ranked - int(r["rank"]) + 1
    place = "highest" if nth == 1 else "lowest" if nth == ranked else f"{ordinal(nth)} highest"
    return f"{r['la_name']} has the {place} figure of the {ranked} London LAs given a position: {value} for {period}{comparators}."


class _Mix:
    """A mix table's columns as lists, read once: the takeaways look up a few dozen cells, each a pandas call before."""

    def __init__(self, mix: pd.DataFrame):
        self.mix = mix
        self.codes = mix["area_code"].tolist()
        self.areas = mix["area"].tolist()
        self.total = mix["total"].tolist()
        self.suppressed = mix["suppressed"].tolist()
        self._pct: dict[str, list] = {}

    def pct(self, measure: str) -> list:
        if measure not in self._pct:
            self._pct[measure] = self.mix[f"{measure}_pct"].tolist()
        return self._pct[measure]


def _row_of(mix: _Mix, code: str) -> int | None:
    """The position of an area's (first) row in a mix table, or None."""
    return mix.codes.index(code) if code in mix.codes else None


def _share_of(mix: _Mix, code: str, measure: str) -> tuple[str, float | None]:
    """("shown"|"hidden"|"missing", share %) of one category for one area of a mix table."""
    i = _row_of(mix, code)
    if i is None or pd.isna(mix.total[i]):
        return "missing", None
    if measure in mix.suppressed[i]:
        return "hidden", None
    return "shown", float(mix.pct(measure)[i])


def placement_takeaway(mix: pd.DataFrame, focus: str, labels: dict[str, str], year: int) -> str:
    """The focus area's INMSS share against London and England, and where most children with a plan are educated."""
    mix = _Mix(mix)
    i = _row_of(mix, focus)
    name = mix.areas[i] if i is not None else "The focus area"
    state, inmss = _share_of(mix, focus, "place_inmss")
    if state == "missing":
        return f"{name} has no complete placement figures for January {year}."
    comparators = []
    for area, code in (("London", metrics.LONDON), ("England", metrics.ENGLAND)):
        s, v = _share_of(mix, code, "place_inmss")
        comparators.append(f"{area} {v:.1f}%" if s == "shown" else f"{area} not published")
    inmss_text = (f"{inmss:.1f}% are in independent or non-maintained special schools" if state == "shown" else
                  "the number in independent or non-maintained special schools is small (1 to 5) and hidden")
    shown = {m: v for m in labels if (v := _share_of(mix, focus, m))[0] == "shown"}
    most = max(shown, key=lambda m: shown[m][1]) if shown else None
    most_text = f"; the most ({shown[most][1]:.1f}%) are in {labels[most].lower()}" if most else ""
    return f"{name}, January {year}: {inmss_text} ({', '.join(comparators)}){most_text}."


def need_takeaway(mix: pd.DataFrame, focus: str, labels: dict[str, str], year: int) -> str:
    """The focus LA's most common primary need, and London's share of it."""
    mix = _Mix(mix)
    i = _row_of(mix, focus)
    name = mix.areas[i] if i is not None else "The focus LA"
    shown = {m: v for m in labels if (v := _share_of(mix, focus, m))[0] == "shown"}
    if i is None or pd.isna(mix.total[i]) or not shown:
        return f"{name} has no complete primary need figures for January {year}."
    most = max(shown, key=lambda m: shown[m][1])
    state, london = _share_of(mix, metrics.LONDON, most)
    versus = f"London {london:.1f}%" if state == "shown" else "London not published"
    return (f"The most common primary need in {name} in January {year} is {labels[most].lower()}: "
            f"{shown[most][1]:.1f}% of those with a plan ({versus}).")


def tiles_takeaway(latest: pd.DataFrame, focus: str) -> str:
    """The focus LA's latest 2023-framework outcome, and how many London areas have had one."""
    grades = [g for g in latest["outcome_grade"].tolist() if not pd.isna(g)]
    first = sum(1 for g in grades if g == 1)
    london = f"{len(grades)} of {len(latest)} London areas have been inspected under it, {first} with outcome 1"
    codes = latest["la_code"].tolist()
    if focus not in codes:
        return f"{london[0].upper()}{london[1:]}."
    i = codes.index(focus)
    r = {c: latest[c].iat[i] for c in ("la_name", "outcome_grade", "published")}
    if pd.isna(r["outcome_grade"]):
        return f"{r['la_name']} has not yet been inspected under the 2023 framework; {london}."
    when = f", published {r['published']:%-d %B %Y}" if r["published"] else ""
    return f"{r['la_name']} had outcome {int(r['outcome_grade'])} at its latest area SEND inspection{when}; {london}."


def share_takeaway(share: dict) -> str:
    """London's share of inspected areas with outcome 1 against England's, on every report held."""
    london, england = share.get("London", {}), share.get("England", {})
    if not england.get("inspected"):
        return "No area SEND inspections under the 2023 framework have been published."
    if not london.get("inspected"):
        return (f"No London area has been inspected under the 2023 framework; in England {_fmt_pct(metrics.round_half_up(england['pct']))} "
                f"({england['outcome_1']} of {england['inspected']}) had outcome 1.")
    return (f"{_fmt_pct(metrics.round_half_up(london['pct']))} of inspected London areas had outcome 1 "
            f"({london['outcome_1']} of {london['inspected']}), against {_fmt_pct(metrics.round_half_up(england['pct']))} "
            f"in England ({england['outcome_1']} of {england['inspected']}), on all reports held.")


def chart_takeaways(view: SendView) -> dict[str, str]:
    """One plain-English sentence per chart, from the same tables the charts draw (slides and text alternatives)."""
    ind, focus_code = view.indicator, view.focus
    return {
        "trend": trend_takeaway(view.trend_table, view.focus_name, ind, view.year),
        "ranking": ranking_takeaway(view.ranking, focus_code, ind, view.period_label, view.london_value, view.england_value),
        "placement": placement_takeaway(view.placement_mix, view.placement_focus, PLACEMENTS, view.year),
        "need": need_takeaway(view.need_mix, focus_code, NEEDS, view.year),
        "tiles": tiles_takeaway(view.latest_inspections, focus_code),
        "share": share_takeaway(view.share_now),
    }


def _source_line(view: SendView, chart: str) -> str:
    notes = dict(view.notes)
    if chart in ("trend", "ranking"):
        text, demo = notes.get("Source of this measure", ""), DEMO_TEXT in notes.get("Source of this measure", "")
    elif chart in ("placement", "need"):
        text, demo = notes.get("Placements and primary need", ""), view.placement_is_demo if chart == "placement" else view.need_is_demo
        text = text.split(". Counts of 1 to 5")[0]
    else:
        text, demo = notes.get("Inspections", "").split(". The 2023 framework")[0], view.inspections_demo
    return f"Source: {text}." + (" Demo data: synthetic, not any LA's real figures." if demo else "")


def presentation(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    """The page's charts, tables and notes as its downloads, images and slides take them (rebuilt on the server)."""
    view = build_view(filters, scope, anonymise_with=anonymise_with)
    titles = chart_titles(view)
    tables = {"las": view.la_table, "trend": view.trend_table, "placements": view.placement_table,
              "inspections": view.inspection_table}
    demo = (" Demo data: " + ", ".join(view.demo_parts) + "." if view.demo_parts else "")
    return Presentation(
        kpis=view.kpis,
        charts={chart: Slide(titles[chart], view.takeaways[chart], getattr(view, attr), _source_line(view, chart))
                for chart, attr in CHARTS.items()},
        tables={which: _in_words(table) for which, table in tables.items()},
        notes=view.notes + [("Demo data", "; ".join(view.demo_parts) or "none")],
        subtitle=(f"{view.focus_name}; measure: {view.indicator.name}; {view.period_label}; placements "
                  f"{'by LA' if view.grouping == 'la' else 'by sub-region'}." + demo),
        stem=f"send_{filters.indicator}_{view.year}",
        table_stems={which: f"send_{which}_{filters.year}" for which in tables},
        demo_tables=frozenset(which for which, demo in _demo_tables(view).items() if demo))


def _demo_tables(view: SendView) -> dict[str, bool]:
    """Which of the page's tables hold demo data (each CSV of them says so): the page's data is demo in parts."""
    measure_demo = DEMO_TEXT in dict(view.notes).get("Source of this measure", "")
    return {"las": measure_demo, "trend": measure_demo, "placements": view.placement_is_demo or view.need_is_demo,
            "inspections": view.inspections_demo}


def _in_words(table: pd.DataFrame) -> pd.DataFrame:
    """In files as on screen: no figure is written "not published", never a blank that could be read as 0."""
    table = table.copy()
    for column in table.columns:
        if table[column].isna().any():
            table[column] = table[column].astype(object).where(table[column].notna(), "not published")
    return table
