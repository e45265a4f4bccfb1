"""What is stored of a child, degraded as LIIA's own pipeline does before sharing: the child id pseudonymised with
a keyed hash (HMAC-SHA256, so nobody without the key can test a guessed id), dates of birth as the first of their
month, postcodes cut to their sector ("SE15 4RG" -> "SE15 4"); the UPN is never stored."""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.ingest.ssda903.columns import Distinct, by_distinct

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


_INNER_PAD = bytes(x ^ 0x36 for x in range(256))   # RFC 2104's ipad and opad, applied by bytes.translate
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


def _digests(children: list, la_code: str, key: bytes) -> list[str]:
    """Each id's pseudonym: HMAC-SHA256(key, "LA:id") as RFC 2104 defines it (the same as hmac.new gives), built from
    the keyed inner and outer SHA-256 states copied per id, so no HMAC object is made per child (twice as fast)."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(block.translate(_INNER_PAD))
    inner.update(f"{la_code}:".encode())
    new_inner, new_outer = inner.copy, hashlib.sha256(block.translate(_OUTER_PAD)).copy
    out = []
    for child in children:
        state = new_inner()
        state.update(str(child).encode())
        outer = new_outer()
        outer.update(state.digest())
        out.append(outer.hexdigest()[:16])
    return out


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

    def digests(self, children: list) -> list[str]:
        """Each id's pseudonym (one LA's ids), not remembered."""
        return _digests(children, self.la_code, self.key)

    def __call__(self, children: pd.Series, by_value: Distinct | None = None) -> pd.Series:
        """`by_value`: the column as the checks already hold it by distinct value (not hashed into values again)."""
        if by_value is None:
            positions, distinct = pd.factorize(children)   # missing ids -> -1
        else:
            positions, distinct = by_value.positions, by_value.values
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


def _cut_to_sector(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype(str).str.upper().str.replace(r"\s+", "", regex=True)
    ok = text.str.match(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
    return (text.str[:-3] + " " + text.str[-3]).astype(object).where(ok, None)


def sector(postcodes: pd.Series, by_value: Distinct | None = None) -> pd.Series:
    """Full postcodes -> their sector ("se15 4rg" -> "SE15 4"); anything that is not a postcode -> None.
    `by_value`: the column by distinct value, as the checks hold it."""
    if by_value is None:
        return by_distinct(postcodes, _cut_to_sector)
    return by_value.column(_cut_to_sector(pd.Series(by_value.values, dtype=object)).to_numpy(dtype=object), postcodes.index)
