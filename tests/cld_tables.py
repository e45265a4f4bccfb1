"""SSDA903 Missing, AD1 and PlacedAdoption rows for the demo store's children, for the Child-level episodes tests:
seeded, inside each child's own episodes, for every London LA but those left out (to show "not loaded"). Written with
a new version of the Sufficiency dataset, as an upload is; `read` keeps the demo's own rows to put back after."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select

from dashboard.dashboards.sufficiency.data import NAME, episode
from dashboard.store import get_engine
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction
from dashboard.store.ssda903 import STORED

TABLES = ("Missing", "AD1", "PlacedAdoption")


def read() -> dict[str, list[dict]]:
    """The three tables' rows as stored now (the demo's own), to put back with `write` when a test is done."""
    with get_engine().connect() as conn:
        return {name: [{k: v for k, v in row.items() if k != "id"} for row in conn.execute(select(STORED[name])).mappings()]
                for name in TABLES}


def write(rows: dict[str, list[dict]]) -> None:
    """Replace the three tables with these rows ({table: [row, ...]}), as one new version."""
    with write_transaction(get_engine(), NAME) as conn:
        for name in TABLES:
            conn.execute(delete(STORED[name]))
            if rows.get(name):
                conn.execute(insert(STORED[name]), rows[name])
        bump_version(conn, NAME)


def seeded_rows(seed: int = 3, leave_out: tuple[str, ...] = ()) -> dict[str, list[dict]]:
    """About 1 in 12 episodes gets a missing (M, two thirds) or away (A) episode 1-3 times inside it; about 1 in 40
    children is placed for adoption inside a period of care and has an AD1 decision and match before it."""
    rng = np.random.default_rng(seed)
    with get_engine().connect() as conn:
        e = pd.read_sql_query(select(episode.c.la_code, episode.c.child, episode.c.decom, episode.c.dec), conn)
    e = e[~e["la_code"].isin(leave_out)].reset_index(drop=True)
    e["decom"], e["dec"] = pd.to_datetime(e["decom"]), pd.to_datetime(e["dec"])
    end = e["dec"].fillna(pd.Timestamp("2025-03-31"))
    length = (end - e["decom"]).dt.days.clip(lower=1)
    rows = {name: [] for name in TABLES}
    for i in np.flatnonzero(rng.random(len(e)) < 1 / 12):
        for _ in range(int(rng.integers(1, 4))):
            start = e.at[i, "decom"] + pd.Timedelta(days=int(rng.integers(0, length[i])))
            rows["Missing"].append({"la_code": e.at[i, "la_code"], "child": e.at[i, "child"], "dob": None,
                                    "missing": "M" if rng.random() < 2 / 3 else "A", "mis_start": start.date(),
                                    "mis_end": (start + pd.Timedelta(days=int(rng.integers(0, 4)))).date()})
    firsts = e.sort_values("decom").drop_duplicates(["la_code", "child"])
    for i in firsts.index[rng.random(len(firsts)) < 1 / 40]:
        placed = e.at[i, "decom"] + pd.Timedelta(days=int(rng.integers(120, 700)))
        if placed > pd.Timestamp("2025-03-31"):
            continue
        decided = placed - pd.Timedelta(days=int(rng.integers(90, 400)))
        base = {"la_code": e.at[i, "la_code"], "child": e.at[i, "child"], "dob": None}
        rows["PlacedAdoption"].append({**base, "date_placed": placed.date(), "date_placed_ceased": None,
                                       "reason_placed_ceased": None})
        rows["AD1"].append({**base, "date_int": max(decided, e.at[i, "decom"]).date(),
                            "date_match": (placed - pd.Timedelta(days=int(rng.integers(5, 60)))).date(),
                            "foster_care": "0", "nb_adoptr": "1", "sex_adoptr": "MF", "ls_adoptr": "L0"})
    return rows
