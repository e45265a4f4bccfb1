"""The DfE's SSDA903 code lists by collection year, and the rule that checks each coded column.

Years are named by the 31 March they end on (2025 = 2024/25). The lists follow the DfE's 903 validation rules as
`csc-validator-be-903` encodes them for 2022/23 to 2026/27; a year before 2023/24 is checked with the 2023/24 lists
(the earliest held here) and a year after 2026/27 with 2026/27's.
"""
from __future__ import annotations

FIRST_YEAR, LAST_YEAR = 2024, 2027

_PLACE_2024 = ("A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2",
               "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1")
# 2024/25 adds K3 (supported accommodation); 2025/26 drops H5, P2 and Z1 and splits Z1 into Z11-Z14.
_PLACE_2025 = _PLACE_2024 + ("K3",)
_PLACE_2026 = tuple(c for c in _PLACE_2025 if c not in ("H5", "P2", "Z1")) + ("Z11", "Z12", "Z13", "Z14")

_BY_YEAR: dict[str, dict[int, tuple[str, ...]]] = {
    "SEX": {2024: ("1", "2"), 2025: ("M", "F", "U")},     # 2024/25 recodes sex as M, F, U (rule 101)
    "PLACE": {2024: _PLACE_2024, 2025: _PLACE_2025, 2026: _PLACE_2026},
}
_ALL_YEARS: dict[str, tuple[str, ...]] = {
    "ETHNIC": ("WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH",
               "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"),
    "RNE": ("S", "P", "L", "T", "U", "B"),
    "LS": ("C1", "C2", "D1", "E1", "V2", "V3", "V4", "J1", "J2", "J3", "L1", "L2", "L3"),
    "CIN": ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"),
    "PLACE_PROVIDER": ("PR0", "PR1", "PR2", "PR3", "PR4", "PR5"),
    "REC": ("E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8",
            "E9", "E14", "E15", "E16", "E17", "X1"),
    "REASON_PLACE_CHANGE": ("CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE",
                            "CUSTOD", "OTHER"),
}
# The rule that refuses an invalid code in each coded column, with the DfE's wording.
CODE_RULES: dict[tuple[str, str], tuple[str, str]] = {
    ("Header", "SEX"): ("101", "The child's reported sex is not a valid code for this collection year."),
    ("Header", "ETHNIC"): ("103", "The ethnicity code is either not valid or has not been entered."),
    ("Episodes", "RNE"): ("143", "The reason for new episode code is not a valid code."),
    ("Episodes", "LS"): ("144", "The legal status code is not a valid code."),
    ("Episodes", "CIN"): ("145", "Category of need code is not a valid code."),
    ("Episodes", "PLACE"): ("146", "Placement type code is not a valid code for this collection year."),
    ("Episodes", "REC"): ("149", "Reason episode ceased code is not valid."),
    ("Episodes", "PLACE_PROVIDER"): ("178", "Placement provider code is not a valid code."),
    ("Episodes", "REASON_PLACE_CHANGE"): ("1009", "Reason for placement change is not a valid code."),
}
# Columns that must be filled in for every row (a blank is refused under the same rule as a wrong code).
REQUIRED_CODES = {("Header", "SEX"), ("Header", "ETHNIC"), ("Episodes", "RNE"), ("Episodes", "LS"), ("Episodes", "CIN"),
                  ("Episodes", "PLACE")}


def rules_year(year_end: int) -> int:
    """The collection year whose lists check a return for the year ending 31 March `year_end`."""
    return min(max(year_end, FIRST_YEAR), LAST_YEAR)


def valid_codes(column: str, year_end: int) -> frozenset[str]:
    if column in _ALL_YEARS:
        return frozenset(_ALL_YEARS[column])
    by_year = _BY_YEAR[column]
    year = rules_year(year_end)
    return frozenset(by_year[max(y for y in by_year if y <= year)])


def every_code(column: str) -> frozenset[str]:
    """Every code the column has had in any year held here (for labels)."""
    if column in _ALL_YEARS:
        return frozenset(_ALL_YEARS[column])
    return frozenset(c for codes in _BY_YEAR[column].values() for c in codes)
