"""The Leadership in Colour page's logic: filters in, everything the page shows out.

Two pay-band sources: the published ALDCS snapshot (December 2020, real: shown exactly as published)
and demo headcounts in the same shape for the views no publication covers (service groups, £10k bands
per borough, every ethnic group). The role pipeline and "ethnicity not known" always use the DfE
children's social work workforce census (real). The page's callbacks are thin adapters over
`resolve_filters`, `build_view` and `presentation`; the arithmetic is in `dashboard.dashboards.leadership_in_colour.metrics`.
"""
from __future__ import annotations

import copy

import dataclasses
from dataclasses import dataclass, field


import numpy as np
import pandas as pd

from dashboard import loader
from dashboard.dashboards.leadership_in_colour import data
from dashboard.dashboards.leadership_in_colour import figures
from dashboard.dashboards.leadership_in_colour import metrics as rep
from dashboard.presenting import Presentation, Slide, anonymise_las, label_order

SOURCES = {"published": "Published snapshot, Dec 2020", "demo": "Demo counts (services, £10k bands)"}
BAND_GROUPS = {"all_staff": "All staff", "up_to_30k": "Up to £30,000", "30k_to_60k": "£30,001 to £60,000",
               "over_60k": "Over £60,000"}
PAY_BAND_GROUPS = ("up_to_30k", "30k_to_60k", "over_60k")
# Demo £10k bands grouped as the published borough table groups them.
DEMO_BAND_GROUP = {1: "up_to_30k", 2: "up_to_30k", 3: "30k_to_60k", 4: "30k_to_60k", 5: "30k_to_60k",
                   **{b: "over_60k" for b in range(6, 13)}}
PUBLISHED_GROUPS = ("bgm", "asian", "black")
DEMO_GROUPS = ("bgm",) + rep.GROUPS
ROLES = ["Case holder", "Senior practitioner", "First line manager", "Middle manager", "Senior manager"]
LONDON_CODE = "E12000007"
POSITION_TEXT = {"above": "above population", "parity": "at parity", "below": "below population", "unknown": ""}
BAND_LABELS = [b[0] for b in data.PAY_BANDS]
OWN_LA_CODES = "_la_codes"   # the borough table's hidden column: each row's ONS codes, to mark the caller's own LA


@dataclass(frozen=True)
class Filters:
    source: str
    borough: str        # "all" or an ONS code
    service: str        # "all" or a service group key (demo counts only)
    group: str          # bgm / asian / black (/ mixed / other / white with demo counts)

    def query(self) -> dict:
        return {"source": self.source, "borough": self.borough, "service": self.service, "group": self.group}


def resolve_filters(source=None, borough=None, service=None, group=None, *, la_codes) -> Filters:
    """Whatever arrived (URL or controls) made valid; anything unknown falls back to the default."""
    source = source if source in SOURCES else "published"
    borough = borough if borough in set(la_codes) else "all"
    service = service if service in data.SERVICE_GROUPS else "all"
    groups = PUBLISHED_GROUPS if source == "published" else DEMO_GROUPS
    group = group if group in groups else "bgm"
    return Filters(source, borough, service, group)


def group_options(source: str) -> list[dict]:
    groups = PUBLISHED_GROUPS if source == "published" else DEMO_GROUPS
    return [{"label": rep.GROUP_LABELS[g], "value": g} for g in groups]


def borough_options(las: pd.DataFrame, viewer_la: str | None = None, anonymise_with: str | None = None) -> list[dict]:
    if anonymise_with:
        las = anonymise_las(las, viewer_la, anonymise_with)
    return [{"label": "All boroughs (London)", "value": "all"}] + [
        {"label": n, "value": c} for c, n in zip(las["la_code"], las["la_name"])]


def _joint_label(codes: list[str], names: dict[str, str], viewer_la: str | None, what: str) -> str:
    """An anonymised joint return: never the partners' own labels, which would tie them to the source's one joint row."""
    if viewer_la in codes:
        return f"{names[viewer_la]} and a partner ({what})"
    return f"{what[0].upper()}{what[1:]} ({len(codes)} LAs)"


def _anonymise_published(boroughs: pd.DataFrame, names: dict[str, str], viewer_la: str | None) -> pd.DataFrame:
    """The published borough rows named by label (from their ONS codes, whatever the source's spelling), in label order."""
    def label(codes: str, name: str) -> str:
        split = [c for c in codes.split(" / ") if c]
        if not split:
            return name                                    # the Grand Total
        return names[split[0]] if len(split) == 1 else _joint_label(split, names, viewer_la, "published together")
    out = boroughs.copy()
    out["area_name"] = [label(c, n) for c, n in zip(out["la_codes"].fillna(""), out["area_name"])]
    order = sorted(out["area_name"].unique(), key=lambda n: (n == "Grand Total", label_order(n)))
    out["row_order"] = out["area_name"].map({n: i for i, n in enumerate(order, start=1)})
    return out


def _anonymise_csww(csww: pd.DataFrame, names: dict[str, str], viewer_la: str | None) -> pd.DataFrame:
    """The DfE census with each LA's name replaced by its label (joint returns by a joint label)."""
    out = csww.copy()
    is_la = out["geographic_level"] == "Local authority"
    out.loc[is_la, "area_name"] = _census_labels(out.loc[is_la, "area_code"], names, viewer_la)
    return out


def _census_labels(codes, names: dict[str, str], viewer_la: str | None) -> list[str]:
    """The anonymised names of census LA areas, by code (a joint return by a joint label)."""
    return [names[c] if " / " not in c else _joint_label(c.split(" / "), names, viewer_la, "joint census return")
            for c in codes]


def service_options() -> list[dict]:
    return [{"label": "All services", "value": "all"}] + [{"label": v, "value": k} for k, v in data.SERVICE_GROUPS.items()]


