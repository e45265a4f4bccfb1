"""The Ofsted inspections page's logic: filters in, everything the page shows out.

The page's callbacks are thin adapters over `resolve_filters`, `build_view` and `presentation`; the counting lives in
`dashboard.dashboards.ofsted.metrics`, the charts in `dashboard.dashboards.ofsted.figures`. Statistical neighbours
come from the published statistics every page shares (`dashboard.loader.published`), area SEND inspections from the
SEND page's declared reads.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard import loader
from dashboard.dashboards.ofsted import figures, metrics
from dashboard.dashboards.ofsted.data import GRADES, JUDGEMENTS, NAME, check_scope, ilacs_inspections
from dashboard.dashboards.send import data as send_data
from dashboard.loader import published as published_loader
from dashboard.presenting import Presentation, Slide, anonymise_las, label_order

DEFAULT_JUDGEMENT = "overall"
NOT_IMPORTED = ("No summary of Ofsted's inspections of children's services (ILACS) has been imported. An administrator "
                "imports it with `python -m dashboard import-published FOLDER` (data-to-insight's "
                "ofsted_csc_ilacs_overview.xlsx); until then this page shows only area SEND inspections.")
SEND_DEMO_TEXT = "Demo data: the area SEND inspections shown are synthetic (seeded), not any area's real outcomes."
CHARTS = ("london", "neighbours", "distribution", "send")
TABLES = ("london", "neighbours", "distribution", "send")   # in the order of their download buttons


@dataclass(frozen=True)
class Filters:
    focus: str           # the focus LA's ONS code
    judgement: str       # which judgement the distribution counts (a key of JUDGEMENTS)

    def query(self) -> dict:
        return {"focus": self.focus, "judgement": self.judgement}


def judgement_options() -> list[dict]:
    return [{"label": metrics.SHORT_NAMES[j], "value": j} for j in JUDGEMENTS]


def resolve_filters(focus=None, judgement=None, *, user_la: str | None, las: pd.DataFrame) -> Filters:
    """Whatever arrived (address bar or dropdowns) made valid; anything unknown falls back to a default."""
    codes = set(las["la_code"])
    focus = focus if focus in codes else (user_la if user_la in codes else sorted(codes)[0])
    return Filters(focus, judgement if judgement in JUDGEMENTS else DEFAULT_JUDGEMENT)


@dataclass
class OfstedView:
    focus: str
    focus_name: str
    judgement: str
    has_ilacs: bool                     # the ILACS summary has been imported
    send_is_demo: bool                  # the area SEND inspections are the SEND page's demo data
    anonymised: bool
    kpis: list[tuple[str, str, str]]
    london_figure: object
    neighbours_figure: object
    distribution_figure: object
    send_figure: object
    london_table: pd.DataFrame
    neighbours_table: pd.DataFrame
    distribution_table: pd.DataFrame
    send_table: pd.DataFrame
    titles: dict[str, str]
    takeaways: dict[str, str]
    notes: list[tuple[str, str]]
    sources: dict[str, str] = field(default_factory=dict)    # chart -> its source line


def _date(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _long_date(value) -> str:
    return f"{pd.Timestamp(value):%-d %B %Y}"


def _judgement_columns(frame: pd.DataFrame) -> dict[str, list[str]]:
    return {metrics.SHORT_NAMES[j]: [metrics.grade_text(v) if held else metrics.NOT_HELD
                                     for v, held in zip(frame[j], frame["held"])] for j in JUDGEMENTS}


def _inspection_table(frame: pd.DataFrame, *, first: dict[str, list], links: bool) -> pd.DataFrame:
    """Rows as the page's tables and files show them: every judgement in words, dates as yyyy-mm-dd."""
    held = frame["held"]
    table = pd.DataFrame({
        **first, **_judgement_columns(frame),
        "Inspection": [f"{f} ILACS" if isinstance(f, str) else ("not recorded" if h else metrics.NOT_HELD)
                       for f, h in zip(frame["framework"], held)],
        "Started": [_date(d) for d in frame["start_date"]], "Ended": [_date(d) for d in frame["end_date"]],
        "Published": [_date(d) for d in frame["publication_date"]],
    })
    if links:
        table["Report"] = [link if isinstance(link, str) else "" for link in frame["report_link"]]
    return table


