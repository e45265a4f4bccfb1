"""Sufficiency: child-level looked-after children data shaped like the SSDA903 return, and its reference tables.

Tables (all prefixed `sufficiency_`, defined in data.py with its reads):
  child            one row per child per looking-after LA: CHILD (hashed id), SEX, DOB (1st of the month), ETHNIC, UASC, DUC
  episode          SSDA903 episodes: CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE,
                   HOME_POST, PL_POST, URN, LA, YEAR (postcodes held as sectors, e.g. "SE15 4")
  code             the DfE code lists (legal status, category of need, placement type, provider, reason episode ceased,
                   reason for new episode, reason for placement change, ethnicity) with plain-English labels and groups
  postcode_sector  sector -> centroid (lat, lon), the LA or county it lies in, its region
  provider         Ofsted-registered providers by URN; provider_grade: their overall effectiveness judgements over time

Child-level rows never leave the server: `dashboard.dashboards.sufficiency.data` reads them and returns aggregates only.

Demo data shapes (London, all rounded, from DfE "Children looked after in England including adoptions" 2021-2025,
which ../shared/realdata/cla/ holds): about 9,300 children looked after at 31 March 2025 (sizes per LA below are the
published 2025 totals, City of London's suppressed figure set to 15), about 45% of the stock starting each year,
12% UASC (concentrated in Croydon, Redbridge, Hillingdon, Hounslow...), 68% in foster care (39% of all placements the
LA's own provision, 49% private), 10% children's homes, 12% supported accommodation, 3% placed with parents;
34% placed inside the LA boundary; 70% within 20 miles, 18% more than 20 miles, 12% distance not known; about 10% with
3 or more placements in a year. Ofsted grades: about 20% outstanding, 60% good, 15% requires improvement, 5% inadequate
(Ofsted children's social care statistics, children's homes); supported accommodation was only registered from 2023,
so it has no grade before its first inspection.
"""
from __future__ import annotations

from collections import Counter
import hashlib
import random
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select, update

# Its tables and names are defined with its reads (data.py); the upload spec and tests find them here too.
from dashboard.auth.users import record_event
from dashboard.dashboards.sufficiency.data import (DEMO_END, DEMO_START, LABEL, NAME, PUBLISHED_NAME, TABLES, child, code,
                                                   SCENARIOS_NAME, scenario,
                                                   episode, published)
from dashboard.ingest.periods import COLLECTION_YEAR
from dashboard.config import DATA_DIR, settings_from_env
from dashboard.ingest.specs import FIRST_DATA_ROW, ColumnSpec, DatasetSpec, Target
from dashboard.ingest.ssda903 import geography
from dashboard.ingest.ssda903.checking import check_years
from dashboard.ingest.ssda903.degrade import Pseudonyms, month_start, pseudonym_key, sector
from dashboard.ingest.ssda903.rules import RULES, Return, check
from dashboard.published.formats import ENGLAND, INNER, LONDON, OUTER
from dashboard.published.page_figures import CLA_SOURCE, COLUMNS, long_figures, read_table
from dashboard.published.routes import Route, is_london
from dashboard.store.datasets import bump_version
from dashboard.store.engine import write_transaction
from dashboard.store.reference import read_reference_csvs
from dashboard.store.ssda903 import EPISODE_PLACE, STORED
from dashboard.store.ssda903 import TABLES as DFE_TABLES

# --- DfE SSDA903 code lists (public; the 2024-25 guidance) -------------------------------------------------
PLACEMENT_GROUPS = ("Foster care: in-house", "Foster care: agency or other", "Children's homes",
                    "Supported accommodation", "Placed with parents", "Other")
FOSTER_CODES = ("U1", "U2", "U3", "U4", "U5", "U6")

