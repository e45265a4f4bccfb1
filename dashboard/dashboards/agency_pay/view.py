"""The Agency pay (London Pledge) page's logic: filters in, everything the page shows out.

The page's callbacks are thin adapters over `resolve_filters`, `build_view`, `download_table` and (for an
administrator's cap change, a write) `returns.change_cap`.
Worker-level rows stay in `dashboard.dashboards.agency_pay.data`, which turns them into group summaries shared by every
viewer (server side only); here each view protects its own copy (`metrics.protect_summary`, the cell-key method): every
count of other LAs' assignments is perturbed, shares are built from protected counts, and pay figures are shown only
for groups large enough, while the viewer's own LA's assignments are counted exactly.
"""
from __future__ import annotations

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


def summary_table(rows: pd.DataFrame, label_column: str, label_header: str, extra: list[tuple[str, str]] = ()) -> pd.DataFrame:
    table = {label_header: rows[label_column].tolist()}
    for column, header in extra:
        table[header] = rows[column].tolist()
    for column, header, kind in SUMMARY_COLUMNS:
        if column == "n":
            table[header] = [NO_RETURN if s == NO_RETURN else int(v) for s, v in zip(rows["status"], rows["n"].fillna(0))]
        elif column == "cap":
            table[header] = [display_value("", v, "money") for v in rows["cap"]] if "cap" in rows else None
        else:
            table[header] = [display_value("" if column in COUNT_SHARES and s == SUPPRESSED else s, v, kind)
                             for s, v in zip(rows["status"], rows[column])]
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


def protected(keys: dict, part: tuple[dict, dict], own_alone, returned) -> pd.DataFrame:
    """One summary as this viewer may see it (`metrics.protect_arrays`: `part` is every LA's figures and the viewer's
    own LA's counts, per group), its groups named by `keys` (columns), with a `status` saying why a row has no pay
    figures: NO_RETURN (`returned` false), NONE_RETURNED (its protected count is 0), SUPPRESSED (too few other LAs'
    assignments for pay figures: its counts and shares over cap are still shown), or ""."""
    true, mine = part
    shown = metrics.protect_arrays(true, mine, np.asarray(own_alone, dtype=bool))
    status = np.where(shown["n"] == 0, NONE_RETURNED, np.where(shown["pay_shown"], "", SUPPRESSED))
    shown["status"] = np.where(np.asarray(returned, dtype=bool), status, NO_RETURN)
    return pd.DataFrame({**keys, **shown})


