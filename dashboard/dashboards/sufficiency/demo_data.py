"""Sufficiency's demo: synthetic children looked after by each London LA, placed in real places, written as the DfE's
SSDA903 tables (Header, Episodes, UASC, Reviews, AD1, PlacedAdoption, PrevPerm, OC2, OC3, Missing): each LA's return
for the collection year 2024/25 holding its history from April 2018 (as the Upload page takes an LA's whole history
as at the year end), valid under the DfE's rules for 2024/25. `returns.load_demo` stores them through the upload's
own path (read, checked by the rules, degraded), so the demo is also the example upload
(`python -m dashboard demo-returns FOLDER --la CODE` writes an LA's). `yearly_returns` can also write one set per
collection year, each checked by its own year's rules.

Places are real: every home and placement postcode is a real postcode from the ONS Postcode Directory (the package
the ingest looks postcodes up in): ten real sectors in each London LA (sectors lying almost wholly in it) and the
two largest sectors of each of 29 districts beyond London, so the ingest derives distances and LAs as for a real return.

Demo data shapes (London, all rounded, from DfE "Children looked after in England including adoptions" 2021-2025,
which ../shared/realdata/cla/ holds): about 9,300 children looked after at 31 March 2025 (sizes per LA below are the
published 2025 totals, City of London's suppressed figure set to 15), about 45% of the stock starting each year,
12% UASC (concentrated in Croydon, Redbridge, Hillingdon, Hounslow...), 68% in foster care (39% of all placements the
LA's own provision, 49% private), 10% children's homes, 12% supported accommodation, 3% placed with parents;
34% placed inside the LA boundary; 70% within 20 miles; about 10% with 3 or more placements in a year. A UASC child
has no home postcode (the DfE asks none), so their distance is not known. Ofsted grades: about 20% outstanding, 60%
good, 15% requires improvement, 5% inadequate (Ofsted children's social care statistics, children's homes);
supported accommodation was only registered from 2023, so it has no grade before its first inspection. Placements
the DfE asks a URN for whose provider the demo does not hold (the LA's own foster carers, adoption, schools, family
centres) carry the DfE's "XXXXXXX".
"""
from __future__ import annotations

import hashlib
import io
import random
import zipfile
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.dashboards.sufficiency.data import DEMO_END, DEMO_START
from dashboard.ingest.ssda903 import geography
from dashboard.ingest.ssda903.rules import no_urn_places
from dashboard.store.reference import read_reference_csvs, region_of_district
from dashboard.store.ssda903 import TABLES as DFE_TABLES

