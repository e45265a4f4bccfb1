"""Cached readers of the agency pay (London Pledge) data.

The assignment rows are worker-level: they are read here for the server to aggregate and never leave it
(the page's view builder turns them into suppressed summaries). Each memoized function takes the dataset
version (a committed return or cap change is seen at once, in every worker) and, where the result depends on
who asks, the caller's scope key. Results are copies.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from dashboard.auth.roles import ROLES
from dashboard.dashboards.agency_pay import returns as tables
from dashboard.loader import AccessScope, _read_sql, cache, dataset_version
from dashboard.dashboards.agency_pay import metrics


def check_scope(scope: AccessScope) -> None:
    """Every signed-in role may see the Pledge summaries (a regional collection shared by all members);
    anything else is refused here, on the server, whatever the page showed."""
    if scope is None or scope.role not in ROLES or not str(scope.la_code or "").startswith("E09"):
        raise PermissionError("agency pay data needs a signed-in member of a London LA")


def version() -> int:
    return dataset_version(tables.NAME)


@cache.memoize()
def _caps(version: int) -> pd.DataFrame:
    c = tables.cap
    frame = _read_sql(select(c.c.job_type, c.c.effective_from, c.c.cap, c.c.is_illustrative, c.c.note, c.c.changed_by,
                             c.c.changed_at).order_by(c.c.job_type, c.c.effective_from))
    frame["effective_from"] = pd.to_datetime(frame["effective_from"])
    frame["cap"] = frame["cap"].astype("float64")
    frame["is_illustrative"] = frame["is_illustrative"].astype(bool)
    return frame


def caps() -> pd.DataFrame:
    """The cap table: job_type, effective_from, cap (£/h), is_illustrative, note, changed_by, changed_at."""
    return _caps(version()).copy()


@cache.memoize()
def _returns(version: int) -> pd.DataFrame:
    r = tables.returned
    frame = _read_sql(select(r.c.la_code, r.c.period_end, r.c.n_rows).order_by(r.c.period_end, r.c.la_code))
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    return frame


def returns() -> pd.DataFrame:
    """Which LA returned for which quarter (la_code, period_end, n_rows); a missing row is "no return"."""
    return _returns(version()).copy()


def periods() -> list[pd.Timestamp]:
    """Quarter ends with any return, oldest first."""
    return [pd.Timestamp(p) for p in sorted(returns()["period_end"].unique())]


# Keyed by version only, on purpose: the rows are the same for every scope allowed to read them (checked in
# `area_summaries`, their one reader, on every call), they never leave the server, and one copy per LA would
# multiply a few megabytes by 33 in a shared cache. Scope-dependent results (suppression) are computed per request.
@cache.memoize()
def _prepared(version: int, holiday_pay_rate: float, ni_rates: tuple) -> pd.DataFrame:
    a = tables.assignment
    frame = _read_sql(select(a.c.period_end, a.c.la_code, a.c.job_type, a.c.hourly_rate, a.c.is_paye, a.c.hours_per_week,
                             a.c.is_legacy, a.c.charge_rate))
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    for column in ("hourly_rate", "hours_per_week", "charge_rate"):
        frame[column] = frame[column].astype("float64")
    for column in ("is_paye", "is_legacy"):
        frame[column] = frame[column].astype(bool)
    # The PAYE adjustment and caps are applied once per version, not on every request.
    prepared = metrics.prepare(frame, _caps(version), holiday_pay_rate=holiday_pay_rate, ni_rates=ni_rates)
    prepared["job_type"] = pd.Categorical(prepared["job_type"], categories=list(metrics.JOB_TYPES))
    return prepared


def paye_rates() -> dict:
    """The PAYE adjustment's rates from the settings (they are in the cache key: a change is never served stale)."""
    from flask import current_app, has_app_context
    if has_app_context() and "LCSD_SETTINGS" in current_app.config:
        settings = current_app.config["LCSD_SETTINGS"]
        return {"holiday_pay_rate": settings.paye_holiday_pay_rate, "ni_rates": settings.employer_ni_rates}
    return {"holiday_pay_rate": metrics.HOLIDAY_PAY_RATE, "ni_rates": metrics.EMPLOYER_NI_RATES}


def area_summaries(scope: AccessScope, area_codes: list[str], shown_codes: list[str], job: str | None,
                   start: pd.Timestamp, end: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The group summaries the Agency pay view is built from, before suppression (server side only):
    `by_la` (the last quarter, the LAs `shown_codes`), `pooled` (the area, the last quarter, one row keyed `_all`),
    `by_job` (the area by job type, the last quarter), `per_quarter` and `by_quarter_job` (the area, start to end).
    `job` None is every job type. The caller suppresses them for its viewer."""
    check_scope(scope)   # before any cache read
    rates = paye_rates()
    frames = _area_summaries(version(), rates["holiday_pay_rate"], rates["ni_rates"], tuple(sorted(area_codes)),
                             tuple(sorted(shown_codes)), job, pd.Timestamp(start), pd.Timestamp(end))
    return {name: frame.copy() for name, frame in frames.items()}


# Keyed by version and filters only, on purpose: these summaries are the same for every viewer (no LA is
# unsuppressed yet), so one build serves all 33 LAs' views. They hold small counts unsuppressed, but like the rows
# they come from they stay on the server: each view suppresses its own copy before anything is shown or cached
# as a view (its viewer's own LA left unsuppressed in that view only).
@cache.memoize()
def _area_summaries(version: int, holiday_pay_rate: float, ni_rates: tuple, area_codes: tuple, shown_codes: tuple,
                    job: str | None, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, pd.DataFrame]:
    rows = _prepared(version, holiday_pay_rate, ni_rates)
    job_rows = rows if job is None else rows[rows["job_type"] == job]
    period = job_rows["period_end"]
    chosen = job_rows[job_rows["la_code"].isin(area_codes)]
    in_range = chosen[(chosen["period_end"] >= start) & (chosen["period_end"] <= end)]
    at_end = chosen[chosen["period_end"] == end]
    return {
        "by_la": metrics.group_summary(job_rows[(period == end) & job_rows["la_code"].isin(shown_codes)], ["la_code"]),
        "pooled": metrics.group_summary(at_end.assign(_all=""), ["_all"]),
        "by_job": metrics.group_summary(at_end, ["job_type"]),
        "per_quarter": metrics.group_summary(in_range, ["period_end"]),
        "by_quarter_job": metrics.group_summary(in_range, ["period_end", "job_type"]),
    }
