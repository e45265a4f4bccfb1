"""What is stored of a child, degraded as LIIA's own pipeline does before sharing: the child id pseudonymised with
a keyed hash (HMAC-SHA256, so nobody without the key can test a guessed id), dates of birth as the first of their
month, postcodes cut to their sector ("SE15 4RG" -> "SE15 4"); the UPN is never stored."""
from __future__ import annotations

import hmac
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.ingest.ssda903.columns import by_distinct

NEVER_STORED = ("UPN",)


def pseudonym_key(setting: str, data_dir: Path) -> bytes:
    """The key: the CHILD_ID_KEY setting, or (the embedded default) one generated once into data/child_id_key."""
    if setting:
        return setting.encode()
    path = data_dir / "child_id_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


def _digests(children: list, la_code: str, key: bytes) -> list[str]:
    """Each id's pseudonym, from one keyed HMAC state copied per id (the key is not set up again each time)."""
    keyed = hmac.new(key, f"{la_code}:".encode(), "sha256")

    def digest(child) -> str:
        state = keyed.copy()
        state.update(str(child).encode())
        return state.hexdigest()[:16]
    return list(map(digest, children))


def pseudonymise(children: pd.Series, la_code: str, key: bytes) -> pd.Series:
    """Each LA's child id -> 16 hex characters; the same id in the same LA always gives the same pseudonym.
    Each distinct id is hashed once."""
    positions, distinct = pd.factorize(children)   # missing ids -> -1
    digests = np.array(_digests(distinct.tolist(), la_code, key) + [None], dtype=object)
    return pd.Series(digests[positions], index=children.index, dtype=object)


class Pseudonyms:
    """pseudonymise for one LA and key, remembering each id's pseudonym: a return's tables name the same children.
    `la_code` may instead map each id to its LA (a set of several LAs' children whose ids differ, as the demo's)."""

    def __init__(self, la_code: str | pd.Series, key: bytes):
        self.la_code, self.key = la_code, key
        self.known: dict = {}

    def __call__(self, children: pd.Series) -> pd.Series:
        positions, distinct = pd.factorize(children)   # missing ids -> -1
        distinct = distinct.tolist()
        new = [child for child in distinct if child not in self.known]
        if new and isinstance(self.la_code, str):
            self.known.update(zip(new, _digests(new, self.la_code, self.key)))
        elif new:
            las = self.la_code.reindex(new).to_numpy()
            for la in pd.unique(las):
                ids = [child for child, its_la in zip(new, las) if its_la == la]
                self.known.update(zip(ids, _digests(ids, la, self.key)))
        found = np.array([self.known[child] for child in distinct] + [None], dtype=object)
        return pd.Series(found[positions], index=children.index, dtype=object)


def month_start(dates: pd.Series) -> pd.Series:
    """A date -> the first of its month (NaT stays NaT), by numpy's month unit over the whole column."""
    return pd.Series(dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").astype("datetime64[ns]"),
                     index=dates.index)


def sector(postcodes: pd.Series) -> pd.Series:
    """Full postcodes -> their sector ("se15 4rg" -> "SE15 4"); anything that is not a postcode -> None."""
    def cut(values: pd.Series) -> pd.Series:
        text = values.fillna("").astype(str).str.upper().str.replace(r"\s+", "", regex=True)
        ok = text.str.match(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
        return (text.str[:-3] + " " + text.str[-3]).astype(object).where(ok, None)
    return by_distinct(postcodes, cut)
