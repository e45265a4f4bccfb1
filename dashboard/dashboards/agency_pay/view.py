"""The Agency pay (London Pledge) page's logic: filters in, everything the page shows out.

The page's callbacks are thin adapters over `resolve_filters`, `build_view`, `download_table` and (for an
administrator's cap change, a write) `returns.change_cap`.
Worker-level rows stay in `dashboard.dashboards.agency_pay.data`, which turns them into group summaries shared by every
viewer (server side only); here each view protects its own copy (`metrics.protect_summary`, the cell-key method): every
count of other LAs' assignments is perturbed, shares are built from protected counts, and pay figures are shown only
for groups large enough, while the viewer's own LA's assignments are counted exactly.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard import disclosure, loader
from dashboard.dashboards.agency_pay import figures
from dashboard.dashboards.agency_pay import data as pay_loader
from dashboard.dashboards.agency_pay import metrics
from dashboard.dashboards.agency_pay.metrics import JOB_TYPES, quarter_label
from dashboard.disclosure import NO_RETURN, NONE_RETURNED, SUPPRESSED
from dashboard.presenting import Presentation, Slide, anonymise_las

DEFAULT_QUARTERS = 8
LONDON = "london"
ALL_JOBS = "all"
BY_OPTIONS = {"la": "By LA", "job": "By job type"}
METRIC_COLUMNS = ["min", "q1", "median", "q3", "max", "pct_over", "pct_over_excl", "pct_spend_over",
                  "pct_spend_over_excl", "pct_excess"]
COUNT_SHARES = {"pct_over", "pct_over_excl"}
"""Figures built from protected counts alone: shown wherever the group's count is, pay figures or not."""


@dataclass(frozen=True)
class Filters:
    start: pd.Timestamp
    end: pd.Timestamp
    area: str          # "london", "sr:<sub-region code>" or an LA's ONS code
    job: str           # "all" or a job type code
    by: str            # "la" or "job": how the pay range is split

    def query(self) -> dict:
        return {"from": self.start.date().isoformat(), "to": self.end.date().isoformat(), "area": self.area,
                "job": self.job, "by": self.by}


def _parse_date(text, periods):
    try:
        day = pd.Timestamp(text)
    except (TypeError, ValueError):
        return None
    return day if day in periods else None


def resolve_filters(start=None, end=None, area=None, job=None, by=None, *, las: pd.DataFrame,
                    periods: list[pd.Timestamp]) -> Filters | None:
    """Whatever arrived (URL query or dropdowns) made valid; anything unknown falls back to the default,
    "All London & All Job Types" over the last two years."""
    if not periods:
        return None
    end_q = _parse_date(end, periods) or periods[-1]
    start_q = _parse_date(start, periods) or periods[max(0, periods.index(end_q) - DEFAULT_QUARTERS + 1)]
    if start_q > end_q:
        start_q, end_q = end_q, start_q
    areas = {LONDON} | {f"sr:{c}" for c in las["subregion_code"]} | set(las["la_code"])
    return Filters(start_q, end_q, area if area in areas else LONDON, job if job in JOB_TYPES or job == ALL_JOBS else ALL_JOBS,
                   by if by in BY_OPTIONS else "la")


def area_options(las: pd.DataFrame, viewer_la: str | None = None, anonymise_with: str | None = None) -> list[dict]:
    """All London, the sub-regions, then the LAs (by label, and named only for the viewer when anonymised)."""
    subregions = las.drop_duplicates("subregion_code").sort_values("subregion_order")
    la_options = [{"label": n, "value": c} for c, n in zip(las["la_code"], las["la_name"])]
    if anonymise_with:
        named = anonymise_las(las, viewer_la, anonymise_with)
        la_options = [{"label": n, "value": c} for c, n in zip(named["la_code"], named["la_name"])]
    return ([{"label": "All London", "value": LONDON}, {"label": "— Sub-regions —", "value": "heading:sr", "disabled": True}]
            + [{"label": n, "value": f"sr:{c}"} for c, n in zip(subregions["subregion_code"], subregions["subregion_name"])]
            + [{"label": "— LAs —", "value": "heading:la", "disabled": True}] + la_options)


def relabel(text: str, named: pd.DataFrame, labelled: pd.DataFrame) -> str:
    """Free text (an administrator's note on a cap) with each LA's name replaced by its label, longest names first
    ("Richmond upon Thames" before a shorter name it contains)."""
    labels = dict(zip(labelled["la_code"], labelled["la_name"]))
    for code, name in sorted(zip(named["la_code"], named["la_name"]), key=lambda pair: -len(pair[1])):
        text = text.replace(name, labels[code])
    return text


def job_options() -> list[dict]:
    return [{"label": "All job types", "value": ALL_JOBS}] + [{"label": label, "value": code} for code, label in JOB_TYPES.items()]


def quarter_options(periods) -> list[dict]:
    return [{"label": quarter_label(p), "value": p.date().isoformat()} for p in periods]


def area_las(area: str, las: pd.DataFrame) -> tuple[list[str], str]:
    """(LA codes pooled for the area, the area's name)."""
    if area == LONDON:
        return list(las["la_code"]), "All London"
    if area.startswith("sr:"):
        chosen = las[las["subregion_code"] == area[3:]]
        return list(chosen["la_code"]), chosen["subregion_name"].iloc[0]
    return [area], las.set_index("la_code").loc[area, "la_name"]


