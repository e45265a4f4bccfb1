"""Child-level episodes: its cached reads over the SSDA903 rows the Sufficiency upload stores (its `sufficiency_episode`
and `sufficiency_child`, and the stored Missing, AD1 and PlacedAdoption tables), under the Sufficiency dataset's
version (one upload writes them all). No table of its own.

Child-level rows are read once per process and version and never returned: the reads give counts per area, other
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
    episodes: pd.DataFrame          # counted episodes (short breaks left out), with poc_start and record keys
    tables: dict[str, pd.DataFrame]  # Missing, AD1, PlacedAdoption (cid, record keys)
    years: dict[str, tuple[int, int]]   # each LA's first and last collection year (from its episodes)
    held: dict[str, frozenset]          # table -> LAs with any row of it
    placements: pd.DataFrame         # every child's placements (`m.placements` of the counted episodes), with their keys


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
    rows = _Rows(counted, tables, years, held, placements)
    with _lock:
        _rows.clear()   # one version (and secret) per process is enough
        _rows[key] = rows
    return rows


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
    everything = rows.episodes[rows.episodes["la_code"].isin(returned).to_numpy()]
    e = m.overlapping(everything, year)   # adoption alone looks back before the year
    starts = m.starts(e, year)
    ceased = m.ceased(e, year).assign(reason=lambda c: c["rec"].map(codes.get("reason_ceased", {})).fillna("Other"))
    starts = starts.assign(legal=starts["ls"].map(codes.get("legal_status", {})).fillna("Not known"),
                           need=starts["cin"].astype(str))
    new = m.new_episodes(e, year)
    area_placements = rows.placements[rows.placements["la_code"].isin(returned).to_numpy()]
    moves = m.three_plus_placements(e, year, area_placements)
    placements = m.placements_ended(e, year, area_placements)
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
        "durations": {"Episodes ended": _durations(count, m.episodes_ended(e, year), "episode_key"),
                      "Placements ended": _durations(count, placements, "placement_key"),
                      # Only periods of care whose start is held (an S episode) have a known length.
                      "Periods of care ended": _durations(count, ceased[ceased["days"].notna().to_numpy()], RECORD_KEY)},
    })
    # Missing and adoption: only the LAs of the area that hold the table (missing is not zero).
    held = {name: tuple(la for la in returned if la in rows.held[name]) for name in OTHER_TABLES}
    out["held"] = {name: len(v) for name, v in held.items()}
    if held["Missing"]:
        during = m.looked_after_during(e[e["la_code"].isin(held["Missing"]).to_numpy()], year)
        mis = m.missing_in_year(rows.tables["Missing"][rows.tables["Missing"]["la_code"].isin(held["Missing"]).to_numpy()], year)
        out["missing"] = {"looked_after": count.cell(during),
                          **{kind: {"children": count.cell(mis[mis["missing"] == kind].drop_duplicates("cid")),
                                    "episodes": count.cell(mis[mis["missing"] == kind], "episode_key")} for kind in m.MISSING}}
    if held["PlacedAdoption"]:
        placed = rows.tables["PlacedAdoption"]
        placed = m.placed_for_adoption(placed[placed["la_code"].isin(held["PlacedAdoption"]).to_numpy()], everything, year)
        out["placed"] = _durations(count, placed[placed["days"].notna().to_numpy()], RECORD_KEY, m.ADOPTION_BANDS)
    if held["AD1"]:
        ad1 = rows.tables["AD1"]
        out["matched"] = _durations(count, m.matched_for_adoption(ad1[ad1["la_code"].isin(held["AD1"]).to_numpy()], year),
                                    RECORD_KEY, m.ADOPTION_BANDS)
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
