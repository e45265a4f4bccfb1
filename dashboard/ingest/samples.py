"""Real-shaped example returns, seeded: what a data officer's filled template looks like, per dataset.

Used by the tests (good files that must load exactly) and by `bench ingest` (a 1-million-row SSDA903
file). Codes come from the datasets' own code lists; figures are plausible, not any LA's.
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from dashboard.dashboards.agency_pay import returns as agency_pay
from dashboard.dashboards.sufficiency import returns as sufficiency
from dashboard.dashboards.send.returns import SEND_MEASURES
from dashboard.dashboards.suspensions.returns import GROUPS
from dashboard.ingest.returns import SPECS
from dashboard.ingest.ssda903.codes import valid_codes
from dashboard.ingest.ssda903.rules import no_urn_places
from dashboard.ingest.templates import template_rows


def agency_pay_return(la_code: str, period: str, seed: int = 1, n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(period).date()
    jobs = rng.choice(list(agency_pay.JOB_TYPES), n, p=[0.5, 0.2, 0.12, 0.12, 0.06])
    rate = np.round(rng.uniform(32, 48, n), 2)
    starts = [end - timedelta(days=int(d)) for d in rng.integers(10, 900, n)]
    return pd.DataFrame({"la_code": la_code, "period_end": period, "job_type": jobs, "hourly_rate": rate,
                         "paye": rng.choice(["yes", "no"], n, p=[0.3, 0.7]), "hours_per_week": rng.choice([37, 36, 30], n),
                         "start_date": [d.isoformat() for d in starts], "legacy": rng.choice(["yes", "no"], n, p=[0.1, 0.9]),
                         "charge_rate": np.where(rng.random(n) < 0.8, np.round(rate * 1.18, 2).astype(str), "")})


def ssda903_episodes(children: int, seed: int = 1, year_end: str = "2025-03-31") -> pd.DataFrame:
    """One row per episode with the child's header details repeated: 1 to 4 episodes a child (about 2.2), valid
    under the DfE's rules for the year (its code lists; each episode follows the last on the day it ended, X1)."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(year_end)
    episodes = rng.choice([1, 2, 3, 4], children, p=[0.35, 0.25, 0.25, 0.15])
    n = int(episodes.sum())
    child = np.repeat(np.arange(children), episodes)
    order = np.concatenate([np.arange(k) for k in episodes])
    last = order == np.repeat(episodes - 1, episodes)
    first = end - pd.to_timedelta(np.repeat(rng.integers(400, 1500, children), episodes), unit="D")
    dob = first - pd.to_timedelta(np.repeat(rng.integers(30, 16 * 365, children), episodes), unit="D")
    start = first + pd.to_timedelta(order * 120, unit="D")
    ended = ~last | (rng.random(n) < 0.3)
    closes = pd.Series(start + pd.to_timedelta(rng.integers(1, 119, n), unit="D")).clip(upper=end)
    ceased = pd.Series(start + pd.to_timedelta(120, unit="D")).where(~last, closes).where(ended)
    uasc = np.repeat(rng.random(children) < 0.06, episodes)
    year = int(year_end[:4])

    def pick(column, size):
        # R5, S1 and P3 have minimum ages (DfE rules 372-374): left out, as a child here may be any age
        return rng.choice(sorted(valid_codes(column, year) - {"R5", "S1", "P3"}), size)
    fmt = "%d/%m/%Y"
    place = pick("PLACE", n)
    legal = pick("LS", n)
    legal = np.where((place == "P1") & (legal == "V2"), "C2", legal)     # P1 under V2 is refused (DfE rule 378)
    provider = np.select(   # the DfE's provider-placement pairs (rules 213, 526-531, 550)
        [np.isin(place, ["T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14"]), place == "P1", place == "R2",
         np.isin(place, ["A3", "A4", "A5", "A6", "K1", "K2", "U1", "U2", "U3", "U4", "U5", "U6"])],
        ["", "PR0", "PR3", rng.choice(["PR1", "PR2", "PR4", "PR5"], n)], rng.choice(["PR4", "PR5"], n))
    urn = np.where(np.isin(place, list(no_urn_places(year))), "", [f"SC{u:06d}" for u in rng.integers(0, 10**6, n)])
    return pd.DataFrame({
        "CHILD": [f"C{seed:02d}{c:07d}" for c in child], "SEX": np.repeat(rng.choice(sorted(valid_codes("SEX", year) - {"U"}),
                                                                                     children), episodes),
        "DOB": dob.strftime(fmt), "ETHNIC": np.repeat(pick("ETHNIC", children), episodes), "UASC": np.where(uasc, "1", "0"),
        "DUC": "", "DECOM": start.strftime(fmt), "RNE": np.where(order == 0, "S", "P"),
        "LS": legal, "CIN": pick("CIN", n), "PLACE": place, "PLACE_PROVIDER": provider,
        "DEC": ceased.dt.strftime(fmt).fillna("").to_numpy(),
        "REC": np.where(ended, np.where(last, "E13", "X1"), ""), "REASON_PLACE_CHANGE": "",
        "HOME_POST": "SE15 4RG", "PL_POST": rng.choice(["SE22 8AA", "CR0 1AB", "ME4 4TB"], n), "URN": urn,
    })