CODE_LISTS: dict[str, list[tuple[str, str, str]]] = {
    "legal_status": [
        ("C1", "Interim care order", "Care order"), ("C2", "Full care order", "Care order"),
        ("D1", "Freeing order granted", "Placement order"), ("E1", "Placement order granted", "Placement order"),
        ("J1", "Remanded to LA or youth detention accommodation", "Youth justice"),
        ("J2", "Placed in LA accommodation under PACE", "Youth justice"),
        ("J3", "Sentenced to a supervision order with residence requirement", "Youth justice"),
        ("L1", "Under police protection and in LA accommodation", "Emergency or police protection"),
        ("L2", "Emergency protection order", "Emergency or police protection"),
        ("L3", "Under child assessment order and in LA accommodation", "Emergency or police protection"),
        ("V2", "Single period of accommodation under section 20", "Section 20 (voluntary)"),
        ("V3", "Agreed series of short-term breaks (single episodes)", "Section 20 (voluntary)"),
        ("V4", "Agreed series of short-term breaks (multiple)", "Section 20 (voluntary)"),
    ],
    "cin": [
        ("N1", "Abuse or neglect", "N1 Abuse or neglect"), ("N2", "Child's disability", "N2 Child's disability"),
        ("N3", "Parental illness or disability", "N3 Parental illness or disability"),
        ("N4", "Family in acute stress", "N4 Family in acute stress"), ("N5", "Family dysfunction", "N5 Family dysfunction"),
        ("N6", "Socially unacceptable behaviour", "N6 Socially unacceptable behaviour"),
        ("N7", "Low income", "N7 Low income"), ("N8", "Absent parenting", "N8 Absent parenting"),
    ],
    "placement": [
        ("A3", "Placed for adoption with consent with current foster carer(s)", "Other"),
        ("A4", "Placed for adoption with placement order with current foster carer(s)", "Other"),
        ("A5", "Placed for adoption with consent, not with current foster carer(s)", "Other"),
        ("A6", "Placed for adoption with placement order, not with current foster carer(s)", "Other"),
        ("H5", "Semi-independent living not subject to children's homes regulations (to 2024/25)", "Supported accommodation"),
        ("K1", "Secure children's home", "Children's homes"),
        ("K2", "Children's home subject to Children's Homes Regulations", "Children's homes"),
        ("K3", "Supported accommodation registered with Ofsted (from 2024/25)", "Supported accommodation"),
        ("P1", "Placed with own parent(s) or other person(s) with parental responsibility", "Placed with parents"),
        ("P2", "Independent living (flat, lodgings, bedsit, B&B or with friends)", "Supported accommodation"),
        ("P3", "Residential employment", "Other"),
        ("R1", "Residential care home", "Children's homes"),
        ("R2", "NHS or health trust establishment providing medical or nursing care", "Other"),
        ("R3", "Family centre or mother and baby unit", "Other"),
        ("R5", "Young offender institution or prison", "Other"),
        ("S1", "Residential school (not dual-registered as a children's home)", "Other"),
        ("T0", "Temporary move (any type)", "Other"), ("T1", "Temporary period in hospital", "Other"),
        ("T2", "Temporary absence on holiday, school trip or to relatives", "Other"),
        ("T3", "Temporary accommodation while normal foster carer is away", "Other"),
        ("T4", "Temporary accommodation of seven days or less", "Other"),
        ("U1", "Foster placement with relative or friend: long-term", "Foster care"),
        ("U2", "Foster placement with relative or friend who is an approved adopter (FFA)", "Foster care"),
        ("U3", "Foster placement with relative or friend: not long-term or FFA", "Foster care"),
        ("U4", "Foster placement with other foster carer: long-term", "Foster care"),
        ("U5", "Foster placement with other foster carer who is an approved adopter (FFA)", "Foster care"),
        ("U6", "Foster placement with other foster carer: not long-term or FFA", "Foster care"),
        ("Z1", "Other placement (to 2024/25)", "Other"),
        ("Z11", "Other placement (from 2025/26, Z11)", "Other"), ("Z12", "Other placement (from 2025/26, Z12)", "Other"),
        ("Z13", "Other placement (from 2025/26, Z13)", "Other"), ("Z14", "Other placement (from 2025/26, Z14)", "Other"),
    ],
    "provider": [
        ("PR0", "Parent(s) or other person(s) with parental responsibility", "Parents"),
        ("PR1", "Own provision (by the LA)", "LA's own provision"),
        ("PR2", "Other LA provision", "Other LA or public provision"),
        ("PR3", "Other public provision (e.g. by a health trust)", "Other LA or public provision"),
        ("PR4", "Private provision", "Private provision"),
        ("PR5", "Voluntary or third sector provision", "Voluntary or third sector"),
    ],
    "reason_new_episode": [
        ("S", "Started to be looked after", "Start"), ("L", "Change of legal status only", "Legal status change"),
        ("P", "Change of placement and carer(s) only", "Placement change"),
        ("T", "Change of legal status and placement and carer(s) at the same time", "Placement change"),
        ("B", "Change of placement (same carer(s)) only", "Placement change"),
        ("U", "Change of legal status and placement (same carer(s)) at the same time", "Placement change"),
    ],
    "reason_ceased": [
        ("X1", "Episode ceases and a new episode begins on the same day", "Continues in care"),
        ("E11", "Adopted: application unopposed", "Adopted"), ("E12", "Adopted: consent dispensed with", "Adopted"),
        ("E2", "Died", "Other"), ("E3", "Care taken over by another LA", "Other"),
        ("E4A", "Returned home to parent(s) as part of the care plan", "Returned home"),
        ("E4B", "Returned home to parent(s) not as part of the care plan", "Returned home"),
        ("E13", "Left care to live with parent(s), relative or other person without parental responsibility", "Returned home"),
        ("E41", "Child arrangements order granted", "Order granted"),
        ("E45", "Special guardianship order to former foster carer(s) who are relatives or friends", "Order granted"),
        ("E46", "Special guardianship order to former foster carer(s) other than relatives or friends", "Order granted"),
        ("E47", "Special guardianship order to other carer(s) who are relatives or friends", "Order granted"),
        ("E48", "Special guardianship order to other carer(s) other than relatives or friends", "Order granted"),
        ("E5", "Moved to independent living with supportive accommodation", "Independent living"),
        ("E6", "Moved to independent living with no formal support", "Independent living"),
        ("E7", "Transferred to residential care funded by adult social care", "Other"),
        ("E8", "Period of care ended for any other reason", "Other"), ("E9", "Sentenced to custody", "Other"),
        ("E14", "Accommodation on remand ended", "Other"),
        ("E15", "Age assessment determined the child is 18 or over", "Other"), ("E16", "Child moved abroad", "Other"),
        ("E17", "Aged 18 and remained with current carers (including staying put)", "Turned 18"),
    ],
    "reason_place_change": [
        ("CARPL", "Change to or implementation of the care plan", "Planned"),
        ("CLOSE", "Resignation or closure of provision", "Provider"), ("ALLEG", "Allegation (s47)", "Provider"),
        ("STAND", "Standards of care concern", "Provider"), ("APPRR", "Approval removed", "Provider"),
        ("CREQB", "Carer requests end due to child's behaviour", "Carer request"),
        ("CREQO", "Carer requests end for another reason", "Carer request"),
        ("CHILD", "Child requests placement end", "Child request"),
        ("LAREQ", "Responsible or area authority requests end", "LA request"),
        ("PLACE", "Change in the status of the placement only", "Planned"),
        ("CUSTOD", "Custody arrangement", "Other"), ("OTHER", "Other", "Other"),
    ],
    "ethnicity": [
        ("WBRI", "White British", "White"), ("WIRI", "White Irish", "White"), ("WIRT", "Traveller of Irish heritage", "White"),
        ("WOTH", "Any other White background", "White"), ("WROM", "Gypsy/Roma", "White"),
        ("MWBC", "White and Black Caribbean", "Mixed"), ("MWBA", "White and Black African", "Mixed"),
        ("MWAS", "White and Asian", "Mixed"), ("MOTH", "Any other mixed background", "Mixed"),
        ("AIND", "Indian", "Asian"), ("APKN", "Pakistani", "Asian"), ("ABAN", "Bangladeshi", "Asian"),
        ("AOTH", "Any other Asian background", "Asian"), ("BCRB", "Caribbean", "Black"), ("BAFR", "African", "Black"),
        ("BOTH", "Any other Black background", "Black"), ("CHNE", "Chinese", "Other"), ("OOTH", "Any other ethnic group", "Other"),
        ("REFU", "Refused", "Not known"), ("NOBT", "Information not yet obtained", "Not known"),
    ],
}
GRADES = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}