# Per LA: the viewer's own LA is shown exactly and highlighted.
@loader.view_cache(*pay_loader.VIEW_DATASETS, check=pay_loader.check_scope, depends_on_caller=lambda *_: True)
def build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> PayView:
    """Everything the page shows. `anonymise_with` (the app's secret) replaces every LA name but the viewer's own
    with a stable label before anything is computed, so no chart, table, sentence or file carries them."""
    las = named_las = loader.local_authorities()
    if anonymise_with:   # rows in label order too: the ONS code order would give the labels away
        las = anonymise_las(las, scope.la_code, anonymise_with)
    caps = pay_loader.caps()
    returns = pay_loader.returns()
    own_la = scope.la_code
    area_codes, area_name = area_las(filters.area, las)
    job_name = JOB_TYPES.get(filters.job, "All job types")
    area_is_own = area_codes == [own_la]

    returned_end = set(returns.loc[returns["period_end"] == filters.end, "la_code"])
    n_returned = len(returned_end & set(area_codes))
    caps_now = metrics.caps_in_force(caps, filters.end)
    period_label, range_label = quarter_label(filters.end), f"{quarter_label(filters.start)} to {quarter_label(filters.end)}"

    # Pay range and over cap by LA (last quarter). A single LA is shown among its sub-region's LAs.
    if len(area_codes) == 1:
        shown_las = las[las["subregion_code"] == las.set_index("la_code").loc[area_codes[0], "subregion_code"]]
    else:
        shown_las = las[las["la_code"].isin(area_codes)]
    # True summaries, worked out per view from the rows arranged once per data version (server side only), and the
    # viewer's own LA's part of each group, counted exactly; protected here for this viewer.
    job_code = None if filters.job == ALL_JOBS else filters.job
    jobs_shown = list(JOB_TYPES) if filters.job == ALL_JOBS else [filters.job]
    quarters = [pd.Timestamp(p) for p in sorted(returns["period_end"].unique()) if filters.start <= p <= filters.end]
    parts = pay_loader.area_parts(scope, area_codes, list(shown_las["la_code"]), job_code, filters.start, filters.end,
                                  quarters)
    shown_codes = shown_las["la_code"].to_numpy()
    by_la = protected({"la_code": shown_codes, "la_name": shown_las["la_name"].to_numpy()}, parts["by_la"],
                      shown_codes == own_la, np.isin(shown_codes, list(returned_end)))
    single_cap = caps_now.set_index("job_type")["cap"].get(filters.job) if filters.job != ALL_JOBS else None
    by_la["cap"] = single_cap if single_cap is not None else np.nan

    # The area's pooled figures are a cell of their own (protected, not the sum of the protected LAs beside them).
    pooled = protected({"_all": [area_name]}, parts["pooled"], [area_is_own], [n_returned > 0])
    pooled["cap"] = by_la["cap"].iloc[0] if len(by_la) else np.nan

    cap_of = caps_now.set_index("job_type")["cap"]
    by_job = protected({"job_type": jobs_shown}, parts["by_job"], [area_is_own] * len(jobs_shown),
                       [n_returned > 0] * len(jobs_shown))
    by_job["job_name"] = [JOB_TYPES[j] for j in jobs_shown]
    by_job["cap"] = by_job["job_type"].map(cap_of)

    # Over cap by quarter for the area, with and without legacy contracts.
    area_returns = returns[returns["la_code"].isin(area_codes)].groupby("period_end").size()
    returned_in = area_returns.reindex(quarters, fill_value=0).to_numpy()
    labels = [quarter_label(p) for p in quarters]
    per_quarter = protected({"period_end": quarters, "n_returned": returned_in}, parts["per_quarter"],
                            [area_is_own] * len(quarters), returned_in > 0)
    per_quarter["quarter"] = labels

    # Median and spread per job type by quarter: are rates converging? Each job type's quarter is a cell of its own.
    trend = protected({"period_end": [p for p in quarters for _ in jobs_shown], "job_type": jobs_shown * len(quarters)},
                      parts["by_quarter_job"], [area_is_own] * len(quarters) * len(jobs_shown),
                      np.repeat(returned_in > 0, len(jobs_shown)))
    trend["quarter"] = np.repeat(labels, len(jobs_shown)).tolist()
    trend["job_name"] = [JOB_TYPES[j] for j in jobs_shown] * len(quarters)
    convergence = metrics.spread_change(trend[trend["status"] == ""]) if not trend.empty else pd.DataFrame()

    # Agency workforce: workers in the returns, and the agency share of social workers from the benchmarking data.
    workforce_share = _agency_share(filters, scope, las, area_codes, area_name, own_la, quarters)

    head = pooled.iloc[0]
    previous = per_quarter[per_quarter["period_end"] < filters.end].tail(1)
    kpis = _kpis(head, previous, per_quarter, n_returned, len(area_codes), period_label, workforce_share)

    is_demo = bool(loader.dataset_info(pay_loader.NAME)["is_demo"])
    caps_illustrative = bool(caps_now["is_illustrative"].any()) if not caps_now.empty else False
    by_label = "LA" if filters.by == "la" else "job type"
    if filters.by == "la":
        range_figure = figures.range_by_la_figure(by_la, pooled.iloc[0], area_name, own_la, filters.area, caps_now, filters.job)
    else:
        range_figure = figures.range_by_job_figure(by_job, pooled.iloc[0], area_name)
    range_title = f"Hourly pay after PAYE adjustments by {by_label}: {area_name}, {job_name.lower()}, {period_label}"
    summary = (summary_table(pd.concat([pooled.rename(columns={"_all": "label"}),
                                        by_la.rename(columns={"la_name": "label"})], ignore_index=True), "label", "LA")
               if filters.by == "la" else
               summary_table(pd.concat([pooled.rename(columns={"_all": "label"}).assign(label=f"{area_name}: all shown"),
                                        by_job.rename(columns={"job_name": "label"})], ignore_index=True), "label", "Job type"))
    trend_table = _trend_table(per_quarter, trend, area_name)
    caps_table = pd.DataFrame({
        "Job type": caps["job_type"].map(JOB_TYPES), "Cap (£/h)": caps["cap"].round(2),
        "In force from": caps["effective_from"].dt.strftime("%d %b %Y"),
        "Illustrative": np.where(caps["is_illustrative"], "yes (demo)", "no"),
        "Note": caps["note"] if not anonymise_with else caps["note"].map(lambda text: relabel(text, named_las, las)),
    })
    notes = _notes(filters, area_name, job_name, range_label, period_label, n_returned, len(area_codes), is_demo,
                   caps_illustrative, caps_now, convergence, pay_loader.agency_rates(scope)["census_source"])
    if anonymise_with:
        notes.append(("Anonymised", "LA names other than your own are replaced by stable labels (LA 1 to LA 33)."))
    own_name = las.set_index("la_code")["la_name"].get(own_la)
    takeaways = {
        "range": range_takeaway(pooled.iloc[0], by_la if filters.by == "la" else None, by_job if filters.by == "job" else None,
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
        overcap_la_title=f"Share of spend over cap by LA: {job_name.lower()}, {period_label} ({len(returned_end & set(shown_las['la_code']))} of {len(shown_las)} LAs returned)",
        overcap_la_figure=figures.overcap_by_la_figure(by_la, own_la, filters.area),
        workforce_title=f"Agency workforce: {area_name}, {range_label}",
        workforce_figure=figures.workforce_figure(per_quarter, workforce_share, area_name),
        trend_title=f"Median and spread of hourly pay by job type: {area_name}, {range_label}",
        trend_figure=figures.trend_figure(trend),
        summary_title=f"Pay range and over cap by {by_label}: {area_name}, {job_name.lower()}, {period_label}",
        summary_table=summary, trend_table_title=f"By quarter and job type: {area_name}, {range_label}",
        trend_table=trend_table, caps_table=caps_table, notes=notes, takeaways=takeaways,
    )


def _agency_share(filters, scope, las, area_codes, area_name, own_la, quarters) -> pd.DataFrame:
    """period_end, series, value: the benchmarking dataset's agency rate (London, the area, the viewer's LA) and DfE's
    census rate (London, the LA), each over the quarters chosen (NaN where it has no figure)."""
    rates = pay_loader.agency_rates(scope)
    if rates["values"] is None:
        return pd.DataFrame(columns=["period_end", "series", "value"])
    values = rates["values"]
    values = values[values["period_end"].isin(quarters)]
    parts = {"London average": values.groupby("period_end")["value"].mean()}
    if area_name != "All London":
        label = area_name if len(area_codes) == 1 else f"{area_name} average"
        parts[label] = values[values["la_code"].isin(area_codes)].groupby("period_end")["value"].mean()
    own_name = las.set_index("la_code")["la_name"].get(own_la)
    if own_name and area_codes != [own_la]:  # the viewer's own LA, unless it is already the area's line
        parts[f"{own_name} (your LA)"] = values[values["la_code"] == own_la].set_index("period_end")["value"]
    # Published DfE census figures (30 September) where imported: real data beside the quarterly returns.
    published = rates["census"]
    if not published.empty:
        for code, label in [(pay_loader.LONDON_REGION, "London (DfE census)")] + (
                [(area_codes[0], f"{area_name} (DfE census)")] if len(area_codes) == 1 else []):
            parts[label] = published[published["area_code"] == code].set_index("period_end")["value"]
    # One long frame, series after series, each over every quarter chosen (NaN where it has no figure).
    index = pd.DatetimeIndex(quarters, name="period_end")
    return pd.DataFrame({"period_end": np.tile(index, len(parts)), "series": np.repeat(list(parts), len(index)),
                         "value": np.concatenate([part.reindex(index).to_numpy(dtype="float64") for part in parts.values()])})


def _kpis(head, previous, per_quarter, n_returned, n_las, period_label, share) -> list[tuple[str, str, str]]:
    status = head.get("status", "")
    show = (lambda value, fmt: status if status else fmt(value))
    count_share = (lambda value: status if status not in ("", SUPPRESSED) else _pct(value))   # from protected counts
    if previous.empty or status or previous.iloc[0]["status"]:
        change, change_note = "not available", "no comparable previous quarter"
    else:
        delta = head["pct_spend_over"] - previous.iloc[0]["pct_spend_over"]
        arrow = "▼" if delta < 0 else "▲" if delta > 0 else "–"
        change = f"{arrow} {abs(delta):.1f} points"
        change_note = "lower is better" if delta else ""
    shown_share = per_quarter["pct_spend_over"].dropna()
    best = ""
    if not status and len(shown_share) > 1 and head["pct_spend_over"] <= shown_share.min() + 1e-9:
        best = "the lowest in the quarters chosen"
    share_latest = share[share["series"] == "London average"].dropna(subset=["value"]).tail(1)
    census = share[share["series"] == "London (DfE census)"].dropna(subset=["value"]).tail(1)
    census_note = (f"; DfE census {census['period_end'].iloc[0].strftime('%d %b %Y')}: {_pct(census['value'].iloc[0])}"
                   if len(census) else "")
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
        ("Agency share of social workers (London)", _pct(share_latest["value"].iloc[0]) if len(share_latest) else "not available",
         (f"benchmarking data, {quarter_label(share_latest['period_end'].iloc[0])}" if len(share_latest) else "")
         + census_note),
    ]


