"""Work on a return's text columns by their distinct values: codes, dates and postcodes repeat (a million episodes
hold a few dozen placement codes and a few thousand dates), so each distinct value is worked out once."""
from __future__ import annotations

from typing import Callable

import pandas as pd


def by_distinct(cells: pd.Series, transform: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`transform` applied to each distinct value once, then spread back over the rows."""
    positions, distinct = pd.factorize(cells, use_na_sentinel=False)
    done = transform(pd.Series(distinct, dtype=object)).to_numpy()
    return pd.Series(done[positions] if len(done) else done, index=cells.index, dtype=object)
