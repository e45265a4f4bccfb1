"""Sufficiency metrics: pure functions over SSDA903-shaped episodes (one row per episode, child attributes joined).

Episode columns used: la_code, child, decom, dec, rne, ls, cin, place, place_provider, rec, home_post, pl_post, urn,
and from the child: sex, dob, ethnic, uasc. Dates are pandas datetimes; an open episode has dec = NaT.

Definitions (each has hand-worked tests in tests/fast/test_sufficiency_metrics.py):
- Looked after at a date: an episode that started on or before the date and had not ended by it (dec after the date,
  or open). A child whose episode ends on the date left care that day and is not counted, as in DfE's "at 31 March".
  A child with overlapping episodes (a data error) is counted once, in the episode that started last.
- Age: completed years on the date, from the month of birth (SSDA903 DOB held as the 1st of the month).
- Distance from home: straight-line miles between the home and placement postcodes (their eastings and northings in the
  ONS Postcode Directory, as the DfE derives it), worked out at ingest from the full postcodes; rows stored without it
  fall back to great-circle miles between the two postcode sectors' centres. Not known when either postcode is missing
  or not a known postcode.
- Inside own LA: the placement sector lies in the looking-after LA. Outside London: it lies outside the 33 LAs.
- Placements in a year: episodes open at any point in the year that start a placement (every reason for a new episode
  except L, a change of legal status only), plus one when the year opens inside such a continuing placement.
- Ofsted grade at a date: the provider's latest overall effectiveness judgement on or before that date.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

AGE_BANDS = ("Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over")
PLACEMENT_GROUPS = ("Foster care: in-house", "Foster care: agency or other", "Children's homes",
                    "Supported accommodation", "Placed with parents", "Other")
LOCATIONS = ("Inside own LA", "Elsewhere in own sub-region", "Elsewhere in London", "Outside London", "Location not known")
# Each band includes its upper limit, so "more than 20 miles" (DfE's measure) is exactly the last two distance bands.
DISTANCE_BANDS = ("Up to 5 miles", "5 to 10 miles", "10 to 20 miles", "20 to 50 miles", "More than 50 miles", "Distance not known")
GRADE_LABELS = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}
GRADE_CATEGORIES = ("Outstanding", "Good", "Requires improvement", "Inadequate", "Not yet inspected", "No Ofsted URN")
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "Not known")
PROVIDER_GROUPS = ("LA's own provision", "Other LA or public provision", "Private provision", "Voluntary or third sector",
                   "Parents", "Provider not recorded")
EARTH_RADIUS_MILES = 3958.8
FOSTER_CODES = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
HOMES_CODES = frozenset({"K1", "K2", "R1"})
SUPPORTED_CODES = frozenset({"H5", "P2"})


# --- single-record measures -----------------------------------------------------------------------------------

def age_in_years(dob: pd.Series, at) -> pd.Series:
    """Completed years on `at` (a date, or a Series of dates aligned with dob)."""
    at = pd.to_datetime(at)
    at_year = at.dt.year if isinstance(at, pd.Series) else at.year
    at_month = at.dt.month if isinstance(at, pd.Series) else at.month
    at_day = at.dt.day if isinstance(at, pd.Series) else at.day
    dob = pd.to_datetime(dob)
    before_birthday = (at_month < dob.dt.month) | ((at_month == dob.dt.month) & (at_day < dob.dt.day))
    return (at_year - dob.dt.year - before_birthday.astype(int)).astype(int)


def age_band(age: pd.Series) -> pd.Series:
    bins = [-np.inf, 0.5, 4.5, 9.5, 15.5, np.inf]   # ages are whole years: 0 | 1-4 | 5-9 | 10-15 | 16+
    return pd.cut(age, bins=bins, labels=list(AGE_BANDS)).astype(object)


def placement_group(place: pd.Series, provider: pd.Series) -> pd.Series:
    """The page's placement type group from the SSDA903 placement code and provider code.

    Foster care is in-house when the provider is the LA's own (PR1), otherwise agency or other (mostly independent
    fostering agencies, PR4/PR5). Placed for adoption, residential schools, health settings, custody and other
    placements are "Other".
    """
    place = place.astype(str)
    foster = place.isin(FOSTER_CODES)
    return pd.Series(np.select(
        [foster & (provider == "PR1"), foster, place.isin(HOMES_CODES), place.isin(SUPPORTED_CODES), place == "P1"],
        list(PLACEMENT_GROUPS[:5]), default=PLACEMENT_GROUPS[5]), index=place.index)


def haversine_miles(lat1, lon1, lat2, lon2):
    """Great-circle distance in miles; NaN where any coordinate is missing."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype="float64")) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(a))


