"""Child-level episodes: its cached reads over the SSDA903 rows the Sufficiency upload stores (its `sufficiency_episode`
and `sufficiency_child`, and the stored Missing, AD1 and PlacedAdoption tables), under the Sufficiency dataset's
version (one upload writes them all). No table of its own.

Child-level rows are read once per process and version, each count's records tagged with the year they count in for
every LA (`_by_year`) and tallied by year, LA and code (`_tallies`: how many records, the sum of their record keys),
and never returned: the reads give counts per area, added up from its LAs' tallies, other LAs' children protected by
the cell-key method with the same record keys as Sufficiency (a child is the same record on both pages, so the same
children give the same protected count wherever they are counted). An area is the viewer's own LA (counted exactly),
its sub-region or London (every child protected, as on Sufficiency: one view for everyone).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from dashboard import disclosure
from dashboard.dashboards.cld_episodes import metrics as m
from dashboard.dashboards.sufficiency import data as suff
from dashboard.disclosure import RECORD_KEY
from dashboard.loader import AccessScope, ProcessCache, _read_sql, cached_read, kept_in_process, local_authorities
from dashboard.store.ssda903 import STORED

NAME = suff.NAME
READ_ROLES = suff.READ_ROLES
check_scope = suff.check_scope
OTHER_TABLES = ("Missing", "AD1", "PlacedAdoption")
MEDIAN_MINIMUM = 10
"""A median of other LAs' records is shown only over at least this many (protected count): fewer would tell of a few
children's own days."""


