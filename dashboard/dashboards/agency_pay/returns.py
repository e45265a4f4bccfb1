"""Agency pay (London Pledge): the quarterly assignment-level return, the cap table and demo data.

Tables (defined in data.py with its reads) (all prefixed `agency_pay_`):
- agency_pay_assignment: one row per agency assignment (or worker) in an LA's quarterly return.
  Worker-level: read only by the loader, aggregated and suppressed on the server, never sent to a browser.
- agency_pay_return: one row per LA and quarter that made a return, so "no return" is told apart from
  "returned, no agency workers" (a missing row is "no return", never 0).
- agency_pay_cap: the Pledge cap per job type with the date it took effect; reference data an administrator
  changes (`validate_cap_change` + `store_cap_change`). The demo caps are marked illustrative.
Every write is one transaction that bumps the `agency_pay` version, so every cached read sees it at once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select, update

from dashboard.admin import require_admin
from dashboard.auth.users import record_event
# Its tables and names are defined with its reads (data.py); the upload spec and tests find them here too.
from dashboard.dashboards.agency_pay.data import LABEL, NAME, assignment, cap, returned
from dashboard.dashboards.agency_pay.metrics import EMPLOYER_NI_RATES, HOLIDAY_PAY_RATE, JOB_TYPES, employer_ni_rate_on
from dashboard.ingest.specs import LA_COLUMN, ColumnSpec, DatasetSpec, Target, findings
from dashboard.store import get_engine, schema
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction

# --- the cap table -------------------------------------------------------------------------------------------

# Illustrative caps for the demo: shaped like a capped-rate agreement with one uplift, not the Pledge's real caps.
ILLUSTRATIVE_CAPS = {
    date(2021, 4, 1): {"social_worker": 32.00, "senior_social_worker": 34.00, "advanced_practitioner": 36.00,
                       "team_manager": 40.00, "iro_cp_chair": 38.00},
    date(2024, 4, 1): {"social_worker": 33.50, "senior_social_worker": 35.50, "advanced_practitioner": 37.50,
                       "team_manager": 42.00, "iro_cp_chair": 39.50},
}
CAP_MIN, CAP_MAX = 10.0, 150.0
EARLIEST_CAP_DATE = date(2015, 1, 1)


@dataclass(frozen=True)
class CapChange:
    job_type: str
    cap: float
    effective_from: date
    note: str = ""


def _parse_money(value) -> float:
    text = str(value).strip().replace("£", "").replace(",", "") if value is not None else ""
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"the cap must be a number of pounds per hour, such as 33.50 (got {value!r})") from None
    if not math.isfinite(number):
        raise ValueError("the cap must be a number of pounds per hour, such as 33.50")
    return number


def validate_cap_change(job_type, cap_value, effective_from, note: str = "", *, today: date | None = None) -> CapChange:
    """Check an administrator's cap change; a ValueError says in plain English what is wrong."""
    today = today or date.today()
    if not job_type:
        raise ValueError("choose a job type")
    if job_type not in JOB_TYPES:
        raise ValueError(f"unknown job type {job_type!r}; choose one of: {', '.join(JOB_TYPES.values())}")
    amount = _parse_money(cap_value)
    if not CAP_MIN <= amount <= CAP_MAX:
        raise ValueError(f"a cap of £{amount:,.2f} an hour is outside £{CAP_MIN:.0f} to £{CAP_MAX:.0f}: check the figure")
    if round(amount, 2) != amount:
        raise ValueError("the cap must be in pounds and pence (at most two decimal places)")
    try:
        day = effective_from if isinstance(effective_from, date) else date.fromisoformat(str(effective_from).strip()[:10])
    except ValueError:
        raise ValueError(f"the effective-from date must be a date such as 2026-04-01 (got {effective_from!r})") from None
    if day < EARLIEST_CAP_DATE or day > today.replace(year=today.year + 2):
        raise ValueError(f"the effective-from date {day.isoformat()} must be between {EARLIEST_CAP_DATE.isoformat()} "
                         "and two years from today")
    note = (note or "").strip()
    if len(note) > 500:
        raise ValueError("the note must be 500 characters or fewer")
    return CapChange(job_type=job_type, cap=amount, effective_from=day, note=note)


