"""Figure builders and the shared theme."""
