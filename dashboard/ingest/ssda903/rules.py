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
from dashboard.ingest.ssda903.columns import Distinct
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


_NAT = np.datetime64("NaT", "ns")


def _no_spaces(text: str) -> str:
    return text.replace(" ", "")


@dataclass
class Return:
    """One LA's return for one collection year: the DfE tables as text cells ("" when blank), each with a plain
    0..n-1 row index (a finding's row is its position). `distinct` may carry the reader's Distinct of each column
    (table -> column -> Distinct of its cells), so the rules need not hash a million strings again."""
    tables: dict[str, pd.DataFrame]
    year_end: int                                   # the year of the 31 March the collection year ends on
    la_code: str = ""                               # the ONS code of the LA making the return (rule 1015)
    distinct_given: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)
    _in_order: InOrder | None = None

    def __post_init__(self):
        for name, frame in self.tables.items():
            if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
                self.tables[name] = frame.reset_index(drop=True)

    def _cached(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def distinct(self, table: str, column: str) -> Distinct:
        """The column's cells as given, by distinct value."""
        given = self.distinct_given.get(table, {}).get(column)
        if given is not None and table in self.tables:
            return given
        return self._cached((table, column, "distinct"), lambda: Distinct.of(self.table(table)[column]))

    def code_distinct(self, table: str, column: str) -> Distinct:
        """The column upper-cased ("u4" -> "U4"), by distinct value."""
        return self._cached((table, column, "code_distinct"),
                            lambda: self.distinct(table, column).mapped(str.upper, str.upper))

    def compact_distinct(self, table: str, column: str) -> Distinct:
        """The column upper-cased with its spaces removed ("se15 4rg" -> "SE154RG"), to compare postcodes and URNs."""
        return self._cached((table, column, "compact_distinct"),
                            lambda: self.code_distinct(table, column).mapped(_no_spaces, _no_spaces))

    def code(self, table: str, column: str) -> pd.Series:
        """The column upper-cased, once per column (worked out on its distinct values only)."""
        return self._cached((table, column, "code"), lambda: pd.Series(
            self.code_distinct(table, column).cells(), index=self.table(table).index, dtype=object))

    def code_in(self, table: str, column: str, codes) -> np.ndarray:
        """Rows whose upper-cased cell is one of `codes` (a bool array)."""
        return self.code_distinct(table, column).is_in(codes)

    def code_is(self, table: str, column: str, code: str) -> np.ndarray:
        return self.code_distinct(table, column).is_(code)

    def blank(self, table: str, column: str) -> np.ndarray:
        """Rows whose cell is "" (a bool array)."""
        return self.distinct(table, column).is_("")

    def places(self, column: str) -> pd.DataFrame:
        """Where each episode's HOME_POST or PL_POST is (easting, northing, la_code; NaN when not in the ONS
        Postcode Directory), looked up once per return: rules 392a, 392c and 1015 and the stored distance read it."""
        def look_up():
            found = self.places_distinct(column)
            positions = self.distinct("Episodes", column).positions
            la_code = found["la_code"].to_numpy(dtype=object)[positions]
            index = self.table("Episodes").index
            return pd.DataFrame({"easting": found["easting"].to_numpy(dtype=float)[positions],
                                 "northing": found["northing"].to_numpy(dtype=float)[positions],
                                 "la_code": pd.Series(la_code, index=index, dtype=object)}, index=index)
        return self._cached(("Episodes", column, "place"), look_up)

    def places_distinct(self, column: str) -> pd.DataFrame:
        """`places` for each distinct cell of the column (in the order of `distinct`)."""
        return self._cached(("Episodes", column, "place_distinct"), lambda: geography.lookup(
            pd.Series(self.distinct("Episodes", column).values, dtype=object)))

    def unplaced(self, column: str) -> np.ndarray:
        """Rows whose postcode is not in the ONS Postcode Directory (a bool array)."""
        return self.distinct("Episodes", column).spread(self.places_distinct(column)["easting"].isna().to_numpy())

    @property
    def rules_year(self) -> int:
        """The collection year (2024 = 2023/24 ... 2027 = 2026/27) whose rules check this return."""
        return min(max(self.year_end, 2024), 2027)

    def table(self, name: str) -> pd.DataFrame:
        if name in self.tables:
            return self.tables[name]
        return self._cached((name, "empty table"),
                            lambda: pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[name].columns}))

    def _date_values(self, table: str, column: str) -> np.ndarray:
        """Each distinct cell's date (datetime64[ns], NaT when blank or not a date)."""
        return self._cached((table, column, "date_values"), lambda: _parse_dates(
            pd.Series(self.distinct(table, column).values, dtype=object)).to_numpy(dtype="datetime64[ns]"))

    def dates(self, table: str, column: str) -> np.ndarray:
        """The column's dates as a datetime64[ns] array (see `date`)."""
        return self._cached((table, column, "dates"),
                            lambda: self.distinct(table, column).spread(self._date_values(table, column)))

    def date(self, table: str, column: str) -> pd.Series:
        """The column's dates (dd/mm/yyyy as the DfE writes them, or YYYY-MM-DD); NaT when blank or not a date.
        Each distinct text is parsed once (a year's dates repeat: a million episodes start on a few thousand days)."""
        return self._cached((table, column, "date"), lambda: pd.Series(
            self.dates(table, column), index=self.table(table).index, dtype="datetime64[ns]"))

    def bad_date(self, table: str, column: str) -> np.ndarray:
        """Cells that are not blank and not a date (a bool array)."""
        distinct = self.distinct(table, column)
        written = np.fromiter((v != "" for v in distinct.values), dtype=bool, count=len(distinct.values))
        return distinct.spread(written & np.isnat(self._date_values(table, column)))

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

    def is_uasc_child(self, table: str) -> np.ndarray:
        """Rows of `table` whose child the return says is UASC (a bool array)."""
        return self._cached((table, "uasc child"), lambda: self.distinct(table, "CHILD").is_in(self.uasc_children()))

    def header_children(self) -> pd.Index:
        """The Header's distinct children as an Index, kept so its hash table is built once for every table's look-up."""
        return self._cached(("Header", "children index"), lambda: pd.Index(self.distinct("Header", "CHILD").values, dtype=object))

    def birth_dates(self, table: str) -> np.ndarray:
        """Each row's child's date of birth from the Header (its first row for the child; NaT where none)."""
        def make():
            header = self.distinct("Header", "CHILD")
            first_row = np.unique(header.positions, return_index=True)[1]   # each distinct child's first row
            dob = np.append(self.dates("Header", "DOB")[first_row], _NAT) if len(first_row) else np.array([_NAT])
            found = self.header_children().get_indexer(self.distinct(table, "CHILD").values)
            return self.distinct(table, "CHILD").spread(dob[found])   # -1 (not in the Header) -> the NaT at the end
        return self._cached((table, "birth dates"), make)

    def episodes_in_order(self) -> InOrder:
        """Episodes sorted by child then start (then end), with each one's neighbours (made once per return: most
        episode rules read it)."""
        if self._in_order is None:
            self._in_order = InOrder.of(self)
        return self._in_order


