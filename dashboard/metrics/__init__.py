"""Pure functions over DataFrames: no I/O, no Dash. Each has unit tests with hand-worked figures."""