# --- places: London LA centroids (ONS LAD 2023, OGL) and a main postcode district each -----------------------
LA_PLACES = {
    "E09000001": (51.5157, -0.0935, "EC2"), "E09000002": (51.5456, 0.1295, "IG11"), "E09000003": (51.6111, -0.2182, "N12"),
    "E09000004": (51.4582, 0.1462, "DA7"), "E09000005": (51.5644, -0.2757, "NW10"), "E09000006": (51.3727, 0.0392, "BR1"),
    "E09000007": (51.5431, -0.1629, "NW5"), "E09000008": (51.3660, -0.0776, "CR0"), "E09000009": (51.5244, -0.3141, "W5"),
    "E09000010": (51.6489, -0.0815, "EN1"), "E09000011": (51.4639, 0.0501, "SE18"), "E09000012": (51.5549, -0.0604, "E8"),
    "E09000013": (51.4873, -0.2174, "W6"), "E09000014": (51.5877, -0.1067, "N17"), "E09000015": (51.5947, -0.3360, "HA1"),
    "E09000016": (51.5652, 0.2354, "RM1"), "E09000017": (51.5366, -0.4418, "UB8"), "E09000018": (51.4624, -0.3785, "TW3"),
    "E09000019": (51.5455, -0.1099, "N1"), "E09000020": (51.4964, -0.1898, "W8"), "E09000021": (51.3930, -0.2837, "KT1"),
    "E09000022": (51.4645, -0.1139, "SW9"), "E09000023": (51.4423, -0.0173, "SE13"), "E09000024": (51.4106, -0.1887, "SW19"),
    "E09000025": (51.5315, 0.0273, "E13"), "E09000026": (51.5859, 0.0701, "IG1"), "E09000027": (51.4404, -0.2891, "TW9"),
    "E09000028": (51.4659, -0.0731, "SE15"), "E09000029": (51.3576, -0.1723, "SM1"), "E09000030": (51.5155, -0.0365, "E1"),
    "E09000031": (51.5946, -0.0188, "E17"), "E09000032": (51.4524, -0.2002, "SW18"), "E09000033": (51.5122, -0.1530, "W2"),
}
# Outside London: (district, lat, lon, area, region); approximate town-centre coordinates.
OUTSIDE_PLACES = [
    ("ME14", 51.274, 0.522, "Kent", "South East"), ("CT1", 51.280, 1.080, "Kent", "South East"),
    ("DA1", 51.446, 0.216, "Kent", "South East"), ("GU1", 51.236, -0.570, "Surrey", "South East"),
    ("RH1", 51.240, -0.170, "Surrey", "South East"), ("RG1", 51.454, -0.973, "Berkshire", "South East"),
    ("SL1", 51.511, -0.595, "Berkshire", "South East"), ("BN1", 50.828, -0.139, "East and West Sussex", "South East"),
    ("RH10", 51.113, -0.183, "East and West Sussex", "South East"), ("MK9", 52.040, -0.760, "Buckinghamshire and Milton Keynes", "South East"),
    ("CM1", 51.736, 0.469, "Essex", "East of England"), ("SS1", 51.538, 0.714, "Essex", "East of England"),
    ("CO1", 51.889, 0.903, "Essex", "East of England"), ("AL1", 51.750, -0.336, "Hertfordshire", "East of England"),
    ("SG1", 51.903, -0.202, "Hertfordshire", "East of England"), ("LU1", 51.879, -0.417, "Bedfordshire and Luton", "East of England"),
    ("NR1", 52.628, 1.293, "Norfolk", "East of England"), ("B1", 52.480, -1.903, "West Midlands", "West Midlands"),
    ("CV1", 52.408, -1.510, "Warwickshire and Coventry", "West Midlands"), ("NG1", 52.954, -1.150, "Nottinghamshire", "East Midlands"),
    ("LE1", 52.634, -1.132, "Leicestershire", "East Midlands"), ("M1", 53.481, -2.237, "Greater Manchester", "North West"),
    ("L1", 53.403, -2.983, "Merseyside", "North West"), ("LS1", 53.797, -1.548, "West Yorkshire", "Yorkshire and the Humber"),
    ("S1", 53.381, -1.470, "South Yorkshire", "Yorkshire and the Humber"), ("BS1", 51.454, -2.588, "Bristol", "South West"),
    ("EX1", 50.725, -3.527, "Devon", "South West"), ("NE1", 54.973, -1.614, "Tyne and Wear", "North East"),
    ("CF10", 51.481, -3.179, "Cardiff", "Wales"),
]
# Looked-after children at 31 March 2025 and UASC among them (DfE, published; City of London's 'c' taken as 15).
LA_SIZES = {
    "E09000001": (15, 8), "E09000002": (431, 24), "E09000003": (343, 44), "E09000004": (289, 15), "E09000005": (296, 30),
    "E09000006": (343, 17), "E09000007": (205, 35), "E09000008": (547, 99), "E09000009": (275, 20), "E09000010": (372, 27),
    "E09000011": (404, 19), "E09000012": (352, 23), "E09000013": (197, 30), "E09000014": (325, 20), "E09000015": (176, 20),
    "E09000016": (268, 17), "E09000017": (312, 68), "E09000018": (263, 55), "E09000019": (282, 42), "E09000020": (106, 25),
    "E09000021": (113, 14), "E09000022": (377, 45), "E09000023": (439, 42), "E09000024": (145, 19), "E09000025": (404, 26),
    "E09000026": (299, 80), "E09000027": (121, 17), "E09000028": (387, 54), "E09000029": (215, 26), "E09000030": (284, 37),
    "E09000031": (292, 29), "E09000032": (240, 18), "E09000033": (186, 31),
}



def code_rows() -> list[dict]:
    return [{"list_name": name, "code": c, "label": label, "grp": grp}
            for name, items in CODE_LISTS.items() for c, label, grp in items]


def postcode_sector_rows(rng: np.random.Generator) -> list[dict]:
    """Ten sectors per London LA around its centroid, two per outside-London district."""
    names = read_reference_csvs()["local_authority"].set_index("ons_code")["name"].to_dict()
    rows = []
    for la_code, (lat, lon, district) in LA_PLACES.items():
        for digit in range(10):
            rows.append({"sector": f"{district} {digit}", "lat": round(lat + rng.normal(0, 0.012), 4),
                         "lon": round(lon + rng.normal(0, 0.018), 4), "area_code": la_code,
                         "area_name": names.get(la_code, la_code), "region": "London"})
    for district, lat, lon, area, region in OUTSIDE_PLACES:
        for digit in range(1, 3):
            rows.append({"sector": f"{district} {digit}", "lat": round(lat + rng.normal(0, 0.02), 4),
                         "lon": round(lon + rng.normal(0, 0.03), 4), "area_code": area, "area_name": area, "region": region})
    return rows


# --- demo generator ------------------------------------------------------------------------------------------
AGE_BANDS = ("Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over")
_ENTRY_AGE_P = (0.18, 0.14, 0.14, 0.32, 0.22)           # DfE starts by age, London, rounded
_G = {name: i for i, name in enumerate(PLACEMENT_GROUPS)}
# Placement group by age band on entering a placement: in-house foster, agency foster, homes, supported, parents, other.
_GROUP_P = {
    0: (0.55, 0.30, 0.00, 0.00, 0.05, 0.10), 1: (0.50, 0.38, 0.00, 0.00, 0.05, 0.07), 2: (0.45, 0.43, 0.03, 0.00, 0.05, 0.04),
    3: (0.30, 0.40, 0.21, 0.00, 0.04, 0.05), 4: (0.16, 0.24, 0.16, 0.38, 0.02, 0.04),
}
_GROUP_P_UASC = {3: (0.35, 0.55, 0.05, 0.00, 0.00, 0.05), 4: (0.12, 0.25, 0.03, 0.58, 0.00, 0.02)}
# Where a placement of each group is: own LA, same sub-region, elsewhere in London, outside London.
_LOCATION_P = {0: (0.45, 0.25, 0.15, 0.15), 1: (0.20, 0.20, 0.27, 0.33), 2: (0.08, 0.10, 0.14, 0.68),
               3: (0.35, 0.25, 0.25, 0.15), 4: (0.82, 0.10, 0.05, 0.03), 5: (0.25, 0.20, 0.20, 0.35)}