@dataclass
class InOrder:
    """The episodes sorted by child (its first appearance), then start, then end (NaT last), as numpy arrays in that
    order; `order` gives each one's row. A rule finds rows in this order (`rows(mask)`)."""
    order: np.ndarray
    same_child: np.ndarray      # the row before is the same child's
    is_last: np.ndarray         # the child's last episode
    decom: np.ndarray
    dec: np.ndarray
    prev_dec: np.ndarray
    prev_decom: np.ndarray
    next_decom: np.ndarray      # NaT for a child's last episode
    changed: dict               # column -> its (upper-cased, or compacted) value differs from the row before's

    @classmethod
    def of(cls, r: Return) -> InOrder:
        child_number = r.distinct("Episodes", "CHILD").positions
        decom_all, dec_all = r.dates("Episodes", "DECOM"), r.dates("Episodes", "DEC")
        # Numbers sort far faster than strings; NaT sorts last, as sort_values puts it.
        days = [np.where(np.isnat(d), np.iinfo(np.int64).max, d.view(np.int64)) for d in (dec_all, decom_all)]
        order = np.lexsort((*days, child_number))
        n = len(order)
        child_number = child_number[order]
        same, followed = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        same[1:] = child_number[1:] == child_number[:-1]
        followed[:-1] = same[1:]
        decom, dec = decom_all[order], dec_all[order]

        def shifted(values, by):
            out = np.full(n, _NAT)
            if by > 0:
                out[by:] = values[:-by]
            else:
                out[:by] = values[-by:]
            return out
        changed = {}
        for column, distinct in (("LS", r.code_distinct("Episodes", "LS")),
                                 *((c, r.compact_distinct("Episodes", c)) for c in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER"))):
            number, differs = distinct.positions[order], np.ones(n, dtype=bool)
            differs[1:] = number[1:] != number[:-1]
            changed[column] = differs
        next_decom = shifted(decom, -1) if n else decom
        next_decom[~followed] = _NAT
        return cls(order, same, ~followed, decom, dec, prev_dec=shifted(dec, 1) if n else dec,
                   prev_decom=shifted(decom, 1) if n else decom, next_decom=next_decom, changed=changed)

    def sorted(self, rows: np.ndarray) -> np.ndarray:
        """A per-row array (in the table's order) in this order."""
        return rows[self.order]

    def rows(self, mask: np.ndarray) -> np.ndarray:
        """The rows (in the table's numbering) where `mask` (in this order) holds, in this order."""
        return self.order[mask]


RULES: dict[str, Rule] = {}


def rule(code: str, message: str, level: str = "error"):
    def register(check):
        RULES[code] = Rule(code, message, level, check)
        return check
    return register


def _rows(table: str, column: str, found) -> list[tuple[str, np.ndarray, str]]:
    """A rule's finding: a bool mask over the table's rows, or the rows themselves (in the order to report them)."""
    found = np.asarray(found)
    return [(table, np.flatnonzero(found) if found.dtype == bool else found.astype(np.intp), column)]


# --- dates that are not dates --------------------------------------------------------------------------------

@rule("102", "Date of birth is not a valid date.")
def _102(r: Return):
    return _rows("Header", "DOB", r.blank("Header", "DOB") | r.bad_date("Header", "DOB"))


@rule("141", "Date episode began is not a valid date.")
def _141(r: Return):
    return _rows("Episodes", "DECOM", r.blank("Episodes", "DECOM") | r.bad_date("Episodes", "DECOM"))


@rule("147", "Date episode ceased is not a valid date.")
def _147(r: Return):
    return _rows("Episodes", "DEC", r.bad_date("Episodes", "DEC"))


@rule("104", "Date UASC status ceased is not a valid date, or is before the collection year began.")
def _104(r: Return):
    return _rows("UASC", "DUC", r.bad_date("UASC", "DUC") | (r.dates("UASC", "DUC") < r.collection_start.to_datetime64()))


@rule("105", "Data entry for the UASC status of the child is invalid (it must be 0 or 1).")
def _105(r: Return):
    flag = r.distinct("Header", "UASC")
    return _rows("Header", "UASC", ~flag.is_("") & ~flag.is_in(["0", "1"]))


# --- codes, by collection year ------------------------------------------------------------------------------

def _code_rule(table: str, column: str):
    def check(r: Return):
        bad = ~r.code_in(table, column, valid_codes(column, r.year_end))
        if (table, column) not in REQUIRED_CODES:
            bad &= ~r.code_is(table, column, "")
        return _rows(table, column, bad)
    return check


for (_table, _column), (_code, _message) in CODE_RULES.items():
    rule(_code, _message)(_code_rule(_table, _column))


# --- episodes ------------------------------------------------------------------------------------------------

@rule("142", "A new episode has started, but the previous episode has not ended.")
def _142(r: Return):
    e = r.episodes_in_order()
    open_before_last = ~e.is_last & ~np.isnat(e.decom) & (np.isnat(e.dec) | e.sorted(r.code_is("Episodes", "REC", "")))
    return _rows("Episodes", "DEC", e.rows(open_before_last))


@rule("148", "Date episode ceased and reason episode ceased must both be coded, or both left blank.")
def _148(r: Return):
    no_dec, no_rec = r.blank("Episodes", "DEC"), r.blank("Episodes", "REC")
    return _rows("Episodes", "DEC", no_dec & ~no_rec) + _rows("Episodes", "REC", no_rec & ~no_dec)


@rule("302", "First episode starts before child was born.")
def _302(r: Return):
    e = r.episodes_in_order()
    first = ~e.same_child   # each child's first episode (children sort together)
    born_after = first & (e.sorted(r.birth_dates("Episodes")) > e.decom)
    children = r.distinct("Episodes", "CHILD")
    late = children.values[np.unique(children.positions[e.rows(born_after)])]
    return _rows("Episodes", "DECOM", e.rows(born_after)) + _rows("Header", "DOB", r.distinct("Header", "CHILD").is_in(late))


@rule("354", "Date episode began must be on or before the end of the current collection year.")
def _354(r: Return):
    return _rows("Episodes", "DECOM", r.dates("Episodes", "DECOM") > r.collection_end.to_datetime64())


@rule("385", "Date episode ceased must be on or before the end of the current collection year.")
def _385(r: Return):
    return _rows("Episodes", "DEC", r.dates("Episodes", "DEC") > r.collection_end.to_datetime64())


@rule("356", "The date the episode ceased is before the date the same episode started.")
def _356(r: Return):
    return _rows("Episodes", "DEC", r.dates("Episodes", "DEC") < r.dates("Episodes", "DECOM"))


@rule("388", "Reason episode ceased is coded new episode begins (X1), but there is no continuation episode; "
             "or an episode that another follows on the same day is not coded X1.")
def _388(r: Return):
    e = r.episodes_in_order()
    ended = ~np.isnat(e.dec)
    follows = ~np.isnat(e.next_decom)
    x1 = e.sorted(r.code_is("Episodes", "REC", "X1"))
    coded = ~e.sorted(r.code_is("Episodes", "REC", ""))
    bad = (~e.is_last & follows & ended & x1 & (e.dec != e.next_decom)) \
        | (~e.is_last & follows & ended & ~x1 & coded & (e.dec == e.next_decom)) \
        | (e.is_last & ended & x1)
    return _rows("Episodes", "REC", e.rows(bad))


@rule("392b", "Child is looked after but no postcodes are recorded (home and placement postcodes are needed unless "
              "the legal status is V3 or V4 or the child is or was UASC).")
def _392b(r: Return):
    needed = _needs_postcodes(r)
    no_home = r.blank("Episodes", "HOME_POST")
    return _rows("Episodes", "HOME_POST", needed & no_home) + \
        _rows("Episodes", "PL_POST", needed & r.blank("Episodes", "PL_POST") & ~no_home)


@rule("433", "The reason for new episode suggests that this is a continuation episode, but the episode does not start "
             "on the same day as the last episode finished.")
def _433(r: Return):
    e = r.episodes_in_order()
    bad = e.same_child & e.sorted(r.code_in("Episodes", "RNE", ["P", "L", "T", "U", "B"])) & \
        (np.isnat(e.prev_dec) | np.isnat(e.decom) | (e.prev_dec != e.decom))
    return _rows("Episodes", "RNE", e.rows(bad))


@rule("434", "Reason for new episode is that the child's legal status has changed but not the placement, but this is "
             "not reflected in the episode data.")
def _434(r: Return):
    e = r.episodes_in_order()
    placement_changed = e.changed["PLACE"] | e.changed["PL_POST"] | e.changed["URN"] | e.changed["PLACE_PROVIDER"]
    bad = e.same_child & e.sorted(r.code_is("Episodes", "RNE", "L")) & (~e.changed["LS"] | placement_changed)
    return _rows("Episodes", "RNE", e.rows(bad))


@rule("501", "A new episode has started before the end date of the previous episode (episodes overlap, or two start "
             "on the same day).")
def _501(r: Return):
    e = r.episodes_in_order()
    bad = e.same_child & ~np.isnat(e.decom) & ((e.decom < e.prev_dec) | (e.decom == e.prev_decom))
    return _rows("Episodes", "DECOM", e.rows(bad))


# Placement types that have no Ofsted URN, by collection year (2024/25 drops P2; 2025/26 splits Z1 into Z11-Z14).
_NO_URN = {2024: ("P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"),
           2025: ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"),
           2026: ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14")}


def no_urn_places(year_end: int) -> tuple[str, ...]:
    """Placement types that have no Ofsted URN in the collection year ending 31 March `year_end` (rule 222)."""
    return _NO_URN[max(y for y in _NO_URN if y <= min(max(year_end, 2024), 2027))]


@rule("222", "Ofsted Unique reference number (URN) should not be recorded for this placement type.")
def _222(r: Return):
    year = max(y for y in _NO_URN if y <= min(max(r.year_end, 2024), 2027))
    return _rows("Episodes", "URN", r.code_in("Episodes", "PLACE", _NO_URN[year])
                 & ~r.code_in("Episodes", "URN", ["", "XXXXXXX"]))


def _too_young(place: str, years: int):
    """An ended episode in this placement type that began before the child was `years` old (the DfE checks only
    episodes with an end date)."""
    def check(r: Return):
        placed = np.flatnonzero(r.code_is("Episodes", "PLACE", place))   # the few rows of that type only
        born = pd.Series(r.birth_dates("Episodes")[placed], index=placed)
        decom = pd.Series(r.dates("Episodes", "DECOM")[placed], index=placed)
        ended = ~np.isnat(r.dates("Episodes", "DEC")[placed]) & decom.notna() & born.notna()
        young = decom < born + pd.DateOffset(years=years)
        return _rows("Episodes", "PLACE", placed[(ended & young).to_numpy()])
    return check


rule("372", "Child in youth custody or prison should be at least 10.")(_too_young("R5", 10))
rule("373", "Child placed in a school should be at least 4 years old.")(_too_young("S1", 4))
rule("374", "Child in residential employment should be at least 14 years old.")(_too_young("P3", 14))


# --- one child, several tables ------------------------------------------------------------------------------

@rule("INT03", "Child in Episodes does not exist in Header.")
def _int03(r: Return):
    return _rows("Episodes", "CHILD", ~r.distinct("Episodes", "CHILD").is_in(r.distinct("Header", "CHILD").values))


@rule("INT09", "Child in UASC does not exist in Header.")
def _int09(r: Return):
    return _rows("UASC", "CHILD", ~r.distinct("UASC", "CHILD").is_in(r.distinct("Header", "CHILD").values))


@rule("HDR", "The same child appears twice in Header (each child has one header row).")
def _header_once(r: Return):
    children = r.distinct("Header", "CHILD")
    repeated = np.ones(len(children.positions), dtype=bool)
    repeated[np.unique(children.positions, return_index=True)[1]] = False   # each child's first row
    return _rows("Header", "CHILD", repeated | children.is_(""))


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
    return _rows("Episodes", "PLACE_PROVIDER", r.code_in("Episodes", "PLACE", _by_year(_NO_PROVIDER, r))
                 & ~r.code_is("Episodes", "PLACE_PROVIDER", ""))


@rule("526", "Child is missing a placement provider code for at least one episode.")
def _526(r: Return):
    return _rows("Episodes", "PLACE_PROVIDER", ~r.code_in("Episodes", "PLACE", _by_year(_PROVIDER_OPTIONAL, r))
                 & r.code_is("Episodes", "PLACE_PROVIDER", ""))


def _provider_cannot(provider: str, places: tuple[str, ...], negate: bool = False):
    def check(r: Return):
        listed = r.code_in("Episodes", "PLACE", places)
        return _rows("Episodes", "PLACE_PROVIDER", r.code_is("Episodes", "PLACE_PROVIDER", provider)
                     & (~listed if negate else listed) & ~r.code_is("Episodes", "PLACE", ""))
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
    return _rows("Episodes", "PLACE", r.code_is("Episodes", "PLACE", "P1") & r.code_is("Episodes", "LS", "V2"))


@rule("516", "The reason episode ceased is a special guardianship order to former foster carers (E45 or E46), but the "
             "placement is not foster care (U1 to U6).")
def _516(r: Return):
    return _rows("Episodes", "REC", r.code_in("Episodes", "REC", ["E45", "E46"]) & ~r.code_in("Episodes", "PLACE", _FOSTER))


@rule("218", "Ofsted Unique reference number (URN) is required.")
def _218(r: Return):
    # The DfE asks no URN of a placement outside England; a placement it cannot place (postcode not found) is not
    # asked one either until 2025/26, when the rule names the countries instead.
    placed_in = r.places_distinct("PL_POST")["la_code"]
    outside_england = placed_in.notna() & ~placed_in.fillna("").str.startswith("E")
    if r.rules_year < 2026:
        outside_england |= placed_in.isna()
    outside_england = r.distinct("Episodes", "PL_POST").spread(outside_england.to_numpy(dtype=bool))
    current = (r.dates("Episodes", "DEC") >= r.collection_start.to_datetime64()) | r.blank("Episodes", "DEC")
    return _rows("Episodes", "URN", current & r.code_is("Episodes", "URN", "") & ~r.code_is("Episodes", "PLACE", "")
                 & ~r.code_in("Episodes", "PLACE", _by_year(_URN_EXEMPT, r)) & ~outside_england)


def _needs_postcodes(r: Return) -> np.ndarray:
    return ~r.code_in("Episodes", "LS", ["V3", "V4"]) & ~r.is_uasc_child("Episodes")


@rule("392a", "Child is looked after but no distance is recorded (the home or placement postcode is not in the ONS "
              "Postcode Directory, so the DfE cannot work out the distance).", level="query")
def _392a(r: Return):
    return _rows("Episodes", "PL_POST", _needs_postcodes(r) & (r.unplaced("HOME_POST") | r.unplaced("PL_POST")))


@rule("392c", "Postcode(s) provided are invalid (not in the ONS Postcode Directory).", level="query")
def _392c(r: Return):
    return _rows("Episodes", "HOME_POST", ~r.blank("Episodes", "HOME_POST") & r.unplaced("HOME_POST")) + \
        _rows("Episodes", "PL_POST", ~r.blank("Episodes", "PL_POST") & r.unplaced("PL_POST"))


@rule("1015", "Placement provider is own provision (PR1) but the child is not placed in the LA's own area.", level="query")
def _1015(r: Return):
    if not r.la_code:
        return []
    exempt = ("A3", "A4", "A5", "A6") + _FOSTER + (("K3",) if r.rules_year >= 2026 else ())
    own = r.code_is("Episodes", "PLACE_PROVIDER", "PR1") & ~r.code_in("Episodes", "PLACE", exempt) \
        & ~r.code_is("Episodes", "PLACE", "") & ~r.code_in("Episodes", "LS", ["V3", "V4"]) & ~r.code_is("Episodes", "LS", "")
    placed_in = r.places_distinct("PL_POST")["la_code"].to_numpy(dtype=object)
    elsewhere = np.fromiter((v != r.la_code for v in placed_in), dtype=bool, count=len(placed_in))
    return _rows("Episodes", "PL_POST", own & r.distinct("Episodes", "PL_POST").spread(elsewhere))


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


def findings(r: Return) -> list[tuple[str, str, np.ndarray, str]]:
    """Every rule's findings as (rule, table, rows, column), in rule order (each rule's rows in the order it reports
    them); a table the return does not hold is simply not checked."""
    return [(code, table, rows, column) for code, definition in RULES.items()
            for table, rows, column in definition.check(r) if table in r.tables and len(rows)]


def check(r: Return) -> list[Finding]:
    """Every rule's findings, in rule order, one per row found."""
    return [Finding(table, int(i), column, code) for code, table, rows, column in findings(r) for i in rows.tolist()]
