"""The Education suspensions page's logic: filters in, everything the page shows out.

Areas: London, a sub-region or an LA (LA figures by ethnicity: demo data), England (DfE, real) and
the published regional table (real). The page's callbacks are thin adapters over `resolve_filters`,
`build_view` and `presentation`; the arithmetic is `dashboard.dashboards.suspensions.metrics`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from dashboard import disclosure, loader
from dashboard.dashboards.suspensions import data
from dashboard.dashboards.suspensions import figures
from dashboard.dashboards.suspensions import metrics as m
from dashboard.presenting import Presentation, Slide, anonymise_las

LONDON, ENGLAND, PUBLISHED = "london", "england", "published"
SUBREGION_PREFIX = "sr:"
OUTCOMES = {
    "suspended": ("pupils_suspended", "Pupils with one or more suspensions", "pupils suspended"),
    "permanent": ("permanent_exclusions", "Permanent exclusions", "permanent exclusions"),
}
LIKELY_TO = {"suspended": "to be suspended", "permanent": "to be permanently excluded"}
DEFAULT_TREND_GROUPS = ("Black Caribbean", "White and Black Caribbean", "Black African", "Any other White background")
REFERENCE = data.REFERENCE_GROUP
GROUPS = [g for _, g in data.ETHNIC_GROUPS]
KEY_OF = {g: data.group_key(g) for g in GROUPS}
GROUP_OF_KEY = {k: g for g, k in KEY_OF.items()}
PUBLISHED_YEAR = "as published"
NOT_APPLICABLE = "_not_applicable"   # per row: the columns that do not apply there (shown "n/a"; not a grid column)
NA_SEPARATOR = "|"                   # column names hold commas ("Rate per 1,000")


@dataclass(frozen=True)
class Filters:
    area: str
    year: str
    outcome: str
    groups: tuple[str, ...]          # group keys for the chart over time

    def query(self) -> dict:
        return {"area": self.area, "year": self.year, "outcome": self.outcome, "groups": ",".join(self.groups)}


@dataclass(frozen=True)
class Context:
    """Everything one request reads, loaded once: the LAs, the three datasets and their states.

    The filters are checked against it, and the view is built from it, so a callback reads each
    cached frame once.
    """
    las: pd.DataFrame
    la_rows: pd.DataFrame
    england_rows: pd.DataFrame
    published_rows: pd.DataFrame
    states: dict
    # `la_rows` arranged as arrays (`LaTables`), made once per data version and viewer; None: work from `la_rows`.
    tables: LaTables | None = None

    @property
    def la_years(self) -> list[str]:
        if self.tables is not None:
            return list(self.tables.years)
        return sorted(self.la_rows["academic_year"].unique())

    @property
    def england_years(self) -> list[str]:
        return sorted(self.england_rows["academic_year"].unique())

    @property
    def has_published(self) -> bool:
        return not self.published_rows.empty

    def years_for(self, area: str) -> list[str]:
        if area == ENGLAND:
            return self.england_years
        if area == PUBLISHED:
            return [PUBLISHED_YEAR] if self.has_published else []
        return self.la_years


@dataclass(frozen=True)
class Selection:
    """The filters and the data they were checked against, read once per request: the view is built from the same."""
    filters: Filters
    ctx: Context


def context(scope: loader.AccessScope) -> Context:
    rows, tables = _viewer_tables(scope)
    return Context(las=loader.local_authorities(), la_rows=rows,
                   england_rows=data.england_rows(scope), published_rows=data.published_rows(scope),
                   states=data.states(), tables=tables)


def shown_la_rows(scope: loader.AccessScope) -> pd.DataFrame:
    """The LA counts as this viewer may see them: every other LA's protected by the cell-key method
    (`data.protected_la_rows`), the viewer's own LA's exact (they hold its figures already). Every sum, rate, RRI,
    sentence and file is then built from these, so a view mixing the viewer's LA with others protects the others."""
    rows = data.protected_la_rows(scope)
    if scope.la_code:
        own_rows = (rows["la_code"] == scope.la_code).to_numpy()
        if own_rows.any():
            # The stored rows and the protected ones are the same rows in the same order (protection changes counts
            # only): the viewer's own rows take their exact counts in place.
            exact = data.la_rows(scope)
            if (exact["la_code"].to_numpy() == rows["la_code"].to_numpy()).all():
                for column in data.COUNTS:
                    rows[column] = rows[column].where(~own_rows, exact[column])
            else:
                own = exact[exact["la_code"] == scope.la_code]
                rows = pd.concat([rows[~own_rows], own], ignore_index=True)
                rows = rows.sort_values(["academic_year", "la_code"], kind="stable", ignore_index=True)
    return rows


@dataclass(frozen=True)
class LaTables:
    """The LA counts a viewer may see (`shown_la_rows`) as arrays: each count column (years, LAs, the page's groups),
    NaN where there is no row or no figure (missing, never 0), and which LAs have any row in each year. Made once per
    data version and viewer in each worker (`_viewer_tables`): a view adds up an area's LAs and works out its RRIs
    from these, not from the rows."""
    years: tuple[str, ...]
    las: tuple[str, ...]
    position: dict                  # LA code -> its position in `las`
    present: np.ndarray             # (years, LAs): the LA has a row for the year
    counts: dict                    # column -> (years, LAs, groups) float64

    @classmethod
    def of(cls, rows: pd.DataFrame) -> LaTables:
        year_codes, years = pd.factorize(rows["academic_year"], sort=True)
        la_codes, las = pd.factorize(rows["la_code"], sort=True)
        group = pd.Index(GROUPS).get_indexer(rows["ethnicity"])
        present = np.zeros((len(years), len(las)), dtype=bool)
        present[year_codes, la_codes] = True
        kept = group >= 0
        counts = {}
        for column in ("headcount", *(column for column, _, _ in OUTCOMES.values())):
            values = np.full((len(years), len(las), len(GROUPS)), np.nan)
            values[year_codes[kept], la_codes[kept], group[kept]] = rows[column].to_numpy(dtype="float64", na_value=np.nan)[kept]
            counts[column] = values
        las = tuple(las)
        return cls(tuple(years), las, {la: i for i, la in enumerate(las)}, present, counts)

    def positions(self, las) -> np.ndarray:
        return np.array([self.position[la] for la in las if la in self.position], dtype=np.int64)