# --- disclosure control and display -----------------------------------------------------------------------------------

def _money(value) -> str:
    return "—" if value is None or pd.isna(value) else f"£{value:,.2f}"


def _pct(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1f}%"


def display_value(status: str, value, kind: str):
    """A figure as the tables and downloads write it: a number, or "c" / "no return" / "none" (never 0 for missing)."""
    if status:
        return status
    if value is None or pd.isna(value):
        return "—"
    return round(float(value), 2 if kind == "money" else 1)


SUMMARY_COLUMNS = [("n", "Assignments", "count"), ("min", "Lowest (£/h)", "money"), ("q1", "Lower quartile (£/h)", "money"),
                   ("median", "Median (£/h)", "money"), ("q3", "Upper quartile (£/h)", "money"), ("max", "Highest (£/h)", "money"),
                   ("cap", "Cap (£/h)", "money"), ("pct_over", "% over cap", "pct"), ("pct_over_excl", "% over cap excluding legacy", "pct"),
                   ("pct_spend_over", "% of spend over cap", "pct"), ("pct_spend_over_excl", "% of spend over cap excluding legacy", "pct"),
                   ("pct_excess", "Excess over cap (% of spend)", "pct")]


def summary_table(rows, label_column: str, label_header: str, extra: list[tuple[str, str]] = ()) -> pd.DataFrame:
    """`rows` (columns: a DataFrame's, or a dict of arrays or lists) as a table, one figure a cell (`display_value`)."""
    status = figures.values(rows["status"])
    table = {label_header: figures.values(rows[label_column])}
    for column, header in extra:
        table[header] = figures.values(rows[column])
    for column, header, kind in SUMMARY_COLUMNS:
        if column == "n":
            table[header] = [NO_RETURN if s == NO_RETURN else 0 if pd.isna(v) else int(v)
                             for s, v in zip(status, figures.values(rows["n"]))]
        elif column == "cap":
            table[header] = [display_value("", v, "money") for v in figures.values(rows["cap"])] if "cap" in rows else None
        else:
            table[header] = [display_value("" if column in COUNT_SHARES and s == SUPPRESSED else s, v, kind)
                             for s, v in zip(status, figures.values(rows[column]))]
    return pd.DataFrame({k: v for k, v in table.items() if v is not None})


# --- the view ------------------------------------------------------------------------------------------------------

@dataclass
class PayView:
    area_name: str
    job_name: str
    period_label: str
    range_label: str
    is_demo: bool
    caps_illustrative: bool
    kpis: list[tuple[str, str, str]]
    range_title: str
    range_figure: object
    overcap_title: str
    overcap_trend_figure: object
    overcap_la_title: str
    overcap_la_figure: object
    workforce_title: str
    workforce_figure: object
    trend_title: str
    trend_figure: object
    summary_title: str
    summary_table: pd.DataFrame
    trend_table_title: str
    trend_table: pd.DataFrame
    caps_table: pd.DataFrame
    notes: list[tuple[str, str]] = field(default_factory=list)
    takeaways: dict[str, str] = field(default_factory=dict)    # chart -> one sentence saying what it shows


@dataclass(frozen=True)
class AgencyShare:
    """The agency share of social workers beside the returns: each series' value in each of `quarters` (NaN where it
    has none), series by name in the order they are drawn; none where the benchmarking data has no agency rate."""
    quarters: list
    series: dict

    @property
    def empty(self) -> bool:
        return not self.series or not self.quarters

    def latest(self, name: str) -> tuple[pd.Timestamp, float] | None:
        """(quarter, value) of the last quarter with a value in the series `name`, or None."""
        known = np.flatnonzero(~np.isnan(self.series[name])) if name in self.series else ()
        return (self.quarters[known[-1]], self.series[name][known[-1]]) if len(known) else None


def protected(part: tuple[dict, dict], own_alone, returned) -> dict:
    """One summary as this viewer may see it (`metrics.protect_arrays`: `part` is every LA's figures and the viewer's
    own LA's counts, per group), as columns (numpy arrays), with a `status` saying why a row has no pay figures:
    NO_RETURN (`returned` false), NONE_RETURNED (its protected count is 0), SUPPRESSED (too few other LAs' assignments
    for pay figures: its counts and shares over cap are still shown), or "" (a list). The caller adds the groups'
    names."""
    true, mine = part
    shown = metrics.protect_arrays(true, mine, np.asarray(own_alone, dtype=bool))
    status = np.where(shown["n"] == 0, NONE_RETURNED, np.where(shown["pay_shown"], "", SUPPRESSED))
    shown["status"] = np.where(np.asarray(returned, dtype=bool), status, NO_RETURN).tolist()
    return shown


def _row(columns: dict, i: int) -> dict:
    """Row `i` of a summary's columns, as a mapping (`pooled.get("status")`, `row["median"]`)."""
    return {name: column[i] for name, column in columns.items()}


# What every view reads that depends on the data alone, or on it and the naming: worked out once per version of the
# data in each process, shared by every view and read, never changed (no copy).
_kept = loader.ProcessCache(*pay_loader.VIEW_DATASETS)


