"""What is stored of a child, degraded as LIIA's own pipeline does before sharing: the child id pseudonymised with
a keyed hash (HMAC-SHA256, so nobody without the key can test a guessed id), dates of birth as the first of their
month, postcodes cut to their sector ("SE15 4RG" -> "SE15 4"); the UPN is never stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import pandas as pd

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


def pseudonymise(children: pd.Series, la_code: str, key: bytes) -> pd.Series:
    """Each LA's child id -> 16 hex characters; the same id in the same LA always gives the same pseudonym."""
    unique = children.dropna().unique()
    digests = {c: hmac.new(key, f"{la_code}:{c}".encode(), hashlib.sha256).hexdigest()[:16] for c in unique}
    return children.map(digests)


def month_start(dates: pd.Series) -> pd.Series:
    """A date -> the first of its month (NaT stays NaT)."""
    return dates.dt.to_period("M").dt.to_timestamp()


def sector(postcodes: pd.Series) -> pd.Series:
    """Full postcodes -> their sector ("se15 4rg" -> "SE15 4"); anything that is not a postcode -> None."""
    text = postcodes.fillna("").astype(str).str.upper().str.replace(r"\s+", "", regex=True)
    ok = text.str.match(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
    out = text.str[:-3] + " " + text.str[-3]
    return out.where(ok, None)