def _kpis(focus_row: pd.Series | None, neighbours: pd.DataFrame, send_row: pd.Series | None) -> list[tuple[str, str, str]]:
    if focus_row is None or not focus_row["held"]:
        cards = [(metrics.SHORT_NAMES[j], metrics.NOT_HELD, "no ILACS inspection imported") for j in JUDGEMENTS]
    else:
        when = (f"{focus_row['framework'] or 'ILACS'} inspection, published {_long_date(focus_row['publication_date'])}"
                if pd.notna(focus_row["publication_date"]) else "publication date not given")
        cards = [(metrics.SHORT_NAMES[j], metrics.grade_text(focus_row[j]), when if j == "overall" else "")
                 for j in JUDGEMENTS]
    held = neighbours[neighbours["held"]]
    counts = metrics.grade_counts(held, "overall")
    cards.append(("Statistical neighbours: overall good or better",
                  f"{counts['outstanding'] + counts['good']} of {counts['judged']}" if len(held) else "not available",
                  f"of {len(neighbours)} neighbours, those with an overall grade" if len(neighbours)
                  else "DfE statistical neighbours not imported"))
    if send_row is None or pd.isna(send_row["outcome_grade"]):
        cards.append(("Area SEND inspection (2023 framework)", "Not yet inspected",
                      f"2016-22: {send_row['previous']}" if send_row is not None else ""))
    else:
        cards.append(("Area SEND inspection (2023 framework)", f"Outcome {int(send_row['outcome_grade'])}",
                      f"published {_long_date(send_row['published'])}" if send_row["published"] else ""))
    return cards


OTHER_DATASETS = (send_data.NAME, published_loader.NAME, "reference")   # what the view reads besides its own


def _parts_no_filter_changes(scope: loader.AccessScope, anonymise_with: str | None) -> dict:
    """What the view shows whatever the focus LA and judgement: every London LA's inspections and the area SEND
    inspections, their tables, the SEND chart and the sources."""
    real_las = loader.local_authorities()
    anonymised = bool(anonymise_with)
    las = anonymise_las(real_las, scope.la_code, anonymise_with) if anonymised else real_las
    names = dict(zip(las["la_code"], las["la_name"]))
    las = real_las.assign(la_name=real_las["la_code"].map(names))
    if anonymised:   # label order: rows in code or name order would give the labels away
        las = las.iloc[sorted(range(len(las)), key=lambda i: label_order(las["la_name"].iloc[i]))].reset_index(drop=True)
    ilacs = ilacs_inspections(scope)
    london = metrics.london_inspections(ilacs, las)

    inspections = send_data.send_inspections(scope)
    send_is_demo = bool(len(inspections)) and (inspections["source"] == send_data.DEMO).any()
    send_latest = send_data.send_inspection_summary(scope)["latest"]
    send_latest["la_name"] = send_latest["la_code"].map(names)
    send_latest = send_latest.set_index("la_code").loc[list(las["la_code"])].reset_index()   # the page's LA order
    send_counts = metrics.send_outcome_counts(inspections, set(las["la_code"]))
    return {
        "las": las, "names": names, "ilacs": ilacs, "london": london, "send_is_demo": send_is_demo,
        "send_latest": send_latest, "send_counts": send_counts,
        "london_table": _inspection_table(london, first={"LA": list(london["la_name"]),
                                                         "Sub-region": list(london["subregion_name"])},
                                          links=not anonymised),
        "send_table": pd.DataFrame({
            "LA": send_latest["la_name"], "Outcome (2023 framework)": send_latest["outcome"],
            "Published": [_date(d) if d else "" for d in send_latest["published"]],
            "Previous inspection (2016-22)": send_latest["previous"],
            "Previous published": [_date(d) if d else "" for d in send_latest["previous_published"]],
        }),
        "send_figure": figures.send_figure(send_counts),
        "ilacs_source": ilacs["source"].iloc[0] if len(ilacs) else "not imported",
        "send_source": "; ".join(sorted(set(inspections["source"]))) if len(inspections) else "none held",
    }