def _trend_table(per_quarter: pd.DataFrame, trend: pd.DataFrame, area_name: str) -> pd.DataFrame:
    total = per_quarter.assign(job_name="All job types shown")
    rows = pd.concat([total, trend], ignore_index=True).sort_values(["period_end"], kind="stable")
    table = summary_table(rows, "quarter", "Quarter", extra=[("job_name", "Job type")])
    spread = [display_value(s, q3 - q1 if pd.notna(q1) else np.nan, "money")
              for s, q1, q3 in zip(rows["status"], rows["q1"], rows["q3"])]
    table.insert(table.columns.get_loc("Upper quartile (£/h)") + 1, "Spread: upper minus lower quartile (£/h)", spread)
    return table.drop(columns=["Cap (£/h)"], errors="ignore")


def _notes(filters, area_name, job_name, range_label, period_label, n_returned, n_las, is_demo, caps_illustrative,
           caps_now, convergence, published_source: str) -> list[tuple[str, str]]:
    cap_text = "; ".join(f"{JOB_TYPES[j]} £{c:.2f}" for j, c in zip(caps_now["job_type"], caps_now["cap"]))
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


def _missing(by_la: pd.DataFrame) -> str:
    """'2 c (fewer than 5 assignments), 1 no return': the LAs shown without a figure, and why."""
    counts = by_la.loc[by_la["status"] != "", "status"].value_counts()
    return ", ".join(f"{n} {MISSING_COUNT.get(s, s)}" for s, n in counts.items())