def distance_band(miles: pd.Series) -> pd.Series:
    bands = pd.cut(miles, bins=[-np.inf, 5, 10, 20, 50, np.inf], right=True, labels=list(DISTANCE_BANDS[:5])).astype(object)
    return bands.where(miles.notna(), DISTANCE_BANDS[5])


def ethnic_group(codes: pd.Series, code_groups: dict[str, str]) -> pd.Series:
    return codes.map(code_groups).fillna("Not known")


def provider_group(provider: pd.Series, code_groups: dict[str, str]) -> pd.Series:
    return provider.map(code_groups).fillna("Provider not recorded")


def locate(episodes: pd.DataFrame, sectors: pd.DataFrame, subregion_of: dict[str, str]) -> pd.DataFrame:
    """Add distance_miles, placement_area, placement_region, inside_own_la, in_london, location and distance_band.

    sectors: sector, lat, lon, area_code, region. subregion_of: London LA code -> sub-region code.
    A placement whose postcode is missing or unknown has location "Location not known" (never counted as inside).
    """
    s = sectors.set_index("sector")
    out = episodes.copy()
    home = s.reindex(out["home_post"].to_numpy())
    placed = s.reindex(out["pl_post"].to_numpy())
    out["distance_miles"] = haversine_miles(home["lat"], home["lon"], placed["lat"], placed["lon"])
    out["placement_area"] = placed["area_code"].to_numpy()
    out["placement_region"] = placed["region"].to_numpy()
    if "pl_distance" in out:   # derived at ingest from the full postcodes (the DfE's straight line): preferred
        out["distance_miles"] = out["pl_distance"].where(out["pl_distance"].notna(), out["distance_miles"])
        by_la = out["pl_la"].notna()
        out["placement_area"] = out["pl_la"].where(by_la, out["placement_area"])
        outside = out["placement_region"].where(out["placement_region"].notna() & (out["placement_region"] != "London"),
                                                "Outside London")
        if "pl_region" in out:   # the district's region (data/district_regions.csv, ONS): preferred to the sector's
            outside = out["pl_region"].where(out["pl_region"].notna() & (out["pl_region"] != "London"), outside)
        out["placement_region"] = out["placement_region"].where(~by_la, np.where(
            out["pl_la"].fillna("").str.startswith("E09"), "London", outside))
    known = out["placement_area"].notna()
    out["in_london"] = (out["placement_region"] == "London").where(known)
    out["inside_own_la"] = (out["placement_area"] == out["la_code"]).where(known)
    same_sub = out["placement_area"].map(subregion_of) == out["la_code"].map(subregion_of)
    out["location"] = np.select(
        [~known, out["inside_own_la"] == True, (out["in_london"] == True) & same_sub, out["in_london"] == True],  # noqa: E712
        [LOCATIONS[4], LOCATIONS[0], LOCATIONS[1], LOCATIONS[2]], default=LOCATIONS[3])
    out["distance_band"] = distance_band(out["distance_miles"])
    return out


# --- snapshots, flows and stability ---------------------------------------------------------------------------

def open_at(episodes: pd.DataFrame, at, key: str = "cid") -> pd.DataFrame:
    """Children looked after at the end of `at`: one row per child, its episode on that date.

    `key` identifies a child within its looking-after LA (the loader builds it from LA and CHILD).
    """
    at = pd.Timestamp(at)
    dec = episodes["dec"]
    open_mask = (episodes["decom"] <= at) & (dec.isna() | (dec > at))
    current = episodes[open_mask.to_numpy()]
    if current[key].duplicated().any():
        current = current.sort_values("decom", kind="stable").drop_duplicates(key, keep="last")
    return current


def resolve_overlaps(episodes: pd.DataFrame, key: str = "cid") -> pd.DataFrame:
    """Overlapping episodes of one child (a data error): the later episode wins, the earlier one is cut to end
    the day the later one starts. Gaps are kept: the child is not looked after between two periods of care."""
    e = episodes.sort_values([key, "decom"], kind="stable")
    next_start = e["decom"].shift(-1).where(e[key].shift(-1) == e[key])
    overlaps = next_start.notna() & (e["dec"].isna() | (e["dec"] > next_start))
    if overlaps.any():
        e = e.copy()
        e.loc[overlaps, "dec"] = next_start[overlaps]
        e.loc[overlaps & e["rec"].isna(), "rec"] = "X1"
    return e


def placements_in_year(episodes: pd.DataFrame, start, end, key: str = "cid") -> pd.Series:
    """Number of placements each child had in [start, end] (both dates inclusive), indexed by the child key."""
    codes, children = pd.factorize(episodes[key], sort=True)
    counts = placements_by_child(codes, _days(episodes["decom"]), _days(episodes["dec"]),
                                 (episodes["rne"] != "L").to_numpy(), pd.Timestamp(start), pd.Timestamp(end))
    had = np.flatnonzero(counts)
    return pd.Series(counts[had], index=np.asarray(children)[had])


