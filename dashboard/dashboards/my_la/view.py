"""My LA's logic: an LA in, everything the page shows out: the summary line, every indicator (exceptions first) as
a table with its reasons and links, the data status, and the same as files. One cached view per LA and data version.

Access: a member sees their own LA only; an administrator any LA (checked here, on the server, before any cache)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd
from flask import current_app

from dashboard import loader
from dashboard.auth.roles import ADMIN
from dashboard.dashboards.my_la import data, figures, metrics
from dashboard.dashboards.my_la.data import THEMES
from dashboard.presenting import Presentation, Slide
from dashboard.ranking import RANKING_RULES

TABLES = ("indicators", "status")
DEMO_STATUS = "not checked: demo data stands in (this LA has uploaded none)"
CHARTS = ("flagged",)


@dataclass(frozen=True)
class Selection:
    la: str

    def query(self) -> dict:
        return {"la": self.la}


@dataclass
class MyLaView:
    la_code: str
    la_name: str
    summary: str
    rows: list[dict]                       # one per indicator, exceptions first (metrics.standing, plus words)
    table: pd.DataFrame                    # the same, as the download
    exceptions: pd.DataFrame               # the flagged rows only, worst first: the page's first table
    themes: list[tuple[str, pd.DataFrame, int]]   # (theme, its rows exceptions first, how many flagged), every theme
    flagged_figure: object = None          # how many are flagged in each theme
    notes: list[tuple[str, str]] = field(default_factory=list)
    is_demo: bool = False


def may_see(scope: loader.AccessScope, la: str) -> bool:
    return scope.role == ADMIN or la == scope.la_code


def resolve(query: dict, scope: loader.AccessScope) -> Selection | None:
    """The LA the page shows: an administrator's choice (else their own), a member's own LA whatever they ask."""
    codes = set(loader.local_authorities()["la_code"])
    asked = query.get("la")
    if scope.role == ADMIN and asked in codes:
        return Selection(asked)
    return Selection(scope.la_code) if scope.la_code in codes else None


def rules() -> metrics.Rules:
    settings = current_app.config.get("LCSD_SETTINGS")
    if settings is None:
        return metrics.Rules()
    return metrics.Rules(settings.my_la_change_points, settings.my_la_change_percent, settings.my_la_min_neighbours)


def link(row_page: str, query: dict, la: str) -> str:
    return f"{row_page}?{urlencode({k: (la if v == '{la}' else v) for k, v in query.items()})}"


def _figure(row: dict, key: str) -> str:
    labels = row.get("labels") or {}
    if row[key] in labels:   # a grade: its word, with its number (the rank the rules order it by)
        return f"{labels[row[key]]} ({row[key]:.0f})"
    return metrics.format_value(row[key], row["decimals"], row["unit"])


def _stats_text(stats: dict, row: dict, range_too: bool = False) -> str:
    if not stats["n"]:
        return "no LA with a figure"
    dp, unit = row["decimals"], row["unit"]
    text = f"mean {metrics.format_value(stats['mean'], dp, unit)}, median {metrics.format_value(stats['median'], dp, unit)}"
    if range_too:
        text += f", range {metrics.format_value(stats['min'], dp, unit)} to {metrics.format_value(stats['max'], dp, unit)}"
    return text + f" ({stats['n']} of {stats['of']})" if "of" in stats else text + f" ({stats['n']} LAs)"


TABLE_COLUMNS = ("Flag", "Why flagged", "Theme", "Indicator", "Open", "Period", "Value", "Change on last period",
                 "Change on a year before", "Rank in London", "Quartile", "Sub-region", "London", "England",
                 "Statistical neighbours", "Trend", "Trend figures", "Polarity", "Source")


def _table(rows: list[dict]) -> pd.DataFrame:
    """One row per indicator (no rows, every column, for a store with no figures yet)."""
    records = []
    for r in rows:
        verdict = metrics.verdict(r["exceptions"]) if r["exceptions"] else ""
        records.append({
            "Flag": {"better": "Better", "worse": "Worse", "mixed": "Mixed", "neither": "Flagged"}.get(verdict, ""),
            "Why flagged": " ".join(e["reason"] for e in r["exceptions"]),
            "Theme": r["theme"],
            "Indicator": r["name"] + (" (joint return)" if r["joint"] else ""),
            "Open": r["link"],
            "Period": r["period"],
            "Value": _figure(r, "value") or r["missing"],
            "Change on last period": metrics.change_words(r["change_period"], r["decimals"], r["unit"]) or "not available",
            "Change on a year before": metrics.change_words(r["change_year"], r["decimals"], r["unit"]) or "not available",
            "Rank in London": f"{r['rank']} of {r['n_ranked']}" if r["rank"] is not None else r["missing"],
            "Quartile": r["quartile"],
            "Sub-region": f"{r['subregion_name']}: " + _stats_text(r["subregion"], r),
            "London": (f"published {_figure(r, 'london')}; " if _figure(r, "london") else "")
                      + "LAs' " + _stats_text(r["london_las"], r),
            "England": _figure(r, "england") or "not available",
            "Statistical neighbours": _stats_text(r["neighbours"], r, range_too=True) if r["neighbours"]["of"]
                                      else "neighbours not imported",
            "Trend": r["sparkline"],
            "Trend figures": "; ".join(f"{p}: {metrics.format_value(v, r['decimals'], r['unit']) or 'none'}"
                                       for p, v in zip(r["trend_periods"], r["trend"])),
            "Polarity": {"higher": "higher is better", "lower": "lower is better"}.get(r["polarity"], "neither is better"),
            "Source": r["source"],
        })
    return pd.DataFrame.from_records(records, columns=TABLE_COLUMNS)


@loader.view_cache(*data.SOURCES, check=data.check_scope)   # one view per LA and data version, alike for who may see it
def _cached_view(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> MyLaView:
    las = loader.local_authorities()
    info = las.set_index("la_code").loc[selection.la]
    neighbours = data.neighbour_codes(info["dfe_code"])
    found = []
    chosen = rules()
    for series, prepared in data.prepared_indicators(scope):
        row = metrics.standing(series, selection.la, las, neighbours, chosen, prepared)
        row["link"] = link(series.page, series.query, selection.la)
        found.append(row)
    ordered = metrics.order_rows(found, THEMES)
    demo = bool(loader.dataset_info(data.benchmarking_data.NAME)["is_demo"])
    notes = [
        ("What is here", "Every indicator the app holds for the LA: members' quarterly returns (RIIA), DfE, LAIT and ONS "
                         "published statistics (Benchmarking), care leavers, health of looked-after children, the "
                         "social work workforce census, Ofsted's ILACS judgements, education suspensions and SEND. "
                         "Counts (sizes) are left out: they are on their own pages. Agency pay and Leadership in Colour "
                         "are not here: their figures are pay ranges and representation by band, not one figure per LA "
                         "that ranks (see their pages)."),
        ("Ofsted", "Each judgement of the LA's latest ILACS inspection, as a grade: 1 outstanding, 2 good, 3 requires "
                   "improvement, 4 inadequate. LAs are inspected in different years, so there is one period, the latest "
                   "inspection, and no change since a last period. Grades are ranked (LAs with the same grade share a rank) but "
                   "not flagged by London's top or bottom 20%: with four grades most LAs tie, and a tie at good would "
                   "fall in both fifths. They are flagged when outside the statistical neighbours' grades."),
        ("Exceptions", f"Flagged when the LA is in London's top or bottom 20% (Benchmarking's rule); when its figure is "
                       f"above or below all its statistical neighbours with a figure (at least {chosen.min_neighbours}); "
                       f"or when it moved since the last period by more than {chosen.change_points:g} percentage points "
                       f"(indicators in %) or {chosen.change_percent:g}% of the earlier figure (others). Better or worse "
                       "follows each indicator's polarity. Administrators set these (README: My LA)."),
        ("Ranking", RANKING_RULES),
        ("Comparators", "Sub-region, London LAs' and statistical neighbours' figures are the mean and median of the LAs "
                        "with a figure (how many of how many is given); London and England are the published figures "
                        "where the source publishes them."),
        ("Missing figures", "An LA with no return shows \"no return\"; a publisher's marker is shown in words (e.g. "
                            "\"suppressed (c)\"), never 0, and takes no part in ranks or averages."),
        ("Trend", f"The last {metrics.SPARK_PERIODS} periods, lowest to highest within the row (a gap: no figure)."),
    ]
    if demo:
        notes.append(("Demo data", "Demo data: the members' quarterly return is demo data until LAs upload theirs."))
    table = _table(ordered)
    flagged = [bool(r["exceptions"]) for r in ordered]
    themes = [(theme, table[table["Theme"] == theme].reset_index(drop=True),
               sum(f for f, r in zip(flagged, ordered) if r["theme"] == theme)) for theme in THEMES]
    return MyLaView(selection.la, info["la_name"], metrics.summary_line(ordered), ordered, table,
                    table[flagged].reset_index(drop=True), themes,
                    figures.flagged_figure(ordered, THEMES, info["la_name"]), notes, demo)


def build_view(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> MyLaView:
    """The LA's view, refused (before the cache is asked) to a member asking for another LA."""
    if not may_see(scope, selection.la):
        raise PermissionError("A member sees their own LA only")
    return _cached_view(selection, scope, anonymise_with=None)