def range_takeaway(pooled: pd.Series, by_la: pd.DataFrame | None, by_job: pd.DataFrame | None, own_la: str | None,
                   own_name: str | None, area_name: str, job_name: str, period_label: str) -> str:
    """The pay range: the area's median and middle half, then the highest LA (or job type) and the viewer's own LA."""
    status = pooled.get("status", "")
    if status:
        return f"{area_name}, {job_name.lower()}, {period_label}: {_why(status)}; no pay range is shown."
    text = (f"{area_name}, {job_name.lower()}, {period_label}: the median agency rate after PAYE adjustments is "
            f"{_money(pooled['median'])} an hour (middle half {_money(pooled['q1'])} to {_money(pooled['q3'])}), "
            f"over {int(pooled['n']):,} assignments")
    if by_la is not None and len(by_la):
        shown = by_la[by_la["status"] == ""]
        top = shown.loc[shown["median"].idxmax()] if len(shown) > 1 else None
        if top is not None:
            text += f"; the highest median is {top['la_name']}'s ({_money(top['median'])})"
        own = by_la[by_la["la_code"] == own_la]
        if own_name and len(own) and (top is None or top["la_code"] != own_la):
            row = own.iloc[0]
            text += (f"; {own_name} (your LA): {_money(row['median'])}" if row["status"] == ""
                     else f"; {own_name} (your LA): {_why(row['status'])}")
    if by_job is not None and len(by_job):
        shown = by_job[by_job["status"] == ""]
        if len(shown) > 1:
            high, low = shown.loc[shown["median"].idxmax()], shown.loc[shown["median"].idxmin()]
            text += (f"; {_plural(high['job_name'])} have the highest median ({_money(high['median'])}) and "
                     f"{_plural(low['job_name'])} the lowest ({_money(low['median'])})")
        hidden = by_job[by_job["status"] != ""]
        if len(hidden):
            text += "; no figure for " + _and([f"{_plural(n)} ({MISSING_COUNT.get(st, st)})"
                                               for n, st in zip(hidden["job_name"], hidden["status"])])
    return text + "."