_OTHER_PLACES = (("A6", "PR1"), ("R3", "PR4"), ("S1", "PR4"), ("R2", "PR3"), ("Z1", "PR4"), ("R5", "PR3"))
_ETHNIC_P = {"WBRI": .22, "WOTH": .10, "WIRI": .01, "WROM": .01, "MWBC": .08, "MWBA": .03, "MWAS": .02, "MOTH": .07,
             "AIND": .02, "APKN": .02, "ABAN": .03, "AOTH": .03, "BCRB": .08, "BAFR": .12, "BOTH": .07, "CHNE": .005,
             "OOTH": .08, "REFU": .005, "NOBT": .01}
_ETHNIC_UASC_P = {"BAFR": .30, "AOTH": .35, "OOTH": .30, "WOTH": .05}


def _month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def _fy_end_year(d: date | None) -> int:
    if d is None:
        return DEMO_END.year
    return d.year + (1 if d.month >= 4 else 0)


def _hash_id(seed: int, la_code: str, n: int) -> str:
    return hashlib.sha256(f"{seed}:{la_code}:{n}".encode()).hexdigest()[:12]


def _cum(p) -> list[float]:
    """Cumulative weights for random.choices (fast in the per-child loop)."""
    return list(np.cumsum(p) / np.sum(p))


def _pick(r: random.Random, items, cum) -> object:
    return r.choices(items, cum_weights=cum)[0]


DAY = timedelta(days=1)


class _Places:
    """Sectors by LA and area, and Ofsted providers by group and area: what the generator picks placements from."""

    def __init__(self, r: random.Random, sectors: pd.DataFrame, providers: pd.DataFrame, las: pd.DataFrame):
        self.r = r
        self.by_area = sectors.groupby("area_code")["sector"].apply(list).to_dict()
        self.subregion = las.set_index("ons_code")["subregion_code"].to_dict()
        self.london = sorted(LA_PLACES)
        self.same_subregion = {la: [o for o in self.london if o != la and self.subregion[o] == self.subregion[la]] for la in self.london}
        self.elsewhere = {la: [o for o in self.london if self.subregion[o] != self.subregion[la]] for la in self.london}
        outside = pd.DataFrame(OUTSIDE_PLACES, columns=["district", "lat", "lon", "area", "region"]).drop_duplicates("area")
        # Nearer counties take most out-of-London placements (South East and East of England).
        weight = outside["region"].map({"South East": 5.0, "East of England": 4.0}).fillna(0.6)
        self.outside_areas, self.outside_cum = list(outside["area"]), _cum(weight.to_numpy())
        self.location_cum = {g: _cum(p) for g, p in _LOCATION_P.items()}
        self.homes = providers[providers["provider_type"] == "Children's home"].groupby("area")["urn"].apply(list).to_dict()
        self.ifas = list(providers.loc[providers["provider_type"] == "Independent fostering agency", "urn"])
        self.supported = list(providers.loc[providers["provider_type"] == "Supported accommodation", "urn"])

    def area(self, la: str, group: int) -> str:
        where = _pick(self.r, (0, 1, 2, 3), self.location_cum[group])
        if where == 0:
            return la
        if where == 1 and self.same_subregion[la]:
            return self.r.choice(self.same_subregion[la])
        if where <= 2:
            return self.r.choice(self.elsewhere[la])
        return _pick(self.r, self.outside_areas, self.outside_cum)

    def sector(self, area: str) -> str:
        return self.r.choice(self.by_area[area])


def _providers(rng) -> tuple[list[dict], list[dict]]:
    """Children's homes in every area, independent fostering agencies, supported accommodation; their grades over time."""
    providers, grades = [], []
    areas = [(la, LA_PLACES[la][2]) for la in LA_PLACES] + [(area, district) for district, _, _, area, _ in OUTSIDE_PLACES]
    n = 0

    def add(name, kind, area, sector, first_inspection, every_months):
        nonlocal n
        n += 1
        urn = f"SC{400000 + n * 7:06d}"
        providers.append({"urn": urn, "name": name, "provider_type": kind, "sector": sector, "area": area})
        grade = int(rng.choice(4, p=(0.2, 0.6, 0.15, 0.05))) + 1
        when = first_inspection
        while when <= pd.Timestamp(DEMO_END):
            grades.append({"urn": urn, "inspection_date": when.date(), "grade": grade})
            # Grades persist; a provider judged inadequate usually improves at its re-inspection.
            if grade == 4 or rng.random() > 0.7:
                grade = int(np.clip(grade + rng.choice([-1, 1], p=(0.6, 0.4) if grade > 2 else (0.4, 0.6)), 1, 4))
            when = when + pd.DateOffset(months=int(rng.integers(every_months - 3, every_months + 4)))
    for area, district in areas:
        for k in range(int(rng.integers(5, 12))):
            add(f"Demo children's home {district}-{k + 1}", "Children's home", area, f"{district} {k % 2 + 1}",
                pd.Timestamp("2014-01-01") + pd.DateOffset(days=int(rng.integers(0, 700))), 12)
    for k in range(60):
        add(f"Demo fostering agency {k + 1}", "Independent fostering agency", "", None,
            pd.Timestamp("2013-01-01") + pd.DateOffset(days=int(rng.integers(0, 1100))), 36)
    for k in range(45):
        # Supported accommodation was registered with Ofsted from 2023: first inspections from April 2024.
        first = pd.Timestamp("2024-04-01") + pd.DateOffset(days=int(rng.integers(0, 700)))
        add(f"Demo supported accommodation {k + 1}", "Supported accommodation", "", None, first, 36)
    return providers, grades


def _age_band_index(age_years: float) -> int:
    return 0 if age_years < 1 else 1 if age_years < 5 else 2 if age_years < 10 else 3 if age_years < 16 else 4


_GROUP_CUM = {band: _cum(p) for band, p in _GROUP_P.items()}
_GROUP_CUM_UASC = {band: _cum(p) for band, p in _GROUP_P_UASC.items()}
_ENTRY_AGE_CUM = _cum(_ENTRY_AGE_P)
_CIN_CODES, _CIN_CUM = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"), _cum((0.61, 0.03, 0.045, 0.09, 0.09, 0.025, 0.005, 0.105))
_MOVE_REASONS, _MOVE_CUM = ("CARPL", "CREQB", "CREQO", "CHILD", "LAREQ", "STAND", "CLOSE", "OTHER"), _cum((.35, .2, .1, .08, .1, .05, .04, .08))
_OTHER_CUM = _cum((0.05, 0.35, 0.25, 0.1, 0.15, 0.1))