# --- places: London LAs (ONS codes) and districts beyond London -----------------------------------------------
LA_CODES = tuple(f"E090000{n:02d}" for n in range(1, 34))
# Outside London: (postcode district, area); the demo's placements beyond London are in these districts, each in the
# region its local authority district is in (data/district_regions.csv).
OUTSIDE_PLACES = [
    ("ME14", "Kent"), ("CT1", "Kent"), ("DA1", "Kent"), ("GU1", "Surrey"), ("RH1", "Surrey"), ("RG1", "Berkshire"),
    ("SL1", "Berkshire"), ("BN1", "East and West Sussex"), ("RH10", "East and West Sussex"),
    ("MK9", "Buckinghamshire and Milton Keynes"), ("CM1", "Essex"), ("SS1", "Essex"), ("CO1", "Essex"),
    ("AL1", "Hertfordshire"), ("SG1", "Hertfordshire"), ("LU1", "Bedfordshire and Luton"), ("NR1", "Norfolk"),
    ("B1", "West Midlands"), ("CV1", "Warwickshire and Coventry"), ("NG1", "Nottinghamshire"), ("LE1", "Leicestershire"),
    ("M1", "Greater Manchester"), ("L1", "Merseyside"), ("LS1", "West Yorkshire"), ("S1", "South Yorkshire"),
    ("BS1", "Bristol"), ("EX1", "Devon"), ("NE1", "Tyne and Wear"), ("CF10", "Cardiff"),
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
# The first letters of London's postcode areas (BR, CR, DA, E, EC, EN, HA, IG, KT, N, NW, RM, SE, SM, SW, TW, UB, W, WC).
_LONDON_LETTERS = "BCDEHIKNRSTUW"
_SECTORS_PER_LA = 10


def _lat_lon(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OS National Grid -> latitude and longitude (the Ordnance Survey's inverse transverse Mercator on the Airy 1830
    ellipsoid; no datum shift, so within about 120 m of WGS84: ample for a sector's centre on a map)."""
    a, b, f0 = 6377563.396, 6356256.909, 0.9996012717
    lat0, lon0, n0, e0 = np.radians(49.0), np.radians(-2.0), -100000.0, 400000.0
    e2, n = 1 - b * b / (a * a), (a - b) / (a + b)
    easting, northing = np.asarray(easting, float), np.asarray(northing, float)

    def meridian(lat):
        d, s = lat - lat0, lat + lat0
        return b * f0 * ((1 + n + 1.25 * n**2 + 1.25 * n**3) * d - (3 * n + 3 * n**2 + 2.625 * n**3) * np.sin(d) * np.cos(s)
                         + (1.875 * n**2 + 1.875 * n**3) * np.sin(2 * d) * np.cos(2 * s) - 35 / 24 * n**3 * np.sin(3 * d) * np.cos(3 * s))
    lat = (northing - n0) / (a * f0) + lat0
    for _ in range(8):
        lat = lat + (northing - n0 - meridian(lat)) / (a * f0)
    sin, tan, sec = np.sin(lat), np.tan(lat), 1 / np.cos(lat)
    nu = a * f0 / np.sqrt(1 - e2 * sin**2)
    rho = a * f0 * (1 - e2) / (1 - e2 * sin**2) ** 1.5
    eta2 = nu / rho - 1
    de = easting - e0
    lat_out = lat - tan / (2 * rho * nu) * de**2 + tan / (24 * rho * nu**3) * (5 + 3 * tan**2 + eta2 - 9 * tan**2 * eta2) * de**4 \
        - tan / (720 * rho * nu**5) * (61 + 90 * tan**2 + 45 * tan**4) * de**6
    lon_out = lon0 + sec / nu * de - sec / (6 * nu**3) * (nu / rho + 2 * tan**2) * de**3 \
        + sec / (120 * nu**5) * (5 + 28 * tan**2 + 24 * tan**4) * de**5 \
        - sec / (5040 * nu**7) * (61 + 662 * tan**2 + 1320 * tan**4 + 720 * tan**6) * de**7
    return np.degrees(lat_out), np.degrees(lon_out)


def _spaced(keys: pd.Index) -> np.ndarray:
    """'SE154RG' -> 'SE15 4RG' (the directory's keys have no space; its inward code is always three characters)."""
    return np.array([f"{k[:-3]} {k[-3:]}" for k in keys], dtype=object)


class Geography:
    """Real postcode sectors (and their postcodes) in each London LA and in the districts beyond London."""

    def __init__(self, rng: np.random.Generator):
        names = read_reference_csvs()["local_authority"].set_index("ons_code")["name"].to_dict()
        self.postcodes: dict[str, np.ndarray] = {}        # sector -> its postcodes ("SE15 4RG") in the sector's area
        self.sectors: dict[str, list[str]] = {}           # area (London LA code, or district beyond London) -> sectors
        rows = []
        london = pd.concat([geography.postcodes_starting(letter) for letter in _LONDON_LETTERS])
        london = london[london["la_code"].isin(LA_CODES).to_numpy() & london["easting"].notna().to_numpy()]
        postcode = _spaced(london.index)
        sector = np.array([p[:-2] for p in postcode], dtype=object)
        groups = pd.DataFrame({"sector": sector, "la_code": london["la_code"].to_numpy(dtype=object)}).groupby(
            ["sector", "la_code"]).indices
        # A sector counts as an LA's when nearly all its London postcodes are in that LA.
        counts = pd.DataFrame([(s, la, len(at)) for (s, la), at in groups.items()], columns=["sector", "la_code", "n"])
        counts["share"] = counts["n"] / counts.groupby("sector")["n"].transform("sum")
        counts = counts[(counts["share"] >= 0.8) & (counts["n"] >= 20)].sort_values(["la_code", "sector"])
        eastings, northings = london["easting"].to_numpy(), london["northing"].to_numpy()
        for la_code, candidates in counts.groupby("la_code"):
            k = min(_SECTORS_PER_LA, len(candidates))
            picked = sorted(rng.choice(candidates["sector"].to_numpy(), size=k, replace=False,
                                       p=(candidates["n"] / candidates["n"].sum()).to_numpy()))
            self.sectors[la_code] = picked
            for one in picked:
                at = groups[(one, la_code)]
                self.postcodes[one] = postcode[at]
                lat, lon = _lat_lon(eastings[at].mean(), northings[at].mean())
                rows.append({"sector": one, "lat": round(float(lat), 4), "lon": round(float(lon), 4), "area_code": la_code,
                             "area_name": names.get(la_code, la_code), "region": "London"})
        self.area_of_district: dict[str, tuple[str, str]] = {}
        by_letter: dict[str, tuple] = {}
        for district, area in OUTSIDE_PLACES:
            if district[0] not in by_letter:
                letter = geography.postcodes_starting(district[0])
                letter = letter[letter["easting"].notna().to_numpy()]   # some postcodes have no grid reference
                outward = np.array([k[:-3] for k in letter.index], dtype=object)
                by_letter[district[0]] = (letter, outward)
            letter, outward = by_letter[district[0]]
            at = np.flatnonzero(outward == district)
            spaced = np.empty(len(letter), dtype=object)
            spaced[at] = _spaced(letter.index[at])
            sectors = pd.Series([p[:-2] for p in spaced[at]], dtype=object)
            self.sectors[district] = sorted(sectors.value_counts().index[:2])
            region = region_of_district(letter["la_code"].iloc[at]).mode().iloc[0]
            self.area_of_district[district] = (area, region)
            for one in self.sectors[district]:
                inside = at[(sectors == one).to_numpy()]
                self.postcodes[one] = spaced[inside]
                lat, lon = _lat_lon(letter["easting"].to_numpy()[inside].mean(), letter["northing"].to_numpy()[inside].mean())
                rows.append({"sector": one, "lat": round(float(lat), 4), "lon": round(float(lon), 4), "area_code": area,
                             "area_name": area, "region": region})
        self.sector_rows = rows

    def postcode(self, r: random.Random, area: str) -> str:
        sector = r.choice(self.sectors[area])
        return self.postcodes[sector][r.randrange(len(self.postcodes[sector]))]


# --- the generator ------------------------------------------------------------------------------------------
_ENTRY_AGE_P = (0.18, 0.14, 0.14, 0.32, 0.22)           # DfE starts by age, London, rounded
# Placement group by age band on entering a placement: in-house foster, agency foster, homes, supported, parents, other.
_GROUP_P = {
    0: (0.55, 0.30, 0.00, 0.00, 0.05, 0.10), 1: (0.50, 0.38, 0.00, 0.00, 0.05, 0.07), 2: (0.45, 0.43, 0.03, 0.00, 0.05, 0.04),
    3: (0.30, 0.40, 0.21, 0.00, 0.04, 0.05), 4: (0.16, 0.24, 0.16, 0.38, 0.02, 0.04),
}
_GROUP_P_UASC = {3: (0.35, 0.55, 0.05, 0.00, 0.00, 0.05), 4: (0.12, 0.25, 0.03, 0.58, 0.00, 0.02)}
# Where a placement of each group is: own LA, same sub-region, elsewhere in London, outside London.
_LOCATION_P = {0: (0.45, 0.25, 0.15, 0.15), 1: (0.20, 0.20, 0.27, 0.33), 2: (0.08, 0.10, 0.14, 0.68),
               3: (0.35, 0.25, 0.25, 0.15), 4: (0.82, 0.10, 0.05, 0.03), 5: (0.25, 0.20, 0.20, 0.35)}
# "Other" placements and their providers (Z1 has none: the DfE's rules leave it optional).
_OTHER_PLACES = (("A6", "PR1"), ("R3", "PR4"), ("S1", "PR4"), ("R2", "PR3"), ("Z1", ""), ("R5", "PR3"))
_ETHNIC_P = {"WBRI": .22, "WOTH": .10, "WIRI": .01, "WROM": .01, "MWBC": .08, "MWBA": .03, "MWAS": .02, "MOTH": .07,
             "AIND": .02, "APKN": .02, "ABAN": .03, "AOTH": .03, "BCRB": .08, "BAFR": .12, "BOTH": .07, "CHNE": .005,
             "OOTH": .08, "REFU": .005, "NOBT": .01}
_ETHNIC_UASC_P = {"BAFR": .30, "AOTH": .35, "OOTH": .30, "WOTH": .05}
DAY = timedelta(days=1)


def _month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def _hash_id(seed: int, la_code: str, n: int) -> str:
    return hashlib.sha256(f"{seed}:{la_code}:{n}".encode()).hexdigest()[:12]


def _cum(p) -> list[float]:
    """Cumulative weights for random.choices (fast in the per-child loop)."""
    return list(np.cumsum(p) / np.sum(p))


def _pick(r: random.Random, items, cum) -> object:
    return r.choices(items, cum_weights=cum)[0]


class _Places:
    """Where the generator places children: areas by LA and sub-region, real postcodes, Ofsted providers by group."""

    def __init__(self, r: random.Random, geo: Geography, providers: list[dict], las: pd.DataFrame):
        self.r, self.geo = r, geo
        self.subregion = las.set_index("ons_code")["subregion_code"].to_dict()
        self.london = sorted(LA_CODES)
        self.same_subregion = {la: [o for o in self.london if o != la and self.subregion[o] == self.subregion[la]] for la in self.london}
        self.elsewhere = {la: [o for o in self.london if self.subregion[o] != self.subregion[la]] for la in self.london}
        districts = [district for district, _area in OUTSIDE_PLACES]
        # Nearer regions take most out-of-London placements (South East and East of England); an area's districts
        # share its weight.
        weight = np.array([{"South East": 5.0, "East of England": 4.0}.get(geo.area_of_district[district][1], 0.6) / sum(
            1 for _d, a in OUTSIDE_PLACES if a == area) for district, area in OUTSIDE_PLACES])
        self.outside, self.outside_cum = districts, _cum(weight)
        self.location_cum = {g: _cum(p) for g, p in _LOCATION_P.items()}
        self.homes: dict[str, list[dict]] = {}
        for p in providers:
            if p["provider_type"] == "Children's home":
                self.homes.setdefault(p["area"], []).append(p)
        self.ifas = [p["urn"] for p in providers if p["provider_type"] == "Independent fostering agency"]
        self.supported = [p["urn"] for p in providers if p["provider_type"] == "Supported accommodation"]

    def area(self, la: str, group: int) -> str:
        where = _pick(self.r, (0, 1, 2, 3), self.location_cum[group])
        if where == 0:
            return la
        if where == 1 and self.same_subregion[la]:
            return self.r.choice(self.same_subregion[la])
        if where <= 2:
            return self.r.choice(self.elsewhere[la])
        return _pick(self.r, self.outside, self.outside_cum)

    def postcode(self, area: str) -> str:
        return self.geo.postcode(self.r, area)


def _providers(rng, r: random.Random, geo: Geography) -> tuple[list[dict], list[dict]]:
    """Children's homes in every area (each at a real postcode), independent fostering agencies, supported
    accommodation; their grades over time."""
    providers, grades = [], []
    n = 0

    def add(name, kind, area, postcode, first_inspection, every_months):
        nonlocal n
        n += 1
        urn = f"SC{400000 + n * 7:06d}"
        providers.append({"urn": urn, "name": name, "provider_type": kind, "sector": postcode[:-2] if postcode else None,
                          "area": area, "postcode": postcode})
        grade = int(rng.choice(4, p=(0.2, 0.6, 0.15, 0.05))) + 1
        when = first_inspection
        while when <= pd.Timestamp(DEMO_END):
            grades.append({"urn": urn, "inspection_date": when.date(), "grade": grade})
            # Grades persist; a provider judged inadequate usually improves at its re-inspection.
            if grade == 4 or rng.random() > 0.7:
                grade = int(np.clip(grade + rng.choice([-1, 1], p=(0.6, 0.4) if grade > 2 else (0.4, 0.6)), 1, 4))
            when = when + pd.DateOffset(months=int(rng.integers(every_months - 3, every_months + 4)))
    for area in [*LA_CODES, *(district for district, _a in OUTSIDE_PLACES)]:
        for k in range(int(rng.integers(5, 12))):
            postcode = geo.postcode(r, area)
            add(f"Demo children's home {postcode.split()[0]}-{k + 1}", "Children's home", area, postcode,
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


def generate_demo(seed: int, only: tuple[str, ...] | None = None) -> dict:
    """The demo, reproducible from the seed: `returns` (each LA's SSDA903 files, one set per collection year),
    `every_la` (the same tables with every LA's rows, as the demo load checks them) and `child_la` (each child's LA),
    and the reference rows no return carries (postcode sectors, Ofsted providers and their grades). `only`: only these
    LAs' children (a different draw from the same seed's whole demo; for quick checks of the generator)."""
    rng = np.random.default_rng(seed + 903)
    r = random.Random(seed + 903)
    las = read_reference_csvs()["local_authority"]
    geo = Geography(rng)
    providers, grades = _providers(rng, r, geo)
    places = _Places(r, geo, providers, las)
    ethnic_codes, ethnic_cum = list(_ETHNIC_P), _cum(list(_ETHNIC_P.values()))
    uasc_codes, uasc_cum = list(_ETHNIC_UASC_P), _cum(list(_ETHNIC_UASC_P.values()))
    months = pd.date_range("2006-04-01", DEMO_END, freq="MS")
    years_from_end = np.array([(m.date() - DEMO_END).days / 365.25 for m in months])
    # UASC arrivals rose sharply in 2022-23 (the national transfer scheme made them mandatory).
    uasc_wave = np.where((months >= "2021-07-01") & (months < "2024-01-01"), 1.6, np.where(months < "2015-06-01", 0.6, 1.0))
    month_dates = [m.date() for m in months]
    children, episodes = [], []

    for la_code in sorted(only or LA_SIZES):
        stock, uasc_stock = LA_SIZES[la_code]
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
                    age = min(age, 17.85)   # under 18 on entering care, to the month of birth kept
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
                    children.append({"la_code": la_code, "CHILD": child_id, "SEX": sex, "DOB": dob, "ETHNIC": ethnic,
                                     "UASC": is_uasc, "DUC": eighteen if is_uasc else None, "entry": entry, "leave": leave})
                    episodes += _period_of_care(r, places, la_code, child_id, entry, leave, eighteen, age, is_uasc)
    children = pd.DataFrame(children)
    episodes = pd.DataFrame(episodes)
    names = read_reference_csvs()["local_authority"].set_index("ons_code")["name"].to_dict()
    provider_places = {}   # URN -> (the name of the LA or area it is in, its postcode), for Ofsted's layout
    for p in providers:
        area, postcode = p.pop("area"), p.pop("postcode")
        provider_places[p["urn"]] = (names.get(area, area), postcode)
    by_la, every_la = yearly_returns(children, episodes, np.random.default_rng(seed + 904), years=DEMO_YEARS,
                                     since=DEMO_START)
    return {"returns": by_la, "every_la": every_la, "child_la": children.set_index("CHILD")["la_code"],
            "postcode_sector": geo.sector_rows, "provider": providers, "provider_grade": grades,
            "provider_places": provider_places}


def _period_of_care(r, places, la_code, child_id, entry, leave, eighteen, age, is_uasc) -> list[dict]:
    """The episodes of one period of care: placement moves and legal status changes split it."""
    frailty = r.gammavariate(1.2, 1 / 1.2)   # some children move far more often than others
    move_rate = (0.45 if age < 10 else 0.8) * max(frailty, 0.02)
    home_post = "" if is_uasc else places.postcode(la_code)   # the DfE asks no home postcode of a UASC child
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
    # The extract ends on DEMO_END: nothing after it is known yet, so the episode open then stays open. Two changes
    # on one day are one (two episodes may not start on the same day: DfE rule 501).
    changes = sorted(c for c in changes if c[0] <= DEMO_END)
    changes = [c for i, c in enumerate(changes) if c[0] != entry and (i == 0 or c[0] != changes[i - 1][0])]
    rows, start, rne = [], entry, "S"
    group, place, prov, urn, pl_post = _placement(r, places, la_code, age, is_uasc, legal)
    for when, kind in changes + [(leave, "end")]:
        ends = None if kind == "end" and leave > DEMO_END else when
        rec = reason = ""
        if ends is not None:
            rec = "X1" if kind != "end" else _reason_ceased(r, leave, eighteen, adopted, group, age)
            if kind == "adoption":
                reason = "CARPL"
            elif kind == "move":
                reason = _pick(r, _MOVE_REASONS, _MOVE_CUM)
        rows.append({"la_code": la_code, "CHILD": child_id, "DECOM": start, "RNE": rne, "LS": legal, "CIN": cin,
                     "PLACE": place, "PLACE_PROVIDER": prov, "DEC": ends, "REC": rec, "REASON_PLACE_CHANGE": reason,
                     "HOME_POST": home_post, "PL_POST": pl_post, "URN": urn})
        if ends is None or kind == "end":
            break
        start = when
        age_now = age + (when - entry).days / 365.25
        if kind == "legal":
            legal, rne = "C2", "L"
        elif kind == "adoption":
            legal, rne = "E1", "T"
            group, place, prov, urn = 5, "A6", "PR1", ""
            pl_post = places.postcode(places.area(la_code, 0))
        else:
            rne = "P"
            if r.random() < 0.55 or (age_now >= 16 and r.random() < 0.5):
                group, place, prov, urn, pl_post = _placement(r, places, la_code, age_now, is_uasc, legal)
            else:
                _, place, prov, urn, pl_post = _placement(r, places, la_code, age_now, is_uasc, legal, group)
    return rows


def _own_area(drawn: str) -> random.Random:
    """The draw that moves an own-provision placement into its LA: seeded by the postcode first drawn, so the demo's
    other draws (and every other child) stay as they were."""
    return random.Random(drawn)


def _placement(r, places, la_code, age, is_uasc, legal, group=None):
    band = _age_band_index(age)
    if group is None:
        cum = _GROUP_CUM_UASC.get(band, _GROUP_CUM[band]) if is_uasc else _GROUP_CUM[band]
        group = _pick(r, (0, 1, 2, 3, 4, 5), cum)
    if group == 4 and legal == "V2":
        group = 0   # a child accommodated under section 20 is not placed with parents (DfE rule 378)
    area = places.area(la_code, group)
    pl_post = places.postcode(area)
    urn = ""
    if group == 0:
        place, prov = r.choices(("U1", "U3", "U4", "U6"), cum_weights=(0.15, 0.3, 0.6, 1.0))[0], "PR1"
    elif group == 1:
        place = r.choices(("U1", "U3", "U4", "U6"), cum_weights=(0.05, 0.1, 0.5, 1.0))[0]
        prov = r.choices(("PR4", "PR5", "PR2"), cum_weights=(0.75, 0.95, 1.0))[0]
        urn = r.choice(places.ifas) if prov != "PR2" else ""
    elif group == 2:
        place = "K1" if r.random() < 0.03 else "K2"
        prov = r.choices(("PR4", "PR1", "PR5"), cum_weights=(0.8, 0.9, 1.0))[0]
        home = r.choice(places.homes.get(area) or places.homes[la_code])
        if prov == "PR1" and area != la_code:   # the LA's own home is in its own area (DfE rule 1015)
            home = _own_area(pl_post).choice(places.homes[la_code])
        urn, pl_post = home["urn"], home["postcode"]
    elif group == 3:
        place = "H5" if r.random() < 0.85 else "P2"
        prov = r.choices(("PR4", "PR5", "PR1"), cum_weights=(0.75, 0.9, 1.0))[0]
        urn = r.choice(places.supported) if place == "H5" else ""
        if prov == "PR1" and area != la_code:   # the LA's own provision is in its own area (DfE rule 1015)
            pl_post = places.geo.postcode(_own_area(pl_post), la_code)
    elif group == 4:
        place, prov = "P1", "PR0"
    else:
        place, prov = _pick(r, _OTHER_PLACES, _OTHER_CUM)
        if (place == "S1" and age < 4) or (place == "R5" and age < 10):
            place, prov = "R3", "PR4"   # schools from 4, custody from 10 (DfE rules 373, 372)
    return group, place, prov, urn, pl_post


def _reason_ceased(r, leave, eighteen, adopted, group, age) -> str:
    if adopted:
        return "E11" if r.random() < 0.6 else "E12"
    if leave >= eighteen - DAY:
        return "E5" if group == 3 else "E17"   # E5: moved to independent living with support
    if age < 10 and r.random() < 0.35:
        # Special guardianship to former foster carers only from foster care (DfE rule 516).
        return r.choice(("E45", "E46", "E41")) if group in (0, 1) else r.choice(("E41", "E47", "E48"))
    return r.choices(("E4A", "E4B", "E13", "E8", "E3"), cum_weights=(0.55, 0.65, 0.8, 0.95, 1.0))[0]


# --- the DfE's tables, one set per collection year --------------------------------------------------------------
YEARS = tuple(range(DEMO_START.year + 1, DEMO_END.year + 1))   # collection years by their 31 March: 2019 ... 2025
# The demo's returns: each LA's last three collection years, the first holding the history from DEMO_START (as an LA
# joining sends its past), the later ones their own year (as it then sends each year's return).
DEMO_YEARS = YEARS[-3:]
SW_FROM = date(2023, 4, 1)   # social worker episodes are collected from 2023/24


def _dmy(values: pd.Series) -> pd.Series:
    """Dates as the DfE's CSV writes them (dd/mm/yyyy); blank where none."""
    return pd.to_datetime(values).dt.strftime("%d/%m/%Y").fillna("")


def _extra_records(children: pd.DataFrame, episodes: pd.DataFrame, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Each child's reviews, missing episodes, adoption and previous permanence records over the whole demo
    (dated, so each year's return takes its own), with the columns the DfE's tables have."""
    kids = children.set_index(["la_code", "CHILD"])
    entry, leave = pd.to_datetime(kids["entry"]), pd.to_datetime(kids["leave"])
    end = pd.Timestamp(DEMO_END)
    # Reviews: 20 days after entry, 3 months later, then every 6 months while looked after.
    n = ((leave.clip(upper=end) - entry).dt.days.clip(lower=0) - 20) // 182 + 2
    n = n.clip(lower=0).astype(int)
    which = np.repeat(np.arange(len(kids)), n.to_numpy())
    k = np.concatenate([np.arange(c) for c in n.to_numpy()]) if len(n) else np.array([], int)
    offset = np.where(k == 0, 20, 20 + 91 + (k - 1) * 182) + rng.integers(-7, 8, len(k)) * (k > 0)
    review = entry.to_numpy()[which] + offset.astype("timedelta64[D]")
    reviews = pd.DataFrame({"key": which, "date": review})
    reviews = reviews[(reviews["date"] <= np.minimum(leave.to_numpy()[which], np.datetime64(end))).to_numpy()]
    age = (reviews["date"] - pd.to_datetime(kids["DOB"]).to_numpy()[reviews["key"]]).dt.days / 365.25
    codes = np.array(["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"])
    reviews["REVIEW_CODE"] = np.where(age < 4, "PN0", codes[rng.choice(7, len(reviews), p=(.45, .15, .15, .1, .07, .05, .03))])
    # Missing: about one child in eight aged 11 or more goes missing or away, some of them often.
    dob = pd.to_datetime(kids["DOB"])
    older_from = np.maximum(entry, dob + pd.DateOffset(years=11)).clip(lower=pd.Timestamp(DEMO_START))
    span = (leave.clip(upper=end) - older_from).dt.days
    chosen = (span > 0).to_numpy() & (rng.random(len(kids)) < 0.12)
    count = np.where(chosen, 1 + rng.poisson(2.0, len(kids)), 0)
    which = np.repeat(np.arange(len(kids)), count)
    start = older_from.to_numpy()[which] + \
        (rng.random(len(which)) * span.to_numpy()[which]).astype("timedelta64[D]")
    length = np.where(rng.random(len(which)) < 0.6, rng.integers(0, 2, len(which)), rng.integers(2, 8, len(which)))
    missing = pd.DataFrame({"key": which, "date": start, "MISSING": np.where(rng.random(len(which)) < 0.75, "M", "A"),
                            "end": start + length.astype("timedelta64[D]")})
    # Adoption: the decision to place, the match, the placement (the A6 episode) and the adoption order.
    placed = episodes[episodes["PLACE"] == "A6"].drop_duplicates(["la_code", "CHILD"])
    key = kids.index.get_indexer(pd.MultiIndex.from_frame(placed[["la_code", "CHILD"]]))
    placed_on = pd.to_datetime(placed["DECOM"]).to_numpy()
    decided = placed_on - rng.integers(60, 240, len(placed)).astype("timedelta64[D]")
    ended = pd.to_datetime(episodes.loc[episodes["REC"].isin(["E11", "E12"])].set_index(["la_code", "CHILD"])["DEC"])
    ended = ended[~ended.index.duplicated()]
    adopted = ended.reindex(pd.MultiIndex.from_frame(placed[["la_code", "CHILD"]])).to_numpy()
    how = episodes.loc[episodes["REC"].isin(["E11", "E12"])].set_index(["la_code", "CHILD"])["REC"]
    how = how[~how.index.duplicated()].reindex(pd.MultiIndex.from_frame(placed[["la_code", "CHILD"]])).fillna("").to_numpy()
    couple = rng.random(len(placed)) < 0.8
    status = np.where(couple, rng.choice(["L0", "L11", "L2"], len(placed), p=(.7, .1, .2)), "L3")
    sex = np.where(~couple, rng.choice(["F1", "M1"], len(placed), p=(.85, .15)),
                   np.where(status == "L11", rng.choice(["FF", "MM"], len(placed)),
                            np.where(rng.random(len(placed)) < 0.9, "MF", rng.choice(["FF", "MM"], len(placed)))))
    adoption = pd.DataFrame({"key": key, "date": decided, "DATE_MATCH": placed_on - rng.integers(10, 45, len(placed)).astype(
        "timedelta64[D]"), "placed": placed_on, "adopted": adopted, "REASON_PLACED_CEASED": how,
        "FOSTER_CARE": np.where(rng.random(len(placed)) < 0.15, "1", "0"), "NB_ADOPTR": np.where(couple, "2", "1"),
        "SEX_ADOPTR": sex, "LS_ADOPTR": status})
    # Previous permanence, asked of every child starting to be looked after: mostly none (Z1).
    prev = rng.choice(["Z1", "P1", "P2", "P3"], len(kids), p=(.9, .02, .05, .03))
    dfe_codes = read_reference_csvs()["local_authority"].set_index("ons_code")["dfe_code"].astype(str)
    la_perm = np.where(prev == "Z1", "", dfe_codes.reindex(kids.index.get_level_values(0)).fillna("").to_numpy())
    perm_on = (dob + pd.to_timedelta(((entry - dob).dt.days * rng.random(len(kids))).astype(int), unit="D"))
    permanence = pd.DataFrame({"key": np.arange(len(kids)), "date": entry.to_numpy(), "PREV_PERM": prev, "LA_PERM": la_perm,
                               "DATE_PERM": np.where(prev == "Z1", "", _dmy(perm_on).to_numpy())})
    return {"Reviews": reviews, "Missing": missing, "Adoption": adoption, "PrevPerm": permanence,
            "SWEpisodes": _social_workers(kids, entry, leave, end, rng)}


_SW_REASONS = (("MANAGE", .3), ("LEFTRL", .25), ("ORGRST", .1), ("TSPROC", .1), ("CHCHAN", .05), ("ABSENC", .05),
               ("PCCHAN", .05), ("FCONTA", .04), ("SWDIED", .01), ("OTHERS", .05))


def _social_workers(kids: pd.DataFrame, entry: pd.Series, leave: pd.Series, end: pd.Timestamp,
                    rng: np.random.Generator) -> pd.DataFrame:
    """Each child's social workers while looked after from April 2023 (when the DfE began to collect them): about
    1.3 changes a year, each episode starting the day the last one ended, the last still open while the child is."""
    first = np.maximum(entry, pd.Timestamp(SW_FROM)).to_numpy()
    last = leave.clip(upper=end).to_numpy()
    span = (last - first).astype("timedelta64[D]").astype(int)
    has = span >= 0
    n = np.where(has, 1 + rng.poisson(1.3 * np.clip(span, 0, None) / 365.25), 0)
    which = np.repeat(np.arange(len(kids)), n)
    k = np.concatenate([np.arange(c) for c in n]) if len(n) else np.array([], int)
    weight = rng.exponential(1.0, len(which))
    total = np.bincount(which, weights=weight, minlength=len(kids))[which]
    upto = pd.Series(weight).groupby(which).cumsum().to_numpy()
    end_day = np.floor(upto / total * span[which]).astype(int)
    start_day = np.where(k == 0, 0, np.concatenate([[0], end_day[:-1]]))
    keep = (end_day > start_day) | (k == n[which] - 1) & (k == 0)   # no empty episode (one whole-stay one may be a day)
    which, k, start_day, end_day = which[keep], k[keep], start_day[keep], end_day[keep]
    is_last = np.append(which[1:] != which[:-1], True)
    still_open = is_last & (leave.to_numpy()[which] > end.to_datetime64())
    sw_start = first[which] + start_day.astype("timedelta64[D]")
    sw_end = first[which] + end_day.astype("timedelta64[D]")
    la_number = pd.factorize(kids.index.get_level_values(0))[0][which]
    reason = rng.choice([c for c, _ in _SW_REASONS], len(which), p=[p for _, p in _SW_REASONS])
    return pd.DataFrame({"key": which, "date": sw_start, "end": np.where(still_open, np.datetime64("NaT"), sw_end),
                         "SW_ID": [f"SW{la:02d}{w:04d}" for la, w in zip(la_number, rng.integers(0, 400, len(which)))],
                         "SW_REASON": reason})


def _oc2(kids: pd.DataFrame, year_end: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """Outcomes of children looked after for 12 months at 31 March: health checks, SDQ, offending, substance misuse."""
    age = (year_end - pd.to_datetime(kids["DOB"])).dt.days / 365.25
    n = len(kids)
    sdq_age = (age >= 4) & (age < 17)
    scored = sdq_age & (rng.random(n) < 0.78)
    misuse = (age >= 10) & (rng.random(n) < 0.04)
    offered = misuse & (rng.random(n) < 0.9)
    flag = lambda p: np.where(rng.random(n) < p, "1", "0")   # noqa: E731
    return pd.DataFrame({
        "CHILD": kids["CHILD"].to_numpy(), "DOB": _dmy(kids["DOB"]).to_numpy(),
        "SDQ_SCORE": np.where(scored, rng.binomial(40, 0.33, n).astype(str), ""),
        "SDQ_REASON": np.where(scored, "", np.where(sdq_age, rng.choice(["SDQ2", "SDQ3", "SDQ4", "SDQ5"], n), "SDQ1")),
        "CONVICTED": np.where((age >= 10) & (rng.random(n) < 0.03), "1", "0"), "HEALTH_CHECK": flag(0.9),
        "IMMUNISATIONS": flag(0.85), "TEETH_CHECK": flag(0.82), "HEALTH_ASSESSMENT": flag(0.9),
        "SUBSTANCE_MISUSE": np.where(misuse, "1", "0"), "INTERVENTION_RECEIVED": np.where(offered & (rng.random(n) < 0.7), "1", "0"),
        "INTERVENTION_OFFERED": np.where(offered, "1", "0")})


_IN_TOUCH = (("YES", .84), ("NO", .05), ("REFU", .03), ("RHOM", .04), ("NREQ", .035), ("DIED", .005))
_ACTIV = (("F1", .07), ("P1", .02), ("F2", .25), ("P2", .05), ("F3", .14), ("P3", .06), ("G4", .09), ("G5", .26),
          ("G6", .06))
_ACCOM = (("U1", .26), ("D1", .2), ("Z1", .12), ("B1", .1), ("E1", .06), ("K1", .04), ("T1", .04), ("C1", .03),
          ("Y1", .05), ("X2", .02), ("S2", .01), ("W2", .01), ("V2", .01), ("G1", .01), ("B2", .01), ("D2", .03))


def _oc3(leavers: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Care leavers aged 17 to 21 on their birthday in the year: in touch, activity, accommodation."""
    n = len(leavers)
    touch = rng.choice([c for c, _ in _IN_TOUCH], n, p=[p for _, p in _IN_TOUCH])
    known = touch == "YES"
    return pd.DataFrame({
        "CHILD": leavers["CHILD"].to_numpy(), "DOB": _dmy(leavers["DOB"]).to_numpy(), "IN_TOUCH": touch,
        "ACTIV": np.where(known, rng.choice([c for c, _ in _ACTIV], n, p=[p for _, p in _ACTIV]), ""),
        "ACCOM": np.where(known, rng.choice([c for c, _ in _ACCOM], n, p=[p for _, p in _ACCOM]), "")})


def yearly_returns(children: pd.DataFrame, episodes: pd.DataFrame, rng: np.random.Generator, years=YEARS,
                   since: date | None = None) -> tuple[dict[str, list[tuple[str, bytes]]], list[tuple[str, bytes]]]:
    """Each LA's SSDA903 files, and every LA's together (the same tables, not split), one set per collection year (named "2023-24_episodes.csv" ...): the children looked
    after in the year with their episodes open in it (an episode still open at the year's end as it then stood),
    their reviews and missing episodes in the year, adoption and previous permanence records, OC2 for those looked
    after for a year at its end, OC3 for care leavers aged 17 to 21 in it, and from 2023/24 their social workers.
    With `since`, the first year's set holds the history from that date instead of its year alone (as an LA sends
    its past when it first joins); its UASC table still holds only the children whose UASC status ceased in the year
    or later (earlier ones are flagged UASC in the Header: DfE rule 104 refuses a UASC row that ceased before the
    year)."""
    extra = _extra_records(children, episodes, rng)
    children = children.reset_index(drop=True)
    key_of = pd.Series(np.arange(len(children)), index=pd.MultiIndex.from_frame(children[["la_code", "CHILD"]]))
    episodes = episodes.assign(key=key_of.reindex(pd.MultiIndex.from_frame(episodes[["la_code", "CHILD"]])).to_numpy())
    decom, dec = pd.to_datetime(episodes["DECOM"]), pd.to_datetime(episodes["DEC"])
    text = {c: episodes[c].fillna("").astype(str) for c in DFE_TABLES["Episodes"].columns if c not in ("DECOM", "DEC")}
    text["DECOM"], text["DEC"] = _dmy(decom), _dmy(dec)
    dob_text = _dmy(children["DOB"])
    duc_text = _dmy(children["DUC"])
    entry, leave, dob = (pd.to_datetime(children[c]) for c in ("entry", "leave", "DOB"))
    adopted_any = children.index.isin(episodes.loc[episodes["REC"].isin(["E11", "E12"]), "key"])
    sixteen = dob + pd.DateOffset(years=16)
    # In care on their 16th birthday, not adopted: a care leaver from 17 (DfE's "relevant" and "former relevant").
    leaver = (entry <= sixteen) & (leave > sixteen) & ~adopted_any
    child_la, las = pd.factorize(children["la_code"], sort=True)
    episode_la = las.get_indexer(episodes["la_code"])
    by_la: dict[str, list[tuple[str, bytes]]] = {la: [] for la in las}
    every_la: list[tuple[str, bytes]] = []
    for year_end in years:
        year_start, end = pd.Timestamp(year_end - 1, 4, 1), pd.Timestamp(year_end, 3, 31)
        start = pd.Timestamp(since) if since and year_end == years[0] else year_start
        label = f"{year_end - 1}-{str(year_end)[2:]}"
        rules_year = max(year_end, 2024)
        in_year = ((decom <= end) & (dec.isna() | (dec >= start))).to_numpy()
        still_open = in_year & (dec > end).to_numpy()
        e = pd.DataFrame({c: v[in_year] for c, v in text.items()})[list(DFE_TABLES["Episodes"].columns)]
        e.loc[still_open[in_year], ["DEC", "REC", "REASON_PLACE_CHANGE"]] = ""
        needs_urn = (e["URN"] == "") & ~e["PLACE"].isin(no_urn_places(rules_year))
        e.loc[needs_urn.to_numpy(), "URN"] = "XXXXXXX"   # the DfE's "no URN" for a placement that would need one
        keys = np.unique(episodes["key"].to_numpy()[in_year])
        age_end = (end - dob).dt.days / 365.25
        birthday_age = np.floor(age_end)   # age on the birthday that falls in the year
        oc3_kids = leaver & (birthday_age >= 17) & (birthday_age <= 21) & (leave <= end)
        header_keys = np.union1d(keys, np.flatnonzero(oc3_kids.to_numpy()))
        sex = children["SEX"] if rules_year < 2025 else children["SEX"].map({"1": "M", "2": "F"})
        header = pd.DataFrame({"CHILD": children["CHILD"], "SEX": sex, "DOB": dob_text, "ETHNIC": children["ETHNIC"],
                               "UPN": "", "MOTHER": "", "MC_DOB": "", "UASC": np.where(children["UASC"], "1", "0")})
        uasc = pd.DataFrame({"CHILD": children["CHILD"], "SEX": sex, "DOB": dob_text, "DUC": duc_text})
        tables = {"Header": header.iloc[header_keys], "Episodes": e,
                  "UASC": uasc.iloc[keys[children["UASC"].to_numpy()[keys]
                                         & (pd.to_datetime(children["DUC"]).to_numpy()[keys] >= year_start)]]}
        in_care = (entry <= end) & (leave > end)
        year_long = in_care & (entry <= end - pd.DateOffset(years=1))
        tables["OC2"] = _oc2(children[year_long.to_numpy()], end, rng)
        tables["OC3"] = _oc3(children[oc3_kids.to_numpy()], rng)

        def dated(records: pd.DataFrame, lo=start) -> pd.DataFrame:
            return records[((records["date"] >= lo) & (records["date"] <= end)).to_numpy()]
        reviews = dated(extra["Reviews"])
        tables["Reviews"] = pd.DataFrame({"CHILD": children["CHILD"].to_numpy()[reviews["key"]],
                                          "DOB": dob_text.to_numpy()[reviews["key"]], "REVIEW": _dmy(reviews["date"]).to_numpy(),
                                          "REVIEW_CODE": reviews["REVIEW_CODE"].to_numpy()})
        missing = dated(extra["Missing"])
        tables["Missing"] = pd.DataFrame({"CHILD": children["CHILD"].to_numpy()[missing["key"]],
                                          "DOB": dob_text.to_numpy()[missing["key"]], "MISSING": missing["MISSING"].to_numpy(),
                                          "MIS_START": _dmy(missing["date"]).to_numpy(),
                                          "MIS_END": _dmy(missing["end"].where(missing["end"] <= end)).to_numpy()})
        adoption = extra["Adoption"]
        open_in_year = adoption[((adoption["date"] <= end) & (adoption["adopted"].isna() | (adoption["adopted"] >= start))).to_numpy()]
        ceased = open_in_year["adopted"].where(open_in_year["adopted"] <= end)
        tables["PlacedAdoption"] = pd.DataFrame({
            "CHILD": children["CHILD"].to_numpy()[open_in_year["key"]], "DOB": dob_text.to_numpy()[open_in_year["key"]],
            "DATE_PLACED": _dmy(open_in_year["date"]).to_numpy(), "DATE_PLACED_CEASED": _dmy(ceased).to_numpy(),
            "REASON_PLACED_CEASED": np.where(ceased.notna(), open_in_year["REASON_PLACED_CEASED"], "")})
        done = adoption[((adoption["adopted"] >= start) & (adoption["adopted"] <= end)).to_numpy()]
        tables["AD1"] = pd.DataFrame({
            "CHILD": children["CHILD"].to_numpy()[done["key"]], "DOB": dob_text.to_numpy()[done["key"]],
            "DATE_INT": _dmy(done["date"]).to_numpy(), "DATE_MATCH": _dmy(done["DATE_MATCH"]).to_numpy(),
            **{c: done[c].to_numpy() for c in ("FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")}})
        if year_end > SW_FROM.year:
            sw = extra["SWEpisodes"]
            sw = sw[((sw["date"] <= end) & (sw["end"].isna() | (sw["end"] >= start))).to_numpy()]
            tables["SWEpisodes"] = pd.DataFrame({
                "CHILD": children["CHILD"].to_numpy()[sw["key"]], "DOB": dob_text.to_numpy()[sw["key"]],
                "SW_ID": sw["SW_ID"].to_numpy(), "SW_DECOM": _dmy(sw["date"]).to_numpy(),
                "SW_DEC": _dmy(sw["end"].where(sw["end"] <= end)).to_numpy(), "SW_REASON": sw["SW_REASON"].to_numpy()})
        perm = dated(extra["PrevPerm"])
        tables["PrevPerm"] = pd.DataFrame({"CHILD": children["CHILD"].to_numpy()[perm["key"]],
                                           "DOB": dob_text.to_numpy()[perm["key"]],
                                           **{c: perm[c].to_numpy() for c in ("PREV_PERM", "LA_PERM", "DATE_PERM")}})
        # Each table written once a year, its lines then dealt out to the LAs (one to_csv per table, not per LA).
        for name, frame in tables.items():
            la_number = episode_la[in_year] if name == "Episodes" else child_la[_keys_of(frame, children)]
            lines = np.array(frame.to_csv(index=False, lineterminator="\n").split("\n")[1:-1], dtype=object)
            order = np.argsort(la_number, kind="stable")
            parts = np.split(lines[order], np.cumsum(np.bincount(la_number, minlength=len(las)))[:-1])
            head = ",".join(frame.columns)
            every_la.append((f"{label}_{name.lower()}.csv", "\n".join([head, *lines, ""]).encode()))
            for la, part in zip(las, parts):
                if len(part) or name in ("Header", "Episodes"):
                    by_la[la].append((f"{label}_{name.lower()}.csv", "\n".join([head, *part, ""]).encode()))
    return by_la, every_la


# --- the demo's providers as Ofsted publishes them (provider-level "Children's social care data in England") ---------
OFSTED_PLACES_COLUMNS = ("Web link", "URN", "Provision type", "Registration date", "Registration status", "Name",
                         "Address 1", "Town", "Postcode", "Ofsted region", "Local authority", "Sector", "Places",
                         "Organisation which owns the provider")
OFSTED_IN_YEAR_COLUMNS = OFSTED_PLACES_COLUMNS + (
    "Event type", "Inspection date", "Publication date", "Overall experiences and progress of children and young people",
    "How well children and young people are helped and protected", "The effectiveness of leaders and managers")
_OFSTED_WORDS = {1: "Outstanding", 2: "Good", 3: "Requires improvement to be good", 4: "Inadequate"}


def ofsted_files(demo: dict, urns) -> list[tuple[str, bytes]]:
    """The demo's providers with these URNs in the layout of Ofsted's provider-level files, so `import-published`
    reads them as it reads Ofsted's: the providers and places at 31 March 2025, and one in-year inspections file per
    year (each inspection's overall judgement). Children's homes' names and addresses are "REDACTED", as Ofsted's."""
    urns = set(urns)
    london = set(read_reference_csvs()["local_authority"]["name"])
    grades = pd.DataFrame(demo["provider_grade"])
    grades = grades[grades["urn"].isin(urns)]
    first_inspected = grades.groupby("urn")["inspection_date"].min()
    rows = []
    for p in demo["provider"]:
        if p["urn"] not in urns:
            continue
        home = p["provider_type"] == "Children's home"
        la_name, postcode = demo["provider_places"].get(p["urn"], ("", None))
        registered = pd.Timestamp(first_inspected.get(p["urn"], DEMO_END)) - pd.DateOffset(months=6)
        rows.append({"Web link": f"https://reports.ofsted.gov.uk/provider/44/{p['urn']}", "URN": p["urn"],
                     "Provision type": p["provider_type"], "Registration date": f"{registered:%d/%m/%Y}",
                     "Registration status": "Active", "Name": "REDACTED" if home else p["name"],
                     "Address 1": "REDACTED" if home else "", "Town": "REDACTED" if home else "",
                     "Postcode": "REDACTED" if home else (postcode or ""), "Ofsted region": "London" if la_name in london else "", "Local authority": la_name, "Sector": "Private",
                     "Places": str(2 + int(p["urn"][2:]) % 5) if home else "",
                     "Organisation which owns the provider": "Demo Care Ltd"})
    providers = pd.DataFrame(rows, columns=list(OFSTED_PLACES_COLUMNS))
    files = [("Providers_places_at_31_Mar_2025.csv", providers.to_csv(index=False).encode())]
    inspected = grades.merge(providers, left_on="urn", right_on="URN")
    dates = pd.to_datetime(inspected["inspection_date"])
    year = dates.dt.year - (dates.dt.month < 4)
    for start, one in inspected.groupby(year.to_numpy()):
        when = pd.to_datetime(one["inspection_date"]).dt.strftime("%d/%m/%Y")
        words = one["grade"].map(_OFSTED_WORDS)
        frame = one[list(OFSTED_PLACES_COLUMNS)].assign(**{
            "Event type": "Full inspection", "Inspection date": when.to_numpy(), "Publication date": when.to_numpy(),
            "Overall experiences and progress of children and young people": words.to_numpy(),
            "How well children and young people are helped and protected": words.to_numpy(),
            "The effectiveness of leaders and managers": words.to_numpy()})
        files.append((f"Provider_level_in_year_{start}-{str(start + 1)[2:]}.csv",
                      frame[list(OFSTED_IN_YEAR_COLUMNS)].to_csv(index=False).encode()))
    return files


def _keys_of(frame: pd.DataFrame, children: pd.DataFrame) -> np.ndarray:
    """Each row's child's position in `children` (ids are unique across LAs: each is a hash of its LA and number)."""
    return pd.Index(children["CHILD"]).get_indexer(frame["CHILD"])


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    """An LA's demo files as one zip, as an LA would upload several years at once."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return out.getvalue()
