"""The sufficiency tool's tables and cached reads: child-level rows go in, only aggregates come out.

Privacy, enforced here on the server:
- Only commissioners and administrators may read this dataset (`PermissionError` for any other scope).
- Child-level rows are read into a per-process memory cache keyed by the dataset version (never the shared
  cache, so no child-level row is written to the cache folder or Redis) and never returned by any function here.
- Every function returns aggregates. When a view counts children looked after by any LA other than the caller's
  own, counts of 1 to 5 are "c" with secondary suppression (`dashboard.disclosure.suppress`), and
  percentages, medians and rates built on such counts are "c" too. A caller's own LA, alone, is shown unsuppressed.
- Results are cached in the shared cache (`cached_read`) with the dataset version and who may see them in the key:
  every commissioner alike for a suppressed view, the caller's LA for its own unsuppressed one.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Column, Date, Float, Integer, String, Table, func, select

from dashboard.auth.users import audit
from dashboard.dashboards.sufficiency import metrics as m
from dashboard.disclosure import SUPPRESSED, is_small, share_hidden, sum_hidden, suppress
from dashboard.loader import AccessScope, _read_sql, cached_read, dataset_version, local_authorities
from dashboard.store import get_engine, schema

NAME = "sufficiency"
LABEL = "looked-after children (sufficiency) data"

md = schema.metadata

child = Table(
    "sufficiency_child", md,
    Column("la_code", String(9), primary_key=True),        # the looking-after LA (ONS code)
    Column("child", String(16), primary_key=True),         # CHILD: hashed id, never shown
    Column("sex", String(1), nullable=False),              # 1 male, 2 female
    Column("dob", Date, nullable=False),                   # month precision: the 1st of the month
    Column("ethnic", String(4), nullable=False),           # DfE ethnicity code
    Column("uasc", Boolean, nullable=False, default=False),
    Column("duc", Date, nullable=True),                    # date UASC status ceased
)

episode = Table(
    "sufficiency_episode", md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("la_code", String(9), nullable=False, index=True),
    Column("child", String(16), nullable=False),
    Column("decom", Date, nullable=False),
    Column("rne", String(1), nullable=False),
    Column("ls", String(2), nullable=False),
    Column("cin", String(2), nullable=False),
    Column("place", String(2), nullable=False),
    Column("place_provider", String(3), nullable=True),
    Column("dec", Date, nullable=True),
    Column("rec", String(3), nullable=True),
    Column("reason_place_change", String(8), nullable=True),
    Column("home_post", String(8), nullable=True),         # postcode sector of the child's home
    Column("pl_post", String(8), nullable=True),           # postcode sector of the placement
    Column("urn", String(8), nullable=True),               # Ofsted URN of the provider, if it has one
    Column("year", Integer, nullable=False),               # collection year of the return (31 March)
)

code = Table(
    "sufficiency_code", md,
    Column("list_name", String(24), primary_key=True),
    Column("code", String(8), primary_key=True),
    Column("label", String(160), nullable=False),
    Column("grp", String(48), nullable=False),             # the group the page filters and charts by
)

postcode_sector = Table(
    "sufficiency_postcode_sector", md,
    Column("sector", String(8), primary_key=True),         # "SE15 4"
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("area_code", String(64), nullable=False),       # ONS code of a London LA, or a county/area name outside London
    Column("area_name", String(64), nullable=False),
    Column("region", String(32), nullable=False),          # "London", "South East", ...
)

provider = Table(
    "sufficiency_provider", md,
    Column("urn", String(8), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("provider_type", String(48), nullable=False),
    Column("sector", String(8), nullable=True),
)

provider_grade = Table(
    "sufficiency_provider_grade", md,
    Column("urn", String(8), primary_key=True),
    Column("inspection_date", Date, primary_key=True),
    Column("grade", Integer, nullable=False),              # 1 outstanding, 2 good, 3 requires improvement, 4 inadequate
)

# DfE's published "children looked after at 31 March" by characteristic, for London LAs, London and England.
# Published markers are kept: number/percentage NULL with marker "c" (suppressed), "k" (under 0.5%), "z" (not applicable).
published = Table(
    "sufficiency_published", md,
    Column("time_period", Integer, primary_key=True),       # the year of 31 March
    Column("area_code", String(16), primary_key=True),      # ONS LA code, "london", "inner", "outer" or "england"
    Column("cla_group", String(80), primary_key=True),
    Column("characteristic", String(120), primary_key=True),
    Column("area_name", String(64), nullable=False),
    Column("number", Float, nullable=True),
    Column("number_marker", String(1), nullable=True),
    Column("percentage", Float, nullable=True),
    Column("percentage_marker", String(1), nullable=True),
)
PUBLISHED_NAME = "sufficiency_published"

TABLES = (child, episode, code, postcode_sector, provider, provider_grade)
DEMO_START, DEMO_END = date(2018, 4, 1), date(2025, 3, 31)   # seven collection years of episodes, 2018-19 to 2024-25

READ_ROLES = ("commissioner", "admin")


def check_scope(scope: AccessScope) -> None:
    """Refuse (and log) any other role: the page's guard should have stopped it, so this is a crafted request."""
    if scope is None or scope.role not in READ_ROLES:
        audit(get_engine(), actor=None, event="refused",
              detail=f"sufficiency data read by {scope.key if scope else 'no scope'}")
        raise PermissionError("The sufficiency data is for commissioners and administrators only.")


