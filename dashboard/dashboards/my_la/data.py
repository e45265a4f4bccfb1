"""My LA's reads: every indicator the app holds, gathered from each dashboard's declared reads (its `data` module), in
one shape; and the record of what each LA returned, when, by which role, and what was imported.

Nothing here reads another LA's unit records: the regional return holds each LA's rates, published statistics are
published, and SEND's counts come through its own read, already protected by the cell-key method.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import select

from dashboard import loader
from dashboard.dashboards.benchmarking import data as benchmarking_data
from dashboard.dashboards.care_leavers import data as care_leavers_data
from dashboard.dashboards.looked_after_health import data as health_data
from dashboard.dashboards.ofsted import data as ofsted_data
from dashboard.dashboards.suspensions import data as suspensions_data
from dashboard.dashboards.workforce_census import data as workforce_data
from dashboard.dashboards.my_la import metrics
from dashboard.dashboards.send import data as send_data
from dashboard.area_measures.spec import check_scope
from dashboard.loader import AccessScope, _read_sql, cached_read
from dashboard.loader import published as published_loader
from dashboard.published.formats import ENGLAND, LONDON
from dashboard.published.tables import published_file
from dashboard.store import schema

NAME = "my_la"
# The datasets My LA is built from: a new version of any of them is a new view.
SOURCES = ("reference", benchmarking_data.NAME, published_loader.NAME, care_leavers_data.NAME, health_data.NAME,
           send_data.NAME, workforce_data.NAME, ofsted_data.NAME, suspensions_data.NAME, suspensions_data.ENGLAND)
LAIT_ENGLAND, LAIT_LONDON = "970", "986"
# Counts (sizes: children looked after, UASC, population) are left out: a count compares LAs of different sizes, not
# how they do; their own pages show them.
COUNT_UNITS = frozenset({"children", "young people", "FTE"})
# Ofsted's grades as ranks (1 = outstanding): the same ranking rules order them, the page writes the grade.
GRADE_SCORES = {grade: i + 1 for i, grade in enumerate(ofsted_data.GRADES)}


@dataclass
class Series:
    """One indicator as My LA reads it, whichever dashboard holds it."""
    key: str                  # unique: "<dashboard>:<code>"
    theme: str
    name: str
    unit: str
    decimals: int
    polarity: str             # higher / lower / neither
    source: str
    cadence: str              # "quarter" or "year"
    page: str                 # the path of the page that shows it
    query: dict               # its filters there; "{la}" stands for the LA
    # la_code (ONS; "dfe:NNN" where no ONS code is known; a joint return "A / B"), period_end, period (as the source
    # writes it), value (NaN where missing), marker (the publisher's, where it gave one)
    values: pd.DataFrame = field(repr=False)
    london: pd.DataFrame | None = field(default=None, repr=False)    # the published London figure: period_end, value
    england: pd.DataFrame | None = field(default=None, repr=False)
    labels: dict | None = None   # value -> words, where a value stands for a word (an Ofsted grade)
    # Flagged by London's top/bottom 20%? Not for a grade: with four grades most LAs tie, and the tie at "good" would
    # fall in both fifths (rank 18 of 33 "in the bottom 20%").
    london_flag: bool = True


THEMES = ("Help and protection", "Children in care", "Care leavers", "SEND", "Workforce", "Education", "Inspections",
          "Context")
REGIONAL_THEMES = {"Early help and referrals": "Help and protection", "Assessment": "Help and protection",
                   "Child protection": "Help and protection", "Children in need": "Help and protection",
                   "Children looked after": "Children in care", "Care leavers": "Care leavers", "Workforce": "Workforce"}


def published_theme(code: str) -> str:
    """The theme of a published (Benchmarking) indicator, from its code."""
    if "care_leavers" in code:
        return "Care leavers"
    if code.startswith("csww_"):
        return "Workforce"
    if code.startswith(("cla_", "lait_cla", "lait_uasc")):
        return "Children in care"
    if code.startswith("population"):
        return "Context"
    return "Help and protection"


def _year_start(period) -> pd.Timestamp:
    return pd.Timestamp(year=int(str(period)[:4]), month=1, day=1)


def _year_starts(periods: pd.Series) -> pd.Series:
    """`_year_start` of each period, worked out once per distinct period (a few years, not every row)."""
    return periods.map({p: _year_start(p) for p in periods.unique()})


def _frame(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows[["la_code", "period_end", "period", "value", "marker"]].copy()
    out["value"] = out["value"].astype("float64")   # missing stays NaN, never 0
    return out.reset_index(drop=True)


def _regional(scope: AccessScope) -> list[Series]:
    out = []
    for ind in loader.indicator_catalogue().to_dict("records"):
        if ind["unit"] in COUNT_UNITS:
            continue
        data = benchmarking_data.benchmark_indicator(ind["code"], scope)
        values = data["values"].assign(period=lambda f: f["period_end"].dt.date.astype(str), marker=None)
        england = data["england"][["period_end", "value"]]
        out.append(Series(
            f"regional:{ind['code']}", REGIONAL_THEMES.get(ind["theme"], ind["theme"]), ind["name"], ind["unit"],
            int(ind["decimal_places"]), ind["polarity"], "Members' quarterly return (RIIA)", "quarter", "/benchmarking",
            {"source": "regional", "indicator": ind["code"], "focus": "{la}"}, _frame(values), None, england))
    return out


def _published(scope: AccessScope) -> list[Series]:
    out = []
    census = not workforce_data.workforce_census_values(scope).empty
    for ind in published_loader.catalogue().to_dict("records"):
        if ind["unit"] in COUNT_UNITS or (census and ind["code"].startswith("csww_")):
            continue   # sizes are on their own pages; the census's measures come once, from Workforce census
        raw = published_loader.indicator_values(ind["code"], scope)
        raw = raw.assign(period_end=_year_starts(raw["period"]), la_code=raw["area_code"])
        areas = raw[~raw["area_code"].isin([LONDON, ENGLAND])]

        def area(code):
            return raw[raw["area_code"] == code][["period_end", "value"]].reset_index(drop=True)
        out.append(Series(
            f"published:{ind['code']}", published_theme(ind["code"]), ind["name"], ind["unit"],
            int(ind["decimal_places"]), ind["polarity"], ind["source"], "year", "/benchmarking",
            {"source": "published", "indicator": ind["code"], "focus": "{la}"}, _frame(areas), area(LONDON), area(ENGLAND)))
    return out


def _lait_measures(name: str, theme: str, page: str, values: pd.DataFrame, measures, source_default: str) -> list[Series]:
    out = []
    values = values.assign(period_end=_year_starts(values["period"]),
                           la_code=[a if isinstance(a, str) and a else f"dfe:{d}"
                                    for a, d in zip(values["area_code"], values["dfe_code"])])
    by_measure = dict(tuple(values.groupby("measure", sort=False)))
    for m in measures:
        if not m.chart or m.unit in COUNT_UNITS:   # counts and sizes: shown on their page, not compared here
            continue
        rows = by_measure.get(m.code, values.iloc[0:0])
        areas = rows[~rows["dfe_code"].isin([LAIT_ENGLAND, LAIT_LONDON])]
        source = rows["source"].iloc[0] if len(rows) else source_default

        def area(dfe):
            return rows[rows["dfe_code"] == dfe][["period_end", "value"]].reset_index(drop=True)
        out.append(Series(f"{name}:{m.code}", theme, m.name, m.unit, m.decimals, m.polarity, source, "year", page,
                          {"la": "{la}", "measure": m.code}, _frame(areas), area(LAIT_LONDON), area(LAIT_ENGLAND)))
    return out


def _ofsted(scope: AccessScope) -> list[Series]:
    """Each ILACS judgement of each LA's latest inspection, as a grade (1 = outstanding ... 4 = inadequate): one period,
    "latest inspection", since LAs are inspected in different years; no change rule applies."""
    inspections = ofsted_data.ilacs_inspections(scope)
    if inspections.empty:
        return []
    london = inspections[inspections["ons_code"].astype(str).str.startswith("E09")]
    labels = {float(score): grade.capitalize() for grade, score in GRADE_SCORES.items()}
    out = []
    for column, name in ofsted_data.JUDGEMENTS.items():
        grades = london[column].astype(object)
        values = pd.DataFrame({
            "la_code": london["ons_code"].astype(str), "period_end": london["publication_date"].max(),
            "period": "latest inspection", "value": [float(GRADE_SCORES[g]) if g in GRADE_SCORES else float("nan") for g in grades],
            "marker": [None if g in GRADE_SCORES else (g if isinstance(g, str) and g else "no judgement") for g in grades]})
        out.append(Series(
            f"ofsted:{column}", "Inspections", f"Ofsted ILACS: {name} (1 outstanding to 4 inadequate)", "grade", 0, "lower",
            str(london["source"].iloc[0]), "inspection", "/ofsted", {"focus": "{la}", "judgement": column},
            _frame(values), None, None, labels, london_flag=False))
    return out


def _suspensions(scope: AccessScope) -> list[Series]:
    """Suspensions per 100 pupils, and pupils with one or more suspensions (%), for each LA and academic year, from the
    protected counts (the cell-key method: the same figures the Suspensions page shows), summed over ethnic groups."""
    rows = suspensions_data.protected_la_rows(scope)
    if rows.empty:
        return []
    rows = rows[rows["ethnicity"] != "All pupils"]
    totals = rows.groupby(["la_code", "academic_year"], as_index=False)[["headcount", "suspensions", "pupils_suspended"]].sum(
        min_count=1)
    england = suspensions_data.england_rows(scope)
    england = england[england["ethnicity"] == "All pupils"] if len(england) else england
    out = []
    for code, name, unit, numerator in (
            ("suspension_rate", "Suspensions per 100 pupils", "per 100 pupils", "suspensions"),
            ("pupils_suspended_pct", "Pupils with one or more suspensions (%)", "%", "pupils_suspended")):
        def rate(frame):
            return (frame[numerator].astype("float64") / frame["headcount"].astype("float64") * 100).where(
                frame["headcount"].astype("float64") > 0)
        values = pd.DataFrame({"la_code": totals["la_code"], "period_end": _year_starts(totals["academic_year"]),
                               "period": totals["academic_year"], "value": rate(totals), "marker": None})
        national = (pd.DataFrame({"period_end": england["academic_year"].map(_year_start), "value": rate(england)})
                    if len(england) else None)
        out.append(Series(f"suspensions:{code}", "Education", name, unit, 2 if unit != "%" else 1, "lower",
                          "Members' suspensions returns, protected by the cell-key method (LIIA)", "year", "/suspensions",
                          {"area": "{la}"}, _frame(values), None, national))
    return out


def _send(scope: AccessScope) -> list[Series]:
    out = []
    sources = send_data.send_sources(scope)
    for code, ind in send_data.INDICATORS.items():
        if ind.kind == "count":    # sizes, not comparable between LAs of different size
            continue
        series = send_data.send_series(code, scope)   # built on the protected read (members' counts perturbed)
        rows = series.assign(period_end=series["year"].map(lambda y: pd.Timestamp(year=int(y), month=1, day=1)),
                             period=series["year"].astype(str), la_code=series["area_code"], marker=None)
        areas = rows[~rows["area_code"].isin([send_data.LONDON, send_data.ENGLAND]) & ~rows["area_code"].str.startswith("SR:")]

        def area(code_):
            return rows[rows["area_code"] == code_][["period_end", "value"]].reset_index(drop=True)
        measure_sources = [sources.get(m) for m in (ind.numerator, ind.denominator, code) if m and sources.get(m)]
        out.append(Series(f"send:{code}", "SEND", ind.name, ind.unit or "number", ind.decimals, ind.polarity,
                          "; ".join(dict.fromkeys(measure_sources)) or "DfE SEN2 and school census", "year", "/send",
                          {"focus": "{la}", "measure": code}, _frame(areas), area(send_data.LONDON),
                          area(send_data.ENGLAND)))
    return out


@cached_read(*SOURCES, check=check_scope)
def every_indicator(scope: AccessScope) -> list[Series]:
    """Every indicator the app holds, from each dashboard's reads (the same for every member: all are shared reads)."""
    return (_regional(scope) + _published(scope)
            + _lait_measures(care_leavers_data.NAME, "Care leavers", "/care-leavers",
                             care_leavers_data.care_leavers_values(scope), care_leavers_data.MEASURES, "DfE LAIT")
            + _lait_measures(health_data.NAME, "Children in care", "/looked-after-health",
                             health_data.looked_after_health_values(scope), health_data.MEASURES, "DfE LAIT")
            + _lait_measures(workforce_data.NAME, "Workforce", "/workforce-census",
                             workforce_data.workforce_census_values(scope), workforce_data.MEASURES,
                             "DfE children's social work workforce census")
            + _ofsted(scope) + _suspensions(scope) + _send(scope))


