"""Child-level episodes: its cached reads over the SSDA903 rows the Sufficiency upload stores (its `sufficiency_episode`
and `sufficiency_child`, and the stored Missing, AD1 and PlacedAdoption tables), under the Sufficiency dataset's
version (one upload writes them all). No table of its own.

Child-level rows are read once per process and version, each count's records tagged with the year they count in for
every LA (`_by_year`), and never returned: the reads give counts per area, other
LAs' children protected by the cell-key method with the same record keys as Sufficiency (a child is the same record
on both pages, so the same children give the same protected count wherever they are counted). An area is the viewer's
own LA (counted exactly), its sub-region or London (every child protected, as on Sufficiency: one view for everyone).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from dashboard import disclosure
from dashboard.dashboards.cld_episodes import metrics as m
from dashboard.dashboards.sufficiency import data as suff
from dashboard.disclosure import RECORD_KEY, protected_count, protected_counts
from dashboard.loader import AccessScope, _read_sql, cached_read, dataset_version, local_authorities
from dashboard.store import get_engine
from dashboard.store.ssda903 import STORED

NAME = suff.NAME
READ_ROLES = suff.READ_ROLES
check_scope = suff.check_scope
OTHER_TABLES = ("Missing", "AD1", "PlacedAdoption")
MEDIAN_MINIMUM = 10
"""A median of other LAs' records is shown only over at least this many (protected count): fewer would tell of a few
children's own days."""


@dataclass
class _Rows:
    years: dict[str, tuple[int, int]]   # each LA's first and last collection year (from its episodes)
    held: dict[str, frozenset]          # table -> LAs with any row of it
    by_year: dict[str, pd.DataFrame]    # the records each count is made of, for every LA and year (`_by_year`)


_lock = threading.Lock()
_rows: dict = {}


def _keys(prefix: str, frame: pd.DataFrame, *columns: str) -> np.ndarray:
    ids = prefix + frame["la_code"].astype(str) + "|" + frame["child"].astype(str)
    for column in columns:
        ids = ids + "|" + frame[column].astype(str)
    return disclosure.record_keys(ids)


def _read(version: int) -> _Rows:
    key = (str(get_engine().url), version, disclosure.secret_id())
    with _lock:
        if key in _rows:
            return _rows[key]
    e = suff.episode
    episodes = _read_sql(select(e.c.la_code, e.c.child, e.c.decom, e.c.dec, e.c.rne, e.c.ls, e.c.cin, e.c.rec, e.c.year))
    for column in ("decom", "dec"):
        episodes[column] = pd.to_datetime(episodes[column])
    years = {la: (int(g.min()), int(g.max())) for la, g in episodes.groupby("la_code")["year"]}
    # The child's record key as Sufficiency gives it (same identity string, so the same key).
    episodes[RECORD_KEY] = disclosure.record_keys("sufficiency|" + episodes["la_code"] + "|" + episodes["child"])
    episodes["episode_key"] = _keys("cld-episode|", episodes, "decom")
    tables, held = {}, {}
    dates = {"Missing": ("mis_start", "mis_end"), "AD1": ("date_int", "date_match"), "PlacedAdoption": ("date_placed",)}
    columns = {"Missing": ("missing",), "AD1": (), "PlacedAdoption": ()}
    for name in OTHER_TABLES:
        t = STORED[name]
        frame = _read_sql(select(t.c.la_code, t.c.child, *(t.c[c] for c in dates[name] + columns[name])))
        for column in dates[name]:
            frame[column] = pd.to_datetime(frame[column])
        frame[RECORD_KEY] = disclosure.record_keys("sufficiency|" + frame["la_code"] + "|" + frame["child"])
        if name == "Missing":
            frame["episode_key"] = _keys("cld-missing|", frame, "mis_start")
        tables[name] = frame
        held[name] = frozenset(frame["la_code"])
    _child_numbers(episodes, *tables.values())
    counted = m.counted_episodes(episodes)
    # A child's placements are its own episodes' alone: worked out once for every LA, each area takes its LAs' rows.
    placements = m.placements(counted)
    placements = placements.rename(columns={"child_key": RECORD_KEY}).assign(placement_key=_placement_keys(placements))
    counted = counted.drop(columns=["child", "year"])   # their work is done (placements, years): not carried through every count
    for frame in (counted, placements, *tables.values()):
        frame["la_code"] = frame["la_code"].astype("category")   # an area's LAs picked by code, not by comparing text
    span = range(min((first for first, _ in years.values()), default=0), max((last for _, last in years.values()), default=-1) + 1)
    # Only the records of each count are kept (the episodes and tables they came from are not needed again).
    rows = _Rows(years, held, _by_year(counted, placements, tables, span))
    with _lock:
        _rows.clear()   # one version (and secret) per process is enough
        _rows[key] = rows
    return rows


