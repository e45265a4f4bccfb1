"""The leadership in colour dashboard: page, view, data, metrics, figures and returns."""