def is_restricted(area: str, scope: AccessScope) -> bool:
    """Suppression applies unless the view is the caller's own LA alone."""
    return area != f"la:{scope.la_code}"


def _own_la_alone(scope: AccessScope, arguments: dict) -> bool:
    """A view of the caller's own LA alone is unsuppressed, so only that caller's LA may share it."""
    return not is_restricted(arguments["area"], scope)


# --- child level: read once per process and version, never returned ----------------------------------------------

@dataclass
class _Prepared:
    episodes: pd.DataFrame
    grades: pd.DataFrame
    first: pd.Timestamp
    last: pd.Timestamp


_prepared_cache: dict = {}
_prepared_lock = threading.Lock()


def _prepare(version: int) -> _Prepared:
    key = (str(get_engine().url), version)
    with _prepared_lock:
        if key in _prepared_cache:
            return _prepared_cache[key]
        e, c = episode, child
        episodes = _read_sql(select(e.c.la_code, e.c.child, e.c.decom, e.c.dec, e.c.rne, e.c.ls, e.c.cin, e.c.place,
                                    e.c.place_provider, e.c.rec, e.c.home_post, e.c.pl_post, e.c.urn))
        children = _read_sql(select(c.c.la_code, c.c.child, c.c.sex, c.c.dob, c.c.ethnic, c.c.uasc))
        sectors = _read_sql(select(postcode_sector))
        codes = _read_sql(select(code))
        grades = _read_sql(select(provider_grade))
        las = local_authorities()
        episodes = episodes.merge(children, on=["la_code", "child"], how="left")
        for column in ("decom", "dec", "dob"):
            episodes[column] = pd.to_datetime(episodes[column])
        episodes["uasc"] = episodes["uasc"].fillna(False).astype(bool)
        episodes["cid"] = pd.factorize(episodes["la_code"] + ":" + episodes["child"])[0]
        episodes = m.resolve_overlaps(episodes).reset_index(drop=True)
        grades["inspection_date"] = pd.to_datetime(grades["inspection_date"])
        groups = {name: dict(zip(frame["code"], frame["grp"])) for name, frame in codes.groupby("list_name")}
        episodes["group"] = m.placement_group(episodes["place"], episodes["place_provider"])
        episodes["legal_group"] = episodes["ls"].map(groups.get("legal_status", {})).fillna("Not known")
        episodes["provider_group"] = m.provider_group(episodes["place_provider"], groups.get("provider", {}))
        episodes["ethnic_group"] = m.ethnic_group(episodes["ethnic"], groups.get("ethnicity", {}))
        subregion_of = dict(zip(las["la_code"], las["subregion_code"]))
        episodes = m.locate(episodes, sectors, subregion_of)
        episodes["subregion"] = episodes["la_code"].map(subregion_of)
        # Categories make the many snapshots' filters and counts cheap.
        for column in ("la_code", "sex", "ethnic_group", "rne", "rec", "ls", "cin", "group", "legal_group", "provider_group",
                       "location", "distance_band", "placement_area", "placement_region", "subregion", "urn"):
            episodes[column] = episodes[column].astype("category")
        first = episodes["decom"].min() if len(episodes) else pd.Timestamp("2018-04-01")
        last_dates = pd.concat([episodes["decom"], episodes["dec"].dropna()])
        last = _financial_year_end(last_dates.max()) if len(last_dates) else pd.Timestamp("2025-03-31")
        prepared = _Prepared(episodes, grades, max(first, pd.Timestamp(DEMO_START)) if len(episodes) else first, last)
        _prepared_cache.clear()   # one version per process is enough; older versions are dropped
        _prepared_cache[key] = prepared
        return prepared


def prepare_in_this_process() -> None:
    """Read the current version's child-level rows into this process now. Warming calls it in every worker when the
    data changes, so no member's first uncached view on a worker waits for it (about 1 s at demo size, 12 s at 10x)."""
    _prepare(dataset_version(NAME))


