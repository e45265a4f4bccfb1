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

Demo data: `demo_data` makes each LA's SSDA903 return (the DfE's tables, seven collection years, real postcodes) and
`load_demo` stores it through the upload's own path, with the reference rows no return carries.
"""
from __future__ import annotations

from collections import Counter
import json
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select, tuple_, update

# Its tables and names are defined with its reads (data.py); the upload spec and tests find them here too.
from dashboard.auth.users import record_event
from dashboard.dashboards.sufficiency.data import (DEMO_END, LABEL, NAME, PUBLISHED_NAME, TABLES, child, code, SCENARIOS_NAME,
                                                   scenario, episode, postcode_sector, provider, provider_grade, published)
from dashboard.dashboards.sufficiency.demo_data import LA_CODES, generate_demo
from dashboard.ingest import bulk
from dashboard.ingest.periods import COLLECTION_YEAR
from dashboard.config import DATA_DIR, settings_from_env
from dashboard.ingest.specs import FIRST_DATA_ROW, ColumnSpec, DatasetSpec, Target
from dashboard.ingest.ssda903 import geography
from dashboard.ingest.ssda903.checking import check_years
from dashboard.ingest.validation import Report
from dashboard.ingest.ssda903.degrade import Pseudonyms, month_start, pseudonym_key, sector
from dashboard.ingest.ssda903.columns import Distinct
from dashboard.ingest.ssda903.rules import RULES, Return, check
from dashboard.published.formats import ENGLAND, INNER, LONDON, OUTER
from dashboard.published.ofsted_providers import (INSPECTION_DATE_COLUMNS, JUDGEMENT_COLUMNS, read_providers,
                                                  REQUIRED as OFSTED_COLUMNS)
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

def code_rows() -> list[dict]:
    return [{"list_name": name, "code": c, "label": label, "grp": grp}
            for name, items in CODE_LISTS.items() for c, label, grp in items]


DEMO_PERIOD = DEMO_END.isoformat()


def demo_stored_rows(every_la: list[tuple[str, bytes]], child_la: pd.Series, key: bytes) -> dict[str, pd.DataFrame]:
    """The demo's files (every LA's rows in one set per year) read, checked by each year's DfE rules and degraded as
    an upload's are (the upload's own path), each child pseudonymised as its own LA's. Checked as one set, not 33:
    the rules are the same child by child (ids differ between LAs), and each LA's own set passing them is tested.
    A file the rules refuse stops the demo: it must be a valid return."""
    report = Report(NAME, "demo", "", "", DEMO_PERIOD)
    rows = _ssda903_files(every_la, child_la, DEMO_PERIOD, {"child_id_key": key}, report)
    if rows is None:
        raise ValueError(f"The demo returns are refused by the DfE rules: {report.summary()}\n{report.table().head(10)}")
    return rows


def load_demo(engine: Engine, seed: int) -> int:
    """Replace the sufficiency dataset with seeded demo data in one transaction; return the new version. The demo is
    each LA's SSDA903 returns for three collection years (demo_data), stored through the upload's path."""
    demo = generate_demo(seed)
    stored = demo_stored_rows(demo["every_la"], demo["child_la"], pseudonym_key(settings_from_env().child_id_key, DATA_DIR))
    geography.release()   # most of the Postcode Directory was read: not kept by the process that served first start
    reference = {code.name: code_rows(), postcode_sector.name: demo["postcode_sector"], provider.name: demo["provider"],
                 provider_grade.name: demo["provider_grade"]}
    with write_transaction(engine, NAME) as conn:
        for table in [*reversed([t.table for t in UPLOAD.targets]), *reversed(TABLES)]:
            conn.execute(table.delete())
        for table in TABLES:
            rows = reference.get(table.name)
            if rows is not None:
                for i in range(0, len(rows), 20000):
                    conn.execute(table.insert(), rows[i:i + 20000])
        for target in UPLOAD.targets:
            frame = stored.get(target.table.name)
            if frame is not None and len(frame):
                bulk.insert_columns(conn, target.table, bulk.columns(target.table, frame))
        return bump_version(conn, NAME, is_demo=True)


# --- an LA's SSDA903 return, as the DfE's tables (checked by dashboard.ingest.ssda903) ------------------------------
_URN_NOT_APPLICABLE = {"", "XXXXXXX", "XXXXXX", "NA", "N/A"}
_SEX = {"1": "1", "2": "2", "M": "1", "F": "2", "U": "U"}   # 2024/25 codes sex M/F/U; stored as the earlier 1/2


def sector_of_postcode(postcode) -> str | None:
    """"SE15 4RG" or "se154rg" -> "SE15 4"; anything that is not a postcode -> None (never stored whole)."""
    found = sector(pd.Series([postcode], dtype=object)).iloc[0]
    return None if pd.isna(found) else found


def _blank_none(by_value: Distinct, index: pd.Index, cut: int | None = None) -> pd.Series:
    """A column (by distinct value) with "" as None, each value cut to `cut` characters: worked out per value."""
    values = by_value.values.copy()
    if cut is not None:
        values[:] = [v[:cut] if isinstance(v, str) else v for v in values.tolist()]
    values[values == ""] = None
    return by_value.column(values, index)


def store_rows(ret: Return, la_code: str | pd.Series, key: bytes) -> dict[str, pd.DataFrame]:
    """A checked return -> the rows Sufficiency's tables and the other SSDA903 tables store (by column, as the loader
    writes them): CHILD pseudonymised, DOB to the month, postcodes to sectors; an open episode belongs to the
    return's collection year. `la_code` is the LA's, or (the demo's every-LA set) each CHILD's LA by CHILD.
    Columns are worked out on the distinct values the checks already found (not hashed again)."""
    header, episodes, uasc = ret.table("Header"), ret.table("Episodes"), ret.table("UASC")
    pseudonymised = Pseudonyms(la_code, key)

    def la_of(ids: pd.Series):
        return la_code if isinstance(la_code, str) else la_code.reindex(ids.to_numpy()).to_numpy()

    if isinstance(la_code, str):   # every table's children hashed once, then found by position (C), not one by one
        distinct = {t: ret.distinct(t, "CHILD") for t in (*ret.tables, "Header", "Episodes")}
        everyone = pd.Index(pd.unique(np.concatenate([d.values for d in distinct.values()])), dtype=object)
        digests = np.array(pseudonymised.digests(everyone.tolist()), dtype=object)

    def pseudonyms(table: str) -> pd.Series:
        if not isinstance(la_code, str):
            return pseudonymised(ret.table(table)["CHILD"], ret.distinct(table, "CHILD"))
        return distinct[table].column(digests[everyone.get_indexer(distinct[table].values)], ret.table(table).index)

    def code(column: str, blank_none: bool = False) -> pd.Series:
        """An Episodes code column upper-cased, by its codes (see Distinct.column); "" as None when `blank_none`."""
        if blank_none:
            return _blank_none(ret.code_distinct("Episodes", column), episodes.index)
        by_value = ret.code_distinct("Episodes", column)
        return by_value.column(by_value.values, episodes.index)

    def where_placed(column: str) -> pd.Series:
        """The ONS code of the district each episode's postcode is in, by its codes (None where not found)."""
        found = ret.places_distinct(column)["la_code"].to_numpy(dtype=object)
        return ret.distinct("Episodes", column).column(np.where(pd.isna(found), None, found), episodes.index)

    def social_workers(frame: pd.DataFrame, las) -> pd.Series:
        """SW_ID names a social worker: pseudonymised with the same key as the children, as its LA's social worker
        (a namespace of its own, so a worker's id never gives the pseudonym a child with that id would get)."""
        ids, out = frame["SW_ID"], pd.Series(None, index=frame.index, dtype=object)
        las = pd.Series(las, index=frame.index, dtype=object)
        for la in pd.unique(las):
            mine = (las == la).to_numpy() & (ids != "").to_numpy()
            out[mine] = Pseudonyms(f"{la}:SW_ID", key)(ids[mine]).to_numpy()
        return out
    duc = pd.Series(ret.date("UASC", "DUC").to_numpy(), index=uasc["CHILD"].to_numpy())
    duc = duc[~duc.index.duplicated()].reindex(header["CHILD"].to_numpy())   # the child's first UASC row
    sexes, ethnicities = ret.code_distinct("Header", "SEX"), ret.code_distinct("Header", "ETHNIC")
    children = pd.DataFrame({
        "la_code": la_of(header["CHILD"]), "child": pseudonyms("Header"),
        "sex": sexes.column([_SEX.get(v) for v in sexes.values.tolist()], header.index),
        "dob": month_start(ret.date("Header", "DOB")),
        "ethnic": ethnicities.column(ethnicities.values, header.index), "uasc": ret.distinct("Header", "CHILD").is_in(ret.uasc_children()),
        "duc": pd.Series(duc.to_numpy(), index=header.index)})
    dec = ret.date("Episodes", "DEC")
    year = (dec.dt.year + (dec.dt.month >= 4)).fillna(ret.year_end).astype(int)
    urns = ret.distinct("Episodes", "URN")
    rows = pd.DataFrame({
        "la_code": la_of(episodes["CHILD"]), "child": pseudonyms("Episodes"),
        "decom": ret.date("Episodes", "DECOM"), "rne": code("RNE"), "ls": code("LS"), "cin": code("CIN"),
        "place": code("PLACE"), "place_provider": code("PLACE_PROVIDER", True), "dec": dec, "rec": code("REC", True),
        "reason_place_change": code("REASON_PLACE_CHANGE", True),
        "home_post": sector(episodes["HOME_POST"], ret.distinct("Episodes", "HOME_POST")),
        "pl_post": sector(episodes["PL_POST"], ret.distinct("Episodes", "PL_POST")),
        "urn": urns.column([None if isinstance(v, str) and v.upper() in _URN_NOT_APPLICABLE else v
                            for v in urns.values.tolist()], episodes.index),
        "year": year})
    home, placed = ret.places("HOME_POST"), ret.places("PL_POST")
    places = pd.DataFrame({"la_code": rows["la_code"], "child": rows["child"], "decom": rows["decom"],
                           "pl_distance": geography.distance_miles(home, placed), "pl_la": where_placed("PL_POST"),
                           "home_la": where_placed("HOME_POST")})
    out = {child.name: children, episode.name: rows, EPISODE_PLACE.name: places}
    for name, table in STORED.items():
        frame = ret.tables.get(name)
        if frame is None:
            out[table.name] = pd.DataFrame()
            continue
        spec = DFE_TABLES[name]
        stored = pd.DataFrame({"la_code": la_of(frame["CHILD"]), "child": pseudonyms(name)})
        for column in spec.columns[1:]:
            if column in spec.dates:
                dates = ret.date(name, column)
                stored[column.lower()] = month_start(dates) if column == "DOB" else dates
            elif column == "SW_ID":
                stored["sw_id"] = social_workers(frame, stored["la_code"])
            else:
                stored[column.lower()] = _blank_none(ret.distinct(name, column), frame.index, cut=24)
        if "year" in table.c:
            stored["year"] = ret.year_end
        out[table.name] = stored
    return out


# What makes a row the same one in two years' returns (stored names): the later year's row is kept.
_SAME_ROW = {child.name: ["child"], episode.name: ["child", "decom"], EPISODE_PLACE.name: ["child", "decom"],
             **{STORED[name].name: ["child"] for name in ("UASC", "AD1", "PrevPerm")},
             **{STORED[name].name: ["child", "year"] for name in ("OC2", "OC3")},   # a cohort each year
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


def _ssda903_files(files: list[tuple[str, bytes]], la_code: str | pd.Series, period: str, context: dict, report) -> dict | None:
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
        if level == "Local authority" and record["new_la_code"] in LA_CODES:
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


def _remove_demo_providers(conn) -> None:
    """The demo's Ofsted providers and their made-up grades go with the demo children: the demo's URNs look like real
    ones (SC4...), so a real return's placement could otherwise take a made-up grade. Grades imported from Ofsted's
    files for other providers stay (`import-published` puts back any for a demo provider's URN)."""
    conn.execute(provider_grade.delete().where(provider_grade.c.urn.in_(select(provider.c.urn))))
    conn.execute(provider.delete())


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
    remove_demo_rows=_remove_demo_providers,
)


# --- published files this page reads (recognised by their columns: dashboard.published.routes) ---------------

def read_ofsted_grades(path, context: dict) -> list[dict]:
    """The graded inspections in an Ofsted provider-level file (read as Placements and supply reads it): each
    placement with that URN shows the grade it had on the day."""
    rows = read_providers(path, context["la_names"])
    return [{"urn": i["urn"], "inspection_date": i["inspection_date"], "grade": i["grade"]}
            for i in rows["inspections"] if i["grade"] is not None]


def store_ofsted_grades(engine: Engine, grades: list[dict]) -> int:
    """The file's grades in place of any held for the same provider and day (importing it again changes nothing)."""
    keys = [(g["urn"], g["inspection_date"]) for g in grades]
    with write_transaction(engine, NAME) as conn:
        for start in range(0, len(keys), 500):
            conn.execute(provider_grade.delete().where(
                tuple_(provider_grade.c.urn, provider_grade.c.inspection_date).in_(keys[start:start + 500])))
        for start in range(0, len(grades), 5000):
            conn.execute(provider_grade.insert(), grades[start:start + 5000])
        return bump_version(conn, NAME)


class _GradedOfstedFile(Route):
    """An Ofsted provider-level file that holds inspections (a date and a judgement): providers-only and closures
    files are Placements and supply's alone."""

    def matches(self, columns) -> bool:
        names = set(columns)
        return super().matches(names) and bool(names & set(INSPECTION_DATE_COLUMNS)) and bool(names & set(JUDGEMENT_COLUMNS))


def published_routes() -> list[Route]:
    return [
        _GradedOfstedFile("sufficiency_ofsted_grades", "Sufficiency", "Ofsted's inspection grades, for placements with "
                          "that URN", NAME, OFSTED_COLUMNS, read_ofsted_grades,
                          lambda engine, grades, _c: store_ofsted_grades(engine, grades),
                          lambda grades: (len(grades), len(grades), Counter())),
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