def _versioned(scope: loader.AccessScope) -> dict:
    """What every view reads that depends on the data alone: the quarters with returns and who returned each, the caps
    in force at each, the benchmarking agency rates (each LA's, by quarter) and DfE's census rate by area."""
    return _kept.get_or_build(lambda: _work_out_versioned(scope), "versioned")


def _by_day(series: pd.Series) -> dict:
    """{a day's nanoseconds: value} of a series indexed by day."""
    return dict(zip(pd.DatetimeIndex(series.index).as_unit("ns").asi8.tolist(), series.to_numpy(dtype="float64").tolist()))


def _work_out_versioned(scope: loader.AccessScope) -> dict:
    returns, caps = pay_loader.returns(), pay_loader.caps()
    periods = [pd.Timestamp(p) for p in sorted(returns["period_end"].unique())]
    returned_at: dict = {}
    for code, day in zip(returns["la_code"], returns["period_end"]):
        returned_at.setdefault(pd.Timestamp(day), set()).add(code)
    rates = pay_loader.agency_rates(scope)
    share = None
    if rates["values"] is not None:
        values, census = rates["values"], rates["census"]
        share = {"values": values,
                 "own": {code: _by_day(frame.set_index("period_end")["value"]) for code, frame in values.groupby("la_code")},
                 "census": {code: _by_day(frame.set_index("period_end")["value"]) for code, frame in census.groupby("area_code")},
                 "has_census": not census.empty}
    return {"periods": periods, "returned_at": {day: frozenset(codes) for day, codes in returned_at.items()},
            "caps_at": {day: _caps_at(caps, day) for day in periods}, "share": share,
            "census_source": rates["census_source"]}


def _caps_at(caps: pd.DataFrame, day) -> dict:
    """The caps in force on `day` (`metrics.caps_in_force`), and what the view reads of them."""
    now = metrics.caps_in_force(caps, day)
    return {"cap_of": dict(zip(now["job_type"].tolist(), now["cap"].tolist())),
            "illustrative": bool(now["is_illustrative"].any()) if not now.empty else False}


def _naming(scope: loader.AccessScope, anonymise_with: str | None) -> dict:
    """What depends on the LAs' names: each area's LAs and name, the LAs shown beside it and the caps table (its notes
    relabelled when others are anonymised), kept per version of the data and naming (with others anonymised: per
    viewer's LA and a digest of the app's secret)."""
    naming = (hashlib.sha256(anonymise_with.encode()).hexdigest(), scope.la_code) if anonymise_with else None
    return _kept.get_or_build(lambda: _work_out_naming(scope, anonymise_with), ("naming", naming))


def _work_out_naming(scope: loader.AccessScope, anonymise_with: str | None) -> dict:
    las = named_las = loader.local_authorities()
    if anonymise_with:   # rows in label order too: the ONS code order would give the labels away
        las = anonymise_las(las, scope.la_code, anonymise_with)
    codes, names, subregions = las["la_code"].tolist(), las["la_name"].tolist(), las["subregion_code"].tolist()
    areas = {}
    for area in [LONDON] + [f"sr:{code}" for code in dict.fromkeys(subregions)] + codes:
        area_codes, area_name = area_las(area, las)
        if len(area_codes) == 1:   # a single LA is shown among its sub-region's LAs
            chosen = {code for code, subregion in zip(codes, subregions) if subregion == subregions[codes.index(area)]}
        else:
            chosen = set(area_codes)
        areas[area] = (area_codes, area_name, [c for c in codes if c in chosen], [n for c, n in zip(codes, names) if c in chosen])
    caps = pay_loader.caps()
    caps_table = pd.DataFrame({
        "Job type": caps["job_type"].map(JOB_TYPES), "Cap (£/h)": caps["cap"].round(2),
        "In force from": caps["effective_from"].dt.strftime("%d %b %Y"),
        "Illustrative": np.where(caps["is_illustrative"], "yes (demo)", "no"),
        "Note": caps["note"] if not anonymise_with else caps["note"].map(lambda text: relabel(text, named_las, las)),
    })
    return {"names": dict(zip(codes, names)), "areas": areas, "caps_table": caps_table}


