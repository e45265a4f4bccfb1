"""The send dashboard: page, view, data, metrics, figures and returns."""
