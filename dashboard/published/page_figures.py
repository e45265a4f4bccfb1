"""The pages' own published figures (SEND, Leadership in Colour, Suspensions, Sufficiency) as long rows with the
export's columns: source, indicator, period, la_code, la_name, value, marker.

A figure the publisher did not give keeps its marker (c, k, x, z, low, <10%), or "not published" where the
page's table keeps only that it is missing; never 0. Demo rows are never exported. A joint return keeps its
joint code ("E09000021 / E09000027") and says so in its name.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.dashboards.leadership_in_colour import returns as linc
from dashboard.dashboards.send import returns as send
from dashboard.dashboards.sufficiency import returns as sufficiency
from dashboard.dashboards.suspensions import returns as suspensions
from dashboard.published.formats import ENGLAND, INNER, LONDON, OUTER
from dashboard.store import schema

COLUMNS = ["source", "indicator", "period", "la_code", "la_name", "value", "marker"]
NOT_PUBLISHED = "not published"
AREA_NAMES = {ENGLAND: "England", LONDON: "London", INNER: "Inner London", OUTER: "Outer London"}
CLA_SOURCE = "DfE, Children looked after in England including adoptions: at 31 March by characteristics"
CSWW_ROLE_SOURCE = "DfE, Children's social work workforce: in post by role and ethnicity (30 September census)"
LINC_SOURCE = "ALDCS Leadership in Colour: ethnicity of London borough employees by pay band, December 2020"


def _read(engine: Engine, table) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(select(table), conn)


def _la_names(engine: Engine) -> dict[str, str]:
    la = schema.local_authority
    with engine.connect() as conn:
        return {**AREA_NAMES, **dict(conn.execute(select(la.c.ons_code, la.c.name)).all())}


def _long(frame: pd.DataFrame, value_columns: dict[str, str], marker_columns: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per value column: indicator = its label, marker = its marker column, else "not published" when empty."""
    parts = []
    for column, label in value_columns.items():
        part = frame[["source", "indicator", "period", "la_code", "la_name"]].copy()
        part["indicator"] = part["indicator"] + label
        part["value"] = frame[column].astype("float64")
        given = frame[marker_columns[column]] if marker_columns and column in marker_columns else pd.Series(None, index=frame.index)
        part["marker"] = given.where(part["value"].isna()).fillna(NOT_PUBLISHED).where(part["value"].isna(), None)
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def send_figures(engine: Engine, names: dict[str, str]) -> pd.DataFrame:
    values = _read(engine, send.send_value)
    values = values[values["source"] != send.DEMO]
    frame = pd.DataFrame({"source": values["source"], "indicator": "send_" + values["measure"],
                          "period": values["year"].astype(str), "la_code": values["area_code"],
                          "la_name": values["area_code"].map(names), "figure": values["value"]})
    return _long(frame, {"figure": ""})