def _by_year(episodes: pd.DataFrame, placements: pd.DataFrame, tables: dict, span: range) -> dict[str, pd.DataFrame]:
    """For every LA, the records each of a year's counts is made of, tagged with the collection year (`year`) they
    count in and sorted by it: the same records `metrics` picks for one year (its functions define them), picked for
    every year at once, once per data version. A view then takes its area's LAs' rows of its year and counts them."""
    year = m.collection_year
    last = span.stop - 1
    out = {}
    s = episodes[(episodes["rne"].astype(str) == "S").to_numpy()]                                       # m.starts
    out["starts"] = s.assign(year=year(s["decom"])).drop_duplicates(["cid", "year"], keep="first")
    rec = episodes["rec"].astype(str)                                                                 # m.ceased
    c = episodes[(episodes["dec"].notna() & (rec != "X1") & (rec != "None") & (rec != "nan")).to_numpy()]
    c = c.assign(year=year(c["dec"])).sort_values(["cid", "dec"], kind="stable").drop_duplicates(["cid", "year"], keep="last")
    out["ceased"] = c.assign(days=(c["dec"] - c["poc_start"]).dt.days)
    out["new"] = episodes[["la_code", "rne", "episode_key"]].assign(year=year(episodes["decom"]))    # m.new_episodes
    ended = episodes[episodes["dec"].notna().to_numpy()]                                             # m.episodes_ended
    out["ended"] = ended[["la_code", "episode_key"]].assign(year=year(ended["dec"]), days=(ended["dec"] - ended["decom"]).dt.days)
    p = placements[placements["end"].notna().to_numpy()]                                             # m.placements_ended
    out["placements_ended"] = p.assign(year=year(p["end"]))
    # m.three_plus_placements: open at 31 March (begun by it, not ended by it), the last such episode of each child;
    # with the child's placements open at any time in the year.
    open_until = np.where(episodes["dec"].notna().to_numpy(), year(episodes["dec"]) - 1, last)
    at = m.by_year(episodes, year(episodes["decom"]), open_until, span)
    at = at.sort_values(["year", "decom"], kind="stable").drop_duplicates(["cid", "year"], keep="last")
    during = m.by_year(placements, year(placements["start"]),
                       np.where(placements["end"].notna().to_numpy(), year(placements["end"]), last), span)
    moves = during.groupby(["cid", "year"]).size().rename("placements")
    at = at[["la_code", "cid", "year", RECORD_KEY]].join(moves, on=["cid", "year"])
    at["placements"] = at["placements"].fillna(0).astype(int)
    out["at_31_march"] = at.assign(three_plus=at["placements"].to_numpy() >= 3)
    # m.looked_after_during: children with an episode open at any time in the year (one row each).
    looked_after = m.by_year(episodes[["la_code", "cid", RECORD_KEY]], year(episodes["decom"]),
                             np.where(episodes["dec"].notna().to_numpy(), year(episodes["dec"]), last), span)
    out["during"] = looked_after.drop_duplicates(["cid", "year"])
    if "Missing" in tables:                                                                          # m.missing_in_year
        mis = tables["Missing"]
        kind = mis["missing"].astype(str).str.upper()
        mis = mis[kind.isin(list(m.MISSING)).to_numpy()].assign(missing=kind)
        out["missing"] = mis.assign(year=year(mis["mis_start"]))
    if "PlacedAdoption" in tables:                                                                   # m.placed_for_adoption
        placed = tables["PlacedAdoption"]
        placed = placed[placed["date_placed"].notna().to_numpy()]
        placed = placed.assign(year=year(placed["date_placed"])).sort_values(["cid", "date_placed"], kind="stable")
        placed = placed.drop_duplicates(["cid", "year"], keep="first").assign(
            date_placed=lambda f: f["date_placed"].astype("datetime64[ns]"))
        children = episodes[episodes["cid"].isin(placed["cid"]).to_numpy()]
        periods = children[["cid", "decom", "poc_start"]].astype({"decom": "datetime64[ns]"}).sort_values("decom", kind="stable")
        joined = pd.merge_asof(placed.sort_values("date_placed", kind="stable"), periods, left_on="date_placed",
                               right_on="decom", by="cid", direction="backward")
        joined = joined.assign(days=(joined["date_placed"] - joined["poc_start"]).dt.days)
        out["placed"] = joined[joined["days"].notna().to_numpy()]
    if "AD1" in tables:                                                                              # m.matched_for_adoption
        ad1 = tables["AD1"]
        a = ad1[ad1["date_match"].notna().to_numpy() & ad1["date_int"].notna().to_numpy()]
        a = a.assign(year=year(a["date_match"]), days=(a["date_match"] - a["date_int"]).dt.days)
        out["matched"] = a[(a["days"] >= 0).to_numpy()]
    keep = {"starts": ["la_code", "cid", "ls", "cin", RECORD_KEY], "ceased": ["la_code", "rec", "days", RECORD_KEY],
            "new": ["la_code", "rne", "episode_key"], "ended": ["la_code", "days", "episode_key"],
            "placements_ended": ["la_code", "days", "placement_key"], "at_31_march": ["la_code", "three_plus", RECORD_KEY],
            "during": ["la_code", RECORD_KEY], "missing": ["la_code", "cid", "missing", "episode_key", RECORD_KEY],
            "placed": ["la_code", "days", RECORD_KEY], "matched": ["la_code", "days", RECORD_KEY]}
    out["starts"] = out["starts"].assign(cin=out["starts"]["cin"].astype(str).astype("category"))
    out["new"] = out["new"].assign(rne=out["new"]["rne"].astype("category"))   # counted by code: a categorical's codes
    return {name: frame.sort_values("year", kind="stable")[["year", *keep[name]]].reset_index(drop=True)
            for name, frame in out.items()}


