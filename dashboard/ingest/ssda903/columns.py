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
        positions, values = pd.factorize(np.asarray(cells, dtype=object), use_na_sentinel=False)
        return cls(positions, np.asarray(values, dtype=object))

    def spread(self, per_value) -> np.ndarray:
        """Something worked out per distinct value (an array as long as `values`) -> one per row."""
        return np.asarray(per_value)[self.positions]

    def is_in(self, texts) -> np.ndarray:
        """Rows whose value is one of `texts` (a bool array)."""
        return self.spread(pd.Index(self.values, dtype=object).isin(list(texts)))

    def is_(self, text: str) -> np.ndarray:
        return self.spread(np.fromiter((v == text for v in self.values), dtype=bool, count=len(self.values)))

    def mapped(self, transform: Callable[[str], str]) -> Distinct:
        """`transform` applied to each distinct text once (anything not text becomes NaN, as pandas' .str methods
        make it); values it makes equal ("u4", "U4" -> "U4") merge."""
        done = np.empty(len(self.values), dtype=object)
        done[:] = [transform(v) if isinstance(v, str) else np.nan for v in self.values.tolist()]
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


def by_distinct(cells: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`transform` applied to each distinct value once, then spread back over the rows."""
    positions, distinct = pd.factorize(cells, use_na_sentinel=False)
    done = transform(pd.Series(distinct, dtype=object)).to_numpy()
    return pd.Series(done[positions] if len(done) else done, index=cells.index, dtype=object)
