"""Work on a return's text columns by their distinct values: codes, dates and postcodes repeat (a million episodes
hold a few dozen placement codes and a few thousand dates), so each distinct value is worked out once."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Distinct:
    """A column as its distinct values (each once, in order of first appearance) and each row's position among them:
    a test on the column is made on the few values, then spread over the rows by position (numpy, no string compare
    per row)."""
    positions: np.ndarray   # one per row: its value's index in `values`
    values: np.ndarray      # object

    @classmethod
    def of(cls, cells) -> Distinct:
        # Missing cells (NaN, None) come back as -1 and are put among the values where they first appear, as
        # use_na_sentinel=False would, without its isna pass over every cell (a third of the factorise's time).
        positions, values = pd.factorize(np.asarray(cells, dtype=object))
        values = np.asarray(values, dtype=object)
        missing = positions < 0
        if len(positions) and missing.any():
            first = int(np.argmax(missing))
            slot = int(positions[:first].max()) + 1 if first else 0
            positions = positions + (positions >= slot)
            positions[missing] = slot
            values = np.insert(values, slot, np.nan)
        return cls(positions, values)

    def spread(self, per_value) -> np.ndarray:
        """Something worked out per distinct value (an array as long as `values`) -> one per row."""
        return np.asarray(per_value)[self.positions]

    def column(self, per_value, index: pd.Index) -> pd.Series:
        """Something worked out per distinct value (as long as `values`; None or NaN for missing) -> the rows' column,
        as a Categorical on the rows' positions: no Python object per row is made, the loader codes the column from
        its codes (see bulk.Coded), and the values read the same (missing as NaN, stored as NULL)."""
        codes, categories = pd.factorize(np.asarray(per_value, dtype=object))   # missing -> -1
        rows = codes[self.positions] if len(codes) else np.full(len(self.positions), -1, dtype=np.intp)
        return pd.Series(pd.Categorical.from_codes(rows, categories=pd.Index(categories, dtype=object)), index=index)

    def is_in(self, texts) -> np.ndarray:
        """Rows whose value is one of `texts` (a bool array)."""
        return self.spread(pd.Index(self.values, dtype=object).isin(list(texts)))

    def is_(self, text: str) -> np.ndarray:
        return self.spread(np.asarray(self.values == text, dtype=bool).reshape(len(self.values)))

    def mapped(self, transform: Callable[[str], str], on_joined: Callable[[str], str] | None = None) -> Distinct:
        """`transform` applied to each distinct text once (anything not text becomes NaN, as pandas' .str methods
        make it); values it makes equal ("u4", "U4" -> "U4") merge. `on_joined` does the same to every value at once,
        given them joined by NUL (str.upper, a replace: work per character, so NULs stay where they were), or says
        it cannot (None): one C call, not one Python call per value (a million children's ids)."""
        values = self.values.tolist()
        joined = _joined(values) if on_joined is not None else None
        after = on_joined(joined) if joined is not None else None
        if after is not None:
            if after == joined:
                return self
            done = np.empty(len(values), dtype=object)
            done[:] = after.split("\0")
        else:
            done = np.empty(len(values), dtype=object)
            done[:] = [transform(v) if isinstance(v, str) else np.nan for v in values]
            if np.array_equal(done, self.values):
                return self   # nothing changed (ids that were already stripped, codes already upper-case)
        merged, values = pd.factorize(done, use_na_sentinel=False)
        return Distinct(merged[self.positions] if len(merged) else self.positions, np.asarray(values, dtype=object))

    def filled(self, text: str) -> Distinct:
        """Missing values (NaN: a short row's cells) read as `text`."""
        missing = pd.isna(self.values)
        if not missing.any():
            return self
        values = self.values.copy()
        values[missing] = text
        merged, values = pd.factorize(values, use_na_sentinel=False)   # `text` may be there already
        return Distinct(merged[self.positions], np.asarray(values, dtype=object))

    def cells(self) -> np.ndarray:
        return self.values[self.positions] if len(self.values) else np.empty(len(self.positions), dtype=object)


def _joined(values: list) -> str | None:
    """The values joined by NUL, or None when one is not text or holds a NUL itself (then it could not be split back)."""
    try:
        joined = "\0".join(values)
    except TypeError:
        return None
    return joined if joined.count("\0") == max(len(values) - 1, 0) else None


_ASCII_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"   # what str.isspace (and so str.strip) takes in ASCII


_IS_SPACE = np.zeros(256, dtype=bool)
_IS_SPACE[[ord(c) for c in _ASCII_SPACES]] = True


def strip_joined(joined: str) -> str | None:
    """The NUL-joined values unchanged when no value starts or ends with a space (the bytes either side of each NUL
    looked up at once, numpy); None (strip each value) when one may."""
    if not joined.isascii():
        return None
    text = np.frombuffer(f"\0{joined}\0".encode("ascii"), dtype=np.uint8)
    nul = np.flatnonzero(text == 0)
    if _IS_SPACE[text[nul[:-1] + 1]].any() or _IS_SPACE[text[nul[1:] - 1]].any():
        return None
    return joined


def by_distinct(cells: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`transform` applied to each distinct value once, then spread back over the rows."""
    positions, distinct = pd.factorize(cells, use_na_sentinel=False)
    done = transform(pd.Series(distinct, dtype=object)).to_numpy()
    return pd.Series(done[positions] if len(done) else done, index=cells.index, dtype=object)