def store_cap_change(engine: Engine, change: CapChange, *, actor: str) -> int:
    """Add or replace one cap (job type + effective-from date) in one transaction with the version bump and audit."""
    now = datetime.now(timezone.utc)
    with write_transaction(engine, NAME) as conn:
        old = conn.execute(select(cap.c.id, cap.c.cap).where(cap.c.job_type == change.job_type,
                                                             cap.c.effective_from == change.effective_from)).first()
        values = {"cap": change.cap, "is_illustrative": False, "note": change.note, "changed_by": actor, "changed_at": now}
        if old is None:
            conn.execute(cap.insert().values(job_type=change.job_type, effective_from=change.effective_from, **values))
            before = "new"
        else:
            conn.execute(update(cap).where(cap.c.id == old.id).values(**values))
            before = f"£{old.cap:.2f}"
        version = bump_version(conn, NAME)
        record_event(conn, actor=actor, event="agency_pay_cap_changed",
                     detail=f"{JOB_TYPES[change.job_type]} from {change.effective_from.isoformat()}: {before} -> "
                            f"£{change.cap:.2f}" + (f" ({change.note})" if change.note else ""))
    return version


def change_cap(user, job_type, cap_value, effective_from, note: str = "") -> str:
    """An administrator changes a cap: role checked here, validated, stored in one audited transaction."""
    require_admin(user)
    change = validate_cap_change(job_type, cap_value, effective_from, note)
    store_cap_change(get_engine(), change, actor=user.email)
    return (f"{JOB_TYPES[change.job_type]}: cap £{change.cap:.2f} an hour from "
            f"{change.effective_from.strftime('%d %b %Y')}. Every page shows it at once.")


def illustrative_cap_rows(now: datetime) -> list[dict]:
    return [{"job_type": job, "effective_from": day, "cap": value, "is_illustrative": True,
             "note": "Illustrative demo cap, not the Pledge's agreed rate.", "changed_by": "demo data", "changed_at": now}
            for day, caps in ILLUSTRATIVE_CAPS.items() for job, value in caps.items()]


# --- demo data -----------------------------------------------------------------------------------------------

DEMO_LAST_QUARTER = date(2026, 9, 30)
DEMO_QUARTERS = 22
DEMO_PLEDGE_START = date(2021, 4, 1)      # legacy contracts in the demo started before this
JOB_MIX = {"social_worker": 0.50, "senior_social_worker": 0.20, "advanced_practitioner": 0.12,
           "team_manager": 0.12, "iro_cp_chair": 0.06}
JOB_OVER_CAP_SHIFT = {"social_worker": 0.0, "senior_social_worker": 0.0, "advanced_practitioner": 0.02,
                      "team_manager": 0.05, "iro_cp_chair": -0.05}
HOURS = np.array([37.0, 36.0, 35.0, 30.0, 22.5])
HOURS_WEIGHTS = np.array([0.72, 0.08, 0.08, 0.07, 0.05])
KEEP_LA_RETURNING = ("E09000022",)        # the demo account's LA (Lambeth) always returns, so the demo reads well


def _cap_on(job: str, day: date) -> float:
    return [caps[job] for start, caps in sorted(ILLUSTRATIVE_CAPS.items()) if start <= day][-1]


