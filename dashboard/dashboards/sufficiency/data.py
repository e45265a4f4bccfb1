"""The sufficiency tool's tables and cached reads: child-level rows go in, only aggregates come out.

Privacy, enforced here on the server:
- Only commissioners and administrators may read this dataset (`PermissionError` for any other scope).
- Child-level rows are read into a per-process memory cache keyed by the dataset version (never the shared
  cache, so no child-level row is written to the cache folder or Redis) and never returned by any function here.
- Every function returns aggregates, and every count of other LAs' children in them is protected by the cell-key
  method (`dashboard.disclosure`): each child has a record key, each cell (a count in a table, a total, a KPI, a
  flow, a count behind a rate) is perturbed by its cell key, and every percentage, rate, median, forecast and
  back-test figure is built from those protected counts. In a view of the caller's own LA alone its children are
  counted exactly (`_Counter`); any other view (a sub-region or London, even one holding the caller's LA) protects
  every cell, so it is the same for every commissioner. Other LAs' children placed in the caller's LA are always
  protected.
- Results are cached in the shared cache (`cached_read`) with the dataset version and who may see them in the key:
  every commissioner alike for a protected view, the caller's LA for its own exact one.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, String, Table, UniqueConstraint, func, select

from dashboard.auth.users import audit
from dashboard.dashboards.sufficiency import metrics as m
from dashboard import disclosure
from dashboard.disclosure import RECORD_KEY, protected_count, protected_counts, rate, share
from dashboard.published.formats import marker_text
from dashboard.loader import AccessScope, ProcessCache, _read_sql, cached_read, kept_in_process, local_authorities
from dashboard.store import get_engine, schema
from dashboard.store.reference import region_of_district
from dashboard.store import ssda903 as _ssda903_tables   # the SSDA903 tables this dataset stores (and where placed)

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
    Column("place", String(3), nullable=False),            # 2025/26 adds three-character codes (Z11-Z14)
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
SCENARIOS_NAME = "sufficiency_scenarios"   # its own version: saving a scenario leaves the children's data cached
scenario = Table(
    "sufficiency_scenario", md,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("la_code", String(9), nullable=False),          # the LA whose commissioners see it
    Column("name", String(80), nullable=False),
    Column("settings", String(2000), nullable=False),     # the forecast's settings as the address bar holds them (JSON)
    Column("saved_by", String(254), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("la_code", "name", name="uq_sufficiency_scenario_name"),
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
    """Whether the view counts children of LAs other than the caller's own (protected), unless it is their LA alone."""
    return area != f"la:{scope.la_code}"


def _own_la_alone(scope: AccessScope, arguments: dict) -> bool:
    """A view of the caller's own LA alone counts its children exactly, so only that caller's LA may share it."""
    return not is_restricted(arguments["area"], scope)


# --- child level: read once per process and version, never returned ----------------------------------------------