# Per LA: the viewer's own LA is shown exactly and highlighted.
@loader.view_cache(*pay_loader.VIEW_DATASETS, check=pay_loader.check_scope, depends_on_caller=lambda *_: True)
def build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> PayView:
    """Everything the page shows. `anonymise_with` (the app's secret) replaces every LA name but the viewer's own
    with a stable label before anything is computed, so no chart, table, sentence or file carries them.
    What depends on the data alone (`_versioned`) or on the naming (`_naming`) is worked out once per version of the
    data in each process; the filters' part here, from columns (numpy arrays and lists), not frames."""
    pay_loader.check_scope(scope)
    versioned, naming = _versioned(scope), _naming(scope, anonymise_with)
    own_la = scope.la_code
    area_codes, area_name, shown_codes, shown_names = naming["areas"][filters.area]
    job_name = JOB_TYPES.get(filters.job, "All job types")
    area_is_own = area_codes == [own_la]

    returned_end = versioned["returned_at"].get(filters.end, frozenset())
    n_returned = len(returned_end & set(area_codes))
    caps_now = versioned["caps_at"].get(filters.end) or _caps_at(pay_loader.caps(), filters.end)
    cap_of = caps_now["cap_of"]
    period_label, range_label = quarter_label(filters.end), f"{quarter_label(filters.start)} to {quarter_label(filters.end)}"

    # True summaries, worked out per view from the rows arranged once per data version (server side only), and the
    # viewer's own LA's part of each group, counted exactly; protected here for this viewer. Pay range and over cap by
    # LA (last quarter): a single LA is shown among its sub-region's LAs.
    job_code = None if filters.job == ALL_JOBS else filters.job
    jobs_shown = list(JOB_TYPES) if filters.job == ALL_JOBS else [filters.job]
    quarters = [p for p in versioned["periods"] if filters.start <= p <= filters.end]
    parts = pay_loader.area_parts(scope, area_codes, shown_codes, job_code, filters.start, filters.end, quarters)
    by_la = protected(parts["by_la"], [code == own_la for code in shown_codes], [code in returned_end for code in shown_codes])
    single_cap = cap_of.get(filters.job) if filters.job != ALL_JOBS else None
    by_la.update(la_code=shown_codes, la_name=shown_names,
                 cap=np.full(len(shown_codes), single_cap if single_cap is not None else np.nan))

    # The area's pooled figures are a cell of their own (protected, not the sum of the protected LAs beside them).
    pooled = _row(protected(parts["pooled"], [area_is_own], [n_returned > 0]), 0)
    pooled.update(_all=area_name, cap=by_la["cap"][0] if len(shown_codes) else np.nan)

    by_job = protected(parts["by_job"], [area_is_own] * len(jobs_shown), [n_returned > 0] * len(jobs_shown))
    by_job.update(job_type=jobs_shown, job_name=[JOB_TYPES[j] for j in jobs_shown],
                  cap=np.array([cap_of.get(j, np.nan) for j in jobs_shown], dtype="float64"))

    # Over cap by quarter for the area, with and without legacy contracts.
    area_set = set(area_codes)
    returned_in = np.array([len(versioned["returned_at"].get(p, frozenset()) & area_set) for p in quarters], dtype="int64")
    labels = [quarter_label(p) for p in quarters]
    per_quarter = protected(parts["per_quarter"], [area_is_own] * len(quarters), returned_in > 0)
    per_quarter.update(period_end=quarters, n_returned=returned_in, quarter=labels)

    # Median and spread per job type by quarter: are rates converging? Each job type's quarter is a cell of its own.
    trend = protected(parts["by_quarter_job"], [area_is_own] * len(quarters) * len(jobs_shown),
                      np.repeat(returned_in > 0, len(jobs_shown)))
    trend.update(period_end=[p for p in quarters for _ in jobs_shown], job_type=jobs_shown * len(quarters),
                 quarter=[label for label in labels for _ in jobs_shown],
                 job_name=[JOB_TYPES[j] for j in jobs_shown] * len(quarters))
    with_figures = [i for i, s in enumerate(trend["status"]) if s == ""]
    convergence = metrics.spread_change({name: [trend[name][i] for i in with_figures]
                                         for name in ("job_type", "period_end", "q1", "q3")})

    # Agency workforce: workers in the returns, and the agency share of social workers from the benchmarking data.
    own_name = naming["names"].get(own_la)
    workforce_share = _agency_share(versioned["share"], area_codes, area_name, own_la, own_name, quarters)

    earlier = [i for i, p in enumerate(quarters) if p < filters.end]
    previous = _row(per_quarter, earlier[-1]) if earlier else None
    kpis = _kpis(pooled, previous, per_quarter, n_returned, len(area_codes), period_label, workforce_share)

    is_demo = bool(loader.dataset_info(pay_loader.NAME)["is_demo"])
    caps_illustrative = caps_now["illustrative"]
    by_label = "LA" if filters.by == "la" else "job type"
    if filters.by == "la":
        range_figure = figures.range_by_la_figure(by_la, pooled, area_name, own_la, filters.area, cap_of, filters.job)
    else:
        range_figure = figures.range_by_job_figure(by_job, pooled, area_name)
    range_title = f"Hourly pay after PAYE adjustments by {by_label}: {area_name}, {job_name.lower()}, {period_label}"
    if filters.by == "la":
        summary = summary_table(_below_total(pooled, area_name, by_la, "la_name"), "label", "LA")
    else:
        summary = summary_table(_below_total(pooled, f"{area_name}: all shown", by_job, "job_name"), "label", "Job type")
    trend_table = _trend_table(per_quarter, trend, len(jobs_shown))
    notes = _notes(area_name, job_name, range_label, period_label, n_returned, len(area_codes), is_demo,
                   caps_illustrative, cap_of, convergence, versioned["census_source"])
    if anonymise_with:
        notes.append(("Anonymised", "LA names other than your own are replaced by stable labels (LA 1 to LA 33)."))
    takeaways = {
        "range": range_takeaway(pooled, by_la if filters.by == "la" else None, by_job if filters.by == "job" else None,
                                own_la, own_name, area_name, job_name, period_label),
        "overcap": overcap_takeaway(per_quarter, area_name, job_name),
        "overcap-la": overcap_by_la_takeaway(by_la, own_la, period_label),
        "workforce": workforce_takeaway(per_quarter, workforce_share, area_name),
        "trend": convergence_takeaway(convergence, trend),
    }
    return PayView(
        area_name=area_name, job_name=job_name, period_label=period_label, range_label=range_label, is_demo=is_demo,
        caps_illustrative=caps_illustrative, kpis=kpis,
        range_title=range_title, range_figure=range_figure,
        overcap_title=f"Over cap by quarter: {area_name}, {job_name.lower()}, {range_label}",
        overcap_trend_figure=figures.overcap_trend_figure(per_quarter),
        overcap_la_title=f"Share of spend over cap by LA: {job_name.lower()}, {period_label} ({len(returned_end & set(shown_codes))} of {len(shown_codes)} LAs returned)",
        overcap_la_figure=figures.overcap_by_la_figure(by_la, own_la, filters.area),
        workforce_title=f"Agency workforce: {area_name}, {range_label}",
        workforce_figure=figures.workforce_figure(per_quarter, workforce_share, area_name),
        trend_title=f"Median and spread of hourly pay by job type: {area_name}, {range_label}",
        trend_figure=figures.trend_figure(trend),
        summary_title=f"Pay range and over cap by {by_label}: {area_name}, {job_name.lower()}, {period_label}",
        summary_table=summary, trend_table_title=f"By quarter and job type: {area_name}, {range_label}",
        trend_table=trend_table, caps_table=naming["caps_table"].copy(), notes=notes, takeaways=takeaways,
    )