# Each viewer's LA's tables, per data version and secret: the 8 latest used (about 1.2 MB each, most of it the rows).
_viewers_tables = loader.ProcessCache(data.NAME, most=8)
_returned = loader.ProcessCache(data.NAME, most=1)


def _returned_las() -> frozenset:
    """`loader.returned_las` of the LA figures, kept in this process per data version (an upload bumps it)."""
    return _returned.get_or_build(lambda: loader.returned_las(data.NAME))


def _viewer_tables(scope: loader.AccessScope) -> tuple[pd.DataFrame, LaTables]:
    """`shown_la_rows` and its `LaTables` for this viewer, kept in this process per data version, disclosure secret
    and viewer's LA. Shared, not copied (copying 1.2 MB would cost much of what keeping saves): callers read them,
    never change them."""
    data.check_scope(scope)

    def tables():
        rows = shown_la_rows(scope)
        return rows, LaTables.of(rows)
    return _viewers_tables.get_or_build(tables, part=scope.la_code)


def anonymised(ctx: Context, viewer_la: str | None, secret: str | None) -> Context:
    """The context with every LA name but the viewer's replaced by its stable label, the LAs in label order (rows in
    ONS code order would let anyone match each label to its LA). Unchanged when `secret` is None."""
    if not secret:
        return ctx
    las = anonymise_las(ctx.las, viewer_la, secret)
    return replace(ctx, las=las)


def area_options(ctx: Context) -> list[dict]:
    subregions = ctx.las.drop_duplicates("subregion_code").sort_values("subregion_order")
    options = []
    if ctx.la_years:
        options.append({"label": "— London (demo data) —", "value": "heading:london", "disabled": True})
        options.append({"label": "London (all 33 LAs)", "value": LONDON})
        options += [{"label": name, "value": SUBREGION_PREFIX + code}
                    for code, name in zip(subregions["subregion_code"], subregions["subregion_name"])]
        options += [{"label": name, "value": code} for code, name in zip(ctx.las["la_code"], ctx.las["la_name"])]
    if ctx.england_years or ctx.has_published:
        options.append({"label": "— Published figures (real) —", "value": "heading:real", "disabled": True})
    if ctx.england_years:
        options.append({"label": f"England (DfE, {ctx.england_years[0]} to {ctx.england_years[-1]})", "value": ENGLAND})
    if ctx.has_published:
        options.append({"label": "Published regional table", "value": PUBLISHED})
    return options


def group_options() -> list[dict]:
    return [{"label": g, "value": KEY_OF[g]} for g in GROUPS if g != REFERENCE]


def outcome_options(area: str) -> list[dict]:
    # The published table gives pupils with one or more suspensions only.
    return [{"label": label, "value": key, "disabled": area == PUBLISHED and key != "suspended"}
            for key, (_, label, _) in OUTCOMES.items()]


def _valid_areas(ctx: Context) -> set[str]:
    """The values of `area_options` a member may choose (not its headings), without laying out the options."""
    valid = set()
    if ctx.la_years:
        valid |= {LONDON, *(SUBREGION_PREFIX + code for code in ctx.las["subregion_code"]), *ctx.las["la_code"]}
    if ctx.england_years:
        valid.add(ENGLAND)
    if ctx.has_published:
        valid.add(PUBLISHED)
    return valid


def resolve_filters(area=None, year=None, outcome=None, groups=None, *, user_la: str | None, ctx: Context) -> Filters | None:
    """Turn whatever arrived (URL query or dropdowns) into valid filters; anything unknown falls back to a default.

    Default area: the user's own LA when LA figures exist, else England, else the published table.
    None when there is no data at all.
    """
    valid = _valid_areas(ctx)
    if not valid:
        return None
    if area not in valid:
        area = user_la if user_la in valid else next(a for a in (LONDON, ENGLAND, PUBLISHED) if a in valid)
    years = ctx.years_for(area)
    year = year if year in years else years[-1]
    outcome = outcome if outcome in OUTCOMES else "suspended"
    if area == PUBLISHED:
        outcome = "suspended"
    if isinstance(groups, str):
        groups = [g for g in groups.split(",") if g]
    chosen = tuple(g for g in (groups or []) if g in GROUP_OF_KEY and GROUP_OF_KEY[g] != REFERENCE)
    if groups is None or (not chosen and groups):
        chosen = tuple(KEY_OF[g] for g in DEFAULT_TREND_GROUPS)
    return Filters(area, year, outcome, chosen)


# --- figures for one area ----------------------------------------------------------------------------

def area_name(area: str, las: pd.DataFrame) -> str:
    if area == LONDON:
        return "London"
    if area == ENGLAND:
        return "England"
    if area == PUBLISHED:
        return "Published regional table"
    if area.startswith(SUBREGION_PREFIX):
        match = las[las["subregion_code"] == area[len(SUBREGION_PREFIX):]]
        return match["subregion_name"].iloc[0] if len(match) else area
    return next((name for code, name in zip(las["la_code"], las["la_name"]) if code == area), area)


def area_la_codes(area: str, las: pd.DataFrame) -> list[str]:
    if area == LONDON:
        return list(las["la_code"])
    if area.startswith(SUBREGION_PREFIX):
        return list(las.loc[las["subregion_code"] == area[len(SUBREGION_PREFIX):], "la_code"])
    return [area] if area in set(las["la_code"]) else []


def group_counts(rows: pd.DataFrame, outcome_column: str, by: list[str] | None = None) -> pd.DataFrame:
    """One row per ethnic group (all 19, in page order; per `by` key if given): population and count summed.

    A group with no figure anywhere stays missing (min_count=1), never 0.
    """
    # On numpy arrays (one weighted count per column): a view sums four of these, and pandas' groupby and merges on
    # a few hundred rows cost several times the arithmetic. Keys in order of first appearance, groups in page order.
    keys = list(by or [])
    groups = pd.DataFrame({"group": GROUPS, "major": [data.MAJOR_OF[g] for g in GROUPS]})
    combo, first = _first_appearance(rows, keys)
    n_combos = len(first) if keys else 1
    group = pd.Index(GROUPS).get_indexer(rows["ethnicity"])   # -1: not one of the page's groups (left out)
    kept = (group >= 0) & (combo >= 0)
    cell = combo[kept] * len(GROUPS) + group[kept]

    def summed(column: str) -> np.ndarray:   # sum(min_count=1): missing where no row has a figure, never 0
        values = rows[column].to_numpy(dtype="float64", na_value=np.nan)[kept]
        has = ~np.isnan(values)
        total = np.bincount(cell[has], weights=values[has], minlength=n_combos * len(GROUPS))
        return np.where(np.bincount(cell[has], minlength=n_combos * len(GROUPS)) > 0, total, np.nan)

    frame = groups.iloc[np.tile(np.arange(len(GROUPS)), n_combos)].reset_index(drop=True)
    if keys:
        frame = pd.concat([rows[keys].iloc[np.repeat(first, len(GROUPS))].reset_index(drop=True), frame], axis=1)
    frame["population"] = summed("headcount")
    frame["count"] = summed(outcome_column)
    return frame


