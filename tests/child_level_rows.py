"""Seeded OC2 and OC3 rows for every London LA but the City (which "has not uploaded" them), stored as an SSDA903
upload stores them (pseudonymised child, DOB to the month, the collection year), with each child's header in
Sufficiency's child table: the app tier's child-level pages and the disclosure attacks read them. Small LAs, so many
cells hold 1 to 5 children. `stored_rows(engine)` puts them in place of the demo's (a new Sufficiency version),
`remove_rows(engine)` takes them out and puts the demo's back."""
from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import delete, select

from dashboard.dashboards.sufficiency.data import NAME, child
from dashboard.loader import local_authorities
from dashboard.store.datasets import bump_version
from dashboard.store.ssda903 import STORED

YEAR = 2025
NOT_UPLOADED = "E09000001"      # the City of London
PREFIX = "CLTEST"


def rows(seed: int = 22) -> dict[str, list[dict]]:
    rng = np.random.default_rng(seed)
    out = {"children": [], "OC3": [], "OC2": []}
    for la in sorted(local_authorities()["la_code"]):
        if la == NOT_UPLOADED:
            continue
        for table, size in (("OC3", int(rng.integers(8, 30))), ("OC2", int(rng.integers(10, 35)))):
            for i in range(size):
                cid = f"{PREFIX}{table}{i:03d}"
                if table == "OC3":   # the birthday in 2024/25 was the 17th to 21st (a few died or went home)
                    age = int(rng.integers(17, 22))
                    month = int(rng.integers(1, 13))
                    born = date(YEAR - age - (1 if month > 3 else 0), month, 1)
                    out["OC3"].append({"la_code": la, "child": cid, "dob": born, "year": YEAR,
                                       "in_touch": rng.choice(["YES"] * 6 + ["NO", "REFU", "NREQ", "DIED", "RHOM"]),
                                       "activ": rng.choice(["F1", "P1", "F2", "P2", "F4", "F5", "G4", "G5", "G6", "0"]),
                                       "accom": rng.choice(["U1", "Z1", "D1", "E1", "B1", "S2", "W2", "V2", "0"])})
                else:                # looked after 12 months at 31 March 2025: aged 0 to 17
                    age = int(rng.integers(0, 18))
                    born = date(YEAR - age - 1, int(rng.integers(4, 13)), 1)
                    scored = 5 <= age <= 16 and rng.random() < 0.75
                    out["OC2"].append({"la_code": la, "child": cid, "dob": born, "year": YEAR,
                                       "sdq_score": str(int(rng.integers(0, 30))) if scored else None,
                                       "sdq_reason": None if scored else rng.choice(["SDQ1", "SDQ2", "SDQ3", "SDQ4", "SDQ5"]),
                                       **{c: str(int(rng.random() < p)) for c, p in (
                                           ("health_check", 0.88), ("teeth_check", 0.8), ("immunisations", 0.85),
                                           ("health_assessment", 0.9), ("substance_misuse", 0.06),
                                           ("intervention_received", 0.5), ("convicted", 0.04))}})
                out["children"].append({"la_code": la, "child": cid, "sex": rng.choice(["1", "2"]),
                                        "dob": born, "ethnic": rng.choice(["WBRI", "BAFR", "BCRB", "AOTH", "MWBC", "OOTH"]),
                                        "uasc": bool(rng.random() < 0.15), "duc": None})
    return out


_SET_ASIDE: dict[str, list[dict]] = {}


def stored_rows(engine) -> dict[str, list[dict]]:
    """These rows in place of the store's OC2 and OC3 rows (the demo's, set aside and put back by `remove_rows`)."""
    made = rows()
    with engine.begin() as conn:
        for table in ("OC3", "OC2"):
            stored = STORED[table]
            _SET_ASIDE[table] = [{k: v for k, v in row._mapping.items() if k != "id"}
                                 for row in conn.execute(select(stored))]
            conn.execute(delete(stored))
        conn.execute(child.insert(), made["children"])
        conn.execute(STORED["OC3"].insert(), made["OC3"])
        conn.execute(STORED["OC2"].insert(), made["OC2"])
        bump_version(conn, NAME)
    return made


def remove_rows(engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(child).where(child.c.child.like(f"{PREFIX}%")))
        for table in ("OC3", "OC2"):
            conn.execute(delete(STORED[table]).where(STORED[table].c.child.like(f"{PREFIX}%")))
            if _SET_ASIDE.get(table):
                conn.execute(STORED[table].insert(), _SET_ASIDE.pop(table))
        bump_version(conn, NAME)