def _below_total(total: dict, label: str, rows: dict, label_column: str) -> dict[str, list]:
    """The area's row (`total`, labelled `label`) above `rows`, in the columns a summary table reads (lists)."""
    out = {name: [total[name]] + figures.values(rows[name]) for name in ("status", "n", "cap", *METRIC_COLUMNS)}
    out["label"] = [label] + figures.values(rows[label_column])
    return out


def _agency_share(share: dict | None, area_codes, area_name, own_la, own_name, quarters) -> AgencyShare:
    """The benchmarking dataset's agency rate (London, the area, the viewer's LA) and DfE's census rate (London, the
    LA), each over the quarters chosen (NaN where it has no figure); the LAs' own rates read from those kept per
    version."""
    if share is None:
        return AgencyShare(list(quarters), {})
    days = [pd.Timestamp(p).value for p in quarters]

    def over(values: dict) -> np.ndarray:
        return np.array([values.get(day, np.nan) for day in days], dtype="float64")

    # The averages worked out over the quarters chosen, as they always were: pandas' mean of a group is not always
    # the same to the last bit when the frame around it is larger (a whole version's quarters).
    values = share["values"]
    values = values[values["period_end"].isin(quarters)]
    parts = {"London average": over(_by_day(values.groupby("period_end")["value"].mean()))}
    if area_name != "All London":
        parts[area_name if len(area_codes) == 1 else f"{area_name} average"] = over(
            _by_day(values[values["la_code"].isin(area_codes)].groupby("period_end")["value"].mean()))
    if own_name and area_codes != [own_la]:  # the viewer's own LA, unless it is already the area's line
        parts[f"{own_name} (your LA)"] = over(share["own"].get(own_la, {}))
    # Published DfE census figures (30 September) where imported: real data beside the quarterly returns.
    if share["has_census"]:
        for code, label in [(pay_loader.LONDON_REGION, "London (DfE census)")] + (
                [(area_codes[0], f"{area_name} (DfE census)")] if len(area_codes) == 1 else []):
            parts[label] = over(share["census"].get(code, {}))
    return AgencyShare(list(quarters), parts)


def _kpis(head: dict, previous: dict | None, per_quarter: dict, n_returned, n_las, period_label,
          share: AgencyShare) -> list[tuple[str, str, str]]:
    status = head.get("status", "")
    show = (lambda value, fmt: status if status else fmt(value))
    count_share = (lambda value: status if status not in ("", SUPPRESSED) else _pct(value))   # from protected counts
    if previous is None or status or previous["status"]:
        change, change_note = "not available", "no comparable previous quarter"
    else:
        delta = head["pct_spend_over"] - previous["pct_spend_over"]
        arrow = "▼" if delta < 0 else "▲" if delta > 0 else "–"
        change = f"{arrow} {abs(delta):.1f} points"
        change_note = "lower is better" if delta else ""
    shown_share = [v for v in figures.values(per_quarter["pct_spend_over"]) if not pd.isna(v)]
    best = ""
    if not status and len(shown_share) > 1 and head["pct_spend_over"] <= min(shown_share) + 1e-9:
        best = "the lowest in the quarters chosen"
    share_latest, census = share.latest("London average"), share.latest("London (DfE census)")
    census_note = f"; DfE census {census[0].strftime('%d %b %Y')}: {_pct(census[1])}" if census else ""
    return [
        (f"Assignments, {period_label}", NO_RETURN if status == NO_RETURN else f"{int(head['n']):,}",
         f"{n_returned} of {n_las} LAs returned"),
        ("Median hourly pay (after PAYE adjustments)", show(head.get("median"), _money),
         "" if status else f"middle half {_money(head['q1'])} to {_money(head['q3'])}"),
        ("Assignments over cap", count_share(head.get("pct_over")),
         "" if status not in ("", SUPPRESSED) else f"{_pct(head['pct_over_excl'])} excluding legacy contracts"),
        ("Spend on over-cap assignments", show(head.get("pct_spend_over"), _pct),
         best or ("" if status else f"{_pct(head['pct_spend_over_excl'])} excluding legacy contracts")),
        ("Change on previous quarter", change, change_note),
        ("Agency share of social workers (London)", _pct(share_latest[1]) if share_latest else "not available",
         (f"benchmarking data, {quarter_label(share_latest[0])}" if share_latest else "") + census_note),
    ]