def generate_demo(seed: int) -> dict[str, list[dict]]:
    """Every table's rows: reproducible from the seed."""
    rng = np.random.default_rng(seed + 903)
    r = random.Random(seed + 903)
    las = read_reference_csvs()["local_authority"]
    sectors = postcode_sector_rows(rng)
    providers, grades = _providers(rng)
    places = _Places(r, pd.DataFrame(sectors), pd.DataFrame(providers), las)
    ethnic_codes, ethnic_cum = list(_ETHNIC_P), _cum(list(_ETHNIC_P.values()))
    uasc_codes, uasc_cum = list(_ETHNIC_UASC_P), _cum(list(_ETHNIC_UASC_P.values()))
    months = pd.date_range("2006-04-01", DEMO_END, freq="MS")
    years_from_end = np.array([(m.date() - DEMO_END).days / 365.25 for m in months])
    # UASC arrivals rose sharply in 2022-23 (the national transfer scheme made them mandatory).
    uasc_wave = np.where((months >= "2021-07-01") & (months < "2024-01-01"), 1.6, np.where(months < "2015-06-01", 0.6, 1.0))
    month_dates = [m.date() for m in months]
    children, episodes = [], []

    for la_code in sorted(LA_SIZES):
        stock, uasc_stock = LA_SIZES[la_code]
        home_sectors = places.by_area[la_code]
        # Steady state: stock = starts x mean time in care (about 2.1 years here; UASC about 1.4 years).
        rate = (stock - uasc_stock) / 2.1 / 12 * (1 + 0.01 * years_from_end) * (1 + 0.06 * np.sin(2 * np.pi * (months.month - 7) / 12))
        uasc_rate = uasc_stock / 1.4 / 12 * uasc_wave
        counter = 0
        for is_uasc, monthly in ((False, rate), (True, uasc_rate)):
            for month, n_starts in zip(month_dates, rng.poisson(monthly)):
                for _ in range(n_starts):
                    counter += 1
                    entry = month + timedelta(days=r.randrange(28))
                    if is_uasc:
                        age = r.choices((14, 15, 16, 17), cum_weights=(0.08, 0.3, 0.7, 1.0))[0] + r.random()
                    else:
                        low, high = _pick(r, ((0, 1), (1, 5), (5, 10), (10, 16), (16, 18)), _ENTRY_AGE_CUM)
                        age = low + r.random() * (high - low)
                    dob = _month_start(entry - timedelta(days=int(age * 365.25)))
                    eighteen = date(dob.year + 18, dob.month, 1)
                    if is_uasc:
                        leave = eighteen if r.random() < 0.9 else entry + timedelta(days=r.randrange(30, 400))
                    else:
                        years = r.expovariate(1 / (0.35 if r.random() < 0.4 else 4.6))
                        leave = entry + timedelta(days=max(1, min(7000, int(years * 365.25))))
                    leave = min(leave, eighteen)
                    if leave < DEMO_START:
                        continue
                    child_id = _hash_id(seed, la_code, counter)
                    sex = "1" if r.random() < (0.9 if is_uasc else 0.55) else "2"
                    ethnic = _pick(r, uasc_codes, uasc_cum) if is_uasc else _pick(r, ethnic_codes, ethnic_cum)
                    children.append({"la_code": la_code, "child": child_id, "sex": sex, "dob": dob, "ethnic": ethnic,
                                     "uasc": is_uasc, "duc": eighteen if is_uasc else None})
                    episodes += _period_of_care(r, places, la_code, child_id, entry, leave, eighteen, age, is_uasc, home_sectors)
    episodes = [e for e in episodes if e["dec"] is None or e["dec"] >= DEMO_START]
    for e in episodes:
        e["year"] = _fy_end_year(e["dec"])
    for p in providers:
        p.pop("area")
    return {"child": children, "episode": episodes, "code": code_rows(), "postcode_sector": sectors,
            "provider": providers, "provider_grade": grades}


def _period_of_care(r, places, la_code, child_id, entry, leave, eighteen, age, is_uasc, home_sectors) -> list[dict]:
    """The episodes of one period of care: placement moves and legal status changes split it."""
    frailty = r.gammavariate(1.2, 1 / 1.2)   # some children move far more often than others
    move_rate = (0.45 if age < 10 else 0.8) * max(frailty, 0.02)
    home_post = None if r.random() < 0.05 else r.choice(home_sectors)
    cin = "N8" if is_uasc else _pick(r, _CIN_CODES, _CIN_CUM)
    legal = "V2" if is_uasc or r.random() < 0.33 else "C1"
    # Change points: placement moves (Poisson), and an interim care order becoming a full one after 5-13 months.
    changes = []
    t = entry
    while True:
        t = t + timedelta(days=int(min(7000, max(7, r.expovariate(move_rate / 365.25)))))
        if t >= leave:
            break
        changes.append((t, "move"))
    if legal == "C1":
        full = entry + timedelta(days=r.randrange(150, 400))
        if full < leave:
            changes.append((full, "legal"))
    adopted = (not is_uasc and age < 4 and (leave - entry).days > 500 and leave < eighteen and r.random() < 0.45)
    if adopted:
        changes = [c for c in changes if c[0] < leave - timedelta(days=300)]
        changes.append((leave - timedelta(days=r.randrange(200, 300)), "adoption"))
    # The extract ends on DEMO_END: nothing after it is known yet, so the episode open then stays open.
    changes = sorted(c for c in changes if c[0] <= DEMO_END)
    rows, start, rne = [], entry, "S"
    group, place, prov, urn, pl_post = _placement(r, places, la_code, age, is_uasc)
    for when, kind in changes + [(leave, "end")]:
        ends = None if kind == "end" and leave > DEMO_END else when
        rec = reason = None
        if ends is not None:
            rec = "X1" if kind != "end" else _reason_ceased(r, leave, eighteen, adopted, group, age)
            if kind == "adoption":
                reason = "CARPL"
            elif kind == "move":
                reason = _pick(r, _MOVE_REASONS, _MOVE_CUM)
        rows.append({"la_code": la_code, "child": child_id, "decom": start, "rne": rne, "ls": legal, "cin": cin,
                     "place": place, "place_provider": prov, "dec": ends, "rec": rec, "reason_place_change": reason,
                     "home_post": home_post, "pl_post": pl_post, "urn": urn})
        if ends is None or kind == "end":
            break
        start = when
        age_now = age + (when - entry).days / 365.25
        if kind == "legal":
            legal, rne = "C2", "L"
        elif kind == "adoption":
            legal, rne = "E1", "T"
            group, place, prov, urn = 5, "A6", "PR1", None
            pl_post = places.sector(places.area(la_code, 0))
        else:
            rne = "P"
            if r.random() < 0.55 or (age_now >= 16 and r.random() < 0.5):
                group, place, prov, urn, pl_post = _placement(r, places, la_code, age_now, is_uasc)
            else:
                _, place, prov, urn, pl_post = _placement(r, places, la_code, age_now, is_uasc, group)
    return rows


