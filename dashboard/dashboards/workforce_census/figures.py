"""Workforce census charts: the shared charts of pages of published measures (the focus LA over years against its
comparators, every London LA in a year, the focus LA's profile), drawn for this page's measures."""
from dashboard.area_measures.figures import la_figure, profile_figure, trend_figure   # noqa: F401