@dataclass
class _Prepared:
    episodes: pd.DataFrame
    grades: pd.DataFrame
    first: pd.Timestamp
    last: pd.Timestamp

    @functools.cached_property
    def _days(self) -> tuple[np.ndarray, np.ndarray]:
        """Every episode's start and end as days (an open episode ends after any date), taken once."""
        decom = m._days(self.episodes["decom"])
        dec = m._days(self.episodes["dec"])
        return decom, np.where(np.isnat(dec), np.datetime64("9999-12-31", "D"), dec)

    @functools.cached_property
    def _by_child(self) -> np.ndarray:
        """Every episode's position by child, then start (stable), sorted once."""
        return np.lexsort((self._days[0], self.episodes["cid"].to_numpy()))

    @functools.cached_property
    def disjoint(self) -> bool:
        """Whether no child has two episodes open on one day (so any of its rows' snapshot has one row a child): a
        child's episodes in start order each end by the next one's start (`m.resolve_overlaps` cut them so)."""
        cid = self.episodes["cid"].to_numpy()
        decom, dec = self._days
        order = self._by_child
        same = cid[order][1:] == cid[order][:-1]
        return bool(not (same & (dec[order][:-1] > decom[order][1:])).any())

    @functools.cached_property
    def _placements(self) -> dict:
        return {}

    @functools.cached_property
    def _kept(self) -> dict:
        return {}

    KEPT = 256
    """The most results `kept` holds (the oldest go first): a few KB each, filters chosen by many members."""

    def kept(self, key: tuple, work):
        """`work()`, kept with this version's rows under `key` (and so dropped with them): for what a view works out
        from the rows and filters a change of date does not touch (and whose children are exact), so a change of date
        does not work it out again. The key names everything the result depends on besides the rows and the
        disclosure secret (this object's)."""
        held = self._kept.get(key)
        if held is None:
            held = work()
            with _kept_lock:
                while len(self._kept) >= self.KEPT:
                    self._kept.pop(next(iter(self._kept)))
                self._kept[key] = held
        return held

    def placements(self, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        """Each child's placements in [start, end] (`m.placements_by_child` over every episode, by cid), kept: a child's
        count reads its own episodes alone, and a view's rows hold every episode of each child it holds."""
        key = (pd.Timestamp(start), pd.Timestamp(end))
        if key not in self._placements:
            # The days and the order by child are the version's, worked out once (an open episode's end is after
            # any date, as NaT is to `placements_by_child`): a year costs a filter and a count, no sort.
            self._placements[key] = m.placements_by_child(self.episodes["cid"].to_numpy(), *self._days,
                                                          self._not_legal_only, *key, order=self._by_child)
        return self._placements[key]

    @functools.cached_property
    def _not_legal_only(self) -> np.ndarray:
        return (self.episodes["rne"] != "L").to_numpy()

    @functools.cached_property
    def _graded(self) -> tuple[np.ndarray, np.ndarray]:
        """The grades (in date order) as arrays: each judgement's day and its label (None for a grade with none)."""
        return m._days(self.grades["inspection_date"]), self.grades["grade"].map(m.GRADE_LABELS).to_numpy(dtype=object)

    def grade_on(self, urn: pd.Series, at: pd.Timestamp) -> np.ndarray:
        """`m.grade_at` of some of this version's episodes (their categorical `urn`) on `at`, from the grades in date
        order: the judgements made by then are a prefix of them, and each URN's latest the last of its own there."""
        days, labels = self._graded
        made = int(np.searchsorted(days, np.datetime64(pd.Timestamp(at).date(), "D"), side="right"))
        categories = urn.dtype.categories
        position = categories.get_indexer(self.grades["urn"].to_numpy()[:made])
        latest = np.full(len(categories) + 1, -1)        # per URN category (and a last for no URN): its latest judgement
        np.maximum.at(latest, position[position >= 0], np.flatnonzero(position >= 0))
        code = urn.array.codes
        judged = latest[code]                             # code -1 (no URN) reads the last, never judged
        shown = np.where(code < 0, "No Ofsted URN", "Not yet inspected").astype(object)
        label = labels[judged[judged >= 0]]
        given = pd.notna(label)                           # a grade with no label reads as not yet inspected
        shown[np.flatnonzero(judged >= 0)[given]] = label[given]
        return shown

    def open_on(self, at: pd.Timestamp) -> np.ndarray:
        """Which episodes are open at the end of `at` (as `m.open_at` picks them, before its overlap check)."""
        day = np.datetime64(pd.Timestamp(at).date(), "D")
        decom, dec = self._days
        return (decom <= day) & (dec > day)


# Kept in this process per data version (`loader.ProcessCache`), shared read-only: the rows as read (before any
# protection, so under any secret), and the rows with each child's record key under a secret (a few secrets side by
# side: the attack harness switches between them; in service there is one).
_rows_read = ProcessCache(NAME, "reference", by_secret=False)
_rows_keyed = ProcessCache(NAME, "reference", most=4)
_preparing = threading.Lock()   # one preparation at a time: at 10x one takes seconds and about a GB
_kept_lock = threading.Lock()
# The stored text the prepared columns are worked out from (the child's id, codes, postcodes, places' districts).
UNREAD_COLUMNS = ("child", "place", "place_provider", "home_post", "pl_post", "ethnic", "pl_la", "pl_region", "pl_distance")


def _prepare() -> _Prepared:
    """The current version's rows (as this request reads the versions) with each child's record key under the current
    disclosure secret."""
    with _preparing:   # a second caller waits for the first's rows rather than reading and keying them again
        return _rows_keyed.get_or_build(lambda: _keyed(_prepare_rows()))


def _keyed(rows: _Prepared) -> _Prepared:
    identity = rows.episodes.drop_duplicates("cid").set_index("cid")
    # The child's record key (its stable identity: LA and child id): every cell of children sums these.
    by_child = pd.Series(disclosure.record_keys("sufficiency|" + identity["la_code"].astype(str) + "|"
                                                + identity["child"]), index=identity.index)
    # The text columns the groups, places and keys were worked out from are left out: no view reads them, and every
    # selection of rows copied them (most of its cost).
    episodes = rows.episodes.drop(columns=[c for c in UNREAD_COLUMNS if c in rows.episodes.columns]).assign(
        **{RECORD_KEY: by_child.reindex(rows.episodes["cid"]).to_numpy()})
    return _Prepared(episodes, rows.grades, rows.first, rows.last)


def _prepare_rows() -> _Prepared:
    """The current version's child-level rows as read: once a version in this process (older versions dropped)."""
    return _rows_read.get_or_build(_read_rows)


def _read_rows() -> _Prepared:
    e, c = episode, child
    episodes = _read_sql(select(e.c.la_code, e.c.child, e.c.decom, e.c.dec, e.c.rne, e.c.ls, e.c.cin, e.c.place,
                                e.c.place_provider, e.c.rec, e.c.home_post, e.c.pl_post, e.c.urn))
    children = _read_sql(select(c.c.la_code, c.c.child, c.c.sex, c.c.dob, c.c.ethnic, c.c.uasc))
    sectors = _read_sql(select(postcode_sector))
    places = _read_sql(select(_ssda903_tables.EPISODE_PLACE.c.la_code, _ssda903_tables.EPISODE_PLACE.c.child,
                              _ssda903_tables.EPISODE_PLACE.c.decom, _ssda903_tables.EPISODE_PLACE.c.pl_distance,
                              _ssda903_tables.EPISODE_PLACE.c.pl_la))
    codes = _read_sql(select(code))
    grades = _read_sql(select(provider_grade))
    las = local_authorities()
    episodes = episodes.merge(children, on=["la_code", "child"], how="left")
    places["decom"] = pd.to_datetime(places["decom"])
    places["pl_region"] = region_of_district(places["pl_la"])
    episodes["decom"] = pd.to_datetime(episodes["decom"])
    episodes = episodes.merge(places.drop_duplicates(["la_code", "child", "decom"]), on=["la_code", "child", "decom"],
                              how="left")
    for column in ("decom", "dec", "dob"):
        episodes[column] = pd.to_datetime(episodes[column])
    episodes["uasc"] = episodes["uasc"].fillna(False).astype(bool)
    episodes["cid"] = pd.factorize(episodes["la_code"] + ":" + episodes["child"])[0]
    episodes = m.resolve_overlaps(episodes).reset_index(drop=True)
    # In date order once (stable): `m.grade_at` sorts them so on every call, which is then cheap.
    grades["inspection_date"] = pd.to_datetime(grades["inspection_date"])
    grades = grades.sort_values("inspection_date", kind="stable").reset_index(drop=True)
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
    return _Prepared(episodes, grades, max(first, pd.Timestamp(DEMO_START)) if len(episodes) else first, last)


def prepare_in_this_process() -> None:
    """Read the current version's child-level rows into this process now. Warming calls it in every worker when the
    data changes, so no member's first uncached view on a worker waits for it (about 1 s at demo size, 12 s at 10x)."""
    _prepare()


def _financial_year_end(d: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(d.year + (1 if d.month >= 4 else 0), 3, 31)


# --- options (no child-level content) ------------------------------------------------------------------------------

@kept_in_process(NAME, check=check_scope)
def options(scope: AccessScope) -> dict:
    """Date range, month ends and the filter choices (code lists); no figures. The same for every caller who may read
    the dataset, so each worker keeps it per data version (it reads every episode's dates)."""
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
    # Which LAs have sent a return, and to which 31 March their latest runs (an episode's year is the collection year
    # it ended in, or its return's when still open): whether an LA has data, never how many children.
    latest = _read_sql(select(e.c.la_code, func.max(e.c.year).label("year")).group_by(e.c.la_code))
    returned_to = {code: pd.Timestamp(int(year), 3, 31) for code, year in zip(latest["la_code"], latest["year"])}
    return {"first": first, "last": last, "month_ends": list(months), "legal_groups": legal_groups,
            "cin": list(zip(cin["code"], cin["label"])), "has_data": has_data, "returned_to": returned_to}


# --- the view: every aggregate the page shows ---------------------------------------------------------------------

def area_la_codes(area: str, las: pd.DataFrame) -> tuple[str, ...]:
    if area.startswith("la:"):
        return (area[3:],) if area[3:] in set(las["la_code"]) else ()
    if area.startswith("sr:"):
        return tuple(las.loc[las["subregion_code"] == area[3:], "la_code"])
    return tuple(las["la_code"])


def _of_la(la_code: pd.Series, code: str) -> np.ndarray:
    """Which rows are the LA's (`la_code == code`), read from a categorical column's codes without comparing text."""
    if isinstance(la_code.dtype, pd.CategoricalDtype):
        categories = la_code.dtype.categories
        if code not in categories:
            return np.zeros(len(la_code), dtype=bool)
        return la_code.array.codes == categories.get_loc(code)
    return (la_code == code).to_numpy()


class _Counter:
    """Protected counts of children for one caller: their own LA's exactly, every other LA's by the cell-key method.
    Every count a view shows comes from here; every share from two of them."""

    def __init__(self, scope: AccessScope, restricted: bool):
        # Exact only in a view of the caller's LA alone, and then only its own children (not others' placed there).
        self.la_code = None if restricted else scope.la_code
        self.exact = None if restricted else (lambda records: _of_la(records["la_code"], scope.la_code))

    def cell(self, records: pd.DataFrame) -> int:
        keys = records[RECORD_KEY].to_numpy()
        if self.la_code is None:
            return disclosure.protected_key_count(keys, np.zeros(len(keys), dtype=bool))
        return disclosure.protected_key_count(keys, _of_la(records["la_code"], self.la_code))

    def cells(self, records: pd.DataFrame, by, categories=None) -> pd.Series:
        return protected_counts(records, by, categories=categories, exact=self.exact)

    def vector(self, records: pd.DataFrame, column: str, categories, label: str) -> pd.DataFrame:
        """One row per category and a Total row (a cell of its own: totals need not equal the sum of the parts),
        with each row's % of the total."""
        counts = self.cells(records, column, {column: list(categories)} if categories is not None else None)
        if categories is None:
            counts = counts.sort_index()
        total = self.cell(records)
        table = pd.DataFrame({label: [*map(str, counts.index), "Total"], "Children": [*counts.to_numpy(), total]})
        return table.assign(**{"%": [share(v, total) for v in table["Children"]]})

    def share_of(self, records: pd.DataFrame, part_mask) -> float | None:
        """The share of `records` that `part_mask` picks: a protected cell over a protected cell."""
        return share(self.cell(records[np.asarray(part_mask, dtype=bool)]), self.cell(records))

    def shares_of(self, records: pd.DataFrame, part_masks: dict) -> dict:
        """`share_of` for each of several parts of the same records (their whole and keys read once)."""
        mine = disclosure._exact_mask(records, self.exact)
        keys = records[RECORD_KEY].to_numpy()

        def cell(mask):
            return disclosure.protected_key_count(keys[mask], mine[mask])
        whole = cell(np.ones(len(records), dtype=bool))
        return {name: share(cell(np.asarray(mask, dtype=bool)), whole) for name, mask in part_masks.items()}


def _text_in(values: pd.Series, codes) -> np.ndarray:
    """`values.astype(str).isin(codes)` as an array, read from a categorical column's categories and codes (a missing
    value is "nan" as text, so in no list of codes)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        hit = np.append(values.dtype.categories.astype(str).isin(list(codes)), False)
        return hit[values.array.codes]
    return values.astype(str).isin(codes).to_numpy()


class ExactCounter:
    """Exact counts, like `_Counter` for one's own LA: for tests and figures on one's own records only."""

    @staticmethod
    def exact(records: pd.DataFrame) -> np.ndarray:
        return np.ones(len(records), dtype=bool)

    def cell(self, records: pd.DataFrame) -> int:
        return len(records)

    def cells(self, records: pd.DataFrame, by, categories=None) -> pd.Series:
        by = [by] if isinstance(by, str) else list(by)
        return m._exact_counts(records, by, categories)


MEDIAN_MINIMUM = 10
"""The median distance is shown only when at least this many children (protected count) have a known distance."""


@cached_read(NAME, check=check_scope, depends_on_caller=_own_la_alone)
def view(scope: AccessScope, area: str, as_at, selection_fields: dict, *, version: int) -> dict:
    """Every aggregate of the page for the filters, other LAs' children protected (see the module docstring)."""
    p = _prepare()
    las = local_authorities()
    selection = m.Selection(area_la_codes(area, las), **selection_fields)
    restricted = is_restricted(area, scope)
    count = _Counter(scope, restricted)
    names = dict(zip(las["la_code"], las["la_name"]))
    sub_names = dict(zip(las["subregion_code"], las["subregion_name"]))
    at = pd.Timestamp(pd.Timestamp(as_at).date())
    chosen = selection.static_mask(p.episodes).to_numpy()
    open_now = p.open_on(at)
    # Rows are taken from the episodes once each, and only the columns needed: copying every column of every chosen
    # episode cost more than the counts. The date's snapshot takes the chosen episodes open on it (all columns).
    current = _looked_after(p.episodes.iloc[np.flatnonzero(chosen & open_now)], selection, at)
    current = current.assign(grade=p.grade_on(current["urn"], at))

    placement_mix = count.vector(current, "group", m.PLACEMENT_GROUPS, "Placement type")
    distance = count.vector(current, "distance_band", m.DISTANCE_BANDS, "Distance from home")
    location = count.vector(current, "location", m.LOCATIONS, "Where placed")
    outside = current[(current["in_london"] == False).to_numpy()]   # noqa: E712
    outside_regions = (count.vector(outside, "placement_region", None, "Region") if len(outside)
                       else pd.DataFrame(columns=["Region", "Children", "%"]))
    grades_table = count.vector(current, "grade", m.GRADE_CATEGORIES, "Ofsted grade of provider")

    # Headline figures: each count is a protected cell of its own, each share one protected cell over another.
    known_distance = current[current["distance_miles"].notna().to_numpy()]
    median = (round(float(known_distance["distance_miles"].median()), 1)
              if len(known_distance) and count.cell(known_distance) >= MEDIAN_MINIMUM else None)
    groups, bands, places, grades_ = (list(m.PLACEMENT_GROUPS), list(m.DISTANCE_BANDS), list(m.LOCATIONS),
                                      list(m.GRADE_CATEGORIES))
    group, band, place, grade = (current[c].astype(str).to_numpy() for c in ("group", "distance_band", "location", "grade"))
    graded = current[np.isin(grade, grades_[:4])]
    headline = {
        "children": count.cell(current),
        **count.shares_of(current, {
            "foster": np.isin(group, groups[:2]),
            "foster_inhouse": group == groups[0],
            "foster_agency": group == groups[1],
            "homes": group == groups[2],
            "supported": group == groups[3],
            "parents": group == groups[4],
            "other": group == groups[5],
            "outside_la": np.isin(place, places[1:4]),
            "outside_london": place == places[3],
            "over_20": np.isin(band, bands[3:5]),
            "distance_not_known": band == bands[5]}),
        "median_miles": median,
        "good_provider": count.share_of(graded, graded["grade"].astype(str).isin(grades_[:2])),
        "graded": count.cell(graded),
    }

    # Tiles: children placed in each London LA, by the selected LAs; and by every other LA (pressure on local homes).
    london_codes = list(las["la_code"])
    in_london = current[_text_in(current["placement_area"], london_codes)]
    everyone_chosen = m.Selection(tuple(london_codes), **_other_fields(selection)).static_mask(p.episodes).to_numpy()
    everyone = _looked_after(p.episodes[["cid", "la_code", RECORD_KEY, "decom", "dec", "dob", "legal_group", "cin", "group",
                                         "provider_group", "placement_area", "inside_own_la"]].iloc[
        np.flatnonzero(everyone_chosen & open_now)], selection, at)
    by_others = everyone[((everyone["inside_own_la"] == False)   # noqa: E712
                          ).to_numpy() & _text_in(everyone["placement_area"], london_codes)]
    tiles, tiles_others = (
        pd.DataFrame({"la_code": [*london_codes, None], "LA": [*(names[c] for c in london_codes), "Total"],
                      "Children": [*count.cells(frame, "placement_area", {"placement_area": london_codes}).to_numpy(),
                                   count.cell(frame)]})
        for frame in (in_london, by_others))

    # Flows: from looking-after LA (or sub-region, for all London) to location, and to provider type.
    source = current["subregion"].map(sub_names) if area == "london" else current["la_code"].map(names)
    framed = current[["la_code", RECORD_KEY, "location", "provider_group"]].assign(source=source.astype(str))
    flows_location = _flow_table(framed, "location", m.LOCATIONS, count)
    flows_provider = _flow_table(framed, "provider_group", m.PROVIDER_GROUPS, count)

    def series() -> tuple:
        # Every chosen episode, in narrow columns: fewer columns make each of the many snapshots cheap. The trend's and
        # stability's snapshots read the same episodes (filtered once: attributes other than age do not depend on the
        # date), so they share one set of arrays.
        narrow = p.episodes[["cid", "la_code", RECORD_KEY, "decom", "dec", "dob", "rne", "rec", "group", "legal_group",
                             "cin", "provider_group"]].iloc[np.flatnonzero(chosen)]
        snaps = _Snapshots(narrow[selection.episode_mask(narrow, None).to_numpy()], disjoint=p.disjoint)
        return (_trend(snaps, selection, p.first, p.last, count),
                _starts_ends(narrow, selection, p.first, p.last, count),
                _stability(narrow, selection, p.first, p.last, count, snaps, p.placements))
    # The series over every quarter, month and year do not depend on the date: kept per version for the area, the
    # other filters and whose children are exact.
    trend, starts_ends, stability = p.kept(("series", area, repr(sorted(selection_fields.items())), count.la_code),
                                           series)
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


def _flow_table(frame: pd.DataFrame, target: str, categories, count: _Counter) -> pd.DataFrame:
    """From x target: each cell, each row's and each column's total and the grand total protected as cells of
    their own."""
    categories = list(categories)
    sources = sorted(frame["source"].unique())
    # Each count comes in the order of its categories: the table is laid out from them directly (no source, e.g. an
    # area with no children: a Total row alone).
    grid = count.cells(frame, ["source", target], {"source": sources, target: categories}).to_numpy()
    grid = grid.reshape(len(sources), len(categories))
    by_target = count.cells(frame, target, {target: categories}).to_numpy()
    # With no source the names are held as objects, as the table's downloads have always had them.
    return pd.DataFrame({"From": pd.Series([*sources, "Total"], dtype=None if sources else object),
                         **{c: np.append(grid[:, j], by_target[j]) for j, c in enumerate(categories)},
                         "Total": np.append(count.cells(frame, "source", {"source": sources}).to_numpy(),
                                            count.cell(frame))})


def _trend(static, selection, first, last, count: _Counter) -> pd.DataFrame:
    """Children looked after by placement type at each quarter end, and in all (a cell of its own). `static`: episodes,
    or `_Snapshots` of them, already filtered by `selection`'s episode attributes."""
    # Episode attributes other than age do not depend on the date: filter once, then snapshot (overlaps are resolved).
    if isinstance(static, _Snapshots):
        snaps = static
    else:
        snaps = _Snapshots(static[selection.episode_mask(static, None).to_numpy()][["cid", "la_code", RECORD_KEY, "decom",
                                                                                    "dec", "dob", "group"]])
    # As _looked_after with the age filter alone (the other filters are applied above).
    return _quarterly(snaps, pd.date_range(first, last, freq="QE-MAR"), lambda at: snaps.in_age_band(at, selection.age),
                      count)


def _quarterly(snaps: "_Snapshots", quarters, pick, count: _Counter) -> pd.DataFrame:
    """The children `pick(date)` gives (positions) at each quarter end by placement type, and in all (a cell of its
    own): every quarter counted at once."""
    groups = list(m.PLACEMENT_GROUPS)
    stacked = snaps.on_dates(quarters, pick, group=lambda rows, _at: snaps.group[rows])
    stacked["group"] = m.coded(stacked["group"].to_numpy(), groups)
    by_group = count.cells(stacked, ["when", "group"], {"when": range(len(quarters)), "group": groups}).unstack("group")
    table = by_group.reindex(columns=groups).reset_index(drop=True)
    table.columns.name = None
    table.insert(0, "Quarter end", [at.date().isoformat() for at in quarters])
    table["Total"] = count.cells(stacked, "when", {"when": range(len(quarters))}).to_numpy()
    return table[["Quarter end", *groups, "Total"]]


def _starts_ends(static, selection, first, last, count: _Counter) -> pd.DataFrame:
    """Children starting and ceasing to be looked after, per month (filters apply to the starting / final episode)."""
    def age(frame, column):   # the age on the day, read only by an age filter
        return m.age_in_years(frame["dob"], frame[column]) if selection.age != "all" else None
    starts = static[(static["rne"] == "S") & (static["decom"] >= first) & (static["decom"] <= last)]
    starts = starts[selection.episode_mask(starts, age(starts, "decom"))]
    ends = static[static["dec"].notna() & (static["rec"] != "X1") & (static["dec"] >= first) & (static["dec"] <= last)]
    ends = ends[selection.episode_mask(ends, age(ends, "dec"))]
    months = [str(mo) for mo in pd.period_range(first, last, freq="M")]

    def per_month(frame, column):
        year, month, _day = m._ymd(m._days(frame[column]))
        position = (year - first.year) * 12 + (month - first.month)   # the month's place in `months`
        inside = (position >= 0) & (position < len(months))
        # Only what a count reads (the LA, the record key) and the month: a copy of every column cost more.
        return count.cells(frame[["la_code", RECORD_KEY]].assign(month=m.coded(np.where(inside, position, -1), months)),
                           "month", {"month": months}).to_numpy()
    return pd.DataFrame({"Month": months, "Started": per_month(starts, "decom"), "Ceased": per_month(ends, "dec")})


def _stability(static, selection, first, last, count: _Counter, snaps: "_Snapshots | None" = None,
               placements_of=None) -> pd.DataFrame:
    """Per year to 31 March: children looked after at 31 March and those with 3 or more placements in the year.
    `placements_of(start, end)`: each child's placements in the year by cid (`_Prepared.placements`), if kept."""
    years = [(year_end - pd.DateOffset(years=1) + pd.Timedelta(days=1), year_end)
             for year_end in pd.date_range(first, last, freq="YE-MAR")]
    columns = ["Year to", "Looked after at 31 March", "3 or more placements", "%"]
    if placements_of is None:
        episodes = (static["cid"].to_numpy(), m._days(static["decom"]), m._days(static["dec"]),
                    (static["rne"] != "L").to_numpy())
        placements_of = lambda start, end: m.placements_by_child(*episodes, start, end)   # noqa: E731
    placements = {end: placements_of(start, end) for start, end in years if start >= first}
    if not placements:
        return pd.DataFrame([], columns=columns)
    # As _looked_after on each 31 March (episode attributes do not depend on the date: filtered once, as `_trend`).
    snaps = snaps or _Snapshots(static[selection.episode_mask(static, None).to_numpy()])
    stacked = snaps.on_dates(list(placements), lambda at: snaps.in_age_band(at, selection.age),
                             three=lambda rows, at: placements[at][snaps.cid[rows]] >= 3)
    when = range(len(placements))
    looked_after = count.cells(stacked, "when", {"when": when}).to_numpy()
    three = count.cells(stacked[stacked["three"].to_numpy(dtype=bool)], "when", {"when": when}).to_numpy()
    return pd.DataFrame({"Year to": [end.date().isoformat() for end in placements], "Looked after at 31 March": looked_after,
                         "3 or more placements": three, "%": [share(t, n) for t, n in zip(three, looked_after)]},
                        columns=columns)


# --- the demand forecast ------------------------------------------------------------------------------------------

DEFAULT_WEEKLY_COSTS = {   # illustrative unit costs, £ per child per week (users replace them with their own)
    "Foster care: in-house": 500, "Foster care: agency or other": 1000, "Children's homes": 6500,
    "Supported accommodation": 1500, "Placed with parents": 150, "Other": 2000,
}


class _Snapshots:
    """The children of one frame looked after on any date (as `m.open_at`), with their ages (as `m.age_in_months`
    and `m.age_in_years`), from the frame's dates as arrays taken once: the forecast asks for some 40 dates."""

    def __init__(self, static: pd.DataFrame, disjoint: bool = False):
        # disjoint: no child's episodes overlap (`_Prepared.disjoint`), so no snapshot needs checking for two rows a child
        self.static, self.disjoint = static, disjoint
        self.decom, self.dec = m._days(static["decom"]), m._days(static["dec"])
        self.group = m.positions(static["group"], m.PLACEMENT_GROUPS)
        self.cid = static["cid"].to_numpy()
        self.keys = static[RECORD_KEY].to_numpy() if RECORD_KEY in static else np.zeros(len(static), dtype="uint8")

    def open_at(self, at: pd.Timestamp) -> np.ndarray:
        """Positions of the rows `m.open_at` gives."""
        day = np.datetime64(pd.Timestamp(at).date(), "D")
        rows = np.flatnonzero((self.decom <= day) & (np.isnat(self.dec) | (self.dec > day)))
        if not self.disjoint and len(pd.unique(self.cid[rows])) != len(rows):   # overlapping episodes (none on the page)
            return self.static.index.get_indexer(m.open_at(self.static, at).index)
        return rows

    @functools.cached_property
    def dob(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each row's date of birth as (year, month, day), worked out when an age is first asked for."""
        return m._ymd(m._days(self.static["dob"]))

    def ages(self, rows: np.ndarray, at: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
        """The ages at `at` of the children at `rows`, in months and in years (as `m.age_in_months`, `m.age_in_years`)."""
        at = pd.Timestamp(at)
        on = tuple(np.full(len(rows), v) for v in (at.year, at.month, at.day))
        dob = tuple(part[rows] for part in self.dob)
        return m._age_months(dob, on), m._age_years(dob, on)

    def under_18(self, at: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Positions of the children looked after at `at` aged 0 to 17, their ages in months and in years."""
        rows = self.open_at(at)
        months, years = self.ages(rows, at)
        keep = (months >= 0) & (months < m.AGE_MONTHS)
        return rows[keep], months[keep], years[keep]

    def in_age_band(self, at: pd.Timestamp, age: str) -> np.ndarray:
        """Positions of the children looked after at `at` in the age band `age` ("all": every child; a band not in
        `m.AGE_BANDS`: none)."""
        rows = self.open_at(at)
        if age == "all":
            return rows
        band = list(m.AGE_BANDS).index(age) if age in m.AGE_BANDS else -1
        return rows[m.band_codes(self.ages(rows, at)[1]) == band]

    def on_dates(self, dates, pick, **columns) -> pd.DataFrame:
        """The records `pick(date)` gives (positions) on each of `dates`, stacked in one frame of what a count reads
        (the LA, the record key, `when`: the date's position in `dates`, and `columns`: functions of (positions, date)
        giving more). One count by `when` gives each date's cells, as counting each date's records alone would (a
        cell is its own records either way), at a fraction of the cost."""
        picked = [pick(at) for at in dates]
        rows = np.concatenate(picked) if picked else np.zeros(0, dtype="int64")
        when = np.repeat(np.arange(len(picked)), [len(r) for r in picked])
        return pd.DataFrame({"la_code": self.static["la_code"].iloc[rows].array, RECORD_KEY: self.keys[rows],
                             "when": m.coded(when, range(len(picked))),
                             **{name: np.concatenate([make(r, at) for r, at in zip(picked, dates)]) if picked else []
                                for name, make in columns.items()}})

    def records(self, rows: np.ndarray, **columns) -> pd.DataFrame:
        return self.static.iloc[rows].assign(**columns)


def _snapshots(static) -> _Snapshots:
    return static if isinstance(static, _Snapshots) else _Snapshots(static)


def _model_stocks(static, dates, count: _Counter) -> np.ndarray:
    """Children looked after on each of `dates` (rows) by placement type, protected."""
    snaps, groups = _snapshots(static), list(m.PLACEMENT_GROUPS)
    stacked = snaps.on_dates(dates, snaps.open_at, group=lambda rows, _at: snaps.group[rows])
    stacked["group"] = m.coded(stacked["group"].to_numpy(), groups)
    cells = count.cells(stacked, ["when", "group"], {"when": range(len(dates)), "group": groups})
    return cells.to_numpy().reshape(len(dates), len(groups))


def _under_18_on(static, dates) -> pd.DataFrame:
    """Children under 18 looked after on each of `dates` ("when": the date's position), with their age band and
    placement type: the records `_band_stocks` and `_band_totals` count."""
    snaps, bands, groups = _snapshots(static), list(m.AGE_BANDS), list(m.PLACEMENT_GROUPS)
    stacked = snaps.on_dates(dates, lambda at: snaps.under_18(at)[0],
                             band=lambda rows, at: m.band_codes(snaps.ages(rows, at)[1]),
                             group=lambda rows, _at: snaps.group[rows])
    stacked["band"], stacked["group"] = m.coded(stacked["band"].to_numpy(), bands), m.coded(stacked["group"].to_numpy(), groups)
    return stacked


def _band_stocks(static, dates, count: _Counter) -> np.ndarray:
    """Children under 18 looked after on each of `dates` by age band and placement type (dates x bands x types),
    protected."""
    bands, groups = list(m.AGE_BANDS), list(m.PLACEMENT_GROUPS)
    stacked = _under_18_on(static, dates)
    cells = count.cells(stacked, ["when", "band", "group"], {"when": range(len(dates)), "band": bands, "group": groups})
    return cells.to_numpy(dtype="float64").reshape(len(dates), len(bands), len(groups))


def _band_totals(dates, count: _Counter, stacked: pd.DataFrame) -> np.ndarray:
    """`_under_18_on`'s children by date and age band (dates x bands), each a protected cell of its own: a sum of
    `_band_stocks`' cells is not shown (small cells become 0 or 5, so their sum is often exactly true)."""
    bands = list(m.AGE_BANDS)
    cells = count.cells(stacked, ["when", "band"], {"when": range(len(dates)), "band": bands})
    return cells.to_numpy(dtype="float64").reshape(len(dates), len(bands))


def _band_stock(static, at: pd.Timestamp, count: _Counter) -> np.ndarray:
    """Children under 18 looked after at `at` by age band (rows) and placement type, protected."""
    return _band_stocks(static, [at], count)[0]


def _model_start(static, at: pd.Timestamp, count: _Counter) -> np.ndarray:
    """The model's starting stock by month of age and placement type. The caller's own children are placed at their
    exact ages (so the model knows who turns 18 when); any protected view spreads each band's protected count evenly
    over the band's months, so no child's age is used beyond its band."""
    snaps = _snapshots(static)
    if count.exact is not None:
        rows = snaps.open_at(at)
        current = snaps.static.iloc[rows]
        if bool(np.all(count.exact(current))):
            at = pd.Timestamp(at)
            on = tuple(np.full(len(rows), v) for v in (at.year, at.month, at.day))
            ages = m._age_months(tuple(part[rows] for part in snaps.dob), on)
            return m.stock_by_age(ages, current["group"].astype(str).to_numpy())
    return m.spread_by_age(_band_stock(snaps, at, count))


def _model_counter(count: _Counter):
    """`count` for `m.fit_flow_model`: the exits, moves and entries it fits rates on are protected cells."""
    return lambda records, by, categories: count.cells(records, by, categories)


CHILD_MONTHS_ROUNDING = 10
"""Child-months of exposure are shown rounded to the nearest 10."""


@cached_read(NAME, check=check_scope, depends_on_caller=_own_la_alone)
def forecast(scope: AccessScope, area: str, selection_fields: dict, ref_from: int, ref_to: int, horizon_years: int,
             weekly_costs: dict, *, version: int, scenario: tuple = (), inflation: float = 0.0) -> dict:
    """The stock-and-flow forecast for the area and the children's fixed attributes (sex, ethnicity, UASC), by
    placement type (`forecast`) and by age band (`forecast_by_age`), each month with its 80% band. States are age
    band x placement type; children age month by month and leave at 18. The model is fitted on protected counts
    (exits, moves, entries) and starts from the protected stock, so nothing it shows gives back a true count of other
    LAs' children. `scenario` = (entry change, exit change[, from group, to group, share]) as shares (0.1 = 10%)
    changes the fitted model (`FlowModel.adjusted`); the back-test always tests the model as fitted. `inflation` (%
    a year) raises the weekly costs month by month."""
    fit = _fitted(scope, area, selection_fields, ref_from, ref_to, horizon_years, weekly_costs, version, scenario,
                  inflation)
    p, count, snaps, model, projection, months = (fit[k] for k in ("prepared", "count", "snaps", "model", "projection",
                                                                   "months"))
    restricted, jump, horizon_months, cost_vector, rising = (fit[k] for k in ("restricted", "jump", "horizon_months",
                                                                            "cost_vector", "rising"))
    ref_from, ref_to, (ref_start, ref_end) = fit["ref_from"], fit["ref_to"], fit["reference"]
    start = fit["start"]
    groups, bands = list(m.PLACEMENT_GROUPS), list(m.AGE_BANDS)
    paths = m.simulate(model, start, horizon_months, runs=300, seed=version, projection=projection)
    by_group, by_band = _forecast_table(months, projection.stock.sum(axis=1), paths.sum(axis=2), groups, "Placement type",
                                        "All placement types"), \
        _forecast_table(months, projection.stock.sum(axis=2), paths.sum(axis=3), bands, "Age band", "All ages")
    by_group["Turning 18 and leaving care"] = np.repeat(np.round(projection.left_at_18.sum(axis=1), 1), len(groups) + 1)

    cost_paths = (paths.sum(axis=2) @ cost_vector) * rising[None, :]
    expected = projection.stock.sum(axis=1)
    costs_table = pd.DataFrame({
        "Month": [mo.date().isoformat() for mo in months], "Expected": np.round((expected @ cost_vector) * rising, -2),
        "Low (10th percentile)": np.round(np.percentile(cost_paths, 10, axis=0), -2),
        "High (90th percentile)": np.round(np.percentile(cost_paths, 90, axis=0), -2),
    })

    history_rows, age_rows = [], []
    quarters = pd.date_range(p.first, jump, freq="QE-MAR")
    under_18 = _under_18_on(snaps, quarters)
    for at, stock, band_total in zip(quarters, _model_stocks(snaps, quarters, count),
                                     _band_totals(quarters, count, under_18)):
        history_rows += [(at.date().isoformat(), g, int(v)) for g, v in zip(groups, stock)]
        age_rows += [(at.date().isoformat(), b, int(v)) for b, v in zip(bands, band_total)]
    history = pd.DataFrame(history_rows, columns=["Month", "Placement type", "Children"])
    history_by_age = pd.DataFrame(age_rows, columns=["Month", "Age band", "Children"])

    backtest, summary = backtest_table(snaps, p.first, ref_to - ref_from + 1, jump, count)
    # The rates as fitted (before any scenario). Every count shown is a protected cell of its own, not a sum of the
    # model's cells (see FlowModel.totals); each rate is that count over the child-months, so rate x child-months
    # gives the protected count back, never the true one.
    fitted = fit["fitted"]
    rates, rates_by_age = (
        _rates_table(labels, fitted.totals[f"exits by {by}"], fitted.totals[f"moves by {by}"], exposure,
                     fitted.totals[f"entries by {by}"] / fitted.months, column)
        for labels, by, exposure, column in ((groups, "group", fitted.band_exposure.sum(axis=0), "Placement type"),
                                             (bands, "band", fitted.band_exposure.sum(axis=1), "Age band")))
    entries = pd.DataFrame(fitted.entries, index=bands, columns=groups).astype(int)
    entries.insert(0, "Age band at entry", entries.index)
    entries = entries.reset_index(drop=True)
    entries["Total"] = fitted.totals["entries by band"].astype(int)   # a cell of its own, as every total
    return {"forecast": by_group, "forecast_by_age": by_band, "costs": costs_table, "history": history,
            "history_by_age": history_by_age, "backtest": backtest, "summary": summary, "rates": rates,
            "rates_by_age": rates_by_age, "entries": entries, "reference": (ref_start, ref_end), "jump": jump,
            "months_in_reference": model.months, "restricted": restricted,
            "left_at_18": float(projection.left_at_18.sum())}


def _fitted(scope: AccessScope, area: str, selection_fields: dict, ref_from, ref_to, horizon_years, weekly_costs: dict,
            version: int, scenario: tuple, inflation: float) -> dict:
    """What `forecast` and `expected_forecast` share: the model fitted on the reference period (with the scenario's
    changes), its starting stock and its projection."""
    selection = m.Selection(area_la_codes(area, local_authorities()), **selection_fields)
    costs = tuple(float(weekly_costs.get(g, DEFAULT_WEEKLY_COSTS[g]) or 0) for g in m.PLACEMENT_GROUPS)
    restricted = is_restricted(area, scope)
    count = _Counter(scope, restricted)
    ref_from, ref_to, horizon_months = int(ref_from), int(ref_to), int(horizon_years) * 12
    p = _prepare()
    chosen = m.Selection(selection.la_codes, sex=selection.sex, ethnicity=selection.ethnicity,
                         uasc=selection.uasc).static_mask(p.episodes).to_numpy()
    static = p.episodes[["cid", "la_code", RECORD_KEY, "decom", "dec", "dob", "rne", "rec", "group"]].iloc[
        np.flatnonzero(chosen)]
    ref_start, ref_end = pd.Timestamp(ref_from - 1, 4, 1), pd.Timestamp(ref_to, 3, 31)
    jump = p.last
    fitted = m.fit_flow_model(static, ref_start, ref_end, count=_model_counter(count), totals=True)
    model = fitted
    if scenario:
        entry_change, exit_change, *shift = scenario
        model = fitted.adjusted(float(entry_change), float(exit_change), tuple(shift) if shift else None)
    snaps = _Snapshots(static, disjoint=p.disjoint)
    start = _model_start(snaps, jump, count)
    return {"prepared": p, "count": count, "static": static, "snaps": snaps, "fitted": fitted, "model": model,
            "start": start,
            "projection": m.project(model, start, horizon_months), "restricted": restricted, "jump": jump,
            "months": pd.date_range(jump + pd.Timedelta(days=1), periods=horizon_months, freq="ME"),
            "horizon_months": horizon_months, "cost_vector": np.array(costs, dtype="float64"),
            "rising": (1.0 + float(inflation) / 100.0) ** (np.arange(1, horizon_months + 1) / 12.0),  # month k: k/12 years on
            "ref_from": ref_from, "ref_to": ref_to, "reference": (ref_start, ref_end)}


@cached_read(NAME, check=check_scope, depends_on_caller=_own_la_alone)
def expected_forecast(scope: AccessScope, area: str, selection_fields: dict, ref_from: int, ref_to: int,
                      horizon_years: int, weekly_costs: dict, *, version: int, scenario: tuple = (),
                      inflation: float = 0.0) -> dict:
    """`forecast`'s expected children (by placement type and by age band, each month) and expected weekly cost alone,
    the same figures without its simulations, history and back-test: what a comparison of two scenarios shows."""
    fit = _fitted(scope, area, selection_fields, ref_from, ref_to, horizon_years, weekly_costs, version, scenario,
                  inflation)
    projection, months = fit["projection"], fit["months"]
    expected = projection.stock.sum(axis=1)
    return {"forecast": _forecast_table(months, expected, None, list(m.PLACEMENT_GROUPS), "Placement type",
                                        "All placement types"),
            "forecast_by_age": _forecast_table(months, projection.stock.sum(axis=2), None, list(m.AGE_BANDS), "Age band",
                                               "All ages"),
            "costs": pd.DataFrame({"Month": [mo.date().isoformat() for mo in months],
                                   "Expected": np.round((expected @ fit["cost_vector"]) * fit["rising"], -2)})}


@cached_read(NAME, check=check_scope, depends_on_caller=_own_la_alone)
def need_ahead(scope: AccessScope, area: str, ref_from: int, ref_to: int, months: int, *, version: int) -> dict:
    """The forecast's expected children by placement type `months` after the data ends, for every child of the area:
    `forecast`'s model and projection alone (the same fit on the same protected counts, from the same start), without
    its simulations, history and back-test, for a page that needs only this number."""
    codes = area_la_codes(area, local_authorities())
    count = _Counter(scope, is_restricted(area, scope))
    p = _prepare()

    def work() -> dict:
        static = p.episodes[["cid", "la_code", RECORD_KEY, "decom", "dec", "dob", "rne", "rec", "group"]].iloc[
            np.flatnonzero(p.episodes["la_code"].isin(codes).to_numpy())]
        model = m.fit_flow_model(static, pd.Timestamp(int(ref_from) - 1, 4, 1), pd.Timestamp(int(ref_to), 3, 31),
                                 count=_model_counter(count))
        projection = m.project(model, _model_start(_Snapshots(static, disjoint=p.disjoint), p.last, count), int(months))
        at_end = projection.stock[-1].sum(axis=0)
        return {"expected": dict(zip(m.PLACEMENT_GROUPS, at_end.tolist())),
                "month": (p.last + pd.offsets.MonthEnd(int(months))).date().isoformat()}
    # The same for every date Placements and supply shows: kept per version, with whose children are exact.
    return p.kept(("need_ahead", area, int(ref_from), int(ref_to), int(months), count.la_code), work)


def _forecast_table(months, expected: np.ndarray, paths: np.ndarray | None, labels: list[str], column: str,
                    total: str) -> pd.DataFrame:
    """One row per month and label (and the total): expected and the 10th and 90th percentiles of the simulations
    (expected alone without `paths`)."""
    if paths is None:
        rows = []
        for k, month in enumerate(months):
            label = month.date().isoformat()
            rows += [(label, name, expected[k, j]) for j, name in enumerate(labels)]
            rows.append((label, total, expected[k].sum()))
        table = pd.DataFrame(rows, columns=["Month", column, "Expected"])
        table["Expected"] = table["Expected"].round().astype(int)
        return table
    low, high = np.percentile(paths, 10, axis=0), np.percentile(paths, 90, axis=0)
    totals = paths.sum(axis=2)
    rows = []
    for k, month in enumerate(months):
        label = month.date().isoformat()
        rows += [(label, name, expected[k, j], low[k, j], high[k, j]) for j, name in enumerate(labels)]
        rows.append((label, total, expected[k].sum(), np.percentile(totals[:, k], 10), np.percentile(totals[:, k], 90)))
    table = pd.DataFrame(rows, columns=["Month", column, "Expected", "Low (10th percentile)", "High (90th percentile)"])
    for name in ("Expected", "Low (10th percentile)", "High (90th percentile)"):
        table[name] = table[name].round().astype(int)
    return table


def _rates_table(labels, exits, moved, exposure, starts_per_month, column: str) -> pd.DataFrame:
    return pd.DataFrame({
        column: labels,
        "Child-months observed": (np.round(exposure / CHILD_MONTHS_ROUNDING) * CHILD_MONTHS_ROUNDING).astype(int),
        "Left care": exits.astype(int),
        "Left care per 100 children a month": [rate(c, x) for c, x in zip(exits, exposure)],
        "Moved to another type": moved.astype(int),
        "Moved per 100 children a month": [rate(c, x) for c, x in zip(moved, exposure)],
        "Starts per month": np.round(starts_per_month, 1),
    })


BACKTEST_COLUMNS = ["Forecast from", "Fitted on", "Children at start", "Forecast: model", "Forecast: no change",
                    "Forecast: trend", "Actual a year on", "Model error %", "No change error %", "Trend error %"]


def _total_under_18(static, at: pd.Timestamp, count: _Counter) -> int:
    """Children under 18 looked after at `at` (the model's population), one protected cell."""
    snaps = _snapshots(static)
    return count.cell(snaps.static.iloc[snaps.under_18(at)[0]])


def backtest_table(static, first: pd.Timestamp, years: int, last: pd.Timestamp,
                   count=None) -> tuple[pd.DataFrame, dict]:
    """The model tested on every year the data allow: from each 31 March with a year of data after it, fitted on the
    `years` before it (or as many as there are, at least 6 months), forecast a year ahead, and compared with what
    happened, beside two simple forecasts: "no change" (the number stays as it is) and "trend" (the change over the
    reference years goes on at the same pace). Counts are protected cells; the model is fitted on protected counts."""
    count = count or ExactCounter()
    snaps = _snapshots(static)
    rows = []
    origin = pd.Timestamp(last.year - 1, 3, 31)
    origins = []
    while origin - pd.Timedelta(days=182) >= first:
        origins.append(origin)
        origin = pd.Timestamp(origin.year - 1, 3, 31)
    for origin in reversed(origins):
        fit_start = max(first, pd.Timestamp(origin.year - years, 4, 1))
        model = m.fit_flow_model(snaps.static, fit_start, origin, count=_model_counter(count))
        predicted = float(m.project(model, _model_start(snaps, origin, count), 12).stock[-1].sum())
        start_total = _total_under_18(snaps, origin, count)
        before = _total_under_18(snaps, fit_start - pd.Timedelta(days=1), count)
        span = ((origin - fit_start).days + 1) / 365.25
        trend = start_total + (start_total - before) / span if span > 0 else float(start_total)
        actual = _total_under_18(snaps, pd.Timestamp(origin.year + 1, 3, 31), count)
        rows.append([origin.date().isoformat(), f"{fit_start:%b %Y} to {origin:%b %Y}", start_total, round(predicted),
                     start_total, round(max(trend, 0.0)), actual,
                     *[round(100 * abs(f - actual) / actual, 1) if actual else None
                       for f in (predicted, start_total, max(trend, 0.0))]])
    table = pd.DataFrame(rows, columns=BACKTEST_COLUMNS)
    if table.empty:
        return table, {"available": False}
    errors = table[["Model error %", "No change error %", "Trend error %"]].astype(float)
    summary = {"available": True, "years": len(table), "model": round(errors["Model error %"].mean(), 1),
               "no_change": round(errors["No change error %"].mean(), 1), "trend": round(errors["Trend error %"].mean(), 1),
               "beat_both": int(((errors["Model error %"] < errors["No change error %"])
                                 & (errors["Model error %"] < errors["Trend error %"])).sum())}
    summary["best"] = min(("the model", summary["model"]), ("no change", summary["no_change"]),
                          ("the trend", summary["trend"]), key=lambda pair: pair[1])[0]
    return table, summary


@cached_read(SCENARIOS_NAME, check=check_scope)
def saved_scenarios(scope: AccessScope) -> pd.DataFrame:
    """The scenarios saved for the caller's LA (name, settings, who saved it and when), newest first."""
    if not scope.la_code:
        return pd.DataFrame(columns=["name", "settings", "saved_by", "saved_at"])
    s = scenario
    return _read_sql(select(s.c.name, s.c.settings, s.c.saved_by, s.c.saved_at)
                     .where(s.c.la_code == scope.la_code).order_by(s.c.saved_at.desc(), s.c.id.desc()))


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


def _tool_measures(p: _Prepared, la_codes: tuple[str, ...], at: pd.Timestamp, count: _Counter) -> dict[str, int]:
    """The tool's own counts on DfE's definitions, from the stored child-level data, for all children: each one a
    protected cell."""
    everyone = m.open_at(p.episodes, at)
    current = everyone[everyone["la_code"].isin(la_codes).to_numpy()]
    group = current["group"].astype(str)
    placed_here = everyone[_placed_here_mask(everyone, la_codes)]
    subsets = {
        "Children looked after": np.ones(len(current), dtype=bool),
        "Foster placements": group.str.startswith("Foster"),
        "Secure homes and children's homes": group == "Children's homes",
        "Supported accommodation or independent living": group == "Supported accommodation",
        "Placed with parents": group == "Placed with parents",
        "Placed outside the LA boundary": current["inside_own_la"] == False,   # noqa: E712
        "Placed more than 20 miles from home": current["distance_miles"] > 20,
        "Distance not known": current["distance_miles"].isna(),
        "UASC": current["uasc"].astype(bool),
    }
    measures = {name: count.cell(current[np.asarray(mask, dtype=bool)]) for name, mask in subsets.items()}
    measures["Other LAs' children placed inside the LA"] = count.cell(placed_here) if len(la_codes) == 1 else None
    return measures


@cached_read(NAME, PUBLISHED_NAME, check=check_scope, depends_on_caller=_own_la_alone)
def published_comparison(scope: AccessScope, area: str, *, version: int) -> dict:
    """DfE's published figures at 31 March for the area beside the tool's own count on the same definition."""
    count = _Counter(scope, is_restricted(area, scope))
    p = _prepare()
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
        tool = _tool_measures(p, la_codes, at, count) if p.first <= at <= p.last else {}
        year_rows = pub[pub["time_period"] == year].set_index(["cla_group", "characteristic"])
        tool_total = tool.get("Children looked after")
        for measure, group, characteristic in PUBLISHED_MEASURES:
            if (group, characteristic) not in year_rows.index:
                continue
            published_row = year_rows.loc[(group, characteristic)]
            # A marker DfE published instead of a figure is shown with its meaning ("suppressed (c)"), as Benchmarking shows it.
            number = published_row["number"] if pd.notna(published_row["number"]) else marker_text(published_row["number_marker"])
            pct = published_row["percentage"] if pd.notna(published_row["percentage"]) else marker_text(published_row["percentage_marker"])
            value = tool.get(measure)
            if value is None:
                shown, shown_pct = ("not in the data" if not tool else "not comparable"), None
            else:
                shown = value
                shown_pct = (share(value, tool_total) if measure not in ("Children looked after",
                             "Other LAs' children placed inside the LA") else None)
            rows.append({"Year (31 March)": int(year), "Measure": measure,
                         "Published": int(number) if isinstance(number, float) else number,
                         "Published %": int(pct) if isinstance(pct, float) else pct,
                         "This tool": shown, "This tool %": shown_pct})
    return {"table": pd.DataFrame(rows), "available": True, "reason": ""}



# --- placed here, by whom; and where the area's children live (the Placements and supply page) -----------------------

NO_URN, NOT_MATCHED = "No Ofsted URN recorded", "URN not in the Ofsted files imported"


def _by_grade(records: pd.DataFrame, urn_grades: tuple, count: _Counter) -> pd.DataFrame:
    """Children by their provider's Ofsted grade on the date, matched on the episode's URN: `urn_grades` is
    ((URN, grade label), ...) from Ofsted's files, its label "Not yet inspected" when the provider had no graded
    judgement by then."""
    grades = dict(urn_grades)
    urn = records["urn"].astype(object)
    label = urn.map(grades).where(urn.notna(), NO_URN).fillna(NOT_MATCHED)
    categories = [*m.GRADE_LABELS.values(), "Not yet inspected", NOT_MATCHED, NO_URN]
    return count.vector(records.assign(ofsted_grade=label.to_numpy()), "ofsted_grade", categories, "Ofsted grade on the date")


def _placed_here_mask(frame: pd.DataFrame, codes) -> np.ndarray:
    """Episodes placed in the area's LAs by an LA other than the one the child lives in."""
    return _text_in(frame["placement_area"], codes) & (frame["inside_own_la"] == False).to_numpy()  # noqa: E712


@cached_read(NAME, check=check_scope)
def placed_here(scope: AccessScope, area: str, as_at, urn_grades: tuple = (), *, version: int) -> dict:
    """Children placed in the area (an LA, a sub-region or London) by an LA other than the one they live in, on
    `as_at`: by placing LA, provider type, placement type, distance from home and, when `urn_grades` is given (Ofsted's
    provider data is imported), Ofsted grade (None otherwise: nothing to match to). Every cell is protected (they are
    other LAs' children, even where the viewer's own are among them), so the view is the same for every commissioner.
    Only what the date changes: the quarters are `placed_here_trend`'s, read once per area."""
    p = _prepare()
    las = local_authorities()
    codes = area_la_codes(area, las)
    count = _Counter(scope, restricted=True)
    names = dict(zip(las["la_code"], las["la_name"]))
    # The episodes open on the date, in the columns counted (copying every column of every open episode cost more).
    at = pd.Timestamp(as_at)
    current = m.open_at(p.episodes[["cid", "la_code", RECORD_KEY, "decom", "dec", "placement_area", "inside_own_la",
                                    "provider_group", "group", "distance_band", "urn"]].iloc[np.flatnonzero(p.open_on(at))], at)
    current = current[_placed_here_mask(current, codes)]
    by_la = count.cells(current, "la_code", {"la_code": list(las["la_code"])})
    placing = pd.DataFrame({"la_code": list(by_la.index), "Placing LA": [names[c] for c in by_la.index],
                            "Children": by_la.to_numpy()})
    return {"total": count.cell(current), "placing": placing,
            "provider": count.vector(current, "provider_group", m.PROVIDER_GROUPS, "Provider type"),
            "placement": count.vector(current, "group", m.PLACEMENT_GROUPS, "Placement type"),
            "distance": count.vector(current, "distance_band", m.DISTANCE_BANDS, "Distance from home"),
            "grade": _by_grade(current, urn_grades, count) if urn_grades else None}


@cached_read(NAME, check=check_scope)
def placed_here_trend(scope: AccessScope, area: str, *, version: int) -> pd.DataFrame:
    """`placed_here`'s children at each quarter end, by placement type (protected): the same for every date chosen."""
    p = _prepare()
    codes = area_la_codes(area, local_authorities())
    count = _Counter(scope, restricted=True)

    def work() -> pd.DataFrame:
        narrow = p.episodes[["cid", "la_code", RECORD_KEY, "decom", "dec", "placement_area", "inside_own_la", "group"]]
        snaps = _Snapshots(narrow[_placed_here_mask(narrow, codes)], disjoint=p.disjoint)   # placed where: fixed for the episode
        return _quarterly(snaps, pd.date_range(p.first, p.last, freq="QE-MAR"), snaps.open_at, count)
    return p.kept(("placed_here_trend", area), work)   # every cell protected: the same for everyone, whatever the date


@cached_read(NAME, check=check_scope, depends_on_caller=lambda scope, arguments: True)
def placed_elsewhere(scope: AccessScope, as_at, *, version: int) -> dict:
    """The viewer's own LA's children placed outside it on `as_at`, by where they live (each other London LA, or
    the region outside London) and placement type: their own children, counted exactly, for the viewer's LA only."""
    p = _prepare()
    las = local_authorities()
    names = dict(zip(las["la_code"], las["la_name"]))
    count = _Counter(scope, restricted=False)
    at = pd.Timestamp(as_at)
    # The LA's episodes open on the date, in the columns read (copying every column of every episode cost more).
    current = m.open_at(p.episodes[["cid", "la_code", RECORD_KEY, "decom", "dec", "placement_area", "placement_region",
                                    "inside_own_la", "group"]].iloc[
        np.flatnonzero(_of_la(p.episodes["la_code"], scope.la_code) & p.open_on(at))], at)
    away = current[(current["inside_own_la"] == False).to_numpy()]   # noqa: E712
    area = away["placement_area"].astype(str)
    host = np.where(area.isin(names), area.map(names), "Outside London: " + away["placement_region"].astype(str))
    framed = away.assign(host=host)
    hosts = sorted(set(host))
    cells = count.cells(framed, ["host", "group"], {"host": hosts, "group": list(m.PLACEMENT_GROUPS)}).unstack("group")
    table = cells.reindex(index=hosts, columns=list(m.PLACEMENT_GROUPS), fill_value=0)
    table.insert(0, "Placed in", hosts)
    table["Total"] = table[list(m.PLACEMENT_GROUPS)].sum(axis=1)
    table = table.reset_index(drop=True).sort_values(["Total", "Placed in"], ascending=[False, True]).reset_index(drop=True)
    return {"table": table, "total": count.cell(away), "looked_after": count.cell(current)}


HOMES_AND_FOSTERING = {"Children's homes": ("Children's homes",),
                       "Fostering": ("Foster care: in-house", "Foster care: agency or other")}


@cached_read(NAME, check=check_scope, depends_on_caller=_own_la_alone)
def where_placed(scope: AccessScope, area: str, as_at, *, version: int) -> dict:
    """For children's homes and fostering: the area's looked-after children on `as_at` placed inside the area,
    elsewhere in London and outside London (location not known apart); and other LAs' children placed in the area's
    children's homes and foster homes. Protected unless the area is the viewer's own LA alone (their children exact)."""
    p = _prepare()
    las = local_authorities()
    codes = area_la_codes(area, las)
    count = _Counter(scope, is_restricted(area, scope))
    at = pd.Timestamp(as_at)
    everyone = m.open_at(p.episodes[["cid", "la_code", RECORD_KEY, "decom", "dec", "placement_area", "in_london",
                                     "group"]].iloc[np.flatnonzero(p.open_on(at))], at)
    mine = everyone[everyone["la_code"].isin(codes).to_numpy()]
    placed_area = mine["placement_area"].astype(str)
    where = np.select([mine["placement_area"].isna(), placed_area.isin(codes), mine["in_london"] == True],  # noqa: E712
                      ["Location not known", "Inside the area", "Elsewhere in London"], "Outside London")
    mine = mine.assign(where=where)
    others = count if area != f"la:{scope.la_code}" else _Counter(scope, restricted=True)
    incoming = everyone[_text_in(everyone["placement_area"], codes) & ~everyone["la_code"].isin(codes).to_numpy()]
    rows = []
    for kind, groups in HOMES_AND_FOSTERING.items():
        frame = mine[mine["group"].isin(groups).to_numpy()]
        cells = count.cells(frame, "where", {"where": ["Inside the area", "Elsewhere in London", "Outside London",
                                                       "Location not known"]})
        rows.append({"Placement type": kind, "Looked after by the area's LAs": count.cell(frame), **cells.to_dict(),
                     "Placed in the area by LAs outside it": others.cell(incoming[incoming["group"].isin(groups).to_numpy()])})
    return {"table": pd.DataFrame(rows), "restricted": is_restricted(area, scope)}