def generate_demo(seed: int, la_codes: list[str], quarters: int = DEMO_QUARTERS,
                  last_quarter_end: date = DEMO_LAST_QUARTER) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(assignments, returns) of a synthetic quarterly return: seeded, so the same seed gives the same data.

    Shape: agency numbers falling ~1% a quarter; legacy contracts running off; the share of assignments
    over cap falling from about 45% to about 15% (so London's over-cap spend reaches a new best in the last
    quarters, as the Pledge reported); rates converging (narrower spread); 20% PAYE; a few missing returns.
    """
    rng = np.random.default_rng(seed)
    periods = [d.date() for d in pd.date_range(end=pd.Timestamp(last_quarter_end), periods=quarters, freq="QE")]
    size = {la: float(np.clip(rng.lognormal(math.log(42), 0.45), 8, 110)) for la in la_codes}
    size["E09000001"] = 4.0  # City of London: a handful of agency workers, so small-number suppression shows
    pay_level = {la: rng.normal(0, 0.04) for la in la_codes}  # some LAs pay above the cap more often
    # Missing returns: three LA-quarters in the past and one LA late for the last quarter.
    candidates = [la for la in la_codes if la not in KEEP_LA_RETURNING and la != "E09000001"]
    missing = {(candidates[int(i)], periods[int(q)]) for i, q in
               zip(rng.integers(len(candidates), size=3), rng.integers(1, quarters - 1, size=3))}
    missing.add((candidates[int(rng.integers(len(candidates)))], periods[-1]))

    jobs = np.array(list(JOB_MIX))
    rows, returns = [], []
    for t, period in enumerate(periods):
        progress = t / max(quarters - 1, 1)
        legacy_share = 0.30 * math.exp(-t / 5.5)
        p_over_current = 0.31 - 0.16 * progress
        low = 0.80 + 0.10 * progress           # under-cap rates start at 80-90% of the cap: spread narrows
        top = 0.24 - 0.10 * progress           # over-cap excess up to 24% falling to 14%
        ni = employer_ni_rate_on(period, EMPLOYER_NI_RATES)
        for la in la_codes:
            if (la, period) in missing:
                continue
            n = int(rng.poisson(size[la] * (1 - 0.011 * t)))
            returns.append({"la_code": la, "period_end": period, "n_rows": n})
            if n == 0:
                continue
            job = rng.choice(jobs, size=n, p=list(JOB_MIX.values()))
            legacy = rng.random(n) < legacy_share
            shift = np.array([JOB_OVER_CAP_SHIFT[j] for j in job]) + pay_level[la]
            over = rng.random(n) < np.where(legacy, 0.75, np.clip(p_over_current + shift, 0.02, 0.9))
            caps = np.array([_cap_on(j, period) for j in job])
            at_cap = rng.random(n) < 0.35
            under = np.where(at_cap, caps, np.floor(caps * rng.uniform(low, 0.995, n) * 2) / 2)
            above = np.ceil(caps * (1 + rng.uniform(0.02, top, n)) * 2) / 2
            basic = np.where(over, above, np.minimum(under, caps))
            paye = rng.random(n) < 0.20
            reported = np.where(paye, np.round(basic * (1 + HOLIDAY_PAY_RATE) * (1 + ni), 2), basic)
            hours = rng.choice(HOURS, size=n, p=HOURS_WEIGHTS)
            charge_known = rng.random(n) < 0.7
            charge = np.round(reported * rng.uniform(1.10, 1.22, n), 2)
            legacy_days = (DEMO_PLEDGE_START - date(2018, 1, 1)).days
            start_floor = max(DEMO_PLEDGE_START, (pd.Timestamp(period) - pd.DateOffset(years=2)).date())
            current_days = max((period - start_floor).days, 1)
            starts = [date.fromordinal(date(2018, 1, 1).toordinal() + int(rng.integers(legacy_days))) if lg else
                      date.fromordinal(start_floor.toordinal() + int(rng.integers(current_days))) for lg in legacy]
            for i in range(n):
                rows.append({"period_end": period, "la_code": la, "job_type": str(job[i]), "hourly_rate": float(reported[i]),
                             "is_paye": bool(paye[i]), "hours_per_week": float(hours[i]), "start_date": starts[i],
                             "is_legacy": bool(legacy[i]),
                             "charge_rate": float(charge[i]) if charge_known[i] else None})
    return pd.DataFrame(rows), pd.DataFrame(returns)


def load_demo(engine: Engine, seed: int) -> int:
    """Replace the agency pay data and caps with seeded demo data and illustrative caps, in one transaction."""
    with engine.connect() as conn:
        la_codes = [r.ons_code for r in conn.execute(select(schema.local_authority.c.ons_code)
                                                      .order_by(schema.local_authority.c.ons_code))]
    assignments, returns = generate_demo(seed, la_codes)
    now = datetime.now(timezone.utc)
    returns = returns.assign(loaded_at=now, loaded_by="demo data")
    with write_transaction(engine, NAME) as conn:
        for table in (assignment, returned, cap):
            conn.execute(table.delete())
        conn.execute(cap.insert(), illustrative_cap_rows(now))
        conn.execute(returned.insert(), returns.to_dict("records"))
        records = assignments.astype(object).where(assignments.notna(), None).to_dict("records")
        for start in range(0, len(records), 5000):
            conn.execute(assignment.insert(), records[start:start + 5000])
        return bump_version(conn, NAME, is_demo=True)


# --- an LA's quarterly return -------------------------------------------------------------------------------

RETURN_COLUMNS = {
    "job_type": "Job type: social worker, senior social worker, advanced practitioner, team manager or IRO / CP chair.",
    "hourly_rate": "Hourly pay rate in pounds as paid (for PAYE workers, including holiday pay and employer NI).",
    "paye": "yes if the worker is paid through PAYE, no if through an umbrella or limited company.",
    "hours_per_week": "Contracted hours per week.",
    "start_date": "Date the assignment started (YYYY-MM-DD).",
    "legacy": "yes if the assignment was agreed before the Pledge (a legacy contract), otherwise no.",
    "charge_rate": "The agency's hourly charge rate in pounds, where known (may be blank).",
}
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def _job_type_code(value) -> str | None:
    text = str(value).strip().lower()
    by_label = {label.lower(): code for code, label in JOB_TYPES.items()}
    by_label.update({"iro": "iro_cp_chair", "cp chair": "iro_cp_chair", "assistant team manager": "advanced_practitioner",
                     "principal social worker": "advanced_practitioner"})
    return text if text in JOB_TYPES else by_label.get(text)


def validate_return(frame: pd.DataFrame, period_end: date) -> tuple[pd.DataFrame, list[str]]:
    """(clean rows, problems) for one LA's quarterly return; problems name row (header = row 1), column and rule."""
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in RETURN_COLUMNS if c != "charge_rate" and c not in frame.columns]
    if missing:
        return pd.DataFrame(), [f"missing column(s): {', '.join(missing)}"]
    problems, clean = [], []
    for index, row in enumerate(frame.to_dict("records"), start=2):
        def bad(column, rule):
            problems.append(f"row {index}, column {column}: {row.get(column)!r} {rule}")
        job = _job_type_code(row["job_type"])
        if job is None:
            bad("job_type", "is not a job type of the agency guidance")
        numbers = {}
        for column, low, high in (("hourly_rate", 10, 200), ("hours_per_week", 0.5, 60), ("charge_rate", 10, 400)):
            value = row.get(column)
            if column == "charge_rate" and (value is None or str(value).strip() in ("", "nan", "None")):
                numbers[column] = None
                continue
            try:
                number = float(str(value).replace("£", "").replace(",", ""))
            except ValueError:
                bad(column, "is not a number")
                continue
            if not low <= number <= high:
                bad(column, f"is outside {low}-{high}")
                continue
            numbers[column] = number
        flags = {}
        for column in ("paye", "legacy"):
            text = str(row[column]).strip().lower()
            if text in YES or text in NO:
                flags[column] = text in YES
            else:
                bad(column, "must be yes or no")
        try:
            start = pd.Timestamp(row["start_date"]).date()
            if start > period_end:
                bad("start_date", f"is after the quarter's end ({period_end.isoformat()})")
        except (TypeError, ValueError):
            start = None
            bad("start_date", "is not a date")
        if numbers.get("charge_rate") is not None and numbers.get("hourly_rate") and numbers["charge_rate"] < numbers["hourly_rate"]:
            bad("charge_rate", "is below the pay rate")
        if len(problems) == 0:
            clean.append({"period_end": period_end, "job_type": job, "hourly_rate": numbers["hourly_rate"],
                          "is_paye": flags["paye"], "hours_per_week": numbers["hours_per_week"], "start_date": start,
                          "is_legacy": flags["legacy"], "charge_rate": numbers.get("charge_rate")})
    return (pd.DataFrame(clean) if not problems else pd.DataFrame()), problems


