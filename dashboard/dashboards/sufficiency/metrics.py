"""Sufficiency metrics: pure functions over SSDA903-shaped episodes (one row per episode, child attributes joined).

Episode columns used: la_code, child, decom, dec, rne, ls, cin, place, place_provider, rec, home_post, pl_post, urn,
and from the child: sex, dob, ethnic, uasc. Dates are pandas datetimes; an open episode has dec = NaT.

Definitions (each has hand-worked tests in tests/fast/test_sufficiency_metrics.py):
- Looked after at a date: an episode that started on or before the date and had not ended by it (dec after the date,
  or open). A child whose episode ends on the date left care that day and is not counted, as in DfE's "at 31 March".
  A child with overlapping episodes (a data error) is counted once, in the episode that started last.
- Age: completed years on the date, from the month of birth (SSDA903 DOB held as the 1st of the month).
- Distance from home: great-circle (haversine) miles between the centroids of the home and placement postcode sectors;
  not known when either postcode is missing or not a known sector.
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
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    dec = episodes["dec"]
    in_year = episodes[((episodes["decom"] <= end) & (dec.isna() | (dec >= start))).to_numpy()]
    in_year = in_year.sort_values([key, "decom"], kind="stable")
    starts_placement = (in_year["rne"] != "L").to_numpy().astype(int)
    first = ~in_year[key].duplicated().to_numpy()
    # The first episode of the year always stands for one placement, even when it only changed legal status.
    counted = np.where(first, 1, starts_placement)
    return pd.Series(counted, index=in_year[key].to_numpy()).groupby(level=0).sum()


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


# --- demand forecast: a stock-and-flow model ------------------------------------------------------------------
MONTH_DAYS = 365.25 / 12


@dataclass
class FlowModel:
    """Monthly rates fitted on a reference period, by placement group (the model's states).

    entries:      children starting care per month, by age band at entry (rows) and first placement group (columns)
    exit_rate:    share of each group's children leaving care per month
    move_rate:    share of group i's children moving to group j per month (i != j)
    exposure:     child-months observed in each group (the denominators)
    """
    groups: tuple[str, ...]
    entries: pd.DataFrame
    exit_rate: pd.Series
    move_rate: pd.DataFrame
    exposure: pd.Series
    exits: pd.Series
    moves: pd.DataFrame
    months: float

    def transition(self) -> np.ndarray:
        """Monthly transition matrix T: next stock = stock @ T + entries (rows sum to 1 - exit rate)."""
        move = self.move_rate.to_numpy().copy()
        np.fill_diagonal(move, 0.0)
        stay = 1.0 - self.exit_rate.to_numpy() - move.sum(axis=1)
        return move + np.diag(stay)

    def monthly_entries(self) -> np.ndarray:
        return self.entries.sum(axis=0).reindex(list(self.groups), fill_value=0).to_numpy() / self.months


def fit_flow_model(episodes: pd.DataFrame, start, end, groups=PLACEMENT_GROUPS, count=None) -> FlowModel:
    """Fit entry, exit and move rates on episodes in [start, end].

    episodes need: cid (the child), decom, dec, rne, rec, group, dob. A move is an episode ending X1 (a new episode the
    same day) whose next episode is in another group; an exit is an episode ending with any other reason.
    count(records, by, categories) -> Series counts the exits, moves and entries (default: exactly); the page passes
    its disclosure-protected count, so every rate is built from protected counts.
    """
    count = count or _exact_counts
    groups = list(groups)
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    months = ((end - start).days + 1) / MONTH_DAYS
    e = episodes.sort_values(["cid", "decom"], kind="stable")
    e_start = e["decom"].where(e["decom"] > start, start)
    e_end = e["dec"].fillna(end + pd.Timedelta(days=1)).where(lambda d: d <= end + pd.Timedelta(days=1), end + pd.Timedelta(days=1))
    days = (e_end - e_start).dt.days.clip(lower=0)
    exposure = (days.groupby(e["group"], observed=False).sum() / MONTH_DAYS).reindex(groups, fill_value=0.0)
    ends_in = e["dec"].notna() & (e["dec"] >= start) & (e["dec"] <= end)
    exits = count(e[(ends_in & (e["rec"] != "X1")).to_numpy()], ["group"], {"group": groups}).reindex(groups)
    same_child = e["cid"].shift(-1) == e["cid"]
    nxt = e["group"].shift(-1)
    moved = (ends_in & (e["rec"] == "X1") & same_child & (nxt != e["group"])).to_numpy()
    movers = e[moved].assign(next_group=nxt[moved].astype(str).to_numpy())
    moves = count(movers, ["group", "next_group"], {"group": groups, "next_group": groups}).unstack("next_group")
    moves = moves.reindex(index=groups, columns=groups, fill_value=0)
    starts = e[((e["rne"] == "S") & (e["decom"] >= start) & (e["decom"] <= end)).to_numpy()]
    starts = starts.assign(band=age_band(age_in_years(starts["dob"], starts["decom"])).astype(str).to_numpy())
    entries = count(starts, ["band", "group"], {"band": list(AGE_BANDS), "group": groups}).unstack("group")
    entries = entries.reindex(index=list(AGE_BANDS), columns=groups, fill_value=0)
    safe = exposure.replace(0, np.nan)
    exit_rate = (exits / safe).fillna(0.0)
    move_rate = moves.div(safe, axis=0).fillna(0.0)
    for frame in (entries, moves):
        frame.index.name, frame.columns.name = None, None
    exits.index.name = None
    return FlowModel(tuple(groups), entries, exit_rate, move_rate, exposure, exits, moves, months)


def _exact_counts(records: pd.DataFrame, by: list[str], categories: dict) -> pd.Series:
    """Counts of `records` per combination of `categories` (zeros included), indexed like `protected_counts`."""
    index = (pd.MultiIndex.from_product([categories[c] for c in by], names=by) if len(by) > 1
             else pd.Index(categories[by[0]], name=by[0]))
    keys = [records[c].astype(str) for c in by]
    return records.groupby(keys).size().reindex(index, fill_value=0).astype("int64")


def project(model: FlowModel, stock: np.ndarray, months: int) -> np.ndarray:
    """Expected stock by group for months 1..n (rows) from `stock` now: stock @ T + entries, month by month."""
    transition, entries = model.transition(), model.monthly_entries()
    out, current = [], np.asarray(stock, dtype="float64")
    for _ in range(months):
        current = current @ transition + entries
        out.append(current)
    return np.array(out).reshape(months, len(model.groups))


def simulate(model: FlowModel, stock: np.ndarray, months: int, runs: int = 300, seed: int = 0) -> np.ndarray:
    """Simulated stock paths (runs x months x groups): Poisson entries, each child's monthly stay/move/exit drawn,
    and each run's rates redrawn from their sampling error (Gamma on the observed counts), so the band shows both
    chance and how little data the rates rest on."""
    rng = np.random.default_rng(seed)
    g = len(model.groups)
    exposure = model.exposure.to_numpy()
    entry_counts = model.entries.sum(axis=0).reindex(list(model.groups), fill_value=0).to_numpy()
    counts = np.column_stack([model.moves.to_numpy().astype(float), model.exits.to_numpy().astype(float)])
    np.fill_diagonal(counts[:, :g], 0.0)
    # Rates per run: Gamma(count + 0.5, 1 / exposure) (Jeffreys), capped so each group's outflow stays below 1.
    rates = rng.gamma(counts[None, :, :] + 0.5, 1.0, size=(runs, g, g + 1)) / np.maximum(exposure, 1e-9)[None, :, None]
    rates[:, exposure == 0, :] = 0.0
    rates[:, np.arange(g), np.arange(g)] = 0.0
    out_total = rates.sum(axis=2, keepdims=True)
    rates = np.where(out_total > 0.95, rates / out_total * 0.95, rates)
    entry_rate = rng.gamma(entry_counts + 0.5, 1.0, size=(runs, g)) / model.months
    entry_rate[:, entry_counts == 0] = 0.0
    current = np.tile(np.asarray(stock, dtype="int64"), (runs, 1))
    paths = np.zeros((runs, months, g))
    for month in range(months):
        nxt = np.zeros_like(current)
        for i in range(g):
            p = np.column_stack([rates[:, i, :], 1.0 - rates[:, i, :].sum(axis=1)])   # moves to j, exit, stay
            draws = rng.multinomial(current[:, i], np.clip(p, 0.0, 1.0))
            nxt += draws[:, :g]
            nxt[:, i] += draws[:, g + 1]
        nxt += rng.poisson(entry_rate)
        current = nxt
        paths[:, month, :] = current
    return paths
