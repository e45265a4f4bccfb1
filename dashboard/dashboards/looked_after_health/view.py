"""The health of looked-after children page's logic: filters in, everything the page shows out (a thin binding of the
shared view of pages of published measures to this page's measures, data and SDQ bands), cached per data version for
every member alike."""
from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.area_measures import child_level as child_level_module
from dashboard.area_measures import view as measures_view
from dashboard.components.layout import column_defs, grid_content
from dashboard.dashboards.looked_after_health import metrics
from dashboard.area_measures.view import PageSpec
from dashboard.dashboards.looked_after_health import data
from dashboard.dashboards.looked_after_health.figures import with_sdq_bands
from dashboard.dashboards.looked_after_health.metrics import MEASURES, NOTES, SDQ, sdq_band


def value_note(measure, value: float) -> str:
    """Under the LA's figure: the SDQ band its average score falls in."""
    return f"average score: {sdq_band(value)}" if measure.code == SDQ else ""


SPEC = PageSpec("looked_after_health", "Health of looked-after children", MEASURES, NOTES, decorate_trend=with_sdq_bands,
                value_note=value_note)

VIEW = measures_view.bind(SPEC, data.looked_after_health_values, data.NAME, __name__)
resolve, years, build_view, presentation = VIEW.resolve, VIEW.years, VIEW.build_view, VIEW.presentation


# --- child level (SSDA903 OC2): commissioners and administrators only ------------------------------------------------

CHILD_LEVEL_GRIDS = ("measures",)
CHILD_LEVEL_CHART = ("Health assessment up to date (%)", "Dental check in the year (%)", "Immunisations up to date (%)",
                     "SDQ score a cause for concern, 17 or more (%)", "No SDQ score (%)")
NO_FIGURE = "no figure (no children counted)"
NO_AVERAGE = f"not shown (fewer than {metrics.SDQ_MINIMUM} children with a score)"


def child_level_years(scope) -> list[int]:
    """The collection years the section offers: those any LA uploaded the table for."""
    return data.oc2_years(scope)


def child_level(scope, year) -> tuple:
    """The child-level section's outputs: status lines, chart title, takeaway, chart, and the grid's rows and columns."""
    years = data.oc2_years(scope)
    year = int(year) if str(year).isdigit() else (years[-1] if years else None)
    if year not in years:
        uploaded = ", ".join(f"{y - 1}/{str(y)[2:]}" for y in years) or "none yet"
        status = (f"No LA has uploaded the SSDA903 OC2 table for {year - 1}/{str(year)[2:]}. " if year else "") + \
                 f"Years with OC2 uploaded: {uploaded}."
        return (status, "", "", child_level_module.shares_figure(pd.DataFrame(), [], ""), [], [])
    figures = data.oc2_figures(scope, year)
    table = figures["measures"]
    status = [html.P(line, className="mb-1") for line in child_level_module.coverage_text(figures["areas"], "OC2", year)]
    la_name = figures["areas"][0][1]
    title = (f"Children looked after for 12 months or more at 31 March {year}: {la_name}, its sub-region and London "
             "(SSDA903 OC2)")
    figure = child_level_module.shares_figure(table, list(CHILD_LEVEL_CHART), title)
    shown = child_level_module.as_shown(table, NO_FIGURE)
    if "Average SDQ score" in shown.index:
        shown.loc["Average SDQ score"] = [NO_AVERAGE if pd.isna(v) else v for v in table.loc["Average SDQ score"]]
    rows, columns = grid_content(shown.rename_axis("Measure").reset_index(),
                                 lambda t: [{**c, "cellDataType": False} for c in column_defs(t)])
    return status, title, _takeaway(table, la_name), figure, rows, columns


def _takeaway(table: pd.DataFrame, la_name: str) -> str:
    if la_name not in table:
        return f"{la_name} has not uploaded OC2 for this year, so it has no child-level figure (never 0)."
    mine = table[la_name]
    parts = [f"{int(mine.iloc[0])} children looked after for 12 months or more"]
    for measure, words in (("Health assessment up to date (%)", "health assessment up to date"),
                           ("SDQ score a cause for concern, 17 or more (%)", "of those with an SDQ score a cause for concern"),
                           ("No SDQ score (%)", "of those aged 5 to 16 with no SDQ score")):
        if mine[measure] is not None and not pd.isna(mine[measure]):
            parts.append(f"{mine[measure]:.0f}% {words}")
    return f"{la_name}: " + "; ".join(parts) + "."