def placements_by_child(cid: np.ndarray, decom: np.ndarray, dec: np.ndarray, not_legal_only: np.ndarray,
                        start: pd.Timestamp, end: pd.Timestamp, order: np.ndarray | None = None) -> np.ndarray:
    """`placements_in_year` on the episodes' arrays (child as 0..n-1, start and end days, whether the episode began
    with more than a change of legal status): each child's placements in [start, end], indexed by `cid` (0 for a
    child with no episode then). `order`: every episode's position by child, then start (`np.lexsort((decom, cid))`),
    when it is already worked out: each year then picks its episodes from it without sorting them again."""
    start_d, end_d = np.datetime64(start.date(), "D"), np.datetime64(end.date(), "D")
    if order is None:
        rows = np.flatnonzero((decom <= end_d) & (np.isnat(dec) | (dec >= start_d)))
        rows = rows[np.lexsort((decom[rows], cid[rows]))]   # by child, then start (stable)
    else:   # the same rows in the same order: a stable sort's order, filtered, is the filtered rows' stable sort
        rows = order[(decom[order] <= end_d) & (np.isnat(dec[order]) | (dec[order] >= start_d))]
    child = cid[rows]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = child[1:] != child[:-1]
    # The first episode of the year always stands for one placement, even when it only changed legal status.
    counted = np.where(first, 1, not_legal_only[rows].astype("int64"))
    return np.bincount(child, weights=counted, minlength=int(cid.max()) + 1 if len(cid) else 0).astype("int64")


def three_plus_placements(episodes: pd.DataFrame, looked_after: pd.DataFrame, start, end, key: str = "cid") -> pd.Series:
    """For each child in `looked_after` (open at year end), whether they had 3 or more placements in the year."""
    placements = placements_in_year(episodes, start, end, key)
    return pd.Series(placements.reindex(looked_after[key].to_numpy()).fillna(0).to_numpy() >= 3, index=looked_after.index)


def grade_at(placements: pd.DataFrame, grades: pd.DataFrame, at) -> pd.Series:
    """The Ofsted grade category of each placement's provider on `at`.

    placements: a urn column (missing = "No Ofsted URN"); grades: urn, inspection_date, grade (1-4).
    A provider with a URN but no judgement on or before the date is "Not yet inspected".
    """
    at = pd.Timestamp(at)
    latest = (grades[grades["inspection_date"] <= at].sort_values("inspection_date", kind="stable")
              .drop_duplicates("urn", keep="last").set_index("urn")["grade"])
    grade = placements["urn"].map(latest).map(GRADE_LABELS)
    return grade.where(grade.notna(), np.where(placements["urn"].isna(), "No Ofsted URN", "Not yet inspected"))


def counts(frame: pd.DataFrame, column: str, categories) -> pd.Series:
    """Counts by category in a fixed order, zeros included."""
    return frame[column].value_counts().reindex(list(categories), fill_value=0).astype(int)


def flows(frame: pd.DataFrame, source: str, target: str, target_categories) -> pd.DataFrame:
    """Source x target counts (one row per source, one column per target category), zeros included."""
    table = pd.crosstab(frame[source], frame[target]).reindex(columns=list(target_categories), fill_value=0)
    table.columns.name = None
    return table.astype(int)


def share(numerator: float, denominator: float) -> float:
    return float("nan") if not denominator else 100.0 * numerator / denominator


# --- which children ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """Which children a view counts. 'all' (or None) means no restriction on that attribute."""
    la_codes: tuple[str, ...]
    age: str = "all"
    sex: str = "all"
    ethnicity: str = "all"
    uasc: str = "all"           # "yes" / "no" / "all"
    legal: str = "all"          # legal status group
    cin: str = "all"            # category of need code N1-N8
    placement: str = "all"      # placement group
    provider: str = "all"       # provider group

    def static_mask(self, frame: pd.DataFrame) -> pd.Series:
        """Attributes that do not change over time: looking-after LA, sex, ethnicity, UASC."""
        mask = frame["la_code"].isin(self.la_codes)
        if self.sex != "all":
            mask &= frame["sex"] == self.sex
        if self.ethnicity != "all":
            mask &= frame["ethnic_group"] == self.ethnicity
        if self.uasc != "all":
            mask &= frame["uasc"] == (self.uasc == "yes")
        return mask

    def episode_mask(self, frame: pd.DataFrame, ages: pd.Series | None) -> pd.Series:
        """Attributes of the episode on the date (and the age then)."""
        mask = pd.Series(True, index=frame.index)
        if self.age != "all" and ages is not None and len(frame):
            mask &= age_band(ages) == self.age
        for attribute, column in (("legal", "legal_group"), ("cin", "cin"), ("placement", "group"), ("provider", "provider_group")):
            value = getattr(self, attribute)
            if value != "all":
                mask &= frame[column] == value
        return mask

    def looked_after(self, episodes: pd.DataFrame, at, key: str = "cid") -> pd.DataFrame:
        """The selected children looked after on `at`, with their age on that date."""
        current = open_at(episodes[self.static_mask(episodes)], at, key)
        ages = age_in_years(current["dob"], pd.Timestamp(at))
        current = current.assign(age=ages)
        return current[self.episode_mask(current, ages)]