def _placement(r, places, la_code, age, is_uasc, group=None):
    band = _age_band_index(age)
    if group is None:
        cum = _GROUP_CUM_UASC.get(band, _GROUP_CUM[band]) if is_uasc else _GROUP_CUM[band]
        group = _pick(r, (0, 1, 2, 3, 4, 5), cum)
    area = places.area(la_code, group)
    pl_post = None if r.random() < 0.06 else places.sector(area)
    urn = None
    if group == 0:
        place, prov = r.choices(("U1", "U3", "U4", "U6"), cum_weights=(0.15, 0.3, 0.6, 1.0))[0], "PR1"
    elif group == 1:
        place = r.choices(("U1", "U3", "U4", "U6"), cum_weights=(0.05, 0.1, 0.5, 1.0))[0]
        prov = r.choices(("PR4", "PR5", "PR2"), cum_weights=(0.75, 0.95, 1.0))[0]
        urn = r.choice(places.ifas) if prov != "PR2" else None
    elif group == 2:
        place = "K1" if r.random() < 0.03 else "K2"
        prov = r.choices(("PR4", "PR1", "PR5"), cum_weights=(0.8, 0.9, 1.0))[0]
        urn = r.choice(places.homes.get(area) or places.homes[la_code])
    elif group == 3:
        place = "H5" if r.random() < 0.85 else "P2"
        prov = r.choices(("PR4", "PR5", "PR1"), cum_weights=(0.75, 0.9, 1.0))[0]
        urn = r.choice(places.supported) if place == "H5" else None
    elif group == 4:
        place, prov = "P1", "PR0"
    else:
        place, prov = _pick(r, _OTHER_PLACES, _OTHER_CUM)
    return group, place, prov, urn, pl_post


def _reason_ceased(r, leave, eighteen, adopted, group, age) -> str:
    if adopted:
        return "E11" if r.random() < 0.6 else "E12"
    if leave >= eighteen - DAY:
        return "E5" if group == 3 else "E17"   # E5: moved to independent living with support
    if age < 10 and r.random() < 0.35:
        return r.choice(("E45", "E46", "E41"))
    return r.choices(("E4A", "E4B", "E13", "E8", "E3"), cum_weights=(0.55, 0.65, 0.8, 0.95, 1.0))[0]


def _replace_all(engine: Engine, tables: dict[str, list[dict]], *, is_demo: bool) -> int:
    with write_transaction(engine, NAME) as conn:
        for table in reversed(TABLES):
            conn.execute(table.delete())
        for table in TABLES:
            rows = tables[table.name.removeprefix("sufficiency_")]
            for i in range(0, len(rows), 20000):
                conn.execute(table.insert(), rows[i:i + 20000])
        return bump_version(conn, NAME, is_demo=is_demo)


def load_demo(engine: Engine, seed: int) -> int:
    """Replace the sufficiency dataset with seeded demo data in one transaction; return the new version."""
    return _replace_all(engine, generate_demo(seed), is_demo=True)


# --- an LA's SSDA903 return, as the DfE's tables (checked by dashboard.ingest.ssda903) ------------------------------
_URN_NOT_APPLICABLE = {"", "XXXXXXX", "XXXXXX", "NA", "N/A"}
_SEX = {"1": "1", "2": "2", "M": "1", "F": "2", "U": "U"}   # 2024/25 codes sex M/F/U; stored as the earlier 1/2


def sector_of_postcode(postcode) -> str | None:
    """"SE15 4RG" or "se154rg" -> "SE15 4"; anything that is not a postcode -> None (never stored whole)."""
    found = sector(pd.Series([postcode], dtype=object)).iloc[0]
    return None if pd.isna(found) else found


def _blank_none(cells: pd.Series) -> pd.Series:
    return cells.where(cells != "", None)


def store_rows(ret: Return, la_code: str, key: bytes) -> dict[str, pd.DataFrame]:
    """A checked return -> the rows Sufficiency's tables and the other SSDA903 tables store (by column, as the loader
    writes them): CHILD pseudonymised, DOB to the month, postcodes to sectors; an open episode belongs to the
    return's collection year."""
    header, episodes, uasc = ret.table("Header"), ret.table("Episodes"), ret.table("UASC")
    pseudonymised = Pseudonyms(la_code, key)
    duc = pd.Series(ret.date("UASC", "DUC").to_numpy(), index=uasc["CHILD"].to_numpy())
    duc = duc[~duc.index.duplicated()].reindex(header["CHILD"].to_numpy())   # the child's first UASC row
    children = pd.DataFrame({
        "la_code": la_code, "child": pseudonymised(header["CHILD"]),
        "sex": ret.code("Header", "SEX").map(_SEX), "dob": month_start(ret.date("Header", "DOB")),
        "ethnic": ret.code("Header", "ETHNIC"), "uasc": header["CHILD"].isin(ret.uasc_children()),
        "duc": pd.Series(duc.to_numpy(), index=header.index)})
    dec = ret.date("Episodes", "DEC")
    year = (dec.dt.year + (dec.dt.month >= 4)).fillna(ret.year_end).astype(int)
    urn = ret.code("Episodes", "URN")
    rows = pd.DataFrame({
        "la_code": la_code, "child": pseudonymised(episodes["CHILD"]),
        "decom": ret.date("Episodes", "DECOM"), "rne": ret.code("Episodes", "RNE"),
        "ls": ret.code("Episodes", "LS"), "cin": ret.code("Episodes", "CIN"), "place": ret.code("Episodes", "PLACE"),
        "place_provider": _blank_none(ret.code("Episodes", "PLACE_PROVIDER")), "dec": dec,
        "rec": _blank_none(ret.code("Episodes", "REC")),
        "reason_place_change": _blank_none(ret.code("Episodes", "REASON_PLACE_CHANGE")),
        "home_post": sector(episodes["HOME_POST"]), "pl_post": sector(episodes["PL_POST"]),
        "urn": episodes["URN"].where(~urn.isin(_URN_NOT_APPLICABLE), None), "year": year})
    home, placed = ret.places("HOME_POST"), ret.places("PL_POST")
    places = pd.DataFrame({"la_code": la_code, "child": rows["child"], "decom": rows["decom"],
                           "pl_distance": geography.distance_miles(home, placed), "pl_la": placed["la_code"],
                           "home_la": home["la_code"]})
    out = {child.name: children, episode.name: rows, EPISODE_PLACE.name: places}
    for name, table in STORED.items():
        frame = ret.tables.get(name)
        if frame is None:
            out[table.name] = pd.DataFrame()
            continue
        spec = DFE_TABLES[name]
        stored = pd.DataFrame({"la_code": la_code, "child": pseudonymised(frame["CHILD"])})
        for column in spec.columns[1:]:
            if column in spec.dates:
                dates = ret.date(name, column)
                stored[column.lower()] = month_start(dates) if column == "DOB" else dates
            else:
                stored[column.lower()] = _blank_none(frame[column].str[:24])
        out[table.name] = stored
    return out


