"""Child-level figures beside a page of published measures: the SSDA903 tables LAs upload (OC2, OC3), counted for the
viewer's own LA, its sub-region and London, for commissioners and administrators only.

Privacy, as Sufficiency's (dashboard.dashboards.sufficiency.data), enforced here on the server:
- Only the roles that see child-level data (`READ_ROLES`) may read it (`check_scope` refuses and logs any other).
- Child-level rows are read into a per-process memory cache keyed by the Sufficiency dataset's version (the SSDA903
  upload) and never returned: callers get counts, each of other LAs' children protected by the cell-key method, and
  shares built from protected counts (`Counter`). A child's record key is the one Sufficiency gives it (its LA and
  pseudonymised id), so the same children get the same change on every page.
- The section shows the viewer's own LA (counted exactly) against its sub-region and London (protected in every cell).
  No other single LA is shown: beside LAIT's exact published totals, a small LA's breakdown into many tiny protected
  parts could be added up to a part's true count too often (the attack harness found it), where a sub-region's and
  London's larger parts carry noise enough.
- Missing is not zero: an LA with no rows of the table for the year has not uploaded it and is named as such.
"""
from __future__ import annotations

import threading

import dash_bootstrap_components as dbc
import numpy as np
import pandas as pd
from dash import Input, Output, callback, dcc, html
from dash.exceptions import PreventUpdate
from sqlalchemy import select

from dashboard import disclosure
from dashboard.auth.access import building_for_a_viewer
from dashboard.auth.users import audit
from dashboard.chart_theme import FOCUS, LONDON, SUBREGION, lean_figure, plain_empty_figure, plain_layout, wrap
from dashboard.components.contract import viewer_scope
from dashboard.components.layout import chart_loading, grid, grid_outputs, labelled
from dashboard.disclosure import RECORD_KEY, protected_count, protected_counts, share
from dashboard.loader import AccessScope, _read_sql, dataset_version, local_authorities, returned_las
from dashboard.store import get_engine, schema
from dashboard.store.ssda903 import STORED

DATASET = "sufficiency"        # the SSDA903 upload's dataset: its version keys every child-level figure
READ_ROLES = ("commissioner", "admin")
SEX = {"1": "Male", "2": "Female", "U": "Not known"}
BREAKDOWNS = {"age": "Age", "sex": "Sex", "ethnic_group": "Ethnicity", "uasc": "UASC"}


def may_see(scope: AccessScope | None) -> bool:
    return scope is not None and scope.role in READ_ROLES


def check_scope(scope: AccessScope | None) -> None:
    """Refuse (and log) any other role: the page never offers them the section, so this is a crafted request."""
    if not may_see(scope):
        audit(get_engine(), actor=None, event="refused",
              detail=f"child-level OC2/OC3 read by {scope.key if isinstance(scope, AccessScope) else 'no scope'}")
        raise PermissionError("Child-level figures are for commissioners and administrators only.")