build_view.cache_key = lambda selection, scope, **kw: _cached_view.cache_key(selection, scope, anonymise_with=None)


def status_versions() -> tuple:
    """Every dataset's (name, version), in one small query: data status reads them all, so its cached outputs are keyed
    by them."""
    return tuple(data.datasets()[["name", "version"]].itertuples(index=False, name=None))


SOURCES, check_scope = data.SOURCES, data.check_scope   # what the page's cached outputs are keyed and guarded by


# --- data status ------------------------------------------------------------------------------------------------------

def data_status(selection: Selection, scope: loader.AccessScope, today=None) -> dict:
    """{"own": the LA's datasets in full, "london": every LA in summary (each LA for administrators), "published":
    the releases imported}. Uploaders are named only to administrators and the LA's own members; otherwise by role."""
    if not may_see(scope, selection.la):
        raise PermissionError("A member sees their own LA only")
    settings = current_app.config.get("LCSD_SETTINGS")
    quarter_days = settings.my_la_quarter_due_days if settings else 45
    year_days = settings.my_la_year_due_days if settings else 92
    today = pd.Timestamp.now().normalize() if today is None else pd.Timestamp(today)
    las = loader.local_authorities()
    uploads, datasets = data.uploads(), data.datasets()
    names = dict(zip(las["la_code"], las["la_name"]))
    tracked = [d for d in datasets["name"] if d in metrics.CADENCES or d in set(uploads["dataset"])]
    state = datasets.set_index("name")

    def per_la(la: str, dataset: str, named: bool) -> dict:
        mine = uploads[(uploads["dataset"] == dataset) & (uploads["la_code"] == la)]
        if mine.empty:
            latest = None
            returned = {"Latest period returned": "none uploaded"
                        + (" (demo data stands in)" if bool(state.loc[dataset, "is_demo"]) else ""),
                        "When": "", "By": "", "Version": ""}
        else:
            last = mine.sort_values(["period", "uploaded_at"]).iloc[-1]
            latest = pd.Timestamp(last["period"]) if str(last["period"])[:4].isdigit() else None
            who = (last["name"] or last["uploaded_by"]) if named else (last["role"] or "member")
            returned = {"Latest period returned": last["period"], "When": f"{last['uploaded_at']:%d %b %Y %H:%M}",
                        "By": who, "Version": int(last["version"])}
        if mine.empty and bool(state.loc[dataset, "is_demo"]):
            # Demo data stands in for returns nobody has made: nothing is due from an LA until real returns start.
            overdue = DEMO_STATUS
        else:
            overdue = metrics.overdue_text(metrics.CADENCES.get(dataset), latest, today, quarter_days, year_days) or "no"
        return {"LA": names[la], "Dataset": metrics.DATASET_NAMES.get(dataset, dataset), **returned,
                "Overdue": overdue}

    own = pd.DataFrame([per_la(selection.la, d, True) for d in tracked])
    if scope.role == ADMIN:
        london = pd.DataFrame([per_la(la, d, True) for d in tracked for la in las["la_code"]])
    else:
        rows = []
        for d in tracked:
            each = [per_la(la, d, False) for la in las["la_code"]]
            rows.append({"Dataset": metrics.DATASET_NAMES.get(d, d), "LAs that have uploaded": sum(r["Version"] != "" for r in each),
                         "LAs overdue": sum(r["Overdue"] not in ("no", DEMO_STATUS) for r in each), "Of": len(each),
                         "Dataset version": int(state.loc[d, "version"]),
                         "Last changed": f"{pd.Timestamp(state.loc[d, 'updated_at']):%d %b %Y %H:%M}"})
        london = pd.DataFrame(rows)
    files = data.published_files()
    published = pd.DataFrame({"Release": files["format"], "File": files["file_name"],
                              "Imported": [f"{pd.Timestamp(t):%d %b %Y %H:%M}" for t in files["imported_at"]],
                              "Rows kept": files["rows_kept"]})
    return {"own": own, "london": london, "published": published, "today": today,
            "rules": f"A quarterly return is due {quarter_days} days after its quarter ends; an annual (year to 31 March) "
                     f"return {year_days} days after 31 March. Overdue: the latest period already due has not been "
                     "uploaded. Where demo data stands in and the LA has uploaded nothing, nothing is counted overdue."}


def presentation(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    view = build_view(selection, scope)
    status = data_status(selection, scope)
    table = view.table.drop(columns=["Open"])
    slide = Slide(f"{view.la_name}: indicators flagged, by theme", view.summary, view.flagged_figure,
                  "Source: members' quarterly returns and published statistics (DfE, ONS)"
                  + ("; the quarterly return is demo data" if view.is_demo else ""))
    return Presentation(charts={"flagged": slide}, tables={"indicators": table, "status": status["own"]}, notes=view.notes,
                        subtitle=f"{view.la_name}: {view.summary}", stem=f"my_la_{selection.la}")

