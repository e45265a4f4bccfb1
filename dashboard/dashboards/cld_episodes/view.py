"""Child-level episodes: filters (a collection year) in, everything the page shows out.

The viewer's own LA against its sub-region and London in one collection year: children starting and ceasing care,
new episodes, how long episodes, placements and periods of care lasted, placement moves, missing and away episodes,
adoption timeliness. Counts come from `data.area_figures` (other LAs' children protected there); every share and
rate here is worked out from those counts. An area with no return, or no LA holding a table, says so (never 0).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.chart_theme import lean_figure
from dashboard import loader
from dashboard.dashboards.cld_episodes import data, figures as charts, metrics
from dashboard.disclosure import CHILDREN_NOTE, NO_RETURN, share
from dashboard.presenting import Presentation, Slide

CHARTS = ("starts_legal", "starts_need", "ceased_reason", "new_episodes", "durations", "placement_bands", "moves",
          "missing", "adoption")
TABLES = CHARTS
NOT_LOADED = "not loaded"
TABLE_NAMES = {"Missing": "Missing (missing and away episodes)", "AD1": "AD1 (adoption decisions and matches)",
               "PlacedAdoption": "PlacedAdoption (children placed for adoption)"}


@dataclass(frozen=True)
class Filters:
    year: int          # the collection year's 31 March

    def query(self) -> dict:
        return {"year": str(self.year)}


def resolve_filters(year, years: list[int]) -> Filters:
    """The year asked for if any LA has a return for it, else the latest."""
    try:
        wanted = int(year)
    except (TypeError, ValueError):
        wanted = None
    return Filters(wanted if wanted in years else years[0])


def year_label(year: int) -> str:
    return f"{year - 1}/{str(year)[2:]} (year to 31 March {year})"


def year_options(years: list[int]) -> list[dict]:
    return [{"label": year_label(y), "value": y} for y in years]


@dataclass
class EpisodesView:
    year_label: str
    areas: list[str]                   # the viewer's LA, its sub-region, London
    demo: bool
    kpis: list[tuple[str, str, str]]
    figures: dict[str, object]
    tables: dict[str, pd.DataFrame]
    titles: dict[str, str]
    takeaways: dict[str, str]
    notes: list[tuple[str, str]]
    banners: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)


def areas_of(scope: loader.AccessScope, las: pd.DataFrame) -> list[tuple[str, str]]:
    """(area, name) for the viewer's LA, its sub-region and London."""
    row = las[las["la_code"] == scope.la_code]
    if row.empty:
        return [("london", "London")]
    row = row.iloc[0]
    return [(f"la:{scope.la_code}", row["la_name"]), (f"sr:{row['subregion_code']}", f"{row['subregion_name']} (sub-region)"),
            ("london", "London")]


def _codes_key(codes: dict) -> dict:
    """The code lists as the counts need them (a cache key: small and stable)."""
    return {k: v for k, v in codes.items() if k != "labels"}


def _figure(value) -> object:
    return NO_RETURN if value is None else value


def _vector(figs: dict, names: list[str], key: str, categories: list[str], label: str, labels: dict | None = None,
            total: str = "starts") -> list[dict]:
    """One row per category and a Total row; per area its count and % of its total (a protected cell of its own)."""
    rows = []
    for category in [*categories, "Total"]:
        row = {label: (labels or {}).get(category, category) if category != "Total" else "Total"}
        for name in names:
            f = figs[name]
            if not f.get("returned"):
                row[f"{name}: number"], row[f"{name}: %"] = NO_RETURN, None
                continue
            whole = f[total]
            n = whole if category == "Total" else f[key].get(category, 0)
            row[f"{name}: number"], row[f"{name}: %"] = n, share(n, whole)
        rows.append(row)
    return rows


# The view's tables are built as rows (dicts) and made DataFrames once; its charts, headline figures and sentences read
# the same rows, not the DataFrames (a pandas look-up per figure cost most of a view's time).

def _shares_chart(rows: list[dict], label: str, names: list[str], axis: str, empty: str) -> dict:
    body = [row for row in rows if row[label] != "Total"]
    return charts.by_area([row[label] for row in body], {n: [row[f"{n}: %"] for row in body] for n in names}, names,
                          axis=axis, empty=empty, suffix="%")


def _row(rows: list[dict], area: str, **where) -> dict:
    """The first row of this area (and these other values), or none."""
    return next((row for row in rows if row["Area"] == area and all(row.get(k) == v for k, v in where.items())), {})