def prepared_indicators(scope: AccessScope) -> list[tuple[Series, metrics.Prepared]]:
    """Every indicator with what all LAs' standings on it share (its London ranking, latest period, lookups): made
    once per data version, so one LA's view is lookups, not a ranking per indicator. A fresh copy on every call."""
    return pickle.loads(_prepared_pickled(scope))


@cached_read(*SOURCES, check=check_scope)
def _prepared_pickled(scope: AccessScope) -> bytes:
    """`prepared_indicators`, pickled: the cache hands out bytes as they are, and unpickling them is a fresh copy at a
    fraction of what deep-copying thousands of small lookups took (half of an LA's uncached view)."""
    las = loader.local_authorities()
    # The figures themselves stay behind (the lookups hold what a view needs): the cache copies less on every read.
    return pickle.dumps([(replace(series, values=series.values.iloc[0:0], london=None, england=None), prepared)
                         for series in every_indicator(scope) if (prepared := metrics.prepare(series, las)) is not None],
                        protocol=pickle.HIGHEST_PROTOCOL)


def neighbour_codes(dfe_code: str) -> list[str]:
    """The LA's DfE statistical neighbours, as the values name them (ONS code, or "dfe:NNN" where none is known)."""
    frame = published_loader.statistical_neighbours(dfe_code)
    return [c if isinstance(c, str) and c else f"dfe:{d}" for c, d in zip(frame["neighbour_code"],
                                                                         frame["neighbour_dfe_code"])]