def _trend_table(per_quarter: dict, trend: dict, n_jobs: int) -> pd.DataFrame:
    """Each quarter's row for all job types shown, then its row for each job type."""
    order = [row for q in range(len(per_quarter["quarter"]))
             for row in [("total", q)] + [("job", q * n_jobs + j) for j in range(n_jobs)]]
    total = {**{name: figures.values(column) for name, column in per_quarter.items()},
             "job_name": ["All job types shown"] * len(per_quarter["quarter"])}
    jobs = {name: figures.values(column) for name, column in trend.items()}
    rows = {name: [(total if part == "total" else jobs)[name][i] for part, i in order]
            for name in ("quarter", "job_name", "status", "n", *METRIC_COLUMNS)}
    table = summary_table(rows, "quarter", "Quarter", extra=[("job_name", "Job type")])
    spread = [display_value(s, q3 - q1 if pd.notna(q1) else np.nan, "money")
              for s, q1, q3 in zip(rows["status"], rows["q1"], rows["q3"])]
    table.insert(table.columns.get_loc("Upper quartile (£/h)") + 1, "Spread: upper minus lower quartile (£/h)", spread)
    return table.drop(columns=["Cap (£/h)"], errors="ignore")


def _notes(area_name, job_name, range_label, period_label, n_returned, n_las, is_demo, caps_illustrative,
           cap_of: dict, convergence, published_source: str) -> list[tuple[str, str]]:
    cap_text = "; ".join(f"{JOB_TYPES[j]} £{c:.2f}" for j, c in cap_of.items())
    converging = "; ".join(f"{JOB_TYPES.get(r.job_type, r.job_type)}: spread £{r.first_spread:.2f} in "
                           f"{quarter_label(r.first_period)}, £{r.last_spread:.2f} in {quarter_label(r.last_period)} ({r.verdict})"
                           for r in convergence.itertuples() if r.verdict)
    rates = pay_loader.paye_rates()
    ni = ", ".join(f"{rate * 100:.2f}% from {day.strftime('%d %b %Y')}" for day, rate in rates["ni_rates"])
    return [
        ("What this shows", f"{area_name}, {job_name.lower()}, {range_label}. Charts by LA and job type use the last "
                            f"quarter chosen ({period_label}); {n_returned} of {n_las} LAs returned for it."),
        ("Hourly pay after PAYE adjustments", "Rates made comparable with the caps: for workers paid through PAYE the "
         f"returned rate includes holiday pay ({rates['holiday_pay_rate'] * 100:.2f}% of basic pay) and employer National "
         f"Insurance ({ni}), so both are taken out: rate / ((1 + holiday pay) x (1 + employer NI)). Umbrella and "
         "limited-company rates are used as returned."),
        ("Caps", f"The cap for each job type in force on the quarter's last day. In force for {period_label}: {cap_text}."
         + (" These caps are illustrative demo values, not the Pledge's agreed rates." if caps_illustrative else "")),
        ("Over cap", "The adjusted rate, to the penny, is above the cap (a rate equal to the cap is within it). "
                     "% of spend over cap = weekly spend (hours x adjusted rate) on assignments paid over cap, as a share "
                     "of all weekly spend. Excess = hours x (adjusted rate - cap), the money paid above the cap."),
        ("Legacy contracts", "Assignments agreed before the Pledge. Figures 'excluding legacy' leave them out."),
        ("Ranges", "Lowest, quartiles, median and highest adjusted hourly rate, one value per assignment (not weighted "
                   "by hours); quartiles by linear interpolation (Excel's QUARTILE.INC)."),
        ("Converging?", (converging or "Not enough quarters with figures to say.")
         + " The spread is the upper minus the lower quartile: a narrower spread means rates are converging."),
        ("Disclosure control", disclosure.assignments_note(metrics.PAY_MINIMUM) + " No worker-level row leaves the server."),
        ("Missing", "'no return' means the LA made no return for that quarter: it is left out of every figure, never "
                    "counted as 0. 'none' means it returned and had no agency assignments in that group."),
        ("Agency workforce", "Agency assignments are the rows of the Pledge return (one per assignment or worker). The "
                             "agency share of social workers is the benchmarking dataset's 'Social worker agency rate' "
                             "(agency FTE as a share of all social worker FTE); averages are unweighted means of LAs that "
                             "returned. Where imported, DfE's published rate at its 30 September census "
                             f"({published_source}) is marked ◆ on the quarter ending that day."),
        ("Source", "London Pledge quarterly agency pay-rate returns from each LA (100% regional collection); caps from "
                   "the Pledge agreement as entered by an administrator."),
        ("Data", "Demo data: synthetic, not any LA's real figures." if is_demo else "Members' returns."),
    ]


# --- what each chart shows, in one sentence (on the page, as the chart's text alternative, and on its slide) -----

WHY_NO_FIGURE = {SUPPRESSED: "too few assignments to show pay figures (c)", NO_RETURN: "no return",
                 NONE_RETURNED: "no assignments"}
MISSING_COUNT = {SUPPRESSED: "c (too few assignments to show pay figures)", NO_RETURN: "no return",
                 NONE_RETURNED: "no assignments"}