# --- demand forecast: a stock-and-flow model of age band x placement type ----------------------------------------
# States are (age band, placement group): Social Finance's regional demand model's bands (Birth-1, 1-5, 5-10, 10-16,
# 16-18+ are this page's "Under 1" to "16 and over"). Inside the model each child's age is held in whole months, so
# children move up a band on the month they reach it and leave care the month they turn 18; rates are per band.
MONTH_DAYS = 365.25 / 12
AGE_MONTHS = 18 * 12                                    # a child leaves care at 18: ages 0..215 months
BAND_EDGES = (0, 12, 60, 120, 192, AGE_MONTHS)          # months at which each band starts (and the last one ends)
BAND_OF_MONTH = np.searchsorted(np.array(BAND_EDGES[1:]), np.arange(AGE_MONTHS), side="right")
BAND_OF_YEAR = BAND_OF_MONTH[::12]                      # 18 years of age -> band


def _years_to_bands(by_year: np.ndarray) -> np.ndarray:
    """Sum rows by year of age (0..17) into the 5 bands."""
    out = np.zeros((len(AGE_BANDS), *by_year.shape[1:]))
    np.add.at(out, BAND_OF_YEAR, by_year)
    return out


def band_of_months(age_months) -> np.ndarray:
    """The age band index (0..4) of ages in whole months (0..215)."""
    return BAND_OF_MONTH[np.asarray(age_months, dtype="int64")]


def age_in_months(dob: pd.Series, at) -> pd.Series:
    """Completed months of age on `at` (a date, or a Series of dates aligned with dob)."""
    at = pd.to_datetime(at)
    dob = pd.to_datetime(dob)
    if isinstance(at, pd.Series):
        y, mo, d = at.dt.year, at.dt.month, at.dt.day
    else:
        y, mo, d = at.year, at.month, at.day
    return (y - dob.dt.year) * 12 + (mo - dob.dt.month) - (d < dob.dt.day).astype(int)


