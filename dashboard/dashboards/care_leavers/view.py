"""The care leavers page's logic: filters in, everything the page shows out (a thin binding of the shared view of
pages of published measures to this page's measures and data), cached per data version for every member alike."""
from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.area_measures import child_level as child_level_module
from dashboard.area_measures import view as measures_view
from dashboard.components.layout import column_defs, grid_content
from dashboard.dashboards.care_leavers import metrics
from dashboard.area_measures.view import PageSpec
from dashboard.dashboards.care_leavers import data
from dashboard.dashboards.care_leavers.metrics import MEASURES, NOTES

SPEC = PageSpec("care_leavers", "Care leavers", MEASURES, NOTES)

VIEW = measures_view.bind(SPEC, data.care_leavers_values, data.NAME, __name__)
resolve, years, build_view, presentation = VIEW.resolve, VIEW.years, VIEW.build_view, VIEW.presentation


# --- child level (SSDA903 OC3): commissioners and administrators only ------------------------------------------------

CHILD_LEVEL_GRIDS = ("headline", "groups", "codes")
CHILD_LEVEL_CHART = ("In education, employment or training (%)", "In higher education (%)",
                     "Not in education, employment or training (%)", "In suitable accommodation (%)",
                     "In touch with the LA (%)")
NO_FIGURE = "no figure (no care leavers counted)"
AGE_CHOICES = {key: label for key, (_, _, label) in metrics.AGE_RANGES.items()}
DEFAULT_AGES = metrics.DEFAULT_AGES


def _cells(table: pd.DataFrame) -> pd.DataFrame:
    """A table as shown: a share with no whole to be a share of says so, never a blank or 0."""
    return table.astype(object).where(table.notna(), NO_FIGURE)


def child_level_years(scope) -> list[int]:
    """The collection years the section offers: those any LA uploaded the table for."""
    return data.oc3_years(scope)


def child_level(scope, year, ages: str | None, breakdown: str | None) -> tuple:
    """The child-level section's outputs: status lines, chart title, takeaway, chart, and each grid's rows and columns."""
    ages = ages if ages in metrics.AGE_RANGES else metrics.DEFAULT_AGES
    breakdown = breakdown if breakdown in child_level_module.BREAKDOWNS else "age"
    years = data.oc3_years(scope)
    year = int(year) if str(year).isdigit() else (years[-1] if years else None)
    empty = [part for _ in CHILD_LEVEL_GRIDS for part in ([], [])]
    if year not in years:
        uploaded = ", ".join(f"{y - 1}/{str(y)[2:]}" for y in years) or "none yet"
        status = (f"No LA has uploaded the SSDA903 OC3 table for {year - 1}/{str(year)[2:]}. " if year else "") + \
                 f"Years with OC3 uploaded: {uploaded}."
        return (status, "", "", child_level_module.shares_figure(pd.DataFrame(), [], ""), *empty)
    figures = data.oc3_figures(scope, year, ages, breakdown)
    headline, label = figures["headline"], metrics.AGE_RANGES[ages][2]
    status = [html.P(line, className="mb-1") for line in child_level_module.coverage_text(figures["areas"], "OC3", year)]
    la_name = figures["areas"][0][1]
    title = f"Care leavers {label}, {year - 1}/{str(year)[2:]}: {la_name}, its sub-region and London (SSDA903 OC3)"
    takeaway = _takeaway(headline, la_name)
    figure = child_level_module.shares_figure(headline, list(CHILD_LEVEL_CHART), title)
    tables = [
        child_level_module.as_shown(headline, NO_FIGURE).rename_axis("Measure").reset_index(),
        _cells(_groups(figures["groups"], child_level_module.BREAKDOWNS[breakdown])),
        _cells(figures["codes"]).rename_axis("Activity, accommodation or contact").reset_index(),
    ]
    return (status, title, takeaway, figure, *[part for t in tables for part in grid_content(t, _text_ok)])


def _groups(groups: dict, label: str) -> pd.DataFrame:
    """Group x (area: measure) as one table, the group's column first."""
    if not groups:
        return pd.DataFrame({label: []})
    joined = pd.concat({area: table for area, table in groups.items()}, axis=1)
    joined.columns = [f"{area}: {measure}" for area, measure in joined.columns]
    return joined.rename_axis(label).reset_index()


def _takeaway(headline: pd.DataFrame, la_name: str) -> str:
    if la_name not in headline:
        return f"{la_name} has not uploaded OC3 for this year, so it has no child-level figure (never 0)."
    mine = headline[la_name]
    parts = [f"{int(mine['Care leavers (number)'])} care leavers"]
    for measure, words in (("In education, employment or training (%)", "in education, employment or training"),
                           ("In suitable accommodation (%)", "in suitable accommodation"),
                           ("In touch with the LA (%)", "in touch with the LA")):
        value = mine[measure]
        if value is not None and not pd.isna(value):
            parts.append(f"{value:.0f}% {words}")
    london = headline["London"]["In education, employment or training (%)"] if "London" in headline else None
    tail = f" London: {london:.0f}% in education, employment or training." if london is not None and not pd.isna(london) else ""
    return f"{la_name}: " + "; ".join(parts) + "." + tail


def _text_ok(table: pd.DataFrame) -> list[dict]:
    """A number column may hold a cell's words ("no figure ..."): the grid keeps them (see area_measures.layout)."""
    return [{**c, "cellDataType": False} for c in column_defs(table)]