def _days(value) -> object:
    return None if value is None else round(value)


@loader.view_cache(data.NAME, "reference", check=data.check_scope, depends_on_caller=lambda scope, arguments: True)
def build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> EpisodesView:
    las = loader.local_authorities()
    year = filters.year
    codes = data.code_groups(scope)
    options = data.options(scope)
    areas = areas_of(scope, las)
    names = [name for _, name in areas]
    figs = {name: data.area_figures(scope, area, year, _codes_key(codes)) for area, name in areas}
    own = names[0]
    demo = bool(loader.dataset_info(data.NAME)["is_demo"])
    label = year_label(year)

    labels_of = lambda lst: {c: f"{c} {l}" for (n, c), l in codes["labels"].items() if n == lst}   # noqa: E731
    starts_legal = _vector(figs, names, "starts_legal", codes["legal_groups"], "Legal status group")
    starts_need = _vector(figs, names, "starts_need", codes["cin"], "Category of need", labels_of("cin"))
    ceased_reason = _vector(figs, names, "ceased_reason", codes["ceased_groups"], "Reason ceased (group)", total="ceased")
    new_episodes = _vector(figs, names, "new_episodes_rne", codes["rne"], "Reason for new episode", labels_of("reason_new_episode"),
                           total="new_episodes")

    durations = [{"Measure": kind, **{col: val for name in names for col, val in (
        (f"{name}: number", _figure(figs[name]["durations"][kind]["n"] if figs[name].get("returned") else None)),
        (f"{name}: median days", _days(figs[name]["durations"][kind]["median"]) if figs[name].get("returned") else None))}}
        for kind in ("Episodes ended", "Placements ended", "Periods of care ended")]
    bands = [b for b, _ in metrics.DURATION_BANDS]
    placement_bands = [{"Placement length": b, **{col: val for name in names for col, val in (
        (f"{name}: number", figs[name]["durations"]["Placements ended"]["bands"][b] if figs[name].get("returned") else NO_RETURN),
        (f"{name}: %", share(figs[name]["durations"]["Placements ended"]["bands"][b], figs[name]["durations"]["Placements ended"]["n"])
         if figs[name].get("returned") else None))}} for b in bands]

    moves = [{"Area": name, "Looked after at 31 March": _figure(f.get("looked_after_31_march")),
              "3 or more placements in the year": _figure(f.get("three_plus")),
              "%": share(f.get("three_plus"), f.get("looked_after_31_march"))}
             for name, f in figs.items()]

    def missing_row(name, f):
        if not f.get("returned"):
            return {"Area": name, "LAs holding the Missing table": f"0 of {f['las']}", "Looked after in the year": NO_RETURN}
        mis = f.get("missing")
        row = {"Area": name, "LAs holding the Missing table": f"{f['held']['Missing']} of {f['returned']} with a return"}
        if mis is None:
            return {**row, "Looked after in the year": NOT_LOADED}
        row["Looked after in the year"] = mis["looked_after"]
        for kind, word in (("M", "missing"), ("A", "away")):
            children, episodes = mis[kind]["children"], mis[kind]["episodes"]
            row.update({f"Children {word}": children, f"% {word}": share(children, mis["looked_after"]),
                        f"{word.capitalize()} episodes": episodes,
                        f"{word.capitalize()} episodes per child": round(episodes / children, 1) if children else None})
        return row
    missing = [missing_row(n, f) for n, f in figs.items()]

    def adoption_rows(name, f):
        out = []
        for key, table, measure in (("placed", "PlacedAdoption", "Entering care to placed for adoption"),
                                    ("matched", "AD1", "Decision (DATE_INT) to match (DATE_MATCH)")):
            row = {"Area": name, "Measure": measure}
            if not f.get("returned"):
                out.append({**row, "Children": NO_RETURN})
                continue
            d = f.get(key)
            row["LAs holding the table"] = f"{f['held'][table]} of {f['returned']} with a return ({table})"
            if d is None:
                out.append({**row, "Children": NOT_LOADED})
                continue
            row.update({"Children": d["n"], "Median days": _days(d["median"]),
                        **{f"{b} (%)": share(d["bands"][b], d["n"]) for b, _ in metrics.ADOPTION_BANDS}})
            out.append(row)
        return out
    adoption = [r for n, f in figs.items() for r in adoption_rows(n, f)]

    rows = {"starts_legal": starts_legal, "starts_need": starts_need, "ceased_reason": ceased_reason,
            "new_episodes": new_episodes, "durations": durations, "placement_bands": placement_bands, "moves": moves,
            "missing": missing, "adoption": adoption}
    tables = {name: pd.DataFrame(table) for name, table in rows.items()}

    no_data = f"No return for {label}."
    adoption_measures = ["Entering care to placed for adoption", "Decision (DATE_INT) to match (DATE_MATCH)"]
    not_loaded = {t: [n for n, f in figs.items() if f.get("returned") and not f["held"][t]] for t in data.OTHER_TABLES}
    figures = {
        "starts_legal": _shares_chart(starts_legal, "Legal status group", names, "% of children starting care", no_data),
        "starts_need": _shares_chart(starts_need, "Category of need", names, "% of children starting care", no_data),
        "ceased_reason": _shares_chart(ceased_reason, "Reason ceased (group)", names, "% of children ceasing care", no_data),
        "new_episodes": _shares_chart(new_episodes, "Reason for new episode", names, "% of new episodes", no_data),
        "durations": charts.by_area([row["Measure"] for row in durations],
                                    {n: [row[f"{n}: median days"] for row in durations] for n in names}, names,
                                    axis="Median days", empty=no_data),
        "placement_bands": _shares_chart(placement_bands, "Placement length", names, "% of placements ended", no_data),
        "moves": charts.by_area(["Looked after at 31 March with 3 or more placements"],
                                {n: [_row(moves, n).get("%")] for n in names}, names,
                                axis="% of children looked after at 31 March", empty=no_data, suffix="%"),
        "missing": charts.by_area(["Children missing (% of looked after)", "Children away (% of looked after)"],
                                  {n: [_row(missing, n).get("% missing"), _row(missing, n).get("% away")] for n in names}, names,
                                  axis="% of children looked after in the year", suffix="%",
                                  empty="The Missing table is not loaded for any of these areas." if len(not_loaded["Missing"]) == len(names)
                                  else no_data),
        "adoption": charts.by_area(adoption_measures,
                                   {n: [_row(adoption, n, Measure=m_).get("Median days") for m_ in adoption_measures] for n in names},
                                   names, axis="Median days",
                                   empty="Neither AD1 nor PlacedAdoption is loaded for any of these areas."
                                   if all(len(not_loaded[t]) == len(names) for t in ("AD1", "PlacedAdoption")) else
                                   "No child placed for adoption or matched in this year (or too few to show a median)."),
    }
    titles = {
        "starts_legal": f"Children starting care by legal status, {label}",
        "starts_need": f"Children starting care by category of need, {label}",
        "ceased_reason": f"Children ceasing care by reason, {label}",
        "new_episodes": f"New episodes by reason (RNE), {label}",
        "durations": f"Median length of episodes, placements and periods of care that ended in {label}",
        "placement_bands": f"Length of placements that ended in {label}",
        "moves": f"Children with 3 or more placements in {label}",
        "missing": f"Children missing or away from placement in {label}",
        "adoption": f"Adoption timeliness, {label}",
    }
    o = figs[own]
    takeaways = _takeaways(o, own, names, figs, rows, not_loaded, label)
    kpis = [
        ("Started care", _text(o.get("starts")), f"{own}, {label}"),
        ("Ceased care", _text(o.get("ceased")), f"{own}, {label}"),
        ("3 or more placements", _pct(moves[0]["%"]), f"of {_text(o.get('looked_after_31_march'))} looked after at 31 March")
        if o.get("returned") else ("3 or more placements", "no return", f"{own}, {label}"),
        ("Children missing", _pct(_row(missing, own).get("% missing")) if o.get("missing") else _absent(o),
         "of children looked after in the year"),
        ("Median days to placed for adoption", median_days_text(o["placed"]) if o.get("placed") else _absent(o),
         "from entering care"),
    ]
    banners = []
    if not o.get("returned"):
        banners.append(f"{own} has no SSDA903 return for {label}: its columns say \"no return\".")
    for t in data.OTHER_TABLES:
        if not_loaded[t]:
            banners.append(f"The SSDA903 {TABLE_NAMES[t]} table is not loaded for: {', '.join(not_loaded[t])}. "
                           "Its figures there say \"not loaded\", never 0.")
        partial = [f"{f['held'][t]} of the {f['returned']} LAs with a return in {n}" for n, f in figs.items()
                   if f.get("returned") and 0 < f["held"][t] < f["returned"]]
        if partial:
            banners.append(f"The SSDA903 {TABLE_NAMES[t]} table is held by {'; '.join(partial)}: the LAs without it are "
                           "left out of those figures.")
    source = "LAs' SSDA903 returns" + (" (demo data: synthetic, seeded)" if demo else "") + "; other LAs' children protected (cell-key method)"
    notes = _notes(own, label, demo, options, figs)
    figures = {c: lean_figure(f) for c, f in figures.items()}   # as small as what they show
    return EpisodesView(label, names, demo, kpis, figures, tables, titles, takeaways, notes, banners,
                        {c: source for c in CHARTS})