def _financial_year_end(d: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(d.year + (1 if d.month >= 4 else 0), 3, 31)


# --- options (no child-level content) ------------------------------------------------------------------------------

@cached_read(NAME, check=check_scope)
def options(scope: AccessScope) -> dict:
    """Date range, month ends and the filter choices (code lists); no figures."""
    e = episode
    bounds = _read_sql(select(func.min(e.c.decom).label("first"), func.max(e.c.decom).label("last_start"),
                              func.max(e.c.dec).label("last_end"), func.count().label("n")))
    row = bounds.iloc[0]
    has_data = int(row["n"]) > 0
    first = max(pd.Timestamp(row["first"]), pd.Timestamp(DEMO_START)) if has_data else pd.Timestamp(DEMO_START)
    last_dates = [pd.Timestamp(v) for v in (row["last_start"], row["last_end"]) if v is not None and not pd.isna(v)]
    last = _financial_year_end(max(last_dates)) if last_dates else pd.Timestamp(DEMO_END)
    codes = _read_sql(select(code))
    by_list = {name: frame for name, frame in codes.groupby("list_name")}
    legal_groups = list(dict.fromkeys(by_list["legal_status"]["grp"])) if "legal_status" in by_list else []
    cin = by_list.get("cin", pd.DataFrame(columns=["code", "label"]))
    months = pd.date_range(first, last, freq="ME")
    return {"first": first, "last": last, "month_ends": list(months), "legal_groups": legal_groups,
            "cin": list(zip(cin["code"], cin["label"])), "has_data": has_data}


# --- the view: every aggregate the page shows ---------------------------------------------------------------------

def area_la_codes(area: str, las: pd.DataFrame) -> tuple[str, ...]:
    if area.startswith("la:"):
        return (area[3:],) if area[3:] in set(las["la_code"]) else ()
    if area.startswith("sr:"):
        return tuple(las.loc[las["subregion_code"] == area[3:], "la_code"])
    return tuple(las["la_code"])


def _kpi_share(numerator: int, denominator: int, restricted: bool):
    if denominator == 0:
        return None
    if restricted and share_hidden(numerator, denominator):
        return SUPPRESSED
    return round(100.0 * numerator / denominator, 1)


def _hidden_in(table: pd.DataFrame, members) -> int:
    label = table.columns[0]
    body = table[table[label].isin(list(members))]
    return int((body["Children"] == SUPPRESSED).sum())


def _derived_count(table: pd.DataFrame, counts: pd.Series, members, restricted: bool):
    """A sum of some cells of a suppressed table (whose total is shown): hidden when it would give a hidden cell away,
    that is when exactly one hidden cell lies inside the sum or exactly one outside it."""
    value = int(counts.reindex(list(members)).sum())
    if restricted:
        every = [c for c in table[table.columns[0]] if c != "Total"]
        inside, outside = _hidden_in(table, members), _hidden_in(table, [c for c in every if c not in members])
        if sum_hidden(value, inside, outside):
            return SUPPRESSED
    return value


def _derived_share(table: pd.DataFrame, counts: pd.Series, members, base_members, restricted: bool):
    """Percentage of `base_members` cells that are in `members`, hidden when the numerator, the denominator or their
    difference would give away a hidden cell."""
    numerator = _derived_count(table, counts, members, restricted)
    denominator = _derived_count(table, counts, base_members, restricted)
    rest = _derived_count(table, counts, [c for c in base_members if c not in members], restricted)
    raw_den = int(counts.reindex(list(base_members)).sum())
    if raw_den == 0:
        return None
    if SUPPRESSED in (numerator, denominator) or (rest == SUPPRESSED and restricted):
        return SUPPRESSED
    return round(100.0 * numerator / raw_den, 1)


def _count(value: int, restricted: bool):
    return SUPPRESSED if restricted and is_small(value) else int(value)


def _with_share(table: pd.DataFrame, count_column: str, total) -> pd.DataFrame:
    """Add a % column: "c" wherever the count is hidden (or the total is)."""
    def pct(v):
        if isinstance(v, str) or isinstance(total, str) or v is None or not total:
            return SUPPRESSED if isinstance(v, str) or isinstance(total, str) else None
        return round(100.0 * v / total, 1)
    return table.assign(**{"%": [pct(v) for v in table[count_column]]})


@cached_read(NAME, check=check_scope, depends_on_caller=_own_la_alone)
def view(scope: AccessScope, area: str, as_at, selection_fields: dict, *, version: int) -> dict:
    """Every aggregate of the page for the filters, suppressed unless the view is the caller's own LA alone."""
    p = _prepare(version)
    las = local_authorities()
    selection = m.Selection(area_la_codes(area, las), **selection_fields)
    restricted = is_restricted(area, scope)
    names = dict(zip(las["la_code"], las["la_name"]))
    sub_names = dict(zip(las["subregion_code"], las["subregion_name"]))
    at = pd.Timestamp(pd.Timestamp(as_at).date())
    static = p.episodes[selection.static_mask(p.episodes).to_numpy()]
    current = _looked_after(static, selection, at)
    # Narrow copies for the time series: fewer columns make each of the many snapshots cheap.
    narrow = static[["cid", "decom", "dec", "dob", "rne", "rec", "group", "legal_group", "cin", "provider_group"]]
    n = len(current)
    r = restricted

    def vector(series: pd.Series, label: str, value: str = "Children") -> pd.DataFrame:
        table = pd.DataFrame({label: list(series.index), value: series.to_numpy()})
        if r:
            table = suppress(table, [value], column_total="Total", label_column=label)
        else:
            table = pd.concat([table, pd.DataFrame([{label: "Total", value: int(series.sum())}])], ignore_index=True)
        return _with_share(table, value, table[value].iloc[-1])

    mix = m.counts(current, "group", m.PLACEMENT_GROUPS)
    distance_counts = m.counts(current, "distance_band", m.DISTANCE_BANDS)
    location_counts = m.counts(current, "location", m.LOCATIONS)
    grade = m.grade_at(current, p.grades, at)
    grade_counts = m.counts(current.assign(grade=grade), "grade", m.GRADE_CATEGORIES)
    placement_mix = vector(mix, "Placement type")
    distance = vector(distance_counts, "Distance from home")
    location = vector(location_counts, "Where placed")
    regions = current.loc[current["in_london"] == False, "placement_region"].value_counts().sort_index()   # noqa: E712
    outside_regions = vector(regions, "Region") if len(regions) else pd.DataFrame(columns=["Region", "Children", "%"])
    grades_table = vector(grade_counts, "Ofsted grade of provider")

    # Headline figures: each is a share of cells of one of the (already suppressed) tables above, so a headline can
    # never reveal what a table hides (see _derived_share).
    known_distance = current["distance_miles"].dropna()
    median = (SUPPRESSED if r and is_small(len(known_distance))
              else round(float(known_distance.median()), 1) if len(known_distance) else None)
    groups, bands, places, grades_ = (list(m.PLACEMENT_GROUPS), list(m.DISTANCE_BANDS), list(m.LOCATIONS),
                                      list(m.GRADE_CATEGORIES))
    graded_set = grades_[:4]
    graded = _derived_count(grades_table, grade_counts, graded_set, r)
    headline = {
        "children": _count(n, r),
        "foster": _derived_share(placement_mix, mix, groups[:2], groups, r),
        "foster_inhouse": _derived_share(placement_mix, mix, groups[:1], groups, r),
        "foster_agency": _derived_share(placement_mix, mix, groups[1:2], groups, r),
        "homes": _derived_share(placement_mix, mix, groups[2:3], groups, r),
        "supported": _derived_share(placement_mix, mix, groups[3:4], groups, r),
        "parents": _derived_share(placement_mix, mix, groups[4:5], groups, r),
        "other": _derived_share(placement_mix, mix, groups[5:6], groups, r),
        "outside_la": _derived_share(location, location_counts, places[1:4], places, r),
        "outside_london": _derived_share(location, location_counts, places[3:4], places, r),
        "over_20": _derived_share(distance, distance_counts, bands[3:5], bands, r),
        "distance_not_known": _derived_share(distance, distance_counts, bands[5:6], bands, r),
        "median_miles": median,
        "good_provider": _derived_share(grades_table, grade_counts, grades_[:2], graded_set, r),
        "graded": graded,
    }

    # Tiles: children placed in each London LA, by the selected LAs; and by every other LA (pressure on local homes).
    london_codes = list(las["la_code"])
    placed_here = current["placement_area"].value_counts().reindex(london_codes, fill_value=0)
    everyone = _looked_after(p.episodes[m.Selection(tuple(london_codes), **_other_fields(selection)).static_mask(p.episodes)],
                             selection, at)
    by_others = everyone[(everyone["inside_own_la"] == False).to_numpy()]["placement_area"].value_counts()   # noqa: E712
    by_others = by_others.reindex(london_codes, fill_value=0)
    tiles = pd.DataFrame({"la_code": london_codes, "LA": [names[c] for c in london_codes], "Children": placed_here.to_numpy()})
    tiles_others = pd.DataFrame({"la_code": london_codes, "LA": [names[c] for c in london_codes], "Children": by_others.to_numpy()})
    if r:
        tiles = suppress(tiles, ["Children"], column_total="Total", label_column="LA")
    else:
        tiles = pd.concat([tiles, pd.DataFrame([{"la_code": None, "LA": "Total", "Children": int(placed_here.sum())}])], ignore_index=True)
    tiles_others = suppress(tiles_others, ["Children"], column_total="Total", label_column="LA")   # always other LAs' children

    # Flows: from looking-after LA (or sub-region, for all London) to location, and to provider type.
    if area == "london":
        source = current["subregion"].map(sub_names)
    else:
        source = current["la_code"].map(names)
    framed = current.assign(source=source)
    flows_location = _flow_table(framed, "location", m.LOCATIONS, r)
    flows_provider = _flow_table(framed, "provider_group", m.PROVIDER_GROUPS, r)

    trend = _trend(narrow, selection, p.first, p.last, r)
    starts_ends = _starts_ends(narrow, selection, p.first, p.last, r)
    stability = _stability(narrow, selection, p.first, p.last, r)
    return {"headline": headline, "placement_mix": placement_mix, "distance": distance, "location": location,
            "outside_regions": outside_regions, "grades": grades_table, "tiles": tiles, "tiles_others": tiles_others,
            "flows_location": flows_location, "flows_provider": flows_provider, "trend": trend,
            "starts_ends": starts_ends, "stability": stability, "restricted": restricted, "n": headline["children"]}


def _other_fields(selection: m.Selection) -> dict:
    return {k: getattr(selection, k) for k in ("age", "sex", "ethnicity", "uasc", "legal", "cin", "placement", "provider")}


def _looked_after(static: pd.DataFrame, selection: m.Selection, at: pd.Timestamp) -> pd.DataFrame:
    current = m.open_at(static, at)
    if selection.age == "all":
        return current[selection.episode_mask(current, None).to_numpy()]
    ages = m.age_in_years(current["dob"], at)
    return current[selection.episode_mask(current, ages).to_numpy()]


def _flow_table(frame: pd.DataFrame, target: str, categories, restricted: bool) -> pd.DataFrame:
    table = m.flows(frame, "source", target, categories)
    table.insert(0, "From", table.index.astype(str))
    table = table.reset_index(drop=True)
    if restricted:
        return suppress(table, list(categories), row_total="Total", column_total="Total", label_column="From")
    table["Total"] = table[list(categories)].sum(axis=1)
    total = {"From": "Total", **{c: int(table[c].sum()) for c in [*categories, "Total"]}}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def _trend(static, selection, first, last, restricted) -> pd.DataFrame:
    """Children looked after by placement type at each quarter end."""
    rows = []
    # Episode attributes other than age do not depend on the date: filter once, then snapshot (overlaps are resolved).
    static = static[selection.episode_mask(static, None).to_numpy()][["cid", "decom", "dec", "dob", "group"]]
    unfiltered = m.Selection(selection.la_codes, age=selection.age)
    for at in pd.date_range(first, last, freq="QE-MAR"):
        current = _looked_after(static, unfiltered, at)
        rows.append({"Quarter end": at.date().isoformat(), **m.counts(current, "group", m.PLACEMENT_GROUPS).to_dict()})
    table = pd.DataFrame(rows, columns=["Quarter end", *m.PLACEMENT_GROUPS])
    if restricted:
        return suppress(table, list(m.PLACEMENT_GROUPS), row_total="Total")
    table["Total"] = table[list(m.PLACEMENT_GROUPS)].sum(axis=1)
    return table


def _starts_ends(static, selection, first, last, restricted) -> pd.DataFrame:
    """Children starting and ceasing to be looked after, per month (filters apply to the starting / final episode)."""
    starts = static[(static["rne"] == "S") & (static["decom"] >= first) & (static["decom"] <= last)]
    starts = starts[selection.episode_mask(starts, m.age_in_years(starts["dob"], starts["decom"]))]
    ends = static[static["dec"].notna() & (static["rec"] != "X1") & (static["dec"] >= first) & (static["dec"] <= last)]
    ends = ends[selection.episode_mask(ends, m.age_in_years(ends["dob"], ends["dec"]))]
    months = pd.period_range(first, last, freq="M")
    table = pd.DataFrame({
        "Month": [str(mo) for mo in months],
        "Started": starts["decom"].dt.to_period("M").value_counts().reindex(months, fill_value=0).to_numpy(),
        "Ceased": ends["dec"].dt.to_period("M").value_counts().reindex(months, fill_value=0).to_numpy(),
    })
    return suppress(table, ["Started", "Ceased"]) if restricted else table


def _stability(static, selection, first, last, restricted) -> pd.DataFrame:
    """Per year to 31 March: children looked after at 31 March and those with 3 or more placements in the year."""
    rows = []
    for year_end in pd.date_range(first, last, freq="YE-MAR"):
        year_start = year_end - pd.DateOffset(years=1) + pd.Timedelta(days=1)
        if year_start < first:
            continue
        current = _looked_after(static, selection, year_end)
        three = int(m.three_plus_placements(static, current, year_start, year_end).sum())
        n = len(current)
        rows.append({"Year to": year_end.date().isoformat(), "Looked after at 31 March": _count(n, restricted),
                     "3 or more placements": _count(three, restricted), "%": _kpi_share(three, n, restricted)})
    return pd.DataFrame(rows, columns=["Year to", "Looked after at 31 March", "3 or more placements", "%"])


# --- the demand forecast ------------------------------------------------------------------------------------------

DEFAULT_WEEKLY_COSTS = {   # illustrative unit costs, £ per child per week (users replace them with their own)
    "Foster care: in-house": 500, "Foster care: agency or other": 1000, "Children's homes": 6500,
    "Supported accommodation": 1500, "Placed with parents": 150, "Other": 2000,
}


def _model_stock(static: pd.DataFrame, at: pd.Timestamp) -> np.ndarray:
    return m.counts(m.open_at(static, at), "group", m.PLACEMENT_GROUPS).to_numpy()


def _hide_small(values, restricted: bool):
    """Model outputs rounded to whole children; in a restricted view 1 to 5 is "c" like any count."""
    out = []
    for v in values:
        v = int(round(float(v)))
        out.append(SUPPRESSED if restricted and is_small(v) else v)
    return out


@cached_read(NAME, check=check_scope, depends_on_caller=_own_la_alone)
def forecast(scope: AccessScope, area: str, selection_fields: dict, ref_from: int, ref_to: int, horizon_years: int,
             weekly_costs: dict, *, version: int) -> dict:
    """The stock-and-flow forecast for the area and the children's fixed attributes (sex, ethnicity, UASC)."""
    selection = m.Selection(area_la_codes(area, local_authorities()), **selection_fields)
    costs = tuple(float(weekly_costs.get(g, DEFAULT_WEEKLY_COSTS[g]) or 0) for g in m.PLACEMENT_GROUPS)
    restricted = is_restricted(area, scope)
    ref_from, ref_to, horizon_months = int(ref_from), int(ref_to), int(horizon_years) * 12
    p = _prepare(version)
    static = p.episodes[m.Selection(selection.la_codes, sex=selection.sex, ethnicity=selection.ethnicity,
                                    uasc=selection.uasc).static_mask(p.episodes).to_numpy()]
    static = static[["cid", "decom", "dec", "dob", "rne", "rec", "group"]]
    groups = list(m.PLACEMENT_GROUPS)
    ref_start, ref_end = pd.Timestamp(ref_from - 1, 4, 1), pd.Timestamp(ref_to, 3, 31)
    jump = p.last
    cost_vector = np.array(costs, dtype="float64")
    model = m.fit_flow_model(static, ref_start, ref_end)
    stock = _model_stock(static, jump)
    months = pd.date_range(jump + pd.Timedelta(days=1), periods=horizon_months, freq="ME")
    expected = m.project(model, stock, horizon_months)
    paths = m.simulate(model, stock, horizon_months, runs=300, seed=version)
    low, high = np.percentile(paths, 10, axis=0), np.percentile(paths, 90, axis=0)
    total_paths = paths.sum(axis=2)
    rows = []
    for k, month in enumerate(months):
        label = month.date().isoformat()
        for j, group in enumerate(groups):
            rows.append((label, group, expected[k, j], low[k, j], high[k, j]))
        rows.append((label, "All placement types", expected[k].sum(), np.percentile(total_paths[:, k], 10),
                     np.percentile(total_paths[:, k], 90)))
    forecast = pd.DataFrame(rows, columns=["Month", "Placement type", "Expected", "Low (10th percentile)", "High (90th percentile)"])
    for column in ("Expected", "Low (10th percentile)", "High (90th percentile)"):
        forecast[column] = _hide_small(forecast[column], restricted)

    cost_paths = paths @ cost_vector
    costs_table = pd.DataFrame({
        "Month": [mo.date().isoformat() for mo in months], "Expected": np.round(expected @ cost_vector, -2),
        "Low (10th percentile)": np.round(np.percentile(cost_paths, 10, axis=0), -2),
        "High (90th percentile)": np.round(np.percentile(cost_paths, 90, axis=0), -2),
    })

    history_rows = []
    for at in pd.date_range(p.first, jump, freq="QE-MAR"):
        counts = _model_stock(static, at)
        shown = _hide_small(counts, restricted)
        history_rows += [(at.date().isoformat(), g, v) for g, v in zip(groups, shown)]
    history = pd.DataFrame(history_rows, columns=["Month", "Placement type", "Children"])

    backtest, summary = _backtest(static, p.first, ref_start, ref_end, jump, restricted)
    rates = pd.DataFrame({
        "Placement type": groups, "Child-months observed": np.round(model.exposure.to_numpy(), 0),
        "Left care": model.exits.to_numpy(), "Left care per 100 children a month": np.round(100 * model.exit_rate.to_numpy(), 2),
        "Moved to another type": model.moves.sum(axis=1).to_numpy(),
        "Moved per 100 children a month": np.round(100 * model.move_rate.sum(axis=1).to_numpy(), 2),
        "Starts per month (first placement)": np.round(model.entries.sum(axis=0).to_numpy() / model.months, 1),
    })
    entries = model.entries.copy()
    entries.insert(0, "Age band at entry", entries.index)
    entries = entries.reset_index(drop=True)
    if restricted:
        # Counts behind each rate: hide a rate whose count is 1-5, like the count itself.
        for count_col, rate_col in (("Left care", "Left care per 100 children a month"),
                                    ("Moved to another type", "Moved per 100 children a month")):
            small = rates[count_col].map(is_small).astype(bool)
            rates[rate_col] = rates[rate_col].astype(object).where(~small, SUPPRESSED)
        rates = suppress(rates, ["Left care", "Moved to another type"], column_total="All placement types",
                         label_column="Placement type")
        starts = model.entries.sum(axis=0).to_numpy()
        rates["Starts per month (first placement)"] = [
            SUPPRESSED if i < len(starts) and is_small(starts[i]) else v
            for i, v in enumerate(rates["Starts per month (first placement)"])]
        entries = suppress(entries, groups, row_total="Total", column_total="Total", label_column="Age band at entry")
    else:
        entries["Total"] = entries[groups].sum(axis=1)
    return {"forecast": forecast, "costs": costs_table, "history": history, "backtest": backtest, "summary": summary,
            "rates": rates, "entries": entries, "reference": (ref_start, ref_end), "jump": jump,
            "months_in_reference": model.months, "restricted": restricted}


def _backtest(static, first, ref_start, ref_end, jump, restricted) -> tuple[pd.DataFrame, dict]:
    """Fit on the reference period moved one year earlier, forecast the last observed year, compare with what happened."""
    origin = jump - pd.DateOffset(years=1)
    shift = max(pd.Timedelta(0), ref_end - origin)
    fit_start, fit_end = max(first, ref_start - shift), ref_end - shift
    groups = list(m.PLACEMENT_GROUPS)
    if fit_end - fit_start < pd.Timedelta(days=180):
        return pd.DataFrame(columns=["Placement type"]), {"available": False}
    model = m.fit_flow_model(static, fit_start, fit_end)
    start_stock = _model_stock(static, origin)
    predicted = m.project(model, start_stock, 12)[-1]
    actual = _model_stock(static, jump)
    table = pd.DataFrame({"Placement type": groups, "Start (a year before)": start_stock, "Forecast": np.round(predicted),
                          "Actual": actual})
    table.loc[len(table)] = ["All placement types", start_stock.sum(), round(predicted.sum()), actual.sum()]
    table["Error"] = table["Forecast"] - table["Actual"]
    table["Error %"] = [round(100 * e / a, 1) if a else None for e, a in zip(table["Error"], table["Actual"])]
    total_actual = actual.sum()
    summary = {
        "available": True, "fit_start": fit_start, "fit_end": fit_end, "origin": origin, "target": jump,
        "total_error_pct": round(100 * abs(predicted.sum() - total_actual) / total_actual, 1) if total_actual else None,
        "naive_error_pct": round(100 * abs(start_stock.sum() - total_actual) / total_actual, 1) if total_actual else None,
        "mean_abs_error_groups": round(float(np.mean(np.abs(np.round(predicted) - actual))), 1),
    }
    if restricted:
        for column in ("Start (a year before)", "Forecast", "Actual"):
            table[column] = _hide_small(table[column], True)
        hidden = (table["Actual"] == SUPPRESSED) | (table["Forecast"] == SUPPRESSED)
        table["Error"] = table["Error"].astype(object).where(~hidden, SUPPRESSED)
        table["Error %"] = table["Error %"].astype(object).where(~hidden, SUPPRESSED)
        if is_small(total_actual):
            summary["total_error_pct"] = summary["naive_error_pct"] = SUPPRESSED
    return table, summary


# --- published DfE figures beside the tool's own ------------------------------------------------------------------------

PUBLISHED_MEASURES = (   # (measure, DfE cla_group, DfE characteristic)
    ("Children looked after", "Placement", "Total"),
    ("Foster placements", "Placement", "Foster placements"),
    ("Secure homes and children's homes", "Placement", "Secure homes and children's homes"),
    ("Supported accommodation or independent living", "Placement",
     "Independent and semi-independent living arrangements/supported accommodation"),
    ("Placed with parents", "Placement", "Placed with parents or other person with parental responsibility"),
    ("Placed outside the LA boundary", "Locality of placement", "Placed outside the local authority boundary"),
    ("Placed more than 20 miles from home", "Distance between home and placement", "Placed more than 20 miles from home"),
    ("Distance not known", "Distance between home and placement", "Distance not known or not recorded"),
    ("UASC", "Unaccompanied asylum-seeking children", "UASC"),
    ("Other LAs' children placed inside the LA", "LA of placement",
     "2. Other LA children externally placed within the local authority boundary"),
)


def _tool_measures(p: _Prepared, la_codes: tuple[str, ...], at: pd.Timestamp) -> dict[str, int]:
    """The tool's own counts on DfE's definitions, from the stored child-level data, for all children."""
    everyone = m.open_at(p.episodes, at)
    current = everyone[everyone["la_code"].isin(la_codes).to_numpy()]
    group = current["group"].astype(str)
    placed_here = everyone[(everyone["placement_area"].astype(str).isin(la_codes) & (everyone["inside_own_la"] == False)).to_numpy()]  # noqa: E712
    return {
        "Children looked after": len(current),
        "Foster placements": int(group.str.startswith("Foster").sum()),
        "Secure homes and children's homes": int((group == "Children's homes").sum()),
        "Supported accommodation or independent living": int((group == "Supported accommodation").sum()),
        "Placed with parents": int((group == "Placed with parents").sum()),
        "Placed outside the LA boundary": int((current["inside_own_la"] == False).sum()),   # noqa: E712
        "Placed more than 20 miles from home": int((current["distance_miles"] > 20).sum()),
        "Distance not known": int(current["distance_miles"].isna().sum()),
        "UASC": int(current["uasc"].sum()),
        "Other LAs' children placed inside the LA": len(placed_here) if len(la_codes) == 1 else None,
    }


@cached_read(NAME, PUBLISHED_NAME, check=check_scope, depends_on_caller=_own_la_alone)
def published_comparison(scope: AccessScope, area: str, *, version: int) -> dict:
    """DfE's published figures at 31 March for the area beside the tool's own count on the same definition."""
    restricted = is_restricted(area, scope)
    p = _prepare(version)
    las = local_authorities()
    area_code = area[3:] if area.startswith("la:") else "london" if area == "london" else None
    if area_code is None:
        return {"table": pd.DataFrame(), "available": False,
                "reason": "DfE publishes LA, London and England figures, not sub-regions: choose an LA or all London."}
    pub = _read_sql(select(published).where(published.c.area_code == area_code))
    if pub.empty:
        return {"table": pd.DataFrame(), "available": False,
                "reason": "No published figures have been imported (an administrator runs python -m dashboard import-published FILE)."}
    rows = []
    la_codes = area_la_codes(area, las)
    for year in sorted(pub["time_period"].unique()):
        at = pd.Timestamp(int(year), 3, 31)
        tool = _tool_measures(p, la_codes, at) if p.first <= at <= p.last else {}
        year_rows = pub[pub["time_period"] == year].set_index(["cla_group", "characteristic"])
        tool_total = tool.get("Children looked after")
        for measure, group, characteristic in PUBLISHED_MEASURES:
            if (group, characteristic) not in year_rows.index:
                continue
            published_row = year_rows.loc[(group, characteristic)]
            number = published_row["number"] if pd.notna(published_row["number"]) else (published_row["number_marker"] or None)
            pct = published_row["percentage"] if pd.notna(published_row["percentage"]) else (published_row["percentage_marker"] or None)
            value = tool.get(measure)
            if value is None:
                shown, shown_pct = ("not in the data" if not tool else "not comparable"), None
            else:
                shown = _count(value, restricted)
                shown_pct = (_kpi_share(value, tool_total, restricted) if measure not in ("Children looked after",
                             "Other LAs' children placed inside the LA") else None)
            rows.append({"Year (31 March)": int(year), "Measure": measure,
                         "Published": int(number) if isinstance(number, float) else number,
                         "Published %": int(pct) if isinstance(pct, float) else pct,
                         "This tool": shown, "This tool %": shown_pct})
    return {"table": pd.DataFrame(rows), "available": True, "reason": ""}