# --- agency pay: one row per agency worker's assignment in the quarter ---------------------------------------

def _agency_pay_rows(_parsed, text: pd.DataFrame, la_code: str, period: str, _context):
    clean, problems = validate_return(text.reset_index(drop=True), pd.Timestamp(period).date())
    if problems:
        return None, findings(problems, value_first=True)
    records = [{**row, "la_code": la_code} for row in clean.astype(object).where(clean.notna(), None).to_dict("records")]
    summary = {"la_code": la_code, "period_end": pd.Timestamp(period).date(), "n_rows": len(records),
               "loaded_at": None, "loaded_by": None}
    return {assignment.name: records, returned.name: [summary]}, []


def _job_type_sheet(_catalogue) -> dict[str, pd.DataFrame]:
    return {"Job types": pd.DataFrame({"job_type": list(JOB_TYPES), "label": list(JOB_TYPES.values())})}


UPLOAD = DatasetSpec(
    name=NAME,
    label="Agency pay quarterly return (London Pledge)",
    description="One row per agency social worker assignment in the quarter. A return with no rows means "
                "'returned: no agency workers'; an LA that has not uploaded shows 'no return'.",
    period_label="quarter end (YYYY-MM-DD)",
    columns=(LA_COLUMN,
             ColumnSpec("period_end", "date", "Last day of the financial quarter the return is for.", example="2026-09-30"),
             *(ColumnSpec(name, "text", meaning, allow_blank=True, required=name != "charge_rate",
                          example={"job_type": "social_worker", "hourly_rate": "38.50", "paye": "no", "hours_per_week": "37",
                                   "start_date": "2025-11-03", "legacy": "no", "charge_rate": "45.00"}[name])
               for name, meaning in RETURN_COLUMNS.items())),
    key=(),                     # two workers on the same terms are two rows, not a duplicate
    max_rows=5_000,
    targets=(Target(assignment, period_rows=lambda t, p: t.c.period_end == pd.Timestamp(p).date()),
             Target(returned, period_rows=lambda t, p: t.c.period_end == pd.Timestamp(p).date())),
    to_store=_agency_pay_rows,
    reference_sheets=_job_type_sheet,
)