# What makes a row the same one in two years' returns (stored names): the later year's row is kept.
_SAME_ROW = {child.name: ["child"], episode.name: ["child", "decom"], EPISODE_PLACE.name: ["child", "decom"],
             **{STORED[name].name: ["child"] for name in ("UASC", "AD1", "PrevPerm", "OC2", "OC3")},
             STORED["PlacedAdoption"].name: ["child", "date_placed"], STORED["Reviews"].name: ["child", "review"],
             STORED["Missing"].name: ["child", "mis_start"], STORED["SWEpisodes"].name: ["child", "sw_id", "sw_decom"]}


def combine_years(years: list[dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """Several years' stored rows (oldest first) -> one history, as LIIA's pipeline joins years: a child, an episode
    (child and start) or another record found in more than one year is the latest year's."""
    if len(years) == 1:
        return years[0]
    out = {}
    for name in years[0]:
        frames = [year[name] for year in years if len(year[name].columns)]
        if not frames:
            out[name] = years[-1][name]
            continue
        joined = pd.concat(frames, ignore_index=True)
        out[name] = joined.drop_duplicates(_SAME_ROW[name], keep="last").reset_index(drop=True)
    return out


def _ssda903_files(files: list[tuple[str, bytes]], la_code: str, period: str, context: dict, report) -> dict | None:
    """The DfE's tables as files (any number, or zips of them; one year or several): checked by each year's DfE
    rules, then degraded and joined into one history."""
    checked = check_years(files, period, report)
    if checked is None:
        return None
    return combine_years([store_rows(ret, la_code, context["child_id_key"]) for ret in checked])


def _file_label(source, default: str) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name
    return getattr(source, "name", None) or default


# --- published DfE figures ------------------------------------------------------------------------------------------

def _published_value(text) -> tuple[float | None, str | None]:
    text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text).strip()
    if text in ("c", "k", "z", "x", "u"):
        return None, text
    if text == "":
        return None, None
    return float(text.replace(",", "")), None


def read_published_cla(path) -> list[dict]:
    """Rows of DfE's "CLA on 31 March by characteristics" file (LA, regional and national rows; London only)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    needed = {"time_period", "geographic_level", "region_name", "new_la_code", "la_name", "cla_group", "characteristic",
              "cla_31_march_number", "percentage"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"{_file_label(path, 'file')}: missing column(s) {', '.join(sorted(missing))}")
    rows = {}
    for record in frame.to_dict("records"):
        level = record["geographic_level"]
        if level == "Local authority" and record["new_la_code"] in LA_PLACES:
            area, name = record["new_la_code"], record["la_name"]
        elif level == "Regional" and record["region_name"] in ("London", "Inner London", "Outer London"):
            area, name = {"London": "london", "Inner London": "inner", "Outer London": "outer"}[record["region_name"]], record["region_name"]
        elif level == "National":
            area, name = "england", "England"
        else:
            continue
        number, number_marker = _published_value(record["cla_31_march_number"])
        pct, pct_marker = _published_value(record["percentage"])
        key = (int(record["time_period"]), area, record["cla_group"], record["characteristic"])
        rows[key] = {"time_period": key[0], "area_code": area, "cla_group": key[2], "characteristic": key[3], "area_name": name,
                     "number": number, "number_marker": number_marker, "percentage": pct, "percentage_marker": pct_marker}
    return list(rows.values())


def store_published_cla(engine: Engine, rows: list[dict]) -> int:
    with write_transaction(engine, PUBLISHED_NAME) as conn:
        conn.execute(published.delete())
        for i in range(0, len(rows), 5000):
            conn.execute(published.insert(), rows[i:i + 5000])
        return bump_version(conn, PUBLISHED_NAME, is_demo=False)


# --- the one-file form: one row per episode, with the child's header details on each ------------------------------

SSDA903_HEADER = ("child", "sex", "dob", "ethnic", "uasc", "duc")
EPISODE_COLUMNS = DFE_TABLES["Episodes"].columns
_SSDA903_MEANING = {
    "child": "The child's id in your system (pseudonymised with a keyed hash when stored; never shown).",
    "sex": "1 male, 2 female (from 2024/25: M, F or U).", "dob": "Date of birth (dd/mm/yyyy; stored to the month).",
    "ethnic": "DfE ethnicity code (see the Codes sheet).", "uasc": "1 if the child was an unaccompanied asylum-seeking child.",
    "duc": "Date UASC status ceased, if it has.", "decom": "Date the episode began.", "rne": "Reason for new episode.",
    "ls": "Legal status.", "cin": "Category of need.", "place": "Placement type.", "place_provider": "Placement provider.",
    "dec": "Date the episode ceased (blank if open).", "rec": "Reason the episode ceased (with DEC).",
    "reason_place_change": "Reason for placement change.", "home_post": "Postcode of the child's home (cut to its sector).",
    "pl_post": "Postcode of the placement (cut to its sector).", "urn": "Ofsted URN of the provider, if it has one.",
}
_SSDA903_OPTIONAL = {"uasc", "duc", "dec", "rec", "reason_place_change", "home_post", "pl_post", "urn"}


def _ssda903_rows(_parsed, text: pd.DataFrame, la_code: str, period: str, context):
    """Split the one file into the DfE's Header, UASC and Episodes tables and check them by the same DfE rules as
    the tables themselves. A child's header details must be the same on each of its rows; its first row is its
    header row."""
    text = text.reset_index(drop=True).fillna("").astype(str).apply(lambda c: c.str.strip())
    for column in _SSDA903_OPTIONAL:
        if column not in text.columns:
            text[column] = ""
    child_id = text["child"]
    first = ~child_id.duplicated()
    header_index = text.index[first]
    first_row = pd.Series(header_index, index=child_id[first])
    problems = []
    firsts = text.loc[first, list(SSDA903_HEADER)].set_index(child_id[first])
    for column in SSDA903_HEADER[1:]:
        differs = ~first & (text[column] != child_id.map(firsts[column]))
        problems += [(i, column, f"differs from row {first_row[child_id[i]] + FIRST_DATA_ROW} for the same child")
                     for i in text.index[differs]]
    upper = text.rename(columns=str.upper)
    header = upper.loc[first].reset_index(drop=True).reindex(columns=DFE_TABLES["Header"].columns, fill_value="")
    is_uasc = (upper.loc[first, "UASC"] == "1") | (upper.loc[first, "DUC"] != "")
    uasc = upper.loc[first][is_uasc.to_numpy()].reset_index(drop=True).reindex(columns=DFE_TABLES["UASC"].columns,
                                                                                 fill_value="")
    episodes = upper.reindex(columns=EPISODE_COLUMNS, fill_value="")
    checked = Return({"Header": header, "UASC": uasc, "Episodes": episodes}, int(period[:4]), la_code)
    where = {"Header": list(header_index), "UASC": list(header_index[is_uasc.to_numpy()]), "Episodes": list(text.index)}
    for finding in check(checked):
        definition = RULES[finding.rule]
        if definition.level == "error":
            problems.append((where[finding.table][finding.row], finding.column.lower(),
                             f"DfE rule {definition.code}: {definition.message}"))
    if problems:
        return None, problems
    return store_rows(checked, la_code, context["child_id_key"]), []


def _code_sheet(_catalogue) -> dict[str, pd.DataFrame]:
    return {"Codes": pd.DataFrame([{"list": name, "code": code, "meaning": label}
                                   for name, items in CODE_LISTS.items() for code, label, _group in items])}


def _fill_code_list(conn) -> None:
    """The code lists the page labels codes with: refreshed, so a store made before a code was added gets it."""
    conn.execute(code.delete())
    conn.execute(code.insert(), code_rows())


def _pseudonym_context(_conn, _la_code, _period) -> dict:
    return {"child_id_key": pseudonym_key(settings_from_env().child_id_key, DATA_DIR)}


UPLOAD = DatasetSpec(
    name=NAME,
    label="SSDA903 looked-after children episodes (Sufficiency)",
    description="The DfE's SSDA903 tables as the LA sends them (Header, Episodes, UASC and any of the others), "
                "or one row per episode with the child's header details (SEX, DOB, ETHNIC, UASC, DUC) repeated on "
                "each of the child's rows: the LA's whole history as at the year end, checked by the DfE's rules "
                "for the collection year. It replaces everything stored for the LA. Child ids are pseudonymised, "
                "dates of birth kept to the month, postcodes cut to sectors.",
    period_label="collection year end (31 March, YYYY-03-31)",
    columns=tuple(ColumnSpec(name, "text", _SSDA903_MEANING[name], allow_blank=True, required=name not in _SSDA903_OPTIONAL,
                             example={"child": "A123456", "sex": "M", "dob": "14/02/2012", "ethnic": "WBRI", "uasc": "0",
                                      "decom": "01/05/2024", "rne": "S", "ls": "C2", "cin": "N1", "place": "U4",
                                      "place_provider": "PR1", "home_post": "SE15 4RG", "pl_post": "SE22 8AA"}.get(name, ""))
                  for name in (*SSDA903_HEADER, *(c.lower() for c in EPISODE_COLUMNS if c != "CHILD"))),
    key=("child", "decom"),
    max_rows=2_000_000,
    la_column=None, period_column=None,   # SSDA903 extracts name neither: the choice does
    period=COLLECTION_YEAR,
    targets=(Target(child), Target(episode), Target(EPISODE_PLACE), *(Target(table) for table in STORED.values())),
    to_store=_ssda903_rows,
    read_files=_ssda903_files,
    standard="ssda903",
    context=_pseudonym_context,
    current_per_la=True,
    reference_sheets=_code_sheet,
    before_commit=_fill_code_list,
)


# --- published files this page reads (recognised by their columns: dashboard.published.routes) ---------------

def published_routes() -> list[Route]:
    return [
        Route("sufficiency_published", "Sufficiency", "DfE children looked after at 31 March by characteristics",
              PUBLISHED_NAME,
              frozenset({"time_period", "geographic_level", "region_name", "new_la_code", "la_name", "cla_group",
                         "characteristic", "cla_31_march_number", "percentage"}),
              lambda path, _c: read_published_cla(path),
              lambda engine, rows, _c: store_published_cla(engine, rows),
              lambda rows: (len(rows), sum(is_london(r["area_code"]) for r in rows),
                            Counter(m for r in rows for m in (r["number_marker"], r["percentage_marker"]) if m))),
    ]




# --- its published figures in the export (dashboard.published.page_figures) ----------------------------------

def published_figures(engine: Engine, names: dict[str, str]) -> pd.DataFrame:
    """Its published figures (never demo rows) as the export's long rows: source, indicator, period, la_code, la_name, value, marker."""
    rows = read_table(engine, published)
    if not len(rows):
        return pd.DataFrame(columns=COLUMNS)
    regions = {"london": LONDON, "inner": INNER, "outer": OUTER, "england": ENGLAND}
    latest = int(rows["time_period"].max())
    frame = pd.DataFrame({"source": f"{CLA_SOURCE}, 2021 to {latest}",
                          "indicator": "cla_31_march / " + rows["cla_group"] + " / " + rows["characteristic"],
                          "period": rows["time_period"].astype(str), "la_code": rows["area_code"].replace(regions),
                          "la_name": rows["area_name"], "number": rows["number"], "percentage": rows["percentage"],
                          "number_marker": rows["number_marker"], "percentage_marker": rows["percentage_marker"]})
    return long_figures(frame, {"number": " / number", "percentage": " / %"},
                 {"number": "number_marker", "percentage": "percentage_marker"})


# --- saved forecast scenarios ---------------------------------------------------------------------------------------

SCENARIO_NAME_LENGTH = 80


def validate_scenario_name(name) -> str:
    """A scenario's name: 1 to 80 printable characters (spaces at either end dropped)."""
    text = str(name or "").strip()
    if not text:
        raise ValueError("Give the scenario a name before saving it.")
    if len(text) > SCENARIO_NAME_LENGTH:
        raise ValueError(f"A scenario's name is at most {SCENARIO_NAME_LENGTH} characters; this one has {len(text)}.")
    if not text.isprintable():
        raise ValueError("A scenario's name may hold letters, numbers, spaces and punctuation only.")
    return text


def save_scenario(engine: Engine, la_code: str, name: str, settings: dict, description: str, *, actor: str) -> int:
    """Save (or replace) the LA's named scenario in one transaction with the version bump and the audit entry."""
    name = validate_scenario_name(name)
    text = json.dumps({k: v for k, v in settings.items() if v not in (None, "")}, sort_keys=True)
    if len(text) > 2000:
        raise ValueError("These settings are too long to save.")
    now = datetime.now(timezone.utc)
    with write_transaction(engine, SCENARIOS_NAME) as conn:
        old = conn.execute(select(scenario.c.id).where(scenario.c.la_code == la_code, scenario.c.name == name)).first()
        values = {"settings": text, "saved_by": actor, "saved_at": now}
        if old is None:
            conn.execute(scenario.insert().values(la_code=la_code, name=name, **values))
        else:
            conn.execute(update(scenario).where(scenario.c.id == old.id).values(**values))
        version = bump_version(conn, SCENARIOS_NAME)
        record_event(conn, actor=actor, event="sufficiency_scenario_saved",
                     detail=f"{la_code} \"{name}\" {'replaced' if old else 'new'}: {description}")
    return version