def _of(frame: pd.DataFrame, las, year: int) -> pd.DataFrame:
    """The rows of a `_by_year` frame of these LAs in this year."""
    years = frame["year"].to_numpy()
    part = frame.iloc[np.searchsorted(years, year, "left"):np.searchsorted(years, year, "right")]
    return part[part["la_code"].isin(las).to_numpy()]


def _child_numbers(*frames: pd.DataFrame) -> None:
    """`cid`, one child of one LA, as the same whole number in every frame: the counts group, sort and match children
    by it many times a view, and numbers are much quicker to compare than "LA:child" text."""
    identities = [frame["la_code"].astype(str) + ":" + frame["child"].astype(str) for frame in frames]
    codes, _ = pd.factorize(pd.concat(identities, ignore_index=True))
    start = 0
    for frame, identity in zip(frames, identities):
        frame["cid"] = codes[start:start + len(identity)]
        start += len(identity)


def prepare_in_this_process() -> None:
    _read(dataset_version(NAME))


@cached_read(NAME, check=check_scope)
def options(scope: AccessScope, *, version: int) -> dict:
    """The collection years any LA has a return for (newest first), each LA's years, and the LAs holding each of the
    other tables. No figures about children."""
    rows = _read(version)
    spans = rows.years.values()
    years = sorted({y for first, last in spans for y in range(first, last + 1)}, reverse=True)
    return {"years": years, "la_years": dict(rows.years), "held": {k: sorted(v) for k, v in rows.held.items()}}


def _own_alone(scope: AccessScope, arguments: dict) -> bool:
    return arguments["area"] == f"la:{scope.la_code}"


class Counter:
    """Counts for one area: exact when it is the viewer's own LA alone, else every record protected."""

    def __init__(self, exact: bool):
        self.exact = (lambda records: np.ones(len(records), dtype=bool)) if exact else None

    def cell(self, records: pd.DataFrame, key: str = RECORD_KEY) -> int:
        return protected_count(records, exact=self.exact, key=key)

    def cells(self, records: pd.DataFrame, column: str, categories, key: str = RECORD_KEY) -> dict:
        counts = protected_counts(records, column, categories={column: list(categories)}, exact=self.exact, key=key)
        return {str(k): int(v) for k, v in counts.items()}

    def median(self, records: pd.DataFrame, days: str = "days", key: str = RECORD_KEY) -> float | None:
        """The median, over enough records (always for one's own LA)."""
        if records.empty or (self.exact is None and self.cell(records, key) < MEDIAN_MINIMUM):
            return None
        return m.median_days(records[days])


def _durations(count: Counter, records: pd.DataFrame, key: str, bands=m.DURATION_BANDS) -> dict:
    labels = [label for label, _ in bands]
    banded = records.assign(band=m.band(records["days"], bands).to_numpy()) if len(records) else records.assign(band=[])
    return {"n": count.cell(records, key), "median": count.median(records, key=key),
            "bands": count.cells(banded, "band", labels, key)}


