"""Ofsted inspections: its table and cached reads (see dashboard.loader for the caching rules).

`ofsted_ilacs` holds each English LA's latest inspection of local authority children's services (ILACS), as Ofsted
published it: one row per LA, every LA kept (England's distribution and neighbours outside London need them).
A judgement is one of Ofsted's four grades, or NULL when none was given (e.g. an overall grade not yet given in
2026), or `PRE_DATES` for a care leavers judgement the inspection came before: never a grade made up.
The judgements are published facts, shared by every member alike.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Column, Date, String, Table, select

from dashboard.loader import AccessScope, _read_sql, cached_read
from dashboard.store import schema

NAME = "ofsted"
LABEL = "Ofsted inspections of children's services"

GRADES = ("outstanding", "good", "requires improvement", "inadequate")   # best first, as Ofsted orders them
# The care leavers judgement has been separate since January 2023; an inspection before then has none.
PRE_DATES = "pre-dates judgement"
JUDGEMENTS = {   # column -> Ofsted's name for the judgement
    "overall": "Overall effectiveness",
    "leaders": "Impact of leaders on social work practice with children and families",
    "help_protection": "Experiences and progress of children who need help and protection",
    "in_care": "Experiences and progress of children in care",
    "care_leavers": "Experiences and progress of care leavers",
}

ofsted_ilacs = Table(
    "ofsted_ilacs", schema.metadata,
    Column("dfe_code", String(3), primary_key=True),   # DfE's 3-digit LA number (statistical neighbours use it)
    Column("ons_code", String(9), nullable=True),      # London boroughs E09000001-33; counties E10...
    Column("la_name", String(80), nullable=False),
    Column("region", String(40), nullable=True),       # Ofsted region; None when the file gives none
    Column("urn", String(12), nullable=True),
    Column("framework", String(12), nullable=True),    # "short" or "standard" ILACS inspection
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("publication_date", Date, nullable=True),
    *[Column(judgement, String(24), nullable=True) for judgement in JUDGEMENTS],   # a grade, PRE_DATES or NULL
    Column("report_link", String(300), nullable=True),
    Column("source", String(200), nullable=False),
)


def check_scope(scope: AccessScope) -> None:
    if not isinstance(scope, AccessScope) or not scope.role or not scope.la_code:
        raise PermissionError("Ofsted inspections need a signed-in scope")


@cached_read(NAME, check=check_scope)
def ilacs_inspections(scope: AccessScope) -> pd.DataFrame:
    """Every LA's latest ILACS inspection held (all England), in DfE code order; dates as Timestamps (NaT: none)."""
    t = ofsted_ilacs
    frame = _read_sql(select(t).order_by(t.c.dfe_code))
    for column in ("start_date", "end_date", "publication_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame
