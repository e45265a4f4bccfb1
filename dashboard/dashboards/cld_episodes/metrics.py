"""Pure functions over SSDA903 rows (one LA's or many): who started and ceased care in a collection year, how long
episodes, placements and periods of care lasted, placement moves, missing episodes and adoption timeliness, by the
DfE's definitions (its SSDA903 guide and "Children looked after in England" methodology). No store, no app.

Rows carry `cid` (one child of one LA) and the DfE's columns in lower case. Counting (protected or exact) is the
caller's: these functions pick the records a count is made of.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SHORT_BREAKS = ("V3", "V4")
"""Legal statuses of an agreed series of short-term breaks: the DfE leaves these children out of every count."""
DURATION_BANDS = (("Under 1 week", 7), ("1 to 8 weeks", 56), ("8 weeks to 6 months", 182), ("6 months to 1 year", 365),
                  ("1 to 2 years", 730), ("2 to 5 years", 1826), ("5 years and over", None))
"""The DfE's bands of time looked after (each up to, not including, its number of days)."""
ADOPTION_BANDS = (("Under 6 months", 183), ("6 to 12 months", 365), ("12 to 18 months", 548), ("18 months and over", None))
MISSING = {"M": "Missing", "A": "Away from placement without authorisation"}


def year_bounds(year_end: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A collection year: 1 April to 31 March, named by the year of its 31 March."""
    return pd.Timestamp(year_end - 1, 4, 1), pd.Timestamp(year_end, 3, 31)


def in_year(dates: pd.Series, year_end: int) -> pd.Series:
    start, end = year_bounds(year_end)
    return (dates >= start) & (dates <= end)


def collection_year(dates: pd.Series) -> np.ndarray:
    """Each date's collection year (named by its 31 March: April onwards belongs to the next); 0 for no date."""
    known = dates.notna().to_numpy()
    year = np.where(known, dates.dt.year.fillna(0).to_numpy(dtype="int64"), 0)
    return np.where(known & (dates.dt.month.fillna(0).to_numpy(dtype="int64") >= 4), year + 1, year)


def by_year(records: pd.DataFrame, first: np.ndarray, last: np.ndarray, years: range) -> pd.DataFrame:
    """Each record once for every collection year of `years` from `first` to `last` (its years, e.g. those it was
    open in), with that year as `year`; in the records' order within each year."""
    lo, hi = np.maximum(first, years.start), np.minimum(last, years.stop - 1)
    spans = np.where(hi >= lo, hi - lo + 1, 0)
    position = np.repeat(np.arange(len(records)), spans)
    offset = np.arange(len(position)) - np.repeat(np.cumsum(spans) - spans, spans)
    out = records.iloc[position].assign(year=np.repeat(lo, spans) + offset)
    return out.sort_values("year", kind="stable")


def overlapping(episodes: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """The episodes open at any time in the year: every count of the year but adoption's is made of these alone."""
    start, end = year_bounds(year_end)
    return episodes[((episodes["decom"] <= end) & (episodes["dec"].isna() | (episodes["dec"] >= start))).to_numpy()]


def counted_episodes(episodes: pd.DataFrame) -> pd.DataFrame:
    """The episodes the DfE counts: short breaks (V3, V4) left out; each episode with the start of the period of care
    it belongs to (`poc_start`: the latest episode begun with RNE S on or before it; NaT when the child's records
    begin inside a period of care, with no S held: when care began is not known, never guessed from the first record)."""
    e = episodes[~episodes["ls"].astype(str).isin(SHORT_BREAKS).to_numpy()].sort_values(["cid", "decom"], kind="stable")
    started = e["decom"].where(e["rne"].astype(str) == "S")
    return e.assign(poc_start=started.groupby(e["cid"]).ffill())


def starts(episodes: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """Children who started to be looked after in the year: their episode begun with RNE S; only the first occasion in
    the year is counted (a child counts once)."""
    s = episodes[in_year(episodes["decom"], year_end).to_numpy()]   # the year first: a few rows' codes compared, not all
    s = s[(s["rne"].astype(str) == "S").to_numpy()]
    return s.sort_values(["cid", "decom"], kind="stable").drop_duplicates("cid", keep="first")


def ceased(episodes: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """Children who ceased to be looked after in the year: an episode ended with a reason other than X1 (X1: a new
    episode begins the same day); only the last occasion in the year is counted. `days`: length of the period of care
    that ended."""
    c = episodes[(episodes["dec"].notna() & in_year(episodes["dec"], year_end)).to_numpy()]
    rec = c["rec"].astype(str)
    c = c[((rec != "X1") & (rec != "None") & (rec != "nan")).to_numpy()]
    c = c.sort_values(["cid", "dec"], kind="stable").drop_duplicates("cid", keep="last")
    return c.assign(days=(c["dec"] - c["poc_start"]).dt.days)


def new_episodes(episodes: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """Every episode begun in the year (its RNE says why: a start, a change of legal status or of placement)."""
    return episodes[in_year(episodes["decom"], year_end).to_numpy()]


def episodes_ended(episodes: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """Episodes that ended in the year, each with its length in days."""
    e = episodes[episodes["dec"].notna().to_numpy() & in_year(episodes["dec"], year_end).to_numpy()]
    return e.assign(days=(e["dec"] - e["decom"]).dt.days)


def placements(episodes: pd.DataFrame) -> pd.DataFrame:
    """Placements: a child's run of episodes from one begun with a new placement (any RNE but L, a change of legal
    status only) to the next; `start` its first DECOM, `end` its last DEC (NaT while open), `days` its length."""
    e = episodes.sort_values(["cid", "decom"], kind="stable")
    first = ~e["cid"].duplicated()
    new = (e["rne"].astype(str) != "L").to_numpy() | first.to_numpy()
    number = pd.Series(new.astype(int), index=e.index).groupby(e["cid"]).cumsum()
    keyed = e.assign(placement=number.to_numpy())
    grouped = keyed.groupby(["cid", "placement"], sort=False)
    out = grouped.agg(la_code=("la_code", "first"), child=("child", "first"), start=("decom", "first"), end=("dec", "last"))
    if "record_key" in keyed.columns:
        out["child_key"] = grouped["record_key"].first()
    out = out.reset_index()
    return out.assign(days=(out["end"] - out["start"]).dt.days)


def placements_ended(episodes: pd.DataFrame, year_end: int, placements_of: pd.DataFrame | None = None) -> pd.DataFrame:
    """Placements that ended in the year; `placements_of`: `placements(episodes)` if already worked out."""
    p = placements(episodes) if placements_of is None else placements_of
    return p[p["end"].notna().to_numpy() & in_year(p["end"], year_end).to_numpy()]


def looked_after_at(episodes: pd.DataFrame, at) -> pd.DataFrame:
    """One row per child looked after at the end of `at` (its episode then)."""
    at = pd.Timestamp(at)
    open_ = episodes[((episodes["decom"] <= at) & (episodes["dec"].isna() | (episodes["dec"] > at))).to_numpy()]
    return open_.sort_values("decom", kind="stable").drop_duplicates("cid", keep="last")


def looked_after_during(episodes: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """One row per child looked after at any time in the year (its last episode in the year)."""
    start, end = year_bounds(year_end)
    during = episodes[((episodes["decom"] <= end) & (episodes["dec"].isna() | (episodes["dec"] >= start))).to_numpy()]
    return during.sort_values("decom", kind="stable").drop_duplicates("cid", keep="last")


def three_plus_placements(episodes: pd.DataFrame, year_end: int, placements_of: pd.DataFrame | None = None) -> pd.DataFrame:
    """Children looked after at 31 March, each with `placements` (its placements in the year: the first episode of the
    year is one, and each later episode not begun with RNE L another) and `three_plus` (3 or more: the DfE's
    placement stability measure). `placements_of`: `placements(episodes)` if already worked out (a child's placements
    are its own episodes' alone)."""
    start, end = year_bounds(year_end)
    current = looked_after_at(episodes, end)
    if placements_of is None:
        p = placements(episodes[episodes["cid"].isin(set(current["cid"])).to_numpy()])
    else:
        p = placements_of[placements_of["cid"].isin(current["cid"]).to_numpy()]
    overlapping = p[((p["start"] <= end) & (p["end"].isna() | (p["end"] >= start))).to_numpy()]
    counted = overlapping.groupby("cid").size().reindex(current["cid"].to_numpy()).fillna(0).astype(int)
    return current.assign(placements=counted.to_numpy(), three_plus=counted.to_numpy() >= 3)


def band(days: pd.Series, bands=DURATION_BANDS) -> pd.Series:
    """Each length in days -> its band's label."""
    edges = [limit for _label, limit in bands if limit is not None]
    labels = [label for label, _limit in bands]
    positions = np.searchsorted(np.asarray(edges), days.to_numpy(dtype="float64"), side="right")
    return pd.Series(np.asarray(labels, dtype=object)[positions], index=days.index)


def missing_in_year(missing: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """Missing (M) and away-from-placement (A) episodes begun in the year."""
    kind = missing["missing"].astype(str).str.upper()
    chosen = kind.isin(list(MISSING)).to_numpy() & in_year(missing["mis_start"], year_end).to_numpy()
    # The kinds as an array: a Series assigned to no rows would bring every row's index back (as empty rows).
    return missing[chosen].assign(missing=kind.to_numpy()[chosen])


def placed_for_adoption(placed: pd.DataFrame, episodes: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """Children placed for adoption in the year (PlacedAdoption's DATE_PLACED), each with `days` from entering care
    (the start of the period of care they were in on that date) to the placement. A placement matched to no period of
    care is left out (and counted apart by the caller)."""
    p = placed[placed["date_placed"].notna().to_numpy() & in_year(placed["date_placed"], year_end).to_numpy()]
    p = p.sort_values(["cid", "date_placed"], kind="stable").drop_duplicates("cid", keep="first")
    p = p.assign(date_placed=p["date_placed"].astype("datetime64[ns]"))
    episodes = episodes[episodes["cid"].isin(p["cid"]).to_numpy()]   # only these children's periods can match
    periods = episodes[["cid", "decom", "poc_start"]].astype({"decom": "datetime64[ns]"}).sort_values("decom", kind="stable")
    joined = pd.merge_asof(p.sort_values("date_placed", kind="stable"), periods, left_on="date_placed", right_on="decom",
                           by="cid", direction="backward")
    return joined.assign(days=(joined["date_placed"] - joined["poc_start"]).dt.days)


def matched_for_adoption(ad1: pd.DataFrame, year_end: int) -> pd.DataFrame:
    """Children matched with adopters in the year (AD1's DATE_MATCH), each with `days` from the decision that they
    should be placed for adoption (DATE_INT) to the match; a DATE_INT after DATE_MATCH (an error) is left out."""
    a = ad1[ad1["date_match"].notna().to_numpy() & ad1["date_int"].notna().to_numpy()
            & in_year(ad1["date_match"], year_end).to_numpy()]
    a = a.assign(days=(a["date_match"] - a["date_int"]).dt.days)
    return a[(a["days"] >= 0).to_numpy()]


def median_days(days: pd.Series) -> float | None:
    return None if days.dropna().empty else float(days.dropna().median())
