"""The suspensions dashboard: page, view, data, metrics, figures and returns."""
