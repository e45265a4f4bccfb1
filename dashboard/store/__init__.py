"""The SQL store: engine, tables and reference data. Pages never import this; the loader does."""
from dashboard.store.engine import get_engine, reset_engine
from dashboard.store.schema import metadata

__all__ = ["get_engine", "reset_engine", "metadata"]
