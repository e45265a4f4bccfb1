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
from dashboard.loader import AccessScope, cached_read, dataset_version, kept_in_process, _read_sql
from dashboard.store import schema

NAME = "agency_pay"
LABEL = "agency pay (London Pledge) data"

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
    sums of record keys `metrics.protect_summary` needs):
    `by_la` (the last quarter, the LAs `shown_codes`), `pooled` (the area, the last quarter, one row keyed `_all`),
    `by_job` (the area by job type, the last quarter), `per_quarter` and `by_quarter_job` (the area, start to end).
    `job` None is every job type. The caller protects them for its viewer."""
    # The same filters however they were given (codes in any order, dates as text), so every view shares one build.
    return _area_summaries(scope, tuple(sorted(area_codes)), tuple(sorted(shown_codes)), job, pd.Timestamp(start),
                           pd.Timestamp(end), **paye_rates())


# What the summaries read of the rows, with each row's LA, quarter and job type as numpy arrays: worked out once per
# version in each worker, so a view picks its rows with a few array comparisons, not string and date comparisons over
# every row of a pandas frame (then copied column by column at each step). Server side only, like the rows.
@kept_in_process(NAME)
def _arranged(holiday_pay_rate: float, ni_rates: tuple) -> dict:
    rows = _prepared(holiday_pay_rate, ni_rates)
    la, las = pd.factorize(rows["la_code"], sort=False)
    columns = ["la_code", "period_end", "job_type", "adjusted_rate", "over_cap", "is_legacy", "spend", "excess",
               disclosure.RECORD_KEY]
    return {"rows": rows[columns], "la": la, "las": list(las), "period": rows["period_end"].to_numpy(),
            "job": rows["job_type"].cat.codes.to_numpy(), "jobs": list(rows["job_type"].cat.categories)}


# Shared by every viewer, on purpose: these summaries are the same for every viewer (no LA is exact yet), so one build
# serves all 33 LAs' views. They hold true counts, but like the rows they come from they stay on the server: each view
# protects its own copy before anything is shown or cached as a view (its viewer's own LA exact in that view only).
@cached_read(NAME, check=check_scope)
def _area_summaries(scope: AccessScope, area_codes: tuple, shown_codes: tuple, job: str | None, start: pd.Timestamp,
                    end: pd.Timestamp, holiday_pay_rate: float, ni_rates: tuple) -> dict[str, pd.DataFrame]:
    arranged = _arranged(holiday_pay_rate, ni_rates)
    rows, la, period = arranged["rows"], arranged["la"], arranged["period"]
    index = {code: i for i, code in enumerate(arranged["las"])}
    of_las = (lambda codes: np.isin(la, [index[c] for c in codes if c in index]))
    job_rows = (np.ones(len(rows), dtype=bool) if job is None else
                arranged["job"] == (arranged["jobs"].index(job) if job in arranged["jobs"] else -1))
    at_end = job_rows & (period == pd.Timestamp(end).to_datetime64())
    chosen = job_rows & of_las(area_codes)
    in_range = chosen & (period >= pd.Timestamp(start).to_datetime64()) & (period <= pd.Timestamp(end).to_datetime64())
    chosen_at_end = chosen & at_end
    return {
        "by_la": metrics.group_summary(rows[at_end & of_las(shown_codes)], ["la_code"]),
        "pooled": metrics.group_summary(rows[chosen_at_end].assign(_all=""), ["_all"]),
        "by_job": metrics.group_summary(rows[chosen_at_end], ["job_type"]),
        "per_quarter": metrics.group_summary(rows[in_range], ["period_end"]),
        "by_quarter_job": metrics.group_summary(rows[in_range], ["period_end", "job_type"]),
    }
