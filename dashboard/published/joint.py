"""The one rule for joint returns (DfE's workforce census publishes Kingston upon Thames and Richmond upon Thames
together: one row, codes "E09000021 / E09000027" and "314 / 318"). Such an LA's figure is the joint one wherever it
is asked for (focus, ranking, sub-region, statistical neighbours), labelled as joint and counted once in a mean; never
split, never copied to each. An LA that also publishes on its own keeps its own figures. Benchmarking and the pages of
published measures both use it, keyed by ONS codes or DfE numbers."""
from __future__ import annotations

import pandas as pd

JOINT_NOTE = "joint return"


def members(code: str) -> list[str]:
    return [c.strip() for c in str(code).split("/")]


def joint_returns(values: pd.DataFrame, column: str = "area_code") -> dict[str, str]:
    """Each LA whose figures are published only jointly -> that joint code (in `column`: area_code or dfe_code)."""
    joint = {}
    codes = values[column].astype(str)
    for code in codes[codes.str.contains("/", regex=False)].drop_duplicates():
        covered = members(code)
        if not values[codes.isin(covered)]["value"].notna().any():
            joint.update({member: code for member in covered})
    return joint


def counted_once(codes, joint: dict[str, str]) -> dict[str, int]:
    """The areas a list of LAs' figures come from (a joint return once) -> how many of the LAs each covers."""
    areas = list(dict.fromkeys(joint.get(code, code) for code in codes))
    return {area: sum(joint.get(code, code) == area for code in codes) for area in areas}


def joint_areas(las: pd.DataFrame, joint: dict[str, str], column: str = "la_code") -> pd.DataFrame:
    """The LAs with a joint return standing in for the LAs it covers (one row, named "A / B (joint return)", its
    `column` the joint code; la_code, where that is not the key, the members' ONS codes joined the same way)."""
    las = las.copy()
    for code in dict.fromkeys(joint.values()):
        covered = las[las[column].astype(str).isin(members(code))]
        if covered.empty:
            continue
        row = covered.iloc[0].copy()
        row[column] = code
        row["la_name"] = f"{' / '.join(covered['la_name'])} ({JOINT_NOTE})"
        if column != "la_code":
            row["la_code"] = " / ".join(covered["la_code"])
        las = pd.concat([las[~las[column].astype(str).isin(members(code))], row.to_frame().T], ignore_index=True)
    return las.sort_values("la_name").reset_index(drop=True)