# --- data status -----------------------------------------------------------------------------------------------------

def uploads() -> pd.DataFrame:
    """Every current upload: dataset, la_code, period, version, uploaded_at, role of the uploader (name for admins
    and the LA's own members only: the view decides)."""
    u, user = schema.upload, schema.app_user
    frame = _read_sql(select(u.c.dataset, u.c.la_code, u.c.period, u.c.version, u.c.uploaded_at, u.c.uploaded_by,
                             user.c.role, user.c.name).join(user, user.c.email == u.c.uploaded_by, isouter=True)
                      .where(u.c.is_current).order_by(u.c.dataset, u.c.la_code, u.c.period))
    frame["uploaded_at"] = pd.to_datetime(frame["uploaded_at"], utc=True)
    return frame


def datasets() -> pd.DataFrame:
    """Every dataset: name, version, is_demo, updated_at (read fresh: one small query)."""
    ds = schema.dataset
    return _read_sql(select(ds.c.name, ds.c.version, ds.c.is_demo, ds.c.updated_at).order_by(ds.c.name))


def published_files() -> pd.DataFrame:
    """Every published file imported: file_name, format (the release), imported_at, rows_kept."""
    f = published_file
    return _read_sql(select(f.c.file_name, f.c.format, f.c.imported_at, f.c.rows_kept).order_by(f.c.imported_at.desc()))