def _text(value) -> str:
    return "no return" if value is None or pd.isna(value) else f"{int(value):,}"


def median_days_text(durations: dict) -> str:
    """A median of days for a KPI: "none in the year" when no child is counted (the LA made its return), "not shown"
    when the median is held back; never "no return" for an LA that sent one."""
    if durations.get("n") == 0:
        return "none in the year"
    return "not shown" if durations.get("median") is None else f"{round(durations['median']):,}"


def _pct(value) -> str:
    return "not shown" if value is None or pd.isna(value) else f"{value:.1f}%"


def _absent(f: dict) -> str:
    return "no return" if not f.get("returned") else NOT_LOADED


def _largest(rows: list[dict], label: str, name: str) -> str:
    body = [row for row in rows if row[label] != "Total"]
    counts = [row[f"{name}: number"] for row in body]
    known = [n for n in counts if charts.is_number(n)]
    if not known or not max(known):
        return ""
    row = body[counts.index(max(known))]   # the first of the largest
    return f"the largest group: {row[label]} ({row[f'{name}: %']}%)"


def _takeaways(o, own, names, figs, rows, not_loaded, label) -> dict:
    if not o.get("returned"):
        missing = f"{own} has no return for {label}."
        return {c: missing for c in CHARTS}
    sub, london = names[1], names[-1]

    def pct_of(name, key):
        return _pct(share(figs[name].get("three_plus"), figs[name].get("looked_after_31_march")))
    durations = {row["Measure"]: row for row in rows["durations"]}
    mis = _row(rows["missing"], own)
    out = {
        "starts_legal": f"{_text(o['starts'])} children started care in {own}; {_largest(rows['starts_legal'], 'Legal status group', own)}.",
        "starts_need": f"Of {_text(o['starts'])} children starting care in {own}, {_largest(rows['starts_need'], 'Category of need', own)}.",
        "ceased_reason": f"{_text(o['ceased'])} children ceased care in {own}; {_largest(rows['ceased_reason'], 'Reason ceased (group)', own)}.",
        "new_episodes": f"{_text(o['new_episodes'])} episodes began in {own}; {_largest(rows['new_episodes'], 'Reason for new episode', own)}.",
        "durations": f"In {own}, placements that ended had lasted a median of {_text(durations['Placements ended'][f'{own}: median days'])} "
                     f"days, periods of care {_text(durations['Periods of care ended'][f'{own}: median days'])} days.",
        "placement_bands": f"{_text(o['durations']['Placements ended']['n'])} placements ended in {own} in the year.",
        "moves": f"{pct_of(own, 'x')} of {own}'s children looked after at 31 March had 3 or more placements in the year "
                 f"({sub.replace(' (sub-region)', '')}: {pct_of(sub, 'x')}, {london}: {pct_of(london, 'x')}).",
        "missing": (f"The Missing table is not loaded for {own}." if own in not_loaded["Missing"] else
                    f"{_text(mis.get('Children missing'))} of {own}'s {_text(mis.get('Looked after in the year'))} "
                    f"children looked after in the year went missing ({_pct(mis.get('% missing'))})"
                    + (f", {mis['Missing episodes per child']} missing episodes each on average."
                       if mis.get("Missing episodes per child") is not None else ".")),
        "adoption": (f"Neither AD1 nor PlacedAdoption is loaded for {own}." if own in not_loaded["AD1"] and own in not_loaded["PlacedAdoption"]
                     else f"{own}: {_text(o['placed']['n']) if o.get('placed') else NOT_LOADED} children placed for adoption "
                          f"(median {_text(_days(o['placed']['median'])) if o.get('placed') else NOT_LOADED} days from entering care); "
                          f"{_text(o['matched']['n']) if o.get('matched') else NOT_LOADED} matched (median "
                          f"{_text(_days(o['matched']['median'])) if o.get('matched') else NOT_LOADED} days from decision)."),
    }
    return out


