"""Agency pay (London Pledge): its tables and cached reads.

The assignment rows are worker-level: they are read here for the server to aggregate and never leave it (the page's
view builder turns them into protected summaries). Every read is declared with `cached_read` (see dashboard.loader):
a committed return or cap change is seen at once, in every worker, and results are copies.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from flask import current_app, has_app_context
from sqlalchemy import (Boolean, Column, Date, DateTime, Float, ForeignKey, Index, Integer, String, Table, Text,
                        UniqueConstraint, select)

from dashboard import disclosure
from dashboard.auth.roles import ROLES
from dashboard.dashboards.agency_pay import metrics
from dashboard.dashboards.benchmarking import data as benchmarking_data
from dashboard.loader import (AccessScope, ProcessCache, cached_read, dataset_version, indicator_catalogue,
                              kept_in_process, _read_sql)
from dashboard.loader import published as published_loader
from dashboard.store import schema

NAME = "agency_pay"
# Every dataset a view reads: the returns, the benchmarking dataset's agency rate, DfE's published census rate and the
# reference lists. A new version of any of them makes cached views and outputs stale.
VIEW_DATASETS = (NAME, benchmarking_data.NAME, published_loader.NAME, "reference")
LABEL = "agency pay (London Pledge) data"
AGENCY_RATE = "sw_agency_pct"                 # the benchmarking dataset's agency rate (its indicator code)
PUBLISHED_AGENCY_RATE = "csww_agency_rate"    # DfE's census agency rate, from the published-statistics import
LONDON_REGION = "E12000007"

assignment = Table(
    "agency_pay_assignment", schema.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period_end", Date, nullable=False),                   # last day of the financial quarter
    Column("la_code", String(9), ForeignKey("local_authority.ons_code"), nullable=False),
    Column("job_type", String(32), nullable=False),               # a key of dashboard.dashboards.agency_pay.metrics.JOB_TYPES
    Column("hourly_rate", Float, nullable=False),                 # £ per hour as returned (PAYE: inclusive)
    Column("is_paye", Boolean, nullable=False),
    Column("hours_per_week", Float, nullable=False),
    Column("start_date", Date, nullable=True),
    Column("is_legacy", Boolean, nullable=False),                 # agreed before the Pledge
    Column("charge_rate", Float, nullable=True),                  # the agency's charge, where known
    Index("ix_agency_pay_assignment_period_la", "period_end", "la_code"),
)

returned = Table(
    "agency_pay_return", schema.metadata,
    Column("la_code", String(9), ForeignKey("local_authority.ons_code"), primary_key=True),
    Column("period_end", Date, primary_key=True),
    Column("n_rows", Integer, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("loaded_by", String(254), nullable=False),
)

cap = Table(
    "agency_pay_cap", schema.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_type", String(32), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("cap", Float, nullable=False),                         # £ per hour, on the non-PAYE basis
    Column("is_illustrative", Boolean, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("changed_by", String(254), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("job_type", "effective_from", name="uq_agency_pay_cap"),
)


def check_scope(scope: AccessScope) -> None:
    """Every signed-in role may see the Pledge summaries (a regional collection shared by all members);
    anything else is refused here, on the server, whatever the page showed."""
    if scope is None or scope.role not in ROLES or not str(scope.la_code or "").startswith("E09"):
        raise PermissionError("agency pay data needs a signed-in member of a London LA")


def version() -> int:
    return dataset_version(NAME)


@kept_in_process(NAME)
@cached_read(NAME)
def caps() -> pd.DataFrame:
    """The cap table: job_type, effective_from, cap (£/h), is_illustrative, note, changed_by, changed_at."""
    c = cap
    frame = _read_sql(select(c.c.job_type, c.c.effective_from, c.c.cap, c.c.is_illustrative, c.c.note, c.c.changed_by,
                             c.c.changed_at).order_by(c.c.job_type, c.c.effective_from))
    frame["effective_from"] = pd.to_datetime(frame["effective_from"])
    frame["cap"] = frame["cap"].astype("float64")
    frame["is_illustrative"] = frame["is_illustrative"].astype(bool)
    return frame


@kept_in_process(NAME)
@cached_read(NAME)
def returns() -> pd.DataFrame:
    """Which LA returned for which quarter (la_code, period_end, n_rows); a missing row is "no return"."""
    r = returned
    frame = _read_sql(select(r.c.la_code, r.c.period_end, r.c.n_rows).order_by(r.c.period_end, r.c.la_code))
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame


def periods() -> list[pd.Timestamp]:
    """Quarter ends with any return, oldest first."""
    return [pd.Timestamp(p) for p in sorted(returns()["period_end"].unique())]


# Shared by every scope, on purpose: the rows are the same for every scope allowed to read them (checked in
# `area_summaries`, their one reader, on every call), they never leave the server, and one copy per LA would
# multiply a few megabytes by 33 in a shared cache. Scope-dependent results (disclosure control) are computed per request.
@kept_in_process(NAME)
@cached_read(NAME)
def _prepared(holiday_pay_rate: float, ni_rates: tuple) -> pd.DataFrame:
    a = assignment
    frame = _read_sql(select(a.c.period_end, a.c.la_code, a.c.job_type, a.c.hourly_rate, a.c.is_paye, a.c.hours_per_week,
                             a.c.is_legacy, a.c.charge_rate).order_by(a.c.id))
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    # Each assignment's record key (disclosure control) from its identity: its LA, quarter and place in that return
    # (rows are stored in the order returned, and a return is replaced whole), so a reload of the same return keeps it.
    place = frame.groupby(["la_code", "period_end"], sort=False).cumcount()
    frame[disclosure.RECORD_KEY] = disclosure.record_keys(
        f"agency_pay|{la}|{day:%Y-%m-%d}|{i}" for la, day, i in zip(frame["la_code"], frame["period_end"], place))
    for column in ("hourly_rate", "hours_per_week", "charge_rate"):
        frame[column] = frame[column].astype("float64")
    for column in ("is_paye", "is_legacy"):
        frame[column] = frame[column].astype(bool)
    # The PAYE adjustment and caps are applied once per version, not on every request.
    prepared = metrics.prepare(frame, caps(), holiday_pay_rate=holiday_pay_rate, ni_rates=ni_rates)
    prepared["job_type"] = pd.Categorical(prepared["job_type"], categories=list(metrics.JOB_TYPES))
    return prepared


def paye_rates() -> dict:
    """The PAYE adjustment's rates from the settings (they are in the cache key: a change is never served stale)."""
    if has_app_context() and "LCSD_SETTINGS" in current_app.config:
        settings = current_app.config["LCSD_SETTINGS"]
        return {"holiday_pay_rate": settings.paye_holiday_pay_rate, "ni_rates": settings.employer_ni_rates}
    return {"holiday_pay_rate": metrics.HOLIDAY_PAY_RATE, "ni_rates": metrics.EMPLOYER_NI_RATES}