def ethnic_group(codes: pd.Series) -> pd.Series:
    """The DfE's ethnicity codes in their five groups (the first letter; Chinese is in 'Other' as the DfE groups it)."""
    first = codes.fillna("").str[:1].map({"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "O": "Other"})
    return first.where(codes != "CHNE", "Other").where(~codes.isin(["REFU", "NOBT"]), "Not known").fillna("Not known")


# --- the rows: read once per process and version, never returned ---------------------------------------------------

_rows_cache: dict = {}
_lock = threading.Lock()


def _children() -> pd.DataFrame:
    child = schema.metadata.tables["sufficiency_child"]   # the Header, as Sufficiency stores it
    return _read_sql(select(child.c.la_code, child.c.child, child.c.sex, child.c.ethnic, child.c.uasc))


def rows(table: str) -> pd.DataFrame:
    """The stored rows of an SSDA903 table (OC2 or OC3) with each child's sex, ethnic group, UASC and record key, for
    this process; the caller counts them and returns only protected counts."""
    version = dataset_version(DATASET)
    key = (str(get_engine().url), version, table, disclosure.secret_id())
    with _lock:
        if key not in _rows_cache:
            stored = STORED[table]
            frame = _read_sql(select(stored))
            children = _children()
            frame = frame.merge(children, on=["la_code", "child"], how="left")
            frame["sex"] = frame["sex"].map(SEX).fillna("Not known")
            frame["ethnic_group"] = ethnic_group(frame["ethnic"])
            frame["uasc"] = np.where(frame["uasc"].fillna(False).astype(bool), "UASC", "Not UASC")
            frame["dob"] = pd.to_datetime(frame["dob"])
            frame[RECORD_KEY] = disclosure.record_keys("sufficiency|" + frame["la_code"].astype(str) + "|"
                                                       + frame["child"].astype(str))
            if len(_rows_cache) >= 8:
                _rows_cache.pop(next(iter(_rows_cache)))
            _rows_cache[key] = frame
        return _rows_cache[key]


def age_at_31_march(dob: pd.Series, year: int) -> pd.Series:
    """Whole years at 31 March of `year` from a date of birth kept to the month (exact: a birthday in April to
    December is after 31 March, in January to March on or before it)."""
    return year - dob.dt.year - (dob.dt.month > 3).astype(int)


# --- areas and counting --------------------------------------------------------------------------------------------

def areas(focus: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """(column key, name, LA codes) for the viewer's LA, its sub-region and London."""
    las = local_authorities()
    if focus not in set(las["la_code"]):   # an administrator of no London LA: London alone
        return [("london", "London", tuple(las["la_code"]))]
    info = las.set_index("la_code").loc[focus]
    return [("la", str(info["la_name"]), (focus,)),
            ("subregion", f"{info['subregion_name']} (sub-region)",
             tuple(las.loc[las["subregion_code"] == info["subregion_code"], "la_code"])),
            ("london", "London", tuple(las["la_code"]))]


def coverage(frame: pd.DataFrame, codes: tuple[str, ...]) -> tuple[set, list[str]]:
    """The LAs among `codes` whose upload has rows for the year, and the names of those without (never counted as 0)."""
    have = set(frame["la_code"].astype(str)) & set(codes)
    las = local_authorities().set_index("la_code")["la_name"]
    return have, [las[c] for c in codes if c not in have]


def demo_las(codes) -> list[str]:
    """Those of `codes` whose SSDA903 rows are demo data (no upload of their own)."""
    own = returned_las(DATASET)
    return sorted(c for c in codes if c not in own)


class Counter:
    """Protected counts for one caller and one area: their own LA alone exactly, every other cell by the cell-key
    method. Every count shown comes from here, every share from two of them."""

    def __init__(self, scope: AccessScope, codes: tuple[str, ...]):
        own_alone = codes == (scope.la_code,)
        self.exact = (lambda records: (records["la_code"] == scope.la_code).to_numpy()) if own_alone else None

    def cell(self, records: pd.DataFrame) -> int:
        return protected_count(records, exact=self.exact)

    def cells(self, records: pd.DataFrame, by: str, categories) -> pd.Series:
        return protected_counts(records, by, categories={by: list(categories)}, exact=self.exact)

    def share(self, part: pd.DataFrame, whole: pd.DataFrame):
        return share(self.cell(part), self.cell(whole))


class ExactCounter(Counter):
    """True counts (tests' truth and hand-worked cases)."""

    def __init__(self, *_):
        self.exact = None

    def cell(self, records: pd.DataFrame) -> int:
        return len(records)

    def cells(self, records: pd.DataFrame, by: str, categories) -> pd.Series:
        return records[by].value_counts().reindex(list(categories), fill_value=0).astype("int64")


def years_with(frame: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in frame["year"].dropna().unique())


NOT_ALLOWED = "Child-level figures are for commissioners and administrators."


# --- the page's section: drawn only for the roles that see child-level data -----------------------------------------

def as_shown(table: pd.DataFrame, no_figure: str) -> pd.DataFrame:
    """A measure x area table as the grid shows it: numbers of children whole, a share with no whole to be a share of
    says so (never a blank or 0)."""
    shown = table.astype(object).where(table.notna(), no_figure)
    for measure in table.index:
        if str(measure).endswith("(number)"):
            shown.loc[measure] = [v if isinstance(v, str) else int(v) for v in shown.loc[measure]]
    return shown


def shares_figure(table: pd.DataFrame, measures: list[str], title: str) -> dict:
    """Grouped bars: each share (rows of `table`, a measure x area frame) for the viewer's LA, its sub-region and London;
    an area with no figure has no bar (never 0)."""
    if table.empty:
        return plain_empty_figure("No LA in these areas has uploaded this table for the year.")
    traces = []
    for column, colour, pattern in zip(table.columns, (FOCUS, SUBREGION, LONDON), ("", "x", "/")):
        values = [table[column].get(m) for m in measures]
        values = [None if v is None or pd.isna(v) else float(v) for v in values]
        text = ["" if v is None else f"{v:.0f}%" for v in values]
        traces.append({"type": "bar", "y": [wrap(m.replace(" (%)", "")) for m in measures], "x": values, "orientation": "h",
                       "name": column, "marker": {"color": colour, "pattern": {"shape": pattern}}, "text": text,
                       "textposition": "outside", "cliponaxis": False,
                       "hovertemplate": f"{column}<br>%{{y}}: %{{text}}<extra></extra>"})
    return lean_figure({"data": traces, "layout": plain_layout(max(380, 70 * len(measures) + 80), barmode="group", yaxis={
        "autorange": "reversed"}, xaxis={"range": [0, 110], "ticksuffix": "%"})})


def coverage_text(areas: list, table: str, year: int) -> list[str]:
    """What each column counts: which LAs uploaded the table for the year, which did not (never counted as 0), and
    which are demo data."""
    out = []
    for key, name, have, without, demo in areas:
        if not have:
            out.append(f"{name}: no {table} uploaded for {year - 1}/{str(year)[2:]}"
                       + ("." if key == "la" else f" by any of its {len(without)} LAs."))
            continue
        text = (f"{name}: uploaded {table} for {year - 1}/{str(year)[2:]}" if key == "la" else
                f"{name}: {len(have)} LA{'s' if len(have) != 1 else ''} uploaded {table} for {year - 1}/{str(year)[2:]}")
        if without and key != "la":
            text += f"; not uploaded (left out, not counted as 0): {', '.join(without)}"
        if demo:
            text += ("; demo data (made up, not real children)" if key == "la" else
                     f"; demo data (made up, not real children) for {len(demo)} of them")
        out.append(text + ".")
    return out


def section(prefix: str, heading: str, intro: str, controls: list, grids: list[tuple[str, str]]):
    """The child-level section's layout (ids `{prefix}-cl-...`): its heading, its own filters beside the page's focus
    LA and year, what it counts, a chart and its tables."""
    p = f"{prefix}-cl"
    return html.Section([
        html.H2(heading, className="h4"),
        html.P(intro, className="small"),
        dbc.Row([dbc.Col(c, lg=4) for c in controls], className="mb-2") if controls else None,
        html.Div(id=f"{p}-status", className="small", **{"aria-live": "polite"}),
        html.H3(id=f"{p}-chart-title", className="h6 mt-3"),
        html.P(id=f"{p}-chart-takeaway", className="takeaway"),
        chart_loading(dcc.Graph(id=f"{p}-chart", config={"displaylogo": False, "responsive": True})),
        *[part for grid_id, title in grids for part in (html.H3(title, className="h6 mt-4"), grid(f"{p}-{grid_id}"))],
    ], id=p, className="chart-card", **{"aria-label": heading})


def in_validation_layout() -> bool:
    """Whether Dash is building its validation layout, not a viewer's page: the section's ids must be in it, or the
    browser refuses the section's callback; no figure is in it."""
    return not building_for_a_viewer()


def year_control(prefix: str, years: list[int]):
    """The section's own year (its collection years with rows, latest first): its inputs are all its own, so a page
    without the section (a member's) has none of them."""
    return labelled("Collection year", f"{prefix}-cl-year", dcc.Dropdown(
        id=f"{prefix}-cl-year", clearable=False, value=str(years[-1]) if years else None,
        options=[{"label": f"{y - 1}/{str(y)[2:]} (to 31 March {y})", "value": str(y)} for y in reversed(years)]))


def register(dashboard, grids: list[str], controls: list[str], build) -> None:
    """The section's callback: its own `controls` (the year first) in; its status, chart title, takeaway, chart and
    `grids` out, from `build(scope, *controls)` (always the viewer's own LA). A viewer whose role does not see
    child-level data gets nothing (the page never draws the section for them; a crafted call stops here, and the data
    read refuses it again)."""
    p = f"{dashboard.prefix}-cl"

    @callback(Output(f"{p}-status", "children"), Output(f"{p}-chart-title", "children"),
              Output(f"{p}-chart-takeaway", "children"), Output(f"{p}-chart", "figure"),
              *grid_outputs(*[f"{p}-{g}" for g in grids]), *[Input(f"{p}-{c}", "value") for c in controls])
    def draw(*values):
        scope = viewer_scope(dashboard)
        if not may_see(scope):
            raise PreventUpdate
        # Only text is a choice: anything else a crafted call sends is taken as no choice (the defaults).
        return build(scope, *[v if isinstance(v, str) else None for v in values])
    draw.__qualname__ = f"{dashboard.name}.child_level"