@dataclass
class FlowModel:
    """Counts over a reference period, by age band (first axis) and placement group (the model's states).

    entries:  children starting care, by age band at entry and first placement group
    exits:    children leaving care before their 18th birthday, by year of age (0..17) and group at leaving
    moves:    moves from group i (second axis) to group j (third axis), by band at the move
    exposure: child-months observed, by year of age (0..17) and group (the denominators)
    months:   length of the reference period in months
    totals:   the entries, exits and moves by group and by band, each counted as a cell of its own (`fit_flow_model`'s
              `totals=True`; None otherwise, and for a scenario): what a table of the model shows. A sum of the
              model's protected cells is not shown: small cells become 0 or 5, so their sum is often exactly true.
    Leaving is fitted by year of age, not band: within a band it varies a lot (16 year olds leave far less often than
    17 year olds), and a band's average would send 16 year olds out too fast. Leaving at 18 is not fitted: the model
    takes every child out on the month they turn 18.
    """
    groups: tuple[str, ...]
    entries: np.ndarray
    exits: np.ndarray
    moves: np.ndarray
    exposure: np.ndarray
    months: float
    totals: dict | None = None

    @property
    def band_exposure(self) -> np.ndarray:
        """Child-months by band and group."""
        return _years_to_bands(self.exposure)

    @property
    def band_exits(self) -> np.ndarray:
        """Children leaving before 18 by band and group."""
        return _years_to_bands(self.exits)

    @property
    def exit_rate(self) -> np.ndarray:
        """Share of children leaving care per month, by year of age (0..17) and group."""
        return np.divide(self.exits, self.exposure, out=np.zeros_like(self.exposure), where=self.exposure > 0)

    @property
    def move_rate(self) -> np.ndarray:
        """Share of state (band, i)'s children moving to group j per month (bands x groups x groups, diagonal 0)."""
        exposure = self.band_exposure[:, :, None]
        rate = np.divide(self.moves, exposure, out=np.zeros_like(self.moves, dtype="float64"), where=exposure > 0)
        rate[:, np.arange(len(self.groups)), np.arange(len(self.groups))] = 0.0
        return rate

    def transition(self) -> np.ndarray:
        """Monthly transition matrices by year of age (18 x groups x groups): next = stock @ T[year]; rows sum to
        1 - that year's exit rate; moves at the rate of the year's band."""
        move = self.move_rate[BAND_OF_YEAR]
        out = move.sum(axis=2) + self.exit_rate
        scale = np.where(out > 0.95, 0.95 / np.maximum(out, 1e-12), 1.0)   # never more than all of a state leaving
        move = move * scale[:, :, None]
        stay = 1.0 - out * scale
        t = move.copy()
        idx = np.arange(len(self.groups))
        t[:, idx, idx] = stay
        return t

    def monthly_entries(self) -> np.ndarray:
        """Children starting care per month, by band and group."""
        return self.entries / self.months if self.months > 0 else np.zeros_like(self.entries, dtype="float64")

    def adjusted(self, entry_change: float = 0.0, exit_change: float = 0.0,
                 shift: tuple[str, str, float] | None = None) -> "FlowModel":
        """A scenario: entries and exits before 18 changed by a share (0.1 = 10% more), and `shift` = (from, to,
        share) sends that share of the children who would have started in or moved to group `from` to `to`."""
        entries = self.entries * (1.0 + entry_change)
        exits = self.exits * (1.0 + exit_change)
        moves = self.moves.astype("float64").copy()
        if shift is not None:
            i, j, part = self.groups.index(shift[0]), self.groups.index(shift[1]), float(shift[2])
            if i != j and part:
                moved = entries[:, i] * part
                entries = entries.copy()
                entries[:, i] -= moved
                entries[:, j] += moved
                redirected = moves[:, :, i] * part
                moves[:, :, i] -= redirected
                moves[:, :, j] += redirected
                idx = np.arange(len(self.groups))
                moves[:, idx, idx] = 0.0   # a move into one's own group is no move
        return FlowModel(self.groups, entries, exits, moves, self.exposure, self.months)


def _days(values) -> np.ndarray:
    """Dates as whole days (datetime64[D]); NaT stays NaT."""
    return np.asarray(pd.to_datetime(values).to_numpy() if not isinstance(values, np.ndarray) else values,
                      dtype="datetime64[ns]").astype("datetime64[D]")


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day (1-31) of datetime64[D] values (NaT gives meaningless numbers: mask it)."""
    months = days.astype("datetime64[M]")
    return (months.astype("datetime64[Y]").astype("int64") + 1970, months.astype("int64") % 12 + 1,
            (days - months.astype("datetime64[D]")).astype("int64") + 1)


def _years_on(year: np.ndarray, month: np.ndarray, day: np.ndarray, years: int) -> np.ndarray:
    """The date `years` after (year, month, day) as days since 1970 (int64), as pd.DateOffset(years=...) gives it
    (29 February -> 28th)."""
    index = (year + years - 1970) * 12 + (month - 1)
    low = int(index.min()) if len(index) else 0
    starts = np.arange(low, low + (int(index.max()) - low + 2 if len(index) else 1)).astype("datetime64[M]") \
        .astype("datetime64[D]").astype("int64")   # the first day of each month in range, and of the one after
    first, following = starts[index - low], starts[index - low + 1]
    return first + np.minimum(day, following - first) - 1


def _age_years(dob_ymd, at_ymd) -> np.ndarray:
    """`age_in_years` on arrays of (year, month, day)."""
    (by, bm, bd), (ay, am, ad) = dob_ymd, at_ymd
    return ay - by - ((am < bm) | ((am == bm) & (ad < bd))).astype("int64")


def _age_months(dob_ymd, at_ymd) -> np.ndarray:
    """`age_in_months` on arrays of (year, month, day)."""
    (by, bm, bd), (ay, am, ad) = dob_ymd, at_ymd
    return (ay - by) * 12 + (am - bm) - (ad < bd).astype("int64")


_BAND_BOUNDS = np.array([0.5, 4.5, 9.5, 15.5])   # age_band's bins: 0 | 1-4 | 5-9 | 10-15 | 16+ (under 0: the first)


def band_codes(age_years) -> np.ndarray:
    """`age_band` as positions in AGE_BANDS, for whole years."""
    return np.searchsorted(_BAND_BOUNDS, np.asarray(age_years, dtype="float64"), side="left")


def coded(codes: np.ndarray, labels) -> pd.Categorical:
    """Positions in `labels` (-1: none of them) as a categorical column, which the counts read without strings."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype="int64"), categories=list(labels))


