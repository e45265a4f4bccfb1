"""The benchmarking dashboard: page, view, data, metrics, figures."""