@loader.kept_in_process(NAME, *OTHER_DATASETS, check=check_scope)
def _named_parts(scope: loader.AccessScope) -> dict:
    """`_parts_no_filter_changes` with every LA named: the same for every member, so worked out once per data
    version in each worker, not at each filter change."""
    return _parts_no_filter_changes(scope, None)


@loader.view_cache(NAME, *OTHER_DATASETS, check=check_scope)   # one for every member
def build_view(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> OfstedView:
    """Everything the page shows for the filters. `anonymise_with` (the app's secret) replaces every London LA's name
    but the viewer's own with its stable label (and each neighbour outside London with "Outside London" and its
    rank), in every chart, table, sentence and note, and leaves out the report links (a link names its LA)."""
    anonymised = bool(anonymise_with)
    parts = _parts_no_filter_changes(scope, anonymise_with) if anonymised else _named_parts(scope)
    las, names, ilacs, london = parts["las"], parts["names"], parts["ilacs"], parts["london"]
    focus_info = las.set_index("la_code").loc[filters.focus]
    focus_name, subregion = names[filters.focus], focus_info["subregion_name"]
    has_ilacs = not ilacs.empty
    focus_row = london[london["la_code"] == filters.focus].iloc[0] if has_ilacs else None

    neighbours = metrics.neighbour_inspections(ilacs, published_loader.statistical_neighbours(focus_info["dfe_code"]))
    if anonymised:
        neighbours["la_name"] = [names.get(code) or f"Outside London ({rank})"
                                 for code, rank in zip(neighbours["ons_code"], neighbours["rank"])]
    neighbour_rows = pd.concat([london[london["la_code"] == filters.focus].assign(rank=0, ons_code=filters.focus), neighbours],
                               ignore_index=True)

    groups = [(f"{focus_name}'s statistical neighbours", neighbours[neighbours["held"]]),
              (subregion, london[(london["subregion_name"] == subregion) & london["held"]]),
              ("London", london[london["held"]]), ("England", ilacs)]
    distribution = metrics.distribution(groups, filters.judgement)
    send_is_demo, send_latest, send_counts = parts["send_is_demo"], parts["send_latest"], parts["send_counts"]
    send_row = send_latest[send_latest["la_code"] == filters.focus].iloc[0]

    london_table, send_table = parts["london_table"], parts["send_table"]
    neighbours_table = _inspection_table(
        neighbour_rows, first={"Neighbour rank": ["focus LA" if r == 0 else str(int(r)) for r in neighbour_rows["rank"]],
                               "LA": list(neighbour_rows["la_name"]),
                               "Region": [r if isinstance(r, str) else "" for r in neighbour_rows["region"]]},
        links=not anonymised)
    distribution_table = pd.DataFrame({
        "Area": distribution["area"], "LAs": distribution["las"],
        **{metrics.GRADE_LABELS[g]: distribution[g] for g in GRADES}, metrics.NO_JUDGEMENT: distribution["none"],
        "Good or better (% of LAs judged)": ["no LA judged" if pd.isna(v) else f"{v:.0f}%"
                                             for v in distribution["good_or_better_pct"]],
    })

    judgement_name = metrics.SHORT_NAMES[filters.judgement]
    titles = {
        "london": "Latest ILACS judgements, every London LA",
        "neighbours": f"{focus_name} and its DfE statistical neighbours",
        "distribution": f"{judgement_name}: LAs by grade",
        "send": "Area SEND inspections under the 2023 framework: London and England",
    }
    takeaways = {
        "london": _london_takeaway(london, focus_row, focus_name),
        "neighbours": _neighbours_takeaway(neighbours, focus_row, focus_name),
        "distribution": _distribution_takeaway(distribution, judgement_name),
        "send": _send_takeaway(send_counts, send_row, focus_name),
    }
    ilacs_source, send_source = parts["ilacs_source"], parts["send_source"]
    sources = {"london": ilacs_source, "neighbours": ilacs_source + "; DfE statistical neighbours (2025 model)",
               "distribution": ilacs_source, "send": "demo data (synthetic, seeded)" if send_is_demo else send_source}
    notes = _notes(ilacs_source, send_source, send_is_demo, len(neighbours), anonymised)
    return OfstedView(
        focus=filters.focus, focus_name=focus_name, judgement=filters.judgement, has_ilacs=has_ilacs,
        send_is_demo=send_is_demo, anonymised=anonymised, kpis=_kpis(focus_row, neighbour_rows.iloc[1:], send_row),
        london_figure=figures.judgement_grid(london, filters.focus, "No ILACS inspections imported."),
        neighbours_figure=figures.judgement_grid(
            neighbour_rows, filters.focus,
            "No ILACS inspections imported." if not has_ilacs else "DfE statistical neighbours not imported."),
        distribution_figure=figures.distribution_figure(distribution, filters.judgement),
        send_figure=parts["send_figure"],
        london_table=london_table, neighbours_table=neighbours_table, distribution_table=distribution_table,
        send_table=send_table, titles=titles, takeaways=takeaways, notes=notes, sources=sources)


# --- what each chart shows, in one sentence (its text alternative and its slide's caption) --------------------------

def _good_or_better(counts: dict) -> str:
    return f"{counts['outstanding'] + counts['good']} of {counts['judged']}"


def _focus_clause(focus_row, focus_name: str) -> str:
    if focus_row is None or not focus_row["held"]:
        return f"{focus_name} has no inspection held"
    grade = metrics.grade_text(focus_row["overall"]).lower()
    when = f", published {_long_date(focus_row['publication_date'])}" if pd.notna(focus_row["publication_date"]) else ""
    return f"{focus_name}'s overall effectiveness: {grade}{when}"


def _london_takeaway(london: pd.DataFrame, focus_row, focus_name: str) -> str:
    held = london[london["held"]]
    if held.empty:
        return "No ILACS inspections have been imported."
    counts = metrics.grade_counts(held, "overall")
    none = f"; {counts['none']} with no overall grade given" if counts["none"] else ""
    return (f"{_good_or_better(counts)} London LAs with an overall grade are good or outstanding "
            f"({counts['outstanding']} outstanding){none}. {_focus_clause(focus_row, focus_name)}.")


def _neighbours_takeaway(neighbours: pd.DataFrame, focus_row, focus_name: str) -> str:
    if neighbours.empty:
        return f"{focus_name}'s DfE statistical neighbours have not been imported."
    held = neighbours[neighbours["held"]]
    if held.empty:
        return f"None of {focus_name}'s statistical neighbours has an inspection held."
    counts = metrics.grade_counts(held, "overall")
    parts = ", ".join(f"{counts[g]} {metrics.GRADE_LABELS[g].lower()}" for g in GRADES if counts[g])
    none = f", {counts['none']} with no overall grade" if counts["none"] else ""
    return f"{focus_name}'s {len(neighbours)} statistical neighbours: {parts}{none}. {_focus_clause(focus_row, focus_name)}."


def _london_and_england(rows: pd.DataFrame, part: str, whole: str, noun: str) -> str:
    """"London 91% (29 of 32 judged); England 72% (109 of 151 judged)": a count of `part` among `whole` per area."""
    said = []
    for area in ("London", "England"):
        counted, of = int(rows.loc[area, part]), int(rows.loc[area, whole])
        said.append(f"{area} {metrics.share(counted, of):.0f}% ({counted} of {of} {noun})" if of else f"{area}: none {noun}")
    return "; ".join(said)


def _distribution_takeaway(distribution: pd.DataFrame, judgement_name: str) -> str:
    rows = distribution.set_index("area")
    if rows.loc["England", "las"] == 0:
        return "No ILACS inspections have been imported."
    rows["good_or_better"] = rows["outstanding"] + rows["good"]
    return f"{judgement_name}, good or outstanding: {_london_and_england(rows, 'good_or_better', 'judged', 'judged')}."


def _send_takeaway(counts: pd.DataFrame, send_row, focus_name: str) -> str:
    rows = counts.set_index("area")
    if rows.loc["England", "inspected"] == 0:
        return "No area SEND inspections under the 2023 framework are held."
    focus = ("not yet inspected under the 2023 framework" if pd.isna(send_row["outcome_grade"])
             else f"outcome {int(send_row['outcome_grade'])}")
    return f"Outcome 1: {_london_and_england(rows, 1, 'inspected', 'inspected')}. {focus_name}: {focus}."


def _notes(ilacs_source: str, send_source: str, send_is_demo: bool, n_neighbours: int,
           anonymised: bool) -> list[tuple[str, str]]:
    return [
        ("What is shown", "Each LA's latest inspection of local authority children's services (ILACS) as Ofsted "
                          "published it: the overall effectiveness and the four judgements under it. Monitoring visits "
                          "and focused visits give no grade and are not shown."),
        ("Grades", "Outstanding, good, requires improvement to be good, inadequate (Ofsted's four-point scale)."),
        ("No judgement given", "A blank is kept blank, never read as a grade: some inspections in 2026 have no overall "
                               "grade while their four judgements are given. Care leavers have had a judgement of their "
                               "own since January 2023; an inspection before then has none (\"not judged separately\")."),
        ("Inspection", "A short inspection (one week on site, LAs last judged good or outstanding) or a standard one "
                       "(two weeks). Started, ended and published are the inspection's dates."),
        ("Statistical neighbours", f"DfE's children's services statistical neighbours (2025 model), the same the "
                                   f"Benchmarking page uses: {n_neighbours} held for this LA, matched to inspections on "
                                   "DfE's LA number." if n_neighbours else
                                   "DfE's statistical neighbours have not been imported (sn_model_2025_wide.csv)."),
        ("Distributions", "LAs counted by their latest inspection. England is every English LA in the file; London its "
                          "33; the sub-region the focus LA's. Bars are shares of all LAs in the group, no judgement "
                          "included; \"good or better\" is a share of the LAs with a grade. Inspections of different "
                          "years and types are counted together: this is where things stand, not a league table."),
        ("Source (ILACS)", ilacs_source),
        ("Area SEND inspections", ("Demo data (synthetic, seeded), as the SEND page shows until Ofsted's files are "
                                   "imported. " if send_is_demo else "") + f"{send_source}. Under the framework used since "
                                  "January 2023: 1 typically positive experiences and outcomes, 2 inconsistent, "
                                  "3 widespread and/or systemic failings; each area's latest report counted. 2016-22: "
                                  "whether a written statement of action was required."),
        ("Data", "Published data only on this page, except where labelled demo data." if send_is_demo
         else "Published data only: no demo data on this page."),
    ] + ([("Anonymised", "London LA names other than the viewer's own are replaced by stable labels (LA 1 to LA 33), "
                         "neighbours outside London by their rank, and report links are left out. Judgements are public: "
                         "anyone who looks one up can tell whose it is.")] if anonymised else [])


# --- presenting: images, slides and files ---------------------------------------------------------------------

def presentation(filters: Filters, scope: loader.AccessScope, *, anonymise_with: str | None = None) -> Presentation:
    """The page's charts, tables and notes as its downloads, images and slides take them (rebuilt on the server)."""
    view = build_view(filters, scope, anonymise_with=anonymise_with)
    demo = " Demo data: synthetic, not any area's real outcomes." if view.send_is_demo else ""
    return Presentation(
        kpis=view.kpis,
        charts={chart: Slide(view.titles[chart], view.takeaways[chart], getattr(view, f"{chart}_figure"),
                             f"Source: {view.sources[chart]}." + (demo if chart == "send" else ""))
                for chart in CHARTS},
        tables={which: getattr(view, f"{which}_table") for which in TABLES},
        notes=view.notes,
        subtitle=f"{view.focus_name}; distribution of {metrics.SHORT_NAMES[view.judgement].lower()}."
                 + (" Area SEND inspections: demo data." if view.send_is_demo else ""),
        stem=f"ofsted_{filters.judgement}",
        table_stems={which: f"ofsted_{which}" for which in TABLES},
        demo_tables=frozenset({"send"} if view.send_is_demo else ()))   # only the SEND page's inspections can be demo