def area_summaries(scope: AccessScope, area_codes: list[str], shown_codes: list[str], job: str | None,
                   start: pd.Timestamp, end: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The group summaries the Agency pay view is built from, before disclosure control (server side only; with the
    sums of record keys `metrics.protect_summary` needs), one row per group with assignments:
    `by_la` (the last quarter, the LAs `shown_codes`), `pooled` (the area, the last quarter, one row keyed `_all`),
    `by_job` (the area by job type, the last quarter), `per_quarter` and `by_quarter_job` (the area, start to end).
    `job` None is every job type. The caller protects them for its viewer. (`area_parts` as frames.)"""
    periods_in_range = [p for p in periods() if pd.Timestamp(start) <= p <= pd.Timestamp(end)]
    jobs = list(metrics.JOB_TYPES) if job is None else [job]
    parts = area_parts(scope, area_codes, shown_codes, job, start, end, periods_in_range)
    keys = {"by_la": {"la_code": list(shown_codes)}, "pooled": {"_all": [""]}, "by_job": {"job_type": jobs},
            "per_quarter": {"period_end": periods_in_range},
            "by_quarter_job": {"period_end": [p for p in periods_in_range for _ in jobs], "job_type": jobs * len(periods_in_range)}}
    out = {}
    for part, (true, _mine) in parts.items():
        frame = pd.DataFrame({**keys[part], **true})[list(keys[part]) + metrics.SUMMARY_COLUMNS]
        out[part] = frame[frame["n"] > 0].reset_index(drop=True)
    return out


# What the summaries read of the rows, as numpy arrays (each row's LA, quarter and job type as codes), the rows in
# quarter order (stable: within a quarter, in the order stored), so the rows of a quarter, or of a range of quarters,
# are one slice: worked out once per version in each worker, so a view picks its rows with a few array comparisons on
# that slice and sums them with `bincount`, not pandas selections and group-bys. Server side only, like the rows;
# shared by every view in the process, read and never changed (no copy: copying them cost more than a view's use).
_kept_rows = ProcessCache(NAME)


def _arranged() -> dict:
    rates = paye_rates()
    return _kept_rows.get_or_build(lambda: _arrange(rates), repr(rates))


def _arrange(rates: dict) -> dict:
    rows = _prepared(**rates)
    period = rows["period_end"].to_numpy(dtype="datetime64[ns]")
    order = np.argsort(period, kind="stable")
    period = period[order]
    days, day_code = np.unique(period, return_inverse=True)
    la, las = pd.factorize(rows["la_code"], sort=False)
    arrays = {"la": la[order], "las": list(las), "period": period, "days": days, "day_code": day_code.reshape(-1),
              "job": rows["job_type"].cat.codes.to_numpy()[order], "jobs": list(rows["job_type"].cat.categories),
              "rate": rows["adjusted_rate"].to_numpy(dtype="float64")[order],
              "over": rows["over_cap"].to_numpy(dtype=bool)[order], "current": ~rows["is_legacy"].to_numpy(dtype=bool)[order],
              "spend": rows["spend"].to_numpy(dtype="float64")[order], "excess": rows["excess"].to_numpy(dtype="float64")[order],
              "key": rows[disclosure.RECORD_KEY].to_numpy(dtype="float64")[order]}
    arrays["position"] = {code: i for i, code in enumerate(arrays["las"])}
    arrays["day_position"] = {day: i for i, day in enumerate(days.astype("int64").tolist())}   # by nanoseconds
    return arrays


def area_parts(scope: AccessScope, area_codes: list[str], shown_codes: list[str], job: str | None, start, end,
               quarters: list) -> dict[str, tuple[dict, dict]]:
    """The five group summaries of an Agency pay view, each as (every LA's figures, the viewer's own LA's counts and key
    sums), numpy arrays over a fixed list of groups (a group with no assignment: counts 0, no figures):
    `by_la` the LAs `shown_codes` in that order (the last quarter); `pooled` the area as one group (the last quarter);
    `by_job` the job types (`job`, or every one in `metrics.JOB_TYPES` order where `job` is None; the last quarter);
    `per_quarter` the `quarters` (from start to end, in that order); `by_quarter_job` each quarter's job types (quarter
    by quarter). Server side only: true counts; the caller protects them (`metrics.protect_arrays`).
    Each group's rows are summed in the order stored, whichever slice they are read from, so a group's figures do not
    depend on which other groups are asked for: the last quarter's `pooled` and `by_job` are the last quarter's groups
    of `per_quarter` and `by_quarter_job` (the same rows), read from them where `end` is one of the `quarters`."""
    check_scope(scope)   # shared by every viewer allowed to see the page; refused here for anyone else
    a = _arranged()
    position = a["position"]

    def of_las(codes, la):
        lookup = np.full(len(a["las"]) + 1, -1, dtype="int64")    # an LA's place in `codes` (-1: not there)
        for i, code in enumerate(codes):
            if code in position:
                lookup[position[code]] = i
        return lookup[la]

    jobs = list(metrics.JOB_TYPES) if job is None else [job]
    job_lookup = np.full(len(a["jobs"]) + 1, -1, dtype="int64")
    for i, code in enumerate(jobs):
        if code in a["jobs"]:
            job_lookup[a["jobs"].index(code)] = i
    period = a["period"]
    start_day, end_day = (np.datetime64(pd.Timestamp(day).value, "ns") for day in (start, end))
    own_code = position.get(scope.la_code, -2)

    def summarise(rows: slice, keep: np.ndarray, place: np.ndarray, n_groups: int) -> tuple[dict, dict]:
        """The groups `place` (0..n_groups-1) of the rows of the slice `rows` that `keep` keeps."""
        picked = np.flatnonzero(keep) + rows.start
        group = place[picked - rows.start]
        true = metrics.summary_arrays(group, n_groups, a["rate"][picked], a["over"][picked], a["current"][picked],
                                      a["spend"][picked], a["excess"][picked], a["key"][picked])
        mine = picked[a["la"][picked] == own_code]
        return true, metrics.count_arrays(place[mine - rows.start], n_groups, a["over"][mine], a["current"][mine],
                                          a["key"][mine])

    def of_groups(part: tuple[dict, dict], chosen) -> tuple[dict, dict]:
        return tuple({name: values[chosen] for name, values in side.items()} for side in part)

    parts = {}
    # The last quarter: each LA shown.
    at_end = slice(int(np.searchsorted(period, end_day, side="left")), int(np.searchsorted(period, end_day, side="right")))
    job_at_end = job_lookup[a["job"][at_end]]                    # category code -1 (missing) reads the last: -1
    shown_place = of_las(shown_codes, a["la"][at_end])
    parts["by_la"] = summarise(at_end, (job_at_end >= 0) & (shown_place >= 0), shown_place, len(shown_codes))
    # The quarters from start to end: the area's LAs, each quarter, and each quarter's job types.
    in_range = slice(int(np.searchsorted(period, start_day, side="left")), int(np.searchsorted(period, end_day, side="right")))
    if in_range.stop < in_range.start:
        in_range = slice(in_range.start, in_range.start)
    quarter_lookup = np.full(len(a["days"]) + 1, -1, dtype="int64")
    day_position = a["day_position"]
    for i, day in enumerate(quarters):
        found = day_position.get(pd.Timestamp(day).value)
        if found is not None:
            quarter_lookup[found] = i
    quarter_place = quarter_lookup[a["day_code"][in_range]]
    job_place = job_lookup[a["job"][in_range]]
    chosen = (job_place >= 0) & (of_las(area_codes, a["la"][in_range]) >= 0) & (quarter_place >= 0)
    parts["per_quarter"] = summarise(in_range, chosen, quarter_place, len(quarters))
    parts["by_quarter_job"] = summarise(in_range, chosen, quarter_place * len(jobs) + job_place, len(quarters) * len(jobs))
    end_position = day_position.get(pd.Timestamp(end).value)
    last = quarter_lookup[end_position] if end_position is not None and in_range.stop > in_range.start else -1
    if last >= 0:
        parts["pooled"] = of_groups(parts["per_quarter"], [last])
        parts["by_job"] = of_groups(parts["by_quarter_job"], slice(last * len(jobs), (last + 1) * len(jobs)))
    else:   # the last quarter is not among `quarters`: its groups read from its own rows
        area_at_end = (job_at_end >= 0) & (of_las(area_codes, a["la"][at_end]) >= 0)
        parts["pooled"] = summarise(at_end, area_at_end, np.zeros(len(job_at_end), dtype="int64"), 1)
        parts["by_job"] = summarise(at_end, area_at_end, job_at_end, len(jobs))
    return {name: parts[name] for name in ("by_la", "pooled", "by_job", "per_quarter", "by_quarter_job")}


# The agency share of social workers beside the returns: the benchmarking dataset's rate by LA and quarter, DfE's census
# rate by area, and the census's source, read once per version of the data in each worker (the same for every member).
@kept_in_process(benchmarking_data.NAME, published_loader.NAME, "reference", check=check_scope)
def agency_rates(scope: AccessScope) -> dict:
    """{'values': la_code, period_end, value of the benchmarking dataset's agency rate (None where the dataset has no
    such indicator); 'census': area_code, period_end (30 September of the census year), value of DfE's published rate
    (a year's figures only); 'census_source': the publication, as the published-statistics catalogue has it}."""
    values = (benchmarking_data.benchmark_indicator(AGENCY_RATE, scope)["values"]
              if AGENCY_RATE in set(indicator_catalogue()["code"]) else None)
    census = published_loader.indicator_values(PUBLISHED_AGENCY_RATE, scope)
    census = census[census["period"].str.fullmatch(r"\d{4}")]
    census = census.assign(period_end=pd.to_datetime(census["period"] + "-09-30"))[["area_code", "period_end", "value"]]
    catalogue = published_loader.catalogue()
    source = catalogue.loc[catalogue["code"] == PUBLISHED_AGENCY_RATE, "source"]
    return {"values": values, "census": census.reset_index(drop=True),
            "census_source": source.iloc[0] if len(source) else "DfE, Children's social work workforce: not imported"}
