"""My LA's arithmetic: where one LA stands on one indicator, which indicators are exceptions and why, and which
returns are overdue. Pure functions over DataFrames.

Rules (quoted on the page and in the README):
- Rank, quartile and the London top/bottom 20% flag are Benchmarking's (`dashboard.ranking`): LAs that have a figure
  take part, ties share the better rank, nobody is placed or flagged when fewer than 5 LAs have a figure, markers stay
  markers and a joint return (Kingston / Richmond) takes part once.
- Exceptions: (1) the LA is in London's top or bottom 20%; (2) its figure is above or below every one of its
  statistical neighbours that has a figure, when at least `min_neighbours` have one; (3) its figure moved since the
  last period by more than `change_points` percentage points (indicators in %) or `change_percent` per cent of the
  earlier figure (anything else). Better or worse follows the indicator's polarity; where neither is better the
  reason says "higher" or "lower" only.
- Overdue: a quarterly return is due `quarter_due_days` after its quarter ends, an annual (year to 31 March) one
  `year_due_days` after 31 March; a return is overdue when the latest period already due has not been returned.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.ranking import FLAG_LABELS, NO_RETURN, joint_returns, marked_ranking, missing_label, ranked_areas

SPARK = "▁▂▃▄▅▆▇█"
SPARK_PERIODS = 8


@dataclass(frozen=True)
class Rules:
    change_points: float = 5.0       # % indicators: a move of more than this many points since the last period
    change_percent: float = 10.0     # other indicators: a move of more than this % of the earlier figure
    min_neighbours: int = 3          # neighbours with a figure needed before "outside its neighbours' range"


# --- periods and words -------------------------------------------------------------------------------------------

def quarter_label(period_end) -> str:
    """Financial-year quarter, as Benchmarking writes it: Apr-Jun is Q1."""
    date = pd.Timestamp(period_end)
    start = date.year if date.month >= 4 else date.year - 1
    return f"Q{(date.month - 4) % 12 // 3 + 1} {start}-{str(start + 1)[-2:]}"


def period_label(cadence: str, period_end, written: str | None = None) -> str:
    return quarter_label(period_end) if cadence == "quarter" else (written or str(pd.Timestamp(period_end).year))


def previous_period(cadence: str, period_end) -> pd.Timestamp:
    end = pd.Timestamp(period_end)
    return end - pd.offsets.QuarterEnd(1) if cadence == "quarter" else end - pd.DateOffset(years=1)


def year_before(cadence: str, period_end) -> pd.Timestamp:
    end = pd.Timestamp(period_end)
    back = end - pd.DateOffset(years=1)
    return back + pd.offsets.QuarterEnd(0) if cadence == "quarter" else back


def format_value(value, decimals: int, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.{decimals}f}" + ("%" if unit == "%" else "")


def change_words(change: float, decimals: int, unit: str) -> str:
    """'▲ 2.0 points', '▼ 12', '– 0'; '' when either figure is missing."""
    if change is None or math.isnan(change):
        return ""
    arrow = "▲" if change > 0 else "▼" if change < 0 else "–"
    size = f"{abs(change):,.{decimals}f}"
    return f"{arrow} {size}" + ((" point" if size == "1" else " points") if unit == "%" else "")


def direction(polarity: str, higher: bool) -> str:
    """"better", "worse" or "" (neither is better) of a figure that is higher (or lower) than something."""
    if polarity == "neither":
        return ""
    return "better" if higher == (polarity == "higher") else "worse"


def sparkline(values: list[float]) -> str:
    """The LA's recent figures as a row of block characters (a gap where there is none): a small trend that reads
    as text; the page gives the figures too."""
    have = [v for v in values if not math.isnan(v)]
    if not have:
        return ""
    low, high = min(have), max(have)
    return "".join(" " if math.isnan(v) else SPARK[0 if high == low else round((v - low) / (high - low) * (len(SPARK) - 1))]
                   for v in values)


def _stats(values) -> dict:
    """Mean, median, range and count of the figures there are (missing left out, never 0)."""
    have = np.asarray(values, dtype="float64")
    have = have[~np.isnan(have)]
    if not len(have):
        return {"mean": np.nan, "median": np.nan, "min": np.nan, "max": np.nan, "n": 0}
    return {"mean": float(have.mean()), "median": float(np.median(have)), "min": float(have.min()),
            "max": float(have.max()), "n": int(len(have))}


# --- one indicator for one LA --------------------------------------------------------------------------------------

@dataclass
class Prepared:
    """What every LA's standing on one indicator shares, worked out once per data version: its latest period, the
    London ranking for it (Benchmarking's rules), the joint returns, and each area's figures as plain lookups."""
    latest: pd.Timestamp
    written: str
    joint: dict
    areas: dict              # la_code (joint where joint) -> (subregion_code, subregion_name)
    ranking: dict            # la_code -> (returned, rank, quartile_label, flag)
    n_ranked: int
    now: dict                # area -> value at the latest period (NaN: none)
    own: dict                # London area -> {period_end: value}
    markers: dict            # London area -> marker at the latest period
    periods: list            # the last SPARK_PERIODS periods (YYYY-MM-DD)
    london: float
    england: float


def prepare(series, las: pd.DataFrame) -> Prepared | None:
    """None when no London LA has a figure or a marker for the indicator."""
    values = series.values
    as_areas = values.rename(columns={"la_code": "area_code"})
    joint = joint_returns(as_areas)
    areas = ranked_areas(las, as_areas)
    london_codes = set(areas["la_code"])
    in_london = values[values["la_code"].isin(london_codes)]
    seen = in_london[in_london["value"].notna() | in_london["marker"].notna()]
    if seen.empty:
        return None
    latest = seen["period_end"].max()
    written = seen.loc[seen["period_end"] == latest, "period"].iloc[0]
    ranking = marked_ranking(as_areas[as_areas["period_end"] == latest], areas, latest, series.polarity)
    now_rows = values[values["period_end"] == latest].drop_duplicates("la_code")
    # Plain Python keys and numbers: the cache hands out deep copies, and numpy scalars and Timestamps copy slowly.
    own = {code: dict(zip(frame["period_end"].dt.strftime("%Y-%m-%d"), frame["value"].astype(float).tolist()))
           for code, frame in in_london.drop_duplicates(["la_code", "period_end"]).groupby("la_code")}
    at_latest = in_london[in_london["period_end"] == latest]

    def published(frame) -> float:
        if frame is None or frame.empty:
            return np.nan
        hit = frame[frame["period_end"] == latest]["value"]
        return float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else np.nan

    return Prepared(
        latest=pd.Timestamp(latest), written=written, joint=joint,
        areas={c: (sc, sn) for c, sc, sn in zip(areas["la_code"], areas["subregion_code"], areas["subregion_name"])},
        ranking={c: (bool(r), int(k) if bool(r) else None, q, f) for c, r, k, q, f in
                 zip(ranking["la_code"], ranking["returned"], ranking["rank"], ranking["quartile_label"], ranking["flag"])},
        n_ranked=int(ranking["returned"].sum()), now=dict(zip(now_rows["la_code"], now_rows["value"].astype(float).tolist())),
        own=own, markers={c: m for c, m in zip(at_latest["la_code"], at_latest["marker"]) if isinstance(m, str) and m},
        periods=[pd.Timestamp(p).strftime("%Y-%m-%d") for p in sorted(values["period_end"].unique())[-SPARK_PERIODS:]],
        london=published(series.london), england=published(series.england))


def _of(now: dict, codes) -> dict:
    return _stats([now.get(c, np.nan) for c in codes])


def standing(series, la_code: str, las: pd.DataFrame, neighbours: list[str], rules: Rules,
             prepared: Prepared | None = None) -> dict | None:
    """Where the LA stands on the indicator at its latest period (the latest any London LA has a figure or marker
    for): value (or why there is none), changes, rank, quartile, 20% flag, comparators, sparkline and exceptions.
    None when no London LA has anything for it. `prepared`: `prepare(series, las)`, when it is already made."""
    prep = prepared if prepared is not None else prepare(series, las)
    if prep is None:
        return None
    latest, focus = prep.latest, prep.joint.get(la_code, la_code)
    returned, rank, quartile, flag = prep.ranking[focus]
    own = prep.own.get(focus, {})

    def at(date) -> float:
        return float(own.get(pd.Timestamp(date).strftime("%Y-%m-%d"), np.nan))

    value = at(latest)
    if returned:
        missing = ""
    else:
        marker = prep.markers.get(focus)
        missing = missing_label(marker) if marker else (
            NO_RETURN.lower() if series.source.startswith("Members'") else "not published")
    previous, year_ago = at(previous_period(series.cadence, latest)), at(year_before(series.cadence, latest))
    subregion_code, subregion_name = prep.areas[focus]
    subregion = _of(prep.now, [c for c, (sc, _) in prep.areas.items() if sc == subregion_code])
    london_las = _of(prep.now, list(prep.areas))
    neighbour = _of(prep.now, list(dict.fromkeys(prep.joint.get(c, c) for c in neighbours)))
    neighbour["of"] = len(neighbours)
    trend = [at(p) for p in prep.periods]
    result = {
        "key": series.key, "theme": series.theme, "name": series.name, "unit": series.unit,
        "labels": getattr(series, "labels", None),
        "decimals": series.decimals, "polarity": series.polarity, "source": series.source,
        "period": period_label(series.cadence, latest, prep.written), "period_end": latest,
        "value": value, "missing": missing, "joint": focus != la_code,
        "previous_period": period_label(series.cadence, previous_period(series.cadence, latest)),
        "change_period": value - previous, "change_year": value - year_ago, "previous": previous,
        "rank": rank if returned else None, "n_ranked": prep.n_ranked,
        "quartile": quartile, "flag": flag if returned and getattr(series, "london_flag", True) else "",
        "subregion_name": subregion_name, "subregion": subregion, "london_las": london_las,
        "london": prep.london, "england": prep.england, "neighbours": neighbour,
        "trend_periods": [period_label(series.cadence, p) for p in prep.periods], "trend": trend,
        "sparkline": sparkline(trend),
    }
    result["exceptions"] = exceptions(result, rules)
    return result


def exceptions(row: dict, rules: Rules) -> list[dict]:
    """Each reason the indicator is an exception for the LA: {"rule", "direction" (better/worse/""), "reason"}."""
    found = []
    polarity, dp, unit = row["polarity"], row["decimals"], row["unit"]
    kind = "neither" if polarity == "neither" else "ordered"
    top, bottom = FLAG_LABELS[kind]
    if row["flag"] in (top, bottom):
        best_end = row["flag"] == top
        cut = math.ceil(row["n_ranked"] / 5)
        where = ("top" if best_end else "bottom") if kind == "ordered" else ("highest" if best_end else "lowest")
        found.append({"rule": "london_20", "direction": ("better" if best_end else "worse") if kind == "ordered" else "",
                      "reason": f"In London's {where} 20%: ranked {row['rank']} of {row['n_ranked']} LAs "
                                f"(the {where} {cut} are flagged)."})
    value, sn = row["value"], row["neighbours"]
    if not math.isnan(value) and sn["n"] >= rules.min_neighbours and (value > sn["max"] or value < sn["min"]):
        higher = value > sn["max"]
        found.append({"rule": "neighbours", "direction": direction(polarity, higher),
                      "reason": f"{'Above' if higher else 'Below'} all {sn['n']} statistical neighbours with a figure "
                                f"(their range {format_value(sn['min'], dp, unit)} to {format_value(sn['max'], dp, unit)})."})
    change, previous = row["change_period"], row["previous"]
    if not math.isnan(change) and change != 0:
        if unit == "%":
            moved, limit = abs(change) > rules.change_points, f"more than {rules.change_points:g} points"
        else:
            moved = previous != 0 and abs(change) / abs(previous) * 100 > rules.change_percent
            limit = f"more than {rules.change_percent:g}% of the earlier figure"
        if moved:
            size = change_words(change, dp, unit)[2:]
            found.append({"rule": "change", "direction": direction(polarity, change > 0),
                          "reason": f"{'Rose' if change > 0 else 'Fell'} {size} since {row['previous_period']} "
                                    f"(from {format_value(previous, dp, unit)}; {limit})."})
    return found


def verdict(found: list[dict]) -> str:
    """One word for an indicator's exceptions: better, worse, mixed, or "neither" (none says better or worse)."""
    ways = {e["direction"] for e in found} - {""}
    return "neither" if not ways else ways.pop() if len(ways) == 1 else "mixed"


def summary_line(rows: list[dict]) -> str:
    """'7 indicators flagged: 3 better, 4 worse' (mixed and neither-way ones named when there are any)."""
    flagged = [r for r in rows if r["exceptions"]]
    if not flagged:
        return f"No indicator flagged, of {len(rows)} held for this LA."
    counts = pd.Series([verdict(r["exceptions"]) for r in flagged]).value_counts()
    words = {"better": "better", "worse": "worse", "mixed": "mixed (better on one rule, worse on another)",
             "neither": "higher or lower where neither is better"}
    parts = [f"{int(counts[k])} {words[k]}" for k in ("better", "worse", "mixed", "neither") if k in counts]
    noun = "indicator" if len(flagged) == 1 else "indicators"
    return f"{len(flagged)} {noun} flagged of {len(rows)}: " + ", ".join(parts) + "."


def order_rows(rows: list[dict], themes: tuple[str, ...]) -> list[dict]:
    """Exceptions first (worse, mixed, better, neither), then by theme and name."""
    rank = {"worse": 0, "mixed": 1, "better": 2, "neither": 3}
    theme_order = {t: i for i, t in enumerate(themes)}
    return sorted(rows, key=lambda r: (0 if r["exceptions"] else 1, rank[verdict(r["exceptions"])] if r["exceptions"] else 0,
                                       theme_order.get(r["theme"], len(themes)), r["name"]))


# --- data status ---------------------------------------------------------------------------------------------------

CADENCES = {"benchmarking": "quarter", "agency_pay": "quarter", "sufficiency": "year"}   # datasets with a due date
DATASET_NAMES = {"benchmarking": "Regional quarterly return (RIIA)", "agency_pay": "Agency pay (London Pledge)",
                 "sufficiency": "Looked-after children (SSDA903)", "linc": "Leadership in Colour workforce",
                 "suspensions": "Education suspensions", "send": "SEND return"}


def latest_due(cadence: str, today, quarter_due_days: int, year_due_days: int) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """(the latest period whose return is already due, its due date) on `today`; None for a dataset with no cadence."""
    today = pd.Timestamp(today).normalize()
    if cadence == "quarter":
        end = today if today == today + pd.offsets.QuarterEnd(0) else today - pd.offsets.QuarterEnd(1)
        while end + pd.Timedelta(days=quarter_due_days) > today:
            end -= pd.offsets.QuarterEnd(1)
        return end, end + pd.Timedelta(days=quarter_due_days)
    if cadence == "year":
        end = pd.Timestamp(year=today.year if (today.month, today.day) >= (3, 31) else today.year - 1, month=3, day=31)
        while end + pd.Timedelta(days=year_due_days) > today:
            end -= pd.DateOffset(years=1)
        return end, end + pd.Timedelta(days=year_due_days)
    return None


def overdue_text(cadence: str | None, latest_returned, today, quarter_due_days: int, year_due_days: int) -> str:
    """'' when nothing is overdue (or the dataset has no due date); otherwise what is overdue and since when."""
    due = latest_due(cadence, today, quarter_due_days, year_due_days) if cadence else None
    if due is None:
        return ""
    end, due_date = due
    returned = pd.Timestamp(latest_returned) if latest_returned is not None and pd.notna(latest_returned) else None
    if returned is not None and returned >= end:
        return ""
    what = quarter_label(end) if cadence == "quarter" else f"year to 31 March {end.year}"
    return f"{what} overdue (due {due_date:%d %b %Y})"
