"""Benchmarking's dataset: the members' quarterly regional return (its upload spec) and its seeded demo data.

The tables (`benchmark_value`, `comparator_value`) are in the shared schema beside the indicator catalogue they use.
Demo data is synthetic, seeded and reproducible, at levels rounded from published figures, and labelled "demo data"
wherever a page shows it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from dashboard.dashboards.benchmarking.common import COUNT_UNITS
from dashboard.dashboards.benchmarking.data import NAME
from dashboard.ingest.specs import FIRST_DATA_ROW, LA_COLUMN, ColumnSpec, DatasetSpec, Target
from dashboard.store import schema
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction
from dashboard.store.reference import read_reference_csvs

LABEL = "benchmarking data"


# --- demo data ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoLevel:
    london: float        # typical London LA level
    spread: float        # standard deviation between LAs
    low: float           # valid bounds
    high: float
    trend: float         # change per year, London-wide
    england: float | None  # national level (None: not published for England)
    seasonal: bool = False  # flow measures: summer dip (Q2), autumn peak (Q3)


# Levels are rounded from published London and England figures (DfE CIN, CLA and CSWW releases,
# 2022-2025) so the demo looks like the real thing; none is any LA's real figure.
LEVELS = {
    "referrals_rate": DemoLevel(520, 110, 150, 1200, 8, 540, True),
    "rereferrals_12m_pct": DemoLevel(19, 4, 5, 40, -0.2, 22),
    "assessments_45d_pct": DemoLevel(85, 7, 50, 100, 0.5, 82),
    "assessments_rate": DemoLevel(540, 120, 150, 1200, 6, 560, True),
    "s47_rate": DemoLevel(190, 50, 50, 450, 5, 180, True),
    "cpp_rate": DemoLevel(38, 10, 10, 90, -0.5, 42),
    "cpp_second_pct": DemoLevel(22, 5, 5, 45, 0.2, 24),
    "cpp_2yrs_pct": DemoLevel(3.0, 1.5, 0, 12, -0.1, 3.5),
    "cin_rate": DemoLevel(350, 60, 150, 650, 2, 340),
    "cla_rate": DemoLevel(52, 17, 20, 115, 0.5, 70),
    "cla_3plus_placements_pct": DemoLevel(10, 2.5, 2, 22, 0.1, 10),
    "cla_20miles_pct": DemoLevel(20, 6, 3, 45, 0.3, 15),
    "uasc_cla": DemoLevel(45, 30, 2, 160, 3, None),
    "care_leavers_eet_pct": DemoLevel(53, 7, 25, 80, 0.4, 56),
    "care_leavers_suitable_accom_pct": DemoLevel(87, 5, 60, 100, 0.2, 88),
    "sw_agency_pct": DemoLevel(23, 8, 3, 50, -1.0, 18),
    "sw_vacancy_pct": DemoLevel(19, 6, 2, 40, -0.5, 21),
    "sw_turnover_pct": DemoLevel(17, 4, 5, 35, -0.3, 17),
    "sw_caseload": DemoLevel(16, 2.5, 8, 28, -0.1, 16.5),
}
SEASONAL_EFFECT = {1: 0.0, 2: -0.06, 3: 0.05, 4: 0.01}  # by financial quarter
MISSING_SHARE = 0.03
OUTLIER_SHARE = 0.01


def financial_quarter(d: date) -> int:
    return (d.month - 4) % 12 // 3 + 1


def _quarter_ends(last: date, quarters: int) -> list[date]:
    return [d.date() for d in pd.date_range(end=pd.Timestamp(last), periods=quarters, freq="QE")]


def generate_benchmarking(seed: int, quarters: int = 24, last_quarter_end: date = date(2026, 9, 30)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(LA values, England values) for every indicator in the catalogue, `quarters` quarters to `last_quarter_end`."""
    rng = np.random.default_rng(seed)
    ref = read_reference_csvs()
    la_codes = list(ref["local_authority"]["ons_code"])
    indicators = ref["indicator"].set_index("code")
    periods = _quarter_ends(last_quarter_end, quarters)
    years = np.arange(quarters) / 4.0
    la_rows, england_rows = [], []
    for code, ind in indicators.iterrows():
        level = LEVELS[code]
        dp = int(ind["decimal_places"])
        la_effect = rng.normal(0, level.spread, len(la_codes))              # persistent: some LAs always high
        la_trend = rng.normal(level.trend, abs(level.trend) + level.spread * 0.03, len(la_codes))
        season = np.array([SEASONAL_EFFECT[financial_quarter(p)] for p in periods]) if level.seasonal else np.zeros(quarters)
        noise = rng.normal(0, level.spread * 0.12, (len(la_codes), quarters))
        values = (level.london + la_effect[:, None] + la_trend[:, None] * years[None, :]) * (1 + season[None, :]) + noise
        outliers = rng.random(values.shape) < OUTLIER_SHARE
        values[outliers] *= rng.choice([0.6, 1.5], outliers.sum())
        values = np.round(np.clip(values, level.low, level.high), dp)
        values[rng.random(values.shape) < MISSING_SHARE] = np.nan
        for i, la in enumerate(la_codes):
            la_rows += [(la, code, p, v) for p, v in zip(periods, values[i])]
        if level.england is not None and ind["england_available"]:
            eng = (level.england + level.trend * 0.8 * years) * (1 + season * 0.8) + rng.normal(0, level.spread * 0.02, quarters)
            england_rows += [("England", code, p, round(float(v), dp)) for p, v in zip(periods, np.clip(eng, level.low, level.high))]
    la_values = pd.DataFrame(la_rows, columns=["la_code", "indicator_code", "period_end", "value"])
    _whole_quarter_gap(la_values, rng, la_codes, periods)
    _limit_latest_gaps(la_values, rng, periods[-1])
    england = pd.DataFrame(england_rows, columns=["area", "indicator_code", "period_end", "value"])
    return la_values, england


def _whole_quarter_gap(values: pd.DataFrame, rng, la_codes, periods) -> None:
    """One LA misses a whole quarter's return (all indicators), as happens in real collections."""
    la = la_codes[int(rng.integers(len(la_codes)))]
    period = periods[-2 - int(rng.integers(min(6, len(periods) - 2)))]
    values.loc[(values["la_code"] == la) & (values["period_end"] == period), "value"] = np.nan


def _limit_latest_gaps(values: pd.DataFrame, rng, latest: date, most: int = 3) -> None:
    """At most `most` LAs without a latest-quarter return per indicator, so the headline quarter stays usable."""
    latest_rows = values[(values["period_end"] == latest) & values["value"].isna()]
    for code, frame in latest_rows.groupby("indicator_code"):
        for index in frame.index[most:]:
            # Fill with the LA's previous quarter, the natural stand-in for a late return.
            la = values.at[index, "la_code"]
            history = values[(values["la_code"] == la) & (values["indicator_code"] == code)]["value"].dropna()
            values.at[index, "value"] = history.iloc[-1] if len(history) else LEVELS[code].london


def _records(frame: pd.DataFrame) -> list[dict]:
    # NaN -> None, so a missing return is stored as NULL ("no return"), never 0.
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def load_demo(engine: Engine, seed: int) -> int:
    """Replace the benchmarking dataset (LA and England values) with demo data in one transaction; return the version."""
    la_values, england = generate_benchmarking(seed)
    with write_transaction(engine, NAME) as conn:
        conn.execute(schema.benchmark_value.delete())
        conn.execute(schema.comparator_value.delete())
        conn.execute(schema.benchmark_value.insert(), _records(la_values))
        conn.execute(schema.comparator_value.insert(), _records(england))
        return bump_version(conn, NAME, is_demo=True)


# --- the quarterly return: one row per indicator, for one LA and one quarter ----------------------------------

def _numerator_not_above_denominator(rows: pd.DataFrame, _context) -> list[tuple[int, str, str]]:
    both = rows["numerator"].notna() & rows["denominator"].notna()
    bad = rows.index[both & (rows["numerator"] > rows["denominator"])]
    return [(i, "numerator", "numerator above denominator") for i in bad]


def _within_indicator_range(rows: pd.DataFrame, context) -> list[tuple[int, str, str]]:
    """Percentages must lie in 0-100; every value is 0 or more; a count is a whole number."""
    units = rows["indicator_code"].map(context["units"])
    value = rows["value"]
    problems = [(i, "value", "below 0") for i in rows.index[value.notna() & (value < 0)]]
    problems += [(i, "value", "a percentage above 100") for i in rows.index[value.notna() & (units == "%") & (value > 100)]]
    # A count of children (uasc_cla) is whole: 12.5 children is a typing slip, not a figure.
    counts = value.notna() & units.isin(COUNT_UNITS) & (value != value.round())
    problems += [(i, "value", f"not a whole number: this indicator counts {units[i]}") for i in rows.index[counts]]
    return problems