def ssda903_tables(frame: pd.DataFrame, oc3_share: float = 0.0, seed: int = 1) -> dict[str, pd.DataFrame]:
    """The one-row-per-episode form as the DfE's tables: header.csv, episodes.csv and uasc.csv, and (with
    `oc3_share`) oc3.csv for that share of the children, as care leavers' rows."""
    first = frame.drop_duplicates("CHILD")
    tables = {"header.csv": first[["CHILD", "SEX", "DOB", "ETHNIC"]],
              "episodes.csv": frame[["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                                     "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]],
              "uasc.csv": first.loc[first["UASC"] == "1", ["CHILD", "SEX", "DOB", "DUC"]]}
    if oc3_share:
        rng = np.random.default_rng(seed)
        leavers = first[rng.random(len(first)) < oc3_share]
        tables["oc3.csv"] = pd.DataFrame({"CHILD": leavers["CHILD"], "DOB": leavers["DOB"],
                                          "IN_TOUCH": rng.choice(["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"], len(leavers)),
                                          "ACTIV": rng.choice(["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5",
                                                               "G6"], len(leavers)),
                                          "ACCOM": rng.choice(["B1", "C1", "D1", "E1", "G1", "H1", "K1", "R1", "S1", "T1",
                                                               "U1", "V1", "W1", "X1", "Y1", "Z1"], len(leavers))})
    return tables


def linc_return(la_code: str, period: str, seed: int = 1) -> pd.DataFrame:
    rows = template_rows(SPECS["linc"], la_code, period)
    rng = np.random.default_rng(seed)
    rows["headcount"] = rng.poisson(np.where(rows["pay_band"] <= 5, 25, 3)).astype(str)
    return rows


def suspensions_return(la_code: str, period: str, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    headcount = rng.integers(300, 9000, len(GROUPS))
    suspended = rng.binomial(headcount, 0.03)
    return pd.DataFrame({"la_code": la_code, "academic_year": period, "ethnicity": GROUPS, "headcount": headcount,
                         "pupils_suspended": suspended, "suspensions": suspended + rng.poisson(suspended * 0.9),
                         "permanent_exclusions": rng.binomial(suspended, 0.03)})


def send_return(la_code: str, period: str, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = {m: int(rng.integers(300, 1500)) if m.startswith("place_") else int(rng.integers(100, 600)) for m in SEND_MEASURES}
    return pd.DataFrame({"la_code": la_code, "year": period, "measure": list(values), "value": list(values.values())})


def ssda903_return(_la_code: str, period: str, seed: int = 1, children: int = 60) -> pd.DataFrame:
    return ssda903_episodes(children, seed, period)


GOOD_RETURNS = {"agency_pay": agency_pay_return, "sufficiency": ssda903_return, "linc": linc_return,
                "suspensions": suspensions_return, "send": send_return}


def as_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