def _why(status: str) -> str:
    return WHY_NO_FIGURE.get(status, "no figure")


def _assignments(job_name: str) -> str:
    return "assignments (all job types)" if job_name == "All job types" else f"{job_name.lower()} assignments"


def _plural(job_name: str) -> str:
    return (job_name if job_name.startswith("IRO") else job_name.lower()) + "s"


def _missing(statuses: list[str]) -> str:
    """'2 c (fewer than 5 assignments), 1 no return': the LAs shown without a figure, and why (the most first)."""
    counts: dict[str, int] = {}
    for status in statuses:
        if status != "":
            counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {MISSING_COUNT.get(s, s)}" for s, n in sorted(counts.items(), key=lambda item: -item[1]))


def _first_max(rows: list[int], values: list, lowest: bool = False) -> int | None:
    """Of the rows `rows`, the first with the highest (or lowest) value; None if none has one."""
    best = None
    for i in rows:
        if not pd.isna(values[i]) and (best is None or (values[i] < values[best] if lowest else values[i] > values[best])):
            best = i
    return best


# The sentences read summaries given as columns: a DataFrame's, or a dict of arrays or lists, as the view keeps them.

def range_takeaway(pooled, by_la, by_job, own_la: str | None, own_name: str | None, area_name: str, job_name: str,
                   period_label: str) -> str:
    """The pay range: the area's median and middle half, then the highest LA (or job type) and the viewer's own LA."""
    status = pooled.get("status", "")
    if status:
        return f"{area_name}, {job_name.lower()}, {period_label}: {_why(status)}; no pay range is shown."
    text = (f"{area_name}, {job_name.lower()}, {period_label}: the median agency rate after PAYE adjustments is "
            f"{_money(pooled['median'])} an hour (middle half {_money(pooled['q1'])} to {_money(pooled['q3'])}), "
            f"over {int(pooled['n']):,} assignments")
    if by_la is not None:
        statuses, medians, codes, names = (figures.values(by_la[c]) for c in ("status", "median", "la_code", "la_name"))
        shown = [i for i, s in enumerate(statuses) if s == ""]
        top = _first_max(shown, medians) if len(shown) > 1 else None
        if top is not None:
            text += f"; the highest median is {names[top]}'s ({_money(medians[top])})"
        own = [i for i, code in enumerate(codes) if code == own_la]
        if own_name and own and (top is None or codes[top] != own_la):
            row = own[0]
            text += (f"; {own_name} (your LA): {_money(medians[row])}" if statuses[row] == ""
                     else f"; {own_name} (your LA): {_why(statuses[row])}")
    if by_job is not None:
        statuses, medians, names = (figures.values(by_job[c]) for c in ("status", "median", "job_name"))
        shown = [i for i, s in enumerate(statuses) if s == ""]
        if len(shown) > 1:
            high, low = _first_max(shown, medians), _first_max(shown, medians, lowest=True)
            text += (f"; {_plural(names[high])} have the highest median ({_money(medians[high])}) and "
                     f"{_plural(names[low])} the lowest ({_money(medians[low])})")
        hidden = [i for i, s in enumerate(statuses) if s != ""]
        if hidden:
            text += "; no figure for " + _and([f"{_plural(names[i])} ({MISSING_COUNT.get(statuses[i], statuses[i])})"
                                               for i in hidden])
    return text + "."


def overcap_takeaway(per_quarter, area_name: str, job_name: str) -> str:
    """Over cap in the last quarter, against the first quarter chosen that has a figure."""
    statuses = figures.values(per_quarter["status"])
    if not statuses:
        return f"{area_name} has no quarters in the range chosen."
    quarter, over, spend, spend_excl = (figures.values(per_quarter[c])
                                        for c in ("quarter", "pct_over", "pct_spend_over", "pct_spend_over_excl"))
    last = len(statuses) - 1
    if statuses[last] == SUPPRESSED:
        return (f"In {quarter[last]}, {_pct(over[last])} of {_assignments(job_name)} in {area_name} were paid over "
                f"the cap; {_why(statuses[last])}, so no share of spend is shown.")
    if statuses[last]:
        return f"{area_name}, {job_name.lower()}, {quarter[last]}: {_why(statuses[last])}; no share over cap is shown."
    text = (f"In {quarter[last]}, {_pct(over[last])} of {_assignments(job_name)} in {area_name} were paid over the cap, "
            f"{_pct(spend[last])} of spend ({_pct(spend_excl[last])} excluding legacy contracts)")
    earlier = [i for i in range(last) if statuses[i] == "" and not pd.isna(spend[i])]
    if earlier:
        first = earlier[0]
        change = spend[last] - spend[first]
        move = "down from" if change < -0.05 else "up from" if change > 0.05 else "level with"
        text += f"; spend over cap is {move} {_pct(spend[first])} in {quarter[first]}"
    return text + "."