@dataclass
class LincView:
    is_demo: bool
    has_published: bool
    has_csww: bool
    area_label: str
    kpis: list[tuple[str, str, str]]
    band_title: str
    band_figure: dict            # figures as plain dicts: cheap to cache and to send
    band_table: pd.DataFrame
    ceiling_text: str
    group_title: str
    group_figure: object
    group_table: pd.DataFrame
    borough_title: str
    borough_table: pd.DataFrame          # what the grid shows (text, as published or from protected counts)
    borough_columns: list[dict]
    borough_download: pd.DataFrame
    role_title: str
    role_figure: object
    role_table: pd.DataFrame
    not_known_title: str
    not_known_figure: object
    not_known_table: pd.DataFrame
    notes: list[tuple[str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    takeaways: dict[str, str] = field(default_factory=dict)    # chart -> one sentence saying what it shows
    subtitle: str = ""                                          # the view in words, for a deck's title slide


DISCLOSURE_NOTE = (
    "The pay-band headcounts are LAs' staff, so they are protected by the ONS cell-key method (as used for the flexible "
    "tables of Census 2021): each count of an LA's staff in one ethnic group, service and £10k band gets a small fixed "
    "change, the same wherever it is used, before anything is added up. No count of 1 to 4 is ever used (they become 0 "
    "or 5 or more), a count of 5 never stays 5, and other counts move by at most 3. Every share, headcount, borough "
    "and London figure, ratio and sentence is worked out from the protected counts, so comparing views or subtracting "
    "one figure from another gives nothing away; a share may differ by a point or so from one worked out on the true "
    "counts, most for small services and boroughs. Every member sees the same figures, your own LA's included. The "
    "published snapshot and the DfE census are shown as published.")

POPULATION_DECIMALS = 1   # one rule for a population share, on every card and table: 41.8%, never 41% or 42%


def _pct(value, decimals: int = 1) -> str:
    return rep.format_share(value, decimals=decimals)


# --- pay bands: published snapshot -----------------------------------------------------------------

def _published_cells(boroughs: pd.DataFrame) -> dict:
    """The published borough table as plain look-ups (a view reads a few dozen of its cells: one pass over its rows
    costs less than a few pandas selections): `cell` {(area_name, ethnic_group, measure): (value, value_text)};
    `codes` [(la_codes, area_name)] in the table's order."""
    columns = [boroughs[c].tolist() for c in ("area_name", "ethnic_group", "measure", "value", "value_text", "la_codes")]
    cell = {(a, g, m): (v, t) for a, g, m, v, t, _ in zip(*columns)}
    return {"cell": cell, "codes": list(zip(columns[5], columns[0]))}


def _published_area(cells: dict, borough: str) -> str:
    if borough == "all":
        return "Grand Total"
    return [name for codes, name in cells["codes"] if borough in codes][0]


def _published_area_label(area: str) -> str:
    return "all boroughs" if area == "Grand Total" else area


def _published_bands(filters: Filters, series: pd.DataFrame, cells: dict, area: str) -> pd.DataFrame:
    """Bands for the share chart: the £10k series for all boroughs and BGM; the three published bands otherwise."""
    if area == "Grand Total" and filters.group == "bgm" and not series.empty:
        return pd.DataFrame({"band": series["pay_band"], "share": series["bgm_share"],
                             "population_share": series["population_share"],
                             "label": series["bgm_share"].map(lambda v: _pct(v, 1))})
    cell = cells["cell"]
    return pd.DataFrame({"band": [BAND_GROUPS[m] for m in PAY_BAND_GROUPS],
                         "share": [cell[(area, filters.group, m)][0] for m in PAY_BAND_GROUPS],
                         "population_share": cell[(area, filters.group, "population")][0],
                         "label": [cell[(area, filters.group, m)][1] for m in PAY_BAND_GROUPS]})


def _published_ratios(cells: dict, area: str) -> pd.DataFrame:
    rows = []
    cell = cells["cell"]
    for group in PUBLISHED_GROUPS:
        population = cell[(area, group, "population")][0]
        for measure in PAY_BAND_GROUPS:
            share, label = cell[(area, group, measure)]
            rows.append({"group": group, "band": BAND_GROUPS[measure], "share": share, "population_share": population,
                         "ratio": rep.representation_ratio(share, population), "label": label})
    return pd.DataFrame(rows)


def group_ratio_table(ratios: pd.DataFrame) -> pd.DataFrame:
    """The group chart as a table: one row per pay band, each group's ratio (2 dp), or why there is none."""
    why_none = ("<10%", "no staff")
    text = {(band, group): f"{r:.2f}" if not pd.isna(r) else (label if label in why_none else "no figure")
            for band, group, r, label in zip(ratios["band"].tolist(), ratios["group"].tolist(), ratios["ratio"].tolist(),
                                             ratios["label"].tolist())}
    bands = list(dict.fromkeys(ratios["band"]))
    groups = list(dict.fromkeys(ratios["group"]))
    return pd.DataFrame({"Pay band": bands, **{rep.GROUP_LABELS[g]: [text.get((b, g), np.nan) for b in bands]
                                               for g in groups}})


def _position_style(field_name: str) -> dict:
    """Blue over, orange under the population (Okabe-Ito hues, never red/green); darker = further away."""
    conditions = [
        ("well_below", "#F5C18A"), ("below", "#FCE6CF"), ("above", "#D4E6F5"), ("well_above", "#9CC6EA")]
    return {"styleConditions": [{"condition": f"params.data['{field_name}__pos'] == '{name}'",
                                 "style": {"backgroundColor": colour}} for name, colour in conditions]}


def _shade(share, population) -> str:
    """The shading class of a cell: how far the share is from the population share (ratio bands)."""
    pos = rep.position(share, population)
    if pos == "unknown":
        return "unknown"
    ratio = rep.representation_ratio(share, population)
    if pos == "below":
        return "well_below" if ratio < 0.8 else "below"
    if pos == "above":
        return "well_above" if ratio > 1.25 else "above"
    return "parity"


def _ceiling_cell(shares: list, population) -> str:
    result = rep.glass_ceiling_of([BAND_GROUPS[m] for m in PAY_BAND_GROUPS], shares, population)
    return {"ceiling": f"from {result['band']}", "below_throughout": "below in every band",
            "none": "none", "no_data": "not enough figures"}[result["status"]]


def _borough_columns(value_fields: list[tuple[str, str]], extra: list[tuple[str, str]]) -> list[dict]:
    cols = [{"field": "area", "headerName": "Borough", "pinned": "left", "minWidth": 170}]
    for name, header in value_fields:
        cols.append({"field": name, "headerName": header, "type": "rightAligned", "cellStyle": _position_style(name)})
    cols.append({"field": "population", "headerName": "Population", "type": "rightAligned"})
    cols += [{"field": name, "headerName": header} for name, header in extra]
    return cols


def _published_borough_table(boroughs: pd.DataFrame, group: str, focus_area: str):
    cells = boroughs[boroughs["ethnic_group"] == group]
    names, rows, columns, download = _borough_rows(cells)
    rows = rows.copy()
    rows["_focus"] = [name == focus_area for name in names]   # the one part that depends on the borough chosen
    return rows, copy.deepcopy(columns), download.copy()


_borough_rows_built: dict = {}


def _borough_rows(cells: pd.DataFrame):
    """The published borough table for every borough alike (the focus is marked after): built once per distinct table
    of cells in this process (a few per data version: one per ethnic group, named or anonymised)."""
    key = (tuple(cells.columns), pd.util.hash_pandas_object(cells, index=False).sum())
    if key not in _borough_rows_built:
        if len(_borough_rows_built) >= 16:
            _borough_rows_built.pop(next(iter(_borough_rows_built)))
        _borough_rows_built[key] = _build_borough_rows(cells)
    return _borough_rows_built[key]


def _build_borough_rows(cells: pd.DataFrame):
    names, rows, download = [], [], []
    for area, frame in cells.groupby("row_order", sort=True):
        frame = frame.set_index("measure")
        name = frame["area_name"].iloc[0]
        population = frame.loc["population", "value"]
        names.append(name)
        row = {"area": "All boroughs (Grand Total)" if name == "Grand Total" else name, "_focus": False,
               OWN_LA_CODES: frame["la_codes"].iloc[0]}
        out = {"Borough": row["area"]}
        for measure in ("all_staff",) + PAY_BAND_GROUPS:
            row[measure] = frame.loc[measure, "value_text"]
            row[f"{measure}__pos"] = _shade(frame.loc[measure, "value"], population)
            out[BAND_GROUPS[measure]] = frame.loc[measure, "value_text"]
            out[f"{BAND_GROUPS[measure]}: against population"] = POSITION_TEXT[rep.position(frame.loc[measure, "value"], population)]
        row["population"] = frame.loc["population", "value_text"]
        row["ceiling"] = _ceiling_cell([frame.loc[m, "value"] for m in PAY_BAND_GROUPS], population)
        out["Population share (2016)"] = row["population"]
        out["Glass ceiling"] = row["ceiling"]
        rows.append(row)
        download.append(out)
    columns = _borough_columns([(m, BAND_GROUPS[m]) for m in ("all_staff",) + PAY_BAND_GROUPS], [("ceiling", "Glass ceiling")])
    columns[-2]["headerName"] = "Population (2016)"
    return names, pd.DataFrame(rows), columns, pd.DataFrame(download)


# --- pay bands: demo counts ------------------------------------------------------------------------------

N_BANDS = len(data.PAY_BANDS)
# The £10k bands of each group of the borough table (band_order - 1), and of all staff.
BAND_GROUP_BANDS = {"all_staff": list(range(N_BANDS)),
                    **{g: [b - 1 for b, group in DEMO_BAND_GROUP.items() if group == g] for g in PAY_BAND_GROUPS}}


# What the demo-count views read of the protected counts and the population, arranged once per data version in each
# worker (the same for every viewer): each LA's latest snapshot only (an LA's newer uploaded return supersedes its older
# figures), every row's LA, service, band and ethnic group as integer arrays, so a view sums the rows it needs into an
# LA x band x group array with one bincount instead of filtering, concatenating and grouping frames; and each area's
# population shares as a plain look-up.
@loader.kept_in_process(data.NAME, "reference", check=data.check_scope)
def payband_arranged(scope: loader.AccessScope) -> dict:
    counts = data.protected_payband_headcount(scope)
    latest = counts.groupby("la_code")["snapshot_date"].transform("max")
    counts = counts[counts["snapshot_date"] == latest]
    la, las = pd.factorize(counts["la_code"])
    service, services = pd.factorize(counts["service_group"])
    ethnicity = pd.Categorical(counts["ethnicity"], categories=list(rep.COUNTED)).codes.astype("int64")
    raw_population = data.payband_population(scope)
    pop = _population_shares(raw_population, loader.local_authorities()["la_code"])
    return {"la": la.astype("int64"), "las": list(las), "service": service.astype("int64"), "services": list(services),
            "band": counts["band_order"].to_numpy("int64") - 1,
            "ethnicity": np.where(ethnicity < 0, len(rep.COUNTED), ethnicity),   # another group: a row, not counted
            "headcount": counts["headcount"].to_numpy("float64"), "snapshot": counts["snapshot_date"].to_numpy(),
            "population": {code: row for code, row in pop.to_dict("index").items()},
            "census": bool(len(raw_population)) and bool((raw_population["source"] != "demo").all())}


@dataclass
class DemoCounts:
    """The protected counts of one service choice: `counts` LA x band x (COUNTED, other) sums, `present` LA x band
    (any row, even of 0: a band with rows but no staff is "no staff", one with no rows is no figure), and the rows."""
    arranged: dict
    rows: np.ndarray
    counts: np.ndarray
    present: np.ndarray

    @property
    def empty(self) -> bool:
        return not self.rows.any()

    def la_index(self, borough: str) -> int | None:
        return self.arranged["las"].index(borough) if borough in self.arranged["las"] else None

    def area(self, borough: str) -> tuple[np.ndarray, np.ndarray]:
        """(band x group counts, bands present) for a borough or "all"."""
        if borough == "all":
            return self.counts.sum(axis=0), self.present.any(axis=0)
        i = self.la_index(borough)
        if i is None:
            return np.zeros(self.counts.shape[1:]), np.zeros(self.counts.shape[1], dtype=bool)
        return self.counts[i], self.present[i]

    def area_rows(self, borough: str) -> np.ndarray:
        if borough == "all":
            return self.rows
        i = self.la_index(borough)
        return self.rows & (self.arranged["la"] == (-1 if i is None else i))


def _demo_counts(arranged: dict, service: str) -> DemoCounts:
    if service == "all":
        rows = np.ones(len(arranged["la"]), dtype=bool)
    else:
        rows = arranged["service"] == (arranged["services"].index(service) if service in arranged["services"] else -1)
    n_las, n_groups = len(arranged["las"]), len(rep.COUNTED) + 1
    la, band = arranged["la"][rows], arranged["band"][rows]
    counts = np.bincount((la * N_BANDS + band) * n_groups + arranged["ethnicity"][rows],
                         weights=arranged["headcount"][rows], minlength=n_las * N_BANDS * n_groups)
    present = np.bincount(la * N_BANDS + band, minlength=n_las * N_BANDS) > 0
    return DemoCounts(arranged, rows, counts.reshape(n_las, N_BANDS, n_groups), present.reshape(n_las, N_BANDS))


def _population_shares(population: pd.DataFrame, la_codes) -> pd.DataFrame:
    """la_code x group population shares, with bgm = 1 - white; London and every group always there (NaN, never 0,
    when the store holds no population yet)."""
    wide = population.pivot(index="la_code", columns="ethnicity", values="population_share")
    wide = wide.reindex(index=wide.index.union([*la_codes, data.LONDON_CODE]), columns=list(rep.GROUPS))
    wide["bgm"] = wide[list(rep.BGM_GROUPS)].sum(axis=1, min_count=len(rep.BGM_GROUPS))
    return wide


def _demo_area_population(pop: dict, borough: str) -> dict:
    return pop[data.LONDON_CODE if borough == "all" else borough]


def _demo_bands(filters: Filters, counts: DemoCounts, pop: dict):
    """Shares of known staff per £10k band, from the protected counts (`data.protected_payband_headcount`): a band
    with no rows stays NaN, never 0%."""
    by_band, present = counts.area(filters.borough)
    wide = rep.known_shares(by_band[:, :len(rep.COUNTED)])
    wide = {column: np.where(present, values, np.nan) for column, values in wide.items()}
    return wide, _demo_area_population(pop, filters.borough)


def _demo_share_rows(wide, population, group: str) -> dict:
    labels = [rep.format_share(v, 1) if pd.notna(k) and k > 0 else "no staff"
              for v, k in zip(wide[f"{group}_share"].tolist(), wide["known"].tolist())]
    return {"band": BAND_LABELS, "share": wide[f"{group}_share"], "population_share": float(population[group]),
            "label": labels, "known": wide["known"]}


def _demo_ratios(wide, population) -> pd.DataFrame:
    """Every group's shares by band (as `_demo_share_rows`), one after another, with each band's ratio."""
    parts = [dict(_demo_share_rows(wide, population, g), group=g) for g in DEMO_GROUPS]
    ratios = pd.DataFrame({column: np.concatenate([np.broadcast_to(np.asarray(part[column]), (N_BANDS,)) for part in parts])
                           for column in ("band", "share", "population_share", "label", "known", "group")})
    for column in ("band", "label", "group"):
        ratios[column] = ratios[column].tolist()   # as text columns of their own, not numpy's fixed-width strings
    ratios["ratio"] = rep.representation_ratio(ratios["share"], ratios["population_share"])
    return ratios


def _demo_borough_table(filters: Filters, counts: DemoCounts, pop: dict, las: pd.DataFrame, focus: str,
                        population_label: str):
    names = dict(zip(las["la_code"], las["la_name"]))
    measures = ("all_staff",) + PAY_BAND_GROUPS
    rows, download = [], []
    for code in ["london"] + list(las["la_code"]):
        by_band, present = counts.area("all" if code == "london" else code)
        wide = rep.known_shares(np.stack([by_band[BAND_GROUP_BANDS[m], :len(rep.COUNTED)].sum(axis=0) for m in measures]))
        group_shares = wide[f"{filters.group}_share"].tolist()
        population = pop[data.LONDON_CODE if code == "london" else code][filters.group]
        area = "All boroughs (London)" if code == "london" else names[code]
        row = {"area": area, "_focus": code == focus, OWN_LA_CODES: code}
        out = {"Borough": area}
        shares = {}
        for i, measure in enumerate(measures):
            if not present[BAND_GROUP_BANDS[measure]].any():
                row[measure], shares[measure] = "no staff", np.nan
                row[f"{measure}__pos"] = "unknown"
            else:
                shares[measure] = group_shares[i]
                row[measure] = rep.format_share(shares[measure], 0)
                row[f"{measure}__pos"] = _shade(shares[measure], population)
            out[BAND_GROUPS[measure]] = row[measure]
            out[f"{BAND_GROUPS[measure]}: against population"] = POSITION_TEXT[rep.position(shares[measure], population)]
        row["population"] = rep.format_share(population, 0)
        row["ceiling"] = _ceiling_cell([shares[m] for m in PAY_BAND_GROUPS], population)
        not_known = wide["not_known_share"][0] if present.any() else np.nan
        row["not_known"] = rep.format_share(not_known, 1)
        out[f"Population share ({population_label})"] = row["population"]
        out["Glass ceiling"] = row["ceiling"]
        out["Ethnicity not known"] = row["not_known"]
        rows.append(row)
        download.append(out)
    columns = _borough_columns([(m, BAND_GROUPS[m]) for m in ("all_staff",) + PAY_BAND_GROUPS],
                               [("ceiling", "Glass ceiling"), ("not_known", "Ethnicity not known")])
    return pd.DataFrame(rows), columns, pd.DataFrame(download)


# --- roles: DfE children's social work workforce ---------------------------------------------------------

def csww_area(borough: str, areas: pd.DataFrame) -> tuple[str, str]:
    """(area code, name) in the DfE census for a borough: London for all; the joint return for Kingston or Richmond.
    `areas`: the census's LA areas (area_code, area_name), as `census_arranged` arranges them."""
    if borough == "all":
        return LONDON_CODE, "London"
    for code, name in zip(areas["area_code"], areas["area_name"]):
        if borough in code:
            return code, name
    return borough, ""


PIPELINE_COLUMNS = ["year", "role", "bgm_share", "bgm", "known", "not_known_share", "label"]


def role_pipeline(csww: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """year, role, bgm_share, bgm, known, not_known_share, label: BGM share of known staff in each role and year.

    Where the source has x for any group, the BGM share is not published (NaN, labelled so), never 0.
    """
    frame = csww[(csww["area_code"] == area_code) & csww["role"].isin(ROLES)]
    if frame.empty:
        return pd.DataFrame(columns=PIPELINE_COLUMNS)
    return role_pipelines(frame).drop(columns="area_code")


def role_pipelines(csww: pd.DataFrame) -> pd.DataFrame:
    """`role_pipeline` of every area in the census at once (one pivot): area_code and its columns, by area, year and
    role."""
    frame = csww[csww["role"].isin(ROLES)]
    if frame.empty:
        return pd.DataFrame(columns=["area_code"] + PIPELINE_COLUMNS)
    keys = ["area_code", "year", "role"]
    wide = frame.pivot(index=keys, columns="ethnicity", values="headcount")
    pct = frame[frame["ethnicity"] == "not_known"].set_index(keys)["headcount_pct"].reindex(wide.index)
    rows = []
    for (area, year, role), r, not_known in zip(wide.index, wide.to_dict("records"), pct.tolist()):
        share = rep.bgm_share_of_known(r.get("asian"), r.get("black"), r.get("mixed"), r.get("other"), r.get("known"))
        bgm = sum(r.get(g) for g in rep.BGM_GROUPS) if not pd.isna(share) else np.nan
        label = _pct(share) if not pd.isna(share) else _missing_label(r.get("known"), r.get("total"))
        rows.append({"area_code": area, "year": int(year), "role": role, "bgm_share": share, "bgm": bgm,
                     "known": r.get("known"), "not_known_share": not_known / 100, "label": label})
    out = pd.DataFrame(rows)
    out["role"] = pd.Categorical(out["role"], ROLES, ordered=True)
    return out.sort_values(["area_code", "year", "role"]).reset_index(drop=True).assign(role=lambda f: f["role"].astype(str))


# What the role charts read of the census, worked out once per census version in each worker (the same for every
# viewer: area codes are never relabelled, only names), so a borough's view slices its rows instead of filtering,
# pivoting and labelling the whole census again: every area's pipeline (London's is every borough's comparator too),
# the LA areas, the latest year's ethnicity-not-known figures. None when the census is not imported.
@loader.kept_in_process(data.CSWW, check=data.check_scope)
def census_arranged(scope: loader.AccessScope) -> dict:
    csww = data.csww_role(scope)
    if csww.empty:
        return {}
    pipelines = role_pipelines(csww)
    codes = pipelines["area_code"].tolist()
    rows: dict[str, list] = {}
    for i, code in enumerate(codes):
        rows.setdefault(code, [i, i])[1] = i + 1
    years = sorted(csww["year"].unique())
    latest = years[-1]
    las = csww[csww["geographic_level"] == "Local authority"][["area_code", "area_name"]].drop_duplicates()
    london_nk = csww[(csww["year"] == latest) & (csww["area_code"] == LONDON_CODE) & (csww["role"] == "Total")
                     & (csww["ethnicity"] == "not_known")]["headcount_pct"] / 100
    return {"pipelines": pipelines.drop(columns="area_code"), "rows": rows, "years": years,
            "areas": las.reset_index(drop=True), "not_known": not_known_by_la(csww, latest),
            "london_not_known": london_nk.iloc[0] if len(london_nk) else None}


def _area_pipeline(arranged: dict, area_code: str) -> pd.DataFrame:
    """`role_pipeline` of one area, sliced from the arranged census."""
    if area_code not in arranged["rows"]:
        return pd.DataFrame(columns=PIPELINE_COLUMNS)
    start, stop = arranged["rows"][area_code]
    return arranged["pipelines"].iloc[start:stop].reset_index(drop=True)


def _not_known_named(arranged: dict, names: dict[str, str] | None, viewer_la: str | None) -> pd.DataFrame:
    """The latest year's not-known figures by LA, their names anonymised where `names` (the labels) is given."""
    nk = arranged["not_known"]
    if names is not None:
        nk["area_name"] = _census_labels(nk["area_code"], names, viewer_la)
    return nk


def _missing_label(known, total) -> str:
    """Why a role has no BGM share: no staff, nobody's ethnicity known, or not published by the DfE (x)."""
    if total == 0:
        return "no staff in this role"
    if known == 0:
        return "no staff with known ethnicity"
    return "not published (x)"


def not_known_by_la(csww: pd.DataFrame, year: int) -> pd.DataFrame:
    """Share of children's social workers with ethnicity not known (as published, % of all in post), by LA."""
    frame = csww[(csww["year"] == year) & (csww["role"] == "Total") & (csww["ethnicity"] == "not_known")
                 & (csww["geographic_level"] == "Local authority")]
    out = pd.DataFrame({"area_code": frame["area_code"], "area_name": frame["area_name"],
                        "share": frame["headcount_pct"] / 100, "headcount": frame["headcount"]})
    out["label"] = [(_pct(s) if not pd.isna(s) else "not published") for s in out["share"]]
    return out.reset_index(drop=True)


# --- the view ------------------------------------------------------------------------------------------------

def build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> LincView:
    """Everything the page shows for these filters: the view every member shares (`view_for_members`), with the
    caller's own LA marked on it after the cache reads (its row in the borough table stands out; with all boroughs it
    is the not-known chart's focus). `anonymise_with` (the app's secret) replaces every LA name but the viewer's own
    with a stable label before anything is computed."""
    view = view_for_members(filters, scope, anonymise_with=anonymise_with)
    focus = scope.la_code if filters.borough == "all" else filters.borough
    chart = not_known_chart(focus, scope, anonymise_with=anonymise_with)
    return dataclasses.replace(view, borough_table=_own_la_marked(view.borough_table, scope.la_code),
                               not_known_figure=chart.figure, takeaways={**view.takeaways, "notknown": chart.takeaway})


def depends_on_caller(scope: loader.AccessScope, arguments: dict) -> bool:
    """Never, as cached: `_build_view` uses the caller's LA only to anonymise (which view_cache keys per caller anyway).
    Everything that marks the caller's own LA - its borough row, and with all boroughs the not-known chart and
    sentence - is added by `build_view` after the cache read, so every member shares one build of each view."""
    return False


@loader.view_cache("reference", data.NAME, data.PUBLISHED, data.CSWW, check=data.check_scope,
                   depends_on_caller=depends_on_caller)
def view_for_members(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> LincView:
    """The view as every member sees it, before their own LA is marked: cached once for all members per version of
    every dataset it reads; access is checked before the cache is read."""
    return _build_view(filters, scope, anonymise_with=anonymise_with)


@dataclass
class NotKnownChart:
    figure: dict
    takeaway: str


@loader.view_cache("reference", data.CSWW, check=data.check_scope)
def not_known_chart(focus: str, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> NotKnownChart:
    """The ethnicity-not-known chart and its sentence with `focus` standing out (an ONS code, found in a joint return's
    code too): the same for everyone who focuses on that LA, so cached per focus, not per caller."""
    arranged = census_arranged(scope)
    if not arranged:
        message = "The DfE census of children's social workers has not been imported."
        return NotKnownChart(figures.plain_empty_figure(message), message)
    names = None
    if anonymise_with:
        las = anonymise_las(loader.local_authorities(), scope.la_code, anonymise_with)
        names = dict(zip(las["la_code"], las["la_name"]))
    latest = arranged["years"][-1]
    nk = _not_known_named(arranged, names, scope.la_code)
    london = arranged["london_not_known"]
    return NotKnownChart(figures.not_known_figure(nk, [focus], london, "London"),
                         not_known_takeaway(nk, focus or None, np.nan if london is None else london, latest))


def _own_la_marked(table: pd.DataFrame, own_la: str) -> pd.DataFrame:
    """The borough table as the page shows it: the caller's own LA's row (a joint row holding it too) stands out
    beside the chosen area's, and the codes column is dropped."""
    if OWN_LA_CODES not in table.columns:
        return table
    own = table[OWN_LA_CODES].map(lambda codes: own_la in str(codes).split(" / "))
    return table.assign(_focus=table["_focus"] | own).drop(columns=[OWN_LA_CODES])


@dataclass
class RolePart:
    """The role charts, tables, headline figures and sentence of one borough (or all): they depend on the borough
    alone, so a change of source, group or service reads them from the cache."""
    latest: int | None
    messages: list
    kpis: list
    takeaway: str
    role_title: str
    role_figure: dict
    role_table: pd.DataFrame
    not_known_title: str
    not_known_table: pd.DataFrame


@loader.view_cache("reference", data.CSWW, check=data.check_scope)
def role_part(borough: str, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> RolePart:
    """DfE's census of children's social workers by role for `borough` ("all": London), as every member sees it."""
    las = loader.local_authorities()
    arranged = census_arranged(scope)
    if anonymise_with:
        las = anonymise_las(las, scope.la_code, anonymise_with)
    names = dict(zip(las["la_code"], las["la_name"]))
    has_csww = bool(arranged)
    messages = []
    role_code, role_name = csww_area(borough, arranged["areas"]) if has_csww else ("", "")
    if anonymise_with and borough != "all" and role_name:   # the census's LA names, as the census is anonymised
        role_name = _census_labels([role_code], names, scope.la_code)[0]
    pipeline = _area_pipeline(arranged, role_code) if has_csww else pd.DataFrame()
    years = arranged["years"] if has_csww else []
    latest = years[-1] if years else None
    if has_csww and borough != "all" and " / " in role_code:
        messages.append(("Two LAs" if anonymise_with else "Kingston upon Thames and Richmond upon Thames")
                        + " make one joint return to the DfE census: the role figures are for both.")
    comparator = None
    if has_csww and borough != "all":
        london = _area_pipeline(arranged, LONDON_CODE)
        comparator = london[london["year"] == latest]
    role_label = role_name or ("London" if borough == "all" else names.get(borough, ""))
    role_figure = (figures.pipeline_figure(pipeline, ROLES, role_label, comparator) if has_csww and not pipeline.empty
                   else figures.plain_empty_figure("The DfE census of children's social workers has not been imported."))
    role_table = pd.DataFrame({
        "Year (30 September)": pipeline.get("year", []), "Role": pipeline.get("role", []),
        "Black and Global Majority share of known": pipeline.get("label", []),
        "Black and Global Majority headcount": [("" if pd.isna(v) else int(v)) for v in pipeline.get("bgm", [])],
        "Known ethnicity headcount": [("not published (x)" if pd.isna(v) else int(v)) for v in pipeline.get("known", [])],
        "Ethnicity not known": [_pct(v) for v in pipeline.get("not_known_share", [])],
    })
    nk = (_not_known_named(arranged, names if anonymise_with else None, scope.la_code) if has_csww
          else pd.DataFrame(columns=["area_code", "area_name", "share", "label"]))
    london_nk = arranged.get("london_not_known")
    not_known_table = pd.DataFrame({"Local authority": nk["area_name"], "Ethnicity not known": nk["label"],
                                    "Headcount not known": [("" if pd.isna(v) else int(v)) for v in nk.get("headcount", [])]}) \
        .sort_values("Local authority").reset_index(drop=True)

    kpis = _role_kpis(pipeline, role_label, latest) if has_csww and not pipeline.empty else []
    if len(nk):
        focus_nk = nk[nk["area_code"].str.contains(borough, regex=False)] if borough != "all" else None
        value = focus_nk["label"].iloc[0] if focus_nk is not None and len(focus_nk) else (
            _pct(london_nk) if london_nk is not None else "no figure")
        kpis.append((f"Ethnicity not known, {role_label} social workers {latest}", value, "children's social workers"))
    return RolePart(
        latest=latest, messages=messages, kpis=kpis,
        takeaway=(roles_takeaway(pipeline, role_label) if has_csww and not pipeline.empty
                  else "The DfE census of children's social workers has not been imported, so there is no role figure."),
        role_title=(f"Children's social workers: Black and Global Majority share from case holder to senior manager, "
                    f"{role_label}, {years[0]} to {latest}" if years else "Children's social workers by role"),
        role_figure=role_figure, role_table=role_table,
        not_known_title=(f"Children's social workers with ethnicity not known, by local authority, 30 September {latest}"
                         if latest else "Ethnicity not known"),
        not_known_table=not_known_table)


def _build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> LincView:
    las = loader.local_authorities()
    series, boroughs = data.published_bands(scope), data.published_boroughs(scope)
    if anonymise_with:
        las = anonymise_las(las, scope.la_code, anonymise_with)
        names = dict(zip(las["la_code"], las["la_name"]))
        boroughs = _anonymise_published(boroughs, names, scope.la_code) if not boroughs.empty else boroughs
    names = dict(zip(las["la_code"], las["la_name"]))
    has_published, has_csww = not boroughs.empty, bool(census_arranged(scope))
    messages, notes = [], []
    group_label = rep.GROUP_LABELS[filters.group]
    is_demo = filters.source == "demo"

    if not is_demo and has_published:
        cells = _published_cells(boroughs)
        area = _published_area(cells, filters.borough)
        area_label = _published_area_label(area)
        bands = _published_bands(filters, series, cells, area)
        ratios = _published_ratios(cells, area)
        borough_table, borough_columns, borough_download = _published_borough_table(boroughs, filters.group, area)
        # The population share as the pay-band series gives it (41.8%), as every other card and table writes it;
        # the borough table publishes it only to whole numbers (41%).
        area_population = bands["population_share"].dropna()
        headline = (cells["cell"][(area, filters.group, "all_staff")][1],
                    _pct(area_population.iloc[0], POPULATION_DECIMALS) if len(area_population)
                    else cells["cell"][(area, filters.group, "population")][1])
        period = "December 2020 snapshot"
        population_label = "population 2016"
        if " / " in str(next(codes for codes, name in cells["codes"] if name == area)):
            messages.append(("These two boroughs" if anonymise_with else "Richmond and Wandsworth")
                            + " share one workforce and are published together: the figures shown are for both boroughs.")
        band_table = pd.DataFrame({"Pay band": bands["band"], "Share of staff": bands["label"],
                                   "Population share": bands["population_share"].map(lambda v: _pct(v, 1))})
    else:
        if not is_demo:
            messages.append("The published snapshot has not been imported, so demo counts are shown instead "
                            "(an administrator runs `python -m dashboard import-published FOLDER`).")
            filters = Filters("demo", filters.borough, filters.service, filters.group)
            is_demo = True
        arranged = payband_arranged(scope)
        counts = _demo_counts(arranged, filters.service)
        if counts.empty:
            messages.append("No pay-band headcounts are held for this choice yet: the pay-band charts and table are "
                            "empty until LAs upload their counts or an administrator imports the published snapshot.")
        pop = arranged["population"]
        population_label = "Census 2021 residents" if arranged["census"] else "demo population"
        area = filters.borough
        area_label = "all boroughs" if area == "all" else names[area]
        if filters.service != "all":
            area_label += f", {data.SERVICE_GROUPS[filters.service].lower()}"
        wide, population = _demo_bands(filters, counts, pop)
        bands = pd.DataFrame(_demo_share_rows(wide, population, filters.group))
        ratios = _demo_ratios(wide, population)
        borough_table, borough_columns, borough_download = _demo_borough_table(filters, counts, pop, las, area,
                                                                                 population_label)
        area_rows = counts.area_rows(area)
        snapshots = arranged["snapshot"][area_rows]
        if len(snapshots):   # the area's staff: each LA's latest figures (the rows arranged), whatever their dates
            everyone = rep.known_shares(np.bincount(arranged["ethnicity"][area_rows],
                                                    weights=arranged["headcount"][area_rows],
                                                    minlength=len(rep.COUNTED) + 1)[:len(rep.COUNTED)])
        headline = (_pct(everyone[f"{filters.group}_share"][0], 0) if len(snapshots) else "no staff",
                    _pct(population[filters.group], POPULATION_DECIMALS))
        returned = loader.returned_las(data.NAME)
        snapshot = pd.Timestamp(snapshots.max()) if len(snapshots) else pd.NaT
        if area != "all" and area in returned:   # the LA's own uploaded return replaced its demo counts
            is_demo = False
            period = f"snapshot {snapshot:%d %B %Y}, the LA's own return"
        elif area == "all" and returned:
            demo_las = [i for i, code in enumerate(arranged["las"]) if code not in returned]
            demo_snapshots = arranged["snapshot"][counts.rows & np.isin(arranged["la"], demo_las)]
            demo_snapshot = pd.Timestamp(demo_snapshots.max()) if len(demo_snapshots) else pd.NaT
            period = (f"demo snapshot {demo_snapshot:%d %B %Y}, with {len(returned)} borough"
                      f"{'s' if len(returned) > 1 else ''}' own latest returns")
        else:
            period = f"demo snapshot {snapshot:%d %B %Y}" if pd.notna(snapshot) else "demo snapshot"
        band_table = pd.DataFrame({"Pay band": bands["band"], "Share of staff": bands["label"],
                                   "Population share": bands["population_share"].map(lambda v: _pct(v, 1)),
                                   "Staff with known ethnicity": [
                                       "no staff" if pd.isna(k) else f"{int(k):,}"
                                       for k in bands["known"]]})

    ceiling = rep.glass_ceiling(bands[["band", "share", "population_share"]])
    band_table["Ratio to population"] = [
        "" if pd.isna(r) else f"{r:.2f}" for r in rep.representation_ratio(bands["share"], bands["population_share"])]
    band_table["Against population"] = [POSITION_TEXT[rep.position(s, p)] or "no figure"
                                        for s, p in zip(bands["share"], bands["population_share"])]
    band_table["Glass ceiling"] = ["◆ glass ceiling" if b == ceiling["band"] else "" for b in bands["band"]]

    # Roles (real DfE figures wherever they are loaded): the same whatever the source, group or service chosen.
    roles = role_part(filters.borough, scope, anonymise_with=anonymise_with)
    messages += roles.messages
    latest = roles.latest

    # Headline figures.
    top = bands.dropna(subset=["share"]).tail(1)
    kpis = [
        (f"{group_label}, all staff", headline[0], f"{population_label}: {headline[1]}"),
        ("Glass ceiling", ceiling["band"] if ceiling["status"] in ("ceiling", "below_throughout") else
         ("none" if ceiling["status"] == "none" else "not known"),
         "below population from this band up" if ceiling["band"] else ""),
        (f"Top band with a figure: {top['band'].iloc[0]}" if len(top) else "Top band",
         top["label"].iloc[0] if len(top) else "no figure",
         f"population {_pct(top['population_share'].iloc[0], POPULATION_DECIMALS)}" if len(top) else ""),
    ]
    kpis += roles.kpis

    info = {name: loader.dataset_info(name) for name in (data.NAME, data.PUBLISHED, data.CSWW)}
    notes = _notes(filters, period, ceiling, latest, info, population_label, anonymised=bool(anonymise_with),
                   own_return=not is_demo)
    if anonymise_with:
        notes.append(("Anonymised", "LA names other than your own are replaced by stable labels (LA 1 to LA 33); "
                                    "joint returns are labelled as joint."))
    who = "Black and Global Majority" if filters.group == "bgm" else group_label
    takeaways = {
        "band": band_takeaway(bands, ceiling, who, area_label, population_label),
        "groups": groups_takeaway(ratios, area_label),
        "roles": roles.takeaway,
    }   # "notknown" and its chart are added per focus LA by `build_view`
    return LincView(
        is_demo=is_demo, has_published=has_published, has_csww=has_csww, area_label=area_label, kpis=kpis,
        band_title=f"{who} share of staff by pay band against the population: {area_label}, {period}",
        band_figure=figures.band_share_figure(bands, ceiling, population_label, group_label),
        band_table=band_table,
        ceiling_text=rep.describe_ceiling(ceiling),
        group_title=f"Representation by ethnic group and pay band: {area_label}, {period}",
        group_figure=figures.group_ratio_figure(ratios, rep.GROUP_LABELS), group_table=group_ratio_table(ratios),
        borough_title=(f"{who} share by pay band in every borough"
                       + (f", {data.SERVICE_GROUPS[filters.service].lower()}" if filters.source == "demo" and filters.service != "all" else "")
                       + f", against the population ({period})"),
        borough_table=borough_table, borough_columns=borough_columns, borough_download=borough_download,
        role_title=roles.role_title, role_figure=roles.role_figure, role_table=roles.role_table,
        not_known_title=roles.not_known_title, not_known_figure=None, not_known_table=roles.not_known_table,
        notes=notes, messages=messages, takeaways=takeaways,
        subtitle=f"{area_label[0].upper() + area_label[1:]}, {who}, {period}." + (" Demo data." if is_demo else ""),
    )


def _role_kpis(pipeline: pd.DataFrame, area: str, latest: int) -> list[tuple[str, str, str]]:
    now = _labels_in(pipeline, latest)
    senior = [now["Senior manager"]] if "Senior manager" in now else []
    case = [now["Case holder"]] if "Case holder" in now else []
    first_year = int(pipeline["year"].min())
    gaps = rep.drop_offs_by_year(pipeline, "Case holder", "Senior manager")
    gap_now, gap_then = gaps.get(latest, np.nan), gaps.get(first_year, np.nan)
    if pd.isna(gap_now):
        gap_text, gap_note = "not published", "a role's figure is suppressed (x)"
    else:
        gap_text = f"{gap_now * 100:.1f} points"
        if pd.isna(gap_then):
            gap_note = f"{first_year}: not published"
        else:
            trend = "narrower" if gap_now < gap_then else "wider" if gap_now > gap_then else "the same"
            gap_note = f"{trend} than {first_year} ({gap_then * 100:.1f} points)"
    return [
        (f"Senior managers, {area} {latest}", senior[0] if senior else "no figure",
         f"case holders {case[0] if case else 'no figure'}"),
        (f"Drop-off case holder to senior manager, {latest}", gap_text, gap_note),
    ]


def _notes(filters: Filters, period: str, ceiling: dict, latest, info: dict, population_label: str, *,
           anonymised: bool = False, own_return: bool = False) -> list[tuple[str, str]]:
    notes = [
        ("Words", "Black and Global Majority (BGM) means every ethnic group other than White: Asian, Black, "
                  "Mixed / multiple heritage and Other. The programme does not use the term BAME, which the source files use."),
        ("Shares", "Shares are of staff whose ethnicity is known. The population share is of residents of the same "
                   "borough (or London) in the same group."),
        ("Ratio", "Representation ratio = staff share ÷ population share: 1 is parity, under 1 under-represented."),
        ("Glass ceiling", "The lowest pay band from which every higher band is below the population share. Gaps within "
                          "1 percentage point count as parity (the published table is rounded to whole percentages). "
                          + rep.describe_ceiling(ceiling)),
        ("Shading", "Borough table: blue where the share is above the population share, orange where it is below "
                    "(darker: ratio over 1.25 or under 0.8); unshaded at parity or where there is no figure."),
    ]
    if filters.source == "published":
        notes += [
            ("Source (pay bands)", "ALDCS Leadership in Colour: ethnicity of London borough employees by pay band, "
                                   "December 2020 snapshot, with each borough's 2016 population estimate. Shown exactly as published."),
            ("Suppression (pay bands)", "<10% is the source's own marker: the number of employees was 3 or fewer, so the "
                                        "share is not shown. It is not a value under 10%."),
            ("Coverage", "No borough had data on its whole workforce: on average 12.2% of staff had ethnicity not known. "
                         + ("Two boroughs that share one workforce are published together; one borough was added to the "
                            "source later. " if anonymised else "Richmond and Wandsworth are published together (one shared "
                            "workforce). Redbridge was added to the source later. ")
                         + "The £10k-band series is for all boroughs together and for BGM only; the borough table has "
                           "three pay bands."),
        ]
    else:
        notes += [
            ("Source (pay bands)", f"The borough's own return (uploaded): headcounts, {period}, by service group and "
                                   "£10k pay band." if own_return else
                                   f"Demo data: synthetic headcounts, {period}, by borough, service group and £10k pay band. "
                                   "Not any borough's real figures. No publication has this breakdown; the published "
                                   "snapshot is the real-data mode."),
            ("Population", (f"{data.CENSUS_SOURCE}, by major ethnic group (real): each borough's share, and London's "
                            "from all boroughs' residents together." if population_label.startswith("Census") else
                            "Demo population shares; London's is the unweighted mean of the boroughs'.")),
            ("Disclosure control (pay bands)", DISCLOSURE_NOTE),
        ]
    notes += [
        ("Source (roles)", f"DfE, Children's social work workforce, reporting year {latest}: children and family social workers in post by role and "
                           f"major ethnic group, headcount at 30 September each year, 2019 to {latest}. Open Government Licence v3.0."),
        ("Roles", "The pipeline runs case holder, senior practitioner, first line manager, middle manager, senior manager "
                  "(qualified social workers without cases are left out: they are not a step on it). Drop-off = case holder "
                  "share minus senior manager share, in percentage points. Counts are shown as the DfE publishes them."),
        ("Markers (roles)", "x: not published by the DfE (suppressed or not available), shown as 'not published', never 0. "
                            + ("Two LAs make one joint return. " if anonymised else
                               "Kingston upon Thames and Richmond upon Thames make one joint return. ") + "The source's 'Non-white' "
                            "rows are not used (they do not agree with the group counts); BGM is summed from the groups."),
        ("Ethnicity not known", "Representation figures are only as good as the recording behind them: where many staff "
                                "have no recorded ethnicity, shares of known staff may not describe the whole workforce."),
        ("Loaded", "; ".join(f"{label}: version {info[name]['version']}" + (" (demo)" if info[name]["is_demo"] else "")
                             for name, label in ((data.PUBLISHED, "published snapshot"), (data.CSWW, "DfE census"),
                                                 (data.NAME, "demo counts")))),
    ]
    return notes


# --- what each chart shows, in one sentence (on the page, as the chart's text alternative, and on its slide) -----

def _where(area_label: str) -> str:
    return "Across all boroughs" + area_label[len("all boroughs"):] if area_label.startswith("all boroughs") else f"In {area_label}"


def _band(band: str) -> str:
    """'the £20,001 to £30,000 band', 'the over £60,000 band'."""
    return f"the {band[0].lower()}{band[1:]} band"


def _of(n: int, total: int, noun: str) -> tuple[str, str]:
    """('all 3 groups', 'are'), ('1 of the 2 groups', 'is'), ('none of the 3 groups', 'is'): counted, with its verb."""
    if total == 1:
        return (f"the one {noun}", "is") if n else (f"the one {noun}", "is not")
    if n == total:
        return f"{'both' if total == 2 else f'all {total}'} {noun}s", "are"
    return f"{n if n else 'none'} of the {total} {noun}s", "is" if n <= 1 else "are"


def band_takeaway(bands: pd.DataFrame, ceiling: dict, who: str, area_label: str, population_label: str) -> str:
    """The group's share in the lowest and highest band with a figure, against the population, and the glass ceiling.

    `bands`: band, share (NaN where suppressed or not published), population_share, label (as the page writes it)."""
    shown = bands[bands["share"].notna()]
    if shown.empty:
        return f"{_where(area_label)}, no pay band has a figure for {who} staff: each is suppressed or not published."
    low, high = shown.iloc[0], shown.iloc[-1]
    text = f"{_where(area_label)}, {who} staff are {low['label']} of staff with known ethnicity in {_band(low['band'])}"
    if len(shown) > 1:
        text += f" and {high['label']} in {_band(high['band'])}"
    text += f", against {_pct(high['population_share'])} of the population ({population_label})"
    if ceiling["status"] == "ceiling":
        text += f"; the glass ceiling is at {_band(ceiling['band'])}: from there up every band is below the population"
    elif ceiling["status"] == "below_throughout":
        text += "; every band with a figure is below the population"
    elif ceiling["status"] == "none":
        text += "; the top band with a figure is not below the population, so there is no glass ceiling"
    hidden = bands[bands["share"].isna()]
    if len(hidden):
        text += (f" ({len(hidden)} band{'s' if len(hidden) > 1 else ''} without a figure: "
                 + ", ".join(dict.fromkeys(hidden["label"])) + ")")
    return text + "."


def groups_takeaway(ratios: pd.DataFrame, area_label: str) -> str:
    """In the top pay band with figures: the least and most represented groups, and how many are below the population.

    `ratios`: group, band, share, population_share, ratio (NaN where there is no figure), label."""
    with_ratio = ratios[ratios["ratio"].notna()]
    if with_ratio.empty:
        return f"{_where(area_label)}, no ethnic group has a published or unsuppressed figure."
    top = list(dict.fromkeys(with_ratio["band"]))[-1]
    frame = ratios[ratios["band"] == top]
    shown = frame[frame["ratio"].notna()]
    low, high = shown.loc[shown["ratio"].idxmin()], shown.loc[shown["ratio"].idxmax()]
    text = (f"{_where(area_label)}, in {_band(top)} {rep.GROUP_LABELS[low['group']]} staff are the least represented "
            f"(ratio {low['ratio']:.2f}: {_pct(low['share'])} of staff, {_pct(low['population_share'])} of residents)")
    if high["ratio"] > low["ratio"]:
        text += f" and {rep.GROUP_LABELS[high['group']]} staff the most ({high['ratio']:.2f})"
    below = sum(rep.position(a, b) == "below" for a, b in zip(shown["share"], shown["population_share"]))
    counted, verb = _of(below, len(shown), "group")
    text += f"; {counted} with a figure {verb} below the population share"
    missing = frame[frame["ratio"].isna()]
    if len(missing):
        text += "; no figure for " + ", ".join(f"{rep.GROUP_LABELS[g]} ({label})"
                                               for g, label in zip(missing["group"], missing["label"]))
    return text + "."


def _labels_in(pipeline: pd.DataFrame, year) -> dict[str, str]:
    """{role: label} of one year of a pipeline."""
    return {role: label for y, role, label in zip(pipeline["year"].tolist(), pipeline["role"].tolist(),
                                                  pipeline["label"].tolist()) if y == year}


def _share_of(label: str, role: str) -> str:
    return f"{label} of {role}" if label.endswith("%") else f"{role}: {label}"


def roles_takeaway(pipeline: pd.DataFrame, area: str) -> str:
    """Case holders against senior managers in the latest year, and the drop-off against the first year.

    `pipeline`: year, role, bgm_share (NaN where the DfE has x), label."""
    latest, first = int(pipeline["year"].max()), int(pipeline["year"].min())
    now = _labels_in(pipeline, latest)
    case, senior = now.get("Case holder", "no figure"), now.get("Senior manager", "no figure")
    gaps = rep.drop_offs_by_year(pipeline, "Case holder", "Senior manager")
    gap = gaps.get(latest, np.nan)
    start = f"In {area} at 30 September {latest}, Black and Global Majority staff are "
    if pd.isna(gap):
        return (start + f"{_share_of(case, 'case holders')} and {_share_of(senior, 'senior managers')}, so the drop-off "
                "cannot be worked out.")
    if gap > 0:
        text = start + f"{case} of case holders but {senior} of senior managers: a drop of {gap * 100:.1f} points"
    else:
        text = start + f"{case} of case holders and {senior} of senior managers: no drop-off"
    then = gaps.get(first, np.nan)
    if first != latest and pd.notna(then) and gap > 0:
        trend = "narrower than" if gap < then else "wider than" if gap > then else "the same as"
        text += f", {trend} in {first} ({then * 100:.1f} points)"
    elif first != latest and pd.isna(then):
        text += f" ({first}: not published)"
    return text + "."


def not_known_takeaway(nk: pd.DataFrame, focus_code: str | None, london: float, year) -> str:
    """The chosen (or the viewer's) LA's share with ethnicity not recorded, against London, and the highest.

    `nk`: area_code, area_name, share (NaN where not published), label."""
    shown = nk[nk["share"].notna()]
    if shown.empty:
        return f"No LA has a published figure for ethnicity not known at 30 September {year}."
    london_text = _pct(london) if pd.notna(london) else "not published"
    focus = nk[nk["area_code"].str.contains(focus_code, regex=False)] if focus_code else nk.iloc[:0]
    text = f"At 30 September {year}, "
    if len(focus) and pd.notna(focus["share"].iloc[0]):
        text += (f"{focus['label'].iloc[0]} of children's social workers in {focus['area_name'].iloc[0]} had no recorded "
                 f"ethnicity (London: {london_text})")
    elif len(focus):
        text += (f"the share of children's social workers in {focus['area_name'].iloc[0]} with no recorded ethnicity is "
                 f"not published (London: {london_text})")
    elif pd.notna(london):
        text += f"{london_text} of London's children's social workers had no recorded ethnicity"
    else:
        text += "London's share of children's social workers with no recorded ethnicity is not published"
    top = shown.loc[shown["share"].idxmax()]
    if not (len(focus) and top["area_code"] == focus["area_code"].iloc[0]):
        text += f"; the highest share is in {top['area_name']} ({top['label']})"
    missing = len(nk) - len(shown)
    if missing:
        text += f"; {missing} LA{'s' if missing > 1 else ''} not published"
    return text + "."


# --- presenting: chart images, slides and files, all rebuilt on the server from the filters ---------------------

CHARTS = {"band": ("band_figure", "band_title", "Source (pay bands)"),
          "groups": ("group_figure", "group_title", "Source (pay bands)"),
          "roles": ("role_figure", "role_title", "Source (roles)"),
          "notknown": ("not_known_figure", "not_known_title", "Source (roles)")}


def source_line(view: LincView, chart: str) -> str:
    notes = dict(view.notes)
    source = notes.get(CHARTS[chart][2], "")
    if chart in ("band", "groups") and "Population" in notes:
        source += f" Population: {notes['Population']}"
    return f"Source: {source}"


def presentation(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    """The page's charts, tables and notes as its downloads, images and slides take them (rebuilt on the server).
    Each file is named by what it holds (`_file_stem`); the deck's name is the presentation's stem."""
    view = build_view(filters, scope, anonymise_with=anonymise_with)
    tables = {"band": view.band_table, "groups": view.group_table, "borough": view.borough_download, "role": view.role_table,
              "notknown": view.not_known_table}
    notes = list(view.notes)
    demo_notes = [("Demo data", "Synthetic figures, not any borough's real figures.")] + notes
    stem = (lambda what: _file_stem(what, filters, scope, anonymise_with))
    return Presentation(
        kpis=view.kpis,
        charts={chart: Slide(getattr(view, title), view.takeaways[chart], getattr(view, figure), source_line(view, chart))
                for chart, (figure, title, _source) in CHARTS.items()},
        tables=tables, notes=notes,
        subtitle=view.subtitle + (" Anonymised." if anonymise_with else ""),
        stem=stem("slides"),
        table_stems={table: stem(table) for table in tables}, chart_stems={chart: stem(chart) for chart in CHARTS},
        table_notes=({table: demo_notes for table in ("band", "groups", "borough")} if view.is_demo else {}))


def _file_stem(what: str, filters: Filters, scope: loader.AccessScope, anonymise_with: str | None) -> str:
    # An anonymised file's name must not give the borough away by its ONS code.
    borough = "anonymised" if anonymise_with and filters.borough not in ("all", scope.la_code) else filters.borough
    return f"leadership_in_colour_{what}_{filters.source}_{borough}_{filters.group}"