@cached_read(NAME, check=check_scope, depends_on_caller=_own_alone)
def area_figures(scope: AccessScope, area: str, year: int, codes: dict, *, version: int) -> dict:
    """Every count the page shows for one area ("la:<code>", "sr:<code>" or "london") in one collection year, from the
    LAs of the area with a return for the year (and, for Missing and adoption, holding that table). `codes`: the code
    lists' groups ({list: {code: group}}), passed so the cache key holds them."""
    rows = _read(version)
    las = local_authorities()
    area_las = suff.area_la_codes(area, las)
    returned = tuple(la for la in area_las if la in rows.years and rows.years[la][0] <= year <= rows.years[la][1])
    count = Counter(exact=area == f"la:{scope.la_code}")
    out = {"las": len(area_las), "returned": len(returned)}
    if not returned:
        return out
    records = {name: _of(frame, returned, year) for name, frame in rows.by_year.items()
               if name not in ("missing", "placed", "matched")}
    starts, ceased, new, moves = records["starts"], records["ceased"], records["new"], records["at_31_march"]
    ceased = ceased.assign(reason=ceased["rec"].map(codes.get("reason_ceased", {})).fillna("Other"))
    starts = starts.assign(legal=starts["ls"].map(codes.get("legal_status", {})).fillna("Not known"),
                           need=starts["cin"])   # the code as text, a categorical (`_by_year`)
    out.update({
        "starts": count.cell(starts),
        "starts_legal": count.cells(starts, "legal", codes["legal_groups"]),
        "starts_need": count.cells(starts, "need", codes["cin"]),
        "ceased": count.cell(ceased),
        "ceased_reason": count.cells(ceased, "reason", codes["ceased_groups"]),
        "new_episodes": count.cell(new, "episode_key"),
        "new_episodes_rne": count.cells(new, "rne", codes["rne"], "episode_key"),
        "looked_after_31_march": count.cell(moves),
        "three_plus": count.cell(moves[moves["three_plus"].to_numpy()]),
        "durations": {"Episodes ended": _durations(count, records["ended"], "episode_key"),
                      "Placements ended": _durations(count, records["placements_ended"], "placement_key"),
                      # Only periods of care whose start is held (an S episode) have a known length.
                      "Periods of care ended": _durations(count, ceased[ceased["days"].notna().to_numpy()], RECORD_KEY)},
    })
    # Missing and adoption: only the LAs of the area that hold the table (missing is not zero).
    held = {name: tuple(la for la in returned if la in rows.held[name]) for name in OTHER_TABLES}
    out["held"] = {name: len(v) for name, v in held.items()}
    if held["Missing"]:
        during = _of(rows.by_year["during"], held["Missing"], year)
        mis = _of(rows.by_year["missing"], held["Missing"], year)
        out["missing"] = {"looked_after": count.cell(during),
                          **{kind: {"children": count.cell(mis[mis["missing"] == kind].drop_duplicates("cid")),
                                    "episodes": count.cell(mis[mis["missing"] == kind], "episode_key")} for kind in m.MISSING}}
    if held["PlacedAdoption"]:
        out["placed"] = _durations(count, _of(rows.by_year["placed"], held["PlacedAdoption"], year), RECORD_KEY,
                                   m.ADOPTION_BANDS)
    if held["AD1"]:
        out["matched"] = _durations(count, _of(rows.by_year["matched"], held["AD1"], year), RECORD_KEY, m.ADOPTION_BANDS)
    return out


def _placement_keys(placements: pd.DataFrame) -> np.ndarray:
    if placements.empty:
        return np.zeros(0, dtype=np.uint8)
    return _keys("cld-placement|", placements, "start")


@cached_read(NAME, check=check_scope)
def code_groups(scope: AccessScope) -> dict:
    """The code lists' groups the page counts by, and each list's groups in order."""
    codes = _read_sql(select(suff.code))
    by_list = {name: frame for name, frame in codes.groupby("list_name")}

    def groups(name):
        frame = by_list.get(name, pd.DataFrame(columns=["code", "grp"]))
        return dict(zip(frame["code"], frame["grp"])), list(dict.fromkeys(frame["grp"]))
    legal, legal_groups = groups("legal_status")
    ceased, ceased_groups = groups("reason_ceased")
    rne = by_list.get("reason_new_episode", pd.DataFrame(columns=["code"]))
    cin = by_list.get("cin", pd.DataFrame(columns=["code"]))
    return {"legal_status": legal, "legal_groups": [g for g in legal_groups if g] + ["Not known"],
            "reason_ceased": ceased, "ceased_groups": [g for g in ceased_groups if g != "Continues in care"],
            "rne": list(rne["code"]) or list("SLPTBU"), "cin": list(cin["code"]) or [f"N{i}" for i in range(1, 9)],
            "labels": {(name, c): label for name, c, label in zip(codes["list_name"], codes["code"], codes["label"])}}
