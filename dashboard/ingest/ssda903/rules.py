"""The DfE's SSDA903 validation rules, vectorised: each rule reads whole columns (pandas) and returns the rows it
finds, never looping over rows.

Rule numbers and meanings are the DfE's (as `csc-validator-be-903` encodes them; the code here is our own).
A rule is an error (the return is refused) or a query (shown, never blocking), as the DfE treats it. Each finding
names its table, row (0-based index into the table), column and rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from dashboard.ingest.ssda903 import geography
from dashboard.ingest.ssda903.codes import CODE_RULES, REQUIRED_CODES, valid_codes
from dashboard.ingest.ssda903.columns import by_distinct
from dashboard.store.ssda903 import TABLES


@dataclass(frozen=True)
class Finding:
    table: str
    row: int          # the row's index in its table (the file's row number is this + 2)
    column: str
    rule: str         # the DfE's rule number, e.g. "356"


@dataclass(frozen=True)
class Rule:
    code: str
    message: str
    level: str        # "error" refuses the return; "query" is shown and does not block
    check: Callable


def _parse_dates(text: pd.Series) -> pd.Series:
    dates = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    unread = dates.isna() & (text != "")
    if unread.any():
        iso = pd.Series(False, index=text.index)
        iso[unread] = text[unread].str.match(r"^\d{4}-\d{2}-\d{2}$")
        if iso.any():
            dates[iso] = pd.to_datetime(text[iso], format="%Y-%m-%d", errors="coerce")
    return dates


@dataclass
class Return:
    """One LA's return for one collection year: the DfE tables as text cells ("" when blank)."""
    tables: dict[str, pd.DataFrame]
    year_end: int                                   # the year of the 31 March the collection year ends on
    la_code: str = ""                               # the ONS code of the LA making the return (rule 1015)
    _dates: dict = field(default_factory=dict)
    _codes: dict = field(default_factory=dict)
    _in_order: pd.DataFrame | None = None

    def code(self, table: str, column: str) -> pd.Series:
        """The column upper-cased ("u4" -> "U4"), once per column: worked out on its distinct values only (a code
        column has a few dozen), so a million rows cost little."""
        key = (table, column, "code")
        if key not in self._codes:
            self._codes[key] = by_distinct(self.table(table)[column], lambda v: v.str.upper())
        return self._codes[key]

    def compact(self, table: str, column: str) -> pd.Series:
        """The column upper-cased with its spaces removed ("se15 4rg" -> "SE154RG"), to compare postcodes and URNs."""
        key = (table, column, "compact")
        if key not in self._codes:
            self._codes[key] = by_distinct(self.code(table, column), lambda v: v.str.replace(" ", "", regex=False))
        return self._codes[key]

    def places(self, column: str) -> pd.DataFrame:
        """Where each episode's HOME_POST or PL_POST is (easting, northing, la_code; NaN when not in the ONS
        Postcode Directory), looked up once per return: rules 392a, 392c and 1015 and the stored distance read it."""
        key = ("Episodes", column, "place")
        if key not in self._codes:
            self._codes[key] = geography.lookup(self.table("Episodes")[column])
        return self._codes[key]

    @property
    def rules_year(self) -> int:
        """The collection year (2024 = 2023/24 ... 2027 = 2026/27) whose rules check this return."""
        return min(max(self.year_end, 2024), 2027)

    def table(self, name: str) -> pd.DataFrame:
        if name in self.tables:
            return self.tables[name]
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[name].columns})

    def date(self, table: str, column: str) -> pd.Series:
        """The column's dates (dd/mm/yyyy as the DfE writes them, or YYYY-MM-DD); NaT when blank or not a date.
        Each distinct text is parsed once (a year's dates repeat: a million episodes start on a few thousand days)."""
        key = (table, column)
        if key not in self._dates:
            text = self.table(table)[column]
            positions, distinct = pd.factorize(text.astype(object), use_na_sentinel=False)
            self._dates[key] = pd.Series(_parse_dates(pd.Series(distinct, dtype=object)).to_numpy()[positions],
                                         index=text.index, dtype="datetime64[ns]")
        return self._dates[key]

    def bad_date(self, table: str, column: str) -> pd.Series:
        return (self.table(table)[column] != "") & self.date(table, column).isna()

    @property
    def collection_start(self) -> pd.Timestamp:
        return pd.Timestamp(self.year_end - 1, 4, 1)

    @property
    def collection_end(self) -> pd.Timestamp:
        return pd.Timestamp(self.year_end, 3, 31)

    def uasc_children(self) -> set[str]:
        """Children the return says are UASC: in the UASC table, or UASC 1 in the header (the XML form)."""
        header = self.table("Header")
        return set(self.table("UASC")["CHILD"]) | set(header.loc[header["UASC"] == "1", "CHILD"])

    def episodes_in_order(self) -> pd.DataFrame:
        """Episodes with parsed dates, sorted by child then start (then end), and each one's previous episode
        (made once per return: most episode rules read it)."""
        if self._in_order is None:
            self._in_order = self._episodes_in_order()
        return self._in_order

    def _episodes_in_order(self) -> pd.DataFrame:
        e = self.table("Episodes")
        frame = pd.DataFrame({"CHILD": e["CHILD"], "DECOM": self.date("Episodes", "DECOM"), "DEC": self.date("Episodes", "DEC")})
        for column in ("RNE", "REC", "LS"):
            frame[column] = self.code("Episodes", column)
        for column in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER"):
            frame[column] = self.compact("Episodes", column)
        # Sorted by the child's number (its first appearance), not its id's text: the same grouping, and numbers
        # sort far faster than strings. NaT sorts last, as sort_values puts it.
        child_number = pd.factorize(frame["CHILD"])[0]
        days = [np.where(frame[c].isna(), np.iinfo(np.int64).max, frame[c].to_numpy(dtype="datetime64[ns]").view(np.int64))
                for c in ("DEC", "DECOM")]
        order = np.lexsort((*days, child_number))
        frame = frame.iloc[order]
        # Equal or not, by each text's number (pd.factorize): comparing numbers, not strings, row against row.
        child_number = child_number[order]
        same, followed = np.zeros(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
        same[1:] = child_number[1:] == child_number[:-1]
        followed[:-1] = same[1:]
        frame["same_child"] = same
        frame["prev_DEC"] = frame["DEC"].shift(1)
        frame["prev_DECOM"] = frame["DECOM"].shift(1)
        frame["next_DECOM"] = frame["DECOM"].shift(-1).where(followed)
        frame["is_last"] = ~followed
        for column in ("LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"):
            number, changed = pd.factorize(frame[column].fillna(""))[0], np.ones(len(frame), dtype=bool)
            changed[1:] = number[1:] != number[:-1]
            frame[f"{column}_changed"] = changed
        return frame


RULES: dict[str, Rule] = {}


def rule(code: str, message: str, level: str = "error"):
    def register(check):
        RULES[code] = Rule(code, message, level, check)
        return check
    return register


def _rows(table: str, column: str, mask) -> list[tuple[str, np.ndarray, str]]:
    index = mask.index[np.asarray(mask, dtype=bool)] if isinstance(mask, pd.Series) else np.asarray(mask)
    return [(table, np.asarray(index), column)]


# --- dates that are not dates --------------------------------------------------------------------------------

@rule("102", "Date of birth is not a valid date.")
def _102(r: Return):
    header = r.table("Header")
    return _rows("Header", "DOB", (header["DOB"] == "") | r.bad_date("Header", "DOB"))


@rule("141", "Date episode began is not a valid date.")
def _141(r: Return):
    return _rows("Episodes", "DECOM", (r.table("Episodes")["DECOM"] == "") | r.bad_date("Episodes", "DECOM"))


@rule("147", "Date episode ceased is not a valid date.")
def _147(r: Return):
    return _rows("Episodes", "DEC", r.bad_date("Episodes", "DEC"))


@rule("104", "Date UASC status ceased is not a valid date, or is before the collection year began.")
def _104(r: Return):
    return _rows("UASC", "DUC", r.bad_date("UASC", "DUC") | (r.date("UASC", "DUC") < r.collection_start))


@rule("105", "Data entry for the UASC status of the child is invalid (it must be 0 or 1).")
def _105(r: Return):
    flag = r.table("Header")["UASC"]
    return _rows("Header", "UASC", (flag != "") & ~flag.isin(["0", "1"]))


# --- codes, by collection year ------------------------------------------------------------------------------

def _code_rule(table: str, column: str):
    def check(r: Return):
        cells = r.code(table, column)
        bad = ~cells.isin(valid_codes(column, r.year_end))
        if (table, column) not in REQUIRED_CODES:
            bad &= cells != ""
        return _rows(table, column, bad)
    return check


for (_table, _column), (_code, _message) in CODE_RULES.items():
    rule(_code, _message)(_code_rule(_table, _column))


# --- episodes ------------------------------------------------------------------------------------------------

@rule("142", "A new episode has started, but the previous episode has not ended.")
def _142(r: Return):
    e = r.episodes_in_order()
    open_before_last = ~e["is_last"] & e["DECOM"].notna() & (e["DEC"].isna() | (e["REC"] == ""))
    return _rows("Episodes", "DEC", open_before_last[open_before_last].index)


@rule("148", "Date episode ceased and reason episode ceased must both be coded, or both left blank.")
def _148(r: Return):
    e = r.table("Episodes")
    no_dec, no_rec = e["DEC"] == "", e["REC"] == ""
    return _rows("Episodes", "DEC", no_dec & ~no_rec) + _rows("Episodes", "REC", no_rec & ~no_dec)


def _birth_dates(r: Return, children: pd.Series) -> pd.Series:
    """Each row's child's date of birth from the Header (its first row for the child; NaT where none). By reindex,
    not Series.map: map with an empty Header's dates fails in pandas (it casts them to float)."""
    dob = pd.Series(r.date("Header", "DOB").to_numpy(), index=r.table("Header")["CHILD"])
    dob = dob[~dob.index.duplicated()]
    return pd.Series(dob.reindex(children.to_numpy()).to_numpy(), index=children.index)


@rule("302", "First episode starts before child was born.")
def _302(r: Return):
    e = r.episodes_in_order()
    first = e[~e["CHILD"].duplicated(keep="first")]
    header = r.table("Header")
    born_after = _birth_dates(r, first["CHILD"]) > first["DECOM"]
    header_rows = header.index[header["CHILD"].isin(first.loc[born_after, "CHILD"])]
    return _rows("Episodes", "DECOM", born_after[born_after].index) + _rows("Header", "DOB", header_rows)


@rule("354", "Date episode began must be on or before the end of the current collection year.")
def _354(r: Return):
    return _rows("Episodes", "DECOM", r.date("Episodes", "DECOM") > r.collection_end)


@rule("385", "Date episode ceased must be on or before the end of the current collection year.")
def _385(r: Return):
    return _rows("Episodes", "DEC", r.date("Episodes", "DEC") > r.collection_end)


@rule("356", "The date the episode ceased is before the date the same episode started.")
def _356(r: Return):
    return _rows("Episodes", "DEC", r.date("Episodes", "DEC") < r.date("Episodes", "DECOM"))


@rule("388", "Reason episode ceased is coded new episode begins (X1), but there is no continuation episode; "
             "or an episode that another follows on the same day is not coded X1.")
def _388(r: Return):
    e = r.episodes_in_order()
    ended = e["DEC"].notna()
    follows = e["next_DECOM"].notna()
    x1 = e["REC"] == "X1"
    bad = (~e["is_last"] & follows & ended & x1 & (e["DEC"] != e["next_DECOM"])) \
        | (~e["is_last"] & follows & ended & ~x1 & (e["REC"] != "") & (e["DEC"] == e["next_DECOM"])) \
        | (e["is_last"] & ended & x1)
    return _rows("Episodes", "REC", bad[bad].index)


@rule("392b", "Child is looked after but no postcodes are recorded (home and placement postcodes are needed unless "
              "the legal status is V3 or V4 or the child is or was UASC).")
def _392b(r: Return):
    e = r.table("Episodes")
    needed = _needs_postcodes(r)
    return _rows("Episodes", "HOME_POST", needed & (e["HOME_POST"] == "")) + \
        _rows("Episodes", "PL_POST", needed & (e["PL_POST"] == "") & (e["HOME_POST"] != ""))


@rule("433", "The reason for new episode suggests that this is a continuation episode, but the episode does not start "
             "on the same day as the last episode finished.")
def _433(r: Return):
    e = r.episodes_in_order()
    bad = e["same_child"] & e["RNE"].isin(["P", "L", "T", "U", "B"]) & \
        (e["prev_DEC"].isna() | e["DECOM"].isna() | (e["prev_DEC"] != e["DECOM"]))
    return _rows("Episodes", "RNE", bad[bad].index)


@rule("434", "Reason for new episode is that the child's legal status has changed but not the placement, but this is "
             "not reflected in the episode data.")
def _434(r: Return):
    e = r.episodes_in_order()
    placement_changed = e[["PLACE_changed", "PL_POST_changed", "URN_changed", "PLACE_PROVIDER_changed"]].any(axis=1)
    bad = e["same_child"] & (e["RNE"] == "L") & (~e["LS_changed"] | placement_changed)
    return _rows("Episodes", "RNE", bad[bad].index)


@rule("501", "A new episode has started before the end date of the previous episode (episodes overlap, or two start "
             "on the same day).")
def _501(r: Return):
    e = r.episodes_in_order()
    bad = e["same_child"] & e["DECOM"].notna() & ((e["DECOM"] < e["prev_DEC"]) | (e["DECOM"] == e["prev_DECOM"]))
    return _rows("Episodes", "DECOM", bad[bad].index)


# Placement types that have no Ofsted URN, by collection year (2024/25 drops P2; 2025/26 splits Z1 into Z11-Z14).
_NO_URN = {2024: ("P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"),
           2025: ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"),
           2026: ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14")}


def no_urn_places(year_end: int) -> tuple[str, ...]:
    """Placement types that have no Ofsted URN in the collection year ending 31 March `year_end` (rule 222)."""
    return _NO_URN[max(y for y in _NO_URN if y <= min(max(year_end, 2024), 2027))]


@rule("222", "Ofsted Unique reference number (URN) should not be recorded for this placement type.")
def _222(r: Return):
    e = r.table("Episodes")
    year = max(y for y in _NO_URN if y <= min(max(r.year_end, 2024), 2027))
    urn = r.code("Episodes", "URN")
    return _rows("Episodes", "URN", r.code("Episodes", "PLACE").isin(_NO_URN[year]) & (urn != "") & (urn != "XXXXXXX"))


def _too_young(place: str, years: int):
    """An ended episode in this placement type that began before the child was `years` old (the DfE checks only
    episodes with an end date)."""
    def check(r: Return):
        e = r.table("Episodes")
        placed = e.index[(r.code("Episodes", "PLACE") == place).to_numpy()]   # the few rows of that type only
        born = _birth_dates(r, e.loc[placed, "CHILD"])
        decom = r.date("Episodes", "DECOM")[placed]
        ended = r.date("Episodes", "DEC")[placed].notna() & decom.notna() & born.notna()
        young = decom < born + pd.DateOffset(years=years)
        return _rows("Episodes", "PLACE", ended & young)
    return check


rule("372", "Child in youth custody or prison should be at least 10.")(_too_young("R5", 10))
rule("373", "Child placed in a school should be at least 4 years old.")(_too_young("S1", 4))
rule("374", "Child in residential employment should be at least 14 years old.")(_too_young("P3", 14))


# --- one child, several tables ------------------------------------------------------------------------------

@rule("INT03", "Child in Episodes does not exist in Header.")
def _int03(r: Return):
    e = r.table("Episodes")
    return _rows("Episodes", "CHILD", ~e["CHILD"].isin(r.table("Header")["CHILD"]))


@rule("INT09", "Child in UASC does not exist in Header.")
def _int09(r: Return):
    u = r.table("UASC")
    return _rows("UASC", "CHILD", ~u["CHILD"].isin(r.table("Header")["CHILD"]))


@rule("HDR", "The same child appears twice in Header (each child has one header row).")
def _header_once(r: Return):
    header = r.table("Header")
    return _rows("Header", "CHILD", header["CHILD"].duplicated(keep="first") | (header["CHILD"] == ""))


# --- placement, provider, legal status and URN together ------------------------------------------------------

_FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
_TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
# Placements with no provider: temporary ones, and (2025/26 on) the other placements Z11-Z14 (Z1 needs one before).
_NO_PROVIDER = {2024: _TEMPORARY, 2026: _TEMPORARY + ("Z11", "Z12", "Z13", "Z14")}
_PROVIDER_OPTIONAL = {2024: _TEMPORARY + ("Z1",), 2026: _TEMPORARY + ("Z11", "Z12", "Z13", "Z14")}
# Placements that need no Ofsted URN (rule 218), by collection year: 2024/25 ends H5 and P2 (semi-independent and
# independent living), so from then a supported-accommodation placement needs its URN.
_URN_EXEMPT = {2024: ("H5", "P1", "P2", "P3", "R1", "R2", "R5") + _TEMPORARY + ("Z1",),
               2025: ("P1", "P3", "R1", "R2", "R5") + _TEMPORARY + ("Z1",),
               2026: ("P1", "P3", "R1", "R2", "R5") + _TEMPORARY + ("Z11", "Z12", "Z13", "Z14")}


def _by_year(lists: dict[int, tuple[str, ...]], r: Return) -> tuple[str, ...]:
    return lists[max(y for y in lists if y <= r.rules_year)]


@rule("213", "Placement provider information not required (a temporary placement has no provider).")
def _213(r: Return):
    return _rows("Episodes", "PLACE_PROVIDER", r.code("Episodes", "PLACE").isin(_by_year(_NO_PROVIDER, r))
                 & (r.code("Episodes", "PLACE_PROVIDER") != ""))


@rule("526", "Child is missing a placement provider code for at least one episode.")
def _526(r: Return):
    return _rows("Episodes", "PLACE_PROVIDER", ~r.code("Episodes", "PLACE").isin(_by_year(_PROVIDER_OPTIONAL, r))
                 & (r.code("Episodes", "PLACE_PROVIDER") == ""))


def _provider_cannot(provider: str, places: tuple[str, ...], negate: bool = False):
    def check(r: Return):
        place = r.code("Episodes", "PLACE")
        listed = place.isin(places)
        return _rows("Episodes", "PLACE_PROVIDER", (r.code("Episodes", "PLACE_PROVIDER") == provider)
                     & (~listed if negate else listed) & (place != ""))
    return check


rule("527", "A placement provider code of PR1 cannot be associated with placements P1, R2 or R5.")(
    _provider_cannot("PR1", ("P1", "R2", "R5")))
rule("528", "A placement provider code of PR2 cannot be associated with placements P1, R2 or R5.")(
    _provider_cannot("PR2", ("P1", "R2", "R5")))
rule("529", "Placement provider code of PR3 cannot be associated with placements P1, A3 to A6, K1, K2 and U1 to U6.")(
    _provider_cannot("PR3", ("P1", "A3", "A4", "A5", "A6", "K1", "K2") + _FOSTER))
rule("530", "A placement provider code of PR4 cannot be associated with placement P1.")(_provider_cannot("PR4", ("P1",)))
rule("531", "A placement provider code of PR5 cannot be associated with placement P1.")(_provider_cannot("PR5", ("P1",)))
rule("550", "A placement provider code of PR0 can only be associated with placement P1.")(
    _provider_cannot("PR0", ("P1",), negate=True))


@rule("378", "A child who is placed with parent(s) cannot be looked after under a single period of accommodation "
             "under Section 20 of the Children Act 1989 (P1 with V2).")
def _378(r: Return):
    return _rows("Episodes", "PLACE", (r.code("Episodes", "PLACE") == "P1") & (r.code("Episodes", "LS") == "V2"))


@rule("516", "The reason episode ceased is a special guardianship order to former foster carers (E45 or E46), but the "
             "placement is not foster care (U1 to U6).")
def _516(r: Return):
    return _rows("Episodes", "REC", r.code("Episodes", "REC").isin(["E45", "E46"])
                 & ~r.code("Episodes", "PLACE").isin(_FOSTER))


@rule("218", "Ofsted Unique reference number (URN) is required.")
def _218(r: Return):
    place = r.code("Episodes", "PLACE")
    placed_in = r.places("PL_POST")["la_code"]
    # The DfE asks no URN of a placement outside England; a placement it cannot place (postcode not found) is not
    # asked one either until 2025/26, when the rule names the countries instead.
    outside_england = placed_in.notna() & ~placed_in.fillna("").str.startswith("E")
    if r.rules_year < 2026:
        outside_england |= placed_in.isna()
    dec = r.date("Episodes", "DEC")
    current = (dec >= r.collection_start) | (r.table("Episodes")["DEC"] == "")
    return _rows("Episodes", "URN", current & (r.code("Episodes", "URN") == "") & (place != "")
                 & ~place.isin(_by_year(_URN_EXEMPT, r)) & ~outside_england)


def _needs_postcodes(r: Return) -> pd.Series:
    e = r.table("Episodes")
    return ~r.code("Episodes", "LS").isin(["V3", "V4"]) & ~e["CHILD"].isin(r.uasc_children())


@rule("392a", "Child is looked after but no distance is recorded (the home or placement postcode is not in the ONS "
              "Postcode Directory, so the DfE cannot work out the distance).", level="query")
def _392a(r: Return):
    unknown = r.places("HOME_POST")["easting"].isna() | r.places("PL_POST")["easting"].isna()
    return _rows("Episodes", "PL_POST", _needs_postcodes(r) & unknown)


@rule("392c", "Postcode(s) provided are invalid (not in the ONS Postcode Directory).", level="query")
def _392c(r: Return):
    e = r.table("Episodes")
    return _rows("Episodes", "HOME_POST", (e["HOME_POST"] != "") & r.places("HOME_POST")["easting"].isna()) + \
        _rows("Episodes", "PL_POST", (e["PL_POST"] != "") & r.places("PL_POST")["easting"].isna())


@rule("1015", "Placement provider is own provision (PR1) but the child is not placed in the LA's own area.", level="query")
def _1015(r: Return):
    if not r.la_code:
        return []
    place = r.code("Episodes", "PLACE")
    exempt = ("A3", "A4", "A5", "A6") + _FOSTER + (("K3",) if r.rules_year >= 2026 else ())
    own = (r.code("Episodes", "PLACE_PROVIDER") == "PR1") & ~place.isin(exempt) & (place != "") \
        & ~r.code("Episodes", "LS").isin(["V3", "V4"]) & (r.code("Episodes", "LS") != "")
    return _rows("Episodes", "PL_POST", own & (r.places("PL_POST")["la_code"] != r.la_code))


# --- social worker episodes (SWEpisodes, collected from 2023/24) ------------------------------------------------
SW_REASONS = ("MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED", "OTHERS")


@rule("SW02", "Social worker ID does not begin with the characters 'SW' or 'XX'.")
def _sw02(r: Return):
    sw_id = r.code("SWEpisodes", "SW_ID")
    return _rows("SWEpisodes", "SW_ID", ~sw_id.str[:2].isin(["SW", "XX"]) | ((sw_id.str.len() < 4) & (r.rules_year >= 2026)))


@rule("SW04", "Date social worker episode began is not a valid date.")
def _sw04(r: Return):
    return _rows("SWEpisodes", "SW_DECOM", (r.table("SWEpisodes")["SW_DECOM"] == "") | r.bad_date("SWEpisodes", "SW_DECOM"))


@rule("SW05", "Date social worker episode ceased is not a valid date.")
def _sw05(r: Return):
    return _rows("SWEpisodes", "SW_DEC", r.bad_date("SWEpisodes", "SW_DEC"))


@rule("SW13", "The reason for social worker change is either not valid or has not been entered.")
def _sw13(r: Return):
    reason = r.code("SWEpisodes", "SW_REASON")
    blank_since_collected = (reason == "") & (r.date("SWEpisodes", "SW_DECOM") >= pd.Timestamp(2023, 4, 1))
    return _rows("SWEpisodes", "SW_REASON", blank_since_collected | ((reason != "") & ~reason.isin(SW_REASONS)))


@rule("SW10", "A new social worker episode has started before the end date of the previous social worker episode.",
      level="query")
def _sw10(r: Return):
    sw = r.table("SWEpisodes")
    frame = pd.DataFrame({"child": pd.factorize(sw["CHILD"])[0], "start": r.date("SWEpisodes", "SW_DECOM"),
                          "end": r.date("SWEpisodes", "SW_DEC")}).sort_values(["child", "start", "end"])
    same = frame["child"].eq(frame["child"].shift(1))
    bad = same & (frame["start"] < frame["end"].shift(1) - pd.Timedelta(days=7))
    return _rows("SWEpisodes", "SW_DECOM", bad[bad].index)


def check(r: Return) -> list[Finding]:
    """Every rule's findings, in rule order; a table the return does not hold is simply not checked."""
    out = []
    for code, definition in RULES.items():
        for table, rows, column in definition.check(r):
            if table in r.tables:
                out += [Finding(table, int(i), column, code) for i in rows]
    return out
