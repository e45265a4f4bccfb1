"""The sufficiency dashboard: page, view, data, metrics, figures and returns."""