def overcap_takeaway(per_quarter: pd.DataFrame, area_name: str, job_name: str) -> str:
    """Over cap in the last quarter, against the first quarter chosen that has a figure."""
    if per_quarter.empty:
        return f"{area_name} has no quarters in the range chosen."
    last = per_quarter.iloc[-1]
    if last["status"] == SUPPRESSED:
        return (f"In {last['quarter']}, {_pct(last['pct_over'])} of {_assignments(job_name)} in {area_name} were paid over "
                f"the cap; {_why(last['status'])}, so no share of spend is shown.")
    if last["status"]:
        return f"{area_name}, {job_name.lower()}, {last['quarter']}: {_why(last['status'])}; no share over cap is shown."
    text = (f"In {last['quarter']}, {_pct(last['pct_over'])} of {_assignments(job_name)} in {area_name} were paid over the cap, "
            f"{_pct(last['pct_spend_over'])} of spend ({_pct(last['pct_spend_over_excl'])} excluding legacy contracts)")
    earlier = per_quarter.iloc[:-1]
    earlier = earlier[(earlier["status"] == "") & earlier["pct_spend_over"].notna()]
    if len(earlier):
        first = earlier.iloc[0]
        change = last["pct_spend_over"] - first["pct_spend_over"]
        move = "down from" if change < -0.05 else "up from" if change > 0.05 else "level with"
        text += f"; spend over cap is {move} {_pct(first['pct_spend_over'])} in {first['quarter']}"
    return text + "."


def overcap_by_la_takeaway(by_la: pd.DataFrame, own_la: str | None, period_label: str) -> str:
    """Which LA spends most over the cap, where the viewer's LA stands, and how many LAs have no figure (and why)."""
    shown = by_la[(by_la["status"] == "") & by_la["pct_spend_over"].notna()]
    missing = _missing(by_la)
    if shown.empty:
        return f"No LA shown has a figure for {period_label}" + (f" ({missing})." if missing else ".")
    top = shown.loc[shown["pct_spend_over"].idxmax()]
    text = f"In {period_label}, {top['la_name']} spent the largest share over the cap ({_pct(top['pct_spend_over'])} of spend)"
    own = by_la[by_la["la_code"] == own_la]
    if len(own) and own.iloc[0]["la_code"] != top["la_code"]:
        row = own.iloc[0]
        text += (f"; {row['la_name']} (your LA): {_pct(row['pct_spend_over'])}" if row["status"] == ""
                 else f"; {row['la_name']} (your LA): {_why(row['status'])}")
    over = int((shown["pct_spend_over"] > 0).sum())
    text += (f"; {'all' if over == len(shown) else over} {'of the ' if over < len(shown) else ''}{len(shown)} LAs with a figure "
             "spent something over the cap")
    return text + (f"; not shown: {missing}." if missing else ".")


def workforce_takeaway(per_quarter: pd.DataFrame, share: pd.DataFrame, area_name: str) -> str:
    """Agency assignments in the returns, last quarter against the first, and the London agency share of social workers."""
    if per_quarter.empty:
        return f"{area_name} has no quarters in the range chosen."
    last = per_quarter.iloc[-1]
    if last["status"] == NO_RETURN:
        text = f"{area_name}, {last['quarter']}: {_why(last['status'])} in the Pledge returns"
    else:
        text = f"The Pledge returns for {area_name} list {int(last['n']):,} agency assignments in {last['quarter']}"
        first = per_quarter.iloc[0]
        if len(per_quarter) > 1 and first["status"] != NO_RETURN:
            text += f" ({int(first['n']):,} in {first['quarter']})"
    london = share[share["series"] == "London average"].dropna(subset=["value"]) if len(share) else share
    if len(london):
        latest = london.iloc[-1]
        text += (f"; agency workers were {_pct(latest['value'])} of London's children's social workers in "
                 f"{quarter_label(latest['period_end'])} (benchmarking data)")
    else:
        text += "; the agency share of social workers is not in the benchmarking data for these quarters"
    return text + "."


def convergence_takeaway(convergence: pd.DataFrame, trend: pd.DataFrame) -> str:
    """Are rates converging? The spread (upper minus lower quartile) per job type, first against last quarter with figures."""
    judged = convergence[convergence["verdict"] != ""] if len(convergence) else convergence
    if judged.empty:
        return "Not enough quarters with figures to say whether rates are converging."
    narrower = [_plural(JOB_TYPES.get(j, j)) for j, v in zip(judged["job_type"], judged["verdict"]) if v.startswith("narrower")]
    wider = [_plural(JOB_TYPES.get(j, j)) for j, v in zip(judged["job_type"], judged["verdict"]) if v.startswith("wider")]
    first, last = quarter_label(judged["first_period"].min()), quarter_label(judged["last_period"].max())
    parts = []
    if narrower:
        parts.append(f"narrowed (rates converging) for {_and(narrower)}")
    if wider:
        parts.append(f"widened for {_and(wider)}")
    if not parts:
        parts.append("was unchanged for every job type with figures")
    text = f"From {first} to {last}, the spread of hourly pay " + " and ".join(parts)
    hidden = len(trend[trend["status"] != ""]) if len(trend) else 0
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