@dataclass
class _Tally:
    """Records a count is made of, tallied once per data version: per collection year and LA, how many records hold
    each value of a column and the sum of their record keys. A cell's tally over several LAs (or values) is the sum
    of theirs, so an area's counts are sums over its LAs, protected from the tally (`disclosure.protected_tallies`)
    exactly as from the records themselves."""
    values: pd.Index          # the column's values (a missing value among them as a value of its own)
    size: np.ndarray          # [year, LA, value]: how many records
    key_sum: np.ndarray       # [year, LA, value]: the sum of their record keys

    def of(self, year: int, las: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(records, key sum) per value over these LAs (positions) in this year (position)."""
        return self.size[year, las].sum(axis=0), self.key_sum[year, las].sum(axis=0)

    def total(self, year: int, las: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(records, key sum) of the whole count, as one cell."""
        size, key_sum = self.of(year, las)
        return size.sum(keepdims=True), key_sum.sum(keepdims=True)

    def split(self, year: int, las: np.ndarray, positions: np.ndarray, cells: int) -> tuple[np.ndarray, np.ndarray]:
        """(records, key sum) per cell, each value going to the cell at its position (-1: none, left out)."""
        size, key_sum = self.of(year, las)
        kept = positions >= 0
        return (np.bincount(positions[kept], weights=size[kept], minlength=cells).astype(np.int64),
                np.bincount(positions[kept], weights=key_sum[kept], minlength=cells).astype(np.int64))


@dataclass
class _Days:
    """Lengths in days of the records a median is taken over, in runs by collection year and LA."""
    days: np.ndarray          # sorted by year, then LA
    bounds: np.ndarray        # run (year x LAs + LA) starts at bounds[run] and ends at bounds[run + 1]
    las: int

    def of(self, year: int, las: np.ndarray) -> np.ndarray:
        runs = year * self.las + las
        return np.concatenate([self.days[self.bounds[r]:self.bounds[r + 1]] for r in runs])


@dataclass
class _Rows:
    years: dict[str, tuple[int, int]]   # each LA's first and last collection year (from its episodes)
    held: dict[str, frozenset]          # table -> LAs with any row of it
    span: range                         # the collection years of the tallies (position 0 is span.start)
    las: pd.Index                       # the LAs of the tallies, by position
    tallies: dict[str, _Tally]          # see `_tallies`
    days: dict[str, _Days]              # see `_tallies`

    def __post_init__(self):
        self._position = {la: i for i, la in enumerate(self.las)}

    def positions(self, las) -> np.ndarray:
        """These LAs' positions in the tallies."""
        return np.array([self._position[la] for la in las], dtype=np.int64)


# The tallies of the latest data version and secret, one per process, shared (large, and only read).
_tallied = ProcessCache(NAME, most=1)


def _keys(prefix: str, frame: pd.DataFrame, *columns: str) -> np.ndarray:
    ids = prefix + frame["la_code"].astype(str) + "|" + frame["child"].astype(str)
    for column in columns:
        ids = ids + "|" + frame[column].astype(str)
    return disclosure.record_keys(ids)


def _read() -> _Rows:
    """The tallied rows (`_Rows`), kept in this process per data version and disclosure secret."""
    return _tallied.get_or_build(_read_and_tally)


def _read_and_tally() -> _Rows:
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
    # Only each count's tallies are kept (the episodes and records they came from are not needed again).
    las = pd.Index(sorted(years))
    return _Rows(years, held, span, las, *_tallies(_by_year(counted, placements, tables, span), span, las))


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


# The counts a view shows, each from a `_by_year` frame: (the frame, the column its cells split by (None: one cell),
# the record key its cells' keys add up). Episodes, placements and missing episodes have keys of their own: a child's
# two episodes are two records.
_COUNTED = {
    "starts": ("starts", "ls", RECORD_KEY),                    # by legal status (grouped in the view's cells)
    "starts_need": ("starts", "cin", RECORD_KEY),
    "ceased": ("ceased", "rec", RECORD_KEY),                   # by reason (grouped)
    "new": ("new", "rne", "episode_key"),
    "at_31_march": ("at_31_march", "three_plus", RECORD_KEY),
    "ended": ("ended", "band", "episode_key"),
    "placements_ended": ("placements_ended", "band", "placement_key"),
    "periods": ("periods", "band", RECORD_KEY),
    "during": ("during", None, RECORD_KEY),
    "missing_children": ("missing_children", "missing", RECORD_KEY),
    "missing_episodes": ("missing", "missing", "episode_key"),
    "placed": ("placed", "band", RECORD_KEY),
    "matched": ("matched", "band", RECORD_KEY),
}
_BANDS = {"ended": m.DURATION_BANDS, "placements_ended": m.DURATION_BANDS, "periods": m.DURATION_BANDS,
          "placed": m.ADOPTION_BANDS, "matched": m.ADOPTION_BANDS}
"""The lengths a view takes medians of and bands, and their bands."""


def _tallies(records: dict[str, pd.DataFrame], span: range, las: pd.Index) -> tuple[dict, dict]:
    """Each count's records (`_by_year`) tallied by year, LA and the column its cells split by (`_COUNTED`), and the
    lengths its medians are taken over; once per data version, so a view only adds up its area's LAs."""
    frames = dict(records)
    # Only periods of care whose start is held (an S episode) have a known length.
    frames["periods"] = frames["ceased"][frames["ceased"]["days"].notna().to_numpy()]
    if "missing" in frames:   # children missing: each child once per kind and year (`cid` is one LA's child)
        frames["missing_children"] = frames["missing"].drop_duplicates(["year", "cid", "missing"])
    for name, bands in _BANDS.items():
        if name in frames:
            frames[name] = frames[name].assign(band=m.band(frames[name]["days"], bands).to_numpy())
    tallies = {name: _tally(frames[frame], column, key, span, las)
               for name, (frame, column, key) in _COUNTED.items() if frame in frames}
    days = {name: _lengths(frames[name], span, las) for name in _BANDS if name in frames}
    return tallies, days


def _positions(frame: pd.DataFrame, span: range, las: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each record's year and LA as positions in the tallies, and whether it falls inside them."""
    year = frame["year"].to_numpy() - span.start
    la = las.get_indexer(frame["la_code"].astype(object).to_numpy())
    return year, la, (year >= 0) & (year < len(span)) & (la >= 0)


def _tally(frame: pd.DataFrame, column: str | None, key: str, span: range, las: pd.Index) -> _Tally:
    year, la, inside = _positions(frame, span, las)
    if column is None:
        codes, values = np.zeros(len(frame), dtype=np.int64), pd.Index([None], dtype=object)
    else:
        codes, values = pd.factorize(frame[column].astype(object).to_numpy(), use_na_sentinel=False)
        values = pd.Index(values, dtype=object)
    shape = (len(span), len(las), len(values))
    flat = np.ravel_multi_index((year[inside], la[inside], codes[inside]), shape)
    cells = int(np.prod(shape))
    keys = frame[key].to_numpy().astype(np.int64)[inside]
    return _Tally(values, np.bincount(flat, minlength=cells).reshape(shape),
                  np.bincount(flat, weights=keys, minlength=cells).astype(np.int64).reshape(shape))


def _lengths(frame: pd.DataFrame, span: range, las: pd.Index) -> _Days:
    year, la, inside = _positions(frame, span, las)
    run = year[inside] * len(las) + la[inside]
    order = np.argsort(run, kind="stable")
    days = frame["days"].to_numpy(dtype="float64")[inside][order]
    return _Days(days, np.searchsorted(run[order], np.arange(len(span) * len(las) + 1)), len(las))


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
    _read()


@cached_read(NAME, check=check_scope)
def options(scope: AccessScope) -> dict:
    """The collection years any LA has a return for (newest first), each LA's years, and the LAs holding each of the
    other tables. No figures about children."""
    rows = _read()
    spans = rows.years.values()
    years = sorted({y for first, last in spans for y in range(first, last + 1)}, reverse=True)
    return {"years": years, "la_years": dict(rows.years), "held": {k: sorted(v) for k, v in rows.held.items()}}


def _own_alone(scope: AccessScope, arguments: dict) -> bool:
    return arguments["area"] == f"la:{scope.la_code}"


def _cells_of(values: pd.Index, cells: list, groups: dict | None = None, other: str | None = None) -> np.ndarray:
    """Each value's cell: its position in `cells` (-1: in no cell, left out). With `groups` ({code: group}), a code's
    group's position, a code with no group in `other` (as `Series.map(groups).fillna(other)`)."""
    position = {cell: i for i, cell in enumerate(cells)}
    if groups is not None:
        values = [other if g is None or g != g else g for g in (groups.get(v) for v in values)]   # g != g: NaN
    return np.array([position.get(v, -1) for v in values], dtype=np.int64)


def _median(days: np.ndarray) -> float | None:
    """`metrics.median_days` of these lengths."""
    days = days[~np.isnan(days)]
    return float(np.median(days)) if len(days) else None


@cached_read(NAME, check=check_scope, depends_on_caller=_own_alone)
def area_figures(scope: AccessScope, area: str, year: int, codes: dict) -> dict:
    """Every count the page shows for one area ("la:<code>", "sr:<code>" or "london") in one collection year, from the
    LAs of the area with a return for the year (and, for Missing and adoption, holding that table). `codes`: the code
    lists' groups ({list: {code: group}}), passed so the cache key holds them.

    Exact when the area is the viewer's own LA alone, else every child protected (one view for everyone). The area's
    cells are added up from its LAs' tallies (`_tallies`) and protected in one go: a cell's tally is its records' own
    (how many, the sum of their keys), so each count is the one `disclosure.protected_counts` gives its records."""
    rows = _read()
    las = local_authorities()
    area_las = suff.area_la_codes(area, las)
    returned = tuple(la for la in area_las if la in rows.years and rows.years[la][0] <= year <= rows.years[la][1])
    out = {"las": len(area_las), "returned": len(returned)}
    if not returned:
        return out
    exact, at, t = area == f"la:{scope.la_code}", year - rows.span.start, rows.tallies
    mine = rows.positions(returned)
    # Missing and adoption: only the LAs of the area that hold the table (missing is not zero).
    held = {name: tuple(la for la in returned if la in rows.held[name]) for name in OTHER_TABLES}
    of_held = {name: rows.positions(v) for name, v in held.items() if v}
    legal = _cells_of(t["starts"].values, codes["legal_groups"], codes.get("legal_status", {}), "Not known")
    reason = _cells_of(t["ceased"].values, codes["ceased_groups"], codes.get("reason_ceased", {}), "Other")
    listed = lambda tally, cells: _cells_of(tally.values, cells)   # noqa: E731
    kinds = list(m.MISSING)

    def banded(name, las):
        bands = [label for label, _ in _BANDS[name]]
        return {"n": t[name].total(at, las), "bands": t[name].split(at, las, listed(t[name], bands), len(bands))}

    cells = {   # name -> (records, key sum) of each of its cells
        "starts": t["starts"].total(at, mine),
        "starts_legal": t["starts"].split(at, mine, legal, len(codes["legal_groups"])),
        "starts_need": t["starts_need"].split(at, mine, listed(t["starts_need"], codes["cin"]), len(codes["cin"])),
        "ceased": t["ceased"].total(at, mine),
        "ceased_reason": t["ceased"].split(at, mine, reason, len(codes["ceased_groups"])),
        "new_episodes": t["new"].total(at, mine),
        "new_episodes_rne": t["new"].split(at, mine, listed(t["new"], codes["rne"]), len(codes["rne"])),
        "looked_after_31_march": t["at_31_march"].total(at, mine),
        "three_plus": t["at_31_march"].split(at, mine, _cells_of(t["at_31_march"].values, [True]), 1),
        **{f"{name} {part}": tally for name in ("ended", "placements_ended", "periods")
           for part, tally in banded(name, mine).items()},
    }
    if "Missing" in of_held:
        cells["looked_after"] = t["during"].total(at, of_held["Missing"])
        for part in ("children", "episodes"):
            tally = t[f"missing_{part}"]
            cells[f"missing {part}"] = tally.split(at, of_held["Missing"], listed(tally, kinds), len(kinds))
    for name, table in (("placed", "PlacedAdoption"), ("matched", "AD1")):
        if table in of_held:
            cells.update({f"{name} {part}": tally for part, tally in banded(name, of_held[table]).items()})
    sizes, key_sums = zip(*cells.values())
    shown = disclosure.protected_tallies(np.concatenate(sizes), np.concatenate(key_sums), exact=exact)
    counts = dict(zip(cells, np.split(shown, np.cumsum([len(size) for size in sizes])[:-1])))
    one = lambda name: int(counts[name][0])   # noqa: E731
    by = lambda name, labels: {str(label): int(n) for label, n in zip(labels, counts[name])}   # noqa: E731

    def durations(name, las):
        n, bands = one(f"{name} n"), [label for label, _ in _BANDS[name]]
        # A median over enough records (always for one's own LA), as `n` shows them.
        enough = cells[f"{name} n"][0][0] > 0 and (exact or n >= MEDIAN_MINIMUM)
        return {"n": n, "median": _median(rows.days[name].of(at, las)) if enough else None,
                "bands": by(f"{name} bands", bands)}

    out.update({
        "starts": one("starts"), "starts_legal": by("starts_legal", codes["legal_groups"]),
        "starts_need": by("starts_need", codes["cin"]), "ceased": one("ceased"),
        "ceased_reason": by("ceased_reason", codes["ceased_groups"]), "new_episodes": one("new_episodes"),
        "new_episodes_rne": by("new_episodes_rne", codes["rne"]), "looked_after_31_march": one("looked_after_31_march"),
        "three_plus": one("three_plus"),
        "durations": {"Episodes ended": durations("ended", mine), "Placements ended": durations("placements_ended", mine),
                      # Only periods of care whose start is held (an S episode) have a known length.
                      "Periods of care ended": durations("periods", mine)},
    })
    out["held"] = {name: len(v) for name, v in held.items()}
    if "Missing" in of_held:
        out["missing"] = {"looked_after": one("looked_after"),
                          **{kind: {part: int(counts[f"missing {part}"][i]) for part in ("children", "episodes")}
                             for i, kind in enumerate(kinds)}}
    if "PlacedAdoption" in of_held:
        out["placed"] = durations("placed", of_held["PlacedAdoption"])
    if "AD1" in of_held:
        out["matched"] = durations("matched", of_held["AD1"])
    return out


def _placement_keys(placements: pd.DataFrame) -> np.ndarray:
    if placements.empty:
        return np.zeros(0, dtype=np.uint8)
    return _keys("cld-placement|", placements, "start")


@kept_in_process(NAME, check=check_scope)
@cached_read(NAME, check=check_scope)
def code_groups(scope: AccessScope) -> dict:
    """The code lists' groups the page counts by, and each list's groups in order (the same for every caller: kept in
    the process per data version, not read again for every view)."""
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