def _first_appearance(rows: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(each row's key combination, numbered in order of first appearance, as `rows[keys].drop_duplicates()` orders
    them, -1 where a key is missing: such a combination is listed but sums nothing, as groupby drops it; the first row
    of each combination)."""
    ids, missing = np.zeros(len(rows), dtype="int64"), np.zeros(len(rows), dtype=bool)
    for column in keys:
        codes, uniques = pd.factorize(rows[column], sort=False, use_na_sentinel=False)
        missing |= rows[column].isna().to_numpy()
        ids = ids * (len(uniques) + 1) + codes
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return np.where(missing, -1, rank[inverse.reshape(-1)]), first[order]


def rri_table(counts: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """The RRI of every group, then the page's reliability rule (fewer than 10 with the outcome: not shown)."""
    return m.hide_small_rates(m.relative_rate_index(counts, reference=REFERENCE, by=by, thresholds=band_thresholds()),
                              reference=REFERENCE, by=by)


REFERENCE_POSITION = GROUPS.index(REFERENCE)
MAJORS = [data.MAJOR_OF[g] for g in GROUPS]


def _area_sums(tables: LaTables, column: str, positions: np.ndarray) -> np.ndarray:
    """(years, groups): the column added up over these LAs, missing where none of them has a figure (never 0)."""
    values = tables.counts[column][:, positions, :]
    return np.where((~np.isnan(values)).any(axis=1), np.nansum(values, axis=1), np.nan)


def _rri_frame(population: np.ndarray, count: np.ndarray, rri: dict, i: int) -> pd.DataFrame:
    """Table `i` of `m.rri_arrays`' answer as `rri_table(group_counts(...))` gives it."""
    significant = pd.arrays.BooleanArray(rri["significant"][i], rri["significant_na"][i])
    return pd.DataFrame({
        "group": GROUPS, "major": MAJORS, "population": population[i], "count": count[i],
        "rate_per_1000": rri["rate_per_1000"][i], "rri": rri["rri"][i], "ci_low": rri["ci_low"][i],
        "ci_high": rri["ci_high"][i], "band": pd.Series(rri["band"][i], dtype=object), "significant": significant,
        "suppressed": rri["suppressed"][i], "rri_suppressed": rri["rri_suppressed"][i],
    })


def _la_table(area: str, year: str, outcome_column: str, ctx: Context) -> pd.DataFrame | None:
    """`rri_table(group_counts(_area_rows(area, year, ctx), outcome_column))` from `ctx.tables` (an area of LAs);
    None where it must be worked out from the rows (no tables, or figures `relative_rate_index` refuses)."""
    tables = ctx.tables
    if tables is None or area in (ENGLAND, PUBLISHED):
        return None
    positions = tables.positions(area_la_codes(area, ctx.las))
    if year not in tables.years or not tables.present[tables.years.index(year), positions].any():
        return None
    at = [tables.years.index(year)]
    population = _area_sums(tables, "headcount", positions)[at]
    count = _area_sums(tables, outcome_column, positions)[at]
    rri = m.rri_arrays(population, count, REFERENCE_POSITION, thresholds=band_thresholds())
    return None if rri is None else _rri_frame(population, count, rri, 0)


def band_thresholds() -> tuple[float, float, float]:
    """RRI_BAND_THRESHOLDS from the settings (the module's documented defaults outside the app)."""
    from flask import current_app, has_app_context
    if has_app_context() and "LCSD_SETTINGS" in current_app.config:
        return current_app.config["LCSD_SETTINGS"].rri_thresholds
    return m.UNDER_REPRESENTED_BELOW, m.OVER_REPRESENTED_FROM, m.SUBSTANTIALLY_OVER_FROM


def published_total(rows: pd.DataFrame, outcome_column: str) -> tuple[float, float] | None:
    """(pupils, count) of the publisher's own total row among `rows` (England's, from DfE), or None where there is none."""
    total = rows[rows["ethnicity"] == data.ALL_PUPILS]
    if len(total) != 1 or pd.isna(total["headcount"].iloc[0]) or pd.isna(total[outcome_column].iloc[0]):
        return None
    return float(total["headcount"].iloc[0]), float(total[outcome_column].iloc[0])


def _area_rows(area: str, year: str | None, ctx: Context) -> pd.DataFrame:
    if area == ENGLAND:
        rows = ctx.england_rows
    else:
        rows = ctx.la_rows[ctx.la_rows["la_code"].isin(area_la_codes(area, ctx.las))]
    return rows if year is None else rows[rows["academic_year"] == year]


def published_counts(published: pd.DataFrame) -> pd.DataFrame:
    """The published table in the RRI function's shape: pupils suspended recovered as rate x headcount / 1000."""
    frame = pd.DataFrame({"group": published["ethnicity"], "major": published["ethnicity_major"],
                          "population": published["pupils"].astype("float64"),
                          "count": (published["rate_per_1000"] * published["pupils"] / 1000).round()})
    return frame


# --- the view -------------------------------------------------------------------------------------------

@dataclass
class SuspensionsView:
    area_name: str
    period_label: str
    outcome_label: str
    is_demo: bool
    kpis: list[tuple[str, str, str]]
    interval_figure: object
    trend_figure: object
    heatmap_figure: object
    table: pd.DataFrame
    heat_table: pd.DataFrame
    heat_label: str
    trend_label: str
    data_note: str
    notes: list[tuple[str, str]] = field(default_factory=list)
    takeaways: dict[str, str] = field(default_factory=dict)    # chart -> one sentence saying what it shows
    interval_title: str = ""
    # The charts this view has something in (the published table is one year with no LA figures: no trend, no heat
    # map); the page hides the others, and the deck leaves them out.
    shown_charts: tuple[str, ...] = ("interval", "trend", "heat")


def _fmt(value, dp: int) -> str:
    return "not shown" if value is None or pd.isna(value) else f"{value:,.{dp}f}"


def display_table(table: pd.DataFrame, outcome_short: str,
                  published_total: tuple[float, float] | None = None) -> pd.DataFrame:
    """The table as the page shows and downloads it: the counts as given (LA figures already protected, published
    ones as published), NaN where missing or where a rate or RRI rests on too few pupils.

    `published_total` (pupils, count): the publisher's own total row, shown as "All pupils" in place of the sum of the
    groups (DfE rounds each group's counts, so their sum is not its total).
    """
    total_population = table["population"].sum(min_count=1)
    total_count = table["count"].sum(min_count=1)
    if published_total is not None:
        total_population, total_count = published_total
    overall = (total_count / total_population * 1000) if total_population and total_population > 0 else np.nan
    total_note = ("all pupils, as published" if published_total is not None else "all groups together"
                  + ("" if table["count"].notna().all() else "; groups not published are left out"))
    groups = list(table["group"])
    significant = list(table["significant"])

    def numbers(column: str, digits: int, total) -> np.ndarray:   # the groups' figures, rounded, then the total's
        return np.append(table[column].to_numpy(dtype="float64").round(digits), total)

    # One frame, the total row included (as the groups' rows with the total's concatenated, in a third of the time).
    return pd.DataFrame({
        "Major group": [*table["major"], "All"], "Ethnic group": [*groups, "All pupils"],
        "Pupils": numbers("population", 0, total_population).astype("float64"),
        outcome_short.capitalize(): numbers("count", 0, total_count).astype("float64"),
        "Rate per 1,000": numbers("rate_per_1000", 1, round(overall, 1) if m.rate_shown(total_count) else np.nan),
        "RRI": numbers("rri", 2, np.nan), "95% CI low": numbers("ci_low", 2, np.nan),
        "95% CI high": numbers("ci_high", 2, np.nan),
        "Band": [*(m.band_label(b, s) if isinstance(b, str) else "" for b, s in zip(table["band"], significant)), ""],
        "Significant": [*("" if pd.isna(s) else ("yes" if s else "no") for s in significant), ""],
        "Note": [*(_row_note(g, c, p, sup, rsup, outcome_short) for g, c, p, sup, rsup in
                   zip(groups, table["count"], table["population"], table["suppressed"], table["rri_suppressed"])),
                 total_note],
        # Cells that do not apply (the reference's own interval, the total's RRI): "n/a", never "c" or 0.
        NOT_APPLICABLE: [*(NA_SEPARATOR.join(["95% CI low", "95% CI high"]) if g == REFERENCE else "" for g in groups),
                         NA_SEPARATOR.join(["RRI", "95% CI low", "95% CI high"])],
    })


def _row_note(group, count, population, suppressed, rri_suppressed, outcome_short) -> str:
    if group == REFERENCE:
        return "reference group (RRI = 1)" if not rri_suppressed else "reference group: fewer than 10, so no RRI is shown"
    if pd.isna(population) or population == 0:
        return "no pupils in this group"
    if pd.isna(count):
        return "not published (suppressed at source)"
    if suppressed:
        return f"fewer than {m.RATE_MINIMUM} {outcome_short}: rate and RRI not shown"
    if rri_suppressed:
        return f"fewer than {m.RATE_MINIMUM} {outcome_short} in the reference group: RRI not shown"
    return ""


def trend_series(area: str, groups: list[str], outcome_column: str, ctx: Context, published: bool) -> pd.DataFrame:
    """Per year, the RRI and interval of each chosen group in the area (NaN where not shown)."""
    columns = ["year", "group", "rri", "ci_low", "ci_high", "rate_per_1000"]
    tables = ctx.tables
    if tables is not None and not published and area != ENGLAND:
        positions = tables.positions(area_la_codes(area, ctx.las))
        present = tables.present[:, positions].any(axis=1)
        if not present.any() or not groups:
            return pd.DataFrame(columns=columns)
        population = _area_sums(tables, "headcount", positions)[present]
        count = _area_sums(tables, outcome_column, positions)[present]
        rri = m.rri_arrays(population, count, REFERENCE_POSITION, thresholds=band_thresholds())
        if rri is not None:
            years = [y for y, p in zip(tables.years, present) if p]
            chosen = [i for i, g in enumerate(GROUPS) if g in set(groups)]
            at = (slice(None), chosen)
            return pd.DataFrame({"year": years * len(chosen), "group": [GROUPS[i] for i in chosen for _ in years],
                                 **{c: rri[c][at].T.ravel() for c in columns[2:]}})
    rows = pd.DataFrame() if published else _area_rows(area, None, ctx)
    if rows.empty or not groups:
        return pd.DataFrame(columns=columns)
    table = rri_table(group_counts(rows, outcome_column, by=["academic_year"]), by=["academic_year"])
    chosen = table[table["group"].isin(groups)].rename(columns={"academic_year": "year"})
    order = {g: i for i, g in enumerate(GROUPS)}
    chosen = chosen.assign(_order=chosen["group"].map(order)).sort_values(["_order", "year"])
    return chosen[columns].reset_index(drop=True)


def heat_matrix(year: str, outcome_column: str, ctx: Context) -> pd.DataFrame:
    """Per LA (rows, by sub-region then name) the RRI of each group; NaN where not shown (fewer than 10)."""
    las = ctx.las
    tables = ctx.tables
    others = [g for g in GROUPS if g != REFERENCE]
    if tables is not None and year in tables.years and tables.present[tables.years.index(year)].any():
        at = tables.years.index(year)
        population, count = tables.counts["headcount"][at], tables.counts[outcome_column][at]
        rri = m.rri_arrays(population, count, REFERENCE_POSITION, thresholds=band_thresholds())
        if rri is not None:
            # The LAs by sub-region, then name (as sorting the frame by both orders them, ties in table order).
            sort_orders, names = las["subregion_order"].tolist(), las["la_name"].tolist()
            order = sorted(range(len(las)), key=lambda i: (sort_orders[i], names[i]))
            positions = np.array([tables.position.get(la, -1) for la in las["la_code"].to_numpy(dtype=object)[order]],
                                 dtype=np.int64)
            returned = (positions >= 0) & tables.present[at][positions]
            others_at = [i for i, g in enumerate(GROUPS) if g != REFERENCE]
            shown = np.where(returned[:, None], rri["rri"][positions][:, others_at].round(2), np.nan)
            ref_ok = returned & ~np.isnan(rri["rri"][positions, REFERENCE_POSITION])
            matrix = pd.DataFrame(shown, columns=others)
            matrix.insert(0, "LA", las["la_name"].iloc[order].reset_index(drop=True))
            matrix.insert(1, "Sub-region", las["subregion_name"].iloc[order].reset_index(drop=True))
            matrix["Note"] = np.where(~returned, "no return",
                                      np.where(ref_ok, "", "too few White British pupils with the outcome"))
            return matrix
    rows = ctx.la_rows[ctx.la_rows["academic_year"] == year]
    ordered = las.sort_values(["subregion_order", "la_name"])[["la_code", "la_name", "subregion_name"]]
    if rows.empty:
        wide = pd.DataFrame(columns=["la_code", *others])
        ref_ok = pd.Series(dtype=bool)
    else:
        table = rri_table(group_counts(rows, outcome_column, by=["la_code"]), by=["la_code"])
        wide = table.pivot(index="la_code", columns="group", values="rri").round(2).reset_index()
        ref_ok = table[table["group"] == REFERENCE].set_index("la_code")["rri"].notna()
    matrix = ordered.merge(wide, on="la_code", how="left")
    returned = matrix["la_code"].isin(set(rows["la_code"]))
    matrix["Note"] = np.where(~returned, "no return",
                              np.where(matrix["la_code"].map(ref_ok).fillna(False).astype(bool), "",
                                       "too few White British pupils with the outcome"))
    matrix = matrix.rename(columns={"la_name": "LA", "subregion_name": "Sub-region"})
    return matrix[["LA", "Sub-region", *others, "Note"]]


def _sorted_by_rri(rri: np.ndarray, rows: np.ndarray, ascending: bool) -> np.ndarray:
    """`rows` ordered by their RRI as sorting the table's rows by "rri" orders them (pandas' sort, ties and all)."""
    return rows[pd.Series(rri[rows]).sort_values(ascending=ascending).index.to_numpy()]


def _kpis(table: pd.DataFrame, area: str, outcome_short: str,
          published_total: tuple[float, float] | None = None) -> list[tuple[str, str, str]]:
    # On the table's columns as arrays: a dozen filters and sorts of a 19-row frame cost more than their arithmetic.
    groups = table["group"].to_numpy(dtype=object)
    rri = table["rri"].to_numpy(dtype="float64")
    significant = table["significant"].astype("boolean").to_numpy(dtype=bool, na_value=False)
    is_ref = groups == REFERENCE
    ref_rate = table["rate_per_1000"].to_numpy(dtype="float64")[np.flatnonzero(is_ref)[0]]
    shown = ~np.isnan(rri) & ~is_ref
    over = _sorted_by_rri(rri, np.flatnonzero(shown & significant & (rri > 1)), ascending=False)
    under = _sorted_by_rri(rri, np.flatnonzero(shown & significant & (rri < 1)), ascending=True)
    population, count = published_total or (table["population"].sum(), table["count"].sum())
    total_rate = (count / population * 1000) if population else np.nan
    highest = _sorted_by_rri(rri, np.flatnonzero(shown), ascending=False)[:1]
    return [
        (f"{REFERENCE} rate", _fmt(ref_rate, 1), f"{outcome_short} per 1,000 pupils"),
        ("All pupils rate", _fmt(total_rate if m.rate_shown(count) else np.nan, 1), "per 1,000 pupils"),
        ("Highest RRI", _fmt(rri[highest[0]], 2) if len(highest) else "not shown",
         groups[highest[0]] if len(highest) else "no group has 10 or more"),
        ("Significantly over-represented", f"{len(over)} group{'s' if len(over) != 1 else ''}",
         ", ".join(groups[over[:3]]) + ("…" if len(over) > 3 else "")),
        ("Significantly under-represented", f"{len(under)} group{'s' if len(under) != 1 else ''}",
         ", ".join(groups[under[:3]]) + ("…" if len(under) > 3 else "")),
        ("Not shown (fewer than 10)", f"{int(table['rri_suppressed'].sum())} of {len(table)}", "groups without an RRI"),
    ]


DISCLOSURE_NOTE = (
    "LA counts by ethnicity are other LAs' pupils, so they are protected by the ONS cell-key method (as used for the "
    "flexible tables of Census 2021): each LA's count for a year, group and outcome gets a small fixed change, the same "
    "wherever it is shown, so comparing views, areas or years, or subtracting one figure from another, gives nothing "
    "away. No count of 1 to 4 is shown (they show as 0 or 5 or more), a count of 5 is never shown as 5, and other "
    "counts move by at most 3. London and sub-region figures, totals, rates, RRIs, bands, sentences, charts and files "
    "are all worked out from the protected counts, so an RRI may differ a little from one worked out on the true "
    "counts. Your own LA's counts are exact, on their own and inside London and sub-region totals; "
    "every other LA's are protected.")
PUBLISHED_AS_IS_NOTE = ("Published figures (DfE, the regional table) are shown as published: their publisher has "
                        "already rounded or suppressed them (DfE rounds to the nearest 5; x is shown as c).")
RELIABILITY_NOTE = (f"Rates and RRIs built on fewer than {m.RATE_MINIMUM} pupils with the outcome (in the group, or in "
                    f"{REFERENCE} for the RRI) are not shown: too few to be reliable. They are written c.")
MARKER_NOTE = (f"Not shown: a rate or RRI built on fewer than {m.RATE_MINIMUM} pupils with the outcome, or a count the "
               "DfE suppressed in its published file.")


def _notes(area: str, f: Filters, outcome_label: str, is_demo: bool, period_label: str) -> list[tuple[str, str]]:
    under, over, substantially = band_thresholds()
    source = {ENGLAND: data.ENGLAND_SOURCE, PUBLISHED: data.PUBLISHED_SOURCE}.get(
        area, "LA returns by ethnicity. Here: synthetic demo data in the DfE shape (LA figures by ethnicity are not in any file we have)."
        if is_demo else "The LA's own return by ethnicity, uploaded on the Upload page.")
    notes = [
        ("Measure", f"{outcome_label}, by the pupil's detailed ethnicity (DfE's 18 groups plus unclassified)."),
        ("Rate", "Pupils with the outcome per 1,000 pupils on roll (headcount) in the group."),
        ("Relative rate index (RRI)", f"The group's rate divided by the {REFERENCE} rate. 1 = as likely as {REFERENCE} "
                                      "pupils; 2 = twice as likely; 0.5 = half as likely."),
        ("95% confidence interval", "The ratio of two proportions on the log scale: SE(ln RRI) = √(1/a − 1/n + 1/b − 1/m) "
                                    "(a of n pupils in the group, b of m White British pupils); interval = RRI × e^(±1.96 SE). "
                                    "A group with none gets 0 to a corrected upper limit (0.5 added to each cell)."),
        ("Bands", f"Under-represented: RRI below {under}. Close to parity: {under} "
                  f"to below {over} (the published table leaves this band blank). Over-represented: "
                  f"{over} to below {substantially}. Substantially over: "
                  f"{substantially} or more, applied to the unrounded RRI (the settings RRI_BAND_THRESHOLDS). The defaults, "
                  f"0.75, 1.25 and 1.5, reproduce every band of the published regional table."),
        ("Significance", "A band is marked \"not significant\" when its 95% interval includes 1: the gap could be chance, "
                         "usually because the group is small. Hollow dots on the chart."),
        ("Disclosure control", DISCLOSURE_NOTE if area not in (ENGLAND, PUBLISHED) else PUBLISHED_AS_IS_NOTE),
        ("Rates on few pupils", RELIABILITY_NOTE),
        ("Source", source),
        ("Period", period_label),
        ("Data", "Demo data: synthetic, not any LA's real figures." if is_demo else
         "Real published figures." if area in (ENGLAND, PUBLISHED) else "Real figures: the LA's own return."),
    ]
    if area == PUBLISHED:
        notes.append(("Published table", "Rates are published as whole numbers and RRIs to 1 decimal place, so the page "
                      "recovers pupils suspended as rate × pupils ÷ 1,000; its recomputed RRI can differ from the "
                      "published one by about 0.1, and its interval is approximate. Two RRI cells were unreadable in "
                      "the source and are blank; their band is as published."))
    if area == ENGLAND:
        notes.append(("England figures", "DfE rounds counts to the nearest 5. 'Fixed-period exclusion' in the file is "
                      "what DfE now calls a suspension. Permanent exclusions DfE suppressed (x) are shown as c. Up to "
                      "2015/16 the rows by ethnicity cover about 88% of all pupils (the youngest, rarely suspended, "
                      "appear to be left out) but nearly every pupil suspended; from 2016/17 they cover all pupils, so "
                      "rates before and after are not quite like for like. RRIs compare groups within the same year."))
    if area not in (ENGLAND, PUBLISHED):
        notes.append(("Aggregates", "London and sub-region figures add up the LAs' protected pupils and counts, then "
                      "compute the rate and RRI: they are not averages of LA RRIs."))
    return notes


# The heat map's table depends on the year and outcome (and the viewer, whose own LA is exact), not on the area: one
# build serves every area the viewer picks. `ctx` is the viewer's (anonymised) data, which the key already covers.
@loader.view_cache(data.NAME, "reference", check=data.check_scope, depends_on_caller=lambda *_: True, ignore=("ctx",))
def viewer_heat_matrix(year: str, outcome_column: str, scope: loader.AccessScope, ctx: Context, *,
                       anonymise_with: str | None = None) -> pd.DataFrame:
    return heat_matrix(year, outcome_column, ctx)


# Per LA (London and sub-region views centre on the viewer's LA); `ctx` is the data the versions already cover.
@loader.view_cache(data.NAME, data.ENGLAND, data.PUBLISHED, "reference", check=data.check_scope,
                   depends_on_caller=lambda *_: True, ignore=("ctx",))
def build_view(f: Filters, scope: loader.AccessScope, ctx: Context | None = None, *,
               anonymise_with: str | None = None) -> SuspensionsView:
    """Everything the page shows. `anonymise_with` (the app's secret) replaces every LA name but the viewer's own
    with a stable label before anything is computed, so no chart, table, sentence or file carries them."""
    ctx = anonymised(ctx or context(scope), scope.la_code, anonymise_with)
    las = ctx.las
    outcome_column, outcome_label, outcome_short = OUTCOMES[f.outcome]
    name = area_name(f.area, las)
    states = ctx.states
    trend_groups = [GROUP_OF_KEY[k] for k in f.groups]

    total = None
    if f.area == PUBLISHED:
        counts = published_counts(ctx.published_rows)
        table = rri_table(counts)
        is_demo, period_label = False, "One academic year, as published"
    else:
        table = _la_table(f.area, f.year, outcome_column, ctx)
        if table is not None:
            counts = table
        else:
            rows = _area_rows(f.area, f.year, ctx)
            total = published_total(rows, outcome_column) if f.area == ENGLAND else None
            counts = group_counts(rows, outcome_column)
            table = rri_table(counts)
        # An LA's own committed return replaces its demo rows: its figures are then its own.
        returned = f.area in _returned_las()
        is_demo = bool(states[data.NAME]["is_demo"]) and not returned if f.area != ENGLAND else False
        period_label = f"Academic year {f.year}"

    comparator = None
    no_return = counts["population"].notna().sum() == 0
    if no_return:
        shown = display_table(table, outcome_short)
        interval = figures.empty_figure(f"{name} made no return for {f.year}.")
        kpis = [("Return", "no return", f"{name}, {f.year}")]
    else:
        shown = display_table(table, outcome_short, published_total=total)
        if f.area not in (LONDON, ENGLAND, PUBLISHED):
            # An LA or sub-region against London for the same year: is the gap local or London-wide?
            london = _la_table(LONDON, f.year, outcome_column, ctx)
            if london is None:
                london = rri_table(group_counts(_area_rows(LONDON, f.year, ctx), outcome_column))
            comparator = ("London", london)
            shown.insert(shown.columns.get_loc("Band"), "London RRI",
                         list(london["rri"].round(2)) + [np.nan])
            shown[NOT_APPLICABLE] = [f"{na}{NA_SEPARATOR}London RRI" if g in (REFERENCE, "All pupils") else na
                                     for g, na in zip(shown["Ethnic group"], shown[NOT_APPLICABLE])]
        interval = figures.rri_interval_figure(table, REFERENCE, comparator)
        kpis = _kpis(table, f.area, outcome_short, total)

    if f.area == PUBLISHED:
        pub = ctx.published_rows
        shown.insert(3, "Rate per 1,000 (published)", list(pub["rate_per_1000"]) + [np.nan])
        shown.insert(4, "RRI (published)", list(pub["rri"]) + [np.nan])
        shown.insert(5, "Band (published)", [r if isinstance(r, str) else "reference group" if g == REFERENCE else "none (close to parity)"
                                             for g, r in zip(pub["ethnicity"], pub["representation"])] + [""])
        shown = shown.rename(columns={"Pupils suspended": "Pupils suspended (from rate)", "Rate per 1,000": "Rate per 1,000 (recomputed)",
                                      "RRI": "RRI (recomputed)", "Band": "Band (recomputed)"})
        shown.loc[shown.index[-1], "Pupils"] = counts["population"].sum()
        shown.loc[shown.index[-1], NOT_APPLICABLE] = NA_SEPARATOR.join(
            ["Rate per 1,000 (published)", "RRI (published)", "RRI (recomputed)", "95% CI low", "95% CI high"])
        unreadable = list(pub["rri"].isna()) + [False]
        shown.loc[unreadable, NOT_APPLICABLE] = "RRI (published)"
        shown.loc[unreadable, "Note"] = [("published RRI unreadable in the source; " + n).strip("; ") for n in shown.loc[unreadable, "Note"]]

    series = trend_series(f.area, trend_groups, outcome_column, ctx, published=f.area == PUBLISHED)
    trend_label = (f"{', '.join(trend_groups)}: RRI over years, {name}" if trend_groups else "Choose groups to compare over time")

    la_years = ctx.la_years
    # The LA chosen stands out in the heat map; for London or a sub-region, the user's own LA does.
    la_names = dict(zip(las["la_code"], las["la_name"]))
    focus = f.area if f.area in la_names else scope.la_code if scope.la_code in la_names else None
    focus_name = la_names.get(focus) if focus else None
    if f.area in (ENGLAND, PUBLISHED) or f.year not in la_years:
        # Columns but no rows: the grid says "No Rows To Show" (a grid with no columns fails accessibility checks).
        heat = pd.DataFrame(columns=["LA", "Sub-region", *[g for g in GROUPS if g != REFERENCE], "Note"])
        heat_figure = figures.empty_figure("The LA by group heat map needs LA figures: choose London, a sub-region or an LA.")
        heat_label = "London LAs by ethnic group"
    else:
        heat = viewer_heat_matrix(f.year, outcome_column, scope, ctx, anonymise_with=anonymise_with)
        heat_figure = figures.heatmap_figure(heat, focus_name, [g for g in GROUPS if g != REFERENCE])
        heat_label = f"RRI of each group in each London LA, {f.year}"

    data_note = ("Demo data" if is_demo else "Real published figures" if f.area in (ENGLAND, PUBLISHED)
                 else "The LA's own return") + f": {name}, {period_label.lower()}"
    notes = _notes(f.area, f, outcome_label, is_demo, period_label)
    if anonymise_with:
        notes.append(("Anonymised", "LA names other than your own are replaced by stable labels (LA 1 to LA 33)."))
    where = f"{name}, {period_label[0].lower()}{period_label[1:]}"
    takeaways = {
        "interval": (f"{name} made no return for {f.year}: there is no RRI to show." if no_return else
                     interval_takeaway(table, where, outcome_short, LIKELY_TO[f.outcome],
                                       comparator[1] if comparator else None)),
        "trend": ("The published table is one year: there is no series over time." if f.area == PUBLISHED else
                  trend_takeaway(series, trend_groups, name)),
        "heat": ("The LA by group heat map needs LA figures: choose London, a sub-region or an LA."
                 if heat.empty else heat_takeaway(heat, focus_name, f.year)),
    }
    return SuspensionsView(
        area_name=name, period_label=period_label, outcome_label=outcome_label, is_demo=is_demo, kpis=kpis,
        interval_figure=interval, heatmap_figure=heat_figure,
        trend_figure=(figures.empty_figure("The published table is one year: there is no series over time.")
                      if f.area == PUBLISHED else figures.rri_trend_figure(series, REFERENCE)),
        table=shown, heat_table=heat, heat_label=heat_label, trend_label=trend_label, data_note=data_note,
        notes=notes, takeaways=takeaways,
        interval_title=f"{outcome_label}: RRI by ethnic group, {name}, {period_label.lower()}",
        shown_charts=tuple(chart for chart, shown in (("interval", True), ("trend", f.area != PUBLISHED),
                                                      ("heat", not heat.empty)) if shown),
    )


# --- what each chart shows, in one sentence (on the page, as the chart's text alternative, and on its slide) -----

def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def interval_takeaway(table: pd.DataFrame, where: str, outcome_short: str, likely_to: str,
                      london: pd.DataFrame | None = None) -> str:
    """The group with the highest RRI (its interval and whether the gap is significant), then how many groups are
    significantly over or under, and how many are not shown. `table`: the RRI table (group, rri, ci_low, ci_high,
    significant, rri_suppressed); `london`: London's for the same year, or None."""
    groups = table["group"].to_numpy(dtype=object)
    rri = table["rri"].to_numpy(dtype="float64")
    is_ref = groups == REFERENCE
    if not is_ref.any() or np.isnan(rri[np.argmax(is_ref)]):
        return (f"{where}: fewer than {m.RATE_MINIMUM} {REFERENCE} {outcome_short}, so no group's RRI can be shown.")
    shown = ~is_ref & ~np.isnan(rri)
    others = int((~is_ref).sum())
    hidden = others - int(shown.sum())
    if not shown.any():
        return f"{where}: no group has {m.RATE_MINIMUM} or more {outcome_short}, so no RRI is shown."
    top = int(np.argmax(np.where(shown, rri, -np.inf)))          # the first highest, as idxmax
    significant_of = table["significant"].astype("boolean")
    flags = significant_of.to_numpy(dtype=bool, na_value=False)
    significant = bool(flags[top])
    low, high = table["ci_low"].to_numpy(dtype="float64"), table["ci_high"].to_numpy(dtype="float64")
    text = (f"{where}: {groups[top]} pupils have the highest RRI, {rri[top]:.2f} (95% CI {low[top]:.2f} to "
            f"{high[top]:.2f}{'' if significant else ', not significant'})")
    if london is not None:
        other = london.set_index("group")["rri"].get(groups[top])
        text += f", against {other:.2f} in London" if other is not None and pd.notna(other) else ", not shown for London"
    over, under = int((shown & flags & (rri > 1)).sum()), int((shown & flags & (rri < 1)).sum())
    text += (f"; {_counted(over, 'group')} significantly more likely than {REFERENCE} pupils {likely_to}, "
             f"{under} significantly less likely")
    if hidden:
        text += f"; {hidden} of the other {others} groups not shown (fewer than {m.RATE_MINIMUM})"
    return text + "."


def trend_takeaway(series: pd.DataFrame, groups: list[str], area: str) -> str:
    """Each chosen group's RRI in the first and last year it is shown; a group never shown is said so, never 0.
    `series`: year, group, rri (NaN where not shown)."""
    if not groups:
        return "No groups are chosen to follow over time."
    shown: dict = {}     # group -> [(year, rri)] where shown
    for group, year, rri in zip(series["group"], series["year"], series["rri"].to_numpy(dtype="float64")):
        if not np.isnan(rri):
            shown.setdefault(group, []).append((year, rri))
    parts = []
    for group in groups:
        years = sorted(shown.get(group, []), key=lambda pair: pair[0])   # one figure a year
        if not years:
            parts.append(f"{group}: not shown in any year (fewer than {m.RATE_MINIMUM})")
        elif len(years) == 1:
            parts.append(f"{group}: {years[0][1]:.2f} in {years[0][0]} only")
        else:
            (first_year, first), (last_year, last) = years[0], years[-1]
            parts.append(f"{group}: {first:.2f} in {first_year} to {last:.2f} in {last_year}")
    return f"RRI over time in {area}: " + "; ".join(parts) + "."


def heat_takeaway(heat: pd.DataFrame, focus_name: str | None, year: str) -> str:
    """The highest RRI in any LA, the focus LA's highest, and how many cells and LAs have no figure (and why).
    `heat`: LA, Sub-region, one column per group (NaN where not shown), Note ("no return" where none was made)."""
    groups = [c for c in heat.columns if c not in ("LA", "Sub-region", "Note")]
    # The cells in the order melting the table by group lists them (each group's LAs in turn): the first highest wins.
    values = heat[groups].to_numpy(dtype="float64").T                     # groups x LAs
    las = heat["LA"].to_numpy(dtype=object)
    made_return = (heat["Note"] != "no return").to_numpy(dtype=bool)
    shown = ~np.isnan(values) & made_return[None, :]
    if not shown.any():
        return f"In {year}, no London LA has enough pupils with the outcome to show an RRI."

    def highest(cells: np.ndarray) -> tuple[str, str, float]:
        at = int(np.argmax(np.where(cells, values, -np.inf).ravel()))
        group, la = divmod(at, values.shape[1])
        return groups[group], las[la], values[group, la]

    top_group, top_la, top_rri = highest(shown)
    text = f"In {year}, the highest RRI in any London LA is {top_group} pupils in {top_la} ({top_rri:.2f})"
    if focus_name and focus_name != top_la:
        own = las == focus_name
        own_cells = shown & own[None, :]
        if own.any() and not made_return[np.argmax(own)]:
            text += f"; {focus_name} made no return"
        elif own_cells.any():
            best_group, _, best_rri = highest(own_cells)
            text += f"; in {focus_name} it is {best_group} pupils ({best_rri:.2f})"
        else:
            text += f"; {focus_name} has no group with enough pupils to show"
    no_return = int((~made_return).sum())
    returned_cells = int(made_return.sum()) * len(groups)
    text += f"; {returned_cells - int(shown.sum())} of {returned_cells} cells not shown (fewer than {m.RATE_MINIMUM})"
    if no_return:
        text += f" and {_counted(no_return, 'LA')} made no return"
    return text + "."


# --- presenting: chart images, slides and files, all rebuilt on the server from the filters ---------------------

CHARTS = {"interval": ("interval_figure", "interval_title"), "trend": ("trend_figure", "trend_label"),
          "heat": ("heatmap_figure", "heat_label")}


def _file_stem(f: Filters, scope: loader.AccessScope, anonymise_with: str | None) -> str:
    # An anonymised file's name must not give an LA away by its ONS code.
    area = "anonymised" if anonymise_with and f.area.startswith("E0") and f.area != scope.la_code else f.area.replace(":", "-")
    year = "published" if f.area == PUBLISHED else f.year.replace("/", "-")
    return f"suspensions_{area}_{year}_{f.outcome}"


def source_line(view: SuspensionsView) -> str:
    source = dict(view.notes).get("Source", "")
    return f"Source: {source}" + (" Demo data: synthetic, not any LA's real figures." if view.is_demo else "")


def _file_table(table: pd.DataFrame) -> pd.DataFrame:
    """A page's table as its files hold it: "c" written where a figure is suppressed, "n/a" where none applies."""
    table = table.copy()
    numeric = [c for c in table.columns if table[c].dtype.kind in "fi"]
    not_applicable = table.pop(NOT_APPLICABLE) if NOT_APPLICABLE in table else pd.Series("", index=table.index)
    no_return = table["Note"].eq("no return") if "Note" in table else pd.Series(False, index=table.index)
    for column in numeric:
        # In files as on screen: suppressed is "c", never a blank that could be read as 0.
        values = table[column].astype(object)
        blank = table[column].isna()
        applies = ~not_applicable.str.split(NA_SEPARATOR, regex=False).map(lambda cols: column in cols)
        table[column] = np.where(~blank, values, np.where(no_return, disclosure.NO_RETURN,
                                                          np.where(applies, disclosure.SUPPRESSED, "n/a")))
    return table


def presentation(selection: Selection, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    """The page's charts, tables and notes as its downloads, images and slides take them (rebuilt on the server)."""
    f = selection.filters
    view = build_view(f, scope, selection.ctx, anonymise_with=anonymise_with)
    source = source_line(view)
    stem = _file_stem(f, scope, anonymise_with)
    return Presentation(
        kpis=view.kpis,
        charts={chart: Slide(getattr(view, title), view.takeaways[chart], getattr(view, figure), source)
                for chart, (figure, title) in CHARTS.items() if chart in view.shown_charts},
        tables={"table": _file_table(view.table), "heat": _file_table(view.heat_table)},
        notes=[("Data", view.data_note), (disclosure.SUPPRESSED, MARKER_NOTE)] + view.notes,
        subtitle=(f"{view.outcome_label}: {view.area_name}, {view.period_label.lower()}." + (" Demo data." if view.is_demo else "")
                  + (" Anonymised." if anonymise_with else "")),
        stem=stem, title="Education suspensions: disproportionality by ethnicity",
        table_stems={"heat": f"{stem}_heatmap"})