def overcap_by_la_takeaway(by_la, own_la: str | None, period_label: str) -> str:
    """Which LA spends most over the cap, where the viewer's LA stands, and how many LAs have no figure (and why)."""
    statuses, spend, codes, names = (figures.values(by_la[c]) for c in ("status", "pct_spend_over", "la_code", "la_name"))
    shown = [i for i, s in enumerate(statuses) if s == "" and not pd.isna(spend[i])]
    missing = _missing(statuses)
    if not shown:
        return f"No LA shown has a figure for {period_label}" + (f" ({missing})." if missing else ".")
    top = _first_max(shown, spend)
    text = f"In {period_label}, {names[top]} spent the largest share over the cap ({_pct(spend[top])} of spend)"
    own = [i for i, code in enumerate(codes) if code == own_la]
    if own and codes[own[0]] != codes[top]:
        row = own[0]
        text += (f"; {names[row]} (your LA): {_pct(spend[row])}" if statuses[row] == ""
                 else f"; {names[row]} (your LA): {_why(statuses[row])}")
    over = sum(1 for i in shown if spend[i] > 0)
    text += (f"; {'all' if over == len(shown) else over} {'of the ' if over < len(shown) else ''}{len(shown)} LAs with a figure "
             "spent something over the cap")
    return text + (f"; not shown: {missing}." if missing else ".")


def workforce_takeaway(per_quarter, share: AgencyShare, area_name: str) -> str:
    """Agency assignments in the returns, last quarter against the first, and the London agency share of social workers."""
    statuses = figures.values(per_quarter["status"])
    if not statuses:
        return f"{area_name} has no quarters in the range chosen."
    quarter, n = figures.values(per_quarter["quarter"]), figures.values(per_quarter["n"])
    if statuses[-1] == NO_RETURN:
        text = f"{area_name}, {quarter[-1]}: {_why(statuses[-1])} in the Pledge returns"
    else:
        text = f"The Pledge returns for {area_name} list {int(n[-1]):,} agency assignments in {quarter[-1]}"
        if len(statuses) > 1 and statuses[0] != NO_RETURN:
            text += f" ({int(n[0]):,} in {quarter[0]})"
    latest = share.latest("London average")
    if latest:
        text += (f"; agency workers were {_pct(latest[1])} of London's children's social workers in "
                 f"{quarter_label(latest[0])} (benchmarking data)")
    else:
        text += "; the agency share of social workers is not in the benchmarking data for these quarters"
    return text + "."


def convergence_takeaway(convergence: pd.DataFrame, trend) -> str:
    """Are rates converging? The spread (upper minus lower quartile) per job type, first against last quarter with figures."""
    verdicts = figures.values(convergence["verdict"]) if len(convergence) else []
    judged = [i for i, verdict in enumerate(verdicts) if verdict != ""]
    if not judged:
        return "Not enough quarters with figures to say whether rates are converging."
    jobs, firsts, lasts = (figures.values(convergence[c]) for c in ("job_type", "first_period", "last_period"))
    narrower = [_plural(JOB_TYPES.get(jobs[i], jobs[i])) for i in judged if verdicts[i].startswith("narrower")]
    wider = [_plural(JOB_TYPES.get(jobs[i], jobs[i])) for i in judged if verdicts[i].startswith("wider")]
    first, last = quarter_label(min(firsts[i] for i in judged)), quarter_label(max(lasts[i] for i in judged))
    parts = []
    if narrower:
        parts.append(f"narrowed (rates converging) for {_and(narrower)}")
    if wider:
        parts.append(f"widened for {_and(wider)}")
    if not parts:
        parts.append("was unchanged for every job type with figures")
    text = f"From {first} to {last}, the spread of hourly pay " + " and ".join(parts)
    hidden = sum(1 for status in figures.values(trend["status"]) if status != "")
    if hidden:
        text += (f"; {hidden} job-type quarter{'s have' if hidden > 1 else ' has'} no figure "
                 "(no return, no assignments, or too few to show)")
    return text + "."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- presenting: chart images, slides and files, all rebuilt on the server from the filters ---------------------

CHARTS = {"range": ("range_figure", "range_title"), "overcap": ("overcap_trend_figure", "overcap_title"),
          "overcap-la": ("overcap_la_figure", "overcap_la_title"), "workforce": ("workforce_figure", "workforce_title"),
          "trend": ("trend_figure", "trend_title")}


def _file_stem(filters: Filters, anonymise_with: str | None) -> str:
    # An anonymised file's name must not give the LA away by its ONS code.
    area = "anonymised" if anonymise_with and filters.area.startswith("E0") else filters.area.replace(":", "-")
    return f"agency_pay_{area}_{filters.job}_{filters.end.date().isoformat()}"


def source_line(view: PayView) -> str:
    source = next((text for term, text in view.notes if term == "Source"), "")
    return (f"Source: {source}" + (" Demo data: synthetic, not any LA's real figures." if view.is_demo else "")
            + (" Caps are illustrative demo values." if view.caps_illustrative else ""))


def presentation(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    """The page's charts, tables and notes as its downloads, images and slides take them (rebuilt on the server)."""
    view = build_view(filters, scope, anonymise_with=anonymise_with)
    source = source_line(view)
    return Presentation(
        kpis=view.kpis,
        charts={chart: Slide(getattr(view, title), view.takeaways[chart], getattr(view, figure), source)
                for chart, (figure, title) in CHARTS.items()},
        tables={"summary": view.summary_table, "trend": view.trend_table, "caps": view.caps_table},
        notes=view.notes,
        subtitle=(f"{view.area_name}, {view.job_name.lower()}, {view.range_label}." + (" Demo data." if view.is_demo else "")
                  + (" Anonymised." if anonymise_with else "")),
        stem=_file_stem(filters, anonymise_with))