def linc_figures(engine: Engine, names: dict[str, str]) -> pd.DataFrame:
    parts = []
    roles = _read(engine, linc.linc_csww_role)
    if len(roles):
        latest = int(roles["year"].max())
        frame = pd.DataFrame({"source": f"{CSWW_ROLE_SOURCE}, 2019 to {latest}",
                              "indicator": "csww_role_ethnicity / " + roles["role"] + " / " + roles["ethnicity"],
                              "period": roles["year"].astype(str), "la_code": roles["area_code"], "la_name": roles["area_name"],
                              "headcount": roles["headcount"], "fte": roles["fte"], "headcount_pct": roles["headcount_pct"],
                              "headcount_marker": roles["headcount_marker"], "fte_marker": roles["fte_marker"]})
        parts.append(_long(frame, {"headcount": " / headcount", "fte": " / FTE", "headcount_pct": " / headcount %"},
                           {"headcount": "headcount_marker", "fte": "fte_marker", "headcount_pct": "headcount_marker"}))
    population = _read(engine, linc.linc_payband_population)
    population = population[population["source"] != "demo"]
    if len(population):
        frame = pd.DataFrame({"source": population["source"], "indicator": "census_population_share / " + population["ethnicity"],
                              "period": "2021", "la_code": population["la_code"], "la_name": population["la_code"].map(names),
                              "share": population["population_share"]})
        parts.append(_long(frame, {"share": ""}))
    boroughs = _read(engine, linc.linc_published_borough)
    if len(boroughs):
        frame = pd.DataFrame({"source": LINC_SOURCE,
                              "indicator": "linc_2020_" + boroughs["ethnic_group"] + "_share / " + boroughs["measure"],
                              "period": "December 2020",
                              "la_code": boroughs["la_codes"].where(boroughs["la_codes"] != "", LONDON),
                              "la_name": boroughs["area_name"].where(boroughs["area_name"] != "Grand Total", "London (all boroughs)"),
                              "share": boroughs["value"], "marker": boroughs["value_text"].where(boroughs["suppressed"])})
        parts.append(_long(frame, {"share": ""}, {"share": "marker"}))
    bands = _read(engine, linc.linc_published_band)
    if len(bands):
        frame = pd.DataFrame({"source": LINC_SOURCE, "indicator": "linc_2020_bgm_share_by_pay_band / " + bands["pay_band"],
                              "period": "December 2020", "la_code": LONDON, "la_name": "London (all boroughs)",
                              "share": bands["bgm_share"]})
        parts.append(_long(frame, {"share": ""}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def suspensions_figures(engine: Engine) -> pd.DataFrame:
    parts = []
    england = _read(engine, suspensions.suspensions_england)
    if len(england):
        frame = pd.DataFrame({"source": suspensions.ENGLAND_SOURCE, "indicator": "suspensions_england / " + england["ethnicity"],
                              "period": england["academic_year"], "la_code": ENGLAND, "la_name": "England",
                              **{c: england[c] for c in suspensions.COUNT_COLUMNS}})
        parts.append(_long(frame, {c: f" / {c}" for c in suspensions.COUNT_COLUMNS}))
    table = _read(engine, suspensions.suspensions_published)
    if len(table):
        frame = pd.DataFrame({"source": suspensions.PUBLISHED_SOURCE, "indicator": "suspensions_published / " + table["ethnicity"],
                              "period": "as published", "la_code": LONDON, "la_name": "London",
                              "pupils": table["pupils"], "rate_per_1000": table["rate_per_1000"], "rri": table["rri"]})
        parts.append(_long(frame, {"pupils": " / pupils", "rate_per_1000": " / suspension rate per 1,000", "rri": " / RRI"}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def sufficiency_figures(engine: Engine) -> pd.DataFrame:
    rows = _read(engine, sufficiency.published)
    if not len(rows):
        return pd.DataFrame(columns=COLUMNS)
    regions = {"london": LONDON, "inner": INNER, "outer": OUTER, "england": ENGLAND}
    latest = int(rows["time_period"].max())
    frame = pd.DataFrame({"source": f"{CLA_SOURCE}, 2021 to {latest}",
                          "indicator": "cla_31_march / " + rows["cla_group"] + " / " + rows["characteristic"],
                          "period": rows["time_period"].astype(str), "la_code": rows["area_code"].replace(regions),
                          "la_name": rows["area_name"], "number": rows["number"], "percentage": rows["percentage"],
                          "number_marker": rows["number_marker"], "percentage_marker": rows["percentage_marker"]})
    return _long(frame, {"number": " / number", "percentage": " / %"},
                 {"number": "number_marker", "percentage": "percentage_marker"})


def page_figures(engine: Engine) -> pd.DataFrame:
    names = _la_names(engine)
    parts = [send_figures(engine, names), linc_figures(engine, names), suspensions_figures(engine), sufficiency_figures(engine)]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else pd.DataFrame(columns=COLUMNS)