def _benchmarking_context(conn, la_code: str, period: str) -> dict:
    """Indicator codes and units, and the LA's returns in the year before `period` (for queries)."""
    indicators = pd.read_sql(select(schema.indicator.c.code, schema.indicator.c.unit), conn)
    bv = schema.benchmark_value
    end = pd.Timestamp(period)
    history = pd.read_sql(select(bv.c.indicator_code, bv.c.period_end, bv.c.value)
                          .where(bv.c.la_code == la_code, bv.c.period_end < end.date(),
                                 bv.c.period_end >= (end - pd.DateOffset(years=1)).date(), bv.c.value.is_not(None)), conn)
    return {"codes": {"indicator_code": set(indicators["code"])},
            "units": dict(zip(indicators["code"], indicators["unit"])), "history": history}


def _benchmarking_queries(parsed: pd.DataFrame, context) -> list[dict]:
    """A value more than 50% away from the median of the LA's last four returns for that indicator
    (and by at least 1 unit) is queried, as collections do: it may be right, so it never blocks."""
    history = context.get("history")
    if history is None or history.empty:
        return []
    recent = history.groupby("indicator_code")["value"].agg(["median", "count"])
    queries = []
    for i, row in parsed.iterrows():
        if pd.isna(row["value"]) or row["indicator_code"] not in recent.index:
            continue
        median, count = recent.loc[row["indicator_code"]]
        if count >= 2 and abs(row["value"] - median) > max(0.5 * abs(median), 1):
            queries.append({"row": i + FIRST_DATA_ROW, "column": "value", "value": f"{row['value']:g}",
                            "query": f"far from this LA's recent returns (median of last {int(count)}: {median:g})"})
    return queries


def _benchmarking_rows(parsed: pd.DataFrame, _text, la_code: str, period: str, _context):
    end = pd.Timestamp(period).date()
    return {"benchmark_value": [{"la_code": la_code, "indicator_code": code, "period_end": end,
                                 "value": None if pd.isna(value) else float(value)}
                                for code, value in zip(parsed["indicator_code"], parsed["value"])]}, []


def _indicator_rows(_la, _period, catalogue: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"indicator_code": catalogue["code"]})


def _indicator_sheet(catalogue: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {"Indicators": catalogue[["code", "name", "unit", "decimal_places", "polarity", "definition"]]}


UPLOAD = DatasetSpec(
    name=NAME,
    label="Quarterly benchmarking return (regional dataset)",
    description="One row per indicator, for one LA and one quarter. Leave value blank for an indicator you "
                "cannot return this quarter: it shows as 'no return', never as 0.",
    period_label="quarter end (YYYY-MM-DD: 30 June, 30 September, 31 December or 31 March)",
    columns=(
        LA_COLUMN,
        ColumnSpec("period_end", "date", "Last day of the financial quarter the figures are for.", example="2026-09-30"),
        ColumnSpec("indicator_code", "code", "Indicator code from the catalogue (see the Indicators sheet).",
                   example="cla_rate"),
        ColumnSpec("value", "number", "The indicator's value in its unit; blank means no return.", allow_blank=True,
                   example="52.4"),
        ColumnSpec("numerator", "number", "Optional: the count the value is built from.", required=False,
                   allow_blank=True, minimum=0, example="312"),
        ColumnSpec("denominator", "number", "Optional: the population or total it is divided by.", required=False,
                   allow_blank=True, minimum=0, example="59540"),
    ),
    key=("indicator_code",),
    max_rows=500,
    row_rules=(_numerator_not_above_denominator, _within_indicator_range),
    targets=(Target(schema.benchmark_value, period_rows=lambda t, p: t.c.period_end == pd.Timestamp(p).date()),),
    demo_only=(schema.comparator_value,),     # the demo's London and England figures
    to_store=_benchmarking_rows,
    context=_benchmarking_context,
    queries=_benchmarking_queries,
    template=_indicator_rows,
    reference_sheets=_indicator_sheet,
)
