"""SEND: its tables and cached reads (see dashboard.loader for the caching rules).

The SEND figures are published statistics (and labelled demo data), shared among all members, so every signed-in
scope may read them, alike. Counts from members' returns (and the demo standing in for them) are protected by the
cell-key method as they are read (`metrics.protect_returned`); published figures are shown as published.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Column, Date, Float, Integer, String, Table, select

from dashboard.dashboards.send.metrics import (INDICATORS, area_series, latest_inspections, mix_table,
                                               outcome_share_history, protect_returned, with_totals)
from dashboard.loader import AccessScope, cached_read, kept_in_process, local_authorities, _read_sql
from dashboard.store import schema

NAME = "send"
LABEL = "SEND data"
LONDON, ENGLAND = "E12000007", "E92000001"
DEMO = "demo"

send_value = Table(
    "send_value", schema.metadata,
    Column("area_code", String(9), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("measure", String(40), primary_key=True),
    Column("value", Float, nullable=True),            # NULL: not published for this area and year
    Column("source", String(160), nullable=False),
)

send_inspection = Table(
    "send_inspection", schema.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area_code", String(9), nullable=True),   # ONS code; London boroughs are E09000001-33
    Column("area_name", String(80), nullable=False),
    Column("region", String(40), nullable=True),      # "London", or another Ofsted region; None if not given
    Column("framework", String(8), nullable=False),   # "2016" (May 2016 - Aug 2022) or "2023" (from January 2023)
    Column("start_date", Date, nullable=True),
    Column("publication_date", Date, nullable=True),
    Column("outcome_grade", Integer, nullable=True),  # 2023 framework: 1, 2 or 3; NULL when not yet published
    Column("wsoa_required", String(3), nullable=True),  # 2016 framework: written statement of action? Yes/No
    Column("weaknesses", Integer, nullable=True),
    Column("revisit_outcome", String(40), nullable=True),
    Column("source", String(160), nullable=False),
)


PLACEMENTS = {  # measure -> label; where children and young people with an EHC plan are educated (January)
    "place_mainstream": "Mainstream school",
    "place_resourced": "Resourced provision or SEN unit",
    "place_la_special": "Maintained special school",
    "place_academy_special": "Academy or free special school",
    "place_inmss": "Independent or non-maintained special (INMSS)",
    "place_fe": "Further education or training",
    "place_other": "Other (AP, home, NEET, elsewhere)",
}
NEEDS = {  # measure -> label; primary need of pupils with an EHC plan (January census)
    "need_asd": "Autism",
    "need_semh": "Social, emotional and mental health",
    "need_slcn": "Speech, language and communication",
    "need_mld": "Moderate learning difficulty",
    "need_other": "Other needs",
}


def check_scope(scope: AccessScope) -> None:
    if not isinstance(scope, AccessScope) or not scope.role or not scope.la_code:
        raise PermissionError("SEND data needs a signed-in scope")


def _sources(values: pd.DataFrame) -> dict[str, str]:
    """{measure: source} of the figures held, every source of a measure joined ("demo", the published file)."""
    return values.groupby("measure")["source"].agg(lambda s: "; ".join(sorted(set(s)))).to_dict()


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def send_values(scope: AccessScope) -> pd.DataFrame:
    """area_code, year, measure, value, source for every area (London LAs, London, England); plus placements_total."""
    frame = _read_sql(select(send_value.c.area_code, send_value.c.year, send_value.c.measure, send_value.c.value,
                             send_value.c.source).order_by(send_value.c.area_code, send_value.c.year))
    frame["year"] = frame["year"].astype(int)
    frame["value"] = frame["value"].astype("float64")  # NULL stays NaN: "not published", never 0
    # Members' counts (and the demo standing in for them) protected before anything is built from them; every
    # member alike (the viewer's own LA too: this read and the views built on it are shared by every member).
    return with_totals(protect_returned(frame))


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def send_held(scope: AccessScope) -> pd.DataFrame:
    """One row (area_code, year, measure, value 1) per measure and year with a figure for any London LA: all that
    choosing the filters asks of `send_values`, without copying every figure on each change."""
    values = send_values(scope)
    held = values[values["value"].notna() & values["area_code"].str.startswith("E09")]
    return (held.drop_duplicates(["measure", "year"])[["area_code", "year", "measure"]].assign(value=1.0)
            .reset_index(drop=True))


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def send_inspections(scope: AccessScope) -> pd.DataFrame:
    """Every area SEND inspection held (London LAs, and the rest of England for national shares)."""
    t = send_inspection
    frame = _read_sql(select(t.c.area_code, t.c.area_name, t.c.region, t.c.framework, t.c.start_date, t.c.publication_date,
                             t.c.outcome_grade, t.c.wsoa_required, t.c.weaknesses, t.c.revisit_outcome, t.c.source)
                      .order_by(t.c.publication_date, t.c.area_name))
    for column in ("start_date", "publication_date"):
        frame[column] = pd.to_datetime(frame[column])
    frame["outcome_grade"] = frame["outcome_grade"].astype("float64")
    return frame


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def send_sources(scope: AccessScope) -> dict[str, str]:
    """{measure: source} for the figures held ("demo" or the published file)."""
    values = send_values(scope)
    return _sources(values[values["measure"] != "placements_total"])


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def send_series(code: str, scope: AccessScope) -> pd.DataFrame:
    """One indicator for every LA, sub-region, London and England, every year (metrics.area_series), cached."""
    if code not in INDICATORS:
        raise KeyError(f"unknown SEND indicator {code!r}")
    return area_series(send_values(scope), local_authorities(), INDICATORS[code])


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def send_sources_of(area_code: str, scope: AccessScope) -> dict[str, str]:
    """{measure: source} for one area's figures (an LA's own return replaces its demo placements and needs)."""
    values = send_values(scope).dropna(subset=["source"])   # derived totals carry no source
    return _sources(values[values["area_code"] == area_code])


# Inspection summaries and mixes depend only on the data (not on the focus LA): computed once per version.
@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def send_inspection_summary(scope: AccessScope) -> dict:
    """{'latest': each London LA's latest outcome (metrics.latest_inspections), 'history': outcome-1 shares over time}."""
    inspections = send_inspections(scope)
    las = local_authorities()
    return {"latest": latest_inspections(inspections, las),
            "history": outcome_share_history(inspections, set(las["la_code"]))}


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def send_mix(year: int, measures: tuple[str, ...], by: str, scope: AccessScope) -> pd.DataFrame:
    """Counts and shares of a mix (placements or needs) for one year, by LA or sub-region (metrics.mix_table)."""
    return mix_table(send_values(scope), local_authorities(), int(year), tuple(measures), by)