def positions(values: pd.Series, labels) -> np.ndarray:
    """Each value's position in `labels` as text (-1: not there; missing is not there)."""
    level = pd.Index(list(labels))
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.append(level.get_indexer(values.cat.categories.astype(str)), -1)
        return lookup[values.cat.codes.to_numpy()]
    return level.get_indexer(values.astype(str).to_numpy())


def _in_child_order(episodes: pd.DataFrame) -> pd.DataFrame:
    """Episodes sorted by child and start (stable); left as they are when they already are (the page's rows are)."""
    cid, decom = episodes["cid"].to_numpy(), episodes["decom"].to_numpy()
    if cid.dtype.kind in "iu" and len(cid) > 1:
        same = cid[1:] == cid[:-1]
        if (cid[1:] >= cid[:-1]).all() and not (same & (decom[1:] < decom[:-1])).any():
            return episodes
    return episodes.sort_values(["cid", "decom"], kind="stable")


def fit_flow_model(episodes: pd.DataFrame, start, end, groups=PLACEMENT_GROUPS, count=None,
                   totals: bool = False) -> FlowModel:
    """Count entries, exits before 18, moves and child-months by age band and placement group over [start, end].

    episodes need: cid (the child), decom, dec, rne, rec, group, dob. A move is an episode ending X1 (a new episode the
    same day) whose next episode is in another group; an exit is an episode ending with any other reason, before the
    child's 18th birthday (leaving at 18 is the model's own rule, not a rate). An episode's days are split between the
    bands the child passes through. count(records, by, categories) -> Series counts the exits, moves and entries
    (default: exactly); the page passes its disclosure-protected count, so every rate is built from protected counts.
    `totals`: count the model's `totals` too (by group and by band, each a cell of its own).
    Worked on numpy arrays of days (ages as `age_in_years` and `age_in_months` give them, dates a year on as
    pd.DateOffset does): the same figures as on pandas dates, a tenth of the time.
    """
    count = count or _exact_counts
    groups = list(groups)
    bands = list(AGE_BANDS)
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    after_end = end + pd.Timedelta(days=1)
    months = ((end - start).days + 1) / MONTH_DAYS
    e = _in_child_order(episodes)
    start_d, end_d, after_d = (np.datetime64(t.date(), "D") for t in (start, end, after_end))
    decom, dec = _days(e["decom"]), _days(e["dec"])
    # Only episodes open in [start, end] add to a count, with the episode after each (it says whether the end was a
    # move): the rest are left out first (a tenth of them for one year of seven), which changes no figure.
    kept = (decom <= end_d) & (np.isnat(dec) | (dec >= start_d))
    kept[1:] |= kept[:-1]
    if not kept.all():
        e, decom, dec = e[kept], decom[kept], dec[kept]
    dob = _days(e["dob"])
    open_end = np.isnat(dec)
    e_start = np.where(decom > start_d, decom, start_d)
    e_end = np.where(open_end | (dec > after_d), after_d, dec)
    group_index = positions(e["group"], groups)
    exposure = np.zeros((AGE_MONTHS // 12, len(groups)))
    known = group_index >= 0
    born = ~np.isnat(dob)
    dob_ymd = _ymd(dob)
    take = known & born
    ymd = tuple(part[take] for part in dob_ymd)
    first, last, index = e_start[take].astype("int64"), e_end[take].astype("int64"), group_index[take]
    hi = _years_on(*ymd, 0)
    for year in range(AGE_MONTHS // 12):
        lo, hi = hi, _years_on(*ymd, year + 1)
        days = np.clip(np.minimum(last, hi) - np.maximum(first, lo), 0, None)
        # Summed in row order from 0, as np.add.at adds them (the same floats), at a tenth of its cost.
        exposure[year] = np.bincount(index, weights=days / MONTH_DAYS, minlength=len(groups))

    ends_in = ~open_end & (dec >= start_d) & (dec <= end_d)
    ended = _ymd(np.where(open_end, end_d, dec))
    under_18 = _age_years(dob_ymd, ended) < 18
    # Leaving in the month before the 18th birthday is leaving at 18 (returns often end care a few days before it):
    # the model takes those children out by its own rule, so a fitted rate counting them would take them out twice.
    before_last_month = _age_months(dob_ymd, ended) < AGE_MONTHS - 1
    x1 = (e["rec"] == "X1").to_numpy()
    leaving = ends_in & before_last_month & ~x1
    year_left = _age_years(dob_ymd, ended)
    years = [str(y) for y in range(AGE_MONTHS // 12)]
    leavers = e[leaving].assign(year=coded(np.where((year_left >= 0) & (year_left < len(years)), year_left, -1)[leaving],
                                           years),
                                group=coded(group_index[leaving], groups))
    # Each count comes with every combination of its categories, in their order: reshaped, not unstacked (the same).
    exits = count(leavers, ["year", "group"], {"year": years, "group": groups}).to_numpy(dtype="float64")
    cid = e["cid"].to_numpy()
    same_child = np.zeros(len(e), dtype=bool)
    same_child[:-1] = cid[1:] == cid[:-1]
    next_index = np.full(len(e), -1)
    next_index[:-1] = group_index[1:]
    # Another group next (a move out of or into a group not in `groups` is not counted, so positions will do).
    moved = ends_in & under_18 & x1 & same_child & (next_index != group_index)
    movers = e[moved].assign(band=coded(band_codes(year_left[moved]), bands), group=coded(group_index[moved], groups),
                             next_group=coded(next_index[moved], groups))
    move_counts = count(movers, ["band", "group", "next_group"], {"band": bands, "group": groups, "next_group": groups})
    began = _ymd(decom)
    starting = ((e["rne"] == "S").to_numpy() & (decom >= start_d) & (decom <= end_d)
                & (_age_years(dob_ymd, began) < 18))
    starts = e[starting].assign(band=coded(band_codes(_age_years(dob_ymd, began)[starting]), bands),
                                group=coded(group_index[starting], groups))
    entries = count(starts, ["band", "group"], {"band": bands, "group": groups}).to_numpy(dtype="float64")
    moves = move_counts.to_numpy(dtype="float64").reshape(len(bands), len(groups), len(groups))
    shown = None
    if totals:
        leavers = leavers.assign(band=coded(np.where(leavers["year"].cat.codes >= 0,
                                                     band_codes(leavers["year"].cat.codes), -1), bands))
        shown = {f"{name} by {by}": count(records, [by], {by: labels}).to_numpy(dtype="float64")
                 for name, records in (("exits", leavers), ("moves", movers), ("entries", starts))
                 for by, labels in (("group", groups), ("band", bands))}
    return FlowModel(tuple(groups), entries.reshape(len(bands), len(groups)),
                     exits.reshape(len(years), len(groups)), moves, exposure, months, shown)


def _exact_counts(records: pd.DataFrame, by: list[str], categories: dict) -> pd.Series:
    """Counts of `records` per combination of `categories` (zeros included), indexed like `protected_counts`."""
    index = (pd.MultiIndex.from_product([categories[c] for c in by], names=by) if len(by) > 1
             else pd.Index(categories[by[0]], name=by[0]))
    keys = [records[c].astype(str) for c in by]
    return records.groupby(keys).size().reindex(index, fill_value=0).astype("int64")


def stock_by_age(ages_months, groups, group_names=PLACEMENT_GROUPS) -> np.ndarray:
    """Children now, by month of age (rows, 0..215) and placement group: from each child's exact age. Children 18 or
    over (a data error: care ends at 18) are left out."""
    ages = np.asarray(ages_months, dtype="int64")
    index = pd.Categorical(pd.Series(groups).astype(str), categories=list(group_names)).codes
    keep = (ages >= 0) & (ages < AGE_MONTHS) & (index >= 0)
    stock = np.zeros((AGE_MONTHS, len(group_names)))
    np.add.at(stock, (ages[keep], index[keep]), 1.0)
    return stock


def spread_by_age(band_stock: np.ndarray) -> np.ndarray:
    """Children by band and group spread evenly over the months of each band (when only band counts may be used,
    as for protected counts of other LAs' children)."""
    band_stock = np.asarray(band_stock, dtype="float64")
    widths = np.diff(BAND_EDGES)
    return band_stock[BAND_OF_MONTH] / widths[BAND_OF_MONTH][:, None]


def by_band(stock_by_month: np.ndarray) -> np.ndarray:
    """Sum ages in months (axis -2) into the 5 bands."""
    out = np.zeros((*stock_by_month.shape[:-2], len(AGE_BANDS), stock_by_month.shape[-1]))
    for b, (lo, hi) in enumerate(zip(BAND_EDGES, BAND_EDGES[1:])):
        out[..., b, :] = stock_by_month[..., lo:hi, :].sum(axis=-2)
    return out


@dataclass
class Projection:
    """Expected children by month ahead (first axis), age band and group, and what happened in each month."""
    stock: np.ndarray          # months x bands x groups, at each month end
    start: np.ndarray          # months x bands x groups, at the start of each month
    exits: np.ndarray          # months x bands x groups: left care before 18 that month
    moves: np.ndarray          # months x bands x groups x groups: moved from group i to j that month
    aged_up: np.ndarray        # months x bands x groups: moved up out of the band that month (from the last: left at 18)
    before_ageing: np.ndarray  # months x bands x groups: after the month's exits and moves, before ageing

    @property
    def left_at_18(self) -> np.ndarray:
        return self.aged_up[:, -1, :]


def project(model: FlowModel, stock: np.ndarray, months: int) -> Projection:
    """Expected stock month by month from `stock` (ages in months x groups): each month the children leave or move at
    their age's rates, everyone gets a month older (moving up a band on reaching it, leaving at 18), and the month's
    entrants join, spread evenly over the months of their band at entry."""
    year_of_month = np.arange(AGE_MONTHS) // 12
    t_by_month = model.transition()[year_of_month]            # 216 x G x G
    g = len(model.groups)
    off_diagonal = t_by_month * (1.0 - np.eye(g))[None]
    exit_by_month = 1.0 - t_by_month.sum(axis=2)
    widths = np.diff(BAND_EDGES)
    entrants = model.monthly_entries()[BAND_OF_MONTH] / widths[BAND_OF_MONTH][:, None]
    last_of_band = np.array(BAND_EDGES[1:]) - 1
    current = np.asarray(stock, dtype="float64")
    out, start, exits, moves, aged, before = [], [], [], [], [], []
    for _ in range(months):
        start.append(by_band(current))
        exits.append(by_band(current * exit_by_month))
        moving = current[:, :, None] * off_diagonal                        # 216 x G x G
        moves.append(np.stack([moving[lo:hi].sum(axis=0) for lo, hi in zip(BAND_EDGES, BAND_EDGES[1:])]))
        moved = np.einsum("ag,agh->ah", current, t_by_month)
        before.append(by_band(moved))
        aged.append(moved[last_of_band])
        current = np.zeros_like(moved)
        current[1:] = moved[:-1]
        current += entrants
        out.append(by_band(current))
    return Projection(*(np.array(x) for x in (out, start, exits, moves, aged, before)))


def simulate(model: FlowModel, stock: np.ndarray, months: int, runs: int = 300, seed: int = 0,
             projection: Projection | None = None) -> np.ndarray:
    """Simulated stock paths (runs x months x bands x groups) around `project`: Poisson entries; each month each
    child's stay, move or exit drawn, and moving up a band drawn, with the chances the projection gives for that
    month, band and group; each run's rates are scaled by a draw of their sampling error (Gamma on the observed
    counts), so the band shows both chance and how little data the rates rest on."""
    rng = np.random.default_rng(seed)
    projection = projection or project(model, stock, months)
    nb, g = len(AGE_BANDS), len(model.groups)
    idx = np.arange(g)

    def chance(part, whole):
        return np.divide(part, whole, out=np.zeros_like(part), where=whole > 0)

    exit_p = chance(projection.exits, projection.start)                              # months x bands x g
    move_p = chance(projection.moves, projection.start[..., None])                   # months x bands x g x g
    up_p = chance(projection.aged_up, projection.before_ageing).clip(0.0, 1.0)
    # Sampling error of each run's rates: Gamma(count + 0.5) / (count + 0.5), count the band's observed events.
    exits_n, moves_n = model.band_exits, model.moves.astype("float64")
    exit_factor = rng.gamma(exits_n + 0.5, 1.0, size=(runs, nb, g)) / (exits_n + 0.5)
    move_factor = rng.gamma(moves_n + 0.5, 1.0, size=(runs, nb, g, g)) / (moves_n + 0.5)
    entry_rate = rng.gamma(model.entries + 0.5, 1.0, size=(runs, nb, g)) / max(model.months, 1e-9)
    entry_rate[:, model.entries == 0] = 0.0
    current = np.rint(by_band(np.asarray(stock, dtype="float64"))).astype("int64")
    current = np.broadcast_to(current, (runs, nb, g)).copy()
    paths = np.zeros((runs, months, nb, g))
    for month in range(months):
        moves = move_p[month][None] * move_factor
        moves[:, :, idx, idx] = 0.0
        leave = exit_p[month][None] * exit_factor
        out = moves.sum(axis=3) + leave
        scale = np.where(out > 0.95, 0.95 / np.maximum(out, 1e-12), 1.0)
        p = np.concatenate([moves * scale[..., None], (leave * scale)[..., None], (1.0 - out * scale)[..., None]], axis=3)
        p = np.clip(p, 0.0, 1.0)
        p /= p.sum(axis=3, keepdims=True)
        draws = rng.multinomial(current, p)                                # runs x bands x g x (g + 2)
        nxt = draws[..., :g].sum(axis=2) + draws[..., g + 1]
        up = rng.binomial(nxt, up_p[month][None])
        nxt -= up
        nxt[:, 1:, :] += up[:, :-1, :]
        nxt += rng.poisson(entry_rate)
        current = nxt
        paths[:, month] = current
    return paths
