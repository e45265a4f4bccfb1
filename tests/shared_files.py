"""The files in ../shared the tests read (DESIGN.md's published data, reference tables and samples), found one way,
and one failure when one is missing: ../shared sits beside the repository here and in CI, so a missing file is a
broken checkout, never a reason to skip."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]   # the repository
SHARED = ROOT.parent / "shared"
REALDATA = SHARED / "realdata"
REFERENCE = SHARED / "reference"


def shared_file(path: Path | str) -> Path:
    """`path` (absolute, or relative to ../shared) if it exists; otherwise the test fails, naming it."""
    path = SHARED / path
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests read ../shared (published data, reference tables, samples), "
                    f"which must sit beside the repository, at {SHARED}", pytrace=False)
    return path


def published_cell(relative_path: str, match: dict, column: str) -> str:
    """A cell of a published file in ../shared/realdata as it stands: the tests find a figure the way a DCS would."""
    with open(shared_file(REALDATA / relative_path), encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if all(row[k] == v for k, v in match.items()):
                return row[column]
    raise AssertionError(f"no row {match} in {relative_path}")