def _notes(own: str, label: str, demo: bool, options: dict, figs: dict) -> list[tuple[str, str]]:
    held = {t: len(v) for t, v in options["held"].items()}
    return [
        ("Areas", f"{own} (your LA, counted exactly), its sub-region and London: the LAs of each with an SSDA903 "
                  "return covering the year. \"No return\": none of its LAs has one (never 0)."),
        ("Collection year", f"{label}: 1 April to 31 March. An LA's years run from its earliest to its latest return."),
        ("Short breaks", "As in the DfE's statistics, children looked after under an agreed series of short-term breaks "
                         "(legal status V3 or V4) are left out of every figure."),
        ("Started and ceased care", "Started: an episode begun in the year with reason S (started to be looked after), "
                                    "a child counted once (the first occasion), by the legal status and category of need "
                                    "of that episode. Ceased: an episode ended in the year with any reason but X1 (a new "
                                    "episode the same day), the last occasion counted, by the reason (REC) grouped."),
        ("New episodes", "Every episode begun in the year, by its reason (RNE): S a new period of care, L a change of "
                         "legal status only, P, T, B, U a change of placement."),
        ("Durations", "Episodes: DECOM to DEC of each episode that ended in the year. Placements: a child's run of "
                      "episodes from one not begun with RNE L to the next, ended in the year. Periods of care: from the "
                      "episode begun with RNE S to the end of care, for children who ceased care (a child whose records begin "
                      "inside a period of care, with no S episode held, has no known start and is left out of lengths of "
                      "care and of adoption timeliness). Bands are the DfE's. "
                      f"A median over other LAs' records is shown only over {data.MEDIAN_MINIMUM} or more."),
        ("Placement moves", "The DfE's placement stability measure: of children looked after at 31 March, those with 3 "
                            "or more placements in the year (the first episode of the year is one placement, each later "
                            "episode not begun with RNE L another)."),
        ("Missing and away", "From the SSDA903 Missing table: episodes begun in the year, M missing, A away from "
                             "placement without authorisation; children with at least one, as a share of children looked "
                             "after at any time in the year in the LAs holding the table; episodes per child. "
                             f"{held.get('Missing', 0)} of 33 LAs hold the table."),
        ("Adoption timeliness", "PlacedAdoption: days from entering care (start of the period of care) to the date placed "
                                "for adoption, children placed in the year. AD1: days from the decision that the child "
                                "should be placed for adoption (DATE_INT) to the match with adopters (DATE_MATCH), "
                                f"children matched in the year. {held.get('PlacedAdoption', 0)} and {held.get('AD1', 0)} "
                                "of 33 LAs hold these tables."),
        ("Tables not loaded", "An LA that has not loaded the Missing, AD1 or PlacedAdoption table is left out of that "
                              "measure and named above the charts; where no LA of an area holds it, the area's figures "
                              "say \"not loaded\", never 0. An LA holds a table when any row of it is stored: a table "
                              "sent with no rows (no child went missing in any year) cannot be told from one not sent, "
                              "so it too reads \"not loaded\"."),
        ("Disclosure control", CHILDREN_NOTE + " Sub-region and London figures are protected whole, your LA's part "
                                               "included, as on Sufficiency."),
        ("Source", "Demo data: synthetic, seeded SSDA903 returns, not any LA's real children." if demo else
         "London LAs' SSDA903 returns, loaded by members (pseudonymised, degraded before storing)."),
    ]


def presentation(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    view = build_view(filters, scope)
    demo = " Demo data (synthetic, seeded)." if view.demo else ""
    return Presentation(
        charts={c: Slide(view.titles[c], view.takeaways[c], view.figures[c], f"Source: {view.sources[c]}.") for c in CHARTS},
        tables=view.tables, notes=view.notes, subtitle=f"{view.areas[0]}, {view.year_label}.{demo}", stem="cld_episodes",
        table_stems={t: f"cld_episodes_{t}" for t in TABLES},
        demo_tables=frozenset(TABLES if view.demo else ()), kpis=view.kpis)
